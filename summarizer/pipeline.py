"""One article end to end: plan chunks → requests → merge → `ArticleResult`.

Short article, summarize: ONE request (the `brief` template) returns translation, bullets and
glossary together. Long article: translate chunk by chunk (`translate_chunk`), carrying the running
glossary forward so a term is rendered one way; each part's answer also names its key points, and
one `summarize` request merges them into the summary (map-reduce only when even the key points do
not fit one request; the translation itself is summarized only when no part named a key point).
An answer cut off at the output limit (finish_reason "length") or a context overflow splits the
chunk in two and tries again, instead of accepting truncated text.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Literal

from pydantic import ValidationError

from summarizer.__version__ import __version__
from summarizer.checks_worker import resources_loaded
from summarizer.chunking import Chunk, split_into_chunks, split_paragraphs
from summarizer.config import Settings
from summarizer.errors import ConfigError, ContextOverflowError, FaithfulnessError, OutputTruncatedError, OutputValidationError
from summarizer.jsonparse import NoJSONFound, extract_json_object
from summarizer.llm import LLMClient, StructuredReply
from summarizer.paragraph_refs import Sources, numbered, paragraphs_with, strip_copied_markers, with_markers
from summarizer.prompts import PromptLibrary, PromptTemplate
from summarizer.schemas import (
    CITING_FIELDS, MAX_KEY_POINTS, WITH_KEY_POINTS, ArticleResult, GlossaryEntry, GlossaryTerm, RunMetadata, SummaryBullet, Usage, citing_at_most,
    shared_llm_schema,
)
from summarizer.sources import CleanedSource
from summarizer.tokens import get_token_counter
from summarizer.user_glossary import TermRule, ignored_rules, rules_in

Task = Literal["summarize", "translate"]

# Context windows of well-known models, used when neither the user nor `doctor` told us better.
KNOWN_CONTEXT_WINDOWS = {
    "gpt-4o": 128_000, "gpt-4.1": 128_000, "gpt-5": 128_000, "o3": 128_000, "o4-mini": 128_000,
    "gpt-4-turbo": 128_000, "gpt-3.5-turbo": 16_000,
}
DEFAULT_CONTEXT_WINDOW = 8192
# Output tokens per source token in the answer (JSON escaping included). Chunks are sized with the
# bound: an answer longer than planned is cut off and costs a split and a retry. The default leaves
# room for a target language that takes more tokens than the source (English -> Indonesian, or
# Chinese -> English with a tokenizer that is frugal with Chinese).
TRANSLATION_EXPANSION = 1.35
# Measured pairs (offline cl100k counter): Indonesian -> English, seed 000 0.69 (tests/data/checks/
# seed000.en.txt), the 72 pairs of tests/data/checks/corpus.jsonl 0.72 pooled (0.50-1.01, the top for
# one short paragraph, where the JSON quotes weigh most). English is what these tokenizers are
# most frugal with, so the answer is shorter than the article.
MEASURED_EXPANSION = {("id", "en"): 0.72}
EXPANSION_MARGIN = 1.4  # bound = measured x this (Indonesian: 1.0): room for denser prose and other tokenizers
STRUCTURE_RESERVE = 600        # output tokens for title, bullets, glossary and JSON framing
MIN_CHUNK_TOKENS = 64
MAX_SPLIT_DEPTH = 4

LANGUAGE_NAMES = {
    "id": "Indonesian", "ms": "Malay", "en": "English", "jv": "Javanese", "su": "Sundanese", "tl": "Tagalog",
    "vi": "Vietnamese", "th": "Thai", "zh": "Chinese", "ja": "Japanese", "ko": "Korean", "fr": "French",
    "de": "German", "es": "Spanish", "pt": "Portuguese", "it": "Italian", "nl": "Dutch", "ru": "Russian",
    "ar": "Arabic", "tr": "Turkish", "hi": "Hindi", "pl": "Polish", "uk": "Ukrainian",
}


def context_window_for(settings: Settings, learned: dict[str, Any]) -> tuple[int, str]:
    """The window to plan for, and where it comes from. A size the server itself stated in an
    overflow error (`context_limit`) caps every other source: the server is the authority."""
    window, source = _context_window_claimed(settings, learned)
    limit = learned.get("context_limit")
    if isinstance(limit, int) and 0 < limit < window:
        return limit, "the server's context-overflow message"
    return window, source


def _context_window_claimed(settings: Settings, learned: dict[str, Any]) -> tuple[int, str]:
    if settings.context_window:
        return settings.context_window, "setting"
    if learned.get("context_window"):
        if learned.get("learned_by") == "first contact":
            return int(learned["context_window"]), f"probed ({learned.get('context_source') or 'server'})"
        return int(learned["context_window"]), "probed by doctor"
    for prefix, size in KNOWN_CONTEXT_WINDOWS.items():
        if settings.model.startswith(prefix):
            return size, "known model"
    return DEFAULT_CONTEXT_WINDOW, "default (set --context-window for your model)"


@dataclass
class Plan:
    """How an article will be cut and what it will cost, before any request."""

    context_window: int
    context_source: str
    max_output_tokens: int
    chunk_budget: int
    chunks: list[Chunk]
    source_tokens: int
    prompt_overhead: int
    token_counter: str
    expected_expansion: float  # answer tokens per source token, for estimates
    summary_budget: int  # tokens of text one `summarize` request takes (what _summarize splits at)
    # tokens one part's key points may take, sent as a bound with each part to a server that
    # enforces schema bounds: the parts share summary_budget, so their merge is ONE request whatever
    # the model writes, and the estimate is what the run does. 0: not bounded (other servers, or too
    # many parts for a useful share): the merge is planned from an estimate of the points' size.
    key_point_budget: int = 0

    @property
    def single_request(self) -> bool:
        return len(self.chunks) == 1

    def estimated_requests(self, task: Task) -> int:
        if self.single_request:
            return 1
        return len(self.chunks) + (self._summary_requests() if task == "summarize" else 0)

    def _summary_requests(self) -> int:
        """The merge of the parts' key points: one request, map-reduce when they do not fit one."""
        if self.key_point_budget:
            return 1
        parts = max(1, -(-self._key_point_tokens() // self.summary_budget))
        return 1 if parts == 1 else parts + 1

    def _key_point_tokens(self) -> int:
        return len(self.chunks) * min(KEY_POINT_TOKENS_PER_PART, self.key_point_budget or KEY_POINT_TOKENS_PER_PART)

    def estimated_tokens(self, task: Task) -> Usage:
        requests = self.estimated_requests(task)
        prompt = self.source_tokens + requests * self.prompt_overhead
        completion = int(self.source_tokens * self.expected_expansion) + 300 * requests  # 300: JSON, glossary, bullets or key points
        if task == "summarize" and not self.single_request:
            prompt += self._key_point_tokens()
        return Usage(prompt_tokens=prompt, completion_tokens=completion)


# Key points one part's answer holds (up to MAX_KEY_POINTS short bullets): an estimate for planning and cost only.
KEY_POINT_TOKENS_PER_PART = 30 * MAX_KEY_POINTS
# Below this share of the merge request per part, bounding the key points would leave them no room
# for a fact: the parts' points are then merged map-reduce (several requests), as on other servers.
MIN_KEY_POINT_BUDGET = 24


PROMPT_CUT_RATIO = 0.6  # server-counted prompt below this share of the article's tokens: the prompt was cut
PROMPT_CUT_MIN_TOKENS = 300  # below this, tokenizer differences alone can explain the gap


def translation_expansion(source_lang: str | None, target_lang: str) -> tuple[float, float]:
    """(expected, bound) answer tokens per source token for this language pair: measured pairs
    get a bound of measured x EXPANSION_MARGIN, every other pair the default."""
    target = target_lang.strip().lower()
    target = {"english": "en"}.get(target, target)
    measured = MEASURED_EXPANSION.get(((source_lang or "").lower(), target))
    if measured is None:
        return TRANSLATION_EXPANSION / 1.2, TRANSLATION_EXPANSION
    return measured, min(TRANSLATION_EXPANSION, measured * EXPANSION_MARGIN)


def _output(template: PromptTemplate, *, key_points: bool) -> type:
    """The model a template's answer is validated against: its declared output, widened with
    `key_points` when the run wants them and the output has such a form."""
    return WITH_KEY_POINTS.get(template.output_model, template.output_model) if key_points else template.output_model


def _language_name(code: str | None) -> str:
    return LANGUAGE_NAMES.get(code or "", "the source language")


def _protect(text: str) -> str:
    # The article sits between <article> tags; a closing tag inside it must not end the data early.
    return text.replace("</article>", "</ article>").replace("<article>", "< article>")


class ArticlePipeline:
    def __init__(self, settings: Settings, client: LLMClient, prompts: PromptLibrary, *, user_glossary: list[TermRule] | None = None, token_counter=None) -> None:
        self.settings = settings
        self.client = client
        self.prompts = prompts
        self.user_glossary = user_glossary or []
        self.counter = token_counter or get_token_counter(settings.model)
        # chunk budgets hold the "¶N " markers a numbered request adds (paragraph_refs)
        self._count = with_markers(self.counter.count)
        self._overheads: dict[tuple[str, str, int], int] = {}  # the same for every article of a run
        self._prompt_tokens: dict[str, int] = {}  # system prompts' counts: most articles of a run share one
        self._checks_lock = threading.Lock()
        self._local_checks = 0  # articles being checked in this process (0 or 1); counted on the loop
        self._local_free_waiters: list[asyncio.Future] = []  # articles waiting to be checked here, or by the worker
        self._checks_loaded = False  # the checks' one-time loads are done: a check can run on the loop
        self.check_pool: Any = None  # a `checks_worker.CheckPool` while a long batch runs (None: checks here, see _checked)
        # Called with (what, number, count) as each request of an article leaves: a status line hooks in here.
        self.progress: Callable[[str, int, int], None] | None = None

    # -- planning ----------------------------------------------------------------------------
    def _overhead(self, template: PromptTemplate, extra_terms: int = 0) -> int:
        """Prompt tokens besides the article: rendered template, schema (sent in the prompt in the
        json_object/prompt modes), chat framing, and room for glossary terms injected per chunk."""
        key = (template.name, template.version, extra_terms)
        if key not in self._overheads:
            self._overheads[key] = self._count_overhead(template, extra_terms)
        return self._overheads[key]

    def _count_overhead(self, template: PromptTemplate, extra_terms: int) -> int:
        # the widest form the template is sent in: with the key-points rule and schema when it has them
        messages = template.render(**self._variables(template, "", chunk_number=1, chunk_count=1, known=[], key_points=True))
        schema_tokens = self.counter.count(json.dumps(shared_llm_schema(_output(template, key_points=True)), ensure_ascii=False))
        return sum(self.counter.count(m["content"]) + 4 for m in messages) + schema_tokens + 15 * extra_terms + 16

    def warm_up(self) -> None:
        """Compile the templates and count their sizes now. Not the checks' import (~0.2 s in a fresh
        process): that is warm_up_checks', which a batch runs beside its first requests."""
        self._planning_overhead()

    def warm_up_checks(self) -> None:
        """Load what the checks read once per process (CLDR names, the Indonesian lexicon, the word
        lists: ~0.24 s) now, under the checks' lock: a batch runs this in a thread while its first
        requests are out, so the first answers back do not wait for it while the next articles'
        requests wait for them."""
        if not self.settings.run_checks:
            return
        from summarizer.checks_worker import load_resources

        with self._checks_lock:
            load_resources()
        self._checks_loaded = True

    def _planning_overhead(self) -> int:
        return max(
            self._overhead(self.prompts.get("brief"), extra_terms=min(len(self.user_glossary), 30)),
            self._overhead(self.prompts.get("translate_chunk"), extra_terms=min(len(self.user_glossary) + 10, 40)),
        )

    def plan(self, source: CleanedSource, *, limit: int | None = None) -> Plan:
        """`limit`: a context size the server stated in an overflow error, capping every other source."""
        learned = self.client.memory.get(self.settings.effective_base_url, self.settings.model)
        window, window_source = context_window_for(self.settings, learned)
        if limit is not None and limit < window:
            window, window_source = limit, "the server's context-overflow message"
        overhead = self._planning_overhead()
        expected, bound = translation_expansion(self.settings_source_language(source), self.settings.target_lang)
        # An answer holds the translation (<= bound x the chunk) plus the structure, and prompt +
        # answer must fit the window: solve both for the chunk size.
        reserve = min(STRUCTURE_RESERVE, window // 6)
        budget = int(min(
            (self.settings.max_output_tokens - reserve) / bound,
            (window - overhead - reserve - 64) / (1 + bound),
        ))
        max_out = min(self.settings.max_output_tokens, window - overhead - max(budget, 0) - 64)
        if budget < MIN_CHUNK_TOKENS:
            if (self.settings.max_output_tokens - reserve) / bound < MIN_CHUNK_TOKENS:
                needed = int(MIN_CHUNK_TOKENS * bound + reserve) + 1
                raise ConfigError(
                    f"--max-output-tokens {self.settings.max_output_tokens} leaves no room for a translation next to the summary and glossary",
                    hint=f"raise it to at least {needed}",
                )
            raise ConfigError(
                f"a context window of {window} tokens ({window_source}) leaves no room for the article next to the prompts ({overhead} tokens) and the answer",
                hint="set --context-window to the model's real size, or use a model with a larger window",
            )
        chunks = split_into_chunks(source.text, budget, self._count)
        summary_budget = self._summary_budget(window)
        return Plan(
            context_window=window,
            context_source=window_source,
            max_output_tokens=max_out,
            chunk_budget=budget,
            chunks=chunks,
            source_tokens=sum(c.tokens for c in chunks),
            prompt_overhead=overhead,
            token_counter=self.counter.name,
            expected_expansion=expected,
            summary_budget=summary_budget,
            key_point_budget=self._key_point_budget(summary_budget, len(chunks)),
        )

    def _key_point_budget(self, summary_budget: int, parts: int) -> int:
        """Each part's share of the merge request, when the server enforces it as a bound (see Plan)."""
        if parts < 2 or not self.client.dialect.enforces_schema_bounds:
            return 0
        share = summary_budget // parts
        return share if share >= MIN_KEY_POINT_BUDGET else 0

    def _summary_budget(self, window: int) -> int:
        # room for the answer (<= 1024 tokens, see _ask) and the chat framing
        return max(MIN_CHUNK_TOKENS, window - self._overhead(self.prompts.get("summarize")) - 1024 - 64)

    # -- running -----------------------------------------------------------------------------
    def _variables(self, template: PromptTemplate, article: str, *, chunk_number: int, chunk_count: int, known: list[TermRule], partial: str = "", language: str | None = None, key_points: bool = False) -> dict[str, Any]:
        return {
            "article": _protect(article),
            "source_language_name": _language_name(language),
            "target_language": self.settings.target_lang,
            "instructions": self.settings.instructions or "",
            "user_glossary": [vars(r) for r in known],
            "known_terms": [vars(r) for r in known],
            "chunk_number": chunk_number,
            "chunk_count": chunk_count,
            "partial": partial,
            "key_points": key_points,
        }

    async def _ask(self, template_name: str, article: str, state: "_RunState", *, article_tokens: int | None = None, units: list[str] | None = None, **variables: Any) -> StructuredReply:
        """One request for `article`. With `units` (the article's paragraphs, or the points being
        merged) the prompt shows them numbered (`paragraph_refs.numbered`) and the answer's citations
        must name one of them: an answer citing a number past them is re-asked."""
        template = self.prompts.get(template_name)
        state.versions[template.name] = template.version
        shown = numbered(units) if units else article
        messages = template.render(**self._variables(template, shown, language=state.language, **variables))
        max_tokens = state.plan.max_output_tokens if template_name != "summarize" else min(state.plan.max_output_tokens, 1024)
        output = _output(template, key_points=bool(variables.get("key_points")))
        bounded = citing_at_most(output, len(units)) if units else output
        if self.progress is not None:
            self.progress("summary" if template_name == "summarize" else "part", int(variables.get("chunk_number") or 1), int(variables.get("chunk_count") or 1))
        # Only a server that enforces schema bounds (llama.cpp, vLLM) gets bounds fitted to the answer's
        # density; for any other the count is wasted (~0.4 ms of tiktoken a request). Off the loop:
        # tiktoken releases the GIL.
        density = None
        if self.client.dialect.enforces_schema_bounds:
            density = await asyncio.to_thread(self._answer_density, article, messages)
        try:
            reply = await self.client.structured(
                messages=messages, output=bounded, template_version=template.version,
                parameters=template.parameters, max_tokens=max_tokens, source_chars=len(article), cite_limit=len(units) if units else None,
                tokens_per_char=density,
                key_point_tokens=(state.plan.key_point_budget or None) if variables.get("key_points") else None,
            )
        except OutputValidationError as exc:
            reply = _without_bad_citations(exc, output, len(units)) if units else None
            if reply is None:
                raise
        state.record(reply)
        output = bounded
        self._warn_if_prompt_was_cut(reply, shown, article_tokens, state)
        if self.settings.repair and template_name != "summarize":
            reply = await self._repair_facts(article, messages, reply, template, output, max_tokens, state)
        return reply

    def _answer_density(self, article: str, messages: list[dict]) -> float | None:
        """Tokens per character the answer's text may take, in the counter's tokens (the server's own
        when it serves /tokenize): the lower of the article's and the prompt's (English) densities.
        The lower one, because a bound fitted to too high a density would cut a real translation
        short (Chinese takes ~1 token a character, its English translation ~0.25); too low a one
        only lets a runaway answer reach max_tokens, which the split-and-retry already handles."""
        prompt = messages[0]["content"]
        prompt_tokens = self._prompt_tokens.get(prompt)
        if prompt_tokens is None:
            prompt_tokens = self.counter.count(prompt) if prompt else 0
            if len(self._prompt_tokens) >= 64:  # prompts that vary per article: keep the memory bounded
                self._prompt_tokens.clear()
            self._prompt_tokens[prompt] = prompt_tokens
        counted = ((article, self.counter.count(article) if article else 0), (prompt, prompt_tokens))
        densities = [tokens / len(text) for text, tokens in counted if text]
        return min(densities) if densities else None

    def _warn_if_prompt_was_cut(self, reply: StructuredReply, article: str, article_tokens: int | None, state: "_RunState") -> None:
        """Ollama's /v1 (and some proxies) cut a prompt longer than the server's context without an
        error: the model then translates part of the article. The server's own prompt count gives it
        away: far below what the article alone takes. (Tokenizers differ by up to ~30% from our
        count, hence the wide margin; a cut prompt usually keeps well under half.)"""
        if reply.cached or not reply.requests or not reply.usage.prompt_tokens:
            return
        read = reply.usage.prompt_tokens / reply.requests  # repairs re-send a longer prompt: the mean is >= the first
        if article_tokens is None:
            if read >= PROMPT_CUT_RATIO * len(article):  # text takes at most ~1 token per character: nothing was cut
                return
            article_tokens = self.counter.count(article)
        if article_tokens >= PROMPT_CUT_MIN_TOKENS and read < PROMPT_CUT_RATIO * article_tokens:
            if any(w.startswith("the endpoint read ") for w in state.warnings):
                return  # once per article, not once per chunk
            warning = (f"the endpoint read {int(read)} prompt tokens for a request holding ~{article_tokens} tokens of article: "
                       "it probably cut the prompt (Ollama's /v1 does so silently at its num_ctx); raise the server's context "
                       "(e.g. OLLAMA_CONTEXT_LENGTH) and pass the same --context-window, or lower --context-window")
            state.warnings.append(warning)

    async def _repair_facts(self, article: str, messages: list[dict], reply: StructuredReply, template: PromptTemplate, output: type, max_tokens: int, state: "_RunState") -> StructuredReply:
        """--repair: one re-ask naming the facts a check found changed or lost; keep the better answer.
        The re-ask is validated as the first answer was (`output`: key points, citation bounds)."""
        from summarizer.checks import check_translation

        def check(value) -> list:
            with self._checks_lock:  # CPU-bound, like the checks in run(): one at a time, off the event loop
                translation = strip_copied_markers(value.translation, len(split_paragraphs(article)))
                findings = check_translation(article, translation, summary=[b.text for b in getattr(value, "summary", ())], source_lang=state.language or "id")
            return [f for f in findings if f.severity == "error"]

        async def errors_in(value) -> list:
            return await asyncio.to_thread(check, value)

        found = await errors_in(reply.value)
        if not found:
            return reply
        listing = "\n".join(f"- {f.message}" for f in found[:12])
        follow_up = messages + [
            {"role": "assistant", "content": reply.value.model_dump_json()},
            {"role": "user", "content": "Your translation changed or lost these facts from the article:\n" + listing
             + "\nCorrect them, keep everything else, and reply with the complete corrected JSON object."},
        ]
        try:
            second = await self.client.structured(
                messages=follow_up, output=output, template_version=template.version,
                parameters=template.parameters, max_tokens=max_tokens,
            )
        except (OutputValidationError, ContextOverflowError) as exc:
            state.warnings.append(f"repair re-ask failed ({exc.message}); kept the first answer")
            return reply
        state.record(second)
        remaining = await errors_in(second.value)
        if len(remaining) < len(found):
            state.warnings.append(f"repaired: {len(found)} fact error(s) before the re-ask, {len(remaining)} after")
            return second
        state.warnings.append(f"repair re-ask did not fix the {len(found)} fact error(s); kept the first answer")
        return reply

    async def run(self, source: CleanedSource, task: Task = "summarize", *, plan: Plan | None = None, with_checks: bool = True) -> ArticleResult:
        """`plan`: this source's plan when the caller already made one (a paced batch does).
        `with_checks=False` skips the faithfulness checks of the finished result (not the --repair re-ask's,
        which decide whether a request is made): for a caller that only asks whether answers are cached."""
        started = time.perf_counter()
        plan = plan or self.plan(source)
        language = self.settings_source_language(source)
        state = _RunState(plan=plan, language=language)
        state.timings["plan"] = time.perf_counter() - started
        if language == "en" and self.settings.target_lang.lower() in ("english", "en"):
            state.warnings.append("the article already appears to be in English; the translation may simply restate it")

        try:
            content = await self._content(source, task, state)
        except ContextOverflowError as exc:
            smaller = _stated_smaller_window(exc, state.plan)
            if smaller is None:
                raise
            # The server said its real size: plan the article again for it, instead of halving blindly.
            state.warnings.append(f"the server's context is {smaller} tokens, not the {state.plan.context_window} planned for; re-planned the article")
            state.plan = self.plan(source, limit=smaller)
            content = await self._content(source, task, state)
        state.timings["requests"] = time.perf_counter() - started - state.timings["plan"]
        translation = content.translation

        for rule in ignored_rules(source.text, translation, self.user_glossary):
            state.warnings.append(f"user glossary: {rule.source!r} should be rendered as {rule.preferred!r}, but the translation does not contain it")

        article_paragraphs = split_paragraphs(source.text)
        glossary = [GlossaryEntry(**term.model_dump(), paragraphs=paragraphs_with(term.source_term, article_paragraphs))
                    for term in _dedupe(content.glossary)]
        checks = []
        if self.settings.run_checks and with_checks:
            # ~10 ms of CPU for a 1,000-token article (and ~0.5 s of one-time loads): never in one piece
            # on the event loop that serves the other articles' requests (see _checked). A long batch
            # hands us a worker process (`check_pool`), so that they cost the loop nothing.
            checks, state.timings["checks"] = await self._checked(source.text, translation, content.summary, glossary, language or "id")
            errors_found = [f for f in checks if f.severity == "error"]
            if errors_found and self.settings.strict:
                raise FaithfulnessError(
                    f"{source.path}: {len(errors_found)} faithfulness error(s), first: {errors_found[0].message}",
                    hint="drop --strict to keep the output with its findings, or try a stronger model",
                )

        state.timings["total"] = time.perf_counter() - started
        return ArticleResult(
            source=source.path,
            task=task,
            source_language=language or (content.model_language or "und").lower()[:8],
            target_language=self.settings.target_lang,
            title=(content.title or source.title or "").strip() or "(untitled)",
            translation=translation,
            summary=content.summary,
            glossary=glossary,
            checks=checks,
            metadata=RunMetadata(
                model=state.answered_by or self.settings.model,
                endpoint_host=self.settings.endpoint_host,
                structured_mode=state.mode,
                prompt_versions=state.versions,
                usage=state.usage,
                requests=state.requests,
                cache_hits=state.cache_hits,
                chunks=len(state.plan.chunks),
                token_counter=state.plan.token_counter,
                timings={k: round(v, 4) for k, v in state.timings.items()},
                warnings=state.warnings,
                summarizer_version=__version__,
            ),
        )

    async def _content(self, source: CleanedSource, task: Task, state: "_RunState") -> "_Content":
        """The requests: one brief when the article fits, else its parts (and the merge of their
        key points). Every citation in the result names an article paragraph."""
        plan = state.plan
        if plan.single_request and task == "summarize":
            chunk = plan.chunks[0]
            units = split_paragraphs(chunk.text)
            try:
                reply = await self._ask("brief", chunk.text, state, article_tokens=chunk.tokens, units=units, chunk_number=1, chunk_count=1, known=rules_in(source.text, self.user_glossary))
            except (OutputTruncatedError, ContextOverflowError) as exc:
                if _stated_smaller_window(exc, plan) is not None:
                    raise
                state.warnings.append(f"single request did not fit ({exc.message}); translating in parts")
                plan.chunks = split_into_chunks(source.text, max(MIN_CHUNK_TOKENS, chunk.tokens // 2 + 1), self._count)
            else:
                brief = reply.value
                return _Content(
                    title=brief.title, translation=strip_copied_markers(brief.translation, len(units)),
                    summary=_cited(brief.summary, Sources.of_paragraphs(chunk.paragraphs)),
                    glossary=list(brief.glossary), model_language=brief.source_language,
                )
        parts, glossary, title, key_points = await self._translate_chunks(plan.chunks, state, key_points=task == "summarize")
        content = _Content(title=title, translation="\n\n".join(text for text, _ in parts), glossary=glossary)
        if task == "summarize":
            if key_points:
                # The parts' key points, written while translating, are merged in one request: the
                # whole translation is not sent again (token_economy.py, an 8k-token article in a
                # 4k window: 13 -> 9 requests, 19.7k -> 11.2k prompt tokens).
                content.summary = await self._summarize(key_points, state, what=f"the key points of all {len(parts)} parts of one long article, in order; merge them into one summary")
            else:  # no part stated a fact the model could name: summarize the translation itself
                content.summary = await self._summarize(_translated_paragraphs(parts), state)
        return content

    async def _checked(self, *arguments: Any) -> tuple[list, float]:
        """check_article(*arguments), in the batch's worker process when there is one, else here, one
        article at a time. While the worker is still loading (~0.4-0.8 s from the batch's start) an
        article is checked here when no other is, rather than wait, if this process has loaded the
        checks already: waiting held the first answers' articles, and with them every request slot,
        until the worker was ready (benchmarks/batch_throughput.py: the first finished article ~0.5 s
        after the bare client's). A process that has not (a CLI run) waits for the worker, up to
        `checks_worker.START_LIMIT`."""
        pool, loop = self.check_pool, asyncio.get_running_loop()
        while True:
            if pool is not None and not pool.starting:
                checked = await pool.run(*arguments)
                if checked is not None:
                    return checked
                pool = None  # gone, or the last wave's article that would queue there: checked here
            if pool is not None and not resources_loaded() and pool.start_wait_left() > 0:
                # a fresh process (a CLI run): loading the checks here (~0.75 s of CPU) ended about when
                # the worker was ready, and took CPU from it, the loop and the server meanwhile: wait
                # for the worker instead, unless it is stuck (benchmarks/batch_throughput.py's first
                # round, 400 articles: 67-71% of the bare client -> 79-82%)
                timer = asyncio.ensure_future(asyncio.sleep(pool.start_wait_left()))
                try:
                    await pool.started_or(timer)
                finally:
                    timer.cancel()
                continue
            if not self._local_checks:
                break
            waiter = loop.create_future()
            self._local_free_waiters.append(waiter)
            await (pool.started_or(waiter) if pool is not None else waiter)
        self._local_checks += 1
        try:
            if self._checks_loaded:
                return await self._check_on_loop(*arguments)
            return await asyncio.to_thread(self._check, *arguments)  # the first check loads the resources: not on the loop
        finally:
            self._local_checks -= 1
            waiters, self._local_free_waiters = self._local_free_waiters, []
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_result(None)

    async def _check_on_loop(self, text: str, translation: str, summary: list[SummaryBullet], glossary: list[GlossaryEntry], language: str) -> tuple[list, float]:
        """check_article on the event loop, in steps (`checks.brief_steps`, each a few ms) with the loop's
        other work run between them. In a thread the checks took the GIL from the loop, which then waited
        up to the 5 ms switch interval at each of its turns: the answers of a wave were read slowly and
        the next requests left late (benchmarks/batch_rampup.py, spread of the requests)."""
        from summarizer.checks import brief_steps

        steps = brief_steps(text, translation, list(summary), glossary, source_lang=language)
        spent = 0.0  # the checks' own time, not the other work run between the steps
        while True:
            started = time.perf_counter()
            try:
                next(steps)
            except StopIteration as done:
                return done.value, spent + time.perf_counter() - started
            spent += time.perf_counter() - started
            await asyncio.sleep(0)

    def _check(self, text: str, translation: str, summary: list[SummaryBullet], glossary: list[GlossaryEntry], language: str) -> tuple[list, float]:
        from summarizer.checks_worker import check_article

        # under the lock: the warm-up (in another thread) and the first check load the resources once
        with self._checks_lock:
            checked = check_article(text, translation, summary, glossary, language)
        self._checks_loaded = True
        return checked

    def settings_source_language(self, source: CleanedSource) -> str | None:
        if source.language and source.language_confidence >= 0.5:
            return source.language
        return None

    async def _translate_chunks(self, chunks: list[Chunk], state: "_RunState", *, key_points: bool) -> tuple[list[tuple[str, tuple[int, ...]]], list[GlossaryTerm], str, list[SummaryBullet]]:
        """The parts in order, each as (translation, the article paragraphs it holds), the merged
        glossary, the first headline, and (when `key_points`: the article is being summarized) the
        parts' key points in order, citing article paragraphs. A part is sent numbered only when
        its key points are asked for: a translation alone cites nothing."""
        parts: list[tuple[str, tuple[int, ...]]] = []
        glossary: list[GlossaryTerm] = []
        points: list[SummaryBullet] = []
        title = ""
        pending: list[tuple[Chunk, int]] = [(c, 0) for c in chunks]
        total = len(pending)
        number = 0
        while pending:
            chunk, depth = pending.pop(0)
            text = chunk.text
            number += 1
            learned = [TermRule(g.source_term, g.term) for g in glossary]
            known = rules_in(text, self.user_glossary) + [r for r in rules_in(text, learned) if r.source.lower() not in {u.source.lower() for u in self.user_glossary}]
            units = split_paragraphs(text) if key_points else None
            try:
                reply = await self._ask("translate_chunk", text, state, units=units, chunk_number=number, chunk_count=total, known=known, key_points=key_points)
            except (OutputTruncatedError, ContextOverflowError) as exc:
                if depth >= MAX_SPLIT_DEPTH or _stated_smaller_window(exc, state.plan) is not None:
                    raise
                halves = split_into_chunks(text, max(MIN_CHUNK_TOKENS // 2, self._count(text) // 2 + 1), self._count)
                if len(halves) < 2:
                    raise
                state.warnings.append(f"part {number} was too long for one answer ({exc.message}); split in {len(halves)}")
                # a half numbers the paragraphs of its part's text: map them to the article's
                pending[0:0] = [(replace(h, paragraphs=tuple(chunk.paragraphs[n - 1] for n in h.paragraphs)), depth + 1) for h in halves]
                total += len(halves) - 1
                number -= 1
                continue
            value = reply.value
            if not title and value.title.strip():
                title = value.title
            translation = strip_copied_markers(value.translation, len(units)) if units else value.translation
            parts.append((translation, chunk.paragraphs))
            glossary = _dedupe(glossary + list(value.glossary))
            points += _cited(getattr(value, "key_points", []), Sources.of_paragraphs(chunk.paragraphs))
        state.chunks_done = number
        return parts, glossary, title, points

    async def _summarize(self, units: list[SummaryBullet], state: "_RunState", *, what: str = "") -> list[SummaryBullet]:
        """Bullets for `units` (points or paragraphs of English text, each citing the article
        paragraphs it comes from): one request when they fit, else map-reduce over their parts.
        The requests show the units numbered; the bullets' citations are mapped back to the
        article's paragraphs. `what` tells the model what the text is when it is not an article."""
        texts = [" ".join(u.text.split()) for u in units]  # one paragraph each, as numbered
        sources = Sources(tuple(tuple(u.paragraphs) for u in units))
        joined = "\n\n".join(texts)
        pieces = split_into_chunks(joined, state.plan.summary_budget, self._count)
        if len(pieces) == 1:
            reply = await self._ask("summarize", joined, state, units=texts, chunk_number=1, chunk_count=1, known=[], partial=what)
            return _cited(reply.value.summary, sources)
        bullets: list[SummaryBullet] = []
        for index, piece in enumerate(pieces, start=1):
            described = f"part {index} of {len(pieces)} of {what}" if what else f"part {index} of {len(pieces)} of a long article"
            reply = await self._ask("summarize", piece.text, state, units=split_paragraphs(piece.text), chunk_number=index, chunk_count=len(pieces), known=[], partial=described)
            bullets += _cited(reply.value.summary, sources.select(piece.paragraphs))
        return await self._summarize_once(bullets, state)

    async def _summarize_once(self, bullets: list[SummaryBullet], state: "_RunState") -> list[SummaryBullet]:
        """The merge of the map step's bullets, in one request."""
        texts = [" ".join(b.text.split()) for b in bullets]
        reply = await self._ask("summarize", "\n\n".join(texts), state, units=texts, chunk_number=1, chunk_count=1, known=[],
                                partial="the bullet summaries of all parts of one long article; merge them into one summary")
        return _cited(reply.value.summary, Sources(tuple(tuple(b.paragraphs) for b in bullets)))


@dataclass
class _Content:
    """What the requests produced, before the glossary is located and the checks run."""

    title: str
    translation: str
    glossary: list[GlossaryTerm]
    summary: list[SummaryBullet] = field(default_factory=list)
    model_language: str | None = None


def _without_bad_citations(exc: OutputValidationError, output: type, count: int) -> StructuredReply | None:
    """The model's last answer when citing a number past ¶count was all that kept it invalid
    through every re-ask: kept with those citations dropped (a weak model's bad citation must not
    cost the article its translation). None when the answer is invalid for another reason too.
    (The client does not report the usage of failed attempts: the run's token count misses them.)"""
    try:
        value = output.model_validate(extract_json_object(exc.last_content or ""))
    except (NoJSONFound, ValidationError):
        return None
    for name in CITING_FIELDS:
        items = getattr(value, name, None)
        if items:
            setattr(value, name, [b.model_copy(update={"paragraphs": [n for n in b.paragraphs if n <= count]}) for b in items])
    warning = f"the model kept citing paragraphs past ¶{count} after {exc.attempts} attempt(s); those citations were dropped"
    return StructuredReply(value=value, requests=exc.attempts, warnings=[warning])


def _cited(bullets: list[SummaryBullet], sources: Sources) -> list[SummaryBullet]:
    """`bullets` with the unit numbers they cite replaced by the article paragraphs behind them."""
    return [SummaryBullet(text=b.text, paragraphs=sources.cited(b.paragraphs)) for b in bullets]


def _translated_paragraphs(parts: list[tuple[str, tuple[int, ...]]]) -> list[SummaryBullet]:
    """The translation's paragraphs as units citing their source: one to one when a part kept its
    paragraph breaks, else each paragraph of the part cites all of the part's paragraphs."""
    units: list[SummaryBullet] = []
    for translation, paragraphs in parts:
        translated = split_paragraphs(translation)
        if len(translated) == len(paragraphs):
            units += [SummaryBullet(text=t, paragraphs=[n]) for t, n in zip(translated, paragraphs)]
        else:
            units += [SummaryBullet(text=t, paragraphs=list(paragraphs)) for t in translated]
    return units


def _stated_smaller_window(exc: Exception, plan: Plan) -> int | None:
    """The context size an overflow error states, when it is smaller than the plan's: worth a re-plan."""
    size = getattr(exc, "context_size", None)
    if isinstance(exc, ContextOverflowError) and isinstance(size, int) and 0 < size < plan.context_window:
        return size
    return None


def _dedupe(entries: list[GlossaryTerm]) -> list[GlossaryTerm]:
    """One entry per source term (case-insensitive); the first rendering wins."""
    seen: dict[str, GlossaryEntry] = {}
    for entry in entries:
        seen.setdefault(entry.source_term.casefold(), entry)
    return list(seen.values())


@dataclass
class _RunState:
    plan: Plan
    language: str | None
    usage: Usage = field(default_factory=Usage)
    requests: int = 0
    cache_hits: int = 0
    mode: str | None = None
    versions: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    chunks_done: int = 0

    answered_by: str | None = None  # the model the endpoint answered as, when it is not the one asked for

    def record(self, reply: StructuredReply) -> None:
        self.answered_by = reply.model or self.answered_by
        self.usage.add(reply.usage)
        self.requests += reply.requests
        self.cache_hits += int(reply.cached)
        self.mode = reply.mode or self.mode
        self.warnings.extend(w for w in reply.warnings if w not in self.warnings)  # once per run, not per chunk
