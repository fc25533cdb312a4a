"""Render the report: one page per article plus `index.html`, every file written atomically.

The pages are static and self-contained (CSS and JS inlined from this package's templates; no CDN,
no fetch), so they open from `file://` and can be mailed as a folder. jinja2 autoescapes every value.
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path
from typing import Any, Iterable, Mapping

from summarizer.outputs import prepare_folder
from summarizer.report.loading import ReportInput, SourceTexts, as_result_dict, read_folder
from summarizer.report.views import finding_targets, host_only, paragraph_rows, references

TEMPLATES = Path(__file__).parent / "templates"
INDEX_NAME = "index.html"


def _environment():
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,  # every template here is HTML; the .css/.js includes hold no variables
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["thousands"] = lambda n: f"{int(n or 0):,}"
    # The CSP nonce: only the page's own inline script runs, even if something escaped escaping.
    env.globals["nonce"] = secrets.token_urlsafe(16)
    return env


def _counts(findings: list[dict[str, Any]]) -> dict[str, int]:
    return {level: sum(1 for f in findings if f.get("severity") == level) for level in ("error", "warning", "info")}


def _cost(meta: dict[str, Any]) -> float | None:
    from summarizer.pricing import cost_usd

    usage = meta.get("usage") or {}
    return cost_usd(str(meta.get("model", "")), int(usage.get("prompt_tokens", 0)), int(usage.get("completion_tokens", 0)))


def _index_row(result: dict[str, Any], page: str) -> dict[str, Any]:
    meta = result.get("metadata") or {}
    usage = meta.get("usage") or {}
    counts = _counts(result.get("checks") or [])
    status = "errors" if counts["error"] else "warnings" if counts["warning"] else "ok"
    return {
        "page": page, "title": result.get("title", ""), "source": result.get("source", ""), "status": status,
        "errors": counts["error"], "warnings": counts["warning"], "model": meta.get("model", ""),
        "prompt_tokens": int(usage.get("prompt_tokens", 0)), "completion_tokens": int(usage.get("completion_tokens", 0)),
        "cost": _cost(meta), "cache_hits": int(meta.get("cache_hits", 0)), "requests": int(meta.get("requests", 0)),
    }


def _failure_row(entry: dict[str, Any]) -> dict[str, Any]:
    return {
        "page": None, "title": "", "source": entry.get("source", entry.get("id", "")), "status": "failed",
        "error": str(entry.get("error", "failed")), "errors": 0, "warnings": 0, "model": "", "prompt_tokens": 0,
        "completion_tokens": 0, "cost": None, "cache_hits": 0, "requests": 0,
    }


def _totals(rows: list[dict[str, Any]], batch: dict[str, Any] | None) -> dict[str, Any]:
    costs = [r["cost"] for r in rows if r["cost"] is not None]
    return {
        "articles": len(rows),
        "failed": sum(1 for r in rows if r["status"] == "failed"),
        "with_errors": sum(1 for r in rows if r["errors"]),
        "with_warnings": sum(1 for r in rows if r["warnings"] and not r["errors"]),
        "prompt_tokens": sum(r["prompt_tokens"] for r in rows),
        "completion_tokens": sum(r["completion_tokens"] for r in rows),
        "requests": sum(r["requests"] for r in rows),
        "cache_hits": sum(r["cache_hits"] for r in rows),
        "cost": sum(costs) if costs else None,
        "wall_seconds": (batch or {}).get("wall_seconds"),
    }


def article_context(result: dict[str, Any], source_text: str | None, missing_reason: str = "") -> dict[str, Any]:
    """What article.html shows for one result."""
    meta = dict(result.get("metadata") or {})
    meta["endpoint_host"] = host_only(meta.get("endpoint_host", ""))
    rows, facts = paragraph_rows(source_text, str(result.get("translation", "")), str(result.get("source_language") or "id"))
    count = len(rows)
    bullets = references(list(result.get("summary") or []), "text", count)
    glossary = []
    for entry in result.get("glossary") or []:
        ref = references([entry], "term", count)[0]
        glossary.append({"term": ref.text, "source_term": entry.get("source_term", ""), "definition": entry.get("definition", ""), "paragraphs": ref.paragraphs})
    for number, bullet in enumerate(bullets, start=1):
        for paragraph in bullet.paragraphs:
            rows[paragraph - 1].cited_by.append(number)
    findings = result.get("checks") or []
    return {
        "result": result, "meta": meta, "rows": rows, "bullets": bullets, "glossary": glossary,
        "findings": finding_targets(findings, rows, bullets), "counts": _counts(findings), "has_source": source_text is not None,
        "missing_reason": missing_reason, "fact_counts": {s: sum(1 for f in facts if f.status == s) for s in ("matched", "changed", "missing", "added")},
        "cost": _cost(meta),
    }


def build_report(
    dir_or_results: Path | str | Iterable[Any],
    out_dir: Path | str,
    *,
    sources: Mapping[str, str] | None = None,
) -> Path:
    """Write the HTML review report into `out_dir`; return the path of its `index.html`.

    `dir_or_results`: a batch `--out` folder, a folder of JSON results, or ArticleResults / result
    dicts. `sources`: the cleaned source text per result `source`, when the caller has it; any other
    source is read again from its file (see `summarizer.report.loading`)."""
    from summarizer.outputs import safe_output_path, write_atomic

    if isinstance(dir_or_results, (str, Path)):
        given = read_folder(Path(dir_or_results))
    else:
        given = ReportInput(results=[as_result_dict(r) for r in dir_or_results])
    out = Path(out_dir)
    resolved = prepare_folder(out, "report folder", "choose another --out folder")
    env = _environment()
    article_template, index_template = env.get_template("article.html"), env.get_template("index.html")
    texts = SourceTexts(sources, base=given.base)
    taken, rows = {INDEX_NAME}, []
    for result in given.results:
        source = str(result.get("source", ""))
        target = safe_output_path(out, source or "article", ".html", taken, resolved_dir=resolved)
        text, why = texts.text_for(source)
        write_atomic(target, article_template.render(**article_context(result, text, why), index_name=INDEX_NAME), fsync=False)
        rows.append(_index_row(result, target.name))
    rows += [_failure_row(entry) for entry in given.failures]
    models = sorted({r["model"] for r in rows if r["model"]})
    index = resolved / INDEX_NAME
    write_atomic(index, index_template.render(rows=rows, totals=_totals(rows, given.batch), models=models,
                                              generated=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())), fsync=False)
    return index
