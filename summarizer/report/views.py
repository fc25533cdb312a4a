"""From result dicts to what the templates show: rows, paragraph pairs, marked segments, totals.

Pure functions, no I/O and no HTML: every piece of article text leaves here as plain text inside a
`Segment`, and the templates escape it (jinja2 autoescape). Nothing here builds markup by hand,
so a hostile article (`<script>`, `<img onerror=...>`) can only ever be shown, never run.

Paragraphs: the source's are separated by a blank line (the loader guarantees exactly "\\n\\n");
the translation's by one or more blank lines (the prompts ask to keep the paragraph breaks).
Paragraph N of the source is shown beside paragraph N of the translation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from summarizer.chunking import paragraph_spans
from summarizer.report.facts import Fact, article_facts

PALETTE_SIZE = 8  # matched facts cycle through this many colours (report.css: .c0 .. .c7)


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
        elif fact.status == "added":  # a figure the source lacks: a warning, not a changed fact
            css = "add"
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
    facts = article_facts(source, translation, source_lang=source_lang)
    source_marks = _marks_by_paragraph(facts, source_spans, "source")
    output_marks = _marks_by_paragraph(facts, output_spans, "output")
    rows = []
    for index in range(max(len(source_spans), len(output_spans))):
        left = _segments(source, *source_spans[index], source_marks[index]) if index < len(source_spans) else []
        right = _segments(translation, *output_spans[index], output_marks[index]) if index < len(output_spans) else []
        rows.append(ParagraphRow(index + 1, left, right))
    return rows, facts


@dataclass
class FindingView:
    finding: dict[str, Any]
    paragraph: int | None = None  # the paragraph it is about
    fact: int | None = None  # the marked fact in it, when one
    bullet: int | None = None  # else the summary bullet it is about (a figure the source lacks)


def finding_targets(findings: list[dict[str, Any]], rows: list[ParagraphRow], bullets: list[Reference]) -> list[FindingView]:
    """Each finding with its spot: the first paragraph holding its source span, else its
    translation span, else the summary bullet holding its output span."""
    texts = {side: ["".join(s.text for s in (row.source if side == "source" else row.translation)) for row in rows] for side in ("source", "translation")}
    out = []
    for finding in findings:
        view = FindingView(finding)
        kind = str(finding.get("kind", ""))
        if any(word in kind for word in ("summary", "invented", "bullet")) and finding.get("output_span"):
            # about the summary: its output span is a bullet's, even when the translation has it too
            view.bullet = next((n for n, b in enumerate(bullets, start=1) if finding["output_span"] in b.text), None)
            if view.bullet is not None:
                out.append(view)
                continue
        for side, span in (("source", finding.get("source_span")), ("translation", finding.get("output_span"))):
            index = next((i for i, text in enumerate(texts[side]) if span and span in text), None)
            if index is not None:
                view.paragraph = rows[index].number
                segments = rows[index].source if side == "source" else rows[index].translation
                view.fact = next((s.fact for s in segments if s.fact is not None and s.css == "bad" and (s.text in span or span in s.text)), None)
                break
        if view.paragraph is None and finding.get("output_span"):
            view.bullet = next((n for n, b in enumerate(bullets, start=1) if finding["output_span"] in b.text), None)
        out.append(view)
    return out
