"""Finding the works a text cites: top-level 《…》 spans and what is written right before them.

Nested brackets (〈〉, <>, ‹›, an inner 《》) stay inside the outer title, a title may be broken
across a line, and the words before the brackets can name the issuer (中共中央《关于…》,
党中央、国务院《…》) or the meeting (十二届三中全会的《决定》). Newspapers and journals in 《》
(《人民日报》) are publications, not citations: listed ones, and any the form of the name
(…日报, …月刊, …论坛) or the words around it (第3期, 原载…) show to be one. A name in 《》 that
is part of a mass organisation's name (《东方红》公社, 北航《红旗》战斗队, 《红色服务站》) is
neither. ``normalize_title`` is the one normalisation of titles, used for every comparison.
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
_BRACKETS = re.compile("[《》]")
# Canonical issuers and the forms written before a title.
ISSUERS = {"中共中央": "中共中央", "党中央": "中共中央", "中国共产党中央委员会": "中共中央",
           "中央": "中共中央", "国务院": "国务院", "中央军委": "中央军委",
           "中共中央办公厅": "中共中央办公厅", "国务院办公厅": "国务院办公厅",
           "全国人大常委会": "全国人大常委会", "中央书记处": "中央书记处",
           "总政治部": "总政治部", "中共中央军委": "中央军委", "政务院": "政务院"}
_ISSUER_RUN = re.compile("(?:(?:" + "|".join(sorted(ISSUERS, key=len, reverse=True)) +
                         ")[、和与及]?)+$")
# The last character of a run of issuers: what ends one, or a conjunction (a cheap test first).
_ISSUER_LAST = frozenset(issuer[-1] for issuer in ISSUERS) | frozenset("、和与及")
# A document type word that stands alone in 《》 as a short form of a longer title.
SHORT_TYPES = ("决定", "决议", "通知", "建议", "准则", "公报", "条例", "意见", "规定", "纲要",
               "指示", "报告", "规划", "纲领", "办法", "讲话", "宣言", "声明", "社论")
_MEETING_BEFORE = re.compile(r"(?:中国共产党|中共|党的)?(?:第?[一二三四五六七八九十]{1,3}届"
                             r"(?:中央委员会)?)?(?:第[一二三四五六七八九十]{1,3}次全体会议|"
                             r"[一二三四五六七八九十]{1,3}中全会|[一二三四五六七八九十]{1,3}大)"
                             r"(?:上)?(?:通过|审议通过|作出|发布)?的?$")
# What every match of _MEETING_BEFORE holds (a cheap test first).
_MEETING_HINT = re.compile("[一二三四五六七八九十](?:次全体会议|中全会|大)")

# The name of a newspaper or journal ends so (…日报, 《明报月刊》); a title ending in 公报 or
# 汇报 is a document.
_PUBLICATION_NAME = re.compile(r"(?:日报|晚报|早报|时报|周报|画报|学报|导报|商报|战报|文革报|[^公通汇简情喜捷电年预举]报|"
                               r"月刊|周刊|半月刊|季刊|双月刊|旬刊|杂志|文摘|论坛|新闻)$")
# …or the words after it say so: an issue (第3期, 1993年第3期), 杂志, 社论, its staff.
_PUBLICATION_AFTER = re.compile(r"[ \u3000]*(?:[，,]?[ \u3000]*(?:[0-9０-９]{4}|[一二三四五六七八九〇零]{4})年)?"
                                r"(?:第[0-9０-９一二三四五六七八九十百]+期|杂志|社论|编辑部|总编|执行编辑|记者|月刊)")
# …or the words before it: where a text was first printed (原载香港《苹果日报》).
_PUBLICATION_BEFORE = re.compile(r"(?:原载|原载于|刊于|刊载于|刊登于|发表于|载于)[\u4e00-\u9fff]{0,4}$")
# A name in 《》 followed by one of these is part of a mass organisation's name, not a title.
_GROUP_AFTER = re.compile(r"(?:公社|战斗队|战斗组|战斗团|兵团|红卫兵|造反|纵队|总部|司令部|服务站|"
                          r"联络站|广播站|战团|支队|大队|小分队|突击队|敢死队|革命委员会|筹委会|"
                          r"的?同学|的?同志|战士|战友|小将|成员|全体)")
_GROUP_NAME = re.compile(r"(?:战斗队|战斗组|兵团|红卫兵|服务站|联络站|广播站|公社|总部|司令部)$")

_INNER_BRACKETS = str.maketrans({"<": "〈", ">": "〉", "‹": "〈", "›": "〉", "＜": "〈", "＞": "〉",
                                 "《": "〈", "》": "〉"})
_DROP = re.compile(r"[\s·•・．.\u3000\u00b7\u30fb\u2027]")
_DASHES = re.compile(r"[—–－\-─━]+")
_ISSUER_PREFIXES = (("中国共产党中央委员会", "中共中央"), ("中华人民共和国国务院", "国务院"))
# An issuer written at the head of a 关于… title: 中共中央关于…的决定 and 关于…的决定 are one work.
_ISSUER_HEAD = re.compile("^(?:(?:中共中央|国务院|中央军委|中共中央军委|全国人大常委会|中央书记处|"
                          "中共中央办公厅|国务院办公厅|中央)[、和与及]?)+(?=关于)")


@lru_cache(maxsize=20_000)  # the titles cited again and again
def normalize_title(title: str) -> str:
    """The form of a title used to compare titles (not to show them).

    NFKC, traditional characters as simplified, no spaces or line breaks, one style of inner
    brackets, middle dots and dashes unified, an issuer before 关于 dropped.

    >>> normalize_title("中共中央關於無產階級文化大革命的決定") == normalize_title("中共中央关于无产阶级文化大革命的决定")
    True

    >>> normalize_title("五·一六 通知") == normalize_title("五一六通知")
    True
    >>> normalize_title("中国共产党中央委员会关于…的决定") == normalize_title("关于…的决定")
    True
    >>> normalize_title("评新编历史剧<海瑞罢官>") == normalize_title("评新编历史剧〈海瑞罢官〉")
    True
    """
    text = _simplified(unicodedata.normalize("NFKC", title)).translate(_INNER_BRACKETS)
    text = _DASHES.sub("—", _DROP.sub("", text))
    for long, short in _ISSUER_PREFIXES:
        if text.startswith(long):
            text = short + text[len(long):]
    return _ISSUER_HEAD.sub("", text)


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
    text = "".join(part.strip() for part in inner.split("\n")).strip() if "\n" in inner \
        else inner.strip()
    return _SPACED_HAN.sub(r"\1", text) if " " in text or "\u3000" in text else text


def find_title_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every top-level 《…》 span, brackets included.

    >>> find_title_spans("读《评〈海瑞罢官〉》和《毛选》")
    [(1, 10), (11, 15)]
    """
    spans = []
    depth, start = 0, -1
    passed = 0  # the line breaks before this are passed
    for match in _BRACKETS.finditer(text):
        char, i = match.group(), match.start()
        # an unclosed bracket is given up at a line break far from it, not the rest of the
        # text; only the line breaks inside a bracket matter, looked for there (in C)
        if depth and text.find("\n", max(passed, start + _MAX_TITLE + 1), i) >= 0:
            depth = 0
        passed = i + 1
        if char == _OPEN:
            if depth == 0:
                start = i
            depth += 1
        elif depth:
            depth -= 1
            if depth == 0:
                spans.append((start, i + 1))
    return spans


