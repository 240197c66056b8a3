"""The build: files → records → facts → corpus-wide resolution → triples → outputs.

Pass 1 reads and extracts one file at a time (in a process pool, or as Dask tasks) and keeps
each file's records and facts in the on-disk cache (``kg.cache``), holding only the
corpus-wide indexes in memory (document keys, titles, adoption meetings, term document
frequencies); unchanged files of an earlier build are not read again. Pass 2 walks the
documents in input order, merges the copies of each, resolves citations against the
indexes, picks keywords and writes triples through an external sort. Outputs: ``graph.ttl``
(sorted Turtle), ``graph.nt``, ``report.json`` and the Oxigraph store in ``store/``.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from .cache import FileCache, content_digest
from .errors import KgError, Problem
from .extract import Extractor, author_kind
from .extract.gazetteer import load_gazetteer
from .extract.learned import LearnedNames
from .iri import DEFAULT_BASE, Minter
from .model import Document, Facts, Record
from .ontology import PREFIXES
from .rdfio import SortedLines, nt_line, write_turtle
from .readers import InputFile, input_files, read_file
from .resolve import CitationIndex, Keywords, resolve_citations
from .triples import document_triples

__all__ = ["BuildOptions", "build", "process_file", "FileResult"]

# When the same document is read twice, the copy read first in this order is kept.
_FORMAT_PRIORITY = {"bha-json": 0, "tagged": 1, "bha-txt": 2}


@dataclass(frozen=True)
class BuildOptions:
    inputs: tuple[Path, ...]
    out: Path
    publication: str = ""
    workers: int = 1
    engine: str = "local"
    scheduler: str | None = None
    strict: bool = False
    base: str = DEFAULT_BASE
    progress: Callable[[int, int], None] | None = None


@dataclass(frozen=True, slots=True)
class FileResult:
    """What pass 1 found in one file."""

    relpath: str
    format: str | None
    items: tuple[tuple[Record, Facts], ...]
    problems: tuple[Problem, ...]
    digest: str = ""  # of the file's bytes, for the cache


_extractor: Extractor | None = None


def process_file(item: InputFile) -> FileResult:
    """Read one file and extract the facts of each record (runs in a worker process)."""
    global _extractor
    if _extractor is None:
        _extractor = Extractor()
    source = item.source()
    try:
        data = item.path.read_bytes()
    except OSError as error:
        return FileResult(source.relpath, None, (), (Problem(source.relpath, None, None,
                          f"cannot read the file: {error.strerror}"),))
    fmt, found = read_file(source, data)
    records = [r for r in found if isinstance(r, Record)]
    problems = tuple(p for p in found if isinstance(p, Problem))
    return FileResult(source.relpath, fmt,
                      tuple((r, _extractor.extract(r)) for r in records), problems,
                      content_digest(data))


@dataclass
class _Stats:
    files: int = 0
    reused: int = 0
    formats: Counter = field(default_factory=Counter)
    records: int = 0
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def count(self, result: FileResult) -> None:
        self.formats[result.format or "unknown"] += 1
        for problem in result.problems:
            (self.errors if problem.severity == "error" else self.warnings).append(problem)
        self.records += len(result.items) + sum(
            1 for p in result.problems if p.severity == "error" and p.record is not None)


def _results(options: BuildOptions, files: list[InputFile]) -> Iterator[FileResult]:
    """Pass-1 results of ``files``, in their order, whatever engine computes them."""
    if options.engine == "dask":
        from .distributed import dask_results
        yield from dask_results(files, options.scheduler, options.workers)
    elif options.workers > 1 and len(files) > 1:
        from concurrent.futures import ProcessPoolExecutor
        with ProcessPoolExecutor(options.workers) as pool:
            yield from pool.map(process_file, files, chunksize=4)
    else:
        yield from map(process_file, files)


def _pass_one(options: BuildOptions, files: list[InputFile], cache: FileCache,
              stats: _Stats) -> Iterator[tuple[int, FileResult]]:
    """Every file's result, from the cache when its content is unchanged, else computed."""
    stale = [i for i, item in enumerate(files) if not cache.fresh(item)]
    computed = _results(options, [files[i] for i in stale])
    stale_set = set(stale)
    for i, item in enumerate(files):
        if i in stale_set:
            result = next(computed)
            if result.digest:  # an unreadable file is not cached: it is read again next time
                cache.put(result)
        else:
            result = cache.get(item.relpath)
            stats.reused += 1
        yield i, result


