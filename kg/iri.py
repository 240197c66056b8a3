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

__all__ = ["DEFAULT_BASE", "Minter"]

DEFAULT_BASE = "https://w3id.org/wenxian/id/"

KINDS = ("doc", "person", "org", "place", "meeting", "publication", "concept", "work",
         "citation")


_KEEP = 100_000
_PLAIN = re.compile(r"[A-Za-z0-9._~-]+")


def _segment(text: str) -> str:
    text = text.strip()
    return text if _PLAIN.fullmatch(text) else quote(text, safe="")


@lru_cache(maxsize=1024)
def _publication(name: str) -> str:
    """A publication's segment: a few names, each in every document IRI."""
    return _segment(name or "_")


class Minter:
    """Mints IRIs under ``base``.

    >>> m = Minter()
    >>> str(m.document("解放军报", "11789-01-1"))
    'https://w3id.org/wenxian/id/doc/%E8%A7%A3%E6%94%BE%E5%86%9B%E6%8A%A5/11789-01-1'
    >>> m.entity("person", "毛泽东") == m.entity("person", " 毛泽东")
    True
    """

    def __init__(self, base: str = DEFAULT_BASE):
        if not base.endswith(("/", "#")):
            base += "/"
        self.base = base
        self._entities: dict[tuple[str, str], URIRef] = {}  # one per distinct entity

    def document(self, scope: str, source_id: str) -> URIRef:
        """A document, by its key (``Record.key``): ``doc/{publication}/{id}`` for an
        identifier unique within a publication (a newspaper's ``{ZQ}-{BH}-{TH}``),
        ``doc/bha/{id}`` for a BHA id, which names its article in the whole archive: the IRI
        is the same whichever copies of the article are read and whatever they say about its
        publication.

        >>> str(Minter().document("bha", "8bad3e691d"))
        'https://w3id.org/wenxian/id/doc/bha/8bad3e691d'
        """
        return URIRef(f"{self.base}doc/{_publication(scope)}/{_segment(source_id)}")

    def entity(self, kind: str, name: str) -> URIRef:
        key = (kind, name)
        if key in self._entities:
            return self._entities[key]
        if kind not in KINDS:
            raise ValueError(f"unknown IRI kind {kind!r}; expected one of {', '.join(KINDS)}")
        if len(self._entities) >= _KEEP:
            self._entities.clear()  # bounded: a long build meets every entity of the archive
        iri = self._entities[key] = URIRef(f"{self.base}{kind}/{_segment(name)}")
        return iri

    def citation(self, citing: URIRef, cited: URIRef, offset: int) -> URIRef:
        """The reified citation of ``cited`` by ``citing`` at character ``offset``."""
        digest = hashlib.sha1(f"{citing} {cited} {offset}".encode()).hexdigest()[:16]
        return URIRef(f"{self.base}citation/{digest}")

    def source(self, relpath: str, record_index: int) -> URIRef:
        """The record a document was read from: its file (relative to the input root) and index."""
        return URIRef(f"{self.base}source/{quote(relpath, safe='/')}#{record_index}")
