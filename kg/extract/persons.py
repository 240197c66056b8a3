"""Person names no list holds, told by where the text writes them.

An unlisted person — a reporter, a soldier in a report, a colleague in a memoir — is named by
a common surname and one or two more characters. What makes such a string a name is its
place:

- after a role or title (记者许沛成, 七连连长齐应华, 总编：华新民), or before a word that people
  do (高淑琴讲, 陈烈说, 乔天富摄, 刘志云报道, 石仲泉：《…》), with a word boundary on its other
  side;
- in an enumeration (、) of names, listed or not (陈荣乾、方斌、南仁、傅长礼);
- as a transliterated foreign name joined with · (卡米塞塞·马拉).

A string that jieba's dictionary holds as an ordinary word (简介, 高产) is not taken on these
cues, nor one whose first character is a particle (和林彪 is 和 + 林彪). Once a name is found
in a text, its other occurrences there are mentions too. The cue words are data
(``person_cues.tsv``); the surnames are ``surnames.txt``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from functools import cache
from typing import NamedTuple

import ahocorasick_rs

from ..datafiles import read_lines, read_tsv
from .anchored import finditer_near

__all__ = ["NameFinder", "PARTICLES"]

# Characters that, first in a string, are a particle or preposition before a name rather than
# a surname (和林彪, 向江青, 同学, 对毛主席): a name starting with one must be a listed name.
PARTICLES = frozenset("和向对同与跟被把在时党从为给让将于及由据令使经是就应")
# Characters that do not end a given name: particles and words that follow names.
_NOT_GIVEN = frozenset("的了是着过们这那么呢吗吧啊和与及或等也都就在把被对向给让将说讲由从到很"
                       "多又来即时而二三四五六七八九十不两只并所却则亦再还已曾自他你我她它您某"
                       )
# Frequent words of these kinds (jieba's tags) are not a given name (曹|立即, 毛|仰望), nor
# do words of these kinds begin a three-character name (许多|人).
_WORD_TAGS = ("d", "v", "p", "c", "u", "m", "q", "f", "t", "a")
# A title's first character does not end a name (陈副 is 陈 + 副总理).
_NOT_LAST = frozenset("副付代总上内里外下后前听拍推无犯起搞用去要受见写道地为以译著家带打斗本剧坑队场系办部"
                      "大小老")
_HAN = re.compile("[\u4e00-\u9fff]+")
# What may stand right before a name found by a word after it (据高淑琴讲, 的陈烈说).
_BEFORE_NAME = frozenset("的据让由把被对向和与同跟给是了派请叫找问说将从为令使经在如及、，。：:；;（(“\"'‘ "
                         "\u3000/\n·")
# What may follow a name found by a word before it (团长甄邢兵，, 教员高忠到…).
_AFTER_NAME = frozenset("的在也和与及等到把被对向给让将说讲由从就都还又才便仍是曾已即应要率带同跟、，。：:；;）)”\"' "
                        "\u3000/\n（(·")
# Characters of transliterated foreign names (卡米塞塞·马拉, 赫鲁晓夫): a name joined with ·
# is taken as far as its characters are of this set.
_TRANSLITERATION = ("阿埃艾爱安昂奥巴拜班邦贝本比彼宾波伯博布采查柴达戴丹道德迪蒂丁东杜顿多厄恩尔"
                    "法范菲费芬丰佛弗福夫盖甘冈高戈格根古哈海汉豪赫黑亨胡华霍基吉加贾杰金卡凯坎康"
                    "科克肯库奎拉莱兰朗劳勒雷蕾里利莉连列林琳卢鲁路伦罗洛马麦曼梅门米敏明莫姆穆纳"
                    "奈南内尼妮涅努诺欧帕潘佩彭皮珀普奇齐契恰乔切钦琼丘萨塞赛桑瑟森沙莎山尚舍什施"
                    "舒斯松苏索塔泰坦汤特提田廷图托瓦万旺威韦维温沃乌武西希锡夏谢辛休修雅亚扬耶伊"
                    "因英尤于约泽扎詹珍朱兹佐卜罕默")
_FOREIGN = re.compile(f"[{_TRANSLITERATION}]{{2,8}}(?:[·•・][{_TRANSLITERATION}]{{1,8}})+")
_FOREIGN_DOT = re.compile("[·•・]")  # a match's first one is 2 to 8 characters after its start
# from the start of a run of Chinese characters only: tried inside a run, it would scan the
# rest of the run again at every character
_ENUMERATION_RUN = re.compile(r"(?<![\u4e00-\u9fff])[\u4e00-\u9fff]+(?:、[\u4e00-\u9fff]+)+")
_COUNTRY_AFTER = re.compile(r"[（(]([\u4e00-\u9fff]{2,6})[）)]")
_WORK_AFTER = re.compile(r"(?:[：:]|主?编|著)《")  # its 《 is at most 2 after its start
# The most answers kept of each cache (the same strings come back text after text).
_KEEP = 200_000


class _Found(NamedTuple):
    start: int
    end: int
    name: str


class _Scan(NamedTuple):
    """What the name finder reads once per text: where words end (a word boundary), where the
    words after a name are (``acts``, and where they start), where a role before one ends."""

    text: str
    ends: set[int]
    acts: list[tuple[int, int, int]]
    act_starts: set[int]
    role_ends: set[int]


class NameFinder:
    """Finds unlisted person names in a text; one per process (it compiles the cue words).

    ``kind_of(form)`` tells what a listed form names (``person``, ``place`` …, or None);
    ``tags`` are jieba's dictionary tags, which mark ordinary words.

    >>> finder = NameFinder(lambda form: None, {"简介": "n"})
    >>> [f.name for f in finder.find("记者杨国强、周慈朴报道。作者简介：")]
    ['杨国强', '周慈朴']
    """

    def __init__(self, kind_of: Callable[[str], str | None], tags: dict[str, str],
                 frequent: frozenset[str] = frozenset()):
        self.kind_of = kind_of
        self.tags = tags
        self._answers: dict[tuple[str, bool, bool], bool] = {}
        # the lengths of the names that end a string of four characters (or begin one, after
        # a role): the same strings come back text after text
        self._ending: dict[str, tuple[int, ...]] = {}
        self._starting: dict[tuple[str, bool], tuple[int, ...]] = {}
        # the words seen so far, and those among them that no dictionary holds and that are
        # shaped like a name (``_unknown_words``)
        self._screened: set[str] = set()
        self._made_up: set[str] = set()
        self.frequent = frequent
        names = read_lines("surnames.txt")
        self.surnames = frozenset(n for n in names if len(n) == 1)
        self.compound = frozenset(n for n in names if len(n) == 2)
        self.given_chars = _given_name_characters(self.surnames, self.compound)
        self._name_starts = frozenset(self.surnames | {c[0] for c in self.compound} |
                                      {form[0] for form in _listed_person_forms()})
        # a surname and one or two characters between word boundaries: a name written again
        before = "[" + re.escape("".join(sorted(_BEFORE_NAME))) + "]"
        after = "(?=[" + re.escape("".join(sorted(_AFTER_NAME))) + "])"
        surname = "[" + "".join(sorted(self.surnames)) + "]"
        self._repeats = tuple((re.compile(f"{before}({surname}[\u4e00-\u9fff]{{{n - 1}}}){after}"),
                               least) for n, least in ((3, 2), (2, 3)))
        rows = read_tsv("person_cues.tsv")
        before = sorted((r["cue"] for r in rows if r["side"] == "before"), key=len, reverse=True)
        after = sorted((r["cue"] for r in rows if r["side"] == "after"), key=len, reverse=True)
        self.titles = frozenset(before)
        # every occurrence of every cue, overlapping ones too, of both sides in one pass over
        # a text: the cues before a name are the automaton's first patterns (a cue on both
        # sides is listed twice, and found as each)
        self._cues = ahocorasick_rs.AhoCorasick(
            [*before, *after], matchkind=ahocorasick_rs.MatchKind.Standard)
        self._first_after = len(before)

    def find(self, text: str, words: list[str] | None = None, ends: set[int] | None = None,
             taken: Iterable[tuple[int, int]] = (), distinct=None) -> list[_Found]:
        """Unlisted person names in ``text``, every occurrence, outside the ``taken`` spans.

        ``words`` are the segmenter's words of ``text`` and ``ends`` where they end: a word
        boundary; ``distinct``, if given, the set of the words.
        """
        if words is None:
            words, ends = [text], {len(text)}
        cues = self._cues.find_matches_as_indexes(text, overlapping=True)
        first_after = self._first_after
        acts = [cue for cue in cues if cue[0] >= first_after]
        scan = _Scan(text, ends, acts, {start for _, start, _ in acts},
                     {_past_colon(text, end) for index, _, end in cues if index < first_after})
        names: dict[str, None] = {}
        for found in (*self._after_roles(scan), *self._before_acts(scan),
                      *self._enumerations(scan), *self._foreign(text),
                      *self._unknown_words(text, words, distinct), *self._repeated(text)):
            if not self._in_word(text, found):
                names.setdefault(found.name, None)
        if not names:
            return []
        blocked = bytearray(len(text) + 1)
        for start, end in taken:
            blocked[start:end] = b"\x01" * (end - start)
        result = []
        for name in names:
            start = text.find(name)
            while start >= 0:
                end = start + len(name)
                if not any(blocked[start:end]):
                    result.append(_Found(start, end, name))
                start = text.find(name, end)
        return sorted(result, key=lambda f: f.start)

    def is_name(self, item: str, place_too: bool = False, strict: bool = False) -> bool:
        """Whether ``item`` can be an unlisted Chinese name (``_is_name``), the answers kept:
        the same strings come back text after text (bounded)."""
        key = (item, place_too, strict)
        answer = self._answers.get(key)
        if answer is None:
            if len(self._answers) > _KEEP:
                self._answers.clear()
            answer = self._answers[key] = self._is_name(item, place_too, strict)
        return answer

    def _is_name(self, item: str, place_too: bool = False, strict: bool = False) -> bool:
        """Whether ``item`` can be an unlisted Chinese name: a surname and one or two
        characters (two or three after a compound surname), not an ordinary word.

        >>> finder = NameFinder(lambda form: None, {"高产": "n"})
        >>> finder.is_name("傅长礼"), finder.is_name("高产"), finder.is_name("和林彪")
        (True, False, False)
        """
        if not 2 <= len(item) <= 4 or item[0] in PARTICLES or item[-1] in _NOT_LAST \
                or not _HAN.fullmatch(item):
            return False
        if item[:2] in self.compound:
            given = item[2:]
        elif item[0] in self.surnames:
            given = item[1:]
        else:
            return False
        if not 1 <= len(given) <= 2 or any(c in _NOT_GIVEN for c in given) \
                or given in self.titles:
            return False
        if (len(given) == 2 and given in self.frequent and
                self.tags.get(given, "n").startswith(_WORD_TAGS)) or \
                (len(item) == 3 and self.tags.get(item[:2], "n").startswith(_WORD_TAGS)):
            return False
        tag = self.tags.get(item)
        if (tag is not None and not tag.startswith("nr")) or item in self.frequent:
            return False
        if (strict or len(given) == 1) and not all(c in self.given_chars for c in given):
            return False  # made of characters listed people's given names are made of
        if strict and (self._ordinary(item[:2]) or (len(given) == 2 and self._ordinary(given))):
            return False  # with no cue beside it: not a word and a character (文革|中, 毛|主义)
        kind = self.kind_of(item)
        if kind is None and (any(self.kind_of(part) == "person" for part in (item[:2], item[:3]))
                             or self.kind_of(item[1:]) is not None):
            return False  # a listed name and a character (江青|则, 连|叶群, 解|江苏)
        return kind in (None, "person") or (place_too and kind == "place")

    def _ordinary(self, word: str) -> bool:
        """A frequent word that is not a name or a place (建国, 红卫 are given names too)."""
        return word in self.frequent and not self.tags.get(word, "").startswith(("nr", "ns", "nz"))

    def _name_at(self, scan: _Scan, start: int, place_too: bool = False) -> _Found | None:
        """The name starting at ``start`` whose end is a word boundary, longest first; after a
        title, a listed place name is a person's too (司令员吴忠)."""
        text = scan.text
        window = text[start:start + 4]
        key = (window, place_too)
        fits = self._starting.get(key)
        if fits is None:
            if len(self._starting) > _KEEP:
                self._starting.clear()
            fits = self._starting[key] = tuple(
                n for n in (3, 2, 4) if len(window) >= n and self.is_name(window[:n], place_too))
        for n in fits:
            if self._boundary_after(scan, start + n):
                return _Found(start, start + n, window[:n])
        return None

    def _name_before(self, scan: _Scan, end: int) -> _Found | None:
        """The name ending at ``end``: the only one that fits, or else the longest whose start
        is a word boundary (据高淑琴讲, 的陈烈说)."""
        text = scan.text
        window = text[max(0, end - 4):end]
        fits = self._ending.get(window)
        if fits is None:
            if len(self._ending) > _KEEP:
                self._ending.clear()
            fits = self._ending[window] = tuple(
                n for n in (3, 2, 4) if len(window) >= n and self.is_name(window[-n:]))
        if len(fits) > 1:
            fits = [n for n in fits if end == n or text[end - n - 1] in _BEFORE_NAME
                    or end - n in scan.role_ends]
        if not fits:
            return None
        return _Found(end - fits[0], end, text[end - fits[0]:end])

    def _in_word(self, text: str, found: _Found) -> bool:
        """Whether the name is the start of a longer word (高瞻远|瞩) or the end of one."""
        start, end = found.start, found.end
        return text[start:end + 1] in self.tags or text[start:end + 2] in self.tags or \
            (start > 0 and text[start - 1:end] in self.tags and self.kind_of(found.name) is None)

    def _boundary_after(self, scan: _Scan, end: int) -> bool:
        text = scan.text
        return end == len(text) or text[end] in _AFTER_NAME or end in scan.ends \
            or end in scan.act_starts

    def _after_roles(self, scan: _Scan):
        for end in sorted(scan.role_ends):
            if found := self._name_at(scan, end, place_too=True):
                yield found

    def _before_acts(self, scan: _Scan):
        text = scan.text
        starts = self._name_starts
        for _, start, end in scan.acts:
            # the word after the name is a word of its own: 陈烈|说, not 史实|说明
            if (end in scan.ends or end == len(text)) and \
                    (text[start - 3:start - 2] in starts or text[start - 2:start - 1] in starts):
                if found := self._name_before(scan, start):
                    yield found
        for match in finditer_near(_WORK_AFTER, text, "《", 2):
            if found := self._name_before(scan, match.start()):
                yield found
        for match in _COUNTRY_AFTER.finditer(text):
            if self.kind_of(match.group(1)) == "place":
                if found := self._name_before(scan, match.start()):
                    yield found

    def _enumerations(self, scan: _Scan):
        """Names listed with 、 beside at least one other name, and no other kind of thing;
        a listed name that needs a title beside it is taken here too (万里 among 李鹏、乔石)."""
        text = scan.text
        if "、" not in text:
            return
        for run in _enumeration_runs(text):
            items = run.group().split("、")
            position = run.start()
            # an enumeration of names: items of two to four characters between 、; a longer
            # item ends one (its start may be a name) and begins the next (its end may be)
            for group in _groups(items):
                yield from self._enumeration(scan, position + group[0], items[group[1]:group[2]])

    def _enumeration(self, scan: _Scan, offset: int, items: list[str]):
        head, *middle, tail = items
        bare = [_strip_honorific(item) for item in middle]
        # the cheap tests first: a name is a surname and more, or a listed name
        surnames, kind_of = self.surnames, self.kind_of
        if not all(item[0] in surnames or kind_of(item) == "person" for item in bare):
            return
        if not middle and not (
                (tail[0] in surnames or self._listed_start(tail)) and
                (head[-2:-1] in surnames or head[-3:-2] in surnames or self._listed_end(head))):
            return
        head = head[-8:]
        offset += len(items[0]) - len(head)
        if not all(kind_of(item) == "person" or self.is_name(item) for item in bare):
            return
        first = self._name_ending(scan, head, offset)
        last = self._name_at(scan, offset + sum(len(item) + 1 for item in (head, *middle)))
        if len(middle) + (first is not None) + (last is not None) < 2:
            return
        position = offset + len(head) + 1
        for item, name in zip(middle, bare):
            yield _Found(position, position + len(name), name)
            position += len(item) + 1
        if first:
            yield _Found(offset + first.start, offset + first.end, first.name)
        if last:
            yield last

    def _listed_start(self, item: str) -> bool:
        return any(self.kind_of(item[:n]) == "person" for n in (2, 3, 4))

    def _listed_end(self, item: str) -> bool:
        return any(self.kind_of(item[-n:]) == "person" for n in (2, 3, 4) if len(item) >= n)

    def _name_ending(self, scan: _Scan, item: str, offset: int) -> _Found | None:
        """The name at the end of the first item of an enumeration (安排李敏、…: 李敏): a listed
        one, else the one after a role or a boundary, else the longest."""
        fits = [n for n in (3, 2, 4) if len(item) >= n and
                (self.kind_of(item[-n:]) == "person" or self.is_name(item[-n:]))]
        if not fits:
            return None
        listed = [n for n in fits if self.kind_of(item[-n:]) == "person"]
        bounded = [n for n in fits if n == len(item) or item[-n - 1] in _BEFORE_NAME
                   or offset + len(item) - n in scan.role_ends]
        n = (listed or bounded or fits)[0]
        return _Found(len(item) - n, len(item), item[-n:])

    def _unknown_words(self, text: str, words: list[str], distinct=None):
        """Three-character words the segmenter made up (no dictionary holds them) that are
        shaped like a name and stand after a boundary once at least: ，王佩英把…, 据高淑琴讲."""
        distinct = set(words) if distinct is None else distinct
        if len(self._screened) > 5 * _KEEP:
            self._screened, self._made_up = set(), set()
        # difference() and intersection() walk the smaller set, in C
        new = distinct.difference(self._screened)
        if new:
            surnames, tags = self.surnames, self.tags
            self._screened |= new
            self._made_up.update(w for w in new
                                 if len(w) == 3 and w[0] in surnames and w not in tags)
        for word in sorted(distinct.intersection(self._made_up)):
            if not self.is_name(word, strict=True):
                continue
            start = text.find(word)
            while start > 0 and text[start - 1] not in _BEFORE_NAME:
                start = text.find(word, start + 1)
            if start >= 0:
                yield _Found(start, start + 3, word)

    def _repeated(self, text: str):
        """Names written again and again between word boundaries (，张以成的…，张以成的…):
        a three-character one twice, a two-character one three times."""
        for pattern, least in self._repeats:
            for item, count in Counter(pattern.findall("\n" + text)).items():
                if count >= least and self.kind_of(item) is None and \
                        self.is_name(item, strict=True):
                    start = text.find(item)
                    yield _Found(start, start + len(item), item)

    def _foreign(self, text: str):
        """Transliterated names joined with ·, none of whose parts names a place or a body."""
        for match in finditer_near(_FOREIGN, text, _FOREIGN_DOT, 8):
            parts = re.split("[·•・]", match.group())
            if all(self.kind_of(p) is None for p in parts) and parts[0][0] not in PARTICLES:
                yield _Found(match.start(), match.end(), match.group())


