"""The networkx view of the links between documents, read from the built store by SPARQL.

Two graphs, both with IRI strings as node ids:

- :func:`document_graph` — a ``DiGraph`` with a node per document and per cited work and an edge
  citing → cited (``count``: the places in the text, ``surfaces``: what they said);
- :func:`mention_graph` — a ``Graph`` of entities named together (``weight``: documents in
  common), e.g. persons with persons or persons with meetings.

The view is read from the store (a built output folder or an open ``pyoxigraph.Store``), never
rebuilt from text and never written back. Measures (in-degree, PageRank, components, citation
cascades, citations per year, Louvain communities) are plain functions over those graphs, and
:func:`write_graph_outputs` is the one place that writes files: GraphML, GEXF, node-link JSON,
CSV tables, and the pictures of :mod:`kg.viz`.

>>> G = nx.DiGraph([("a", "w"), ("b", "w"), ("c", "a")])
>>> citation_cascade(G, "w")
{'a': 1, 'b': 1, 'c': 2}
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import astuple, dataclass, fields
from pathlib import Path

import networkx as nx
import pyoxigraph as ox

from .ontology import CITO, DCTERMS, ENTITY_CLASSES, RDF, RDFS, WX
from .store import open_store

__all__ = ["document_graph", "mention_graph", "MENTION_KINDS", "cited_work_measures",
           "CitedWorkMeasure", "pagerank", "components", "citation_cascade",
           "citations_by_year", "communities", "exportable_graph", "generate_node_link_json",
           "generate_csv", "cited_works_rows", "components_rows", "communities_rows",
           "citations_by_year_rows", "write_graph_outputs"]

MENTION_KINDS = ("person", "organization", "place", "meeting", "publication")
_YEAR = re.compile(r"^(\d{4})")
_PREFIXES = (f"PREFIX wx: <{WX._NS}> PREFIX cito: <{CITO._NS}> PREFIX dcterms: <{DCTERMS}> "
             f"PREFIX rdfs: <{RDFS}> PREFIX rdf: <{RDF}> ")

_Q_DOCUMENTS = _PREFIXES + """SELECT ?doc ?id ?title WHERE { ?doc a wx:Document .
  OPTIONAL { ?doc dcterms:identifier ?id } OPTIONAL { ?doc dcterms:title ?title } }"""
_Q_DATES = _PREFIXES + "SELECT ?doc ?date WHERE { ?doc a wx:Document ; dcterms:date ?date }"
_Q_PUBLICATIONS = _PREFIXES + """SELECT ?doc ?label WHERE { ?doc a wx:Document ;
  dcterms:isPartOf ?pub . ?pub rdfs:label ?label }"""
_Q_AUTHORS = _PREFIXES + """SELECT ?doc ?name WHERE { ?doc dcterms:creator ?who .
  ?who rdfs:label ?name }"""
_Q_WORKS = _PREFIXES + """SELECT ?work ?title WHERE { ?work a wx:CitedWork .
  OPTIONAL { ?work dcterms:title ?title } }"""
_Q_ISSUERS = _PREFIXES + """SELECT ?work ?name WHERE { ?work a wx:CitedWork ;
  wx:issuedBy ?who . ?who rdfs:label ?name }"""
_Q_CITES = _PREFIXES + "SELECT ?citing ?cited WHERE { ?citing cito:cites ?cited }"
_Q_PLACES = _PREFIXES + """SELECT ?place ?citing ?cited ?surface WHERE { ?place a cito:Citation ;
  cito:hasCitingEntity ?citing ; cito:hasCitedEntity ?cited .
  OPTIONAL { ?place wx:surface ?surface } }"""
_Q_MENTIONS = _PREFIXES + """SELECT ?doc ?entity ?label WHERE { ?doc a wx:Document ;
  wx:mentions ?entity . ?entity a <%s> . OPTIONAL { ?entity rdfs:label ?label } }"""


# --- reading the store ----------------------------------------------------------------------

def _open(source: Path | str | ox.Store) -> ox.Store:
    return source if isinstance(source, ox.Store) else open_store(Path(source))


def _rows(store: ox.Store, query: str) -> Iterator[tuple[str | None, ...]]:
    for solution in store.query(query):
        yield tuple(None if term is None else term.value for term in solution)


def _documents(store: ox.Store) -> dict[str, dict]:
    """Every document's attributes, keyed by IRI, in IRI order."""
    identifiers: dict[str, str] = {}
    titles: dict[str, str] = {}
    for doc, identifier, title in _rows(store, _Q_DOCUMENTS):
        # min(): one value even if a merged document carries two
        identifiers[doc] = min(identifiers.get(doc, identifier or ""), identifier or "")
        titles[doc] = min(titles.get(doc, title or ""), title or "")
    dates: dict[str, str] = {}
    for doc, date in _rows(store, _Q_DATES):
        if _YEAR.match(date) and (doc not in dates or date < dates[doc]):
            dates[doc] = date
    publications: dict[str, set[str]] = defaultdict(set)
    for doc, label in _rows(store, _Q_PUBLICATIONS):
        publications[doc].add(label)
    authors = _labels_by_subject(store, _Q_AUTHORS)
    result = {}
    for iri in sorted(identifiers):
        date = dates.get(iri)
        result[iri] = {
            "iri": iri, "identifier": identifiers[iri], "title": titles[iri], "date": date,
            "year": int(date[:4]) if date else None,
            "publication": "; ".join(sorted(publications.get(iri, ()))),
            "kind": "document", "in_archive": True, "authors": authors.get(iri, []),
        }
    return result


