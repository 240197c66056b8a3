"""The build: files → records → facts → corpus-wide indexes → triples → outputs.

Pass 1 reads and extracts one file at a time (in a process pool, or as Dask tasks) and keeps
each file's records and facts in the on-disk cache (``kg.cache``); the parent holds only the
corpus-wide indexes (``kg.state``: document keys, titles, adoption meetings, term
frequencies, shared entity lines). Pass 2 renders one file at a time in a process pool
(``kg.render``): merges the copies of each document, resolves its citations, picks its
keywords and sends back its Turtle fragment, which the parent appends to a spool.
``graph.ttl`` is the fragments in input order and then the shared lines; the Oxigraph store
in ``store/`` is loaded from it.

A build into a folder holding an earlier build is incremental: only added, changed and
removed files are read, the indexes are updated rather than rebuilt, only the documents whose
inputs changed are rendered again, and the store is updated in place. The result is
byte-identical to a clean build.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from .cache import FileCache, FragmentSpool
from .errors import KgError
from .extract.gazetteer import load_gazetteer
from .iri import DEFAULT_BASE, Minter
from .keywords import KeywordTable
from .ontology import PREFIXES, WX
from .pass_one import FileSummary, extract_pickled, pickled
from .rdfio import SHORTENER, nt_line, split_line, turtle_prefixes, write_turtle_body
from .readers import InputFile, input_files
from .readers.source import readable_name
from .render import RenderContext, RenderResult, keyword_block, keyword_lines, render_file, set_context
from .state import BuildState, FileInfo
from .store import InAnotherProcess, StoreLoader, die_with_parent, load_store, update_store

__all__ = ["BuildOptions", "build", "default_workers"]

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
    progress: Callable[[str, int, int], None] | None = None  # (stage, done, total)


def _save_in_child(state: BuildState, path: Path):
    """Start saving ``state`` to ``path`` in a forked child, which has the state as it is now
    without it being sent: pickling a large state takes seconds, and this process has
    ``graph.ttl`` to write meanwhile. Returns the child process."""
    import gc
    import multiprocessing
    state.keywords.close()  # its file is flushed here, not by both processes
    gc.freeze()  # the parent's collections then leave the pages it shares with the child
    try:
        child = multiprocessing.get_context("fork").Process(target=state.save, args=(path,))
        child.start()
    finally:
        gc.unfreeze()
    return child


@contextmanager
def _pool(workers: int):
    """A process pool whose workers are forked from this process, so they share what it
    holds (the extractor's data in pass 1, the indexes in pass 2) instead of receiving it."""
    import gc
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    # Objects that exist now are left alone by the workers' garbage collections, which would
    # otherwise write to (and so copy) every page they share with this process.
    gc.freeze()
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                                 initializer=die_with_parent, initargs=(os.getpid(),)) as pool:
            yield pool
    finally:
        gc.unfreeze()


def _summaries(options: BuildOptions, files: list[InputFile], cache: FileCache
               ) -> Iterator[FileSummary]:
    """Pass-1 summaries of ``files``, in their order, whatever engine computes them; their
    whole results are put in the cache."""
    if options.engine == "dask":
        # Cluster workers may not see the output folder: results come back to be cached here.
        from .distributed import dask_results
        yield from (_kept(cache, *pickled(result))
                    for result in dask_results(files, options.scheduler, options.workers))
    elif options.workers > 1 and len(files) > 1:
        with _pool(options.workers) as pool:
            yield from (_kept(cache, *result)
                        for result in pool.map(extract_pickled, files, chunksize=8))
    else:
        yield from (_kept(cache, *extract_pickled(item)) for item in files)


def _kept(cache: FileCache, summary: FileSummary, pickled_summary: bytes,
          items: bytes) -> FileSummary:
    if items:  # an unreadable file is not cached: it is read again next time
        cache.put(summary.relpath, summary.digest, pickled_summary, items)
    return summary


