"""Pictures of the document graph: a self-contained interactive HTML page and two PNGs.

The page inlines vis-network (shipped with the package, see ``static_graph/vis-network.md``)
and a precomputed layout, so it opens offline and stays responsive at 5,000 nodes: physics is
off. The PNGs are drawn with matplotlib
(Agg, no pyplot state) in an installed CJK font so Chinese titles are characters, not boxes.

>>> G = nx.DiGraph([("a", "w"), ("b", "w")])
>>> html = generate_graph_html(G)
>>> "vis.Network" in html and "http://cdn" not in html
True
"""

from __future__ import annotations

from importlib import resources
import json
import re
import warnings
from collections.abc import Sequence
from pathlib import Path

import networkx as nx
import numpy as np

__all__ = ["generate_graph_html", "select_nodes", "force_layout", "time_layout", "cjk_font",
           "CJK_FAMILIES", "MissingCJKFontWarning", "draw_overview", "draw_citations_by_year",
           "vis_network_js"]

TEMPLATE = Path(__file__).resolve().parent / "static_graph" / "template.html"
CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans CJK TC", "Noto Sans SC",
                "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Source Han Sans SC",
                "Source Han Sans CN", "Droid Sans Fallback", "AR PL UMing CN", "SimHei",
                "Microsoft YaHei", "PingFang SC", "Heiti SC")
_CJK_FILE = re.compile(r"(?i)cjk|wqy|wenquanyi|droidsansfallback|uming|ukai|sourcehan|simhei|"
                       r"msyh|pingfang")
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf",
           "#bcbd22", "#7f7f7f", "#ff7f0e")
KIND_COLOURS = {"document": "#1f77b4", "cited-work": "#ff7f0e"}
OTHER_COLOUR = "#b0b0b0"
WORK_COLOUR = "#f5b77a"  # cited works when colouring by publication
_LIST_LIMIT = 60  # citers / cited listed per node in the page


class MissingCJKFontWarning(UserWarning):
    """No CJK font is installed: Chinese text in the PNGs is drawn as boxes."""


# --- layouts --------------------------------------------------------------------------------

def force_layout(G: nx.Graph, seed: int = 0, iterations: int = 120) -> dict[str, tuple]:
    """A Fruchterman–Reingold layout whose repulsion only acts within a short radius (found
    with a k-d tree), so 5,000 nodes take seconds where ``nx.spring_layout`` takes minutes.
    A gravity towards the centre keeps the components together. Deterministic for a seed.

    >>> pos = force_layout(nx.path_graph(["a", "b", "c"]))
    >>> sorted(pos) == ["a", "b", "c"] and pos == force_layout(nx.path_graph(["a", "b", "c"]))
    True
    """
    from scipy.spatial import cKDTree
    nodes = sorted(G)
    n = len(nodes)
    if n == 0:
        return {}
    index = {node: i for i, node in enumerate(nodes)}
    edges = np.array([(index[u], index[v]) for u, v in G.edges() if u != v],
                     dtype=np.int64).reshape(-1, 2)
    degree = np.bincount(edges.ravel(), minlength=n) + 1.0
    rng = np.random.default_rng(seed)
    side = np.sqrt(n) * 2.0
    pos = rng.uniform(-side / 2, side / 2, (n, 2))
    radius, t0 = 3.0, side / 6
    for step in range(iterations):
        disp = np.zeros_like(pos)
        pairs = cKDTree(pos).query_pairs(radius, output_type="ndarray")
        if len(pairs):
            i, j = pairs[:, 0], pairs[:, 1]
            delta = pos[i] - pos[j]
            dist = np.maximum(np.hypot(delta[:, 0], delta[:, 1]), 0.01)
            push = delta * (1.0 / dist**2)[:, None]
            np.add.at(disp, i, push)
            np.add.at(disp, j, -push)
        if len(edges):
            u, v = edges[:, 0], edges[:, 1]
            delta = pos[u] - pos[v]
            dist = np.hypot(delta[:, 0], delta[:, 1])[:, None]
            pull = delta * dist
            np.add.at(disp, u, -pull / degree[u, None] ** 0.5)
            np.add.at(disp, v, pull / degree[v, None] ** 0.5)
        norm = np.maximum(np.hypot(pos[:, 0], pos[:, 1]), 0.01)[:, None]
        disp -= 0.02 * pos / norm * np.sqrt(degree)[:, None]
        length = np.maximum(np.hypot(disp[:, 0], disp[:, 1]), 1e-9)[:, None]
        temperature = t0 * (1 - step / iterations) + 0.05
        pos += disp / length * np.minimum(length, temperature)
    pos -= pos.mean(axis=0)
    return {node: (float(x), float(y)) for node, (x, y) in zip(nodes, pos)}


