"""`summarizer batch --engine ray` on a real local Ray (`ray.init(num_cpus=2)`) against the scripted server.

Ray takes 10-30 s to start on 2 busy cores, so the in-process tests share one Ray (module fixture);
the kill test needs its own driver processes, so it starts Ray twice as a real CLI would."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from helpers import ROOT, run_cli
from scripted_server import ScriptedServer, schema_responder
from test_batch import article, article_number, batch_in_process, make_folder, manifest, outputs, slow, start_cli, wait_for
from test_budget import billing

from summarizer.api import Session
from summarizer.batch import BatchOptions

ray = pytest.importorskip("ray", reason="the 'ray' extra is not installed")

pytestmark = pytest.mark.timeout(600)
COUNTS = ("total", "done", "skipped", "failed", "requests", "cache_hits", "prompt_tokens", "completion_tokens")


@pytest.fixture(scope="module")
def local_ray(tmp_path_factory):
    """One local Ray for the module. Its workers inherit the environment ray.init sees, so it gets the
    same isolation from the user's cache and config as every test (conftest's is per test)."""
    home = tmp_path_factory.mktemp("ray-user")
    with pytest.MonkeyPatch.context() as patch:
        for var in ("SUMMARIZER_CACHE_DIR", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "SUMMARIZER_LANGUAGE_MODEL_CACHE"):
            (home / var).mkdir()
            patch.setenv(var, str(home / var))
        for var in ("OPENAI_API_KEY", "SUMMARIZER_API_KEY", "OPENAI_BASE_URL"):
            patch.delenv(var, raising=False)
        ray.init(num_cpus=2, logging_level="ERROR", include_dashboard=False)
        try:
            yield ray
        finally:
            ray.shutdown()


def ray_batch(server: ScriptedServer, inputs: list[Path], options: BatchOptions, *, actors: int = 2, cache_dir: Path, **settings):
    from summarizer.batch.ray import run_ray_batch

    session = Session(base_url=server.base_url, model="test-model", cache_dir=cache_dir, **settings)
    try:
        return run_ray_batch(session, inputs, options, actors=actors)
    finally:
        session.close()


def test_forty_articles_are_identical_to_the_local_engine(local_ray, llm_server, tmp_path):
    news = tmp_path / "news"
    make_folder(news, 40)
    local = batch_in_process(llm_server, [news], BatchOptions(out_dir=tmp_path / "local"), cache_dir=tmp_path / "cache-local")
    on_ray = ray_batch(llm_server, [news], BatchOptions(out_dir=tmp_path / "ray"), cache_dir=tmp_path / "cache-ray")

    assert len(llm_server.chat_requests()) == 80  # both engines asked for every article: no shared cache
    names = outputs(tmp_path / "local")
    assert len(names) == 40 and outputs(tmp_path / "ray") == names
    for name in names:
        assert (tmp_path / "ray" / name).read_bytes() == (tmp_path / "local" / name).read_bytes(), name
    reports = [json.loads((tmp_path / engine / "report.json").read_text()) for engine in ("local", "ray")]
    assert [reports[0][k] for k in COUNTS] == [reports[1][k] for k in COUNTS] == [getattr(on_ray, k) for k in COUNTS]
    assert (on_ray.done, on_ray.requests, on_ray.cache_hits) == (40, 40, 0) and local.done == 40
    entries = {engine: sorted((e["id"], e["output"], e["state"]) for e in manifest(tmp_path / engine)) for engine in ("local", "ray")}
    assert entries["ray"] == entries["local"]
    lines = {engine: sorted((tmp_path / engine / "results.jsonl").read_text(encoding="utf-8").splitlines()) for engine in ("local", "ray")}
    assert len(lines["ray"]) == 40 and [json.loads(x)["translation"] for x in lines["ray"]] == [json.loads(x)["translation"] for x in lines["local"]]
    assert not list((tmp_path / "ray" / ".ray-done").glob("*"))  # every record entered and removed

    again = ray_batch(llm_server, [news], BatchOptions(out_dir=tmp_path / "ray"), cache_dir=tmp_path / "cache-ray")
    assert (again.done, again.skipped, again.requests) == (0, 40, 0) and len(llm_server.chat_requests()) == 80


def test_the_concurrency_cap_holds_across_actors(local_ray, llm_server, tmp_path):
    llm_server.responder = slow(0.4)
    make_folder(tmp_path / "news", 12)
    report = ray_batch(llm_server, [tmp_path / "news"], BatchOptions(out_dir=tmp_path / "out", concurrency=4), cache_dir=tmp_path / "cache")
    assert report.done == 12
    assert llm_server.max_in_flight == 4  # 2 actors x 2 slots: both busy at once, never more

    llm_server.reset()
    report = ray_batch(llm_server, [tmp_path / "news"], BatchOptions(out_dir=tmp_path / "odd", concurrency=3), cache_dir=tmp_path / "cache-odd")
    assert report.done == 12 and llm_server.max_in_flight <= 3  # 3 over 2 actors: 1 each (2 in all), never 4


def test_bad_articles_fail_alone_on_ray(local_ray, llm_server, tmp_path):
    news = tmp_path / "news"
    make_folder(news, 2)
    (news / "empty.txt").write_text("  \n")
    report = ray_batch(llm_server, [news], BatchOptions(out_dir=tmp_path / "out"), cache_dir=tmp_path / "cache")
    assert (report.done, report.failed) == (2, 1)
    assert "empty.txt" in report.failures[0]["source"]
    failed = [e for e in manifest(tmp_path / "out") if e["state"] == "failed"]
    assert len(failed) == 1 and failed[0]["id"].endswith("empty.txt")


def test_brief_dataset_returns_result_rows(local_ray, llm_server, tmp_path):
    from summarizer.config import Settings
    from summarizer.ray import brief_dataset

    rows = [{"id": f"a{n}", "text": article_number_text(n)} for n in range(4)]
    settings = Settings(base_url=llm_server.base_url, model="test-model", cache_dir=tmp_path / "cache")
    results = sorted(brief_dataset(ray.data.from_items(rows), settings, actors=2, concurrency=2).take_all(), key=lambda r: r["id"])
    assert [r["id"] for r in results] == ["a0", "a1", "a2", "a3"] and {r["state"] for r in results} == {"done"}
    assert all(json.loads(r["result"])["translation"] for r in results) and sum(r["requests"] for r in results) == 4
    assert not list(tmp_path.glob("*.md"))  # the API writes nothing: the caller decides where results go


def article_number_text(number: int) -> str:
    from test_batch import article

    return article(number)


def odd_fast_even_slow(request):
    """Odd articles answer in 0.3 s, even ones in 4 s: an odd article's output and record are written
    long before the driver sees its row (Ray hands an actor's batches back in order, behind the slow one)."""
    reply = schema_responder(request)
    reply.delay = 0.3 if (article_number(request) or 0) % 2 else 4.0
    return reply


def test_driver_killed_mid_run_then_resumed(llm_server, tmp_path):
    llm_server.responder = odd_fast_even_slow
    make_folder(tmp_path / "news", 12)
    out = tmp_path / "out"
    args = ["batch", str(tmp_path / "news"), "-o", str(out), "--engine", "ray", "--actors", "2", "--concurrency", "2",
            "--base-url", llm_server.base_url, "--model", "test-model"]
    proc = start_cli(*args, "--cache-dir", str(tmp_path / "cache-1"))
    try:
        wait_for(lambda: out.is_dir() and len(outputs(out)) >= 2, timeout=180)
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    time.sleep(3)  # Ray's processes share the driver's fate; give them a moment to go
    written = len(outputs(out))
    time.sleep(1)
    validated = {int(name.split("-")[1].split(".")[0]) for name in outputs(out)}
    assert len(outputs(out)) == written, "a worker kept writing after its driver was killed"
    assert 2 <= len(validated) < 12
    assert len(list((out / ".ray-done").glob("*.json"))) >= 1  # finished by an actor, never seen by the driver

    llm_server.responder = schema_responder
    # a new, empty cache: an article done again would be asked again, so only the records make the resume exact
    again = run_cli(*args, "--cache-dir", str(tmp_path / "cache-2"), timeout=300)
    assert again.returncode == 0, again.stderr
    assert outputs(out) == sorted(f"artikel-{n}.md" for n in range(12))
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")] and not list((out / ".ray-done").glob("*"))
    done = Counter(e["id"] for e in manifest(out) if e["state"] == "done")
    assert len(done) == 12 and set(done.values()) == {1}
    per_article = Counter(article_number(r) for r in llm_server.chat_requests())
    for number in validated:
        assert per_article[number] == 1, per_article  # an output that existed: never asked again
    assert set(per_article) == set(range(12))
    bodies = Counter(json.dumps(r.body, sort_keys=True) for r in llm_server.chat_requests())
    assert all(count == 1 or article_number_from_body(body) not in validated for body, count in bodies.items())
    report = json.loads((out / "report.json").read_text())
    assert report["done"] + report["skipped"] == 12 and report["skipped"] >= len(validated)
    assert len((out / "results.jsonl").read_text().splitlines()) == 12


def article_number_from_body(body: str) -> int | None:
    from test_batch import MARKER

    match = MARKER.search(body)
    return int(match.group(1)) if match else None


def test_without_the_extra_engine_ray_is_one_line(llm_server, tmp_path):
    hidden = tmp_path / "hide-ray" / "ray"
    hidden.mkdir(parents=True)
    (hidden / "__init__.py").write_text("raise ImportError(\"No module named 'ray'\")\n")
    make_folder(tmp_path / "news", 1)
    proc = run_cli("batch", str(tmp_path / "news"), "-o", str(tmp_path / "out"), "--engine", "ray",
                   "--base-url", llm_server.base_url, "--model", "test-model",
                   env={"PYTHONPATH": os.pathsep.join([str(hidden.parent), str(ROOT)])})
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.decode().strip().splitlines()
    assert lines == ["error: --engine ray needs Ray, which is not installed (install the extra: pip install 'summarizer[ray]')"]
    assert not llm_server.chat_requests() and not (tmp_path / "out").exists()


def test_the_local_engine_never_imports_ray(llm_server, tmp_path):
    make_folder(tmp_path / "news", 2)
    code = (
        "import atexit, sys\nfrom summarizer.cli import main\n"
        f"sys.argv = ['summarizer', 'batch', {str(tmp_path / 'news')!r}, '-o', {str(tmp_path / 'out')!r}, '-q', "
        f"'--base-url', {llm_server.base_url!r}, '--model', 'test-model']\n"
        "atexit.register(lambda: print(sorted(name for name in sys.modules if name == 'ray' or name.startswith('ray.'))))\n"
        "main()\n"  # it ends the process (summarizer.cli.end); the exit handler prints
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode().strip() == "[]"
    assert len(outputs(tmp_path / "out")) == 2


# -- the articles are read by Ray's readers, decoded by our own loader ---------------------------
def mixed_inputs(root: Path) -> list[Path]:
    """Files in two encodings and HTML with boilerplate, a JSONL that Arrow reads as we do, and one it
    would not (a CRLF line end, a number for an id, a line that is not JSON)."""
    news = root / "news"
    make_folder(news, 3)
    (news / "lama.txt").write_bytes(("Kafe di Jakarta menaikkan harga: " + article(3)).encode("cp1252"))
    (news / "laman.html").write_text(
        "<html><head><title>Berita</title></head><body><nav>Beranda | Politik | Olahraga</nav>"
        f"<article><p>{article(4)}</p></article><footer>Hak cipta 2024</footer></body></html>", encoding="utf-8")
    (news / "kosong.txt").write_text("")
    (root / "lain").mkdir()
    (root / "lain" / "berita.txt").write_text(article(9), encoding="utf-8")  # not a news/ file: an answer of its own, never a cache hit
    clean = root / "clean.jsonl"
    clean.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [
        {"id": "r-5", "text": article(5), "lang": "id"}, {"id": "r-6", "text": article(6)}, {"id": "r-path", "path": "lain/berita.txt"},
    ]) + "\n\n", encoding="utf-8")
    dirty = root / "dirty.jsonl"
    dirty.write_bytes((json.dumps({"id": 7, "text": article(7)}) + "\r\n" + "{not json\r\n" + json.dumps({"id": "r-8", "text": article(8)}) + "\r\n").encode())
    return [news, clean, dirty]


