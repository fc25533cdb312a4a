"""Saved task presets: "finance desk: this model, this glossary, these instructions", one TOML file each.

    from summarizer import presets
    presets.save_preset("finance", {"model": "gpt-4o", "glossary_file": "terms.csv", "instructions": "formal"})
    presets.list_presets()                # {"finance": Path(".../presets/finance.toml")}
    Session(preset="finance")            # or `summarizer summarize a.txt --preset finance`

A preset holds `Settings` fields (what `summarizer presets save NAME --model ...` turns its flags into,
through the CLI's one flag table) and is a layer of `load_settings`: flags > environment > .env >
preset > profile > defaults. `config.py` reads and checks presets; this module writes and removes
them. Paths are stored absolute, so a preset works from any folder. A preset never holds a secret:
saving an API key (or a base URL with a password) is refused with the variable to use instead.
"""

from __future__ import annotations

import os
import tempfile
from datetime import datetime, timezone
from enum import Enum
from pathlib import Path
from typing import Any

from summarizer.config import check_preset_values, preset_file, presets_dir, read_preset
from summarizer.errors import ConfigError

__all__ = ["delete_preset", "list_presets", "preset_file", "read_preset", "save_preset"]


def _plain(value: Any) -> Any:
    """A value as TOML can hold it: paths absolute, enums by value, None dropped by the caller."""
    if isinstance(value, Path):
        return str(value.expanduser().resolve())
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items() if item is not None}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def save_preset(name: str, values: dict[str, Any]) -> Path:
    """Write preset `name` (replacing an older one) from `Settings` field values; None means "not set".
    Raises ConfigError for a bad name, an unknown field, a wrong value or a secret; returns the file."""
    import tomli_w

    path = preset_file(name)
    plain = {key: _plain(value) for key, value in values.items() if value is not None}
    check_preset_values(plain, f"preset {name!r}")
    if not plain:
        raise ConfigError(f"preset {name!r}: nothing to save", hint="give the options it should hold, e.g. --model NAME --glossary FILE")
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    text = f"# summarizer preset {name!r}, saved {stamp}. Use: --preset {name}\n" + tomli_w.dumps(plain)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def list_presets() -> dict[str, Path]:
    """Every saved preset's name and file, sorted by name."""
    folder = presets_dir()
    if not folder.is_dir():
        return {}
    return {path.stem: path for path in sorted(folder.glob("*.toml")) if not path.name.startswith(".")}


def delete_preset(name: str) -> Path:
    """Remove preset `name`; a ConfigError when there is none. Returns the file it removed."""
    path = preset_file(name)
    try:
        path.unlink()
    except FileNotFoundError:
        read_preset(name)  # raises the same "unknown preset" error (with the known names) as a run would
        raise
    return path
