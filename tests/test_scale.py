"""Engines and incremental builds give the same bytes as a clean local build."""

from __future__ import annotations

import io
import shutil

from kg.pipeline import BuildOptions, build
from kg.store import export

from .conftest import EXAMPLES


def _build(inputs, out, **options):
    return build(BuildOptions(inputs=tuple(inputs), out=out, publication="解放军报", **options))


def _store_lines(out):
    dump = io.BytesIO()
    export(out, "nt", dump)
    return sorted(dump.getvalue().decode("utf-8").splitlines())


def _same_outputs(a, b):
    """Byte-identical Turtle, and stores holding the same triples."""
    assert (a / "graph.ttl").read_bytes() == (b / "graph.ttl").read_bytes()
    assert _store_lines(a) == _store_lines(b)


def test_dask_engine_matches_the_local_engine(tmp_path):
    local = _build([EXAMPLES], tmp_path / "local", workers=1)
    dask = _build([EXAMPLES], tmp_path / "dask", engine="dask", workers=2)
    _same_outputs(tmp_path / "local", tmp_path / "dask")
    assert dask["documents"] == local["documents"]


def test_incremental_rebuild_equals_a_clean_build(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(EXAMPLES, corpus)
    out = tmp_path / "out"
    first = _build([corpus], out)
    assert first["files_reused"] == 0
    turtle = (out / "graph.ttl").read_bytes()
    again = _build([corpus], out)
    assert again["files_reused"] == again["files"]  # unchanged input: nothing read again
    assert (out / "graph.ttl").read_bytes() == turtle

    # Change one file, delete another, add a new one.
    editorial = next(corpus.rglob("198810020101.TXT"))
    editorial.write_text(editorial.read_text("utf-8").replace("坚持政治工作生命线", "坚持政治工作是生命线"),
                         encoding="utf-8")
    next(corpus.rglob("e0a93c47f5.txt")).unlink()
    added = corpus / "jfjb" / "1988" / "198810" / "19881010" / "198810100101.TXT"
    added.parent.mkdir(parents=True)
    added.write_text("〖ZQ/总期〗11233〖-ZQ/总期〗\n〖RQ/日期〗19881010〖-RQ/日期〗\n〖BH/版号〗01〖-BH/版号〗\n"
                     "〖TH/条号〗1〖-TH/条号〗\n〖BT/标题〗再谈学习《决定》〖-BT/标题〗\n〖ZW/正文〗\n"
                     "    各部队继续学习《中共中央关于加强军队政治工作的决定》。\n〖-ZW/正文〗\n",
                     encoding="utf-8")
    incremental = _build([corpus], out)
    assert incremental["files_reused"] == incremental["files"] - 2
    clean = _build([corpus], tmp_path / "clean")
    _same_outputs(out, tmp_path / "clean")
    assert incremental["documents"] == clean["documents"] == first["documents"]


def _generated(folder, documents, seed):
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from generate import write_archive
    write_archive(folder, documents, seed=seed)


def test_incremental_rebuild_of_a_generated_archive(tmp_path):
    """Added files (some the same documents as old ones), a changed title, deleted files:
    the incremental build renders only what they affect and equals a clean build."""
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    _generated(corpus, 240, seed=3)
    first = build(BuildOptions(inputs=(corpus,), out=out, workers=2))
    _generated(corpus / "added", 6, seed=4)  # same identifiers as six old documents
    texts = sorted(corpus.glob("bha/*/*.txt"))
    for path in texts[:3]:
        path.unlink()
    edited = texts[5]
    edited.write_text(edited.read_text("utf-8").replace("标题：", "标题：再论", 1), "utf-8")
    again = build(BuildOptions(inputs=(corpus,), out=out, workers=2))
    clean = build(BuildOptions(inputs=(corpus,), out=tmp_path / "clean", workers=1))
    _same_outputs(out, tmp_path / "clean")
    added = [p for p in (corpus / "added").rglob("*") if p.is_file()]
    assert again["files_read"] == len(added) + 1  # the new files and the edited one
    assert again["rendered_files"] < first["rendered_files"] // 5
    for key in ("documents", "merged_duplicates", "triples", "citations", "warnings"):
        assert again[key] == clean[key], key
    assert again["merged_duplicates"] > 0 and again["reconciles"]


def _tagged(path, number, date, title, body):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"〖ZQ/总期〗{number}〖-ZQ/总期〗\n〖RQ/日期〗{date}〖-RQ/日期〗\n〖BH/版号〗01〖-BH/版号〗\n"
                    f"〖TH/条号〗1〖-TH/条号〗\n〖BT/标题〗{title}〖-BT/标题〗\n〖ZW/正文〗\n    {body}\n"
                    "〖-ZW/正文〗\n", encoding="utf-8")