def test_rays_readers_carry_the_articles(local_ray, tmp_path):
    from summarizer.batch import iter_items
    from summarizer.batch.ray_inputs import article_dataset

    items = list(iter_items(mixed_inputs(tmp_path)))
    for number, item in enumerate(items):
        item.output = f"out-{number}.md"
    dataset = article_dataset(ray, items).materialize()
    rows = {row["id"]: row for row in dataset.take_all()}
    assert sorted(rows) == sorted(item.id for item in items) and len(rows) == len(items)
    html = next(item for item in items if item.source.endswith("laman.html"))
    assert rows[html.id]["kind"] == "data" and rows[html.id]["data"] == html.path.read_bytes()  # bytes: our loader decodes
    assert rows["r-path"]["kind"] == "data" and rows["r-path"]["data"] == (tmp_path / "lain" / "berita.txt").read_bytes()
    assert rows["r-5"]["kind"] == "text" and rows["r-5"]["text"] == article(5)
    assert (rows["7"]["kind"], rows["7"]["text"]) == ("text", article(7))  # the dirty file's records came as rows
    assert [row["kind"] for row in rows.values()].count("problem") == 1
    stats = dataset.stats()
    assert "ReadBinary" in stats and "JSON" in stats  # read on the cluster, not shipped from the driver


