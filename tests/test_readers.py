"""The readers: golden cases (one folder each), real archive files, and the txt/JSON pairs."""

from __future__ import annotations

import json
import os
from collections import defaultdict
from pathlib import Path

import pytest

from kg.errors import Problem
from kg.model import Record
from kg.readers import Source, input_files, read_file

from .conftest import SHARED, needs_shared

CASES = sorted((Path(__file__).parent / "cases" / "readers").iterdir())


def _read(path: Path, publication: str = "") -> tuple[str | None, list[Record], list[Problem]]:
    fmt, items = read_file(Source(path, path.name, publication), path.read_bytes())
    return (fmt, [i for i in items if isinstance(i, Record)],
            [i for i in items if isinstance(i, Problem)])


def _as_plain(record: Record, key: str):
    value = getattr(record, key)
    if key == "dates":
        return [d.iso() for d in value]
    if key == "tags":
        return [t.name for t in value]
    if key == "other_fields":
        return [[f.code, f.name, f.value] for f in value]
    return list(value) if isinstance(value, tuple) else value


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_reader_case(case: Path):
    expected = json.loads((case / "expected.json").read_text("utf-8"))
    [input_path] = [p for p in case.iterdir() if p.stem == "input"]
    fmt, records, problems = _read(input_path, "测试报")
    assert fmt == expected["format"]
    assert len(records) == len(expected["records"])
    for record, want in zip(records, expected["records"]):
        for key, value in want.items():
            assert _as_plain(record, key) == value, key
    assert len(problems) == len(expected["problems"]), [str(p) for p in problems]
    for problem, want in zip(problems, expected["problems"]):
        assert want["contains"] in problem.message
        assert problem.severity == want["severity"]
        assert problem.file == input_path.name
        for key in ("record", "line"):
            if key in want:
                assert getattr(problem, key) == want[key], str(problem)


@needs_shared
def test_every_real_file_reads_without_error():
    formats = defaultdict(int)
    for item in input_files([SHARED / "real"], "解放军报"):
        fmt, records, problems = _read(item.path, "解放军报")
        formats[fmt] += len(records)
        assert not [p for p in problems if p.severity == "error"], item.relpath
    assert formats == {"tagged": 24, "bha-txt": 412, "bha-json": 411, "sidecar": 0}


@needs_shared
def test_txt_and_json_of_an_article_give_the_same_record():
    by_key = defaultdict(list)
    for item in input_files([SHARED / "real"], "解放军报"):
        _, records, _ = _read(item.path, "解放军报")
        for record in records:
            if record.format.startswith("bha"):
                by_key[record.key].append(record)
    pairs = [v for v in by_key.values() if len(v) == 2]
    assert len(pairs) == 411
    differing = [v[0].source_id for v in pairs if v[0].content() != v[1].content()]
    # The seed article's JSON copy lacks its .tags sidecar in the shared sample.
    assert differing == ["8bad3e691d"]


@needs_shared
def test_gbk_and_utf8_copies_of_tagged_records_agree():
    root = SHARED / "real" / "jfjb-tagged"
    for utf8 in sorted((root / "utf8-lf").rglob("*.TXT")):
        gbk = root / "gbk-crlf" / utf8.relative_to(root / "utf8-lf")
        _, a, _ = _read(utf8)
        _, b, _ = _read(gbk)
        assert [r.content() for r in a] == [r.content() for r in b], utf8.name


