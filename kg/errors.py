"""Errors that carry where they happened: the file, the record in it and the line."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["KgError", "ReaderError", "Problem"]


class KgError(Exception):
    """Base class of the errors the library raises on purpose."""


@dataclass(frozen=True, slots=True)
class Problem:
    """A problem found in the input: an error (the record was not built) or a warning.

    ``record`` is the 0-based index of the record in its file (``None`` when the whole file
    is concerned); ``line`` the 1-based line where the problem was seen (``None`` when the
    format has no lines, as in JSON).
    """

    file: str
    record: int | None
    line: int | None
    message: str
    severity: str = "error"

    def __post_init__(self):
        # A report is UTF-8: text that cannot be (a lone surrogate from a JSON escape, an
        # undecodable file name) would stop the build where the report is written.
        for name in ("file", "message"):
            text = getattr(self, name)
            if not text.isascii():
                object.__setattr__(self, name, _writable(text))

    def __str__(self) -> str:
        where = self.file
        if self.record is not None:
            where += f", record {self.record}"
        if self.line is not None:
            where += f", line {self.line}"
        return f"{where}: {self.message}"

    def as_dict(self) -> dict:
        return {"file": self.file, "record": self.record, "line": self.line,
                "message": self.message}


class ReaderError(KgError):
    """A record or a file that a reader cannot turn into a :class:`~kg.model.Record`."""

    def __init__(self, file: str, record: int | None, line: int | None, message: str):
        super().__init__(message)
        self.problem = Problem(file, record, line, message)

    def __str__(self) -> str:
        return str(self.problem)


def _writable(text: str) -> str:
    """``text`` with what UTF-8 cannot encode (lone surrogates) written as ``\\udcff``.

    >>> _writable("bad\\udcff.txt 好")
    'bad\\\\udcff.txt 好'
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", errors="backslashreplace").decode("utf-8")
    return text
