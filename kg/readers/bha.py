"""The banned-historical-archives formats: the txt export and the archive's parsed JSON.

Both describe the same articles, and for the same article both readers yield the same record
(a test checks every pair in the real samples): paragraphs joined by newlines, heading and
quotation markup (``# ``, ``## ``, ``> ``) removed, a 【注释】 section kept apart as notes,
tags and authors without repeats, dates with their zero parts dropped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

from ..errors import Problem
from ..model import BHA_SCOPE, DateValue, Record, Tag
from .names import garbled_authors
from .source import Source

__all__ = ["read_bha_txt", "read_bha_json", "looks_bha_txt", "looks_bha_json",
           "is_bha_sidecar"]

_HEADER = re.compile(r"^(id|标题|日期|是否是时间段|作者|来源|标签|书籍|书籍作者|描述)\s*[:：]\s?(.*)$")
_MARKUP = re.compile(r"^(?:#{1,6}|>)[ \u3000]")
_NOTES = "【注释】"
_DATE = re.compile(r"^(\d{1,4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?$")


def looks_bha_txt(head: str) -> bool:
    """True when the text starts with the export's ``id:`` line.

    >>> looks_bha_txt("id: 8bad3e691d\\n标题：…")
    True
    """
    return re.match(r"\s*id\s*[:：]", head) is not None


def looks_bha_json(head: str) -> bool:
    return head.lstrip().startswith("{") and '"parts"' in head


def is_bha_sidecar(path: Path, head: str) -> bool:
    """``{id}.tags`` and ``{book}.metadata`` files are read with their article, not alone."""
    return path.suffix in (".tags", ".metadata") and head.lstrip()[:1] in ("[", "{")


def parse_date(text: str) -> DateValue | None:
    """A ``yyyy-m-d`` date whose zero parts are unknown.

    >>> parse_date("1966-5-0")
    DateValue(year=1966, month=5, day=None)
    >>> parse_date("0-0-0") is None
    True
    """
    match = _DATE.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a yyyy-m-d date")
    year, month, day = (int(part) if part else 0 for part in match.groups())
    return _date(year, month, day)


def _date(year: int, month: int, day: int) -> DateValue | None:
    if not year:
        return None
    if not 1 <= month <= 12:
        return DateValue(year)
    return DateValue(year, month, day if 1 <= day <= 31 else None)


def _paragraphs(texts: list[str]) -> tuple[str, str]:
    """Body and notes from paragraph texts, markup removed, blank ones dropped."""
    body: list[str] = []
    notes: list[str] = []
    target = body
    for text in texts:
        text = _MARKUP.sub("", text.strip()).strip()
        if text == _NOTES or text.startswith(_NOTES) and target is body:
            target = notes
            text = text[len(_NOTES):].strip()
        if text:
            target.append(text)
    return "\n".join(body), "\n".join(notes)


def read_bha_txt(source: Source, text: str) -> Iterator[Record | Problem]:
    """Yield the one record of a BHA txt export file."""
    lines = text.split("\n")
    header: dict[str, str] = {}
    last = None
    body_start = None
    for number, line in enumerate(lines, 1):
        if re.match(r"^正文\s*[:：]", line):
            body_start = number
            break
        match = _HEADER.match(line)
        if match:
            last = match.group(1)
            header[last] = match.group(2).strip()
        elif last == "标题" and line.strip():
            header[last] += "\n" + line.rstrip()
        elif line.strip() and last is not None:
            yield Problem(source.relpath, 0, number,
                          f"unexpected header line ignored: {line.strip()[:30]!r}", "warning")
    if not header.get("id"):
        yield Problem(source.relpath, 0, 1, "BHA txt file has no id: line; it was skipped")
        return
    if body_start is None:
        yield Problem(source.relpath, 0, len(lines), "record truncated: no 正文： line, so "
                      "the record has no body; its header was kept", "warning")
        body_start = len(lines)
    first = re.sub(r"^正文\s*[:：]", "", lines[body_start - 1]) if body_start <= len(lines) else ""
    raw = "\n".join([first, *lines[body_start:]])
    paragraphs = re.split(r"\n[ \t]*\n", raw.rstrip())
    # The export writes the description after the body, as a last 描述： paragraph.
    if paragraphs and (tail := re.match(r"^描述\s*[:：]\s?(.*)$", paragraphs[-1].strip(), re.S)):
        header["描述"] = header.get("描述") or tail.group(1).strip()
        paragraphs.pop()
    body, notes = _paragraphs(paragraphs)
    dates: list[DateValue] = []
    for part in filter(None, (p.strip() for p in re.split(r"[,，]", header.get("日期", "")))):
        try:
            if (date := parse_date(part)) is not None:
                dates.append(date)
        except ValueError as error:
            yield Problem(source.relpath, 0, _line_of(lines, "日期"), f"{error}; date ignored",
                          "warning")
    authors = split_list_commas(header.get("作者", ""))
    yield from garbled_authors(authors, source.relpath, 0, _line_of(lines, "作者"))
    yield Record(
        format="bha-txt", source_path=source.relpath, record_index=0, line=1,
        source_id=header["id"], title=header.get("标题", ""), id_scope=BHA_SCOPE,
        publication=header.get("书籍", "") or source.publication,
        publication_inferred=not header.get("书籍", ""), dates=tuple(dates),
        date_range=header.get("是否是时间段", "").lower() == "true" and len(dates) == 2,
        authors=tuple(authors),
        tags=tuple(Tag(name) for name in split_list_commas(header.get("标签", ""))),
        description=header.get("描述", ""), source=header.get("来源", ""),
        publication_author=header.get("书籍作者", ""), body=body, notes=notes)


def split_list_commas(value: str) -> list[str]:
    """Comma lists of the BHA export; names may contain spaces or slashes, so only commas split.

    >>> split_list_commas("毛泽东,文章,毛泽东")
    ['毛泽东', '文章']
    """
    return list(dict.fromkeys(p.strip() for p in re.split(r"[,，]", value) if p.strip()))


def _line_of(lines: list[str], key: str) -> int:
    return next((n for n, line in enumerate(lines, 1) if line.startswith(key)), 1)


def read_bha_json(source: Source, text: str) -> Iterator[Record | Problem]:
    """Yield the record of a BHA parsed JSON file, with its ``.tags`` and book ``.metadata``."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        yield Problem(source.relpath, 0, error.lineno, f"invalid JSON: {error.msg}; skipped")
        return
    if not isinstance(data, dict) or not isinstance(data.get("parts"), list):
        yield Problem(source.relpath, 0, 1, "JSON without a list of parts is no BHA article; "
                      "skipped")
        return
    tags, problem = _sidecar(source, source.path.with_suffix(".tags"), list)
    if problem:
        yield problem
    book_id = source.path.parent.parent.name
    metadata, problem = _sidecar(source, source.path.parent.parent / f"{book_id}.metadata", dict)
    if problem:
        yield problem
    parts = [_text(p.get("text")) for p in data["parts"] if isinstance(p, dict)]
    body, notes = _paragraphs(parts)
    comments = [_text(c.get("text") if isinstance(c, dict) else c)
                for c in _list(data.get("comments"))]
    notes = "\n".join(filter(None, [notes, *comments]))
    dates = tuple(d for d in (_json_date(x) for x in _list(data.get("dates"))) if d)
    authors = list(dict.fromkeys(a.strip() for a in map(_text, _list(data.get("authors")))
                                 if a.strip()))
    yield from garbled_authors(authors, source.relpath, 0, None)
    named = str((metadata or {}).get("name", ""))
    yield Record(
        format="bha-json", source_path=source.relpath, record_index=0, line=1,
        source_id=source.path.stem, title=_text(data.get("title")), id_scope=BHA_SCOPE,
        publication=named or source.publication or book_id, publication_inferred=not named,
        dates=dates, date_range=bool(data.get("is_range_date")) and len(dates) == 2,
        authors=tuple(authors),
        tags=tuple(dict.fromkeys(Tag(_text(t.get("name")).strip(), _text(t.get("type")))
                                 for t in _list(tags) if isinstance(t, dict)
                                 and _text(t.get("name")).strip())),
        description=_text(data.get("description")),
        publication_author=str((metadata or {}).get("author", "")), body=body, notes=notes)


def _text(value: object) -> str:
    """A string field of the archive's JSON; anything else (null, numbers, lists) reads as text."""
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _list(value: object) -> list:
    return value if isinstance(value, list) else []


def _sidecar(source: Source, path: Path, kind: type) -> tuple[object, Problem | None]:
    if not path.exists():
        return None, Problem(source.relpath, 0, None, f"{path.name} is missing beside the "
                             "article; built without it", "warning")
    try:
        value = json.loads(path.read_text("utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        return None, Problem(source.relpath, 0, None, f"{path.name} cannot be read ({error}); "
                             "built without it", "warning")
    if not isinstance(value, kind):
        return None, Problem(source.relpath, 0, None, f"{path.name} is not a JSON "
                             f"{kind.__name__}; built without it", "warning")
    return value, None


def _json_date(value: object) -> DateValue | None:
    if not isinstance(value, dict):
        return None
    try:
        return _date(*(int(value.get(k) or 0) for k in ("year", "month", "day")))
    except (TypeError, ValueError, OverflowError):
        return None
