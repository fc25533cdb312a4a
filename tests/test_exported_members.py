"""The public API is pinned, so a refactor cannot drop or rename a name silently (httpx's
`tests/test_exported_members.py` does the same). Changing one of these lists is an API change:
say so in the changelog, do not just update the test."""

from __future__ import annotations

import inspect
import tomllib
from importlib.metadata import entry_points

import summarizer
import summarizer.api
from helpers import ROOT, run_cli

PACKAGE_ALL = [
    "ArticleResult",
    "Session",
    "Settings",
    "SummarizerError",
    "estimate",
    "load_settings",
    "summarize",
    "translate",
]

# Names `summarizer.api` defines itself.
API_DEFINED = ["Estimate", "Session", "embedded_server", "estimate", "summarize", "translate"]

# Names `summarizer.api` imports that its signatures use, so callers may import them from it too.
API_REEXPORTED = ["ArticleResult", "CleanedSource", "Plan", "Settings", "Task", "load_settings"]

SESSION_PUBLIC = ["aclose", "arun", "budget", "check_ready", "close", "estimate", "load", "plan", "run", "warm_up"]

CONSOLE_SCRIPTS = {"summarizer": "summarizer.cli:main"}


def test_package_all_is_pinned_and_sorted() -> None:
    assert summarizer.__all__ == PACKAGE_ALL
    assert summarizer.__all__ == sorted(summarizer.__all__)  # classes first, then functions


def test_every_name_in_package_all_resolves_to_the_api_object() -> None:
    from summarizer.config import Settings, load_settings
    from summarizer.errors import SummarizerError
    from summarizer.schemas import ArticleResult

    expected = {
        "ArticleResult": ArticleResult,
        "Session": summarizer.api.Session,
        "Settings": Settings,
        "SummarizerError": SummarizerError,
        "estimate": summarizer.api.estimate,
        "load_settings": load_settings,
        "summarize": summarizer.api.summarize,
        "translate": summarizer.api.translate,
    }
    assert {name: getattr(summarizer, name) for name in summarizer.__all__} == expected


def test_unknown_package_attribute_is_an_attribute_error() -> None:
    try:
        summarizer.no_such_name  # noqa: B018 - the lookup is the test
    except AttributeError as err:
        assert "no_such_name" in str(err)
    else:
        raise AssertionError("summarizer.no_such_name resolved")


def test_api_module_defines_exactly_the_pinned_public_names() -> None:
    defined = sorted(
        name
        for name, value in vars(summarizer.api).items()
        if not name.startswith("_") and getattr(value, "__module__", None) == "summarizer.api"
    )
    assert defined == API_DEFINED


def test_api_module_still_offers_the_types_its_signatures_use() -> None:
    missing = [name for name in API_REEXPORTED if not hasattr(summarizer.api, name)]
    assert missing == []


def test_session_public_methods_are_pinned() -> None:
    methods = sorted(name for name, _ in inspect.getmembers(summarizer.api.Session) if not name.startswith("_"))
    assert methods == SESSION_PUBLIC


def test_console_scripts_in_pyproject_are_pinned() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["scripts"] == CONSOLE_SCRIPTS


def test_installed_console_script_loads_a_callable_main() -> None:
    installed = {ep.name: ep for ep in entry_points(group="console_scripts") if ep.name in CONSOLE_SCRIPTS}
    assert {name: ep.value for name, ep in installed.items()} == CONSOLE_SCRIPTS
    assert callable(installed["summarizer"].load())


def test_python_dash_m_summarizer_runs_the_same_app() -> None:
    proc = run_cli("--help")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.decode()
    for command in ("summarize", "translate", "estimate", "batch", "check", "doctor", "serve", "demo", "prompts", "cache", "profiles", "history", "presets"):
        assert command in out
