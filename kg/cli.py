"""The ``kg`` command: a thin layer that checks arguments and calls one library function each.

Library errors become a one-line message and a non-zero exit here, and only here.
"""

from __future__ import annotations

import argparse
import errno
import json
import sys
from pathlib import Path

from .errors import KgError
from .iri import DEFAULT_BASE

__all__ = ["main"]

EXAMPLES = {
    "build": "kg build ../shared/corpus/seeds --publication 解放军报 --out output",
    "query": "kg query citing-documents --param title=中共中央关于加强军队政治工作的决定",
    "export": "kg export --format jsonld --file output/graph.jsonld",
    "validate": "kg validate --out output",
    "serve": "kg serve --out output --port 8000",
    "graph": "kg graph --out output --start 1989 --end 1991",
    "evaluate": "kg evaluate --gold ../shared/corpus/annotated/gold.json --out output",
}


class _Progress:
    """A progress bar on stderr with files/s and the time left, when it is a terminal."""

    def __init__(self):
        self.stage, self.started, self.shown = "", 0.0, 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        import time
        if not sys.stderr.isatty():
            return
        now = time.monotonic()
        if stage != self.stage:
            self.stage, self.started = stage, now
        elif done < total and now - self.shown < 0.2:
            return
        self.shown = now
        elapsed = max(now - self.started, 1e-6)
        rate = done / elapsed
        left = (total - done) / rate if rate else 0
        width = 24
        filled = width * done // max(total, 1)
        print(f"\r{stage:8} [{'#' * filled}{'.' * (width - filled)}] {done}/{total} files "
              f"{rate:6.0f}/s  ETA {int(left) // 60}:{int(left) % 60:02d} ",
              end="" if done < total else "\n", file=sys.stderr, flush=True)


_WARNINGS_SHOWN = 10


def cmd_build(args: argparse.Namespace) -> int:
    from .iri import check_iri
    from .pipeline import BuildOptions, build, default_workers
    try:
        check_iri(args.base)
    except ValueError as error:
        raise KgError(f"--base: {error}") from None
    from .readers.source import readable_name  # argv may hold bytes that are not UTF-8
    options = BuildOptions(
        inputs=tuple(Path(p) for p in args.inputs), out=Path(args.out),
        publication=readable_name(args.publication or ""), workers=args.workers or default_workers(),
        engine=args.engine, scheduler=args.scheduler, strict=args.strict, base=args.base,
        progress=None if args.quiet else _Progress())
    report = build(options)
    summary = (f"{report['documents']} documents from {report['records']} records in "
               f"{report['files']} files ({report['merged_duplicates']} duplicates merged, "
               f"{len(report['errors'])} errors, {len(report['warnings'])} warnings); "
               f"{report['triples']} triples; {report['citations']['found']} cited works "
               f"({report['citations'].get('resolved', 0)} in the archive) → {args.out}/graph.ttl")
    for problem in report["errors"]:  # --quiet hides the progress, never the errors
        print(f"error: {problem['file']}, record {problem['record']}, line "
              f"{problem['line']}: {problem['message']}", file=sys.stderr)
    warnings = report["warnings"]
    for problem in warnings[:_WARNINGS_SHOWN]:
        print(f"warning: {problem['file']}, record {problem['record']}, line "
              f"{problem['line']}: {problem['message']}", file=sys.stderr)
    if len(warnings) > _WARNINGS_SHOWN:
        print(f"… and {len(warnings) - _WARNINGS_SHOWN} more warnings in "
              f"{args.out}/report.json", file=sys.stderr)
    print(summary)
    return 0


