"""Scanning: the typed fact every extractor yields, the span ledger that makes extraction longest-first,
and the sentence/paragraph splitting the checks share.

Extraction runs the families in a fixed order (see `facts.extract_facts`), each claiming the characters
it matched in one `Taken` ledger, so "13:10" read as a clock time is never read again as the ordinal
13, and the digits of "HER2" or "COVID-19" are never read as plain numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

from summarizer.checks.windows import TextIndex, finditer_windowed

Lang = str  # "id" or "en": the number conventions of a text


@dataclass(frozen=True)
class Quantity:
    """One fact found in a text.

    `kind`: number, year, ordinal, percent, money:USD (money:IDR, ...), date, month, time, code, score,
    range, address, tz. `value` is the canonical value (numbers: a float; dates: YYYYMMDD, or MMDD
    without a year; months: 1-12; times: minutes after midnight; codes, scores, ranges, addresses: a
    normalised string). `alts` holds the other readings of an ambiguous token ("1.000" is a thousand
    or one; "pukul 7" is 07:00 or 19:00; 03/07 is day/month or month/day). `spelled` marks number
    words ("dua", "twelve"), which a translation may render freely. `unit` is what a number counts
    (kg, km, day, week, ...), when the text says."""

    value: float | str
    kind: str
    span: str
    start: int
    end: int
    alts: tuple[float | str, ...] = ()
    spelled: bool = False
    unit: str | None = None

    @property
    def values(self) -> tuple[float | str, ...]:
        return (self.value, *self.alts)


_WORD = re.compile(r"[^\W\d_]+")


class Taken:
    """Character positions already claimed by a fact: one byte per character, so "does this span
    overlap an earlier one" is one C-level search. Spans are never empty.

    Also the text's lower-cased words (`words`, computed once): an extractor whose pattern needs a
    keyword (a month name, a number word) skips the text when none is there, which is most texts;
    running a pattern with a long word list over a whole article costs ~0.5 ms."""

    __slots__ = ("_marks", "_text", "_words", "_index")

    def __init__(self, length: int, text: str = "") -> None:
        self._marks = bytearray(length)
        self._text = text
        self._words: frozenset[str] | None = None
        self._index: TextIndex | None = None

    @property
    def text(self) -> str:
        return self._text

    @property
    def words(self) -> frozenset[str]:
        if self._words is None:
            self._words = frozenset(_WORD.findall(self._text.lower()))
        return self._words

    @property
    def index(self) -> TextIndex:
        """Where the text's digits and keywords are: where the patterns that need one are tried."""
        if self._index is None:
            self._index = TextIndex(self._text)
        return self._index

    def free(self, start: int, end: int) -> bool:
        return self._marks.find(1, start, end) == -1

    def first_claimed(self, start: int, end: int) -> int:
        return self._marks.find(1, start, end)

    def take(self, start: int, end: int) -> None:
        self._marks[start:end] = b"\x01" * (end - start)


def free_matches(pattern: re.Pattern[str], text: str, taken: Taken) -> Iterator[re.Match[str]]:
    """The matches of `pattern` that overlap nothing claimed so far (the caller claims what it keeps).

    A match running into a claimed span is tried again, from the same place, on the text before that
    span: "pukul 10.00" is still a time when "GMT+0100" after it was claimed as an offset.
    The matches are `pattern.finditer(text)`'s, looked for only near the digits or keywords every
    match of `pattern` needs (`windows`)."""
    index = taken.index if taken.text is text else TextIndex(text)
    return _unclaimed(pattern, text, taken, finditer_windowed(pattern, index))


def _unclaimed(pattern: re.Pattern[str], text: str, taken: Taken, matches: Iterator[re.Match[str]]) -> Iterator[re.Match[str]]:
    """Each of `matches` that overlaps nothing claimed, or else its shorter match before the claimed span."""
    for match in matches:
        start, end = match.span()
        if taken.free(start, end):
            yield match
            continue
        claimed = taken.first_claimed(start, end)
        if claimed > start:
            shorter = pattern.match(text, start, claimed)
            if shorter is not None and shorter.end() > start:
                yield shorter


def free_matches_at(pattern: re.Pattern[str], text: str, taken: Taken, starts: list[int]) -> Iterator[re.Match[str]]:
    """`free_matches` for a pattern that can match only at `starts` (ascending, found by the caller):
    the match at each start that no earlier match covers, as `finditer` would yield them."""
    return _unclaimed(pattern, text, taken, _matches_at(pattern, text, starts))


def _matches_at(pattern: re.Pattern[str], text: str, starts: list[int]) -> Iterator[re.Match[str]]:
    position = 0
    for start in starts:
        if start < position:
            continue
        match = pattern.match(text, start)
        if match is not None:
            position = max(match.end(), start + 1)
            yield match


_SENTENCE_SPLIT = re.compile(r"(?<=[.!?…])[\"”’')\]]*\s+(?=[\"“‘'(\[]*[A-Z0-9])|\n+")


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_SPLIT.split(text) if s and s.strip()]


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of `text`, blanks trimmed."""
    spans, previous = [], 0
    for match in _SENTENCE_SPLIT.finditer(text):
        spans.append((previous, match.start()))
        previous = match.end()
    spans.append((previous, len(text)))
    out = []
    for start, end in spans:
        piece = text[start:end]
        if piece.strip():
            lead = len(piece) - len(piece.lstrip())
            out.append((start + lead, start + len(piece.rstrip())))
    return out


def parse_digits(token: str, lang: Lang) -> tuple[float, tuple[float, ...]] | None:
    """A digit group ("16.000", "1,5", "16,000", "1.5") -> (value, other readings).

    A separator that fits both readings ("1.000" in English, "1,500" in Indonesian: a decimal by the
    book, often a copied format) yields both, so either rendering matches."""
    if not token or not token[0].isdigit() or not token[-1].isdigit():
        return None
    has_dot, has_comma = "." in token, "," in token
    try:
        if has_dot and has_comma:
            # whichever comes last is the decimal mark
            if token.rfind(",") > token.rfind("."):
                return float(token.replace(".", "").replace(",", ".")), ()
            return float(token.replace(",", "")), ()
        sep = "." if has_dot else "," if has_comma else None
        if sep is None:
            return float(token), ()
        groups = token.split(sep)
        as_thousands = float("".join(groups))
        thousands_shape = all(len(g) == 3 for g in groups[1:]) and 1 <= len(groups[0]) <= 3
        if len(groups) > 2:
            return (as_thousands, ()) if thousands_shape else None
        as_decimal = float(token.replace(sep, "."))
        thousands_sep = "." if lang == "id" else ","
        if not thousands_shape:
            return as_decimal, ()
        if sep == thousands_sep:
            return as_thousands, ()  # "16.000" in Indonesian, "16,000" in English
        return as_decimal, (as_thousands,)
    except ValueError:
        return None
