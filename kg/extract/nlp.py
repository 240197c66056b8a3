"""The Chinese pipeline: spaCy ``blank("zh")`` with jieba, and a fast segmenter equal to it.

jieba is the reference segmenter. The hot path cuts with ``rjieba`` (jieba's algorithm and
dictionary, in Rust), which gives the same tokens many times faster; a test holds the two
equal on real archive text, with the project's gazetteer words added to both.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from functools import cache, lru_cache
from itertools import accumulate
from pathlib import Path
from typing import NamedTuple

__all__ = ["segmenter_words", "make_nlp", "Segmenter", "Tokens", "jieba_tags", "frequent_words"]


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
    _install_words_in_jieba()
    return spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})


class Tokens(NamedTuple):
    words: list[str]
    starts: list[int]
    ends: list[int]


class Segmenter:
    """Cuts text into words as jieba does (with the gazetteer words), at rjieba's speed.

    rjieba and jieba agree on every word with a Chinese character in it (tested), but not on
    runs of Latin letters, digits and symbols (``7.20``, ``--``, URLs), where jieba's rules
    depend on its regular expressions. Those runs, short and rare, are cut by jieba's own
    code (``_latin_tokenizer``). Nor do they break a tie alike: in a run of one character
    (咯咯咯), where 咯咯|咯 and 咯|咯咯 are equally likely, jieba takes the longer word first;
    such runs are cut again as jieba cuts them (``_cut_repeat``).
    """

    def __init__(self):
        import rjieba
        _install_words()
        self._cut = rjieba.cut
        latin = _latin_tokenizer()
        # The same runs recur (years, numbers, "--"): each is cut once.
        self._reference_cut = lru_cache(maxsize=65_536)(lambda run: tuple(latin.lcut(run)))

    def cut(self, text: str) -> list[str]:
        return self.tokens(text).words

    def tokens(self, text: str) -> Tokens:
        """The words of ``text`` and where each starts and ends (in characters)."""
        words = self._cut(text)
        ends = list(accumulate(map(len, words)))
        # Runs of words without Chinese, from one made of ASCII with Latin in it up to the
        # next word with Chinese, are cut again. They are found from the Latin characters
        # of the text (a search in C), not by testing every word.
        recut = []
        done = 0  # the words before this are in a run found already
        count = len(words)
        for match in _LATIN_RUN.finditer(text):
            i = bisect_right(ends, match.start())  # the word that holds the match's start
            while i < count and ends[i] - len(words[i]) < match.end():
                if i >= done and words[i].isascii():
                    j = i + 1
                    while j < count and (words[j].isascii() or not _HAN.search(words[j])):
                        j += 1
                    cut = self._reference_cut("".join(words[i:j]))
                    if len(cut) != j - i or any(map(str.__ne__, cut, words[i:j])):
                        recut.append((i, j, cut))
                    done = j
                i += 1
        for i, j, cut in reversed(recut):
            words[i:j] = cut
        if _REPEAT_ANY.search(text) and _REPEAT.search(text):
            words = _recut_repeats(words, text)
        elif not recut:
            return Tokens(words, [0, *ends[:-1]], ends)
        ends = list(accumulate(map(len, words)))
        return Tokens(words, [0, *ends[:-1]], ends)


_HAN = re.compile("[\u4e00-\u9fff]")
_REPEAT = re.compile(r"([\u4e00-\u9fff])\1\1")
_REPEAT_ANY = re.compile(r"(.)\1\1")  # searched faster, to rule most texts out
_SAME_RUN = re.compile(r"(.)\1+", re.DOTALL)
# The characters jieba's own rules group differently from rjieba's (its re_han_default).
_LATIN_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+#&._%-"
_LATIN = re.compile(f"[{re.escape(_LATIN_CHARS)}]")
_LATIN_RUN = re.compile(f"[{re.escape(_LATIN_CHARS)}]+")
# The frequency given to a gazetteer word: high enough to keep a name whole.
_WORD_FREQ = 1000


@cache
def _install_words() -> None:
    """Add the gazetteer words to rjieba, once per process (``make_nlp`` adds them to jieba).

    Only words jieba does not know are added: jieba counts a re-added word's frequency twice
    in its total and rjieba does not, which would make the two disagree.
    """
    import rjieba
    for word in _added_words():
        rjieba.add_word(word, _WORD_FREQ, None)


@cache
def _install_words_in_jieba() -> None:
    import jieba
    jieba.setLogLevel(60)
    for word in _added_words():
        jieba.add_word(word, _WORD_FREQ)


@cache
def _added_words() -> tuple[str, ...]:
    known = jieba_tags()
    return tuple(word for word in segmenter_words() if word not in known)


def _latin_tokenizer():
    """A jieba tokenizer that cuts a run without Chinese characters exactly as jieba with
    the gazetteer words does, made in milliseconds instead of jieba's 0.75 s.

    jieba cuts such a run in blocks of the characters of its ``re_han_default`` other than
    Chinese ones, over a dictionary graph that only ever looks up strings of those
    characters. So its dictionary can be just the words starting with one of them (their
    prefixes are what the graph walks), and its total frequency, which scales every word's
    probability, that of the whole dictionary plus the added gazetteer words.
    """
    import io
    import jieba
    jieba.setLogLevel(60)
    latin = _jieba_dictionary()[1]
    added = [(word, _WORD_FREQ) for word in _added_words() if word[0] in _LATIN_FIRST]
    tokenizer = jieba.Tokenizer()
    data = "".join(f"{word} {freq}\n" for word, freq in (*latin, *added)).encode()
    tokenizer.FREQ, _ = tokenizer.gen_pfdict(io.BytesIO(data))
    tokenizer.total = _total_with_added_words()
    tokenizer.initialized = True
    return tokenizer


def _recut_repeats(words: list[str], text: str) -> list[str]:
    """``words`` with each run of two words or more made of one character, the same in
    all, cut again as jieba cuts it: they lie in the text's runs of one character."""
    ends = list(accumulate(map(len, words)))
    for match in reversed(list(_SAME_RUN.finditer(text))):
        start, end = match.span()
        i = bisect_right(ends, start)  # the first word ending after the run's start
        if ends[i] - len(words[i]) < start:
            i += 1  # it starts before the run: it holds another character
        j = bisect_right(ends, end)  # the words before j end inside the run
        if j - i >= 2:
            words[i:j] = _cut_repeat("".join(words[i:j]))
    return words


