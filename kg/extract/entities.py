"""People, organisations and places named in a text.

Candidates come from the gazetteer automaton, from rules for what lists cannot hold (a name
before an honorific or a title, units built on a place name, the place of a news dateline)
and from names the archive itself gives for the record (its 人物 tags, its RW： list). Then
overlaps are settled — the longest span wins, and a blocker (毛泽东思想) names nothing — and
whatever lies inside 《…》 is left to the citation finder. Precision comes first: a short name
must sit on word boundaries, and a name that is also an ordinary word needs a title beside it.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from functools import partial
from itertools import compress
from operator import itemgetter
from typing import NamedTuple

from ..model import Mention
from ..readers.names import looks_like_name
from .gazetteer import BLOCKER, Gazetteer
from .nlp import Tokens, frequent_words
from .persons import PARTICLES, NameFinder
from .units import POST, UnitFinder

__all__ = ["EntityFinder", "HONORIFICS"]

# Words after a person's name that make it one (江泽民同志, 周恩来总理).
HONORIFICS = ("同志", "总书记", "主席", "副主席", "总理", "副总理", "委员长", "副委员长", "书记",
              "部长", "司令员", "政委", "元帅", "将军", "大将", "上将", "中将", "少将", "烈士",
              "先生", "总司令", "参谋长", "主任", "省长", "市长", "军长", "师长", "团长", "首长",
              "等同志", "同学", "教授", "院长", "校长", "社长", "主编")
_HONORIFIC_WORDS = frozenset(HONORIFICS)
_HONORIFIC = re.compile("|".join(sorted(HONORIFICS, key=len, reverse=True)))
_DATELINE = re.compile(r"新华社([\u4e00-\u9fff]{2,4}?)(?:[0-9０-９一二三四五六七八九十]{1,3}月"
                       r"[0-9０-９一二三四五六七八九十]{1,3}日)?电")
_NUMERALS = frozenset("一二三四五六七八九十百千")
# Characters jieba glues to a name (邓小平等同志 → 邓小平等 / 同志) that do not change it.
_NAME_FOLLOWERS = ("等", "们")
_UNIT_SUFFIX = re.compile(r"(省|市|自治区|地区|县)?(委员会|委|人民政府|政府|军区|革命委员会|革委会)")



class _Candidate(NamedTuple):  # a tuple: made tens of thousands of times per text
    start: int
    end: int
    kind: str
    name: str
    surface: str
    priority: int  # higher wins among spans of equal length


# Named tuples made from a tuple of their fields in C, without the Python-level ``__new__``
# of ``_Candidate(…)``: the hot path makes one per listed name in a text.
_candidate = partial(tuple.__new__, _Candidate)
_mention = partial(tuple.__new__, Mention)
_MENTION_FIELDS = itemgetter(2, 3, 4, 0)  # a candidate's kind, name, surface and start
_START, _END = itemgetter(0), itemgetter(1)


class EntityFinder:
    """Finds the people, organisations and places named in texts; one per process.

    >>> from kg.extract.gazetteer import load_gazetteer
    >>> from kg.extract.nlp import Segmenter, jieba_tags
    >>> finder, cut = EntityFinder(load_gazetteer(), jieba_tags()), Segmenter().tokens
    >>> text = "时任新华社国际部副主任的李慎之，前驱李慎之先生和林彪同志"
    >>> [(m.kind, m.name) for m in finder.find(text, cut(text))]
    [('organization', '新华社国际部'), ('person', '李慎之'), ('person', '李慎之'), ('person', '林彪')]
    """

    def __init__(self, gazetteer: Gazetteer, common_words: dict[str, str]):
        self.gazetteer = gazetteer
        self.common = common_words
        self.names = NameFinder(gazetteer.kind_of, common_words, frequent_words())
        self.units = UnitFinder(common_words)

    def find(self, text: str, tokens: Tokens, protected: Iterable[tuple[int, int]] = (),
             learned: Iterable[str] = (), distinct=None) -> list[Mention]:
        """The entities named in ``text``, in text order (one mention per occurrence).

        ``tokens`` are the segmenter's words of ``text`` (``distinct``, if given, the set of
        them); ``protected`` spans (the 《…》 titles, the meetings) name nothing; ``learned`` are
        person names the archive gives for this record.
        """
        gazetteer = self.gazetteer
        protected = list(protected)
        ends = set(tokens.ends)
        distinct = set(tokens.words) if distinct is None else distinct
        # listed names do not overlap one another; the rest is found by rules
        listed = _listed(text, gazetteer, tokens, ends, self.common)
        found = _honorific_persons(text, tokens, distinct, gazetteer, self.common)
        found += _units(text, listed)
        found += [_Candidate(u.start, u.end, u.kind, self._canonical(u.kind, u.name),
                             u.surface, 3) for u in self.units.extend(text, tokens, listed + found)]
        found += _datelines(text, gazetteer)
        found += _learned(text, learned, tokens.starts)
        for name in self.names.find(text, tokens.words, ends, protected, distinct):
            found.append(_Candidate(name.start, name.end, "person",
                                    self._canonical("person", name.name), name.name, 3))
        if "驻" in text:
            listed = [_stationed(c, text, gazetteer) for c in listed]
            found = [_stationed(c, text, gazetteer) for c in found]
        taken = _settle(listed, found)
        if protected:
            inside = bytearray(len(text) + 1)
            for start, end in protected:
                inside[start:end] = b"\x01" * (end - start)
            taken = [c for c in taken if not inside[c.start]]
        return list(map(_mention, map(_MENTION_FIELDS, (c for c in taken if c.kind != BLOCKER))))

    def _canonical(self, kind: str, form: str) -> str:
        entry = self.gazetteer.entries.get(form)
        return entry.name if entry is not None and entry.kind == kind else form


def _listed(text: str, gazetteer: Gazetteer, tokens: Tokens, ends: set[int],
            common: dict[str, str]) -> list[_Candidate]:
    entries = gazetteer.entries
    found = []
    add = found.append
    for start, end, form in gazetteer.find(text):
        entry = entries[form]
        if end not in ends and entry.kind != BLOCKER:
            # A unit may follow a place (上海市|委) and a post its body (国防部|长).
            joined = (entry.kind == "place" and _UNIT_SUFFIX.match(text, end)) or \
                (entry.kind == "organization" and POST.match(text, end))
            if not joined and text[end - 1:end + 1] in common:
                continue  # its last character begins a word: 北京大|学生, 轻工业部|门
            # A short name must end where a word ends: not 康生 in 健康|生活, 共产党 in
            # 共产党员, 朱德 in 朱德熙. It may close a longer word (首都北京), begin a word whose
            # rest is a word of its own (台湾|同胞, 中国|人民), or be joined as above.
            if len(form) <= 3 and not (text[end:end + 1] in _NAME_FOLLOWERS or joined or
                                       _word_rest(_word_at(tokens, start), form, common)):
                continue
        if entry.needs_context and not _HONORIFIC.match(text, end):
            continue
        add(_candidate((start, end, entry.kind, entry.name, form, 2)))
    return found


def _stationed(c: _Candidate, text: str, gazetteer: Gazetteer) -> _Candidate:
    """驻北京部队 are the troops stationed in Beijing, not a unit named 北京部队: the place."""
    if c.kind != "organization" or not c.surface.endswith("部队") or \
            text[c.start - 1:c.start] != "驻":
        return c
    entry = gazetteer.entries.get(c.surface[:-2])
    if entry is None or entry.kind != "place":
        return _Candidate(c.start, c.end, BLOCKER, c.surface, c.surface, c.priority)
    return _Candidate(c.start, c.end - 2, "place", entry.name, c.surface[:-2], c.priority)


def _word_starts(starts: list[int], position: int) -> bool:
    i = bisect.bisect_left(starts, position)
    return i < len(starts) and starts[i] == position


def _word_at(tokens: Tokens, start: int) -> str | None:
    """The word of ``tokens`` that starts at ``start``, if one does."""
    i = bisect.bisect_left(tokens.starts, start)
    return tokens.words[i] if i < len(tokens.starts) and tokens.starts[i] == start else None


def _word_rest(word: str | None, form: str, common: dict[str, str]) -> bool:
    """Whether ``word`` is ``form`` and then another word of two characters or more."""
    return word is not None and word.startswith(form) and len(word) - len(form) >= 2 \
        and word[len(form):] in common


def _honorific_persons(text: str, tokens: Tokens, distinct: set[str], gazetteer: Gazetteer,
                       common: dict[str, str]) -> list[_Candidate]:
    """Unlisted names followed by an honorific: 杨承效同志 → 杨承效."""
    found = []
    words, starts = tokens.words, tokens.starts
    for i in _honorific_words(text, tokens, _HONORIFIC_WORDS.intersection(distinct)):
        if i == 0:
            continue
        name, name_start = words[i - 1].removesuffix("等"), starts[i - 1]
        if i >= 2 and len(words[i - 2]) == 1 and len(name) <= 2 and \
                looks_like_name(words[i - 2] + name):
            # a surname cut off from its given name (杨|承效)
            name, name_start = words[i - 2] + name, starts[i - 2]
        if name[:1] in PARTICLES and len(name) >= 3 and not gazetteer.kind_of(name):
            name, name_start = name[1:], name_start + 1  # 和|林彪, 向|江青
        if name.endswith(("副", "付", "代")):
            continue  # 陈副|总理: a surname and half a title
        if gazetteer.kind_of(name) or not looks_like_name(name) or name[0] in PARTICLES \
                or any(c in _NUMERALS for c in name[1:]):
            continue
        if common.get(name, "nr") not in ("nr", "nrfg", "nrt"):
            continue  # an ordinary word that happens to start with a surname (全党, 全军)
        found.append(_Candidate(name_start, name_start + len(name), "person", name, name, 1))
    return found


def _honorific_words(text: str, tokens: Tokens, honorifics: Iterable[str]) -> list[int]:
    """The indexes of the words of ``tokens`` that are one of ``honorifics``, in order:
    found where the text writes one (``str.find``), not by testing every word."""
    words, starts = tokens.words, tokens.starts
    indexes = []
    for honorific in honorifics:
        at = text.find(honorific)
        while at >= 0:
            i = bisect.bisect_left(starts, at)
            if i < len(words) and starts[i] == at and words[i] == honorific:
                indexes.append(i)
            at = text.find(honorific, at + 1)
    return sorted(indexes)


def _units(text: str, candidates: list[_Candidate]) -> list[_Candidate]:
    """Units built on a place: 中共上海市委, 广东省人民政府, 南京军区."""
    found = []
    for c in candidates:
        if c.kind != "place":
            continue
        match = _UNIT_SUFFIX.match(text, c.end)
        if not match:
            continue
        start = c.start - 2 if text[max(0, c.start - 2):c.start] == "中共" else c.start
        surface = text[start:match.end()]
        name = surface
        if match.group(2) in ("委", "委员会") and not surface.startswith("中共"):
            name = "中共" + surface
        found.append(_Candidate(start, match.end(), "organization", name, surface, 3))
    return found


def _datelines(text: str, gazetteer: Gazetteer) -> list[_Candidate]:
    found = []
    for match in _DATELINE.finditer(text):
        place = match.group(1)
        kind = gazetteer.kind_of(place)
        if kind in (None, "place"):
            entry = gazetteer.entries.get(place)
            name = entry.name if entry else place
            found.append(_Candidate(match.start(1), match.end(1), "place", name, place, 1))
    return found


def _learned(text: str, names: Iterable[str], starts: list[int]):
    found = []
    for name in names:
        for match in re.finditer(re.escape(name), text):
            if len(name) > 3 or _word_starts(starts, match.start()):
                found.append(_Candidate(match.start(), match.end(), "person", name, name, 0))
    return found


def _settle(listed: list[_Candidate], found: list[_Candidate]) -> list[_Candidate]:
    """Non-overlapping candidates, in text order: longest first, then by priority, then
    leftmost, then ``listed`` before ``found``.

    The ``listed`` names (in text order, none overlapping another) that no candidate found
    otherwise overlaps are taken as they are; the rest are ranked.
    """
    if not found:
        return listed
    listed_ends = list(map(_END, listed))
    contested = bytearray(len(listed))
    for c in found:
        i = bisect.bisect_right(listed_ends, c.start)  # the first that ends after c starts
        while i < len(listed) and listed[i].start < c.end:
            contested[i] = 1
            i += 1
    ranked = sorted([*compress(listed, contested), *found],
                    key=lambda c: (-(c.end - c.start), -c.priority, c.start))
    taken = list(compress(listed, contested.translate(_NOT)))
    occupied = bytearray(max(map(_END, ranked)))
    for c in ranked:
        if any(occupied[c.start:c.end]):
            continue
        occupied[c.start:c.end] = b"\x01" * (c.end - c.start)
        taken.append(c)
    return sorted(taken, key=_START)


_NOT = bytes([1] + [0] * 255)  # translates 0 to 1 and 1 to 0
