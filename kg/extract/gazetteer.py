"""The gazetteers: canonical names, their other forms and Wikidata identifiers, from data files.

One automaton (a regular expression shaped as a trie, so Python's ``re`` walks it without
backtracking over alternatives) finds every listed form in raw text at once; at each position
it takes the longest form. Blockers (马克思主义, 毛泽东思想 …) are listed forms that name
nothing: they stop a shorter name inside them from matching.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from ..datafiles import read_lines, read_tsv

__all__ = ["Entry", "Gazetteer", "trie_pattern", "load_gazetteer"]

BLOCKER = "blocker"
_FILES = {"person": "persons.tsv", "organization": "organizations.tsv", "place": "places.tsv"}


@dataclass(frozen=True, slots=True)
class Entry:
    """A listed name: ``kind`` person/organization/place/publication (or blocker)."""

    kind: str
    name: str
    wikidata: str = ""
    needs_context: bool = False


def trie_pattern(words: list[str]) -> str:
    """A regular expression matching any of ``words``, longest first at each position.

    >>> re.findall(trie_pattern(["中国", "中国共产党", "中共中央"]), "中国共产党和中共中央在中国")
    ['中国共产党', '中共中央', '中国']
    """
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def render(node: dict) -> str:
        end = "" in node
        branches = [re.escape(char) + render(child)
                    for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if end:
            # Optional, and greedy: the longer form is tried first.
            return body + "?" if len(branches) == 1 and len(body) == 1 else f"(?:{body})?"
        return body

    return render(trie)


class Gazetteer:
    """All listed forms: ``entries`` maps each form (canonical or alias) to its entry."""

    def __init__(self, entries: dict[str, Entry], publications: dict[str, str],
                 abbreviations: dict[str, str]):
        self.entries = entries
        self.publications = publications
        self.abbreviations = abbreviations
        self.pattern = re.compile(trie_pattern(sorted(entries)))
        self.by_name = {(e.kind, e.name): e for e in entries.values()}

    def wikidata(self, kind: str, name: str) -> str:
        entry = self.by_name.get((kind, name))
        return f"http://www.wikidata.org/entity/{entry.wikidata}" if entry and entry.wikidata else ""

    def kind_of(self, name: str) -> str | None:
        entry = self.entries.get(name)
        return entry.kind if entry and entry.kind != BLOCKER else None


def _rows(kind: str, name: str) -> list[dict[str, str]]:
    try:
        return list(read_tsv(name))
    except FileNotFoundError:
        return []


@cache
def load_gazetteer() -> Gazetteer:
    """The gazetteer from the shipped data files (loaded once per process)."""
    entries: dict[str, Entry] = {}
    for kind, filename in _FILES.items():
        for row in _rows(kind, filename):
            name = row.get("name", "")
            if not name:
                continue
            entry = Entry(kind, name, row.get("wikidata", ""),
                          row.get("context", "").lower() in ("yes", "true", "1"))
            # A canonical name wins over another row's alias of the same form.
            entries[name] = entry
            for alias in filter(None, row.get("aliases", "").split("|")):
                entries.setdefault(alias.strip(), entry)
    for word in read_lines("blockers.txt") if _exists("blockers.txt") else ():
        entries.setdefault(word, Entry(BLOCKER, word))
    publications: dict[str, str] = {}
    for row in _rows("publication", "publications.tsv"):
        publications[row["name"]] = row["name"]
        for alias in filter(None, row.get("aliases", "").split("|")):
            publications.setdefault(alias.strip(), row["name"])
    abbreviations = {row["short"]: row["full"]
                     for row in _rows("abbreviation", "abbreviations.tsv") if row.get("short")}
    return Gazetteer(entries, publications, abbreviations)


def _exists(name: str) -> bool:
    from ..datafiles import DATA_DIR
    return (DATA_DIR / name).is_file()
