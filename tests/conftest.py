"""Shared fixtures: the shared corpus and builds made once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.pipeline import BuildOptions, build

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "corpus"
EXAMPLES = ROOT / "examples"

needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/corpus is not here")


def _build(tmp_path_factory, name: str, *inputs: Path, publication: str = "解放军报",
           workers: int = 1):
    out = tmp_path_factory.mktemp(name)
    report = build(BuildOptions(inputs=tuple(inputs), out=out, publication=publication,
                                workers=workers))
    return out, report


@pytest.fixture(scope="session")
def seeds_build(tmp_path_factory):
    return _build(tmp_path_factory, "seeds", SHARED / "seeds")


@pytest.fixture(scope="session")
def annotated_build(tmp_path_factory):
    return _build(tmp_path_factory, "annotated", SHARED / "annotated" / "docs")


@pytest.fixture(scope="session")
def real_build(tmp_path_factory):
    return _build(tmp_path_factory, "real", SHARED / "real", workers=2)


@pytest.fixture(scope="session")
def examples_build(tmp_path_factory):
    return _build(tmp_path_factory, "examples", EXAMPLES, publication="")