def build(options: BuildOptions) -> dict:
    """Build the graph of every file under ``options.inputs`` into ``options.out``.

    Returns the report (also written to ``report.json``). Raises :class:`KgError` when
    nothing could be built, or on any error with ``strict``. A build into a folder that
    holds an earlier build re-reads only the files whose content changed.
    """
    started = time.perf_counter()
    for path in options.inputs:
        if not path.exists():
            raise KgError(f"input {path} does not exist")
    out = options.out
    out.mkdir(parents=True, exist_ok=True)
    cache = FileCache(out / ".cache", _fingerprint(options))
    files = list(input_files(list(options.inputs), options.publication))
    stats = _Stats(files=len(files))
    locations: dict[tuple[str, str], list[tuple[int, str, int]]] = {}  # key → copies
    index = CitationIndex()
    keywords = Keywords()
    learned = LearnedNames()
    for done, (_, result) in enumerate(_pass_one(options, files, cache, stats), 1):
        stats.count(result)
        for position, (record, facts) in enumerate(result.items):
            rank = _FORMAT_PRIORITY.get(record.format, 9)
            locations.setdefault(record.key, []).append((rank, result.relpath, position))
            index.add(record, facts)
            keywords.count(facts)
            learned.add(record)
        if options.progress:
            options.progress(done, len(files))
    read_seconds = time.perf_counter() - started
    cache.prune({item.relpath for item in files})
    if options.strict and stats.errors:
        raise KgError(f"{len(stats.errors)} error(s) and --strict: " + str(stats.errors[0]))
    if not locations:
        raise KgError("no record could be read from " + ", ".join(map(str, options.inputs)) +
                      (f" (first problem: {stats.errors[0]})" if stats.errors else ""))
    index.finish()

    gazetteer = load_gazetteer()
    learned.finish(gazetteer)
    minter = Minter(options.base)
    sink = SortedLines(folder=out)
    seen: set = set()  # entities whose own triples are written: grows with distinct entities

    def body_of(key: tuple[str, str]) -> str:
        _, relpath, position = min(locations[key])
        return cache.item(relpath, position)[0].body

    merged = documents = 0
    citation_stats: Counter = Counter()
    for places in locations.values():
        copies = [cache.item(relpath, position) for _, relpath, position in sorted(places)]
        record, facts = _merge(copies, stats)
        facts = learned.mentions(record, facts)
        merged += len(copies) - 1
        citations = resolve_citations(record, facts, index)
        for citation in citations:
            citation_stats["resolved" if citation.target else "external"] += 1
        doc = Document(record, facts, tuple((r.source_path, r.record_index) for r, _ in copies),
                       citations, keywords.top(facts), index.reprint_of(record, body_of))
        for triple in document_triples(doc, minter, author_kind, gazetteer.wikidata, seen):
            sink.add(nt_line(triple))
        documents += 1
    resolve_seconds = time.perf_counter() - started - read_seconds
    triples = _write_outputs(out, sink)
    sink.close()
    report = {
        "inputs": [str(p) for p in options.inputs],
        "files": stats.files,
        "files_reused": stats.reused,
        "formats": dict(sorted(stats.formats.items())),
        "records": stats.records,
        "documents": documents,
        "merged_duplicates": merged,
        "errors": [p.as_dict() for p in stats.errors],
        "warnings": [p.as_dict() for p in stats.warnings],
        "triples": triples,
        "citations": {"found": sum(citation_stats.values()),
                      **dict(sorted(citation_stats.items()))},
        "seconds": round(time.perf_counter() - started, 2),
        "stages": {"read_and_extract": round(read_seconds, 2),
                   "resolve_and_triples": round(resolve_seconds, 2),
                   "write_turtle_and_store": round(time.perf_counter() - started
                                                   - read_seconds - resolve_seconds, 2)},
    }
    report["reconciles"] = report["records"] == documents + merged + sum(
        1 for p in stats.errors if p.record is not None)
    (out / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n",
                                     encoding="utf-8")
    return report


def _fingerprint(options: BuildOptions) -> str:
    """What cached pass-1 results depend on besides a file's bytes: the code and data that
    read and extract, and the publication named on the command line."""
    digest = hashlib.sha1(options.publication.encode())
    package = Path(__file__).parent
    for path in sorted([*package.glob("readers/*.py"), *package.glob("extract/*.py"),
                        *package.glob("extract/data/*"), package / "model.py"]):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _merge(copies: list[tuple[Record, Facts]], stats: _Stats | None) -> tuple[Record, Facts]:
    """One record from the copies of a document: the first, with empty fields filled in."""
    record, facts = copies[0]
    for other, other_facts in copies[1:]:
        if stats is not None and other.content() != record.content():
            differing = [f.name for f in fields(Record)
                         if f.name in _COMPARED and getattr(other, f.name)
                         and getattr(record, f.name) and getattr(other, f.name) != getattr(record, f.name)]
            message = (f"same document {record.source_id!r} as {record.source_path} "
                       f"(record {record.record_index}) but its content differs"
                       + (f" in {', '.join(differing)}" if differing else " (fields one copy lacks)")
                       + "; merged, keeping the first copy and filling its empty fields")
            stats.warnings.append(Problem(other.source_path, other.record_index, other.line,
                                          message, "warning"))
        filled = {f.name: getattr(other, f.name) for f in fields(Record)
                  if f.name in _COMPARED and not getattr(record, f.name) and getattr(other, f.name)}
        if filled:
            record = replace(record, **filled)
            if "body" in filled:
                facts = other_facts
    return record, facts


_COMPARED = {"title", "dates", "authors", "keywords", "tags", "pretitle", "subtitle", "genre",
             "page", "page_name", "issue_number", "body", "description"}


def _write_outputs(out: Path, sink: SortedLines) -> int:
    """graph.nt and graph.ttl from the sorted lines, then the store loaded from graph.nt."""
    from .store import load_store
    nt_path, ttl_path = out / "graph.nt", out / "graph.ttl"
    with nt_path.open("w", encoding="utf-8", newline="\n") as nt:
        for line in sink.merged():
            nt.write(line)
    # Oxigraph loads the store (in Rust, without the GIL) while Python writes the Turtle.
    failures: list[BaseException] = []

    def load() -> None:
        try:
            load_store(out / "store", nt_path)
        except BaseException as error:  # raised again below, in the building thread
            failures.append(error)
    loader = threading.Thread(target=load)
    loader.start()
    try:
        with nt_path.open(encoding="utf-8", newline="\n") as lines, \
                ttl_path.open("w", encoding="utf-8", newline="\n") as ttl:
            count = write_turtle(lines, ttl, PREFIXES)
    finally:
        loader.join()
    if failures:
        raise KgError(f"could not load the store in {out / 'store'}: {failures[0]}")
    return count


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))