@lru_cache(maxsize=1024)
def _cut_repeat(run: str) -> tuple[str, ...]:
    """jieba's best path through a run of one character, ties to the longer word first (its
    ``calc``): the words are the run's character repeated, with jieba's frequencies."""
    frequencies = _jieba_dictionary()[4]
    log_total = math.log(_total_with_added_words())
    n = len(run)
    route = [(0.0, 0)] * (n + 1)
    for i in range(n - 1, -1, -1):
        route[i] = max((math.log(frequencies.get(run[i:x + 1], 0) or 1) - log_total
                        + route[x + 1][0], x)
                       for x in range(i, n) if x == i or frequencies.get(run[i:x + 1]))
    cut, i = [], 0
    while i < n:
        cut.append(run[i:route[i][1] + 1])
        i = route[i][1] + 1
    return tuple(cut)


def _total_with_added_words() -> int:
    """jieba's total frequency once the gazetteer words are added (it scales every word's
    probability)."""
    return _jieba_dictionary()[2] + _WORD_FREQ * len(_added_words())


def jieba_tags() -> dict[str, str]:
    """Part-of-speech tags of the words in jieba's dictionary (``nr`` marks person names)."""
    return _jieba_dictionary()[0]


def frequent_words() -> frozenset[str]:
    """Words of two or three characters that jieba's dictionary counts 100 times or more:
    ordinary words, even where it tags them as names (文明, 师傅 are ``nr`` there)."""
    return _jieba_dictionary()[3]


# The first characters of the words jieba looks up in a run without Chinese characters.
_LATIN_FIRST = frozenset(_LATIN_CHARS)


@cache
def _jieba_dictionary() -> tuple[dict[str, str], tuple[tuple[str, int], ...], int,
                                 frozenset[str], dict[str, int]]:
    """jieba's dictionary read once: each word's tag, the words a run without Chinese
    characters can meet (with their frequencies), the total frequency, and the frequent
    short words. Parsing its 350,000 lines takes most of a second, so what it gives is kept
    in the user's cache folder, under the size and time of the file it was read from."""
    import jieba
    import os
    import pickle
    path = Path(jieba.__file__).parent / "dict.txt"
    stat = path.stat()
    folder = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "wenxian-kg"
    kept = folder / f"jieba-{_DICTIONARY_FORM}-{stat.st_size}-{stat.st_mtime_ns}.pickle"
    try:
        with kept.open("rb") as f:
            return pickle.load(f)
    except (OSError, pickle.UnpicklingError, EOFError, ValueError):
        pass
    read = _read_jieba_dictionary(path)
    try:  # a folder that cannot be written only costs the next process the parsing again
        folder.mkdir(parents=True, exist_ok=True)
        temporary = kept.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_bytes(pickle.dumps(read, pickle.HIGHEST_PROTOCOL))
        temporary.replace(kept)
    except OSError:
        pass
    return read


_DICTIONARY_FORM = 1  # of what _read_jieba_dictionary returns: change it when that changes


def _read_jieba_dictionary(path: Path) -> tuple[dict[str, str], tuple[tuple[str, int], ...], int,
                                                frozenset[str], dict[str, int]]:
    tags: dict[str, str] = {}
    latin = []
    frequent = []
    repeats = {}
    total = 0
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            parts = line.split()
            if len(parts) < 2:
                continue
            word, freq = parts[0], int(parts[1])
            total += freq
            if len(parts) == 3:
                tags[word] = parts[2]
            if word[0] in _LATIN_FIRST:
                latin.append((word, freq))
            if freq >= 100 and 2 <= len(word) <= 3:
                frequent.append(word)
            if word == word[0] * len(word):
                repeats[word] = freq
    return tags, tuple(latin), total, frozenset(frequent), repeats
