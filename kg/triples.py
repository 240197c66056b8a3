"""Turning a document into RDF triples under the ontology contract (SPEC, "ontology contract").

A build writes tens of millions of terms, and making each an rdflib term only to write it out
again cost more than the rest of pass 2: so the triples here are made of terms already in
N-Triples syntax, each written by the one N-Triples writer (``kg.rdfio``: literals, IRIs) or
the one minter (``kg.iri``), from the ontology's own terms (``kg.ontology``); none is glued
together here.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from .iri import Minter
from .model import DateValue, Document, Record
from . import ontology
from .ontology import ENTITY_CLASSES
from .rdfio import nt_iri, nt_literal

__all__ = ["document_triples", "date_literal", "decimal_literal", "entity_triples",
           "concept_triples", "Triple"]

Triple = tuple[str, str, str]
"""Subject, predicate and object, each in N-Triples syntax (``<…>``, ``"…"@zh``)."""


class _Terms:
    """A namespace's terms in N-Triples syntax, each written once (rdflib's namespaces make
    a new ``URIRef`` on every attribute access, and the same predicates are written millions
    of times)."""

    def __init__(self, namespace):
        self._namespace = namespace

    def __getattr__(self, name: str) -> str:
        term = nt_iri(getattr(self._namespace, name))  # an unknown term still fails here
        setattr(self, name, term)
        return term


CITO, DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, WX = (
    _Terms(getattr(ontology, name))
    for name in ("CITO", "DCTERMS", "FOAF", "OWL", "PROV", "RDF", "RDFS", "SKOS", "WX"))

_XSD_INTEGER, _XSD_DECIMAL = ontology.XSD.integer, ontology.XSD.decimal
_DATATYPES = {"day": ontology.XSD.date, "month": ontology.XSD.gYearMonth,
              "year": ontology.XSD.gYear}
_IRI_KIND = {"person": "person", "organization": "org", "place": "place",
             "meeting": "meeting", "publication": "publication"}
_CLASSES = {kind: nt_iri(term) for kind, term in ENTITY_CLASSES.items()}
# Record slots written as plain strings, and as Chinese text (@zh).
_CODES = {"page": WX.page, "issue_number": WX.issueNumber, "item": WX.item,
          "classification": WX.classification}
_TEXTS = {"pretitle": WX.pretitle, "subtitle": WX.subtitle, "genre": WX.genre,
          "page_name": WX.pageName, "column": WX.column, "description": DCTERMS.description,
          "source": DCTERMS.source}


# The same labels, codes and offsets recur across documents: the common ones are written
# once per process.
@lru_cache(maxsize=65_536)
def zh(text: str) -> str:
    """Chinese text (``@zh``).

    >>> zh('《决定》')
    '"《决定》"@zh'
    """
    return nt_literal(text, "zh")


def plain(text: str) -> str:
    """A plain string: an identifier, a path, a surface form."""
    return nt_literal(text)


@lru_cache(maxsize=65_536)
def integer(value: int) -> str:
    """An ``xsd:integer``.

    >>> integer(42)
    '"42"^^<http://www.w3.org/2001/XMLSchema#integer>'
    """
    return nt_literal(str(int(value)), datatype=_XSD_INTEGER)


@lru_cache(maxsize=1024)
def code(text: str) -> str:
    """A short plain string from a small set: a format, a resolution rule."""
    return nt_literal(text)


def date_literal(date: DateValue) -> str:
    """A date typed by its precision.

    >>> date_literal(DateValue(1966, 5))
    '"1966-05"^^<http://www.w3.org/2001/XMLSchema#gYearMonth>'
    """
    return nt_literal(date.iso(), datatype=_DATATYPES[date.precision])


@lru_cache(maxsize=4096)
def decimal_literal(value: float) -> str:
    """An ``xsd:decimal`` in the canonical form stores keep (``1``, not ``1.000``), so the
    Turtle and what a store exports from it are the same literals.

    >>> decimal_literal(1.0)
    '"1"^^<http://www.w3.org/2001/XMLSchema#decimal>'
    >>> decimal_literal(0.9504)
    '"0.95"^^<http://www.w3.org/2001/XMLSchema#decimal>'
    """
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"{value} is no xsd:decimal")
    # -0.0 is written as 0.0 is: the cache takes them for one value anyway.
    text = f"{value + 0.0:.3f}".rstrip("0").rstrip(".")
    return nt_literal(text, datatype=_XSD_DECIMAL)


def entity_triples(minter: Minter, kind: str, name: str) -> Iterator[Triple]:
    """The type and label of an entity; ``kind`` as in ``ENTITY_CLASSES``."""
    iri = minter.entity_nt(_IRI_KIND[kind], name)
    yield iri, RDF.type, _CLASSES[kind]
    yield iri, RDFS.label, zh(name)


def concept_triples(minter: Minter, name: str) -> Iterator[Triple]:
    """The type and label of a concept.

    >>> for triple in concept_triples(Minter(), "整党"):
    ...     print(*triple)
    <https://w3id.org/wenxian/id/concept/%E6%95%B4%E5%85%9A> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://www.w3.org/2004/02/skos/core#Concept>
    <https://w3id.org/wenxian/id/concept/%E6%95%B4%E5%85%9A> <http://www.w3.org/2000/01/rdf-schema#label> "整党"@zh
    """
    iri = minter.entity_nt("concept", name)
    yield iri, RDF.type, SKOS.Concept
    yield iri, RDFS.label, zh(name)


_OWN: dict[tuple[str, str, str], tuple[Triple, ...]] = {}  # (base, kind, name): type, label


class _Emitter:
    """Writes each entity's and concept's own triples once per build (``seen`` is shared
    across documents): the same 毛泽东 is mentioned in thousands of documents. Its methods
    return lists, not generators: a document names dozens of entities, most already seen."""

    def __init__(self, minter: Minter, seen: set):
        self.minter = minter
        self.seen = seen

    def entity(self, kind: str, name: str, alt_labels=()) -> list[Triple]:
        seen = self.seen
        own = self.own(kind, name)
        triples = []
        if (kind, name) not in seen:
            seen.add((kind, name))
            triples.extend(own)
        for alt in alt_labels:
            if alt != name and (kind, name, alt) not in seen:
                seen.add((kind, name, alt))
                triples.append((own[0][0], SKOS.altLabel, zh(alt)))
        return triples

    def concept(self, name: str) -> tuple[Triple, ...]:
        if ("concept", name) in self.seen:
            return ()
        self.seen.add(("concept", name))
        return self.own("concept", name)

    def own(self, kind: str, name: str) -> tuple[Triple, ...]:
        """``entity_triples`` or ``concept_triples``, made once per process (each file has
        its own ``seen``, and 毛泽东 is in thousands of files); the first triple's subject
        is the entity's IRI."""
        key = (self.minter.base, kind, name)
        triples = _OWN.get(key)
        if triples is None:
            if len(_OWN) >= 100_000:
                _OWN.clear()  # bounded, as the minter's IRIs are
            triples = _OWN[key] = tuple(concept_triples(self.minter, name) if kind == "concept"
                                        else entity_triples(self.minter, kind, name))
        return triples


