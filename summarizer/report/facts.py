"""The facts the checks compared between source and translation, as character spans.

A thin adapter over `summarizer.checks.fact_spans` (every number, date, time, amount, code and name
the checks extracted, with what became of it: matched, changed, missing, or added by the
translation), so the report marks exactly what the checks judged, never a second opinion.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Fact:
    """The report's view of one checked fact (offsets into the whole source / translation text)."""

    kind: str
    value: str
    source_span: tuple[int, int] | None
    output_span: tuple[int, int] | None
    status: str  # matched | changed | missing | added


def article_facts(source: str, translation: str, *, source_lang: str = "id") -> list[Fact]:
    from summarizer.checks import fact_spans

    return [
        Fact(m.kind, str(m.value), _span(m.source_span), _span(m.output_span), m.status)
        for m in fact_spans(source, translation, source_lang=source_lang)
    ]


def _span(span) -> tuple[int, int] | None:
    return (int(span[0]), int(span[1])) if span else None
