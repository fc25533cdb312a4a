"""The `summarizer` command: parse options, call the library, render, map errors to exit codes.

No logic a Python user would need lives here; see `summarizer.api`.
"""

from __future__ import annotations

import json
import sys
import traceback
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from summarizer.errors import SummarizerError

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
prompts_app = typer.Typer(help="List and show the prompt templates.", no_args_is_help=True)
cache_app = typer.Typer(help="Inspect or clear the response cache.", no_args_is_help=True)
profiles_app = typer.Typer(help="Endpoint profiles (openai, ollama, vllm, llamacpp, lmstudio, litellm, yours).", no_args_is_help=True)
app.add_typer(prompts_app, name="prompts")
app.add_typer(cache_app, name="cache")
app.add_typer(profiles_app, name="profiles")

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
# The demo model's tokenizer is byte-level (about one token per byte), so it needs a roomy window.
DEMO_CONTEXT = 16384


class OutputFormat(str, Enum):
    md = "md"
    json = "json"


class ModeChoice(str, Enum):
    auto = "auto"
    json_schema_strict = "json_schema_strict"
    json_schema = "json_schema"
    json_object = "json_object"
    prompt = "prompt"


# -- shared options (typed once, reused by every command) -------------------------------------
Files = Annotated[list[Path], typer.Argument(help="Article files (.txt, .md, .html; any encoding). '-' reads standard input.", show_default=False)]
FormatOpt = Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format: Markdown brief or JSON (validates against the shipped schema).")]
OutOpt = Annotated[Optional[Path], typer.Option("--out", "-o", help="Write one file per input into this folder (x.txt -> x.md). Default: standard output.")]
ModelOpt = Annotated[Optional[str], typer.Option("--model", "-m", help="Model name as the endpoint knows it. Env: SUMMARIZER_MODEL.")]
BaseUrlOpt = Annotated[Optional[str], typer.Option("--base-url", help="OpenAI-compatible endpoint, e.g. http://localhost:11434/v1. Env: OPENAI_BASE_URL.")]
ProfileOpt = Annotated[Optional[str], typer.Option("--profile", "-p", help="Endpoint profile: openai, ollama, vllm, llamacpp, lmstudio, litellm, or one of yours (`summarizer profiles list`).")]
PromptsOpt = Annotated[Optional[Path], typer.Option("--prompts", help="Folder with your own prompt templates (missing ones fall back to the built-ins).")]
CacheDirOpt = Annotated[Optional[Path], typer.Option("--cache-dir", help="Cache folder. Env: SUMMARIZER_CACHE_DIR. Default: the user cache dir.")]
NoCacheOpt = Annotated[bool, typer.Option("--no-cache", help="Neither read nor write the response cache.")]
GlossaryOpt = Annotated[Optional[Path], typer.Option("--glossary", help="CSV/TSV of 'source term, preferred English[, note]' to enforce.")]
InstructionsOpt = Annotated[Optional[str], typer.Option("--instructions", help="Extra guidance for the model, e.g. 'for a finance audience; formal tone'.")]
TargetOpt = Annotated[Optional[str], typer.Option("--target-lang", help="Language to translate into.", show_default="English")]
ContextOpt = Annotated[Optional[int], typer.Option("--context-window", help="The model's context size in tokens; chunks are cut to fit it.")]
MaxOutOpt = Annotated[Optional[int], typer.Option("--max-output-tokens", help="Upper bound of tokens per answer.", show_default="4096")]
ModeOpt = Annotated[Optional[ModeChoice], typer.Option("--structured-mode", help="Force a structured-output mode instead of trying them in order.", show_default="auto")]
TimeoutOpt = Annotated[Optional[float], typer.Option("--timeout", help="Seconds to wait for one answer.", show_default="120")]
RetriesOpt = Annotated[Optional[int], typer.Option("--max-retries", help="Retries of a transient failure (429, 5xx, timeout) per request.", show_default="4")]
StrictOpt = Annotated[bool, typer.Option("--strict", help="Fail an article (exit 4) when a check finds a changed or missing number, amount or date.")]
RepairOpt = Annotated[bool, typer.Option("--repair", help="When a check finds a changed number or date, send one re-ask naming it and keep the better answer.")]
NoChecksOpt = Annotated[bool, typer.Option("--no-checks", help="Skip the faithfulness checks (numbers, names, glossary, untranslated sentences).")]
NoThinkingOpt = Annotated[bool, typer.Option("--no-thinking", help="Ask a hybrid reasoning model (Qwen3, DeepSeek-R1 distills, ...) to answer without its thinking phase: faster, fewer tokens. Ollama, vLLM and llama.cpp servers (known from --profile or `summarizer doctor`).")]
RepairsOpt = Annotated[Optional[int], typer.Option("--max-repairs", min=0, help="Re-asks after an answer that is not valid JSON for the schema.", show_default="2")]
GgufOpt = Annotated[Optional[Path], typer.Option("--gguf", help="Run this GGUF model in an embedded llama.cpp server for the run (needs the 'local' extra); no separate server needed.")]
VerboseOpt = Annotated[bool, typer.Option("--verbose", "-v", help="Show tracebacks and per-file details.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Only errors on standard error.")]


