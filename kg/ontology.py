"""The one place that knows the ontology terms.

``WX`` mirrors ``ontology/wenxian.ttl``; a test checks the two agree, and a typo in a term
fails at import (``DefinedNamespace`` is closed).
"""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, XSD, DefinedNamespace

__all__ = ["WX", "CITO", "SCHEMA", "DCTERMS", "FOAF", "OWL", "PROV", "RDF", "RDFS", "SKOS",
           "XSD", "PREFIXES", "ENTITY_CLASSES"]


class WX(DefinedNamespace):
    """The wenxian ontology (``https://w3id.org/wenxian/ontology#``)."""

    _NS = Namespace("https://w3id.org/wenxian/ontology#")
    _fail = True

    Document: URIRef
    CitedWork: URIRef
    Publication: URIRef
    Person: URIRef
    Organization: URIRef
    Place: URIRef
    Meeting: URIRef

    subtitle: URIRef
    pretitle: URIRef
    genre: URIRef
    page: URIRef
    pageName: URIRef
    issueNumber: URIRef
    item: URIRef
    classification: URIRef
    column: URIRef
    otherField: URIRef
    endDate: URIRef
    adoptedOn: URIRef
    sourcePath: URIRef
    recordIndex: URIRef
    sourceFormat: URIRef
    surface: URIRef
    startOffset: URIRef
    endOffset: URIRef
    resolutionRule: URIRef
    matchScore: URIRef

    tag: URIRef
    keyword: URIRef
    mentions: URIRef
    adoptedAt: URIRef
    reprintOf: URIRef
    listedPerson: URIRef
    listedUnit: URIRef
    issuedBy: URIRef


class CITO(DefinedNamespace):
    """The parts of CiTO the graph uses."""

    _NS = Namespace("http://purl.org/spar/cito/")
    _fail = True

    cites: URIRef
    Citation: URIRef
    hasCitingEntity: URIRef
    hasCitedEntity: URIRef


SCHEMA = Namespace("https://schema.org/")

PREFIXES = {
    "wx": str(WX._NS),
    "id": "https://w3id.org/wenxian/id/",
    "cito": str(CITO._NS),
    "dcterms": str(DCTERMS),
    "foaf": str(FOAF),
    "owl": str(OWL),
    "prov": str(PROV),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "schema": str(SCHEMA),
    "skos": str(SKOS),
    "xsd": str(XSD),
}

ENTITY_CLASSES = {
    "person": WX.Person,
    "organization": WX.Organization,
    "place": WX.Place,
    "meeting": WX.Meeting,
    "publication": WX.Publication,
}
