"""The articles of a Ray run as one Ray Dataset, read by Ray's own readers.

The driver has already decided, per article, whether it runs and under which output name (BatchRun's
admission needs only ids and names, never the text). What the actors need is the article itself, and
that is read on the cluster, not on the driver:

- article files: `ray.data.read_binary_files`. Bytes, not text: the actor decodes them with
  `summarizer.sources` (any encoding, HTML boilerplate removal), so the result is the local engine's.
- JSONL records with their text inline: `ray.data.read_json` with an explicit Arrow schema (`id`,
  `text`, both strings, other fields ignored), joined to the admitted records on (file, id).

Ray's readers fail the whole read on a file they cannot parse, where the local engine fails only
that article. So the driver sends through them only what they read exactly as we do, and the rest
goes as rows it builds itself (`from_items`): a JSONL file that Arrow might read differently from
Python's json (not strict UTF-8, a carriage return, a record without a string id, repeated ids, a
non-string text), a file that is missing, unreadable or over the size limit (the actor then fails
it with the local engine's own message), and admitted items that already carry their problem.

Every row has the same columns and types (`ARTICLE_COLUMNS`), so the parts union into one Dataset;
`kind` says which column holds the article: "data" (bytes, named by `path`), "text", "path" (the
actor reads the file) or "problem".
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from summarizer.batch.inputs import BatchItem

# Reading and joining are I/O and a dict look-up; the brief actors hold the CPUs (one each by
# default, all of a 2-core machine with 2 actors), and a read task that waited for a CPU would wait
# forever: the actors keep theirs until the Dataset is read.
READ_CPUS = 0

ARTICLE_COLUMNS = ("id", "source", "output", "kind", "path", "text", "data", "problem")


def article_row(item: BatchItem, kind: str) -> dict[str, Any]:
    """The row of an admitted item, without its article (the reader adds it)."""
    return {"id": item.id, "source": item.source, "output": item.output, "kind": kind,
            "path": str(item.path) if item.path is not None else "", "text": "", "data": b"", "problem": item.problem or ""}


def article_dataset(ray: Any, items: list[BatchItem]) -> Any:
    """One Dataset of ARTICLE_COLUMNS rows for the admitted `items` (see the module doc)."""
    files: dict[str, list[dict[str, Any]]] = {}  # absolute path -> the rows waiting for its bytes
    records: dict[str, dict[str, dict[str, Any]]] = {}  # absolute JSONL path -> id -> row waiting for its text
    rest: list[dict[str, Any]] = []
    clean: dict[str, bool] = {}
    for item in items:
        if item.problem:
            rest.append(article_row(item, "problem"))
        elif item.path is not None:
            if _readable(item.path):
                files.setdefault(os.path.abspath(item.path), []).append(article_row(item, "data"))
            else:
                rest.append(article_row(item, "path"))
        elif item.origin is not None and _clean_jsonl(item.origin, clean):
            records.setdefault(os.path.abspath(item.origin), {})[item.id] = article_row(item, "text")
        else:
            rest.append(dict(article_row(item, "text"), text=item.text or ""))
    parts = []
    if files:
        parts.append(ray.data.read_binary_files(sorted(files), include_paths=True, partitioning=None, num_cpus=READ_CPUS)
                     .flat_map(_with_bytes, fn_kwargs={"waiting": files}, num_cpus=READ_CPUS))
    if records:
        parts.append(ray.data.read_json(sorted(records), include_paths=True, partitioning=None, file_extensions=None, num_cpus=READ_CPUS,
                                        parse_options=_record_schema()).flat_map(_with_text, fn_kwargs={"waiting": records}, num_cpus=READ_CPUS))
    if rest:
        parts.append(ray.data.from_items(rest))
    return parts[0].union(*parts[1:]) if len(parts) > 1 else parts[0]


def _readable(path: Path) -> bool:
    """A file Ray can read whole and we would not refuse for its size (else the actor reads and refuses it)."""
    from summarizer.sources import MAX_INPUT_BYTES

    try:
        return path.is_file() and os.access(path, os.R_OK) and path.stat().st_size <= MAX_INPUT_BYTES
    except OSError:
        return False


def _clean_jsonl(path: Path, known: dict[str, bool]) -> bool:
    """Whether Arrow reads every record of `path` as Python's json does (see the module doc); once per file."""
    key = os.path.abspath(path)
    if key not in known:
        known[key] = _is_clean_jsonl(path)
    return known[key]


def _is_clean_jsonl(path: Path) -> bool:
    try:
        data = path.read_bytes()
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    if "\r" in text:  # Python's text mode splits lines on a lone \r too; Arrow does not
        return False
    seen: set[str] = set()
    for line in text.split("\n"):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            return False
        if not isinstance(record, dict) or not isinstance(record.get("id"), str) or not record["id"] or record["id"] in seen:
            return False
        if "text" in record and not _arrow_safe_text(record["text"]):
            return False
        seen.add(record["id"])
    return True


def _arrow_safe_text(text: Any) -> bool:
    """A string that survives UTF-8 (a lone surrogate escape does not), or null."""
    if text is None:
        return True
    if not isinstance(text, str):
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _record_schema() -> Any:
    import pyarrow
    import pyarrow.json

    schema = pyarrow.schema([("id", pyarrow.string()), ("text", pyarrow.string())])
    return pyarrow.json.ParseOptions(explicit_schema=schema, unexpected_field_behavior="ignore")


def _with_bytes(row: dict[str, Any], waiting: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """A file's bytes into every admitted row that names it (two JSONL records may name one file)."""
    return [dict(wanted, data=row["bytes"]) for wanted in waiting.get(os.path.abspath(row["path"]), [])]


def _with_text(row: dict[str, Any], waiting: dict[str, dict[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """A record's text into its admitted row; a record not admitted (done, a path record) yields none."""
    wanted = waiting.get(os.path.abspath(row["path"]), {}).get(row["id"])
    if wanted is None or not isinstance(row.get("text"), str):
        return []
    return [dict(wanted, text=row["text"])]
