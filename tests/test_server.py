"""The SPARQL endpoint over HTTP: the protocol, formats, refusals, limits, concurrency, the page."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import threading
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import rdflib
from SPARQLWrapper import CSV, JSON, JSONLD, TURTLE, XML, SPARQLWrapper

from kg.ontology import PREFIXES
from kg.query import list_queries
from kg.server import make_server
from kg.store import open_store

COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
# 540⁴ solutions in the examples graph: hours of work, so it can only end by the time limit.
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def _start(out: Path, **options):
    server = make_server(out, "127.0.0.1", 0, **options)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server


@pytest.fixture(scope="module")
def endpoint(examples_build):
    out, _ = examples_build
    server = _start(out, timeout=20.0, max_rows=1000, workers=4)
    yield server.url
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def store(examples_build):
    return open_store(examples_build[0])


@pytest.fixture(scope="module")
def triple_count(store):
    return len(store)


def _local(store, query: str):
    """The query run on the store directly, as the endpoint does: the expected answer."""
    return store.query(query, prefixes=PREFIXES)


def _get(url: str, **params) -> tuple[int, dict, bytes]:
    headers = params.pop("headers", {})
    if params:
        url += "?" + urllib.parse.urlencode(params)
    return _open(urllib.request.Request(url, headers=headers))


def _post(url: str, body: bytes, content_type: str, headers: dict | None = None):
    return _open(urllib.request.Request(url, data=body, method="POST",
                                        headers={"Content-Type": content_type, **(headers or {})}))


def _open(request) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def _wrapper(url: str, query: str, fmt: str) -> SPARQLWrapper:
    sparql = SPARQLWrapper(url + "sparql")
    sparql.setQuery(query)
    sparql.setReturnFormat(fmt)
    return sparql


# ─── the protocol through SPARQLWrapper ───────────────────────────────────────────────────────

def test_select_json(endpoint, triple_count):
    result = _wrapper(endpoint, COUNT_ALL, JSON).queryAndConvert()
    assert int(result["results"]["bindings"][0]["n"]["value"]) == triple_count


def test_select_xml_keeps_chinese(endpoint, store):
    query = ("SELECT ?label WHERE { ?s a wx:Meeting ; rdfs:label ?label } ORDER BY ?label")
    expected = [s["label"].value for s in _local(store, query)]
    assert expected and any("\u4e00" <= c <= "\u9fff" for c in expected[0])
    document = _wrapper(endpoint, query, XML).queryAndConvert()  # a minidom Document
    labels = [node.firstChild.data for node in document.getElementsByTagName("literal")]
    assert labels == expected


def test_select_csv(endpoint, store):
    query = "SELECT ?s ?title WHERE { ?s dcterms:title ?title } ORDER BY ?s"
    expected = [(s["s"].value, s["title"].value) for s in _local(store, query)]
    body = _wrapper(endpoint, query, CSV).queryAndConvert()
    rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
    assert rows[0] == ["s", "title"]
    assert [tuple(r) for r in rows[1:]] == expected


@pytest.mark.parametrize("fmt", [JSON, XML])
def test_ask(endpoint, fmt):
    result = _wrapper(endpoint, "ASK { ?d a wx:Document }", fmt).query().convert()
    value = result["boolean"] if fmt == JSON else \
        result.getElementsByTagName("boolean")[0].firstChild.data == "true"
    assert value is True


def test_construct_turtle(endpoint, store):
    query = "CONSTRUCT { ?d dcterms:title ?t } WHERE { ?d a wx:Document ; dcterms:title ?t }"
    graph = _wrapper(endpoint, query, TURTLE).queryAndConvert()
    if isinstance(graph, bytes):
        graph = rdflib.Graph().parse(data=graph, format="turtle")
    expected = {(t.subject.value, t.object.value) for t in _local(store, query)}
    assert {(str(s), str(o)) for s, _, o in graph} == expected
    assert expected


def test_construct_jsonld(endpoint):
    query = "CONSTRUCT WHERE { ?d a wx:Document ; dcterms:title ?t }"
    body = _wrapper(endpoint, query, JSONLD).query().response.read()
    graph = rdflib.Graph().parse(data=body, format="json-ld")
    assert len(graph) > 0 and any(getattr(o, "language", None) == "zh" for o in graph.objects())


# ─── protocol details ─────────────────────────────────────────────────────────────────────────

@pytest.mark.parametrize("accept, fmt, media_type", [
    ("", "", "application/sparql-results+json"),
    ("text/tab-separated-values", "", "text/tab-separated-values"),
    ("application/xml;q=0.5, text/csv", "", "text/csv"),
    ("", "xml", "application/sparql-results+xml"),
    ("text/csv", "tsv", "text/tab-separated-values"),  # format= overrides Accept
])
def test_select_negotiation(endpoint, accept, fmt, media_type):
    params = {"query": COUNT_ALL, **({"format": fmt} if fmt else {})}
    status, headers, _ = _get(endpoint + "sparql", headers={"Accept": accept} if accept else {},
                              **params)
    assert status == 200 and headers["Content-Type"].startswith(media_type)


@pytest.mark.parametrize("accept, media_type, rdflib_format", [
    ("", "text/turtle", "turtle"),
    ("application/n-triples", "application/n-triples", "nt"),
    ("application/ld+json", "application/ld+json", "json-ld"),
    ("application/rdf+xml", "application/rdf+xml", "xml"),
])
def test_construct_negotiation(endpoint, accept, media_type, rdflib_format):
    query = "CONSTRUCT WHERE { ?s rdfs:label ?l } LIMIT 20"
    status, headers, body = _post(endpoint + "sparql", query.encode(), "application/sparql-query",
                                  {"Accept": accept} if accept else {})
    assert status == 200 and headers["Content-Type"].startswith(media_type)
    assert len(rdflib.Graph().parse(data=body, format=rdflib_format)) == 20


def test_get_form_post_and_direct_post_agree(endpoint):
    query = "SELECT ?l WHERE { ?s rdfs:label ?l } ORDER BY ?l LIMIT 5"
    _, _, by_get = _get(endpoint + "sparql", query=query, **{"default-graph-uri": "urn:x"})
    _, _, by_form = _post(endpoint + "sparql", urllib.parse.urlencode({"query": query}).encode(),
                          "application/x-www-form-urlencoded")
    _, _, direct = _post(endpoint + "sparql", query.encode("utf-8"),
                         "application/sparql-query; charset=utf-8")
    assert by_get == by_form == direct
    assert len(json.loads(by_get)["results"]["bindings"]) == 5


def test_unacceptable_format(endpoint):
    status, _, _ = _get(endpoint + "sparql", query=COUNT_ALL, headers={"Accept": "image/png"})
    assert status == 406


def test_cors(endpoint):
    request = urllib.request.Request(endpoint + "sparql", method="OPTIONS", headers={
        "Origin": "http://elsewhere.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    status, headers, _ = _open(request)
    assert status in (200, 204)
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in headers["Access-Control-Allow-Methods"]
    assert "content-type" in headers["Access-Control-Allow-Headers"].lower()
    _, headers, _ = _get(endpoint + "sparql", query=COUNT_ALL)
    assert headers["Access-Control-Allow-Origin"] == "*"


# ─── refusals and limits ──────────────────────────────────────────────────────────────────────

def test_update_through_sparqlwrapper_is_refused(endpoint):
    sparql = SPARQLWrapper(endpoint + "sparql")
    sparql.setMethod("POST")
    sparql.setQuery("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    with pytest.raises(Exception) as caught:
        sparql.query()
    assert "403" in str(caught.value) or "read-only" in str(caught.value)


@pytest.mark.parametrize("body, content_type", [
    ("update=" + urllib.parse.quote("INSERT DATA { <urn:a> <urn:b> <urn:c> }"),
     "application/x-www-form-urlencoded"),
    ("DELETE WHERE { ?s ?p ?o }", "application/sparql-update"),
    ("query=" + urllib.parse.quote("PREFIX ex: <urn:> INSERT DATA { ex:a ex:b ex:c }"),
     "application/x-www-form-urlencoded"),
    ("SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
     "application/sparql-query"),
    # SERVICE where a lexer would see an IRI (<2)SERVICE#>) and the parser a keyword and a
    # comment; SERVICE written with an escape.
    ("SELECT * { FILTER(1<2)SERVICE#>\n<http://127.0.0.1:9/x> { ?s ?p ?o } }",
     "application/sparql-query"),
    ("SELECT * { \\u0053ERVICE <http://127.0.0.1:9/x> { ?s ?p ?o } }",
     "application/sparql-query"),
])
def test_writes_and_federation_are_refused(endpoint, triple_count, body, content_type):
    status, _, message = _post(endpoint + "sparql", body.encode(), content_type)
    assert status == 403
    assert b"not allowed" in message
    _, _, body = _get(endpoint + "sparql", query=COUNT_ALL)
    assert int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) == triple_count


def test_malformed_query_gets_the_parser_message(endpoint):
    status, headers, message = _get(endpoint + "sparql", query="SELECT * WHERE { ?s ?p }")
    assert status == 400
    assert headers["Content-Type"].startswith("text/plain")
    assert b"error at 1:" in message and b"Traceback" not in message


def test_missing_query_and_unknown_path(endpoint):
    assert _get(endpoint + "sparql")[0] == 400
    assert _get(endpoint + "nothing-here")[0] == 404


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { ?s ?p ?o . ?a ?b ?c }",
    "CONSTRUCT { ?s ?p ?a } WHERE { ?s ?p ?o . ?a ?b ?c }",
])
def test_result_size_limit(endpoint, query):
    status, _, message = _get(endpoint + "sparql", query=query)
    assert status == 413
    assert b"more than 1,000" in message and b"LIMIT" in message


def test_result_under_the_limit_is_whole(endpoint, triple_count):
    assert triple_count < 1000
    _, _, body = _get(endpoint + "sparql", query="SELECT * WHERE { ?s ?p ?o }")
    assert len(json.loads(body)["results"]["bindings"]) == triple_count


def test_time_limit(examples_build, triple_count):
    server = _start(examples_build[0], timeout=1.0, workers=2)
    try:
        with ThreadPoolExecutor(2) as pool:  # one per worker: both are killed and replaced
            slow = list(pool.map(lambda _: _get(server.url + "sparql", query=SLOW), range(2)))
        for status, _, message in slow:
            assert status == 503
            assert b"exceeded the 1 s time limit" in message
        # The server goes on answering, also when asked right away and in parallel.
        with ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(lambda _: _get(server.url + "sparql", query=COUNT_ALL),
                                    range(4)))
        for status, _, body in answers:
            assert status == 200
            assert int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) == triple_count
    finally:
        server.shutdown()
        server.server_close()


def test_hundred_concurrent_requests(endpoint, store):
    queries = [
        ("SELECT (COUNT(*) AS ?n) WHERE { ?d a wx:Document }", "text/csv"),
        ("SELECT ?l WHERE { ?s a wx:Person ; rdfs:label ?l } ORDER BY ?l", "text/csv"),
        ("SELECT ?t WHERE { ?d dcterms:title ?t } ORDER BY ?t", "text/csv"),
        ("SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY ?p", "text/csv"),
    ]
    expected = [[[str(s[v].value) for v in (x.value for x in _local(store, q).variables)]
                 for s in _local(store, q)] for q, _ in queries]

    def ask(i: int):
        query, accept = queries[i % len(queries)]
        if i % 2:
            status, _, body = _get(endpoint + "sparql", query=query, headers={"Accept": accept})
        else:
            status, _, body = _post(endpoint + "sparql", query.encode(), "application/sparql-query",
                                    {"Accept": accept})
        return i, status, list(csv.reader(io.StringIO(body.decode("utf-8"))))[1:]

    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(ask, range(100)))
    assert len(answers) == 100
    for i, status, rows in answers:
        assert status == 200, i
        assert rows == expected[i % len(queries)], i


# ─── the page ─────────────────────────────────────────────────────────────────────────────────

def test_page_lists_the_named_queries(endpoint):
    status, headers, body = _get(endpoint)
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    page = body.decode("utf-8")
    assert "<textarea" in page and 'id="run"' in page
    # Nothing is fetched from elsewhere: every src and href is on this server or inline.
    links = re.findall(r"""(?:src|href)\s*=\s*["']([^"']*)""", page, re.IGNORECASE)
    assert all(not re.match(r"(?:https?:)?//", link, re.IGNORECASE) for link in links), links
    assert not re.search(r"""@import\s+(?:url\()?["']?(?:https?:)?//""", page)
    named = list_queries()
    assert named
    for query in named:
        assert f'<option value="{query.name}">' in page
        for param in query.params:  # example values, Chinese ones included, reach the page
            assert param.example in page
    status, headers, body = _get(endpoint + "queries")
    assert status == 200 and headers["Content-Type"] == "application/json"
    assert [q["name"] for q in json.loads(body)] == [q.name for q in named]


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium to load the page in")
def test_page_runs_the_prefilled_query_in_a_browser(endpoint, tmp_path):
    # --dump-dom after a virtual-time budget: the page loads, the script clicks Run, the
    # results table is rendered into the DOM that chromium prints.
    url = endpoint + "?run"
    result = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", f"--user-data-dir={tmp_path}",
         "--virtual-time-budget=10000", "--dump-dom", url],
        capture_output=True, text=True, timeout=60)
    dom = result.stdout
    assert "<table" in dom, result.stderr[-2000:]
    assert "<td" in dom and " row" in dom


