"""Spending caps (--max-cost, --max-tokens): refuse before the run, stop cleanly when reached, resume.

Every CLI run is a real subprocess against the scripted server; what the server billed is counted
here, from the usage it put in each answer, independently of our own bookkeeping."""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path

import pytest
from helpers import run_cli
from scripted_server import schema_responder
from test_batch import article_number, make_folder, manifest

from summarizer.api import Session
from summarizer.budget import Budget
from summarizer.errors import BudgetReached, ConfigError, ExitCode

PRICES = ["--price-in", "1.0", "--price-out", "2.0"]  # USD per 1M tokens


def billing(server):
    """Answer as the scripted server does and keep what each answer billed: [(prompt, completion)]."""
    billed: list[tuple[int, int]] = []
    lock = threading.Lock()

    def responder(request):
        reply = schema_responder(request)
        usage = reply.json["usage"]
        with lock:
            billed.append((usage["prompt_tokens"], usage["completion_tokens"]))
        return reply

    server.responder = responder
    return billed


def endpoint(server) -> list[str]:
    return ["--base-url", server.base_url, "--model", "test-model"]


def report(out: Path) -> dict:
    return json.loads((out / "report.json").read_text(encoding="utf-8"))


def dollars(billed) -> float:
    return sum(p * 1.0 + c * 2.0 for p, c in billed) / 1_000_000


def test_a_cost_cap_stops_mid_batch_within_the_cap_and_a_higher_cap_resumes_without_repeats(llm_server, tmp_path):
    billed = billing(llm_server)
    make_folder(tmp_path / "news", 6)
    out = tmp_path / "out"
    # one request at a time, so the stop point is deterministic: each article is one request billed ~$0.0025
    # here and its bound (prompt + 4068 max_tokens) is ~$0.0093, so 3 fit and the 4th would not; the room
    # left (~$0.0075) is then less than one bound, which the re-run with the same cap relies on
    # (test_a_token_cap_never_passes_the_cap_with_many_requests_in_flight covers concurrency)
    args = ["batch", str(tmp_path / "news"), "--out", str(out), "--concurrency", "1", *PRICES, *endpoint(llm_server)]
    proc = run_cli(*args, "--max-cost", "0.015", "--start-anyway")
    stderr = proc.stderr.decode()
    assert proc.returncode == ExitCode.BUDGET == 5, stderr
    done = [e for e in manifest(out) if e["state"] == "done"]
    assert 0 < len(done) < 6
    assert len(billed) == len(done)  # no request of an unfinished article was sent
    assert dollars(billed) <= 0.015
    first = report(out)
    assert first["exit_code"] == 5 and first["budget"]["reached"] is True
    assert first["budget"]["spent_usd"] == pytest.approx(dollars(billed), abs=1e-6)
    line = f"budget reached: {len(done)} of 6 articles done, ${dollars(billed):.4f} of $0.0150"
    assert line in stderr and first["budget_message"] == line
    assert "Traceback" not in stderr
    assert all(e["state"] == "done" for e in manifest(out))  # the stopped ones are not failures

    sent_first = {article_number(r) for r in llm_server.chat_requests()}
    llm_server.reset()
    proc = run_cli(*args, "--max-cost", "0.015", "--start-anyway")
    assert proc.returncode == 5
    again = report(out)
    # the cap is on the total: the re-run counts the first run's spend and does only what still fits in the rest
    assert again["budget"]["spent_usd"] == pytest.approx(dollars(billed), abs=1e-6) and dollars(billed) <= 0.015
    assert len(llm_server.chat_requests()) <= 1 and again["budget_message"].startswith("budget reached: ")
    sent_first |= {article_number(r) for r in llm_server.chat_requests()}
    done = [e for e in manifest(out) if e["state"] == "done"]
    llm_server.reset()
    proc = run_cli(*args, "--max-cost", "1.0")
    assert proc.returncode == 0, proc.stderr.decode()
    sent_again = {article_number(r) for r in llm_server.chat_requests()}
    assert sent_again and not sent_again & sent_first  # nothing repeated
    assert len(sent_first | sent_again) == 6
    second = report(out)
    assert second["exit_code"] == 0 and second["budget"]["reached"] is False
    assert second["skipped"] == len(done) and second["done"] == 6 - len(done)


