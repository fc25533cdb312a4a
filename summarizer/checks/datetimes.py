"""Dates, months and clock times, in Indonesian and English conventions (month names from Babel/CLDR).

    find_dates(text, lang, taken)    "23 Juli 2025", "July 23rd, 2025", "30th September", "(22/3)",
                                     "2025-07-23", "17/9/2025"; value YYYYMMDD, or MMDD without a year
    find_times(text, lang, taken)    "pukul 13.00 WIB", "12.00 dan 13.00", "19:30", "7 p.m.", "noon";
                                     value: minutes after midnight (a 12-hour reading without a.m./p.m.
                                     also gives the afternoon one)
    find_offsets(text, lang, taken)  "GMT+0100", "UTC+7": time-zone offsets, context only
    find_months(text, lang, taken)   a month named alone ("pada September"); value 1..12
"""

from __future__ import annotations

import re
from functools import lru_cache

from summarizer.checks.lexicon import month_numbers
from summarizer.checks.scan import Lang, Quantity, Taken, free_matches

_ORD = r"(?:st|nd|rd|th)?"
_TO = r"(?:\s?[-–]\s?|\s(?:to|until|till|hingga|sampai|s/d)\s)"  # between the two ends of a range


@lru_cache(maxsize=1)
def _patterns() -> dict[str, re.Pattern[str]]:
    names = month_numbers()
    month = "|".join(sorted((re.escape(n) for n in names), key=len, reverse=True))
    # a month named alone: full names only ("Mar", "Jan" are also words and names), and "Mei"/"May"
    full = {n for n in names if len(n) >= 4 and n != "sept"} | {"mei", "may"}
    wide = "|".join(sorted((re.escape(n) for n in full), key=len, reverse=True))
    return {
        # "18-20 Juni 2013", "June 18-20, 2013": two dates of one month
        # "17 Agustus-20 September 2013", "17 August to 20 September 2013": two dates
        "cross_range": re.compile(rf"\b(?P<d>\d{{1,2}}){_ORD}\s(?P<m>{month})\.?{_TO}(?P<d2>\d{{1,2}}){_ORD}\s(?P<m2>{month})\.?,?(?:\s(?P<y>\d{{4}}))?\b", re.IGNORECASE),
        "day_range": re.compile(rf"\b(?P<d>\d{{1,2}}){_ORD}{_TO}(?P<d2>\d{{1,2}}){_ORD}\s(?P<m>{month})\.?,?(?:\s(?P<y>\d{{4}}))?\b", re.IGNORECASE),
        "month_range": re.compile(rf"\b(?P<m>{month})\.?\s(?P<d>\d{{1,2}}){_ORD}\s?[-–]\s?(?P<d2>\d{{1,2}}){_ORD}\b(?:,?\s(?P<y>\d{{4}}))?", re.IGNORECASE),
        "day_month_year": re.compile(rf"\b(?P<d>\d{{1,2}}){_ORD}(?:\sof)?\s(?P<m>{month})\.?,?\s(?P<y>\d{{4}})\b", re.IGNORECASE),
        "month_day_year": re.compile(rf"\b(?P<m>{month})\.?\s(?:the\s)?(?P<d>\d{{1,2}}){_ORD},?\s(?P<y>\d{{4}})\b", re.IGNORECASE),
        "iso": re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})\b"),
        "numeric": re.compile(r"\b(?P<a>\d{1,2})[/.-](?P<b>\d{1,2})[/.-](?P<y>\d{4}|\d{2})\b"),
        "short_numeric": re.compile(r"(?<=\()(?P<a>\d{1,2})/(?P<b>\d{1,2})(?=\))"),
        "day_month": re.compile(rf"\b(?:the\s)?(?P<d>\d{{1,2}}){_ORD}(?:\sof)?\s(?P<m>{month})\b(?!\.?,?\s\d)", re.IGNORECASE),
        "month_day": re.compile(rf"\b(?P<m>{month})\.?\s(?:the\s)?(?P<d>\d{{1,2}}){_ORD}\b(?![.,:]\d)(?!,?\s\d{{4}})", re.IGNORECASE),
        "month": re.compile(rf"\b(?P<m>{wide})\b", re.IGNORECASE),
    }


