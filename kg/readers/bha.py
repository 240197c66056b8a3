"""The banned-historical-archives formats: the txt export and the archive's parsed JSON.

Both describe the same articles, and for the same article both readers yield the same record
(a test checks every pair in the real samples): paragraphs joined by newlines, heading and
quotation markup (``# ``, ``## ``, ``> ``) removed, a 【注释】 section kept apart as notes,
tags and authors without repeats, dates with their zero parts dropped.
"""

from __future__ import annotations

import json
import re
import stat
from collections.abc import Iterator
from pathlib import Path

from ..errors import Problem
from ..model import BHA_SCOPE, DateValue, Record, Tag
from .names import garbled_authors
from .source import Source, readable_name, size_problem

__all__ = ["read_bha_txt", "read_bha_json", "looks_bha_txt", "looks_bha_json",
           "is_bha_sidecar"]

_HEADER = re.compile(r"^(id|标题|日期|是否是时间段|作者|来源|标签|书籍|书籍作者|描述)\s*[:：]\s?(.*)$")
_MARKUP = re.compile(r"^(?:#{1,6}|>)[ \u3000]")
_NOTES = "【注释】"
_DATE = re.compile(r"^(\d{1,4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?$")
_ARTICLE_START = re.compile(r'\{\s*"(?:title|dates|authors|parts|is_range_date|description)"\s*:')
# A \\uXXXX escape of a UTF-16 surrogate: a high half with its low half (a pair: one
# character), a high half alone or a low half alone (no character: not UTF-8, they would stop
# the build where the text is written). An escaped backslash is matched as itself, so that
# ``\\\\ud800`` (a backslash, then "ud800") is not read as an escape.
_SURROGATES = re.compile(r"\\(?:\\|u(?P<high>d[89ab][0-9a-f]{2})(?P<low>\\ud[c-f][0-9a-f]{2})?"
                         r"|u(?P<lone>d[c-f][0-9a-f]{2}))", re.IGNORECASE)
_MAYBE_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")


def looks_bha_txt(head: str) -> bool:
    """True when the text starts with the export's ``id:`` line.

    >>> looks_bha_txt("id: 8bad3e691d\\n标题：…")
    True
    """
    return re.match(r"\s*id\s*[:：]", head) is not None


def looks_bha_json(head: str) -> bool:
    """True for a JSON object with the keys of the archive's articles: ``"parts"``, or one
    that an article starts with (a long title may put ``"parts"`` beyond the first kilobytes).

    >>> looks_bha_json('{"title": "' + "长" * 3000)
    True
    >>> looks_bha_json('{"name": "文集", "parts": []}'), looks_bha_json('{"name": "文集"}')
    (True, False)
    """
    head = head.lstrip()
    return head.startswith("{") and ('"parts"' in head or _ARTICLE_START.match(head) is not None)


def is_bha_sidecar(path: Path, head: str) -> bool:
    """``{id}.tags`` and ``{book}.metadata`` files are read with their article, not alone."""
    return path.suffix in (".tags", ".metadata") and head.lstrip()[:1] in ("[", "{")


def parse_date(text: str) -> tuple[DateValue | None, str]:
    """A ``yyyy-m-d`` date whose zero parts are unknown, and what of it is no date ('' when
    all is well: see ``DateValue.checked``). Raises ``ValueError`` on text of another form.

    >>> parse_date("1966-5-0")
    (DateValue(year=1966, month=5, day=None), '')
    >>> parse_date("0-0-0")
    (None, '')
    >>> parse_date("1990-2-30")[1]
    '1990-02 has no day 30: kept as 1990-02'
    """
    match = _DATE.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a yyyy-m-d date")
    year, month, day = (int(part) if part else 0 for part in match.groups())
    return _date(year, month, day)


