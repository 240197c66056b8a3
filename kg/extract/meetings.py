"""Party meetings named in text, with their canonical full names.

Plenums (十三届六中全会, 中国共产党第十三届中央委员会第六次全体会议, a bare 六中全会 whose 届 comes
from a qualified mention earlier in the text or, failing that, from the Central Committee in
office on the record's date), Party congresses (十三大, 党的十四大, 第十三次全国代表大会) and
sessions of the National People's Congress (七届人大三次会议).
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..model import DateValue, MeetingMention
from .anchored import finditer_near
from .dates import chinese_number, parse_text_date

__all__ = ["find_meetings", "plenum_name", "congress_name", "adoption"]

_DIG = "一二三四五六七八九十"
_N = f"[{_DIG}]{{1,3}}"
_PLENUM_FULL = re.compile(
    rf"(?:中国共产党|中共)?第({_N})届中央委员会第({_N})次全体会议")
_PLENUM = re.compile(rf"(?:党的|中共)?({_N})届({_N})中全会")
_PLENUM_BARE = re.compile(rf"(?<![届{_DIG}])({_N})中全会")
_CONGRESS_FULL = re.compile(rf"(?:中国共产党|中共)第({_N})次全国代表大会|"
                            rf"党的第({_N})次全国代表大会")
_CONGRESS = re.compile(rf"(?<![{_DIG}])((?:十)?[一二三四五六七八九]|十)大(?![会学型小家区楼院城国事)]|"
                       r"[关元纪建军战队洲])")
_NPC = re.compile(rf"第?({_N})届全国人民代表大会第({_N})次会议|({_N})届(?:全国)?人大({_N})次会议")
# What every match of each pattern above holds, and how far from the match's start it may
# begin: the patterns are tried only there (``finditer_near``).
_ANCHORS = {_PLENUM_FULL: ("届中央委员会", 9), _PLENUM: ("届", 5),
            _PLENUM_BARE: (re.compile(f"[{_DIG}]中全会"), 2),
            _CONGRESS_FULL: ("次全国代表大会", 9), _CONGRESS: (re.compile(f"[{_DIG}]大"), 1),
            _NPC: (re.compile("届(?:全国人|人大)"), 4)}
# A congress short form (十三大) is only taken where the words around it make it one.
_CONGRESS_BEFORE = ("党的", "中共", "从", "到", "在", "自", "至", "和", "、", "及", "与", "开", "经过",
                    "历次")
_CONGRESS_AFTER = re.compile(r"(?:以来|以后|以前|之后|之前|前后|报告|精神|召开|期间|上|的|后|前|通过|"
                             r"确定|提出|决议|党章|路线|代表|闭幕|开幕|文件|政治报告|制定|[，。、；）”]|"
                             # coordinated with another congress: 十二大和十三大
                             r"[和与及、至到]党?的?[一二三四五六七八九十]{1,2}大)")

# The Central Committees and the years they took office: a bare 六中全会 in a text of 1990
# is the sixth plenum of the committee elected in 1987 (the 13th).
# (committee, year elected, plenums it held) — public record; the 20th is still sitting.
_COMMITTEES = ((7, 1945, 7), (8, 1956, 12), (9, 1969, 2), (10, 1973, 3), (11, 1977, 7),
               (12, 1982, 7), (13, 1987, 9), (14, 1992, 7), (15, 1997, 7), (16, 2002, 7),
               (17, 2007, 7), (18, 2012, 7), (19, 2017, 7), (20, 2022, 9))


def _cn(number: int) -> str:
    digits = "零一二三四五六七八九"
    if number < 10:
        return digits[number]
    tens, ones = divmod(number, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")


@lru_cache(maxsize=1024)
def plenum_name(term: int, session: int) -> str:
    """The canonical name of a Central Committee plenum.

    >>> plenum_name(13, 6)
    '中国共产党第十三届中央委员会第六次全体会议'
    """
    return f"中国共产党第{_cn(term)}届中央委员会第{_cn(session)}次全体会议"


@lru_cache(maxsize=64)
def congress_name(number: int) -> str:
    """The canonical name of a Party congress.

    >>> congress_name(14)
    '中国共产党第十四次全国代表大会'
    """
    return f"中国共产党第{_cn(number)}次全国代表大会"


def npc_name(term: int, session: int) -> str:
    return f"第{_cn(term)}届全国人民代表大会第{_cn(session)}次会议"


def committee_on(date: DateValue | None, plenum: int) -> int | None:
    """The Central Committee in office in the year of ``date`` (the later one in a change
    year), if it held a plenum numbered ``plenum``: a text of 2010 that names a bare 十一中全会
    speaks of another committee's, and is left unresolved rather than guessed.

    >>> committee_on(DateValue(1990), 6), committee_on(DateValue(2010), 11)
    (13, None)
    """
    if date is None:
        return None
    current = None
    for number, year, plenums in _COMMITTEES:
        if year <= date.year:
            current = (number, plenums)
    if current is None or plenum > current[1]:
        return None
    return current[0]


def _matches(pattern: re.Pattern, text: str) -> list[re.Match]:
    return finditer_near(pattern, text, *_ANCHORS[pattern])


def find_meetings(text: str, date: DateValue | None = None) -> list[MeetingMention]:
    """Every meeting named in ``text``, in text order; overlapping forms count once.

    >>> [m.name for m in find_meetings("十二届三中全会……三中全会《决定》")]
    ['中国共产党第十二届中央委员会第三次全体会议', '中国共产党第十二届中央委员会第三次全体会议']
    >>> [m.surface for m in find_meetings("经过十二大和十三大，")]
    ['十二大', '十三大']
    """
    found: list[tuple[int, int, MeetingMention]] = []
    taken = bytearray(len(text))

    def add(mention: MeetingMention) -> None:
        start, end = mention.start, mention.start + len(mention.surface)
        if taken.find(1, start, end) >= 0:
            return
        taken[start:end] = b"\x01" * (end - start)
        found.append((start, end, mention))

    # Cheap tests first: most texts name no meeting of a given form.
    plenums, terms = "中全会" in text, "届" in text
    for match in _matches(_PLENUM_FULL, text) if terms else ():
        term, session = chinese_number(match.group(1)), chinese_number(match.group(2))
        add(MeetingMention(plenum_name(term, session), match.group(), match.start(),
                                  term, session))
    qualified = _matches(_PLENUM, text) if plenums and terms else []
    for match in qualified:
        term, session = chinese_number(match.group(1)), chinese_number(match.group(2))
        add(MeetingMention(plenum_name(term, session), match.group(), match.start(),
                                  term, session))
    for match in _matches(_CONGRESS_FULL, text):
        number = chinese_number(match.group(1) or match.group(2))
        add(MeetingMention(congress_name(number), match.group(), match.start(), number))
    for match in _matches(_NPC, text) if terms and "次会议" in text else ():
        term = chinese_number(match.group(1) or match.group(3))
        session = chinese_number(match.group(2) or match.group(4))
        add(MeetingMention(npc_name(term, session), match.group(), match.start(),
                                  0, session))
    for match in _matches(_CONGRESS, text):
        number = chinese_number(match.group(1))
        before = text[max(0, match.start() - 2):match.start()]
        if 7 <= number <= 20 and (before.endswith(_CONGRESS_BEFORE) or
                                  _CONGRESS_AFTER.match(text, match.end())):
            # the party written before it is part of the name (中共九大), not a mention of its own
            start = match.start() - 2 if before.endswith(("中共", "党的")) else match.start()
            add(MeetingMention(congress_name(number),
                                                          text[start:match.end()], start, number))
    # A bare plenum's 中全会 is none of the qualified ones' (届 or a numeral stands before
    # theirs), and those hold one each: where they hold all, there is no bare one.
    bare = plenums and text.count("中全会") > len(qualified)
    for match in _matches(_PLENUM_BARE, text) if bare else ():
        session = chinese_number(match.group(1))
        term = _term_before(found, match.start()) or committee_on(date, session)
        if term is None:
            continue
        add(MeetingMention(plenum_name(term, session), match.group(), match.start(),
                                  term, session))
    return [m for _, _, m in sorted(found, key=lambda f: f[0])]


def _term_before(found: list[tuple[int, int, MeetingMention]], position: int) -> int | None:
    """The 届 of the nearest plenum named with its 届 before ``position``."""
    before = [(start, m) for start, _, m in found if start < position and m.plenum]
    return max(before, key=lambda b: b[0])[1].congress if before else None


_ADOPTION = re.compile(r"^[（(]([^（）()\n]{4,80})通过[）)]")
# A heading printed above an adoption line: the document's title repeated (often with its
# issuer), a subtitle such as （草案）, a short line that is not a sentence.
_HEADING = re.compile(r"^[^。！？；：:\n]{1,60}$")
_HEADINGS_ABOVE = 2  # a title and a subtitle


def adoption(body: str, date: DateValue | None = None) -> tuple[str, DateValue | None]:
    """The meeting and date of the adoption line at the top of the body: its first line, or
    the line after a heading or two (a repost prints the document's title above it), e.g.

    >>> adoption("（十三届六中全会一九九0年三月十二日通过）\\n……")
    ('中国共产党第十三届中央委员会第六次全体会议', DateValue(year=1990, month=3, day=12))
    >>> adoption("中国共产党中央委员会关于建国以来党的若干历史问题的决议\\n"
    ...          "（一九八一年六月二十七日中国共产党第十一届中央委员会第六次全体会议一致通过）\\n……")[1]
    DateValue(year=1981, month=6, day=27)
    >>> adoption("会议指出，全党要认真学习。\\n（一九八一年六月二十七日通过）")
    ('', None)
    """
    for line in body.lstrip().split("\n", _HEADINGS_ABOVE + 1)[:_HEADINGS_ABOVE + 1]:
        line = line.strip(" \t\u3000")
        if match := _ADOPTION.match(line):
            inner = match.group(1)
            meetings = find_meetings(inner, date)
            return (meetings[0].name if meetings else ""), parse_text_date(inner)
        if not _HEADING.match(line):
            break
    return "", None