def _pass_one(options: BuildOptions, files: list[InputFile], cache: FileCache
              ) -> Iterator[tuple[InputFile, FileSummary, bool]]:
    """Each file's summary (and whether it came from the cache): from the cache when its
    content and the extraction code are unchanged, else computed."""
    fresh = [cache.fresh(item) for item in files]
    computed = _summaries(options, [item for item, ok in zip(files, fresh) if not ok], cache)
    for item, ok in zip(files, fresh):
        if ok:
            stat = os.stat(item.location)
            yield item, replace(cache.summary(item.relpath),
                                stat=(stat.st_size, stat.st_mtime_ns)), True
        else:
            yield item, next(computed), False


@dataclass
class _Changes:
    """What a build changes in the shared lines, and which documents it writes again."""

    counts: Counter  # UTF-8 lines (half the memory of str for lines with Chinese in them)
    tracked: bool  # whether the store is to be updated with the delta (incremental builds)
    was: dict[bytes, bool] = field(default_factory=dict)  # a line's presence before the build
    gone_documents: set = field(default_factory=set)  # keys whose old triples are replaced

    def count(self, lines: list[bytes], step: int) -> None:
        """Count shared ``lines`` (UTF-8) written (``step`` 1) or no longer written (-1)."""
        counts, was = self.counts, self.was
        if step > 0 and not self.tracked:
            counts.update(lines)  # in C: a clean build counts every file's lines
            return
        for line in lines:
            if self.tracked and line not in was:
                was[line] = line in counts
            counts[line] += step
            if counts[line] <= 0:
                del counts[line]

    def shared_delta(self) -> tuple[list[str], list[str]]:
        """Shared lines written for the first time, and lines no longer written by any file."""
        added = sorted(line for line, was in self.was.items() if not was and line in self.counts)
        removed = sorted(line for line, was in self.was.items() if was and line not in self.counts)
        return [line.decode() for line in added], [line.decode() for line in removed]


def build(options: BuildOptions) -> dict:
    """Build the graph of every file under ``options.inputs`` into ``options.out``.

    Returns the report (also written to ``report.json``). Raises :class:`KgError` when
    nothing could be built, or on any error with ``strict``. A build into a folder that
    holds an earlier build redoes only what the changed files change.
    """
    clock = _Clock()
    for path in options.inputs:
        if not path.exists():
            raise KgError(f"input {path} does not exist")
    out = options.out
    if out.exists() and not out.is_dir():
        raise KgError(f"--out {out} is a file; the output is a folder (graph.ttl, store/ …)")
    out.mkdir(parents=True, exist_ok=True)
    with _only_build_in(out), _fewer_collections():
        return _build(options, out, clock)