def _date(year: int, month: int, day: int) -> tuple[DateValue | None, str]:
    if not year:
        return None, ""
    if not month:  # unknown, and so is the day
        return DateValue.checked(year)
    return DateValue.checked(year, month, day or None)


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
            date, wrong = parse_date(part)
        except ValueError as error:
            date, wrong = None, f"{error}; date ignored"
        else:
            wrong = wrong and f"日期 {part!r} is no date: {wrong}"
        if wrong:
            yield Problem(source.relpath, 0, _line_of(lines, "日期"), wrong, "warning")
        if date is not None:
            dates.append(date)
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
        data, lone = load_json(text)
    except json.JSONDecodeError as error:
        yield Problem(source.relpath, 0, error.lineno, f"invalid JSON: {error.msg}; skipped")
        return
    except RecursionError:
        yield Problem(source.relpath, 0, None, "JSON nested too deeply to be read (lists or "
                      "objects some thousand levels deep); skipped")
        return
    if lone is not None:
        yield Problem(source.relpath, 0, lone, _SURROGATE_MESSAGE, "warning")
    if not isinstance(data, dict) or not isinstance(data.get("parts"), list):
        yield Problem(source.relpath, 0, 1, "JSON without a list of parts is no BHA article; "
                      "skipped")
        return
    tags, problems = _sidecar(source, source.path.with_suffix(".tags"), list)
    yield from problems
    book_dir = source.path.parent.parent
    book_id = readable_name(book_dir.name)
    metadata, problems = _sidecar(source, book_dir / f"{book_dir.name}.metadata", dict)
    yield from problems
    parts = [_text(p.get("text")) for p in data["parts"] if isinstance(p, dict)]
    body, notes = _paragraphs(parts)
    comments = [_text(c.get("text") if isinstance(c, dict) else c)
                for c in _list(data.get("comments"))]
    notes = "\n".join(filter(None, [notes, *comments]))
    dates: tuple[DateValue, ...] = ()
    for number, value in enumerate(_list(data.get("dates"))):
        date, wrong = _json_date(value)
        if wrong:
            yield Problem(source.relpath, 0, _line_of_key(text, "dates"),
                          f"dates[{number}] {_short(value)} is no date: {wrong}", "warning")
        if date is not None:
            dates += (date,)
    authors = list(dict.fromkeys(a.strip() for a in map(_text, _list(data.get("authors")))
                                 if a.strip()))
    yield from garbled_authors(authors, source.relpath, 0, None)
    named = str((metadata or {}).get("name", ""))
    yield Record(
        format="bha-json", source_path=source.relpath, record_index=0, line=1,
        source_id=readable_name(source.path.stem), title=_text(data.get("title")),
        id_scope=BHA_SCOPE,
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


def _sidecar(source: Source, path: Path, kind: type) -> tuple[object, list[Problem]]:
    """The JSON ``kind`` in the sidecar at ``path`` (or ``None``), and what was wrong with it:
    whatever it is, the article is built (without it, if need be)."""
    name = readable_name(path.name)

    def without(why: str) -> tuple[None, list[Problem]]:
        return None, [Problem(source.relpath, 0, None, f"{name} {why}; built without it",
                              "warning")]
    try:
        status = path.stat()
    except FileNotFoundError:
        return without("is missing beside the article")
    except OSError as error:
        return without(f"cannot be read ({error.strerror})")
    if not stat.S_ISREG(status.st_mode):
        return without("is not a regular file")
    if too_big := size_problem(status.st_size):
        return without(f"is not read: {too_big}")
    try:
        value, lone = load_json(path.read_bytes().decode("utf-8-sig"))
    except OSError as error:
        return without(f"cannot be read ({error.strerror})")
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return without(f"cannot be read ({error})")
    except RecursionError:
        return without("cannot be read (JSON nested too deeply)")
    if not isinstance(value, kind):
        return without(f"is not a JSON {kind.__name__}")
    if lone is not None:
        return value, [Problem(source.relpath, 0, None, f"{name}, line {lone}: "
                               f"{_SURROGATE_MESSAGE}", "warning")]
    return value, []


_SURROGATE_MESSAGE = ("escaped lone UTF-16 surrogates (such as \\ud800), which stand for no "
                      "character, were replaced with U+FFFD (the first on this line); the rest "
                      "was built")


def load_json(text: str) -> tuple[object, int | None]:
    """``json.loads``, each escaped lone surrogate (no character) read as U+FFFD; and the
    line of the first one (``None`` if none). Raises what ``json.loads`` raises.

    >>> load_json('{"title": "a\\\\ud800b", "x": "\\\\ud83d\\\\ude00"}')
    ({'title': 'a�b', 'x': '😀'}, 1)
    >>> load_json('["\\\\\\\\ud800"]')
    (['\\\\ud800'], None)
    """
    if _MAYBE_SURROGATE.search(text) is None:  # the usual case: one scan, in C
        return json.loads(text), None
    first: list[int] = []

    def replace(match: re.Match) -> str:
        if match["lone"] or match["high"] and not match["low"]:
            first.append(match.start())
            return "\\ufffd"
        return match.group()
    text = _SURROGATES.sub(replace, text)
    return json.loads(text), text.count("\n", 0, first[0]) + 1 if first else None


def _json_date(value: object) -> tuple[DateValue | None, str]:
    if not isinstance(value, dict):
        return None, ""
    try:
        return _date(*(int(value.get(k) or 0) for k in ("year", "month", "day")))
    except (TypeError, ValueError, OverflowError) as error:
        return None, f"{error}; the date was left out"


def _short(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def _line_of_key(text: str, key: str) -> int:
    """The line of the JSON text where ``"key"`` is first written (1 if nowhere)."""
    at = text.find(f'"{key}"')
    return text.count("\n", 0, at) + 1 if at >= 0 else 1
