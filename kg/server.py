"""A read-only SPARQL 1.1 Protocol endpoint over the built store, and a web page to query it.

``/sparql`` takes a query by GET (``query=``), by a form POST or as an
``application/sparql-query`` body, and answers by content negotiation (the ``Accept`` header,
or a ``format=`` parameter as a convenience): SELECT and ASK as SPARQL JSON (the default), XML,
CSV or TSV; CONSTRUCT and DESCRIBE as Turtle (the default), N-Triples, JSON-LD or RDF/XML.
``/`` is a page with a query editor pre-filled from the named query library, ``/queries`` the
library as JSON. Updates are refused (403), malformed queries answered with the parser's message
(400), a query running past the time limit with 503, a result of more than ``max_rows`` rows
(SELECT) or triples (CONSTRUCT, DESCRIBE) with 413 — an error, not a silently truncated result,
so a researcher never mistakes part of an answer for all of it; the message says to add a LIMIT.

Queries may use the project's prefixes (``wx:``, ``dcterms:``, ``cito:`` …) without declaring
them. Federated queries (``SERVICE``) are refused: they would let anyone on the network make
the server fetch arbitrary URLs.

>>> server = make_server(Path("output"), port=0)  # doctest: +SKIP
>>> threading.Thread(target=server.serve_forever, daemon=True).start()  # doctest: +SKIP
>>> server.shutdown(); server.server_close()  # doctest: +SKIP
"""

from __future__ import annotations

import html
import itertools
import json
import multiprocessing
import os
import queue
import re
import signal
import socket
import sys
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox

from .ontology import PREFIXES
from .query import UPDATE, list_queries
from .store import open_store

__all__ = ["make_server", "serve", "SparqlServer"]

STATIC = Path(__file__).resolve().parent / "static"
MAX_BODY = 1 << 20  # a query, not a data upload: 1 MiB is plenty


# ─── formats and content negotiation ─────────────────────────────────────────────────────────

@dataclass(frozen=True, slots=True)
class _Format:
    key: str
    media_type: str
    aliases: tuple[str, ...]   # other media types that ask for it
    names: tuple[str, ...]     # short names for ``format=``


# In order of preference when the client accepts anything: the first is the default.
RESULT_FORMATS = (
    _Format("json", "application/sparql-results+json",
            ("application/json", "text/javascript", "application/javascript"), ("json",)),
    _Format("xml", "application/sparql-results+xml", ("application/xml", "text/xml"), ("xml",)),
    _Format("csv", "text/csv", (), ("csv",)),
    _Format("tsv", "text/tab-separated-values", (), ("tsv",)),
)
GRAPH_FORMATS = (
    _Format("turtle", "text/turtle", ("application/turtle", "application/x-turtle"),
            ("turtle", "ttl")),
    _Format("ntriples", "application/n-triples", ("text/plain",),
            ("nt", "ntriples", "n-triples")),
    _Format("jsonld", "application/ld+json", ("application/x-json+ld", "application/json"),
            ("jsonld", "json-ld", "json")),
    _Format("rdfxml", "application/rdf+xml", ("application/xml", "text/xml"),
            ("rdfxml", "rdf+xml", "rdf", "xml")),
)
_RESULT_SERIALISERS = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
                       "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV}
_GRAPH_SERIALISERS = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES,
                      "jsonld": ox.RdfFormat.JSON_LD, "rdfxml": ox.RdfFormat.RDF_XML}
_MEDIA_TYPES = {f.key: f.media_type for f in RESULT_FORMATS + GRAPH_FORMATS}
# Minted IRIs hold "/" and "%", which a prefixed name can only write escaped (id:doc\/…):
# written in full they read better.
_OUTPUT_PREFIXES = {prefix: ns for prefix, ns in PREFIXES.items() if prefix != "id"}
_TEXT_TYPES = {"csv", "tsv", "turtle", "ntriples"}  # text/…-like types that get a charset


def _parse_accept(header: str) -> list[tuple[str, float]]:
    """``Accept`` as (media range, q) pairs in the order written."""
    ranges = []
    for part in header.split(","):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0]:
            continue
        q = 1.0
        for field in fields[1:]:
            name, _, value = field.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        ranges.append((fields[0].lower(), q))
    return ranges