def _date_value(year: int | None, month: int, day: int) -> float | None:
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    if year is None:
        return float(month * 100 + day)
    if year < 100:
        year += 2000
    if not (1000 <= year <= 2999):
        return None
    return float(year * 10000 + month * 100 + day)


def _month_of(word: str) -> int | None:
    return month_numbers().get(word.lower().rstrip("."))


def find_dates(text: str, lang: Lang, taken: Taken) -> list[Quantity]:
    found: list[Quantity] = []
    patterns = _patterns()
    named = not taken.words.isdisjoint(month_numbers())
    for name in ("cross_range", "day_range", "month_range", "day_month_year", "month_day_year", "iso", "numeric", "short_numeric", "day_month", "month_day"):
        if not named and name not in ("iso", "numeric", "short_numeric"):
            continue
        for match in free_matches(patterns[name], text, taken):
            groups = match.groupdict()
            if groups.get("a"):
                a, b = int(groups["a"]), int(groups["b"])
                year = int(groups["y"]) if groups.get("y") else None
                # Indonesian writes day/month; an English text may hold either order
                readings = [_date_value(year, b, a)] if lang == "id" else [_date_value(year, b, a), _date_value(year, a, b)]
                readings = [r for r in readings if r is not None]
                if not readings:
                    continue
                value, alts = readings[0], tuple(r for r in readings[1:] if r != readings[0])
            else:
                word = groups["m"]
                month = int(word) if word.isdigit() else _month_of(word)
                if month is None or (not word.isdigit() and not word[0].isupper()):
                    continue  # "3 may fall" is no date
                year = int(groups["y"]) if groups.get("y") else None
                value = _date_value(year, month, int(groups["d"]))
                if value is None:
                    continue
                alts = ()
                if groups.get("d2"):
                    last_month = _month_of(groups["m2"]) if groups.get("m2") else month
                    last = _date_value(year, last_month, int(groups["d2"])) if last_month else None
                    if last is None:
                        continue
                    taken.take(*match.span())
                    found += [Quantity(value, "date", match.group(0), *match.span()), Quantity(last, "date", match.group(0), *match.span())]
                    continue
            taken.take(*match.span())
            found.append(Quantity(value, "date", match.group(0), *match.span(), alts))
    return found


def find_months(text: str, lang: Lang, taken: Taken) -> list[Quantity]:
    found: list[Quantity] = []
    if taken.words.isdisjoint(month_numbers()):
        return found
    for match in free_matches(_patterns()["month"], text, taken):
        word = match.group("m")
        if word[0].islower() or (word == "May" and lang == "en" and _starts_sentence(text, match.start())):
            continue  # "May God ..." at a sentence start
        taken.take(*match.span())
        found.append(Quantity(float(_month_of(word)), "month", word, *match.span()))
    return found


def _starts_sentence(text: str, at: int) -> bool:
    before = text[:at].rstrip()
    return not before or before[-1] in ".!?\n\"“"