def _labels_by_subject(store: ox.Store, query: str) -> dict[str, list[str]]:
    labels: dict[str, set[str]] = defaultdict(set)
    for subject, label in _rows(store, query):
        labels[subject].add(label)
    return {subject: sorted(names) for subject, names in labels.items()}


def _cited_works(store: ox.Store) -> dict[str, dict]:
    titles: dict[str, str] = {}
    for work, title in _rows(store, _Q_WORKS):
        titles[work] = min(titles.get(work) or title or "", title or "")
    issuers = _labels_by_subject(store, _Q_ISSUERS)
    return {work: _work_node(work, titles[work], issuers.get(work, [])) for work in titles}


def _work_node(iri: str, title: str = "", authors: list[str] | None = None) -> dict:
    return {"iri": iri, "identifier": "", "title": title, "date": None, "year": None,
            "publication": "", "kind": "cited-work", "in_archive": False,
            "authors": authors or []}


def _selected(node: dict, start: int | None, end: int | None,
              publications: frozenset[str] | None) -> bool:
    if start is not None or end is not None:
        year = node["year"]
        if year is None or (start is not None and year < start) or \
                (end is not None and year > end):
            return False
    if publications is not None:
        return bool(publications & set(node["publication"].split("; ")))
    return True


def _as_set(publication: str | Iterable[str] | None) -> frozenset[str] | None:
    if publication is None:
        return None
    return frozenset([publication] if isinstance(publication, str) else publication)


# --- the two graphs -------------------------------------------------------------------------

