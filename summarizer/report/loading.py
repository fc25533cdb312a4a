"""Where a report's articles come from: results on disk, and each article's source text.

A report reads what a run left, never what it would need an endpoint for:
- a batch `--out` folder: `results.jsonl` (the last line per source wins: a killed run may have
  written an article twice) plus the `failed` lines of `manifest.jsonl`, so failures get a row too;
- a folder of `--format json` results (`*.json`; files that are not article results, such as the
  batch's `report.json`, are skipped).

Results do not carry the source text (it would double every results line), so it is loaded again
from where the result says it came from, with the same loader the run used: the same cleaned text,
hence the same paragraph numbers. A JSONL record (`news.jsonl:3 (id x)`) is read back from its line.
When the source is gone (moved, stdin), the page shows the translation alone and says why.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from summarizer.batch.manifest import MANIFEST_NAME, RESULTS_NAME, read_json_lines
from summarizer.batch.manifest import REPORT_NAME as BATCH_REPORT_NAME
from summarizer.errors import InputError

_JSONL_SOURCE = re.compile(r"^(?P<file>.+\.jsonl):(?P<line>\d+)(?: \(id .*\))?$", re.IGNORECASE)


@dataclass
class ReportInput:
    """What `build_report` renders: results (plain dicts in the ArticleResult JSON shape), the
    articles that failed (manifest lines), and the batch's own totals when there are any."""

    results: list[dict[str, Any]]
    failures: list[dict[str, Any]] = field(default_factory=list)
    batch: dict[str, Any] | None = None
    base: Path | None = None  # relative source paths are also tried from here


def as_result_dict(result: Any) -> dict[str, Any]:
    """An ArticleResult (or anything with model_dump) or a dict, as the JSON dict."""
    if isinstance(result, Mapping):
        return dict(result)
    return result.model_dump(mode="json")


def _is_result(data: Any) -> bool:
    return isinstance(data, dict) and isinstance(data.get("translation"), str) and isinstance(data.get("metadata"), dict)


def read_folder(folder: Path) -> ReportInput:
    """The results in a batch --out folder or a folder of JSON results; InputError when none."""
    if not folder.is_dir():
        raise InputError(folder, "no such folder", hint="give a batch --out folder or a folder of --format json results")
    results_file = folder / RESULTS_NAME
    if results_file.is_file():
        latest: dict[str, dict[str, Any]] = {}
        for data in read_json_lines(results_file):
            if _is_result(data):
                latest.pop(str(data.get("source")), None)  # re-inserted: a repeat moves to its last place
                latest[str(data.get("source"))] = data
        results = list(latest.values())
    else:
        results = []
        for path in sorted(folder.glob("*.json")):
            try:
                data = json.loads(path.read_text(encoding="utf-8", errors="replace"))
            except (OSError, ValueError):
                continue
            if _is_result(data):
                results.append(data)
    failures = _failures(folder / MANIFEST_NAME, {str(r.get("source")) for r in results})
    if not results and not failures:
        raise InputError(folder, "holds no article results (no results.jsonl, no *.json results)",
                         hint="give a batch --out folder or a folder of --format json results")
    return ReportInput(results=results, failures=failures, batch=_batch_report(folder / BATCH_REPORT_NAME), base=folder)


def _failures(manifest: Path, done_sources: set[str]) -> list[dict[str, Any]]:
    """The manifest's last state per id, when that is `failed` (an article done later is not one)."""
    if not manifest.is_file():
        return []
    last: dict[str, dict[str, Any]] = {}
    for entry in read_json_lines(manifest):
        if isinstance(entry.get("id"), str):
            last[entry["id"]] = entry
    return [e for e in last.values() if e.get("state") == "failed" and str(e.get("source")) not in done_sources]


def _batch_report(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


class SourceTexts:
    """Finds each result's source text again: given texts first, then the file (or JSONL line)."""

    def __init__(self, given: Mapping[str, str] | None = None, base: Path | None = None) -> None:
        self.given = dict(given or {})
        self.base = base
        self._jsonl_lines: dict[Path, dict[int, str]] = {}

    def text_for(self, source: str) -> tuple[str | None, str]:
        """(cleaned text or None, why it is missing)."""
        if source in self.given:
            return self.given[source], ""
        if source in ("", "-"):
            return None, "read from standard input; the source text was not kept"
        record = _JSONL_SOURCE.match(source)
        try:
            if record:
                data = self._record_text(self._find(record["file"]), int(record["line"]))
                return (self._clean(source, data), "") if data is not None else (None, f"record {source} is no longer there")
            path = self._find(source)
            if path is None:
                return None, f"source file {source} is no longer there"
            return self._clean(source, path.read_bytes()), ""
        except (OSError, ValueError) as exc:
            return None, f"source {source} cannot be read ({exc})"
        except InputError as exc:
            return None, exc.message

    def _find(self, name: str | None) -> Path | None:
        if not name:
            return None
        candidates = [Path(name)]
        if self.base is not None and not Path(name).is_absolute():
            candidates += [self.base / name, self.base.parent / name]
        return next((c for c in candidates if c.is_file()), None)

    def _record_text(self, path: Path | None, number: int) -> bytes | None:
        if path is None:
            return None
        if path not in self._jsonl_lines:  # one read per JSONL file, however many records it holds
            lines: dict[int, str] = {}
            with path.open("r", encoding="utf-8", errors="replace") as handle:
                for line_number, line in enumerate(handle, start=1):
                    try:
                        record = json.loads(line)
                    except ValueError:
                        continue
                    if isinstance(record, dict) and isinstance(record.get("text"), str):
                        lines[line_number] = record["text"]
            self._jsonl_lines[path] = lines
        text = self._jsonl_lines[path].get(number)
        return text.encode("utf-8") if text is not None else None

    @staticmethod
    def _clean(name: str, data: bytes) -> str:
        from summarizer.sources import load_source

        return load_source(name, data=data, identify_language=False).text
