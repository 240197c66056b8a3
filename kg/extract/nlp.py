"""The Chinese pipeline: spaCy ``blank("zh")`` with jieba, and a fast segmenter equal to it.

jieba is the reference segmenter. The hot path cuts with ``rjieba`` (jieba's algorithm and
dictionary, in Rust), which gives the same tokens many times faster; a test holds the two
equal on real archive text, with the project's gazetteer words added to both.
"""

from __future__ import annotations

from functools import cache
from itertools import accumulate
from pathlib import Path

__all__ = ["segmenter_words", "make_nlp", "Segmenter", "jieba_tags"]


@cache
def segmenter_words() -> tuple[str, ...]:
    """The gazetteer names added to the segmenter's dictionary so they are never split.

    Two-character names are left to jieba: added as words they would cut ordinary words
    apart (康生 in 健康生活).
    """
    from .gazetteer import load_gazetteer
    return tuple(sorted(form for form in load_gazetteer().entries if len(form) >= 3))


def make_nlp():
    """spaCy's blank Chinese pipeline with the jieba segmenter and the gazetteer words.

    >>> nlp = make_nlp()
    >>> [t.text for t in nlp("中共中央政治局常委会")][:1]
    ['中共中央政治局常委']
    """
    import jieba
    import spacy
    jieba.setLogLevel(60)
    for word in segmenter_words():
        jieba.add_word(word)
    return spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})


class Segmenter:
    """Cuts text into words as jieba does (with the gazetteer words), at rjieba's speed."""

    def __init__(self):
        import rjieba
        for word in segmenter_words():
            rjieba.add_word(word, None, None)
        self._cut = rjieba.cut

    def cut(self, text: str) -> list[str]:
        return self._cut(text)

    def tokens(self, text: str) -> list[tuple[str, int, int]]:
        """``(word, start, end)`` for each word, offsets in characters."""
        words = self._cut(text)
        ends = list(accumulate(map(len, words)))
        return list(zip(words, [0, *ends[:-1]], ends))


@cache
def jieba_tags() -> dict[str, str]:
    """Part-of-speech tags of the words in jieba's dictionary (``nr`` marks person names)."""
    import jieba
    path = Path(jieba.__file__).parent / "dict.txt"
    tags: dict[str, str] = {}
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            parts = line.split()
            if len(parts) == 3:
                tags[parts[0]] = parts[2]
    return tags