def document_graph(source: Path | str | ox.Store, *, start: int | None = None,
                   end: int | None = None, publication: str | Iterable[str] | None = None,
                   cited_works: bool = True) -> nx.DiGraph:
    """The citation graph: a node per document and per cited work, an edge citing → cited.

    Node attributes: ``iri``, ``identifier``, ``title``, ``date`` (ISO, the earliest given, or
    None), ``year`` (int or None), ``publication`` (label), ``kind`` ("document" or
    "cited-work"), ``in_archive`` (bool), ``authors`` (list of labels; a cited work's issuer).
    Edge attributes: ``count`` (places in the text that cite) and ``surfaces`` (the distinct
    forms written there, joined by " | ").

    The filters choose the *citing* documents: those dated within ``start``–``end`` (years,
    inclusive; undated documents drop out when either is given) and printed in
    ``publication`` (a label or several). Everything they cite stays, whatever its date, so
    "which works were cited in 1989–1991" is ``document_graph(out, start=1989, end=1991)``.
    ``cited_works=False`` keeps only citations between documents of the archive.

    >>> from pathlib import Path
    >>> G = document_graph(Path("output"))  # doctest: +SKIP
    >>> G.nodes["https://w3id.org/wenxian/id/doc/…/11789-01-1"]["title"]  # doctest: +SKIP
    '中共中央关于加强党同人民群众联系的决定'
    """
    store = _open(source)
    docs = _documents(store)
    works = _cited_works(store) if cited_works else {}
    publications = _as_set(publication)
    chosen = {iri for iri, node in docs.items() if _selected(node, start, end, publications)}
    places: dict[tuple[str, str], list[str]] = defaultdict(list)
    seen_places: set[str] = set()
    for place, citing, cited, surface in _rows(store, _Q_PLACES):
        if citing in chosen and place not in seen_places:
            seen_places.add(place)
            places[citing, cited].append(surface or "")
    edges = set()
    for citing, cited in _rows(store, _Q_CITES):
        if citing in chosen and (cited in docs or cited in works or cited_works):
            edges.add((citing, cited))
    G = nx.DiGraph()
    targets = {cited for _, cited in edges}
    for iri in sorted(chosen | targets):
        G.add_node(iri, **(docs.get(iri) or works.get(iri) or _work_node(iri)))
    for citing, cited in sorted(edges):
        surfaces = places.get((citing, cited), [])
        G.add_edge(citing, cited, count=max(len(surfaces), 1),
                   surfaces=" | ".join(sorted(set(filter(None, surfaces)))))
    return G


def mention_graph(source: Path | str | ox.Store, kind: str = "person", other: str = "person",
                  *, start: int | None = None, end: int | None = None,
                  publication: str | Iterable[str] | None = None,
                  min_weight: int = 1) -> nx.Graph:
    """Entities named together: an edge between a ``kind`` and an ``other`` entity mentioned by
    the same document, ``weight`` = the number of such documents.

    ``kind``/``other`` are among person, organization, place, meeting (and publication). Node
    attributes: ``iri``, ``label``, ``kind``, ``documents`` (how many chosen documents name it).
    The filters choose documents as in :func:`document_graph`.

    >>> G = mention_graph(Path("output"), "person", "meeting", start=1989)  # doctest: +SKIP
    """
    for name in (kind, other):
        if name not in MENTION_KINDS:
            raise ValueError(f"unknown entity kind {name!r}; expected one of "
                             f"{', '.join(MENTION_KINDS)}")
    store = _open(source)
    docs = _documents(store)
    publications = _as_set(publication)
    chosen = {iri for iri, node in docs.items() if _selected(node, start, end, publications)}
    by_doc: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    labels: dict[str, tuple[str, str]] = {}
    for entity_kind in dict.fromkeys((kind, other)):
        for doc, entity, label in _rows(store, _Q_MENTIONS % ENTITY_CLASSES[entity_kind]):
            if doc in chosen:
                by_doc[doc][entity_kind].add(entity)
                labels[entity] = (min(labels.get(entity, (label or "",))[0], label or ""),
                                  entity_kind)
    weights: Counter[tuple[str, str]] = Counter()
    mentions: Counter[str] = Counter()
    for doc in sorted(by_doc):
        found = by_doc[doc]
        mentions.update(found[kind] | found[other])
        pairs = {tuple(sorted((a, b))) for a in found[kind] for b in found[other] if a != b}
        weights.update(pairs)
    G = nx.Graph()
    kept = sorted((pair, weight) for pair, weight in weights.items() if weight >= min_weight)
    for entity in sorted({e for pair, _ in kept for e in pair}):
        label, entity_kind = labels[entity]
        G.add_node(entity, iri=entity, label=label, kind=entity_kind, documents=mentions[entity])
    for (a, b), weight in kept:
        G.add_edge(a, b, weight=weight)
    return G


