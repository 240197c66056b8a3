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


def _check(text: str | bytes, name: str = "x.TXT", folder: Path = Path("/nonexistent")):
    data = text.encode("utf-8") if isinstance(text, str) else text
    fmt, items = read_file(Source(folder / name, name), data)
    for item in items:
        assert isinstance(item, (Record, Problem))
        if isinstance(item, Problem):
            assert item.file == name and item.message
            assert "internal error" not in item.message, item.message
        _assert_writable(item)
        for date in getattr(item, "dates", ()):
            _assert_valid(date)
    return items


def _assert_writable(item) -> None:
    """Every text a record or problem carries can be written as UTF-8 (a report, a literal)."""
    for name in item.__slots__:
        value = getattr(item, name)
        for text in value if isinstance(value, tuple) else (value,):
            str(text).encode("utf-8")


def _assert_valid(date) -> None:
    """A date that XSD tools read: a year of four digits, a day its month has."""
    import datetime
    assert 1 <= date.year <= 9999
    if date.month is not None:
        datetime.date(date.year, date.month, date.day or 1)


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


# Strings with lone surrogates: JSON escapes them (\\ud800), and they stand for no character.
SURROGATE_TEXT = st.lists(st.sampled_from(list("中文a\\\"\n ")) | st.integers(0xD800, 0xDFFF).map(chr),
                          max_size=8).map("".join)


@settings(max_examples=200)
@given(SURROGATE_TEXT, st.lists(SURROGATE_TEXT, max_size=3), SURROGATE_TEXT, st.booleans())
def test_bha_json_with_lone_surrogates_never_raises(title, authors, text, escaped):
    import json
    article = json.dumps({"title": title, "authors": authors, "parts": [{"text": text}]},
                         ensure_ascii=escaped)
    # Not escaped, a lone surrogate is no UTF-8: written with surrogatepass, the bytes are bad.
    items = _check(article.encode("utf-8", "surrogatepass"), "x.json")
    if escaped:  # else the bytes may be read as GB18030 (fewer replacements), or not be JSON
        [record] = [item for item in items if isinstance(item, Record)]
        # what JSON means: a high and a low half together are one character
        assert record.title == title.encode("utf-16-le", "surrogatepass").decode("utf-16-le",
                                                                                 "replace")


@settings(max_examples=50, deadline=None)
@given(SURROGATE_TEXT, st.integers(0, 5000))
def test_bha_tags_with_lone_surrogates_or_nested_deep_never_lose_the_article(name, depth):
    import json
    import tempfile
    with tempfile.TemporaryDirectory() as folder:
        article = Path(folder) / "book" / "abc" / "abc123.json"
        article.parent.mkdir(parents=True)
        tags = json.dumps([{"name": name, "type": "人物"}], ensure_ascii=True)
        article.with_suffix(".tags").write_text("[" * depth + tags + "]" * depth)
        items = _check('{"title": "t", "parts": []}', "book/abc/abc123.json", Path(folder))
        assert [item.title for item in items if isinstance(item, Record)] == ["t"]


JSON_NUMBER = st.integers() | st.floats() | st.integers(-3, 14) | st.none() | st.text(max_size=3)


@settings(max_examples=300)
@given(st.lists(st.fixed_dictionaries({"year": JSON_NUMBER, "month": JSON_NUMBER,
                                       "day": JSON_NUMBER}), max_size=3))
def test_bha_json_dates_are_valid_or_reported(dates):
    import json
    items = _check(json.dumps({"title": "t", "parts": [], "dates": dates}), "x.json")
    [record] = [item for item in items if isinstance(item, Record)]
    reported = sum(1 for item in items if isinstance(item, Problem) and "dates[" in item.message)
    assert len(record.dates) + reported >= sum(map(_known_year, dates))


def _known_year(date: dict) -> bool:
    """Whether the reader takes the year as known (zero, null, "" are unknown)."""
    try:
        return int(date["year"] or 0) != 0
    except (TypeError, ValueError, OverflowError):
        return True


@settings(max_examples=300)
@given(st.from_regex(r"\A\d{1,4}(-\d{1,2}){0,2}\Z"), st.from_regex(r"\A\d{8}\Z"))
def test_txt_and_tagged_dates_are_valid_or_reported(bha_date, rq):
    _check(f"id: 1\n日期：{bha_date}\n正文：\n正文", "x.txt")
    _check(f"〖ZQ/总期〗1〖-ZQ/总期〗〖BH/版号〗1〖-BH/版号〗〖TH/条号〗1〖-TH/条号〗〖BT/标题〗t〖-BT/标题〗"
           f"〖RQ/日期〗{rq}〖-RQ/日期〗")


@settings(max_examples=30, deadline=None)
@given(st.lists(st.binary(min_size=1, max_size=6).filter(
    lambda n: b"/" not in n and b"\0" not in n and not n.startswith(b".")),
    min_size=1, max_size=4, unique=True))
def test_any_file_name_gives_a_readable_relpath(names):
    import os
    import tempfile
    from kg.readers import input_files
    with tempfile.TemporaryDirectory() as folder:
        for name in names:
            with open(os.fsencode(folder) + b"/" + name, "wb") as file:
                file.write(b"id: 1")
        problems: list[Problem] = []
        items = list(input_files([Path(folder)], "", problems))
        for item in items:
            item.relpath.encode("utf-8")
        for problem in problems:
            _assert_writable(problem)
        assert len(items) + sum(p.severity == "error" for p in problems) == len(names)
        assert len({item.relpath for item in items}) == len(items)


@given(st.text(min_size=1, max_size=20), st.text(min_size=1, max_size=20))
def test_document_iris_are_ascii_and_give_back_their_identifier(publication, source_id):
    a = Minter().document(publication, source_id)
    assert str(a).isascii() and " " not in a
    # so no two identifiers share one (surrounding spaces are not part of an identifier)
    assert unquote(str(a).rsplit("/", 1)[1]) == source_id.strip()
