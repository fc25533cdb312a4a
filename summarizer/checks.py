"""Does the output keep the source's facts? Numbers, money, dates, names, glossary terms, language.

Near-leaf module: imports only `summarizer.schemas` and `summarizer.language` (the language model,
py3langid, is imported lazily, only when the untranslated-sentence check runs).

    extract_quantities(text, lang)     every number-like fact in a text, normalised (`Quantity`)
    normalize_number(text, lang)       "16.000" (id) / "16,000" (en) / "US$50 miliar" → float
    check_translation(source, translation, summary=..., glossary=..., source_lang="id") → [Finding]

Checks and their severities:
    number_missing           error    a source quantity is absent from the translation (a changed digit,
                                      a dropped scale "miliar" → "million", a changed currency); warning
                                      when the value is there but fewer times than in the source
    number_added             warning  a figure in the translation that the source does not have
    number_invented          warning  a figure in a summary bullet that the source does not have
    name_missing             warning  a name, organisation or acronym of the source absent from the translation
    glossary_source_missing  warning  a glossary `source_term` that the source does not contain
    glossary_inconsistent    warning  the same `source_term` given different English terms
    untranslated             warning  a translation sentence still in the source language
                                      (error when more than 30% of the checked sentences are)
    prompt_injection         warning  the source holds instruction-like text aimed at the model
                                      ("abaikan semua instruksi", "ignore previous instructions",
                                      a line starting "SYSTEM:", "you are now ..."): read the output
                                      with care; the article was still sent as data only

Speed: a check runs on every translated article, so each text is scanned once for the places where
a pattern can start (`_Scan`) and the patterns are tried only there; see "Where matches can start".

Precision comes first: a correct translation must produce no error. Values are compared after
normalisation (thousands separators, decimal commas, scale words, currency symbols, spelled-out 2-10,
date formats), so "16.000 karyawan" matches "16,000 employees" and "23 Juli 2025" matches "July 23, 2025".
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from itertools import islice
from typing import Any, Iterable, Iterator, Literal

from summarizer.schemas import Finding

Lang = Literal["id", "en"]

UNTRANSLATED_ERROR_RATIO = 0.30
MIN_WORDS_FOR_LANGUAGE = 6


@dataclass(frozen=True)
class Quantity:
    """One number-like fact. `kind`: number, money:USD, money:IDR, ..., percent, year, date, ordinal.

    `value` is the normalised value (dates: YYYYMMDD, or MMDD without a year); `alts` holds other
    readings of an ambiguous token (an English "16.000" may be a copied Indonesian 16000; 03/07/2025 may
    be day/month or month/day). `spelled` marks words like "two"/"dua"."""

    value: float
    kind: str
    span: str
    start: int
    end: int
    alts: tuple[float, ...] = ()
    spelled: bool = False

    @property
    def values(self) -> tuple[float, ...]:
        return (self.value, *self.alts)


# --------------------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------------------

_SCALES: dict[str, float] = {
    # Indonesian
    "ribu": 1e3, "rb": 1e3, "juta": 1e6, "jt": 1e6, "miliar": 1e9, "milyar": 1e9, "triliun": 1e12,
    # English
    "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12,
    "mn": 1e6, "mln": 1e6, "bn": 1e9, "bln": 1e9, "tn": 1e12, "trn": 1e12,
}
# Single letters are scales only right after a currency ("$50B", "Rp835 T", "$5k").
_SHORT_SCALES: dict[str, float] = {"k": 1e3, "m": 1e6, "b": 1e9, "t": 1e12}

_CURRENCY_PREFIX: dict[str, str] = {
    "us$": "USD", "usd": "USD", "us": "USD", "$": "USD", "rp": "IDR", "idr": "IDR",
    "€": "EUR", "eur": "EUR", "£": "GBP", "gbp": "GBP", "¥": "JPY", "s$": "SGD", "sgd": "SGD", "rm": "MYR",
}
_CURRENCY_SUFFIX: dict[str, str] = {
    "us dollars": "USD", "us dollar": "USD", "u.s. dollars": "USD", "dollars": "USD", "dollar": "USD",
    "dolar as": "USD", "dolar amerika serikat": "USD", "dolar amerika": "USD", "dolar": "USD", "usd": "USD",
    "rupiah": "IDR", "idr": "IDR", "euro": "EUR", "euros": "EUR", "yuan": "CNY", "renminbi": "CNY",
    "yen": "JPY", "ringgit": "MYR", "pounds": "GBP", "pound sterling": "GBP",
}
_PERCENT_WORDS = ("persen", "percent", "per cent", "pct", "%")

_SPELLED: dict[str, int] = {
    "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6, "tujuh": 7, "delapan": 8, "sembilan": 9, "sepuluh": 10,
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
}
_SPELLED_ORDINALS: dict[str, int] = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10,
    # "pertama" (also "first time") and "kedua" (also "both") are too ambiguous to check
    "ketiga": 3, "keempat": 4, "kelima": 5, "keenam": 6, "ketujuh": 7,
    "kedelapan": 8, "kesembilan": 9, "kesepuluh": 10,
}

_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    [
        ("januari", "january", "jan"), ("februari", "february", "feb", "pebruari"), ("maret", "march", "mar"),
        ("april", "apr"), ("mei", "may"), ("juni", "june", "jun"), ("juli", "july", "jul"),
        ("agustus", "august", "aug", "agu", "agt", "ags"), ("september", "sept", "sep"),
        ("oktober", "october", "oct", "okt"), ("november", "nov", "nop", "nopember"),
        ("desember", "december", "dec", "des"),
    ],
    start=1,
):
    for _name in _names:
        _MONTHS[_name] = _number

_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))

# --------------------------------------------------------------------------------------------------
# Number normalisation
# --------------------------------------------------------------------------------------------------

_DIGITS = r"\d+(?:[.,]\d+)*"
_DIGITS_RE = re.compile(_DIGITS)
_YEAR_RE = re.compile(r"(1[89]|20)\d\d")


def _parse_digits(token: str, lang: str) -> tuple[float, tuple[float, ...]] | None:
    """A bare digit group ("16.000", "1,5", "16,000", "1.5") → (value, other readings)."""
    token = token.strip()
    if not _DIGITS_RE.fullmatch(token):
        return None
    has_dot, has_comma = "." in token, "," in token
    if has_dot and has_comma:
        # whichever comes last is the decimal mark
        if token.rfind(",") > token.rfind("."):
            return float(token.replace(".", "").replace(",", ".")), ()
        return float(token.replace(",", "")), ()
    sep = "." if has_dot else "," if has_comma else None
    if sep is None:
        return float(token), ()
    groups = token.split(sep)
    thousands_shape = all(len(g) == 3 for g in groups[1:]) and 1 <= len(groups[0]) <= 3
    as_thousands = float("".join(groups))
    as_decimal = float(token.replace(sep, ".")) if len(groups) == 2 else None
    thousands_sep, decimal_sep = (".", ",") if lang == "id" else (",", ".")
    if len(groups) > 2:
        return as_thousands, ()
    if sep == thousands_sep:
        if thousands_shape:
            # "16.000" in Indonesian is 16000; "4.5" in Indonesian text is most likely a decimal anyway
            return as_thousands, ()
        return as_decimal if as_decimal is not None else as_thousands, ()
    # sep is the language's decimal mark
    assert sep == decimal_sep
    if thousands_shape and as_decimal is not None:
        # "1,500" in Indonesian / "16.000" in English: a decimal by the book, but often a copied format
        return as_decimal, (as_thousands,)
    return as_decimal if as_decimal is not None else as_thousands, ()


def normalize_number(text: str, lang: str = "id") -> float | None:
    """The value of one number expression, or None if `text` is not one.

    "16.000" (id) = 16000, "1,5" (id) = 1.5, "16,000" (en) = 16000, "US$50 miliar" = 5e10,
    "$50 billion" = "US$50bn" = 5e10, "Rp835 triliun" = "IDR 835 trillion" = 8.35e14, "50 persen" = 50."""
    found = [q for q in extract_quantities(text, lang) if not q.spelled or len(text.split()) == 1]
    if len(found) != 1:
        return None
    return found[0].value


# --------------------------------------------------------------------------------------------------
# Extraction
# --------------------------------------------------------------------------------------------------

_PREFIX_RE = r"(?P<cur>US\$|US(?=\s?\d)|USD|\$|Rp\.?|IDR|€|EUR|£|GBP|¥|S\$|SGD|RM(?=\s?\d))"
_SCALE_WORDS = "|".join(sorted(_SCALES, key=len, reverse=True))
_SUFFIX_CUR = "|".join(re.escape(k) for k in sorted(_CURRENCY_SUFFIX, key=len, reverse=True))

_NUMBER_RE = re.compile(
    rf"""
    (?<![\w.,:/#@])(?<![A-Za-z]-)(?<![A-Za-z]–)       # not glued to a word, hashtag, time or path
    (?:{_PREFIX_RE}\s?)?
    (?P<num>\d+(?:[.,]\d+)*)
    (?![.,:/]?\d)
    (?:
        (?P<pct>\s?%|\s(?:persen|percent|per\scent|pct)\b)
      | (?:\s?(?P<scale>(?:{_SCALE_WORDS})\b|(?<=\d)[kKmMbBtT]\b(?!\.\w)))?
        (?:\s(?P<sufcur>(?:{_SUFFIX_CUR})\b))?
    )
    (?P<ord>st|nd|rd|th|s(?=\W|$)|-an\b)?
    (?!\w)
    """,
    re.VERBOSE | re.IGNORECASE,
)
_TIME_RE = re.compile(
    r"(?:\b(?:pukul|jam|pkl\.?)\s\d{1,2}(?:[.:]\d{2})?(?:\s?(?:WIB|WITA|WIT|pagi|siang|sore|malam))?)"
    r"|(?:\b\d{1,2}[.:]\d{2}\s?(?:WIB|WITA|WIT|a\.?m\.?|p\.?m\.?)(?![A-Za-z]))"
    r"|(?:\b\d{1,2}\s?(?:a\.m\.|p\.m\.|am\b|pm\b))",
    re.IGNORECASE,
)
# "kuartal II", "semester I", "Q2", "H1": a period's ordinal
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "PERTAMA": 1, "KEDUA": 2, "KETIGA": 3, "KEEMPAT": 4}
_PERIOD_RE = re.compile(
    r"\b(?i:kuartal|triwulan|semester|kuarter)\s(?:ke-?\s?)?(?P<n>IV|I{1,3}|[1-4]|(?i:pertama|kedua|ketiga|keempat))\b|\b[QH](?P<n2>[1-4])\b"
)
_ORDINAL_ID_RE = re.compile(r"\bke-?\s?(?P<n>\d{1,3})\b", re.IGNORECASE)
_SPELLED_RE = re.compile(r"\b(?P<w>" + "|".join(sorted(_SPELLED, key=len, reverse=True)) + r")\b", re.IGNORECASE)
_SPELLED_ORD_RE = re.compile(r"\b(?P<w>" + "|".join(sorted(_SPELLED_ORDINALS, key=len, reverse=True)) + r")\b", re.IGNORECASE)
_SPELLED_SCALE_RE = re.compile(
    r"\b(?P<w>" + "|".join(sorted(_SPELLED, key=len, reverse=True)) + r")\s(?P<scale>" + _SCALE_WORDS + r")\b",
    re.IGNORECASE,
)

_DATE_PATTERNS = [
    # 23 Juli 2025, 23 Jul 2025, 23 July 2025
    re.compile(rf"\b(?P<d>\d{{1,2}})\s(?P<m>{_MONTH_RE})\.?,?\s(?P<y>\d{{4}})\b", re.IGNORECASE),
    # July 23, 2025 / July 23 2025
    re.compile(rf"\b(?P<m>{_MONTH_RE})\.?\s(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s(?P<y>\d{{4}})\b", re.IGNORECASE),
    # 2025-07-23
    re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})\b"),
    # 23/07/2025, 23-07-2025, 23.07.2025 (and 07/23/2025)
    re.compile(r"\b(?P<a>\d{1,2})[/.-](?P<b>\d{1,2})[/.-](?P<y>\d{4})\b"),
    # 23 Juli / July 23 (no year)
    re.compile(rf"\b(?P<d>\d{{1,2}})\s(?P<m>{_MONTH_RE})\b(?!\.?,?\s\d)", re.IGNORECASE),
    re.compile(rf"\b(?P<m>{_MONTH_RE})\s(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b(?!,?\s\d{{4}})(?![.,]\d)", re.IGNORECASE),
]


# --------------------------------------------------------------------------------------------------
# Where matches can start
# --------------------------------------------------------------------------------------------------
#
# Running each pattern of this module over a whole article with `finditer` costs 0.1-0.8 ms apiece:
# Python's regex engine tries every position, and at every word boundary a case-insensitive word
# list (months, spelled numbers) is tried word by word. A check runs ~15 such scans per text.
#
# Yet each pattern can only begin at a few kinds of places: at the start of a run of word characters
# (`\w+`) that starts with a digit or that is (or begins with) one of a few keywords, or at one of a
# few symbols. `_Scan` lists those places once per text, in one pass, and `_finditer_at` tries a pattern
# only there, with `pattern.match(text, pos)`. That yields exactly what `pattern.finditer(text)`
# yields: finditer returns the leftmost match that starts at or after the end of the previous one
# (none of these patterns can match an empty string), `match` at `pos` is the same attempt that
# finditer makes at `pos` (`\b` and look-behinds still see the text before `pos`), and no match can
# start anywhere that is not listed. tests/test_checks.py compares both on real and odd texts.

# The kinds of places where a match can start (bit flags).
_AT_DIGIT = 1  # a \w run starting with a digit: "16.000", "23 Juli", "14.00 WIB", "2025-07-23"
_AT_MONTH = 2  # a \w run that is a month name: "July 23"
_AT_TIME_WORD = 4  # "pukul 14.00"
_AT_PERIOD = 8  # "kuartal II", "Q2", "H1"
_AT_KE = 16  # a \w run starting with "ke": "ke-3", "ke 3", "ke3"
_AT_SPELLED = 32  # "dua", "two", "dua juta"
_AT_SPELLED_ORDINAL = 64  # "ketiga", "third"
_AT_CURRENCY = 128  # "US$", "US50", "USD", "Rp", "IDR", "EUR", "GBP", "S$", "SGD", "RM"; "$", "€", "£", "¥"
_AT_INJECTION = 256  # "abaikan", "ignore", "you", ...; the text's start, a line break, "<", "["
_AT_ANY = 511

# \w run, lower-cased -> kinds of match that can start at it. A pattern that starts with a keyword
# followed by a non-word character ("July" + " 23") can only start at a run that *is* the keyword.
_RUN_STARTS: dict[str, int] = {}
for _words, _kind in (
    (_MONTHS, _AT_MONTH),
    (("pukul", "jam", "pkl"), _AT_TIME_WORD),
    (("kuartal", "triwulan", "semester", "kuarter"), _AT_PERIOD),
    (_SPELLED, _AT_SPELLED),
    (_SPELLED_ORDINALS, _AT_SPELLED_ORDINAL),
    (("s",), _AT_CURRENCY),  # "S$"
    (("abaikan", "lupakan", "hiraukan", "ignore", "disregard", "forget", "you", "kamu", "anda", "new", "instruksi"),
     _AT_INJECTION),
):
    for _word in _words:
        _RUN_STARTS[_word] = _RUN_STARTS.get(_word, 0) | _kind
# first two letters of a \w run, lower-cased -> kinds: keywords that may be glued to a number
# ("ke3", "US50", "Rp835", "IDR5", "RM5") or followed by a symbol ("US$", "Rp.")
_RUN_PREFIX_STARTS: dict[str, int] = {
    "ke": _AT_KE,
    **{prefix: _AT_CURRENCY for prefix in ("us", "rp", "id", "eu", "gb", "sg", "rm")},
}
# non-word characters where a match can start
_SYMBOL_STARTS: dict[int, str] = {_AT_CURRENCY: "$€£¥", _AT_INJECTION: "\n<["}

# pattern -> the kinds of place where a match of it can start (tests/test_checks.py checks each claim)
_PATTERN_STARTS: dict[re.Pattern[str], int] = {
    **dict(zip(_DATE_PATTERNS, (_AT_DIGIT, _AT_MONTH, _AT_DIGIT, _AT_DIGIT, _AT_DIGIT, _AT_MONTH))),
    _TIME_RE: _AT_DIGIT | _AT_TIME_WORD,
    _PERIOD_RE: _AT_PERIOD,
    _NUMBER_RE: _AT_DIGIT | _AT_CURRENCY,
    _ORDINAL_ID_RE: _AT_KE,
    _SPELLED_SCALE_RE: _AT_SPELLED,
    _SPELLED_RE: _AT_SPELLED,
    _SPELLED_ORD_RE: _AT_SPELLED_ORDINAL,
    # _INJECTION (_AT_INJECTION) and _SENTENCE_SPLIT (not a _Scan pattern) are registered where defined
}

_RUN_RE = re.compile(r"\w+")


def _run_kinds(run: str) -> int:
    """The kinds of match that can start at a run of word characters."""
    if not run.isascii():
        # a non-ASCII digit ("٣" is \d) or a letter that a case-insensitive pattern equates with an
        # ASCII one (İ ı ~ i, ſ ~ s, K ~ k): let every pattern try here
        return _AT_ANY
    first = run[0]
    if "0" <= first <= "9":
        return _AT_DIGIT
    key = run.lower()
    kinds = _RUN_STARTS.get(key, 0) | _RUN_PREFIX_STARTS.get(key[:2], 0)
    if first == "Q" or first == "H":  # "Q2", "H1" (case-sensitive in _PERIOD_RE)
        kinds |= _AT_PERIOD
    return kinds


class _Scan:
    """One text and the places where this module's patterns can start a match (see above).

    Built once per text in `check_translation` and passed down; holds no shared state, so worker
    threads each build their own."""

    __slots__ = ("text", "_runs")

    def __init__(self, text: str) -> None:
        self.text = text
        runs: list[tuple[int, int]] = []  # (position, kinds) of the \w runs where something can start
        known: dict[str, int] = {}  # run -> kinds: most words of an article recur
        for match in _RUN_RE.finditer(text):
            run = match.group()
            kinds = known.get(run)
            if kinds is None:
                kinds = known[run] = _run_kinds(run)
            if kinds:
                runs.append((match.start(), kinds))
        self._runs = runs

    def starts(self, kinds: int) -> list[int]:
        """Sorted positions where a match of one of `kinds` can start."""
        positions = [position for position, run_kinds in self._runs if run_kinds & kinds]
        extra: list[int] = []
        for kind, symbols in _SYMBOL_STARTS.items():
            if kinds & kind:
                for symbol in symbols:
                    at = self.text.find(symbol)
                    while at != -1:
                        extra.append(at)
                        at = self.text.find(symbol, at + 1)
        if kinds & _AT_INJECTION:
            extra.append(0)  # "^SYSTEM:"
        if extra:
            positions = sorted(set(positions).union(extra))
        return positions


def _finditer_at(pattern: re.Pattern[str], text: str, starts: Iterable[int]) -> Iterator[re.Match[str]]:
    """`pattern.finditer(text)`, trying only `starts` (sorted; every place where a match can begin).

    Only for patterns that cannot match an empty string."""
    end = 0
    for position in starts:
        if position < end:
            continue  # inside the previous match
        match = pattern.match(text, position)
        if match is not None:
            yield match
            end = match.end()


def _scan_matches(pattern: re.Pattern[str], scan: _Scan) -> Iterator[re.Match[str]]:
    return _finditer_at(pattern, scan.text, scan.starts(_PATTERN_STARTS[pattern]))


class _Taken:
    """Character positions already claimed by a quantity (or a clock time): one byte per character,
    so "does this span overlap an earlier one" is one C-level search instead of a loop over spans.
    Spans are never empty, so overlapping an earlier span = containing one of its positions."""

    __slots__ = ("_marks",)

    def __init__(self, length: int) -> None:
        self._marks = bytearray(length)

    def free(self, start: int, end: int) -> bool:
        return self._marks.find(1, start, end) == -1

    def take(self, start: int, end: int) -> None:
        self._marks[start:end] = b"\x01" * (end - start)


def _date_value(y: int | None, m: int, d: int) -> float | None:
    if not (1 <= m <= 12 and 1 <= d <= 31):
        return None
    if y is None:
        return float(m * 100 + d)
    if not (1000 <= y <= 2999):
        return None
    return float(y * 10000 + m * 100 + d)


def _find_dates(scan: _Scan, taken: _Taken) -> list[Quantity]:
    """The dates of `scan.text` (claimed in `taken`), pattern by pattern: an earlier pattern wins."""
    text = scan.text
    found: list[Quantity] = []
    for index, pattern in enumerate(_DATE_PATTERNS):
        for match in _scan_matches(pattern, scan):
            start, end = match.span()
            if not taken.free(start, end):
                continue
            groups = match.groupdict()
            if "a" in groups and groups.get("a"):
                a, b, y = int(groups["a"]), int(groups["b"]), int(groups["y"])
                readings = [v for v in (_date_value(y, b, a), _date_value(y, a, b)) if v is not None]
                if not readings:
                    continue
                value, alts = readings[0], tuple(v for v in readings[1:] if v != readings[0])
            else:
                month_word = groups["m"]
                month = int(month_word) if month_word.isdigit() else _MONTHS.get(month_word.lower())
                if month is None:
                    continue
                if index >= 4 and not month_word[0].isupper():
                    continue  # without a year only a capitalised month counts ("3 may fall" is no date)
                year = int(groups["y"]) if groups.get("y") else None
                value = _date_value(year, month, int(groups["d"]))
                if value is None:
                    continue
                alts = ()
            taken.take(start, end)
            found.append(Quantity(value, "date", match.group(0), start, end, alts))
    return found


def extract_quantities(text: str, lang: str = "id") -> list[Quantity]:
    """Every number-like fact in `text`, in order: money, percentages, years, dates, ordinals, numbers.

    Numbers glued to words (GPT-4, H100, COVID-19, #PHK2026, 5G) and clock times are skipped: they are
    names, not facts to carry over."""
    return _extract_quantities(_Scan(text), lang)


def _extract_quantities(scan: _Scan, lang: str) -> list[Quantity]:
    text = scan.text
    taken = _Taken(len(text))
    found = _find_dates(scan, taken)
    free = taken.free

    for match in _scan_matches(_TIME_RE, scan):
        if free(*match.span()):
            taken.take(*match.span())  # clock times are rendered too freely (14.00 WIB, 2 p.m.) to compare
    for match in _scan_matches(_PERIOD_RE, scan):
        if free(*match.span()):
            number = match.group("n") or match.group("n2")
            value = _ROMAN.get(number.upper(), None) if not number.isdigit() else int(number)
            if value:
                taken.take(*match.span())
                found.append(Quantity(float(value), "ordinal", match.group(0), *match.span()))
    for match in _scan_matches(_NUMBER_RE, scan):
        start, end = match.span()
        if not free(start, end):
            continue
        parsed = _parse_digits(match.group("num"), lang)
        if parsed is None:
            continue
        value, alts = parsed
        cur = match.group("cur")
        scale_word = match.group("scale")
        sufcur = match.group("sufcur")
        ordinal = match.group("ord")
        currency = None
        if cur:
            currency = _CURRENCY_PREFIX.get(cur.lower().rstrip(".").rstrip())
        if sufcur:
            currency = currency or _CURRENCY_SUFFIX.get(sufcur.lower())
        factor = 1.0
        if scale_word:
            key = scale_word.lower()
            if key in _SCALES:
                factor = _SCALES[key]
            elif (currency or key == "k") and key in _SHORT_SCALES:
                factor = _SHORT_SCALES[key]
            else:
                # a lone letter after a plain number ("5G", "3D", "7B" model sizes): not a figure
                continue
        span_end = end
        if ordinal and ordinal.lower() in ("s", "-an"):
            # decades: "1990s" = "1990-an"; other plurals ("the 20s") stay plain numbers
            ordinal = None
        if ordinal:
            if cur or scale_word or match.group("pct") or sufcur:
                continue
            kind = "ordinal"
        elif match.group("pct"):
            kind = "percent"
        elif currency:
            kind = f"money:{currency}"
        else:
            raw = match.group("num")
            kind = "year" if (_YEAR_RE.fullmatch(raw) and factor == 1.0) else "number"
        values = tuple(v * factor for v in (value, *alts))
        taken.take(start, span_end)
        found.append(Quantity(values[0], kind, text[start:span_end], start, span_end, values[1:]))

    if lang == "id":
        for match in _scan_matches(_ORDINAL_ID_RE, scan):
            if free(*match.span()):
                taken.take(*match.span())
                found.append(Quantity(float(match.group("n")), "ordinal", match.group(0), *match.span()))
    for match in _scan_matches(_SPELLED_SCALE_RE, scan):
        if free(*match.span()):
            value = _SPELLED[match.group("w").lower()] * _SCALES[match.group("scale").lower()]
            taken.take(*match.span())
            found.append(Quantity(value, "number", match.group(0), *match.span(), spelled=True))
    for match in _scan_matches(_SPELLED_RE, scan):
        if free(*match.span()):
            taken.take(*match.span())
            found.append(Quantity(float(_SPELLED[match.group("w").lower()]), "number", match.group(0), *match.span(), spelled=True))
    for match in _scan_matches(_SPELLED_ORD_RE, scan):
        if free(*match.span()):
            taken.take(*match.span())
            found.append(Quantity(float(_SPELLED_ORDINALS[match.group("w").lower()]), "ordinal", match.group(0), *match.span(), spelled=True))
    found.sort(key=lambda q: q.start)
    return found


# --------------------------------------------------------------------------------------------------
# Matching
# --------------------------------------------------------------------------------------------------


def _compatible(a: str, b: str) -> bool:
    """Can a source quantity of kind `a` be rendered as kind `b`?"""
    if a == b:
        return True
    loose = {"number", "year", "ordinal"}
    if a in loose and b in loose:
        return True
    # "US$50 miliar" → "50 billion" (currency dropped) or "50 persen" → "50 per cent" parsed as number
    if (a.startswith("money:") or a == "percent") and b == "number":
        return True
    if a == "number" and (b.startswith("money:") or b == "percent"):
        return True
    return False


def _same_value(a: Quantity, b: Quantity) -> bool:
    return any(math.isclose(x, y, rel_tol=1e-12, abs_tol=1e-9) for x in a.values for y in b.values)


def _matches(a: Quantity, b: Quantity) -> bool:
    return _compatible(a.kind, b.kind) and _same_value(a, b)


def _check_numbers(source_q: list[Quantity], trans_q: list[Quantity]) -> list[Finding]:
    findings: list[Finding] = []
    used = [False] * len(trans_q)
    unmatched_source: list[Quantity] = []
    # exact-kind first, then compatible kinds: greedy one-to-one assignment
    for q in source_q:
        best = None
        for i, t in enumerate(trans_q):
            if used[i] or not _same_value(q, t):
                continue
            if q.kind == t.kind:
                best = i
                break
            if best is None and _compatible(q.kind, t.kind):
                best = i
        if best is None:
            unmatched_source.append(q)
        else:
            used[best] = True
    extra_trans = [t for i, t in enumerate(trans_q) if not used[i]]

    for q in unmatched_source:
        present_somewhere = any(_matches(q, t) for t in trans_q)
        if present_somewhere:
            # the value is in the translation, just fewer times than in the source
            replacement = next((t for t in extra_trans if not t.spelled and _plausible_replacement(q, t)), None)
            if replacement is not None:
                extra_trans.remove(replacement)
                findings.append(Finding(
                    kind="number_missing", severity="error",
                    message=f"'{q.span}' appears fewer times in the translation; one occurrence seems changed to '{replacement.span}'",
                    source_span=q.span, output_span=replacement.span,
                ))
            else:
                findings.append(Finding(
                    kind="number_missing", severity="warning",
                    message=f"'{q.span}' appears fewer times in the translation than in the source",
                    source_span=q.span,
                ))
            continue
        severity = "warning" if q.spelled else "error"
        replacement = next((t for t in extra_trans if not t.spelled and _plausible_replacement(q, t)), None)
        if replacement is not None:
            extra_trans.remove(replacement)
            message = f"'{q.span}' ({_describe(q)}) is not in the translation; it has '{replacement.span}' ({_describe(replacement)}) instead"
        else:
            message = f"'{q.span}' ({_describe(q)}) is not in the translation"
        findings.append(Finding(
            kind="number_missing", severity=severity, message=message,
            source_span=q.span, output_span=replacement.span if replacement else None,
        ))
    for t in extra_trans:
        if t.spelled or any(_matches(q, t) for q in source_q):
            continue
        findings.append(Finding(
            kind="number_added", severity="warning",
            message=f"'{t.span}' ({_describe(t)}) in the translation is not in the source",
            output_span=t.span,
        ))
    return findings


def _plausible_replacement(q: Quantity, t: Quantity) -> bool:
    group = lambda k: "money" if k.startswith("money:") else ("num" if k in ("number", "year", "ordinal") else k)  # noqa: E731
    return group(q.kind) == group(t.kind) or _compatible(q.kind, t.kind)


def _describe(q: Quantity) -> str:
    if q.kind == "date":
        v = int(q.value)
        if v > 10000:
            return f"date {v // 10000:04d}-{v // 100 % 100:02d}-{v % 100:02d}"
        return f"date --{v // 100:02d}-{v % 100:02d}"
    if q.kind == "year":
        return f"year {int(q.value)}"
    value = f"{q.value:,.0f}" if q.value == int(q.value) else f"{q.value:,.4g}"
    if q.kind.startswith("money:"):
        return f"{q.kind[6:]} {value}"
    if q.kind == "percent":
        return f"{value}%"
    if q.kind == "ordinal":
        return f"ordinal {value}"
    return value


def _check_summary(source_q: list[Quantity], summary: Iterable[str]) -> list[Finding]:
    findings: list[Finding] = []
    for bullet in summary:
        for q in extract_quantities(bullet, "en"):
            if q.spelled:
                continue
            if not any(_matches(s, q) or _matches(q, s) for s in source_q):
                findings.append(Finding(
                    kind="number_invented", severity="warning",
                    message=f"'{q.span}' ({_describe(q)}) in the summary is not in the source",
                    output_span=q.span,
                ))
    return findings


# --------------------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------------------

# Indonesian acronyms that a good translation may spell out in English instead.
TRANSLATABLE_ACRONYMS: dict[str, tuple[str, ...]] = {
    "PHK": ("layoff", "laid off", "lay off", "lays off", "job cut", "dismissal", "termination", "redundanc", "fired", "cuts"),
    "DPR": ("House of Representatives", "parliament", "lawmakers", "legislat"),
    "MPR": ("People's Consultative Assembly",),
    "BUMN": ("state-owned", "state owned", "SOE"),
    "WIB": ("Western Indonesia", "Jakarta time", "local time", "Indonesian time"),
    "WITA": ("Central Indonesia", "local time", "Indonesian time"),
    "WIT": ("Eastern Indonesia", "local time", "Indonesian time"),
    "AS": ("US", "U.S.", "United States", "America"),
    "RI": ("Indonesia",),
    "UU": ("law", "act"),
    "RUU": ("bill", "draft law"),
    "PBB": ("UN", "United Nations"),
    "UE": ("EU", "European Union"),
    "KPK": ("Corruption Eradication Commission", "anti-graft", "antigraft"),
    "OJK": ("Financial Services Authority",),
    "BI": ("Bank Indonesia",),
    "BPS": ("Statistics Indonesia", "Central Statistics", "statistics agency"),
    "UMKM": ("MSME", "small business", "small and medium"),
    "APBN": ("state budget", "national budget"),
    "PDB": ("GDP", "gross domestic product"),
    "IHSG": ("JCI", "Jakarta Composite", "composite index"),
    "ASN": ("civil servant", "state apparatus"),
    "PNS": ("civil servant",),
    "WNI": ("Indonesian citizen", "Indonesian national", "Indonesians"),
    "WNA": ("foreign national", "foreigner", "foreign citizen"),
    "BBM": ("fuel",),
    "KTT": ("summit",),
    "TNI": ("armed forces", "military"),
    "POLRI": ("police",),
    "PT": ("company", "Ltd", "Inc"),
    "TBK": ("Tbk", "listed", "public company"),
    "LSM": ("NGO", "non-governmental"),
    "SDM": ("human resources", "human capital", "workforce", "talent"),
    "TIK": ("ICT", "information and communication technology"),
    "KI": ("AI", "artificial intelligence"),
    "LLM": ("large language model",),
    "R&D": ("research and development",),
    "CAPEX": ("capital expenditure", "capex"),
    "SDA": ("natural resources",),
    "PPN": ("VAT", "value-added tax", "value added tax"),
    "NIK": ("identity number", "ID number"),
    "KTP": ("ID card", "identity card"),
    "PLN": ("state electricity", "PLN"),
    "DKI": ("Jakarta", "Special Capital Region"),
    "API": ("API",),
}

# Capitalised Indonesian words that a translation renders in English (titles, places, calendar,
# headings). Matched case-insensitively against the word.
_NAME_STOPWORDS = set(
    """
    amerika serikat tiongkok jepang korea selatan utara barat timur tengah inggris jerman prancis perancis belanda
    rusia arab saudi mesir singapura filipina eropa afrika asia tenggara pasifik atlantik hindia taiwan
    januari februari maret april mei juni juli agustus september oktober november desember
    senin selasa rabu kamis jumat jum'at sabtu minggu
    presiden wakil menteri gubernur bupati walikota wali kota direktur ketua kepala bapak ibu pak bu sekretaris
    jenderal kementerian dewan badan lembaga komisi dinas provinsi kabupaten pemerintah negara republik
    universitas perguruan tinggi sekolah rumah sakit pelabuhan bandara stasiun jalan gunung sungai danau pulau laut
    selat teluk kepulauan kerajaan kesultanan partai kantor pusat cabang direksi komisaris pendiri eksekutif utama
    juru bicara jubir ilmuwan peneliti pengamat analis ekonom profesor dokter insinyur
    editor redaksi sumber penulis jurnalis foto baca juga lainnya menu mode gelap perbesar bisnis teknologi ekonomi
    internasional nasional berita terkini fokus digionary catatan artikel tag
    jawa sumatera sumatra kalimantan sulawesi papua bali nusa tenggara maluku
    yang dan atau di ke dari untuk dengan pada ini itu dalam akan tidak juga sebagai oleh karena namun tetapi
    sementara menurut setelah sebelum selama saat ketika jika meski meskipun bahkan kini sebuah seorang para
    langkah dalam hal bagi tak kami kita mereka ia dia saya anda apakah ataukah bagaimana mengapa kenapa siapa
    asosiasi penyelenggara jasa seri rapat statistik komunikasi kawasan permukiman perusahaan perseroan
    persatuan perhimpunan ikatan gabungan himpunan serikat pekerja buruh kamar dagang industri
    kota kabupaten daerah wilayah pusat umum agung tinggi negeri swasta terbuka raya besar baru lama
    lebaran idul fitri adha natal imlek nyepi waisak tahun baru hari raya
    kanada meksiko brasil spanyol italia turki swiss selandia vatikan kamboja yunani polandia ukraina palestina
    irak suriah yaman libia aljazair maroko denmark norwegia swedia finlandia austria belgia hongaria ceko
    gedung putih istana kongres senat parlemen kepolisian polisi mahkamah kejaksaan pengadilan kedutaan
    konsulat bursa efek pasar
    the a an of in on for to and or by with
    """.split()
)

# Indonesian derived common nouns (ke-...-an, pe(r)-...-an, -asi/-si loans): "Kementerian",
# "Pertekstilan", "Asosiasi", "Efisiensi". Person names rarely have these shapes.
_INDONESIAN_SHAPE = re.compile(r"^(?:(?:ke|pe|per|pen|pem|peng|peny|ber)[a-z]{3,}an|[a-z]{3,}(?:asi|isasi|ensi|ansi|itas))$")

_SENTENCE_SPLIT = re.compile(r"(?<=[.!?…])[\"”’)]*\s+|\n+")
_SENTENCE_ENDS = ".!?…"  # a _SENTENCE_SPLIT match starts right after one of these, or at a line break


def _sentences(text: str) -> list[str]:
    # = _SENTENCE_SPLIT.split(text), trying the pattern only where it can start (see `_finditer_at`)
    starts = [at + 1 for end in _SENTENCE_ENDS for at in _char_positions(text, end)]
    starts += _char_positions(text, "\n")
    pieces, previous = [], 0
    for match in _finditer_at(_SENTENCE_SPLIT, text, sorted(set(starts))):
        pieces.append(text[previous:match.start()])
        previous = match.end()
    pieces.append(text[previous:])
    return [s.strip() for s in pieces if s and s.strip()]


def _has_any(text: str, needles: Iterable[str]) -> bool:
    return any(needle in text for needle in needles)


def _char_positions(text: str, char: str) -> list[int]:
    positions, at = [], text.find(char)
    while at != -1:
        positions.append(at)
        at = text.find(char, at + 1)
    return positions


_HEADING_WORD_RE = re.compile(r"[A-Za-z][\w'-]*")


def _is_heading(sentence: str) -> bool:
    words = _HEADING_WORD_RE.findall(sentence)
    if len(words) < 2:
        return True
    capital = sum(1 for w in words if w[0].isupper())
    return capital / len(words) > 0.6


_LOWER_WORD_RE = re.compile(r"\b[a-z][a-z'-]+\b")
_SEGMENT_SPLIT = re.compile(r"(?<=\w):\s|\s[|·]\s")  # a match holds ":", "|" or "·"
_HASHTAG_RE = re.compile(r"#\w+")
_CURRENCY_MARK_RE = re.compile(r"\b(?:US|S|A|HK|NZ|C)\$|\b(?:US|Rp|IDR|USD)(?=\s?\d)")
_CURRENCY_MARK_NEEDS = ("$", "US", "Rp", "IDR")  # a _CURRENCY_MARK_RE match holds one of these
_ADDRESS_RE = re.compile(r"\S+@\S+|https?://\S+|\b\w+\.(?:co\.id|com|id|org|net)\b")
_ADDRESS_NEEDS = ("@", "http", ".co", ".id", ".org", ".net")  # an _ADDRESS_RE match holds one of these
_NAME_TOKEN_RE = re.compile(r"[A-Za-z][A-Za-z0-9&'’-]*")
# a capitalised word right after one of these starts a sentence of its own ("Fokus: Amazon", "■ Amazon")
_OPENERS = frozenset(":“\"■●•-—–")


def _name_candidates(source: str) -> dict[str, str]:
    """Names in the source: {display name: name}. Acronyms (AWS, PHK) and capitalised words that are
    not at a sentence start, not in a heading-like line, and not also used in lower case."""
    lower_words = set(_LOWER_WORD_RE.findall(source))
    names: dict[str, str] = {}
    # Each pattern below needs some literal text ("Fokus: ...", "$", "http"); `_has_any` skips the
    # pattern where that text is absent, which saves running it over almost every sentence.
    segments = [
        part
        for sentence in _sentences(source)
        for part in (_SEGMENT_SPLIT.split(sentence) if _has_any(sentence, ":|·") else (sentence,))
    ]
    for sentence in segments:
        heading: bool | None = None  # _is_heading(segment), computed when first needed
        segment = sentence
        if "#" in sentence:
            sentence = _HASHTAG_RE.sub(" ", sentence)  # hashtags
        if _has_any(sentence, _CURRENCY_MARK_NEEDS):
            sentence = _CURRENCY_MARK_RE.sub(" ", sentence)  # currency marks
        if _has_any(sentence, _ADDRESS_NEEDS):
            sentence = _ADDRESS_RE.sub(" ", sentence)
        run: list[str] = []

        def flush() -> None:
            if run:
                names.setdefault(" ".join(run), " ".join(run))
                run.clear()

        previous_end = None
        for position, match in enumerate(_NAME_TOKEN_RE.finditer(sentence)):
            token = match.group()
            if "a" <= token[0] <= "z":
                # a lower-case word (most of them) is neither an acronym nor a name: it ends a name
                # (whatever stands between it and the previous word)
                flush()
                previous_end = match.end()
                continue
            start, end = match.span()
            # the last non-blank character before the word: in the gap after the previous word, else
            # that word's own last character (tokens hold no blanks). Looking only at the gap keeps
            # this linear; rstripping the whole prefix of the sentence for every word was quadratic.
            last_before = None
            if previous_end is not None:
                gap = sentence[previous_end:start].rstrip()
                if gap:
                    flush()  # punctuation between two words ends a name: "Anthropic, Amazon", "AWS (Amazon"
                last_before = gap[-1] if gap else sentence[previous_end - 1]
            previous_end = end
            word = token.strip("'’-")
            if not word:
                flush()
                continue
            # cheapest test first: most words fail `word[:2].isupper()`
            is_acronym = len(word) >= 2 and word[:2].isupper() and sum(c.isupper() for c in word) >= 2
            is_name = False
            if is_acronym:
                is_name = word.lower() not in _NAME_STOPWORDS or word.isupper()
                if word.upper() in ("I", "II", "III", "IV"):
                    is_name = False
            elif word[0].isupper() and len(word) >= 3 and not (position == 0 or last_before in _OPENERS) and not (
                heading if heading is not None else (heading := _is_heading(segment))
            ):
                base = word.lower().split("-")[0]
                is_name = (
                    base not in _NAME_STOPWORDS
                    and word.lower() not in lower_words
                    and base not in lower_words
                    and not _INDONESIAN_SHAPE.match(base)
                )
            if is_name and any(c.isdigit() for c in word):
                is_name = False
            if is_name:
                run.append(word)
            else:
                flush()
        flush()
    return names


# The non-ASCII characters that case-insensitive matching equates with an ASCII letter (İ ı ~ i,
# ſ ~ s, K ~ k; tests/test_checks.py checks every code point). `_fold` maps them to that letter.
_ASCII_FOLD = {0x130: "i", 0x131: "i", 0x17F: "s", 0x212A: "k"}
_ASCII_FOLD_CHARS = tuple(chr(c) for c in _ASCII_FOLD)


def _fold(text: str) -> str | None:
    """`text` lower-cased, position for position, such that wherever an ASCII needle matches
    case-insensitively at position p, `needle.lower()` is at p of the result (a cheap `str.find`
    then finds every place to try). None in the unexpected case that the length changes."""
    if any(c in text for c in _ASCII_FOLD_CHARS):
        text = text.translate(_ASCII_FOLD)  # "İ".lower() is two characters; the others do not fold to ASCII
    folded = text.lower()
    return folded if len(folded) == len(text) else None


def _present(word: str, translation: str, folded: str | None = None) -> bool:
    # "Indonesia" is kept in "Indonesian", "Jakarta" in "Jakarta-based"; a plural "LLMs" keeps "LLM"
    pattern = re.compile(r"(?<![A-Za-z])" + re.escape(word) + r"(?:n|an|ns|ans|s|es)?(?![a-z])", re.IGNORECASE)
    if folded is None or not word.isascii():
        return pattern.search(translation) is not None
    # = pattern.search(translation), tried only where the word itself occurs (`_fold`): a search
    # that tries every position of a 5,000-character translation costs ~50 µs per word
    needle = word.lower()
    at = folded.find(needle)
    while at != -1:
        if pattern.match(translation, at) is not None:
            return True
        at = folded.find(needle, at + 1)
    return False


def _check_names(source: str, translation: str) -> list[Finding]:
    findings: list[Finding] = []
    seen: set[str] = set()
    folded, lowered = _fold(translation), translation.lower()
    known: dict[str, bool] = {}  # word -> _present(word): names repeat words ("Amazon", "Amazon Web Services")

    def present(word: str) -> bool:
        if word not in known:
            known[word] = _present(word, translation, folded)
        return known[word]

    for name in _name_candidates(source):
        words = name.split()
        missing = []
        for word in words:
            key = word.upper()
            if present(word):
                continue
            if key in TRANSLATABLE_ACRONYMS and any(r.lower() in lowered or present(r) for r in TRANSLATABLE_ACRONYMS[key]):
                continue
            if word.isupper() and word.upper() in TRANSLATABLE_ACRONYMS and word.upper() in ("AS",):
                continue
            missing.append(word)
        if not missing:
            continue
        # one missing word of a long run (an Indonesian word in an organisation's name) is not a swap
        if len(words) >= 3 and len(missing) == 1 and not missing[0].isupper():
            continue
        label = " ".join(missing)
        if label.lower() in seen:
            continue
        seen.add(label.lower())
        findings.append(Finding(
            kind="name_missing", severity="warning",
            message=f"name '{label}' (in '{name}') is not in the translation",
            source_span=name,
        ))
    return findings


# --------------------------------------------------------------------------------------------------
# Glossary
# --------------------------------------------------------------------------------------------------


def _entry(item: Any) -> tuple[str, str]:
    if isinstance(item, dict):
        return str(item.get("term", "")), str(item.get("source_term", ""))
    return str(getattr(item, "term", "")), str(getattr(item, "source_term", ""))


def _check_glossary(source: str, glossary: Iterable[Any]) -> list[Finding]:
    findings: list[Finding] = []
    flat_source = " ".join(source.split()).lower()
    terms: dict[str, set[str]] = {}
    shown: dict[str, str] = {}
    for item in glossary:
        term, source_term = _entry(item)
        st = " ".join(source_term.split())
        if not st:
            continue
        key = st.lower()
        candidates = {key, re.sub(r"\s*\(.*?\)\s*", " ", key).strip()}
        candidates |= {m.strip() for m in re.findall(r"\((.*?)\)", key)}
        if not any(c and c in flat_source for c in candidates):
            findings.append(Finding(
                kind="glossary_source_missing", severity="warning",
                message=f"glossary source term '{st}' does not occur in the source",
                source_span=st, output_span=term or None,
            ))
        terms.setdefault(key, set()).add(" ".join(term.split()).lower())
        shown.setdefault(key, st)
    for key, values in terms.items():
        if len(values) > 1:
            findings.append(Finding(
                kind="glossary_inconsistent", severity="warning",
                message=f"glossary source term '{shown[key]}' is given different terms: " + ", ".join(sorted(values)),
                source_span=shown[key],
            ))
    return findings


# --------------------------------------------------------------------------------------------------
# Untranslated sentences
# --------------------------------------------------------------------------------------------------

_FUNCTION_WORDS = {
    "id": set("yang dan di ke dari untuk dengan pada ini itu dalam akan tidak adalah oleh telah sebagai "
              "bahwa juga karena atau saat sudah masih lebih para sebuah kini namun tersebut mereka kami".split()),
}
_LETTER_WORDS_RE = re.compile(r"[^\W\d_]+")


def _language_identifier(languages: tuple[str, ...]):
    from summarizer.language import identifier

    return identifier(languages)


def _untranslated_sentences(translation: str, source_lang: str) -> tuple[list[str], int]:
    """(sentences still in the source language, number of sentences checked)."""
    if source_lang == "en":
        return [], 0
    related = ("id", "ms") if source_lang in ("id", "ms") else (source_lang,)
    try:
        identifier = _language_identifier(tuple(sorted({"en", *related})))
    except Exception:  # noqa: BLE001 - an unknown language code or a missing model: skip the check
        return [], 0
    words_of = _FUNCTION_WORDS.get(source_lang)
    flagged, checked = [], 0
    for sentence in _sentences(translation):
        words = _LETTER_WORDS_RE.findall(sentence)
        if len(words) < MIN_WORDS_FOR_LANGUAGE:
            continue
        checked += 1
        function_words = sum(1 for w in words if w.lower() in words_of) if words_of is not None else None
        if function_words == 0:
            # a sentence needs at least one function word of the source language to be flagged,
            # whatever the identifier says: skip it (most sentences of a translation; ~0.1 ms each)
            continue
        ranks = dict(identifier.rank(sentence))
        foreign = sum(ranks.get(code, 0.0) for code in related)
        if foreign < 0.9:
            continue
        needed = 1 if foreign >= 0.99 else 2
        if function_words is not None and function_words < needed:
            continue
        flagged.append(sentence)
    return flagged, checked


def _check_untranslated(translation: str, source_lang: str) -> list[Finding]:
    flagged, checked = _untranslated_sentences(translation, source_lang)
    if not flagged:
        return []
    ratio = len(flagged) / checked
    severity = "error" if ratio > UNTRANSLATED_ERROR_RATIO else "warning"
    return [
        Finding(
            kind="untranslated", severity=severity,
            message=f"sentence still in '{source_lang}' ({len(flagged)} of {checked} sentences)",
            output_span=sentence[:300],
        )
        for sentence in flagged
    ]


_INJECTION = re.compile(
    r"\b(?:abaikan|lupakan|hiraukan)\s+(?:semua\s+|seluruh\s+)?(?:instruksi|perintah|arahan)"
    r"|\b(?:ignore|disregard|forget)\s+(?:all\s+|any\s+)?(?:the\s+|your\s+)?(?:previous|prior|above|earlier|preceding)\s+(?:instructions|prompts?|rules|messages)"
    r"|(?:^|\n)[ \t>*#\[]*(?:system|sistem|assistant)\s*\]?\s*:"
    r"|\byou\s+are\s+now\b|\bkamu\s+sekarang\s+adalah\b|\banda\s+sekarang\s+adalah\b"
    r"|\bnew\s+instructions\s*:|\binstruksi\s+baru\s*:"
    r"|<\|im_start\|>|\[INST\]|</?system>",
    re.IGNORECASE,
)
# where it can start: the keywords of `_RUN_STARTS` marked _AT_INJECTION, the text's start, "\n", "<", "["
_PATTERN_STARTS[_INJECTION] = _AT_INJECTION


def _check_injection(source: str, scan: _Scan | None = None) -> list[Finding]:
    """Instruction-like text inside the article: likely a prompt-injection attempt."""
    found = list(islice(_scan_matches(_INJECTION, scan or _Scan(source)), 5))
    if not found:
        return []
    spans = "; ".join(repr(" ".join(m.group(0).split())) for m in found)
    return [Finding(
        kind="prompt_injection",
        severity="warning",
        message=f"the article contains instruction-like text aimed at the model ({spans}); "
                "it was sent as data only, but check that the output follows the article, not those instructions",
        source_span=" ".join(source[max(0, found[0].start() - 40):found[0].end() + 80].split())[:300],
    )]


# --------------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------------


def check_translation(
    source: str,
    translation: str,
    *,
    summary: Iterable[str] = (),
    glossary: Iterable[Any] = (),
    source_lang: str = "id",
) -> list[Finding]:
    """Every finding about `translation` (and `summary`, `glossary`) against `source`, errors first."""
    source_lang = (source_lang or "id").lower()
    number_lang = "id" if source_lang in ("id", "ms") else "en"
    # each text is scanned once for where patterns can start (`_Scan`); the source's scan also
    # serves the injection check
    source_scan, trans_scan = _Scan(source), _Scan(translation)
    source_q = _extract_quantities(source_scan, number_lang)
    trans_q = _extract_quantities(trans_scan, "en")
    findings: list[Finding] = []
    findings += _check_numbers(source_q, trans_q)
    findings += _check_summary(source_q, list(summary))
    findings += _check_names(source, translation)
    findings += _check_glossary(source, glossary)
    findings += _check_untranslated(translation, source_lang)
    findings += _check_injection(source, source_scan)
    order = {"error": 0, "warning": 1, "info": 2}
    return sorted(findings, key=lambda f: order[f.severity])
