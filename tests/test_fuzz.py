"""Property-based tests: readers never raise on random or mutated input; IRIs are stable."""

from __future__ import annotations

from pathlib import Path

from urllib.parse import unquote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.errors import Problem
from kg.iri import Minter
from kg.model import Record
from kg.readers import Source, read_file

FIELD = st.sampled_from(["ZQ/总期", "RQ/日期", "BH/版号", "TH/条号", "BT/标题", "ZZ/作者",
                         "GJ/关键", "ZW/正文", "HH/换行", "JZ/加重", "QQ/未知"])
TEXT = st.text(alphabet=st.sampled_from(list("中共央决定通过《》〈〉〖〗/-：:,，\n 0123456789RWDW正文id")),
               max_size=40)


@st.composite
def tagged_records(draw):
    parts = []
    for _ in range(draw(st.integers(0, 12))):
        code = draw(FIELD)
        opening, closing = f"〖{code}〗", f"〖-{code}〗"
        parts.append(opening + draw(TEXT) + (closing if draw(st.booleans()) else ""))
    return "\n".join(parts)


@st.composite
def bha_texts(draw):
    keys = ["id: ", "标题：", "日期：", "是否是时间段：", "作者：", "标签：", "书籍：", "正文：", "描述："]
    lines = [draw(st.sampled_from(keys)) + draw(TEXT) for _ in range(draw(st.integers(0, 10)))]
    return "\n".join(lines)


def _check(text: str | bytes, name: str = "x.TXT"):
    data = text.encode("utf-8") if isinstance(text, str) else text
    fmt, items = read_file(Source(Path("/nonexistent") / name, name), data)
    for item in items:
        assert isinstance(item, (Record, Problem))
        if isinstance(item, Problem):
            assert item.file == name and item.message
            assert "internal error" not in item.message, item.message


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(tagged_records())
def test_tagged_reader_never_raises(text):
    _check(text)


@settings(max_examples=300)
@given(bha_texts())
def test_bha_txt_reader_never_raises(text):
    _check(text, "x.txt")


@settings(max_examples=200)
@given(st.binary(max_size=200))
def test_random_bytes_never_raise(data):
    _check(data)


@settings(max_examples=200)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=10),
                    lambda children: st.lists(children, max_size=4)
                    | st.dictionaries(st.sampled_from(["title", "parts", "dates", "authors",
                                                       "type", "text", "year", "comments"]),
                                      children, max_size=5), max_leaves=20))
def test_bha_json_reader_never_raises(value):
    import json
    _check('{"parts": ' + json.dumps(value) + ', "title": "t"}', "x.json")


@given(st.text(min_size=1, max_size=20), st.text(min_size=1, max_size=20))
def test_document_iris_are_ascii_and_give_back_their_identifier(publication, source_id):
    a = Minter().document(publication, source_id)
    assert str(a).isascii() and " " not in a
    # so no two identifiers share one (surrounding spaces are not part of an identifier)
    assert unquote(str(a).rsplit("/", 1)[1]) == source_id.strip()