def switch_flags(*, strict: bool, repair: bool, no_checks: bool, no_thinking: bool) -> dict[str, Any]:
    """The on/off options shared by summarize, translate and batch, as settings (None: not given)."""
    return {
        "strict": strict or None,
        "repair": repair or None,
        "run_checks": False if no_checks else None,
        "thinking": "off" if no_thinking else None,
    }


def _settings(**flags: Any):
    from summarizer.config import load_settings

    if flags.pop("no_cache", False):
        flags["use_cache"] = False
    mode = flags.pop("structured_mode", None)
    if mode is not None:
        flags["structured_mode"] = mode.value
    return load_settings(**flags)


def _fail(err: BaseException, verbose: bool, source: str | None = None) -> int:
    if verbose:
        traceback.print_exception(err)
    if isinstance(err, SummarizerError):
        named = f"{source}: " if source and source not in str(err) else ""  # the line names the file
        typer.echo(f"error: {named}{err}", err=True)
        return err.exit_code
    typer.echo(f"error: unexpected {type(err).__name__}: {err} (rerun with --verbose and report it)", err=True)
    return EXIT_FAILED


def _read_input(path: Path) -> tuple[str, bytes | None]:
    if str(path) == "-":
        return "-", sys.stdin.buffer.read()
    return str(path), None


def run_on_embedded_server(gguf: Path, flags: dict, quiet: bool, verbose: bool, run, *, slots: int = 1) -> int:
    """Start llama.cpp for `gguf` (one slot per concurrent article), call `run(settings)`, stop it."""
    from summarizer.api import embedded_server

    try:
        base = _settings(**flags)
        if not quiet:
            typer.echo(f"starting the embedded llama.cpp server for {gguf} ...", err=True)
        with embedded_server(gguf, base, ctx=(base.context_window or 4096) * slots, parallel=slots) as settings:
            return run(settings)
    except SummarizerError as err:
        return _fail(err, verbose)


def _run_articles(task: str, files: list[Path], fmt: OutputFormat, out: Optional[Path], show_cleaned: bool, verbose: bool, quiet: bool, flags: dict, gguf: Optional[Path] = None) -> int:
    if gguf is None:
        return _run_articles_with(task, files, fmt, out, show_cleaned, verbose, quiet, _settings, flags)
    return run_on_embedded_server(
        gguf, flags, quiet, verbose,
        lambda settings: _run_articles_with(task, files, fmt, out, show_cleaned, verbose, quiet, lambda **_: settings, {}),
    )


