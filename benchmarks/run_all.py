"""Run every benchmark (each in its own process, one after another) and write benchmarks/results.md.

    python benchmarks/run_all.py            # full sizes (~8 minutes on 2 cores)
    python benchmarks/run_all.py --quick    # scaled down (~2 minutes): sizes are printed in results.md
    python benchmarks/run_all.py --only batch_throughput,startup --out /tmp/results.md

Absolute times depend on the machine and on what else runs on it; each script therefore compares
ratios measured in the same run (ours vs a baseline against the same server).
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

# name -> (title, goal, full arguments, quick arguments)
BENCHMARKS = {
    "batch_throughput": ("1. Batch throughput vs the endpoint's limit",
                         "ours >= 95% of the AsyncOpenAI+Semaphore baseline and >= 90% of the ideal (cap/latency = 40/s)",
                         ["--articles", "500", "--rounds", "2"], ["--articles", "200"]),
    "client_overhead": ("2. Client overhead per request",
                        "< 2 ms CPU per request in our code for a 1,000-token chunk (chunking, templates, validation, cache)",
                        ["--requests", "1000", "--rounds", "15"], ["--requests", "60"]),
    "token_economy": ("3. Token economy", "ours <= 50% of the naive three-call tokens for articles that fit in one chunk", [], []),
    "cache_rerun": ("4. Cache", "a second run of the same batch makes 0 requests", ["--articles", "500"], ["--articles", "200"]),
    "startup": ("5. Start-up", "`summarizer --help` within 0.3 s of `python -c pass` (median)", ["--runs", "10"], ["--runs", "5"]),
    "scale": ("6. Scale", "flat RSS over 10,000 articles; chunking MB/s on 10 MB reported",
              ["--articles", "10000", "--mb", "10"], ["--articles", "2000", "--mb", "2"]),
    "report_build": ("7. HTML review report", "500 articles build in < 5 s; an article page < 300 KB",
                     ["--articles", "500"], ["--articles", "100", "--runs", "1"]),
}


def machine() -> str:
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    return (f"Python {platform.python_version()} on {platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, "
            f"load average at start {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="scaled-down sizes")
    parser.add_argument("--only", default="", help="comma-separated benchmark names")
    parser.add_argument("--out", type=Path, default=HERE / "results.md")
    args = parser.parse_args()
    chosen = [n for n in BENCHMARKS if not args.only or n in args.only.split(",")]

    started = datetime.datetime.now(datetime.timezone.utc)
    header = machine()
    sections, summary = [], []
    for name in chosen:
        title, goal, full, quick = BENCHMARKS[name]
        argv = quick if args.quick else full
        command = " ".join(["python", f"benchmarks/{name}.py", *argv])
        print(f"== {command}", flush=True)
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, str(HERE / f"{name}.py"), *argv], capture_output=True, text=True, cwd=HERE.parent)
        seconds = time.perf_counter() - t0
        output = proc.stdout.strip() if proc.returncode == 0 else f"FAILED to run (exit {proc.returncode}):\n{proc.stderr[-3000:]}"
        print(output, flush=True)
        verdicts = re.findall(r"\b(PASS|FAIL)\b", output) if proc.returncode == 0 else ["ERROR"]
        overall = "ERROR" if "ERROR" in verdicts else ("FAIL" if "FAIL" in verdicts else ("PASS" if verdicts else "-"))
        summary.append(f"| {title} | {goal} | {overall} ({', '.join(verdicts) or 'no verdict'}) | `{command}` |")
        sections.append(f"## {title}\n\nGoal: {goal}.\n\n`{command}` ({seconds:.0f} s)\n\n{output}\n")

    lines = [
        f"# Benchmark results ({started:%Y-%m-%d %H:%M} UTC{', quick sizes' if args.quick else ''})",
        "",
        header + ".",
        "The machine is shared: compare the ratios within one script's run, not absolute times across runs.",
        "Regenerate: `python benchmarks/run_all.py` (see benchmarks/README.md).",
        "",
        "| measurement | goal | verdict | command |",
        "|---|---|---|---|",
        *summary,
        "",
        *sections,
    ]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
