"""Turning the bytes of an archive file into text.

Real archive files are GB2312/GBK (read as GB18030, its superset) with CRLF; converted copies
are UTF-8 with or without a byte-order mark, and some tools save UTF-16 (or UTF-32) with one.
Undecodable bytes are replaced and reported with the line they are on, so one bad byte never
loses a whole file.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Decoded", "decode"]


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str
    bad_line: int | None = None  # first line with undecodable bytes, if any


# Byte-order marks of the wide encodings, UTF-32 first: its little-endian mark starts with
# UTF-16's. Neither UTF-8 nor GB18030 text can start with these bytes.
_WIDE_BOMS = ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
              (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def decode(data: bytes) -> Decoded:
    """Decode ``data`` as UTF-8 (BOM or not), else GB18030, or as UTF-16/32 when it starts
    with their byte-order mark; newlines become ``\\n``.

    >>> decode("〖BT/标题〗决定".encode("gb18030")).encoding
    'gb18030'
    >>> decode(b"\\xef\\xbb\\xbfid: 1\\r\\n").text
    'id: 1\\n'
    >>> decode("id: 1\\r\\n".encode("utf-16")).text
    'id: 1\\n'
    """
    for bom, encoding in _WIDE_BOMS:
        if data.startswith(bom):
            return _decode_wide(data, encoding)
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


def _decode_wide(data: bytes, encoding: str) -> Decoded:
    """UTF-16 or UTF-32 with a byte-order mark (which the codec reads and drops)."""
    try:
        return Decoded(_newlines(data.decode(encoding)), encoding)
    except UnicodeDecodeError as error:  # an odd length, a lone surrogate
        bad_line = _newlines(data[:error.start].decode(encoding, errors="replace")).count("\n") + 1
        return Decoded(_newlines(data.decode(encoding, errors="replace")), encoding, bad_line)


def _first_gb_error(data: bytes) -> int:
    try:
        data.decode("gb18030")
    except UnicodeDecodeError as error:
        return error.start
    return 0


def _newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")