def document_triples(doc: Document, minter: Minter,
                     author_kind=lambda name: "person",
                     wikidata=lambda kind, name: "", seen: set | None = None) -> Iterator[Triple]:
    """Every triple of one document: metadata, mentions, citations, provenance.

    ``author_kind(name)`` says whether an author is a person or an organization;
    ``wikidata(kind, name)`` gives an entity's Wikidata IRI, or "". Pass the same ``seen``
    set for every document of a build to write each entity's label and type only once.

    >>> from kg.model import Facts
    >>> record = Record("tagged", "a.txt", 0, 1, "11789-01-1", "关于党群关系的决定",
    ...                 publication="解放军报")
    >>> triples = list(document_triples(Document(record, Facts()), Minter()))
    >>> print(*triples[2])
    <https://w3id.org/wenxian/id/doc/%E8%A7%A3%E6%94%BE%E5%86%9B%E6%8A%A5/11789-01-1> <http://purl.org/dc/terms/title> "关于党群关系的决定"@zh
    """
    emit = _Emitter(minter, set() if seen is None else seen)
    record = doc.record
    subject = minter.document_nt(*record.key)
    yield from _metadata(subject, record, emit, author_kind)
    for twin in doc.twins:  # the same article in another archive: its identifier, its IRI
        yield subject, DCTERMS.identifier, plain(twin[1])
        yield subject, OWL.sameAs, minter.document_nt(*twin)
    yield from _provenance(subject, doc, minter)
    yield from _mentions(subject, doc, emit, wikidata)
    yield from _citations(subject, doc, emit)
    for keyword in doc.keywords:
        yield subject, WX.keyword, minter.entity_nt("concept", keyword)
        yield from emit.concept(keyword)
    if doc.reprint_of:
        yield subject, WX.reprintOf, minter.document_nt(*doc.reprint_of)


