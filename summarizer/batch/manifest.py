"""`manifest.jsonl`: the record of what a batch has done, and what makes a re-run resume.

One line per finished or failed article, `{"id", "source", "state", "output", "task", "error"?}`,
appended, flushed and fsynced. The last line for an id is its state. On a re-run, ids already `done`
(with their output still there, same task and format) are skipped, `failed` ones too unless retried;
the names earlier runs gave stay reserved for their ids. The last line may be cut short by a kill;
it is ignored, and the next line appended starts on a line of its own.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import IO, Any, Iterator

from summarizer.errors import ConfigError

MANIFEST_NAME = "manifest.jsonl"
RESULTS_NAME = "results.jsonl"
REPORT_NAME = "report.json"
RESERVED_NAMES = {MANIFEST_NAME, RESULTS_NAME, REPORT_NAME, "run.json"}  # run.json: batch.run_settings


def read_json_lines(path: Path) -> Iterator[dict[str, Any]]:
    """The JSON objects of a JSONL file the batch wrote (manifest, results), skipping a line a kill
    cut short and anything that is not an object."""
    with path.open("r", encoding="utf-8", errors="replace") as handle:
        for line in handle:
            try:
                data = json.loads(line)
            except ValueError:
                continue  # a line cut short by a kill
            if isinstance(data, dict):
                yield data


def open_append(path: Path) -> IO[str]:
    """Open for appending; a last line cut short by a kill gets its newline so the next line is whole."""
    # O_NOFOLLOW: a symlink planted in --out must not redirect our writes outside it
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0), 0o644)
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc.strerror}", hint="it must be a regular file inside --out, not a link; remove it") from None
    handle = os.fdopen(fd, "a+", encoding="utf-8")
    if handle.tell() > 0:
        handle.seek(handle.tell() - 1)
        if handle.read(1) != "\n":
            handle.write("\n")
            handle.flush()
    return handle


def _plain_name(name: str) -> bool:
    """A manifest's output is a bare file name; anything else (edited by hand?) is not reused."""
    return bool(name) and Path(name).name == name and name not in (".", "..") and not name.startswith(".")


class Manifest:
    """Append-only `manifest.jsonl`; the last line for an id is its state.

    `earlier` holds what earlier runs recorded (read once, at the start); lines appended by this
    run are not kept in memory: ids are unique within a run, so nobody asks for them again, and a
    run of a million articles should not hold a million entries."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.earlier: dict[str, dict[str, Any]] = {}
        if path.exists():
            for entry in read_json_lines(path):
                if isinstance(entry.get("id"), str) and entry.get("state") in ("done", "failed"):
                    self.earlier[entry["id"]] = entry
        self._handle: IO[str] | None = None

    def reserved_names(self) -> set[str]:
        """The output names given in earlier runs: they stay their ids', done or failed."""
        return {str(entry.get("output")) for entry in self.earlier.values()}

    def done_output(self, item_id: str, *, extension: str, task: str) -> str | None:
        """The output name of an earlier run that finished `item_id` as asked now. Another --format
        or task into the same folder redoes it (from the response cache)."""
        entry = self.earlier.get(item_id)
        if not entry or entry["state"] != "done":
            return None
        if not str(entry.get("output", "")).endswith(extension) or entry.get("task", task) != task:
            return None
        return str(entry.get("output"))

    def failure(self, item_id: str) -> str | None:
        """The error an earlier run recorded when `item_id` failed there last."""
        entry = self.earlier.get(item_id)
        return str(entry.get("error", "failed")) if entry and entry["state"] == "failed" else None

    def reusable_name(self, item_id: str, extension: str) -> str | None:
        """The name an earlier run gave `item_id`, when it still fits (same format, a bare name)."""
        output = str((self.earlier.get(item_id) or {}).get("output", ""))
        return output if output.endswith(extension) and _plain_name(output) else None

    def append(self, entry: dict[str, Any]) -> None:
        if self._handle is None:
            self._handle = open_append(self.path)
        self._handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
