"""Codes and addresses: what a translation must copy verbatim.

    find_addresses(text, lang, taken)  URLs, e-mail addresses, domain names, phone numbers
    find_codes(text, lang, taken)      HER2, A320, F-16, COVID-19, SS19, MH370, G20, 5G, B12

Both come first in extraction, so the digits inside them are never read as numbers ("F-16" is not
sixteen). A code's value is its letters and digits upper-cased without hyphens or blanks, so
"Covid-19" matches "COVID-19" and "F16" matches "F-16", but "HER2" never matches "HER5".
"""

from __future__ import annotations

import re
from functools import lru_cache

from summarizer.checks.lexicon import month_numbers
from summarizer.checks.scan import Lang, Quantity, Taken, free_matches, free_matches_at

_ADDRESS = re.compile(
    r"https?://[^\s)\]>\"']+|\bwww\.[^\s)\]>\"']+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|\b[\w-]+\.(?:co\.id|go\.id|ac\.id|or\.id|com|org|net|id)\b(?!\.\w)"
    r"|(?<![\w+])(?:\+62|\(0\d{2,3}\)|0\d{2,3})[\s-]?\d{3,4}[\s-]?\d{3,5}\b",
    re.IGNORECASE,
)
# letters then digits (HER2, A320, F-16, COVID-19, MH370, B12, SS19), or digits then letters (5G, 3D,
# 4WD). Not money ("Rp835", "US50"), not a number with a unit or ordinal suffix ("10km", "5th", "50bn").
# (What follows the digits is at most 24 characters, so the windows bound each search near a digit.)
_CODE = re.compile(
    r"(?<![\w$€£¥-])(?P<lead>[A-Za-z]{1,8})[-‑]?(?P<digits>\d{1,5})(?P<rest>[A-Za-z0-9]{0,24})(?![\w-]|[.,]\d)"
    r"|(?<![\w.,$-])(?P<digits2>\d{1,4})(?P<letters>[A-Z]{1,4}|[a-z]{1,2}(?=[A-Z]))(?![\w-])"
)
_NOT_CODE_LEADS = frozenset("rp us usd idr rm sgd eur gbp jpy ke no nomor pp uu pasal tahun th".split())
# currencies are money in any case ("RM5", "USD5"); the other leads only when written as words
# ("no5", "Th2"): in capitals they are codes ("NO2", "TH2")
_CURRENCY_LEADS = frozenset("rp us usd idr rm sgd eur gbp jpy".split())
_YEAR_DIGITS = re.compile(r"(1[5-9]|20)\d\d")


# Indonesian degree codes, which an English text names instead of copying (CLDR has no such data)
DEGREE_CODES: dict[str, tuple[str, ...]] = {
    "S1": ("bachelor", "undergraduate"), "S2": ("master",), "S3": ("doctoral", "doctorate", "phd", "ph.d"),
    "D3": ("diploma", "associate"), "D4": ("diploma", "applied bachelor"),
}


def code_rendered(code: str, translation: str) -> bool:
    """`code` copied verbatim (case, spaces and hyphens aside), or a degree code named in English.

    As a token of its own: "S1" is not in "was 1", nor "A32" in "A320"; a plural or a word glued
    after it ("F-16s", "COVID-19-related") is still the code."""
    canonical = canonical_code(code)
    if canonical in canonical_code(translation) and _code_pattern(canonical).search(translation):
        return True
    lowered = translation.lower()
    return any(word in lowered for word in DEGREE_CODES.get(canonical, ()))


def code_count(code: str, translation: str) -> int:
    """How many times `code` is copied in `translation` (as `code_rendered` finds it)."""
    return len(_code_pattern(canonical_code(code)).findall(translation))


@lru_cache(maxsize=256)
def _code_pattern(canonical: str) -> re.Pattern[str]:
    between = r"[\s‑-]?"
    body = between.join(re.escape(c) for c in canonical)
    first, last = canonical[0], canonical[-1]
    before = r"(?<![A-Za-z0-9])" if first.isalnum() else ""
    after = (r"(?!\d)" if last.isdigit() else r"(?![A-Za-z0-9])") if last.isalnum() else ""
    return re.compile(before + body + after, re.IGNORECASE)


def canonical_code(code: str) -> str:
    return re.sub(r"[\s‑-]", "", code).upper()


_ADDRESS_NEEDS = ("@", "http", "www.", ".co", ".id", ".org", ".net", "+62", "(0")
_PHONE_START = re.compile(r"(?<![\w+])0\d{2,3}[\s-]?\d{3}")


