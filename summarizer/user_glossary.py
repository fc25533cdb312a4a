"""A user's glossary (`--glossary terms.csv|tsv`): source term, preferred rendering, optional note.

Only the terms that occur in a chunk are put in its prompt, and after the run we report each term
whose preferred rendering the translation ignored.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from summarizer.errors import InputError


@dataclass(frozen=True)
class TermRule:
    source: str
    preferred: str
    note: str = ""

    def occurs_in(self, text: str) -> bool:
        return _term_pattern(self.source).search(text) is not None


def _term_pattern(term: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + re.escape(term) + r"(?!\w)", re.IGNORECASE)


def load_user_glossary(path: Path) -> list[TermRule]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(path, "glossary file not found", hint="pass --glossary with a CSV or TSV file") from None
    except UnicodeDecodeError:
        raise InputError(path, "glossary is not UTF-8 text", hint="save it as UTF-8 CSV or TSV") from None
    first_line = text.split("\n", 1)[0]
    is_tsv = path.suffix.lower() == ".tsv" or (path.suffix.lower() != ".csv" and "\t" in first_line)
    delimiter = "\t" if is_tsv else ","
    rules: list[TermRule] = []
    for number, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
        cells = [cell.strip() for cell in row]
        if not cells or not any(cells) or cells[0].startswith("#"):
            continue
        if number == 1 and [c.lower() for c in cells[:2]] in (["source", "preferred"], ["source_term", "preferred"], ["term", "translation"]):
            continue  # header row
        if len(cells) < 2 or not cells[0] or not cells[1]:
            raise InputError(
                path, f"line {number}: expected 'source term{delimiter}preferred English[{delimiter}note]'",
                hint="one term per line; the third column is optional",
            )
        rules.append(TermRule(cells[0], cells[1], cells[2] if len(cells) > 2 else ""))
    return rules


def rules_in(text: str, rules: list[TermRule]) -> list[TermRule]:
    return [rule for rule in rules if rule.occurs_in(text)]


def ignored_rules(source: str, translation: str, rules: list[TermRule]) -> list[TermRule]:
    """Rules whose source term is in the article but whose preferred rendering is not in the translation."""
    return [r for r in rules_in(source, rules) if not _term_pattern(r.preferred).search(translation)]
