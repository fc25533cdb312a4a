"""Shared by the eval/compare tests: articles with known translations, a responder answering them
(with a planted number for one model), and two real batch runs against the scripted server."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from scripted_server import completion, extract_article

from summarizer.api import Session
from summarizer.batch import BatchOptions, run_batch


def write_lines(path: Path, lines: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


ARTICLES = {
    "harga": ("Harga beras di Jakarta naik menjadi Rp 12.500 per kilogram pada hari Senin, kata Kementerian Perdagangan.",
              "The price of rice in Jakarta rose to IDR 12,500 per kilogram on Monday, the Ministry of Trade said."),
    "banjir": ("Banjir merendam 1.200 rumah di Bekasi setelah hujan deras selama dua hari, kata Badan Nasional Penanggulangan Bencana.",
               "Floods submerged 1,200 houses in Bekasi after two days of heavy rain, the National Disaster Management Agency said."),
    "ekspor": ("Ekspor minyak sawit Indonesia naik 8 persen pada kuartal pertama, menurut Badan Pusat Statistik.",
               "Indonesia's palm oil exports rose 8 percent in the first quarter, according to Statistics Indonesia."),
}
PLANTED = ("1,200 houses", "1,900 houses")  # run B's one changed number, in "banjir"


def answering(models_translate):
    """A responder that answers each article with its known translation; `models_translate[model]`
    may change it (the planted error)."""
    by_source = {source: english for source, english in ARTICLES.values()}

    def responder(request):
        article = extract_article(request.body) or ""
        source = next(s for s in by_source if s in article)
        english = models_translate.get(request.body["model"], lambda t: t)(by_source[source])
        content = {"source_language": "id", "title": english.split(",")[0], "translation": english,
                   "summary": [english, "It was reported on Monday.", "Officials gave the figures."], "glossary": []}
        return completion(json.dumps(content), model=request.body["model"], prompt_tokens=300, completion_tokens=120)

    return responder


def run_batches(server, tmp_path: Path) -> tuple[Path, Path]:
    news = tmp_path / "news"
    for name, (source, _) in ARTICLES.items():
        write_lines(news / f"{name}.txt", [source])
    server.models = ["model-a", "model-b"]
    server.responder = answering({"model-b": lambda text: text.replace(*PLANTED)})
    outs = []
    for model, folder in (("model-a", "run-a"), ("model-b", "run-b")):
        async def run(model=model, folder=folder):
            async with Session(base_url=server.base_url, model=model) as session:
                return await run_batch(session, [news], BatchOptions(out_dir=tmp_path / folder, fmt="json"))

        report = asyncio.run(run())
        assert report.done == len(ARTICLES), report.failures
        outs.append(tmp_path / folder)
    return outs[0], outs[1]
