"""Writing triples out: N-Triples lines and sorted Turtle.

The graph of a large archive does not fit in memory as an rdflib ``Graph`` (850 bytes a
triple), so triples are written as N-Triples lines, a file's worth at a time, sorted and
turned into Turtle one subject at a time. Sorting makes the output byte-identical on every
run and machine, whatever order the work was done in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TextIO

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from .iri import check_iri
from .ontology import PREFIXES

__all__ = ["nt_term", "nt_iri", "nt_literal", "nt_terms", "nt_line", "line_of", "split_line",
           "write_turtle", "write_turtle_body", "turtle_prefixes", "Shortener", "SHORTENER"]

_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b",
            "\f": "\\f"}
_NEEDS_ESCAPE = re.compile(r'[\\"\x00-\x1f\x7f]')
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _escape_char(match: re.Match) -> str:
    char = match.group()
    return _ESCAPES.get(char) or f"\\u{ord(char):04X}"


def nt_literal(text: str, lang: str = "", datatype: str = "") -> str:
    """A literal in N-Triples syntax: its text escaped, then its language tag or its
    datatype (an IRI; none for ``xsd:string``). The one place literals are written, for
    rdflib's terms (``nt_term``) and for the strings pass 2 makes directly.

    >>> nt_literal('《决定》"一"\\n', "zh")
    '"《决定》\\\\"一\\\\"\\\\n"@zh'
    >>> nt_literal("1990-05", datatype="http://www.w3.org/2001/XMLSchema#gYearMonth")
    '"1990-05"^^<http://www.w3.org/2001/XMLSchema#gYearMonth>'
    """
    if _NEEDS_ESCAPE.search(text):
        text = _NEEDS_ESCAPE.sub(_escape_char, text)
    if lang:
        return f'"{text}"@{lang}'
    if datatype and datatype != _XSD_STRING:
        return f'"{text}"^^{nt_iri(datatype)}'
    return f'"{text}"'


def nt_term(term: Node) -> str:
    """One RDF term in N-Triples syntax.

    >>> nt_term(Literal("《决定》\\n", lang="zh"))
    '"《决定》\\\\n"@zh'
    >>> nt_term(URIRef("https://w3id.org/wenxian/id/person/x"))
    '<https://w3id.org/wenxian/id/person/x>'
    """
    if isinstance(term, URIRef):
        return nt_iri(term)
    if isinstance(term, Literal):
        datatype = term.datatype  # a URIRef is never equal to a str: compare the text
        return nt_literal(str(term), term.language or "", str(datatype) if datatype else "")
    if isinstance(term, BNode):
        raise ValueError("the graph has no blank nodes: every resource gets an IRI")
    raise TypeError(f"not an RDF term: {term!r}")


def nt_terms(triple: tuple[Node, Node, Node]) -> tuple[str, str, str]:
    """The three terms of a triple in N-Triples syntax."""
    s, p, o = triple
    return nt_iri(s), nt_iri(p), nt_iri(o) if type(o) is URIRef else nt_term(o)


def nt_line(triple: tuple[Node, Node, Node]) -> str:
    """One triple as an N-Triples line, newline included."""
    return line_of(nt_terms(triple))


def line_of(terms: tuple[str, str, str]) -> str:
    """The N-Triples line of three terms in N-Triples syntax (``nt_terms``)."""
    return "%s %s %s .\n" % terms


def split_line(line: str) -> tuple[str, str, str]:
    """The three terms of an N-Triples line written by ``nt_line``."""
    subject, predicate, rest = line.split(" ", 2)
    return subject, predicate, rest[: -3] if rest.endswith(" .\n") else rest.rstrip(" .\n")


_IRIS: dict[str, str] = {}


def nt_iri(iri: str) -> str:
    """An IRI (a ``URIRef`` or its text) in N-Triples syntax, remembered: the same
    predicates and entities recur endlessly. Raises ``ValueError`` for what is no IRI.

    >>> nt_iri("https://w3id.org/wenxian/ontology#mentions")
    '<https://w3id.org/wenxian/ontology#mentions>'
    """
    text = _IRIS.get(iri)
    if text is None:
        text = f"<{check_iri(iri)}>"
        if len(_IRIS) < 200_000:
            _IRIS[iri] = text
    return text


_SIMPLE_LOCAL = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"


class Shortener:
    """Writes IRIs with the prefixes declared, where the local part allows it."""

    def __init__(self, prefixes: dict[str, str]):
        # Longest namespace first, so id: never hides a longer, more specific one.
        self.prefixes = sorted(prefixes.items(), key=lambda kv: -len(kv[1]))
        self.cache: dict[str, str] = {}

    def iri(self, term: str) -> str:
        if term in self.cache:
            return self.cache[term]
        short = term
        inner = term[1:-1]
        for prefix, namespace in self.prefixes:
            if inner.startswith(namespace) and _SIMPLE_LOCAL.match(inner[len(namespace):]):
                short = f"{prefix}:{inner[len(namespace):]}"
                break
        if len(self.cache) < 200_000:
            self.cache[term] = short
        return short

    def obj(self, term: str) -> str:
        if term.startswith("<"):
            return self.iri(term)
        if term.endswith(">") and '"^^<' in term:
            lexical, _, datatype = term.rpartition("^^")
            return f"{lexical}^^{self.iri(datatype)}"
        return term


def write_turtle(triples: Iterable[tuple[str, str, str]], out: TextIO,
                 prefixes: dict[str, str]) -> int:
    """Write sorted ``triples`` (``nt_terms``) as Turtle grouped by subject; return the
    triple count.

    >>> import io
    >>> out = io.StringIO()
    >>> write_turtle([('<http://x/a>', '<http://x/p>', '"1"'), ('<http://x/a>', '<http://x/q>', '<http://x/b>')],
    ...              out, {"x": "http://x/"})
    2
    >>> print(out.getvalue())
    @prefix x: <http://x/> .
    <BLANKLINE>
    x:a
        x:p "1" ;
        x:q x:b .
    <BLANKLINE>
    """
    out.write(turtle_prefixes(prefixes))
    return write_turtle_body(triples, out, Shortener(prefixes))


def turtle_prefixes(prefixes: dict[str, str]) -> str:
    return "".join(f"@prefix {prefix}: <{namespace}> .\n"
                   for prefix, namespace in sorted(prefixes.items()))


def write_turtle_body(triples: Iterable[tuple[str, str, str]], out: TextIO,
                      short: Shortener) -> int:
    """The statements of ``write_turtle`` without the prefixes, so bodies written apart can be
    joined under one header."""
    # Millions of terms go through here, most of them IRIs the shortener has seen: they are
    # looked up in its cache first, and shortened by a call only when missing.
    count = 0
    iri, obj, known = short.iri, short.obj, short.cache
    verbs = {_RDF_TYPE: "a"}  # predicates as written, rdf:type as "a"
    parts = []
    subject = predicate = None
    for s, p, o in triples:
        o = known.get(o) or obj(o)
        if s != subject:
            if subject is not None:
                parts.append(" .\n")
                if len(parts) >= 4096:
                    out.write("".join(parts))
                    parts.clear()
            subject, predicate = s, p
            verb = verbs.get(p) or verbs.setdefault(p, iri(p))
            parts.append(f"\n{known.get(s) or iri(s)}\n    {verb} {o}")
        elif p != predicate:
            predicate = p
            verb = verbs.get(p) or verbs.setdefault(p, iri(p))
            parts.append(f" ;\n    {verb} {o}")
        else:
            parts.append(f", {o}")
        count += 1
    if subject is not None:
        parts.append(" .\n")
    out.write("".join(parts))
    return count


# Fragments are written in many small pieces: one shortener per process keeps its cache warm.
SHORTENER = Shortener(PREFIXES)
