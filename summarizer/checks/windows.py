"""Where a fact pattern can match: near what every match of it must hold (a digit, or one of a few words).

Most fact patterns cannot match without a digit (dates, clock times, scores, amounts, codes) or
without one of a few words ("pukul", "noon", the Indonesian number words, the month names), and a
news article has a few dozen of those in thousands of characters; `finditer` tries every position,
~0.1-0.5 ms per pattern and article. `finditer_windowed(pattern, index)` yields exactly what
`pattern.finditer(index.text)` yields, but starts the regex engine only where a match could reach one.
The bounds are read from the pattern's own parse tree (the stdlib's `re` parser), so a rule that
changes its pattern keeps them right, and a pattern they cannot bound is scanned whole:

    anchors  what every match holds: DIGIT (any digit) or literal strings (found case-insensitively);
             a lookahead's text counts, it must be there too. Literals of fewer than 3 characters are
             too common to be worth it ("a", "an"): such a pattern is scanned whole
    lead     an anchor starts at most `lead` characters after the match start
    reach    an attempt at a start reads at most `reach` characters from it (None: unbounded), so a
             search cut off `reach` characters past the last candidate start decides those starts as
             the whole text would; lookbehinds and `\\b` see the text before the search position as usual

Case-insensitive literals are looked for in `text.lower()`; a text with a non-ASCII letter (whose case
folding the regex engine may treat otherwise, "K" the Kelvin sign) is scanned whole for them.
"""

from __future__ import annotations

import re
import re._parser as sre_parse  # the stdlib's own reader of pattern syntax (re.compile uses it)
from functools import lru_cache
from typing import Iterator

