"""The query store against rdflib's in-memory engine, on a generated graph of the contract's shape.

Run: .venv/bin/python benchmarks/store.py [--triples 5000000] [--repeat 3]

Generates documents with identifiers, titles, typed dates, authors, publications, mentions and
a skewed (Zipf) citation distribution with reified citations, as `kg build` writes them; loads
the same triples into Oxigraph (the project's store, on disk, bulk load) and into an rdflib
Graph; then times three queries from the library on both — the most cited works in a period,
the documents citing a document, documents by an author in a period — and prints the
store's load rate and each query's speed ratio (target: the store ≥ 20× faster).
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox
import rdflib

from timing import best_of

from kg.query import bind_parameters, load_query

ID = "https://w3id.org/wenxian/id/"
WX = "https://w3id.org/wenxian/ontology#"
DC = "http://purl.org/dc/terms/"
CITO = "http://purl.org/spar/cito/"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"


def generate(path: Path, triples: int, seed: int = 1) -> tuple[int, int]:
    """Write about ``triples`` N-Triples lines; return (triples, documents)."""
    r = random.Random(seed)
    written = documents = 0
    persons = [f"{ID}person/p{i}" for i in range(20_000)]
    with path.open("w", encoding="utf-8") as out:
        for i, person in enumerate(persons):
            out.write(f'<{person}> <{TYPE}> <{WX}Person> .\n<{person}> <{RDFS}label> "人物{i}"@zh .\n')
            written += 2
        while written < triples:
            doc = f"{ID}doc/p{documents % 7}/{documents}"
            year = 1950 + documents * 50 // max(1, triples // 40)
            year = min(year, 1999)
            lines = [f"<{doc}> <{TYPE}> <{WX}Document> .",
                     f'<{doc}> <{DC}identifier> "{documents}" .',
                     f'<{doc}> <{DC}title> "文献标题{documents}"@zh .',
                     f'<{doc}> <{DC}date> "{year}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}"^^<{XSD}date> .',
                     f"<{doc}> <{DC}isPartOf> <{ID}publication/p{documents % 7}> .",
                     f"<{doc}> <{DC}creator> <{r.choice(persons)}> ."]
            for _ in range(r.randint(2, 8)):
                lines.append(f"<{doc}> <{WX}mentions> <{r.choice(persons)}> .")
            for n in range(r.choice((0, 1, 2, 3, 4))):
                if documents < 10:
                    break
                cited = min(documents - 1, int(r.paretovariate(1.1)) - 1)
                target = f"{ID}doc/p{cited % 7}/{cited}"
                node = f"{ID}citation/{documents}-{n}"
                lines += [f"<{doc}> <{CITO}cites> <{target}> .",
                          f"<{node}> <{TYPE}> <{CITO}Citation> .",
                          f"<{node}> <{CITO}hasCitingEntity> <{doc}> .",
                          f"<{node}> <{CITO}hasCitedEntity> <{target}> .",
                          f'<{node}> <{WX}surface> "《文献标题{cited}》" .']
            out.write("\n".join(lines) + "\n")
            written += len(lines)
            documents += 1
        for p in range(7):
            out.write(f"<{ID}publication/p{p}> <{RDFS}label> \"出版物{p}\"@zh .\n")
    return written, documents


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=5_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rdflib-timeout", type=float, default=600,
                        help="stop an rdflib query after this many seconds (a lower bound)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="kg-store-bench-"))
    nt = folder / "graph.nt"
    count, documents = generate(nt, args.triples)
    print(f"generated {count} triples, {documents} documents")

    started = time.perf_counter()
    store = ox.Store(str(folder / "store"))
    store.bulk_load(path=str(nt), format=ox.RdfFormat.N_TRIPLES)
    store.flush()
    oxi_load = time.perf_counter() - started
    print(f"Oxigraph bulk load (on disk): {oxi_load:.1f} s = {count / oxi_load:,.0f} triples/s")
    started = time.perf_counter()
    graph = rdflib.Graph()
    graph.parse(nt, format="nt")
    print(f"rdflib parse into memory: {time.perf_counter() - started:.1f} s")

    cited = "文献标题0"
    queries = [("most-cited", {"from": "1980", "to": "1989"}),
               ("citing-documents", {"title": cited}),
               ("documents-by-author", {"author": "人物7"})]
    for name, params in queries:
        # The same bound query for both engines, bound as `kg query` binds it.
        bound = bind_parameters(load_query(name), params)
        oxi_rows = []
        oxi = best_of(args.repeat, lambda: oxi_rows.__setitem__(slice(None), list(store.query(bound))))
        lib, lib_rows = rdflib_time(graph, bound, args.rdflib_timeout)
        shown = f"{lib * 1000:9.1f} ms ({lib_rows} rows)" if lib_rows is not None else \
            f"> {lib:.0f} s (stopped)"
        ratio = f"{lib / oxi:6.1f}x" if lib_rows is not None else f"> {lib / oxi:.0f}x"
        print(f"{name:22} Oxigraph {oxi * 1000:8.1f} ms ({len(oxi_rows)} rows)  rdflib "
              f"{shown}  ratio {ratio}  (target >= 20x)")


def rdflib_time(graph, query: str, timeout: float) -> tuple[float, int | None]:
    """rdflib's time for ``query`` in a forked child, stopped after ``timeout`` seconds
    (then the time is a lower bound and the row count ``None``)."""
    read, write = os.pipe()
    started = time.perf_counter()
    child = os.fork()
    if child == 0:
        os.close(read)
        rows = len(list(graph.query(query)))
        os.write(write, f"{time.perf_counter() - started} {rows}".encode())
        os._exit(0)
    os.close(write)
    deadline = started + timeout
    while time.perf_counter() < deadline:
        done, _ = os.waitpid(child, os.WNOHANG)
        if done:
            seconds, rows = os.read(read, 100).decode().split()
            os.close(read)
            return float(seconds), int(rows)
        time.sleep(0.05)
    os.kill(child, signal.SIGKILL)
    os.waitpid(child, 0)
    os.close(read)
    return timeout, None


if __name__ == "__main__":
    main()
