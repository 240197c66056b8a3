"""Where a file comes from: its path, its path relative to the input root, its publication."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["Source"]


@dataclass(frozen=True, slots=True)
class Source:
    path: Path
    relpath: str
    publication: str = ""
