"""The embedded query store: Oxigraph, loaded in bulk from the Turtle the build writes."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph

__all__ = ["load_store", "StoreLoader", "InAnotherProcess", "update_store", "open_store",
           "export", "EXPORT_FORMATS", "die_with_parent"]


_PIECE = 16 << 20


def load_store(path: Path, turtle: Path, threads: int = 1) -> None:
    """Replace the store at ``path`` with the triples of the Turtle file ``turtle``.

    Oxigraph's bulk loader holds what it is given in memory while it sorts it (1.8 GB for
    8 million triples), so the file is given in pieces of about 16 MB. Loads of different
    pieces run at once in ``threads`` threads (Oxigraph releases the GIL): two take 55% of
    one's time.
    """
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
    shutil.rmtree(path, ignore_errors=True)
    store = pyoxigraph.Store(str(path))
    pending = set()
    with ThreadPoolExecutor(max(1, threads)) as pool:
        for piece in _pieces(turtle):
            if len(pending) >= max(1, threads):  # at most one piece per thread in memory
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    future.result()
            pending.add(pool.submit(store.bulk_load, input=piece,
                                    format=pyoxigraph.RdfFormat.TURTLE))
        for future in pending:
            future.result()
    store.flush()
    del store


def _pieces(turtle: Path) -> Iterator[bytes]:
    """``turtle`` in pieces of about ``_PIECE`` bytes, each the prefixes and whole subject
    blocks (they are separated by blank lines, which no literal holds: the writer escapes
    line breaks)."""
    with turtle.open("rb") as f:
        head = f.read(1 << 16)
        cut = head.find(b"\n\n")
        header = head[:cut + 1] if cut >= 0 else head
        f.seek(len(header))
        rest = b""
        while block := f.read(_PIECE):
            block = rest + block
            cut = block.rfind(b"\n\n")
            if cut < 0:
                rest = block
                continue
            yield header + block[:cut + 1]
            rest = block[cut + 1:]
        if rest.strip():
            yield header + rest


class StoreLoader:
    """A new store at ``path`` loaded, in a process of its own, from Turtle given piece by
    piece while the build is still writing it, so loading overlaps the build's own work
    instead of following it. ``add`` takes Turtle statements under the prefixes ``header``
    (cut anywhere: pieces are sent whole subject blocks at a time); ``wait`` waits for the
    load and raises what it raised."""

    def __init__(self, path: Path, header: bytes):
        import multiprocessing
        context = multiprocessing.get_context("spawn")  # none of the build's memory
        self._connection, theirs = context.Pipe()
        self._process = context.Process(target=_load_pieces,
                                        args=(path, header, theirs, os.getpid()), daemon=True)
        self._process.start()
        theirs.close()
        self._pending: list[bytes] = []
        self._size = 0

    def add(self, turtle: bytes) -> None:
        self._pending.append(turtle)
        self._size += len(turtle)
        if self._size >= _PIECE:
            block = b"".join(self._pending)
            cut = block.rfind(b"\n\n")  # blocks are separated by blank lines
            if cut >= 0:
                self._send(block[:cut + 1])
                block = block[cut + 1:]
            self._pending, self._size = [block], len(block)

    def _send(self, piece: bytes) -> None:
        try:
            self._connection.send_bytes(piece)
        except OSError:
            pass  # the loader stopped: wait() says why

    def wait(self) -> None:
        if block := b"".join(self._pending):
            self._send(block)
        self._pending, self._size = [], 0
        self._send(b"")
        try:
            error = self._connection.recv()
        except EOFError:
            error = f"the store's loader stopped (exit code {self._process.exitcode})"
        self._process.join()
        if error:
            raise OSError(error)


def _load_pieces(path: Path, header: bytes, connection, parent: int) -> None:
    """The loading side of ``StoreLoader``: bulk-load each piece received until an empty one."""
    die_with_parent(parent)
    try:
        shutil.rmtree(path, ignore_errors=True)
        store = pyoxigraph.Store(str(path))
        while piece := connection.recv_bytes():
            store.bulk_load(input=header + piece, format=pyoxigraph.RdfFormat.TURTLE)
        store.flush()
        del store
        connection.send(None)
    except (OSError, ValueError, SyntaxError) as error:
        connection.send(f"{type(error).__name__}: {error}")


def die_with_parent(parent: int) -> None:
    """Have the kernel end this (child) process when its parent, process ``parent``, ends,
    even by ``kill -9``: a killed build leaves no workers running (Linux; elsewhere nothing is
    done). A parent that ended before this was asked ends the child here."""
    import ctypes
    import signal
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:
        os._exit(1)


class InAnotherProcess:
    """``function(*args)`` (``load_store``, ``update_store``) in a fresh process, so its
    memory does not add to the build's and the build can finish its own writing meanwhile:
    ``wait()`` returns when it is done, or raises what it raised."""

    def __init__(self, function, *args):
        import multiprocessing
        self._pool = multiprocessing.get_context("spawn").Pool(1)
        self._pending = self._pool.apply_async(function, args)

    def wait(self) -> None:
        try:
            self._pending.get()
        finally:
            self._pool.close()
            self._pool.join()


def update_store(path: Path, base: str, documents: list, removed_lines: list[str],
                 added_lines: list[str], fragments: list[bytes]) -> None:
    """Update the store of an incremental build in place: take out every triple about the
    ``documents`` (keys; IRIs under ``base``) written again or gone, and their citation
    nodes, and the shared N-Triples ``removed_lines``; put in the Turtle ``fragments`` (UTF-8) and
    ``added_lines``."""
    from .iri import Minter
    from .ontology import CITO, PREFIXES
    from .rdfio import turtle_prefixes
    minter = Minter(base)
    store = pyoxigraph.Store(str(path))
    for start in range(0, len(documents), 500):  # the deletes run in Oxigraph, 500 at a time
        iris = " ".join(f"<{minter.document(*key)}>" for key in documents[start:start + 500])
        store.update(f"""DELETE {{ ?s ?p ?o }} WHERE {{ VALUES ?document {{ {iris} }}
                             ?s <{CITO.hasCitingEntity}> ?document ; ?p ?o }}""")
        store.update(f"""DELETE {{ ?document ?p ?o }} WHERE {{ VALUES ?document {{ {iris} }}
                             ?document ?p ?o }}""")
    for quad in pyoxigraph.parse(input="".join(removed_lines),
                                 format=pyoxigraph.RdfFormat.N_TRIPLES):
        store.remove(quad)
    text = [turtle_prefixes(PREFIXES), *(f.decode() for f in fragments),
            *added_lines]
    store.load(input="".join(text), format=pyoxigraph.RdfFormat.TURTLE)
    store.flush()
    del store


def open_store(out: Path, read_only: bool = True) -> pyoxigraph.Store:
    """The store of a built output folder."""
    path = out / "store"
    if not path.is_dir():
        raise FileNotFoundError(f"no store in {out}: run `kg build … --out {out}` first")
    return pyoxigraph.Store.read_only(str(path)) if read_only else pyoxigraph.Store(str(path))


EXPORT_FORMATS = {
    "ttl": pyoxigraph.RdfFormat.TURTLE,
    "nt": pyoxigraph.RdfFormat.N_TRIPLES,
    "nq": pyoxigraph.RdfFormat.N_QUADS,
    "trig": pyoxigraph.RdfFormat.TRIG,
    "jsonld": pyoxigraph.RdfFormat.JSON_LD,
    "rdfxml": pyoxigraph.RdfFormat.RDF_XML,
}


def export(out: Path, fmt: str, destination) -> None:
    """Write the store of ``out`` in ``fmt`` to ``destination`` (a path or a binary file).

    Oxigraph streams the dump, so the graph is never held in memory. JSON-LD comes out
    expanded (full IRIs), which every JSON-LD processor reads; ``ontology/context.jsonld``
    compacts it for people who want short keys.
    """
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
    from .ontology import PREFIXES
    store = open_store(out)
    rdf_format = EXPORT_FORMATS[fmt]
    graph = None if fmt in ("nq", "trig") else pyoxigraph.DefaultGraph()
    prefixes = PREFIXES if fmt in ("ttl", "trig", "rdfxml") else None
    store.dump(destination, rdf_format, from_graph=graph, prefixes=prefixes)