# ─── hostile clients ──────────────────────────────────────────────────────────────────────────

def _raw(url: str, data: bytes, timeout: float = 10.0) -> bytes:
    """Send ``data`` as is on a new connection and read until the server closes it."""
    import socket
    host, port = urllib.parse.urlsplit(url).netloc.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=timeout) as connection:
        if data:
            connection.sendall(data)
        received = b""
        while chunk := connection.recv(65536):  # a server that never closes: socket.timeout
            received += chunk
        return received


def test_a_negative_content_length_is_refused(endpoint):
    answer = _raw(endpoint, b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: "
                  b"application/sparql-query\r\nContent-Length: -1\r\n\r\nSELECT * {}")
    assert answer.startswith(b"HTTP/1.1 400") and b"bad Content-Length" in answer


def test_an_idle_connection_is_closed(examples_build, monkeypatch):
    import kg.server
    monkeypatch.setattr(kg.server._Handler, "timeout", 1.0)  # CLIENT_TIMEOUT, shortened
    server = _start(examples_build[0], workers=2)
    try:
        assert _raw(server.url, b"") == b""  # nothing sent: closed, not held
        assert _raw(server.url, b"GET /sparql HTTP/1.1\r\n") == b""  # a request never finished
    finally:
        server.shutdown()
        server.server_close()


def test_a_query_past_its_memory_cap_is_stopped_and_the_server_goes_on(examples_build):
    server = _start(examples_build[0], workers=2, max_memory=400 << 20, timeout=60.0)
    try:
        status, _, message = _get(server.url + "sparql", query=(
            "SELECT * { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l } ORDER BY ?a ?f ?i ?l"))
        assert status == 503 and b"MiB a query may use" in message
        status, _, _ = _get(server.url + "sparql", query=COUNT_ALL)
        assert status == 200
    finally:
        server.shutdown()
        server.server_close()


def test_a_query_nested_past_the_parser_is_a_bad_request(endpoint):
    status, _, message = _post(endpoint + "sparql", b"SELECT * " + b"{" * 50_000,
                               "application/sparql-query")
    assert status == 400 and b"groups" in message


def test_the_page_links_only_web_iris_runs_no_query_a_link_gives_and_is_not_framed(endpoint):
    status, headers, body = _get(endpoint)
    page = body.decode("utf-8")
    assert status == 200 and headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert 'binding.type === "uri" && /^https?:\\/\\//i.test(binding.value)' in page
    assert 'if (given.has("run") && !given.has("query")) run();' in page