def _run_articles_with(task: str, files: list[Path], fmt: OutputFormat, out: Optional[Path], show_cleaned: bool, verbose: bool, quiet: bool, make_settings, flags: dict) -> int:
    from summarizer.api import Session
    from summarizer.outputs import safe_output_path, write_atomic
    from summarizer.render import EXTENSIONS, render

    try:
        session = Session(make_settings(**flags))
        session.check_ready()
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
    except (SummarizerError, OSError) as err:
        if isinstance(err, OSError):
            err = SummarizerError(f"cannot create output folder {out}: {err.strerror}", hint="choose another --out")
        return _fail(err, verbose)

    import asyncio

    codes: list[int] = []
    taken: set[str] = set()
    outputs: list[str] = []

    async def run_all() -> None:
        try:
            for number, path in enumerate(files, start=1):
                name, data = _read_input(path)
                try:
                    source = session.load(name, data=data)
                    if show_cleaned:
                        _print_cleaned(source)
                    result = await _arun_with_status(session, source, task, show=len(files) == 1 and not quiet)
                    text = render(result, fmt.value)
                    if out is not None:
                        target = safe_output_path(out, name, EXTENSIONS[fmt.value], taken)
                        write_atomic(target, text)
                        where = str(target)
                    else:
                        outputs.append(text)
                        where = "stdout"
                    codes.append(EXIT_OK)
                    if not quiet and (len(files) > 1 or out is not None):
                        meta = result.metadata
                        typer.echo(f"[{number}/{len(files)}] {name} -> {where} ({meta.requests} request(s), {meta.cache_hits} cached)", err=True)
                    for warning in result.metadata.warnings:
                        if verbose or (warning.startswith("asked for model") and not quiet):
                            typer.echo(f"warning: {name}: {warning}", err=True)
                except SummarizerError as err:
                    codes.append(_fail(err, verbose, name))
        finally:
            await session.aclose()

    try:
        asyncio.run(run_all())
    except KeyboardInterrupt:
        typer.echo("interrupted; finished files are written, re-run to continue (cached answers are reused)", err=True)
        return 130
    if outputs:
        if fmt is OutputFormat.json and len(outputs) > 1:
            sys.stdout.write("[\n" + ",\n".join(o.rstrip("\n") for o in outputs) + "\n]\n")
        else:
            sys.stdout.write("\n---\n\n".join(outputs))
    failures = [c for c in codes if c != EXIT_OK]
    if failures and len(files) > 1 and not quiet:
        typer.echo(f"{len(files) - len(failures)} of {len(files)} files done, {len(failures)} failed", err=True)
    return failures[0] if failures else EXIT_OK


async def _arun_with_status(session, source, task: str, *, show: bool):
    """`session.arun` with a status line on stderr for a single-file run (summarizer.status)."""
    if not show:
        return await session.arun(source, task)
    from summarizer.status import StatusLine

    status = StatusLine(source.path)
    session.pipeline.progress = status.update
    try:
        async with status:
            return await session.arun(source, task)
    finally:
        session.pipeline.progress = None


def _print_cleaned(source) -> None:
    typer.echo(f"--- {source.path}: {source.format}, {source.encoding}, language {source.language} ({source.language_confidence:.2f}); removed {len(source.removed)} block(s):", err=True)
    for block in source.removed:
        typer.echo("  - " + " ".join(block.split())[:160], err=True)


def _article_command(task: str):
    def command(
        files: Files,
        fmt: FormatOpt = OutputFormat.md,
        out: OutOpt = None,
        model: ModelOpt = None,
        base_url: BaseUrlOpt = None,
        profile: ProfileOpt = None,
        prompts: PromptsOpt = None,
        cache_dir: CacheDirOpt = None,
        no_cache: NoCacheOpt = False,
        glossary: GlossaryOpt = None,
        instructions: InstructionsOpt = None,
        target_lang: TargetOpt = None,
        context_window: ContextOpt = None,
        max_output_tokens: MaxOutOpt = None,
        structured_mode: ModeOpt = None,
        timeout: TimeoutOpt = None,
        max_retries: RetriesOpt = None,
        gguf: GgufOpt = None,
        strict: StrictOpt = False,
        repair: RepairOpt = False,
        no_checks: NoChecksOpt = False,
        max_repairs: RepairsOpt = None,
        no_thinking: NoThinkingOpt = False,
        show_cleaned: Annotated[bool, typer.Option("--show-cleaned", help="Print what the loader removed as web boilerplate (to standard error).")] = False,
        dry_run: Annotated[bool, typer.Option("--dry-run", help="Plan only: chunks, tokens, requests and cost, no request sent (same as `estimate`).")] = False,
        verbose: VerboseOpt = False,
        quiet: QuietOpt = False,
    ) -> None:
        flags = dict(
            model=model, base_url=base_url, profile=profile, prompts_dir=prompts, cache_dir=cache_dir, no_cache=no_cache,
            glossary_file=glossary, instructions=instructions, target_lang=target_lang, context_window=context_window,
            max_output_tokens=max_output_tokens, structured_mode=structured_mode, timeout=timeout, max_retries=max_retries,
            max_repairs=max_repairs, **switch_flags(strict=strict, repair=repair, no_checks=no_checks, no_thinking=no_thinking),
        )
        if dry_run:
            raise typer.Exit(_estimate(task, files, fmt is OutputFormat.json, show_cleaned, verbose, flags))
        raise typer.Exit(_run_articles(task, files, fmt, out, show_cleaned, verbose, quiet, flags, gguf))

    return command


