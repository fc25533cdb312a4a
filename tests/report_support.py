"""Article results for the report tests, made the way a run makes them: real source files on disk,
real findings from `check_translation`; only the model's answer is written by hand."""

from __future__ import annotations

import json
from pathlib import Path

from summarizer.checks import check_translation
from summarizer.sources import load_source

DATA = Path(__file__).resolve().parent / "data" / "report"
BERAS = DATA / "beras.txt"
BERAS_EN = (DATA / "beras.en.txt").read_text(encoding="utf-8")
HOSTILE = (
    "<script>window.__pwned = 1; alert('pwned')</script> <img src=x onerror=\"window.__pwned = 2; alert(2)\">",
    "</textarea></style></title><svg onload=alert(3)> & &amp; \"quotes\" 'single'",
)


def result_for(source: Path, translation: str, *, summary=None, glossary=None, model: str = "gpt-4o-mini",
               title: str | None = None, usage=(1200, 450), cache_hits: int = 0) -> dict:
    """An ArticleResult-shaped dict for `source` translated as `translation`, checked for real."""
    text = load_source(source).text
    bullets = summary if summary is not None else [
        {"text": "Medium rice rose 12 percent in a month to Rp 15,000 per kilogram.", "paragraphs": [2]},
        {"text": "About 16,000 traders in 34 provinces felt the increase.", "paragraphs": [3]},
        {"text": "The government is preparing a 1.5 million tonne reserve through Bulog.", "paragraphs": [4]},
        {"text": "Prices could reach Rp 20,000 next month.", "paragraphs": [2]},  # a figure the source lacks
    ]
    plain = [b["text"] if isinstance(b, dict) else b for b in bullets]
    entries = glossary if glossary is not None else [
        {"term": "BPS", "source_term": "Badan Pusat Statistik", "definition": "Statistics Indonesia, the national statistics agency.", "paragraphs": [2, 3]},
        {"term": "Bulog", "source_term": "Perum Bulog", "definition": "The state logistics agency that holds rice stocks.", "paragraphs": [4]},
    ]
    findings = check_translation(text, translation, summary=plain, glossary=entries, source_lang="id")
    return {
        "source": str(source), "task": "summarize", "source_language": "id", "target_language": "en",
        "title": title or translation.split("\n", 1)[0], "translation": translation, "summary": bullets, "glossary": entries,
        "checks": [f.model_dump(mode="json") for f in findings],
        "metadata": {
            "model": model, "endpoint_host": "api.openai.com", "structured_mode": "json_schema_strict",
            "prompt_versions": {"brief": "3f2a9c1d"}, "usage": {"prompt_tokens": usage[0], "completion_tokens": usage[1]},
            "requests": 1, "cache_hits": cache_hits, "chunks": 1, "token_counter": "tiktoken:o200k_base",
            "timings": {"load": 0.01, "request": 2.41, "checks": 0.02}, "warnings": [], "summarizer_version": "0.1.0",
        },
    }


def hostile_article(folder: Path) -> tuple[Path, str]:
    """A source file and translation whose text tries to run script in the page."""
    path = folder / "hostile.txt"
    path.write_text(f"Judul {HOSTILE[0]}\n\nIsi berita 42 orang. {HOSTILE[1]}\n", encoding="utf-8")
    return path, f"Title {HOSTILE[0]}\n\nNews body 42 people. {HOSTILE[1]}\n"


def write_results_folder(folder: Path) -> Path:
    """A folder of --format json results: the rice article, a clean one, a hostile one."""
    folder.mkdir(parents=True, exist_ok=True)
    sources = folder / "sources"
    sources.mkdir()
    beras = sources / "beras.txt"
    beras.write_bytes(BERAS.read_bytes())
    clean = sources / "clean.txt"
    clean.write_text("Sebanyak 20 siswa hadir.\n\nAcara selesai pukul 12.00.\n", encoding="utf-8")
    hostile, hostile_en = hostile_article(sources)
    results = [
        result_for(beras, BERAS_EN),
        result_for(clean, "20 students attended.\n\nThe event ended at 12:00.\n", model="llama3.1", usage=(300, 90), cache_hits=1,
                   summary=[{"text": "20 students attended.", "paragraphs": [1]}], glossary=[]),
        result_for(hostile, hostile_en, title=f"Hostile {HOSTILE[0]}", usage=(800, 200), summary=[{"text": HOSTILE[1], "paragraphs": [2]}],
                   glossary=[{"term": HOSTILE[0], "source_term": HOSTILE[1], "definition": HOSTILE[0], "paragraphs": [1]}]),
    ]
    results[2]["metadata"]["warnings"] = [HOSTILE[0]]
    for result in results:
        # as a batch run from the folder's parent records them: relative to where it ran
        result["source"] = str(Path(result["source"]).relative_to(folder))
        name = Path(result["source"]).stem + ".json"
        (folder / name).write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    return folder
