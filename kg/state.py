"""What a build keeps between runs, so the next build into the same folder is incremental.

The state (``OUT/.cache/state.pickle``) holds the corpus-wide indexes and, per input file, a
summary of its records and of what was written for them. A rebuild takes out the files that
are gone or changed, puts in the new ones, and from the index keys that changed works out
which documents must be resolved and written again (``BuildState.settle``): the documents of
changed files, the copies of the same documents elsewhere, the documents that cite a title or
a meeting whose entries changed, and (when the names the archive gives change) the documents
whose text names them. Keywords are ranked again for every document (cheaply, with numpy),
and only the ones that changed are written. Nothing else is redone.
"""

from __future__ import annotations

import gc
import os
import pickle
import sys
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from .errors import Problem
from .extract.learned import LearnedNames
from .keywords import KeywordTable
from .extract.citations import SHORT_TYPES
from .resolve import CitationIndex, TitleEntry, within_reprint_window

__all__ = ["RecordInfo", "FileInfo", "BuildState", "Place"]

Key = tuple[str, str]
Place = tuple[int, str, int]  # (format rank, file, record position): the least is the owner
_VERSION = 1


class RecordInfo(NamedTuple):
    """What pass 1 tells the indexes about one record (computed in the worker). A named
    tuple: the build keeps one per record, and saves and loads them all."""

    key: Key
    rank: int
    has_body: bool
    entry: TitleEntry
    cited: tuple[tuple[str, str], ...]  # the titles its text cites: as written, normalised
    names: tuple[str, ...]  # person names its tags or lists give
    dependencies: tuple[str, ...]  # see kg.resolve.dependencies
    cites_until: tuple[int, int, int]  # see kg.resolve.citing_limit

    def compact(self) -> RecordInfo:
        """The same, with its many repeated strings shared (interned): the parent keeps one
        of these per record of the archive."""
        intern = sys.intern
        key = (intern(self.key[0]), self.key[1])
        entry = self.entry
        entry = TitleEntry(key, intern(entry.title), entry.date, intern(entry.adopted_at),
                           intern(entry.norm))
        return RecordInfo(key, self.rank, self.has_body, entry,
                          tuple((intern(t), intern(n)) for t, n in self.cited),
                          tuple(map(intern, self.names)),
                          tuple(map(intern, self.dependencies)), self.cites_until)


@dataclass(slots=True)
class FileInfo:
    size: int
    mtime_ns: int
    digest: str
    format: str | None
    records: tuple[RecordInfo, ...]
    problems: tuple[Problem, ...]
    # What the last rendering wrote for the documents this file represents.
    owned: tuple[Key, ...] = ()
    triples: int = 0
    resolved: int = 0
    external: int = 0
    warnings: tuple[Problem, ...] = ()
    ttl_at: int = -1  # where its fragment is in graph.ttl, and its length in bytes
    ttl_size: int = 0

    def __reduce__(self):  # one per input file in the saved state: the fast way
        return FileInfo, (self.size, self.mtime_ns, self.digest, self.format, self.records,
                          self.problems, self.owned, self.triples, self.resolved,
                          self.external, self.warnings, self.ttl_at, self.ttl_size)

    def unchanged(self, path: str | Path) -> bool:
        try:
            stat = os.stat(path)
        except OSError:
            return False
        return (stat.st_size, stat.st_mtime_ns) == (self.size, self.mtime_ns)


