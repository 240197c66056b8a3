"""Regular expressions tried only where a string every match holds occurs.

Python's ``re`` tries a pattern that starts with a lookbehind, a group or a common character
class at every position of a text, and a text of the archive has few places where one of the
extractor's patterns can match: a rarer string (届, 中全会, 《, ·) a few characters from the
match's start says where. ``str.find`` (or a pattern that starts with a rare character) finds
those places at C speed, and the pattern is tried only there.
"""

from __future__ import annotations

import re

__all__ = ["finditer_near"]


def finditer_near(pattern: re.Pattern, text: str, anchor: str | re.Pattern,
                  reach: int) -> list[re.Match]:
    """The matches of ``pattern.finditer(text)``, when every match holds ``anchor`` (a
    string, or a pattern whose matches do not overlap), beginning at most ``reach``
    characters after the match's start.

    The next match after the last one starts between ``reach`` characters before the next
    anchor and that anchor; ``pattern.match`` there (which sees the text before it, for
    lookbehinds) finds what ``finditer`` finds.

    >>> plenum = re.compile("(?<![届一二三四五六七八九十])([一二三四五六七八九十]{1,3})中全会")
    >>> [m.group() for m in finditer_near(plenum, "十二届三中全会，四中全会和十三中全会", "中全会", 3)]
    ['四中全会', '十三中全会']
    """
    if isinstance(anchor, str):
        find = text.find
    else:
        search = anchor.search

        def find(anchor, start=0):
            found = search(text, start)
            return found.start() if found else -1
    matches = []
    tried = 0  # every match that starts before this is found
    at = find(anchor)
    while at >= 0:
        for start in range(max(tried, at - reach), at + 1):
            if match := pattern.match(text, start):
                matches.append(match)
                tried = match.end()
                break
        else:
            tried = at + 1
        at = find(anchor, tried)
    return matches
