"""Reading what is scored (a batch --out folder, a folder of .txt files, a one-segment-per-line file)
and pairing documents by batch id, then by name; segments pair by line number."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

from summarizer.errors import ConfigError, InputError
from summarizer.evaluate.models import MANIFEST_NAME, RESULTS_NAME, Collection, Document, RunStats, Segmenting
from summarizer.schemas import ArticleResult


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot read it ({exc.strerror})") from None
    if b"\x00" in data:
        raise InputError(path, "is not a text file (it holds NUL bytes)", hint="give UTF-8 text, one segment per line")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(path, f"is not UTF-8 text (byte {exc.start})", hint="save it as UTF-8") from None
    if not text.strip():
        raise InputError(path, "is empty", hint="give a file that holds the text to score")
    return text


def _file_lines(text: str) -> list[str]:
    """Line N is segment N: only newlines split (not the other characters str.splitlines splits on)."""
    if text.endswith("\n"):
        text = text[:-1]
    return [line.rstrip("\r") for line in text.split("\n")]


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in _file_lines(text) if line.strip()]


def _read_lines_file(path: Path, lines_per_article: int | None) -> Collection:
    lines = _file_lines(_read_text(path))
    if not lines_per_article:
        return Collection(path=str(path), kind="lines", documents=[Document(name=path.stem, location=str(path), segments=lines)])
    documents = []
    for start in range(0, len(lines), lines_per_article):
        chunk = lines[start : start + lines_per_article]
        first, last = start + 1, start + len(chunk)
        documents.append(Document(name=f"lines-{first:05d}-{last:05d}", location=f"{path}:{first}-{last}", segments=chunk))
    return Collection(path=str(path), kind="lines", documents=documents)


def _read_text_folder(folder: Path) -> Collection:
    documents = []
    for path in sorted(folder.rglob("*.txt")):
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts) or not path.is_file():
            continue
        documents.append(Document(name=relative.with_suffix("").as_posix(), location=str(path), segments=_paragraphs(_read_text(path))))
    if not documents:
        raise InputError(folder, "has nothing to evaluate: no results.jsonl and no .txt files",
                         hint="give a batch --out folder, a folder of .txt files or a text file with one segment per line")
    return Collection(path=str(folder), kind="folder", documents=documents)


def _jsonl_records(path: Path) -> Iterable[tuple[int, dict[str, Any]]]:
    if not path.is_file():
        return
    with path.open("r", encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                record = json.loads(line)
            except ValueError:
                continue  # a line cut short by a kill (the batch's own rule)
            if isinstance(record, dict):
                yield number, record


def _stats(result: ArticleResult) -> RunStats:
    from urllib.parse import urlsplit

    from summarizer.config import LOCAL_HOSTS
    from summarizer.pricing import cost_usd

    meta, usage = result.metadata, result.metadata.usage
    local = (urlsplit(f"//{meta.endpoint_host}").hostname or "") in LOCAL_HOSTS
    return RunStats(
        model=meta.model,
        requests=meta.requests,
        cache_hits=meta.cache_hits,
        prompt_tokens=usage.prompt_tokens,
        completion_tokens=usage.completion_tokens,
        latency_seconds=meta.timings.get("total"),
        cost_usd=None if local else cost_usd(meta.model, usage.prompt_tokens, usage.completion_tokens),
    )


_UNNAMED_RECORD = re.compile(r".+\.jsonl:\d+", re.IGNORECASE)  # the batch's id for a JSONL record without one


def _batch_name(entry: dict[str, Any], result: ArticleResult) -> str:
    """What a reference folder would call the article: the input file's name without suffix, a JSONL
    record's id, or (a record without an id) the name of the output the batch wrote for it."""
    item_id = str(entry.get("id") or "")
    if _UNNAMED_RECORD.fullmatch(item_id):  # "path/records.jsonl:4"
        return Path(str(entry.get("output") or item_id)).stem
    if not item_id or Path(item_id).is_absolute():  # a file input (the batch's id is its absolute path)
        return Path(result.source).stem
    return item_id


