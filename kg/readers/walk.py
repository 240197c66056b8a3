"""The files under the inputs: walked in a stable order, with the publication of each.

Whatever the inputs hold, the walk ends and hands back every regular file it can read; what it
cannot take is reported as a :class:`Problem` (the file or folder, what is wrong, what was
done) and left out: a folder it may not read, a link back to a folder above it (a loop), a
link that leads nowhere, a named pipe, socket or device (reading one would wait forever), a
file it may not read or one above ``MAX_INPUT_BYTES``. A name that is not UTF-8 is read under
a readable form of it (``bad\\xff.txt``), which is then the file's ``relpath`` everywhere.
"""

from __future__ import annotations

import os
import stat
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from ..errors import Problem
from .decode import decode
from .source import Source, readable_name, size_problem

__all__ = ["InputFile", "input_files", "CORPUS_FILE"]

CORPUS_FILE = "corpus.toml"


class InputFile(NamedTuple):
    """A file to read. A tuple, not a dataclass, and its path a string: an archive has a
    million of them, and each is made on every build."""

    location: str  # the file's path as given to the OS
    root: Path
    publication: str
    relpath: str  # the path below the input root, with "/" separators, valid UTF-8

    @property
    def path(self) -> Path:
        return Path(self.location)

    def source(self) -> Source:
        return Source(self.path, self.relpath, self.publication)


def input_files(inputs: list[Path], publication: str = "",
                problems: list[Problem] | None = None) -> Iterator[InputFile]:
    """Every file under ``inputs`` in a stable order, with the publication that applies to it.

    A ``corpus.toml`` with ``publication = "…"`` in a folder names the publication for the
    files below it, overriding ``publication`` (the ``--publication`` option). What cannot be
    read is left out and, when ``problems`` is given, reported there (``record`` ``None``:
    no record was read).

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     (Path(folder) / "a.txt").write_text("id: 1")
    ...     os.mkfifo(Path(folder) / "pipe")
    ...     problems = []
    ...     [item.relpath for item in input_files([Path(folder)], "", problems)]
    ...     [str(problem) for problem in problems]
    5
    ['a.txt']
    ['pipe: a named pipe (FIFO), not a regular file; skipped']
    """
    report = problems.append if problems is not None else lambda problem: None
    for given in inputs:
        try:
            mode = os.stat(given).st_mode
            root = given.resolve()
        except (OSError, RuntimeError) as error:  # RuntimeError: a symlink loop, in Python 3.11
            report(Problem(readable_name(given.name or str(given)), None, None, f"input "
                           f"{readable_name(str(given))} cannot be read ({_reason(error)}); "
                           "skipped"))
            continue
        name = readable_name(root.name)
        if stat.S_ISDIR(mode):
            yield from _Walk(root, report).files(publication)
        elif stat.S_ISREG(mode):
            if _readable(str(root), name, report):
                yield InputFile(str(root), root.parent,
                                _corpus_publication(root.parent, publication), name)
        else:
            report(Problem(name, None, None, f"input {readable_name(str(given))} is "
                           f"{_kind(mode)}, not a file or folder; skipped"))


