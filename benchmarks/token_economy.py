"""Token economy: prompt + completion tokens and requests per article, ours vs three naive calls.

    python benchmarks/token_economy.py [--long-tokens 8000] [--long-window 4096]

Articles: the two seeds (seeds/*.txt), and a long one (the seeds repeated to ~8k tokens) run with a
4k context window. Ours goes through `Session.run` against the scripted test server
(tests/scripted_server.py, `schema_responder`: a schema-valid answer whose translation echoes the
article); every request body is recorded. Prompt tokens are counted from the request bodies with the
offline tokenizer (`get_token_counter("gpt-4o-mini")`, chat framing included via
`count_message_tokens`); completion tokens from the fake answers' text. The JSON schema sent in
`response_format` is not counted as prompt (listed apart).

Naive: three separate calls, each given the full article and a one-line instruction: translate,
summarize (3-7 bullets), glossary (term: definition lines). Their completions are taken to be the
same content as ours in plain text (the translation, the bullets, the glossary lines), so the
comparison isolates how the work is asked for. Goal: ours <= 50% of naive tokens for articles that
fit in one chunk.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import MODEL, ROOT, make_session, table, verdict  # noqa: E402

sys.path.insert(0, str(ROOT / "tests"))

NAIVE_INSTRUCTIONS = {
    "translate": "Translate the following article into English. Keep all numbers, names and dates.",
    "summarize": "Summarize the following article in 3-7 short bullet points in English.",
    "glossary": "List the domain terms and acronyms in the following article, one per line as 'term (original): definition'.",
}


def _run_ours(path: Path, context_window: int | None) -> dict:
    from scripted_server import ScriptedServer, schema_responder

    from summarizer.tokens import count_message_tokens, get_token_counter

    counter = get_token_counter("gpt-4o-mini")
    answers: list[str] = []

    def recording(req):
        reply = schema_responder(req)
        answers.append(reply.json["choices"][0]["message"]["content"])
        return reply

    with ScriptedServer(responder=recording, models=[MODEL]) as server, tempfile.TemporaryDirectory() as tmp:
        extra = {"context_window": context_window} if context_window else {}
        session = make_session(server.base_url, Path(tmp) / "cache", **extra)
        try:
            result = session.run(path, "summarize")
            chunks = len(session.plan(path).chunks)
        finally:
            session.close()
        bodies = [r.body for r in server.chat_requests()]
    prompt = sum(count_message_tokens(b["messages"], counter) for b in bodies)
    schema = sum(counter.count(json.dumps(b["response_format"], ensure_ascii=False)) for b in bodies if b.get("response_format"))
    completion = sum(counter.count(a) for a in answers)
    article = session.load(path).text
    return {"requests": len(bodies), "prompt": prompt, "completion": completion, "schema": schema, "chunks": chunks,
            "result": result, "article": article, "article_tokens": counter.count(article)}


def _naive(article: str, result) -> dict:
    from summarizer.tokens import count_message_tokens, get_token_counter

    counter = get_token_counter("gpt-4o-mini")
    prompt = sum(count_message_tokens([{"role": "user", "content": f"{text}\n\n{article}"}], counter) for text in NAIVE_INSTRUCTIONS.values())
    answers = [
        result.translation,
        "\n".join(f"- {b}" for b in result.summary),
        "\n".join(f"{g.term} ({g.source_term}): {g.definition}" for g in result.glossary),
    ]
    return {"requests": 3, "prompt": prompt, "completion": sum(counter.count(a) for a in answers)}


def long_article(path: Path, tokens: int) -> Path:
    from summarizer.tokens import get_token_counter

    counter = get_token_counter("gpt-4o-mini")
    seeds = [p.read_text(encoding="utf-8").strip() for p in sorted((ROOT / "seeds").glob("*.txt"))]
    from summarizer.sources import load_source

    parts: list[str] = []
    while True:  # counted after loading: cleaning drops a few lines of each seed
        parts.append(seeds[len(parts) % len(seeds)])
        path.write_text("\n\n".join(parts), encoding="utf-8")
        if counter.count(load_source(path).text) >= tokens:
            return path


def measure(long_tokens: int, long_window: int) -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        cases = [(p.name, p, None) for p in sorted((ROOT / "seeds").glob("*.txt"))]
        cases.append((f"long (seeds repeated, ~{long_tokens // 1000}k tokens), window {long_window}",
                      long_article(Path(tmp) / "long.txt", long_tokens), long_window))
        for label, path, window in cases:
            ours = _run_ours(path, window)
            naive = _naive(ours["article"], ours["result"])
            rows.append({"label": label, "ours": ours, "naive": naive})
    return rows


def report_table(rows: list[dict]) -> str:
    out = []
    for row in rows:
        o, n = row["ours"], row["naive"]
        total_o, total_n = o["prompt"] + o["completion"], n["prompt"] + n["completion"]
        one_chunk = o["chunks"] == 1
        out.append([
            row["label"], o["article_tokens"], o["chunks"],
            f"{o['requests']} / {n['requests']}",
            f"{o['prompt']:,} / {n['prompt']:,}",
            f"{o['completion']:,} / {n['completion']:,}",
            f"{total_o:,} / {total_n:,}",
            f"{total_o / total_n:.0%}",
            f"{o['prompt'] / n['prompt']:.0%}",
            (verdict(total_o <= 0.5 * total_n) + " (goal <= 50%)") if one_chunk else "no goal (several chunks)",
            f"{o['schema']:,}",
        ])
    return ("Tokens counted with the offline cl100k counter; 'ours / naive'. The naive calls ignore the context window.\n\n"
            + table(["article", "tokens", "chunks", "requests", "prompt tokens", "completion tokens", "total tokens",
                     "total ours/naive", "prompt ours/naive", "verdict", "schema tokens in response_format (ours, not counted)"], out))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--long-tokens", type=int, default=8000)
    parser.add_argument("--long-window", type=int, default=4096)
    args = parser.parse_args()
    print(report_table(measure(args.long_tokens, args.long_window)))


if __name__ == "__main__":
    main()
