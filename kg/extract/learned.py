"""Person names the archive itself gives (BHA 人物 tags, tagged RW： lists), used across it.

A name one record's tags give is a person wherever another record's text names it. Pass 1
collects the names; pass 2 looks for the ones the gazetteer lacks in every text. Only names of
three or four characters that look like Chinese names are used (a two-character name is too
often part of another word to be found without the segmenter), never inside 《》, never over
another mention.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import ahocorasick_rs

from ..model import Facts, Mention, Record
from ..readers.names import looks_like_name
from .citations import find_title_spans
from .entities import HONORIFICS
from .gazetteer import Gazetteer

__all__ = ["record_names", "LearnedNames"]


def record_names(record: Record) -> list[str]:
    """The person names the archive gives for ``record``.

    >>> from kg.model import Tag
    >>> record_names(Record("bha-json", "x", 0, 1, "1", "t",
    ...     tags=(Tag("刘格平", "人物"), Tag("山东文革", "人物"), Tag("林副主席", "人物"))))
    ['刘格平']
    """
    names = [t.name for t in record.tags if t.type == "人物"] + list(record.listed_persons) \
        + list(record.authors)
    return [n for n in dict.fromkeys(names)
            if looks_like_name(n) and not n.endswith(HONORIFICS)
            and not any(h in n for h in ("主席", "总理", "司令", "书记"))]


class LearnedNames:
    """The names the archive gives, counted by the records that give them, so files can
    come and go in an incremental build; ``useful`` are the ones searched for in texts."""

    def __init__(self):
        self.counts: Counter = Counter()
        self._automaton = None

    def add(self, names) -> None:
        self.counts.update(names)

    def remove(self, names) -> None:
        self.counts.subtract(names)
        for name in names:
            if self.counts[name] <= 0:
                del self.counts[name]

    def useful(self, gazetteer: Gazetteer) -> frozenset[str]:
        return frozenset(n for n in self.counts if 3 <= len(n) <= 4 and n not in gazetteer.entries)

    def finish(self, gazetteer: Gazetteer) -> None:
        """Make the searcher for the useful names (after the last ``add``)."""
        self._automaton = None
        useful = sorted(self.useful(gazetteer))
        if not useful:
            return
        self._names = useful
        self._automaton = ahocorasick_rs.AhoCorasick(
            useful, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)

    def __getstate__(self):
        return {"counts": self.counts}  # the searcher is made again by ``finish``

    def __setstate__(self, state):
        self.counts, self._automaton = state["counts"], None

    def mentions(self, record: Record, facts: Facts) -> Facts:
        """``facts`` with the learned names found in the text added as person mentions."""
        if self._automaton is None:
            return facts
        text = record.text
        taken = bytearray(len(text) + 1)
        for start, end in find_title_spans(text):
            taken[start:end] = b"\x01" * (end - start)
        for mention in (*facts.mentions, *facts.meetings):
            taken[mention.start:mention.start + len(mention.surface)] = \
                b"\x01" * len(mention.surface)
        found = []
        for index, start, end in self._automaton.find_matches_as_indexes(text):
            if not any(taken[start:end]):
                name = self._names[index]
                found.append(Mention("person", name, name, start))
        if not found:
            return facts
        mentions = tuple(sorted((*facts.mentions, *found), key=lambda m: m.start))
        return replace(facts, mentions=mentions)
