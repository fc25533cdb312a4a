"""What a batch reads: files, folders (recursive, `glob`, sorted) and `.jsonl` files of records.

A JSONL record is `{"id": ..., "text": ...}` or `{"id": ..., "path": ...}` (a relative `path` is read
from the JSONL file's folder). Inputs are streamed: a folder is listed, a JSONL file is read line by
line, and an article's text is only loaded when a worker picks it up. A bad JSONL line becomes an
item with a `problem`: it fails that record, not the run.
"""

from __future__ import annotations

import itertools
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

DEFAULT_GLOB = "**/*"
ARTICLE_SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm"}


@dataclass
class BatchItem:
    id: str
    source: str  # shown to the user: a path, or "records.jsonl:3"
    path: Path | None = None
    text: str | None = None
    problem: str | None = None  # a bad JSONL line: fails this record, not the run
    name_hint: str = ""  # what the output file is named from
    output: str = ""  # file name inside out_dir, assigned before the item is queued
    origin: Path | None = None  # the JSONL file a record with its text inline came from


def iter_items(inputs: list[Path], glob: str = DEFAULT_GLOB, *, exclude: Path | None = None,
               listings: dict[Path, list[Path]] | None = None) -> Iterator[BatchItem]:
    """Every article the inputs name, in order, without reading any article text. `listings`: each
    folder's files, kept there the first time it is listed, so that a run which walks its inputs more
    than once (count, estimate, queue) lists every folder once: ~40 us per file, and the same files
    each time."""
    def files(folder: Path) -> list[Path]:
        if listings is None:
            return sorted(_folder_matches(folder, glob, exclude))
        if folder not in listings:
            listings[folder] = sorted(_folder_matches(folder, glob, exclude))
        return listings[folder]

    return _items(inputs, files)


def count_items(inputs: list[Path], glob: str = DEFAULT_GLOB, *, exclude: Path | None = None, at_most: int) -> int:
    """How many articles `iter_items` would yield, counting no further than `at_most`: a folder is walked
    only until then, unsorted: 64 of 10,000 files in ~5 ms, where the run's sorted listing takes 0.15-0.4 s."""
    found = _items(inputs, lambda folder: _folder_matches(folder, glob, exclude))
    return sum(1 for _ in itertools.islice(found, at_most))


def _items(inputs: list[Path], folder_files: Callable[[Path], Iterable[Path]]) -> Iterator[BatchItem]:
    """The items of `inputs`, a folder's files as `folder_files` gives them."""
    for given in inputs:
        if given.is_dir():
            for path in folder_files(given):
                yield BatchItem(id=os.path.abspath(path), source=str(path), path=path, name_hint=path.stem)
        elif given.suffix.lower() == ".jsonl":
            yield from _jsonl_items(given)
        else:
            yield BatchItem(id=os.path.abspath(given), source=str(given), path=given, name_hint=given.stem)


def _folder_matches(folder: Path, pattern: str, exclude: Path | None) -> Iterator[Path]:
    default = pattern == DEFAULT_GLOB
    for path in folder.glob(pattern):
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts):
            continue  # hidden files and folders (.git, our own temp files)
        if exclude is not None and path.resolve().is_relative_to(exclude):
            continue  # never summarize our own outputs when out_dir is inside the input folder
        if default and path.suffix.lower() not in ARTICLE_SUFFIXES:
            continue
        if path.is_file():
            yield path


def _jsonl_items(path: Path) -> Iterator[BatchItem]:
    with path.open("r", encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                yield _record_item(path, number, line)


def _record_item(path: Path, number: int, line: str) -> BatchItem:
    """The item one JSONL line names (or one that carries the line's problem)."""
    where = f"{path}:{number}"
    try:
        record = json.loads(line)
    except ValueError as exc:
        return BatchItem(id=where, source=where, problem=f"not valid JSON ({exc.msg})", name_hint=f"{path.stem}-{number}")
    if not isinstance(record, dict):
        return BatchItem(id=where, source=where, problem="a record must be a JSON object", name_hint=f"{path.stem}-{number}")
    raw_id = record.get("id")
    item_id = where if raw_id is None or raw_id == "" else str(raw_id)
    hint = item_id.replace("/", "_").replace("\\", "_") if raw_id not in (None, "") else f"{path.stem}-{number}"
    text, file = record.get("text"), record.get("path")
    if isinstance(text, str):
        return BatchItem(id=item_id, source=f"{where} (id {item_id})", text=text, name_hint=hint, origin=path)
    if isinstance(file, str) and file:
        target = Path(file).expanduser()
        if not target.is_absolute():
            target = path.parent / target
        return BatchItem(id=item_id, source=str(target), path=target, name_hint=hint)
    return BatchItem(id=item_id, source=where, problem='a record needs a "text" string or a "path"', name_hint=hint)
