"""Pass 1 for one input file: read it, extract each record's facts, summarise them.

Runs in worker processes (or as Dask tasks). The full result (records and facts) goes to the
on-disk cache, pickled where it was computed; the indexes take only a ``FileSummary``: what
they need of each record (``RecordInfo``) and its term counts.
"""

from __future__ import annotations

import os
import pickle
from dataclasses import dataclass, replace

from .cache import content_digest
from .errors import Problem
from .extract import Extractor
from .extract.citations import normalize_title
from .extract.learned import record_names
from .model import Facts, Record
from .readers import InputFile, read_file
from .resolve import citing_limit, dependencies, title_entry, twin_key
from .state import RecordInfo

__all__ = ["FileResult", "FileSummary", "process_file", "extract_pickled", "pickled", "record_info"]

# When the same document is read twice, the copy read first in this order is kept.
_FORMAT_PRIORITY = {"bha-json": 0, "tagged": 1, "bha-txt": 2}


@dataclass(frozen=True, slots=True)
class FileResult:
    """What pass 1 found in one file."""

    relpath: str
    format: str | None
    items: tuple[tuple[Record, Facts], ...]
    problems: tuple[Problem, ...]
    digest: str = ""  # of the file's bytes, for the cache
    infos: tuple[RecordInfo, ...] = ()  # what the indexes take of each record
    stat: tuple[int, int] = (-1, -1)  # size and mtime (ns) of the file when it was read


_extractor: Extractor | None = None


def process_file(item: InputFile) -> FileResult:
    """Read one file and extract the facts of each record (runs in a worker process)."""
    global _extractor
    if _extractor is None:
        _extractor = Extractor()
    source = item.source()
    try:
        with open(item.location, "rb") as f:
            stat = os.fstat(f.fileno())
            data = f.read()
    except OSError as error:
        return FileResult(source.relpath, None, (), (Problem(source.relpath, None, None,
                          f"cannot read the file: {error.strerror}"),))
    fmt, found = read_file(source, data)
    records = [r for r in found if isinstance(r, Record)]
    problems = tuple(p for p in found if isinstance(p, Problem))
    items = tuple((r, _extractor.extract(r)) for r in records)
    return FileResult(source.relpath, fmt, items, problems, content_digest(data),
                      tuple(record_info(r, f) for r, f in items), (stat.st_size, stat.st_mtime_ns))


@dataclass(frozen=True, slots=True)
class FileSummary:
    """What the indexes take of a file's pass-1 result; the records and facts stay in the
    cache, so the parent never receives or holds them."""

    relpath: str
    format: str | None
    problems: tuple[Problem, ...]
    digest: str
    infos: tuple[RecordInfo, ...]
    terms: tuple[tuple[tuple[str, int], ...], ...]  # each record's term counts
    stat: tuple[int, int]

    @classmethod
    def of(cls, result: FileResult, stat: tuple[int, int] | None = None) -> FileSummary:
        return cls(result.relpath, result.format, result.problems, result.digest,
                   result.infos, tuple(facts.terms for _, facts in result.items),
                   stat or result.stat)


def extract_pickled(item: InputFile) -> tuple[FileSummary, bytes, bytes]:
    """``process_file``, and its result ``pickled`` for the cache (here, in the worker)."""
    return pickled(process_file(item))


def pickled(result: FileResult) -> tuple[FileSummary, bytes, bytes]:
    """The summary of ``result``, and for the cache that summary and the records with their
    facts pickled apart (pass 2 reads only the records, whose term counts the indexes already
    hold); no bytes for an unreadable file, which is read again next time."""
    summary = FileSummary.of(result)
    if not result.digest:
        return summary, b"", b""
    items = tuple((record, replace(facts, terms=())) for record, facts in result.items)
    return (summary, pickle.dumps(summary, pickle.HIGHEST_PROTOCOL),
            pickle.dumps(items, pickle.HIGHEST_PROTOCOL))


def record_info(record: Record, facts: Facts) -> RecordInfo:
    return RecordInfo(record.key, _FORMAT_PRIORITY.get(record.format, 9), bool(record.body),
                      title_entry(record, facts),
                      tuple(sorted({(span.title, normalize_title(span.title))
                                    for span in facts.citations})),
                      tuple(record_names(record)), tuple(sorted(dependencies(record, facts))),
                      citing_limit(record, facts), twin_key(record))
