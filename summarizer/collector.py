"""The garbage collector around one-time loads and a batch's run.

A run's one-time loads (the checks' word lists and CLDR data, the language model, the SDK's types and
the templates) make hundreds of thousands of objects that live as long as the process. The collector
walked them again and again while they were made (the checks worker's ~110 collections: its start
0.53-0.77 s -> 0.38-0.53 s without them), and once more in a full collection in the middle of a fresh
batch's first wave, ~65 ms of the event loop's time while the first requests were leaving.

    with paused(): ...    no automatic collection in the block, unless the collector was off already
                          (nothing a load makes is garbage; an explicit gc.collect() still runs)
    with frozen(): ...    the objects alive on entry are left out of every collection in the block
                          (gc.freeze) and given back on exit (gc.unfreeze): the collections of a run
                          walk only what the run makes. Skipped when the process has frozen objects
                          already (a pre-fork server's, or an enclosing run's): theirs is left alone.
"""

from __future__ import annotations

import contextlib
import gc
from typing import Iterator


@contextlib.contextmanager
def paused(when: bool = True) -> Iterator[None]:
    collecting = when and gc.isenabled()
    if collecting:
        gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


@contextlib.contextmanager
def frozen() -> Iterator[None]:
    ours = gc.get_freeze_count() == 0
    if ours:
        gc.freeze()
    try:
        yield
    finally:
        if ours:
            gc.unfreeze()