def find_addresses(text: str, lang: Lang, taken: Taken) -> list[Quantity]:
    found: list[Quantity] = []
    if not any(needle in text for needle in _ADDRESS_NEEDS) and _PHONE_START.search(text) is None:
        return found
    for match in free_matches(_ADDRESS, text, taken):
        span = match.group(0).rstrip(".,;:")
        start = match.start()
        taken.take(start, start + len(span))
        found.append(Quantity(span.lower(), "address", span, start, start + len(span)))
    return found


def _lead_is_code(lead: str, rest: str, digits: str, hyphened: bool) -> bool:
    """Letters `lead` before `digits` (then `rest`) start a code, not money, a date or a word glued to a year."""
    excluded = lead.lower() in _CURRENCY_LEADS or (lead.lower() in _NOT_CODE_LEADS and not (lead.isupper() and len(lead) > 1))
    if excluded or (lead.islower() and len(lead) > 1) or lead.lower() in month_numbers():
        return False  # money, "ke-3", "no 5", "Agustus-20" (a date range)
    if lead[0].islower() and not rest:
        return False
    # "Pasca-2020", "Juli-2025": a word glued to a year
    return not (hyphened and _YEAR_DIGITS.fullmatch(digits) and len(lead) > 2 and not lead.isupper())


# hyphen-joined parts of which one is a code ("114-V8", "R2-D2", "A380-800", "SARS-CoV-2"); lower-case
# words at either end are words, not part of it ("anti-COVID-19", "U-23-nya", "COVID-19-related")
_CHAIN = re.compile(r"(?<![\w$€£¥@#./-])[A-Za-z0-9]+(?:[-‑][A-Za-z0-9]+)+(?![\w-]|[.,]\d)")
_HYPHENS = re.compile(r"[-‑]")
_RUN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-‑")
_PART = re.compile(r"(?P<lead>[A-Za-z]{1,8})(?P<digits>\d{1,5})(?P<rest>[A-Za-z0-9]*)|\d{1,4}[A-Z]{1,4}")
_PART_SPLIT = re.compile(r"[-‑]")


def _chain_code(parts: list[str]) -> bool:
    for i, part in enumerate(parts):
        whole = _PART.fullmatch(part)
        if whole is not None and (whole.group("lead") is None or _lead_is_code(whole["lead"], whole["rest"], whole["digits"], False)):
            return True  # "V8", "A380", "4G"
        after = parts[i + 1] if i + 1 < len(parts) else ""
        digits = re.match(r"\d{1,5}", after)
        if part.isalpha() and len(part) <= 8 and digits and _lead_is_code(part, after[digits.end():], digits.group(), True):
            return True  # "COVID-19", "CoV-2"
    return False


def _chain_starts(text: str) -> list[int]:
    """Where a `_CHAIN` match can start: the first character of each run of letters, digits and hyphens
    that holds a hyphen and a digit (inside a run, the lookbehind fails). Found from the hyphens, a few
    per article: the pattern itself, tried at every word, cost ~0.2 ms an article."""
    starts: list[int] = []
    end = -1
    for hyphen in _HYPHENS.finditer(text):
        at = hyphen.start()
        if at < end:
            continue  # in the run already seen
        start = at
        while start > 0 and text[start - 1] in _RUN_CHARS:
            start -= 1
        end = at
        while end < len(text) and text[end] in _RUN_CHARS:
            end += 1
        if any(c.isdigit() for c in text[start:end]):
            starts.append(start)
    return starts


def _find_chains(text: str, taken: Taken, found: list[Quantity]) -> None:
    for match in free_matches_at(_CHAIN, text, taken, _chain_starts(text)):
        start, end = match.span()
        parts = _PART_SPLIT.split(match.group(0))
        while parts and parts[0].isalpha() and parts[0].islower():
            start += len(parts.pop(0)) + 1
        while parts and parts[-1].isalpha() and parts[-1].islower():
            end -= len(parts.pop()) + 1
        if len(parts) < 2 or not _chain_code(parts):
            continue
        taken.take(start, end)
        found.append(Quantity(canonical_code(text[start:end]), "code", text[start:end], start, end))


def find_codes(text: str, lang: Lang, taken: Taken) -> list[Quantity]:
    found: list[Quantity] = []
    if "-" in text or "‑" in text:
        _find_chains(text, taken, found)
    for match in free_matches(_CODE, text, taken):
        lead = match.group("lead")
        if lead is not None and not _lead_is_code(lead, match.group("rest"), match.group("digits"), "-" in match.group(0)):
            continue
        taken.take(*match.span())
        found.append(Quantity(canonical_code(match.group(0)), "code", match.group(0), *match.span()))
    found.sort(key=lambda q: q.start)
    return found
