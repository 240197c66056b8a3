"""What a build keeps between runs, so the next build into the same folder is incremental.

The state (``OUT/.cache/state.pickle``) holds the corpus-wide indexes and, per input file, a
summary of its records and of what was written for them. A rebuild takes out the files that
are gone or changed, puts in the new ones, and from the index keys that changed works out
which documents must be resolved and written again (``BuildState.settle``): the documents of
changed files, the copies of the same documents elsewhere, the documents that merge with or
part from another archive's copy of their article (``Twins``), the documents that cite a title or
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
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from .errors import Problem
from .extract.learned import LearnedNames
from .keywords import KeywordTable
from .extract.citations import SHORT_TYPES
from .model import Record
from .resolve import CitationIndex, TitleEntry, archive_wide, same_article, \
    within_reprint_window

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
    twin: int  # see kg.resolve.twin_key

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
                          tuple(map(intern, self.dependencies)), self.cites_until, self.twin)


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
class Twins:
    """Documents that are one article held by two archives (``kg.resolve.same_article``): a
    newspaper archive's record and a BHA collection's copy of it. The document is the
    newspaper's (its key within the publication); the BHA identity is merged into it.

    Which documents merge is a function of the whole build, so an incremental build works
    it out again where it may have changed: around the ``twin_key`` values of the records
    put in or taken out. Two identities merge when each is the other's only match.
    """

    buckets: dict[int, list[Key]] = field(default_factory=dict)  # twin key → identities
    merged: dict[Key, Key] = field(default_factory=dict)  # identity → the document it is in
    members: dict[Key, tuple[Key, ...]] = field(default_factory=dict)  # document → those
    _changed: set[int] = field(default_factory=set)  # twin keys put in or taken out

    def add(self, key: Key, twin: int) -> None:
        if twin:
            self.buckets.setdefault(twin, []).append(key)
            self._changed.add(twin)

    def remove(self, key: Key, twin: int) -> None:
        if twin:
            bucket = self.buckets[twin]
            bucket.remove(key)
            if not bucket:
                del self.buckets[twin]
            self._changed.add(twin)

    def document_of(self, key: Key) -> Key:
        return self.merged.get(key, key)

    def group(self, key: Key) -> set[Key]:
        """The identities in one document with ``key`` now."""
        document = self.document_of(key)
        return {document, *self.members.get(document, ())}

    def regroup(self, touched, twins_of, copies_of) -> dict[Key, Key]:
        """Work the merges out again where they may have changed since the last call:
        around the twin keys put in or taken out and the identities ``touched``. Returns
        identity → new document for every identity whose document changes, without changing
        anything yet (``apply``). ``twins_of(key)`` gives an identity's twin keys,
        ``copies_of(key)`` its records (empty when it is gone)."""
        changed, self._changed = self._changed, set()
        near = set()
        for twin in changed:
            bucket = self.buckets.get(twin, ())
            if len({archive_wide(key) for key in bucket}) == 2:
                near.update(bucket)
        near.update(key for key in touched if key in self.merged or key in self.members)
        near = {other for key in near for other in self.group(key)}
        candidates: dict[Key, set[Key]] = {}

        def candidates_of(key: Key) -> set[Key]:
            if key not in candidates:
                candidates[key] = {other for twin in twins_of(key)
                                   for other in self.buckets.get(twin, ())
                                   if archive_wide(other) != archive_wide(key)}
            return candidates[key]

        around = near | {other for key in near for other in candidates_of(key)}
        around |= {other for key in around for other in self.group(key)}
        matches: dict[Key, set[Key]] = {}
        same: dict[frozenset, bool] = {}
        records: dict[Key, list[Record]] = {}

        def matches_of(key: Key) -> set[Key]:
            if key not in matches:
                mine = records.setdefault(key, copies_of(key))
                found = set()
                for other in sorted(candidates_of(key)):
                    pair = frozenset((key, other))
                    if pair not in same:
                        theirs = records.setdefault(other, copies_of(other))
                        same[pair] = bool(mine and theirs) and same_article(mine, theirs)
                    if same[pair]:
                        found.add(other)
                matches[key] = found
            return matches[key]

        moves = {}
        for key in around:
            document = key
            if len(found := matches_of(key)) == 1:
                other = next(iter(found))
                if matches_of(other) == {key}:
                    document = min(key, other, key=lambda k: (archive_wide(k), k))
            if document != self.document_of(key):
                moves[key] = document
        return moves

    def apply(self, moves: dict[Key, Key]) -> None:
        for key, document in moves.items():
            old = self.merged.pop(key, None)
            if old is not None:
                rest = tuple(k for k in self.members[old] if k != key)
                if rest:
                    self.members[old] = rest
                else:
                    del self.members[old]
            if document != key:
                self.merged[key] = document
                self.members[document] = tuple(sorted((*self.members.get(document, ()), key)))


@dataclass
class BuildState:
    fingerprint: str
    files: dict[str, FileInfo] = field(default_factory=dict)
    locations: dict[Key, list[Place]] = field(default_factory=dict)  # per identity, sorted
    twins: Twins = field(default_factory=Twins)
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

    def document_of(self, key: Key) -> Key:
        """The document an identity (a record's key) is part of: itself, or the newspaper
        archive's record of the same article (``Twins``)."""
        return self.twins.merged.get(key, key)

    def places(self, document: Key) -> list[Place]:
        """Where the copies of a document are: those of its own identity, sorted (the first
        represents it), then those of the identities merged into it."""
        places = self.locations.get(document, [])
        members = self.twins.members.get(document)
        if not members:
            return places
        return [*places, *(place for key in members for place in self.locations.get(key, ()))]

    def documents(self):
        """The keys of the documents of the build."""
        merged = self.twins.merged
        return (key for key in self.locations if key not in merged)

    def document_count(self) -> int:
        return len(self.locations) - len(self.twins.merged)

    def owner(self, key: Key) -> Place | None:
        """The record that represents the document ``key`` is part of."""
        places = self.places(self.document_of(key))
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
            self.twins.remove(record.key, record.twin)
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
            self.twins.add(record.key, record.twin)
            self.index.add_forms(record.cited)
            self.learned.add(record.names)
            self.keywords.add((relpath, position), counts)

    # ---- what must be written again ----------------------------------------------------

    def settle(self, read: Callable[[Place], Record]) -> tuple[set[Key], set[str], dict]:
        """Bring the indexes up to date with the files put in and taken out since the last
        call; ``read(place)`` gives a record (from the cache), for the few that may be one
        article in two archives. Returns the documents to resolve again, the files that owned
        them before, and the documents whose keywords changed (key → (old, new); keywords
        are written apart from the rest of a document, since a few new files change the
        keywords of many)."""
        self._regroup(read)
        touched, self._touched = self._touched, {}
        rewritten: dict[str, set[TitleEntry]] = {}  # per title, documents whose text changed
        for key in touched:
            places = self.locations.get(key)
            entry = self.info(places[0]).entry if places else None
            if entry is not None and (document := self.document_of(key)) != key:
                entry = entry._replace(key=document)  # its title cites the whole document
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

    def _regroup(self, read: Callable[[Place], Record]) -> None:
        """Merge the identities that are one article in two archives, and part those that no
        longer are, where that may have changed; the documents they were and are in are
        written again (touched, before the change, so their former files are known)."""
        moves = self.twins.regroup(
            self._touched,
            lambda key: {self.info(p).twin for p in self.locations.get(key, ())} - {0},
            lambda key: [read(place) for place in self.locations.get(key, ())])
        for key, document in moves.items():
            for changed in (key, self.document_of(key), document):
                self._touch(changed)
        self.twins.apply(moves)

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
            places = self.places(self.document_of(key))
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
            places = self.places(self.document_of(key))
            limit = self.info(places[0]).cites_until
            if len(places) > 1 or any(CitationIndex.earliest(old, key, limit)
                                      != CitationIndex.earliest(new, key, limit)
                                      for old, new in lists):
                changed.add(key)
        return changed

    def text_row(self, key: Key) -> tuple[str, int]:
        """The record whose text stands for document ``key``: its first copy with a body
        (the one ``kg.pipeline.merge`` takes the facts of)."""
        places = self.places(key)
        place = next((p for p in places if self.info(p).has_body), places[0])
        return place[1], place[2]

    def _keywords_changed(self) -> dict:
        tops = self.keywords.top({key: self.text_row(key) for key in self.documents()})
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