def _read_batch(folder: Path) -> Collection:
    results_file = folder / RESULTS_NAME
    results: dict[str, tuple[int, ArticleResult]] = {}
    for number, record in _jsonl_records(results_file):
        try:
            result = ArticleResult.model_validate(record)
        except ValueError:
            raise InputError(f"{results_file}:{number}", "is not an article result",
                             hint="give the folder a `summarizer batch --out` wrote, unedited") from None
        results[result.source] = (number, result)  # the last line for a source wins (a kill may repeat one)
    # The manifest knows each article's id; without it (deleted?), every result line stands alone.
    entries = {e["id"]: e for _, e in _jsonl_records(folder / MANIFEST_NAME) if isinstance(e.get("id"), str)}
    done = [e for e in entries.values() if e.get("state") == "done"] or [{"source": s} for s in results]
    documents, seen = [], set()
    for entry in done:
        found = results.get(str(entry.get("source"))) or results.get(str(entry.get("id")))
        if found is None or found[1].source in seen:
            continue
        number, result = found
        seen.add(result.source)
        documents.append(Document(
            name=_batch_name(entry, result), id=entry.get("id"), location=f"{results_file}:{number}", source=result.source,
            segments=_paragraphs(result.translation), findings=result.checks, stats=_stats(result),
        ))
    if not documents:
        raise InputError(folder, "has no finished article in results.jsonl", hint="run `summarizer batch` into it first")
    return Collection(path=str(folder), kind="batch", documents=documents)


def load_texts(path: str | Path, *, lines_per_article: int | None = None) -> Collection:
    """Read a batch --out folder, a folder of .txt files, or a one-segment-per-line file (module doc)."""
    path = Path(path)
    if lines_per_article is not None and lines_per_article < 1:
        raise ConfigError(f"lines per article must be at least 1, got {lines_per_article}")
    if not path.exists():
        raise InputError(path, "no such file or folder")
    if path.is_dir():
        return _read_batch(path) if (path / RESULTS_NAME).is_file() else _read_text_folder(path)
    return _read_lines_file(path, lines_per_article)


def as_collection(value: str | Path | Collection, lines_per_article: int | None) -> Collection:
    return value if isinstance(value, Collection) else load_texts(value, lines_per_article=lines_per_article)


# -- pairing ----------------------------------------------------------------------------------------
@dataclass
class Pairing:
    """The very Document objects of both sides (identity matters: callers map by `id()`)."""

    pairs: list[tuple[Document, Document]]
    only_left: list[str]
    only_right: list[str]


def pair_documents(left: Collection, right: Collection) -> Pairing:
    """By batch id, then by name; two single files pair with each other (module doc)."""
    if left.kind == right.kind == "lines" and len(left.documents) == len(right.documents) == 1:
        return Pairing(pairs=[(left.documents[0], right.documents[0])], only_left=[], only_right=[])
    by_id = {d.id: d for d in right.documents if d.id is not None}
    by_name: dict[str, Document] = {}
    for document in right.documents:
        by_name.setdefault(document.name, document)
    used: set[int] = set()
    pairs: list[tuple[Document, Document]] = []
    unmatched: list[Document] = []
    for document in left.documents:
        match = by_id.get(document.id) if document.id is not None else None
        if match is not None and id(match) not in used:
            used.add(id(match))
            pairs.append((document, match))
        else:
            unmatched.append(document)
    only_left = []
    for document in unmatched:
        match = by_name.get(document.name)
        if match is not None and id(match) not in used:
            used.add(id(match))
            pairs.append((document, match))
        else:
            only_left.append(document.name)
    only_right = [d.name for d in right.documents if id(d) not in used]
    return Pairing(pairs=pairs, only_left=only_left, only_right=only_right)


def _names(names: Sequence[str], limit: int = 3) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def require_pairs(pairing: Pairing, left: Collection, right: Collection) -> None:
    if not pairing.pairs:
        raise InputError(left.path, f"nothing to pair with {right.path}: no article name or batch id in common "
                         f"({_names([d.name for d in left.documents])} vs {_names([d.name for d in right.documents])})",
                         hint="name the files alike (a.txt pairs with a.txt or a batch's a.txt), or give two one-segment-per-line files")


def aligned_segments(hyp: Document, ref: Document, segmenting: Segmenting) -> tuple[list[str], list[str]]:
    if segmenting == "article":
        return [" ".join(hyp.segments)], [" ".join(ref.segments)]
    if len(hyp.segments) != len(ref.segments):
        raise InputError(hyp.location, f"has {len(hyp.segments)} lines but {ref.location} has {len(ref.segments)}: "
                         "line N of each must be the same segment",
                         hint="fix the files, or score each article as one segment (--segments article)")
    return hyp.segments, ref.segments
