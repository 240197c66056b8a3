"""The readers: golden cases (one folder each), real archive files, and the txt/JSON pairs."""

from __future__ import annotations

import json
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
