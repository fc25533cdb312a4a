"""Codes and addresses: what a translation must copy verbatim.

    find_addresses(text, lang, taken)  URLs, e-mail addresses, domain names, phone numbers
    find_codes(text, lang, taken)      HER2, A320, F-16, COVID-19, SS19, MH370, G20, 5G, B12

Both come first in extraction, so the digits inside them are never read as numbers ("F-16" is not
sixteen). A code's value is its letters and digits upper-cased without hyphens or blanks, so
"Covid-19" matches "COVID-19" and "F16" matches "F-16", but "HER2" never matches "HER5".
"""

from __future__ import annotations

import re

from summarizer.checks.lexicon import month_numbers
from summarizer.checks.scan import Lang, Quantity, Taken, free_matches

_ADDRESS = re.compile(
    r"https?://[^\s)\]>\"']+|\bwww\.[^\s)\]>\"']+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|\b[\w-]+\.(?:co\.id|go\.id|ac\.id|or\.id|com|org|net|id)\b(?!\.\w)"
    r"|(?<![\w+])(?:\+62|\(0\d{2,3}\)|0\d{2,3})[\s-]?\d{3,4}[\s-]?\d{3,5}\b",
    re.IGNORECASE,
)
# letters then digits (HER2, A320, F-16, COVID-19, MH370, B12, SS19), or digits then letters (5G, 3D,
# 4WD). Not money ("Rp835", "US50"), not a number with a unit or ordinal suffix ("10km", "5th", "50bn").
_CODE = re.compile(
    r"(?<![\w$€£¥-])(?P<lead>[A-Za-z]{1,8})[-‑]?(?P<digits>\d{1,5})(?P<rest>[A-Za-z0-9]*)(?![\w-]|[.,]\d)"
    r"|(?<![\w.,$-])(?P<digits2>\d{1,4})(?P<letters>[A-Z]{1,4}|[a-z]{1,2}(?=[A-Z]))(?![\w-])"
)
_NOT_CODE_LEADS = frozenset("rp us usd idr rm sgd eur gbp jpy ke no nomor pp uu pasal tahun th".split())
_YEAR_DIGITS = re.compile(r"(1[5-9]|20)\d\d")


# Indonesian degree codes, which an English text names instead of copying (CLDR has no such data)
DEGREE_CODES: dict[str, tuple[str, ...]] = {
    "S1": ("bachelor", "undergraduate"), "S2": ("master",), "S3": ("doctoral", "doctorate", "phd", "ph.d"),
    "D3": ("diploma", "associate"), "D4": ("diploma", "applied bachelor"),
}


def code_rendered(code: str, translation: str) -> bool:
    """`code` copied verbatim (case, spaces and hyphens aside), or a degree code named in English."""
    canonical = canonical_code(code)
    if canonical in canonical_code(translation):
        return True
    lowered = translation.lower()
    return any(word in lowered for word in DEGREE_CODES.get(canonical, ()))


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


def find_codes(text: str, lang: Lang, taken: Taken) -> list[Quantity]:
    found = []
    for match in free_matches(_CODE, text, taken):
        lead = match.group("lead")
        if lead is not None:
            if lead.lower() in _NOT_CODE_LEADS or (lead.islower() and len(lead) > 1) or lead.lower() in month_numbers():
                continue  # money, "ke-3", "no 5", "Agustus-20" (a date range); "covid19" in lower case is still fine below
            if lead[0].islower() and not match.group("rest"):
                continue
            if "-" in match.group(0) and _YEAR_DIGITS.fullmatch(match.group("digits")) and len(lead) > 2 and not lead.isupper():
                continue  # "Pasca-2020", "Juli-2025": a word glued to a year
        taken.take(*match.span())
        found.append(Quantity(canonical_code(match.group(0)), "code", match.group(0), *match.span()))
    return found
