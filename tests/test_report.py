"""`summarizer report` and `build_report`: what goes into the HTML, read back from real run folders.

The browser-side behaviour (clicks, filters, inertness) is in test_report_browser.py; here: the
inputs (batch folder, JSON results, library objects), the pages' content, escaping, and that no
key or unsafe path ever gets in."""

from __future__ import annotations

import json
import re
from pathlib import Path

from helpers import SEED_000, SEED_002, run_cli
from report_support import BERAS, BERAS_EN, HOSTILE, result_for, write_results_folder
from scripted_server import ScriptedServer

from summarizer.report import build_report
from summarizer.chunking import paragraph_spans
from summarizer.report.views import host_only
from summarizer.schemas import ArticleResult

SECRET = "sk-test-DO-NOT-LEAK-4f1b2c9e"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def html_files(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in folder.glob("*.html")}


def test_batch_folder_report_through_the_cli_has_every_article_and_never_the_key(tmp_path):
    news = tmp_path / "news"
    news.mkdir()
    (news / "a.txt").write_bytes(SEED_000.read_bytes())
    (news / "b.txt").write_bytes(SEED_002.read_bytes())
    (news / "broken.txt").write_bytes(PNG)  # fails: gets a row, no page
    server = ScriptedServer(require_key=SECRET).start()
    try:
        env = {"OPENAI_API_KEY": SECRET}
        batch = run_cli("batch", str(news), "-o", str(tmp_path / "out"), "-f", "json", "--base-url", server.base_url, "--model", "test-model", "--quiet", env=env)
        assert batch.returncode == 1, batch.stderr  # one article failed
        proc = run_cli("report", str(tmp_path / "out"), env=env)
    finally:
        server.stop()
    assert proc.returncode == 0, proc.stderr
    index = Path(proc.stdout.decode().strip())
    assert index == (tmp_path / "out" / "report" / "index.html").resolve()
    pages = html_files(index.parent)
    assert sorted(pages) == ["a.html", "b.html", "index.html"]
    rows = re.findall(r'<tr data-status="(\w+)".*?<td class="file" data-value="([^"]*)"', pages["index.html"], re.S)
    assert len(rows) == 3
    assert [Path(source).name for status, source in rows if status == "failed"] == ["broken.txt"]
    for name, text in pages.items():
        assert SECRET not in text and "sk-test" not in text, name
        assert "http://" not in text and "https://" not in text, name  # no CDN, no link out, no endpoint URL
    # the source paragraphs were read back from the files and shown beside the translation
    first_paragraph = SEED_000.read_text(encoding="utf-8").strip().split("\n\n")[0].strip()
    assert first_paragraph[:40].replace("&", "&amp;").replace('"', "&#34;").replace("'", "&#39;") in pages["a.html"]
    assert f'127.0.0.1:{server.port}' in pages["a.html"]  # the endpoint host, without scheme or path


def test_report_of_json_results_folder_marks_facts_and_links_findings(tmp_path):
    folder = write_results_folder(tmp_path / "briefs")
    proc = run_cli("report", str(folder), "--out", str(tmp_path / "html"))
    assert proc.returncode == 0, proc.stderr
    page = (tmp_path / "html" / "beras.html").read_text(encoding="utf-8")
    # the changed number: red on both sides, and its finding links to paragraph 3 and to that fact
    changed = re.findall(r'<mark class="bad" data-fact="(\d+)" id="f[so]\d+" title="[^"]*">([^<]+)</mark>', page)
    fact = next(f for f, text in changed if text == "16.000")
    assert (fact, "18,000") in changed
    assert re.search(rf'<a class="goto" href="#p3" data-paragraphs="3" data-fact="{fact}">', page)
    # a matched amount: one colour class shared by its two sides
    matched = re.findall(r'<mark class="(c\d)" data-fact="(\d+)" id="f([so])\d+" title="[^"]*">Rp 15[.,]000</mark>', page)
    assert {(css, fact) for css, fact, _ in matched} and len({(css, fact) for css, fact, _ in matched}) == len(matched) // 2
    # bullets cite paragraphs; the glossary too
    assert '<li id="b1" class="bullet" data-paragraphs="2"' in page and '<a class="ref" href="#p4" data-paragraphs="4">¶4</a>' in page
    assert page.count('class="pair" id="p') == 5


