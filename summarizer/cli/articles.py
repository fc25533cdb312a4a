"""`summarizer summarize` and `summarizer translate`: one result per article, on standard output or
one file each in --out.

A failed file prints one line and the others go on; the exit code is the first failure's. Files in
--out are written atomically, so an interrupted run keeps what it finished (and the cache the rest).
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Callable, Optional

import typer

from summarizer.cli.common import fail, load_cli_settings, print_cleaned, read_input, run_on_embedded_server
from summarizer.cli.estimate import estimate_files
from summarizer.cli.options import ENDPOINT, RUNNING, SPENDING, WRITING, OutputFormat, command_options, settings_flags
from summarizer.cli.report import write_html
from summarizer.errors import BudgetReached, ExitCode, SummarizerError

if TYPE_CHECKING:
    from summarizer.api import Session
    from summarizer.budget import Budget
    from summarizer.config import Settings


def register(app: typer.Typer) -> None:
    """Add `summarize` and `translate` to `app`."""
    app.command(
        "summarize",
        help="Translate each article, summarize it in 3-7 bullets and build its glossary.\n\n"
        "One result per file: on standard output, or one file each in --out. Exit code: 0 when every file "
        "succeeded, else the first failure's (2 bad input or settings, 3 endpoint error, 4 invalid answers, "
        "5 a --max-cost/--max-tokens cap refused the run or stopped it).",
    )(_article_command("summarize"))
    app.command(
        "translate",
        help="Translate each article (with its glossary; no summary). Same options and exit codes as `summarize`.",
    )(_article_command("translate"))


def _article_command(task: str):
    @command_options("files", "fmt", "out", *ENDPOINT, "no_cache", *WRITING, "structured_mode", *RUNNING, *SPENDING, "show_cleaned", "dry_run", "html", "verbose", "quiet")
    def command(
        *, files, fmt, out, gguf, html, verbose, quiet,
        show_cleaned: Annotated[bool, typer.Option("--show-cleaned", help="Print what the loader removed as web boilerplate (to standard error).")] = False,
        dry_run: Annotated[bool, typer.Option("--dry-run", help="Plan only: chunks, tokens, requests and cost, no request sent (same as `estimate`).")] = False,
        **settings_options,
    ) -> None:
        flags = settings_flags({**settings_options, "fmt": fmt, "gguf": gguf})
        if dry_run:
            raise typer.Exit(estimate_files(task, files, fmt is OutputFormat.json, show_cleaned, verbose, flags))
        raise typer.Exit(run_articles(task, files, fmt, out, show_cleaned, verbose, quiet, flags, gguf, html=html))

    return command


def run_articles(task: str, files: list[Path], fmt: OutputFormat | None, out: Optional[Path], show_cleaned: bool, verbose: bool, quiet: bool, flags: dict, gguf: Optional[Path] = None, *, html: Optional[Path] = None) -> int:
    """Run `task` on every file with the settings `flags` give, on an embedded server for `gguf` (or the
    settings' GGUF), in `fmt` (None: the settings' output_format, else md), within the settings' spending
    caps (max_cost, max_tokens, start_anyway) when one is set; then the HTML review report into `html`."""
    try:
        settings = load_cli_settings(**flags)
    except SummarizerError as err:
        return fail(err, verbose)
    gguf = gguf or settings.gguf  # the flag's, or the environment's or a preset's
    if gguf is None:
        return _run_articles_with(task, files, fmt, out, show_cleaned, verbose, quiet, lambda: settings, html)
    return run_on_embedded_server(
        gguf, flags, quiet, verbose,
        lambda settings: _run_articles_with(task, files, fmt, out, show_cleaned, verbose, quiet, lambda: settings, html),
    )


def _budget_for(session: Session, inputs: list[tuple[str, bytes | None]], task: str) -> Budget | None:
    """The run's Budget when the settings set a cap, checked against the estimate of every input that
    loads and is not wholly in the response cache (a cached article costs nothing): EstimateOverBudget
    unless start_anyway. A file that does not load is reported by the run."""
    from summarizer.cache_only import work_to_pay

    settings = session.settings
    if settings.max_cost is None and settings.max_tokens is None:
        return None
    budget = session.budget(**settings.spending_caps())
    loads = (functools.partial(session.load, name, data=data) for name, data in inputs)
    work_to_pay(session, loads, task).check(budget)  # type: ignore[arg-type]
    return budget


def _run_articles_with(task: str, files: list[Path], fmt: OutputFormat | None, out: Optional[Path], show_cleaned: bool, verbose: bool, quiet: bool, make_settings: Callable[[], Settings], html: Optional[Path] = None) -> int:
    from summarizer.api import Session
    from summarizer.outputs import safe_output_path, write_atomic
    from summarizer.render import EXTENSIONS, render

    try:
        session = Session(make_settings(), command=task)
        session.check_ready()
        fmt = fmt or OutputFormat(session.settings.output_format or "md")  # a preset or the environment may choose it
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
        inputs = [read_input(path) for path in files]  # standard input is read once, here
        budget = _budget_for(session, inputs, task)
    except (SummarizerError, OSError) as err:
        if isinstance(err, OSError):
            err = SummarizerError(f"cannot create output folder {out}: {err.strerror}", hint="choose another --out")
        return fail(err, verbose)

    import asyncio

    codes: list[int] = []
    taken: set[str] = set()
    outputs: list[str] = []
    stopped: list[str] = []  # the budget's stop message, when the cap stopped the run
    reviewed: list[tuple[Any, str]] = []  # (result, its source text) for --html: stdin's text is only here

    async def run_all() -> None:
        try:
            for number, (name, data) in enumerate(inputs, start=1):
                try:
                    source = session.load(name, data=data)
                    if show_cleaned:
                        print_cleaned(source)
                    # named before the run, so the history records where it goes; a failure gives the name back
                    target = safe_output_path(out, name, EXTENSIONS[fmt.value], taken) if out is not None else None
                    try:
                        result = await _arun_with_status(session, source, task, show=len(files) == 1 and not quiet, output=target)
                    except SummarizerError:
                        taken.discard(target.name if target is not None else "")
                        raise
                    if html is not None:
                        reviewed.append((result, source.text))
                    text = render(result, fmt.value)
                    if target is not None:
                        write_atomic(target, text)
                        where = str(target)
                    else:
                        outputs.append(text)
                        where = "stdout"
                    codes.append(ExitCode.OK)
                    if not quiet and (len(files) > 1 or out is not None):
                        meta = result.metadata
                        typer.echo(f"[{number}/{len(files)}] {name} -> {where} ({meta.requests} request(s), {meta.cache_hits} cached)", err=True)
                    for warning in result.metadata.warnings:  # another model answering is always said
                        if verbose or (warning.startswith("asked for model") and not quiet):
                            typer.echo(f"warning: {name}: {warning}", err=True)
                except BudgetReached:
                    stopped.append(budget.progress_line(codes.count(ExitCode.OK), len(files)))  # type: ignore[union-attr]
                    break
                except SummarizerError as err:
                    codes.append(fail(err, verbose, name))
        finally:
            await session.aclose()

    try:
        with session.client.budgeted(budget):
            asyncio.run(run_all())
    except KeyboardInterrupt:
        typer.echo("interrupted; finished files are written, re-run to continue (cached answers are reused)", err=True)
        return ExitCode.INTERRUPTED
    _print_outputs(outputs, fmt)
    if html is not None and reviewed:
        codes.append(write_html(html, [r for r, _ in reviewed], sources={r.source: t for r, t in reviewed}, quiet=quiet, verbose=verbose))
    if stopped:
        typer.echo(stopped[0] + "; re-run with a higher cap to continue (finished articles come from the cache)", err=True)
        return ExitCode.BUDGET
    failures = [c for c in codes if c != ExitCode.OK]
    if failures and len(files) > 1 and not quiet:
        typer.echo(f"{len(files) - len(failures)} of {len(files)} files done, {len(failures)} failed", err=True)
    return failures[0] if failures else ExitCode.OK


def _print_outputs(outputs: list[str], fmt: OutputFormat) -> None:
    """Results meant for standard output, printed once every file is done: one JSON array for several."""
    if not outputs:
        return
    if fmt is OutputFormat.json and len(outputs) > 1:
        sys.stdout.write("[\n" + ",\n".join(o.rstrip("\n") for o in outputs) + "\n]\n")
    else:
        sys.stdout.write("\n---\n\n".join(outputs))


async def _arun_with_status(session, source, task: str, *, show: bool, output=None):
    """`session.arun` with a status line on stderr for a single-file run (summarizer.status)."""
    if not show:
        return await session.arun(source, task, output=output)
    from summarizer.status import StatusLine

    status = StatusLine(source.path)
    session.pipeline.progress = status.update
    try:
        async with status:
            return await session.arun(source, task, output=output)
    finally:
        session.pipeline.progress = None
