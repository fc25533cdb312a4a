"""`summarizer check SOURCE TRANSLATION`: does a translation keep the source's facts?

The logic lives in `summarizer.checks.check_translation`; this module only reads files, renders and maps
to exit codes: 0 no error-severity finding, 1 at least one, 2 bad input.
"""

from __future__ import annotations

import re
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from summarizer.cli.common import fail
from summarizer.errors import ExitCode


class CheckFormat(str, Enum):
    md = "md"
    json = "json"


def _render_md(findings, source: str, translation: str) -> str:
    if not findings:
        return f"# Checks: {translation} against {source}\n\nNo findings: every number, date and name of the source was found.\n"
    counts = {s: sum(1 for f in findings if f.severity == s) for s in ("error", "warning", "info")}
    head = ", ".join(f"{n} {s}{'s' if n != 1 else ''}" for s, n in counts.items() if n)
    lines = [f"# Checks: {translation} against {source}", "", f"{head}", ""]
    for f in findings:
        lines.append(f"- **{f.severity}** `{f.kind}`: {f.message}")
    return "\n".join(lines) + "\n"


def register(app: typer.Typer) -> None:
    """Add the `check` command to `app`."""
    app.command("check", help="Check a translation against its source: numbers, money, dates (error when one is missing or "
                "changed), names, glossary terms and sentences left untranslated (warnings).\n\n"
                "Exit code: 0 when no error-severity finding, 1 when there is one, 2 on bad input.")(check_command)


def check_command(
    source: Annotated[Path, typer.Argument(help="The source article (.txt, .md, .html; any encoding).", show_default=False)],
    translation: Annotated[Path, typer.Argument(help="Its translation, e.g. the English text to verify.", show_default=False)],
    fmt: Annotated[CheckFormat, typer.Option("--format", "-f", help="Output format: a Markdown list or a JSON list of findings.")] = CheckFormat.md,
    source_lang: Annotated[Optional[str], typer.Option("--source-lang", help="Language of the source (ISO 639-1); default: detected, else 'id'.")] = None,
    summary: Annotated[Optional[Path], typer.Option("--summary", help="A file of summary bullets (one per line) to check for invented figures.")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show tracebacks.")] = False,
) -> None:
    import json

    from summarizer.checks import check_translation
    from summarizer.errors import ConfigError
    from summarizer.sources import load_source

    try:
        if source_lang is not None and not re.fullmatch(r"[A-Za-z]{2}", source_lang):
            raise ConfigError(f"--source-lang {source_lang!r} is not a language code", hint="give a two-letter ISO 639-1 code such as id")
        src = load_source(source)
        out = load_source(translation)
        bullets: list[str] = []
        if summary is not None:
            bullets = [line.strip().lstrip("-*•■● ").strip() for line in load_source(summary).text.splitlines()]
            bullets = [b for b in bullets if b]
        lang = (source_lang or src.language or "id").lower()
        if source_lang is None and lang not in ("id", "ms", "en"):
            lang = "id"
        findings = check_translation(src.text, out.text, summary=bullets, source_lang=lang)
    except Exception as err:  # noqa: BLE001 - every failure is one line and a code
        raise typer.Exit(fail(err, verbose)) from None
    if fmt is CheckFormat.json:
        typer.echo(json.dumps([f.model_dump() for f in findings], indent=2, ensure_ascii=False))
    else:
        typer.echo(_render_md(findings, str(source), str(translation)), nl=False)
    raise typer.Exit(ExitCode.FAILED if any(f.severity == "error" for f in findings) else ExitCode.OK)

