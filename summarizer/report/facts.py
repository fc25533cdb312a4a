"""The facts the checks pair up between source and translation, as character spans.

`summarizer.checks.fact_spans` is the checks' own answer (every number, date, time, amount, name
they compared, with its status). Where the installed checks do not offer it, the same shape is
built here from `extract_quantities`, paragraph by paragraph: a source quantity with an equal
reading in the aligned translation paragraph is `matched`; one left over while that paragraph has a
left-over quantity of the same kind is `changed` (both sides marked); otherwise `missing`.
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
    status: str  # matched | changed | missing


def article_facts(source: str, translation: str, source_paragraphs, output_paragraphs, *, source_lang: str = "id") -> list[Fact]:
    """Every fact of the article. `*_paragraphs`: (start, end) spans of the aligned paragraphs."""
    try:
        from summarizer.checks import fact_spans  # type: ignore[attr-defined]
    except ImportError:
        return _facts_from_quantities(source, translation, source_paragraphs, output_paragraphs, source_lang)
    return [
        Fact(m.kind, str(m.value), _span(m.source_span), _span(m.output_span), m.status)
        for m in fact_spans(source, translation, source_lang=source_lang)
    ]


def _span(span) -> tuple[int, int] | None:
    return (int(span[0]), int(span[1])) if span else None


def _by_paragraph(quantities, spans: list[tuple[int, int]]) -> list[list]:
    """Quantities (offsets into the whole text) grouped by the paragraph they start in."""
    groups: list[list] = [[] for _ in spans]
    index = 0
    for q in sorted(quantities, key=lambda q: q.start):
        while index < len(spans) and q.start >= spans[index][1]:
            index += 1
        if index < len(spans) and q.start >= spans[index][0]:
            groups[index].append(q)
    return groups


def _facts_from_quantities(source, translation, source_paragraphs, output_paragraphs, source_lang) -> list[Fact]:
    from summarizer.checks import extract_quantities

    number_lang = "id" if (source_lang or "id").lower() in ("id", "ms") else "en"
    # one scan per text (a scan has a fixed cost), then paragraph by paragraph
    source_groups = _by_paragraph(extract_quantities(source, number_lang), source_paragraphs)
    output_groups = _by_paragraph(extract_quantities(translation, "en"), output_paragraphs)
    facts: list[Fact] = []
    for index, source_q in enumerate(source_groups):
        output_q = list(output_groups[index]) if index < len(output_groups) else []
        left: list = []
        for q in source_q:
            partner = next((t for t in output_q if t.kind == q.kind and set(t.values) & set(q.values)), None)
            if partner is None:
                left.append(q)
                continue
            output_q.remove(partner)
            facts.append(Fact(q.kind, q.span, (q.start, q.end), (partner.start, partner.end), "matched"))
        for q in left:
            partner = next((t for t in output_q if t.kind == q.kind), None)
            if partner is not None:
                output_q.remove(partner)
            out = (partner.start, partner.end) if partner is not None else None
            facts.append(Fact(q.kind, q.span, (q.start, q.end), out, "changed" if partner else "missing"))
    return facts
