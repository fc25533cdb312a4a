"""Does the output keep the source's facts? Numbers, money, dates, names, glossary terms, language.

Leaf-level module: imports only `summarizer.schemas` (py3langid is imported lazily, only when the
untranslated-sentence check runs).

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

Precision comes first: a correct translation must produce no error. Values are compared after
normalisation (thousands separators, decimal commas, scale words, currency symbols, spelled-out 2-10,
date formats), so "16.000 karyawan" matches "16,000 employees" and "23 Juli 2025" matches "July 23, 2025".
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Iterable, Literal

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


def _parse_digits(token: str, lang: str) -> tuple[float, tuple[float, ...]] | None:
    """A bare digit group ("16.000", "1,5", "16,000", "1.5") → (value, other readings)."""
    token = token.strip()
    if not re.fullmatch(_DIGITS, token):
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


def _date_value(y: int | None, m: int, d: int) -> float | None:
    if not (1 <= m <= 12 and 1 <= d <= 31):
        return None
    if y is None:
        return float(m * 100 + d)
    if not (1000 <= y <= 2999):
        return None
    return float(y * 10000 + m * 100 + d)


def _find_dates(text: str) -> list[Quantity]:
    found: list[Quantity] = []
    taken: list[tuple[int, int]] = []
    for index, pattern in enumerate(_DATE_PATTERNS):
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(s < end and start < e for s, e in taken):
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
            taken.append((start, end))
            found.append(Quantity(value, "date", match.group(0), start, end, alts))
    return found


def extract_quantities(text: str, lang: str = "id") -> list[Quantity]:
    """Every number-like fact in `text`, in order: money, percentages, years, dates, ordinals, numbers.

    Numbers glued to words (GPT-4, H100, COVID-19, #PHK2026, 5G) and clock times are skipped: they are
    names, not facts to carry over."""
    found = _find_dates(text)
    taken = [(q.start, q.end) for q in found]

    def free(start: int, end: int) -> bool:
        return not any(s < end and start < e for s, e in taken)

    for match in _TIME_RE.finditer(text):
        if free(*match.span()):
            taken.append(match.span())  # clock times are rendered too freely (14.00 WIB, 2 p.m.) to compare
    for match in _PERIOD_RE.finditer(text):
        if free(*match.span()):
            number = match.group("n") or match.group("n2")
            value = _ROMAN.get(number.upper(), None) if not number.isdigit() else int(number)
            if value:
                taken.append(match.span())
                found.append(Quantity(float(value), "ordinal", match.group(0), *match.span()))
    for match in _NUMBER_RE.finditer(text):
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
            kind = "year" if (re.fullmatch(r"(1[89]|20)\d\d", raw) and factor == 1.0) else "number"
        values = tuple(v * factor for v in (value, *alts))
        taken.append((start, span_end))
        found.append(Quantity(values[0], kind, text[start:span_end], start, span_end, values[1:]))

    if lang == "id":
        for match in _ORDINAL_ID_RE.finditer(text):
            if free(*match.span()):
                taken.append(match.span())
                found.append(Quantity(float(match.group("n")), "ordinal", match.group(0), *match.span()))
    for match in _SPELLED_SCALE_RE.finditer(text):
        if free(*match.span()):
            value = _SPELLED[match.group("w").lower()] * _SCALES[match.group("scale").lower()]
            taken.append(match.span())
            found.append(Quantity(value, "number", match.group(0), *match.span(), spelled=True))
    for match in _SPELLED_RE.finditer(text):
        if free(*match.span()):
            taken.append(match.span())
            found.append(Quantity(float(_SPELLED[match.group("w").lower()]), "number", match.group(0), *match.span(), spelled=True))
    for match in _SPELLED_ORD_RE.finditer(text):
        if free(*match.span()):
            taken.append(match.span())
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


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_SPLIT.split(text) if s and s.strip()]


def _is_heading(sentence: str) -> bool:
    words = [w for w in re.findall(r"[A-Za-z][\w'-]*", sentence)]
    if len(words) < 2:
        return True
    capital = sum(1 for w in words if w[0].isupper())
    return capital / len(words) > 0.6


def _name_candidates(source: str) -> dict[str, str]:
    """Names in the source: {display name: name}. Acronyms (AWS, PHK) and capitalised words that are
    not at a sentence start, not in a heading-like line, and not also used in lower case."""
    lower_words = set(re.findall(r"\b[a-z][a-z'-]+\b", source))
    names: dict[str, str] = {}
    segments = [part for sentence in _sentences(source) for part in re.split(r"(?<=\w):\s|\s[|·]\s", sentence)]
    for sentence in segments:
        heading = _is_heading(sentence)
        sentence = re.sub(r"#\w+", " ", sentence)  # hashtags
        sentence = re.sub(r"\b(?:US|S|A|HK|NZ|C)\$|\b(?:US|Rp|IDR|USD)(?=\s?\d)", " ", sentence)  # currency marks
        sentence = re.sub(r"\S+@\S+|https?://\S+|\b\w+\.(?:co\.id|com|id|org|net)\b", " ", sentence)
        tokens = list(re.finditer(r"[A-Za-z][A-Za-z0-9&'’-]*", sentence))
        run: list[str] = []

        def flush() -> None:
            if run:
                names.setdefault(" ".join(run), " ".join(run))
                run.clear()

        previous_end = None
        for position, match in enumerate(tokens):
            if previous_end is not None and sentence[previous_end : match.start()].strip():
                flush()  # punctuation between two words ends a name: "Anthropic, Amazon", "AWS (Amazon"
            previous_end = match.end()
            word = match.group(0).strip("'’-")
            if not word:
                flush()
                continue
            is_acronym = len(word) >= 2 and sum(c.isupper() for c in word) >= 2 and word[:2].isupper()
            initial = position == 0 or sentence[: match.start()].rstrip().endswith((":", "“", '"', "■", "●", "•", "-", "—", "–"))
            is_name = False
            if is_acronym:
                is_name = word.lower() not in _NAME_STOPWORDS or word.isupper()
                if word.upper() in ("I", "II", "III", "IV"):
                    is_name = False
            elif word[0].isupper() and len(word) >= 3 and not heading and not initial:
                base = word.lower().split("-")[0]
                is_name = (
                    base not in _NAME_STOPWORDS
                    and word.lower() not in lower_words
                    and base not in lower_words
                    and not _INDONESIAN_SHAPE.match(base)
                )
            if any(c.isdigit() for c in word):
                is_name = False
            if is_name:
                run.append(word)
            else:
                flush()
        flush()
    return names


def _present(word: str, translation: str) -> bool:
    # "Indonesia" is kept in "Indonesian", "Jakarta" in "Jakarta-based"; a plural "LLMs" keeps "LLM"
    pattern = r"(?<![A-Za-z])" + re.escape(word) + r"(?:n|an|ns|ans|s|es)?(?![a-z])"
    return re.search(pattern, translation, re.IGNORECASE) is not None


def _check_names(source: str, translation: str) -> list[Finding]:
    findings: list[Finding] = []
    seen: set[str] = set()
    for name in _name_candidates(source):
        words = name.split()
        missing = []
        for word in words:
            key = word.upper()
            if _present(word, translation):
                continue
            if key in TRANSLATABLE_ACRONYMS and any(_present(r, translation) or r.lower() in translation.lower() for r in TRANSLATABLE_ACRONYMS[key]):
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
        words = re.findall(r"[^\W\d_]+", sentence)
        if len(words) < MIN_WORDS_FOR_LANGUAGE:
            continue
        checked += 1
        ranks = dict(identifier.rank(sentence))
        foreign = sum(ranks.get(code, 0.0) for code in related)
        if foreign < 0.9:
            continue
        needed = 1 if foreign >= 0.99 else 2
        if words_of is not None and sum(1 for w in words if w.lower() in words_of) < needed:
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


def _check_injection(source: str) -> list[Finding]:
    """Instruction-like text inside the article: likely a prompt-injection attempt."""
    found = [m for m in _INJECTION.finditer(source)][:5]
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
    source_q = extract_quantities(source, number_lang)
    trans_q = extract_quantities(translation, "en")
    findings: list[Finding] = []
    findings += _check_numbers(source_q, trans_q)
    findings += _check_summary(source_q, list(summary))
    findings += _check_names(source, translation)
    findings += _check_glossary(source, glossary)
    findings += _check_untranslated(translation, source_lang)
    findings += _check_injection(source)
    order = {"error": 0, "warning": 1, "info": 2}
    return sorted(findings, key=lambda f: order[f.severity])