def negotiate(accept: str, formats: tuple[_Format, ...]) -> str | None:
    """The key of the format in ``formats`` that ``accept`` prefers, or None if none is acceptable.

    >>> negotiate("text/csv, */*;q=0.1", RESULT_FORMATS)
    'csv'
    >>> negotiate("", GRAPH_FORMATS), negotiate("image/png", GRAPH_FORMATS) is None
    ('turtle', True)
    """
    ranges = _parse_accept(accept) or [("*/*", 1.0)]
    best, best_score = None, None
    for rank, fmt in enumerate(formats):
        for position, (media_range, q) in enumerate(ranges):
            types = (fmt.media_type,) + fmt.aliases
            if media_range in types:
                specificity = 2
            elif media_range.endswith("/*") and any(
                    t.startswith(media_range[:-1]) for t in types):
                specificity = 1
            elif media_range == "*/*":
                specificity = 0
            else:
                continue
            if q <= 0:
                continue
            # Higher q first; then an explicit type over a wildcard; then the client's order
            # (or, among wildcards, ours: the default comes first).
            score = (q, specificity, -position if specificity else 0, -rank)
            if best_score is None or score > best_score:
                best, best_score = fmt.key, score
    return best


def _format_accept(values: list[str], formats: tuple[_Format, ...]) -> str:
    """``format=`` values (short names or media types) as an Accept header for ``formats``."""
    wanted = []
    for value in values:
        value = value.strip().lower()
        for fmt in formats:
            if value in fmt.names or value == fmt.media_type or value in fmt.aliases:
                wanted.append(fmt.media_type)
    return ", ".join(wanted)


# ─── what a query is allowed to be ───────────────────────────────────────────────────────────

# Strings, IRIs and comments, matched left to right as the SPARQL lexer reads them, so that a
# keyword inside any of them is not taken for one.
# SPARQL reads \u and \U escapes anywhere in a query, keywords included.
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


# A client gets this many seconds for each read of its request (slow clients hold a thread);
# at most this many connections are served at once.
CLIENT_TIMEOUT = 20.0
MAX_CONNECTIONS = 64
# The page: its own scripts and styles only, in no frame (its results are links).
_PAGE_HEADERS = {"Content-Security-Policy": "default-src 'self'; script-src 'unsafe-inline'; "
                 "style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'",
                 "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer"}
# Deeper nesting than this crashes the query parser (a stack overflow in the worker).
MAX_GROUPS = 2000


