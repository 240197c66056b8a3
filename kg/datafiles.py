"""Reading the data files the project ships (gazetteers, rules, word lists).

They live in ``kg/extract/data/``; rules and lists are data, not code.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

__all__ = ["DATA_DIR", "read_lines", "read_tsv"]

DATA_DIR = Path(__file__).parent / "extract" / "data"


@cache
def read_lines(name: str) -> tuple[str, ...]:
    """The non-blank, non-comment lines of a data file, stripped."""
    text = (DATA_DIR / name).read_text("utf-8")
    return tuple(line.strip() for line in text.splitlines()
                 if line.strip() and not line.lstrip().startswith("#"))


@cache
def read_tsv(name: str) -> tuple[dict[str, str], ...]:
    """The rows of a tab-separated data file with a header line, as dicts by column."""
    lines = [line for line in (DATA_DIR / name).read_text("utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    header = lines[0].split("\t")
    rows = []
    for number, line in enumerate(lines[1:], 2):
        cells = line.split("\t")
        if len(cells) > len(header):
            raise ValueError(f"{name}: row {number} has {len(cells)} columns, "
                             f"the header {len(header)}")
        rows.append(dict(zip(header, (c.strip() for c in cells + [""] * len(header)))))
    return tuple(rows)