def find_citations(text: str, publications: dict[str, str], date: DateValue | None,
                   meetings: list[MeetingMention] | None = None
                   ) -> tuple[list[CitationSpan], list[tuple[str, str, int]], list[tuple[int, int]]]:
    """The citation spans, the publications named in 《》 ``(name, surface, start)``, and
    every 《…》 span (which entity finding must leave alone)."""
    spans = find_title_spans(text)
    citations: list[CitationSpan] = []
    named: list[tuple[str, str, int]] = []
    inners = [display_title(text[start + 1:end - 1]) for start, end in spans]
    # 《东方红》公社, 《东方红》同志们: a mass organisation's name, wherever the text writes it
    groups = {inner for inner, (_, end) in zip(inners, spans)
              if _GROUP_AFTER.match(text, end) or _GROUP_NAME.search(inner)}
    for inner, (start, end) in zip(inners, spans):
        if not inner or inner in groups:
            continue
        publication = publications.get(inner) or \
            publications.get(unicodedata.normalize("NFKC", inner))
        if not publication and (_PUBLICATION_NAME.search(inner) or _PUBLICATION_AFTER.match(text, end)
                                or _PUBLICATION_BEFORE.search(text, max(0, start - 10), start)):
            publication = inner
        if publication:
            named.append((publication, text[start:end], start))
            continue
        before = text[max(0, start - 40):start]
        issuer = meeting = ""
        surface_start = start
        # ($ matches before a last line break too)
        last = before[-2:-1] if before.endswith("\n") else before[-1:]
        if last in _ISSUER_LAST and (match := _ISSUER_RUN.search(before)):
            issuers = re.findall("|".join(sorted(ISSUERS, key=len, reverse=True)), match.group())
            issuer = "、".join(dict.fromkeys(ISSUERS[i] for i in issuers))
            if issuer == "中共中央" and match.group() in ("中央",) and \
                    not inner.startswith("关于"):
                issuer = ""
            if issuer:
                surface_start = start - len(match.group())
        elif _MEETING_HINT.search(before) and (match := _MEETING_BEFORE.search(before)):
            found = find_meetings(text[start - len(match.group()):start], date) \
                if meetings is None else [m for m in meetings
                                          if start - len(match.group()) <= m.start < start]
            if found:
                meeting = found[-1].name
                surface_start = start - len(match.group())
        citations.append(CitationSpan(inner, text[surface_start:end], start, end, issuer,
                                      meeting))
    return citations, named, spans
