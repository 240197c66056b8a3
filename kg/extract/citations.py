"""Finding the works a text cites: top-level 《…》 spans and what is written right before them.

Nested brackets (〈〉, <>, ‹›, an inner 《》) stay inside the outer title, a title may be broken
across a line, and the words before the brackets can name the issuer (中共中央《关于…》,
党中央、国务院《…》) or the meeting (十二届三中全会的《决定》). Newspapers and journals in 《》
(《人民日报》) are publications, not citations. ``normalize_title`` is the one normalisation
of titles, used for every comparison.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from ..model import CitationSpan, DateValue, MeetingMention
from .meetings import find_meetings

__all__ = ["find_title_spans", "find_citations", "normalize_title", "ISSUERS", "SHORT_TYPES"]

_OPEN, _CLOSE = "《", "》"
_MAX_TITLE = 120
_SPACED_HAN = re.compile(r"([\u4e00-\u9fff])[ \u3000]+(?=[\u4e00-\u9fff])")
_BRACKETS = re.compile("[《》\n]")
# Canonical issuers and the forms written before a title.
ISSUERS = {"中共中央": "中共中央", "党中央": "中共中央", "中国共产党中央委员会": "中共中央",
           "中央": "中共中央", "国务院": "国务院", "中央军委": "中央军委",
           "中共中央办公厅": "中共中央办公厅", "国务院办公厅": "国务院办公厅",
           "全国人大常委会": "全国人大常委会", "中央书记处": "中央书记处",
           "总政治部": "总政治部", "中共中央军委": "中央军委", "政务院": "政务院"}
_ISSUER_RUN = re.compile("(?:(?:" + "|".join(sorted(ISSUERS, key=len, reverse=True)) +
                         ")[、和与及]?)+$")
# A document type word that stands alone in 《》 as a short form of a longer title.
SHORT_TYPES = ("决定", "决议", "通知", "建议", "准则", "公报", "条例", "意见", "规定", "纲要",
               "指示", "报告", "规划", "纲领", "办法", "讲话", "宣言", "声明", "社论")
_MEETING_BEFORE = re.compile(r"(?:中国共产党|中共|党的)?(?:第?[一二三四五六七八九十]{1,3}届"
                             r"(?:中央委员会)?)?(?:第[一二三四五六七八九十]{1,3}次全体会议|"
                             r"[一二三四五六七八九十]{1,3}中全会|[一二三四五六七八九十]{1,3}大)"
                             r"(?:上)?(?:通过|审议通过|作出|发布)?的?$")

_INNER_BRACKETS = str.maketrans({"<": "〈", ">": "〉", "‹": "〈", "›": "〉", "＜": "〈", "＞": "〉",
                                 "《": "〈", "》": "〉"})
_DROP = re.compile(r"[\s·•・．.\u3000\u00b7\u30fb\u2027]")
_DASHES = re.compile(r"[—–－\-─━]+")
_ISSUER_PREFIXES = (("中国共产党中央委员会", "中共中央"), ("中华人民共和国国务院", "国务院"))


@lru_cache(maxsize=20_000)  # the titles cited again and again
def normalize_title(title: str) -> str:
    """The form of a title used to compare titles (not to show them).

    NFKC, traditional characters as simplified, no spaces or line breaks, one style of inner
    brackets, middle dots and dashes unified, the long issuer forms shortened.

    >>> normalize_title("中共中央關於無產階級文化大革命的決定") == normalize_title("中共中央关于无产阶级文化大革命的决定")
    True

    >>> normalize_title("五·一六 通知") == normalize_title("五一六通知")
    True
    >>> normalize_title("中国共产党中央委员会关于…的决定") == normalize_title("中共中央关于…的决定")
    True
    """
    text = _simplified(unicodedata.normalize("NFKC", title)).translate(_INNER_BRACKETS)
    text = _DASHES.sub("—", _DROP.sub("", text))
    for long, short in _ISSUER_PREFIXES:
        if text.startswith(long):
            text = short + text[len(long):]
    return text


@lru_cache(maxsize=1)
def _converter():
    from opencc import OpenCC
    return OpenCC("t2s")


def _simplified(text: str) -> str:
    """Traditional characters as simplified ones (OpenCC's t2s tables, shipped offline)."""
    return _converter().convert(text) if not text.isascii() else text


def display_title(inner: str) -> str:
    """The title as shown: the text inside the brackets without line breaks or the spaces
    OCR leaves between Chinese characters.

    >>> display_title("中共中央关 于无产阶\\n级文化大革命的决定")
    '中共中央关于无产阶级文化大革命的决定'
    """
    text = "".join(part.strip() for part in inner.split("\n")).strip()
    return _SPACED_HAN.sub(r"\1", text)


def find_title_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every top-level 《…》 span, brackets included.

    >>> find_title_spans("读《评〈海瑞罢官〉》和《毛选》")
    [(1, 10), (11, 15)]
    """
    spans = []
    depth, start = 0, -1
    for match in _BRACKETS.finditer(text):
        char, i = match.group(), match.start()
        if char == _OPEN:
            if depth == 0:
                start = i
            depth += 1
        elif char == _CLOSE and depth:
            depth -= 1
            if depth == 0:
                spans.append((start, i + 1))
        elif char == "\n" and depth and i - start > _MAX_TITLE:
            depth = 0  # an unclosed bracket: give up on it, not on the rest of the text
    return spans


def find_citations(text: str, publications: dict[str, str], date: DateValue | None,
                   meetings: list[MeetingMention] | None = None
                   ) -> tuple[list[CitationSpan], list[tuple[str, str, int]], list[tuple[int, int]]]:
    """The citation spans, the publications named in 《》 ``(name, surface, start)``, and
    every 《…》 span (which entity finding must leave alone)."""
    spans = find_title_spans(text)
    citations: list[CitationSpan] = []
    named: list[tuple[str, str, int]] = []
    for start, end in spans:
        inner = display_title(text[start + 1:end - 1])
        if not inner:
            continue
        publication = publications.get(inner) or \
            publications.get(unicodedata.normalize("NFKC", inner))
        if publication:
            named.append((publication, text[start:end], start))
            continue
        before = text[max(0, start - 40):start]
        issuer = meeting = ""
        surface_start = start
        if match := _ISSUER_RUN.search(before):
            issuers = re.findall("|".join(sorted(ISSUERS, key=len, reverse=True)), match.group())
            issuer = "、".join(dict.fromkeys(ISSUERS[i] for i in issuers))
            if issuer == "中共中央" and match.group() in ("中央",) and \
                    not inner.startswith("关于"):
                issuer = ""
            if issuer:
                surface_start = start - len(match.group())
        elif match := _MEETING_BEFORE.search(before):
            found = find_meetings(text[start - len(match.group()):start], date) \
                if meetings is None else [m for m in meetings
                                          if start - len(match.group()) <= m.start < start]
            if found:
                meeting = found[-1].name
                surface_start = start - len(match.group())
        citations.append(CitationSpan(inner, text[surface_start:end], start, end, issuer,
                                      meeting))
    return citations, named, spans