def test_a_garbled_bha_byline_is_kept_with_a_warning(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("id: abc\n标题：题\n日期：1990-1-1\n作者：张\ufffd三,李四\n书籍：文集\n\n正文：\n正文。\n",
                    encoding="utf-8")
    _, [record], [problem] = _read(path)
    assert record.authors == ("张\ufffd三", "李四")
    assert "looks garbled" in problem.message and problem.severity == "warning"
    assert problem.line == 4


# Input that used to stop a build or write what no RDF tool reads: each is reported now, the
# record kept where it can be.

def _article(tmp_path, text: str | bytes, tags: str | None = "[]", name: str = "abc123"):
    """A BHA JSON article in its book's folders, with its .tags sidecar (unless ``None``)."""
    folder = tmp_path / "bk" / name[:3]
    folder.mkdir(parents=True, exist_ok=True)
    (tmp_path / "bk" / "bk.metadata").write_text('{"id": "bk", "name": "文集"}', encoding="utf-8")
    path = folder / f"{name}.json"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    if tags is not None:
        path.with_suffix(".tags").write_text(tags, encoding="utf-8")
    return path


def _json(title: str = "题", **fields) -> str:
    return json.dumps({"title": title, "parts": [{"type": "paragraph", "text": "正文"}], **fields},
                      ensure_ascii=False)


def _encodable(item) -> bool:
    values = [getattr(item, name) for name in item.__slots__] if isinstance(item, Record) \
        else [item.file, item.message]
    for value in map(str, values):
        value.encode("utf-8")  # raises on a lone surrogate
    return True


def test_lone_surrogate_escapes_in_an_article_are_replaced_and_reported(tmp_path):
    text = '{"title": "a\\ud800b",\n "authors": ["\\udc00"], "parts": [{"text": "\\ud83d\\ude00"}]}'
    fmt, [record], problems = _read(_article(tmp_path, text))
    assert (record.title, record.authors, record.body) == ("a\ufffdb", ("\ufffd",), "😀")
    [problem] = [p for p in problems if "surrogate" in p.message]
    assert problem.severity == "warning" and problem.line == 1 and problem.record == 0
    assert all(_encodable(item) for item in (record, *problems))


def test_lone_surrogate_escapes_in_a_tags_sidecar_are_replaced_and_reported(tmp_path):
    path = _article(tmp_path, _json(), tags='[{"name": "甲"},\n {"name": "x\\udc00", "type": "人物"}]')
    _, [record], [problem] = _read(path)
    assert [t.name for t in record.tags] == ["甲", "x\ufffd"]
    assert "abc123.tags, line 2" in problem.message and problem.severity == "warning"


def test_a_sidecar_nested_too_deeply_is_a_warning_and_the_article_is_kept(tmp_path):
    path = _article(tmp_path, _json(), tags="[" * 100_000 + "]" * 100_000)
    _, [record], [problem] = _read(path)
    assert problem.severity == "warning" and "nested too deeply" in problem.message
    assert "internal error" not in problem.message and record.title == "题"


def test_an_article_nested_too_deeply_is_an_error_not_an_internal_one(tmp_path):
    path = _article(tmp_path, '{"parts": ' + "[" * 100_000 + "]" * 100_000 + "}")
    _, records, [problem] = _read(path)
    assert not records and problem.severity == "error" and problem.record == 0
    assert "nested too deeply" in problem.message


@pytest.mark.parametrize("data, warning", [
    (_json("长" * 3000).encode("utf-8"), None),  # "parts" beyond the first kilobytes
    (b"\x00\x00" + _json().encode("utf-8") + b"\x00", "3 NUL character(s)"),
    (_json().encode("utf-16"), None),
    (_json().encode("utf-32"), None),
], ids=["long-title", "nul-padding", "utf-16", "utf-32"])
def test_a_bha_article_is_told_by_its_content(tmp_path, data, warning):
    fmt, [record], problems = _read(_article(tmp_path, data))
    assert fmt == "bha-json" and record.body == "正文"
    assert [p.message[:len(warning)] for p in problems] == ([warning] if warning else [])


TXT = "id: d1\n标题：题\n日期：{}\n书籍：文集\n正文：\n正文。\n"
TAGGED = "〖ZQ/总期〗1〖-ZQ/总期〗〖BH/版号〗01〖-BH/版号〗〖TH/条号〗1〖-TH/条号〗〖BT/标题〗题〖-BT/标题〗\n〖RQ/日期〗{}〖-RQ/日期〗"


@pytest.mark.parametrize("name, text, dates, says", [
    ("a.txt", TXT.format("1990-2-30"), ["1990-02"], "1990-02 has no day 30: kept as 1990-02"),
    ("a.txt", TXT.format("1990-13-1,1991-4-31"), ["1990", "1991-04"], "there is no month 13"),
    ("a.TXT", TAGGED.format("19900231"), ["1990-02"], "1990-02 has no day 31"),
    ("a.TXT", TAGGED.format("00000101"), [], "year 0 is not within 1–9999: the date was left out"),
    ("bk/abc/abc123.json", _json(dates=[{"year": -44, "month": 3, "day": 15}]), [], "year -44"),
    ("bk/abc/abc123.json", _json(dates=[{"year": 2 ** 63}, {"year": 1990}]), ["1990"],
     "year 9223372036854775808 is not within"),
    ("bk/abc/abc123.json", _json(dates=[{"year": 10000, "month": 1}]), [], "year 10000"),
    ("bk/abc/abc123.json", '{"title": "t", "parts": [], "dates": [{"year": 1e400}]}', [],
     "cannot convert float infinity"),
], ids=["txt-feb-30", "txt-month-13", "tagged-feb-31", "tagged-year-0", "json-year-minus-44",
        "json-year-2-63", "json-year-10000", "json-year-infinite"])
def test_impossible_dates_are_reported_and_their_records_kept(tmp_path, name, text, dates, says):
    path = _article(tmp_path, text) if name.endswith(".json") else tmp_path / name
    if not name.endswith(".json"):
        path.write_text(text, encoding="utf-8")
    _, [record], problems = _read(path, publication="解放军报")
    assert [d.iso() for d in record.dates] == dates
    assert any(says in p.message for p in problems), [str(p) for p in problems]
    assert all(p.severity == "warning" and p.record == 0 and p.line for p in problems)


def test_a_tagged_file_in_utf16_is_read(tmp_path):
    path = tmp_path / "a.TXT"
    path.write_bytes(TAGGED.format("19900312").replace("\n", "\r\n").encode("utf-16"))
    fmt, [record], problems = _read(path, publication="解放军报")
    assert fmt == "tagged" and record.title == "题" and not problems


def _walk(*inputs) -> tuple[list[str], dict[str, Problem]]:
    problems: list[Problem] = []
    relpaths = [item.relpath for item in input_files(list(inputs), "", problems)]
    return relpaths, {p.file: p for p in problems}


def _chmod_blocks(path) -> bool:
    """Whether taking every permission away from ``path`` stops this process reading it (not
    as root, who reads anyway)."""
    try:
        os.listdir(path) if path.is_dir() else path.read_bytes()
    except PermissionError:
        return True
    return False


def test_the_walk_reports_what_it_cannot_read_and_ends(tmp_path):
    root = tmp_path / "in"
    (root / "sub").mkdir(parents=True)
    for name in ("a.txt", "sub/b.txt", "z.txt"):
        (root / name).write_text("id: 1", encoding="utf-8")
    os.symlink("..", root / "sub" / "up")  # a loop
    os.symlink("..", root / "parent")  # to the folder above the root: the root again, and more
    os.symlink("loop2", root / "loop1")  # a link that never arrives (ELOOP)
    os.symlink("loop1", root / "loop2")
    os.symlink("nowhere", root / "dangling.txt")
    os.mkfifo(root / "pipe.txt")
    os.mkfifo(tmp_path / "given-pipe")
    relpaths, problems = _walk(root, tmp_path / "given-pipe")
    assert relpaths == ["a.txt", "sub/b.txt", "z.txt"]
    assert "a loop" in problems["sub/up"].message and "a loop" in problems["parent"].message
    assert "Too many levels of symbolic links" in problems["loop1"].message
    assert "'nowhere', which does not exist" in problems["dangling.txt"].message
    assert "named pipe" in problems["pipe.txt"].message
    assert problems["pipe.txt"].severity == "warning"
    given = problems["given-pipe"]
    assert "is a named pipe (FIFO), not a file or folder" in given.message
    assert given.severity == "error" and given.record is None


def test_a_folder_deeper_than_the_recursion_limit_is_walked(tmp_path):
    deep = str(tmp_path)
    for _ in range(1100):  # one by one: os.makedirs and Path.mkdir recurse
        deep += "/d"
        os.mkdir(deep)
    Path(deep, "a.txt").write_text("id: 1", encoding="utf-8")
    try:
        relpaths, problems = _walk(tmp_path)
    finally:  # one by one too: shutil.rmtree recurses (and pytest cleans up with it)
        os.remove(Path(deep, "a.txt"))
        while deep != str(tmp_path):
            os.rmdir(deep)
            deep = os.path.dirname(deep)
    assert relpaths == ["d/" * 1100 + "a.txt"] and not problems


def test_unreadable_files_and_folders_are_reported(tmp_path):
    for name in ("a.txt", "locked/b.txt", "secret.txt"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("id: 1", encoding="utf-8")
    os.chmod(tmp_path / "locked", 0)
    os.chmod(tmp_path / "secret.txt", 0)
    try:
        if not _chmod_blocks(tmp_path / "secret.txt"):
            pytest.skip("permissions do not stop this user (root) reading")
        relpaths, problems = _walk(tmp_path)
    finally:
        os.chmod(tmp_path / "locked", 0o755)
    assert relpaths == ["a.txt"]
    assert "the folder cannot be read (Permission denied)" in problems["locked"].message
    assert "the file cannot be read (permission denied)" in problems["secret.txt"].message
    assert {p.severity for p in problems.values()} == {"error"}


def test_a_file_above_the_size_limit_is_refused_before_it_is_read(tmp_path):
    from kg.readers import MAX_INPUT_BYTES
    (tmp_path / "a.txt").write_text("id: 1", encoding="utf-8")
    with (tmp_path / "huge.json").open("wb") as huge:
        huge.truncate(MAX_INPUT_BYTES + 1)  # sparse: no disk used, nothing to read
    relpaths, problems = _walk(tmp_path)
    assert relpaths == ["a.txt"]
    assert "67,108,865 bytes, more than the 64 MiB" in problems["huge.json"].message


def test_a_file_name_that_is_not_utf8_is_read_under_a_readable_name(tmp_path):
    folder = os.fsencode(tmp_path)
    os.mkdir(folder + b"/d\xfe")
    for name in (b"/a.txt", b"/bad\xff.txt", b"/d\xfe/c.txt"):
        with open(folder + name, "wb") as file:
            file.write(b"id: 1")
    with open(folder + b"/bad\\xff.txt", "wb") as file:  # the readable form of another name
        file.write(b"id: 2")
    problems: list[Problem] = []
    items = list(input_files([tmp_path], "", problems))
    assert [item.relpath for item in items] == ["a.txt", "bad\\xff.txt", "d\\xfe/c.txt"]
    assert os.fsencode(items[1].location).endswith(b"/bad\\xff.txt")  # the real one
    assert os.fsencode(items[2].location).endswith(b"/d\xfe/c.txt")
    assert {p.file: p.severity for p in problems} == {"bad\\xff.txt": "error",
                                                      "d\\xfe": "warning"}
    # and the BHA identifier taken from a JSON file's name is readable too
    book = os.fsencode(tmp_path) + b"/bk\xff/abc"
    os.makedirs(book)
    with open(book + b"/abc\xff.json", "wb") as file:
        file.write(_json().encode("utf-8"))
    source = Source(Path(os.fsdecode(book + b"/abc\xff.json")), "x.json")
    _, items = read_file(source, _json().encode("utf-8"))
    [record] = [item for item in items if isinstance(item, Record)]
    assert record.source_id == "abc\\xff"
    assert all(_encodable(item) for item in items)
    assert any("bk\\xff.metadata is missing" in item.message for item in items
               if isinstance(item, Problem))