# --- measures -------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class CitedWorkMeasure:
    """How much one node of a document graph is cited."""
    iri: str
    title: str
    kind: str
    publication: str
    date: str
    in_degree: int
    citations: int
    pagerank: float
    first_year: int | None
    last_year: int | None


def pagerank(G: nx.DiGraph) -> dict[str, float]:
    """PageRank of every node (unweighted: one citing document, one vote), in node order.

    >>> pr = pagerank(nx.DiGraph([("a", "w"), ("b", "w")]))
    >>> max(pr, key=pr.get)
    'w'
    """
    if G.number_of_nodes() == 0:
        return {}
    return dict(nx.pagerank(G, weight=None))


def cited_work_measures(G: nx.DiGraph, ranks: dict[str, float] | None = None
                        ) -> list[CitedWorkMeasure]:
    """Every cited node, most cited first: in-degree (citing documents), citations (places),
    PageRank, and the first and last year it was cited.

    >>> G = nx.DiGraph([("a", "w"), ("b", "w"), ("a", "v")])
    >>> nx.set_node_attributes(G, {"a": 1990, "b": 1991}, "year")
    >>> [(m.iri, m.in_degree, m.first_year, m.last_year) for m in cited_work_measures(G)]
    [('w', 2, 1990, 1991), ('v', 1, 1990, 1990)]
    """
    ranks = pagerank(G) if ranks is None else ranks
    result = []
    for node, in_degree in G.in_degree():
        if not in_degree:
            continue
        data = G.nodes[node]
        years = [y for c in G.predecessors(node) if (y := G.nodes[c].get("year")) is not None]
        citations = sum(d.get("count", 1) for _, _, d in G.in_edges(node, data=True))
        result.append(CitedWorkMeasure(
            node, data.get("title", ""), data.get("kind", ""), data.get("publication", ""),
            data.get("date") or "", in_degree, citations, ranks.get(node, 0.0),
            min(years, default=None), max(years, default=None)))
    result.sort(key=lambda m: (-m.in_degree, -m.citations, -m.pagerank, m.iri))
    return result


def components(G: nx.Graph) -> list[set[str]]:
    """Weakly connected components (connected, for an undirected graph), largest first.

    >>> [sorted(c) for c in components(nx.DiGraph([("a", "b"), ("c", "d"), ("e", "d")]))]
    [['c', 'd', 'e'], ['a', 'b']]
    """
    found = nx.weakly_connected_components(G) if G.is_directed() else nx.connected_components(G)
    return sorted((set(c) for c in found), key=lambda c: (-len(c), min(c)))


def citation_cascade(G: nx.DiGraph, node: str, max_depth: int | None = None) -> dict[str, int]:
    """Everything that cites ``node`` directly or through others, with its depth (1: cites
    it directly; 2: cites a document that does …), nearest first.

    >>> citation_cascade(nx.DiGraph([("b", "a"), ("c", "b"), ("d", "c")]), "a", max_depth=2)
    {'b': 1, 'c': 2}
    """
    depths = nx.single_source_shortest_path_length(G.reverse(copy=False), node, cutoff=max_depth)
    return dict(sorted(((n, d) for n, d in depths.items() if n != node),
                       key=lambda item: (item[1], item[0])))


def citations_by_year(G: nx.DiGraph, node: str | None = None) -> dict[int, int]:
    """Citing documents per year: of ``node``, or of every edge in the graph when None.
    Citations by undated documents are not counted.

    >>> G = nx.DiGraph([("a", "w"), ("b", "w"), ("c", "w")])
    >>> nx.set_node_attributes(G, {"a": 1990, "b": 1990, "c": 1992}, "year")
    >>> citations_by_year(G, "w")
    {1990: 2, 1992: 1}
    """
    citers = G.predecessors(node) if node is not None else (u for u, _ in G.edges())
    counts = Counter(y for c in citers if (y := G.nodes[c].get("year")) is not None)
    return dict(sorted(counts.items()))