def cmd_query(args: argparse.Namespace) -> int:
    from .query import format_result, list_queries, load_query, run_query
    from .store import open_store
    if args.list:
        for query in list_queries():
            print(f"{query.name}: {query.title}")
            if query.description:
                print(f"    {query.description}")
            for param in query.params:
                example = f" (example: {param.example})" if param.example else ""
                print(f"    --param {param.name}=… [{param.type}] {param.description}{example}")
        return 0
    if not args.query:
        raise KgError("name a query (see kg query --list), a .rq file or a query string")
    values = {}
    for item in args.param:
        name, sep, value = item.partition("=")
        if not sep:
            raise KgError(f"--param {item!r} must be NAME=VALUE")
        values[name] = value
    query = load_query(args.query)
    print(format_result(run_query(open_store(Path(args.out)), query, values), args.format))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from .store import export
    if args.file:
        export(Path(args.out), args.format, args.file)
    else:
        export(Path(args.out), args.format, sys.stdout.buffer)
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from .validate import validate
    violations = validate(Path(args.out))
    for violation in violations[: args.limit]:
        print(violation)
    if len(violations) > args.limit:
        print(f"… and {len(violations) - args.limit} more")
    print(f"{len(violations)} violation(s) of ontology/shapes.ttl in {args.out}/graph.ttl"
          if violations else f"{args.out}/graph.ttl conforms to ontology/shapes.ttl")
    return 1 if violations else 0


def cmd_serve(args: argparse.Namespace) -> int:
    from .server import serve
    from .store import open_store
    if args.timeout <= 0 or args.max_rows <= 0 or args.max_memory <= 0:
        raise KgError("--timeout, --max-rows and --max-memory must be positive")
    open_store(Path(args.out))  # a clear error now rather than in every request
    try:
        serve(Path(args.out), host=args.host, port=args.port, timeout=args.timeout,
              max_rows=args.max_rows, max_memory=args.max_memory << 20)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise KgError(f"port {args.port} on {args.host} is in use (another kg serve?); "
                          "choose another with --port") from None
        raise
    return 0


def cmd_graph(args: argparse.Namespace) -> int:
    from .graph import write_graph_outputs
    out = Path(args.out)
    dest = Path(args.dest) if args.dest else out / "graph"
    written = write_graph_outputs(out, dest, start=args.start, end=args.end,
                                  publication=args.publication or None,
                                  max_nodes=args.max_nodes, layout=args.layout)
    for kind, path in sorted(written.items()):
        print(f"{kind:18} {path}")
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from .evaluate import evaluate_details, format_details, format_table
    scores, details = evaluate_details(Path(args.gold), Path(args.out))
    if args.json:
        shown = {"scores": scores, "details": details} if args.details else scores
        print(json.dumps(shown, ensure_ascii=False, indent=2))
        return 0
    if args.details:
        print(format_details(details), end="\n\n")
    print(format_table(scores))
    return 0


