"""`summarizer estimate` (and `summarize --dry-run`): chunks, tokens, requests and cost, no request sent."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from summarizer.cli.common import fail, load_cli_settings, print_cleaned, read_input
from summarizer.cli.options import command_options, settings_flags
from summarizer.errors import ExitCode, SummarizerError


def register(app: typer.Typer) -> None:
    """Add `estimate` to `app`."""
    app.command("estimate", help="Chunks, tokens, requests and (for models with a known price) cost, without calling the endpoint.")(estimate_command)


@command_options("files", "model", "profile", "preset", "base_url", "prompts", "cache_dir", "glossary", "context_window", "max_output_tokens", "price_in", "price_out", "translate_only", "as_json", "verbose")
def estimate_command(
    *,
    files,
    translate_only: Annotated[bool, typer.Option("--translate-only", help="Estimate `translate` instead of `summarize`.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    verbose,
    **settings_options,
) -> None:
    flags = settings_flags(settings_options)
    raise typer.Exit(estimate_files("translate" if translate_only else "summarize", files, as_json, False, verbose, flags))


def estimate_files(task: str, files: list[Path], as_json: bool, show_cleaned: bool, verbose: bool, flags: dict) -> int:
    """Print the estimate of every file (a table, or JSON); return the first failure's exit code."""
    import json

    from summarizer.api import Session

    try:
        session = Session(load_cli_settings(**flags))
    except SummarizerError as err:
        return fail(err, verbose)
    rows, codes = [], []
    with session:
        for path in files:
            name, data = read_input(path)
            try:
                source = session.load(name, data=data)
                if show_cleaned:
                    print_cleaned(source)
                rows.append(session.estimate(source, task).as_dict())  # type: ignore[arg-type]
                codes.append(ExitCode.OK)
            except SummarizerError as err:
                codes.append(fail(err, verbose))
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
    elif rows:
        _print_table(rows, f"Estimate for {session.settings.model} ({task}); no request sent")
    failures = [c for c in codes if c != ExitCode.OK]
    return failures[0] if failures else ExitCode.OK


def _print_table(rows: list[dict], title: str) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    for column in ("file", "chunks", "tokens", "requests", "prompt tok", "output tok", "cost (USD)"):
        table.add_column(column, justify="left" if column == "file" else "right")
    for row in rows:
        cost = "n/a" if row["cost_usd"] is None else f"{row['cost_usd']:.4f}"
        table.add_row(row["source"], str(row["chunks"]), str(row["source_tokens"]), str(row["requests"]), str(row["prompt_tokens"]), str(row["completion_tokens"]), cost)
    console = Console()
    console.print(table)
    first = rows[0]
    console.print(f"context window {first['context_window']} ({first['context_source']}); chunk budget {first['chunk_budget']} tokens; counter: {first['token_counter']}")