app.command(
    "summarize",
    help="Translate each article, summarize it in 3-7 bullets and build its glossary.\n\n"
    "One result per file: on standard output, or one file each in --out. Exit code: 0 when every file "
    "succeeded, else the first failure's (2 bad input or settings, 3 endpoint error, 4 invalid answers).",
)(_article_command("summarize"))
app.command(
    "translate",
    help="Translate each article (with its glossary; no summary). Same options and exit codes as `summarize`.",
)(_article_command("translate"))


def _estimate(task: str, files: list[Path], as_json: bool, show_cleaned: bool, verbose: bool, flags: dict) -> int:
    from summarizer.api import Session

    try:
        session = Session(_settings(**flags))
    except SummarizerError as err:
        return _fail(err, verbose)
    rows, codes = [], []
    with session:
        for path in files:
            name, data = _read_input(path)
            try:
                source = session.load(name, data=data)
                if show_cleaned:
                    _print_cleaned(source)
                rows.append(session.estimate(source, task).as_dict())  # type: ignore[arg-type]
                codes.append(EXIT_OK)
            except SummarizerError as err:
                codes.append(_fail(err, verbose))
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
    elif rows:
        from rich.console import Console
        from rich.table import Table

        table = Table(title=f"Estimate for {session.settings.model} ({task}); no request sent")
        for column in ("file", "chunks", "tokens", "requests", "prompt tok", "output tok", "cost (USD)"):
            table.add_column(column, justify="left" if column == "file" else "right")
        for row in rows:
            cost = "n/a" if row["cost_usd"] is None else f"{row['cost_usd']:.4f}"
            table.add_row(row["source"], str(row["chunks"]), str(row["source_tokens"]), str(row["requests"]), str(row["prompt_tokens"]), str(row["completion_tokens"]), cost)
        console = Console()
        console.print(table)
        first = rows[0]
        console.print(f"context window {first['context_window']} ({first['context_source']}); chunk budget {first['chunk_budget']} tokens; counter: {first['token_counter']}")
    failures = [c for c in codes if c != EXIT_OK]
    return failures[0] if failures else EXIT_OK


