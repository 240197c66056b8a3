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
from itertools import compress
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
        starts, ends = set(tokens.starts), set(tokens.ends)
        candidates = list(_listed(text, gazetteer, tokens, ends, self.common))
        candidates += _honorific_persons(text, tokens, gazetteer, self.common)
        candidates += _units(text, candidates)
        candidates += [_Candidate(u.start, u.end, u.kind, self._canonical(u.kind, u.name),
                                  u.surface, 3) for u in self.units.extend(text, tokens, candidates)]
        candidates += _datelines(text, gazetteer)
        candidates += _learned(text, learned, starts)
        for found in self.names.find(text, tokens.words, ends, protected, distinct):
            candidates.append(_Candidate(found.start, found.end, "person",
                                         self._canonical("person", found.name), found.name, 3))
        if "驻" in text:
            candidates = [_stationed(c, text, gazetteer) for c in candidates]
        inside = bytearray(len(text) + 1)
        for start, end in protected:
            inside[start:end] = b"\x01" * (end - start)
        return [Mention(c.kind, c.name, c.surface, c.start) for c in _settle(candidates)
                if c.kind != BLOCKER and not inside[c.start]]

    def _canonical(self, kind: str, form: str) -> str:
        entry = self.gazetteer.entries.get(form)
        return entry.name if entry is not None and entry.kind == kind else form


def _listed(text: str, gazetteer: Gazetteer, tokens: Tokens, ends: set[int],
            common: dict[str, str]):
    entries = gazetteer.entries
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
        yield _Candidate(start, end, entry.kind, entry.name, form, 2)


def _stationed(c: _Candidate, text: str, gazetteer: Gazetteer) -> _Candidate:
    """驻北京部队 are the troops stationed in Beijing, not a unit named 北京部队: the place."""
    if c.kind != "organization" or not c.surface.endswith("部队") or \
            text[c.start - 1:c.start] != "驻":
        return c
    entry = gazetteer.entries.get(c.surface[:-2])
    if entry is None or entry.kind != "place":
        return _Candidate(c.start, c.end, BLOCKER, c.surface, c.surface, c.priority)
    return _Candidate(c.start, c.end - 2, "place", entry.name, c.surface[:-2], c.priority)


def _word_at(tokens: Tokens, start: int) -> str | None:
    """The word of ``tokens`` that starts at ``start``, if one does."""
    i = bisect.bisect_left(tokens.starts, start)
    return tokens.words[i] if i < len(tokens.starts) and tokens.starts[i] == start else None


def _word_rest(word: str | None, form: str, common: dict[str, str]) -> bool:
    """Whether ``word`` is ``form`` and then another word of two characters or more."""
    return word is not None and word.startswith(form) and len(word) - len(form) >= 2 \
        and word[len(form):] in common


def _honorific_persons(text: str, tokens: Tokens, gazetteer: Gazetteer,
                       common: dict[str, str]) -> list[_Candidate]:
    """Unlisted names followed by an honorific: 杨承效同志 → 杨承效."""
    found = []
    words, starts = tokens.words, tokens.starts
    if _HONORIFIC_WORDS.isdisjoint(words):
        return found
    for i in compress(range(len(words)), map(_HONORIFIC_WORDS.__contains__, words)):
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


def _learned(text: str, names: Iterable[str], starts: set[int]):
    found = []
    for name in names:
        for match in re.finditer(re.escape(name), text):
            if match.start() in starts or len(name) > 3:
                found.append(_Candidate(match.start(), match.end(), "person", name, name, 0))
    return found


def _settle(candidates: list[_Candidate]) -> list[_Candidate]:
    """Non-overlapping candidates: longest first, then by priority, then leftmost."""
    ranked = sorted(candidates, key=lambda c: (-(c.end - c.start), -c.priority, c.start))
    taken: list[_Candidate] = []
    occupied = bytearray(max((c.end for c in candidates), default=0))
    for c in ranked:
        if any(occupied[c.start:c.end]):
            continue
        occupied[c.start:c.end] = b"\x01" * (c.end - c.start)
        taken.append(c)
    return sorted(taken, key=lambda c: c.start)
