"""summarizer: translate, summarize and build a glossary for foreign-language news with any
OpenAI-compatible endpoint.

    >>> from summarizer import summarize
    >>> result = summarize("seeds/000_248162aed851300f.txt", base_url="http://localhost:11434/v1", model="llama3.1")
    >>> print(result.summary)

The public API lives in `summarizer.api` and is re-exported here lazily, so `summarizer --help`
does not import the SDKs.
"""

from __future__ import annotations

from summarizer.__version__ import __version__

__all__ = [
    "ArticleResult",
    "Session",
    "Settings",
    "SummarizerError",
    "estimate",
    "load_settings",
    "summarize",
    "translate",
]


def __getattr__(name: str):
    if name in ("summarize", "translate", "estimate", "Session"):
        from summarizer import api

        return getattr(api, name)
    if name in ("Settings", "load_settings"):
        from summarizer import config

        return getattr(config, name)
    if name == "ArticleResult":
        from summarizer.schemas import ArticleResult

        return ArticleResult
    if name == "SummarizerError":
        from summarizer.errors import SummarizerError

        return SummarizerError
    raise AttributeError(f"module 'summarizer' has no attribute {name!r}")
