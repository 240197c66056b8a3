"""Readers for the archive formats, behind one registry; formats are told by content.

A reader is a function ``(Source, text) -> Iterator[Record | Problem]``. To add a format,
write one and register it in ``READERS`` with a function that recognises its first
kilobytes; nothing else changes.

>>> sorted(READERS)
['bha-json', 'bha-txt', 'tagged']
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import Problem
from ..model import Record
from .bha import is_bha_sidecar, looks_bha_json, looks_bha_txt, read_bha_json, read_bha_txt
from .decode import decode
from .source import MAX_INPUT_BYTES, Source
from .tagged import looks_tagged, read_tagged
from .walk import CORPUS_FILE, InputFile, input_files

__all__ = ["READERS", "Source", "InputFile", "detect_format", "read_file", "input_files",
           "MAX_INPUT_BYTES"]

Reader = Callable[[Source, str], Iterator["Record | Problem"]]


@dataclass(frozen=True, slots=True)
class Format:
    sniff: Callable[[str], bool]
    read: Reader


# Order matters: the first format whose sniffer accepts the text wins.
READERS: dict[str, Format] = {
    "bha-json": Format(looks_bha_json, read_bha_json),
    "tagged": Format(looks_tagged, read_tagged),
    "bha-txt": Format(looks_bha_txt, read_bha_txt),
}

SIDECAR = "sidecar"
IGNORED = "documentation"
_DOCUMENTATION = {".md", ".rst", ".html", ".pdf"}


def detect_format(path: Path, head: str) -> str | None:
    """The registered format of a file from its first characters (``None``: unknown).

    >>> detect_format(Path("x.TXT"), "〖ZQ/总期〗1〖-ZQ/总期〗")
    'tagged'
    >>> detect_format(Path("1.tags"), '[{"name": "毛泽东"}]')
    'sidecar'
    """
    if path.name == CORPUS_FILE or is_bha_sidecar(path, head):
        return SIDECAR
    if path.suffix.lower() in _DOCUMENTATION or path.stem.upper() in ("README", "LICENSE"):
        return IGNORED
    for name, fmt in READERS.items():
        if fmt.sniff(head):
            return name
    return None


def read_file(source: Source, data: bytes) -> tuple[str | None, list[Record | Problem]]:
    """Decode and read one file: its format and its records and problems, in file order."""
    decoded = decode(data)
    text = decoded.text.strip("\x00")  # padding of a preallocated or damaged file
    fmt = detect_format(source.path, text[:2048])
    if fmt == SIDECAR and source.path.name == CORPUS_FILE:
        return fmt, _check_corpus_file(source, text)
    if fmt in (SIDECAR, IGNORED):
        return fmt, []
    if fmt is None:
        first = text.lstrip()[:30].replace("\n", " ")
        known = ", ".join(READERS)
        return None, [Problem(source.relpath, None, 1, f"file in no known format (starts with "
                              f"{first!r}; known formats: {known}); skipped")]
    items: list[Record | Problem] = []
    if len(text) != len(decoded.text):
        items.append(Problem(source.relpath, None, 1 if decoded.text[0] == "\x00" else None,
                             f"{len(decoded.text) - len(text)} NUL character(s) before or after "
                             "the text (a padded or damaged file) were ignored", "warning"))
    if decoded.bad_line is not None:
        which = "neither UTF-8 nor GB18030" if decoded.encoding in ("utf-8", "gb18030") \
            else f"not valid {decoded.encoding.upper()}"
        items.append(Problem(source.relpath, None, decoded.bad_line,
                             f"bytes that are {which} (first on this line) were replaced with "
                             f"U+FFFD; read as {decoded.encoding}", "warning"))
    try:
        items.extend(READERS[fmt].read(source, text))
    except Exception as error:  # a reader bug must not lose the rest of the build
        items.append(Problem(source.relpath, None, None, f"internal error in the {fmt} reader "
                             f"({type(error).__name__}: {error}); please report it; skipped"))
    return fmt, items


def _check_corpus_file(source: Source, text: str) -> list[Problem]:
    """A ``corpus.toml`` that cannot be read is reported: the publication it names is not
    applied to the files below it (see ``_corpus_publication``)."""
    try:
        value = tomllib.loads(text).get("publication", "")
    except tomllib.TOMLDecodeError as error:
        line = getattr(error, "lineno", None) or _line_of(str(error))
        return [Problem(source.relpath, None, line, f"not valid TOML ({error}); the publication "
                        "it names is not applied to the files below it: fix the file")]
    if not isinstance(value, str):
        return [Problem(source.relpath, None, None, f"publication should be a string, not "
                        f"{value!r}; it is not applied to the files below it")]
    return []


def _line_of(message: str) -> int | None:
    """The line number in a ``tomllib`` message ("… (at line 2, column 5)")."""
    match = re.search(r"at line (\d+)", message)
    return int(match.group(1)) if match else None
