"""The checks' windows: a pattern every match of which needs a digit or one of a few words is tried only
near them, and yields exactly what `finditer` over the whole text yields (the fact patterns of the
checks, on real texts and on generated ones)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer.checks import codes, datetimes, numbers
from summarizer.checks.windows import DIGIT, TextIndex, bounds, finditer_windowed

ROOT = Path(__file__).resolve().parent.parent


def fact_patterns() -> list[re.Pattern[str]]:
    found = [v for module in (numbers, datetimes, codes) for v in vars(module).values() if isinstance(v, re.Pattern)]
    found += [p for module in (numbers, datetimes, codes) for v in vars(module).values() if isinstance(v, dict)
              for p in v.values() if isinstance(p, re.Pattern)]  # one pattern per language ("1: 43.443")
    return found + list(datetimes._patterns().values())  # the date patterns are built once, on first use


PATTERNS = fact_patterns()


def spans(matches) -> list[tuple[int, int]]:
    return [m.span() for m in matches]


def test_bounds_are_read_from_the_pattern():
    digit = frozenset([DIGIT])
    assert bounds(r"\d{1,2}:\d\d", 0) == (0, 7, digit)  # 5 characters, 2 more for the engine's peeks
    assert bounds(r"(?<![\w.])US\$\s?\d+", 0)[:1] == (4,)  # the digit comes at most 4 characters in
    assert bounds(r"(?<![\w.])US\$\s?\d+", 0)[1] is None  # "\d+": no bound on what it reads
    assert bounds(r"\b(?:noon|midnight)\b|\d\d:\d\d", re.I) == (0, 10, frozenset([DIGIT, "noon", "midnight"]))
    assert bounds(r"\d?x", 0)[0] is None  # an optional digit is no digit
    assert bounds(r"\b(?:a|an)\s\w+", 0)[0] is None  # "a" is everywhere: not worth a window
    assert bounds(r"(?:pukul|jam)\s\d{1,2}(?=\sWIB)", 0) == (6, 14, digit)  # a digit is preferred to words
    assert bounds(r"(?P<p>\$)?\d{1,3}(?(p),\d{3}|)", 0) == (1, 10, digit)  # a conditional: its wider branch
    assert bounds(r"\bke(?=tiga)\w+", re.I) == (2, None, frozenset(["tiga"]))  # a lookahead's text counts
    assert bounds(r"\b(?:Sept|Juli)\b", re.I) == (0, 6, frozenset(["sept", "juli"]))
    assert bounds(r"(?=\d)", 0)[0] is None  # an empty match: finditer's own rules


def test_most_fact_patterns_are_windowed():
    windowed = [p for p in PATTERNS if bounds(p.pattern, p.flags)[0] is not None]
    assert len(windowed) >= 10, [p.pattern[:40] for p in windowed]


def real_texts() -> list[str]:
    rows = [json.loads(line) for line in (ROOT / "tests/data/checks/corpus.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = [r["source"] for r in rows] + [r["translation"] for r in rows]
    return texts + [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]


def test_same_matches_as_finditer_on_real_texts():
    for text in real_texts():
        index = TextIndex(text)
        for pattern in PATTERNS:
            assert spans(finditer_windowed(pattern, index)) == spans(pattern.finditer(text)), pattern.pattern[:60]


FACTY = st.sampled_from(["1", "12", "2025", "16.000", "1,5", "13:10", "13.00", "2-1", "ke-3", "HER2", "F-16", "US$", "Rp",
                         " ", "  ", "\n\n", ".", ",", "-", "/", "(", ")", "pukul ", "WIB", "Juli", "July", "23rd", "th",
                         "miliar", "persen", "kg", "GMT+", "a", "Jakarta", "x", "noon", "Noon", "NOON", "dua", "belas",
                         "tiga", "ke", "Sept", "é", "\u212a", "\u017f", "\u0130", "jam ", "o'clock", "mid", "night",
                         "one", "twenty", "hundred", "first", " and ", "half", "a quarter", "million", "someone", "often"])


@settings(max_examples=300, deadline=None)
@given(st.lists(FACTY, max_size=40).map("".join))
def test_same_matches_as_finditer_on_generated_texts(text):
    index = TextIndex(text)
    for pattern in PATTERNS:
        assert spans(finditer_windowed(pattern, index)) == spans(pattern.finditer(text)), (pattern.pattern[:60], text)


def test_a_window_cut_short_would_be_caught():
    """The check above can fail: a window that ends one character early loses a real match."""
    pattern = re.compile(r"(?<!\d)\d{1,2}:\d\d(?=\sWIB)")
    text = "x" * 30 + "pukul 13:10 WIB"
    assert spans(finditer_windowed(pattern, TextIndex(text))) == [(36, 41)]
    assert spans(pattern.finditer(text, 0, len(text) - 1)) == []  # a cut through the lookahead


class CountingPattern:
    """A compiled pattern that counts the engine calls `finditer_windowed` makes on it."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.inner, self.pattern, self.flags = pattern, pattern.pattern, pattern.flags
        self.calls = {"search": 0, "match": 0}

    def search(self, *args):
        self.calls["search"] += 1
        return self.inner.search(*args)

    def match(self, *args):
        self.calls["match"] += 1
        return self.inner.match(*args)

    def finditer(self, *args):
        return self.inner.finditer(*args)


def test_a_narrow_window_with_a_long_reach_is_tried_start_by_start():
    """A run of number words reads up to ~300 characters from its start, but can start only at its
    word: one match attempt per candidate start, not a search that also tries the 300 starts after it."""
    pattern = CountingPattern(numbers._EN_RUN)
    text = "x " * 200 + "one hundred and twenty people, " + "y " * 200 + "often someone"
    _lead, reach, _anchors = bounds(pattern.pattern, pattern.flags)
    assert reach > 200
    assert spans(finditer_windowed(pattern, TextIndex(text))) == spans(numbers._EN_RUN.finditer(text)) == [(400, 422)]
    assert pattern.calls["search"] == 0
    assert pattern.calls["match"] < 20


def test_the_windows_of_one_text_are_merged_once_for_patterns_that_share_their_anchors():
    text = "Pada 12 Maret 2025 pukul 13.00, 16.000 orang datang."
    index = TextIndex(text)
    same = [re.compile(r"\d{1,2}:\d\d"), re.compile(r"\d+(?:\.\d{3})+")]
    assert {bounds(p.pattern, p.flags)[0] for p in same} == {0}
    for pattern in same:
        assert spans(finditer_windowed(pattern, index)) == spans(pattern.finditer(text))
    assert list(index.windows) == [(frozenset([DIGIT]), 0)]
