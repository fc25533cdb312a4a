"""Many articles: concurrent workers, RPM/TPM pacing, a manifest that makes every run resumable,
and provider batches (the OpenAI Batch API / `vllm run-batch` files).

    report = await run_batch(session, [Path("news/")], BatchOptions(out_dir=Path("briefs")))

The package owns what happens between "these inputs" and "a folder of outputs"; one article's work
is `Session.arun`'s. Imports point down: `runner` and `provider` use `inputs`, `manifest` and
`run_settings`; `run_settings` uses `manifest`, which uses none of them.

    inputs      files, folders and JSONL records -> BatchItem, streamed (no article text read)
    manifest    manifest.jsonl: the states of earlier runs, resume, the append that survives a kill
    run_settings  run.json: the settings a run started with; resume_flags fills the flags left out
    runner      BatchRun / run_batch: producer, workers, pacing, the write order per article
    provider    export_requests / import_results: Batch API request lines out, answers in
    ray         --engine ray (the 'ray' extra, imported only when it runs): BriefActor, RayBatchRun, brief_dataset
    ray_inputs  the admitted articles as one Ray Dataset, read by read_binary_files / read_json
    ray_budget  the spending cap of a Ray run: one ledger actor for all actors
"""

from summarizer.batch.inputs import ARTICLE_SUFFIXES, DEFAULT_GLOB, BatchItem, iter_items
from summarizer.batch.manifest import MANIFEST_NAME, REPORT_NAME, RESERVED_NAMES, RESULTS_NAME, Manifest
from summarizer.batch.provider import ExportReport, ImportReport, export_requests, import_results
from summarizer.batch.run_settings import RUN_SETTINGS_NAME, Resumed, RunSettings, read_run_settings, resume_flags
from summarizer.batch.runner import BatchEvent, BatchOptions, BatchReport, BatchRun, run_batch
from summarizer.pacing import RateLimiter, RequestSlots

__all__ = [
    "ARTICLE_SUFFIXES",
    "DEFAULT_GLOB",
    "MANIFEST_NAME",
    "REPORT_NAME",
    "RESERVED_NAMES",
    "RESULTS_NAME",
    "RUN_SETTINGS_NAME",
    "BatchEvent",
    "BatchItem",
    "BatchOptions",
    "BatchReport",
    "BatchRun",
    "ExportReport",
    "ImportReport",
    "Manifest",
    "RateLimiter",
    "RequestSlots",
    "Resumed",
    "RunSettings",
    "export_requests",
    "import_results",
    "iter_items",
    "read_run_settings",
    "resume_flags",
    "run_batch",
]
