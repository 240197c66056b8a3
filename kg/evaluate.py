"""Scoring a built graph against a gold file (``kg evaluate``).

Everything predicted is read from the built store through SPARQL, as any user would read it;
nothing is taken from the extractor's internals. Scores are micro-averaged precision, recall
and F1 per kind over the documents of the gold file (see ``shared/corpus/annotated/README.md``
for the gold's shape). A predicted name counts when it is the gold's canonical name or one of
its listed aliases; names the gold marks optional count neither way.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from .extract.citations import normalize_title
from .store import open_store

__all__ = ["evaluate", "format_table", "KINDS"]

KINDS = ("documents", "titles", "dates", "authors", "publications", "keywords", "tags",
         "persons", "organizations", "places", "meetings", "publications_mentioned",
         "citations", "adoption")
_ENTITY_CLASS = {"persons": "Person", "organizations": "Organization", "places": "Place",
                 "meetings": "Meeting", "publications_mentioned": "Publication"}
_PREFIXES = """PREFIX wx: <https://w3id.org/wenxian/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX cito: <http://purl.org/spar/cito/>
"""


@dataclass
class _Count:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, predicted: set, gold: set) -> None:
        self.tp += len(predicted & gold)
        self.fp += len(predicted - gold)
        self.fn += len(gold - predicted)

    def scores(self) -> dict:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4),
                "tp": self.tp, "fp": self.fp, "fn": self.fn}


def _rows(store, query: str) -> list[dict[str, str]]:
    result = store.query(_PREFIXES + query)
    names = [v.value for v in result.variables]
    return [{n: (row[n].value if row[n] is not None else "") for n in names} for row in result]


def _by_document(store, query: str, field: str = "value") -> dict[str, set]:
    found: dict[str, set] = defaultdict(set)
    for row in _rows(store, query):
        found[row["doc"]].add(row[field])
    return found


def evaluate(gold_path: Path, out: Path) -> dict:
    """Scores of the build in ``out`` against the gold file at ``gold_path``."""
    gold = json.loads(gold_path.read_text("utf-8"))
    store = open_store(out)
    documents = _rows(store, """SELECT ?doc ?path ?index ?title WHERE {
        ?doc a wx:Document ; wx:sourcePath ?path ; wx:recordIndex ?index ; dcterms:title ?title }""")
    by_place = {(d["path"], int(d["index"])): d for d in documents}
    canonical = _alias_table(gold.get("aliases", {}))
    facts = {
        "dates": _dates(store),
        "authors": _by_document(store, "SELECT ?doc ?value WHERE { ?doc dcterms:creator/rdfs:label ?value }"),
        "publications": _by_document(store, "SELECT ?doc ?value WHERE { ?doc dcterms:isPartOf/rdfs:label ?value }"),
        "keywords": _by_document(store, "SELECT ?doc ?value WHERE { ?doc dcterms:subject/rdfs:label ?value }"),
        "tags": _by_document(store, "SELECT ?doc ?value WHERE { ?doc wx:tag/rdfs:label ?value }"),
        "adoption": _by_document(store, """SELECT ?doc (CONCAT(?m, " ", STR(?d)) AS ?value) WHERE {
            ?doc wx:adoptedAt/rdfs:label ?m ; wx:adoptedOn ?d }"""),
    }
    for kind, cls in _ENTITY_CLASS.items():
        facts[kind] = _by_document(store, f"""SELECT ?doc ?value WHERE {{
            ?doc wx:mentions ?e . ?e a wx:{cls} ; rdfs:label ?value }}""")
    cites = _rows(store, """SELECT ?doc ?path ?index ?title WHERE {
        ?doc cito:cites ?c .
        OPTIONAL { ?c wx:sourcePath ?path ; wx:recordIndex ?index }
        OPTIONAL { ?c a wx:CitedWork ; dcterms:title ?title } }""")
    cited: dict[str, set] = defaultdict(set)
    for row in cites:
        cited[row["doc"]].add(("doc", row["path"], int(row["index"])) if row["path"]
                              else ("work", normalize_title(row["title"])))

    counts = {kind: _Count() for kind in KINDS}
    matched_iris = set()
    for entry in gold["documents"]:
        built = by_place.get((entry["file"], entry["record"]))
        counts["documents"].add({entry["file"]} if built else set(), {entry["file"]})
        if not built:
            for kind in KINDS[1:]:
                counts[kind].add(set(), _gold_values(entry, kind, canonical))
            continue
        iri = built["doc"]
        matched_iris.add(iri)
        counts["titles"].add({built["title"]}, {entry["title"]})
        optional = set()
        for names in (entry.get("optional") or {}).values():
            optional |= {canonical.get(n, n) for n in (names if isinstance(names, list) else [])}
        for kind in KINDS[2:]:
            if kind == "citations":
                predicted = cited.get(iri, set())
            elif kind in ("persons", "organizations", "places"):
                predicted = {canonical.get(n, n) for n in facts[kind].get(iri, set())} - optional
            else:
                predicted = set(facts[kind].get(iri, set()))
            counts[kind].add(predicted, _gold_values(entry, kind, canonical) - optional)
    counts["documents"].fp += sum(1 for d in documents if d["doc"] not in matched_iris)
    return {kind: counts[kind].scores() for kind in KINDS}


def _alias_table(aliases: dict) -> dict[str, str]:
    table = {}
    for group in aliases.values():
        for name, forms in group.items():
            for form in forms:
                table.setdefault(form, name)
    return table


def _dates(store) -> dict[str, set]:
    starts = _by_document(store, "SELECT ?doc ?value WHERE { ?doc dcterms:date ?value }")
    ends = _by_document(store, "SELECT ?doc ?value WHERE { ?doc wx:endDate ?value }")
    result = {}
    for doc, values in starts.items():
        if doc in ends and len(values) == 1:
            result[doc] = {f"{next(iter(values))}/{next(iter(ends[doc]))}"}
        else:
            result[doc] = set(values)
    return result


def _gold_values(entry: dict, kind: str, canonical: dict[str, str]) -> set:
    if kind == "titles":
        return {entry["title"]}
    if kind == "dates":
        return {entry["date"]} if entry.get("date") else set()
    if kind == "publications":
        return {entry["publication"]} if entry.get("publication") else set()
    if kind == "meetings":
        return {m["canonical"] for m in entry.get("meetings", [])}
    if kind == "adoption":
        if entry.get("adopted_at") and entry.get("adopted_on"):
            return {f"{entry['adopted_at']} {entry['adopted_on']}"}
        return set()
    if kind == "citations":
        return {("doc", c["resolves_to"]["file"], c["resolves_to"]["record"])
                if c.get("resolves_to") else ("work", normalize_title(c["title"]))
                for c in entry.get("cites", [])}
    if kind in ("persons", "organizations", "places"):
        return {canonical.get(n, n) for n in entry.get(kind, [])}
    return set(entry.get(kind, []))


def format_table(scores: dict) -> str:
    """The scores as an aligned text table."""
    lines = [f"{'kind':<24}{'P':>8}{'R':>8}{'F1':>8}{'tp':>6}{'fp':>6}{'fn':>6}"]
    for kind, s in scores.items():
        lines.append(f"{kind:<24}{s['precision']:>8.3f}{s['recall']:>8.3f}{s['f1']:>8.3f}"
                     f"{s['tp']:>6}{s['fp']:>6}{s['fn']:>6}")
    return "\n".join(lines)
