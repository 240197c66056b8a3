"""The command line, run as a user runs it, in a temporary folder."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

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


def test_every_command_is_in_the_readme_with_an_example_in_its_help():
    from kg.cli import parser
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text("utf-8")
    commands = parser()._subparsers._group_actions[0].choices
    assert {"build", "query", "export", "validate", "serve", "graph", "evaluate"} <= set(commands)
    for name in commands:
        assert f"| `kg {name}" in readme, f"kg {name} is not in the README's command table"
        shown = kg(name, "--help")
        assert shown.returncode == 0 and f"example: kg {name}" in shown.stdout, name


def test_the_readme_query_example_answers_on_the_examples(tmp_path):
    import re
    import shlex
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text("utf-8")
    [example] = re.findall(r"\| `(kg query [^`]*)` \|$", readme, re.MULTILINE)
    assert kg("build", EXAMPLES, "--out", tmp_path, "--quiet").returncode == 0
    answer = kg(*shlex.split(example)[1:], "--out", tmp_path, "--format", "csv")
    assert answer.returncode == 0 and len(answer.stdout.strip().splitlines()) > 1, answer


def test_mistakes_get_a_message_not_a_traceback(tmp_path):
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    built = tmp_path / "out"
    assert kg("build", EXAMPLES, "--out", built, "--quiet").returncode == 0
    cut = tmp_path / "cut"
    cut.mkdir()
    text = (built / "graph.ttl").read_text("utf-8")
    (cut / "graph.ttl").write_text(text[: len(text) // 2], encoding="utf-8")
    cases = [
        (("build", EXAMPLES, "--out", tmp_path / "a-file"), "is a file"),
        (("validate", "--out", tmp_path / "nothing"), "no graph.ttl in"),
        (("validate", "--out", cut), "is not valid Turtle"),
        (("query", "INSERT DATA { <a:b> <a:c> <a:d> }", "--out", built),
         "SPARQL Update (INSERT) is not allowed"),
        (("query", "citing-documents", "--param", "titel=x", "--out", built),
         "no parameter(s) titel (did you mean title?)"),
    ]
    for args, message in cases:
        result = kg(*args)
        assert result.returncode != 0 and message in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr, args


def test_serve_on_a_port_in_use_says_so(tmp_path):
    import socket
    assert kg("build", EXAMPLES, "--out", tmp_path, "--quiet").returncode == 0
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        result = kg("serve", "--out", tmp_path, "--port", taken.getsockname()[1])
    assert result.returncode != 0 and "is in use" in result.stderr
    assert "Traceback" not in result.stderr


def test_quiet_hides_progress_not_problems(tmp_path):
    """Tagged records with no publication named anywhere are built with a warning, and a file
    in no known format is an error: both reach the terminal under --quiet."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.TXT").write_text("〖ZQ/总期〗1〖-ZQ/总期〗〖BH/版号〗01〖-BH/版号〗〖TH/条号〗1〖-TH/条号〗"
                                  "〖BT/标题〗标题〖-BT/标题〗", encoding="utf-8")
    (folder / "b.dat").write_bytes(b"\x00\x01 binary")
    result = kg("build", folder, "--out", tmp_path / "out", "--quiet")
    assert result.returncode == 0, result.stderr
    assert "error: b.dat" in result.stderr and "no known format" in result.stderr
    assert "warning: a.TXT" in result.stderr and "--publication" in result.stderr
    report = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    assert any("no publication" in w["message"] for w in report["warnings"])
