"""`summarizer batch`: a thin shell over `summarizer.batch.run_batch` (and the provider-batch export/import).

Progress goes to standard error: a rich bar on a terminal, a plain line every few articles otherwise.
Exit codes come from `ExitCode`: 0 every article done, 1 some failed, 2 bad usage, 5 budget, 130 interrupted.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from summarizer.cli.common import fail, load_cli_settings, run_on_embedded_server
from summarizer.cli.options import ENDPOINT, ENGINE, PACING, RUNNING, SPENDING, WRITING, OutputFormat, command_options, settings_flags
from summarizer.cli.report import write_html
from summarizer.errors import ExitCode, SummarizerError

BatchInputs = Annotated[list[Path], typer.Argument(help="Files, folders (searched recursively with --glob) and .jsonl files of {\"id\", \"text\"} or {\"id\", \"path\"} records.", show_default=False)]
BatchOutOpt = Annotated[Optional[Path], typer.Option("--out", "-o", help="Folder for the outputs, results.jsonl, manifest.jsonl (resume state) and report.json. Required except with --export-jsonl.", show_default=False)]
ExportOpt = Annotated[Optional[Path], typer.Option("--export-jsonl", help="Send nothing: write the requests the articles need as OpenAI Batch API lines (also `vllm run-batch` input).", show_default=False)]
BatchFormatOpt = Annotated[Optional[OutputFormat], typer.Option("--format", "-f", help="Output format: Markdown brief or JSON. Default: the format of the run started in --out, else SUMMARIZER_OUTPUT_FORMAT or the preset's, else md.", show_default=False)]
ImportOpt = Annotated[Optional[Path], typer.Option("--import-jsonl", help="Validate and cache a provider batch's results file, then render every article it completes into --out (sends nothing).", show_default=False)]


class _Progress:
    """A rich progress bar on a terminal, a plain line every few articles otherwise, nothing when quiet.
    Failures are always printed (one line each)."""

    def __init__(self, quiet: bool, verbose: bool) -> None:
        from rich.console import Console

        self.quiet, self.verbose = quiet, verbose
        self.console = Console(stderr=True)
        self.bar = None
        self.task_id = None
        self.every = 1
        self.done = 0

    def __call__(self, event) -> None:
        if event.kind == "estimating":
            self._print(f"estimating {event.total} article(s) against the spending cap ...")
            return
        if event.kind == "start":
            self.every = max(1, event.total // 20)
            if not self.quiet and self.console.is_terminal:
                from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

                self.bar = Progress(
                    TextColumn("batch"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[failed]} failed"),
                    TimeRemainingColumn(), console=self.console, transient=True,
                )
                self.bar.start()
                self.task_id = self.bar.add_task("batch", total=event.total, failed=0)
            return
        if event.kind in ("finished", "skipped"):
            self.done += 1 if event.kind == "finished" else 0
        if event.kind == "failed":
            if self.verbose and event.exception is not None:
                import traceback

                traceback.print_exception(event.exception)
            self._print(f"error: {event.error if event.error and event.source and event.source in event.error else f'{event.source}: {event.error}'}", always=True)
        if event.kind in ("started", "budget"):  # budget: left for the resume, said once at the end
            return
        finished = event.done + event.skipped + event.failed
        if self.bar is not None:
            self.bar.update(self.task_id, completed=finished, failed=event.failed)
        elif not self.quiet and (finished % self.every == 0 or finished == event.total):
            self._print(f"[{finished}/{event.total}] {event.done} done, {event.skipped} skipped, {event.failed} failed")

    def _print(self, line: str, always: bool = False) -> None:
        if self.quiet and not always:
            return
        if self.bar is not None:
            self.bar.console.print(line, markup=False, highlight=False)
        else:
            typer.echo(line, err=True)

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None


def register(app: typer.Typer) -> None:
    """Add `batch` to `app`."""

    @app.command(
        "batch",
        help="Summarize (or translate) many articles concurrently into a folder, resumably.\n\n"
        "Writes one file per article plus results.jsonl, manifest.jsonl and report.json into --out. "
        "Re-running the same command resumes: finished articles are skipped, failed ones too unless "
        "--retry-failed, and cached answers are reused. --out remembers the run's endpoint, model, task, format "
        "and templates (run.json, never the key): `summarizer batch news/ --out briefs/` with no flags resumes "
        "with them, and a flag that contradicts them is refused. Exit code: 0 every article done, 1 some failed, "
        "2 bad usage or settings, 5 a --max-cost/--max-tokens cap refused or stopped the run, 130 interrupted.\n\n"
        "Provider batches (OpenAI Batch API, vllm run-batch): --export-jsonl FILE writes the requests instead "
        "of sending them; --import-jsonl RESULTS --out DIR caches the answers and renders the articles. A long "
        "article needs one round per step: export again until nothing is pending.",
    )
    @command_options("inputs", "out", "export_jsonl", "import_jsonl", "fmt", "translate_only", "glob", *PACING, "retry_failed", *SPENDING, *ENGINE, *ENDPOINT, *WRITING, *RUNNING, "html", "quiet", "verbose")
    def batch_command(
        *,
        inputs: BatchInputs,
        out: BatchOutOpt = None,
        export_jsonl: ExportOpt = None,
        import_jsonl: ImportOpt = None,
        fmt: BatchFormatOpt = None,
        translate_only: Annotated[bool, typer.Option("--translate-only", help="Translate (with glossary) instead of summarize (default: the task of the run started in --out).")] = False,
        glob: Annotated[str, typer.Option("--glob", help="Pattern for files inside folder inputs. The default matches .txt/.md/.markdown/.html/.htm only.")] = "**/*",
        retry_failed: Annotated[bool, typer.Option("--retry-failed", help="Also retry articles that failed in an earlier run into the same --out.")] = False,
        gguf,
        html,
        quiet,
        verbose,
        **settings_options,
    ) -> None:
        # the format, GGUF, caps, pacing and engine too: a preset or the environment may set them
        flags = settings_flags({**settings_options, "fmt": fmt, "gguf": gguf})
        task = "translate" if translate_only else None
        if export_jsonl is not None and import_jsonl is None:  # writes no folder: nothing to resume
            raise typer.Exit(_provider_batch(inputs, out, export_jsonl, None, fmt.value if fmt else "md", task or "summarize", glob, quiet, verbose, flags))
        if out is None:
            typer.echo("error: batch needs --out DIR (or --export-jsonl FILE)", err=True)
            raise typer.Exit(ExitCode.USAGE)
        if settings_options["engine"] not in (None, "local", "ray"):
            typer.echo(f"error: unknown --engine {settings_options['engine']!r} (use local or ray)", err=True)
            raise typer.Exit(ExitCode.USAGE)
        if settings_options["engine"] != "ray":
            _prestart_checks(inputs, glob, flags, out)
        configured = _configured(flags, verbose)  # what decides how the run starts, before its session
        gguf = gguf or configured.gguf
        resumed = _resume(out, flags, task, fmt.value if fmt else None, gguf, quiet, verbose)
        flags, task = resumed.flags, resumed.task
        # the format the flag or the run started in --out gives; else the settings' (environment, preset), else md: in _run
        fmt_value = resumed.fmt if fmt is not None or resumed.stored is not None else None
        if import_jsonl is not None:
            raise typer.Exit(_provider_batch(inputs, out, export_jsonl, import_jsonl, fmt_value, task, glob, quiet, verbose, flags))
        if configured.engine == "ray":
            code = _run(inputs, out, fmt_value, task, glob, retry_failed, quiet, verbose, flags, ray=(configured.actors, configured.ray_address))
        elif gguf is not None:
            code = _run_with_gguf(gguf, inputs, out, fmt_value, task, glob, retry_failed, quiet, verbose, flags)
        else:
            code = _run(inputs, out, fmt_value, task, glob, retry_failed, quiet, verbose, flags)
        if html is not None and code in (ExitCode.OK, ExitCode.FAILED, ExitCode.BUDGET):  # the run ended on its own: its folder is complete
            code = write_html(html, out, quiet=quiet, verbose=verbose) or code
        raise typer.Exit(code)


def _configured(flags, verbose):
    """The settings the flags, environment and preset give (the GGUF, the engine); exit 2 when they do not load."""
    try:
        return load_cli_settings(**flags)
    except SummarizerError as err:
        raise typer.Exit(fail(err, verbose)) from None


def _resume(out, flags, task, fmt, gguf, quiet, verbose):
    """The flags, task and format completed from the run started in `out` (said on stderr); exit 2 for a contradicting flag."""
    from summarizer.batch import resume_flags

    try:
        resumed = resume_flags(out, flags, task=task, fmt=fmt, gguf=gguf)
    except SummarizerError as err:
        raise typer.Exit(fail(err, verbose)) from None
    note = resumed.note(out)
    if note and not quiet:
        typer.echo(note, err=True)
    return resumed


def _run_with_gguf(gguf, inputs, out, fmt, task, glob, retry_failed, quiet, verbose, flags) -> int:
    """The run against an embedded llama.cpp server for `gguf`, one slot per concurrent request (--concurrency)."""
    from summarizer.api import Session

    return run_on_embedded_server(
        gguf, flags, quiet, verbose,
        lambda settings: _run(inputs, out, fmt, task, glob, retry_failed, quiet, verbose, flags, session=Session(settings, command="batch"), gguf=gguf),
        slots=None,
    )


def _prestart_checks(inputs, glob, flags, out) -> None:
    """Start the checks worker now when the batch will check in one (more articles than one wave of requests, checks on; see batch.runner.POOL_MIN_ARTICLES):
    its ~0.6 s start then overlaps ours (settings, session, a local server's start) instead of holding
    the first answers. A preset or .env read later may still turn the checks off; the unused worker ends
    with the process."""
    from summarizer.batch.runner import checks_in_a_pool
    from summarizer.checks_worker import prestart_pool
    from summarizer.config import Settings

    concurrency = flags.get("concurrency") or Settings.model_fields["concurrency"].default  # a preset's is not read yet
    try:
        wanted = checks_in_a_pool(inputs, glob, concurrency=concurrency, run_checks=flags.get("run_checks") is not False, out_dir=out)
    except Exception:  # noqa: BLE001 - a missing or unreadable input: the run itself reports it, in one line
        return
    if wanted:
        prestart_pool()


def _provider_batch(inputs, out, export_file, import_file, fmt, task, glob, quiet, verbose, flags) -> int:
    import asyncio

    from summarizer.api import Session
    from summarizer.batch import export_requests, import_results

    if export_file is not None and import_file is not None:
        typer.echo("error: use --export-jsonl and --import-jsonl in separate runs", err=True)
        return ExitCode.USAGE
    if import_file is not None and out is None:
        typer.echo("error: --import-jsonl needs --out DIR to render the articles into", err=True)
        return ExitCode.USAGE
    try:
        if export_file is not None:  # sends nothing: the runs are recorded when their answers are imported
            session = Session(load_cli_settings(**{**flags, "no_history": True}))
        else:
            session = Session(load_cli_settings(**flags), command="import-jsonl")
        if export_file is not None:
            async def export():
                try:
                    return await export_requests(session, inputs, export_file, task=task, glob=glob)
                finally:
                    await session.aclose()

            report = asyncio.run(export())
            for failure in report.failures:
                typer.echo(f"error: {failure['error']}", err=True)
            if not quiet:
                typer.echo(f"exported {report.requests} request(s) for {report.articles} article(s) to {export_file}; "
                           f"{report.complete} already complete, {len(report.failures)} failed", err=True)
            return ExitCode.FAILED if report.failures else ExitCode.OK
        imported = import_results(session, import_file)
        for failure in imported.failures:
            typer.echo(f"error: {failure['custom_id']}: {failure['error']}", err=True)
        if not quiet:
            typer.echo(f"imported {imported.imported} of {imported.lines} answer(s) from {import_file}", err=True)
    except SummarizerError as err:
        return fail(err, verbose)
    with session.client.exporting():  # render from the cache only: nothing is sent
        code = _run(inputs, out, fmt, task, glob, False, quiet, verbose, flags, session=session, capped=False)
    return ExitCode.FAILED if imported.failures else code


def _run(inputs, out, fmt, task, glob, retry_failed, quiet, verbose, flags, session=None, ray=None, gguf=None, capped=True) -> int:
    """The batch on the local engine, or on Ray when `ray` is (actors, address); its pacing and (unless
    not `capped`: an offline render sends nothing) its spending caps come from the resolved settings."""
    import asyncio

    from summarizer.api import Session
    from summarizer.batch import REPORT_NAME, BatchOptions, run_batch

    try:
        if session is None:
            session = Session(load_cli_settings(**flags), command="batch")
            session.check_ready()
    except SummarizerError as err:
        return fail(err, verbose)
    settings = session.settings
    fmt = fmt or settings.output_format or "md"
    caps = settings.spending_caps() if capped else {}
    options = BatchOptions(out_dir=out, fmt=fmt, task=task, concurrency=settings.concurrency, rpm=settings.rpm, tpm=settings.tpm,
                           retry_failed=retry_failed, glob=glob, gguf=gguf, **caps)
    progress = _Progress(quiet, verbose)

    async def main():
        try:
            return await run_batch(session, inputs, options, progress=progress)
        finally:
            await session.aclose()

    try:
        report = asyncio.run(main()) if ray is None else _on_ray(session, inputs, options, ray, progress, quiet)
    except KeyboardInterrupt:
        progress.stop()
        typer.echo(f"interrupted: {progress.done} done, re-run the same command to resume", err=True)
        return ExitCode.INTERRUPTED
    except SummarizerError as err:
        progress.stop()
        code = fail(err, verbose)
        return code if code != ExitCode.OK else ExitCode.USAGE
    finally:
        progress.stop()
    if not quiet:
        typer.echo(
            f"batch: {report.done} done, {report.skipped} skipped, {report.failed} failed"
            + (f", {report.pending} waiting for another provider-batch round (--export-jsonl again)" if report.pending else "")
            + f"; {report.requests} request(s), "
            f"{report.cache_hits} cache hit(s); {report.wall_seconds:.1f}s; report: {out / REPORT_NAME}",
            err=True,
        )
    if report.exit_code == ExitCode.BUDGET and report.budget_message:
        typer.echo(report.budget_message + "; re-run with a higher cap to resume", err=True)  # even with --quiet: why it stopped
    sys.stderr.flush()
    return report.exit_code


def _on_ray(session, inputs, options, ray, progress, quiet):
    from summarizer.batch.ray import run_ray_batch

    actors, address = ray
    say = None if quiet else (lambda line: typer.echo(line, err=True))
    try:
        return run_ray_batch(session, inputs, options, actors=actors, address=address, progress=progress, say=say)
    finally:
        session.close()