class Refused(Exception):
    """A request the endpoint will not answer, with the HTTP status to say so."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def check_query(text: str) -> None:
    """Raise :class:`Refused` for an update or a federated query; pass anything else.

    Whether a ``SERVICE`` is a keyword, or inside a string, an IRI or a comment, depends on
    how the parser reads everything before it (``FILTER(1<2)SERVICE#>`` is a comparison, a
    keyword and a comment, not an IRI). So no lexing is attempted here: a query with the word
    anywhere in it, escapes decoded and case folded, is refused. It costs a query that looks
    for the word "service" in a literal; it cannot be fooled, and it takes linear time.

    >>> check_query("SELECT * { ?s ?p ?o } LIMIT 1")
    >>> check_query("SELECT * { FILTER(1<2)SERVICE#>\\n<http://127.0.0.1/x> { ?s ?p ?o } }")
    Traceback (most recent call last):
    kg.server.Refused: federated queries (SERVICE) are not allowed on this endpoint; nor is the word service anywhere in a query
    >>> check_query("PREFIX ex: <http://ex/> INSERT DATA { ex:a ex:b ex:c }")
    Traceback (most recent call last):
    kg.server.Refused: this endpoint is read-only: SPARQL Update (INSERT) is not allowed
    """
    if match := UPDATE.match(text):
        raise Refused(403, f"this endpoint is read-only: SPARQL Update ({match[1].upper()}) "
                           "is not allowed")
    if text.count("{") + text.count("(") > MAX_GROUPS:
        raise Refused(400, f"the query has more than {MAX_GROUPS} groups and brackets; "
                           "this endpoint does not parse one that deep")
    if "service" in _ESCAPE.sub(_unescape, text).casefold():
        raise Refused(403, "federated queries (SERVICE) are not allowed on this endpoint; nor "
                           "is the word service anywhere in a query")


def _unescape(match: re.Match) -> str:
    code = int(match[1] or match[2], 16)
    return chr(code) if code <= 0x10FFFF else match[0]


# ─── the workers ─────────────────────────────────────────────────────────────────────────────
#
# pyoxigraph cannot cancel a query. A query run in a thread of the server could only be
# abandoned: it would go on holding a core and its memory until it finished — for a cross
# product over the graph, hours — and a few such queries would take the machine. So each query
# runs in a worker process with its own read-only handle on the store; one that runs past the
# time limit is killed and replaced. Workers come from a forkserver that has imported this
# module once, so starting one takes milliseconds and never forks the threaded server itself.
# The cost is one copy of each result through a pipe.

@dataclass(frozen=True, slots=True)
class _Job:
    query: str
    result_format: str | None   # the negotiated format if the answer is solutions or a boolean
    graph_format: str | None    # … if it is triples
    max_rows: int


@dataclass(frozen=True, slots=True)
class _Answer:
    status: int
    media_type: str
    body: bytes
    note: str = ""  # for the log: how big the result is


def _error(status: int, message: str) -> _Answer:
    return _Answer(status, "text/plain; charset=utf-8", (message + "\n").encode("utf-8"))


class _TooManyLines(Exception):
    pass


class _LineLimitedBuffer:
    """A binary sink that stops a serialiser once it has written more than ``limit`` lines."""

    def __init__(self, limit: int):
        self.limit, self.lines, self.chunks = limit, 0, []

    def write(self, data) -> int:
        data = bytes(data)
        self.lines += data.count(b"\n")
        if self.lines > self.limit:
            raise _TooManyLines
        self.chunks.append(data)
        return len(data)

    def flush(self) -> None:
        pass


def _too_large(max_rows: int, what: str) -> _Answer:
    return _error(413, f"the result has more than {max_rows:,} {what}, the limit of this "
                       "endpoint: add a LIMIT (and OFFSET to page through it), or an aggregate")


def _answer_solutions(result: ox.QuerySolutions, job: _Job) -> _Answer:
    if job.result_format is None:
        return _error(406, "no acceptable format for query solutions; this endpoint gives "
                           + ", ".join(f.media_type for f in RESULT_FORMATS))
    # TSV writes one line per solution (line breaks in literals are escaped), so counting
    # lines while it streams enforces the row limit without holding an oversized result.
    sink = _LineLimitedBuffer(job.max_rows + 1)  # the header, then the rows
    try:
        result.serialize(sink, format=ox.QueryResultsFormat.TSV)
    except _TooManyLines:
        return _too_large(job.max_rows, "rows")
    body = b"".join(sink.chunks)
    if job.result_format != "tsv":
        body = ox.parse_query_results(body, format=ox.QueryResultsFormat.TSV).serialize(
            format=_RESULT_SERIALISERS[job.result_format])
    return _Answer(200, _media_type(job.result_format), body, _count(sink.lines - 1, "row"))


def _answer_triples(result: ox.QueryTriples, job: _Job) -> _Answer:
    if job.graph_format is None:
        return _error(406, "no acceptable format for an RDF graph; this endpoint gives "
                           + ", ".join(f.media_type for f in GRAPH_FORMATS))
    triples = list(itertools.islice(result, job.max_rows + 1))
    if len(triples) > job.max_rows:
        return _too_large(job.max_rows, "triples")
    fmt = _GRAPH_SERIALISERS[job.graph_format]
    prefixes = _OUTPUT_PREFIXES if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else None
    body = ox.serialize(triples, format=fmt, prefixes=prefixes)
    return _Answer(200, _media_type(job.graph_format), body, _count(len(triples), "triple"))


def _count(n: int, what: str) -> str:
    return f"{n:,} {what}{'' if n == 1 else 's'}"


def _media_type(key: str) -> str:
    media_type = _MEDIA_TYPES[key]
    return media_type + "; charset=utf-8" if key in _TEXT_TYPES else media_type


def run_job(store: ox.Store, job: _Job) -> _Answer:
    """Run one query and serialise its result; every failure becomes an answer, not a raise."""
    try:
        result = store.query(job.query, prefixes=PREFIXES)
        if isinstance(result, ox.QueryBoolean):
            if job.result_format is None:
                return _error(406, "no acceptable format for a boolean result")
            body = result.serialize(format=_RESULT_SERIALISERS[job.result_format])
            return _Answer(200, _media_type(job.result_format), body, str(bool(result)).lower())
        if isinstance(result, ox.QueryTriples):
            return _answer_triples(result, job)
        return _answer_solutions(result, job)
    except SyntaxError as error:
        return _error(400, f"malformed query: {error}")
    except (ValueError, TypeError) as error:
        return _error(400, f"the query cannot be evaluated: {error}")
    except MemoryError:
        return _error(503, "the query ran out of memory: narrow it or add a LIMIT")
    except Exception as error:  # noqa: BLE001 — a worker must answer, whatever happened
        return _error(500, f"the query failed: {type(error).__name__}: {error}")


def _worker_main(out: str, conn, max_memory: int) -> None:
    """A worker process: answer jobs from ``conn`` until the server closes it. Its heap is
    capped at ``max_memory`` bytes: a runaway query ends the worker, not the machine."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the server, which stops us
    import resource
    resource.setrlimit(resource.RLIMIT_DATA, (max_memory, max_memory))
    try:
        store, failure = open_store(Path(out)), None
    except OSError as error:
        store, failure = None, _error(500, f"cannot open the store: {error}")
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(failure or run_job(store, job))


