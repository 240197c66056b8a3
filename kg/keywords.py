"""Keywords: the top terms of each document by TF-IDF over the whole build.

The document frequencies change with every file added or removed, and with them any
document's top terms, so an incremental build must weigh every document again. The table
keeps each record's term counts as small integer arrays (term ids into a vocabulary) in a file
beside the build's cache, not in memory, updates the frequencies as records come and go, and
ranks all documents with numpy, a few thousand at a time, in bounded memory.

Scores are exact functions of the counts: the logarithms are taken by Python's ``math`` (the
same on every machine, unlike vectorised ones), products by IEEE multiplication, and ties go
to the term that sorts first, so the keywords never depend on the order of the work.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

__all__ = ["KeywordTable"]

RowKey = tuple[str, int]  # (file, record position)
_CHUNK = 4096


class KeywordTable:
    """Term counts of every record (in the file ``path``) and document frequencies.

    >>> import tempfile
    >>> table = KeywordTable(Path(tempfile.mkdtemp()) / "terms.bin", top_k=1)
    >>> table.add(("a", 0), (("军队", 3), ("学习", 1)))
    >>> table.add(("b", 0), (("学习", 2), ("农业", 1)))
    >>> table.add(("c", 0), (("农业", 1),))
    >>> table.top({"A": ("a", 0), "B": ("b", 0)})
    {'A': ('军队',), 'B': ('学习',)}
    """

    def __init__(self, path: Path, top_k: int = 8):
        self.path = path
        self.top_k = top_k
        self.vocabulary: dict[str, int] = {}
        self.terms: list[str] = []
        self.frequencies = np.zeros(1024, dtype=np.int64)
        self.rows: dict[RowKey, tuple[int, int]] = {}  # offset and length of int32 pairs
        self.size = self.dead = 0  # bytes in the file, bytes of removed rows
        path.unlink(missing_ok=True)
        self._file = None

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_file"] = None
        return state

    def _handle(self):
        if self._file is None:
            self._file = open(self.path, "a+b")
        return self._file

    def _read(self, row: RowKey) -> np.ndarray:
        offset, length = self.rows[row]
        return np.frombuffer(os.pread(self._handle().fileno(), length, offset), dtype=np.int32)

    def close(self) -> None:
        """Flush the file, first rewriting it without removed rows if they are most of it."""
        if self.dead > self.size // 2:
            rows = sorted(self.rows)
            data = [self._read(row).tobytes() for row in rows]
            self._handle().close()
            self._file = open(self.path, "w+b")
            self.rows, self.size, self.dead = {}, 0, 0
            for row, pairs in zip(rows, data):
                self._append(row, pairs)
        if self._file is not None:
            self._file.close()
            self._file = None

    @property
    def documents(self) -> int:
        return len(self.rows)

    def _append(self, row: RowKey, pairs: bytes) -> None:
        self._handle().write(pairs)
        self.rows[row] = (self.size, len(pairs))
        self.size += len(pairs)

    def add(self, row: RowKey, terms: Sequence[tuple[str, int]]) -> None:
        """Put in a record's term counts (its terms are distinct)."""
        if not terms:
            self._append(row, b"")
            return
        words, counts = zip(*terms)
        vocabulary = self.vocabulary
        ids = list(map(vocabulary.get, words))  # in C; most terms are known after a while
        if None in ids:
            for position, term in enumerate(words):
                if ids[position] is None:
                    ids[position] = vocabulary[term] = len(self.terms)
                    self.terms.append(term)
        if len(self.terms) > len(self.frequencies):
            self.frequencies = np.concatenate(
                [self.frequencies, np.zeros(len(self.terms), dtype=np.int64)])
        pairs = np.empty(2 * len(ids), dtype=np.int32)
        pairs[0::2], pairs[1::2] = ids, counts
        self.frequencies[ids] += 1  # distinct terms: no index repeats
        self._append(row, pairs.tobytes())

    def remove(self, row: RowKey) -> None:
        pairs = self._read(row)
        np.subtract.at(self.frequencies, pairs[0::2], 1)
        self.dead += self.rows.pop(row)[1]

    def top(self, chosen: dict) -> dict:
        """The top terms of each document: ``chosen`` maps a document to the row whose terms
        are its text's; returns document → terms, best first."""
        n = len(self.terms)
        if self.documents < 2 or n == 0:
            return {document: () for document in chosen}
        frequencies = self.frequencies[:n].tolist()
        total = self.documents
        idf = np.array([math.log((1 + total) / (1 + f)) for f in frequencies])
        order = np.empty(n, dtype=np.int64)  # each term's place in the sorted vocabulary
        order[sorted(range(n), key=self.terms.__getitem__)] = np.arange(n)
        weights = np.array([0.0] + [1 + math.log(c) for c in range(1, 1 << 16)])
        result = {}
        documents = list(chosen)
        self._handle().flush()
        for start in range(0, len(documents), _CHUNK):
            batch = documents[start:start + _CHUNK]
            arrays = [self._read(chosen[d]) for d in batch]
            sizes = np.array([len(a) // 2 for a in arrays], dtype=np.int64)
            if not sizes.sum():
                result.update((d, ()) for d in batch)
                continue
            pairs = np.concatenate(arrays)
            ids, counts = pairs[0::2], np.minimum(pairs[1::2], len(weights) - 1)
            owner = np.repeat(np.arange(len(batch)), sizes)
            scores = weights[counts] * idf[ids]
            keep = idf[ids] > 0
            ids, owner, scores = ids[keep], owner[keep], scores[keep]
            ranked = np.lexsort((order[ids], -scores, owner))
            ids, owner = ids[ranked], owner[ranked]
            first = np.searchsorted(owner, np.arange(len(batch)))
            place = np.arange(len(owner)) - first[owner]
            picked = place < self.top_k
            tops: list[list[str]] = [[] for _ in batch]
            for who, term in zip(owner[picked].tolist(), ids[picked].tolist()):
                tops[who].append(self.terms[term])
            result.update((d, tuple(t)) for d, t in zip(batch, tops))
        return result
