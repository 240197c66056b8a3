"""Where a file comes from: its path, its path relative to the input root, its publication;
and what every reader needs to know of files: the largest one read, how a name is written."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Source", "MAX_INPUT_BYTES", "readable_name", "size_problem"]

# The largest input file read (sidecars included). Reading takes some 65 times a file's size in
# memory (text, records, facts); no real archive file comes near this.
MAX_INPUT_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Source:
    path: Path
    relpath: str
    publication: str = ""


def readable_name(name: str) -> str:
    """``name`` (a file name or path as the OS gave it) as valid UTF-8 text: bytes that are
    not UTF-8 are written ``\\xff``, so the name can go into a report, a literal or an IRI.

    >>> readable_name(os.fsdecode(b"bad\\xff.txt"))
    'bad\\\\xff.txt'
    >>> readable_name("好.txt")
    '好.txt'
    """
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(name).decode("utf-8", errors="backslashreplace")
    return name


def size_problem(size: int) -> str | None:
    """Why a file of ``size`` bytes is not read, or ``None`` when it may be.

    >>> size_problem(100) is None
    True
    >>> size_problem(MAX_INPUT_BYTES + 1)
    'it has 67,108,865 bytes, more than the 64 MiB an input file may have (kg.readers.MAX_INPUT_BYTES): split it'
    """
    if size <= MAX_INPUT_BYTES:
        return None
    return (f"it has {size:,} bytes, more than the {MAX_INPUT_BYTES // 2**20} MiB an input file "
            "may have (kg.readers.MAX_INPUT_BYTES): split it")