@dataclass(slots=True, eq=False)
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: object


class WorkerPool:
    """``size`` worker processes, each running one query at a time with a deadline."""

    def __init__(self, out: Path, size: int, timeout: float, max_memory: int = 2 << 30):
        self.out, self.timeout, self.max_memory = out, timeout, max_memory
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload([__name__])
        self._idle: queue.SimpleQueue[_Worker] = queue.SimpleQueue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        for _ in range(size):
            self._idle.put(self._start())
        self.size = size

    def _start(self) -> _Worker:
        parent, child = self._context.Pipe()
        process = self._context.Process(target=_worker_main,
                                        args=(str(self.out), child, self.max_memory),
                                        name="kg-sparql-worker", daemon=True)
        process.start()
        child.close()
        worker = _Worker(process, parent)
        with self._lock:
            self._all.add(worker)
        return worker

    def _retire(self, worker: _Worker) -> None:
        with self._lock:
            self._all.discard(worker)
        worker.conn.close()
        worker.process.kill()
        # Reap it in the background: the client waiting for the 503 should not wait for that.
        threading.Thread(target=worker.process.join, daemon=True).start()

    def run(self, job: _Job) -> _Answer:
        try:
            worker = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            return _error(503, f"the server is busy: all {self.size} query workers stayed "
                               f"busy for {self.timeout:g} s; try again later")
        try:
            worker.conn.send(job)
            if worker.conn.poll(self.timeout):
                answer = worker.conn.recv()
                self._idle.put(worker)
                return answer
        except (EOFError, OSError):
            self._replace(worker)
            return _error(503, "the query stopped its worker: it may have needed more than the "
                               f"{self.max_memory >> 20} MiB a query may use; narrow it (fewer "
                               "unbound patterns, a LIMIT) and try again")
        self._replace(worker)
        return _error(503, f"query exceeded the {self.timeout:g} s time limit: narrow it "
                           "(fewer unbound patterns, a LIMIT) and try again")

    def _replace(self, worker: _Worker) -> None:
        self._retire(worker)
        if not self._closed:
            self._idle.put(self._start())

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._all)
        for worker in workers:
            worker.conn.close()  # an idle worker ends on EOF
        for worker in workers:
            worker.process.join(1.0)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()


# ─── HTTP ────────────────────────────────────────────────────────────────────────────────────

def _log(line: str) -> None:
    sys.stderr.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {line}\n")
    sys.stderr.flush()


class SparqlServer(ThreadingHTTPServer):
    """The HTTP server; ``server_close()`` also stops the query workers."""

    daemon_threads = True
    request_queue_size = 128  # the listen backlog: the default 5 resets clients under a burst

    def __init__(self, address, pool: WorkerPool, max_rows: int, page: bytes, queries: bytes):
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.pool, self.max_rows, self.page, self.queries = pool, max_rows, page, queries
        self._connections = threading.BoundedSemaphore(MAX_CONNECTIONS)
        try:
            super().__init__(address, _Handler)
        except BaseException:
            pool.close()
            raise

    def process_request(self, request, client_address) -> None:
        self._connections.acquire()  # at most MAX_CONNECTIONS threads; the rest wait in the backlog
        super().process_request(request, client_address)

    def process_request_thread(self, request, client_address) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._connections.release()

    def server_close(self) -> None:
        super().server_close()
        self.pool.close()

    def handle_error(self, request, client_address) -> None:
        error = sys.exc_info()[1]
        if not isinstance(error, (BrokenPipeError, ConnectionResetError)):
            _log(f"{client_address[0]} error: {type(error).__name__}: {error}")

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{'[' + host + ']' if ':' in host else host}:{port}/"


