"""SHACL validation of a built graph against ``ontology/shapes.ttl`` (``kg validate``)."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import rdflib
from rdflib.namespace import SH

__all__ = ["Violation", "validate", "SHAPES"]

# In the package, so an installed wheel has them; the checkout's ontology/ links here.
SHAPES = Path(str(resources.files("kg") / "resources" / "ontology" / "shapes.ttl"))


@dataclass(frozen=True, slots=True)
class Violation:
    focus: str
    path: str
    message: str
    severity: str

    def __str__(self) -> str:
        return f"{self.severity}: {self.focus} {self.path}: {self.message}"


def validate(out: Path, shapes: Path = SHAPES) -> list[Violation]:
    """The SHACL violations of the graph built in ``out`` (empty when it conforms)."""
    import pyshacl
    data = rdflib.Graph().parse(out / "graph.ttl", format="turtle")
    shapes_graph = rdflib.Graph().parse(shapes)
    _, report, _ = pyshacl.validate(data, shacl_graph=shapes_graph, inference="none",
                                    allow_warnings=True)
    violations = []
    for result in report.subjects(rdflib.RDF.type, SH.ValidationResult):
        def value(predicate):
            found = report.value(result, predicate)
            return "" if found is None else str(found)
        violations.append(Violation(value(SH.focusNode), value(SH.resultPath),
                                    value(SH.resultMessage),
                                    value(SH.resultSeverity).rsplit("#", 1)[-1]))
    return sorted(violations, key=lambda v: (v.focus, v.path, v.message))
