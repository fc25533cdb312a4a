"""From result dicts to what the templates show: rows, paragraph pairs, marked segments, totals.

Pure functions, no I/O and no HTML: every piece of article text leaves here as plain text inside a
`Segment`, and the templates escape it (jinja2 autoescape). Nothing here builds markup by hand,
so a hostile article (`<script>`, `<img onerror=...>`) can only ever be shown, never run.

Paragraphs: the source's are separated by a blank line (the loader guarantees exactly "\\n\\n");
the translation's by one or more blank lines (the prompts ask to keep the paragraph breaks).
Paragraph N of the source is shown beside paragraph N of the translation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from summarizer.report.facts import Fact, article_facts

PALETTE_SIZE = 8  # matched facts cycle through this many colours (report.css: .c0 .. .c7)
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n")  # the separator summarizer.chunking cuts paragraphs at


@dataclass
class Segment:
    text: str
    fact: int | None = None  # fact number: the same on both sides of a pair
    css: str = ""  # "c3" (matched, colour 3) or "bad" (changed / missing)
    title: str = ""


@dataclass
class ParagraphRow:
    number: int  # 1-based, as the summary's references count
    source: list[Segment]
    translation: list[Segment]
    cited_by: list[int] = field(default_factory=list)  # bullet numbers citing it


@dataclass
class Reference:
    text: str
    paragraphs: list[int]  # only the ones that exist


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every paragraph of `text`, whitespace stripped, empty ones dropped: the
    paragraphs the prompts number, so paragraph N here is the one a result cites as N."""
    spans, start = [], 0
    for gap in _BLANK_LINE.finditer(text):
        spans.append((start, gap.start()))
        start = gap.end()
    spans.append((start, len(text)))
    out = []
    for a, b in spans:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b:
            out.append((a, b))
    return out


def host_only(endpoint: str) -> str:
    """The endpoint's host[:port], whatever was stored (never a path, query or user:password@)."""
    value = str(endpoint or "")
    parts = urlsplit(value if "//" in value else f"//{value}")
    try:
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return ""
    return host + port


def _segments(text: str, start: int, end: int, marks: list[tuple[int, int, int, str, str]]) -> list[Segment]:
    """The paragraph text[start:end] cut at the marks (start, end, fact, css, title) inside it."""
    out, cursor = [], start
    for m_start, m_end, fact, css, title in marks:
        if m_start < cursor or m_end > end or m_end <= m_start:
            continue  # overlapping or outside: the first mark wins
        if m_start > cursor:
            out.append(Segment(text[cursor:m_start]))
        out.append(Segment(text[m_start:m_end], fact, css, title))
        cursor = m_end
    if cursor < end:
        out.append(Segment(text[cursor:end]))
    return out


def _marks_by_paragraph(facts: list[Fact], spans: list[tuple[int, int]], side: str) -> list[list[tuple]]:
    per_paragraph: list[list[tuple]] = [[] for _ in spans]
    colour = 0
    for number, fact in enumerate(facts):
        if fact.status == "matched":
            css, colour = f"c{colour % PALETTE_SIZE}", colour + 1
        else:
            css = "bad"
        span = fact.source_span if side == "source" else fact.output_span
        if not span:
            continue
        title = f"{fact.kind} {fact.value}: {fact.status}"
        for index, (p_start, p_end) in enumerate(spans):
            if p_start <= span[0] < p_end:
                per_paragraph[index].append((span[0], span[1], number, css, title))
                break
    for marks in per_paragraph:
        marks.sort()
    return per_paragraph


def references(items: list[Any], text_key: str, count: int) -> list[Reference]:
    """Bullets / glossary entries with their cited paragraphs (a plain string cites none)."""
    out = []
    for item in items:
        if isinstance(item, str):
            out.append(Reference(item, []))
            continue
        cited = item.get("paragraphs") or [] if isinstance(item, dict) else []
        valid = sorted({n for n in cited if isinstance(n, int) and 1 <= n <= count})
        out.append(Reference(str(item.get(text_key, "")) if isinstance(item, dict) else str(item), valid))
    return out


def paragraph_rows(source: str | None, translation: str, source_lang: str) -> tuple[list[ParagraphRow], list[Fact]]:
    """Aligned paragraph pairs with their facts marked. Without the source: translation only."""
    output_spans = paragraph_spans(translation)
    if source is None:
        return [ParagraphRow(i + 1, [], _segments(translation, a, b, [])) for i, (a, b) in enumerate(output_spans)], []
    source_spans = paragraph_spans(source)
    facts = article_facts(source, translation, source_spans, output_spans, source_lang=source_lang)
    source_marks = _marks_by_paragraph(facts, source_spans, "source")
    output_marks = _marks_by_paragraph(facts, output_spans, "output")
    rows = []
    for index in range(max(len(source_spans), len(output_spans))):
        left = _segments(source, *source_spans[index], source_marks[index]) if index < len(source_spans) else []
        right = _segments(translation, *output_spans[index], output_marks[index]) if index < len(output_spans) else []
        rows.append(ParagraphRow(index + 1, left, right))
    return rows, facts


def finding_targets(findings: list[dict[str, Any]], rows: list[ParagraphRow]) -> list[tuple[dict[str, Any], int | None, int | None]]:
    """Each finding with the paragraph (and the marked fact, when one) it is about: the first
    paragraph holding its source span, else its translation span."""
    texts = {side: ["".join(s.text for s in (row.source if side == "source" else row.translation)) for row in rows] for side in ("source", "translation")}
    out = []
    for finding in findings:
        where, fact = None, None
        for side, span in (("source", finding.get("source_span")), ("translation", finding.get("output_span"))):
            if not span:
                continue
            index = next((i for i, text in enumerate(texts[side]) if span in text), None)
            if index is not None:
                where = rows[index].number
                segments = rows[index].source if side == "source" else rows[index].translation
                fact = next((s.fact for s in segments if s.fact is not None and s.css == "bad" and (s.text in span or span in s.text)), None)
                break
        out.append((finding, where, fact))
    return out
