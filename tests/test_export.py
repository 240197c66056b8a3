"""Exports from the store are the same graph as the Turtle; the build conforms to the shapes."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest
import rdflib
from rdflib.compare import isomorphic

from kg.store import export
from kg.validate import validate

RDFLIB_FORMATS = {"ttl": "turtle", "nt": "nt", "nq": "nquads", "trig": "trig",
                  "jsonld": "json-ld", "rdfxml": "xml"}


@pytest.mark.parametrize("fmt", sorted(RDFLIB_FORMATS))
def test_exports_are_isomorphic_to_the_turtle(fmt, examples_build, tmp_path):
    out, _ = examples_build
    target = tmp_path / f"graph.{fmt}"
    export(out, fmt, str(target))
    if fmt in ("nq", "trig"):
        exported = rdflib.Dataset()
        exported.parse(target, format=RDFLIB_FORMATS[fmt])
        exported = rdflib.Graph() + exported.default_graph
    else:
        exported = rdflib.Graph().parse(target, format=RDFLIB_FORMATS[fmt])
    assert isomorphic(exported, rdflib.Graph().parse(out / "graph.ttl"))


def test_examples_conform_to_the_shapes(examples_build):
    assert validate(examples_build[0]) == []


def test_validate_reports_a_violation(tmp_path, examples_build):
    out = tmp_path / "broken"
    out.mkdir()
    dump = io.BytesIO()
    export(examples_build[0], "nt", dump)
    lines = dump.getvalue().decode("utf-8").splitlines(keepends=True)
    title = "<http://purl.org/dc/terms/title>"
    kept = [line for line in lines if title not in line or "/doc/" not in line.split(" ")[0]]
    (out / "graph.ttl").write_text("".join(kept), encoding="utf-8")
    violations = validate(out)
    assert violations and all("/doc/" in v.focus for v in violations)
    result = subprocess.run([sys.executable, "-m", "kg", "validate", "--out", str(out)],
                            capture_output=True, text=True)
    assert result.returncode == 1 and "violation" in result.stdout