class _Handler(BaseHTTPRequestHandler):
    server: SparqlServer
    protocol_version = "HTTP/1.1"
    server_version = "wenxian-kg"
    timeout = CLIENT_TIMEOUT  # each read from the client: a slow or idle one is dropped

    def version_string(self) -> str:
        return self.server_version

    # One line per request, written by _send; the base class's own lines (a malformed request
    # line, say) come through log_message.
    def log_request(self, code="-", size="-") -> None:
        pass

    def log_message(self, format: str, *args) -> None:
        _log(f"{self.client_address[0]} {format % args}")

    def do_OPTIONS(self) -> None:
        self._send(204, b"", None, extra={
            "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
            "Access-Control-Allow-Headers": "Content-Type, Accept",
            "Access-Control-Max-Age": "86400", "Allow": "GET, POST, OPTIONS"})

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_HEAD(self) -> None:
        self._dispatch("HEAD")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def _refuse_method(self, allow: str = "GET, POST, OPTIONS") -> None:
        self._drain()
        self._send_error(405, f"{self.command} is not allowed here; use {allow}",
                         extra={"Allow": allow})

    do_PUT = do_DELETE = do_PATCH = _refuse_method

    def _dispatch(self, method: str) -> None:
        self._started = time.perf_counter()
        path = urlsplit(self.path).path
        try:
            if path == "/sparql":
                self._sparql(method)
            elif path in ("/", "/index.html", "/queries") and method == "POST":
                self._refuse_method("GET, HEAD, OPTIONS")
            elif path in ("/", "/index.html"):
                self._send(200, self.server.page, "text/html; charset=utf-8", extra=_PAGE_HEADERS)
            elif path == "/queries":
                self._send(200, self.server.queries, "application/json")
            else:
                self._drain()
                self._send_error(404, f"nothing at {path}: the endpoint is /sparql, "
                                      "the query page /")
        except Refused as refused:
            self._send_error(refused.status, str(refused))
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as error:  # noqa: BLE001 — the client gets a message, not a traceback
            _log(f"{self.client_address[0]} internal error: {type(error).__name__}: {error}")
            self._send_error(500, "internal server error")

    def _body(self) -> bytes:
        length = self.headers.get("Content-Length")
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            self.close_connection = True
            raise Refused(411, "send the request body with a Content-Length")
        try:
            size = int(length or 0)
        except ValueError:
            size = -1
        if size < 0:
            self.close_connection = True
            raise Refused(400, "bad Content-Length")
        if size > MAX_BODY:
            self.close_connection = True  # the unread body would be taken for the next request
            raise Refused(413, f"the request body is over {MAX_BODY:,} bytes")
        return self.rfile.read(size) if size else b""

    def _drain(self) -> None:
        try:
            self._body()
        except Refused:
            pass

    def _params(self, method: str) -> tuple[dict[str, list[str]], str | None]:
        """The request's parameters, and the query if it came as the body."""
        params = parse_qs(urlsplit(self.path).query, keep_blank_values=True, errors="replace")
        if method != "POST":
            return params, None
        content_type = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        body = self._body()
        if content_type == "application/sparql-update":
            raise Refused(403, "this endpoint is read-only: SPARQL Update is not allowed")
        if content_type == "application/x-www-form-urlencoded":
            form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True,
                            errors="replace")
            for name, values in form.items():
                params.setdefault(name, []).extend(values)
            return params, None
        if content_type == "application/sparql-query":
            try:
                return params, body.decode("utf-8")
            except UnicodeDecodeError:
                raise Refused(400, "the query is not UTF-8") from None
        raise Refused(415, "POST a query as application/sparql-query or as an "
                           "application/x-www-form-urlencoded form with query=")

    def _sparql(self, method: str) -> None:
        params, text = self._params(method)
        if "update" in params:
            raise Refused(403, "this endpoint is read-only: SPARQL Update is not allowed")
        queries = params.get("query", [])
        if text is not None:
            queries = queries + [text]
        if len(queries) != 1:
            raise Refused(400, "give exactly one query (query=…)" if queries else
                          "no query: pass query=… (GET or a form POST), or POST it as "
                          "application/sparql-query; the query page is at /")
        query = queries[0]
        check_query(query)
        # default-graph-uri and named-graph-uri are accepted and ignored: the graph is the
        # store's default graph, and there are no named graphs to choose from.
        formats = params.get("format", []) + params.get("output", [])
        accept = self.headers.get("Accept", "")
        result_format = negotiate(_format_accept(formats, RESULT_FORMATS) or accept,
                                  RESULT_FORMATS)
        graph_format = negotiate(_format_accept(formats, GRAPH_FORMATS) or accept,
                                 GRAPH_FORMATS)
        if result_format is None and graph_format is None:
            raise Refused(406, f"no acceptable format for {accept or formats!r}; this "
                               "endpoint gives " + ", ".join(_MEDIA_TYPES.values()))
        answer = self.server.pool.run(_Job(query, result_format, graph_format,
                                           self.server.max_rows))
        if answer.status != 200:
            self._send_error(answer.status, answer.body.decode("utf-8").strip())
            return
        self._send(200, answer.body, answer.media_type, extra={"Vary": "Accept"},
                   note=answer.note)

    def _send_error(self, status: int, message: str, extra: dict | None = None) -> None:
        self._send(status, (message + "\n").encode("utf-8"), "text/plain; charset=utf-8",
                   extra=extra, note=message.split(":")[0])

    def _send(self, status: int, body: bytes, media_type: str | None,
              extra: dict | None = None, note: str = "") -> None:
        self.send_response(status)
        if media_type:
            self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        elif self.request_version == "HTTP/1.0":  # kept open only when asked: say so
            self.send_header("Connection", "keep-alive")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        started = getattr(self, "_started", None)
        elapsed = f" {1000 * (time.perf_counter() - started):.0f} ms" if started else ""
        request = self.requestline if len(self.requestline) <= 160 \
            else self.requestline[:157] + "…"
        _log(f'{self.client_address[0]} "{request}" {status} {len(body)} B{elapsed}'
             + (f" ({note})" if note else ""))


