"""SHACL validation of a built graph against ``ontology/shapes.ttl`` (``kg validate``)."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import rdflib
from rdflib.namespace import SH

from .errors import KgError

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
    path = out / "graph.ttl"
    if not path.is_file():
        raise KgError(f"no graph.ttl in {out}: run `kg build … --out {out}` first")
    try:
        data = rdflib.Graph().parse(path, format="turtle")
    except Exception as error:  # rdflib's parser raises its own kinds, not one base class
        line = getattr(error, "lines", None)  # its BadSyntax knows the line
        raise KgError(f"{path} is not valid Turtle ({type(error).__name__}"
                      + (f" at line {line + 1}" if isinstance(line, int) else "")
                      + "); it may be cut short: build again") from None
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
