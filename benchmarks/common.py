"""Helpers shared by the benchmark scripts: tiny articles, a Session pointed at a server, RSS, tables."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if importlib.util.find_spec("summarizer") is None:  # not installed: use the checkout
    sys.path.insert(0, str(ROOT))  # (installed, PYTHONPATH=other/checkout benchmarks that one)

MODEL = "bench-model"

# A short Indonesian news paragraph; `{n}` makes every article (and so every cache key) distinct.
TINY_ARTICLE = (
    "Bank Indonesia (BI) mempertahankan suku bunga acuan di level 6,00 persen pada rapat bulan ini, "
    "kata Gubernur BI Perry Warjiyo di Jakarta. Keputusan ini diambil untuk menjaga stabilitas rupiah "
    "dan inflasi. Artikel nomor {n}."
)


def write_tiny_articles(folder: Path, count: int, body: str | None = None) -> list[Path]:
    """`count` distinct articles: TINY_ARTICLE, or `body` preceded by a numbered line."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(count):
        path = folder / f"a{n:05d}.txt"
        path.write_text(TINY_ARTICLE.format(n=n) if body is None else f"Artikel nomor {n}.\n\n{body}", encoding="utf-8")
        paths.append(path)
    return paths


def seed_text(tokens: int) -> str:
    """About `tokens` tokens (cl100k) of real Indonesian news: seed paragraphs, the last one cut."""
    from summarizer.tokens import get_token_counter

    counter = get_token_counter("gpt-4o-mini")
    paragraphs = [p for s in sorted((ROOT / "seeds").glob("*.txt")) for p in s.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    out: list[str] = []
    while counter.count("\n\n".join(out)) < tokens:
        out.append(paragraphs[len(out) % len(paragraphs)])
    words = out.pop().split(" ")
    while words and counter.count("\n\n".join(out + [" ".join(words)])) > tokens:
        words = words[: len(words) * 9 // 10]
    return "\n\n".join(out + [" ".join(words)] if words else out)


def make_session(base_url: str, cache_dir: Path | None, **overrides):
    from summarizer.api import Session
    from summarizer.config import load_settings

    # The run history is part of what a run costs, so it stays on, but in the benchmark's own
    # temporary folder: a benchmark never writes into the user's history (500-article runs add up).
    if cache_dir is not None:
        overrides.setdefault("history_file", str(Path(cache_dir).parent / "bench-history.db"))
    else:
        overrides.setdefault("no_history", True)
    settings = load_settings(
        env_file=None, base_url=base_url, model=MODEL, cache_dir=cache_dir,
        use_cache=cache_dir is not None, **overrides,
    )
    return Session(settings)


def rss_mb() -> float:
    """Resident set size of this process, MB (Linux /proc)."""
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def table(headers: list[str], rows: list[list]) -> str:
    """A Markdown table (printed by each script, pasted into results.md by run_all)."""
    cells = [[str(c) for c in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(cells[0], widths)) + " |",
             "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    lines += ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |" for r in cells[1:]]
    return "\n".join(lines)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"
