"""migrate-to reads batches on a thread, several ahead of the one being written: they come
in order, and those made ahead of a caller who stops are handed back, not leaked."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import closing

import pytest

from station_desktop.store.loading import _read_ahead


def _made(log: list[int], count: int) -> Iterator[int]:
    for number in range(count):
        log.append(number)
        yield number


@pytest.mark.parametrize("ahead", [1, 3])
def test_items_come_in_order(ahead: int) -> None:
    made: list[int] = []
    with closing(_read_ahead(_made(made, 10), ahead=ahead)) as items:
        assert list(items) == list(range(10))
    assert made == list(range(10))


def test_items_made_ahead_of_a_caller_who_stops_are_handed_back() -> None:
    made: list[int] = []
    unused: list[int] = []
    with closing(_read_ahead(_made(made, 10), unused.append, ahead=3)) as items:
        for item in items:
            if item == 2:
                break
    # Every item made was either given or handed back, once; at most 3 ahead of the last.
    assert sorted([0, 1, 2, *unused]) == made
    assert 3 not in made or 3 in unused
    assert len(made) <= 6
    assert not any(t.name.startswith("station-load") for t in threading.enumerate())


def test_a_failure_while_making_reaches_the_caller_at_its_turn() -> None:
    def failing() -> Iterator[int]:
        yield 1
        raise ValueError("damaged")

    got = []
    with closing(_read_ahead(failing(), ahead=3)) as items, pytest.raises(ValueError):
        for item in items:
            got.append(item)
    assert got == [1]
