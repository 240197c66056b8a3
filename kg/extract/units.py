"""Names built on another name: the longest proper name is the entity.

A sub-unit is written after its parent (新华社国际部, 中央组织部业务组, 外交部党委), a unit after
its place (武汉部队, 北京铁路分局, 上海外国语学院), a guard regiment or a tomb after a person
(朱德警卫团, 海瑞墓), a site after its place (钓鱼台国宾馆). Each such head — a listed
organisation, place or person, or the pseudo-heads 中央 and 中共 — followed by at most a few
words and a unit word of ``unit_suffixes.tsv`` makes one longer name, and the head inside it
is no mention of its own. Compound heads chain (中共广东省委 + 党校 + 现代化战略研究所).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from itertools import compress
from operator import itemgetter
from typing import NamedTuple

import ahocorasick_rs

from ..datafiles import read_tsv
from .nlp import Tokens

__all__ = ["UnitFinder", "Unit", "POST"]

# Words that may not stand inside a unit's name: particles, prepositions, conjunctions,
# pronouns and adverbs (jieba's tags).
_BREAKING_TAGS = ("u", "p", "c", "r", "d", "m", "q", "y", "e", "o")
_PSEUDO_HEAD = re.compile("中央|中共")
_MAX_WORDS = 4
_HEAD_KINDS = frozenset(("organization", "place", "person"))
_REACH = 16  # characters from a head to the end of its unit word, at most
_END = itemgetter(1)  # a head's end
# A place and a bare school or works word is the place's schools or works, not the name of one
# (北京中学的…, 上海工厂); the ones named so (上海中学) are listed.
_BARE_SCHOOLS = frozenset(("中学", "小学", "大学", "学院", "学校", "工厂", "公司", "有限公司"))
# Posts written after the body they belong to (国防部长, 新华社国际部副主任): a unit word may end
# inside a word of the segmenter's when one of these follows (国际|部副|主任).
POST = re.compile("副?(?:部长|长|主任|委员|常委|书记|主席|司令员?|政委|顾问|负责人|组长)")


def _starts_word(starts: list[int], position: int) -> bool:
    i = bisect.bisect_left(starts, position)
    return i < len(starts) and starts[i] == position


class Unit(NamedTuple):
    start: int
    end: int
    kind: str
    name: str
    surface: str


class UnitFinder:
    """Extends listed names by the unit words after them; one per process.

    >>> finder = UnitFinder({"专业": "n", "设计院": "n"})
    >>> text = "连铁道部专业设计院也"
    >>> from kg.extract.nlp import Tokens
    >>> tokens = Tokens(["连", "铁道部", "专业", "设计院", "也"], [0, 1, 4, 6, 9], [1, 4, 6, 9, 10])
    >>> finder.extend(text, tokens, [Unit(1, 4, "organization", "铁道部", "铁道部")])
    [Unit(start=1, end=9, kind='organization', name='铁道部专业设计院', surface='铁道部专业设计院')]

    A unit is named as written (北大党委, 中央文革接待站): the gazetteer's aliases, not the
    head's canonical name, tell which forms are the same body.
    """

    def __init__(self, tags: dict[str, str]):
        self.tags = tags
        rows = read_tsv("unit_suffixes.tsv")
        self.suffixes = {r["suffix"]: (r["kind"], r["after"]) for r in rows if r["kind"] != "none"}
        self.not_units = frozenset(r["suffix"] for r in rows if r["kind"] == "none")
        self._longest = max(map(len, self.suffixes))
        # the longest unit word at the leftmost place, and on after it (as a regular
        # expression of the words, longest first, would find them)
        self._suffixes = ahocorasick_rs.AhoCorasick(
            list(self.suffixes), matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)
        # what each text after a head makes of it: the same ones come back text after text
        self._kinds: dict[tuple[str, str], str | None] = {}

    def extend(self, text: str, tokens: Tokens, heads: Iterable[Unit]) -> list[Unit]:
        """The longer names that ``heads`` (listed names found in ``text``; any with the
        fields of a ``Unit``, of other kinds too, which are passed over) begin."""
        starts = tokens.starts
        # where a unit word ends: a head needs one within reach
        suffix_ends = [end for _, _, end in self._suffixes.find_matches_as_indexes(text)]
        if not suffix_ends:
            return []
        # the positions a head may end at: before a unit word's end, at most _REACH before it
        reach = bytearray(len(text) + 1)
        for end in suffix_ends:
            start = max(0, end - _REACH)
            reach[start:end] = b"\x01" * (end - start)
        heads = list(heads)
        heads += [Unit(m.start(), m.end(), "organization", m.group(), m.group())
                  for m in _PSEUDO_HEAD.finditer(text)
                  if reach[m.end()] and _starts_word(starts, m.start())]
        found = []
        # tested in C: most heads are far from any unit word
        for head in compress(heads, map(reach.__getitem__, map(_END, heads))):
            if head.kind not in _HEAD_KINDS:
                continue
            unit = self._longest_unit(text, tokens, head)
            if unit is not None:
                found.append(unit)
                # chains: the unit is the head of a longer one
                while (longer := self._longest_unit(text, tokens, unit)) is not None:
                    found.append(longer)
                    unit = longer
        return found

    def _longest_unit(self, text: str, tokens: Tokens, head: Unit) -> Unit | None:
        if head.end >= len(text) or not "\u4e00" <= text[head.end] <= "\u9fff":
            return None
        i = bisect.bisect_right(tokens.starts, head.end) - 1  # the word the head ends in or before
        best = None
        words, starts, ends = tokens.words, tokens.starts, tokens.ends
        for j in range(i, min(i + _MAX_WORDS, len(words))):
            # the head may end inside a word of the segmenter's (香港|中文大学 in one word)
            word = words[j] if starts[j] >= head.end else text[head.end:ends[j]]
            tag = self.tags.get(word, "")
            if not ("\u4e00" <= word[0] <= "\u9fff") or tag.startswith(_BREAKING_TAGS) \
                    or word in self.not_units or (tag.startswith("v") and tag != "vn"):
                break
            for k in range(len(word), 0, -1):
                end = ends[j] - len(word) + k
                if k < len(word) and not POST.match(text, end):
                    continue
                rest = text[head.end:end]
                if head.kind == "place" and rest in _BARE_SCHOOLS:
                    continue  # 北京中学的文化大革命: the schools of Beijing
                kind = self._suffix_kind(rest, head.kind)
                if kind:
                    surface = text[head.start:end]
                    best = Unit(head.start, end, kind, surface, surface)
                    break
        return best

    def _suffix_kind(self, rest: str, head_kind: str) -> str | None:
        key = (rest, head_kind)
        try:
            return self._kinds[key]
        except KeyError:
            if len(self._kinds) > 100_000:
                self._kinds.clear()
            kind = self._kinds[key] = self._find_suffix_kind(rest, head_kind)
            return kind

    def _find_suffix_kind(self, rest: str, head_kind: str) -> str | None:
        for n in range(min(len(rest), self._longest), 0, -1):
            entry = self.suffixes.get(rest[-n:])
            if entry is None:
                continue
            kind, after = entry
            if head_kind == "person" and after != "person":
                return None
            return kind
        return None
