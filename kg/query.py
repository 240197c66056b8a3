"""SPARQL over the built store: the named query library, parameters bound as RDF terms, and
results as an aligned table, CSV, TSV or SPARQL 1.1 JSON.

A named query is a ``queries/NAME.rq`` file whose header comments say what it answers and which
parameters it takes::

    # title: Documents citing a document
    # description: Every document that cites the given one, by title, with its date.
    # param: title zh  The cited document's title (example: 中共中央关于加强党同人民群众联系的决定)

Parameter types: ``string`` (plain literal), ``zh`` (literal @zh), ``integer``, ``date``,
``gYear``, ``iri``. Values are substituted as terms (SEP-0007), never pasted into the text.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pyoxigraph as ox

from .errors import KgError

__all__ = ["QUERY_DIR", "UPDATE", "NamedQuery", "Param", "list_queries", "load_query",
           "bind_parameters", "run_query", "format_result", "FORMATS"]

# In the package, so an installed wheel has them; the checkout's queries/ links here.
QUERY_DIR = Path(str(resources.files("kg") / "resources" / "queries"))
FORMATS = ("table", "csv", "tsv", "json")
_XSD = "http://www.w3.org/2001/XMLSchema#"
_DATE_FORMS = ((r"\d{4}", "gYear"), (r"\d{4}-\d{2}", "gYearMonth"), (r"\d{4}-\d{2}-\d{2}", "date"))
_WHERE = re.compile(r"\bWHERE\s*\{|(?<=\bSELECT)[^{]*\{", re.IGNORECASE)
_PARAM = re.compile(r"^#\s*param:\s*(\w+)\s+(\w+)\s+(.*?)\s*(?:\(example:\s*(.*?)\))?\s*$")


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    type: str
    description: str
    example: str = ""

    def term(self, value: str) -> ox.NamedNode | ox.Literal:
        """The RDF term for ``value``, typed as the query says."""
        if self.type == "iri":
            return ox.NamedNode(value)
        if self.type == "zh":
            return ox.Literal(value, language="zh")
        if self.type == "string":
            return ox.Literal(value)
        if self.type == "integer":
            if not re.fullmatch(r"-?\d+", value):
                raise KgError(f"parameter {self.name} must be an integer, not {value!r}")
            return ox.Literal(value, datatype=ox.NamedNode(_XSD + "integer"))
        if self.type in ("date", "gYear"):
            # Typed by the precision written, as the graph's dates are: 1988, 1988-10, 1988-10-02.
            for pattern, datatype in _DATE_FORMS:
                if re.fullmatch(pattern, value):
                    return ox.Literal(value, datatype=ox.NamedNode(_XSD + datatype))
            raise KgError(f"parameter {self.name} must be a date written YYYY, YYYY-MM or "
                          f"YYYY-MM-DD, not {value!r}")
        raise KgError(f"parameter {self.name} has unknown type {self.type!r}")


@dataclass(frozen=True, slots=True)
class NamedQuery:
    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    text: str


def _parse(name: str, text: str) -> NamedQuery:
    title = description = ""
    params = []
    for line in text.splitlines():
        if not line.startswith("#"):
            continue
        if match := _PARAM.match(line):
            params.append(Param(*match.groups(default="")))
        elif line.startswith("# title:"):
            title = line.split(":", 1)[1].strip()
        elif line.startswith("# description:"):
            description = line.split(":", 1)[1].strip()
    return NamedQuery(name, title, description, tuple(params), text)


def list_queries(folder: Path = QUERY_DIR) -> list[NamedQuery]:
    """Every named query in ``folder``, by name."""
    return [_parse(path.stem, path.read_text("utf-8")) for path in sorted(folder.glob("*.rq"))]


def load_query(query: str, folder: Path = QUERY_DIR) -> NamedQuery:
    """A named query, a ``.rq`` file, or a query string."""
    named = folder / f"{query}.rq"
    if re.fullmatch(r"[\w-]+", query) and named.is_file():
        return _parse(query, named.read_text("utf-8"))
    path = Path(query)
    if query.endswith(".rq"):
        if not path.is_file():
            raise KgError(f"query file {query} not found")
        return _parse(path.stem, path.read_text("utf-8"))
    if re.fullmatch(r"[\w-]+", query):
        known = ", ".join(q.name for q in list_queries(folder))
        raise KgError(f"no named query {query!r}; the library has: {known}")
    return _parse("query", query)


def bind_parameters(query: NamedQuery, values: dict[str, str]) -> str:
    """The text of ``query`` with ``values`` bound, checked against its declared parameters.

    Parameters are bound by a VALUES block opening the WHERE clause, so they are in scope
    everywhere in it (SEP-0007 substitution, which pyoxigraph offers, only binds projected
    variables). Each value is written as one term by the tested N-Triples serialiser: a value
    can never become query text.
    """
    declared = {p.name: p for p in query.params}
    unknown = sorted(set(values) - set(declared))
    if unknown and query.params:
        import difflib
        hints = [f"{name} (did you mean {close[0]}?)" if (close := difflib.get_close_matches(
                 name, declared, 1)) else name for name in unknown]
        raise KgError(f"query {query.name} has no parameter(s) {', '.join(hints)}; it takes "
                      + ", ".join(f"{p.name} ({p.description})" for p in query.params))
    missing = [p.name for p in query.params if p.name not in values]
    if missing:
        hints = "; ".join(f"--param {n}=… ({declared[n].description}"
                          f"{', e.g. ' + declared[n].example if declared[n].example else ''})"
                          for n in missing)
        raise KgError(f"query {query.name} needs parameter(s) {', '.join(missing)}: {hints}")
    if not values:
        return query.text
    names = sorted(values)
    terms = [_nt(declared[n].term(values[n]) if n in declared else ox.Literal(values[n]))
             for n in names]
    block = "VALUES (" + " ".join("?" + n for n in names) + ") { (" + " ".join(terms) + ") }"
    where = _WHERE.search(_mask_comments(query.text))
    if where is None:
        raise KgError(f"query {query.name} has no WHERE clause to bind parameters in")
    return query.text[:where.end()] + "\n  " + block + "\n" + query.text[where.end():]


def run_query(store: ox.Store, query: NamedQuery, values: dict[str, str]):
    """Run ``query`` with ``values`` bound to its parameters; returns pyoxigraph's result."""
    text = bind_parameters(query, values)
    try:
        return store.query(text)
    except SyntaxError as error:
        if update := UPDATE.match(_mask_comments(text)):
            raise KgError(f"kg query only reads the store: SPARQL Update ({update[1].upper()}) "
                          "is not allowed") from None
        raise KgError(f"query {query.name} is not valid SPARQL: {error}") from None


