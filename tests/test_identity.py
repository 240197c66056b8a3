"""Which records are one document: a BHA id whatever its copies say, one article in two
archives, a reprint elsewhere. Incremental builds agree with clean ones."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import rdflib

from kg.iri import Minter
from kg.pipeline import BuildOptions, build

from .test_scale import _same_outputs

MINTER = Minter()
BODY = ("党的十三届六中全会向全党郑重地提出了密切党同群众联系的要求，并审议通过了《中共中央关于加强党同人民群众"
        "联系的决定》，这对于实现我国当前政治经济和社会的稳定发展，对于保障我们国家长治久安，都具有重要的意义。\n"
        "时刻保持党同人民群众的血肉联系，这是由中国共产党的性质和根本宗旨决定的。我们党是全心全意为人民服务的政党。")


def bha_json(folder: Path, article: str, title: str, body: str, date=(1990, 3, 22),
             book: str = "jfjb", metadata: str | None = None) -> Path:
    """A BHA parsed JSON file ``{folder}/{book}/{id[:3]}/{id}.json``, with the book's
    ``.metadata`` only when ``metadata`` names it."""
    path = folder / book / article[:3] / f"{article}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    year, month, day = date
    path.write_text(json.dumps({
        "title": title, "authors": ["闻学良"], "is_range_date": False,
        "dates": [{"year": year, "month": month, "day": day}],
        "parts": [{"type": "paragraph", "text": p} for p in body.split("\n")]},
        ensure_ascii=False), encoding="utf-8")
    if metadata is not None:
        (folder / book / f"{book}.metadata").write_text(
            json.dumps({"id": book, "name": metadata}, ensure_ascii=False), encoding="utf-8")
    return path


def bha_txt(path: Path, article: str, title: str, body: str, date: str = "1990-3-22",
            book: str = "解放军报") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    paragraphs = "\n\n".join(body.split("\n"))
    path.write_text(f"id: {article}\n标题：{title}\n日期：{date}\n是否是时间段：false\n作者：闻学良\n"
                    f"来源：\n标签：毛泽东,文章\n书籍：{book}\n书籍作者：\n\n正文：\n{paragraphs}\n",
                    encoding="utf-8")
    return path


def tagged(path: Path, number: str, date: str, title: str, body: str, subtitle: str = "",
           page: str = "04", item: str = "1") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fields = [f"〖ZQ/总期〗{number}〖-ZQ/总期〗", f"〖RQ/日期〗{date}〖-RQ/日期〗", f"〖BH/版号〗{page}〖-BH/版号〗",
              f"〖TH/条号〗{item}〖-TH/条号〗", f"〖BT/标题〗{title}〖-BT/标题〗"]
    if subtitle:
        fields.append(f"〖FT/副题〗{subtitle}〖-FT/副题〗")
    fields += ["〖ZZ/作者〗闻学良〖-ZZ/作者〗", "〖ZW/正文〗",
               *(f"    {p}" for p in body.split("\n")), "〖-ZW/正文〗"]
    path.write_text("\n".join(fields) + "\n", encoding="utf-8")
    return path


def graph(out: Path) -> rdflib.Graph:
    return rdflib.Graph().parse(out / "graph.ttl", format="turtle")


def documents(out: Path) -> set[str]:
    g = graph(out)
    kind = rdflib.URIRef("https://w3id.org/wenxian/ontology#Document")
    return {str(s) for s in g.subjects(rdflib.RDF.type, kind)}


def values(out: Path, subject: str, predicate: str) -> set[str]:
    return {str(o) for o in graph(out).objects(rdflib.URIRef(subject), rdflib.URIRef(predicate))}


DCT = "http://purl.org/dc/terms/"
PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"


def test_a_bha_id_is_one_document_whatever_its_copies_say(tmp_path):
    """The JSON copy without its sidecars (no .tags, no book .metadata: its publication
    unknown) and the txt copy that names 解放军报 are one document, with or without
    --publication, and its IRI is the same whichever copies are read."""
    corpus = tmp_path / "corpus"
    title = "时刻保持党同群众的血肉联系——学习党的十三届六中全会精神的体会"
    bha_json(corpus / "parsed", "8bad3e691d", title, BODY)
    bha_txt(corpus / "txt" / "8bad3e691d.txt", "8bad3e691d", title, BODY)
    iri = str(MINTER.document("bha", "8bad3e691d"))
    for publication in ("", "解放军报", "人民日报"):
        out = tmp_path / f"out-{publication or 'none'}"
        report = build(BuildOptions(inputs=(corpus,), out=out, publication=publication))
        assert report["documents"] == 1 and report["merged_duplicates"] == 1
        assert report["reconciles"]
        assert documents(out) == {iri}
        # The publication is the one a copy names, not the one inferred for the other.
        [part_of] = values(out, iri, DCT + "isPartOf")
        assert values(out, part_of, str(rdflib.RDFS.label)) == {"解放军报"}
        assert len(values(out, iri, PROV_DERIVED)) == 2
    (corpus / "txt" / "8bad3e691d.txt").unlink()
    out = tmp_path / "json-only"
    build(BuildOptions(inputs=(corpus,), out=out))
    assert documents(out) == {iri}
