"""`summarizer presets`: save, list, show and delete the option sets that `--preset NAME` applies.

`presets save` takes exactly the options of the one flag -> Settings table (`FLAG_TO_SETTING`), so a
run option that becomes a setting can be saved with no change here (but for the list in the help text,
which a test compares with the table); `summarizer.presets` stores them.
"""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from summarizer.cli.common import fail
from summarizer.cli.options import FLAG_TO_SETTING, command_options, settings_flags
from summarizer.errors import ConfigError, SummarizerError

presets_app = typer.Typer(
    help="Saved sets of run options for --preset NAME on summarize, translate, batch and estimate.\n\n"
    "A preset holds any option that says how to run: the endpoint and model (--model, --base-url, --profile, "
    "--gguf, --prompts, --cache-dir, --no-cache), the task (--glossary, --instructions, --target-lang, "
    "--context-window, --max-output-tokens, --structured-mode), --format, running (--timeout, --max-retries, "
    "--max-repairs, --strict, --repair, --no-checks, --no-thinking, --no-history), spending (--max-cost, "
    "--max-tokens, --start-anyway, --price-in, --price-out) and the batch's pacing and engine (--concurrency, "
    "--rpm, --tpm, --engine, --ray-address, --actors). Not: the inputs, --out, --html, --export-jsonl/--import-jsonl, "
    "--glob, --translate-only, --retry-failed (this run's own files and choices), --dry-run, --show-cleaned, "
    "--verbose, --quiet, and never an API key. Order: flags > environment > .env > preset > profile > defaults.",
    no_args_is_help=True,
)

# every option a preset can hold: the table's, but not --preset itself
PRESET_OPTIONS = tuple(name for name in FLAG_TO_SETTING if name != "preset")

PresetName = Annotated[str, typer.Argument(help="The preset's name: letters, digits, '.', '_' or '-'.", show_default=False)]


def register(app: typer.Typer) -> None:
    """Mount the `presets` group on `app`."""
    app.add_typer(presets_app, name="presets")


@presets_app.command(
    "save",
    help="Save the options given as preset NAME (replacing an older one), e.g. "
    "`summarizer presets save finance --model gpt-4o --glossary terms.csv --instructions 'formal'`. "
    "Then `--preset finance` on summarize, translate, batch or estimate applies them: flags and the "
    "environment still win, and the preset wins over the profile. Paths are stored absolute. Never an API key. "
    "It takes exactly the options below (`summarizer presets --help` says why the others are not here).",
)
@command_options("name", *PRESET_OPTIONS, "api_key")
def presets_save(
    *,
    name: PresetName,
    api_key: Annotated[Optional[str], typer.Option("--api-key", hidden=True, help="Refused: presets never hold a key.")] = None,
    **settings_options,
) -> None:
    from summarizer.config import KEY_HINT
    from summarizer.presets import save_preset

    try:
        if api_key is not None:
            raise ConfigError("presets save: a preset never holds an API key", hint=KEY_HINT)
        path = save_preset(name, settings_flags(settings_options))
    except SummarizerError as err:
        raise typer.Exit(fail(err, False))
    typer.echo(f"saved preset {name!r} to {path}", err=True)


@presets_app.command("list", help="Saved presets: name and the options each holds.")
def presets_list() -> None:
    from summarizer.presets import list_presets, read_preset

    found = list_presets()
    if not found:
        typer.echo("no presets saved (`summarizer presets save NAME --model ...` saves one)", err=True)
    for name in found:
        try:
            values = read_preset(name)
            typer.echo(f"{name:<20} " + ", ".join(f"{key}={value!r}" for key, value in values.items()))
        except SummarizerError as err:
            typer.echo(f"{name:<20} (unusable: {err})")


@presets_app.command("show", help="Print preset NAME: its file and the options it holds (as TOML).")
def presets_show(name: PresetName) -> None:
    from summarizer.presets import preset_file, read_preset

    try:
        path = preset_file(name)
        if path.is_file():
            typer.echo(f"# {path}")
            typer.echo(path.read_text(encoding="utf-8", errors="replace"), nl=False)
        read_preset(name)  # the same checks (and error) as a run with --preset NAME
    except SummarizerError as err:
        raise typer.Exit(fail(err, False))


@presets_app.command("delete", help="Remove preset NAME.")
def presets_delete(name: PresetName) -> None:
    from summarizer.presets import delete_preset

    try:
        path = delete_preset(name)
    except SummarizerError as err:
        raise typer.Exit(fail(err, False))
    typer.echo(f"deleted preset {name!r} ({path})", err=True)
