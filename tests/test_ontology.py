"""The Python namespace, the OWL file and the SHACL shapes agree, and the build validates."""

from __future__ import annotations

from pathlib import Path

import rdflib
from rdflib.namespace import OWL, RDF

from kg.ontology import WX

ONTOLOGY = Path(__file__).resolve().parent.parent / "ontology"


def test_every_term_in_code_is_declared_in_the_ontology_and_back():
    graph = rdflib.Graph().parse(ONTOLOGY / "wenxian.ttl")
    declared = {str(s).split("#")[1] for s in graph.subjects(RDF.type, None)
                if str(s).startswith(str(WX._NS)) and "#" in str(s)}
    in_code = set(WX.__annotations__)
    assert in_code == declared
    for term in declared:
        iri = WX._NS[term]
        labels = {label.language for label in graph.objects(iri, rdflib.RDFS.label)}
        assert {"zh", "en"} <= labels, term
        assert (iri, rdflib.RDFS.comment, None) in graph, term
    assert (None, RDF.type, OWL.Ontology) in graph


def test_shapes_and_context_parse():
    import json
    rdflib.Graph().parse(ONTOLOGY / "shapes.ttl")
    context = json.loads((ONTOLOGY / "context.jsonld").read_text("utf-8"))
    assert "@context" in context
