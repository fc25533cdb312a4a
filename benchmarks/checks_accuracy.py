"""How well `summarizer.checks` catches planted errors, and how often it cries wolf on correct pairs.

    python benchmarks/checks_accuracy.py [--corpus tests/data/checks/corpus.jsonl] [--verbose]
    python benchmarks/checks_accuracy.py --news [--half first|second|both] [--mt-sample 30] [--show KIND]

`--news`: the 10,000 real sentence pairs of shared/corpora/id-en-news as pseudo-articles of 12 sentences
(4 paragraphs of 3), human references as the correct translations, and for every article and every
planted kind of `planting.py` one copy of the reference with that one fact changed. A plant is caught
when the changed copy has an error-level finding that the clean reference does not have (for a dropped
name: any new finding). The first half of the corpus (lines 1-5,000) is the one rules were tuned on;
the second half is held out. Also counts the findings on the two MT systems' outputs and prints a
random sample of their error findings (`--mt-sample`) for review by hand. Run it against another
checkout with PYTHONPATH=that/checkout to get the numbers of that version.


Corpus rows: {id, source, translation, summary?, planted: null | {"kind": ...}}. A planted error counts as
caught when a finding of the expected kind (and, for number errors, error severity) is reported.
Prints recall per planted kind and the false-alarm rate (pairs with any error / any warning) on the
correct pairs. Writes nothing.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from summarizer.checks import check_translation  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks"))
import planting  # noqa: E402

CORPUS = ROOT / "tests" / "data" / "checks" / "corpus.jsonl"

# planted kind -> (finding kinds that catch it, required severity or None for any)
_FACT_KINDS = ("number_missing", "date_changed", "time_changed", "unit_changed", "code_missing", "score_changed")
EXPECTED = {
    "number_changed": (_FACT_KINDS, "error"),
    "scale_dropped": (_FACT_KINDS, "error"),
    "name_swapped": (("name_missing", "name_changed"), None),
    "number_invented": (("number_invented",), None),
    "untranslated": (("untranslated",), None),
}


def load_corpus(path: Path = CORPUS) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def caught(row: dict, findings) -> bool:
    kind, severity = EXPECTED[row["planted"]["kind"]]
    return any(f.kind in kind and (severity is None or f.severity == severity) for f in findings)


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


def _key(finding) -> tuple:
    return (finding.kind, finding.severity, finding.source_span, finding.output_span)


def evaluate_news(items: list[planting.Article], names: list[str], seed: int = 13, show: str | None = None) -> dict:
    """Error/warning levels on the references, and the share of each planted kind caught as an error."""
    rng = random.Random(seed)
    clean_with_error = warnings = name_warnings = 0
    caught: dict[str, list[int]] = {kind: [0, 0] for kind in planting.KINDS}
    alarms: list[tuple[str, str]] = []
    for article in items:
        clean = check_translation(article.source, article.reference)
        errors = [f for f in clean if f.severity == "error"]
        clean_with_error += bool(errors)
        alarms += [(article.id, f"{f.kind}: {f.message}") for f in errors]
        warnings += sum(f.severity == "warning" for f in clean)
        name_warnings += sum(f.severity == "warning" and f.kind.startswith("name") for f in clean)
        baseline = Counter(_key(f) for f in clean)
        for kind in planting.KINDS:
            planted = planting.plant(article, kind, rng, names)
            if planted is None:
                continue
            changed, note = planted
            new = Counter(_key(f) for f in check_translation(article.source, changed)) - baseline
            wanted = (lambda k: True) if kind == "name_dropped" else (lambda k: k[1] == "error")
            hit = any(wanted(k) for k in new)
            caught[kind][1] += 1
            caught[kind][0] += hit
            if show == kind and not hit:
                print(f"  MISSED {article.id} {kind}: {note}")
    return {
        "articles": len(items), "false_alarm_rate": clean_with_error / len(items),
        "warnings_per_article": warnings / len(items), "name_warnings_per_article": name_warnings / len(items),
        "caught": caught, "alarms": alarms,
    }


def mt_findings(items: list[planting.Article], sample: int, seed: int = 7) -> dict:
    """Findings on the two MT systems' outputs, and a random sample of their errors to review by hand."""
    out: dict = {}
    pool = []
    for system in ("gnmt", "gareng"):
        errors = warnings = 0
        for article in items:
            findings = check_translation(article.source, article.outputs[system])
            errors += sum(f.severity == "error" for f in findings)
            warnings += sum(f.severity == "warning" for f in findings)
            pool += [(system, article, f) for f in findings if f.severity == "error"]
        out[system] = {"errors_per_article": errors / len(items), "warnings_per_article": warnings / len(items)}
    out["sample"] = random.Random(seed).sample(pool, min(sample, len(pool)))
    return out


