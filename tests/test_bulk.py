"""paused_gc: the collector is off inside, back on after, and what the block made is old, not lost."""

import gc
import weakref

import pytest

from graphmodel.bulk import paused_gc


class Node:
    pass


@pytest.fixture
def collector_on():
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_what_the_block_made_is_counted_old_not_young(collector_on):
    collections = []
    record = lambda phase, info: collections.append(info["generation"]) if phase == "start" else None  # noqa: E731
    gc.callbacks.append(record)
    try:
        with paused_gc():
            assert not gc.isenabled()
            made = [[i] for i in range(50_000)]  # 50k tracked objects: a young collection would walk them all
        after = [[i] for i in range(100)]  # fewer than the young generation's threshold (700)
    finally:
        gc.callbacks.remove(record)
    assert gc.isenabled()
    assert collections == []  # no collection walked the block's objects to promote them
    assert any(o is made for o in gc.get_objects(generation=2))  # they are in the oldest generation
    assert gc.get_freeze_count() == 0  # and nothing is left frozen
    assert len(made) == 50_000 and len(after) == 100


def test_a_cycle_made_in_the_block_is_still_collected(collector_on):
    with paused_gc():
        a, b = Node(), Node()
        a.other, b.other = b, a
        alive = weakref.ref(a)
    del a, b
    assert alive() is not None  # a cycle: reference counting alone does not free it
    gc.collect()
    assert alive() is None


def test_a_program_s_own_frozen_objects_stay_frozen(collector_on):
    kept = [Node() for _ in range(10)]
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        assert frozen >= 10
        with paused_gc():
            made = [Node() for _ in range(100)]
        assert gc.isenabled()
        assert gc.get_freeze_count() == frozen  # not released, and the block's objects not added
    finally:
        gc.unfreeze()
    assert len(kept) == 10 and len(made) == 100


def test_nested_blocks_keep_it_paused_to_the_outermost(collector_on):
    with paused_gc():
        with paused_gc():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()
