"""`summarizer eval` and `summarizer compare`: score translations against references, put two runs side
by side.

Registered on the main app by `register(app)`. The logic lives in `summarizer.evaluate`; this module
only parses options, renders and maps errors to exit codes (0 done, 2 bad input or a missing extra).
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Callable, Optional

import typer

from summarizer.cli.common import fail
from summarizer.cli.options import OutputFormat, command_options


class SegmentsChoice(str, Enum):
    lines = "lines"
    article = "article"


RefOpt = Annotated[Optional[Path], typer.Option("--ref", "-r", help="The references: a folder of .txt files, a batch --out folder, or a file with one segment per line.", show_default=False)]
MetricOpt = Annotated[str, typer.Option("--metric", help="Comma-separated metrics, the first decides (outliers, winners): chrf, bleu, ter.")]
FormatOpt = Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format: a Markdown table or JSON (`corpus`, `articles`; compare: `winner`).")]
SourceOpt = Annotated[Optional[Path], typer.Option("--source", help="The source texts (same kinds, paired by name), to run the checks on texts that are not batch outputs.", show_default=False)]
SegmentsOpt = Annotated[SegmentsChoice, typer.Option("--segments", help="'lines': line N of a text pairs with line N of its reference; 'article': each article is one segment.")]
LinesOpt = Annotated[Optional[int], typer.Option("--lines-per-article", min=1, help="Cut one-segment-per-line files into pseudo-articles of N lines.", show_default=False)]
VerboseOpt = Annotated[bool, typer.Option("--verbose", "-v", help="Show tracebacks.")]
InputArg = "A batch --out folder, a folder of .txt files, or a text file with one segment per line."

# parameter -> (annotation, default) of the options eval and compare share (`command_options(shared=...)`)
SCORING_OPTIONS: dict[str, tuple[Any, Any]] = {
    "ref": (RefOpt, None),
    "metric": (MetricOpt, "chrf,bleu,ter"),
    "fmt": (FormatOpt, OutputFormat.md),
    "source": (SourceOpt, None),
    "segments": (SegmentsOpt, SegmentsChoice.lines),
    "lines_per_article": (LinesOpt, None),
    "verbose": (VerboseOpt, False),
}
SCORING = ("ref", "metric", "fmt", "source", "segments", "lines_per_article")  # in --help order, after the inputs

LONG_WAIT_SEGMENTS = 2000  # from about here scoring takes seconds (chrF + BLEU: ~1 s per 1,000 lines here)


def _announce(what: str, *collections) -> None:
    """A long wait speaks on stderr (never stdout, which holds the report)."""
    count = sum(len(d.segments) for c in collections for d in c.documents)
    if count >= LONG_WAIT_SEGMENTS:
        typer.echo(f"{what}: {count:,} segments ...", err=True)


def _read(runs: tuple[Path, ...], source: Path | None, lines_per_article: int | None) -> tuple[list[Any], Any]:
    """The texts of `runs`, and of `source` (None when not given), read once: the reports and the HTML
    pages are computed from the same texts."""
    from summarizer.evaluate import load_texts

    texts = [load_texts(run, lines_per_article=lines_per_article) for run in runs]
    return texts, (load_texts(source, lines_per_article=lines_per_article) if source is not None else None)


def _metrics(text: str) -> list[str]:
    from summarizer.evaluate.scoring import check_metrics

    return check_metrics(part for part in text.split(",") if part.strip())


def _print(report: Any, fmt: OutputFormat, markdown: Callable[[Any], str]) -> None:
    typer.echo(report.model_dump_json(indent=2) if fmt is OutputFormat.json else markdown(report), nl=fmt is OutputFormat.json)


def register(app: typer.Typer) -> None:
    """Add the `eval` and `compare` commands to `app` (their docstrings are their --help)."""
    app.command("eval")(eval_command)
    app.command("compare")(compare_command)


@command_options("hyp", *SCORING, "outlier_margin", "verbose", shared=SCORING_OPTIONS)
def eval_command(
    *,
    hyp: Annotated[Path, typer.Argument(help=InputArg, show_default=False)],
    outlier_margin: Annotated[float, typer.Option("--outlier-margin", min=0, help="Points below the corpus score (first metric) that make an article an outlier.")] = 10.0,
    ref, metric, fmt, source, segments, lines_per_article, verbose,
) -> None:
    """Score translations against references with sacrebleu (chrF, BLEU, TER), per article and for the
    corpus, beside the checks' error and warning counts; lists the articles far below the corpus score and
    anything that could not be paired. Needs the 'eval' extra."""
    from summarizer.errors import ConfigError
    from summarizer.evaluate import evaluate
    from summarizer.evaluate.markdown import eval_markdown

    try:
        if ref is None:
            raise ConfigError("eval needs the references", hint="pass --ref REF (a folder of .txt files, a batch --out folder or a text file)")
        metrics = _metrics(metric)
        (hyps, refs), sources = _read((hyp, ref), source, lines_per_article)
        _announce(f"scoring {hyp} against {ref} ({', '.join(metrics)})", hyps)
        report = evaluate(hyps, refs, metrics=metrics, source=sources, segments=segments.value,
                          lines_per_article=lines_per_article, outlier_margin=outlier_margin)
    except Exception as err:  # noqa: BLE001 - every failure is one line and a code
        raise typer.Exit(fail(err, verbose)) from None
    _print(report, fmt, eval_markdown)


@command_options("run_a", "run_b", *SCORING, "html", "verbose", shared=SCORING_OPTIONS)
def compare_command(
    *,
    run_a: Annotated[Path, typer.Argument(help=InputArg, show_default=False)],
    run_b: Annotated[Path, typer.Argument(help="The other run, of the same kind.", show_default=False)],
    html: Annotated[Optional[Path], typer.Option("--html", help="Also write HTML pages into this folder: index.html (who wins where) and, per article, the source beside both translations with their changed facts marked.", show_default=False)] = None,
    ref, metric, fmt, source, segments, lines_per_article, verbose,
) -> None:
    """Compare two batch runs of the same articles (two models, two prompt versions): per article and in
    total, scores against --ref, the checks' errors and warnings, tokens, cost, latency and cache hits, and
    which run wins where and by how much. With --ref the first metric decides; without, fewer check errors."""
    from summarizer.evaluate import compare
    from summarizer.evaluate.markdown import compare_markdown

    try:
        metrics = _metrics(metric)
        (a, b), sources = _read((run_a, run_b), source, lines_per_article)
        _announce(f"comparing {run_a} and {run_b}", a, b)
        report = compare(a, b, ref=ref, metrics=metrics, source=sources, segments=segments.value,
                         lines_per_article=lines_per_article)
        if html is not None:
            from summarizer.evaluate.html import write_compare_html

            typer.echo(f"writing the compare pages into {html} ...", err=True)
            index = write_compare_html(report, a, b, html, source=sources)
            typer.echo(f"wrote {index}", err=True)
    except Exception as err:  # noqa: BLE001 - every failure is one line and a code
        raise typer.Exit(fail(err, verbose)) from None
    _print(report, fmt, compare_markdown)
