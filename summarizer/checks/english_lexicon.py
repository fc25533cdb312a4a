"""The English dictionary the name checks consult: Webster's 2nd and GCIDE from the `english-words`
package, as two sets, read fast.

    lowercase_words()   the entries written in lower case ("bencana" is not one, "disaster" is)
    entries()           every entry lower-cased, with the capitalised ones ("christmas", "jew")

Building the sets from the package (340,000 entries, filtered and lower-cased) costs ~0.35 s of CPU
in every process that checks a translation: the first check of a `summarize` run, and the start of a
batch's checks worker, which the first answers wait for. The first build therefore keeps a plain-text
copy (one word per line, ~3 MB) next to the language model's copy (`language.copy_folder()`: the same
folder and the same `off` switch), which later processes read in ~0.05 s. Plain text, not pickle or
marshal: the file sits in a user-writable folder, and a tampered copy can then only change which
words count as English, never run code. A copy that cannot be read or written is never an error.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

COPY_FORMAT = 1  # bump when the layout of the copy changes
_SOURCES = ("web2", "gcide")


@lru_cache(maxsize=1)  # asked once per capitalised word: the cached call skips the tuple unpacking
def lowercase_words() -> frozenset[str]:
    return _sets()[0]


@lru_cache(maxsize=1)
def entries() -> frozenset[str]:
    return _sets()[1]


@lru_cache(maxsize=1)
def _sets() -> tuple[frozenset[str], frozenset[str]]:
    path = _copy_path()
    if path is not None:
        try:
            return _read_copy(path)
        except (OSError, ValueError, UnicodeDecodeError):
            pass  # none yet, or damaged: build from the package and (re)write it
    lower, every = _from_package()
    if path is not None:
        _write_copy(path, lower, every)
    return lower, every


def _from_package() -> tuple[frozenset[str], frozenset[str]]:
    from english_words import get_english_words_set

    listed = get_english_words_set(list(_SOURCES), alpha=True)
    # lower-case entries only for the first set: capitalised ones are names ("Shirley", "Margaret")
    return frozenset(w for w in listed if w.islower()), frozenset(w.lower() for w in listed)


def _copy_path() -> Path | None:
    from importlib.metadata import PackageNotFoundError, version

    from summarizer.language import copy_folder

    folder = copy_folder()
    if folder is None:
        return None
    try:
        release = version("english-words")
    except PackageNotFoundError:
        return None
    # the package's release names the copy: an upgrade gets a new copy
    return folder / f"english-words-{release}-{'-'.join(_SOURCES)}-v{COPY_FORMAT}.txt"


# The copy: the lower-case words, one per line, a blank line, then the entries that are not among them.
# It ends with a line telling both counts, so that a file cut short is never taken for the whole.
def _read_copy(path: Path) -> tuple[frozenset[str], frozenset[str]]:
    text = path.read_text(encoding="utf-8")
    body, _, tail = text.rstrip("\n").rpartition("\n")
    counts = tail.split(" ")
    lower_part, blank, rest_part = body.partition("\n\n")
    if not blank or len(counts) != 3 or counts[0] != "#":
        raise ValueError(f"{path}: not a word-list copy")
    lower = frozenset(lower_part.split("\n"))
    every = lower | frozenset(rest_part.split("\n"))
    if len(lower) != int(counts[1]) or len(every) != int(counts[2]):
        raise ValueError(f"{path}: incomplete word-list copy")
    return lower, every


def _write_copy(path: Path, lower: frozenset[str], every: frozenset[str]) -> None:
    from summarizer.outputs import write_atomic

    text = "\n".join(sorted(lower)) + "\n\n" + "\n".join(sorted(every - lower)) + f"\n# {len(lower)} {len(every)}\n"
    try:
        # whole or not at all (another process's identical copy is fine to replace); no fsync: a copy lost
        # to a crash is only built again
        write_atomic(path, text, fsync=False)
    except OSError:
        pass  # read-only or full disk: the next process builds the sets again
