"""The public Python API. The CLI is a thin shell over this.

    from summarizer import Session, summarize
    result = summarize("article.txt", base_url="http://localhost:8080/v1", model="local")

    with Session(profile="ollama", model="qwen2.5") as session:
        for path in paths:
            result = session.run(path)
"""

from __future__ import annotations

import asyncio
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator

from summarizer.cache import EndpointMemory, ResponseCache
from summarizer.config import Settings, load_settings
from summarizer.errors import RequestDeferred, SummarizerError
from summarizer.history import RunHistory, default_history_file, record_for
from summarizer.llm import LLMClient
from summarizer.llm.discovery import discover
from summarizer.pipeline import ArticlePipeline, Plan, Task
from summarizer.pricing import run_cost_usd
from summarizer.prompts import PromptLibrary
from summarizer.schemas import ArticleResult
from summarizer.sources import CleanedSource, load_source
from summarizer.user_glossary import load_user_glossary

if TYPE_CHECKING:
    from summarizer.budget import Budget


def _to_stderr(note: str) -> None:
    import sys

    print(f"note: {note}", file=sys.stderr, flush=True)


@dataclass
class Estimate:
    source: str
    chunks: int
    source_tokens: int
    requests: int
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float | None
    context_window: int
    context_source: str
    chunk_budget: int
    token_counter: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class Session:
    """Everything one run shares: settings, templates, cache, endpoint client, run history.

    `command` is what the run history records as the command (the CLI passes its own name)."""

    def __init__(self, settings: Settings | None = None, *, command: str = "python", notify: Callable[[str], None] | None = None, **overrides: Any) -> None:
        """`notify`: where first-contact notes go ("using model X, the one the server serves");
        default: standard error."""
        if settings is None:
            settings = load_settings(**overrides)
        elif overrides:
            settings = settings.model_copy(update=overrides)
        self.notify = notify or _to_stderr
        self.prompts = PromptLibrary(settings.prompts_dir)
        self.user_glossary = load_user_glossary(settings.glossary_file) if settings.glossary_file else []
        cache_dir = settings.resolved_cache_dir()
        self.cache = ResponseCache(cache_dir) if settings.use_cache else None
        # Endpoint memory is not the response cache: --no-cache still reads and keeps what probes learned.
        self.memory = EndpointMemory(cache_dir / "endpoints.json")
        # First contact: probe once per endpoint+model, settle the model, before anything is planned.
        self.settings = settings = discover(settings, self.memory, say=self.notify)
        self.client = LLMClient(settings, cache=self.cache, memory=self.memory)
        self.pipeline = ArticlePipeline(settings, self.client, self.prompts, user_glossary=self.user_glossary, token_counter=self._token_counter())
        self.command = command
        self.history = None if settings.no_history else RunHistory(default_history_file(settings))

    def _token_counter(self):
        """The server's own tokenizer when we know its /tokenize (flag, or learned by `doctor`),
        else the offline counter for the model name."""
        from summarizer.llm.dialects import tokenize_body
        from summarizer.tokens import get_token_counter, server_token_counter

        url = self.settings.tokenize_url or self.memory.get(self.settings.effective_base_url, self.settings.model).get("tokenize_url")
        if url:
            model = self.settings.model
            counter = server_token_counter(url, timeout=min(self.settings.timeout, 10.0), body=lambda text: tokenize_body(text, model))
            try:
                counter.count("probe")
                return counter
            except (OSError, ValueError, KeyError):
                pass  # the server went away or does not tokenize: count offline instead
        return get_token_counter(self.settings.model)

    # -- inputs ------------------------------------------------------------------------------
    @staticmethod
    def load(source: str | Path | CleanedSource, *, data: bytes | None = None) -> CleanedSource:
        if isinstance(source, CleanedSource):
            return source
        return load_source(source, data=data)

    def warm_up(self) -> None:
        """The one-time work of a run, done now (thread-safe to call from a worker thread): SDK
        client, compiled templates, prompt sizes, the checks' module. `run_batch` calls it."""
        self.client.warm_up()
        self.pipeline.warm_up()

    def check_ready(self) -> None:
        """Fail fast (before any file is read) when the endpoint needs a key we do not have."""
        self.settings.key_for_request()

    # -- work --------------------------------------------------------------------------------
    async def arun(self, source: str | Path | CleanedSource, task: Task = "summarize", *, data: bytes | None = None,
                   plan: Plan | None = None, output: str | Path | None = None) -> ArticleResult:
        """One article through the pipeline, recorded in the run history (finished or failed; a request
        deferred to a provider batch is not a run yet). `output`: where the caller writes the result."""
        loaded = self.load(source, data=data)
        try:
            result = await self.pipeline.run(loaded, task, plan=plan)
        except RequestDeferred:
            raise
        except SummarizerError as err:
            self._record(loaded, task, output, error=err)
            raise
        self._record(loaded, task, output, result=result)
        return result

    def _record(self, source: CleanedSource, task: Task, output: str | Path | None, **outcome: Any) -> None:
        if self.history is not None:  # written by the history's own thread: a busy file never holds up a run
            self.history.record_later(record_for(self.command, source.path, source.text, task, self.settings, output=output, **outcome))

    def run(self, source: str | Path | CleanedSource, task: Task = "summarize", *, data: bytes | None = None) -> ArticleResult:
        return asyncio.run(self._run_and_close_transport(source, task, data))

    async def _run_and_close_transport(self, source, task, data) -> ArticleResult:
        # asyncio.run makes a new loop each call; the HTTP client belongs to the loop, so close it here.
        try:
            return await self.arun(source, task, data=data)
        finally:
            await self.client.aclose()

    def plan(self, source: str | Path | CleanedSource) -> Plan:
        return self.pipeline.plan(self.load(source))

    def estimate(self, source: str | Path | CleanedSource, task: Task = "summarize") -> Estimate:
        loaded = self.load(source)
        plan = self.pipeline.plan(loaded)
        usage = plan.estimated_tokens(task)
        return Estimate(
            source=loaded.path,
            chunks=len(plan.chunks),
            source_tokens=plan.source_tokens,
            requests=plan.estimated_requests(task),
            prompt_tokens=usage.prompt_tokens,
            completion_tokens=usage.completion_tokens,
            cost_usd=run_cost_usd(self.settings, usage.prompt_tokens, usage.completion_tokens),
            context_window=plan.context_window,
            context_source=plan.context_source,
            chunk_budget=plan.chunk_budget,
            token_counter=plan.token_counter,
        )

    def budget(self, *, max_cost_usd: float | None = None, max_tokens: int | None = None, start_anyway: bool = False) -> Budget:
        """A spending cap priced for this session's model and counted with its tokenizer; use it with
        `with session.client.budgeted(budget):` and `budget.check_estimate(...)` (summarizer.budget).
        ConfigError for a cost cap on a model with no known price and no price_in/price_out."""
        from summarizer.budget import Budget

        return Budget.for_settings(self.settings, max_cost_usd=max_cost_usd, max_tokens=max_tokens, counter=self.pipeline.counter, start_anyway=start_anyway)

    async def aclose(self) -> None:
        await self.client.aclose()
        # the response cache and the run history each end with a SQLite checkpoint and sync (~6-7 ms
        # apiece after a 96-article batch): side by side in threads, at the end of every run
        stores = [store for store in (self.cache, self.history) if store is not None]
        await asyncio.gather(*(asyncio.to_thread(store.close) for store in stores))

    def close(self) -> None:
        if self.cache is not None:
            self.cache.close()
        if self.history is not None:
            self.history.close()

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def __aenter__(self) -> "Session":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


