"""The housekeeping groups: `summarizer prompts`, `summarizer cache` and `summarizer profiles`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Callable, Optional

import typer

from summarizer.cli.common import fail, load_cli_settings
from summarizer.cli.options import CacheDirOpt, PromptsOpt
from summarizer.errors import SummarizerError

if TYPE_CHECKING:
    from summarizer.cache import ResponseCache

prompts_app = typer.Typer(help="List and show the prompt templates.", no_args_is_help=True)
cache_app = typer.Typer(help="Inspect or clear the response cache.", no_args_is_help=True)
profiles_app = typer.Typer(help="Endpoint profiles (openai, ollama, vllm, llamacpp, lmstudio, litellm, yours).", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Mount the `prompts`, `cache` and `profiles` groups on `app`."""
    app.add_typer(prompts_app, name="prompts")
    app.add_typer(cache_app, name="cache")
    app.add_typer(profiles_app, name="profiles")


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
        raise typer.Exit(fail(err, False))


@prompts_app.command("show", help="Print one template: its file, variables and output schema.")
def prompts_show(name: Annotated[str, typer.Argument(help="Template name, e.g. brief")], prompts: PromptsOpt = None) -> None:
    import json

    from summarizer.prompts import PromptLibrary
    from summarizer.schemas import WITH_KEY_POINTS, llm_schema

    try:
        template = PromptLibrary(prompts).get(name)
    except SummarizerError as err:
        raise typer.Exit(fail(err, False))
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
def _on_cache(cache_dir: Optional[Path], action: Callable[[ResponseCache], Any]) -> Any:
    """Open the cache (a one-line error when it cannot be), run `action(cache)`, close it."""
    from summarizer.cache import ResponseCache

    try:
        cache = ResponseCache(load_cli_settings(cache_dir=cache_dir).resolved_cache_dir())
    except SummarizerError as err:
        raise typer.Exit(fail(err, False))
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
        typer.echo(f"{copies}: uncompressed language model copy and English word list, {folder_bytes(copies) / 2**20:.1f} MiB (delete it any time; the next run writes it again)")


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
        raise typer.Exit(fail(err, False))
    for name, values in sorted(profiles.items()):
        typer.echo(f"{name:<10} {values.get('base_url', '?'):<32} {values.get('model', '?')}")
    typer.echo(f"(add your own under [profiles.NAME] in {user_config_file()})")


@profiles_app.command("path", help="Where your own config file with [profiles.NAME] tables is read from.")
def profiles_path() -> None:
    from summarizer.config import user_config_file

    typer.echo(str(user_config_file()))
