"""Scoring a built graph against a gold file (``kg evaluate``).

Everything predicted is read from the built store through SPARQL, as any user would read it;
nothing is taken from the extractor's internals. Scores are micro-averaged precision, recall
and F1 per kind over the documents of the gold file (see ``shared/corpus/annotated/README.md``
for the gold's shape). A predicted name counts when it is the gold's canonical name or one of
its listed aliases; names the gold marks optional count neither way.
"""

from __future__ import annotations

from .errors import KgError

import json
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from .extract.citations import normalize_title
from .store import open_store

__all__ = ["evaluate", "evaluate_details", "format_table", "format_details", "KINDS"]

KINDS = ("documents", "titles", "dates", "authors", "publications", "keywords", "tags",
         "persons", "organizations", "places", "meetings", "publications_mentioned",
         "citations", "adoption")
_ENTITY_CLASS = {"persons": "Person", "organizations": "Organization", "places": "Place",
                 "meetings": "Meeting", "publications_mentioned": "Publication"}
_PREFIXES = """PREFIX wx: <https://w3id.org/wenxian/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX cito: <http://purl.org/spar/cito/>
PREFIX prov: <http://www.w3.org/ns/prov#>
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
    scores, _ = evaluate_details(gold_path, out)
    return scores


def evaluate_details(gold_path: Path, out: Path) -> tuple[dict, list[dict]]:
    """Scores, and per gold document what was wrong: ``{"file", "record", kind: {"fp", "fn"}}``.

    A gold record is matched with the document built from any copy of it (each copy read is a
    ``prov:wasDerivedFrom`` of its document), so a document merged from a GBK and a UTF-8 copy
    is found whichever copy the gold names.
    """
    gold = _read_gold(gold_path)
    store = open_store(out)
    documents = _rows(store, """SELECT ?doc ?source ?title WHERE {
        ?doc a wx:Document ; prov:wasDerivedFrom ?source ; dcterms:title ?title }""")
    by_place = {}
    for row in documents:
        place = _source_place(row["source"])
        if place:
            by_place[place] = row
    canonical = _alias_table(gold.get("aliases", {}))
    facts = _predicted(store)
    counts = {kind: _Count() for kind in KINDS}
    details = []
    matched_iris = set()
    for entry in gold["documents"]:
        built = by_place.get((entry["file"], entry["record"]))
        wrong = {"file": entry["file"], "record": entry["record"]}
        details.append(wrong)
        counts["documents"].add({entry["file"]} if built else set(), {entry["file"]})
        iri = built["doc"] if built else None
        if iri:
            matched_iris.add(iri)
        for kind in KINDS[1:]:
            gold_values = _gold_values(entry, kind, canonical)
            if iri is None:
                predicted = set()
            elif kind == "titles":
                predicted = {built["title"]}
            elif kind in ("persons", "organizations", "places", "publications_mentioned"):
                predicted = {canonical.get(n, n) for n in map(_nfkc, facts[kind].get(iri, set()))}
            else:
                predicted = set(facts[kind].get(iri, set()))
            optional = _optional(entry, kind, canonical)
            predicted -= optional
            gold_values -= optional
            counts[kind].add(predicted, gold_values)
            if predicted != gold_values:
                wrong[kind] = {"fp": sorted(map(str, predicted - gold_values)),
                               "fn": sorted(map(str, gold_values - predicted))}
    counts["documents"].fp += len({d["doc"] for d in documents} - matched_iris)
    return {kind: counts[kind].scores() for kind in KINDS}, details


def _read_gold(gold_path: Path) -> dict:
    try:
        gold = json.loads(Path(gold_path).read_text("utf-8"))
    except json.JSONDecodeError as error:
        raise KgError(f"{gold_path}: not JSON ({error})") from None
    if not isinstance(gold, dict) or not isinstance(gold.get("documents"), list):
        raise KgError(f"{gold_path}: a gold file is a JSON object with a 'documents' list "
                         "(see shared/corpus/annotated/README.md)")
    return gold


def _source_place(source: str) -> tuple[str, int] | None:
    """``(path, record index)`` of a source IRI (``…/source/a/b.txt#3``)."""
    _, found, rest = source.partition("/source/")
    path, hashed, index = rest.rpartition("#")
    if not found or not hashed or not index.isdigit():
        return None
    return unquote(path), int(index)


def _predicted(store) -> dict[str, dict[str, set]]:
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
    facts["citations"] = cited
    return facts


def _optional(entry: dict, kind: str, canonical: dict[str, str]) -> set:
    """The names the gold marks optional for ``kind`` in this record: neither right nor wrong."""
    names = (entry.get("optional") or {}).get(kind) or []
    if not isinstance(names, list):
        return set()
    if kind == "meetings":
        return {canonical.get(n, n) for n in names} | set(names)
    if kind == "citations":
        return {("work", normalize_title(n)) for n in names}
    return {canonical.get(n, n) for n in map(_nfkc, names)}


def _alias_table(aliases: dict) -> dict[str, str]:
    table = {}
    for group in aliases.values():
        for name, forms in group.items():
            for form in forms:
                table.setdefault(_nfkc(form), _nfkc(name))
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
    if kind in ("persons", "organizations", "places", "publications_mentioned"):
        return {canonical.get(n, n) for n in map(_nfkc, entry.get(kind, []))}
    return set(entry.get(kind, []))


def _nfkc(name: str) -> str:
    """Names compared as NFKC: full-width ＣＮＤ and CND are one name."""
    return unicodedata.normalize("NFKC", name)


def format_table(scores: dict) -> str:
    """The scores as an aligned text table."""
    lines = [f"{'kind':<24}{'P':>8}{'R':>8}{'F1':>8}{'tp':>6}{'fp':>6}{'fn':>6}"]
    for kind, s in scores.items():
        lines.append(f"{kind:<24}{s['precision']:>8.3f}{s['recall']:>8.3f}{s['f1']:>8.3f}"
                     f"{s['tp']:>6}{s['fp']:>6}{s['fn']:>6}")
    return "\n".join(lines)


def format_details(details: list[dict]) -> str:
    """What each gold document got wrong, kind by kind (``+`` found but not in the gold,
    ``-`` in the gold but not found)."""
    lines = []
    for wrong in details:
        kinds = [k for k in KINDS[1:] if k in wrong]
        if not kinds:
            continue
        lines.append(f"{wrong['file']}#{wrong['record']}")
        for kind in kinds:
            fp, fn = wrong[kind]["fp"], wrong[kind]["fn"]
            lines.append(f"  {kind:<22} " + " ".join([f"+{v}" for v in fp] + [f"-{v}" for v in fn]))
    return "\n".join(lines)
