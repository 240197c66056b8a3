"""The records the readers yield and the facts the extractor finds in them.

Everything here is a frozen dataclass: values cross module (and process) boundaries, never
dicts of loose strings. The small, numerous ones (dates, tags, mentions, spans) have no
``__slots__``: pickling slotted dataclasses goes through Python-level ``__setstate__``, which
made reading the build cache back three times slower.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, fields
from operator import attrgetter
from typing import NamedTuple

__all__ = ["DateValue", "Tag", "Field", "Record", "Mention", "MeetingMention",
           "CitationSpan", "Facts", "ResolvedCitation", "Document", "BHA_SCOPE"]

# The scope of an identifier that is unique in a whole archive, not only in a publication:
# a banned-historical-archives id names one article in every collection and copy.
BHA_SCOPE = "bha"


@dataclass(frozen=True, order=True)
class DateValue:
    """A calendar date known to the year, the month or the day.

    >>> DateValue(1966, 5).iso()
    '1966-05'
    >>> DateValue(1990, 4, 21).precision
    'day'
    """

    year: int
    month: int | None = None
    day: int | None = None

    def __reduce__(self):  # pickled by the million in a build's state: keep it short
        return DateValue, (self.year, self.month, self.day)

    @classmethod
    def checked(cls, year: int, month: int | None = None, day: int | None = None
                ) -> tuple[DateValue | None, str]:
        """The date of these parts without the parts that make it no date (a day its month
        does not have, a month 13, a year outside 1–9999, which no XSD tool reads alike), and
        what was left out ('' when nothing was): the readers report it.

        >>> DateValue.checked(1990, 2, 28)
        (DateValue(year=1990, month=2, day=28), '')
        >>> DateValue.checked(1990, 2, 30)
        (DateValue(year=1990, month=2, day=None), '1990-02 has no day 30: kept as 1990-02')
        >>> DateValue.checked(1990, 13)
        (DateValue(year=1990, month=None, day=None), 'there is no month 13: kept as 1990')
        >>> DateValue.checked(-44, 3, 15)
        (None, 'year -44 is not within 1–9999: the date was left out')
        """
        if not 1 <= year <= 9999:
            return None, f"year {year} is not within 1–9999: the date was left out"
        if month is None:
            return cls(year), ""
        if not 1 <= month <= 12:
            return cls(year), f"there is no month {month}: kept as {year:04d}"
        kept = cls(year, month)
        if day is None:
            return kept, ""
        if not 1 <= day <= calendar.monthrange(year, month)[1]:
            return kept, f"{kept.iso()} has no day {day}: kept as {kept.iso()}"
        return cls(year, month, day), ""

    @property
    def precision(self) -> str:
        if self.day is not None:
            return "day"
        return "month" if self.month is not None else "year"

    def iso(self) -> str:
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
            if self.day is not None:
                text += f"-{self.day:02d}"
        return text


@dataclass(frozen=True)
class Tag:
    """An archive tag (BHA ``标签`` or ``.tags``); ``type`` is the archive's own (人物 …)."""

    name: str
    type: str = ""


@dataclass(frozen=True, slots=True)
class Field:
    """A tagged-format field the reader has no slot for, kept verbatim."""

    code: str
    name: str
    value: str


