"""Where a fact pattern can match: near a text's digits, for a pattern every match of which holds one.

Most fact patterns (dates, clock times, scores, ranges, amounts, codes, offsets) cannot match without
a digit, and a news article has a few dozen digit runs in thousands of characters; `finditer` tries
every position, ~0.1 ms per pattern and article. `finditer_near_digits(pattern, text, runs)` yields
exactly what `pattern.finditer(text)` yields, but starts the regex engine only where a match could
reach a digit. The bounds are read from the pattern's own parse tree (the stdlib's `re` parser), so a
rule that changes its pattern keeps them right, and a pattern they cannot bound is scanned whole:

    lead   every match has a digit at most `lead` characters after its start (None: not guaranteed)
    reach  an attempt at a start reads at most `reach` characters from it (None: unbounded), so a
           search cut off `reach` characters past the last candidate start decides those starts as
           the whole text would; lookbehinds and `\\b` see the text before the search position as usual
"""

from __future__ import annotations

import re
import re._parser as sre_parse  # the stdlib's own reader of pattern syntax (re.compile uses it)
from functools import lru_cache
from typing import Iterator

_C = sre_parse  # constants (LITERAL, IN, BRANCH, ...) live beside the parser
_DIGIT_RUN = re.compile(r"\d+")
_REPEATS = {_C.MAX_REPEAT, _C.MIN_REPEAT, _C.POSSESSIVE_REPEAT}
_GROUPS = {_C.SUBPATTERN, _C.ATOMIC_GROUP}
_ZERO_WIDTH = {_C.AT, _C.ASSERT, _C.ASSERT_NOT}


def digit_runs(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _DIGIT_RUN.finditer(text)]


def _body(op, av):
    return av[-1] if op is _C.SUBPATTERN else av  # (group, add flags, del flags, items) or the items


def _is_digit_set(op, av) -> bool:
    """A single character that can only be a digit (what `\\d` in the text finder also sees)."""
    if op is _C.LITERAL:
        return 48 <= av <= 57
    if op is not _C.IN:
        return False
    for item_op, item in av:
        if item_op is _C.CATEGORY and item is _C.CATEGORY_DIGIT:
            continue
        if item_op is _C.RANGE and 48 <= item[0] <= item[1] <= 57:
            continue
        if item_op is _C.LITERAL and 48 <= item <= 57:
            continue
        return False
    return True


def _width(items, lookahead: bool) -> float:
    """The most characters `items` consume (with `lookahead`: also the ones their lookaheads read)."""
    total = 0.0
    for op, av in items:
        if op in _GROUPS:
            total += _width(_body(op, av), lookahead)
        elif op is _C.BRANCH:
            total += max(_width(branch, lookahead) for branch in av[1])
        elif op in _REPEATS:
            if av[1] is _C.MAXREPEAT:
                return float("inf")
            total += av[1] * _width(av[2], lookahead)
        elif op in (_C.ASSERT, _C.ASSERT_NOT):
            if lookahead and av[0] == 1:
                total += _width(av[1], lookahead)
        elif op is _C.AT:
            continue
        elif op in (_C.LITERAL, _C.NOT_LITERAL, _C.IN, _C.ANY):
            total += 1
        else:  # back-references, conditionals: no bound worth proving
            return float("inf")
    return total


def _lead(items) -> float | None:
    """The offset by which every match of `items` has consumed a digit, or None."""
    before = 0.0
    for op, av in items:
        found: float | None = None
        if _is_digit_set(op, av):
            found = 0.0
        elif op in _GROUPS:
            found = _lead(_body(op, av))
        elif op is _C.BRANCH:
            leads = [_lead(branch) for branch in av[1]]
            found = None if any(x is None for x in leads) else max(leads)
        elif op in _REPEATS and av[0] >= 1:
            found = _lead(av[2])
        if found is not None:
            return before + found
        if op not in _ZERO_WIDTH:
            before += _width([(op, av)], lookahead=False)
    return None


@lru_cache(maxsize=1024)
def bounds(source: str, flags: int) -> tuple[int | None, int | None]:
    """(lead, reach) of a pattern, as above; (None, None) when a match needs no digit."""
    try:
        tree = list(sre_parse.parse(source, flags))
    except Exception:  # a pattern this parser reads differently: scan it whole
        return None, None
    lead = _lead(tree)
    if lead is None or lead == float("inf"):
        return None, None
    reach = _width(tree, lookahead=True)
    return int(lead), (None if reach == float("inf") else int(reach) + 2)  # +2: the peeks past the end


def finditer_near_digits(pattern: re.Pattern[str], text: str, runs: list[tuple[int, int]]) -> Iterator[re.Match[str]]:
    """The matches `pattern.finditer(text)` yields, in order; `runs` are `digit_runs(text)`."""
    lead, reach = bounds(pattern.pattern, pattern.flags)
    if lead is None:
        yield from pattern.finditer(text)
        return
    # a match holding the digit at q starts in [q - lead, q]: the candidate starts, merged
    windows: list[list[int]] = []
    for start, end in runs:
        first = max(0, start - lead)
        if windows and first <= windows[-1][1] + 1:
            windows[-1][1] = end - 1
        else:
            windows.append([first, end - 1])
    position, length = 0, len(text)
    for first, last in windows:
        at = max(first, position)
        if reach is None:
            # unbounded reach: each candidate start tried on the whole text, leftmost first
            while at <= last:
                match = pattern.match(text, at)
                if match is None:
                    at += 1
                    continue
                yield match
                position = at = max(match.end(), at + 1)
            continue
        while at <= last:
            # cut off where no attempt from a candidate start can read
            match = pattern.search(text, at, min(length, last + reach))
            if match is None or match.start() > last:
                break
            yield match
            position = at = max(match.end(), match.start() + 1)