def communities(G: nx.Graph, seed: int = 0) -> list[set[str]]:
    """Louvain communities (by ``weight``), largest first; the fixed seed makes them repeatable.

    >>> G = nx.Graph([("a", "b"), ("b", "c"), ("a", "c"), ("x", "y"), ("y", "z"), ("x", "z")])
    >>> [sorted(c) for c in communities(G)]
    [['a', 'b', 'c'], ['x', 'y', 'z']]
    """
    if G.number_of_nodes() == 0:
        return []
    found = nx.community.louvain_communities(G, weight="weight", seed=seed)
    return sorted((set(c) for c in found), key=lambda c: (-len(c), min(c)))


# --- text generation (no I/O) ---------------------------------------------------------------

def exportable_graph(G: nx.Graph) -> nx.Graph:
    """A copy GraphML and GEXF can store: None values dropped, lists joined by "; ", a
    ``label`` (title, label or identifier) on every node; nodes and edges in sorted order."""
    H = G.__class__()
    H.graph.update({k: _exportable(v) for k, v in G.graph.items() if v is not None})
    for node in sorted(G.nodes):
        data = {k: _exportable(v) for k, v in G.nodes[node].items() if v is not None}
        data.setdefault("label", data.get("title") or data.get("identifier") or node)
        H.add_node(node, **data)
    for u, v in sorted(G.edges()):
        H.add_edge(u, v, **{k: _exportable(x) for k, x in G.edges[u, v].items() if x is not None})
    return H


def _exportable(value):
    return "; ".join(map(str, value)) if isinstance(value, (list, tuple, set, frozenset)) else value


def generate_node_link_json(G: nx.Graph) -> str:
    """Node-link JSON (``edges`` key), read back with ``nx.node_link_graph(data, edges="edges")``.

    >>> print(generate_node_link_json(nx.DiGraph([("a", "b")])))  # doctest: +ELLIPSIS
    {"directed": true, "multigraph": false, "graph": {}, "nodes": [{"id": "a"}, ...
    """
    data = nx.node_link_data(G, edges="edges")
    return json.dumps(data, ensure_ascii=False, separators=(", ", ": "))


