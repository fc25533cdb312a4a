"""The `summarizer` command: parse options, call the library, render, map errors to exit codes.

No logic a Python user would need lives here; see `summarizer.api`. One module per command or group,
each with a `register(app)` that adds its commands:

    articles   summarize, translate             batch    batch (and provider-batch export/import)
    estimate   estimate (and --dry-run)         check    check a translation against its source
    evaluate   eval, compare (scores against references, two runs side by side)
    report     the HTML review report (and the --html of summarize/translate/batch)
    server     doctor, serve, demo              admin    the prompts, cache and profiles groups
    history    the run history group            presets  the presets group (--preset NAME)
    options    shared option aliases, `@command_options(...)` (a command's parameters in --help order)
               and the ONE flag -> Settings table
    common     failing with one line, reading inputs, the embedded-server run

Imports point one way: `__init__` -> command modules -> `options`/`common` -> the library; no command
module imports this package's `__init__`. A new command is a module with `register(app)`, mounted by
adding it to the `from summarizer.cli import ...` line and to `COMMAND_MODULES` (whose order is the
order of `summarizer --help`; typer lists the groups after the commands).
"""

from __future__ import annotations

import sys

import typer

from summarizer.cli import admin, articles, batch, check, estimate, evaluate, history, presets, report, server
from summarizer.errors import ExitCode

app = typer.Typer(
    name="summarizer",
    help=(
        "Translate foreign-language news articles into English with any OpenAI-compatible model, "
        "with a bullet summary and a glossary.\n\n"
        "\b\nExamples:\n"
        "  summarizer summarize article.txt --base-url http://localhost:8080/v1 --model local\n"
        "  summarizer summarize news/*.html --profile ollama --model qwen2.5 --out briefs/\n"
        "  summarizer translate article.html --format json --out out/\n"
        "  summarizer estimate long.txt --model gpt-4o-mini\n"
        "  OPENAI_API_KEY=... summarizer summarize article.txt --profile openai"
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

COMMAND_MODULES = (articles, estimate, server, batch, check, evaluate, report, admin, history, presets)
for _module in COMMAND_MODULES:
    _module.register(app)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        end(ExitCode.INTERRUPTED)
    except SystemExit as exit_:
        end(exit_.code)
    end(0)


def end(code: int | str | None) -> None:
    """Leave the process with `code`, without the interpreter's teardown when nothing needs it.

    A `summarizer batch` of 96 articles spent ~0.27 s after its last exit handler freeing the modules
    and objects it had loaded (the SDK's types, pydantic's schemas, the language model): wall time a
    user waits for, on every command. Every output is closed and synced by then, so the process ends
    at once: the streams flushed, the exit handlers run (the checks worker, logging, Ray), then
    `os._exit`. With a non-daemon thread still running the interpreter's own exit waits for it."""
    import atexit
    import os
    import threading

    if isinstance(code, str):
        print(code, file=sys.stderr)
        code = 1
    code = 0 if code is None else int(code)
    if any(thread.is_alive() and not thread.daemon for thread in threading.enumerate() if thread is not threading.main_thread()):
        sys.exit(code)
    _flush_streams()
    atexit._run_exitfuncs()  # noqa: SLF001 - the handlers sys.exit would run, in the same order
    _flush_streams()  # what the handlers printed
    os._exit(code)


def _flush_streams() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`| head`) or stream: nothing more can be said
            pass
