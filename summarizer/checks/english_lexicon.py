"""The English dictionary the name checks consult: Webster's 2nd and GCIDE from the `english-words`
package, as two word lists, read fast.

    lowercase_words()   the entries written in lower case ("bencana" is not one, "disaster" is)
    entries()           every entry lower-cased, with the capitalised ones ("christmas", "jew")

Both answer `word in ...`, by bisection in sorted lists: the copy below is written sorted, so reading
it is one split. As frozensets, hashing the ~263,000 fresh strings (and the union of the two) cost
~70 ms more of every checking process's start (the checks worker's, which a short batch's answers wait
for); a lookup costs ~1 us instead of ~0.1, and a check of seed 000 makes a few dozen.

Building the sets from the package (340,000 entries, filtered and lower-cased) costs ~0.35 s of CPU
in every process that checks a translation: the first check of a `summarize` run, and the start of a
batch's checks worker, which the first answers wait for. The first build therefore keeps a plain-text
copy (one word per line, ~3 MB) next to the language model's copy (`language.copy_folder()`: the same
folder and the same `off` switch), which later processes read in ~0.05 s. Plain text, not pickle or
marshal: the file sits in a user-writable folder, and a tampered copy can then only change which
words count as English, never run code. A copy that cannot be read or written is never an error.
"""

from __future__ import annotations

from bisect import bisect_left
from functools import lru_cache
from heapq import merge
from pathlib import Path
from typing import Iterator

COPY_FORMAT = 1  # bump when the layout of the copy changes
_SOURCES = ("web2", "gcide")


class SortedWords:
    """Distinct words in sorted (code point) order, found by bisection."""

    __slots__ = ("_words",)

    def __init__(self, words: list[str]) -> None:
        self._words = words

    def __contains__(self, word: object) -> bool:
        words = self._words
        at = bisect_left(words, word)  # type: ignore[call-overload]  (words are looked up, never other things)
        return at < len(words) and words[at] == word

    def __len__(self) -> int:
        return len(self._words)

    def __iter__(self) -> Iterator[str]:
        return iter(self._words)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SortedWords) and self._words == other._words


class EitherWords:
    """The words of two disjoint `SortedWords`, in order."""

    __slots__ = ("_first", "_second")

    def __init__(self, first: SortedWords, second: SortedWords) -> None:
        self._first, self._second = first, second

    def __contains__(self, word: object) -> bool:
        return word in self._first or word in self._second

    def __len__(self) -> int:
        return len(self._first) + len(self._second)

    def __iter__(self) -> Iterator[str]:
        return merge(self._first, self._second)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, EitherWords) and (self._first, self._second) == (other._first, other._second)


@lru_cache(maxsize=1)  # asked once per capitalised word: the cached call skips the tuple unpacking
def lowercase_words() -> SortedWords:
    return _sets()[0]


@lru_cache(maxsize=1)
def entries() -> EitherWords:
    return _sets()[1]


@lru_cache(maxsize=1)
def _sets() -> tuple[SortedWords, EitherWords]:
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


def _from_package() -> tuple[SortedWords, EitherWords]:
    from english_words import get_english_words_set

    listed = get_english_words_set(list(_SOURCES), alpha=True)
    # lower-case entries only for the first list: capitalised ones are names ("Shirley", "Margaret")
    lower = {w for w in listed if w.islower()}
    lowered = SortedWords(sorted(lower))
    return lowered, EitherWords(lowered, SortedWords(sorted({w.lower() for w in listed} - lower)))


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
def _read_copy(path: Path) -> tuple[SortedWords, EitherWords]:
    text = path.read_text(encoding="utf-8")
    body, _, tail = text.rstrip("\n").rpartition("\n")
    counts = tail.split(" ")
    lower_part, blank, rest_part = body.partition("\n\n")
    if not blank or len(counts) != 3 or counts[0] != "#":
        raise ValueError(f"{path}: not a word-list copy")
    lower = SortedWords(lower_part.split("\n"))  # written sorted: see _write_copy
    every = EitherWords(lower, SortedWords(rest_part.split("\n")))
    if len(lower) != int(counts[1]) or len(every) != int(counts[2]):
        raise ValueError(f"{path}: incomplete word-list copy")
    return lower, every


def _write_copy(path: Path, lower: SortedWords, every: EitherWords) -> None:
    from summarizer.outputs import write_atomic

    text = "\n".join(lower) + "\n\n" + "\n".join(every._second) + f"\n# {len(lower)} {len(every)}\n"  # noqa: SLF001 - its own class
    try:
        # whole or not at all (another process's identical copy is fine to replace); no fsync: a copy lost
        # to a crash is only built again
        write_atomic(path, text, fsync=False)
    except OSError:
        pass  # read-only or full disk: the next process builds the sets again