_C = sre_parse  # constants (LITERAL, IN, BRANCH, ...) live beside the parser
_DIGIT_RUN = re.compile(r"\d+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_REPEATS = {_C.MAX_REPEAT, _C.MIN_REPEAT, _C.POSSESSIVE_REPEAT}
_GROUPS = {_C.SUBPATTERN, _C.ATOMIC_GROUP}
_ZERO_WIDTH = {_C.AT, _C.ASSERT, _C.ASSERT_NOT}
DIGIT = ""  # the anchor "any digit" (no literal is empty)
_MIN_LITERAL = 3
_INF = float("inf")
# windows less than this apart are searched as one: the starts between them cannot match (no anchor is
# near), and the regex engine skips them faster than a second search call costs (~2 us)
_GAP = 16
# a `match` call costs about what a search's attempts at this many starts cost: one call per start
# is cheaper while the starts left, times this, are fewer than the characters of reach (16 gave the
# fewest instructions per check of seed 000 under valgrind, of 4 to 64)
_MATCH_COST = 16


class TextIndex:
    """What the windows need of one text, computed once: digit runs, the lower-cased text, anchors' places."""

    __slots__ = ("text", "_runs", "_lower", "_found", "windows")

    def __init__(self, text: str) -> None:
        self.text = text
        self._runs: list[tuple[int, int]] | None = None
        self._lower: str | None = None
        self._found: dict[str, list[tuple[int, int]]] = {}
        # `_windows` by (anchors, lead): a text's patterns share a few (a digit 0 characters in: 6 of 11)
        self.windows: dict[tuple[frozenset[str], int], list[list[int]] | None] = {}

    def runs(self) -> list[tuple[int, int]]:
        if self._runs is None:
            self._runs = [m.span() for m in _DIGIT_RUN.finditer(self.text)]
        return self._runs

    def lowered(self) -> str | None:
        """The text lower-cased, or None when a literal search there could miss a case-insensitive match."""
        if self._lower is None:
            text = self.text
            unsafe = any(c.isalpha() for c in _NON_ASCII.findall(text))
            lowered = "" if unsafe else text.lower()
            self._lower = lowered if len(lowered) == len(text) else ""
        return self._lower if (self._lower or not self.text) else None

    def places(self, anchor: str) -> list[tuple[int, int]] | None:
        """(start, end) of every occurrence of `anchor` (overlapping ones too)."""
        if anchor == DIGIT:
            return self.runs()
        if anchor not in self._found:
            lowered = self.lowered()
            if lowered is None:
                return None
            found, at = [], lowered.find(anchor)
            while at != -1:
                found.append((at, at + len(anchor)))
                at = lowered.find(anchor, at + 1)
            self._found[anchor] = found
        return self._found[anchor]


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
                return _INF
            total += av[1] * _width(av[2], lookahead)
        elif op in (_C.ASSERT, _C.ASSERT_NOT):
            if lookahead and av[0] == 1:
                total += _width(av[1], lookahead)
        elif op is _C.AT:
            continue
        elif op in (_C.LITERAL, _C.NOT_LITERAL, _C.IN, _C.ANY):
            total += 1
        elif op is _C.GROUPREF_EXISTS:  # (?(group)yes|no): the wider branch
            total += max(_width(av[1], lookahead), _width(av[2], lookahead) if av[2] is not None else 0.0)
        else:  # back-references: no bound worth proving
            return _INF
    return total


Anchor = tuple[float, frozenset[str]]  # (lead, anchors)


def _selective(found: Anchor | None) -> bool:
    return found is not None and all(a == DIGIT or (len(a) >= _MIN_LITERAL and a.isascii()) for a in found[1])


def _literal_run(items: list, i: int) -> str:
    """The literal characters from `items[i]` on (LITERAL ops in a row)."""
    chars = []
    while i < len(items) and items[i][0] is _C.LITERAL:
        chars.append(chr(items[i][1]))
        i += 1
    return "".join(chars)


def _anchor_of(op, av) -> Anchor | None:
    """What one element guarantees, or None."""
    if _is_digit_set(op, av):
        return 0.0, frozenset([DIGIT])
    if op in _GROUPS:
        return _anchors(list(_body(op, av)))
    if op is _C.BRANCH:
        found = [_anchors(list(branch)) for branch in av[1]]
        if any(not _selective(f) for f in found):
            return None
        return max(f[0] for f in found), frozenset().union(*(f[1] for f in found))
    if (op in _REPEATS and av[0] >= 1) or (op is _C.ASSERT and av[0] == 1):
        return _anchors(list(av[2] if op in _REPEATS else av[1]))
    return None


def _anchors(items: list) -> Anchor | None:
    """A selective anchor every match of the sequence `items` holds, with its lead: a digit if there
    is one (a text has few digit runs, and they are found once for every pattern), else the first."""
    before, i, first = 0.0, 0, None
    while i < len(items) and before < _INF:
        op, av = items[i]
        if op is _C.LITERAL and not _is_digit_set(op, av):
            literal = _literal_run(items, i)
            found: Anchor | None = (0.0, frozenset([literal.lower()]))
            step = len(literal)
        else:
            found, step = _anchor_of(op, av), 1
        if _selective(found):
            if found[1] == {DIGIT}:
                return before + found[0], found[1]
            first = first or (before + found[0], found[1])
        for op, av in items[i:i + step]:
            if op not in _ZERO_WIDTH:
                before += _width([(op, av)], lookahead=False)
        i += step
    return first


@lru_cache(maxsize=1024)
def bounds(source: str, flags: int) -> tuple[int | None, int | None, frozenset[str]]:
    """(lead, reach, anchors) of a pattern, as above; lead None: scan it whole."""
    try:
        parsed = sre_parse.parse(source, flags)  # once per pattern and process: ~0.1 ms to 3 ms each
    except Exception:  # a pattern this parser reads differently: scan it whole
        return None, None, frozenset()
    tree = list(parsed)
    found = _anchors(tree)
    if found is None or found[0] == _INF or parsed.getwidth()[0] == 0:  # an empty match: finditer's own rules
        return None, None, frozenset()
    reach = _width(tree, lookahead=True)
    return int(found[0]), (None if reach == _INF else int(reach) + 2), found[1]  # +2: the peeks past the end


def _windows(index: TextIndex, anchors: frozenset[str], lead: int) -> list[list[int]] | None:
    """Merged [first, last] ranges of the starts from which a match can reach an anchor: a match holding
    a digit of the run [r0, r1) starts in [r0 - lead, r1 - 1]; one holding the literal at p, in [p - lead, p].
    Computed once per text for each (anchors, lead); the caller only reads them."""
    key = (anchors, lead)
    if key not in index.windows:
        index.windows[key] = _merged_windows(index, anchors, lead)
    return index.windows[key]


def _merged_windows(index: TextIndex, anchors: frozenset[str], lead: int) -> list[list[int]] | None:
    ranges: list[tuple[int, int]] = []
    for anchor in anchors:
        found = index.places(anchor)
        if found is None:
            return None
        ranges += [(start - lead, end - 1 if anchor == DIGIT else start) for start, end in found]
    ranges.sort()
    windows: list[list[int]] = []
    for first, last in ranges:
        if windows and first <= windows[-1][1] + _GAP:
            windows[-1][1] = max(windows[-1][1], last)
        else:
            windows.append([max(0, first), last])
    return windows


def finditer_windowed(pattern: re.Pattern[str], index: TextIndex) -> Iterator[re.Match[str]]:
    """The matches `pattern.finditer(index.text)` yields, in order."""
    text = index.text
    lead, reach, anchors = bounds(pattern.pattern, pattern.flags)
    windows = None if lead is None else _windows(index, anchors, lead)
    if windows is None:
        yield from pattern.finditer(text)
        return
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
            if (last - at + 1) * _MATCH_COST < reach:
                # few starts left against a long reach: a search would also try every start in the
                # `reach` characters after `last` (up to ~300 for a run of number words); one match
                # attempt at each candidate start finds the same, as it reads at most `reach` characters
                match = pattern.match(text, at)
                if match is None:
                    at += 1
                    continue
            else:
                # cut off where no attempt from a candidate start can read
                match = pattern.search(text, at, min(length, last + reach))
                if match is None or match.start() > last:
                    break
            yield match
            position = at = max(match.end(), match.start() + 1)
