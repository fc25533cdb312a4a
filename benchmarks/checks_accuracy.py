"""How well `summarizer.checks` catches planted errors, and how often it cries wolf on correct pairs.

    python benchmarks/checks_accuracy.py [--corpus tests/data/checks/corpus.jsonl] [--verbose]

Corpus rows: {id, source, translation, summary?, planted: null | {"kind": ...}}. A planted error counts as
caught when a finding of the expected kind (and, for number errors, error severity) is reported.
Prints recall per planted kind and the false-alarm rate (pairs with any error / any warning) on the
correct pairs. Writes nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from summarizer.checks import check_translation  # noqa: E402

CORPUS = ROOT / "tests" / "data" / "checks" / "corpus.jsonl"

# planted kind -> (finding kind that catches it, required severity or None for any)
EXPECTED = {
    "number_changed": ("number_missing", "error"),
    "scale_dropped": ("number_missing", "error"),
    "name_swapped": ("name_missing", None),
    "number_invented": ("number_invented", None),
    "untranslated": ("untranslated", None),
}


def load_corpus(path: Path = CORPUS) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def caught(row: dict, findings) -> bool:
    kind, severity = EXPECTED[row["planted"]["kind"]]
    return any(f.kind == kind and (severity is None or f.severity == severity) for f in findings)


def evaluate(rows: list[dict]) -> dict:
    per_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # kind -> [caught, total]
    missed: list[str] = []
    correct_total = correct_with_error = correct_with_warning = 0
    alarms: list[tuple[str, str, str]] = []
    for row in rows:
        findings = check_translation(row["source"], row["translation"], summary=row.get("summary") or [], glossary=row.get("glossary") or [])
        if row["planted"] is None:
            correct_total += 1
            errors = [f for f in findings if f.severity == "error"]
            warnings = [f for f in findings if f.severity == "warning"]
            correct_with_error += bool(errors)
            correct_with_warning += bool(warnings)
            alarms += [(row["id"], f.severity, f"{f.kind}: {f.message}") for f in errors + warnings]
        else:
            stats = per_kind[row["planted"]["kind"]]
            stats[1] += 1
            if caught(row, findings):
                stats[0] += 1
            else:
                missed.append(row["id"])
    return {
        "recall": {k: {"caught": v[0], "total": v[1], "recall": v[0] / v[1]} for k, v in sorted(per_kind.items())},
        "planted_total": sum(v[1] for v in per_kind.values()),
        "planted_caught": sum(v[0] for v in per_kind.values()),
        "missed": missed,
        "correct_pairs": correct_total,
        "false_alarm_error_rate": correct_with_error / correct_total if correct_total else 0.0,
        "false_alarm_warning_rate": correct_with_warning / correct_total if correct_total else 0.0,
        "alarms": alarms,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--verbose", action="store_true", help="list every false alarm")
    args = parser.parse_args(argv)
    report = evaluate(load_corpus(args.corpus))
    print(f"planted errors: {report['planted_caught']}/{report['planted_total']} caught")
    for kind, stats in report["recall"].items():
        print(f"  {kind:<16} recall {stats['recall']:.0%} ({stats['caught']}/{stats['total']})")
    if report["missed"]:
        print("  missed: " + ", ".join(report["missed"]))
    print(f"correct pairs: {report['correct_pairs']}")
    print(f"  false alarms (error severity):   {report['false_alarm_error_rate']:.0%}")
    print(f"  false alarms (warning severity): {report['false_alarm_warning_rate']:.0%}")
    if args.verbose:
        for pid, severity, text in report["alarms"]:
            print(f"  {pid} [{severity}] {text}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
