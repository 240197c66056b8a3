"""Turning the bytes of an archive file into text.

Real archive files are GB2312/GBK (read as GB18030, its superset) with CRLF; converted copies
are UTF-8 with or without a byte-order mark. Undecodable bytes are replaced and reported with
the line they are on, so one bad byte never loses a whole file.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Decoded", "decode"]


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str
    bad_line: int | None = None  # first line with undecodable bytes, if any


def decode(data: bytes) -> Decoded:
    """Decode ``data`` as UTF-8 (BOM or not), else GB18030; newlines become ``\\n``.

    >>> decode("〖BT/标题〗决定".encode("gb18030")).encoding
    'gb18030'
    >>> decode(b"\\xef\\xbb\\xbfid: 1\\r\\n").text
    'id: 1\\n'
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for encoding in ("utf-8", "gb18030"):
        try:
            return Decoded(_newlines(data.decode(encoding)), encoding)
        except UnicodeDecodeError as error:
            if encoding == "utf-8":
                utf8_error = error
    # Neither decodes cleanly: keep the reading with fewer replacements and say where.
    readings = [(data.decode(enc, errors="replace"), enc) for enc in ("utf-8", "gb18030")]
    text, encoding = min(readings, key=lambda r: r[0].count("\ufffd"))
    bad_offset = utf8_error.start if encoding == "utf-8" else _first_gb_error(data)
    bad_line = data.count(b"\n", 0, bad_offset) + 1
    return Decoded(_newlines(text), encoding, bad_line)


def _first_gb_error(data: bytes) -> int:
    try:
        data.decode("gb18030")
    except UnicodeDecodeError as error:
        return error.start
    return 0


def _newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")