def _metadata(subject: str, record: Record, emit: _Emitter, author_kind) -> Iterator[Triple]:
    minter = emit.minter
    yield subject, RDF.type, WX.Document
    yield subject, DCTERMS.identifier, plain(record.source_id)
    yield subject, DCTERMS.title, zh(_one_line(record.title))
    dates = record.dates
    if record.date_range and len(dates) == 2:
        yield subject, DCTERMS.date, date_literal(dates[0])
        yield subject, WX.endDate, date_literal(dates[1])
    else:
        for date in dates:
            yield subject, DCTERMS.date, date_literal(date)
    for attr, predicate in _CODES.items():
        if value := getattr(record, attr):
            yield subject, predicate, plain(value)
    for attr, predicate in _TEXTS.items():
        if value := getattr(record, attr):
            yield subject, predicate, zh(value)
    for other in record.other_fields:
        yield subject, WX.otherField, plain(f"{other.code}/{other.name}: {other.value}")
    for author in record.authors:
        # 本报评论员 in 解放军报 is 解放军报评论员, and keeps the form it was written in.
        name = author.replace("本报", record.publication) if record.publication else author
        kind = author_kind(name)
        yield subject, DCTERMS.creator, minter.entity_nt(_IRI_KIND[kind], name)
        yield from emit.entity(kind, name, (author,))
    if record.publication:
        publication = minter.entity_nt("publication", record.publication)
        yield subject, DCTERMS.isPartOf, publication
        yield from emit.entity("publication", record.publication)
        if record.publication_author:
            kind = author_kind(record.publication_author)
            yield publication, DCTERMS.creator, minter.entity_nt(_IRI_KIND[kind],
                                                              record.publication_author)
            yield from emit.entity(kind, record.publication_author)
    for keyword in record.keywords:
        yield subject, DCTERMS.subject, minter.entity_nt("concept", keyword)
        yield from emit.concept(keyword)
    for tag in record.tags:
        concept = minter.entity_nt("concept", tag.name)
        yield subject, WX.tag, concept
        yield from emit.concept(tag.name)
        if tag.type == "人物" and author_kind(tag.name) == "person":
            yield concept, FOAF.focus, minter.entity_nt("person", tag.name)
            yield from emit.entity("person", tag.name)
    for name in record.listed_persons:
        yield subject, WX.listedPerson, minter.entity_nt("person", name)
        yield from emit.entity("person", name)
    for name in record.listed_units:
        yield subject, WX.listedUnit, minter.entity_nt("org", name)
        yield from emit.entity("organization", name)


def _provenance(subject: str, doc: Document, minter: Minter) -> Iterator[Triple]:
    record = doc.record
    yield subject, WX.sourcePath, plain(record.source_path)
    yield subject, WX.recordIndex, integer(record.record_index)
    yield subject, WX.sourceFormat, code(record.format)
    for path, index in doc.copies or ((record.source_path, record.record_index),):
        yield subject, PROV.wasDerivedFrom, minter.source_nt(path, index)


def _mentions(subject: str, doc: Document, emit: _Emitter, wikidata) -> Iterator[Triple]:
    minter = emit.minter
    facts = doc.facts
    forms: dict[tuple[str, str], set[str]] = {}
    for mention in (*facts.mentions, *facts.publications):
        forms.setdefault((mention.kind, mention.name), set()).add(mention.surface)
    for meeting in facts.meetings:
        forms.setdefault(("meeting", meeting.name), set()).add(meeting.surface)
    # The hot loop of a build: emit.entity inlined, a document names dozens of entities.
    seen, mentions, alt_label = emit.seen, WX.mentions, SKOS.altLabel
    for key, surfaces in sorted(forms.items()):
        kind, name = key
        own = emit.own(kind, name)
        iri = own[0][0]
        yield subject, mentions, iri
        if key not in seen:
            seen.add(key)
            yield from own
        for alt in sorted(surfaces) if len(surfaces) > 1 or name not in surfaces else ():
            if alt != name and (kind, name, alt) not in seen:
                seen.add((kind, name, alt))
                yield iri, alt_label, zh(alt)
        if ("sameAs", kind, name) not in seen and (same := wikidata(kind, name)):
            seen.add(("sameAs", kind, name))
            yield iri, OWL.sameAs, nt_iri(same)
    if facts.adopted_at:
        meeting = minter.entity_nt("meeting", facts.adopted_at)
        yield subject, WX.adoptedAt, meeting
        yield from emit.entity("meeting", facts.adopted_at)
    if facts.adopted_on:
        yield subject, WX.adoptedOn, date_literal(facts.adopted_on)


def _citations(subject: str, doc: Document, emit: _Emitter) -> Iterator[Triple]:
    minter = emit.minter
    for citation in doc.citations:
        if citation.target is not None:
            cited = minter.document_nt(*citation.target)
        else:
            # A short form that stands for nothing known is a work of its own, per document.
            key = citation.title if citation.rule != "unresolved-short-form" else \
                f"{citation.title}@{record_key(doc)}"
            cited = minter.entity_nt("work", key)
            if ("work", key) not in emit.seen:
                emit.seen.add(("work", key))
                yield cited, RDF.type, WX.CitedWork
                yield cited, DCTERMS.title, zh(citation.title)
            if citation.issuer:
                yield cited, WX.issuedBy, minter.entity_nt("org", citation.issuer)
                yield from emit.entity("organization", citation.issuer)
        yield subject, CITO.cites, cited
        # One cito:Citation per place in the text, so each surface keeps its own offsets.
        for surface, start, end, rule in citation.evidence:
            node = minter.citation_nt(subject, cited, start)
            yield node, RDF.type, CITO.Citation
            yield node, CITO.hasCitingEntity, subject
            yield node, CITO.hasCitedEntity, cited
            yield node, WX.resolutionRule, code(rule)
            yield node, WX.matchScore, decimal_literal(citation.score)
            yield node, WX.surface, plain(surface)
            yield node, WX.startOffset, integer(start)
            yield node, WX.endOffset, integer(end)


def record_key(doc: Document) -> str:
    return "/".join(doc.record.key)


def _one_line(title: str) -> str:
    """Titles broken over lines in the archive (a subtitle on its own line) become one line."""
    lines = [line.strip() for line in title.split("\n") if line.strip()]
    return "".join(lines)
