"""Extraction: what the text of a record says — entities, meetings, citations, terms.

``Extractor`` is built once per worker process (it loads the gazetteers and the segmenter)
and turns a :class:`~kg.model.Record` into :class:`~kg.model.Facts`. Everything that needs
the whole corpus (resolving citations, keyword weights) happens later, in ``kg.resolve``.
"""

from __future__ import annotations

import re
from collections import Counter

from ..datafiles import DATA_DIR, read_lines
from ..model import Facts, Mention, Record
from .citations import find_citations
from .entities import EntityFinder
from .gazetteer import load_gazetteer
from .learned import record_names
from .meetings import adoption, find_meetings
from .nlp import Segmenter, jieba_tags

__all__ = ["Extractor", "author_kind"]

_TERM = re.compile(r"^[\u4e00-\u9fff]{2,8}$")
_ORG_SUFFIXES = ("评论员", "编辑部", "委员会", "中央", "政府", "办公厅", "报社", "杂志社", "出版社",
                 "小组", "司令部", "指挥部", "兵团", "总部", "大学", "学院", "研究所", "研究室",
                 "联合会", "协会", "工会", "党委", "支部", "组织部", "宣传部", "战斗队", "造反团",
                 "兵团", "公司", "工厂", "学校", "政治部", "国务院", "通讯社", "新华社")


class Extractor:
    """Finds the facts in records; build one per process and reuse it.

    >>> facts = Extractor().extract(Record("tagged", "a.TXT", 0, 1, "1-01-1", "题",
    ...     body="（十三届六中全会一九九0年三月十二日通过）毛泽东同志在北京。"))
    >>> facts.adopted_at, [m.name for m in facts.mentions]
    ('中国共产党第十三届中央委员会第六次全体会议', ['毛泽东', '北京'])
    """

    def __init__(self):
        self.gazetteer = load_gazetteer()
        self.segmenter = Segmenter()
        self.common_words = jieba_tags()
        self.entities = EntityFinder(self.gazetteer, self.common_words)
        stopwords = DATA_DIR / "stopwords.txt"
        self.stopwords = frozenset(read_lines("stopwords.txt")) if stopwords.exists() \
            else frozenset()
        self._judged: set[str] = set()
        self._terms: set[str] = set()

    def extract(self, record: Record) -> Facts:
        text = record.text
        date = record.dates[0] if record.dates else None
        tokens = self.segmenter.tokens(text)
        meetings = find_meetings(text, date)
        citations, named, spans = find_citations(text, self.gazetteer.publications, date,
                                                 meetings)
        learned = record_names(record)
        meeting_spans = [(m.start, m.start + len(m.surface)) for m in meetings]
        counts = Counter(tokens.words)
        distinct = set(counts)
        mentions = self.entities.find(text, tokens, spans + meeting_spans, learned, distinct)
        adopted_at, adopted_on = adoption(record.body, date)
        publications = tuple(Mention("publication", name, name, start)
                             for name, _, start in named)
        terms = sorted(self._terms_among(distinct))  # strings sort faster than pairs
        return Facts(tuple(mentions), tuple(meetings), tuple(citations), publications,
                     adopted_at, adopted_on, tuple(zip(terms, map(counts.__getitem__, terms))))

    def _terms_among(self, words: set[str]) -> set[str]:
        """The ``words`` that can be keywords (two to eight Chinese characters, no stop word).
        The same words come back in every text: each is judged once (with set operations, in
        C, for the rest), in a bounded memory."""
        if len(self._judged) > 1_000_000:
            self._judged, self._terms = set(), set()
        # difference() and intersection() walk the smaller set; `-` and `&` would walk
        # everything judged so far
        new = words.difference(self._judged)
        if new:
            self._judged |= new
            self._terms.update(w for w in new if _TERM.match(w) and w not in self.stopwords)
        return words.intersection(self._terms)



def author_kind(name: str) -> str:
    """``organization`` for a body (中共中央, 解放军报评论员), else ``person``.

    >>> author_kind("中共中央"), author_kind("人民日报评论员"), author_kind("闻学良")
    ('organization', 'organization', 'person')
    """
    kind = load_gazetteer().kind_of(name)
    if kind in ("person", "organization"):
        return kind
    if name.endswith(_ORG_SUFFIXES) or "评论员" in name or "编辑部" in name:
        return "organization"
    return "person"
