"""`ArticleResult` → Markdown, JSON or a JSONL line. Pure functions, no I/O."""

from __future__ import annotations

import json
from typing import Literal

from summarizer._text import one_line
from summarizer.schemas import ArticleResult

Format = Literal["md", "json"]
EXTENSIONS = {"md": ".md", "json": ".json"}
GLOSSARY_CITES_SHOWN = 5


def _cites(paragraphs: list[int], limit: int | None = None) -> str:
    """" [¶3]", " [¶3, ¶5]": the article paragraphs a bullet or term comes from ("" for none);
    past `limit` numbers, "…" (a common term occurs in most paragraphs)."""
    if not paragraphs:
        return ""
    shown = [f"¶{n}" for n in paragraphs[:limit]] + (["…"] if limit is not None and len(paragraphs) > limit else [])
    return " [" + ", ".join(shown) + "]"


def to_markdown(result: ArticleResult) -> str:
    meta = result.metadata
    lines = [f"# {one_line(result.title)}", ""]
    lines.append(
        f"*Source: {result.source} · {result.source_language} → {result.target_language} · "
        f"model {meta.model} at {meta.endpoint_host}*"
    )
    lines.append("")
    if result.summary:
        lines += ["## Summary", ""]
        lines += [f"- {one_line(bullet.text)}{_cites(bullet.paragraphs)}" for bullet in result.summary]
        lines.append("")
    lines += ["## Translation", "", result.translation.strip(), ""]
    if result.glossary:
        lines += ["## Glossary", ""]
        for entry in result.glossary:
            term = one_line(entry.term)
            source = one_line(entry.source_term)
            label = f"**{term}**" if term.casefold() == source.casefold() else f"**{term}** (*{source}*)"
            lines.append(f"- {label}: {one_line(entry.definition)}{_cites(entry.paragraphs, limit=GLOSSARY_CITES_SHOWN)}")
        lines.append("")
    if result.checks:
        lines += ["## Checks", ""]
        for finding in result.checks:
            spans = " / ".join(f"`{one_line(s)}`" for s in (finding.source_span, finding.output_span) if s)
            lines.append(f"- **{finding.severity}** {finding.kind}: {one_line(finding.message)}" + (f" ({spans})" if spans else ""))
        lines.append("")
    if meta.warnings:
        lines += ["## Notes", ""]
        lines += [f"- {one_line(w)}" for w in meta.warnings]
        lines.append("")
    usage = meta.usage
    lines.append(
        f"<sub>{meta.chunks} chunk(s) · {meta.requests} request(s) · {meta.cache_hits} cache hit(s) · "
        f"{usage.prompt_tokens}+{usage.completion_tokens} tokens · {meta.structured_mode or 'cached'} · "
        f"counter: {meta.token_counter}</sub>"
    )
    return "\n".join(lines) + "\n"


def to_json(result: ArticleResult) -> str:
    return result.model_dump_json(indent=2) + "\n"


def to_jsonl_line(result: ArticleResult) -> str:
    return json.dumps(result.model_dump(mode="json"), ensure_ascii=False) + "\n"


def render(result: ArticleResult, fmt: Format) -> str:
    return to_markdown(result) if fmt == "md" else to_json(result)