@app.command("estimate", help="Chunks, tokens, requests and (for models with a known price) cost, without calling the endpoint.")
def estimate_command(
    files: Files,
    model: ModelOpt = None,
    profile: ProfileOpt = None,
    base_url: BaseUrlOpt = None,
    prompts: PromptsOpt = None,
    cache_dir: CacheDirOpt = None,
    glossary: GlossaryOpt = None,
    context_window: ContextOpt = None,
    max_output_tokens: MaxOutOpt = None,
    translate_only: Annotated[bool, typer.Option("--translate-only", help="Estimate `translate` instead of `summarize`.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    verbose: VerboseOpt = False,
) -> None:
    flags = dict(model=model, profile=profile, base_url=base_url, prompts_dir=prompts, cache_dir=cache_dir, glossary_file=glossary,
                 context_window=context_window, max_output_tokens=max_output_tokens)
    raise typer.Exit(_estimate("translate" if translate_only else "summarize", files, as_json, False, verbose, flags))


# -- doctor ---------------------------------------------------------------------------------------
@app.command("doctor", help="Check an endpoint before a long run: reachable, key accepted, model listed, which "
             "structured-output mode works, context length, exact tokenization, latency. What it learns is "
             "remembered per endpoint+model and used by later runs. Exit code 0 when ready, 1 when not.")
def doctor_command(
    model: ModelOpt = None,
    base_url: BaseUrlOpt = None,
    profile: ProfileOpt = None,
    cache_dir: CacheDirOpt = None,
    context_window: ContextOpt = None,
    timeout: TimeoutOpt = None,
    gguf: GgufOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    verbose: VerboseOpt = False,
) -> None:
    import asyncio
    from contextlib import nullcontext

    from summarizer.cache import EndpointMemory
    from summarizer.doctor import render_report, run_doctor

    try:
        settings = _settings(model=model, base_url=base_url, profile=profile, cache_dir=cache_dir, context_window=context_window, timeout=timeout)
        if gguf is not None:
            from summarizer.api import embedded_server

            context = embedded_server(gguf, settings, ctx=settings.context_window or 4096)
        else:
            context = nullcontext(settings)
        with context as settings:
            memory = EndpointMemory(settings.resolved_cache_dir() / "endpoints.json")
            report = asyncio.run(run_doctor(settings, memory=memory))
    except SummarizerError as err:
        raise typer.Exit(_fail(err, verbose))
    typer.echo(json.dumps(report.as_dict(), indent=2) if as_json else render_report(report))
    raise typer.Exit(EXIT_OK if report.ok else EXIT_FAILED)


# -- local model server ---------------------------------------------------------------------------
@app.command("serve", help="Serve a GGUF model with the embedded llama.cpp server (OpenAI-compatible) until Ctrl-C.\n\n"
             "Needs the 'local' extra: pip install 'summarizer[local]'. Then, in another shell: "
             "summarizer summarize FILE --base-url http://127.0.0.1:PORT/v1 --model MODEL")
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
        raise typer.Exit(_fail(err, verbose))
    typer.echo(f"serving {gguf.name} as model {server.model!r} at {server.base_url} (Ctrl-C stops)", err=True)
    typer.echo(f"try: summarizer summarize FILE --base-url {server.base_url} --model {server.model}", err=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        typer.echo("stopped", err=True)


@app.command("demo", help="Offline end-to-end demo: build a tiny random-weight model, serve it with the embedded "
             "llama.cpp server, and summarize a sample Indonesian article. The model is random, so its text is "
             "meaningless; the point is to see the whole pipeline work on this machine.")
def demo_command(
    article: Annotated[Optional[Path], typer.Argument(help="Article to use instead of the bundled sample.", show_default=False)] = None,
    fmt: FormatOpt = OutputFormat.md,
    out: OutOpt = None,
    verbose: VerboseOpt = False,
) -> None:
    from summarizer.config import load_settings
    from summarizer.local_server import require_xllamacpp

    try:
        require_xllamacpp()
        settings = load_settings(env_file=None, cache_dir=_settings().resolved_cache_dir())
        from summarizer.tiny_model import build_tiny_model

        model_path = settings.resolved_cache_dir() / "demo" / f"tiny-random-{DEMO_CONTEXT}.gguf"
        if not model_path.is_file():
            model_path.parent.mkdir(parents=True, exist_ok=True)
            build_tiny_model(model_path, n_ctx=DEMO_CONTEXT)
    except SummarizerError as err:
        raise typer.Exit(_fail(err, verbose))
    sample = article or Path(__file__).parent / "data" / "demo_article.txt"
    typer.echo(
        f"demo: a tiny RANDOM model ({model_path.stat().st_size // 1024} KiB) runs in an embedded llama.cpp server; "
        "its text is meaningless by design.",
        err=True,
    )
    code = _run_articles("summarize", [sample], fmt, out, False, verbose, True, {"cache_dir": settings.resolved_cache_dir(), "context_window": DEMO_CONTEXT}, model_path)
    typer.echo(
        "\nThat was the full pipeline (load, clean, chunk, prompt, structured output, validate, cache, render).\n"
        "For real translations point it at a real model:\n"
        "  summarizer summarize ARTICLE --gguf path/to/model.gguf\n"
        "  summarizer summarize ARTICLE --profile ollama --model llama3.1\n"
        "  OPENAI_API_KEY=... summarizer summarize ARTICLE --profile openai",
        err=True,
    )
    raise typer.Exit(code)


# -- prompts ------------------------------------------------------------------------------------
@prompts_app.command("list", help="Templates in use: name, version (content hash), output, where from.")
def prompts_list(prompts: PromptsOpt = None) -> None:
    from summarizer.prompts import PromptLibrary

    try:
        library = PromptLibrary(prompts)
        for name in library.names():
            template = library.get(name)
            typer.echo(f"{name:<16} {template.version}  {template.output_name:<24} {template.path}")
    except SummarizerError as err:
        raise typer.Exit(_fail(err, False))


@prompts_app.command("show", help="Print one template: its file, variables and output schema.")
def prompts_show(name: Annotated[str, typer.Argument(help="Template name, e.g. brief")], prompts: PromptsOpt = None) -> None:
    from summarizer.prompts import PromptLibrary
    from summarizer.schemas import WITH_KEY_POINTS, llm_schema

    try:
        template = PromptLibrary(prompts).get(name)
    except SummarizerError as err:
        raise typer.Exit(_fail(err, False))
    typer.echo(f"# {template.path} (version {template.version})")
    typer.echo(f"# variables: {', '.join(sorted(template.variables))}")
    typer.echo(template.path.read_text(encoding="utf-8"))
    typer.echo(f"# output schema ({template.output_name}):")
    typer.echo(json.dumps(llm_schema(template.output_model), indent=2))
    wider = WITH_KEY_POINTS.get(template.output_model)
    if wider is not None:
        typer.echo(f"# output schema when the article is summarized ({wider.__name__}; `key_points` is true):")
        typer.echo(json.dumps(llm_schema(wider), indent=2))


# -- cache --------------------------------------------------------------------------------------
def _cache(cache_dir: Optional[Path]):
    from summarizer.cache import ResponseCache

    return ResponseCache(_settings(cache_dir=cache_dir).resolved_cache_dir())


def _on_cache(cache_dir: Optional[Path], action):
    """Open the cache (a one-line error when it cannot be), run `action(cache)`, close it."""
    try:
        cache = _cache(cache_dir)
    except SummarizerError as err:
        raise typer.Exit(_fail(err, False))
    try:
        return action(cache)
    finally:
        cache.close()


@cache_app.command("stats", help="Where the cache is, how many answers it holds, its size.")
def cache_stats(cache_dir: CacheDirOpt = None) -> None:
    from summarizer.cache import folder_bytes
    from summarizer.language import copy_folder

    stats = _on_cache(cache_dir, lambda cache: cache.stats())
    typer.echo(f"{stats['directory']}: {stats['entries']} cached answer(s), {stats['bytes'] / 1024:.1f} KiB")
    copies = copy_folder()
    if copies is not None and copies.is_dir():
        typer.echo(f"{copies}: uncompressed language model copy, {folder_bytes(copies) / 2**20:.1f} MiB (delete it any time; the next run writes it again)")


@cache_app.command("clear", help="Delete every cached answer.")
def cache_clear(cache_dir: CacheDirOpt = None) -> None:
    removed, folder = _on_cache(cache_dir, lambda cache: (cache.clear(), cache.directory))
    typer.echo(f"removed {removed} cached answer(s) from {folder}")


# -- profiles -----------------------------------------------------------------------------------
@profiles_app.command("list", help="Every profile with its endpoint and model.")
def profiles_list() -> None:
    from summarizer.config import available_profiles, user_config_file

    try:
        profiles = available_profiles()
    except SummarizerError as err:
        raise typer.Exit(_fail(err, False))
    for name, values in sorted(profiles.items()):
        typer.echo(f"{name:<10} {values.get('base_url', '?'):<32} {values.get('model', '?')}")
    typer.echo(f"(add your own under [profiles.NAME] in {user_config_file()})")


@profiles_app.command("path", help="Where your own config file with [profiles.NAME] tables is read from.")
def profiles_path() -> None:
    from summarizer.config import user_config_file

    typer.echo(str(user_config_file()))


from summarizer.cli_batch import register; register(app)  # noqa: E402,E702
from summarizer.cli_check import register as _register_check; _register_check(app)  # noqa: E402,E702


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
