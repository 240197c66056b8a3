"""The command line, run as a user runs it, in a temporary folder."""

from __future__ import annotations

import json
import subprocess
import sys

from .conftest import EXAMPLES, SHARED, needs_shared


def kg(*args, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd, timeout=600)


def test_build_examples_then_evaluate_help(tmp_path):
    result = kg("build", EXAMPLES, "--out", tmp_path / "out", "--workers", "1")
    assert result.returncode == 0, result.stderr
    assert "7 documents" in result.stdout
    report = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    assert report["errors"] == [] and report["reconciles"]
    assert (tmp_path / "out" / "store").is_dir()


def test_missing_input_is_a_clear_error(tmp_path):
    result = kg("build", tmp_path / "nope", "--out", tmp_path / "out")
    assert result.returncode == 2
    assert "does not exist" in result.stderr
    assert "Traceback" not in result.stderr


@needs_shared
def test_evaluate_prints_a_table_and_json(tmp_path):
    assert kg("build", SHARED / "seeds", "--publication", "解放军报", "--out", tmp_path,
              "--quiet").returncode == 0
    table = kg("evaluate", "--gold", SHARED / "annotated" / "seeds.gold.json", "--out", tmp_path)
    assert table.returncode == 0 and "citations" in table.stdout
    scores = json.loads(kg("evaluate", "--gold", SHARED / "annotated" / "seeds.gold.json",
                           "--out", tmp_path, "--json").stdout)
    assert scores["citations"]["f1"] == 1.0


def test_every_command_has_help_with_an_example():
    from kg.cli import parser
    commands = parser()._subparsers._group_actions[0].choices
    for name, sub in commands.items():
        assert "example:" in (sub.epilog or ""), name
