"""The garbage collector around one-time loads and a batch's run (summarizer.collector)."""

from __future__ import annotations

import gc

import pytest
from test_batch import batch_in_process, make_folder

from summarizer.batch import BatchOptions
from summarizer.collector import frozen, paused


@pytest.fixture(autouse=True)
def _no_freeze_before():
    """Each test starts with nothing frozen, as a process does (this one runs every test file)."""
    gc.unfreeze()
    gc.enable()


def test_paused_stops_automatic_collections_and_restores_the_collector_as_it_was():
    assert gc.isenabled()
    with paused():
        assert not gc.isenabled()
        with paused():  # nested: the inner block leaves the collector to the outer one
            pass
        assert not gc.isenabled()
    assert gc.isenabled()
    with paused(False):
        assert gc.isenabled()
    gc.disable()
    try:
        with paused():
            pass
        assert not gc.isenabled()  # it was off: left off
    finally:
        gc.enable()


def test_frozen_leaves_the_objects_alive_on_entry_out_and_gives_them_back():
    assert gc.get_freeze_count() == 0
    kept = [[n] for n in range(1000)]
    with frozen():
        count = gc.get_freeze_count()
        assert count >= len(kept)
        made = [[n] for n in range(10)]  # the block's own objects are collected as usual
        assert gc.get_freeze_count() == count and all(gc.is_tracked(m) for m in made)
    assert gc.get_freeze_count() == 0 and gc.is_tracked(kept[0])


def test_frozen_leaves_a_freeze_of_the_process_alone():
    gc.freeze()  # a pre-fork server's
    try:
        before = gc.get_freeze_count()
        with frozen():
            assert gc.get_freeze_count() == before
        assert gc.get_freeze_count() == before  # not unfrozen on exit
    finally:
        gc.unfreeze()


def test_a_batch_runs_frozen_after_its_warm_up_and_gives_everything_back(llm_server, tmp_path):
    make_folder(tmp_path / "news", 3)
    seen: list[tuple[bool, int]] = []

    def progress(event) -> None:
        if event.kind in ("start", "finished"):
            seen.append((gc.isenabled(), gc.get_freeze_count()))

    report = batch_in_process(llm_server, [tmp_path / "news"], BatchOptions(out_dir=tmp_path / "out", concurrency=2), progress=progress)
    assert report.done == 3
    assert len(seen) == 4 and all(enabled and count > 0 for enabled, count in seen), seen
    assert gc.isenabled() and gc.get_freeze_count() == 0