def generate_csv(header: Iterable[str], rows: Iterable[Iterable]) -> str:
    """CSV text (LF line ends); floats with 8 significant digits so files compare equal."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else f"{v:.8g}" if isinstance(v, float) else v
                         for v in row])
    return buffer.getvalue()


def cited_works_rows(measures: list[CitedWorkMeasure]) -> tuple[list[str], list[tuple]]:
    return [f.name for f in fields(CitedWorkMeasure)], [astuple(m) for m in measures]


def components_rows(G: nx.DiGraph, parts: list[set[str]]) -> tuple[list[str], list[tuple]]:
    header = ["component", "size", "documents", "cited_works", "most_cited", "most_cited_title"]
    rows = []
    for number, part in enumerate(parts):
        top = min(part, key=lambda n: (-G.in_degree(n), n))
        documents = sum(G.nodes[n].get("kind") == "document" for n in part)
        rows.append((number, len(part), documents, len(part) - documents, top,
                     G.nodes[top].get("title", "")))
    return header, rows


def communities_rows(G: nx.Graph, parts: list[set[str]]) -> tuple[list[str], list[tuple]]:
    header = ["community", "size", "iri", "label", "documents"]
    rows = []
    for number, part in enumerate(parts):
        for node in sorted(part, key=lambda n: (-G.nodes[n].get("documents", 0), n)):
            data = G.nodes[node]
            rows.append((number, len(part), node, data.get("label", ""), data.get("documents", 0)))
    return header, rows


def citations_by_year_rows(G: nx.DiGraph, measures: list[CitedWorkMeasure]
                           ) -> tuple[list[str], list[tuple]]:
    """Long format: one row per cited node and year (the total first, under iri "*")."""
    header = ["iri", "title", "year", "citing_documents"]
    rows = [("*", "(all citations)", year, n) for year, n in citations_by_year(G).items()]
    for m in measures:
        rows.extend((m.iri, m.title, year, n) for year, n in citations_by_year(G, m.iri).items())
    return header, rows


# --- the one place that writes files --------------------------------------------------------

def write_graph_outputs(source: Path | str | ox.Store, dest_dir: Path | str, *,
                        start: int | None = None, end: int | None = None,
                        publication: str | Iterable[str] | None = None,
                        max_nodes: int = 5000, layout: str = "auto",
                        pictures: bool = True) -> dict[str, Path]:
    """Write the document graph, its measures and pictures into ``dest_dir``; return the
    written paths by name: graphml, gexf, json, cited-works, components, communities,
    citations-by-year, html, png, timeline-png.

    The graph files hold the whole (filtered) document graph with ``citations`` (in-degree),
    ``pagerank`` and ``component`` added to each node; the HTML page shows the ``max_nodes``
    most cited nodes; ``layout`` is "force", "time" (x = year) or "auto". Every file but the
    PNGs is byte-identical from run to run.

    >>> paths = write_graph_outputs(Path("output"), Path("output/graph"))  # doctest: +SKIP
    >>> sorted(paths)[:3]  # doctest: +SKIP
    ['citations-by-year', 'cited-works', 'communities']
    """
    store = _open(source)
    dest = Path(dest_dir)
    dest.mkdir(parents=True, exist_ok=True)
    G = document_graph(store, start=start, end=end, publication=publication)
    ranks = pagerank(G)
    measures = cited_work_measures(G, ranks)
    parts = components(G)
    people = mention_graph(store, "person", "person", start=start, end=end,
                           publication=publication)
    H = exportable_graph(G)
    component_of = {n: i for i, part in enumerate(parts) for n in part}
    for node, data in H.nodes(data=True):
        data.update(citations=G.in_degree(node), pagerank=float(f"{ranks[node]:.8g}"),
                    component=component_of[node])
    texts = {
        "graphml": ("graph.graphml", "\n".join(nx.generate_graphml(H)) + "\n"),
        "gexf": ("graph.gexf", _stable_gexf(H)),
        "json": ("graph.json", generate_node_link_json(H) + "\n"),
        "cited-works": ("cited-works.csv", generate_csv(*cited_works_rows(measures))),
        "components": ("components.csv", generate_csv(*components_rows(G, parts))),
        "communities": ("communities.csv",
                        generate_csv(*communities_rows(people, communities(people)))),
        "citations-by-year": ("citations-by-year.csv",
                              generate_csv(*citations_by_year_rows(G, measures))),
    }
    paths = {}
    for key, (name, text) in texts.items():
        paths[key] = dest / name
        paths[key].write_text(text, encoding="utf-8")
    from . import viz  # matplotlib is heavy: only loaded to draw
    paths["html"] = dest / "graph.html"
    paths["html"].write_text(viz.generate_graph_html(G, max_nodes=max_nodes, layout=layout,
                                                     ranks=ranks), encoding="utf-8")
    if pictures:
        paths["png"] = viz.draw_overview(G, dest / "graph.png", measures=measures)
        paths["timeline-png"] = viz.draw_citations_by_year(G, dest / "citations-by-year.png",
                                                           measures=measures)
    return paths


def _stable_gexf(G: nx.Graph) -> str:
    # networkx stamps today's date into <meta>; without it the file is the same every day.
    text = "\n".join(nx.generate_gexf(G)) + "\n"
    return re.sub(r' lastmodifieddate="[^"]*"', "", text, count=1)