@contextmanager
def _collection_paused():
    """Loading millions of small objects would set off the cyclic collector again and again
    over objects that are all alive; it adds nothing but time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass
class BuildState:
    fingerprint: str
    files: dict[str, FileInfo] = field(default_factory=dict)
    locations: dict[Key, list[Place]] = field(default_factory=dict)  # sorted, owner first
    index: CitationIndex = field(default_factory=CitationIndex)
    learned: LearnedNames = field(default_factory=LearnedNames)
    keywords: KeywordTable | None = None  # set by the build: its file is in the cache
    dependents: dict[str, set[Key]] = field(default_factory=dict)
    doc_keywords: dict[Key, tuple[str, ...]] = field(default_factory=dict)
    keyword_counts: Counter = field(default_factory=Counter)  # term → documents it is keyword of
    useful_names: frozenset[str] = frozenset()
    entity_counts: Counter = field(default_factory=Counter)  # UTF-8 shared line → files
    # Changes since the last ``settle``: keys touched, and the file that owned each before.
    _touched: dict[Key, str | None] = field(default_factory=dict)

    # ---- persistence -------------------------------------------------------------------

    @classmethod
    def load(cls, path: Path, fingerprint: str) -> BuildState | None:
        """The state of the last build, or None if there is none usable. The file is removed
        once read: if this build stops midway, the next one starts clean."""
        try:
            with path.open("rb") as f, _collection_paused():
                version, state = pickle.load(f)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError,
                ValueError, TypeError):
            return None
        finally:
            path.unlink(missing_ok=True)
        if version != _VERSION or state.fingerprint != fingerprint:
            return None
        return state

    def save(self, path: Path) -> Path:
        self.keywords.close()
        temporary = path.with_suffix(".tmp")
        with temporary.open("wb") as f, _collection_paused():
            pickle.dump((_VERSION, self), f, pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
        return path

    # ---- files in and out --------------------------------------------------------------

    def owner(self, key: Key) -> Place | None:
        places = self.locations.get(key)
        return places[0] if places else None

    def info(self, place: Place) -> RecordInfo:
        return self.files[place[1]].records[place[2]]

    def _touch(self, key: Key) -> None:
        if key not in self._touched:
            owner = self.owner(key)
            self._touched[key] = owner[1] if owner else None

    def remove_file(self, relpath: str) -> FileInfo | None:
        info = self.files.pop(relpath, None)
        if info is None:
            return None
        for position, record in enumerate(info.records):
            self._touch(record.key)
            places = self.locations[record.key]
            places.remove((record.rank, relpath, position))
            if not places:
                del self.locations[record.key]
            for dependency in record.dependencies:
                if keys := self.dependents.get(dependency):
                    keys.discard(record.key)
            self.index.remove_forms(record.cited)
            self.learned.remove(record.names)
            self.keywords.remove((relpath, position))
        return info

    def add_file(self, relpath: str, info: FileInfo, terms) -> None:
        """Put in a file read by pass 1; ``terms`` gives each record's term counts."""
        self.files[relpath] = info
        for position, (record, counts) in enumerate(zip(info.records, terms)):
            self._touch(record.key)
            places = self.locations.setdefault(record.key, [])
            places.append((record.rank, relpath, position))
            places.sort()
            self.index.add_forms(record.cited)
            self.learned.add(record.names)
            self.keywords.add((relpath, position), counts)

    # ---- what must be written again ----------------------------------------------------

    def settle(self) -> tuple[set[Key], set[str], dict]:
        """Bring the indexes up to date with the files put in and taken out since the last
        call. Returns the documents to resolve again, the files that owned them before, and
        the documents whose keywords changed (key → (old, new); keywords are written apart
        from the rest of a document, since a few new files change the keywords of many)."""
        touched, self._touched = self._touched, {}
        rewritten: dict[str, set[TitleEntry]] = {}  # per title, documents whose text changed
        for key in touched:
            owner = self.owner(key)
            entry = self.info(owner).entry if owner else None
            self.index.set_entry(key, entry)
            if entry is not None:
                rewritten.setdefault(entry.norm, set()).add(entry)
                self.index.note_title(entry)  # its printings may be reprints of it
            for place in self.locations.get(key, ()):
                for dependency in self.info(place).dependencies:
                    self.dependents.setdefault(dependency, set()).add(key)
        affected = {key for key in touched if key in self.locations}
        for dependency, before in self.index.changes().items():
            dependents = self.dependents.get(dependency, set()) - affected
            if dependency[0] == "t" and before is not None:
                affected.update(self._answer_changed(dependency[1:], before, dependents,
                                                     rewritten.get(dependency[1:], set())))
            elif dependency[0] == "m":
                affected.update(self._adoption_changed(dependency[1:], before, dependents))
            elif dependency[0] == "p" and before and self.index.crowded(dependency[1:]):
                continue  # too crowded for approximate matching, before and after
            else:
                affected.update(dependents)
        former = {relpath for relpath in touched.values() if relpath in self.files}
        return affected, former, self._keywords_changed()

    def _answer_changed(self, norm: str, before: list[TitleEntry], keys: set[Key],
                        rewritten: set[TitleEntry]) -> set[Key]:
        """The documents among ``keys`` (which cite the title ``norm`` or bear it) for which
        the entries of ``norm`` now give another answer than ``before``: the earliest
        printing they can cite, or (for those bearing it) a printing within a week, the
        window of ``CitationIndex.reprint_of``, that came, went or was ``rewritten``."""
        now = self.index.titles.get(norm, [])
        moved = (set(before) ^ set(now)) | rewritten
        changed = set()
        for key in keys:
            places = self.locations[key]
            info = self.info(places[0])
            if len(places) > 1:
                changed.add(key)  # merged copies: the merge may read either
            elif (CitationIndex.earliest(before, key, info.cites_until)
                  != CitationIndex.earliest(now, key, info.cites_until)):
                changed.add(key)
            elif info.entry.norm == norm and any(
                    within_reprint_window(info.entry, other) for other in moved
                    if other.key != key):
                changed.add(key)
        return changed

    def _adoption_changed(self, meeting: str, before: list[TitleEntry], keys: set[Key]
                          ) -> set[Key]:
        """The documents among ``keys`` (which cite a short form qualified by ``meeting``) for
        which a short form now means another document adopted there."""
        now = self.index.adopted.get(meeting, [])
        lists = []  # (before, now) per type word whose documents changed
        for word in SHORT_TYPES:
            old = [e for e in before if e.title.endswith(word)]
            new = [e for e in now if e.title.endswith(word)]
            if old != new:
                lists.append((old, new))
        changed = set()
        for key in keys:
            places = self.locations[key]
            limit = self.info(places[0]).cites_until
            if len(places) > 1 or any(CitationIndex.earliest(old, key, limit)
                                      != CitationIndex.earliest(new, key, limit)
                                      for old, new in lists):
                changed.add(key)
        return changed

    def text_row(self, key: Key) -> tuple[str, int]:
        """The record whose text stands for document ``key``: its first copy with a body
        (the one ``kg.pipeline.merge`` takes the facts of)."""
        places = self.locations[key]
        place = next((p for p in places if self.info(p).has_body), places[0])
        return place[1], place[2]

    def _keywords_changed(self) -> dict:
        tops = self.keywords.top({key: self.text_row(key) for key in self.locations})
        old = self.doc_keywords
        changed = {key: (old.get(key, ()), tops.get(key, ())) for key in old.keys() | tops.keys()
                   if old.get(key, ()) != tops.get(key, ())}
        self.doc_keywords = tops
        return changed

    def names_changed(self, gazetteer) -> frozenset[str]:
        """The names searched for in texts that were added or dropped since the last call."""
        useful = self.learned.useful(gazetteer)
        changed, self.useful_names = useful ^ self.useful_names, useful
        return changed
