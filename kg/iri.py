"""The one place that mints IRIs.

IRIs are deterministic: they depend only on the kind of thing and its canonical key, never on
the order of the input or the machine. Keys are percent-encoded UTF-8 so the IRIs are plain
ASCII, which every RDF tool (Jena, GraphDB, Oxigraph, QLever) accepts in every syntax.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from urllib.parse import quote

from rdflib import URIRef

__all__ = ["DEFAULT_BASE", "Minter", "check_iri"]

DEFAULT_BASE = "https://w3id.org/wenxian/id/"

KINDS = ("doc", "person", "org", "place", "meeting", "publication", "concept", "work",
         "citation")


_KEEP = 100_000
_PLAIN = re.compile(r"[A-Za-z0-9._~-]+")
# What an IRI may not hold (RFC 3987), which N-Triples and Turtle cannot write between <>.
_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def check_iri(iri: str) -> str:
    """``iri`` itself, if it can be written as an IRI; else a ``ValueError``.

    >>> check_iri("https://w3id.org/wenxian/id/person/x")
    'https://w3id.org/wenxian/id/person/x'
    >>> check_iri("https://example.org/a b")
    Traceback (most recent call last):
    ValueError: IRI 'https://example.org/a b' cannot be written in N-Triples
    """
    if _NOT_IN_IRI.search(iri):
        raise ValueError(f"IRI {iri!r} cannot be written in N-Triples")
    return iri


def _segment(text: str) -> str:
    text = text.strip()
    return text if _PLAIN.fullmatch(text) else quote(text, safe="")


@lru_cache(maxsize=1024)
def _publication(name: str) -> str:
    """A publication's segment: a few names, each in every document IRI."""
    return _segment(name or "_")


class Minter:
    """Mints IRIs under ``base``, as rdflib terms or written out for N-Triples (the ``_nt``
    methods, which pass 2 uses: it writes millions of triples and needs no term objects).

    >>> m = Minter()
    >>> str(m.document("解放军报", "11789-01-1"))
    'https://w3id.org/wenxian/id/doc/%E8%A7%A3%E6%94%BE%E5%86%9B%E6%8A%A5/11789-01-1'
    >>> m.entity("person", "毛泽东") == m.entity("person", " 毛泽东")
    True
    >>> m.entity_nt("person", "毛泽东") == f"<{m.entity('person', '毛泽东')}>"
    True
    """

    def __init__(self, base: str = DEFAULT_BASE):
        if not base.endswith(("/", "#")):
            base += "/"
        self.base = base
        self._entities: dict[tuple[str, str], str] = {}  # one per distinct entity

    def document(self, scope: str, source_id: str) -> URIRef:
        """A document, by its key (``Record.key``): ``doc/{publication}/{id}`` for an
        identifier unique within a publication (a newspaper's ``{ZQ}-{BH}-{TH}``),
        ``doc/bha/{id}`` for a BHA id, which names its article in the whole archive: the IRI
        is the same whichever copies of the article are read and whatever they say about its
        publication.

        >>> str(Minter().document("bha", "8bad3e691d"))
        'https://w3id.org/wenxian/id/doc/bha/8bad3e691d'
        """
        return URIRef(self._document(scope, source_id))

    def document_nt(self, scope: str, source_id: str) -> str:
        """``document`` in N-Triples.

        >>> Minter().document_nt("bha", "8bad3e691d")
        '<https://w3id.org/wenxian/id/doc/bha/8bad3e691d>'
        """
        return f"<{check_iri(self._document(scope, source_id))}>"

    def _document(self, scope: str, source_id: str) -> str:
        return f"{self.base}doc/{_publication(scope)}/{_segment(source_id)}"

    def entity(self, kind: str, name: str) -> URIRef:
        """An entity, concept or cited work of ``kind`` (one of ``KINDS``), by its name."""
        return URIRef(self.entity_nt(kind, name)[1:-1])

    def entity_nt(self, kind: str, name: str) -> str:
        """``entity`` in N-Triples, remembered: the same entities recur in every document."""
        key = (kind, name)
        if key in self._entities:
            return self._entities[key]
        if kind not in KINDS:
            raise ValueError(f"unknown IRI kind {kind!r}; expected one of {', '.join(KINDS)}")
        if len(self._entities) >= _KEEP:
            self._entities.clear()  # bounded: a long build meets every entity of the archive
        iri = self._entities[key] = f"<{check_iri(f'{self.base}{kind}/{_segment(name)}')}>"
        return iri

    def citation(self, citing: URIRef, cited: URIRef, offset: int) -> URIRef:
        """The reified citation of ``cited`` by ``citing`` at character ``offset``."""
        return URIRef(self._citation(citing, cited, offset))

    def citation_nt(self, citing: str, cited: str, offset: int) -> str:
        """``citation`` in N-Triples, of ``citing`` and ``cited`` in N-Triples.

        >>> m = Minter()
        >>> a, b = m.document("bha", "a"), m.document("bha", "b")
        >>> m.citation_nt(f"<{a}>", f"<{b}>", 7) == f"<{m.citation(a, b, 7)}>"
        True
        """
        return f"<{check_iri(self._citation(citing[1:-1], cited[1:-1], offset))}>"

    def _citation(self, citing: str, cited: str, offset: int) -> str:
        digest = hashlib.sha1(f"{citing} {cited} {offset}".encode()).hexdigest()[:16]
        return f"{self.base}citation/{digest}"

    def source(self, relpath: str, record_index: int) -> URIRef:
        """The record a document was read from: its file (relative to the input root) and index."""
        return URIRef(self._source(relpath, record_index))

    def source_nt(self, relpath: str, record_index: int) -> str:
        """``source`` in N-Triples."""
        return f"<{check_iri(self._source(relpath, record_index))}>"

    def _source(self, relpath: str, record_index: int) -> str:
        return f"{self.base}source/{quote(relpath, safe='/')}#{record_index}"
