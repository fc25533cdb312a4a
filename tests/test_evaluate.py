"""`summarizer.evaluate` and the `eval` / `compare` commands: known answers, equality with sacrebleu's own
output on the real corpus, pairing (batch id, file name, unpaired items listed), the checks' counts, two
scripted-server batches that differ in one planted number, and the one-line errors of the CLI."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

import pytest
import sacrebleu
from evaluate_support import ARTICLES, PLANTED, answering, run_batches, write_lines
from helpers import ROOT, run_cli

from summarizer.api import Session
from summarizer.batch import BatchOptions, run_batch
from summarizer.errors import InputError
from summarizer.evaluate import compare, evaluate, load_texts, score_segments

CORPUS = ROOT / "tests" / "data" / "id-en-news-slice"  # lines 1-600 of the real corpus (its README)
SLICE = 600

SENTENCES = [
    "The government set aside 5 trillion rupiah for the new toll road.",
    "Thousands of residents gathered in the city square on Sunday morning.",
    "The central bank kept its benchmark rate at 6 percent for a third month.",
    "Floods cut off three villages after two days of heavy rain.",
    "The national team won the final by two goals to one.",
    "Exports of palm oil rose sharply in the first quarter of the year.",
    "The minister said the project would be finished before the end of 2026.",
    "Doctors warned that dengue cases usually climb during the rainy season.",
]


def corpus_slice(name: str, count: int = SLICE) -> list[str]:
    with (CORPUS / name).open(encoding="utf-8") as handle:
        return [next(handle).rstrip("\n") for _ in range(count)]


# -- known answers --------------------------------------------------------------------------------
def test_identical_texts_score_chrf_100_bleu_100_ter_0(tmp_path):
    hyp = write_lines(tmp_path / "hyp.txt", SENTENCES)
    ref = write_lines(tmp_path / "ref.txt", SENTENCES)
    report = evaluate(hyp, ref)
    assert (report.corpus.chrf, report.corpus.ter) == (100.0, 0.0)
    assert report.corpus.bleu == pytest.approx(100.0)  # sacrebleu's BLEU is exp(sum of logs): 100.00000000000004
    assert report.segments == len(SENTENCES) and report.unpaired_hyp == report.unpaired_ref == []


def test_shuffled_and_empty_hypotheses_score_low(tmp_path):
    shuffled = SENTENCES[1:] + SENTENCES[:1]  # every line now holds another sentence
    scores = score_segments(shuffled, SENTENCES)
    assert scores.chrf < 30 and scores.bleu < 10 and scores.ter > 60
    empty = score_segments([""] * len(SENTENCES), SENTENCES)
    assert (empty.chrf, empty.bleu, empty.ter) == (0.0, 0.0, 100.0)
    # one bad line among good ones lowers the corpus score, and less than a wholly wrong text does
    one_wrong = score_segments(SENTENCES[:-1] + [SENTENCES[0]], SENTENCES)
    assert scores.chrf < one_wrong.chrf < 100


# -- the real corpus --------------------------------------------------------------------------------
@pytest.mark.parametrize("system", ["gnmt", "gareng"])
def test_scores_equal_sacrebleu_on_a_slice_of_the_real_corpus(tmp_path, system):
    hyps, refs = corpus_slice(f"{system}.en.txt"), corpus_slice("reference.en.txt")
    hyp_file, ref_file = write_lines(tmp_path / f"{system}.txt", hyps), write_lines(tmp_path / "ref.txt", refs)
    report = evaluate(hyp_file, ref_file, lines_per_article=100)
    assert report.corpus.chrf == sacrebleu.corpus_chrf(hyps, [refs]).score
    assert report.corpus.bleu == sacrebleu.corpus_bleu(hyps, [refs]).score
    assert report.corpus.ter == sacrebleu.corpus_ter(hyps, [refs]).score
    assert len(report.articles) == SLICE // 100
    third = report.articles[2]
    assert third.name == "lines-00201-00300"
    assert third.scores.chrf == sacrebleu.corpus_chrf(hyps[200:300], [refs[200:300]]).score
    assert third.scores.bleu == sacrebleu.corpus_bleu(hyps[200:300], [refs[200:300]]).score
    assert "nc:6" in report.signatures["chrf"] and "tok:13a" in report.signatures["bleu"]


def test_eval_cli_json_contract_gives_sacrebleus_numbers(tmp_path):
    hyps, refs = corpus_slice("gnmt.en.txt", 200), corpus_slice("reference.en.txt", 200)
    hyp_file, ref_file = write_lines(tmp_path / "gnmt.txt", hyps), write_lines(tmp_path / "ref.txt", refs)
    proc = run_cli("eval", str(hyp_file), "--ref", str(ref_file), "--format", "json", "--lines-per-article", "50")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert set(data["corpus"]) == {"chrf", "bleu", "ter"}
    assert data["corpus"]["chrf"] == sacrebleu.corpus_chrf(hyps, [refs]).score
    assert data["corpus"]["bleu"] == sacrebleu.corpus_bleu(hyps, [refs]).score
    assert data["corpus"]["ter"] == sacrebleu.corpus_ter(hyps, [refs]).score
    assert [a["name"] for a in data["articles"]] == ["lines-00001-00050", "lines-00051-00100", "lines-00101-00150", "lines-00151-00200"]
    assert data["articles"][0]["scores"]["chrf"] == sacrebleu.corpus_chrf(hyps[:50], [refs[:50]]).score

    md = run_cli("eval", str(hyp_file), "--ref", str(ref_file), "--metric", "chrf")
    assert md.returncode == 0, md.stderr
    assert f"| **corpus** | {sacrebleu.corpus_chrf(hyps, [refs]).score:.2f} | 200 |" in md.stdout.decode()


# -- pairing ----------------------------------------------------------------------------------------
def test_folders_pair_by_file_name_and_list_the_unpaired(tmp_path):
    for name, lines in {"a": SENTENCES[:3], "b": SENTENCES[3:6], "sub/c": SENTENCES[6:], "extra": SENTENCES[:2]}.items():
        write_lines(tmp_path / "hyp" / f"{name}.txt", lines)
    for name, lines in {"a": SENTENCES[:3], "b": SENTENCES[3:6][::-1], "sub/c": SENTENCES[6:], "missing": SENTENCES[:1]}.items():
        write_lines(tmp_path / "ref" / f"{name}.txt", lines)
    (tmp_path / "hyp" / "notes.md").write_text("not a .txt file: ignored\n", encoding="utf-8")
    report = evaluate(tmp_path / "hyp", tmp_path / "ref", metrics=["chrf"])
    assert sorted(a.name for a in report.articles) == ["a", "b", "sub/c"]
    assert report.unpaired_hyp == ["extra"] and report.unpaired_ref == ["missing"]
    by_name = {a.name: a for a in report.articles}
    assert by_name["a"].scores.chrf == 100.0 and by_name["sub/c"].scores.chrf == 100.0
    assert by_name["b"].scores.chrf < 50  # its lines pair by number: reversed lines do not match
    # the corpus is every paired segment, the unpaired ones left out
    paired_h = SENTENCES[:3] + SENTENCES[3:6] + SENTENCES[6:]
    paired_r = SENTENCES[:3] + SENTENCES[3:6][::-1] + SENTENCES[6:]
    assert report.corpus.chrf == pytest.approx(sacrebleu.corpus_chrf(paired_h, [paired_r]).score, abs=1e-9)

    proc = run_cli("eval", str(tmp_path / "hyp"), "--ref", str(tmp_path / "ref"), "--metric", "chrf")
    assert proc.returncode == 0, proc.stderr
    assert "only in the hypotheses, not scored (1): `extra`" in proc.stdout.decode()
    assert "only in the references, not scored (1): `missing`" in proc.stdout.decode()


def test_an_article_far_below_the_corpus_is_an_outlier(tmp_path):
    for number in range(6):
        lines = [f"{s} Report {number}." for s in SENTENCES]
        write_lines(tmp_path / "ref" / f"n{number}.txt", lines)
        write_lines(tmp_path / "hyp" / f"n{number}.txt", lines if number != 4 else [s[::-1] for s in lines])
    report = evaluate(tmp_path / "hyp", tmp_path / "ref", metrics=["chrf", "bleu"])
    assert report.outliers == ["n4"]
    assert [a.name for a in report.articles if a.outlier] == ["n4"]
    assert evaluate(tmp_path / "hyp", tmp_path / "ref", metrics=["chrf"], outlier_margin=100).outliers == []


def test_checks_counts_come_from_the_sources_when_given(tmp_path):
    write_lines(tmp_path / "src" / "harga.txt", ["Harga beras naik menjadi Rp 12.500 per kilogram di Jakarta pada hari Senin."])
    write_lines(tmp_path / "good" / "harga.txt", ["The price of rice rose to IDR 12,500 per kilogram in Jakarta on Monday."])
    write_lines(tmp_path / "bad" / "harga.txt", ["The price of rice rose to IDR 15,500 per kilogram in Jakarta on Monday."])
    good = evaluate(tmp_path / "good", tmp_path / "good", source=tmp_path / "src")
    bad = evaluate(tmp_path / "bad", tmp_path / "good", source=tmp_path / "src")
    assert (good.articles[0].errors, bad.articles[0].errors) == (0, 1)
    assert bad.errors == 1
    assert evaluate(tmp_path / "bad", tmp_path / "good").articles[0].errors is None  # no source: unknown, not 0


# -- two scripted-server batches --------------------------------------------------------------------
def test_compare_two_batches_the_planted_number_is_one_more_error(llm_server, tmp_path):
    run_a, run_b = run_batches(llm_server, tmp_path)
    report = compare(run_a, run_b)
    assert (report.run_a, report.run_b) == ("run-a", "run-b")
    totals_a, totals_b = report.totals["run-a"], report.totals["run-b"]
    assert totals_b.errors == totals_a.errors + 1
    assert report.winner == "run-a" and report.decided_by == "errors" and report.margin == 1
    rows = {row.name: row for row in report.articles}
    assert set(rows) == set(ARTICLES)
    assert rows["banjir"].winner == "run-a" and rows["banjir"].b.errors == rows["banjir"].a.errors + 1
    assert rows["harga"].winner is None and rows["ekspor"].winner is None
    assert report.wins == {"run-a": 1, "run-b": 0, "tie": 2}
    # what each batch recorded, per article and in total
    assert rows["harga"].a.prompt_tokens == 300 and rows["harga"].a.completion_tokens == 120
    assert totals_a.prompt_tokens == 900 and totals_a.requests == 3 and totals_a.cache_hits == 0
    assert rows["harga"].a.latency_seconds is not None and rows["harga"].a.cost_usd is None  # a local server costs nothing

    refs = tmp_path / "refs"
    for name, (_, english) in ARTICLES.items():
        write_lines(refs / f"{name}.txt", [english])
    scored = compare(run_a, run_b, ref=refs, metrics=["chrf", "bleu"])
    assert scored.totals["run-a"].scores.chrf == 100.0 and scored.totals["run-b"].scores.chrf < 100.0
    assert scored.winner == "run-a" and scored.decided_by == "chrf" and scored.margin > 0
    assert {row.name: row.winner for row in scored.articles} == {"harga": None, "banjir": "run-a", "ekspor": None}

    proc = run_cli("compare", str(run_a), str(run_b), "--ref", str(refs), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["winner"] == "run-a" and len(data["articles"]) == 3
    assert data["totals"]["run-b"]["errors"] == data["totals"]["run-a"]["errors"] + 1
    md = run_cli("compare", str(run_a), str(run_b))
    assert md.returncode == 0, md.stderr
    assert "Overall: **run-a** wins by 1.00 (errors)." in md.stdout.decode()

    # eval reads a batch folder: its translations, and the checks it recorded
    evaluated = evaluate(run_b, refs, metrics=["chrf"])
    assert {a.name: a.errors for a in evaluated.articles}["banjir"] == 1
    assert evaluated.corpus.chrf == sacrebleu.corpus_chrf(
        [ARTICLES[n][1].replace(*PLANTED) for n in ("banjir", "ekspor", "harga")],
        [[ARTICLES[n][1] for n in ("banjir", "ekspor", "harga")]]).score


def test_batches_pair_by_id_even_when_names_repeat(llm_server, tmp_path):
    # two inputs named alike in different folders: only the batch id tells them apart
    news = tmp_path / "news"
    write_lines(news / "jakarta" / "harga.txt", [ARTICLES["harga"][0]])
    write_lines(news / "bekasi" / "harga.txt", [ARTICLES["banjir"][0]])
    llm_server.models = ["model-a", "model-b"]
    llm_server.responder = answering({"model-b": lambda text: text.replace(*PLANTED)})
    for model, folder in (("model-a", "a"), ("model-b", "b")):
        async def run(model=model, folder=folder):
            async with Session(base_url=llm_server.base_url, model=model) as session:
                return await run_batch(session, [news], BatchOptions(out_dir=tmp_path / folder))

        assert asyncio.run(run()).done == 2
    loaded = load_texts(tmp_path / "a")
    assert [d.name for d in loaded.documents] == ["harga", "harga"] and len({d.id for d in loaded.documents}) == 2
    report = compare(tmp_path / "a", tmp_path / "b")
    assert report.unpaired_a == report.unpaired_b == []
    assert all(row.id is not None for row in report.articles) and len(report.articles) == 2
    assert report.wins == {"a": 1, "b": 0, "tie": 1}  # the flood article (planted number) is paired with itself


def test_jsonl_batch_pairs_with_a_reference_folder_by_record_id(llm_server, tmp_path):
    records = tmp_path / "records.jsonl"
    lines = [json.dumps({"id": name, "text": source}) for name, (source, _) in ARTICLES.items()]
    lines.append(json.dumps({"text": ARTICLES["harga"][0]}))  # line 4, no id: named after its output, records-4
    records.write_text("\n".join(lines) + "\n", encoding="utf-8")
    llm_server.models = ["model-a"]
    llm_server.responder = answering({})

    async def run():
        async with Session(base_url=llm_server.base_url, model="model-a") as session:
            return await run_batch(session, [records], BatchOptions(out_dir=tmp_path / "out"))

    assert asyncio.run(run()).done == 4
    refs = tmp_path / "refs"
    for name, (_, english) in list(ARTICLES.items())[:2]:
        write_lines(refs / f"{name}.txt", [english])
    report = evaluate(tmp_path / "out", refs, metrics=["chrf"])
    assert sorted(a.name for a in report.articles) == ["banjir", "harga"]
    assert [a.id for a in report.articles] == [a.name for a in report.articles]
    assert report.corpus.chrf == 100.0 and sorted(report.unpaired_hyp) == ["ekspor", "records-4"]


# -- bad input: one line, exit 2 --------------------------------------------------------------------
def one_error_line(proc) -> str:
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert proc.stdout == b""
    lines = proc.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in proc.stderr.decode(), lines
    return lines[0]


def test_cli_one_line_errors(tmp_path):
    hyp = write_lines(tmp_path / "hyp.txt", SENTENCES)
    short = write_lines(tmp_path / "short.txt", SENTENCES[:-1])
    line = one_error_line(run_cli("eval", str(hyp), "--ref", str(short)))
    assert str(hyp) in line and str(short) in line and "8 lines" in line and "7" in line and "--segments article" in line

    empty = tmp_path / "empty.txt"
    empty.write_text(" \n\n", encoding="utf-8")
    line = one_error_line(run_cli("eval", str(empty), "--ref", str(hyp)))
    assert str(empty) in line and "empty" in line

    (tmp_path / "h").mkdir(), (tmp_path / "r").mkdir()
    write_lines(tmp_path / "h" / "one.txt", SENTENCES)
    write_lines(tmp_path / "r" / "two.txt", SENTENCES)
    line = one_error_line(run_cli("compare", str(tmp_path / "h"), str(tmp_path / "r")))
    assert "nothing to pair" in line and "one" in line and "two" in line

    (tmp_path / "nothing").mkdir()
    line = one_error_line(run_cli("eval", str(tmp_path / "nothing"), "--ref", str(hyp)))
    assert "nothing to evaluate" in line

    line = one_error_line(run_cli("eval", str(hyp), "--ref", str(hyp), "--metric", "chrf,meteor"))
    assert "meteor" in line and "chrf, bleu" in line
    line = one_error_line(run_cli("eval", str(hyp)))
    assert "--ref" in line
    verbose = run_cli("eval", str(hyp), "--ref", str(short), "--verbose")
    assert verbose.returncode == 2 and b"Traceback" in verbose.stderr  # only with --verbose
    # --segments article scores mismatched files as one segment each instead
    proc = run_cli("eval", str(hyp), "--ref", str(short), "--segments", "article", "--format", "json")
    assert proc.returncode == 0 and json.loads(proc.stdout)["segments"] == 1


def test_missing_sacrebleu_names_the_extra(tmp_path):
    blocker = tmp_path / "block" / "sacrebleu"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text("raise ImportError('No module named sacrebleu')\n", encoding="utf-8")
    hyp = write_lines(tmp_path / "hyp.txt", SENTENCES)
    line = one_error_line(run_cli("eval", str(hyp), "--ref", str(hyp), env={"PYTHONPATH": str(tmp_path / "block")}))
    assert "summarizer[eval]" in line


def test_same_folder_names_are_told_apart_by_path(tmp_path):
    for side in ("x", "y"):
        write_lines(tmp_path / side / "out" / "a.txt", SENTENCES)
    report = compare(tmp_path / "x" / "out", tmp_path / "y" / "out", ref=tmp_path / "x" / "out")
    assert report.run_a != report.run_b and report.winner is None and report.wins["tie"] == 1
    with pytest.raises(InputError):
        load_texts(tmp_path / "nope")


@pytest.mark.parametrize("command", ["eval", "compare"])
def test_every_option_has_help(command):
    import typer

    from summarizer.cli import app

    options = [p for p in typer.main.get_command(app).commands[command].params if isinstance(p, typer.core.TyperOption)]
    assert {"--ref", "--metric", "--format", "--source"} <= {name for p in options for name in p.opts}
    assert all(p.help for p in options), [p.opts for p in options if not p.help]
    proc = run_cli(command, "--help")
    assert proc.returncode == 0 and b"--lines-per-article" in proc.stdout


def test_the_cli_imports_neither_sacrebleu_nor_the_evaluator_to_start():
    code = "import sys, summarizer.cli; print(sorted(m for m in ('sacrebleu', 'summarizer.evaluate') if m in sys.modules))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 0 and proc.stdout.strip() == "[]", proc.stderr


def test_hosted_runs_cost_what_the_price_list_says(tmp_path):
    from summarizer.schemas import ArticleResult, RunMetadata, Usage

    for folder, host in (("hosted", "api.openai.com"), ("local", "127.0.0.1:8080")):
        result = ArticleResult(
            source=str(tmp_path / "news" / "harga.txt"), source_language="id", target_language="en", title="t",
            translation=ARTICLES["harga"][1], summary=[], glossary=[],
            metadata=RunMetadata(model="gpt-4o-mini", endpoint_host=host, usage=Usage(prompt_tokens=1000, completion_tokens=500),
                                 requests=1, cache_hits=1, timings={"total": 1.5}),
        )
        write_lines(tmp_path / folder / "results.jsonl", [result.model_dump_json()])
    report = compare(tmp_path / "hosted", tmp_path / "local")
    hosted, local = report.totals["hosted"], report.totals["local"]
    assert hosted.cost_usd == pytest.approx((1000 * 0.15 + 500 * 0.60) / 1_000_000) and local.cost_usd is None
    assert (hosted.cache_hits, hosted.latency_seconds, hosted.errors) == (1, 1.5, 0)
    assert report.winner is None and report.wins == {"hosted": 0, "local": 0, "tie": 1}  # no manifest: paired by name


def test_every_measure_a_compare_side_shows_is_one_the_batch_records():
    from summarizer.evaluate.models import RUN_MEASURES, RunSide, RunStats

    assert set(RunSide.model_fields) - {"scores", "errors", "warnings"} == set(RUN_MEASURES)
    assert set(RUN_MEASURES) <= set(RunStats.model_fields)
