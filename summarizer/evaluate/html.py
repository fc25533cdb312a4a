"""`compare --html`: the review report's view of two runs, source | translation A | translation B.

Built on `summarizer.report`: its base layout (inlined CSS and JS, the CSP with a per-build nonce, no
network), its paragraph alignment and its fact marking, so a page reads like the review report's
article page with one more column. Only the facts a translation changed or lost are marked (red), in
its own column: the two runs' matched facts would need two colourings of one source. jinja2
autoescapes every value; article text is only ever data.

    index = write_compare_html(report, run_a, run_b, "duel/")   # duel/index.html + one page per article
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any, Callable

from summarizer.errors import ConfigError
from summarizer.evaluate.models import Collection, CompareReport, Document
from summarizer.evaluate.reading import pair_documents
from summarizer.outputs import prepare_folder

TEMPLATES = Path(__file__).parent / "templates"
INDEX_NAME = "index.html"
SourceLookup = Callable[[Document], tuple[str | None, str]]


def _environment():
    import jinja2

    from summarizer.report.builder import TEMPLATES as REPORT_TEMPLATES

    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(TEMPLATES), jinja2.FileSystemLoader(REPORT_TEMPLATES)]),
        autoescape=True,  # every template here is HTML
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["nonce"] = secrets.token_urlsafe(16)  # base.html's CSP: only the page's own script runs
    env.filters["metric"] = lambda name: "chrF" if name == "chrf" else name.upper()
    env.filters["num"] = lambda value, digits=2: "–" if value is None else (f"{value:,}" if isinstance(value, int) else f"{value:,.{digits}f}")
    return env


def _source_lookup(run_a: Collection, source: Collection | None) -> SourceLookup:
    """The source text of an article of run A: from `source` (paired by name), else the file the
    batch result names (read again the way the review report does), else missing, with the reason."""
    from summarizer.report.loading import SourceTexts

    given = {id(doc): "\n\n".join(src.segments) for doc, src in pair_documents(run_a, source).pairs} if source else {}
    files = SourceTexts(base=Path(run_a.path)) if run_a.kind == "batch" else None

    def lookup(document: Document) -> tuple[str | None, str]:
        if id(document) in given:
            return given[id(document)], ""
        if files is not None and document.source:
            return files.text_for(document.source)
        return None, "no source text for this article (pass --source SRC)"

    return lookup


def _only_bad(segments: list[Any]) -> list[Any]:
    from summarizer.report.views import Segment

    return [s if s.css == "bad" else Segment(s.text) for s in segments]


def trio_rows(source_text: str | None, text_a: str, text_b: str, source_lang: str = "id") -> list[dict[str, Any]]:
    """Paragraph N of the source beside paragraph N of each translation, each translation's changed
    or missing facts marked."""
    from summarizer.report.views import paragraph_rows

    rows_a, _ = paragraph_rows(source_text, text_a, source_lang)
    rows_b, _ = paragraph_rows(source_text, text_b, source_lang)
    rows = []
    for index in range(max(len(rows_a), len(rows_b))):
        row_a = rows_a[index] if index < len(rows_a) else None
        row_b = rows_b[index] if index < len(rows_b) else None
        source_row = row_a if row_a is not None and row_a.source else row_b
        rows.append({
            "number": index + 1,
            "source": "".join(s.text for s in source_row.source) if source_row is not None else "",
            "a": _only_bad(row_a.translation) if row_a is not None else [],
            "b": _only_bad(row_b.translation) if row_b is not None else [],
        })
    return rows


def _findings(document: Document, source_text: str | None) -> list[Any]:
    """What the batch recorded, else the checks run now against the source (when there is one)."""
    if document.findings is not None:
        return document.findings
    if source_text is None:
        return []
    from summarizer.checks import check_translation

    return check_translation(source_text, "\n\n".join(document.segments))


def _prepare(out_dir: Path) -> Path:
    return prepare_folder(out_dir, "--html", "choose another --html folder")


def write_compare_html(report: CompareReport, run_a: Collection, run_b: Collection, out_dir: str | Path, *,
                       source: Collection | None = None) -> Path:
    """Write `index.html` (totals, who wins where) and one page per compared article into `out_dir`;
    return the index's path. `run_a`/`run_b` are the collections `report` was computed from."""
    from summarizer.outputs import safe_output_path, write_atomic

    out = _prepare(Path(out_dir))
    env = _environment()
    article_template, index_template = env.get_template("compare_article.html"), env.get_template("compare_index.html")
    lookup = _source_lookup(run_a, source)
    pairs = pair_documents(run_a, run_b).pairs
    names = (report.run_a, report.run_b)
    taken, pages = {INDEX_NAME}, []
    for row, (doc_a, doc_b) in zip(report.articles, pairs):
        if (row.name, row.id) != (doc_a.name, doc_a.id):
            raise ConfigError(f"the compare report does not belong to {run_a.path}", hint="pass the collections it was computed from")
        source_text, missing = lookup(doc_a)
        target = safe_output_path(out, row.name.replace("/", "_") + ".html", ".html", taken, resolved_dir=out)
        text_a, text_b = "\n\n".join(doc_a.segments), "\n\n".join(doc_b.segments)
        write_atomic(target, article_template.render(
            report=report, row=row, names=names, index_name=INDEX_NAME, has_source=source_text is not None,
            missing_reason=missing, rows=trio_rows(source_text, text_a, text_b),
            findings=(_findings(doc_a, source_text), _findings(doc_b, source_text)),
        ), fsync=False)  # cheap to write again; the rename still means no half page
        pages.append(target.name)
    index = out / INDEX_NAME
    write_atomic(index, index_template.render(report=report, names=names, rows=list(zip(report.articles, pages))), fsync=False)
    return index
