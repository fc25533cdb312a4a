"""`EvalReport` / `CompareReport` → Markdown. Pure functions, no I/O."""

from __future__ import annotations

from typing import Iterable

from summarizer.evaluate.models import CompareReport, EvalReport, RunSide, Scores

MAX_LISTED = 20  # unpaired names shown before "... and N more"


def _number(value: float | int | None, digits: int = 2) -> str:
    if value is None:
        return "–"
    return str(value) if isinstance(value, int) else f"{value:.{digits}f}"


def _label(metric: str) -> str:
    return "chrF" if metric == "chrf" else metric.upper()


def _scores(scores: Scores | None, metrics: Iterable[str]) -> list[str]:
    return [_number(getattr(scores, m) if scores is not None else None) for m in metrics]


def _row(cells: Iterable[str]) -> str:
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


def _listed(label: str, names: list[str]) -> list[str]:
    if not names:
        return []
    shown = ", ".join(f"`{n}`" for n in names[:MAX_LISTED])
    more = f" and {len(names) - MAX_LISTED} more" if len(names) > MAX_LISTED else ""
    return [f"- {label} ({len(names)}): {shown}{more}"]


def eval_markdown(report: EvalReport) -> str:
    metrics = report.metrics
    lines = [f"# Evaluation: {report.hyp} against {report.ref}", ""]
    lines.append(_row(["", *[_label(m) for m in metrics], "segments", "errors", "warnings"]))
    lines.append(_row(["---"] * (len(metrics) + 4)))
    lines.append(_row(["**corpus**", *_scores(report.corpus, metrics), str(report.segments), _number(report.errors), _number(report.warnings)]))
    for article in report.articles:
        name = f"{article.name} (outlier)" if article.outlier else article.name
        lines.append(_row([name, *_scores(article.scores, metrics), str(article.segments), _number(article.errors), _number(article.warnings)]))
    lines.append("")
    notes = _listed(f"far below the corpus ({metrics[0]} more than {report.outlier_margin:g} points worse)", report.outliers)
    notes += _listed("only in the hypotheses, not scored", report.unpaired_hyp)
    notes += _listed("only in the references, not scored", report.unpaired_ref)
    lines += notes + ([""] if notes else [])
    lines += [f"<sub>sacrebleu {name}: {signature}</sub>" for name, signature in report.signatures.items()]
    return "\n".join(lines).rstrip() + "\n"


def _side_cells(side: RunSide, metrics: list[str]) -> list[str]:
    tokens = None if side.prompt_tokens is None else side.prompt_tokens + (side.completion_tokens or 0)
    return [*_scores(side.scores, metrics), _number(side.errors), _number(side.warnings), _number(tokens),
            _number(side.cost_usd, 4), _number(side.latency_seconds), _number(side.cache_hits)]


def compare_markdown(report: CompareReport) -> str:
    metrics, names = report.metrics, (report.run_a, report.run_b)
    verdict = "a tie" if report.winner is None else f"**{report.winner}** wins by {_number(report.margin)} ({report.decided_by})"
    lines = [f"# Compare: {names[0]} vs {names[1]}" + (f" against {report.ref}" if report.ref else ""), "", f"Overall: {verdict}.", ""]
    wins = ", ".join(f"{name} {report.wins.get(name, 0)}" for name in names) + f", tie {report.wins.get('tie', 0)}"
    lines += [f"Articles won: {wins}.", ""]
    header = ["run", *[_label(m) for m in metrics], "errors", "warnings", "tokens", "cost USD", "latency s", "cache hits"]
    lines += [_row(header), _row(["---"] * len(header))]
    lines += [_row([f"**{name}**", *_side_cells(report.totals[name], metrics)]) for name in names]
    lines += ["", _row(["article", "winner", "by", *[f"{_label(m)} A" for m in metrics], *[f"{_label(m)} B" for m in metrics], "errors A", "errors B", "warnings A", "warnings B"])]
    lines.append(_row(["---"] * (5 + 2 * len(metrics) + 2)))
    for row in report.articles:
        lines.append(_row([
            row.name, row.winner or "tie", f"{_number(row.margin)} {row.decided_by}" if row.winner else "–",
            *_scores(row.a.scores, metrics), *_scores(row.b.scores, metrics),
            _number(row.a.errors), _number(row.b.errors), _number(row.a.warnings), _number(row.b.warnings),
        ]))
    lines.append("")
    lines += _listed(f"only in {names[0]}", report.unpaired_a)
    lines += _listed(f"only in {names[1]}", report.unpaired_b)
    lines += _listed("no reference, not scored", report.unpaired_ref)
    return "\n".join(lines).rstrip() + "\n"