REFERENCE_ERRORS = Path(__file__).resolve().parent / "reference_errors.toml"


def wrong_references(half: str) -> dict[str, str]:
    """The hand-labelled references of `half` ("first"/"second") that are themselves wrong: id -> what."""
    import tomllib

    return tomllib.loads(REFERENCE_ERRORS.read_text(encoding="utf-8")).get(half, {})


def _print_news(label: str, report: dict, wrong: dict[str, str]) -> None:
    print(f"{label}: {report['articles']} articles")
    print(f"  false alarms (articles with an error): {report['false_alarm_rate']:.1%}")
    alarmed = {article_id for article_id, _text in report["alarms"]}
    fair = report["articles"] - len(wrong)
    print(f"  false alarms on the {fair} references not labelled wrong (reference_errors.toml): "
          f"{len(alarmed - set(wrong)) / fair:.1%} ({len(alarmed - set(wrong))}; labelled wrong and flagged: {len(alarmed & set(wrong))}/{len(wrong)})")
    print(f"  warnings per article: {report['warnings_per_article']:.2f} (names: {report['name_warnings_per_article']:.2f})")
    for kind, (hit, total) in report["caught"].items():
        share = f"{hit / total:.0%}" if total else "-"
        print(f"  {kind:<18} caught {share:>5} ({hit}/{total})")


def _sentence_around(text: str, span: str | None) -> str:
    if not span or span not in text:
        return ""
    at = text.index(span)
    start = max(text.rfind(". ", 0, at), text.rfind("\n", 0, at)) + 1
    end = min([e for e in (text.find(". ", at), text.find("\n", at)) if e != -1] or [len(text)])
    return " ".join(text[start:end + 1].split())[:240]


def main_news(args) -> int:
    corpus = planting.read_corpus()
    half = len(corpus["source"]) // 2
    ranges = {"first": [(0, half)], "second": [(half, len(corpus["source"]))]}
    ranges["both"] = ranges["first"] + ranges["second"]
    all_items = planting.articles(corpus, 0, len(corpus["source"]))
    names = planting.name_pool(all_items)
    for part, label, (start, stop) in zip(("first", "second"), ("first half (tuned on)", "second half (held out)"), ranges["both"]):
        if (start, stop) not in ranges[args.half]:
            continue
        items = planting.articles(corpus, start, stop)
        _print_news(label, evaluate_news(items, names, show=args.show), wrong_references(part))
        if args.verbose:
            for article_id, text in evaluate_news(items, names)["alarms"]:
                print(f"    {article_id} {text}")
    if args.mt_sample:
        items = planting.articles(corpus, half, len(corpus["source"]))
        report = mt_findings(items, args.mt_sample)
        for system in ("gnmt", "gareng"):
            stats = report[system]
            print(f"MT {system} (held-out half): errors/article {stats['errors_per_article']:.2f}, "
                  f"warnings/article {stats['warnings_per_article']:.2f}")
        for n, (system, article, f) in enumerate(report["sample"], 1):
            print(f"[{n}] {system} {article.id} {f.kind}: {f.message}")
            print(f"     src: {_sentence_around(article.source, f.source_span)}")
            print(f"     mt:  {_sentence_around(article.outputs[system], f.output_span) or '-'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--verbose", action="store_true", help="list every false alarm")
    parser.add_argument("--news", action="store_true", help="the id-en news corpus with planted changes")
    parser.add_argument("--half", choices=("first", "second", "both"), default="both")
    parser.add_argument("--mt-sample", type=int, default=0, help="review this many MT error findings")
    parser.add_argument("--show", help="print the plants of this kind that were missed")
    args = parser.parse_args(argv)
    if args.news:
        return main_news(args)
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
