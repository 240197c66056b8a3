"""Pass 2 for one input file: resolve and write the documents it represents.

A document is written by the file holding its first copy (see ``BuildState.places``: the
copies of its own identity, then those of an archive's copy merged into it). Its
triples are split in two: those about the document itself (its subject, or one of its
``cito:Citation`` nodes) go to the file's Turtle fragment; those about shared things (people,
places, concepts, cited works and their labels) go to the file's shared lines (N-Triples, kept
in the cache), which the build counts across files and writes once. ``graph.ttl`` is
the fragments in input order, then the keywords of every document (``keyword_block``), then
the shared part, so a file whose documents did not change is copied, not computed again.

Files are rendered in worker processes forked after the indexes are complete: the context is
a module global the workers inherit, not something sent to them.
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass, fields, replace

from .cache import FileCache
from .errors import Problem
from .extract import author_kind
from .extract.gazetteer import load_gazetteer
from .iri import Minter
from .model import Document, Facts, Record
from .ontology import WX
from .rdfio import SHORTENER, line_of, nt_iri, write_turtle_body
from .resolve import resolve_citations
from .state import BuildState
from .triples import Triple, concept_triples, document_triples

__all__ = ["RenderContext", "RenderResult", "render_file", "merge", "set_context", "keyword_block",
           "keyword_lines"]


@dataclass
class RenderContext:
    state: BuildState
    cache: FileCache
    minter: Minter  # one per process, so its IRIs are minted once, not once per file


@dataclass(frozen=True, slots=True)
class RenderResult:
    relpath: str
    owned: tuple[int, ...]  # positions of the records whose documents this file writes
    triples: int  # in the fragment
    resolved: int
    external: int
    warnings: tuple[Problem, ...]
    fragment: bytes  # Turtle, in UTF-8
    shared: bytes  # N-Triples lines, sorted, in UTF-8 (one object: cheap to send)


_context: RenderContext | None = None


def set_context(context: RenderContext) -> None:
    global _context
    _context = context


def render_file(relpath: str) -> RenderResult:
    """Write the fragment and shared lines of ``relpath``'s documents; say what was written."""
    context = _context
    state, cache = context.state, context.cache
    gazetteer = load_gazetteer()
    minter = context.minter
    items = cache.items(relpath)
    ranks = state.files[relpath].records
    owned, warnings, stats = [], [], Counter()
    own_prefixes = (f"<{minter.base}doc/", f"<{minter.base}citation/")
    seen: set = set()
    fragment: set[Triple] = set()
    shared: set[bytes] = set()
    lines = _SHARED_LINES
    for position, info in enumerate(ranks):
        key = state.document_of(info.key)
        places = state.places(key)
        if places[0] != (info.rank, relpath, position):
            continue  # another copy represents this document
        copies = [items[position] if (p[1], p[2]) == (relpath, position)
                  else cache.item(p[1], p[2]) for p in places]
        record, facts = merge(copies, warnings)
        facts = state.learned.mentions(record, facts)
        citations = resolve_citations(record, facts, state.index)
        stats.update("resolved" if c.target else "external" for c in citations)
        doc = Document(record, facts, tuple((r.source_path, r.record_index) for r, _ in copies),
                       citations, (), state.index.reprint_of(record, _body_of),
                       state.twins.members.get(key, ()))
        for triple in document_triples(doc, minter, author_kind, gazetteer.wikidata, seen):
            if triple[0].startswith(own_prefixes):
                fragment.add(triple)
            else:
                shared.add(lines.get(triple) or _shared_line(triple))
        owned.append(position)
    turtle = io.StringIO(newline="\n")
    write_turtle_body(sorted(fragment), turtle, SHORTENER)
    return RenderResult(relpath, tuple(owned), len(fragment), stats["resolved"],
                        stats["external"], tuple(warnings), turtle.getvalue().encode(),
                        b"".join(sorted(shared)))  # UTF-8 sorts as the characters do


# The shared lines of one entity (its type, label, other labels) are the same in every file
# that names it, and most of a file's lines are such lines (the 10k-record benchmark writes
# 860,000 shared lines, 25,000 distinct): each is written once per process.
_SHARED_LINES: dict[Triple, bytes] = {}


def _shared_line(triple: Triple) -> bytes:
    if len(_SHARED_LINES) >= 100_000:  # some 30 MB
        _SHARED_LINES.clear()  # bounded: a long build meets every entity of the archive
    line = _SHARED_LINES[triple] = line_of(triple).encode()
    return line


def keyword_lines(minter: Minter, terms) -> list[bytes]:
    """The shared lines of a document's keywords: each concept's type and label."""
    return [line_of(t).encode() for term in terms for t in concept_triples(minter, term)]


def keyword_block(minter: Minter, key, terms) -> str:
    """A document's keywords in the keyword section of ``graph.ttl``, which holds them
    apart from its fragment (a few new files change the keywords of many documents)."""
    concepts = sorted([minter.entity_nt("concept", term) for term in terms])
    return f"\n{minter.document_nt(*key)}\n    {_KEYWORD} {', '.join(concepts)} .\n"


_KEYWORD = SHORTENER.iri(nt_iri(WX.keyword))


def _body_of(key) -> str:
    """The body of document ``key`` (its representing copy), for the reprint check."""
    _, relpath, position = _context.state.owner(key)
    return _context.cache.item(relpath, position)[0].body


def merge(copies: list[tuple[Record, Facts]], warnings: list[Problem] | None = None
          ) -> tuple[Record, Facts]:
    """One record from the copies of a document: the first, with empty fields filled in,
    and the publication a copy names in place of one inferred (a BHA JSON file without its
    book's ``.metadata``). A copy whose content differs from the first copy of the same
    identifier is reported in ``warnings`` (another archive's copy of the article differs by
    nature: a BHA title holds the subtitle, the archives' fields differ)."""
    record, facts = copies[0]
    firsts = {record.key: record}
    for other, other_facts in copies[1:]:
        first = firsts.setdefault(other.key, other)
        if warnings is not None and other is not first and other.content() != first.content():
            differing = [f.name for f in fields(Record)
                         if f.name in _COMPARED and getattr(other, f.name)
                         and getattr(first, f.name) and getattr(other, f.name) != getattr(first, f.name)]
            message = (f"same document {first.source_id!r} as {first.source_path} "
                       f"(record {first.record_index}) but its content differs"
                       + (f" in {', '.join(differing)}" if differing else " (fields one copy lacks)")
                       + "; merged, keeping the first copy and filling its empty fields")
            warnings.append(Problem(other.source_path, other.record_index, other.line,
                                    message, "warning"))
        filled = {f.name: getattr(other, f.name) for f in fields(Record)
                  if f.name in _COMPARED and not getattr(record, f.name) and getattr(other, f.name)}
        if filled:
            record = replace(record, **filled)
            if "body" in filled:
                facts = other_facts
    if record.publication_inferred:
        named = next((r for r, _ in copies if not r.publication_inferred), None)
        if named is not None:
            record = replace(record, publication=named.publication, publication_inferred=False)
    return record, facts


_COMPARED = {"title", "dates", "authors", "keywords", "tags", "pretitle", "subtitle", "genre",
             "page", "page_name", "issue_number", "body", "description"}