def test_a_token_cap_never_passes_the_cap_with_many_requests_in_flight(llm_server, tmp_path):
    billed = billing(llm_server)
    make_folder(tmp_path / "news", 8)
    out = tmp_path / "out"
    proc = run_cli("batch", str(tmp_path / "news"), "--out", str(out), "--concurrency", "4", "--max-tokens", "12000",
                   "--start-anyway", "--quiet", *endpoint(llm_server))
    assert proc.returncode == 5, proc.stderr.decode()
    assert sum(p + c for p, c in billed) <= 12000
    budget = report(out)["budget"]
    assert budget["spent_tokens"] == sum(p + c for p, c in billed)
    assert "budget reached: " in proc.stderr.decode() and " of 12000 tokens" in proc.stderr.decode()


def test_the_estimate_over_the_cap_refuses_before_any_request(llm_server, tmp_path):
    make_folder(tmp_path / "news", 4)
    out = tmp_path / "out"
    proc = run_cli("batch", str(tmp_path / "news"), "--out", str(out), "--max-tokens", "6000", *endpoint(llm_server))
    stderr = proc.stderr.decode()
    assert proc.returncode == 5, stderr
    assert llm_server.chat_requests() == []
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert lines[0] == "estimating 4 article(s) against the spending cap ..."  # the wait speaks
    assert len(lines) == 2 and lines[1].startswith("error: the estimate for 4 article(s) is ") and "over the cap of 6000 tokens" in lines[1]
    assert "--start-anyway" in lines[1]
    refused = report(out)
    assert refused["exit_code"] == 5 and refused["budget"]["estimate"]["articles"] == 4
    assert refused["budget"]["spent_tokens"] == 0

    # a request's bound is its prompt + its max_tokens: capped here, so one request surely fits in 6000
    proc = run_cli("batch", str(tmp_path / "news"), "--out", str(out), "--max-tokens", "6000", "--start-anyway", "--max-output-tokens", "2000", *endpoint(llm_server))
    assert proc.returncode == 5
    assert 1 <= len(llm_server.chat_requests()) < 4  # it did what fits


def test_a_cost_cap_on_a_model_without_a_price_is_a_clear_error(llm_server, tmp_path):
    make_folder(tmp_path / "news", 2)
    proc = run_cli("batch", str(tmp_path / "news"), "--out", str(tmp_path / "out"), "--max-cost", "1", *endpoint(llm_server))
    stderr = proc.stderr.decode().strip()
    assert proc.returncode == 2, stderr
    assert "no known price for model 'test-model'" in stderr and "--price-in" in stderr
    assert len(stderr.splitlines()) == 1 and llm_server.chat_requests() == []
    # the known price table prices a model it lists (here served from 127.0.0.1, as a proxy would)
    llm_server.models.append("gpt-4o-mini")
    proc = run_cli("batch", str(tmp_path / "news"), "--out", str(tmp_path / "out2"), "--max-cost", "1",
                   "--base-url", llm_server.base_url, "--model", "gpt-4o-mini")
    assert proc.returncode == 0, proc.stderr.decode()
    assert report(tmp_path / "out2")["budget"]["price_per_million"] == [0.15, 0.60]


def test_cache_hits_cost_nothing_and_never_count(llm_server, tmp_path):
    make_folder(tmp_path / "news", 3)
    assert run_cli("batch", str(tmp_path / "news"), "--out", str(tmp_path / "warm"), *endpoint(llm_server)).returncode == 0
    llm_server.reset()
    # a new --out: nothing is skipped by the manifest, every answer comes from the cache
    proc = run_cli("batch", str(tmp_path / "news"), "--out", str(tmp_path / "cold"), "--max-tokens", "1", "--start-anyway", *endpoint(llm_server))
    assert proc.returncode == 0, proc.stderr.decode()
    assert llm_server.chat_requests() == []
    cold = report(tmp_path / "cold")
    assert cold["done"] == 3 and cold["cache_hits"] == 3 and cold["budget"]["spent_tokens"] == 0 and cold["budget"]["requests"] == 0


