"""Which changes an installation holds: per origin device, ranges of sequence numbers.

This is a version vector that also remembers holes ("laptop K7QD: 1–40 and 58–90", so
changes 41–57 have not arrived yet). A bundle carries its maker's holdings; the receiver
keeps them to send that installation only what it lacks next time, and compares them with
its own to say which changes are still missing somewhere.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from station_desktop.store.models import ChangeLogEntry

Ranges = list[tuple[int, int]]  # sorted, disjoint, inclusive
Holdings = dict[uuid.UUID, Ranges]


def ranges_of(numbers: Iterable[int]) -> Ranges:
    result: Ranges = []
    for number in sorted(set(numbers)):
        if result and number == result[-1][1] + 1:
            result[-1] = (result[-1][0], number)
        else:
            result.append((number, number))
    return result


def holdings(session: Session) -> Holdings:
    """What this installation's change log holds. One grouped query; the holes of a device
    are looked for only when its count says it has some."""
    log = ChangeLogEntry
    held: Holdings = {}
    for device, count, low, high in session.execute(
        select(log.device_id, func.count(), func.min(log.seq), func.max(log.seq)).group_by(
            log.device_id
        )
    ):
        if count == high - low + 1:
            held[device] = [(low, high)]
        else:
            seqs = session.execute(select(log.seq).where(log.device_id == device)).scalars()
            held[device] = ranges_of(seqs)
    return held


def subtract(wanted: Ranges, have: Ranges) -> Ranges:
    """The parts of `wanted` not covered by `have`."""
    result: Ranges = []
    for low, high in wanted:
        start = low
        for have_low, have_high in have:
            if have_high < start or have_low > high:
                continue
            if have_low > start:
                result.append((start, have_low - 1))
            start = max(start, have_high + 1)
            if start > high:
                break
        if start <= high:
            result.append((start, high))
    return result


def missing_for(peer: Holdings, local: Holdings) -> Holdings:
    """What `local` holds that `peer` is not known to hold."""
    result: Holdings = {}
    for device, ranges in local.items():
        rest = subtract(ranges, peer.get(device, []))
        if rest:
            result[device] = rest
    return result


def gaps(held: Holdings) -> Holdings:
    """Per device, the numbers below its highest one that are not here."""
    result: Holdings = {}
    for device, ranges in held.items():
        missing = subtract([(1, ranges[-1][1])], ranges)
        if missing:
            result[device] = missing
    return result


def union(first: Holdings, second: Holdings) -> Holdings:
    result: Holdings = {}
    for device in set(first) | set(second):
        numbers = first.get(device, []) + second.get(device, [])
        merged: Ranges = []
        for low, high in sorted(numbers):
            if merged and low <= merged[-1][1] + 1:
                merged[-1] = (merged[-1][0], max(merged[-1][1], high))
            else:
                merged.append((low, high))
        result[device] = merged
    return result


def to_json(held: Holdings) -> dict[str, list[list[int]]]:
    return {str(device): [[low, high] for low, high in ranges] for device, ranges in held.items()}


def from_json(data: Any) -> Holdings:
    """Holdings as a manifest carries them; ValueError when they are not."""
    if not isinstance(data, Mapping):
        raise ValueError("holdings are not an object")
    result: Holdings = {}
    for device, ranges in data.items():
        parsed: Ranges = []
        if not isinstance(ranges, list):
            raise ValueError("holdings are not ranges")
        for pair in ranges:
            if (
                not isinstance(pair, list)
                or len(pair) != 2
                or not all(isinstance(n, int) and not isinstance(n, bool) for n in pair)
                or not 1 <= pair[0] <= pair[1] < 2**63
            ):
                raise ValueError("holdings are not ranges")
            parsed.append((pair[0], pair[1]))
        result[uuid.UUID(str(device))] = ranges_of_pairs(parsed)
    return result


def ranges_of_pairs(pairs: Ranges) -> Ranges:
    return union({uuid.UUID(int=0): pairs}, {}).get(uuid.UUID(int=0), [])


def count(held: Holdings) -> int:
    return sum(high - low + 1 for ranges in held.values() for low, high in ranges)