_CLOCK_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve")
_ZONES = r"WIB|WITA|WIT|GMT|UTC|waktu\ssetempat|local\stime"
_TIME_ID = re.compile(
    rf"\b(?:pukul|jam|pkl\.?)\s?(?P<h>\d{{1,2}})(?:[.:](?P<m>\d{{2}})(?::\d{{2}})?)?(?!\d|[.,:]\d)(?:\s?(?:{_ZONES}))?"
    rf"(?:\s(?P<part>pagi|siang|sore|malam|dini\shari))?"
    rf"|(?<![\w.,:])(?P<h2>[01]?\d|2[0-4])[.:](?P<m2>[0-5]\d)(?::[0-5]\d)?(?![\d]|[.,:]\d)(?:\s?(?:{_ZONES}))?",
    re.IGNORECASE,
)
_TIME_EN = re.compile(
    rf"(?<![\w.,:])(?P<h>[01]?\d|2[0-4])(?:(?P<sep>[:.])(?P<m>[0-5]\d))?\s?(?P<ampm>a\.m\.?|p\.m\.?|am\b|pm\b)(?:\s?(?:{_ZONES}))?"
    rf"|(?<![\w.,:])(?P<h2>[01]?\d|2[0-4]):(?P<m2>[0-5]\d)(?::[0-5]\d)?(?![\d]|[.,:]\d)(?:\s?(?:{_ZONES}))?"
    rf"|(?<![\w.,:])(?P<h3>[01]?\d|2[0-4])\.(?P<m3>[0-5]\d)\s?(?:{_ZONES})\b"
    r"|\b(?P<word>noon|midday|midnight)\b|\b(?P<h4>\d{1,2})\so'clock\b"
    # (the lookahead makes "o'clock" what the windows look for: "one", "ten" are inside many words)
    rf"|\b(?=[a-z]{{3,6}}\so'clock\b)(?P<hword>{'|'.join(_CLOCK_WORDS)})\so'clock\b"
    # the four digits of news agencies' 24-hour clock ("after 2100 local time", "at 1400 GMT")
    r"|(?<![\w.,:])(?P<h5>[01]\d|2[0-3])(?P<m5>[0-5]\d)\s(?:GMT|UTC|local\stime)\b",
    re.IGNORECASE,
)
_AFTERNOON = {"siang", "sore", "malam"}


def _time_values(hour: int, minute: int, half: str | None) -> tuple[float, ...] | None:
    """Minutes after midnight; `half` is "am", "pm" or None (unknown: both readings)."""
    if hour > 24 or minute > 59:
        return None
    if half:
        if hour > 12:
            return (float(hour * 60 + minute),)  # "16:21 a.m.": the hour says which half, whatever follows
        return (float((hour % 12 + (12 if half == "pm" else 0)) * 60 + minute),)
    if 1 <= hour <= 12:
        return float(hour * 60 + minute), float((hour % 12 + 12) * 60 + minute), float((hour % 12) * 60 + minute)
    return (float(hour % 24 * 60 + minute),)


def _half_of_day(groups: dict) -> str | None:
    if groups.get("ampm"):
        return "am" if groups["ampm"][0].lower() == "a" else "pm"
    part = (groups.get("part") or "").lower()
    if part in _AFTERNOON:
        return "pm"
    return "am" if part else None


def find_times(text: str, lang: Lang, taken: Taken) -> list[Quantity]:
    found = []
    for match in free_matches(_TIME_ID if lang == "id" else _TIME_EN, text, taken):
        groups = match.groupdict()
        if groups.get("word"):
            values: tuple[float, ...] | None = (0.0,) if groups["word"].lower() == "midnight" else (720.0,)
        elif groups.get("hword"):
            values = _time_values(_CLOCK_WORDS.index(groups["hword"].lower()) + 1, 0, None)
        else:
            suffix = next(s for s in ("", "2", "3", "4", "5") if groups.get("h" + s))
            hour, minute = int(groups["h" + suffix]), int(groups.get("m" + suffix) or 0)
            values = _time_values(hour, minute, _half_of_day(groups))
        if not values:
            continue
        unique = tuple(dict.fromkeys(values))
        taken.take(*match.span())
        found.append(Quantity(unique[0], "time", match.group(0), *match.span(), unique[1:]))
    return found


_OFFSET = re.compile(r"\b(?:GMT|UTC)\s?[+−-]\s?\d{1,2}(?::?\d{2})?\b")


def find_offsets(text: str, lang: Lang, taken: Taken) -> list[Quantity]:
    found = []
    for match in free_matches(_OFFSET, text, taken):
        taken.take(*match.span())
        found.append(Quantity(" ".join(match.group().split()), "tz", match.group(0), *match.span()))
    return found