class _Walk:
    """The walk of one input folder, depth first, each folder's entries in name order. It
    keeps its own stack rather than recursing: a folder may be nested deeper than Python's
    recursion limit."""

    def __init__(self, root: Path, report):
        self.root, self.report = root, report
        # (entries left, relpath prefix, publication, identity) of the folders being walked
        self.stack: list[tuple[Iterator[os.DirEntry], str, str, tuple[int, int]]] = []
        # The folders above the root count as folders the walk is in: a link to one of them
        # (to "..") would walk the root again, and what is beside it.
        self.above = {_identity(folder) for folder in root.parents}

    def files(self, publication: str) -> Iterator[InputFile]:
        self._enter(str(self.root), "", publication, _identity(self.root))
        while self.stack:
            entries, prefix, publication, _ = self.stack[-1]
            entry = next(entries, None)
            if entry is None:
                self.stack.pop()
            elif not entry.name.startswith("."):
                yield from self._visit(entry, prefix, publication)

    def _enter(self, folder: str, prefix: str, publication: str,
               identity: tuple[int, int]) -> None:
        try:
            with os.scandir(folder) as listing:  # scandir: no stat per entry, archives are big
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as error:
            self.report(Problem(prefix.rstrip("/") or readable_name(self.root.name), None, None,
                                f"the folder cannot be read ({_reason(error)}); the files in "
                                "it were not built: give the build read access to it"))
            return
        if any(entry.name == CORPUS_FILE for entry in entries):
            publication = _corpus_publication(Path(folder), publication)
        self.stack.append((iter(entries), prefix, publication, identity))

    def _visit(self, entry: os.DirEntry, prefix: str, publication: str
               ) -> Iterator[InputFile]:
        relpath = prefix + readable_name(entry.name)
        if relpath != prefix + entry.name:
            if os.path.lexists(os.path.join(os.path.dirname(entry.path), relpath[len(prefix):])):
                self.report(Problem(relpath, None, None, "the name is not valid UTF-8, and the "
                                    "readable form of it is the name of another file beside "
                                    "it; skipped: rename it"))
                return
            self.report(Problem(relpath, None, None, "the name is not valid UTF-8; read under "
                                "this name, its other bytes written \\xNN: rename it to keep "
                                "the name stable", "warning"))
        try:
            is_dir = entry.is_dir()
            is_file = not is_dir and entry.is_file()
            status = entry.stat() if is_dir else None
        except OSError as error:  # a symlink loop (ELOOP), a file gone since the listing
            self.report(Problem(relpath, None, None, f"cannot be followed ({_reason(error)}); "
                                "skipped", "warning"))
            return
        if is_dir:
            identity = (status.st_dev, status.st_ino)
            if identity in self.above or any(identity == folder[3] for folder in self.stack):
                self.report(Problem(relpath, None, None, "a link back to a folder it is in (a "
                                    "loop); not followed", "warning"))
            else:
                self._enter(entry.path, relpath + "/", publication, identity)
        elif is_file:
            if _readable(entry.path, relpath, self.report):
                yield InputFile(entry.path, self.root, publication, relpath)
        else:
            self.report(Problem(relpath, None, None, f"{_what(entry)}; skipped", "warning"))


def _readable(location: str, relpath: str, report) -> bool:
    """Whether a regular file may be read; reports why not. Checked before it is read: a file
    too large would take the memory of the build, one it may not open would stop it."""
    try:
        too_big = size_problem(os.stat(location).st_size)
    except OSError as error:
        too_big = f"the file cannot be read ({_reason(error)})"
    if too_big is None and not os.access(location, os.R_OK, effective_ids=True):
        too_big = "the file cannot be read (permission denied): give the build read access to it"
    if too_big is not None:
        report(Problem(relpath, None, None, f"{too_big}; skipped"))
    return too_big is None


def _what(entry: os.DirEntry) -> str:
    """What an entry that is no file or folder is."""
    try:
        return f"{_kind(entry.stat().st_mode)}, not a regular file"
    except OSError as error:
        if not entry.is_symlink():
            return f"cannot be read ({_reason(error)})"
        return f"a link to {readable_name(os.readlink(entry.path))!r}, which does not exist"


def _identity(path: Path) -> tuple[int, int]:
    status = os.stat(path)
    return status.st_dev, status.st_ino


def _kind(mode: int) -> str:
    """What a file that is not a regular file or folder is.

    >>> _kind(stat.S_IFIFO)
    'a named pipe (FIFO)'
    """
    for test, kind in ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device")):
        if test(mode):
            return kind
    return "a file of an unknown kind"


def _reason(error: Exception) -> str:
    return getattr(error, "strerror", None) or str(error)


def _corpus_publication(folder: Path, inherited: str) -> str:
    config = folder / CORPUS_FILE
    try:
        status = config.stat()
        if not stat.S_ISREG(status.st_mode) or size_problem(status.st_size):
            return inherited  # reported when the file itself is walked
        value = tomllib.loads(decode(config.read_bytes()).text).get("publication", inherited)
    except (OSError, tomllib.TOMLDecodeError):
        return inherited  # reported when the file itself is read
    return value if isinstance(value, str) else inherited
