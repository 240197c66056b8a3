"""Corpus-wide steps: resolving citations to documents, finding reprints, and finding one
article held by two archives.

The indexes are built in the first pass over the archive (one entry per document, not its
text) and queried in the second. A citation resolves only to a document dated no later than
the citing one; among several printings of the same text, to the earliest. The same text in
another publication is a reprint (``CitationIndex.reprint_of``); the same article in the same
publication, held by a newspaper archive and by a BHA collection, is one document
(``twin_key``, ``same_article``).
"""

from __future__ import annotations

import bisect
import datetime
import hashlib
import heapq
import re
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from rapidfuzz.distance import Levenshtein

from .extract.citations import SHORT_TYPES, display_title, normalize_title
from .extract.gazetteer import load_gazetteer
from .model import BHA_SCOPE, DateValue, Facts, Record, ResolvedCitation

__all__ = ["CitationIndex", "TitleEntry", "Citing", "title_entry", "dependencies", "own_date",
           "citing_limit", "within_reprint_window",
           "resolve_citations", "twin_key", "same_article", "archive_wide",
           "fingerprint", "UNRESOLVED_SHORT_FORM"]

Key = tuple[str, str]
UNRESOLVED_SHORT_FORM = "unresolved-short-form"
_REPRINT_DAYS = 7
_FUZZY_MIN = 12  # only long titles are matched approximately
_FUZZY_BUCKET = 200
_SAME_TEXT = 0.7  # estimated Jaccard similarity of two printings of one text


def _date_key(date: DateValue | None, late: bool = False) -> tuple[int, int, int]:
    if date is None:
        return (9999, 12, 31) if late else (0, 0, 0)
    fill = (12, 31) if late else (0, 0)
    return (date.year, date.month or fill[0], date.day or fill[1])


def _days(date: DateValue | None) -> int | None:
    if date is None or date.day is None:
        return None
    try:
        return datetime.date(date.year, date.month, date.day).toordinal()
    except (ValueError, OverflowError):  # a DateValue made outside the readers
        return None


def fingerprint(text: str, size: int = 16) -> tuple[int, ...]:
    """A bottom-k sketch of the text's character 5-grams: near-identical texts share most values.

    >>> a = fingerprint("中共中央关于加强党同人民群众联系的决定" * 5)
    >>> similarity(a, fingerprint("中共中央关于加强党同人民群众联系的决定。" * 5)) > 0.5
    True
    """
    text = "".join(text.split())
    grams = {zlib.crc32(text[i:i + 5].encode()) for i in range(max(1, len(text) - 4))}
    return tuple(heapq.nsmallest(size, grams))


