"""One py3langid model per process, shared by the loader and the checks, and fast to load;
`detect_language(text)` asks it which language a text is in.

py3langid ships its model xz-compressed: decompressing it costs ~0.5 s of CPU in every process
that detects a language, which is the start-up of every batch and CLI run. The first load therefore
keeps an uncompressed copy (~70 MB) in `<cache folder>/language-model/`, which later processes read
in ~0.05 s. Folder: `$SUMMARIZER_LANGUAGE_MODEL_CACHE`, else `$SUMMARIZER_CACHE_DIR/language-model`,
else the user cache folder; `SUMMARIZER_LANGUAGE_MODEL_CACHE=off` keeps no copy. A copy that cannot
be read or written is never an error: the packaged model is loaded instead.

The checks want the identifier restricted to a few languages. `set_languages` reassigns the
identifier's arrays (it never edits the full model in place), so a shallow copy restricted to a
subset shares the big feature tables with the full identifier.
"""

from __future__ import annotations

import copy
import os
import threading
import time
from itertools import islice
from pathlib import Path
from typing import Any

COPY_FORMAT = 1  # bump when the layout below changes
_lock = threading.Lock()
_full: Any = None
_restricted: dict[tuple[str, ...], Any] = {}


def copy_folder() -> Path | None:
    """Where the uncompressed copy lives, or None when switched off."""
    chosen = os.environ.get("SUMMARIZER_LANGUAGE_MODEL_CACHE", "").strip()
    if chosen.lower() in ("off", "0", "no", "false"):
        return None
    if chosen:
        return Path(chosen).expanduser()
    root = os.environ.get("SUMMARIZER_CACHE_DIR", "").strip()
    if root:
        return Path(root).expanduser() / "language-model"
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("summarizer")) / "language-model"


def _packaged_model() -> Path:
    from py3langid.langid import MODEL_DIR, MODEL_FILE

    return Path(MODEL_DIR) / MODEL_FILE


def _copy_path(folder: Path) -> Path:
    from importlib.metadata import version

    packaged = _packaged_model()
    # the packaged file's size and version name the copy: a py3langid upgrade gets a new copy
    return folder / f"py3langid-{version('py3langid')}-{packaged.stat().st_size}-v{COPY_FORMAT}"


_ARRAYS = ("ptc", "pc", "classes", "nextmove", "row", "output", "typecodes")


def _from_copy(path: Path) -> Any:
    import numpy as np
    from py3langid.langid import LanguageIdentifier

    # .npy files, memory-mapped: no zip CRCs, no decompression; the big feature table stays a
    # read-only mapping of the file (pages are read as the model touches them)
    data = {name: np.load(path / f"{name}.npy", mmap_mode="r", allow_pickle=False) for name in _ARRAYS}
    codes = [str(c) for c in data["typecodes"]]
    return LanguageIdentifier(
        data["ptc"],
        np.array(data["pc"]),
        [str(c) for c in data["classes"]],
        _item_view(codes[0], data["nextmove"]),
        _item_view("q", data["output"]),
        norm_probs=True,
        tk_row=_item_view(codes[1], data["row"]),
    )


def _item_view(typecode: str, mapped: Any) -> memoryview:
    """The mapped array as a memoryview of Python ints: py3langid indexes the DFA's tables once per byte
    of text, and a view's item is as fast to read as an `array`'s (reading numpy elements made the walk ~3x slower). No
    copy: copying the 38 MB transition table into an `array` took ~0.02 s of every process's start,
    and a view reads only the pages the walk touches."""
    return memoryview(mapped).cast("B").cast(typecode)


def _write_copy(model: Any, path: Path) -> None:
    import shutil
    import tempfile

    import numpy as np

    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in path.parent.glob(f".{path.name}.*.tmp"):  # left by a process killed mid-write
        try:
            if time.time() - stale.stat().st_mtime > 600:
                shutil.rmtree(stale, ignore_errors=True)
        except OSError:
            pass
    arrays = {
        "ptc": model.nb_ptc,
        "pc": model.nb_pc,
        "classes": np.array(model.nb_classes),
        "nextmove": np.frombuffer(model.tk_nextmove, dtype=np.dtype(model.tk_nextmove.typecode)),
        "row": np.frombuffer(model.tk_row, dtype=np.dtype(model.tk_row.typecode)),
        "output": np.array(model.tk_output, dtype=np.int64),
        "typecodes": np.array([model.tk_nextmove.typecode, model.tk_row.typecode]),
    }
    temp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    try:
        for name in _ARRAYS:
            np.save(temp / f"{name}.npy", arrays[name], allow_pickle=False)
        # a folder appears whole or not at all; when another process got there first, keep theirs
        os.rename(temp, path)
    except OSError:
        pass
    finally:
        shutil.rmtree(temp, ignore_errors=True)


def _load_full() -> Any:
    from py3langid.langid import LanguageIdentifier

    folder = copy_folder()
    path = None
    if folder is not None:
        try:
            path = _copy_path(folder)
            if path.is_dir():
                return _from_copy(path)
        except Exception:  # noqa: BLE001 - a damaged or foreign copy: replace it with one from the package
            if path is not None:
                import shutil

                shutil.rmtree(path, ignore_errors=True)
    model = LanguageIdentifier.from_model_file(_packaged_model(), norm_probs=True)
    if path is not None:
        try:
            _write_copy(model, path)
        except Exception:  # noqa: BLE001 - read-only or full disk: the next run decompresses again
            pass
    return model


def identifier(languages: tuple[str, ...] | None = None) -> Any:
    """The py3langid identifier (normalised probabilities), optionally restricted to `languages`."""
    global _full
    with _lock:  # batch workers load sources in threads: build the model once, not once per thread
        if _full is None:
            _full = _load_full()
        if not languages:
            return _full
        key = tuple(sorted(set(languages)))
        if key not in _restricted:
            restricted = copy.copy(_full)
            restricted.set_languages(list(key))
            _restricted[key] = restricted
        return _restricted[key]


_MIN_LETTERS = 20  # fewer letters than this: too little text to tell


# py3langid walks its input byte by byte in Python (~10% of a batch's GIL time on whole articles);
# an article's start tells its language: benchmarks/language_sample.py, on the id-en-news corpus as
# pseudo-articles, the seeds and tests/data/checks/corpus.jsonl, finds the same language as on the
# whole text for every article from 600 characters on (3,478 pseudo-articles of ~760 characters and
# 978 of ~3,000); at 300, 8 and 1 of them changed (id -> ms). 1,000 leaves a margin.
SAMPLE_CHARS = 1000


def language_sample(text: str, limit: int = SAMPLE_CHARS) -> str:
    """The start of `text` that detection reads: at most `limit` characters, cut at a word boundary."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    boundary = max(cut.rfind(" "), cut.rfind("\n"))
    return cut[:boundary] if boundary > limit // 2 else cut


def detect_language(text: str) -> tuple[str | None, float]:
    """(language code, normalised probability) via py3langid on the text's start; (None, 0.0) for too little text."""
    sample = language_sample(text)
    # enough letters? stop at the _MIN_LETTERS-th (counting every character in a Python loop cost
    # ~0.3 ms per article, on a batch's CPU budget)
    if len(list(islice(filter(str.isalpha, sample), _MIN_LETTERS))) < _MIN_LETTERS:
        return None, 0.0
    try:
        lang, prob = identifier().classify(sample)
    except Exception:  # noqa: BLE001 - language is advisory; never fail the load because of it
        return None, 0.0
    if not lang or lang in ("und", "zxx"):
        return None, 0.0
    return str(lang), max(0.0, min(1.0, float(prob)))
