"""Typed facts of two texts, extracted longest-first, and matched source -> translation.

    extract_facts(text, lang)               every fact of `text` (`Quantity`), in text order
    match_facts(source_facts, trans_facts)  [FactMatch]: each source fact matched, changed or missing,
                                            then each translation fact the source lacks ("added")

Extraction order (each family claims its spans in one `Taken`, so a later one never re-reads them):
addresses -> codes -> dates -> time-zone offsets -> clock times -> scores/ranges -> amounts (money,
measurements, percentages, plain numbers, digit ordinals) -> Indonesian "ke-N" ordinals -> number
words -> months named alone.

Two facts match when their kinds can stand for each other and one reading of each is the same value:
"16.000" (id) = "16,000" = "16 thousand"; "ke-13" = "13th"; "US$50 miliar" = "$50bn"; "pukul 7" = "7 p.m.".
A number that counts something matches only the same unit ("380 kg" = "380 kilograms", never "380 lb"),
but a unit named on one side only still matches ("69 tahun" = "69,"), a translation may drop it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

from summarizer.checks.codes import find_addresses, find_codes
from summarizer.checks.datetimes import find_dates, find_months, find_offsets, find_times
from summarizer.checks.numbers import find_amounts, find_number_words, find_ordinals, find_scores
from summarizer.checks.scan import Lang, Quantity, Taken
from summarizer.checks.severity import finding
from summarizer.schemas import Finding

EXTRACTORS = (
    find_addresses, find_codes, find_dates, find_offsets, find_times, find_scores, find_amounts, find_ordinals,
    find_number_words, find_months,
)

# kind -> the family it is compared within ("number" spans plain numbers, years, ordinals, money and
# percentages: "50 persen" may come back as "50 per cent" read as a number, "US$50 miliar" as "50 billion")
FAMILY = {"date": "date", "month": "date", "time": "time", "code": "code", "score": "score", "duration": "score",
          "address": "address", "tz": "tz"}


def family(kind: str) -> str:
    return FAMILY.get(kind, "number")


@dataclass(frozen=True)
class FactMatch:
    """One fact of the source and what the translation made of it (`status`: matched, changed, missing),
    or a translation fact the source lacks (`status` "added", `source_span` None). Spans are character
    offsets into the texts given; `value` is canonical ("16000", "USD 5e+10", "2025-07-23", "19:30")."""

    kind: str
    value: str
    source_span: tuple[int, int] | None
    output_span: tuple[int, int] | None
    status: str


# an anniversary's or birthday's ordinal counts years: "the two-hundredth anniversary" is "200 tahun"
_YEARS_ORDINAL = re.compile(r"\s+(?:anniversary|birthday|jubilee)\b", re.IGNORECASE)


def extract_facts(text: str, lang: Lang) -> list[Quantity]:
    taken = Taken(len(text), text)
    found: list[Quantity] = []
    for extract in EXTRACTORS:
        found += extract(text, lang, taken)
    found.sort(key=lambda q: q.start)
    if lang == "en":
        found = [replace(q, unit="year") if q.kind == "ordinal" and q.unit is None and _YEARS_ORDINAL.match(text, q.end) else q
                 for q in found]
    return found


def _kinds_compatible(a: Quantity, b: Quantity) -> bool:
    if family(a.kind) != family(b.kind):
        return a.kind in ("date", "month") and b.kind in ("date", "month")
    if a.kind.startswith("money:") and b.kind.startswith("money:"):
        return a.kind == b.kind
    return True


def _units_compatible(a: Quantity, b: Quantity) -> bool:
    """Source fact `a` and translation fact `b` count the same thing, as far as their units tell. A
    count of a unit ("dua tahun", two years) is no ordinal ("second": that is "tahun kedua"), except one
    of the same unit ("peringatan 200 tahun", the 200th anniversary); the other way round is an idiom
    ("menit ke-18" -> "after 18 minutes")."""
    if a.unit is not None and b.kind == "ordinal" and a.kind != "ordinal" and b.unit != a.unit:
        return False
    return a.unit is None or b.unit is None or a.unit == b.unit


def _source_values(q: Quantity) -> tuple:
    values = q.values
    if q.kind == "date":
        # a year the translation leaves out is a paraphrase; a changed one is not ("2025-07-23" ~ "July 23")
        values += tuple(v % 10000 for v in values if isinstance(v, float) and v > 10000)
    return values


def _month_values(q: Quantity) -> tuple:
    if q.kind == "month":
        return q.values
    return tuple(float(int(v) // 100 % 100) for v in q.values if isinstance(v, float))


def same_value(a: Quantity, b: Quantity) -> bool:
    """One reading of source fact `a` is one reading of translation fact `b`."""
    if a.kind == "date" and b.kind == "month":
        return False  # a source date's day is a fact: "18 Oktober" is not "October" with the day lost
    if a.kind == "month" or b.kind == "month":
        left, right = _month_values(a), _month_values(b)
    else:
        left, right = _source_values(a), b.values
    for x in left:
        for y in right:
            if isinstance(x, float) and isinstance(y, float):
                if math.isclose(x, y, rel_tol=1e-12, abs_tol=1e-9):
                    return True
            elif x == y:
                return True
    return False


def matches(a: Quantity, b: Quantity) -> bool:
    return _kinds_compatible(a, b) and _units_compatible(a, b) and same_value(a, b)


def describe(q: Quantity) -> str:
    """The canonical value as a reader would write it."""
    value = q.value
    if q.kind == "date":
        v = int(value)
        return f"{v // 10000:04d}-{v // 100 % 100:02d}-{v % 100:02d}" if v > 10000 else f"--{v // 100:02d}-{v % 100:02d}"
    if q.kind == "month":
        return f"month {int(value)}"
    if q.kind == "time":
        return "/".join(f"{int(v) // 60:02d}:{int(v) % 60:02d}" for v in q.values)
    if isinstance(value, str):
        return value
    if q.kind == "year":
        return f"year {value:.0f}"
    number = f"{value:,.0f}" if value == int(value) else f"{value:,.6g}"
    if q.kind.startswith("money:"):
        return f"{q.kind[6:]} {number}"
    if q.kind == "percent":
        return f"{number}%"
    if q.kind == "ordinal":
        return f"ordinal {number}"
    return f"{number} {q.unit}" if q.unit else number


def _tier(s: Quantity, t: Quantity) -> int:
    """How good a match `t` is for `s` (lower is better): the same kind, unit and way of writing
    first, so "Buku 3" takes "Book 3" and leaves "three months" to "tiga bulan"."""
    return (t.kind != s.kind) * 4 + (t.unit != s.unit) * 2 + (t.spelled != s.spelled)


def pair_facts(
    source_facts: list[Quantity], trans_facts: list[Quantity], source_length: int = 0, trans_length: int = 0,
) -> tuple[list[tuple[Quantity, Quantity | None, Quantity | None]], list[Quantity]]:
    """[(source fact, its match or None, a likely replacement or None)], and the unmatched translation facts.

    One-to-one and greedy over all matching pairs, best first: the closest kind, unit and way of
    writing (`_tier`), then facts written with digits before number words (a number word may be
    rendered freely), then the nearest by relative position -- so of two "dua" in the source, the one whose "two" was changed
    is the one left over. A source fact left over takes as its replacement the nearest unmatched
    translation fact of its family (by position in the text)."""
    source_length = max(1, source_length or _end_of(source_facts))
    trans_length = max(1, trans_length or _end_of(trans_facts))
    by_family: dict[str, list[int]] = {}
    for j, t in enumerate(trans_facts):
        by_family.setdefault(family(t.kind), []).append(j)
    candidates = []
    for i, s in enumerate(source_facts):
        where = s.start / source_length
        for j in by_family.get(family(s.kind), ()):
            t = trans_facts[j]
            if matches(s, t):
                candidates.append((_tier(s, t), s.spelled, abs(t.start / trans_length - where), i, j))
    candidates.sort()
    used = [False] * len(trans_facts)
    paired: dict[int, int] = {}
    for _rank, _spelled, _distance, i, j in candidates:
        if i not in paired and not used[j]:
            used[j] = True
            paired[i] = j
    _pair_ranges_written_as_ends(source_facts, trans_facts, paired, used)
    replaced = _replacements(source_facts, trans_facts, paired, used, source_length, trans_length)
    result = []
    for i, s in enumerate(source_facts):
        if i in paired:
            result.append((s, trans_facts[paired[i]], None))
        else:
            result.append((s, None, trans_facts[replaced[i]] if i in replaced else None))
    return result, [t for j, t in enumerate(trans_facts) if not used[j]]


def _unit_swapped(s: Quantity, t: Quantity) -> bool:
    return bool(s.unit and t.unit and s.unit != t.unit and same_value(s, t))


def _replacements(
    source_facts: list[Quantity], trans_facts: list[Quantity], paired: dict[int, int], used: list[bool],
    source_length: int, trans_length: int,
) -> dict[int, int]:
    """source index -> the translation fact left over that likely replaced it, the nearest by position.
    A fact whose value stands there counting something else ("0,3 hektar" -> "0.3 acres") takes it
    first, so an unrelated fact earlier in the text does not."""
    out: dict[int, int] = {}
    for first_pass in (True, False):
        for i, s in enumerate(source_facts):
            if i in paired or i in out:
                continue
            where = s.start / source_length
            candidates = [j for j, t in enumerate(trans_facts)
                          if not used[j] and (not first_pass or _unit_swapped(s, t))
                          and _replaces(s, t, abs(t.start / trans_length - where))]
            if candidates:
                j = min(candidates, key=lambda j: abs(trans_facts[j].start / trans_length - where))
                used[j] = True
                out[i] = j
    return out


_RANGE_GAP = 40  # at most this many characters between a range's two ends written as two numbers


def _range_ends(score: Quantity, candidates: list[int], facts: list[Quantity]) -> tuple[int, int] | None:
    """Two of `candidates` (indexes into `facts`), numbers side by side, that are the ends of `score`."""
    low, high = (float(end) for end in str(score.value).split("-"))
    def reads(q: Quantity, value: float) -> bool:
        return family(q.kind) == "number" and any(isinstance(v, float) and v == value for v in q.values)
    for x in candidates:
        if not reads(facts[x], low):
            continue
        for y in candidates:
            if y != x and reads(facts[y], high) and abs(facts[y].start - facts[x].start) <= _RANGE_GAP:
                return x, y
    return None


def _pair_ranges_written_as_ends(
    source_facts: list[Quantity], trans_facts: list[Quantity], paired: dict[int, int], used: list[bool],
) -> None:
    """A range one side writes joined ("1914 hingga 1945", "5-7") and the other as its two ends in words
    ("between 1914 and 1945", "antara 5 dan 7"): the range pairs with both numbers. A score changed
    ("2-1" -> "2-3") is still a score on the other side, never two plain numbers, so stays caught."""
    for i, s in enumerate(source_facts):
        if i in paired or s.kind != "score":
            continue
        ends = _range_ends(s, [j for j, t in enumerate(trans_facts) if not used[j]], trans_facts)
        if ends is not None:
            for j in ends:
                used[j] = True
            paired[i] = ends[0]
    for j, t in enumerate(trans_facts):
        if used[j] or t.kind != "score":
            continue
        ends = _range_ends(t, [i for i in range(len(source_facts)) if i not in paired], source_facts)
        if ends is not None:
            used[j] = True
            for i in ends:
                paired[i] = j


def _end_of(facts: list[Quantity]) -> int:
    return max((q.end for q in facts), default=1)


_SPELLED_WINDOW = 0.25  # a number word replaces another only about where it stood (share of the text)


def _replaces(s: Quantity, t: Quantity, distance: float) -> bool:
    """Can `t`, left over in the translation, be what became of source fact `s`?"""
    if family(s.kind) != family(t.kind) and not (s.kind in ("date", "month") and t.kind in ("date", "month")):
        return False
    if s.unit and t.unit and s.unit != t.unit and same_value(s, t):
        return True  # "dua tahun" -> "two months"
    if s.spelled and s.kind == "ordinal" and s.value in (1.0, 2.0):
        return False  # "pertama", "kedua" are also "first time", "both"
    if t.kind == "year" and s.kind != "year" and (s.spelled or s.unit):
        return False  # "dua minggu" did not become "2012"
    if s.spelled or t.spelled:
        # "dua belas" -> "twenty" near where it stood; but "satu" ("one"/"a") and fractions ("half"
        # of "the first half") stand in for too much to pair
        small = any(isinstance(v, float) and v <= 1.0 for v in (s.value, t.value))
        return distance <= _SPELLED_WINDOW and not small
    return True


def match_facts(source_facts: list[Quantity], trans_facts: list[Quantity], source_length: int = 0, trans_length: int = 0) -> list[FactMatch]:
    paired, added = pair_facts(source_facts, trans_facts, source_length, trans_length)
    out = []
    for s, match, replacement in paired:
        other = match or replacement
        status = "matched" if match else ("changed" if replacement else "missing")
        out.append(FactMatch(
            kind=_public_kind(s), value=describe(s), source_span=(s.start, s.end),
            output_span=(other.start, other.end) if other else None, status=status,
        ))
    out += [FactMatch(_public_kind(t), describe(t), None, (t.start, t.end), "added") for t in added]
    return out


def _public_kind(q: Quantity) -> str:
    if q.kind.startswith("money:"):
        return "money"
    if q.unit and family(q.kind) == "number" and q.kind != "ordinal":  # "the 200th anniversary" is an ordinal
        return "unit"
    return q.kind


# -- findings -------------------------------------------------------------------------------------

_MISSING_KIND = {"date": "date_changed", "time": "time_changed", "code": "code_missing", "score": "score_changed",
                 "address": "address_missing", "tz": "timezone_missing"}


def _present_verbatim(q: Quantity, translation: str, source_facts: list[Quantity], replaced: bool) -> bool:
    """A code or address that extraction read differently is still there if its text is.

    A code the source names more often than the translation copies it ("G20" twice, then "G29") is
    not there when another code stands in its place."""
    from summarizer.checks.codes import code_count, code_rendered

    if q.kind == "code":
        if not code_rendered(q.span, translation):
            return False
        return not replaced or code_count(q.span, translation) >= sum(s.kind == "code" and s.value == q.value for s in source_facts)
    return q.kind == "address" and q.span.lower() in translation.lower()


def _fact_finding(s: Quantity, replacement: Quantity | None, trans_facts: list[Quantity]) -> Finding | None:
    kind = _MISSING_KIND.get(family(s.kind), "number_missing")
    described = f"'{s.span}' ({describe(s)})"
    if replacement is not None:
        if kind == "number_missing" and _unit_swapped(s, replacement):
            return finding("unit_changed", f"{described} counts {s.unit}, the translation has '{replacement.span}' ({replacement.unit})",
                           source_span=s.span, output_span=replacement.span)
        return finding(kind, f"{described} is not in the translation; it has '{replacement.span}' ({describe(replacement)}) instead",
                       source_span=s.span, output_span=replacement.span)
    fewer = any(matches(s, t) for t in trans_facts)
    if fewer:
        level = "unsure" if kind in ("number_missing", "code_missing") else None
        return finding(kind, f"{described} appears fewer times in the translation than in the source",
                       source_span=s.span, level=level)
    unsure = kind == "number_missing" and (s.spelled or s.value == 1.0)  # "satu"/"1" is often "a"/"an"
    return finding(kind, f"{described} is not in the translation", source_span=s.span, level="unsure" if unsure else None)


def check_facts(source: str, translation: str, source_facts: list[Quantity], trans_facts: list[Quantity]) -> list[Finding]:
    paired, added = pair_facts(source_facts, trans_facts, len(source), len(translation))
    findings = []
    for s, match, replacement in paired:
        if match is not None or (s.kind in ("code", "address") and _present_verbatim(s, translation, source_facts, replacement is not None)):
            continue
        result = _fact_finding(s, replacement, trans_facts)
        if result is not None:
            findings.append(result)
    for t in added:
        if t.spelled or family(t.kind) != "number" or _beside_a_match(t, translation, source_facts):
            continue
        findings.append(finding("number_added", f"'{t.span}' ({describe(t)}) in the translation is not in the source",
                                output_span=t.span))
    return findings


def _beside_a_match(t: Quantity, translation: str, source_facts: list[Quantity]) -> bool:
    """A conversion given beside the original ("380 kg (840 lb)"), or a value the source has in another form."""
    before = translation[max(0, t.start - 3):t.start]
    return "(" in before or any(matches(s, t) for s in source_facts)


def check_summary(source_facts: list[Quantity], summary: list[str], bullet_facts: list[list[Quantity]] | None = None) -> list[Finding]:
    """Figures of the summary the source lacks. `bullet_facts`: `extract_facts` of each bullet, if done already."""
    findings = []
    for i, bullet in enumerate(summary):
        for q in extract_facts(bullet, "en") if bullet_facts is None else bullet_facts[i]:
            if q.spelled or family(q.kind) != "number":
                continue
            if not any(matches(s, q) for s in source_facts):
                findings.append(finding("number_invented", f"'{q.span}' ({describe(q)}) in the summary is not in the source",
                                        output_span=q.span))
    return findings


def is_quantity(q: Quantity) -> bool:
    """A number, amount, percentage, year, ordinal or date; not a code, hashtag or clock time."""
    return family(q.kind) == "number" or q.kind == "date"


def extract_quantities(text: str, lang: Lang = "id") -> list[Quantity]:
    """The numbers, amounts, percentages, years, ordinals and dates of `text`, in order.

    Codes (GPT-4, H100, COVID-19, 5G), hashtags' digits and clock times are read as what they are and
    left out here: they are not quantities."""
    return [q for q in extract_facts(text, lang) if is_quantity(q)]
