"""The per-file cache of pass-1 and pass-2 results, which makes rebuilds incremental.

One SQLite database, ``OUT/.cache/cache.sqlite``, holds for each input file its pass-1
result (records and facts, pickled) under the SHA-1 of the file's bytes and a fingerprint of
the reading and extraction code and data, and the shared lines pass 2 wrote for it
(``kg.render``). A later build into the same folder reuses every entry whose file is
unchanged, computes the rest, and drops the entries of files that are gone. Pass 2 reads the
results back from here, so the whole corpus is never held in memory.

Only the build's own process writes (workers send their results to it), in transactions it
commits when a pass is done; worker processes open their own connections to read.
One database rather than a file per input file: creating and renaming tens of thousands of
small files cost more than the extraction they saved on some file systems.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import sqlite3
from collections import OrderedDict
from pathlib import Path

__all__ = ["FileCache", "content_digest", "FragmentSpool"]

_KEEP_LOADED = 32
_INHERITED: list[sqlite3.Connection] = []  # kept open: closing one a parent uses harms it

_SCHEMA_VERSION = 2  # an older database is emptied, not misread
_SCHEMA = """
CREATE TABLE IF NOT EXISTS results (relpath TEXT PRIMARY KEY, digest TEXT NOT NULL,
                                    fingerprint TEXT NOT NULL, summary BLOB NOT NULL,
                                    items BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS shared (relpath TEXT PRIMARY KEY, lines BLOB NOT NULL);
"""


def content_digest(data: bytes) -> str:
    """What identifies a file's content in the cache: the SHA-1 of its bytes."""
    return hashlib.sha1(data).hexdigest()


class FileCache:
    def __init__(self, folder: Path, fingerprint: str):
        self.folder = folder
        self.fingerprint = fingerprint
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / "cache.sqlite"
        self._connection: sqlite3.Connection | None = None
        self._pid = -1
        self._loaded: OrderedDict[str, object] = OrderedDict()
        if self._db.execute("PRAGMA user_version").fetchone()[0] != _SCHEMA_VERSION:
            self._db.executescript("DROP TABLE results; DROP TABLE shared;" + _SCHEMA +
                                   f"PRAGMA user_version = {_SCHEMA_VERSION};")
        self._empty = self._db.execute("SELECT 1 FROM results LIMIT 1").fetchone() is None

    @property
    def _db(self) -> sqlite3.Connection:
        """This process's connection: a forked worker opens its own, never the parent's."""
        if self._pid != os.getpid():
            if self._connection is not None:  # the parent's: never used, nor closed, here
                _INHERITED.append(self._connection)
            self._connection = sqlite3.connect(self.path, timeout=600, isolation_level=None)
            self._connection.execute("PRAGMA journal_mode=WAL")
            self._connection.execute("PRAGMA synchronous=NORMAL")
            self._connection.executescript(_SCHEMA)
            self._pid = os.getpid()
        return self._connection

    def _write(self, sql: str, parameters=()) -> None:
        db = self._db
        if not db.in_transaction:
            db.execute("BEGIN")
        db.execute(sql, parameters)

    def commit(self) -> None:
        """Make what was put so far visible to other processes (and durable)."""
        if self._connection is not None and self._pid == os.getpid() \
                and self._connection.in_transaction:
            self._connection.execute("COMMIT")

    def close(self) -> None:
        self.commit()
        if self._connection is not None and self._pid == os.getpid():
            self._connection.close()
        self._connection, self._pid = None, -1

    def fresh(self, item) -> bool:
        """Whether the cached result of ``item`` (an input file) is for its current bytes and
        the current code. A file with no entry is not read here: its worker reads it."""
        if self._empty:
            return False
        row = self._db.execute("SELECT digest, fingerprint FROM results WHERE relpath = ?",
                               (item.relpath,)).fetchone()
        if row is None or row[1] != self.fingerprint:
            return False
        try:
            return row[0] == content_digest(item.path.read_bytes())
        except OSError:
            return False

    def put(self, relpath: str, digest: str, summary: bytes, items: bytes) -> None:
        """Keep the pass-1 result of ``relpath``, whose bytes have SHA-1 ``digest``: its
        summary for the indexes and its records with their facts, each pickled (in a worker,
        see ``kg.pass_one.pickled``). Pass 2 reads only the second."""
        self._write("INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?)",
                    (relpath, digest, self.fingerprint, summary, items))
        self._loaded.pop(relpath, None)

    def summary(self, relpath: str):
        """The pass-1 summary of ``relpath`` (a ``kg.pass_one.FileSummary``)."""
        return pickle.loads(self._column("summary", relpath))

    def items(self, relpath: str) -> tuple:
        """The records of ``relpath`` with their facts: ``((Record, Facts), …)``."""
        if relpath in self._loaded:
            self._loaded.move_to_end(relpath)
            return self._loaded[relpath]
        items = pickle.loads(self._column("items", relpath))
        self._loaded[relpath] = items
        if len(self._loaded) > _KEEP_LOADED:
            self._loaded.popitem(last=False)
        return items

    def _column(self, column: str, relpath: str) -> bytes:
        row = self._db.execute(f"SELECT {column} FROM results WHERE relpath = ?",
                               (relpath,)).fetchone()
        if row is None:
            raise KeyError(f"{relpath} is not in the cache {self.path}")
        return row[0]

    def item(self, relpath: str, position: int):
        return self.items(relpath)[position]

    def put_shared(self, relpath: str, lines: bytes) -> None:
        """Keep the shared lines pass 2 wrote for ``relpath`` (sorted N-Triples, UTF-8)."""
        self._write("INSERT OR REPLACE INTO shared VALUES (?, ?)", (relpath, lines))

    def shared(self, relpath: str) -> list[bytes]:
        """The shared lines pass 2 last wrote for ``relpath``, in UTF-8."""
        row = self._db.execute("SELECT lines FROM shared WHERE relpath = ?",
                               (relpath,)).fetchone()
        return row[0].splitlines(keepends=True) if row else []

    def relpaths(self) -> list[str]:
        """The files with a pass-1 result here."""
        return [row[0] for row in self._db.execute("SELECT relpath FROM results")]

    def remove(self, relpath: str) -> None:
        """Forget a file that is gone."""
        self._write("DELETE FROM results WHERE relpath = ?", (relpath,))
        self._write("DELETE FROM shared WHERE relpath = ?", (relpath,))
        self._loaded.pop(relpath, None)

    def prune(self, keep: set[str]) -> int:
        """Remove the entries of files not in ``keep``; return how many were removed."""
        gone = [relpath for relpath in self.relpaths() if relpath not in keep]
        for relpath in gone:
            self.remove(relpath)
        for entry in self.folder.iterdir():  # an older layout's folders of files
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
        return len(gone)


class FragmentSpool:
    """The Turtle fragments pass 2 renders in one build, appended to one file in the order
    they come; ``graph.ttl`` copies them from there (and the store update reads them)."""

    def __init__(self, path: Path):
        self.path = path
        self._file = path.open("w+b")
        self._at: dict[str, tuple[int, int]] = {}

    def add(self, relpath: str, data: bytes) -> None:
        self._at[relpath] = (self._file.tell(), len(data))
        self._file.write(data)

    def where(self, relpath: str) -> tuple[int, int]:
        """Offset and size of the fragment of ``relpath`` in the spool."""
        return self._at[relpath]

    def read(self, relpath: str) -> bytes:
        at, size = self._at[relpath]
        self._file.flush()
        return os.pread(self._file.fileno(), size, at)

    @property
    def file(self):
        """The spool's file, written out, to copy from."""
        self._file.flush()
        return self._file

    def close(self) -> None:
        self._file.close()
        self.path.unlink(missing_ok=True)
