"""A real headless Chromium for the report tests: Debian's /usr/bin/chromium driven by Playwright.

Never `playwright install`: the browser comes from the system package (see .ci/run). Without it the
browser tests skip with the reason, except under CI=true, where they must run.
"""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from typing import Iterator

import pytest

CHROMIUM = os.environ.get("SUMMARIZER_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def require_browser() -> None:
    """Skip (outside CI) when there is no browser to drive."""
    missing = []
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright package (pip install -e '.[test]')")
    if not os.path.isfile(CHROMIUM):
        missing.append("Debian's chromium (apt-get install -y chromium)")
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail("browser tests must run under CI; missing " + " and ".join(missing))
        pytest.skip("no browser for the report tests: missing " + " and ".join(missing))


@contextmanager
def chromium() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def watched_page(browser, width: int = 1280, height: int = 900) -> Iterator[object]:
    """A page in a new context that records console errors and warnings, page errors and dialogs
    (each dialog is dismissed) in `page.problems` and `page.dialogs`."""
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.problems, page.dialogs = [], []
    page.on("console", lambda message: message.type in ("error", "warning") and page.problems.append(f"console {message.type}: {message.text}"))
    page.on("pageerror", lambda exc: page.problems.append(f"page error: {exc}"))

    def on_dialog(dialog):
        page.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    try:
        yield page
    finally:
        context.close()