@dataclass(frozen=True, slots=True)
class Record:
    """One record (a printed article or document) as read from an archive file.

    ``source_path`` is relative to the input root (POSIX separators); ``record_index`` is the
    0-based index of the record in its file and ``line`` the 1-based line where it starts.
    ``body`` holds the paragraphs of the text joined by newlines, without markup; ``notes``
    holds a 【注释】 section apart from it.

    ``id_scope`` is where ``source_id`` is unique: empty for an identifier unique only within
    its publication (a newspaper's ``{ZQ}-{BH}-{TH}``), ``BHA_SCOPE`` for a BHA id.
    ``publication_inferred`` is true when the record does not name its publication itself
    and the reader took it from ``--publication`` or the folder the file is in.
    """

    format: str
    source_path: str
    record_index: int
    line: int
    source_id: str
    title: str
    publication: str = ""
    dates: tuple[DateValue, ...] = ()
    date_range: bool = False
    authors: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    tags: tuple[Tag, ...] = ()
    listed_persons: tuple[str, ...] = ()
    listed_units: tuple[str, ...] = ()
    pretitle: str = ""
    subtitle: str = ""
    genre: str = ""
    page: str = ""
    page_name: str = ""
    issue_number: str = ""
    item: str = ""
    classification: str = ""
    column: str = ""
    other_fields: tuple[Field, ...] = ()
    description: str = ""
    source: str = ""
    publication_author: str = ""
    body: str = ""
    notes: str = ""
    id_scope: str = ""
    publication_inferred: bool = False

    @property
    def key(self) -> tuple[str, str]:
        """What makes two records the same document: the identifier within its scope — its
        publication, or the whole archive for a BHA id (whatever publication a copy names).

        >>> Record("bha-json", "a.json", 0, 1, "8bad3e691d", "题", publication="jfjb",
        ...        id_scope=BHA_SCOPE).key
        ('bha', '8bad3e691d')
        >>> Record("tagged", "a.TXT", 0, 1, "11759-04-1", "题", publication="解放军报").key
        ('解放军报', '11759-04-1')
        """
        return (self.id_scope or self.publication, self.source_id)

    def __reduce__(self):  # by the thousand in the build's cache: by position, in C
        return Record, _RECORD_VALUES(self)

    def content(self) -> tuple:
        """The fields that must agree when the same article is read twice."""
        return (self.source_id, self.title, self.publication, self.dates, self.date_range,
                self.authors, self.keywords, tuple(t.name for t in self.tags), self.pretitle,
                self.subtitle,
                self.genre, self.page, self.page_name, self.issue_number, self.body)

    @property
    def text(self) -> str:
        """The text the extractor reads: the body, then the notes."""
        return f"{self.body}\n{self.notes}" if self.notes else self.body


class Mention(NamedTuple):
    """An entity named in a text: ``kind`` is person, organization, place or publication.

    A named tuple, not a dataclass: a text names hundreds, and a tuple is made the fastest."""

    kind: str
    name: str
    surface: str
    start: int


@dataclass(frozen=True)
class MeetingMention:
    """A Party meeting named in a text, with its canonical full name."""

    name: str
    surface: str
    start: int
    congress: int
    plenum: int | None = None


@dataclass(frozen=True)
class CitationSpan:
    """A 《…》 span in a text and what the text around it says about it.

    ``title`` is the normalised inner text; ``issuer`` the canonical issuer written right
    before the brackets (中共中央《关于…》); ``meeting`` the canonical meeting written right
    before it (十二届三中全会的《决定》); ``surface`` the whole form as written, qualifiers
    included.
    """

    title: str
    surface: str
    start: int
    end: int
    issuer: str = ""
    meeting: str = ""


@dataclass(frozen=True, slots=True)
class Facts:
    """What the extractor found in one record's text."""

    mentions: tuple[Mention, ...] = ()
    meetings: tuple[MeetingMention, ...] = ()
    citations: tuple[CitationSpan, ...] = ()
    publications: tuple[Mention, ...] = ()
    adopted_at: str = ""
    adopted_on: DateValue | None = None
    terms: tuple[tuple[str, int], ...] = ()  # (term, count) for keyword weighting

    def __reduce__(self):  # as Record's
        return Facts, _FACTS_VALUES(self)


# A slotted frozen dataclass pickles through Python-level __getstate__/__setstate__ that look
# its fields up on every call; these read them all in one C call instead.
_RECORD_VALUES = attrgetter(*(f.name for f in fields(Record)))
_FACTS_VALUES = attrgetter(*(f.name for f in fields(Facts)))


@dataclass(frozen=True, slots=True)
class ResolvedCitation:
    """A work a document cites, after resolution: a corpus document or an outside work.

    ``target`` is the corpus document's key ``(publication, source_id)``, or ``None`` for a
    work outside the archive, identified by its normalised ``title``. ``evidence`` holds
    ``(surface, start, end, rule)`` for every place in the text that cites it, with the rule
    that resolved that place.
    """

    title: str
    target: tuple[str, str] | None
    rule: str
    score: float = 1.0
    issuer: str = ""
    evidence: tuple[tuple[str, int, int, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Document:
    """A record ready to become triples: merged with its copies, its citations resolved.
    Its key is its record's (``record.key``): the first copy is one of its own identifier."""

    record: Record
    facts: Facts
    copies: tuple[tuple[str, int], ...] = ()
    citations: tuple[ResolvedCitation, ...] = ()
    keywords: tuple[str, ...] = ()
    reprint_of: tuple[str, str] | None = None
    # The keys of the same article in other archives (a BHA copy of a newspaper's record),
    # merged into this document.
    twins: tuple[tuple[str, str], ...] = ()