def similarity(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    """Estimated Jaccard similarity of two sketches."""
    size = max(len(a), len(b), 1)
    union = heapq.nsmallest(size, set(a) | set(b))
    return len(set(union) & set(a) & set(b)) / size


# ---- one article in two archives ----------------------------------------------------------

_TITLE_HEAD = re.compile(r"[\n—―─－~～]|--")
_NOT_A_WORD = re.compile(r"[\W_]+")


def archive_wide(key: Key) -> bool:
    """Whether a document key is a BHA id (unique in the whole archive) rather than an
    identifier within a publication (a newspaper archive's)."""
    return key[0] == BHA_SCOPE


def _title_form(title: str) -> str:
    return _NOT_A_WORD.sub("", normalize_title(title))


def twin_key(record: Record) -> int:
    """Where the same article held by another archive is looked for: a hash of the
    publication the record names, its date (to the day) and its title up to a subtitle
    (BHA writes ``BT——FT`` where the newspaper archive has BT and FT apart); 0 when the record
    lacks one of them. ``same_article`` decides on the records themselves.

    >>> from kg.model import Record, DateValue
    >>> a = Record("tagged", "a", 0, 1, "1-04-1", "时刻保持", publication="解放军报",
    ...            dates=(DateValue(1990, 3, 22),), subtitle="——学习体会")
    >>> b = Record("bha-txt", "b", 0, 1, "8bad3e691d", "时刻保持——学习体会", publication="解放军报",
    ...            dates=(DateValue(1990, 3, 22),), id_scope="bha")
    >>> twin_key(a) == twin_key(b) != 0
    True
    """
    date = record.dates[0] if record.dates else None
    head = _title_form(_TITLE_HEAD.split(record.title.strip(), 1)[0])
    if record.publication_inferred or not record.publication or date is None \
            or date.day is None or not head:
        return 0
    text = f"{record.publication}\0{date.iso()}\0{head}".encode()
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big") or 1


def same_article(ours: list[Record], theirs: list[Record]) -> bool:
    """Whether the copies ``ours`` of one document and ``theirs`` of another, from archives
    of different kinds (one keyed within a publication, one archive-wide), are the same
    article: the same publication and date, the same title (a title may be the other's
    title and subtitle together: BT——FT) and near-identical text. The same text in another
    publication is a reprint, not this."""
    a, b = _article(ours), _article(theirs)
    if a is None or b is None or archive_wide(ours[0].key) == archive_wide(theirs[0].key):
        return False
    return (a[0] == b[0] and a[1] == b[1] and bool(a[2] & b[2])
            and similarity(fingerprint(a[3][:2000]), fingerprint(b[3][:2000])) >= _SAME_TEXT)


def _article(copies: list[Record]) -> tuple | None:
    """Publication, date, title forms and text of a document, from its copies."""
    named = next((r for r in copies if r.publication and not r.publication_inferred), None)
    dated = next((r for r in copies if r.dates), None)
    body = next((r.body for r in copies if r.body), "")
    if named is None or dated is None or dated.dates[0].day is None or not body:
        return None
    titles = {_title_form(t) for r in copies for t in (r.title, r.title + r.subtitle)} - {""}
    return named.publication, dated.dates[0], titles, body


class TitleEntry(NamedTuple):
    """What the index keeps of a corpus document: enough to resolve a citation to it. (A
    named tuple: the build keeps one per document, and saves and loads them all.)"""

    key: Key
    title: str
    date: DateValue | None
    adopted_at: str
    norm: str  # normalize_title(title), computed once where the record is read

    def order(self) -> tuple:
        return (_date_key(self.date), self.key)


class Citing(NamedTuple):
    """A document whose citations are resolved: its key (it never cites itself) and the
    latest date it can cite (``citing_limit``)."""

    key: Key
    limit: tuple[int, int, int]


def own_date(record: Record, facts: Facts) -> DateValue | None:
    """The date of a document's own text: its adoption date when the text gives one (a
    repost of 2011 of a resolution adopted in 1981 is a text of 1981), else its first date.

    >>> own_date(Record("bha-json", "a", 0, 1, "x", "决议", dates=(DateValue(2011, 5, 31),)),
    ...          Facts(adopted_on=DateValue(1981, 6, 27)))
    DateValue(year=1981, month=6, day=27)
    """
    dates = [d for d in (*record.dates[:1], facts.adopted_on) if d is not None]
    return min(dates, key=_date_key) if dates else None


def title_entry(record: Record, facts: Facts) -> TitleEntry:
    """The index entry of a document, read from the copy that represents it. It is dated
    by its own text (``own_date``): a document exists from its adoption on, even if printed
    later."""
    title = display_title(record.title)
    return TitleEntry(record.key, title, own_date(record, facts), facts.adopted_at,
                      normalize_title(title))


def dependencies(record: Record, facts: Facts) -> frozenset[str]:
    """The index keys the resolution of ``record``'s citations and reprint can depend on:
    ``t`` + a normalised title, ``p`` + the first characters of a long one (fuzzy matching),
    ``m`` + a meeting (short forms it qualifies). When an incremental build changes one of
    these keys, the documents depending on it are resolved again. Kept beside the rules it
    mirrors (``_resolve_span``, ``_full_title``, ``_short_form``, ``reprint_of``).
    """
    abbreviations = load_gazetteer().abbreviations
    keys = {"t" + normalize_title(display_title(record.title))}
    for span in facts.citations:
        inner = span.title
        if inner in SHORT_TYPES:
            if span.meeting:
                keys.add("m" + span.meeting)
            continue
        full = abbreviations.get(inner) or abbreviations.get(normalize_title(inner))
        issuer = span.issuer.split("、")[0] if span.issuer else ""
        for title in filter(None, (inner, full)):
            for variant in (title, issuer + title if issuer else ""):
                if variant:
                    norm = normalize_title(variant)
                    keys.add("t" + norm)
                    if len(norm) >= _FUZZY_MIN:
                        keys.add("p" + norm[:6])
    return frozenset(keys)


@dataclass
class CitationIndex:
    """Titles and adoption meetings of every document in the build, and cited-work titles.

    Documents are set and removed one at a time (``set_entry``), and the titles the texts
    cite counted in and out (``add_forms``/``remove_forms``), so an incremental build updates
    the index instead of rebuilding it. ``changes()`` names the keys (see ``dependencies``)
    whose answers may differ since it was last called.
    """

    entries: dict[Key, TitleEntry] = field(default_factory=dict)
    titles: dict[str, list[TitleEntry]] = field(default_factory=dict)  # earliest first
    adopted: dict[str, list[TitleEntry]] = field(default_factory=dict)
    forms: dict[str, Counter] = field(default_factory=dict)  # cited titles, per normal form
    prefixes: dict[str, set[str]] = field(default_factory=dict)
    _changed: dict[str, object] = field(default_factory=dict)  # key → its answer before
    _forms_before: dict[str, str | None] = field(default_factory=dict)

    def add(self, record: Record, facts: Facts) -> None:
        """Index a document read once (a build of one pass, as the benchmarks do)."""
        self.add_forms((span.title, normalize_title(span.title)) for span in facts.citations)
        if record.key not in self.entries:
            self.set_entry(record.key, title_entry(record, facts))

    def set_entry(self, key: Key, entry: TitleEntry | None) -> None:
        """Make ``entry`` the document ``key`` (None: the document is gone)."""
        old = self.entries.get(key)
        if old == entry:
            return
        for changed in (old, entry):
            if changed is not None:
                self._touch(changed)
        if old is not None:
            del self.entries[key]
            norm = old.norm
            self._drop(self.titles, norm, old)
            if not self.titles.get(norm) and len(norm) >= _FUZZY_MIN:
                self.prefixes[norm[:6]].discard(norm)
            if old.adopted_at:
                self._drop(self.adopted, old.adopted_at, old)
        if entry is not None:
            self.entries[key] = entry
            norm = entry.norm
            bisect.insort(self.titles.setdefault(norm, []), entry, key=TitleEntry.order)
            if len(norm) >= _FUZZY_MIN:
                self.prefixes.setdefault(norm[:6], set()).add(norm)
            if entry.adopted_at:
                bisect.insort(self.adopted.setdefault(entry.adopted_at, []), entry,
                              key=TitleEntry.order)

    def _touch(self, entry: TitleEntry) -> None:
        """Remember what the keys ``entry`` is under answered before it changes."""
        norm = entry.norm
        self._changed.setdefault("t" + norm, list(self.titles.get(norm, ())))
        if len(norm) >= _FUZZY_MIN:
            self._changed.setdefault("p" + norm[:6], self.crowded(norm[:6]))
        if entry.adopted_at:
            self._changed.setdefault("m" + entry.adopted_at,
                                     list(self.adopted.get(entry.adopted_at, ())))

    def note_title(self, entry: TitleEntry) -> None:
        """Mark the title of ``entry`` changed although its entries are not (a document
        bearing it was rewritten, so what it is a reprint of may change)."""
        norm = entry.norm
        self._changed.setdefault("t" + norm, list(self.titles.get(norm, ())))

    def crowded(self, prefix: str) -> bool:
        """Whether so many titles begin alike that none of them is matched approximately."""
        return len(self.prefixes.get(prefix, ())) > _FUZZY_BUCKET

    @staticmethod
    def _drop(table: dict[str, list[TitleEntry]], name: str, entry: TitleEntry) -> None:
        entries = table[name]
        entries.remove(entry)
        if not entries:
            del table[name]

    def add_forms(self, titles) -> None:
        """Count in cited titles, as (written, normalised) pairs."""
        for title, norm in titles:
            self._form_touched(norm)
            self.forms.setdefault(norm, Counter())[title] += 1

    def remove_forms(self, titles) -> None:
        for title, norm in titles:
            self._form_touched(norm)
            counts = self.forms[norm]
            counts[title] -= 1
            if counts[title] <= 0:
                del counts[title]
                if not counts:
                    del self.forms[norm]

    def _form_touched(self, norm: str) -> str:
        if norm not in self._forms_before:
            self._forms_before[norm] = self._form(norm)
        return norm

    def _form(self, norm: str) -> str | None:
        counts = self.forms.get(norm)
        return min(counts) if counts else None

    def changes(self) -> dict[str, object]:
        """The keys changed since the last call, each with what it answered before: for a
        title (``t``) its entries, earliest first, or None when the written form of the cited
        work changed (which changes every answer); for a prefix (``p``) whether its family
        was crowded; for a meeting (``m``) the entries adopted there."""
        changed = self._changed
        for norm, before in self._forms_before.items():
            if self._form(norm) != before:
                changed["t" + norm] = None
        self._changed, self._forms_before = {}, {}
        return changed

    def lookup(self, title: str, citing: Citing) -> TitleEntry | None:
        """The earliest corpus document titled ``title`` dated no later than ``citing``."""
        return self._earliest(self.titles.get(normalize_title(title), ()), citing)

    def fuzzy(self, title: str, citing: Citing) -> tuple[TitleEntry, float] | None:
        """The corpus title within edit distance 2 of a long ``title``, if exactly one is
        nearest; titles of a crowded family (more than ``_FUZZY_BUCKET`` sharing its first
        characters) are not guessed at."""
        norm = normalize_title(title)
        if len(norm) < _FUZZY_MIN:
            return None
        if self.crowded(norm[:6]):
            return None
        names = self.prefixes.get(norm[:6], ())
        scored = sorted((Levenshtein.distance(norm, other, score_cutoff=2), other)
                        for other in names
                        if abs(len(other) - len(norm)) <= 2 and other[-2:] == norm[-2:])
        scored = [s for s in scored if s[0] <= 2]
        if not scored or (len(scored) > 1 and scored[1][0] == scored[0][0]):
            return None
        distance, best = scored[0]
        entry = self._earliest(self.titles[best], citing)
        return (entry, round(1 - distance / len(norm), 3)) if entry else None

    def adopted_document(self, meeting: str, type_word: str, citing: Citing
                         ) -> TitleEntry | None:
        return self.adopted_earliest(self.adopted.get(meeting, ()), type_word, *citing)

    @staticmethod
    def adopted_earliest(entries, type_word: str, key: Key, limit) -> TitleEntry | None:
        """The first of the documents adopted at a meeting that ``《type_word》`` can mean."""
        return CitationIndex.earliest([e for e in entries if e.title.endswith(type_word)],
                                      key, limit)

    def reprint_of(self, record: Record, body_of: Callable[[Key], str]) -> Key | None:
        """The earliest printing of the same text elsewhere, if this record is a later one:
        same normalised title, printed within a week, near-identical text (``body_of(key)``
        gives another document's body; only titles printed twice ever need it)."""
        entries = self.titles.get(normalize_title(display_title(record.title)), ())
        if len(entries) < 2 or entries[0].key == record.key:
            return None
        mine = next((e for e in entries if e.key == record.key), None)
        day = _days(mine.date) if mine else None
        if day is None:
            return None
        sketch = None
        for other in entries:  # earliest first
            if other.key == record.key:
                return None
            earlier = _days(other.date)
            if earlier is None or not 0 <= day - earlier <= _REPRINT_DAYS:
                continue
            sketch = sketch or fingerprint(record.body[:2000])
            if similarity(fingerprint(body_of(other.key)[:2000]), sketch) >= _SAME_TEXT:
                return other.key
        return None

    def work_title(self, title: str) -> str:
        """The one written form of a cited work outside the archive: the least of the forms
        the texts write, so every build names it alike."""
        return self._form(normalize_title(title)) or title

    @staticmethod
    def _earliest(entries, citing: Citing) -> TitleEntry | None:
        return CitationIndex.earliest(entries, *citing)

    @staticmethod
    def earliest(entries, key: Key, limit: tuple[int, int, int]) -> TitleEntry | None:
        """The first of ``entries`` a document ``key`` dated up to ``limit`` can cite."""
        for entry in entries:
            if entry.key != key and _date_key(entry.date) <= limit:
                return entry
        return None


def within_reprint_window(a: TitleEntry, b: TitleEntry) -> bool:
    """Whether one of two printings could be a reprint of the other (``reprint_of``): both
    dated to the day and at most a week apart; when either lacks a day, assume so."""
    day_a, day_b = _days(a.date), _days(b.date)
    return day_a is None or day_b is None or abs(day_a - day_b) <= _REPRINT_DAYS


def citing_limit(record: Record, facts: Facts) -> tuple[int, int, int]:
    """The latest date a document can cite: the date of its own text (``own_date``; the end
    of its month or year when only those are known)."""
    return _date_key(own_date(record, facts), late=True)


@dataclass
class _Cited:
    title: str
    target: Key | None
    meeting: str
    rule: str
    score: float
    issuer: str
    evidence: list[tuple[str, int, int, str]]


def resolve_citations(record: Record, facts: Facts, index: CitationIndex
                      ) -> tuple[ResolvedCitation, ...]:
    """The works ``record`` cites, each once, with every place that cites it as evidence."""
    abbreviations = load_gazetteer().abbreviations
    citing = Citing(record.key, citing_limit(record, facts))
    works: dict[object, _Cited] = {}  # one per cited work, in order of first citation
    recent: list[_Cited] = []  # every citation in text order, for short forms
    for span in facts.citations:
        cited = _resolve_span(span, record, citing, index, abbreviations, recent)
        same = works.setdefault(_work_key(cited), cited)
        same.meeting = same.meeting or cited.meeting
        same.evidence.append((span.surface, span.start, span.end, cited.rule))
        recent.append(same)
    return tuple(ResolvedCitation(c.title, c.target, c.rule, c.score, c.issuer,
                                  tuple(sorted(set(c.evidence), key=lambda e: e[1])))
                 for c in works.values())


def _work_key(cited: _Cited) -> object:
    if cited.rule == UNRESOLVED_SHORT_FORM:
        return (UNRESOLVED_SHORT_FORM, cited.title, cited.meeting)
    return cited.target or normalize_title(cited.title)


def _resolve_span(span, record: Record, citing: Citing, index: CitationIndex,
                  abbreviations: dict[str, str], recent: list[_Cited]) -> _Cited:
    inner = span.title
    if inner in SHORT_TYPES:
        return _short_form(span, inner, citing, index, recent)
    if earlier := _abbreviated(span, inner, record, recent):
        return _Cited(earlier.title, earlier.target, earlier.meeting, "abbreviation", 1.0,
                      earlier.issuer, [])
    full = abbreviations.get(inner) or abbreviations.get(normalize_title(inner))
    if full:
        earlier = next((c for c in reversed(recent)
                        if normalize_title(c.title) == normalize_title(full)), None)
        if earlier:
            return _Cited(earlier.title, earlier.target, earlier.meeting, "abbreviation", 1.0,
                          earlier.issuer, [])
        # The archive's copy of the full work, if it holds one; else the text's own title
        # (《二月提纲》 stays 二月提纲: a well-known official title is not put in its place).
        if entry := index.lookup(full, citing):
            return _Cited(entry.title, entry.key, entry.adopted_at, "abbreviation", 1.0, "", [])
    return _full_title(span, inner, citing, index, "exact-title")


# A short form introduced right after the full title: 《…通知》（即《五·一六通知》）.
_INTRODUCED = re.compile(r"^[（(][ \u3000]*(?:即|简称|以下简称|下称|又称|简称为|俗称)[ \u3000]*$")


def _abbreviated(span, inner: str, record: Record, recent: list[_Cited]) -> _Cited | None:
    """The work cited before in the same text that ``inner`` abbreviates: the one it is
    introduced after (（即《…》）, （简称《…》）), or one whose title ends with it after a dash
    (《吴法宪回忆录》 after 《岁月艰难——吴法宪回忆录》) or holds its characters in order from
    the first (《毛选》 after 《毛泽东选集》)."""
    if not recent:
        return None
    last_end = recent[-1].evidence[-1][2] if recent[-1].evidence else -1
    if last_end >= 0 and _INTRODUCED.match(record.text[last_end:span.start]):
        return recent[-1]
    short = normalize_title(inner)
    for earlier in reversed(recent):
        full = normalize_title(earlier.title)
        if len(short) < 2 or len(full) <= len(short) or earlier.rule == UNRESOLVED_SHORT_FORM:
            continue
        if full.endswith("—" + short) or (short[0] == full[0] and short not in full
                                           and _in_order(short, full)):
            return earlier
    return None


def _in_order(short: str, full: str) -> bool:
    rest = iter(full)
    return all(char in rest for char in short)


def _full_title(span, title: str, citing: Citing, index: CitationIndex, rule: str) -> _Cited:
    first_issuer = span.issuer.split("、")[0] if span.issuer else ""
    if first_issuer and not title.startswith(first_issuer):
        entry = index.lookup(first_issuer + title, citing)
        if entry:
            return _Cited(entry.title, entry.key, entry.adopted_at, "issuer-outside", 1.0,
                          span.issuer, [])
    entry = index.lookup(title, citing)
    if entry:
        return _Cited(entry.title, entry.key, entry.adopted_at, rule, 1.0, "", [])
    match = index.fuzzy(title, citing)
    if match:
        entry, score = match
        return _Cited(entry.title, entry.key, entry.adopted_at, "fuzzy", score, "", [])
    return _Cited(index.work_title(title), None, span.meeting, rule, 1.0, span.issuer, [])


def _short_form(span, type_word: str, citing: Citing, index: CitationIndex,
                recent: list[_Cited]) -> _Cited:
    meeting = span.meeting
    if meeting:
        entry = index.adopted_document(meeting, type_word, citing)
        if entry:
            return _Cited(entry.title, entry.key, meeting, "meeting-qualified", 1.0, "", [])
    for earlier in reversed(recent):
        if not earlier.title.endswith(type_word):
            continue
        if meeting and earlier.meeting and earlier.meeting != meeting:
            continue  # adopted at another meeting: not the document meant
        rule = "meeting-qualified" if meeting else "short-form"
        return _Cited(earlier.title, earlier.target, earlier.meeting or meeting, rule, 1.0,
                      earlier.issuer, [])
    # Nothing it can stand for: its own work, never guessed.
    return _Cited(type_word, None, meeting, UNRESOLVED_SHORT_FORM, 0.0, "", [])