# What a query text begins with when it is an update (after its PREFIX and BASE declarations);
# the endpoint refuses such texts with it too. Linear: each alternative begins with its own
# literal and each IRI ends at the first ">".
UPDATE = re.compile(r"\s*(?:(?:PREFIX\s*[\w.-]*:\s*<[^<>]*>|BASE\s*<[^<>]*>)\s*)*"
                    r"(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b", re.I)


def _mask_comments(text: str) -> str:
    """The text with comment lines blanked (same length), so a # line cannot hide a WHERE."""
    return re.sub(r"(?m)^\s*#.*$", lambda m: " " * len(m.group()), text)


def _nt(term: ox.NamedNode | ox.Literal) -> str:
    from rdflib import Literal, URIRef
    from .rdfio import nt_term
    if isinstance(term, ox.NamedNode):
        return nt_term(URIRef(term.value))
    return nt_term(Literal(term.value, lang=term.language,
                           datatype=None if term.language else term.datatype.value))


def _cell(term) -> str:
    return "" if term is None else term.value


def _width(text: str) -> int:
    """Display width: full-width (Chinese) characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def format_result(result, fmt: str = "table") -> str:
    """A result as text in one of ``FORMATS``."""
    if isinstance(result, ox.QueryBoolean):
        return json.dumps({"head": {}, "boolean": bool(result)}) if fmt == "json" \
            else str(bool(result)).lower()
    if isinstance(result, ox.QueryTriples):
        return result.serialize(format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
    if fmt == "json":
        return result.serialize(format=ox.QueryResultsFormat.JSON).decode("utf-8")
    names = [v.value for v in result.variables]
    rows = [[_cell(solution[name]) for name in names] for solution in result]
    if fmt in ("csv", "tsv"):
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter="," if fmt == "csv" else "\t",
                            lineterminator="\n")
        writer.writerow(names)
        writer.writerows(rows)
        return buffer.getvalue()
    if fmt != "table":
        raise KgError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    widths = [max([_width(n)] + [_width(r[i]) for r in rows]) for i, n in enumerate(names)]

    def line(cells):
        return "  ".join(c + " " * (w - _width(c)) for c, w in zip(cells, widths)).rstrip()
    out = [line(names), line(["-" * w for w in widths])] + [line(r) for r in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)