@contextmanager
def _fewer_collections():
    """The garbage collector run every 100,000 allocations instead of every 700 (and the
    workers, forked from here, alike): extraction makes millions of short-lived objects and
    almost no cycles, and the frequent collections cost it some 8% of its time."""
    import gc
    thresholds = gc.get_threshold()
    gc.set_threshold(100_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


@contextmanager
def _only_build_in(out: Path):
    """Hold the output folder for one build: a second build into it is refused while the first
    runs (the lock goes with the process, however it ends)."""
    import fcntl
    with (out / ".lock").open("a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            holder = lock.read().strip()
            raise KgError(f"another kg build{f' (process {holder})' if holder else ''} is "
                          f"writing into {out}; wait for it to finish or build into another "
                          "--out") from None
        lock.truncate(0)
        lock.write(str(os.getpid()))
        lock.flush()
        yield


def _build(options: BuildOptions, out: Path, clock: _Clock) -> dict:
    """``build`` once it holds the output folder."""
    cache = FileCache(out / ".cache", _fingerprint(options, _PASS_ONE_CODE))
    state_path = out / ".cache" / "state.pickle"
    fingerprint = _fingerprint(options, ("**/*.py", "extract/data/*"), options.base)
    state = BuildState.load(state_path, fingerprint)
    incremental = state is not None and (out / "store").is_dir() and (out / "graph.ttl").is_file()
    if not incremental:
        state = BuildState(fingerprint, keywords=KeywordTable(out / ".cache" / "terms.bin"))
    walked: list = []  # what the walk of the inputs left out, and why
    files = list(input_files(list(options.inputs), options.publication, walked))
    if options.strict and (error := next((p for p in walked if p.severity == "error"), None)):
        raise KgError(f"an input error and --strict: {error}")
    changes = _Changes(state.entity_counts, tracked=incremental)
    rendered_before = {relpath for relpath, info in state.files.items() if info.owned}

    removed, stale, stats = _read_changed_files(options, files, state, cache, changes)
    cache.commit()  # the render workers read the results
    clock.lap("read_and_extract")
    minter = Minter(options.base)
    order, keywords_changed = _plan(state, files, stale, removed, cache, changes, minter,
                                    incremental, rendered_before)
    cache.commit()
    clock.lap("indexes")
    spool = FragmentSpool(out / ".cache" / "fragments.tmp")
    # A clean build loads the store while it renders, from the same Turtle as graph.ttl.
    loader = None if incremental else StoreLoader(out / "store",
                                                  turtle_prefixes(PREFIXES).encode())
    for done, result in enumerate(_render(options, state, cache, order), 1):
        info = state.files[result.relpath]
        info.owned = tuple(info.records[position].key for position in result.owned)
        info.triples = result.triples
        info.resolved, info.external, info.warnings = result.resolved, result.external, \
            result.warnings
        if result.triples:
            spool.add(result.relpath, result.fragment)
            if loader:
                loader.add(result.fragment)
        cache.put_shared(result.relpath, result.shared)
        changes.count(result.shared.splitlines(keepends=True), +1)
        if options.progress:
            options.progress("writing", done, len(order))
    cache.commit()
    clock.lap("resolve_and_render")

    # Three things at once: the state is saved in a forked child, the store is updated or
    # loaded in a spawned process, and this process writes graph.ttl.
    plan = _lay_out(out, files, state, spool, set(order))
    saving = _save_in_child(state, state_path.with_suffix(".new"))
    if incremental and len(order) <= max(1, len(files) // 5):
        fragments = [spool.read(relpath) for relpath in order if state.files[relpath].triples]
        storing = InAnotherProcess(update_store, out / "store", options.base,
                                   *_store_delta(minter, state, changes, keywords_changed),
                                   fragments)
        triples = _write_turtle(out, plan, state, spool, minter)
    elif loader:
        triples = _write_turtle(out, plan, state, spool, minter, loader)
        storing = loader
        cache.prune({item.relpath for item in files})
    else:
        triples = _write_turtle(out, plan, state, spool, minter)
        storing = InAnotherProcess(load_store, out / "store", out / "graph.ttl",
                                   options.workers)
    spool.close()
    cache.close()
    _finish_store(out, storing)
    saving.join()
    if saving.exitcode != 0:
        raise KgError(f"could not save the build state in {state_path} (exit code "
                      f"{saving.exitcode}); the next build will be a clean one")
    os.replace(state_path.with_suffix(".new"), state_path)  # only a complete build is built on
    clock.lap("write_turtle_and_store")
    report = _report(options, state, files, stats, triples, walked)
    report["rendered_files"] = len(order)
    report["seconds"] = round(clock.total(), 2)
    report["stages"] = clock.laps
    (out / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n",
                                     encoding="utf-8")
    return report


class _Clock:
    def __init__(self):
        self.started = self.last = time.perf_counter()
        self.laps: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round(now - self.last, 2)
        self.last = now

    def total(self) -> float:
        return time.perf_counter() - self.started


def _read_changed_files(options: BuildOptions, files: list[InputFile], state: BuildState,
                        cache: FileCache, changes: _Changes
                        ) -> tuple[list[str], list[InputFile], dict]:
    """Pass 1: take the files that are gone or changed out of the indexes, read the new
    and changed ones and put them in. Returns the removed files, the files read (or taken
    from the cache) and counts; raises when nothing is left to build."""
    current = {item.relpath for item in files}
    removed = [relpath for relpath in state.files if relpath not in current]
    stale = [item for item in files if item.relpath not in state.files
             or not state.files[item.relpath].unchanged(item.location)]
    for relpath in [*removed, *(item.relpath for item in stale if item.relpath in state.files)]:
        changes.gone_documents.update(state.remove_file(relpath).owned)
    stats = {"read": 0, "reused": len(files) - len(stale)}
    for done, (item, result, cached) in enumerate(_pass_one(options, stale, cache), 1):
        info = FileInfo(*result.stat, result.digest, result.format,
                        tuple(record.compact() for record in result.infos), result.problems)
        state.add_file(item.relpath, info, result.terms)
        stats["reused" if cached else "read"] += 1
        if options.progress:
            options.progress("reading", done, len(stale))
    errors = [p for info in state.files.values() for p in info.problems if p.severity == "error"]
    if options.strict and errors:
        raise KgError(f"{len(errors)} error(s) and --strict: " + str(errors[0]))
    if not state.locations:
        raise KgError("no record could be read from " + ", ".join(map(str, options.inputs)) +
                      (f" (first problem: {errors[0]})" if errors else ""))
    return removed, stale, stats


def _plan(state: BuildState, files: list[InputFile], stale: list[InputFile], removed: list[str],
          cache: FileCache, changes: _Changes, minter: Minter, incremental: bool,
          rendered_before: set[str]) -> tuple[list[str], dict]:
    """Update the corpus-wide indexes; return the files to render (in input order) and the
    documents whose keywords changed. What the files to render wrote before is taken out of
    the shared lines and the store."""
    gazetteer = load_gazetteer()
    affected, former, keywords_changed = state.settle(
        lambda place: cache.item(place[1], place[2])[0])
    _update_keywords(state, changes, minter, keywords_changed)
    to_render = {item.relpath for item in stale} | former
    to_render.update(state.owner(key)[1] for key in affected)
    names = state.names_changed(gazetteer)
    if names and incremental:
        to_render |= _files_naming(names, [item.relpath for item in files
                                           if item.relpath not in to_render], cache)
    for relpath in to_render:
        if relpath in state.files:
            changes.gone_documents.update(state.files[relpath].owned)
    for relpath in (*removed, *to_render):
        if relpath in rendered_before:
            changes.count(cache.shared(relpath), -1)
    for relpath in removed:
        cache.remove(relpath)
    state.learned.finish(gazetteer)
    # A file with no record left (unreadable, or every record an error) has nothing to write.
    return [item.relpath for item in files if item.relpath in to_render
            and state.files[item.relpath].records], keywords_changed


_PASS_ONE_CODE = ("readers/*.py", "extract/*.py", "extract/data/*", "model.py", "pass_one.py",
                  "resolve.py", "state.py", "cache.py")


def _fingerprint(options: BuildOptions, patterns: tuple[str, ...], *extra: str) -> str:
    """What cached results depend on besides a file's bytes: the code and data matching
    ``patterns``, the publication named on the command line, and ``extra``."""
    digest = hashlib.sha1("\0".join((options.publication, *extra)).encode())
    package = Path(__file__).parent
    paths = {path for pattern in patterns for path in package.glob(pattern)
             if "__pycache__" not in path.parts}
    for path in sorted(paths):
        digest.update(str(path.relative_to(package)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _files_naming(names: frozenset[str], relpaths: list[str], cache: FileCache) -> set[str]:
    """The files among ``relpaths`` whose texts contain one of ``names``: the documents a
    name learned (or forgotten) since the last build may be a mention in. This reads every
    cached file, the one step of an incremental build that grows with the archive."""
    import ahocorasick_rs
    automaton = ahocorasick_rs.AhoCorasick(sorted(names))
    found = set()
    for relpath in relpaths:
        for record, _ in cache.items(relpath):
            if automaton.find_matches_as_indexes(record.text):
                found.add(relpath)
                break
    return found


def _render(options: BuildOptions, state: BuildState, cache: FileCache,
            order: list[str]) -> Iterator[RenderResult]:
    set_context(RenderContext(state, cache, Minter(options.base)))
    if options.workers > 1 and len(order) > 1:
        with _pool(options.workers) as pool:
            yield from pool.map(render_file, order, chunksize=8)
    else:
        yield from map(render_file, order)


def _lay_out(out: Path, files: list[InputFile], state: BuildState, spool: FragmentSpool,
             rendered: set[str]) -> list[tuple[bool, int, int]]:
    """Where each file's fragment goes in the new ``graph.ttl`` (set in the state, which is
    saved while the file is written) and where it comes from: ``(from_previous, offset,
    size)``, the offset in the previous ``graph.ttl`` of a fragment copied from there, or in
    the spool of this build's fragments."""
    reuse = (out / "graph.ttl").is_file()
    at = len(turtle_prefixes(PREFIXES).encode())
    plan = []
    for item in files:
        info = state.files.get(item.relpath)
        if info is None or not info.triples:
            continue
        if reuse and item.relpath not in rendered and info.ttl_at >= 0:
            plan.append((True, info.ttl_at, info.ttl_size))
        else:
            spooled_at, info.ttl_size = spool.where(item.relpath)
            plan.append((False, spooled_at, info.ttl_size))
        info.ttl_at = at
        at += info.ttl_size
    return plan


def _write_turtle(out: Path, plan: list[tuple[bool, int, int]], state: BuildState,
                  spool: FragmentSpool, minter: Minter, loader: StoreLoader | None = None
                  ) -> int:
    """``graph.ttl``: the prefixes, each file's fragment in input order as ``plan`` says
    (copied in runs from the previous ``graph.ttl`` or from this build's spool), the
    keywords, the shared lines; these last two also given to ``loader``, which has the
    fragments already. Returns the number of triples."""
    path = out / "graph.ttl"
    temporary = path.with_suffix(".tmp")
    count = sum(info.triples for info in state.files.values())
    previous = path.open("rb") if path.is_file() else None
    with temporary.open("wb") as turtle:
        turtle.write(turtle_prefixes(PREFIXES).encode())
        runs = {True: _Run(previous, turtle), False: _Run(spool.file, turtle)}
        current = runs[False]
        for from_previous, at, size in plan:
            if runs[from_previous] is not current:
                current.flush()
                current = runs[from_previous]
            current.extend(at, size)
        current.flush()
        tail = _Tail(turtle, loader)
        for key in sorted(state.doc_keywords):
            if terms := state.doc_keywords[key]:
                tail.write(keyword_block(minter, key, terms))
                count += len(terms)
        # UTF-8 bytes sort as their characters do.
        count += write_turtle_body((split_line(line.decode())
                                    for line in sorted(state.entity_counts)), tail, SHORTENER)
    if previous is not None:
        previous.close()
    os.replace(temporary, path)
    return count


class _Tail:
    """Where the end of ``graph.ttl`` is written: the file, and the store's loader if any."""

    def __init__(self, turtle, loader: StoreLoader | None):
        self.turtle, self.loader = turtle, loader

    def write(self, text: str) -> None:
        data = text.encode()
        self.turtle.write(data)
        if self.loader:
            self.loader.add(data)


_SHORTER = ("the previous graph.ttl is shorter than its state says; remove the output "
            "folder's .cache and build again")


class _Run:
    """A stretch of the previous ``graph.ttl`` to copy in one go."""

    def __init__(self, source, target):
        self.source, self.target = source, target
        self.start = self.pending = 0

    def extend(self, start: int, size: int) -> None:
        if self.pending and start != self.start + self.pending:
            self.flush()
        if not self.pending:
            self.start = start
        self.pending += size

    def flush(self) -> None:
        if not self.pending:
            return
        self.target.flush()
        position, start, left = self.target.tell(), self.start, self.pending
        try:  # in the kernel, without passing through this process
            while left:
                copied = os.copy_file_range(self.source.fileno(), self.target.fileno(), left,
                                            start, position)
                if not copied:
                    raise KgError(_SHORTER)
                start, position, left = start + copied, position + copied, left - copied
        except (AttributeError, OSError):  # not on this system or file system
            self.source.seek(start)
            self.target.seek(position)
            while left:
                block = self.source.read(min(left, 1 << 22))
                if not block:
                    raise KgError(_SHORTER)
                self.target.write(block)
                left -= len(block)
            position = self.target.tell()
        self.target.seek(position)
        self.pending = 0


def _update_keywords(state: BuildState, changes: _Changes, minter: Minter,
                     keywords_changed: dict) -> None:
    """Keep the concepts' own lines (written while some document has the concept as a
    keyword) in step with the documents whose keywords changed."""
    counts = state.keyword_counts
    touched = {term: counts[term] > 0 for old, new in keywords_changed.values()
               for term in (*old, *new)}
    for key, (old, new) in keywords_changed.items():
        counts.subtract(old)
        counts.update(new)
    for term, was in touched.items():
        if counts[term] <= 0:
            del counts[term]
        if was != (term in counts):
            changes.count(keyword_lines(minter, (term,)), +1 if not was else -1)


def _store_delta(minter: Minter, state: BuildState, changes: _Changes,
                 keywords_changed: dict) -> tuple[list, list[str], list[str]]:
    """What an incremental build takes out of the store and puts in, besides the fragments
    of the files it rendered: the documents whose triples are all replaced, and the
    N-Triples lines removed and added (shared lines, ``wx:keyword`` lines). Documents
    written again lose all their triples, so they get all their keywords back."""
    def lines(key, terms):
        subject = minter.document(*key)
        return [nt_line((subject, WX.keyword, minter.entity("concept", term))) for term in terms]
    gone = changes.gone_documents
    added, removed = changes.shared_delta()
    for key, (old, new) in keywords_changed.items():
        if key not in gone:
            removed += lines(key, set(old) - set(new))
            added += lines(key, set(new) - set(old))
    for key in gone:
        added += lines(key, state.doc_keywords.get(key, ()))
    return sorted(gone), removed, added


def _finish_store(out: Path, storing) -> None:
    """Wait for the store to be loaded or updated."""
    try:
        storing.wait()
    except (OSError, ValueError, SyntaxError) as error:
        raise KgError(f"could not write the store in {out / 'store'}: {error}") from None


def _report(options: BuildOptions, state: BuildState, files: list[InputFile], stats: dict,
            triples: int, walked: list = ()) -> dict:
    """The build's report. Its counts come from three places that a fault would set apart:
    records as the readers returned them (and those an error lost), documents as the store
    holds them, merged duplicates as the merges counted them; ``reconciles`` says whether
    records = documents + merged duplicates + records lost."""
    infos = [state.files[item.relpath] for item in files if item.relpath in state.files]
    problems = [*walked, *(p for info in infos for p in (*info.problems, *info.warnings))]
    errors = [p for p in problems if p.severity == "error"]
    lost = sum(1 for p in errors if p.record is not None)
    records = sum(len(info.records) for info in infos) + lost
    documents = _stored_documents(options.out)
    merged = sum(len(state.places(key)) - 1 for key in state.documents())
    report = {
        "inputs": [readable_name(str(p)) for p in options.inputs],
        "files": len(files),
        "files_read": stats["read"],
        "files_reused": stats["reused"],
        "formats": dict(sorted(Counter(info.format or "unknown" for info in infos).items())),
        "records": records,
        "documents": documents,
        "merged_duplicates": merged,
        "errors": [p.as_dict() for p in errors],
        "warnings": [p.as_dict() for p in problems if p.severity != "error"],
        "triples": triples,
        "citations": {"found": sum(i.resolved + i.external for i in infos),
                      "external": sum(i.external for i in infos),
                      "resolved": sum(i.resolved for i in infos)},
        "reconciles": records == documents + merged + lost,
    }
    return report


def _stored_documents(out: Path) -> int:
    """How many documents the store of ``out`` holds."""
    from .store import open_store
    query = f"SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE {{ ?d a <{WX.Document}> }}"
    [row] = open_store(out).query(query)
    return int(row[0].value)


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))