def test_mixed_inputs_are_identical_to_the_local_engine(local_ray, llm_server, tmp_path):
    inputs = mixed_inputs(tmp_path)
    local = batch_in_process(llm_server, inputs, BatchOptions(out_dir=tmp_path / "local"), cache_dir=tmp_path / "cache-local")
    on_ray = ray_batch(llm_server, inputs, BatchOptions(out_dir=tmp_path / "ray"), cache_dir=tmp_path / "cache-ray")
    names = outputs(tmp_path / "local")
    assert len(names) == 10 and outputs(tmp_path / "ray") == names
    for name in names:
        assert (tmp_path / "ray" / name).read_bytes() == (tmp_path / "local" / name).read_bytes(), name
    assert [getattr(on_ray, k) for k in COUNTS] == [getattr(local, k) for k in COUNTS]
    assert (local.done, local.failed) == (10, 2)  # the empty file and the line that is not JSON
    assert sorted(f["error"] for f in on_ray.failures) == sorted(f["error"] for f in local.failures)
    entries = {engine: sorted((e["id"], e["output"], e["state"]) for e in manifest(tmp_path / engine)) for engine in ("local", "ray")}
    assert entries["ray"] == entries["local"]


# -- one spending cap for every actor -------------------------------------------------------------
def test_a_spending_cap_holds_across_actors_and_a_higher_cap_repeats_nothing(local_ray, llm_server, tmp_path):
    from summarizer.errors import ExitCode

    billed = billing(llm_server)
    make_folder(tmp_path / "news", 8)
    out = tmp_path / "out"
    capped = BatchOptions(out_dir=out, concurrency=4, max_tokens=12000, start_anyway=True)  # 2 actors x 2 requests in flight
    first = ray_batch(llm_server, [tmp_path / "news"], capped, cache_dir=tmp_path / "cache")
    assert first.exit_code == ExitCode.BUDGET
    assert sum(p + c for p, c in billed) <= 12000  # what the server billed, across both actors
    saved = json.loads((out / "report.json").read_text())
    assert saved["budget"]["spent_tokens"] == sum(p + c for p, c in billed) and saved["budget"]["reached"] is True
    assert saved["budget"]["requests"] == len(billed) and saved["exit_code"] == 5
    done = [e["id"] for e in manifest(out) if e["state"] == "done"]
    assert 0 < len(done) < 8 and first.done == len(done) and first.failed == 0
    assert saved["budget_message"] == f"budget reached: {len(done)} of 8 articles done, {sum(p + c for p, c in billed)} of 12000 tokens"
    assert {article_number(r) for r in llm_server.chat_requests()} == {int(Path(i).stem.split("-")[1]) for i in done}

    sent_first = {article_number(r) for r in llm_server.chat_requests()}
    llm_server.reset()
    billed.clear()
    again = ray_batch(llm_server, [tmp_path / "news"], BatchOptions(out_dir=out, concurrency=4, max_tokens=1_000_000), cache_dir=tmp_path / "cache")
    assert again.exit_code == ExitCode.OK and (again.done, again.skipped) == (8 - len(done), len(done))
    sent_again = {article_number(r) for r in llm_server.chat_requests()}
    assert not sent_again & sent_first and sent_again | sent_first == set(range(8))  # nothing asked twice
    total = json.loads((out / "report.json").read_text())["budget"]
    assert total["earlier_runs_tokens"] == saved["budget"]["spent_tokens"]  # the cap is on the total, as on the local engine


