"""Numbers and amounts: scores and ranges, money (currency + scale word), measurements (value + unit),
percentages, plain numbers, ordinals and number words, in Indonesian and English conventions.

    find_scores(text, lang, taken)        "2-1", "7 — 5", "11-15", "11-to-15", "5 hingga 7", "2011/12", "1:47.872"
    find_amounts(text, lang, taken)       "US$50 miliar", "Rp835 triliun", "380 kg", "13 persen", "16.000", "5th"
    find_ordinals(text, lang, taken)      "ke-13", "ke 3"
    find_number_words(text, lang, taken)  "dua puluh lima ribu", "setengah", "fifty-four",
                                          "one-point-three-billion", "thirty-fifth", "a dozen", "a mile"

English number words are read by `text2num` (a maintained parser of number words in eight languages;
word2number is unmaintained since 2017 and reads neither ordinals nor "and"); decimals ("point three"),
"a dozen", "half" and "a quarter" are read here. Indonesian has no such package: `_indonesian_words`
is a small parser of satu..sembilan, belas/puluh/ratus/ribu/juta/miliar/triliun and the se- forms.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import chain
from typing import Any

from summarizer.checks.scan import Lang, Quantity, Taken, free_matches, parse_digits

SCALES: dict[str, float] = {
    "ribu": 1e3, "rb": 1e3, "juta": 1e6, "jt": 1e6, "miliar": 1e9, "milyar": 1e9, "triliun": 1e12,
    "ribuan": 1e3, "jutaan": 1e6, "miliaran": 1e9, "triliunan": 1e12,  # "Rp20 ribuan": about Rp20 thousand
    "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12,
    "thousands": 1e3, "millions": 1e6, "billions": 1e9, "trillions": 1e12,  # "100 millions" (a loose plural)
    "mn": 1e6, "mln": 1e6, "bn": 1e9, "bln": 1e9, "tn": 1e12, "trn": 1e12,
}
# single letters are scales only right after a currency ("$50B", "Rp835 T", "Rp5 M", "$5k")
_SHORT_SCALES = {"k": 1e3, "m": 1e6, "b": 1e9, "t": 1e12}

_CURRENCY_PREFIX = {
    "us$": "USD", "usd": "USD", "us": "USD", "$": "USD", "rp": "IDR", "idr": "IDR", "€": "EUR", "eur": "EUR",
    "£": "GBP", "gbp": "GBP", "¥": "JPY", "jpy": "JPY", "s$": "SGD", "sgd": "SGD", "rm": "MYR", "a$": "AUD",
}
_CURRENCY_SUFFIX = {
    "us dollars": "USD", "us dollar": "USD", "u.s. dollars": "USD", "dollars": "USD", "dollar": "USD",
    "dolar as": "USD", "dolar amerika serikat": "USD", "dolar amerika": "USD", "dolar": "USD", "usd": "USD",
    "rupiah": "IDR", "idr": "IDR", "euro": "EUR", "euros": "EUR", "yuan": "CNY", "renminbi": "CNY",
    "yen": "JPY", "ringgit": "MYR", "pound sterling": "GBP", "won": "KRW", "baht": "THB", "peso": "PHP",
}

# unit word (both languages) -> canonical unit. Only right after a number: "3 jam" is three hours,
# "jam 13.00" a clock time; "tahun 2015" a year.
UNITS: dict[str, str] = {}
for _unit, _words in {
    "kg": "kg kilogram kilograms kilo kilos kilogramme kilogrammes", "g": "g gram grams gramme",
    "ton": "ton tons tonne tonnes", "lb": "lb lbs pound pounds", "km": "km kilometer kilometers kilometre kilometres",
    "m": "meter meters metre metres", "cm": "cm centimeter centimeters sentimeter centimetre centimetres",
    "mm": "mm milimeter millimeter millimeters millimetre millimetres", "mile": "mil mile miles",
    "ft": "kaki ft foot feet", "inch": "inci inch inches", "ha": "ha hektare hektar hectare hectares",
    "acre": "acre acres are", "l": "liter liters litre litres", "gallon": "galon gallon gallons",
    "day": "hari day days", "week": "pekan minggu week weeks", "month": "bulan month months",
    "year": "tahun year years yr yrs", "decade": "dekade decade decades", "hour": "jam hour hours hr hrs",
    "minute": "menit minute minutes min mins", "second": "detik seconds sec secs", "km/h": "km/jam km/h kph kmh",
    "mph": "mph", "mw": "mw megawatt megawatts", "kw": "kw kilowatt kilowatts",
    "barrel": "barel barrel barrels", "bps": "bps basis", "point": "poin point points",
}.items():
    for _word in _words.split():
        UNITS[_word] = _unit
UNITS.pop("are")  # "are" is English "are" far more often than a unit of 100 m²

_UNIT_WORDS = "|".join(re.escape(w) for w in sorted(UNITS, key=len, reverse=True))
_CURRENCY_WORDS = "|".join(re.escape(w) for w in sorted(_CURRENCY_SUFFIX, key=len, reverse=True))
_SCALE_WORDS = "|".join(sorted(SCALES, key=len, reverse=True))

# what may follow a value: a percent sign or word, a unit, a currency word ("50 miliar dolar AS")
_TAIL = re.compile(
    rf"(?P<pct>\s?%|\s(?:persen|percents?|per\scent|pct)\b)"
    rf"|[\s-](?P<cur>{_CURRENCY_WORDS})\b"
    rf"|[\s-](?P<unit>{_UNIT_WORDS})(?![\w/])(?!-(?:old|olds)\b)",
    re.IGNORECASE,
)

_PREFIX = r"(?P<pre>US\$|US(?=\s?\d)|USD|S\$|A\$|\$|Rp\.?|IDR|€|EUR|£|GBP|¥|JPY|SGD|RM(?=\s?\d))"
_AMOUNT = re.compile(
    rf"""
    (?<![\w.,:/#@])(?:(?<=[a-z]{{4}}[-–])|(?<![A-Za-z]-)(?<![A-Za-z]–))
    (?:{_PREFIX}\s?)?
    (?P<num>\d{{1,20}}(?:[.,]\d{{1,20}}){{0,10}}  # bounded, so the windows bound each search
      # a currency amount whose separator lost its digits to a space ("Rp2, 91 trillion", "R1, 5
      # billion" in tokenised text): one number, since a list needs no scale word on its last item;
      # and a thousands group so split ("Rp6, 500 per liter"): a list of prices repeats the currency
      (?(pre)(?:[.,]\s(?:\d{{1,3}}(?=\s(?:{_SCALE_WORDS})\b)|\d{{3}}(?![\d]|[.,]\d)))?|))(?![.,:/]?\d)
    (?:\s?(?P<scale>(?:{_SCALE_WORDS})\b|(?<=\d)[kKmMbBtT]\b(?!\.\w)|(?<=\s)[MT]\b))?
    (?P<ord>st|nd|rd|th|s(?=\W|$)|-an\b|'s)?
    (?P<glued>(?<=\d)(?:mins?|hrs?|secs?|yrs?|km|kg|cm|mm|ft|lbs?|mph|kph|ha|mw|kw))?
    (?!\w)
    """,
    re.VERBOSE | re.IGNORECASE,
)
_YEAR = re.compile(r"(1[5-9]|20)\d\d")


def _tail(text: str, end: int) -> tuple[str | None, str | None, bool, int]:
    """(unit, currency, percent, new end) of what follows a value at `end`."""
    match = _TAIL.match(text, end)
    if match is None:
        return None, None, False, end
    if match.group("pct"):
        return None, None, True, match.end()
    if match.group("cur"):
        return None, _CURRENCY_SUFFIX[match.group("cur").lower()], False, match.end()
    word = match.group("unit")
    if word.lower() == "minggu" and word[0] == "M":
        return None, None, False, end  # "Minggu" is Sunday
    if word in ("m", "g", "l", "M", "G", "L") and not text[match.start()].isspace():
        return None, None, False, end  # "5G", "3D": a name
    return UNITS[word.lower()], None, False, match.end()


_ID_SCALE_WORDS = ("ribu", "juta", "miliar", "milyar", "triliun")
_NEXT_WORD = re.compile(r"\s([A-Za-z]{4,9})\b")


def _one_slip(word: str, target: str) -> bool:
    """`word` is `target` with one letter added, dropped or changed, or two neighbours swapped."""
    if word == target or abs(len(word) - len(target)) > 1:
        return False
    if len(word) == len(target):
        diff = [i for i, (a, b) in enumerate(zip(word, target)) if a != b]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and word[diff[0]] == target[diff[1]] and word[diff[1]] == target[diff[0]])
    short, long = sorted((word, target), key=len)
    return any(long[:i] + long[i + 1:] == short for i in range(len(long)))


def _scale_slip(text: str, end: int, lang: Lang) -> float | None:
    """The scale an Indonesian number's next word misspells ("5,5 jtua", "12 trilliun"), if it is no word."""
    if lang != "id":
        return None
    match = _NEXT_WORD.match(text, end)
    if match is None:
        return None
    word = match.group(1).lower()
    scale = next((SCALES[w] for w in _ID_SCALE_WORDS if _one_slip(word, w)), None)
    if scale is None:
        return None
    from summarizer.checks.lexicon import is_indonesian_word

    return None if is_indonesian_word(word) else scale


def _amount(text: str, match: re.Match[str], lang: Lang) -> Quantity | None:
    parsed = parse_digits(match.group("num").replace(" ", ""), lang)
    if parsed is None:
        return None
    value, alts = parsed
    prefix, scale, suffix = match.group("pre"), match.group("scale"), match.group("ord")
    currency = _CURRENCY_PREFIX.get(prefix.lower().rstrip(".").strip()) if prefix else None
    factor = 1.0
    if scale:
        key = scale.lower()
        if key in SCALES:
            factor = SCALES[key]
        elif currency or key == "k" or (scale in ("M", "T") and lang == "id" and "Rp" in (prefix or "")):
            factor = _SHORT_SCALES[key]
        elif scale == "m" and lang == "en":
            alts = (*alts, *(v * 1e6 for v in (value, *alts)))  # "15m": 15 million, or 15 metres
        else:
            return None  # a lone letter after a plain number ("5G", "7B" model sizes): a name
    start, end = match.span()
    unit, suffix_currency, percent = None, None, False
    if match.group("glued"):
        unit = UNITS[match.group("glued").lower()]  # "69mins", "10km"
    elif not suffix or suffix.lower() in ("s", "-an", "'s"):
        unit, suffix_currency, percent, end = _tail(text, end)
    currency = currency or suffix_currency
    if not (scale or unit or percent or suffix):
        slip = _scale_slip(text, end, lang)  # a source typo: either reading, as for an ambiguous separator
        alts = (*alts, *(v * slip for v in (value, *alts))) if slip else alts
    values = tuple(v * factor for v in (value, *alts))
    if suffix and suffix.lower() in ("st", "nd", "rd", "th"):
        if prefix or scale:
            return None
        kind = "ordinal"
    elif percent:
        kind = "percent"
    elif currency:
        kind = f"money:{currency}"
    else:
        kind = "year" if _YEAR.fullmatch(match.group("num")) and factor == 1.0 and not unit else "number"
    return Quantity(values[0], kind, text[start:end], start, end, values[1:], unit=unit)


def find_amounts(text: str, lang: Lang, taken: Taken) -> list[Quantity]:
    found = []
    for match in free_matches(_AMOUNT, text, taken):
        quantity = _amount(text, match, lang)
        if quantity is not None and taken.free(quantity.start, quantity.end):
            taken.take(quantity.start, quantity.end)
            found.append(quantity)
    return found


# "2-1", "11-15", "11–15", "7 — 5", "11-to-15", "11 to 15", "5 hingga 7"
_RANGE = re.compile(
    # ("between 5 and 7" stays two numbers, as "antara tahun 1990 dan 2010" does)
    r"(?<![\w.,:/#-])(?P<a>\d{1,4})(?:\s?[-–]\s?|\s—\s|-to-|\s(?:to|hingga|sampai|s/d)\s)(?P<b>\d{1,4})(?![\w/-]|[.,:]\d)",
    re.IGNORECASE,
)


# a race time; on the English side a space may follow the colon ("1: 43.443", as MT writes it): the
# minutes-colon-seconds-decimals shape continues after it, which nothing else in news text does
_LAP_TIME = {
    lang: re.compile(rf"(?<![\w.,:])\d{{1,2}}:{space}\d{{2}}[.,]\d{{1,3}}(?![\w]|[.,:]\d)")
    for lang, space in (("id", ""), ("en", r"\s?"))
}
_YEAR_SPAN = re.compile(r"(?<![\w./-])(?P<y>(?:19|20)\d\d)/(?P<y2>(?:19|20)?\d\d)(?![\w/]|[.,]\d)")
_SCALE_AFTER = re.compile(rf"\s?(?P<scale>{_SCALE_WORDS})\b", re.IGNORECASE)


def find_scores(text: str, lang: Lang, taken: Taken) -> list[Quantity]:
    """Scores and ranges: the pair is the fact, so "2-1" -> "2-3" is one changed fact.

    A range with a scale word ("200-300 ribu") is two amounts, as the other language may well write
    it ("200 thousand to 300 thousand")."""
    found = []
    for match in free_matches(_LAP_TIME["en" if lang == "en" else "id"], text, taken):
        # a race time ("1:47.872", "2:48,006"): compared as written, every digit counts
        taken.take(*match.span())
        value = "".join(match.group(0).split()).replace(",", ".")
        found.append(Quantity(value, "duration", match.group(0), *match.span()))
    for match in free_matches(_YEAR_SPAN, text, taken):
        # "2011/12", "2011/2012": a season or school year, the two years it spans
        first, second = match.group("y"), match.group("y2")
        second = first[:4 - len(second)] + second
        taken.take(*match.span())
        found += [Quantity(float(year), "year", match.group(0), *match.span()) for year in (first, second)]
    for match in free_matches(_RANGE, text, taken):
        a, b = match.group("a"), match.group("b")
        start, end = match.span()
        scale = _SCALE_AFTER.match(text, end)
        if scale is not None:
            factor = SCALES[scale.group("scale").lower()]
            taken.take(start, scale.end())
            for digits in (a, b):
                found.append(Quantity(float(digits) * factor, "number", text[start:scale.end()], start, scale.end()))
            continue
        unit, _currency, _percent, end = _tail(text, end)
        taken.take(start, end)
        # the other team's view of a score ("5-7" = "7-5") is the same result
        found.append(Quantity(f"{int(a)}-{int(b)}", "score", text[start:end], start, end, (f"{int(b)}-{int(a)}",), unit=unit))
    return found


_ORDINAL_ID = re.compile(r"\bke-?\s?(?P<n>\d{1,3})(?!\d|[.,:]\d)\b", re.IGNORECASE)


def find_ordinals(text: str, lang: Lang, taken: Taken) -> list[Quantity]:
    if lang != "id":
        return []
    found = []
    for match in free_matches(_ORDINAL_ID, text, taken):
        taken.take(*match.span())
        found.append(Quantity(float(match.group("n")), "ordinal", match.group(0), *match.span()))
    return found


# -- number words ---------------------------------------------------------------------------------

_ID_UNITS = {"nol": 0, "satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6, "tujuh": 7,
             "delapan": 8, "sembilan": 9}
_ID_SE = {"sepuluh": 10, "sebelas": 11, "seratus": 100, "seribu": 1e3, "sejuta": 1e6, "semiliar": 1e9,
          "setengah": 0.5, "seperempat": 0.25, "selusin": 12}
_ID_MULTIPLIERS = {"belas": None, "puluh": 10, "ratus": 100}
_ID_BIG = {"ribu": 1e3, "juta": 1e6, "miliar": 1e9, "milyar": 1e9, "triliun": 1e12}
_ID_ORDINALS = {"pertama": 1, "kedua": 2, "kesatu": 1}  # ke- + a number word: "ketiga", "ketiga belas"
_ID_WORD = "|".join(sorted([*_ID_UNITS, *_ID_SE, *_ID_MULTIPLIERS, *_ID_BIG], key=len, reverse=True))
_ID_FIRST = "|".join(sorted([*_ID_UNITS, *_ID_SE], key=len, reverse=True))  # a run starts with a count
# words may be written together or hyphenated: "duapuluh", "Sembilan-puluh lima", "Duapuluh-empat"
# (at most 16 words: a bound lets the windows bound each search)
_ID_RUN = re.compile(rf"\b(?P<ke>ke)?(?P<run>(?:{_ID_FIRST})(?:[\s-]?(?:{_ID_WORD})){{0,16}})\b", re.IGNORECASE)
_ID_SPLIT = re.compile(rf"{_ID_WORD}", re.IGNORECASE)


_OF_RUN = re.compile(rf"\s+dari\s+(?P<run>(?:{_ID_FIRST})(?:[\s-]?(?:{_ID_WORD}))*)\b", re.IGNORECASE)


def _fraction_of(text: str, end: int, value: float | None) -> tuple[float, int] | None:
    """(the whole, its end) when the fraction `value` ("setengah", "seperempat") is "of" a number word."""
    if value is None or not 0 < value < 1:
        return None
    match = _OF_RUN.match(text, end)
    whole = _indonesian_words(_ID_SPLIT.findall(match.group("run").lower())) if match else None
    return (whole, match.end()) if whole else None


# after these a unit word starts another number; after seratus, seribu or sejuta it continues this one
# ("seratus enam puluh lima": 165, "seribu lima": 1,005)
_ID_ONES_FILLED = frozenset({"sepuluh", "sebelas", "setengah", "seperempat", "selusin", "belas"})


def _indonesian_words(words: list[str]) -> float | None:
    """The value of satu..sembilan, belas/puluh/ratus/ribu/juta/miliar/triliun and the se- forms, or
    None when the words are not one number. belas/puluh/ratus multiply the digit just before them, not
    the whole group: "dua ratus lima puluh" is 250, "seratus enam puluh lima" 165."""
    total = group = 0.0  # the finished thousands groups; the finished part of the current one
    digit: float | None = None  # satu..sembilan, waiting for a belas/puluh/ratus
    previous = None
    for word in words:
        if word in _ID_UNITS:
            if digit is not None or previous in _ID_ONES_FILLED:
                return None  # "tiga tiga", "satu tujuh", "sebelas dua": two numbers, not one
            digit = float(_ID_UNITS[word])
        elif word in _ID_MULTIPLIERS:  # belas, puluh, ratus
            if digit is None:
                return None
            group += digit + 10 if word == "belas" else digit * _ID_MULTIPLIERS[word]
            digit = None
        elif word in _ID_SE:
            value = _ID_SE[word]
            part = group + (digit or 0.0)
            if value >= 1e3:  # seribu, sejuta, semiliar
                total += part * value if part else value
                group, digit = 0.0, None
            elif value < 1 or digit is None:  # "satu setengah": 1.5; sepuluh, sebelas, seratus, selusin
                group, digit = part + value, None
            else:
                return None  # "dua seratus"
        elif word in _ID_BIG:
            part = group + (digit or 0.0)
            total += (part or 1) * _ID_BIG[word]
            group, digit = 0.0, None
        else:
            return None
        previous = word
    return total + group + (digit or 0.0)


_EN_UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
             "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_EN_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_EN_BIG = ["hundred", "thousand", "million", "billion", "trillion"]
_EN_ORDINALS = {"first": 1, "second": 2, "third": 3, "fifth": 5, "eighth": 8, "ninth": 9, "twelfth": 12}
_EN_WORD = (
    r"(?:" + "|".join(sorted(_EN_UNITS + _EN_TENS + _EN_BIG, key=len, reverse=True)) + r")(?:th|ieth)?"
    r"|(?:twent|thirt|fort|fift|sixt|sevent|eight|ninet)ieth|first|second|third|fifth|eighth|ninth|twelfth"
)
_EN_RUN = re.compile(
    # "five-star": 5; a word hyphenated to a unit after a space counts on its own: "eight hundred two-liter
    # bottles" is 800 bottles of 2 litres
    rf"\b(?P<run>(?:{_EN_WORD})(?:(?:-|\sand\s|-and-)(?:{_EN_WORD}|point)|\s(?:{_EN_WORD}|point)(?!-(?:{_UNIT_WORDS})\b)){{0,16}})(?!\w)"
    r"(?P<half>\sand\sa\shalf(?:\s(?:thousand|million|billion|trillion)\b)?)?"
    r"|\b(?P<halfscale>(?:half|a\squarter|quarter)\s(?:of\s)?(?:a\s|one\s)?(?:thousand|million|billion|trillion))\b"
    r"|\b(?P<special>a\sdozen|dozen(?!s)|twice|half|a\squarter)\b",
    re.IGNORECASE,
)
# "a"/"an" before a unit ("a mile") is 1: its own pattern, tried after `_EN_RUN` (none of whose matches
# holds an "a" before a unit), so the windows can look for `_EN_RUN`'s words, which "a" is too common for
_EN_ARTICLE = re.compile(r"\b(?P<special>(?:a|an)(?=\s(?:" + _UNIT_WORDS + r")\b))\b", re.IGNORECASE)
_SPECIAL = {"a dozen": 12.0, "dozen": 12.0, "twice": 2.0, "half": 0.5, "a quarter": 0.25}


def _english_words(run: str) -> tuple[float, bool] | None:
    """(value, is ordinal) of an English number-word run, or None."""
    from text_to_num import alpha2digit, text2num

    words = [w for w in re.split(r"[\s-]+", run.lower()) if w and w != "and"]
    if "point" in words:
        at = words.index("point")
        whole = _english_words(" ".join(words[:at])) if at else (0.0, False)
        digits, scale = [], 1.0
        for word in words[at + 1:]:
            if word in _EN_UNITS[:10]:
                digits.append(str(_EN_UNITS.index(word)))
            elif word in SCALES and not digits == []:
                scale = SCALES[word]
            else:
                return None
        if whole is None or not digits:
            return None
        return (whole[0] + float("0." + "".join(digits))) * scale, False
    last = words[-1]
    ordinal = last in _EN_ORDINALS or (last.endswith("th") and last not in ("th",))
    if ordinal:
        converted = alpha2digit(" ".join(words), "en")
        digits = re.fullmatch(r"(\d+)(?:st|nd|rd|th)", converted.strip())
        if digits is None:
            return (float(_EN_ORDINALS[last]), True) if len(words) == 1 and last in _EN_ORDINALS else None
        return float(digits.group(1)), True
    try:
        return float(text2num(" ".join(words), "en")), False
    except ValueError:
        return None


_ID_KEYWORDS = frozenset([*_ID_UNITS, *_ID_SE, *_ID_ORDINALS]) | {"ke" + w for w in _ID_UNITS}
_EN_KEYWORDS = frozenset([*_EN_UNITS, *_EN_TENS, *_EN_BIG, *_EN_ORDINALS, "dozen", "dozens", "half", "quarter", "twice"]) | {
    w + "th" for w in [*_EN_UNITS, *_EN_BIG]} | {w[:-1] + "ieth" for w in _EN_TENS}


_EN_SPLIT = re.compile(r"[A-Za-z]+")


def _readable_parts(text: str, spans: list[tuple[int, int]], read: Callable[[str], Any]) -> list[tuple[int, int, Any]]:
    """A run of number words that is not one number ("five and eight hours", "the first two weeks",
    "salah satu tujuh negara"): its longest readable parts, left to right, as (start, end, what `read`
    made of the part). Without this the whole run was dropped, and so were the facts in it."""
    parts, i = [], 0
    while i < len(spans):
        for j in range(len(spans), i, -1):
            value = read(text[spans[i][0]:spans[j - 1][1]])
            if value is not None:
                parts.append((spans[i][0], spans[j - 1][1], value))
                i = j
                break
        else:
            i += 1  # a word no part can start with ("puluh" after a split): skipped
    return parts


def _indonesian_run(text: str, match: re.Match[str]) -> list[tuple[int, int, float, str]]:
    """(start, end, value, kind) of an Indonesian run: one number, else its readable parts."""
    def read(part: str) -> float | None:
        return _indonesian_words(_ID_SPLIT.findall(part.lower()))

    run_start, run_end = match.span("run")
    kind = "ordinal" if match.group("ke") else "number"  # "ke-" makes the first number an ordinal
    value = read(match.group("run"))
    if value is not None:
        return [(match.start(), run_end, value, kind)]
    spans = [(run_start + m.start(), run_start + m.end()) for m in _ID_SPLIT.finditer(match.group("run"))]
    found = []
    for start, end, part in _readable_parts(text, spans, read):
        if start == run_start:  # the first part keeps the "ke-" before it
            found.append((match.start(), end, part, kind))
        else:
            found.append((start, end, part, "number"))
    return found


def _english_run(text: str, match: re.Match[str]) -> list[tuple[int, int, float, str]]:
    """(start, end, value, kind) of an English run ("two and a half million" included): one number,
    else its readable parts."""
    parsed = _english_words(match.group("run"))
    if parsed is not None:
        value, kind = parsed[0], ("ordinal" if parsed[1] else "number")
        if match.group("half"):  # "two and a half (million)"
            last = match.group("half").split()[-1].lower()
            value = (value + 0.5) * SCALES.get(last, 1.0)
        return [(match.start(), match.end(), value, kind)]
    run_start = match.start("run")
    spans = [(run_start + m.start(), run_start + m.end()) for m in _EN_SPLIT.finditer(match.group("run"))
             if m.group().lower() != "and"]
    return [(start, end, part[0], "ordinal" if part[1] else "number")
            for start, end, part in _readable_parts(text, spans, _english_words)]


def find_number_words(text: str, lang: Lang, taken: Taken) -> list[Quantity]:
    found: list[Quantity] = []
    keywords = _ID_KEYWORDS if lang == "id" else _EN_KEYWORDS
    if taken.words.isdisjoint(keywords) and (lang == "id" or taken.words.isdisjoint(UNITS)):
        return found
    matches = free_matches(_ID_RUN, text, taken) if lang == "id" else chain(
        free_matches(_EN_RUN, text, taken), free_matches(_EN_ARTICLE, text, taken))
    for match in matches:
        start, end = match.span()
        if lang == "id":
            parts = _indonesian_run(text, match)
            if len(parts) == 1 and parts[0][3] == "number":
                whole = _fraction_of(text, parts[0][1], parts[0][2])
                if whole is not None:  # "setengah dari satu juta": half a million
                    parts = [(parts[0][0], whole[1], parts[0][2] * whole[0], "number")]
        elif match.re is _EN_ARTICLE:
            parts = [(start, end, 1.0, "number")]
        elif match.group("halfscale"):
            fraction = 0.25 if "quarter" in match.group("halfscale").lower() else 0.5
            parts = [(start, end, fraction * SCALES[match.group("halfscale").split()[-1].lower()], "number")]
        elif match.group("special"):
            parts = [(start, end, _SPECIAL.get(" ".join(match.group("special").lower().split())), "number")]
        else:
            parts = _english_run(text, match)
        for at, (start, end, value, kind) in enumerate(parts):
            if value is None:
                continue
            unit = None
            if at == len(parts) - 1:  # only the last part has the unit or currency after it
                unit, currency, percent, end = _tail(text, end)
                if percent:
                    kind = "percent"
                elif currency:
                    kind = f"money:{currency}"
            taken.take(start, end)
            found.append(Quantity(float(value), kind, text[start:end], start, end, spelled=True, unit=unit))
    for word, number in _ID_ORDINALS.items() if lang == "id" else ():
        if word not in taken.words:
            continue
        for match in free_matches(re.compile(rf"\b{word}\b", re.IGNORECASE), text, taken):
            taken.take(*match.span())
            found.append(Quantity(float(number), "ordinal", match.group(0), *match.span(), spelled=True))
    return found
