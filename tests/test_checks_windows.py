"""The checks' digit windows: a pattern that needs a digit is tried only near the digits, and yields
exactly what `finditer` over the whole text yields (the fact patterns of the checks, on real texts and
on generated ones)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer.checks import codes, datetimes, numbers
from summarizer.checks.windows import bounds, digit_runs, finditer_near_digits

ROOT = Path(__file__).resolve().parent.parent


def fact_patterns() -> list[re.Pattern[str]]:
    found = [v for module in (numbers, datetimes, codes) for v in vars(module).values() if isinstance(v, re.Pattern)]
    return found + list(datetimes._patterns().values())  # the date patterns are built once, on first use


PATTERNS = fact_patterns()


def spans(matches) -> list[tuple[int, int]]:
    return [m.span() for m in matches]


def test_bounds_are_read_from_the_pattern():
    assert bounds(r"\d{1,2}:\d\d", 0) == (0, 7)  # 5 characters, 2 more for the engine's peeks
    assert bounds(r"(?<![\w.])US\$\s?\d+", 0)[0] == 4  # the digit comes at most 4 characters in
    assert bounds(r"(?<![\w.])US\$\s?\d+", 0)[1] is None  # "\d+": no bound on what it reads
    assert bounds(r"noon|\d\d:\d\d", 0) == (None, None)  # "noon" needs no digit: scanned whole
    assert bounds(r"\d?x", 0) == (None, None)  # an optional digit is no digit
    assert bounds(r"(?:pukul|jam)\s\d{1,2}(?=\sWIB)", 0) == (6, 14)


def test_most_fact_patterns_are_windowed():
    windowed = [p for p in PATTERNS if bounds(p.pattern, p.flags)[0] is not None]
    assert len(windowed) >= 10, [p.pattern[:40] for p in windowed]


def real_texts() -> list[str]:
    rows = [json.loads(line) for line in (ROOT / "tests/data/checks/corpus.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = [r["source"] for r in rows] + [r["translation"] for r in rows]
    return texts + [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]


def test_same_matches_as_finditer_on_real_texts():
    for text in real_texts():
        runs = digit_runs(text)
        for pattern in PATTERNS:
            assert spans(finditer_near_digits(pattern, text, runs)) == spans(pattern.finditer(text)), pattern.pattern[:60]


FACTY = st.sampled_from(["1", "12", "2025", "16.000", "1,5", "13:10", "13.00", "2-1", "ke-3", "HER2", "F-16", "US$", "Rp",
                         " ", "  ", "\n\n", ".", ",", "-", "/", "(", ")", "pukul ", "WIB", "Juli", "July", "23rd", "th",
                         "miliar", "persen", "kg", "GMT+", "a", "Jakarta", "x"])


@settings(max_examples=300, deadline=None)
@given(st.lists(FACTY, max_size=40).map("".join))
def test_same_matches_as_finditer_on_generated_texts(text):
    runs = digit_runs(text)
    for pattern in PATTERNS:
        assert spans(finditer_near_digits(pattern, text, runs)) == spans(pattern.finditer(text)), (pattern.pattern[:60], text)


def test_a_window_cut_short_would_be_caught():
    """The check above can fail: a window that ends one character early loses a real match."""
    pattern = re.compile(r"(?<!\d)\d{1,2}:\d\d(?=\sWIB)")
    text = "x" * 30 + "pukul 13:10 WIB"
    assert spans(finditer_near_digits(pattern, text, digit_runs(text))) == [(36, 41)]
    assert spans(pattern.finditer(text, 0, len(text) - 1)) == []  # a cut through the lookahead