def test_multi_file_summarize_stops_at_the_cap_and_resumes_from_the_cache(llm_server, tmp_path):
    billed = billing(llm_server)
    files = [str(p) for p in make_folder(tmp_path / "news", 3)]
    out = tmp_path / "out"
    proc = run_cli("summarize", *files, "--out", str(out), "--max-tokens", "8000", "--start-anyway", *endpoint(llm_server))
    stderr = proc.stderr.decode()
    assert proc.returncode == 5, stderr
    assert sum(p + c for p, c in billed) <= 8000
    written = sorted(p.name for p in out.iterdir())
    assert 0 < len(written) < 3
    assert f"budget reached: {len(written)} of 3 articles done, " in stderr and " of 8000 tokens" in stderr
    sent_first = len(llm_server.chat_requests())
    llm_server.reset()
    proc = run_cli("summarize", *files, "--out", str(out), "--max-tokens", "100000", *endpoint(llm_server))
    assert proc.returncode == 0, proc.stderr.decode()
    assert len(llm_server.chat_requests()) == 3 - sent_first  # the finished ones came from the cache
    assert len(list(out.iterdir())) == 3


class _Usage:
    """An answer's usage, as the SDK reports it: 10 prompt and 10 completion tokens."""

    prompt_tokens, completion_tokens = 10, 10


TEN_AND_TEN = _Usage()


def test_the_budget_waits_for_requests_in_flight_before_giving_up():
    """Library level: a request that does not fit beside one in flight waits for it to settle; one
    that cannot fit with nothing in flight is refused, and the budget is reached."""
    budget = Budget(max_tokens=100)

    async def scenario():
        order = []

        async def first():
            async with budget.hold(30, 50) as hold:
                await asyncio.sleep(0.05)
                order.append("first sent")
                hold.settle(TEN_AND_TEN)

        async def second():
            await asyncio.sleep(0.01)
            async with budget.hold(30, 50) as hold:  # 80 + 80 > 100: waits for the first to settle to 20
                order.append("second sent")
                hold.settle(TEN_AND_TEN)

        await asyncio.gather(first(), second())
        assert order == ["first sent", "second sent"] and budget.spent_tokens == 40
        with pytest.raises(BudgetReached):
            async with budget.hold(30, 50):  # 40 + 80 > 100 with nothing in flight
                pass

    asyncio.run(scenario())
    assert budget.reached and budget.refused == 1


def test_a_reached_budget_still_lets_a_started_article_send_a_request_that_fits():
    """Another article's big request that cannot fit reaches the budget; the small request an article
    under way still needs (a summary after its translation) fits, and is sent: refusing it would throw
    away what that article already spent. What does not fit is refused at once, nothing in flight."""
    budget = Budget(max_tokens=100)

    async def scenario():
        order = []

        async def started_article():
            async with budget.hold(20, 30) as hold:  # its translation: 50 reserved
                await asyncio.sleep(0.05)
                hold.settle(TEN_AND_TEN)  # spent 20
            order.append("translated")
            await asyncio.sleep(0.02)  # the other article's request is refused meanwhile
            async with budget.hold(20, 20) as hold:  # its summary: 20 + 40 <= 100
                hold.settle(TEN_AND_TEN)
            order.append("summarized")

        async def other_article():
            await asyncio.sleep(0.01)
            with pytest.raises(BudgetReached):
                async with budget.hold(40, 50):  # 50 + 90 > 100: waits; then 20 + 90 > 100 with nothing in flight
                    pass
            order.append("refused")

        await asyncio.gather(started_article(), other_article())
        assert order == ["translated", "refused", "summarized"]
        with pytest.raises(BudgetReached):
            async with budget.hold(40, 50):  # 40 + 90 > 100, nothing in flight: refused without waiting
                pass

    asyncio.run(scenario())
    assert budget.reached and budget.refused == 2 and budget.spent_tokens == 40