@cache
def _listed_person_forms() -> tuple[str, ...]:
    """Every name and alias of the listed persons (persons.tsv)."""
    return tuple(form for row in read_tsv("persons.tsv")
                 for form in (row["name"], *filter(None, row.get("aliases", "").split("|"))))


def _given_name_characters(surnames: frozenset[str], compound: frozenset[str]) -> frozenset[str]:
    """The characters of the given names of the listed Chinese persons."""
    chars = set()
    for name in _listed_person_forms():
        if not _HAN.fullmatch(name) or not 2 <= len(name) <= 4:
            continue
        if name[:2] in compound:
            chars.update(name[2:])
        elif name[0] in surnames and len(name) <= 3:
            chars.update(name[1:])
    return frozenset(chars)


def _enumeration_runs(text: str) -> list[re.Match]:
    """The matches of ``_ENUMERATION_RUN.finditer(text)``, tried only at the 、 in the text:
    a match starts where the run of Chinese characters before its first 、 starts.

    >>> [m.group() for m in _enumeration_runs("记者杨国强、周慈朴报道，1、2、三、四")]
    ['记者杨国强、周慈朴报道', '三、四']
    """
    runs = []
    tried = 0  # every match that starts before this is found
    at = text.find("、")
    while at >= 0:
        start = at
        while start > tried and "\u4e00" <= text[start - 1] <= "\u9fff":
            start -= 1
        if start < at and (match := _ENUMERATION_RUN.match(text, start)):
            runs.append(match)
            tried = match.end()
        else:
            tried = at + 1
        at = text.find("、", tried)
    return runs


def _past_colon(text: str, end: int) -> int:
    """Where a name after a role starts: past a colon and a space (总编：华新民)."""
    if text[end:end + 1] in ("：", ":"):
        end += 1
    if text[end:end + 1] in (" ", "\u3000"):
        end += 1
    return end


def _groups(items: list[str]):
    """``(offset, first, end)`` of each enumeration in a run of items split at 、: items
    ``first`` to ``end`` (exclusive), where every item but the first and the last has two to
    four characters; ``offset`` is where item ``first`` starts in the run."""
    first, offset, position = 0, 0, 0
    for i, item in enumerate(items):
        if 0 < i < len(items) - 1 and not 2 <= len(item) <= 4:
            if i - first >= 1:
                yield offset, first, i + 1
            first, offset = i, position
        position += len(item) + 1
    if len(items) - first >= 2:
        yield offset, first, len(items)


def _strip_honorific(item: str) -> str:
    for honorific in ("等同志", "同志", "先生"):
        if item.endswith(honorific) and len(item) > len(honorific) + 1:
            return item[:-len(honorific)]
    return item
