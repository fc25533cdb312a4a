"""The HTML review report: what a person signing off on translations looks at.

    from summarizer.report import build_report
    index = build_report("briefs/", "briefs/report")      # a batch --out folder, or JSON results
    index = build_report([result], "review/", sources={result.source: source.text})

One static page per article (summary bullets linked to the paragraphs they cite, the glossary,
every paragraph side by side source | translation with the checked facts marked, the findings, the
run metadata) plus `index.html` (one sortable, filterable row per article, totals on top).

Owns: reading results back (`loading`), the checked facts as spans (`facts`), the data the pages
show (`views`), and rendering with jinja2 autoescaping (`builder`, `templates/`). Imports point
down: builder -> views -> facts -> summarizer.checks; loading -> summarizer.sources (lazily).
Article text is data everywhere: it is only ever inserted by the autoescaping templates.
"""

from __future__ import annotations

from summarizer.report.builder import build_report

__all__ = ["build_report"]
