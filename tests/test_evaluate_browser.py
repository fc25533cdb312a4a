"""`compare --html` in a real headless Chromium (Debian's, driven by Playwright), from file://: the index
and an article page load without console errors, the verdicts are shown, the source stands beside both
translations with the planted number marked in run B's column only, and hostile text stays inert."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_support import chromium, require_browser, watched_page
from evaluate_support import ARTICLES, run_batches, write_lines
from helpers import run_cli
from scripted_server import ScriptedServer

HOSTILE = '<img src=x onerror="alert(1)"><script>alert(2)</script>'


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> Path:
    require_browser()
    tmp = tmp_path_factory.mktemp("compare")
    with ScriptedServer() as server:
        run_a, run_b = run_batches(server, tmp)
    refs = tmp / "refs"
    for name, (_, english) in ARTICLES.items():
        write_lines(refs / f"{name}.txt", [english])
    proc = run_cli("compare", str(run_a), str(run_b), "--ref", str(refs), "--metric", "chrf,bleu", "--html", str(tmp / "duel"))
    assert proc.returncode == 0, proc.stderr
    assert f"wrote {tmp / 'duel' / 'index.html'}" in proc.stderr.decode() and b"Overall: **run-a**" in proc.stdout
    return tmp / "duel"


@pytest.fixture(scope="module")
def browser(pages):
    with chromium() as browser:
        yield browser


@pytest.fixture
def page(browser):
    """A page that records console errors, page errors and dialogs (each dialog is dismissed)."""
    with watched_page(browser) as page:
        yield page


def test_index_shows_who_wins_where(page, pages):
    page.goto((pages / "index.html").as_uri())
    assert page.problems == []
    assert page.text_content("#verdict").split()[:3] == ["run-a", "wins", "by"]
    assert "articles won: run-a 1, run-b 0, tie 2" in " ".join(page.text_content("#verdict").split())
    winners = page.eval_on_selector_all("#duel tbody tr", "rows => rows.map(r => [r.cells[0].textContent.trim(), r.dataset.winner])")
    assert sorted(winners) == [["banjir", "run-a"], ["ekspor", ""], ["harga", ""]]
    totals = page.eval_on_selector_all("#totals tbody tr", "rows => rows.map(r => r.cells[1].textContent.trim())")
    assert totals[0] == "100.00" and float(totals[1]) < 100


def test_article_page_puts_the_source_beside_both_translations(page, pages):
    page.goto((pages / "index.html").as_uri())
    page.click("#duel a:text('banjir')")
    page.wait_for_load_state()
    assert page.url.endswith("/banjir.html") and page.problems == []
    head = page.eval_on_selector_all(".pairs.trio .pair.head > span", "cells => cells.map(c => c.textContent.trim())")
    assert head == ["¶", "Source", "run-a", "run-b"]
    assert "1.200 rumah" in page.text_content("#p1 .src")
    assert "1,200 houses" in page.text_content("#p1 .out.a") and "1,900 houses" in page.text_content("#p1 .out.b")
    # the changed number is marked in run B's column, nothing in run A's
    assert page.eval_on_selector_all("#p1 .out.a mark.bad", "marks => marks.length") == 0
    assert "1,900" in " ".join(page.eval_on_selector_all("#p1 .out.b mark.bad", "marks => marks.map(m => m.textContent)"))
    errors = page.eval_on_selector_all(".findings .side", "sides => sides.map(s => s.querySelectorAll('.sev-error').length)")
    assert errors[1] == errors[0] + 1
    # three columns side by side at desktop width, stacked at phone width
    boxes = page.eval_on_selector_all("#p1 > div", "cells => cells.map(c => Math.round(c.getBoundingClientRect().top))")
    assert len(set(boxes)) == 1
    page.set_viewport_size({"width": 390, "height": 800})
    tops = page.eval_on_selector_all("#p1 > div", "cells => cells.map(c => Math.round(c.getBoundingClientRect().top))")
    assert tops == sorted(tops) and len(set(tops)) == 3
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_hostile_text_is_shown_not_run(page, tmp_path):
    for side, text in (("a", f"The minister spoke. {HOSTILE}"), ("b", "The minister spoke.")):
        write_lines(tmp_path / side / "x.txt", [text])
    write_lines(tmp_path / "src" / "x.txt", [f"Menteri berbicara. {HOSTILE}"])
    proc = run_cli("compare", str(tmp_path / "a"), str(tmp_path / "b"), "--source", str(tmp_path / "src"), "--html", str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stderr
    page.goto((tmp_path / "out" / "x.html").as_uri())
    page.wait_for_timeout(200)
    assert page.dialogs == [] and page.problems == []
    assert HOSTILE in page.text_content("#p1 .out.a") and HOSTILE in page.text_content("#p1 .src")
    assert page.eval_on_selector_all("main img, main script", "els => els.length") == 0