def test_incremental_rebuild_when_the_archive_names_a_new_person(tmp_path):
    """A name one new record lists (RW：) becomes a mention in an old record's text, and
    goes again when that record is removed: the one change that reaches every text."""
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    _tagged(corpus / "a" / "19880101.TXT", 9001, "19880101", "基层连队见闻",
            "这个月郝建秋在连队蹲点，同战士们同吃同住。")
    _build([corpus], out)
    lister = corpus / "b" / "19880102.TXT"
    _tagged(lister, 9002, "19880102", "先进人物名单", "名单如下。\n    RW：郝建秋")
    added = _build([corpus], out)
    _build([corpus], tmp_path / "clean")
    _same_outputs(out, tmp_path / "clean")
    assert _old_record_mentions_him(out)
    assert added["files_read"] == 1
    lister.unlink()
    _build([corpus], out)
    _build([corpus], tmp_path / "clean-again")
    _same_outputs(out, tmp_path / "clean-again")
    assert not _old_record_mentions_him(out)


def _old_record_mentions_him(out):
    from kg.store import open_store
    store = open_store(out)
    try:
        return store.query("""ASK { ?d <http://purl.org/dc/terms/title> "基层连队见闻"@zh ;
            <https://w3id.org/wenxian/ontology#mentions> ?p . ?p <http://www.w3.org/2000/01/rdf-schema#label> "郝建秋"@zh }""")
    finally:
        del store


_POOL: dict = {}


def _pool_files():
    """Files to add, change and delete: a small generated archive and six more files, some
    of them other copies of its documents (written once per test session)."""
    if not _POOL:
        import tempfile
        from pathlib import Path
        folder = Path(tempfile.mkdtemp(prefix="kg-pool-"))
        _generated(folder / "main", 30, seed=5)
        _generated(folder / "more", 6, seed=6)
        _POOL.update({str(p.relative_to(folder)): p.read_bytes()
                      for p in sorted(folder.rglob("*")) if p.is_file()})
        shutil.rmtree(folder)
    return _POOL


def _apply(step, corpus) -> None:
    action, index = step
    pool = _pool_files()
    names = sorted(pool)
    present = sorted(str(p.relative_to(corpus)) for p in corpus.rglob("*") if p.is_file())
    if action == "add" and (absent := [n for n in names if n not in present]):
        name = absent[index % len(absent)]
        (corpus / name).parent.mkdir(parents=True, exist_ok=True)
        (corpus / name).write_bytes(pool[name])
    elif action == "delete" and present:
        (corpus / present[index % len(present)]).unlink()
    elif action == "change" and present:
        path = corpus / present[index % len(present)]
        text = path.read_bytes().decode("utf-8", errors="surrogateescape")
        path.write_bytes(text.replace("的", "之", 1).encode("utf-8", errors="surrogateescape"))


def test_random_changes_built_incrementally_equal_clean_builds():
    """The net under BuildState.settle and resolve.dependencies: after each of a random
    sequence of added, changed and deleted files, the incremental build equals a clean one."""
    import tempfile
    from pathlib import Path
    from hypothesis import HealthCheck, given, settings, strategies as st
    steps = st.lists(st.tuples(st.sampled_from(["add", "change", "delete"]),
                               st.integers(0, 1000)), min_size=1, max_size=3)

    @settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
    @given(steps)
    def check(sequence):
        with tempfile.TemporaryDirectory() as folder:
            corpus, out = Path(folder) / "corpus", Path(folder) / "out"
            for name in sorted(_pool_files())[::3]:  # a third of the pool to start with
                (corpus / name).parent.mkdir(parents=True, exist_ok=True)
                (corpus / name).write_bytes(_pool_files()[name])
            _build([corpus], out, workers=1)
            for number, step in enumerate(sequence):
                _apply(step, corpus)
                if not any(p.is_file() for p in corpus.rglob("*")):
                    return
                _build([corpus], out, workers=1)
                clean = Path(folder) / f"clean-{number}"
                _build([corpus], clean, workers=1)
                _same_outputs(out, clean)
    check()