def _command(commands, name: str, run, *, help: str, description: str,
             out_help: str = "the built output folder") -> argparse.ArgumentParser:
    """A subcommand with its example, its ``--out`` folder and the function it runs."""
    command = commands.add_parser(name, help=help, description=description,
                                  epilog="example: " + EXAMPLES[name],
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
    command.add_argument("--out", default="output", help=out_help)
    command.set_defaults(run=run)
    return command


def parser() -> argparse.ArgumentParser:
    main_parser = argparse.ArgumentParser(
        prog="kg", description="Knowledge graphs from archives of Chinese historical and "
        "political documents.")
    commands = main_parser.add_subparsers(dest="command", required=True)

    build = _command(commands, "build", cmd_build,
        out_help="output folder (default: output)",
        help="read archive files and build the graph",
        description="Read every file under INPUT (formats told by content) and write "
        "graph.ttl, report.json and the query store into --out.")
    build.add_argument("inputs", nargs="+", metavar="INPUT", help="files or folders to read")
    build.add_argument("--publication", help="publication of tagged records (a corpus.toml in "
                       "a folder overrides it for the files below)")
    build.add_argument("--workers", type=int, help="worker processes (default: the cores)")
    build.add_argument("--engine", choices=("local", "dask"), default="local")
    build.add_argument("--scheduler", help="Dask scheduler address (with --engine dask)")
    build.add_argument("--strict", action="store_true", help="fail on any input error")
    build.add_argument("--base", default=DEFAULT_BASE,
                       help="base of the minted IRIs")
    build.add_argument("--quiet", action="store_true",
                       help="no progress bar (errors and the summary are still printed)")

    query = _command(commands, "query", cmd_query,
        help="run a SPARQL query against the built store",
        description="Run a named query from queries/ (see --list), a .rq file or a query "
        "string against the store of a build. Parameters are bound as RDF terms.")
    query.add_argument("query", nargs="?", help="query name, .rq file or SPARQL text")
    query.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                       help="a parameter value (repeat for several)")
    query.add_argument("--format", choices=("table", "csv", "tsv", "json"), default="table")
    query.add_argument("--list", action="store_true", help="list the named queries")

    export = _command(commands, "export", cmd_export,
        help="write the built graph in another RDF format",
        description="Stream the store of a build as Turtle, N-Triples, N-Quads, TriG, JSON-LD "
        "(expanded) or RDF/XML, to a file or standard output.")
    export.add_argument("--format", required=True,
                        choices=("ttl", "nt", "nq", "trig", "jsonld", "rdfxml"))
    export.add_argument("--file", help="where to write (default: standard output)")

    validate = _command(commands, "validate", cmd_validate,
        help="check the built graph against the SHACL shapes",
        description="Validate DIR/graph.ttl against ontology/shapes.ttl with pySHACL; exit 1 "
        "when there are violations.")
    validate.add_argument("--limit", type=int, default=50, help="violations to print")

    serve = _command(commands, "serve", cmd_serve,
        help="a read-only SPARQL 1.1 Protocol endpoint and a query page",
        description="Serve the store of a build at http://HOST:PORT/sparql (GET and POST; "
        "JSON, XML, CSV, TSV results; Turtle, N-Triples, JSON-LD graphs) with a query page "
        "at /. Updates are refused; each query has a time limit and a result-size limit.")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--timeout", type=float, default=30.0, help="seconds per query")
    serve.add_argument("--max-rows", type=int, default=100_000, help="rows (or triples) per answer")
    serve.add_argument("--max-memory", type=int, default=2048,
                       help="MiB of memory a query may use; past it the query is stopped")

    graph = _command(commands, "graph", cmd_graph,
        help="the networkx view of the links between documents, and pictures",
        description="Read the citation graph from the store and write GraphML, GEXF, "
        "node-link JSON, measures (CSV), an offline interactive HTML page and PNG pictures "
        "into DIR/graph/ (or --dest).")
    graph.add_argument("--dest", help="where to write (default: OUT/graph)")
    graph.add_argument("--start", type=int, help="first year of citing documents")
    graph.add_argument("--end", type=int, help="last year of citing documents")
    graph.add_argument("--publication", action="append", help="only documents of this "
                       "publication (repeat for several)")
    graph.add_argument("--max-nodes", type=int, default=5000, help="nodes in the HTML page")
    graph.add_argument("--layout", choices=("auto", "force", "time"), default="auto")

    evaluate = _command(commands, "evaluate", cmd_evaluate,
        help="score a built graph against a gold file",
        description="Precision, recall and F1 per kind of a built graph against a gold file "
        "shaped like ../shared/corpus/annotated/gold.json.")
    evaluate.add_argument("--gold", required=True, help="the gold JSON file")
    evaluate.add_argument("--json", action="store_true", help="print JSON instead of a table")
    evaluate.add_argument("--details", action="store_true", help="also list, per gold record, "
                          "what was found but is not in the gold (+) and what was missed (-)")
    return main_parser


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except BrokenPipeError:  # `kg query … | head`: the reader has what it wanted
        sys.stderr.close()
        return 0
    except (KgError, OSError) as error:  # anything else is a bug: its traceback shows where
        print(f"kg {args.command}: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
