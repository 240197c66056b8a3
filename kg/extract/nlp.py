"""The Chinese pipeline: spaCy ``blank("zh")`` with jieba, and a fast segmenter equal to it.

jieba is the reference segmenter. The hot path cuts with ``rjieba`` (jieba's algorithm and
dictionary, in Rust), which gives the same tokens many times faster; a test holds the two
equal on real archive text, with the project's gazetteer words added to both.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from itertools import accumulate
from pathlib import Path
from typing import NamedTuple

__all__ = ["segmenter_words", "make_nlp", "Segmenter", "Tokens", "jieba_tags"]


@cache
def segmenter_words() -> tuple[str, ...]:
    """The gazetteer names added to the segmenter's dictionary so they are never split.

    Two-character names are left to jieba: added as words they would cut ordinary words
    apart (康生 in 健康生活). So are forms ending in an honorific (耀邦同志), which would cut
    the full name before them (胡|耀邦同志).
    """
    from .entities import HONORIFICS
    from .gazetteer import load_gazetteer
    # Forms with an honorific (耀邦同志) stay out: as words they would cut 胡|耀邦同志.
    return tuple(sorted(form for form in load_gazetteer().entries
                        if len(form) >= 3 and not form.endswith(HONORIFICS)))


def make_nlp():
    """spaCy's blank Chinese pipeline with the jieba segmenter and the gazetteer words.

    >>> nlp = make_nlp()
    >>> [t.text for t in nlp("姚文元同志")]
    ['姚文元', '同志']
    """
    import spacy
    Segmenter()  # adds the gazetteer words to jieba (and rjieba) once
    return spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})


class Tokens(NamedTuple):
    words: list[str]
    starts: list[int]
    ends: list[int]


class Segmenter:
    """Cuts text into words as jieba does (with the gazetteer words), at rjieba's speed.

    rjieba and jieba agree on every word with a Chinese character in it (tested), but not on
    runs of Latin letters, digits and symbols (``7.20``, ``--``, URLs), where jieba's rules
    depend on its regular expressions. Those runs, short and rare, are cut by jieba itself.
    """

    def __init__(self):
        import jieba
        import rjieba
        jieba.setLogLevel(60)
        _install_words()
        self._cut = rjieba.cut
        # The same runs recur (years, numbers, "--"): each is cut by jieba once.
        self._reference_cut = lru_cache(maxsize=65_536)(lambda run: tuple(jieba.lcut(run)))

    def cut(self, text: str) -> list[str]:
        words: list[str] = []
        pending: list[str] = []  # a run of words without Chinese, from one with Latin in it
        for word in self._cut(text):
            if pending:
                if not word.isascii() and _HAN.search(word):
                    words.extend(self._reference_cut("".join(pending)))
                    pending = []
                    words.append(word)
                else:
                    pending.append(word)
            elif word.isascii() and _LATIN.search(word):
                pending.append(word)
            else:
                words.append(word)
        if pending:
            words.extend(self._reference_cut("".join(pending)))
        return words


    def tokens(self, text: str) -> Tokens:
        """The words of ``text`` and where each starts and ends (in characters)."""
        words = self.cut(text)
        ends = list(accumulate(map(len, words)))
        return Tokens(words, [0, *ends[:-1]], ends)


_HAN = re.compile("[\u4e00-\u9fff]")
# The characters jieba's own rules group differently from rjieba's (its re_han_default).
_LATIN = re.compile(r"[A-Za-z0-9+#&._%\-]")
# The frequency given to a gazetteer word: high enough to keep a name whole.
_WORD_FREQ = 1000


@cache
def _install_words() -> None:
    """Add the gazetteer words to jieba and rjieba, once per process.

    Only words jieba does not know are added: jieba counts a re-added word's frequency twice
    in its total and rjieba does not, which would make the two disagree.
    """
    import jieba
    import rjieba
    known = jieba_tags()
    for word in segmenter_words():
        if word not in known:
            jieba.add_word(word, _WORD_FREQ)
            rjieba.add_word(word, _WORD_FREQ, None)


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
