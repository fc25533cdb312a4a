"""Should the response cache's get/set leave the event loop? What each costs inline and via a thread.

    python benchmarks/cache_on_loop.py [--entries 500]

A fresh `ResponseCache` in a temp folder and answers of ~1.5 KB (a summary's size). Prints per call:
CPU ms (all threads of this process: what competes for the GIL) and wall ms inline (how long the
event loop would be blocked), for a set, a get hit and a get miss, called inline and through
`asyncio.to_thread`, and the thread hop alone. Writes only to its temp folder.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import table  # noqa: E402

from summarizer.cache import ResponseCache  # noqa: E402

ENTRY = {"value": {"summary": ["x" * 500] * 3}, "mode": "json_schema", "usage": {"prompt_tokens": 1000}, "model_warnings": []}


def per_call(calls, count: int) -> tuple[float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    for i in range(count):
        calls(i)
    return (time.process_time() - cpu) * 1000 / count, (time.perf_counter() - wall) * 1000 / count


async def per_thread_call(call, count: int) -> tuple[float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    for i in range(count):
        await asyncio.to_thread(call, i)
    return (time.process_time() - cpu) * 1000 / count, (time.perf_counter() - wall) * 1000 / count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=500)
    n = parser.parse_args().entries
    with tempfile.TemporaryDirectory() as tmp:
        cache = ResponseCache(Path(tmp))
        try:
            calls = {
                "set": (lambda i: cache.set(f"a{i}", ENTRY), lambda i: cache.set(f"b{i}", ENTRY)),
                "get hit": (lambda i: cache.get(f"a{i}"), lambda i: cache.get(f"b{i}")),
                "get miss": (lambda i: cache.get(f"m{i}"), lambda i: cache.get(f"n{i}")),
                "thread hop alone": (lambda i: None, lambda i: None),
            }
            rows = []
            for name, (inline, threaded) in calls.items():
                cpu, wall = per_call(inline, n)
                hop_cpu, hop_wall = asyncio.run(per_thread_call(threaded, n))
                rows.append([name, f"{cpu:.3f}", f"{wall:.3f}", f"{hop_cpu:.3f}", f"{hop_wall:.3f}"])
        finally:
            cache.close()
    print(f"{n} calls each; ms per call")
    print(table(["call", "inline CPU", "inline wall (loop blocked)", "to_thread CPU", "to_thread wall"], rows))


if __name__ == "__main__":
    main()
