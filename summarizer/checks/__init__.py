"""Does the output keep the source's facts? Numbers, amounts, dates, times, codes, names, paragraphs,
glossary terms, language.

    check_translation(source, translation, summary=..., glossary=..., source_lang="id") -> [Finding]
    check_brief(source, translation, summary_bullets, glossary, source_lang="id") -> [Finding]
                                       the same and the bullets' cited paragraphs (checks.citations)
    brief_steps(...)                   check_brief as a generator that pauses between check families
    fact_spans(source, translation, source_lang="id") -> [FactMatch]   each fact and what became of it
    extract_quantities(text, lang)     the number-like facts of a text (`Quantity`), dates included
    normalize_number(text, lang)       "16.000" (id) / "16,000" (en) / "US$50 miliar" -> float

The package, one module per family (imports point down: families -> scan/lexicon/severity):
    scan        the `Quantity` fact, the span ledger (longest match first, each span consumed),
                sentences and paragraphs, digit groups in both conventions
    windows     where a pattern can match: near the digits or words every match needs (read from
                the pattern's parse tree), so extraction does not try every position of an article
    lexicon     Babel/CLDR month, day, territory and language names; Sastrawi's Indonesian root words
    codes       URLs/e-mails/phones and codes (HER2, A320, F-16, COVID-19): copied verbatim
    datetimes   dates, months named alone, clock times, time-zone offsets
    numbers     scores/ranges, money, measurements, percentages, numbers, ordinals, number words
    facts       extraction in order and source -> translation matching; the fact findings
    names       names kept verbatim or as their exonym; a swap is an error
    structure   paragraph alignment: omissions
    glossary    glossary terms; untranslated: sentences still in the source language; injection
    severity    THE severity table (`SEVERITY`) and `finding()`

Precision comes first: a correct translation must produce no error, so values are compared after
normalisation, and a fact that counts something keeps its unit ("380 kg" never matches "380 lb").
Identical findings are reported once, with `count`.
"""

from __future__ import annotations

from typing import Any, Generator, Iterable, Sequence, TypeVar

from summarizer.checks.citations import check_summary_references
from summarizer.checks.facts import FactMatch, check_facts, check_summary, extract_facts, extract_quantities, match_facts
from summarizer.checks.glossary import check_glossary
from summarizer.checks.injection import check_injection
from summarizer.checks.names import TRANSLATABLE_ACRONYMS, check_names
from summarizer.checks.scan import Lang, Quantity
from summarizer.checks.severity import SEVERITY, errors_first
from summarizer.checks.structure import check_structure
from summarizer.checks.untranslated import MIN_WORDS_FOR_LANGUAGE, UNTRANSLATED_ERROR_RATIO, check_untranslated
from summarizer.schemas import Finding, SummaryBullet

__all__ = [
    "FactMatch", "Finding", "MIN_WORDS_FOR_LANGUAGE", "Quantity", "SEVERITY", "TRANSLATABLE_ACRONYMS",
    "UNTRANSLATED_ERROR_RATIO", "brief_steps", "check_brief", "check_summary_references", "check_translation", "extract_quantities", "fact_spans", "normalize_number",
]

T = TypeVar("T")

_NAMED_FACTS = ("code", "time", "tz", "address")  # facts with letters a name check would read again


def _number_lang(source_lang: str | None) -> Lang:
    return "id" if (source_lang or "id").lower() in ("id", "ms") else "en"


def normalize_number(text: str, lang: Lang = "id") -> float | None:
    """The value of one number expression, or None if `text` is not one.

    "16.000" (id) = 16000, "1,5" (id) = 1.5, "16,000" (en) = 16000, "US$50 miliar" = 5e10,
    "$50 billion" = "US$50bn" = 5e10, "Rp835 triliun" = "IDR 835 trillion" = 8.35e14, "50 persen" = 50."""
    found = [q for q in extract_quantities(text, lang) if q.kind != "date" and (not q.spelled or len(text.split()) == 1)]
    if len(found) != 1 or not isinstance(found[0].value, float):
        return None
    return found[0].value


