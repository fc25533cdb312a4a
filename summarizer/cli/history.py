"""`summarizer history`: list, search, show and export the runs `summarizer.history` recorded.

Every command reads the history file the settings name (SUMMARIZER_HISTORY_FILE, else the user data
folder's history.db); reading never creates it. Listings go to standard output, one run per line.
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from summarizer.cli.common import fail, load_cli_settings
from summarizer.errors import HistoryError, SummarizerError

if TYPE_CHECKING:
    from summarizer.history import RunHistory, RunRecord

history_app = typer.Typer(help="The run history: every article summarized or translated, searchable.", no_args_is_help=True)


class ShowFormat(str, Enum):
    md = "md"
    json = "json"


LimitOpt = Annotated[int, typer.Option("--limit", "-n", min=1, help="Show at most this many runs, newest first.")]


def register(app: typer.Typer) -> None:
    """Mount the `history` group on `app`."""
    app.add_typer(history_app, name="history")


def _open_history() -> RunHistory:
    from summarizer.history import RunHistory, default_history_file

    return RunHistory(default_history_file(load_cli_settings()))


def _line(record: RunRecord) -> str:
    """One run on one line: id, local time, command, model, outcome, tokens, cost, source and title."""
    from datetime import datetime

    when = datetime.fromisoformat(record.created_at or "").astimezone().strftime("%Y-%m-%d %H:%M")
    if record.status == "failed":
        outcome = "failed"
    else:
        errors, warnings = record.findings.get("error", 0), record.findings.get("warning", 0)
        outcome = f"{errors}E {warnings}W" if errors or warnings else "ok"
    cost = "-" if record.cost_usd is None else f"${record.cost_usd:.4f}"
    tokens = record.prompt_tokens + record.completion_tokens
    about = f"  {' '.join(record.title.split())[:60]}" if record.title else f"  {(record.error or '')[:80]}"
    return f"{record.id:>5}  {when}  {record.command:<12} {record.model[:24]:<24} {outcome:<8} {tokens:>7} tok {cost:>9}  {record.source}{about}"


def _print_runs(records: list[RunRecord], history: RunHistory, empty: str) -> None:
    if not records:
        typer.echo(f"{empty} (history: {history.path})", err=True)
    for record in records:
        typer.echo(_line(record))
        if record.match:
            typer.echo(f"       {' '.join(record.match.split())}")


@history_app.command("list", help="Recorded runs, newest first: id, time, command, model, outcome (error/warning findings), tokens, cost, source, title.")
def history_list(
    since: Annotated[Optional[str], typer.Option("--since", help="Only runs since then: 30m, 12h, 7d, 2w, or a date/time like 2025-06-01 (local time).")] = None,
    model: Annotated[Optional[str], typer.Option("--model", "-m", help="Only runs with this model.")] = None,
    errors: Annotated[bool, typer.Option("--errors", help="Only failed runs and runs with an error-severity finding.")] = False,
    limit: LimitOpt = 50,
) -> None:
    try:
        with _open_history() as history:
            _print_runs(history.runs(since=since, model=model, errors=errors, limit=limit), history, "no runs recorded")
    except SummarizerError as err:
        raise typer.Exit(fail(err, False))


@history_app.command("search", help="Runs whose title, summary or translation contains every word of QUERY (full-text, best match first).")
def history_search(
    query: Annotated[list[str], typer.Argument(help="Words to find, e.g. inflasi bank. Case and accents do not matter.", show_default=False)],
    limit: LimitOpt = 20,
) -> None:
    words = " ".join(query)
    try:
        with _open_history() as history:
            _print_runs(history.search(words, limit=limit), history, f"no run matches {words!r}")
    except SummarizerError as err:
        raise typer.Exit(fail(err, False))


@history_app.command("show", help="One run: its brief as Markdown (as `summarize` printed it), or the whole record as JSON.")
def history_show(
    run_id: Annotated[int, typer.Argument(metavar="ID", help="The run's id (first column of `history list`).", show_default=False)],
    fmt: Annotated[ShowFormat, typer.Option("--format", "-f", help="md: the brief; json: every recorded field and the full result.")] = ShowFormat.md,
) -> None:
    import json

    try:
        with _open_history() as history:
            record = history.get(run_id)
            if record is None:
                raise HistoryError(f"no run {run_id} in {history.path}", hint="`summarizer history list` shows the ids")
    except SummarizerError as err:
        raise typer.Exit(fail(err, False))
    if fmt is ShowFormat.json:
        fields = record.as_dict()
        fields.pop("match")
        typer.echo(json.dumps(fields, indent=2, ensure_ascii=False))
        return
    typer.echo(_markdown(record), nl=False)


def _markdown(record: RunRecord) -> str:
    where = f" · output {record.output}" if record.output else ""
    footer = f"<sub>run {record.id} · {record.created_at} · {record.command} · sha256 {record.content_sha256[:12]}{where}</sub>\n"
    if record.result is None:
        return f"# {record.source}: failed\n\n{record.error}\n\n{footer}"
    from summarizer.render import to_markdown
    from summarizer.schemas import ArticleResult

    return to_markdown(ArticleResult.model_validate(record.result)) + "\n" + footer


@history_app.command("export", help="Every run, oldest first, one JSON object per line (all recorded fields and the full result).")
def history_export(
    jsonl: Annotated[bool, typer.Option("--jsonl", help="JSON Lines (the one format; also the default).")] = True,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Write to this file (atomically) instead of standard output.")] = None,
) -> None:
    try:
        with _open_history() as history:
            if out is None:
                history.export_jsonl(sys.stdout)
                return
            count = _export_to_file(history, out)
    except (SummarizerError, OSError) as err:
        if isinstance(err, OSError):
            err = SummarizerError(f"cannot write {out}: {err.strerror}", hint="choose another --out")
        raise typer.Exit(fail(err, False))
    typer.echo(f"exported {count} run(s) to {out}", err=True)


def _export_to_file(history: RunHistory, out: Path) -> int:
    import os
    import tempfile

    fd, tmp = tempfile.mkstemp(dir=out.parent if str(out.parent) else ".", prefix=f".{out.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            count = history.export_jsonl(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return count


@history_app.command("path", help="Print where the run history is kept (set SUMMARIZER_HISTORY_FILE to move it).")
def history_path() -> None:
    from summarizer.history import default_history_file

    try:
        typer.echo(str(default_history_file(load_cli_settings())))
    except SummarizerError as err:
        raise typer.Exit(fail(err, False))
