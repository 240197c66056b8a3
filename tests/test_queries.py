"""The named query library (queries/*.rq) against the example corpus.

What each query must return is data, in tests/cases/queries.json::

    "NAME": {
      "params": {...},            # must equal the examples in the query's header
      "match": "exact",           # or "contains": these rows must be among the results
      "rows": [{COLUMN: VALUE}],  # only the columns named are compared, in result order
      "more": [{"params": {...}, "rows": [...], "build": "examples" | "reprints"}]
    }

A VALUE is the term's lexical form, null for unbound, or a list for a " | "-joined
GROUP_CONCAT column (compared as a set). Every query in queries/ must have an entry.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from kg.pipeline import BuildOptions, build
from kg.query import list_queries, load_query, run_query
from kg.store import open_store

from .conftest import EXAMPLES

CASES_FILE = Path(__file__).parent / "cases" / "queries.json"
CASES = json.loads(CASES_FILE.read_text("utf-8"))
QUERIES = {query.name: query for query in list_queries()}
# The named queries the project ships, written out here rather than globbed from the folder.
LIBRARY = {"citation-chains", "citing-documents", "co-mention-pairs", "co-mentions",
           "corpus-statistics", "documents-by-author", "documents-cited-by", "entity-profile",
           "keyword-by-year", "keyword-trends", "meetings", "mentions-by-year", "most-cited",
           "publication-issue", "reprints-of", "reprints"}
NAMES = sorted(set(QUERIES) | set(CASES))
TYPES = {"string", "zh", "integer", "date", "gYear", "iri"}
SEPARATOR = " | "


@pytest.fixture(scope="module")
def stores(examples_build, tmp_path_factory):
    """Stores by build name; the reprint build is made only when a case asks for it."""
    opened = {"examples": open_store(examples_build[0])}

    def get(name: str):
        if name not in opened:
            assert name == "reprints", f"unknown build {name!r} in {CASES_FILE.name}"
            opened[name] = open_store(_reprint_build(tmp_path_factory))
        return opened[name]
    return get


def _reprint_build(tmp_path_factory) -> Path:
    """The example 解放军报 records plus record A printed the same day in 人民日报."""
    inputs = tmp_path_factory.mktemp("reprint-input")
    shutil.copytree(EXAMPLES / "jfjb", inputs / "jfjb")
    (inputs / "rmrb").mkdir()
    shutil.copy(EXAMPLES / "jfjb/1988/198809/19880930/198809300101.TXT", inputs / "rmrb")
    (inputs / "rmrb" / "corpus.toml").write_text('publication = "人民日报"\n', "utf-8")
    out = tmp_path_factory.mktemp("reprint-build")
    build(BuildOptions(inputs=(inputs,), out=out, publication="", workers=1))
    return out


def _rows(result) -> tuple[list[str], list[dict]]:
    names = [variable.value for variable in result.variables]
    return names, [{n: None if s[n] is None else s[n].value for n in names} for s in result]


def _cell(value, expected):
    if isinstance(expected, list) and value is not None:
        return sorted(v for v in value.split(SEPARATOR) if v)
    return value


def _check(name: str, case: dict, names: list[str], rows: list[dict]) -> None:
    expected = case["rows"]
    columns = sorted({c for row in expected for c in row})
    assert not set(columns) - set(names), \
        f"{name}: {CASES_FILE.name} names columns the query lacks: {set(columns) - set(names)}"
    got = [{c: _cell(row[c], next((e[c] for e in expected if c in e), None)) for c in columns}
           for row in rows]
    want = [{c: (sorted(e[c]) if isinstance(e.get(c), list) else e.get(c)) for c in columns}
            for e in expected]
    if case.get("match", "exact") == "contains":
        missing = [row for row in want if row not in got]
        assert not missing, f"{name} {case['params']}: rows missing {missing}; got {got}"
    else:
        assert got == want, f"{name} {case['params']}"


@pytest.mark.parametrize("name", NAMES)
def test_named_query_returns_what_the_examples_contain(name, stores):
    assert name in CASES, f"queries/{name}.rq has no expectation in {CASES_FILE.name}"
    assert name in QUERIES, f"{CASES_FILE.name} has {name!r} but queries/ has no {name}.rq"
    query = load_query(name)
    assert query.title and query.description, f"{name}: header needs # title: and # description:"
    body = re.sub(r"(?m)^\s*#.*$", "", query.text)
    assert re.search(r"(?m)^PREFIX\s", body), f"{name}: declare its own PREFIX lines"
    for param in query.params:
        assert param.type in TYPES, f"{name}: parameter {param.name} has type {param.type}"
        assert param.example, f"{name}: parameter {param.name} has no (example: …)"
        # Parameters are bound by a VALUES block in the WHERE clause: unused, they bind nothing.
        assert re.search(rf"\?{param.name}\b", body), f"{name}: ?{param.name} is never used"
    case = CASES[name]
    assert case["params"] == {p.name: p.example for p in query.params}, \
        f"{name}: params in {CASES_FILE.name} must be the header's examples"
    for each in [case, *case.get("more", [])]:
        store = stores(each.get("build", "examples"))
        names, rows = _rows(run_query(store, query, each["params"]))
        _check(name, each, names, rows)


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_named_query_gives_the_same_rows_in_rdflib(name, examples_build):
    """Standard SPARQL 1.1 with its own prefixes: a second engine returns the same rows."""
    import rdflib
    from kg.query import _nt

    query = QUERIES[name]
    values = {p.name: p.example for p in query.params}
    names, rows = _rows(run_query(open_store(examples_build[0]), query, values))
    text = query.text
    if values:  # the same VALUES block the runner writes, for rdflib
        block = ("VALUES (" + " ".join(f"?{p.name}" for p in query.params) + ") { ("
                 + " ".join(_nt(p.term(values[p.name])) for p in query.params) + ") }")
        where = re.search(r"\bWHERE\s*\{", text)
        text = text[:where.end()] + "\n  " + block + "\n" + text[where.end():]
    graph = rdflib.Graph().parse(examples_build[0] / "graph.ttl")
    theirs = [{n: None if r[n] is None else str(r[n]) for n in names} for r in graph.query(text)]

    def normal(table):
        return Counter(tuple(None if v is None else tuple(sorted(v.split(SEPARATOR)))
                             for v in row.values()) for row in table)
    assert normal(theirs) == normal(rows)


def _kg(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg", *map(str, args)], capture_output=True,
                          text=True, timeout=300)


def test_kg_query_lists_every_query_and_names_a_missing_parameter(examples_build):
    listing = _kg("query", "--list")
    assert listing.returncode == 0, listing.stderr
    for query in QUERIES.values():
        assert f"{query.name}: {query.title}" in listing.stdout
        for param in query.params:
            assert f"--param {param.name}=" in listing.stdout
    assert set(QUERIES) == LIBRARY  # none lost (from an installed package too), none unlisted

    for query in QUERIES.values():
        if not query.params:
            continue
        *given, missing = query.params
        result = _kg("query", query.name, "--out", examples_build[0],
                     *[a for p in given for a in ("--param", f"{p.name}={p.example}")])
        assert result.returncode == 2, (query.name, result.stdout, result.stderr)
        assert f"needs parameter(s) {missing.name}" in result.stderr, result.stderr
        assert "Traceback" not in result.stderr

    ok = _kg("query", "most-cited", "--out", examples_build[0], "--format", "json",
             "--param", "from=1988", "--param", "to=1989")
    assert ok.returncode == 0, ok.stderr
    bindings = json.loads(ok.stdout)["results"]["bindings"]
    assert bindings[0]["identifier"]["value"] == "11223-01-1"
    assert bindings[0]["citingDocuments"]["value"] == "3"
