"""Start-up: `summarizer --help` vs `python -c pass`, wall and CPU time (median of N runs each, interleaved).

    python benchmarks/startup.py [--runs 10]

Also lists the slowest imports of `import summarizer.cli` (python -X importtime, cumulative).
Goal: `summarizer --help` within 0.3 s of `python -c pass`. The verdict reads wall time; the CPU
column (the child's user + system time, from wait4) is printed beside it because on a loaded
machine wall time mostly measures waiting for a core, while CPU time stays close to a quiet run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import table, verdict  # noqa: E402


def _timed(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child) of one run of `cmd`."""
    started = time.perf_counter()
    child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise subprocess.CalledProcessError(child.returncode, cmd)
    return time.perf_counter() - started, usage.ru_utime + usage.ru_stime


def _summarizer_cmd() -> list[str]:
    exe = Path(sys.executable).parent / "summarizer"
    found = str(exe) if exe.exists() else shutil.which("summarizer")
    return [found] if found else [sys.executable, "-m", "summarizer"]


def measure(runs: int) -> dict:
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "summarizer --help": _summarizer_cmd() + ["--help"],
        "summarizer summarize --help": _summarizer_cmd() + ["summarize", "--help"],
        "summarizer batch --help": _summarizer_cmd() + ["batch", "--help"],
    }
    times: dict[str, list[tuple[float, float]]] = {k: [] for k in commands}
    for name, cmd in commands.items():
        _timed(cmd)  # warm the OS file cache (and write the .pyc files)
    for _ in range(runs):
        for name, cmd in commands.items():  # interleaved: load on the machine hits all alike
            times[name].append(_timed(cmd))
    return {name: (statistics.median(w for w, _ in values), statistics.median(c for _, c in values)) for name, values in times.items()}


def slowest_imports(top: int = 8) -> list[tuple[str, float]]:
    """The modules `summarizer.cli` imports directly, by cumulative import time (ms)."""
    out = subprocess.run([sys.executable, "-X", "importtime", "-c", "import summarizer.cli"], capture_output=True, text=True).stderr
    rows = []
    for line in out.splitlines():
        parts = line.split("|")
        if not line.startswith("import time:") or len(parts) != 3 or "cumulative" in line:
            continue
        name = parts[2][1:]  # "name" at the top level, "  name" one level down, ...
        depth = (len(name) - len(name.lstrip(" "))) // 2
        if depth == 1:
            rows.append((name.strip(), int(parts[1]) / 1000))
        elif depth == 0 and name.strip() == "summarizer.cli":
            rows.append(("summarizer.cli (total)", int(parts[1]) / 1000))
    return sorted(rows, key=lambda r: -r[1])[:top]


def report_table(m: dict, imports: list[tuple[str, float]], runs: int) -> str:
    base_wall, base_cpu = m["python -c pass"]
    rows = []
    for name, (wall, cpu) in m.items():
        extra = wall - base_wall
        note = ""
        if name == "summarizer --help":
            note = verdict(extra <= 0.3) + " (goal: within 0.3 s)"
        over = name != "python -c pass"
        rows.append([name, f"{wall * 1000:.0f}", f"+{extra * 1000:.0f}" if over else "", f"{cpu * 1000:.0f}",
                     f"+{(cpu - base_cpu) * 1000:.0f}" if over else "", note])
    imp = [[name, f"{ms:.0f}"] for name, ms in imports]
    return (f"median of {runs} runs each (interleaved)\n\n" + table(["command", "wall ms", "wall over pass", "CPU ms", "CPU over pass", "verdict"], rows)
            + "\n\nslowest direct imports of `summarizer.cli` (cumulative ms, -X importtime, one run)\n\n"
            + table(["module", "ms"], imp))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    print(report_table(measure(args.runs), slowest_imports(), args.runs))


if __name__ == "__main__":
    main()
