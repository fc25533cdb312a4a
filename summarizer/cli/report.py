"""`summarizer report DIR`: the HTML review report of a batch --out folder or a folder of JSON results.

Mounted by `summarizer.cli` (`register(app)`); `write_html` is the --html of summarize, translate and
batch (`HtmlOpt` in `options`). The logic lives in
`summarizer.report.build_report`; this module only parses options and maps errors to exit codes:
0 written, 2 bad input (no results there, an --out that is a file).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Mapping, Optional

import typer

from summarizer.cli.common import fail


def write_html(html_dir: Path, results: Any, *, sources: Mapping[str, str] | None = None, quiet: bool = False, verbose: bool = False) -> int:
    """The --html of summarize/translate/batch, after the run: build the report from `results` (a
    folder or ArticleResults), say where on stderr. A failure is one line and an exit code; the
    run's own outputs are already written."""
    from summarizer.errors import SummarizerError
    from summarizer.report import build_report

    try:
        index = build_report(results, html_dir, sources=sources)
    except SummarizerError as err:
        return fail(err, verbose)
    if not quiet:
        typer.echo(f"review report: {index}", err=True)
    return 0


def register(app: typer.Typer) -> None:
    """Add the `report` command to `app`."""
    app.command("report", help="Write a static HTML review report: index.html (one row per article: status, findings, model, "
                "tokens, cost; sortable and filterable) and one page per article (summary bullets linked to the "
                "paragraphs they cite, source | translation side by side with the checked facts marked, findings, "
                "run metadata). Self-contained: opens from file://, no network.\n\n"
                "DIR is a `batch --out` folder or a folder of `--format json` results. Source texts are read again "
                "from the files the results name. Prints the path of index.html.")(report_command)


def report_command(
    folder: Annotated[Path, typer.Argument(metavar="DIR", help="A batch --out folder, or a folder of JSON results.", show_default=False)],
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Folder for the HTML files.", show_default="DIR/report")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show tracebacks.")] = False,
) -> None:
    from summarizer.errors import SummarizerError
    from summarizer.report import build_report

    target = out if out is not None else folder / "report"
    typer.echo(f"writing the review report of {folder} into {target} ...", err=True)  # 500 articles: a few seconds
    try:
        index = build_report(folder, target)
    except SummarizerError as err:
        raise typer.Exit(fail(err, verbose))
    typer.echo(str(index))
