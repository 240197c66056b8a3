"""Which records are one document: a BHA id whatever its copies say, one article in two
archives, a reprint elsewhere. Incremental builds agree with clean ones."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import rdflib

from kg.iri import Minter
from kg.pipeline import BuildOptions, build

from .conftest import needs_shared
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


TITLE, SUBTITLE = "时刻保持党同群众的血肉联系", "——学习党的十三届六中全会精神的体会"
TAGGED_IRI = str(MINTER.document("解放军报", "11759-04-1"))
BHA_IRI = str(MINTER.document("bha", "8bad3e691d"))
OWL_SAME = "http://www.w3.org/2002/07/owl#sameAs"
REPRINT = "https://w3id.org/wenxian/ontology#reprintOf"


def _article_in_two_archives(corpus: Path) -> None:
    """The 解放军报 article of 1990-03-22 as the newspaper archive holds it (GBK and UTF-8,
    BT and FT apart) and as a BHA collection does (JSON without sidecars, txt), and an essay
    citing the BHA title."""
    for copy in ("utf8", "gbk"):
        path = tagged(corpus / "jfjb" / copy / "199003220401.TXT", "11759", "19900322", TITLE, BODY,
                      SUBTITLE)
        if copy == "gbk":
            path.write_bytes(path.read_text("utf-8").encode("gb18030"))
    bha_json(corpus / "bha" / "parsed", "8bad3e691d", TITLE + SUBTITLE, BODY)
    bha_txt(corpus / "bha" / "txt" / "8bad3e691d.txt", "8bad3e691d", TITLE + SUBTITLE, BODY)
    bha_txt(corpus / "essays" / "e1.txt", "0e55a10001", "读后", f"读了《{TITLE + SUBTITLE}》。",
            date="1990-4-1", book="文集")


def _build(corpus: Path, out: Path) -> dict:
    return build(BuildOptions(inputs=(corpus,), out=out, publication="解放军报"))


def test_one_article_in_two_archives_is_one_document(tmp_path):
    corpus = tmp_path / "corpus"
    _article_in_two_archives(corpus)
    report = _build(corpus, tmp_path / "out")
    out = tmp_path / "out"
    assert report["records"] == 5 and report["documents"] == 2
    assert report["merged_duplicates"] == 3 and report["reconciles"]
    essay = str(MINTER.document("bha", "0e55a10001"))
    assert documents(out) == {TAGGED_IRI, essay}
    assert values(out, TAGGED_IRI, DCT + "identifier") == {"11759-04-1", "8bad3e691d"}
    assert values(out, TAGGED_IRI, OWL_SAME) == {BHA_IRI}
    assert len(values(out, TAGGED_IRI, PROV_DERIVED)) == 4
    assert values(out, TAGGED_IRI, DCT + "title") == {TITLE}  # the newspaper's, BT and FT
    # A citation of the BHA title resolves to the document, never to a copy.
    assert values(out, essay, "http://purl.org/spar/cito/cites") == {TAGGED_IRI}
    # The copies of one identifier are compared with each other, not with the other archive's.
    differing = [w["file"] for w in report["warnings"] if "content differs" in w["message"]]
    assert differing == ["bha/txt/8bad3e691d.txt"]


@pytest.mark.parametrize("change", ["other text", "other day", "other paper", "two copies"])
def test_what_is_not_one_article(tmp_path, change):
    """Another text under the same title, another day, another paper (a reprint there), two
    BHA copies that both match (neither is taken): separate documents."""
    corpus = tmp_path / "corpus"
    tagged(corpus / "jfjb" / "199003220401.TXT", "11759", "19900322", TITLE, BODY, SUBTITLE)
    body, date, book = BODY, "1990-3-22", "解放军报"
    if change == "other text":
        body = "全军各部队认真学习六中全会精神，各级党委围绕密切党群关系开展了一系列活动，效果很好。" * 3
    elif change == "other day":
        date = "1990-3-23"
    elif change == "other paper":
        book = "人民日报"
    bha_txt(corpus / "bha" / "8bad3e691d.txt", "8bad3e691d", TITLE + SUBTITLE if change != "other paper"
            else TITLE, body, date=date, book=book)
    if change == "two copies":
        bha_txt(corpus / "bha" / "8bad3e691e.txt", "8bad3e691e", TITLE + SUBTITLE, body)
    report = _build(corpus, tmp_path / "out")
    assert report["documents"] == report["records"] == (3 if change == "two copies" else 2)
    assert BHA_IRI in documents(tmp_path / "out")
    if change == "other paper":  # printed the same day: either is a reprint of the other
        assert values(tmp_path / "out", TAGGED_IRI, REPRINT) == {BHA_IRI}


def test_incremental_builds_merge_and_part_like_clean_ones(tmp_path):
    """The BHA copies come, change, meet a rival, go; the newspaper's record goes: after each
    step the incremental build equals a clean one."""
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    _article_in_two_archives(corpus)
    bha = corpus / "bha"
    moved = tmp_path / "aside"
    shutil.move(bha, moved)
    steps = []

    def step(name: str, documents_expected: int) -> None:
        report = _build(corpus, out)
        clean = _build(corpus, tmp_path / f"clean-{len(steps)}")
        _same_outputs(out, tmp_path / f"clean-{len(steps)}")
        assert report["documents"] == clean["documents"] == documents_expected, name
        assert report["reconciles"] and report["warnings"] == clean["warnings"], name
        assert not steps or report["files_reused"] > 0, name  # incremental indeed
        steps.append(name)

    step("newspaper only", 2)
    shutil.move(moved, bha)
    step("the BHA copies come", 2)
    txt = bha / "txt" / "8bad3e691d.txt"
    original = txt.read_text("utf-8")
    json_copy = next(bha.rglob("8bad3e691d.json"))
    json_copy.unlink()
    txt.write_text(original.replace("日期：1990-3-22", "日期：1990-3-25"), "utf-8")
    step("its date changes", 3)
    txt.write_text(original, "utf-8")
    step("it changes back", 2)
    bha_txt(bha / "txt" / "8bad3e691e.txt", "8bad3e691e", TITLE + SUBTITLE, BODY)
    step("a rival copy comes", 4)
    (bha / "txt" / "8bad3e691e.txt").unlink()
    step("the rival goes", 2)
    for path in (corpus / "jfjb").rglob("*.TXT"):
        path.unlink()
    step("the newspaper's record goes", 2)


@needs_shared
def test_the_real_article_in_two_archives_is_one_document(real_build):
    out, _ = real_build
    assert values(out, TAGGED_IRI, DCT + "identifier") == {"11759-04-1", "8bad3e691d"}
    assert BHA_IRI not in documents(out)
