"""`summarizer doctor`, `serve` and `demo`: check an endpoint, serve a GGUF model, run the offline demo."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from summarizer.cli.articles import run_articles
from summarizer.cli.common import fail, load_cli_settings
from summarizer.cli.options import FormatOpt, OutOpt, OutputFormat, VerboseOpt, command_options, settings_flags
from summarizer.errors import ExitCode, SummarizerError

# The demo model's tokenizer is byte-level (about one token per byte), so it needs a roomy window.
DEMO_CONTEXT = 16384
DEMO_ARTICLE = Path(__file__).resolve().parent.parent / "data" / "demo_article.txt"


def register(app: typer.Typer) -> None:
    """Add `doctor`, `serve` and `demo` to `app`."""
    app.command("doctor", help="Check an endpoint before a long run: reachable, key accepted, model listed, which "
                "structured-output mode works, context length, exact tokenization, latency. What it learns is "
                "remembered per endpoint+model and used by later runs. Exit code 0 when ready, 1 when not.")(doctor_command)
    app.command("serve", help="Serve a GGUF model with the embedded llama.cpp server (OpenAI-compatible) until Ctrl-C.\n\n"
                "Needs the 'local' extra: pip install 'summarizer[local]'. Then, in another shell: "
                "summarizer summarize FILE --base-url http://127.0.0.1:PORT/v1 --model MODEL")(serve_command)
    app.command("demo", help="Offline end-to-end demo: build a tiny random-weight model, serve it with the embedded "
                "llama.cpp server, and summarize a sample Indonesian article. The model is random, so its text is "
                "meaningless; the point is to see the whole pipeline work on this machine.")(demo_command)


@command_options("model", "base_url", "profile", "cache_dir", "context_window", "timeout", "gguf", "as_json", "verbose")
def doctor_command(
    *,
    gguf,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    verbose,
    **settings_options,
) -> None:
    flags = settings_flags(settings_options)

    import asyncio
    import json
    from contextlib import nullcontext

    from summarizer.cache import EndpointMemory
    from summarizer.doctor import render_report, run_doctor

    try:
        settings = load_cli_settings(**flags)
        if gguf is not None:
            from summarizer.api import embedded_server

            context = embedded_server(gguf, settings, ctx=settings.context_window or 4096)
        else:
            context = nullcontext(settings)
        with context as settings:
            memory = EndpointMemory(settings.resolved_cache_dir() / "endpoints.json")
            report = asyncio.run(run_doctor(settings, memory=memory))
    except SummarizerError as err:
        raise typer.Exit(fail(err, verbose))
    typer.echo(json.dumps(report.as_dict(), indent=2) if as_json else render_report(report))
    raise typer.Exit(ExitCode.OK if report.ok else ExitCode.FAILED)


def serve_command(
    gguf: Annotated[Path, typer.Option("--gguf", help="The GGUF model file.", show_default=False)],
    port: Annotated[int, typer.Option("--port", help="Port on 127.0.0.1 (0 picks a free one).")] = 8080,
    ctx: Annotated[int, typer.Option("--ctx", help="Context size in tokens (capped at the model's own; split between --parallel slots).")] = 4096,
    parallel: Annotated[int, typer.Option("--parallel", help="Requests decoded at once (slots).")] = 1,
    verbose: VerboseOpt = False,
) -> None:
    import time

    from summarizer.local_server import LocalServer

    try:
        server = LocalServer(gguf, port=port, ctx=ctx, parallel=parallel).start()
    except SummarizerError as err:
        raise typer.Exit(fail(err, verbose))
    try:  # from the announcement on: a Ctrl-C that comes as soon as the URL is read is a clean stop too
        typer.echo(f"serving {gguf.name} as model {server.model!r} at {server.base_url} (Ctrl-C stops)", err=True)
        typer.echo(f"try: summarizer summarize FILE --base-url {server.base_url} --model {server.model}", err=True)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        typer.echo("stopped", err=True)


def demo_command(
    article: Annotated[Optional[Path], typer.Argument(help="Article to use instead of the bundled sample.", show_default=False)] = None,
    fmt: FormatOpt = OutputFormat.md,
    out: OutOpt = None,
    verbose: VerboseOpt = False,
) -> None:
    import shlex

    try:
        model_path, cache_dir = _demo_model()
    except SummarizerError as err:
        raise typer.Exit(fail(err, verbose))
    typer.echo(
        f"demo: a tiny RANDOM model ({model_path.stat().st_size // 1024} KiB) runs in an embedded llama.cpp server; "
        "its text is meaningless by design.",
        err=True,
    )
    code = run_articles("summarize", [article or DEMO_ARTICLE], fmt, out, False, verbose, True, {"cache_dir": cache_dir, "context_window": DEMO_CONTEXT}, model_path)
    typer.echo(
        "\nThat was the full pipeline (load, clean, chunk, prompt, structured output, validate, cache, render).\n"
        f"The demo model is {model_path}; serve it yourself (OpenAI-compatible) with:\n"
        f"  summarizer serve --gguf {shlex.quote(str(model_path))} --ctx {DEMO_CONTEXT}\n"
        "For real translations point it at a real model:\n"
        "  summarizer summarize ARTICLE --gguf path/to/model.gguf\n"
        "  summarizer summarize ARTICLE --profile ollama --model llama3.1\n"
        "  OPENAI_API_KEY=... summarizer summarize ARTICLE --profile openai",
        err=True,
    )
    raise typer.Exit(code)


def _demo_model() -> tuple[Path, Path]:
    """(the tiny random GGUF, built once into the cache folder; that cache folder)."""
    from summarizer.config import load_settings
    from summarizer.local_server import require_xllamacpp

    require_xllamacpp()
    settings = load_settings(env_file=None, cache_dir=load_cli_settings().resolved_cache_dir())
    from summarizer.tiny_model import build_tiny_model

    model_path = settings.resolved_cache_dir() / "demo" / f"tiny-random-{DEMO_CONTEXT}.gguf"
    if not model_path.is_file():
        model_path.parent.mkdir(parents=True, exist_ok=True)
        build_tiny_model(model_path, n_ctx=DEMO_CONTEXT)
    return model_path, settings.resolved_cache_dir()