def summarize(path: str | Path, *, settings: Settings | None = None, **overrides: Any) -> ArticleResult:
    """Translate, summarize and build the glossary for one file (sync)."""
    with Session(settings, **overrides) as session:
        return session.run(path, "summarize")


def translate(path: str | Path, *, settings: Settings | None = None, **overrides: Any) -> ArticleResult:
    """Translation (and glossary) only, for one file (sync)."""
    with Session(settings, **overrides) as session:
        return session.run(path, "translate")


def estimate(path: str | Path, *, settings: Settings | None = None, task: Task = "summarize", **overrides: Any) -> Estimate:
    """Chunks, tokens, requests and (for known models) cost, without calling the endpoint."""
    with Session(settings, **overrides) as session:
        return session.estimate(path, task)


@contextmanager
def embedded_server(gguf: str | Path, settings: Settings, *, ctx: int = 4096, parallel: int = 1, port: int = 0) -> Iterator[Settings]:
    """Start llama.cpp's server in this process for `gguf`; yield settings pointing at it; stop it.

    The context window is read back from the server (`/props`), because llama.cpp caps the
    requested size at the model's training size and divides it between parallel slots."""
    from summarizer.local_server import LocalServer

    server = LocalServer(Path(gguf), ctx=ctx, parallel=parallel, port=port).start()
    try:
        from summarizer.llm.dialects import context_from_props

        window = None
        try:
            window = context_from_props(server.get_json("/props"))
        except (OSError, ValueError):
            pass
        served = settings.model_copy(
            update={
                "base_url": server.base_url,
                "model": server.model,
                "requires_key": False,
                # the server's per-slot size wins when it is smaller than what was asked for
                "context_window": min(size for size in (settings.context_window, window, ctx) if size),
                "profile": "embedded llama.cpp",
                "tokenize_url": server.root_url + "/tokenize",
            }
        )
        # the model is the one we serve: chosen, not defaulted (first contact must not announce it)
        served.model_fields_set.add("model")
        yield served
    finally:
        server.stop()
