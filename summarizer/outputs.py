"""Where output files go and how they are written: safe names inside the chosen folder, atomic writes.

Never write outside the output folder: names come from input file names or JSONL ids, which may be
hostile (`../../etc/x`, absolute paths), so they are reduced to a safe stem and checked after
resolving. Every write goes through a temp file + rename so a killed run never leaves half a file.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from summarizer.errors import ConfigError, InputError

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def prepare_folder(folder: Path, label: str, hint: str) -> Path:
    """`folder` made (parents too) and resolved, for `label` (the option that named it, e.g. "--out");
    a file in its place or a folder that cannot be made is a ConfigError with `hint`."""
    if folder.exists() and not folder.is_dir():
        raise ConfigError(f"{label} {folder} is a file, not a folder", hint=hint)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot create {label} {folder}: {exc.strerror}", hint=hint) from exc
    return folder.resolve()


def safe_output_path(out_dir: Path, source: str, extension: str, taken: set[str], *, resolved_dir: Path | None = None) -> Path:
    """A file name inside out_dir derived from the input's name, never escaping it.
    `resolved_dir`: out_dir.resolve(), when the caller has it (a batch asks once per article)."""
    stem = "stdin" if source == "-" else Path(source).stem
    stem = _UNSAFE.sub("_", stem).strip("._") or "article"
    name = f"{stem}{extension}"
    counter = 2
    while name in taken:
        name = f"{stem}-{counter}{extension}"
        counter += 1
    taken.add(name)
    base = resolved_dir or out_dir.resolve()
    target = base / name  # `name` is one plain component: only a link planted there could lead elsewhere
    if os.path.islink(target):
        target = target.resolve()
        if target.parent != base:
            raise InputError(source, "output name escapes the output folder", hint="rename the input file")
    return target


def write_atomic(path: Path, text: str, *, fsync: bool = True) -> None:
    """Write via a temp file in the same folder + rename: a killed run never leaves half a file.
    `fsync=False` for files that are cheap to write again (the HTML report: ~7 ms per fsync here,
    more than rendering a page); the rename still means a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            if fsync:
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