def test_capped_cli_on_ray_speaks_as_the_local_engine(llm_server, tmp_path):
    make_folder(tmp_path / "news", 4)
    out = tmp_path / "out"
    args = ["batch", str(tmp_path / "news"), "-o", str(out), "--engine", "ray", "--base-url", llm_server.base_url, "--model", "test-model"]
    refused = run_cli(*args, "--max-tokens", "6000")  # the estimate alone passes the cap: refused before Ray starts
    lines = [line for line in refused.stderr.decode().splitlines() if line.strip()]
    assert refused.returncode == 5 and not llm_server.chat_requests()
    assert lines[-1].startswith("error: the estimate for 4 article(s) is ") and "over the cap of 6000 tokens" in lines[-1]

    proc = run_cli(*args, "--max-tokens", "6000", "--start-anyway", "--max-output-tokens", "2000", timeout=300)
    stderr = proc.stderr.decode()
    assert proc.returncode == 5, stderr
    # at least one article is done under the cap (on failure: what the run said and its report)
    assert (out / "manifest.jsonl").is_file(), stderr + "\n" + (out / "report.json").read_text(encoding="utf-8")
    done = [e for e in manifest(out) if e["state"] == "done"]
    assert f"budget reached: {len(done)} of 4 articles done, " in stderr and " of 6000 tokens; re-run with a higher cap to resume" in stderr
    assert "Traceback" not in stderr and 1 <= len(done) < 4
