"""The embedded query store: Oxigraph, loaded in bulk from the N-Triples the build writes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph

__all__ = ["load_store", "open_store"]


def load_store(path: Path, ntriples: Path) -> int:
    """Replace the store at ``path`` with the triples of ``ntriples``; return their count."""
    shutil.rmtree(path, ignore_errors=True)
    store = pyoxigraph.Store(str(path))
    store.bulk_load(path=str(ntriples), format=pyoxigraph.RdfFormat.N_TRIPLES)
    store.flush()
    count = len(store)
    del store
    return count


def open_store(out: Path, read_only: bool = True) -> pyoxigraph.Store:
    """The store of a built output folder."""
    path = out / "store"
    if not path.is_dir():
        raise FileNotFoundError(f"no store in {out}: run `kg build … --out {out}` first")
    return pyoxigraph.Store.read_only(str(path)) if read_only else pyoxigraph.Store(str(path))
