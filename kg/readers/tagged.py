"""The tagged newspaper format: ``〖CODE/中文名〗value〖-CODE/中文名〗``.

One record per file in the real archive, several concatenated in some copies: a field whose
code the current record already has starts the next record. ``HH`` (line break) and ``JZ``
(emphasis) are markup inside text, not fields. Unknown codes are kept as ``other_fields``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from ..errors import Problem
from ..model import DateValue, Field, Record
from .names import (garbled_authors, looks_like_name, split_list, split_pseudo_fields,
                    split_run_together)
from .source import Source

__all__ = ["read_tagged", "looks_tagged"]

_TAG = re.compile(r"〖(-?)([A-Za-z]{1,4})/([^〗\n]{0,12})〗")
_INLINE = {"HH": "\n", "JZ": ""}
_BODY_PSEUDO = re.compile(r"(?:RW|DW)[：:][^\n]*$", re.MULTILINE)
_BYLINE = re.compile(r"^(?:本报|新华社|解放军报|人民日报)?(?:特约)?(?:记者|通讯员|特派记者)")
_SLOTS = {"YT": "pretitle", "TC": "genre", "BH": "page", "BM": "page_name",
          "ZQ": "issue_number", "TH": "item", "FL": "classification", "LM": "column"}
_KNOWN = {"RQ", "BT", "ZZ", "GJ", "ZW", "FT", "FB"} | set(_SLOTS)


def looks_tagged(head: str) -> bool:
    """True when the text starts (after blank space) with a tagged field.

    >>> looks_tagged("\\n〖ZQ/总期〗11789〖-ZQ/总期〗")
    True
    """
    return _TAG.match(head.lstrip(" \t\n\ufeff\u3000")) is not None


@dataclass
class _Draft:
    """A record being read: code → (Chinese name, raw value, line)."""

    line: int
    fields: dict[str, tuple[str, str, int]] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)

    def store(self, code: str, name: str, value: str, line: int) -> None:
        self.fields[code] = (name, value, line)
        self.order.append(code)


def read_tagged(source: Source, text: str) -> Iterator[Record | Problem]:
    """Yield the records of a tagged file, and a :class:`Problem` for each thing wrong."""
    warned = bool(source.publication)
    for index, draft in enumerate(_drafts(text)):
        for found in _to_record(source, index, draft):
            if not warned and isinstance(found, Record):
                warned = True  # the records do not name their newspaper; nothing else does
                yield Problem(source.relpath, None, 1, "no publication for these tagged "
                              "records (the format does not name its newspaper): give "
                              "--publication NAME or a corpus.toml with publication = \"NAME\" "
                              "in their folder; built without dcterms:isPartOf", "warning")
            yield found


def _drafts(text: str) -> Iterator[_Draft]:
    draft: _Draft | None = None
    open_field: tuple[str, str, int] | None = None  # code, name, line
    value: list[str] = []
    pos = 0

    def line_at(offset: int) -> int:
        return text.count("\n", 0, offset) + 1

    for match in _TAG.finditer(text):
        closing, code, name = match.group(1) == "-", match.group(2).upper(), match.group(3)
        between, pos = text[pos:match.start()], match.end()
        if open_field:
            value.append(between)
        elif between.strip() and draft is not None:
            draft.problems.append((line_at(match.start()),
                                   f"text outside any field ignored: {between.strip()[:20]!r}"))
        if code in _INLINE:
            if open_field and not closing:
                value.append(_INLINE[code])
            continue
        if closing:
            if open_field and open_field[0] == code:
                draft.store(code, open_field[1], "".join(value), open_field[2])
                open_field, value = None, []
            elif draft is not None:
                draft.problems.append((line_at(match.start()),
                                       f"closing tag 〖-{code}/{name}〗 matches no open field"))
            continue
        line = line_at(match.start())
        if open_field:
            draft.problems.append((open_field[2], f"field 〖{open_field[0]}/{open_field[1]}〗 "
                                   f"is not closed before 〖{code}/{name}〗 on line {line}; "
                                   "its text up to there was kept"))
            draft.store(open_field[0], open_field[1], "".join(value), open_field[2])
            open_field, value = None, []
        if draft is None or code in draft.fields:
            if draft is not None:
                yield draft
            draft = _Draft(line)
        open_field = (code, name, line)
    if draft is None:
        return
    if open_field:
        value.append(text[pos:])
        draft.problems.append((open_field[2], f"record truncated: field 〖{open_field[0]}/"
                               f"{open_field[1]}〗 has no closing tag; its text was kept"))
        draft.store(open_field[0], open_field[1], "".join(value), open_field[2])
    yield draft


def _to_record(source: Source, index: int, draft: _Draft) -> Iterator[Record | Problem]:
    for line, message in draft.problems:
        yield Problem(source.relpath, index, line, message, "warning")
    get = {code: _clean(value) for code, (_, value, _) in draft.fields.items()}
    missing = [code for code in ("ZQ", "BH", "TH", "BT") if not get.get(code)]
    if missing:
        yield Problem(source.relpath, index, draft.line,
                      "record has no " + ", ".join(missing) + " field, so it cannot be "
                      "identified ({ZQ}-{BH}-{TH}) and titled; it was skipped")
        return
    dates: tuple[DateValue, ...] = ()
    if get.get("RQ"):
        date, wrong = _parse_rq(get["RQ"])
        if wrong:
            yield Problem(source.relpath, index, draft.fields["RQ"][2],
                          f"RQ/日期 {get['RQ']!r} {wrong}", "warning")
        if date is not None:
            dates = (date,)
    keywords_text, lists = split_pseudo_fields(get.get("GJ", ""))
    body, body_lists = _body(draft.fields.get("ZW", ("", "", 0))[1])
    for code, items in body_lists.items():
        lists.setdefault(code, []).extend(items)
    keywords = split_list(keywords_text)
    # RW： lists persons (人物), with their posts and facets (江泽民/总书记/活动): the names are
    # listed persons; the list is kept as written when it holds more. Never keywords.
    listed = list(dict.fromkeys(lists.get("RW", [])))
    persons = [name for name in listed if looks_like_name(name)]
    others = tuple(Field(code, draft.fields[code][0], get[code])
                   for code in draft.order if code not in _KNOWN)
    if len(persons) < len(listed):
        others += (Field("RW", "人物", "/".join(listed)),)
    authors = _authors(get.get("ZZ", ""))
    yield from garbled_authors(authors, source.relpath, index,
                               draft.fields["ZZ"][2] if "ZZ" in draft.fields else None)
    yield Record(
        format="tagged", source_path=source.relpath, record_index=index, line=draft.line,
        source_id=f"{get['ZQ']}-{get['BH']}-{get['TH']}", title=get["BT"],
        publication=source.publication, dates=dates, authors=tuple(authors),
        keywords=tuple(dict.fromkeys(keywords)), listed_persons=tuple(persons),
        listed_units=tuple(dict.fromkeys(lists.get("DW", []))), other_fields=others,
        subtitle=get.get("FT") or get.get("FB", ""), body=body,
        **{attr: get.get(code, "") for code, attr in _SLOTS.items()})


def _clean(value: str) -> str:
    return value.strip().strip("\u3000")


def _parse_rq(value: str) -> tuple[DateValue | None, str]:
    """The date of an RQ field and what is wrong with it ('' when nothing is).

    >>> _parse_rq("19900312")
    (DateValue(year=1990, month=3, day=12), '')
    >>> _parse_rq("19900231")
    (DateValue(year=1990, month=2, day=None), 'is no date: 1990-02 has no day 31: kept as 1990-02')
    """
    if not re.fullmatch(r"\d{8}", value):
        return None, "is not a YYYYMMDD date; the record has no date"
    year, month, day = int(value[:4]), int(value[4:6]), int(value[6:])
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None, "is not a YYYYMMDD date; the record has no date"
    date, wrong = DateValue.checked(year, month, day)
    return date, wrong and f"is no date: {wrong}"


def _body(raw: str) -> tuple[str, dict[str, list[str]]]:
    lists: dict[str, list[str]] = {}
    for match in _BODY_PSEUDO.finditer(raw):
        for code, items in split_pseudo_fields(match.group())[1].items():
            lists.setdefault(code, []).extend(items)
    raw = _BODY_PSEUDO.sub("", raw)
    paragraphs = (line.strip(" \t\u3000") for line in raw.split("\n"))
    return "\n".join(p for p in paragraphs if p), lists


def _authors(value: str) -> list[str]:
    names: list[str] = []
    for part in split_list(value):
        part = _BYLINE.sub("", part) or part
        names.extend(split_run_together(part))
    return list(dict.fromkeys(names))