def test_session_budget_prices_from_the_settings():
    session = Session(base_url="http://127.0.0.1:9/v1", model="test-model", price_in=3.0, price_out=4.0)
    assert session.budget(max_cost_usd=1.0).prices == (3.0, 4.0)
    with pytest.raises(ConfigError, match="no known price"):
        Session(base_url="http://127.0.0.1:9/v1", model="test-model").budget(max_cost_usd=1.0)


def test_one_budget_spans_sync_runs_of_a_session(llm_server, tmp_path):
    """`Session.run` makes a new event loop per call; the budget follows it and keeps counting."""
    billed = billing(llm_server)
    paths = make_folder(tmp_path / "news", 2)
    session = Session(base_url=llm_server.base_url, model="test-model", use_cache=False)
    budget = session.budget(max_tokens=100_000)
    with session.client.budgeted(budget):
        for path in paths:
            session.run(path)
    session.close()
    assert budget.requests == 2 and budget.spent_tokens == sum(p + c for p, c in billed) > 0


def refused_estimate(server, inputs: list[str], out: Path) -> int:
    """The tokens the pre-run check estimates for `inputs` into `out` (a cap of 1 token refuses, and says it)."""
    proc = run_cli("batch", *inputs, "--out", str(out), "--max-tokens", "1", *endpoint(server))
    assert proc.returncode == 5, proc.stderr.decode()
    estimate = report(out)["budget"]["estimate"]
    return estimate["prompt_tokens"] + estimate["completion_tokens"]


def test_the_estimate_leaves_out_articles_the_cache_holds(llm_server, tmp_path):
    """The pre-run check counts only what will be sent: with 3 of 4 articles cached, a cap below the
    4-article estimate but above the remaining one's starts without --start-anyway (batch and summarize)."""
    paths = make_folder(tmp_path / "news", 4)
    full = refused_estimate(llm_server, [str(tmp_path / "news")], tmp_path / "refused-all")
    remainder = refused_estimate(llm_server, [str(paths[3])], tmp_path / "refused-one")
    assert llm_server.chat_requests() == [] and full > 2 * remainder
    cap = str((full + remainder) // 2)  # over the uncached remainder (and one request's bound), under the full estimate
    assert run_cli("batch", *map(str, paths[:3]), "--out", str(tmp_path / "warm"), *endpoint(llm_server)).returncode == 0
    llm_server.reset()

    proc = run_cli("batch", str(tmp_path / "news"), "--out", str(tmp_path / "capped"), "--max-tokens", cap, *endpoint(llm_server))
    assert proc.returncode == 0, proc.stderr.decode()
    capped = report(tmp_path / "capped")
    assert capped["done"] == 4 and capped["cache_hits"] == 3 and len(llm_server.chat_requests()) == 1
    assert capped["budget"]["estimate"]["articles"] == 1 and capped["budget"]["estimate"]["cached_articles"] == 3
    assert capped["budget"]["estimate"]["prompt_tokens"] + capped["budget"]["estimate"]["completion_tokens"] == remainder

    # multi-file summarize: the same check; the 4th article is cached by now, so a cap under one
    # article's estimate starts too, and sends nothing
    llm_server.reset()
    proc = run_cli("summarize", *map(str, paths), "--out", str(tmp_path / "briefs"), "--max-tokens", str(remainder // 2), *endpoint(llm_server))
    assert proc.returncode == 0, proc.stderr.decode()
    assert llm_server.chat_requests() == [] and len(list((tmp_path / "briefs").iterdir())) == 4
    # an uncached article still counts: the refusal names what the cache covers
    extra = make_folder(tmp_path / "more", 5)[4]
    proc = run_cli("summarize", *map(str, paths), str(extra), "--max-tokens", str(remainder // 2), *endpoint(llm_server))
    assert proc.returncode == 5 and llm_server.chat_requests() == []
    assert "the estimate for 1 article(s) (4 more come from the cache at no cost) is " in proc.stderr.decode()