def time_layout(G: nx.DiGraph) -> dict[str, tuple]:
    """x = the date in years (a cited work without a date: its first citer's; undated nodes in
    a column two years before the first), y = stacked by citations received within a season.

    >>> G = nx.DiGraph([("a", "w")]); G.nodes["a"]["date"] = "1990-07-01"
    >>> pos = time_layout(G)
    >>> pos["a"][0] == pos["w"][0] == 1990.5, pos["a"][1] != pos["w"][1]
    (True, True)
    """
    when = {n: _decimal_year(G.nodes[n].get("date")) for n in G}
    for node in G:
        if when[node] is None:
            dated = [when[c] for c in G.predecessors(node) if when[c] is not None]
            when[node] = min(dated) if dated else None
    known = [w for w in when.values() if w is not None]
    undated = (min(known) - 2) if known else 0.0
    columns: dict[float, list[str]] = {}
    for node in sorted(G, key=lambda n: (-G.in_degree(n), n)):
        x = when[node] if when[node] is not None else undated
        columns.setdefault(round(x * 4) / 4, []).append(node)
    pos = {}
    for x, members in columns.items():
        for rank, node in enumerate(members):
            pos[node] = (x, (rank + 1) // 2 * (1 if rank % 2 else -1))
    return pos


def _decimal_year(date: str | None) -> float | None:
    if not date or not re.match(r"^\d{4}", date):
        return None
    parts = [int(p) for p in re.findall(r"\d+", date)[:3]]
    month = parts[1] if len(parts) > 1 else 6
    day = parts[2] if len(parts) > 2 else 15
    return parts[0] + (month - 1) / 12 + (day - 1) / 365


# --- the interactive page -------------------------------------------------------------------

def vis_network_js() -> str:
    """The vis-network bundle shipped with the package (``static_graph/vis-network.md`` says
    where it comes from and under which licence)."""
    return (resources.files("kg") / "static_graph" / "vis-network.min.js").read_text("utf-8")


def select_nodes(G: nx.DiGraph, max_nodes: int = 5000) -> list[str]:
    """The nodes the page shows: linked ones, most cited first (ties: most citing), at most
    ``max_nodes``.

    >>> select_nodes(nx.DiGraph([("a", "w"), ("b", "w"), ("b", "v")]), 2)
    ['w', 'v']
    """
    linked = [n for n in G if G.degree(n)]
    linked.sort(key=lambda n: (-G.in_degree(n), -G.out_degree(n), n))
    return linked[:max_nodes]


def generate_graph_html(G: nx.DiGraph, *, max_nodes: int = 5000, layout: str = "force",
                        ranks: dict[str, float] | None = None, title: str = "文献引用网络",
                        seed: int = 0) -> str:
    """The page: search by title, identifier or author; filter by year range, publication and
    kind; size by citations received; colour by publication or kind; click for the details
    and the citers. ``layout`` ("force" or "time", x = year) is the one shown first; the page
    switches between both."""
    if layout not in ("force", "time", "auto"):
        raise ValueError(f"unknown layout {layout!r}; expected force, time or auto")
    shown = select_nodes(G, max_nodes)
    H = G.subgraph(shown)
    force, timed = force_layout(H.to_undirected(as_view=True), seed=seed), time_layout(H)
    data = _page_data(G, shown, force, timed, ranks or {})
    data.update(title=title, layout="force" if layout == "auto" else layout,
                total_nodes=G.number_of_nodes(), total_edges=G.number_of_edges())
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    page = TEMPLATE.read_text(encoding="utf-8")
    page = page.replace("__TITLE__", _escape(title))
    page = page.replace("/*__VIS_NETWORK__*/", vis_network_js().replace("</script", "<\\/script"))
    return page.replace("__GRAPH_DATA__", payload.replace("</", "<\\/"))


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _page_data(G: nx.DiGraph, shown: list[str], force: dict, timed: dict,
               ranks: dict[str, float]) -> dict:
    index = {node: i for i, node in enumerate(shown)}
    publications = _publication_order(G, shown)
    scale = 18.0
    nodes = []
    for node in shown:
        d = G.nodes[node]
        nodes.append({
            "id": node, "t": d.get("title") or d.get("identifier") or node,
            "i": d.get("identifier", ""), "d": d.get("date") or "", "y": d.get("year"),
            "p": publications.get(d.get("publication", ""), -1) if d.get("publication") else -1,
            "k": 0 if d.get("kind") == "document" else 1,
            "a": "; ".join(d.get("authors") or ()), "c": G.in_degree(node),
            "n": sum(e.get("count", 1) for _, _, e in G.in_edges(node, data=True)),
            "r": float(f"{ranks.get(node, 0.0):.4g}"),
            "fx": round(force[node][0] * scale, 1), "fy": round(force[node][1] * scale, 1),
            "tx": round(timed[node][0] * 160, 1), "ty": round(timed[node][1] * 14.0, 1),
            "cb": _listing(G, sorted(G.predecessors(node), key=_by_date(G)), index),
            "ct": _listing(G, sorted(G.successors(node), key=_by_date(G)), index),
        })
    edges = [[index[u], index[v], e.get("count", 1)] for u, v, e in sorted(G.subgraph(shown)
                                                                           .edges(data=True))]
    return {"nodes": nodes, "edges": edges, "publications": list(publications),
            "palette": list(PALETTE), "kind_colours": KIND_COLOURS, "other": OTHER_COLOUR,
            "work_colour": WORK_COLOUR}


def _by_date(G: nx.DiGraph):
    return lambda n: (G.nodes[n].get("date") or "9999", n)


def _listing(G: nx.DiGraph, nodes: Sequence[str], index: dict[str, int]) -> list:
    """Up to _LIST_LIMIT [shown index or -1, title, date], then the number left out."""
    items = [[index.get(n, -1), G.nodes[n].get("title") or G.nodes[n].get("identifier") or n,
              G.nodes[n].get("date") or ""] for n in nodes[:_LIST_LIMIT]]
    return [items, max(len(nodes) - _LIST_LIMIT, 0)]


def _publication_order(G: nx.DiGraph, shown: list[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for node in shown:
        if pub := G.nodes[node].get("publication"):
            counts[pub] = counts.get(pub, 0) + 1
    ordered = sorted(counts, key=lambda p: (-counts[p], p))
    return {pub: i for i, pub in enumerate(ordered)}


# --- static pictures ------------------------------------------------------------------------

def cjk_font() -> str | None:
    """The family name of an installed CJK font matplotlib can use, or None.

    Fonts installed after matplotlib built its font cache are found on disk and added.
    """
    from matplotlib import font_manager
    for attempt in range(2):
        names = {f.name for f in font_manager.fontManager.ttflist}
        for family in CJK_FAMILIES:
            if family in names:
                return family
        if attempt == 0:
            for path in font_manager.findSystemFonts():
                if _CJK_FILE.search(Path(path).name):
                    try:
                        font_manager.fontManager.addfont(path)
                    except (OSError, RuntimeError, ValueError):
                        continue
    return None


def _figure(width: float, height: float):
    from matplotlib.figure import Figure
    family = cjk_font()
    if family is None:
        warnings.warn("no CJK font installed (looked for " + ", ".join(CJK_FAMILIES[:5]) +
                      "…): Chinese text in the PNGs will be drawn as boxes. Install one, e.g. "
                      "`apt-get install fonts-noto-cjk` or `fonts-wqy-microhei`.",
                      MissingCJKFontWarning, stacklevel=3)
    import matplotlib
    fonts = [family, "DejaVu Sans"] if family else ["DejaVu Sans"]
    with matplotlib.rc_context({"font.family": fonts, "axes.unicode_minus": False}):
        figure = Figure(figsize=(width, height), dpi=120, layout="constrained")
    return figure, fonts


def _save(figure, fonts: list[str], path: Path) -> Path:
    import matplotlib
    with matplotlib.rc_context({"font.family": fonts}), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        figure.savefig(path, format="png", metadata={"Software": None})
    return path


def _short(text: str, limit: int = 14) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def draw_overview(G: nx.DiGraph, path: Path, *, measures=None, top: int = 15) -> Path:
    """``graph.png``: the ``top`` most cited works and every document citing them."""
    import matplotlib
    from .graph import cited_work_measures
    measures = cited_work_measures(G) if measures is None else measures
    hubs = [m.iri for m in measures[:top]]
    citers = sorted({c for h in hubs for c in G.predecessors(h)})
    H = G.subgraph(set(hubs) | set(citers))
    figure, fonts = _figure(14, 10)
    with matplotlib.rc_context({"font.family": fonts}):
        ax = figure.subplots()
        ax.set_axis_off()
        ax.set_title(f"被引最多的 {len(hubs)} 部文献及其 {len(citers)} 篇引用文献 "
                     f"(most cited works and their citers)", fontsize=14)
        if H.number_of_nodes():
            pos = force_layout(H.to_undirected(as_view=True), seed=0, iterations=200)
            nodes = sorted(H)
            nx.draw_networkx_edges(H, pos, ax=ax, edge_color="#999999", alpha=0.35, width=0.6,
                                   arrows=False)
            sizes = [40 + 60 * H.in_degree(n) if n in hubs else 12 for n in nodes]
            colours = [KIND_COLOURS.get(H.nodes[n].get("kind"), OTHER_COLOUR) if n in hubs
                       else "#9ecae1" for n in nodes]
            nx.draw_networkx_nodes(H, pos, nodelist=nodes, node_size=sizes, node_color=colours,
                                   linewidths=0.3, edgecolors="white", ax=ax)
            labels = {h: f"{_short(H.nodes[h].get('title') or h)} ({H.in_degree(h)})"
                      for h in hubs}
            texts = nx.draw_networkx_labels(H, pos, labels, font_size=10, ax=ax,
                                            font_family=fonts)
            for text in texts.values():
                text.set_bbox({"facecolor": "white", "alpha": 0.7, "edgecolor": "none",
                               "pad": 1})
            handles = [matplotlib.lines.Line2D([], [], marker="o", linestyle="", color=c,
                                               label=l) for l, c in
                       (("档案内文献 document", KIND_COLOURS["document"]),
                        ("被引著作 cited work", KIND_COLOURS["cited-work"]),
                        ("引用文献 citing document", "#9ecae1"))]
            ax.legend(handles=handles, loc="lower right", fontsize=9)
        else:
            ax.text(0.5, 0.5, "没有引用 (no citations)", ha="center", transform=ax.transAxes)
    return _save(figure, fonts, Path(path))


def draw_citations_by_year(G: nx.DiGraph, path: Path, *, measures=None, top: int = 12) -> Path:
    """``citations-by-year.png``: citations per year of the citing document (to archive
    documents and to other works, stacked), and a dot row per ``top`` most cited work."""
    import matplotlib
    from .graph import cited_work_measures, citations_by_year
    measures = cited_work_measures(G) if measures is None else measures
    to_docs: dict[int, int] = {}
    to_works: dict[int, int] = {}
    for u, v in G.edges():
        year = G.nodes[u].get("year")
        if year is not None:
            target = to_docs if G.nodes[v].get("kind") == "document" else to_works
            target[year] = target.get(year, 0) + 1
    years = sorted(set(to_docs) | set(to_works))
    figure, fonts = _figure(12, 8)
    with matplotlib.rc_context({"font.family": fonts}):
        upper, lower = figure.subplots(2, 1, sharex=True, height_ratios=(1, 1.4))
        if years:
            docs = [to_docs.get(y, 0) for y in years]
            upper.bar(years, docs, color=KIND_COLOURS["document"], label="引用档案内文献 to documents")
            upper.bar(years, [to_works.get(y, 0) for y in years], bottom=docs,
                      color=KIND_COLOURS["cited-work"], label="引用其他著作 to other works")
            upper.legend(fontsize=9)
        upper.set_title("每年的引用 (citations per year of the citing document)")
        upper.set_ylabel("引用数 citations")
        chosen = measures[:top]
        for row, m in enumerate(chosen):
            profile = citations_by_year(G, m.iri)
            colour = PALETTE[row % len(PALETTE)]
            lower.scatter(list(profile), [row] * len(profile), s=[60 * n for n in profile.values()],
                          color=colour, alpha=0.75, edgecolors="white")
            for year, n in profile.items():
                if n > 1:
                    lower.annotate(str(n), (year, row), ha="center", va="center", fontsize=7,
                                   color="white")
        lower.set_yticks(range(len(chosen)),
                         [f"{_short(m.title or m.iri, 16)} ({m.in_degree})" for m in chosen])
        lower.set_ylim(len(chosen) - 0.5, -0.5)
        lower.set_title(f"被引最多的 {len(chosen)} 部文献逐年被引 "
                        "(most cited works: citing documents per year, dot area = count)")
        lower.set_xlabel("年份 year")
        lower.xaxis.get_major_locator().set_params(integer=True)
        lower.grid(axis="y", color="#eeeeee")
    return _save(figure, fonts, Path(path))
