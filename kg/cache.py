"""The per-file cache of pass-1 results, which makes rebuilds incremental.

Each input file's records and facts are pickled under ``OUT/.cache/`` with the SHA-1 of the
file's bytes and a fingerprint of the reading and extraction code and data; beside them,
what pass 2 wrote for the file (``kg.render``). A later build
into the same folder reuses every entry whose file is unchanged, computes the rest, and drops
the entries of files that are gone. Pass 2 reads the results back from here, so the whole
corpus is never held in memory.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections import OrderedDict
from pathlib import Path

__all__ = ["FileCache", "content_digest"]

_KEEP_LOADED = 32


def content_digest(data: bytes) -> str:
    """What identifies a file's content in the cache: the SHA-1 of its bytes."""
    return hashlib.sha1(data).hexdigest()


class FileCache:
    def __init__(self, folder: Path, fingerprint: str):
        self.folder = folder
        self.fingerprint = fingerprint
        folder.mkdir(parents=True, exist_ok=True)
        self._loaded: OrderedDict[str, object] = OrderedDict()
        with os.scandir(folder) as entries:  # a new cache: nothing to look up, file by file
            self._empty = not any(entry.is_dir() for entry in entries)

    def _path(self, relpath: str, suffix: str = ".pickle") -> Path:
        name = hashlib.sha1(relpath.encode()).hexdigest()
        return self.folder / name[:2] / f"{name}{suffix}"

    def fragment(self, relpath: str, shared: bool = False) -> Path:
        """Where pass 2 keeps the Turtle of the file's documents, or its shared lines."""
        return self._path(relpath, ".shared.nt" if shared else ".ttl")

    def fresh(self, item) -> bool:
        """Whether the cached result of ``item`` (an input file) is for its current bytes and
        the current code. A file with no entry is not read here: its worker reads it."""
        if self._empty:
            return False
        path = self._path(item.relpath)
        if not path.is_file():
            return False
        try:
            digest = content_digest(item.path.read_bytes())
        except OSError:
            return False
        with path.open("rb") as f:
            try:
                header = pickle.load(f)
            except (pickle.UnpicklingError, EOFError, AttributeError, ImportError):
                return False
        return header == (item.relpath, digest, self.fingerprint)

    def put(self, result) -> None:
        """Keep ``result`` (with the ``relpath`` and ``digest`` of the file it was read from)."""
        path = self._path(result.relpath)
        path.parent.mkdir(exist_ok=True)
        temporary = path.with_suffix(".tmp")
        with temporary.open("wb") as f:
            pickle.dump((result.relpath, result.digest, self.fingerprint), f,
                        pickle.HIGHEST_PROTOCOL)
            pickle.dump(result, f, pickle.HIGHEST_PROTOCOL)
        temporary.replace(path)
        self._loaded.pop(result.relpath, None)

    def get(self, relpath: str):
        if relpath in self._loaded:
            self._loaded.move_to_end(relpath)
            return self._loaded[relpath]
        with self._path(relpath).open("rb") as f:
            pickle.load(f)
            result = pickle.load(f)
        self._loaded[relpath] = result
        if len(self._loaded) > _KEEP_LOADED:
            self._loaded.popitem(last=False)
        return result

    def item(self, relpath: str, position: int):
        return self.get(relpath).items[position]

    def remove(self, relpath: str) -> None:
        """Forget a file that is gone."""
        for suffix in (".pickle", ".ttl", ".shared.nt"):
            self._path(relpath, suffix).unlink(missing_ok=True)
        self._loaded.pop(relpath, None)

    def prune(self, keep: set[str]) -> int:
        """Remove the entries of files not in ``keep``; return how many were removed."""
        wanted = {self._path(relpath, "") for relpath in keep}
        removed = 0
        for path in self.folder.glob("*/*.*"):
            if path.parent / path.name.split(".")[0] not in wanted:
                path.unlink()
                removed += 1
        return removed