def fact_spans(source: str, translation: str, *, source_lang: str = "id") -> list[FactMatch]:
    """Every fact of `source` with what the translation made of it: `status` matched, changed (then
    `output_span` is what stands in its place) or missing. Spans are character offsets into `source`
    and `translation`. (`facts.match_facts` also lists the figures the translation adds.)"""
    # "satu"/"one"/"a" as a word is everywhere ("salah satu", "one of"): compared, but no fact to show
    source_facts = [q for q in extract_facts(source, _number_lang(source_lang)) if not (q.spelled and q.value == 1.0)]
    trans_facts = [q for q in extract_facts(translation, "en") if not (q.spelled and q.value == 1.0)]
    return [m for m in match_facts(source_facts, trans_facts, len(source), len(translation)) if m.status != "added"]


def _counted(findings: list[Finding]) -> list[Finding]:
    """Identical findings once each, with how many times they occurred."""
    counts: dict[tuple, int] = {}
    first: dict[tuple, Finding] = {}
    for f in findings:
        key = (f.kind, f.severity, f.message, f.source_span, f.output_span)
        counts[key] = counts.get(key, 0) + 1
        first.setdefault(key, f)
    out = []
    for key, f in first.items():
        n = counts[key]
        out.append(f if n == 1 else f.model_copy(update={"count": n, "message": f"{f.message} ({n} times)"}))
    return out


def check_translation(
    source: str,
    translation: str,
    *,
    summary: Iterable[str] = (),
    glossary: Iterable[Any] = (),
    source_lang: str = "id",
) -> list[Finding]:
    """Every finding about `translation` (and `summary`, `glossary`) against `source`, errors first."""
    return _check_translation(source, translation, list(summary), glossary, source_lang)[0]


def check_brief(source: str, translation: str, summary: Sequence[SummaryBullet], glossary: Iterable[Any], *,
                source_lang: str = "id") -> list[Finding]:
    """`check_translation` and `check_summary_references` of one article's brief, errors first: the
    article's and the bullets' facts are extracted once for both."""
    return run_steps(brief_steps(source, translation, summary, glossary, source_lang=source_lang))


def brief_steps(source: str, translation: str, summary: Sequence[SummaryBullet], glossary: Iterable[Any], *,
                source_lang: str = "id") -> Generator[None, None, list[Finding]]:
    """`check_brief` in steps: a generator that yields between the check families (each at most a few
    ms for a 1,000-token article) and returns the findings. A caller on an event loop lets the loop's
    other work run at each yield, instead of checking in a thread that takes the GIL from the loop."""
    texts = [bullet.text for bullet in summary]
    findings, source_facts, bullet_facts = yield from _translation_steps(source, translation, texts, glossary, source_lang)
    findings += check_summary_references(source, summary, source_lang=source_lang, source_facts=source_facts, bullet_facts=bullet_facts)
    return errors_first(findings)


def run_steps(steps: Generator[None, None, T]) -> T:
    """The value a steps generator (`brief_steps`) returns, run to its end without pausing."""
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return done.value


def _check_translation(source: str, translation: str, summary: list[str], glossary: Iterable[Any],
                       source_lang: str) -> tuple[list[Finding], list[Quantity], list[list[Quantity]]]:
    """The findings of `check_translation`, and the facts extracted: the source's and each bullet's."""
    return run_steps(_translation_steps(source, translation, summary, glossary, source_lang))


def _translation_steps(source: str, translation: str, summary: list[str], glossary: Iterable[Any],
                       source_lang: str) -> Generator[None, None, tuple[list[Finding], list[Quantity], list[list[Quantity]]]]:
    source_lang = (source_lang or "id").lower()
    source_facts = extract_facts(source, _number_lang(source_lang))
    yield
    trans_facts = extract_facts(translation, "en")
    bullet_facts = [extract_facts(bullet, "en") for bullet in summary]
    yield
    findings: list[Finding] = []
    findings += check_facts(source, translation, source_facts, trans_facts)
    findings += check_summary(source_facts, summary, bullet_facts)
    yield
    findings += check_names(source, translation, [(q.start, q.end) for q in source_facts if q.kind in _NAMED_FACTS])
    yield
    findings += check_structure(source, translation, source_lang)
    yield
    findings += check_glossary(source, glossary)
    findings += check_untranslated(translation, source_lang)
    findings += check_injection(source)
    return errors_first(_counted(findings)), source_facts, bullet_facts
