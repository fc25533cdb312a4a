"""What every command does the same way: resolve settings, fail with one line, read an input, run on
an embedded llama.cpp server.

Errors become exit codes only here and in the commands (`ExitCode` in `summarizer.errors` is the table);
the traceback is printed only with --verbose. Settings and the API are imported inside the functions,
so `summarizer --help` does not load pydantic-settings or the SDK.
"""

from __future__ import annotations

import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import typer

from summarizer.errors import ExitCode, SummarizerError

if TYPE_CHECKING:
    from summarizer.config import Settings
    from summarizer.sources import CleanedSource


def load_cli_settings(**flags: Any) -> Settings:
    """Settings from the flags `settings_flags` gave (None: not given), the environment, .env and profile."""
    from summarizer.config import load_settings

    return load_settings(**flags)


def fail(err: BaseException, verbose: bool, source: str | None = None) -> int:
    """Print `err` as one line on standard error (and its traceback with --verbose); return its exit code.
    `source`: the file it happened to, named at the start of the line unless the message names it."""
    if verbose:
        traceback.print_exception(err)
    if isinstance(err, SummarizerError):
        named = f"{source}: " if source and source not in str(err) else ""
        typer.echo(f"error: {named}{err}", err=True)
        return err.exit_code
    typer.echo(f"error: unexpected {type(err).__name__}: {err} (rerun with --verbose and report it)", err=True)
    return ExitCode.FAILED


def read_input(path: Path) -> tuple[str, bytes | None]:
    """(name, bytes): '-' is standard input, read now; a path is read later by the loader."""
    if str(path) == "-":
        return "-", sys.stdin.buffer.read()
    return str(path), None


def print_cleaned(source: CleanedSource) -> None:
    """--show-cleaned: what the loader found and removed, on standard error."""
    typer.echo(f"--- {source.path}: {source.format}, {source.encoding}, language {source.language} ({source.language_confidence:.2f}); removed {len(source.removed)} block(s):", err=True)
    for block in source.removed:
        typer.echo("  - " + " ".join(block.split())[:160], err=True)


def run_on_embedded_server(gguf: Path, flags: dict, quiet: bool, verbose: bool, run: Callable[[Settings], int], *, slots: int | None = 1) -> int:
    """Start llama.cpp for `gguf` with `slots` parallel slots (None: the settings' concurrency, which a
    flag, the environment or a preset may set), call `run(settings)`, stop it."""
    from summarizer.api import embedded_server

    try:
        base = load_cli_settings(**flags)
        slots = base.concurrency if slots is None else slots
        if not quiet:
            typer.echo(f"starting the embedded llama.cpp server for {gguf} ...", err=True)
        with embedded_server(gguf, base, ctx=(base.context_window or 4096) * slots, parallel=slots) as settings:
            return run(settings)
    except SummarizerError as err:
        return fail(err, verbose)
