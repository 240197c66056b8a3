"""Throughput of the extraction stage against plain ``jieba.lcut`` on the same texts, and its
entity quality against ``jieba.posseg`` on the hand-annotated real records.

Run: .venv/bin/python benchmarks/extraction.py [--repeat 3]

Reads every record of ../shared/corpus/real (each article once), then times, in this process:
plain jieba.lcut over the bodies (the baseline), the whole extraction stage (Extractor.extract:
segmentation, entities, meetings, citation spans, adoption, term counts), and the citation work
alone (finding 《》 spans and resolving them against the corpus index). Prints chars/s and the
ratios; the targets are extraction ≥ 2.5× jieba and citations ≤ 10% of extraction.

Then, on the 30 records of ../shared/corpus/annotated-real, it scores the persons, organisations
and places each record's extraction names against the gold (aliases and each record's optional
names as ``kg evaluate`` applies them) beside what a user would reach for first: the words
jieba.posseg tags nr, nt and ns. (``kg evaluate`` scores the whole build, where names learned
across the archive add a little; this compares the two extractors alone, record by record.)
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

import jieba
import jieba.posseg

from timing import best_of

from kg.extract import Extractor
from kg.extract.citations import find_citations
from kg.model import Record
from kg.readers import input_files, read_file
from kg.resolve import CitationIndex, resolve_citations

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "real"
GOLD = SHARED.parent / "annotated-real" / "gold.json"
KINDS = {"persons": ("person", "nr"), "organizations": ("organization", "nt"),
         "places": ("place", "ns")}


def load_records() -> list[Record]:
    records: dict[tuple[str, str], Record] = {}
    for item in input_files([SHARED], "解放军报"):
        _, found = read_file(item.source(), item.path.read_bytes())
        for record in found:
            if isinstance(record, Record):
                records.setdefault(record.key, record)
    return list(records.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    records = load_records()
    chars = sum(len(r.text) for r in records)
    print(f"{len(records)} records, {chars / 1e6:.2f} M chars")
    jieba.setLogLevel(60)
    jieba.lcut("预热")
    extractor = Extractor()
    baseline = best_of(args.repeat, lambda: [jieba.lcut(r.text) for r in records])
    facts = []
    extraction = best_of(args.repeat, lambda: facts.__setitem__(
        slice(None), [extractor.extract(r) for r in records]))
    index = CitationIndex()
    for record, fact in zip(records, facts):
        index.add(record, fact)
    publications = extractor.gazetteer.publications

    def citations():
        for record, fact in zip(records, facts):
            find_citations(record.text, publications, None, list(fact.meetings))
            resolve_citations(record, fact, index)
    citing = best_of(args.repeat, citations)
    print(f"jieba.lcut        {chars / baseline / 1e6:8.3f} M chars/s  ({baseline:.2f} s)")
    print(f"extraction stage  {chars / extraction / 1e6:8.3f} M chars/s  ({extraction:.2f} s)")
    print(f"  ratio extraction / jieba = {baseline / extraction:.2f}x  (target >= 2.5)")
    print(f"citations (find + resolve) {citing:.2f} s = {100 * citing / extraction:.1f}% of "
          f"extraction  (target <= 10%)")
    if GOLD.exists():
        compare_with_posseg(extractor)


def compare_with_posseg(extractor: Extractor) -> None:
    """Micro P/R/F1 per kind of the extractor and of jieba.posseg on the annotated records."""
    from kg.evaluate import _alias_table, _nfkc
    gold = json.loads(GOLD.read_text("utf-8"))
    canonical = _alias_table(gold.get("aliases", {}))
    counts = {(who, kind): Counter() for who in ("wenxian-kg", "jieba.posseg") for kind in KINDS}
    for entry in gold["documents"]:
        path = SHARED / entry["file"]
        _, found = read_file(next(i for i in input_files([path.parent], "解放军报")
                                  if i.path == path).source(), path.read_bytes())
        record = [r for r in found if isinstance(r, Record)][entry["record"]]
        mentions = extractor.extract(record).mentions
        tagged = jieba.posseg.lcut(record.text)
        for kind, (ours, tag) in KINDS.items():
            optional = {canonical.get(n, n) for n in map(_nfkc, (entry.get("optional") or {})
                                                           .get(kind, []))}
            want = {canonical.get(n, n) for n in map(_nfkc, entry.get(kind, []))} - optional
            predicted = {
                "wenxian-kg": {m.name for m in mentions if m.kind == ours},
                "jieba.posseg": {p.word for p in tagged if p.flag == tag}}
            for who, names in predicted.items():
                names = {canonical.get(n, n) for n in map(_nfkc, names)} - optional
                count = counts[(who, kind)]
                count["tp"] += len(names & want)
                count["fp"] += len(names - want)
                count["fn"] += len(want - names)
    print(f"\nentities of the {len(gold['documents'])} annotated real records "
          f"(micro P / R / F1):")
    for who in ("wenxian-kg", "jieba.posseg"):
        cells = []
        total = Counter()
        for kind in KINDS:
            count = counts[(who, kind)]
            total.update(count)
            cells.append(f"{kind} {_prf(count)}")
        print(f"  {who:13} " + "  ".join(cells) + f"  all {_prf(total)}")


def _prf(count: Counter) -> str:
    tp, fp, fn = count["tp"], count["fp"], count["fn"]
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return f"{p:.3f}/{r:.3f}/{f:.3f}"


if __name__ == "__main__":
    main()
