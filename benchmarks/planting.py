"""Pseudo-articles from the id-en news corpus, and copies of their human translations with one fact changed.

Used by `checks_accuracy.py`. The planting reads only the English (and, to choose a site, the Indonesian)
text with its own small patterns, never `summarizer.checks`, so the checks are not graded by themselves.

    articles(lines, size=12, per_paragraph=3)   consecutive corpus lines joined into paragraphs
    plant(article, kind, rng, names)            (changed translation, what changed) or None when the
                                                article has no place for that kind of change

Each kind changes exactly one fact, the way a careless translator or a model would:
digit, scale, year, month, time, percent, code, score, unit, number_word, name_swapped, name_dropped,
sentence_dropped (a sentence holding a figure), paragraph_dropped.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path

CORPUS_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "id-en-news"
if not CORPUS_DIR.exists():  # a worktree sits one level deeper than a clone (/work/wt/NAME)
    CORPUS_DIR = Path(__file__).resolve().parents[3] / "shared" / "corpora" / "id-en-news"

KINDS = (
    "digit", "scale", "year", "month", "time", "percent", "code", "score", "unit", "number_word",
    "name_swapped", "name_dropped", "sentence_dropped", "paragraph_dropped",
)


@dataclass(frozen=True)
class Article:
    id: str
    source: str
    reference: str
    outputs: dict[str, str]  # MT system -> its translation, paragraphed like the reference


def read_corpus(folder: Path = CORPUS_DIR) -> dict[str, list[str]]:
    names = {"source": "source.id.txt", "reference": "reference.en.txt", "gnmt": "gnmt.en.txt", "gareng": "gareng.en.txt"}
    return {key: (folder / name).read_text(encoding="utf-8").splitlines() for key, name in names.items()}


def articles(corpus: dict[str, list[str]], start: int, stop: int, size: int = 12, per_paragraph: int = 3) -> list[Article]:
    """Lines [start, stop) as articles of `size` lines, a paragraph break every `per_paragraph` lines."""
    out = []
    for first in range(start, stop - size + 1, size):
        def join(lines: list[str]) -> str:
            lines = [" ".join(line.split()) for line in lines]
            return "\n\n".join(" ".join(lines[i:i + per_paragraph]) for i in range(0, len(lines), per_paragraph))

        part = {key: join(lines[first:first + size]) for key, lines in corpus.items()}
        out.append(Article(
            id=f"news{first:05d}", source=part["source"], reference=part["reference"],
            outputs={key: part[key] for key in ("gnmt", "gareng")},
        ))
    return out


# --------------------------------------------------------------------------------------------------
# Sites
# --------------------------------------------------------------------------------------------------

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
ID_MONTHS = ["januari", "februari", "maret", "april", "mei", "juni", "juli", "agustus", "september", "oktober",
             "november", "desember"]
NUMBER_WORDS = ["two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
                "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty",
                "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety", "hundred", "thousand"]
UNIT_SWAPS = {
    "kg": "lb", "kilograms": "pounds", "kilogram": "pound", "km": "miles", "kilometers": "miles",
    "kilometres": "miles", "kilometer": "mile", "meters": "feet", "metres": "feet", "meter": "foot",
    "miles": "kilometres", "mile": "kilometre", "feet": "metres", "days": "weeks", "day": "week",
    "weeks": "months", "week": "month", "months": "years", "month": "year", "years": "months",
    "hours": "minutes", "hour": "minute", "minutes": "hours", "tons": "kilograms", "tonnes": "kilograms",
    "hectares": "acres", "liters": "gallons", "litres": "gallons", "cm": "inches", "centimeters": "inches",
}
SCALE_SWAPS = {"million": "billion", "billion": "million", "trillion": "billion", "thousand": "million"}
ID_SCALES = {"million": ("juta", "jt"), "billion": ("miliar", "milyar"), "trillion": ("triliun",), "thousand": ("ribu", "rb")}

_NUMBER = re.compile(r"(?<![\w.,-])\d+(?:[.,]\d+)*(?![\w]|[.,]\d)")
_YEAR = re.compile(r"(?<![\w.,-])(19[5-9]\d|20[0-2]\d)(?![\w.,]\d|\w)")
_PERCENT = re.compile(r"(?<![\w.,-])(\d+(?:[.,]\d+)?)(\s?%|\s(?:percent|per cent))", re.IGNORECASE)
_TIME = re.compile(r"(?<![\w.,:])(\d{1,2})(:|\.(?=\d\d\s?(?:a\.m|p\.m|am\b|pm\b|WIB|GMT|local)))(\d{2})(?![\w]|[.,:]\d)"
                   r"|(?<![\w.,:])(\d{1,2})(\s?(?:a\.m\.|p\.m\.|am|pm))\b")
_CODE = re.compile(r"\b[A-Z]{1,6}-?\d{1,4}[A-Za-z]?\b|\b\d{1,3}[A-Z]{1,4}\b")
_SCORE = re.compile(r"(?<![\w.,-])(\d{1,2})-(\d{1,2})(?![\w-]|[.,]\d)")
_UNIT = re.compile(r"(?<![\w.,-])(\d+(?:[.,]\d+)?|two|three|four|five|six|seven|eight|nine|ten|twelve)[\s-]("
                   + "|".join(sorted(UNIT_SWAPS, key=len, reverse=True)) + r")\b", re.IGNORECASE)
_WORD_NUMBER = re.compile(r"(?<![\w-])(" + "|".join(NUMBER_WORDS) + r")(?![\w-])", re.IGNORECASE)
_SCALE = re.compile(r"\b(million|billion|trillion|thousand)\b", re.IGNORECASE)
_CAPITALISED = re.compile(r"(?<=[a-z,] )[A-Z][a-z]{2,}(?: [A-Z][a-z]{2,})*")
_SENTENCE = re.compile(r"(?<=[.!?])[\"'”’)]*\s+")


def _swap(text: str, start: int, end: int, new: str) -> str:
    return text[:start] + new + text[end:]


def _pick(rng: random.Random, items: list):
    return rng.choice(items) if items else None


def _changed_digit(token: str, rng: random.Random) -> str:
    positions = [i for i, c in enumerate(token) if c.isdigit()]
    i = rng.choice(positions)
    new = str((int(token[i]) + rng.randint(1, 8)) % 10)
    if i == positions[0] and new == "0" and len(positions) > 1:
        new = "9"
    return token[:i] + new + token[i + 1:]


def _digits_only(token: str) -> str:
    return re.sub(r"\D", "", token)


def plant(article: Article, kind: str, rng: random.Random, names: list[str]) -> tuple[str, str] | None:
    """The reference with one fact of `kind` changed, and a note of what changed; None if no site."""
    text, source = article.reference, article.source
    source_digits = {_digits_only(m.group()) for m in _NUMBER.finditer(source)}
    lowered_source = source.lower()

    if kind == "digit":
        sites = [m for m in _NUMBER.finditer(text) if _digits_only(m.group()) in source_digits and not _YEAR.fullmatch(m.group())]
        m = _pick(rng, sites)
        if m is None:
            return None
        new = _changed_digit(m.group(), rng)
        return _swap(text, *m.span(), new), f"{m.group()} -> {new}"
    if kind == "year":
        m = _pick(rng, [m for m in _YEAR.finditer(text) if m.group() in source])
        if m is None:
            return None
        new = str(int(m.group()) + rng.choice((-2, -1, 1, 2)))
        return _swap(text, *m.span(), new), f"{m.group()} -> {new}"
    if kind == "scale":
        sites = [m for m in _SCALE.finditer(text) if any(w in lowered_source for w in ID_SCALES[m.group().lower()])]
        m = _pick(rng, sites)
        if m is None:
            return None
        new = SCALE_SWAPS[m.group().lower()]
        return _swap(text, *m.span(), new), f"{m.group()} -> {new}"
    if kind == "month":
        sites = [m for m in re.finditer(r"\b(" + "|".join(MONTHS) + r")\b", text)
                 if ID_MONTHS[MONTHS.index(m.group())] in lowered_source]
        m = _pick(rng, sites)
        if m is None:
            return None
        new = rng.choice([x for x in MONTHS if x != m.group()])
        return _swap(text, *m.span(), new), f"{m.group()} -> {new}"
    if kind == "time":
        m = _pick(rng, list(_TIME.finditer(text)))
        if m is None:
            return None
        hour_group = 1 if m.group(1) else 4
        hour = int(m.group(hour_group))
        new_hour = str((hour + rng.randint(1, 10)) % (24 if hour_group == 1 else 12) or 12)
        start, end = m.span(hour_group)
        return _swap(text, start, end, new_hour), f"{m.group()} hour -> {new_hour}"
    if kind == "percent":
        m = _pick(rng, [m for m in _PERCENT.finditer(text) if _digits_only(m.group(1)) in source_digits])
        if m is None:
            return None
        new = _changed_digit(m.group(1), rng)
        return _swap(text, *m.span(1), new), f"{m.group()} -> {new}"
    if kind == "code":
        m = _pick(rng, [m for m in _CODE.finditer(text) if m.group() in source and not _YEAR.search(m.group())])
        if m is None:
            return None
        new = _changed_digit(m.group(), rng)
        return _swap(text, *m.span(), new), f"{m.group()} -> {new}"
    if kind == "score":
        m = _pick(rng, [m for m in _SCORE.finditer(text) if m.group() in source])
        if m is None:
            return None
        new = f"{m.group(1)}-{(int(m.group(2)) + rng.randint(1, 3)) % 10}"
        return _swap(text, *m.span(), new), f"{m.group()} -> {new}"
    if kind == "unit":
        m = _pick(rng, list(_UNIT.finditer(text)))
        if m is None:
            return None
        unit = m.group(2)
        new = UNIT_SWAPS[unit.lower()]
        return _swap(text, *m.span(2), new), f"{m.group()} -> {m.group(1)} {new}"
    if kind == "number_word":
        m = _pick(rng, list(_WORD_NUMBER.finditer(text)))
        if m is None:
            return None
        word = m.group().lower()
        new = rng.choice([w for w in NUMBER_WORDS[:-2] if w != word and w not in text.lower()])
        if m.group()[0].isupper():
            new = new.capitalize()
        return _swap(text, *m.span(), new), f"{m.group()} -> {new}"
    if kind in ("name_swapped", "name_dropped"):
        sites = [m for m in _CAPITALISED.finditer(text) if _name_site(m.group(), text, source)]
        m = _pick(rng, sites)
        if m is None:
            return None
        if kind == "name_dropped":
            return _swap(text, *m.span(), "the official"), f"{m.group()} dropped"
        pool = [n for n in names if n not in source and n not in text and len(n.split()) == len(m.group().split())]
        new = _pick(rng, pool)
        if new is None:
            return None
        return _swap(text, *m.span(), new), f"{m.group()} -> {new}"
    if kind == "sentence_dropped":
        paragraphs = text.split("\n\n")
        sites = []
        for p_index, paragraph in enumerate(paragraphs):
            sentences = _SENTENCE.split(paragraph)
            if len(sentences) < 2:
                continue
            sites += [(p_index, s_index) for s_index, s in enumerate(sentences) if re.search(r"\d", s)]
        site = _pick(rng, sites)
        if site is None:
            return None
        p_index, s_index = site
        sentences = _SENTENCE.split(paragraphs[p_index])
        dropped = sentences.pop(s_index)
        paragraphs[p_index] = " ".join(sentences)
        return "\n\n".join(paragraphs), f"dropped: {dropped[:60]}"
    if kind == "paragraph_dropped":
        paragraphs = text.split("\n\n")
        if len(paragraphs) < 2:
            return None
        index = rng.randrange(len(paragraphs))
        dropped = paragraphs.pop(index)
        return "\n\n".join(paragraphs), f"dropped paragraph {index + 1}: {dropped[:60]}"
    raise ValueError(f"unknown planted kind {kind!r}")


_DAYS = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}


def _name_site(name: str, text: str, source: str) -> bool:
    """A name kept verbatim: in the source as a word, once in the translation, never lower-cased there."""
    if name in MONTHS or name in _DAYS or not re.search(r"(?<![\w-])" + re.escape(name) + r"(?![\w-])", source):
        return False
    if len(re.findall(r"(?<![A-Za-z])" + re.escape(name) + r"(?![a-z])", text)) != 1:
        return False
    return not any(re.search(r"\b" + re.escape(word.lower()) + r"\b", text) for word in name.split())


def name_pool(items: list[Article]) -> list[str]:
    """Capitalised words kept verbatim from source to reference, never written in lower case in any
    reference of the corpus: names to swap in."""
    lower = {w for article in items for w in re.findall(r"\b[a-z]+\b", article.reference)}
    pool: set[str] = set()
    for article in items:
        for m in _CAPITALISED.finditer(article.reference):
            if _name_site(m.group(), article.reference, article.source) and not any(w.lower() in lower for w in m.group().split()):
                pool.add(m.group())
    return sorted(pool)
