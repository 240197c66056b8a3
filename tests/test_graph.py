"""The networkx view (kg.graph) and its pictures (kg.viz)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import warnings
from pathlib import Path

import networkx as nx
import pytest

from kg.graph import (citation_cascade, citations_by_year, cited_work_measures, communities,
                      components, document_graph, exportable_graph, mention_graph,
                      write_graph_outputs)
from kg.iri import Minter

from .conftest import needs_shared

MINTER = Minter()
CITING = str(MINTER.document("bha", "8bad3e691d"))
CITED = str(MINTER.document("解放军报", "11789-01-1"))
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def outputs(seeds_build, tmp_path_factory):
    out, _ = seeds_build
    first = write_graph_outputs(out, tmp_path_factory.mktemp("graph1"))
    second = write_graph_outputs(out, tmp_path_factory.mktemp("graph2"), pictures=False)
    return first, second


@needs_shared
def test_seeds_citation_edge(seeds_build):
    G = document_graph(seeds_build[0])
    assert G.has_edge(CITING, CITED)
    edge = G.edges[CITING, CITED]
    assert edge["count"] >= 1 and "决定" in edge["surfaces"]
    cited = G.nodes[CITED]
    assert cited["title"] == "中共中央关于加强党同人民群众联系的决定"
    assert (cited["kind"], cited["in_archive"], cited["year"]) == ("document", True, 1990)
    assert G.nodes[CITING]["publication"] == "解放军报"
    assert all(d["kind"] == "cited-work" and not d["in_archive"]
               for n, d in G.nodes(data=True) if "/work/" in n)


@needs_shared
def test_filters(seeds_build):
    out = seeds_build[0]
    assert document_graph(out, start=1990, end=1990).has_edge(CITING, CITED)
    assert document_graph(out, start=1991).number_of_edges() == 0
    assert document_graph(out, publication="人民日报").number_of_nodes() == 0
    only_docs = document_graph(out, cited_works=False)
    assert all(d["kind"] == "document" for _, d in only_docs.nodes(data=True))
    with pytest.raises(ValueError, match="person, organization"):
        mention_graph(out, "persons")


@needs_shared
def test_files_read_back(outputs, seeds_build):
    paths, _ = outputs
    expected = exportable_graph(document_graph(seeds_build[0]))
    data = json.loads(paths["json"].read_text(encoding="utf-8"))
    readers = {"graphml": nx.read_graphml, "gexf": lambda p: nx.read_gexf(p, relabel=False),
               "json": lambda p: nx.node_link_graph(data, edges="edges")}
    for name, read in readers.items():
        H = read(paths[name])
        assert H.is_directed(), name
        assert sorted(H.nodes) == sorted(expected.nodes), name
        assert sorted(H.edges) == sorted(expected.edges), name
        for node, attrs in expected.nodes(data=True):
            got = H.nodes[node]
            for key, value in attrs.items():
                assert got[key] == value, (name, node, key)
            assert {"citations", "pagerank", "component"} <= set(got), name
        for u, v, attrs in expected.edges(data=True):
            for key, value in attrs.items():
                assert H.edges[u, v][key] == value, (name, key)
    assert H.nodes[CITED]["authors"] == "" and H.nodes[CITING]["authors"] == "闻学良"


@needs_shared
def test_outputs_are_deterministic(outputs):
    first, second = outputs
    for name in ("graphml", "gexf", "json", "cited-works", "components", "communities",
                 "citations-by-year", "html"):
        assert first[name].read_bytes() == second[name].read_bytes(), name
    rows = first["cited-works"].read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith("iri,title,kind,publication,date,in_degree,citations,pagerank")
    assert any(row.startswith(CITED) for row in rows)
    assert first["png"].stat().st_size > 10_000 and first["timeline-png"].stat().st_size > 10_000


@needs_shared
def test_html_is_self_contained(outputs):
    html = outputs[0]["html"].read_text(encoding="utf-8")
    outside = re.findall(r"<(?:script|link|img|iframe)\b[^>]*(?:src|href)\s*=\s*[\"']?"
                         r"(?:https?:)?//", html, flags=re.IGNORECASE)
    assert not outside
    assert not re.search(r"@import|url\(\s*[\"']?(?:https?:)?//", html)
    assert "vis.Network" in html and "中共中央关于加强党同人民群众联系的决定" in html


def _hand_made() -> nx.DiGraph:
    G = nx.DiGraph()
    for node, year in (("a", 1990), ("b", 1991), ("c", 1991), ("d", 1993), ("x", None)):
        G.add_node(node, year=year, kind="document", title=node.upper())
    G.add_node("w", year=None, kind="cited-work", title="W")
    G.add_edges_from([("a", "w"), ("b", "w"), ("c", "a"), ("d", "c")], count=1)
    G.add_edge("b", "a", count=3)
    G.add_edge("x", "y", count=1)
    return G


def test_measures_on_a_hand_made_graph():
    G = _hand_made()
    measures = cited_work_measures(G)
    assert [(m.iri, m.in_degree, m.citations) for m in measures] == [
        ("a", 2, 4), ("w", 2, 2), ("c", 1, 1), ("y", 1, 1)]
    assert (measures[0].first_year, measures[0].last_year) == (1991, 1991)
    assert measures[1].pagerank > measures[3].pagerank  # w is cited by a, which is cited
    assert [len(c) for c in components(G)] == [5, 2]
    assert citation_cascade(G, "w") == {"a": 1, "b": 1, "c": 2, "d": 3}
    assert citation_cascade(G, "w", max_depth=1) == {"a": 1, "b": 1}
    assert citations_by_year(G, "w") == {1990: 1, 1991: 1}
    assert citations_by_year(G) == {1990: 1, 1991: 3, 1993: 1}
    exported = exportable_graph(nx.DiGraph([("a", "b")], authors=["x", "y"]))
    assert exported.graph["authors"] == "x; y"


def test_communities_are_repeatable():
    G = nx.connected_caveman_graph(4, 5)
    G = nx.relabel_nodes(G, {n: f"p{n:02d}" for n in G})
    nx.set_edge_attributes(G, 1, "weight")
    found = communities(G, seed=0)
    assert found == communities(G, seed=0)
    assert len(found) == 4 and all(len(c) == 5 for c in found)


def test_png_without_cjk_font_warns(monkeypatch, tmp_path):
    from kg import viz
    monkeypatch.setattr(viz, "cjk_font", lambda: None)
    with pytest.warns(viz.MissingCJKFontWarning, match="fonts-noto-cjk"):
        path = viz.draw_overview(_hand_made(), tmp_path / "g.png")
    assert path.stat().st_size > 1000


def test_cjk_font_found_when_installed():
    from kg import viz
    if viz.cjk_font() is None:
        pytest.skip("no CJK font installed (apt-get install fonts-wqy-microhei)")
    with warnings.catch_warnings():
        warnings.simplefilter("error", viz.MissingCJKFontWarning)
        viz._figure(2, 2)


@needs_shared
@pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium")
def test_page_renders_and_searches_in_chromium(outputs, tmp_path):
    page = outputs[0]["html"].resolve().as_uri() + "#q=加强党同人民群众"
    result = subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", f"--user-data-dir={tmp_path}",
         "--virtual-time-budget=5000", "--dump-dom", page],
        capture_output=True, text=True, timeout=90)
    dom = result.stdout
    assert "<canvas" in dom, result.stderr[-2000:]
    assert re.search(r"ready: \d+ / \d+ nodes shown", dom)
    assert "search-hit" in dom and "中共中央关于加强党同人民群众联系的决定" in dom
    assert shutil.which(str(CHROMIUM))