def test_hostile_text_is_escaped_in_every_place_it_can_appear(tmp_path):
    folder = write_results_folder(tmp_path / "briefs")
    build_report(folder, tmp_path / "html")
    for name, text in html_files(tmp_path / "html").items():
        assert "<script>window.__pwned" not in text and "<img src=x" not in text and "<svg onload" not in text, name
        assert "</textarea></style></title>" not in text, name
        assert text.count("<script nonce=") == 1 and text.count("<script") == 1, name  # ours only
    page = (tmp_path / "html" / "hostile.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;window.__pwned = 1; alert(&#39;pwned&#39;)&lt;/script&gt;" in page
    assert "default-src &#39;none&#39;" not in page and "default-src 'none'" in page  # the CSP itself is ours, not data


def test_library_build_from_results_with_given_sources(tmp_path):
    """A Python user's path: ArticleResults in hand (plain-string bullets), the source texts given."""
    text = "Penjualan naik 7 persen.\n\nSebanyak 250 unit terjual pada 2024."
    result = ArticleResult.model_validate({
        "source": "-", "source_language": "id", "target_language": "en", "title": "Sales up",
        "translation": "Sales rose 7 percent.\n\n250 units were sold in 2024.", "summary": ["Sales rose 7 percent."],
        "glossary": [], "metadata": {"model": "local", "endpoint_host": "localhost:8080"},
    })
    index = build_report([result], tmp_path / "r", sources={"-": text})
    assert index == (tmp_path / "r" / "index.html").resolve()
    page = (tmp_path / "r" / "stdin.html").read_text(encoding="utf-8")
    assert "Penjualan naik" in page and "no source ¶" in page  # a plain string bullet cites nothing
    assert re.search(r'<mark class="c\d" data-fact="\d+" id="fs\d+" title="[^"]*">250</mark>', page)
    assert "source text not shown" not in page.lower()


def test_missing_source_shows_the_translation_and_says_why(tmp_path):
    result = result_for(BERAS, BERAS_EN)
    result["source"] = str(tmp_path / "moved-away.txt")
    build_report([result], tmp_path / "r")
    page = (tmp_path / "r" / "moved-away.html").read_text(encoding="utf-8")
    assert "Source text not shown: source file" in page and "is no longer there" in page
    assert "Statistics Indonesia (BPS)" in page and 'class="pairs single"' in page


def test_jsonl_record_source_is_read_back_from_its_line(tmp_path):
    records = tmp_path / "news.jsonl"
    records.write_text(json.dumps({"id": "x", "text": "Baris satu 5 orang.\n\nBaris dua."}) + "\n" + json.dumps({"id": "y", "text": "Lain 9."}) + "\n", encoding="utf-8")
    result = result_for(BERAS, "Line one 5 people.\n\nLine two.", summary=[], glossary=[])
    result["source"] = f"{records}:1 (id x)"
    build_report([result], tmp_path / "r")
    page = (tmp_path / "r" / "news.html").read_text(encoding="utf-8")
    assert 'lang="id">Baris ' in page and "Lain" not in page


def test_batch_results_repeated_by_a_kill_give_one_row_the_last(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    first, second = result_for(BERAS, BERAS_EN, title="First try"), result_for(BERAS, BERAS_EN, title="Second try")
    (out / "results.jsonl").write_text(json.dumps(first) + "\n" + json.dumps(second) + "\n" + '{"cut short', encoding="utf-8")
    (out / "manifest.jsonl").write_text(
        json.dumps({"id": "/x/gone.txt", "source": "gone.txt", "state": "failed", "error": "boom <b>"}) + "\n"
        + json.dumps({"id": str(BERAS), "source": str(BERAS), "state": "failed", "error": "first attempt"}) + "\n"
        + json.dumps({"id": str(BERAS), "source": str(BERAS), "state": "done", "output": "beras.json"}) + "\n",
        encoding="utf-8")
    (out / "report.json").write_text(json.dumps({"wall_seconds": 12.5}), encoding="utf-8")
    index = build_report(out, out / "report").read_text(encoding="utf-8")
    assert index.count("<tr data-status=") == 2
    assert "Second try" in index and "First try" not in index
    assert "boom &lt;b&gt;" in index and "first attempt" not in index
    assert "12.5 s" in index


def test_report_errors_are_one_line_with_exit_2(tmp_path):
    (tmp_path / "empty").mkdir()
    for args in (["report", str(tmp_path / "empty")], ["report", str(tmp_path / "nowhere")]):
        proc = run_cli(*args)
        assert proc.returncode == 2
        err = proc.stderr.decode()
        errors = [line for line in err.splitlines() if line.startswith("error:")]
        assert len(errors) == 1 and "Traceback" not in err and "--format json" in errors[0], err
    folder = write_results_folder(tmp_path / "briefs")
    (tmp_path / "file").write_text("x")
    proc = run_cli("report", str(folder), "--out", str(tmp_path / "file"))
    assert proc.returncode == 2 and "is a file" in proc.stderr.decode() and "Traceback" not in proc.stderr.decode()


def test_hostile_source_names_stay_inside_the_report_folder(tmp_path):
    result = result_for(BERAS, BERAS_EN)
    result["source"] = "../../../etc/evil name<script>.txt"
    out = tmp_path / "deep" / "r"
    build_report([result], out)
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["evil_name_script.html", "index.html"]
    assert all(p.parent == out for p in tmp_path.rglob("*.html"))


def test_paragraphs_and_host_helpers():
    text = "one\n\ntwo\n  \n\nthree\n"
    assert [text[a:b] for a, b in paragraph_spans(text)] == ["one", "two", "three"]
    other = " a\n\n\n\n b \n"
    assert [other[a:b] for a, b in paragraph_spans(other)] == ["a", "b"]
    assert host_only("user:pw@example.com:8443/v1?key=x") == "example.com:8443"
    assert host_only("http://localhost:11434") == "localhost:11434"
    assert host_only("api.openai.com") == "api.openai.com"


def test_loading_without_language_identification_keeps_the_same_text():
    """The report reloads every source; skipping language identification (2/3 of a load) must not
    change the text, or the paragraph numbers would no longer be the run's."""
    from summarizer.sources import load_source

    for path in (SEED_000, SEED_002, BERAS):
        full, fast = load_source(path), load_source(path, identify_language=False)
        assert fast.text == full.text and fast.title == full.title
        assert full.language == "id" and fast.language is None


def test_html_option_on_summarize_translate_and_batch(tmp_path):
    """--html writes the report after the run; a standard-input article keeps its source text
    (the CLI hands it over: nothing to read back)."""
    server = ScriptedServer().start()
    try:
        where = ["--base-url", server.base_url, "--model", "test-model"]
        proc = run_cli("summarize", "-", str(SEED_002), "--html", str(tmp_path / "one"), *where, input_bytes=SEED_000.read_bytes())
        assert proc.returncode == 0, proc.stderr
        assert "review report:" in proc.stderr.decode() and "# " in proc.stdout.decode()  # the briefs still print
        pages = html_files(tmp_path / "one")
        assert sorted(pages) == ["002_0c0c790569736fd7.html", "index.html", "stdin.html"]
        first = SEED_000.read_text(encoding="utf-8").split("\n\n")[0].strip()[:30]
        assert first.replace('"', "&#34;").replace("'", "&#39;") in pages["stdin.html"] and "Source text not shown" not in pages["stdin.html"]
        proc = run_cli("translate", str(SEED_002), "--html", str(tmp_path / "two"), "-o", str(tmp_path / "md"), *where)
        assert proc.returncode == 0 and (tmp_path / "two" / "002_0c0c790569736fd7.html").is_file() and (tmp_path / "md" / "002_0c0c790569736fd7.md").is_file()
        news = tmp_path / "news"
        news.mkdir()
        (news / "x.txt").write_bytes(SEED_002.read_bytes())
        proc = run_cli("batch", str(news), "-o", str(tmp_path / "out"), "--html", str(tmp_path / "three"), "--quiet", *where)
        assert proc.returncode == 0, proc.stderr
        assert sorted(html_files(tmp_path / "three")) == ["index.html", "x.html"]
    finally:
        server.stop()
