"""Whole builds: the seeds, the real samples, determinism, and the Turtle in two RDF stacks."""

from __future__ import annotations

import io
import json

import pyoxigraph
import pytest
import rdflib
from rdflib.compare import isomorphic

from kg.pipeline import BuildOptions, build
from kg.store import export

from .conftest import SHARED, needs_shared

PREFIXES = """PREFIX wx: <https://w3id.org/wenxian/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX cito: <http://purl.org/spar/cito/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""


def _graph(out) -> rdflib.Graph:
    return rdflib.Graph().parse(out / "graph.ttl", format="turtle")


def _values(graph, identifier: str, path: str) -> set[str]:
    query = PREFIXES + f'SELECT ?v WHERE {{ ?d dcterms:identifier "{identifier}" ; {path} ?v }}'
    return {str(row.v) for row in graph.query(query)}


@needs_shared
def test_seed_documents_carry_their_metadata(seeds_build):
    out, report = seeds_build
    g = _graph(out)
    assert report["documents"] == 2 and report["reconciles"] and not report["errors"]
    assert _values(g, "11789-01-1", "dcterms:title") == {"中共中央关于加强党同人民群众联系的决定"}
    assert _values(g, "11789-01-1", "dcterms:date") == {"1990-04-21"}
    assert _values(g, "11789-01-1", "dcterms:subject/rdfs:label") == {"党同人民群众联系", "中共中央", "文件"}
    assert _values(g, "11789-01-1", "wx:genre") == {"公文"}
    assert _values(g, "11789-01-1", "wx:page") == {"01"}
    assert _values(g, "11789-01-1", "wx:pageName") == {"头版"}
    assert _values(g, "11789-01-1", "wx:issueNumber") == {"11789"}
    assert _values(g, "8bad3e691d", "dcterms:creator/rdfs:label") == {"闻学良"}
    assert _values(g, "8bad3e691d", "dcterms:date") == {"1990-03-22"}
    assert _values(g, "8bad3e691d", "wx:tag/rdfs:label") == {"毛泽东", "文章"}
    assert _values(g, "8bad3e691d", "dcterms:isPartOf/rdfs:label") == {"解放军报"}
    assert _values(g, "8bad3e691d", "cito:cites/dcterms:identifier") == {"11789-01-1"}


@needs_shared
def test_dates_are_typed_by_precision(annotated_build):
    g = _graph(annotated_build[0])
    rows = g.query(PREFIXES + "SELECT ?date WHERE { ?d dcterms:date ?date }")
    datatypes = {str(row.date): str(row.date.datatype).split("#")[1] for row in rows}
    assert datatypes["1966-05"] == "gYearMonth"
    assert datatypes["1984-10-21"] == "date"
    assert datatypes["1950-07"] == "gYearMonth"
    ranges = g.query(PREFIXES + "SELECT ?s ?e WHERE { ?d dcterms:date ?s ; wx:endDate ?e }")
    assert {(str(r.s), str(r.e)) for r in ranges} == {("1981-06-27", "1981-09-30")}


@needs_shared
def test_real_samples_build_and_reconcile(real_build):
    out, report = real_build
    assert report["errors"] == []
    assert report["formats"] == {"bha-json": 411, "bha-txt": 412, "sidecar": 486, "tagged": 24}
    assert report["records"] == 24 + 412 + 411
    # 424 identifiers; the BHA copy 8bad3e691d of the tagged 11759-04-1 is one of them.
    assert report["documents"] == 423
    assert report["merged_duplicates"] == 847 - 423
    assert report["reconciles"]
    differing = [w for w in report["warnings"] if "content differs" in w["message"]]
    assert [w["file"] for w in differing] == ["bha-github-io-txt/txt/jfjb/8ba/8bad3e691d.txt"]


@needs_shared
def test_turtle_loads_in_rdflib_and_oxigraph_alike(seeds_build):
    out, report = seeds_build
    from_ttl = _graph(out)
    dump = io.BytesIO()
    export(out, "nt", dump)
    from_nt = rdflib.Graph().parse(data=dump.getvalue(), format="nt")
    assert isomorphic(from_ttl, from_nt)
    store = pyoxigraph.Store()
    store.load(path=str(out / "graph.ttl"), format=pyoxigraph.RdfFormat.TURTLE)
    assert len(store) == len(from_ttl) == report["triples"]
    assert not any(isinstance(t, rdflib.BNode) for triple in from_ttl for t in triple)


@needs_shared
def test_two_builds_are_byte_identical(tmp_path, seeds_build):
    out = tmp_path / "again"
    build(BuildOptions(inputs=(SHARED / "seeds",), out=out, publication="解放军报", workers=2))
    assert (out / "graph.ttl").read_bytes() == (seeds_build[0] / "graph.ttl").read_bytes()


def test_nothing_readable_fails_clearly(tmp_path):
    (tmp_path / "notes.dat").write_text("这不是档案。\n", encoding="utf-8")
    from kg.errors import KgError
    with pytest.raises(KgError, match="no record could be read"):
        build(BuildOptions(inputs=(tmp_path,), out=tmp_path / "out"))


def test_bad_files_are_reported_and_the_rest_is_built(tmp_path):
    good = "〖ZQ/总期〗1〖-ZQ/总期〗〖BH/版号〗01〖-BH/版号〗〖TH/条号〗1〖-TH/条号〗〖BT/标题〗好〖-BT/标题〗"
    bad = "〖ZQ/总期〗2〖-ZQ/总期〗〖BT/标题〗缺版号〖-BT/标题〗"
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.TXT").write_text(good + bad, encoding="utf-8")
    (tmp_path / "in" / "b.dat").write_bytes(b"\x00\x01 binary")
    report = build(BuildOptions(inputs=(tmp_path / "in",), out=tmp_path / "out"))
    assert report["documents"] == 1 and report["records"] == 2 and report["reconciles"]
    messages = {(e["file"], e["record"]): e["message"] for e in report["errors"]}
    assert "no BH, TH field" in messages[("a.TXT", 1)]
    assert "no known format" in messages[("b.dat", None)]
    written = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    assert written["errors"] == report["errors"]
    from kg.errors import KgError
    with pytest.raises(KgError, match="--strict"):
        build(BuildOptions(inputs=(tmp_path / "in",), out=tmp_path / "out2", strict=True))


def test_the_report_does_not_reconcile_when_a_document_is_lost(tmp_path, monkeypatch):
    record = "〖ZQ/总期〗{0}〖-ZQ/总期〗〖BH/版号〗01〖-BH/版号〗〖TH/条号〗1〖-TH/条号〗〖BT/标题〗第{0}篇〖-BT/标题〗"
    (tmp_path / "in").mkdir()
    for number, name in enumerate(("a.TXT", "b.TXT"), 1):
        (tmp_path / "in" / name).write_text(record.format(number), encoding="utf-8")
    options = BuildOptions(inputs=(tmp_path / "in",), out=tmp_path / "out", workers=1)
    assert build(options)["reconciles"]

    import dataclasses
    import kg.pipeline
    render_file = kg.pipeline.render_file

    def losing_b(relpath):  # pass 2 drops the document of b.TXT: it never reaches the store
        result = render_file(relpath)
        return dataclasses.replace(result, fragment=b"", triples=0) if relpath == "b.TXT" \
            else result
    monkeypatch.setattr(kg.pipeline, "render_file", losing_b)
    report = build(BuildOptions(inputs=(tmp_path / "in",), out=tmp_path / "lost", workers=1))
    assert (report["records"], report["documents"], report["merged_duplicates"]) == (2, 1, 0)
    assert not report["reconciles"]


def _folder_with_corpus_toml(tmp_path, toml: str) -> None:
    folder = tmp_path / "rmrb"
    folder.mkdir()
    (folder / "corpus.toml").write_text(toml, encoding="utf-8")
    (folder / "a.TXT").write_text("〖ZQ/总期〗1〖-ZQ/总期〗〖BH/版号〗01〖-BH/版号〗〖TH/条号〗1〖-TH/条号〗"
                                  "〖BT/标题〗标题〖-BT/标题〗", encoding="utf-8")


def test_corpus_toml_names_the_publication(tmp_path):
    _folder_with_corpus_toml(tmp_path, 'publication = "人民日报"\n')
    build(BuildOptions(inputs=(tmp_path,), out=tmp_path / "out", publication="解放军报"))
    g = _graph(tmp_path / "out")
    assert _values(g, "1-01-1", "dcterms:isPartOf/rdfs:label") == {"人民日报"}


def test_a_broken_corpus_toml_is_reported_and_the_rest_is_built(tmp_path):
    _folder_with_corpus_toml(tmp_path, '# the paper\npublication = 人民日报\n')
    report = build(BuildOptions(inputs=(tmp_path,), out=tmp_path / "out", publication="解放军报"))
    [error] = [e for e in report["errors"] if e["file"] == "rmrb/corpus.toml"]
    assert "not valid TOML" in error["message"] and error["line"] == 2
    assert report["documents"] == 1 and report["reconciles"]
    g = _graph(tmp_path / "out")
    assert _values(g, "1-01-1", "dcterms:isPartOf/rdfs:label") == {"解放军报"}  # the --publication


def test_a_byline_of_the_paper_keeps_its_own_form(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.TXT").write_text(
        "〖ZQ/总期〗1〖-ZQ/总期〗〖BH/版号〗01〖-BH/版号〗〖TH/条号〗1〖-TH/条号〗〖BT/标题〗论坚持〖-BT/标题〗"
        "〖ZZ/作者〗本报评论员〖-ZZ/作者〗〖ZW/正文〗\n    正文。\n〖-ZW/正文〗", encoding="utf-8")
    build(BuildOptions(inputs=(tmp_path / "in",), out=tmp_path / "out", publication="解放军报"))
    g = _graph(tmp_path / "out")
    assert _values(g, "1-01-1", "dcterms:creator/rdfs:label") == {"解放军报评论员"}
    assert _values(g, "1-01-1", "dcterms:creator/<http://www.w3.org/2004/02/skos/core#altLabel>") \
        == {"本报评论员"}


@needs_shared
def test_real_metadata_lists_and_bylines(real_build):
    out, report = real_build
    g = _graph(out)
    assert _values(g, "153310-01-1", "dcterms:subject/rdfs:label") == {"迎接新千年", "庆祝活动"}
    assert _values(g, "153310-01-1", "wx:listedPerson/rdfs:label") == {"江泽民"}
    garbled = [w for w in report["warnings"] if "looks garbled" in w["message"]]
    assert {w["file"].split("/", 2)[2] for w in garbled} == {"1993/199307/19930713/199307130414.TXT"}


@needs_shared
def test_graph_ttl_is_the_same_bytes_from_processes_hashing_differently(tmp_path):
    """Determinism across processes: string hashing (and so set and dict order) differs with
    PYTHONHASHSEED; graph.ttl must not."""
    import os
    import subprocess
    import sys
    outputs = []
    for seed, workers in (("1", "1"), ("2", "2")):
        out = tmp_path / f"seed-{seed}"
        result = subprocess.run(
            [sys.executable, "-m", "kg", "build", SHARED / "real", "--publication", "解放军报",
             "--out", out, "--workers", workers, "--quiet"], capture_output=True, text=True,
            env={**os.environ, "PYTHONHASHSEED": seed}, timeout=900)
        assert result.returncode == 0, result.stderr
        outputs.append((out / "graph.ttl").read_bytes())
    assert len(outputs[0]) > 1_000_000 and outputs[0] == outputs[1]


def test_a_second_build_into_a_folder_being_built_is_refused(tmp_path):
    import fcntl
    from kg.errors import KgError
    from .conftest import EXAMPLES
    out = tmp_path / "out"
    out.mkdir()
    with (out / ".lock").open("a+") as held:  # as a running build holds it
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(KgError, match="another kg build"):
            build(BuildOptions(inputs=(EXAMPLES,), out=out, workers=1))
    assert build(BuildOptions(inputs=(EXAMPLES,), out=out, workers=1))["reconciles"]


@needs_shared
def test_killing_a_build_leaves_no_worker_running(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time
    build_process = subprocess.Popen(
        [sys.executable, "-m", "kg", "build", SHARED / "real", "--out", tmp_path / "out",
         "--workers", "2", "--quiet"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def children() -> set[int]:
        found = set()
        for status in os.listdir("/proc"):
            try:
                fields = open(f"/proc/{status}/stat").read().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if status.isdigit() and int(fields[1]) == build_process.pid:
                found.add(int(status))
        return found

    for _ in range(600):  # until its pool of workers has started
        if len(workers := children()) >= 2 or build_process.poll() is not None:
            break
        time.sleep(0.05)
    assert build_process.poll() is None and len(workers) >= 2
    os.kill(build_process.pid, signal.SIGKILL)
    build_process.wait()
    for _ in range(200):  # the kernel ends them; give it a moment
        if not any(os.path.exists(f"/proc/{pid}") and
                   open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0] != "Z"
                   for pid in workers):
            break
        time.sleep(0.05)
    else:
        raise AssertionError(f"workers {workers} still run after their build was killed")


# Input that used to stop a build or spoil its output, all in one folder beside good files:
# one build, and for each a check that it is reported and the rest built.

_TAGGED = "〖ZQ/总期〗{}〖-ZQ/总期〗〖BH/版号〗01〖-BH/版号〗〖TH/条号〗1〖-TH/条号〗〖BT/标题〗第{}篇〖-BT/标题〗{}"


def _json_article(**fields) -> str:
    return json.dumps({"title": "题", "parts": [{"type": "paragraph", "text": "正文。"}],
                       **fields}, ensure_ascii=False)


def _locked(path) -> bool:
    """Take every permission from ``path``; whether that stops this process reading it."""
    import os
    os.chmod(path, 0)
    try:
        os.listdir(path) if path.is_dir() else path.read_bytes()
    except PermissionError:
        return True
    return False


@pytest.fixture(scope="module")
def bad_inputs_build(tmp_path_factory):
    import os
    base = tmp_path_factory.mktemp("bad-inputs")
    root = base / "in"
    (root / "bk" / "abc").mkdir(parents=True)
    (root / "good.TXT").write_text(_TAGGED.format(1, 1, ""), encoding="utf-8")
    (root / "bad-date.TXT").write_text(_TAGGED.format(2, 2, "〖RQ/日期〗19900231〖-RQ/日期〗"),
                                       encoding="utf-8")
    (root / "date.txt").write_text("id: t1\n标题：题\n日期：1990-2-30\n书籍：文集\n正文：\n正文。\n",
                                   encoding="utf-8")
    (root / "bk" / "bk.metadata").write_text('{"id": "bk", "name": "文集"}', encoding="utf-8")
    articles = {  # name: (the article's bytes, its .tags)
        # json.dumps writes a lone surrogate as the escape \ud800
        "abc001": (json.dumps({"title": "坏\ud800字", "parts": []}).encode(), "[]"),
        "abc002": (_json_article().encode(), '[{"name": "坏\\udc00", "type": "人物"}]'),
        "abc003": (_json_article(dates=[{"year": -44, "month": 3, "day": 15}]).encode(), "[]"),
        "abc004": (_json_article(dates=[{"year": 2 ** 63, "month": 1, "day": 1}]).encode(), "[]"),
        "abc005": (_json_article(title="长" * 3000).encode(), "[]"),
        "abc006": (b"\0" + _json_article().encode(), "[]"),
        "abc007": (_json_article().encode("utf-16"), "[]"),
        "abc008": (_json_article().encode(), "[" * 50_000 + "]" * 50_000),
    }
    for name, (data, tags) in articles.items():
        (root / "bk" / "abc" / f"{name}.json").write_bytes(data)
        (root / "bk" / "abc" / f"{name}.tags").write_text(tags, encoding="utf-8")
    with open(os.fsencode(root) + b"/bad\xff.TXT", "wb") as file:
        file.write(_TAGGED.format(3, 3, "").encode("utf-8"))
    os.symlink("..", root / "up")
    os.symlink("loop2", root / "loop1")
    os.symlink("loop1", root / "loop2")
    os.symlink("nowhere", root / "dangling.txt")
    os.mkfifo(root / "pipe.txt")
    os.mkfifo(base / "given-pipe")
    with (root / "huge.json").open("wb") as huge:
        huge.truncate(64 * 2 ** 20 + 1)  # sparse
    (root / "locked").mkdir()
    (root / "locked" / "c.TXT").write_text(_TAGGED.format(4, 4, ""), encoding="utf-8")
    (root / "secret.TXT").write_text(_TAGGED.format(5, 5, ""), encoding="utf-8")
    locks_work = _locked(root / "locked") and _locked(root / "secret.TXT")
    try:
        report = build(BuildOptions(inputs=(root, base / "given-pipe"), out=base / "out",
                                    publication="解放军报"))
    finally:
        os.chmod(root / "locked", 0o755)
        os.chmod(root / "secret.TXT", 0o644)
    return base / "out", report, locks_work


BUILT = ["1-01-1", "2-01-1", "t1", "3-01-1", *(f"abc00{n}" for n in range(1, 9))]
REPORTED = [  # file, severity, what the message says
    ("bk/abc/abc001.json", "warning", "lone UTF-16 surrogates"),
    ("bk/abc/abc002.json", "warning", "abc002.tags, line 1: escaped lone UTF-16 surrogates"),
    ("bk/abc/abc003.json", "warning", "year -44 is not within 1–9999: the date was left out"),
    ("bk/abc/abc004.json", "warning", "year 9223372036854775808 is not within 1–9999"),
    ("bk/abc/abc006.json", "warning", "1 NUL character(s) before or after the text"),
    ("bk/abc/abc008.json", "warning", "abc008.tags cannot be read (JSON nested too deeply)"),
    ("bad-date.TXT", "warning", "RQ/日期 '19900231' is no date: 1990-02 has no day 31"),
    ("date.txt", "warning", "日期 '1990-2-30' is no date: 1990-02 has no day 30"),
    ("bad\\xff.TXT", "warning", "the name is not valid UTF-8"),
    ("up", "warning", "a link back to a folder it is in (a loop); not followed"),
    ("loop1", "warning", "cannot be followed (Too many levels of symbolic links)"),
    ("dangling.txt", "warning", "a link to 'nowhere', which does not exist; skipped"),
    ("pipe.txt", "warning", "a named pipe (FIFO), not a regular file; skipped"),
    ("given-pipe", "error", "is a named pipe (FIFO), not a file or folder; skipped"),
    ("huge.json", "error", "more than the 64 MiB an input file may have"),
    ("locked", "error", "the folder cannot be read (Permission denied)"),
    ("secret.TXT", "error", "the file cannot be read (permission denied)"),
]


@pytest.mark.parametrize("file, severity, says", REPORTED, ids=[r[0] for r in REPORTED])
def test_bad_input_is_reported_and_the_rest_built(bad_inputs_build, file, severity, says):
    out, report, locks_work = bad_inputs_build
    if file in ("locked", "secret.TXT") and not locks_work:
        pytest.skip("permissions do not stop this user (root) reading")
    written = json.loads((out / "report.json").read_text("utf-8"))
    found = [p for p in written["errors" if severity == "error" else "warnings"]
             if p["file"] == file and says in p["message"]]
    assert found, [p for p in written["errors"] + written["warnings"] if p["file"] == file]
    assert written["reconciles"] and written["documents"] == len(BUILT) + 2 * (not locks_work)


def test_a_build_with_bad_input_holds_every_good_document_and_valid_dates(bad_inputs_build):
    out, report, locks_work = bad_inputs_build
    assert report["documents"] == len(BUILT) + 2 * (not locks_work) and report["reconciles"]
    g = _graph(out)
    for identifier in BUILT:
        assert _values(g, identifier, "dcterms:title"), identifier
    assert _values(g, "abc001", "dcterms:title") == {"坏\ufffd字"}
    assert _values(g, "2-01-1", "dcterms:date") == _values(g, "t1", "dcterms:date") == {"1990-02"}
    assert not _values(g, "abc003", "dcterms:date") and not _values(g, "abc004", "dcterms:date")
    assert not [t for triple in g for t in triple
                if isinstance(t, rdflib.Literal) and t.ill_typed]
    assert "bad\\xff.TXT" in _values(g, "3-01-1", "wx:sourcePath")
    from kg.validate import validate
    assert [str(v) for v in validate(out)] == []


def test_strict_fails_on_what_the_walk_could_not_read(tmp_path):
    import os
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.TXT").write_text(_TAGGED.format(1, 1, ""), encoding="utf-8")
    os.mkfifo(tmp_path / "pipe")
    from kg.errors import KgError
    with pytest.raises(KgError, match="--strict: pipe: input .* is a named pipe"):
        build(BuildOptions(inputs=(tmp_path / "in", tmp_path / "pipe"), out=tmp_path / "out",
                           strict=True))


def test_two_builds_into_one_folder_at_once(tmp_path):
    """One of two simultaneous builds refuses (or, if they never overlap, both run in turn);
    what is left in the folder is what a clean build writes."""
    import subprocess
    import sys
    from .conftest import EXAMPLES
    command = [sys.executable, "-m", "kg", "build", str(EXAMPLES), "--out", str(tmp_path / "out"),
               "--workers", "1", "--quiet"]
    builds = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True) for _ in range(2)]
    results = [(process.wait(timeout=600), process.stderr.read()) for process in builds]
    assert any(code == 0 for code, _ in results), results
    for code, stderr in results:
        assert code == 0 or "another kg build" in stderr, stderr
    build(BuildOptions(inputs=(EXAMPLES,), out=tmp_path / "clean", workers=1))
    assert (tmp_path / "out" / "graph.ttl").read_bytes() == \
        (tmp_path / "clean" / "graph.ttl").read_bytes()
