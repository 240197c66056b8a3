"""Splitting the name lists found in archive fields (authors, keywords, RW：/DW： lists).

Two author names run together (曹斌韩胜宝) are split where both halves look like names: a
common surname followed by one or two characters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cache

from ..datafiles import read_lines
from ..errors import Problem

__all__ = ["split_list", "split_pseudo_fields", "split_run_together", "looks_like_name",
           "garbled_part", "garbled_authors"]

_SEPARATORS = re.compile(r"[/／;；、，,|\s]+")
_PSEUDO = re.compile(r"(RW|DW)[：:]")
_HAN = re.compile(r"^[\u4e00-\u9fff]+$")
# What no name holds: the replacement character, a question mark left by a failed conversion,
# control and private-use characters, Latin-1 letters of GBK bytes read as Latin-1.
_GARBLED = re.compile(r"[\ufffd?？\x00-\x1f\x7f-\x9f\u00c0-\u00ff\ue000-\uf8ff]+")


def split_list(value: str) -> list[str]:
    """Split a field on the separators archives use, dropping blanks and repeats.

    >>> split_list("经济体制改革；社论")
    ['经济体制改革', '社论']
    >>> split_list("学习,学习, 文章")
    ['学习', '文章']
    """
    seen: dict[str, None] = {}
    for part in _SEPARATORS.split(value):
        part = part.strip()
        if part:
            seen.setdefault(part, None)
    return list(seen)


def split_pseudo_fields(value: str) -> tuple[str, dict[str, list[str]]]:
    """Cut ``RW：``/``DW：`` lists glued into a field; return the rest and the lists.

    >>> split_pseudo_fields("十四大/军队建设/照片RW：江泽民")
    ('十四大/军队建设/照片', {'RW': ['江泽民']})
    """
    parts = _PSEUDO.split(value)
    lists: dict[str, list[str]] = {}
    for code, items in zip(parts[1::2], parts[2::2]):
        lists.setdefault(code, []).extend(split_list(items))
    return parts[0], lists


@cache
def _surnames() -> frozenset[str]:
    return frozenset(read_lines("surnames.txt"))


def looks_like_name(text: str) -> bool:
    """A Han name of two to four characters starting with a common surname.

    >>> looks_like_name("江泽民"), looks_like_name("活动")
    (True, False)
    """
    if not (2 <= len(text) <= 4 and _HAN.match(text)):
        return False
    surnames = _surnames()
    return text[0] in surnames or text[:2] in surnames


def split_run_together(name: str) -> list[str]:
    """Split two names written without a separator, when only one split makes sense.

    >>> split_run_together("曹斌韩胜宝")
    ['曹斌', '韩胜宝']
    >>> split_run_together("欧阳海")
    ['欧阳海']
    """
    if not (4 <= len(name) <= 6 and _HAN.match(name)) or name[:2] in _surnames():
        return [name]
    splits = [(name[:i], name[i:]) for i in range(2, len(name) - 1)
              if 2 <= len(name[i:]) <= 3 and i <= 3]
    good = [s for s in splits if looks_like_name(s[0]) and looks_like_name(s[1])]
    return list(good[0]) if len(good) == 1 else [name]


def garbled_part(name: str) -> str:
    """The characters that make a name look garbled (mis-decoded or damaged), or "".

    >>> garbled_part("砼娉？"), garbled_part("ÍõÏþ"), garbled_part("闻学良")
    ('？', 'ÍõÏþ', '')
    """
    return "".join(_GARBLED.findall(name))


def garbled_authors(authors: Iterable[str], file: str, record: int, line: int | None
                    ) -> Iterator[Problem]:
    """A warning for each author that looks garbled; the author is kept as written."""
    for name in authors:
        if bad := garbled_part(name):
            yield Problem(file, record, line, f"author {name!r} looks garbled (it holds "
                          f"{bad!r}: a mis-decoded or damaged byline); kept as written",
                          "warning")
