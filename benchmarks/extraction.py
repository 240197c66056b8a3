"""Throughput of the extraction stage against plain ``jieba.lcut`` on the same texts.

Run: .venv/bin/python benchmarks/extraction.py [--repeat 3]

Reads every record of ../shared/corpus/real (each article once), then times, in this process:
plain jieba.lcut over the bodies (the baseline), the whole extraction stage (Extractor.extract:
segmentation, entities, meetings, citation spans, adoption, term counts), and the citation work
alone (finding 《》 spans and resolving them against the corpus index). Prints chars/s and the
ratios; the targets are extraction ≥ 1.0× jieba and citations ≤ 10% of extraction.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import jieba

from timing import best_of

from kg.extract import Extractor
from kg.extract.citations import find_citations
from kg.model import Record
from kg.readers import input_files, read_file
from kg.resolve import CitationIndex, resolve_citations

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "real"


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
    print(f"  ratio extraction / jieba = {baseline / extraction:.2f}x  (target >= 1.0)")
    print(f"citations (find + resolve) {citing:.2f} s = {100 * citing / extraction:.1f}% of "
          f"extraction  (target <= 10%)")


if __name__ == "__main__":
    main()
