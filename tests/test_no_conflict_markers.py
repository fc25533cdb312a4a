"""No file git tracks holds a merge-conflict marker (one sat in benchmarks/README.md for a session)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARKER = re.compile(rb"^(<{7} |={7}$|>{7} )", re.MULTILINE)


def test_no_tracked_text_file_holds_a_conflict_marker():
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout.split(b"\0")
    marked = []
    for name in filter(None, tracked):
        path = ROOT / name.decode()
        if path.suffix in {".py", ".md", ".toml", ".txt", ".html", ".j2", ".yml", ".yaml", ".cfg", ""} and path.is_file():
            if MARKER.search(path.read_bytes()):
                marked.append(name.decode())
    assert marked == []
