"""Chinese numerals and the dates written with them in text.

Archive texts write dates as 一九九0年三月十二日 (the zero often as an ASCII 0 or 〇/零), as
1990年3月12日, or partly (四月二十日 in a dateline, completed from the record's date).
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..model import DateValue

__all__ = ["chinese_number", "parse_text_date", "DATE_PATTERN"]

_DIGITS = {"〇": 0, "零": 0, "○": 0, "0": 0, "O": 0, "一": 1, "二": 2, "两": 2, "三": 3,
           "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_DIGIT_CHARS = "〇零○0O一二两三四五六七八九"
_NUMBER = f"[{_DIGIT_CHARS}十廿1-9]"
_YEAR = f"(?:[{_DIGIT_CHARS}]{{4}}|[0-9０-９]{{4}})"

DATE_PATTERN = re.compile(
    rf"(?P<year>{_YEAR})年(?P<month>{_NUMBER}{{1,3}}|[0-9０-９]{{1,2}})月"
    rf"(?:(?P<day>{_NUMBER}{{1,3}}|[0-9０-９]{{1,2}})日)?")


_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


@lru_cache(maxsize=4096)  # the same few numbers, again and again
def chinese_number(text: str) -> int:
    """The value of a number written in Chinese numerals or digits, 0–9999.

    >>> chinese_number("十三"), chinese_number("二十"), chinese_number("一九九0")
    (13, 20, 1990)
    >>> chinese_number("廿一")
    21
    """
    text = text.translate(_FULLWIDTH_DIGITS)
    if text.isdigit() and text.isascii():
        return int(text)
    if "十" not in text and "廿" not in text:
        return int("".join(str(_DIGITS[c]) for c in text))
    if text.startswith("廿"):
        return 20 + (chinese_number(text[1:]) if len(text) > 1 else 0)
    tens, _, ones = text.partition("十")
    return (_DIGITS[tens] if tens else 1) * 10 + (_DIGITS[ones] if ones else 0)


def parse_text_date(text: str) -> DateValue | None:
    """The date in ``text`` (the first one), or ``None``.

    >>> parse_text_date("十三届六中全会一九九0年三月十二日通过")
    DateValue(year=1990, month=3, day=12)

    A day its month does not have is left out (an OCR slip, most likely):

    >>> parse_text_date("一九九〇年二月三十日通过")
    DateValue(year=1990, month=2, day=None)
    """
    match = DATE_PATTERN.search(text)
    if not match:
        return None
    try:
        year = chinese_number(match.group("year"))
        month = chinese_number(match.group("month"))
        day = chinese_number(match.group("day")) if match.group("day") else None
    except (KeyError, ValueError):
        return None
    if not (1 <= month <= 12) or (day is not None and not 1 <= day <= 31):
        return None
    return DateValue.checked(year, month, day)[0]
