"""Pass 1 on a Dask cluster: the per-file reading and extraction as ``dask.distributed`` tasks.

``dask_results`` yields the files' results in input order, whatever order the workers finish
in, so a build on a cluster is byte-identical to a local one. Without ``scheduler`` it starts
a ``LocalCluster`` of worker processes on this machine; with an address
(``tcp://host:8786``) it uses a running cluster, whose workers must have wenxian-kg installed
and see the input files at the same paths (a shared or replicated file system). Only a
bounded window of tasks is in flight, so memory does not grow with the archive.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator

from .errors import KgError

__all__ = ["dask_results"]

_WINDOW_PER_WORKER = 16


def dask_results(files: list, scheduler: str | None = None,
                 workers: int = 2) -> Iterator:
    """The pass-1 result of each of ``files`` (in order), computed as Dask tasks."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise KgError("--engine dask needs dask.distributed: pip install 'wenxian-kg[dask]'") \
            from None
    from .pass_one import process_file
    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1,
                               processes=True, dashboard_address=None)
        client = Client(cluster)
    try:
        total_workers = max(1, len(client.scheduler_info().get("workers", {})) or workers)
        window = _WINDOW_PER_WORKER * total_workers
        pending: deque = deque()
        items = iter(files)
        for item in items:
            pending.append(client.submit(process_file, item, pure=False))
            if len(pending) >= window:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