# ─── the page and the entry points ───────────────────────────────────────────────────────────

def _queries_json() -> bytes:
    return json.dumps([
        {"name": q.name, "title": q.title or q.name, "description": q.description,
         "params": [{"name": p.name, "type": p.type, "description": p.description,
                     "example": p.example} for p in q.params],
         "text": q.text} for q in list_queries()], ensure_ascii=False, indent=1).encode("utf-8")


def _page(queries_json: bytes) -> bytes:
    template = (STATIC / "index.html").read_text("utf-8")
    options = "\n".join(f'<option value="{html.escape(q.name)}">{html.escape(q.title or q.name)}'
                        "</option>" for q in list_queries())
    # Embedded in a <script>: "</" must not close it early.
    embedded = queries_json.decode("utf-8").replace("</", "<\\/")
    return (template.replace("<!--QUERY-OPTIONS-->", options)
            .replace("/*QUERIES*/[]", embedded).encode("utf-8"))


def make_server(out: Path, host: str = "127.0.0.1", port: int = 8000, timeout: float = 30.0,
                max_rows: int = 100_000, workers: int | None = None,
                max_memory: int = 2 << 30) -> SparqlServer:
    """A server for the store in ``out``, listening but not yet serving: call
    ``serve_forever()`` (in a thread, if need be), then ``shutdown()`` and ``server_close()``.

    ``workers`` query processes run queries side by side (default: the number of cores, at
    least 2); ``timeout`` seconds is the limit for a query and its serialisation, and for waiting
    for a free worker; ``max_rows`` caps SELECT rows and CONSTRUCT/DESCRIBE triples;
    ``max_memory`` bytes caps the heap of each query worker.
    """
    out = Path(out)
    open_store(out)  # fail here, with the store's message, rather than in every worker
    if timeout <= 0 or max_rows <= 0:
        raise ValueError("timeout and max_rows must be positive")
    queries = _queries_json()
    page = _page(queries)
    pool = WorkerPool(out, workers or max(2, os.cpu_count() or 2), timeout, max_memory)
    return SparqlServer((host, port), pool, max_rows, page, queries)


def serve(out: Path, host: str = "127.0.0.1", port: int = 8000, timeout: float = 30.0,
          max_rows: int = 100_000, ready: Callable[[str], object] | None = None,
          workers: int | None = None, max_memory: int = 2 << 30) -> None:
    """Serve the store in ``out`` until interrupted (Ctrl-C).

    Prints ``serving http://HOST:PORT/ (SPARQL at /sparql)`` once listening, and calls
    ``ready(url)`` if given.
    """
    with make_server(out, host, port, timeout, max_rows, workers, max_memory) as server:
        print(f"serving {server.url} (SPARQL at /sparql)", flush=True)
        if ready is not None:
            ready(server.url)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
