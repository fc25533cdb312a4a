"""The HTML review report in a real headless Chromium (Debian's, driven by Playwright), from file://.

Checks what a reviewer relies on: no console errors, the filters hide rows, sorting, a click on a
finding or a bullet scrolls to and highlights its paragraph, and a hostile article stays inert
(its `<script>`/`onerror` shows as text; nothing runs, no dialog). Screenshots at 1280 px and at a
phone width; UPDATE_README_SCREENSHOT=1 also refreshes docs/report-article.png for the README.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from browser_support import chromium, require_browser, watched_page
from helpers import ROOT
from report_support import HOSTILE, write_results_folder

from summarizer.report import build_report

README_SCREENSHOT = ROOT / "docs" / "report-article.png"


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    require_browser()
    folder = write_results_folder(tmp_path_factory.mktemp("results") / "briefs")
    return build_report(folder, folder / "report").parent


@pytest.fixture(scope="module")
def browser(report):
    with chromium() as browser:
        yield browser


@pytest.fixture
def page(browser):
    """A page that records console errors, page errors and dialogs (each dialog is dismissed)."""
    with watched_page(browser) as page:
        yield page


def visible_rows(page) -> list[str]:
    return page.eval_on_selector_all("#articles tbody tr:not([hidden])", "rows => rows.map(r => r.cells[1].textContent.trim())")


def in_viewport(page, selector: str) -> bool:
    return page.eval_on_selector(selector, "el => { const r = el.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }")


def test_index_loads_without_console_errors_and_shows_totals(page, report):
    page.goto((report / "index.html").as_uri())
    assert page.problems == []
    assert len(visible_rows(page)) == 3
    assert page.text_content("#shown") == "3 of 3 shown"
    totals = page.text_content(".totals")
    assert "3,040" in totals  # 1200+450 + 300+90 + 800+200 tokens
    assert page.text_content(".totals .card:first-child .num") == "3"
    assert page.text_content(".totals .card:nth-child(2) .num") == "1"  # with errors: the rice article


def test_index_filters_hide_rows(page, report):
    page.goto((report / "index.html").as_uri())
    page.check("#filter-errors")
    rows = visible_rows(page)
    assert len(rows) == 1 and rows[0].endswith("beras.txt")  # the changed 16.000 -> 18,000 is an error
    assert page.text_content("#shown") == "1 of 3 shown"
    page.uncheck("#filter-errors")
    page.select_option("#filter-model", "llama3.1")
    assert [Path(r).name for r in visible_rows(page)] == ["clean.txt"]
    page.select_option("#filter-model", "")
    page.fill("#filter-text", "hostile")
    assert [Path(r).name for r in visible_rows(page)] == ["hostile.txt"]
    assert page.problems == []


def test_index_sorts_by_a_column(page, report):
    page.goto((report / "index.html").as_uri())
    page.click("th:has-text('Tokens')")
    names = [Path(r).name for r in visible_rows(page)]
    assert names[0] == "clean.txt"  # 390 tokens, the fewest
    page.click("th:has-text('Tokens')")
    assert [Path(r).name for r in visible_rows(page)] == names[::-1]
    assert page.get_attribute("th:has-text('Tokens')", "aria-sort") == "descending"


def test_clicking_a_finding_scrolls_to_and_highlights_its_paragraph(page, report):
    page.set_viewport_size({"width": 1280, "height": 400})  # short, so the paragraph is out of sight first
    page.goto((report / "beras.html").as_uri())
    assert page.problems == []
    finding = page.locator("a.goto", has_text="16.000").first
    assert finding.get_attribute("data-paragraphs") == "3"
    finding.scroll_into_view_if_needed()  # the findings list is below the text: the click must scroll up to it
    assert not in_viewport(page, "#p3")
    finding.click()
    page.wait_for_function("() => document.getElementById('p3').classList.contains('flash')")
    page.wait_for_function("() => { const r = document.getElementById('p3').getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }")
    assert page.eval_on_selector_all(".pair.flash", "els => els.map(e => e.id)") == ["p3"]
    # the changed number is marked on both sides, and the click outlines both
    marks = page.eval_on_selector_all("#p3 mark.bad.focus", "els => els.map(e => e.textContent)")
    assert sorted(marks) == ["16.000", "18,000"]


def test_clicking_a_bullet_highlights_the_paragraphs_it_cites(page, report):
    page.goto((report / "beras.html").as_uri())
    page.click("#b3 .btext")
    page.wait_for_function("() => document.getElementById('p4').classList.contains('flash')")
    assert page.eval_on_selector_all(".pair.flash", "els => els.map(e => e.id)") == ["p4"]
    assert "active" in page.get_attribute("#b3", "class")
    page.click("#b1 a.ref")
    page.wait_for_function("() => document.getElementById('p2').classList.contains('flash')")
    assert page.eval_on_selector_all(".pair.flash", "els => els.map(e => e.id)") == ["p2"]


def test_clicking_a_finding_about_the_summary_shows_its_bullet(page, report):
    page.set_viewport_size({"width": 1280, "height": 400})
    page.goto((report / "beras.html").as_uri())
    finding = page.locator("a.goto", has_text="Rp 20,000").first
    assert finding.get_attribute("data-bullet") == "4"
    finding.scroll_into_view_if_needed()
    finding.click()
    page.wait_for_function("() => document.getElementById('b4').classList.contains('active')")
    page.wait_for_function("() => { const r = document.getElementById('b4').getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }")
    assert page.problems == []


def test_matched_facts_share_a_colour_on_both_sides(page, report):
    page.goto((report / "beras.html").as_uri())
    pairs = page.eval_on_selector_all(
        "#p2 mark[data-fact]",
        "els => els.map(e => [e.dataset.fact, e.className, getComputedStyle(e).backgroundColor, e.closest('.src') ? 'src' : 'out', e.textContent])",
    )
    by_fact: dict[str, list] = {}
    for fact, css, colour, side, text in pairs:
        by_fact.setdefault(fact, []).append((css, colour, side, text))
    both_sides = [marks for marks in by_fact.values() if {m[2] for m in marks} == {"src", "out"}]
    assert len(both_sides) >= 3, pairs  # 3 Juli 2025 / 12 persen / Rp 15.000
    for marks in both_sides:
        assert len({(m[0], m[1]) for m in marks}) == 1, marks  # same class, same computed colour
    texts = {m[3] for marks in both_sides for m in marks}
    assert {"Rp 15.000", "Rp 15,000"} <= texts


def test_hostile_article_stays_inert(page, report):
    page.goto((report / "hostile.html").as_uri())
    page.wait_for_timeout(300)  # an onerror/onload would have fired by now
    assert page.dialogs == []
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.evaluate("document.querySelectorAll('main script, main img, main svg, main textarea').length") == 0
    assert HOSTILE[0] in page.text_content("h1")
    assert HOSTILE[0] in page.text_content("#p1 .src")
    assert HOSTILE[1].split("<svg")[0] in page.text_content("#p2 .out")
    assert HOSTILE[0] in page.text_content(".warnings")
    assert page.problems == []
    page.goto((report / "index.html").as_uri())
    page.wait_for_timeout(200)
    assert page.dialogs == [] and page.evaluate("typeof window.__pwned") == "undefined"
    assert HOSTILE[0] in page.text_content("#articles")


@pytest.mark.parametrize("width,height", [(1280, 900), (390, 844)])
def test_screenshots_at_desktop_and_phone_width(browser, report, tmp_path, width, height):
    context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=1)
    page = context.new_page()
    for name in ("index", "hostile", "beras"):
        page.goto((report / f"{name}.html").as_uri())
        shot = tmp_path / f"{name}-{width}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
        # nothing wider than the viewport: the phone layout stacks source above translation
        overflow = page.evaluate("document.documentElement.scrollWidth - innerWidth")
        assert overflow <= 0, f"{name} at {width}px is {overflow}px wider than the screen"
    if width == 390:
        src, out = page.eval_on_selector("#p2 .src", "e => e.getBoundingClientRect().toJSON()"), page.eval_on_selector("#p2 .out", "e => e.getBoundingClientRect().toJSON()")
        assert out["top"] >= src["bottom"] - 1  # stacked
    if width == 1280:
        src, out = page.eval_on_selector("#p2 .src", "e => e.getBoundingClientRect().toJSON()"), page.eval_on_selector("#p2 .out", "e => e.getBoundingClientRect().toJSON()")
        assert abs(out["top"] - src["top"]) < 1 and out["left"] >= src["right"] - 1  # side by side, aligned
        if os.environ.get("UPDATE_README_SCREENSHOT") == "1":
            README_SCREENSHOT.parent.mkdir(exist_ok=True)
            page.goto((report / "beras.html").as_uri())
            page.click("a.goto >> nth=0")
            page.wait_for_timeout(400)
            page.screenshot(path=str(README_SCREENSHOT), full_page=True)
            shutil.copy(README_SCREENSHOT, tmp_path / "readme.png")
    context.close()
