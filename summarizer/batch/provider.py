"""Offline / provider batches: export the requests a run needs as OpenAI Batch API lines, import the
answers, and let the normal batch render them.

    summarizer batch news/ --export-jsonl requests.jsonl        # nothing is sent
    (run requests.jsonl with OpenAI's Batch API, or `vllm run-batch -i requests.jsonl -o results.jsonl`)
    summarizer batch news/ --import-jsonl results.jsonl --out briefs/

Each line is `{"custom_id", "method": "POST", "url": "/v1/chat/completions", "body"}`; the custom_id
is the output model's name and the cache key, so an imported answer is validated and cached exactly
where the pipeline will look for it. A short article needs one round; a long one needs a round per
step (its chunks are translated in order, with the glossary carried forward, then summarized): the
import reports how many articles still wait, and exporting again writes their next requests.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from summarizer.batch.inputs import DEFAULT_GLOB, iter_items
from summarizer.errors import InputError, RequestDeferred, SummarizerError
from summarizer.outputs import write_atomic

if TYPE_CHECKING:
    from summarizer.api import Session


@dataclass
class ExportReport:
    path: str
    articles: int = 0
    requests: int = 0
    complete: int = 0  # every answer already cached: nothing to export
    failures: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ImportReport:
    path: str
    lines: int = 0
    imported: int = 0
    failures: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


async def export_requests(session: Session, inputs: list[Path], out_file: Path, *, task: str = "summarize", glob: str = DEFAULT_GLOB) -> ExportReport:
    """Walk every article as far as cached answers allow; write the next request each one needs."""
    report = ExportReport(path=str(out_file))
    with session.client.exporting() as lines:
        for item in iter_items(inputs, glob):
            report.articles += 1
            try:
                if item.problem:
                    raise InputError(item.source, item.problem)
                data = item.text.encode("utf-8") if item.text is not None else None
                source = session.load(item.id if data is not None else item.path, data=data)
                await session.arun(source, task)
                report.complete += 1
            except RequestDeferred:
                pass
            except SummarizerError as err:
                report.failures.append({"id": item.id, "error": str(err)})
    report.requests = len(lines)
    write_atomic(out_file, "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines))
    return report


def import_results(session: Session, results_file: Path) -> ImportReport:
    """Validate and cache each answer of a provider batch's output file."""
    report = ImportReport(path=str(results_file))
    try:
        handle = results_file.open("r", encoding="utf-8")
    except OSError as exc:
        raise InputError(results_file, f"cannot read the results file ({exc.strerror})", hint="pass the output JSONL of the provider batch") from None
    with handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            report.lines += 1
            custom_id = f"line {number}"
            try:
                record = json.loads(line)
                custom_id = str(record.get("custom_id") or custom_id)
                if record.get("error"):
                    raise SummarizerError(f"the provider reported an error: {json.dumps(record['error'])[:200]}")
                response = record.get("response") or {}
                status = response.get("status_code", 200)
                if status != 200:
                    raise SummarizerError(f"the provider answered HTTP {status}")
                session.client.store_batch_result(custom_id, response.get("body") or {})
                report.imported += 1
            except (ValueError, AttributeError) as exc:
                report.failures.append({"custom_id": custom_id, "error": f"not a batch result line ({exc})"})
            except SummarizerError as err:
                report.failures.append({"custom_id": custom_id, "error": str(err)})
    return report
