"""The bundled reference list (stations, villages and communities) seeded identically on
every installation, so that it never clashes when laptops meet.

Each reference record has an id derived from its code and one change-log entry under a
fixed device id (`REFERENCE_DEVICE`) with a sequence number derived from the code (the
official division code itself where it is numeric). Every laptop that seeds the same list
makes byte-identical entries: exchanged, they are one entry. Later corrections of a name
are ordinary edits (by the bureau) on top of them. Receivers accept entries of the
reference device only for stations and areas, and only in exactly this form.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from station_desktop.reference.stations import REFERENCE_NAMESPACE
from station_desktop.store.changes import ChangeId, ChangeRecorder, WriterIdentity
from station_desktop.store.models import Area, Station

REFERENCE_DEVICE = uuid.UUID("5d1c3a59-2023-5000-8000-00000000d1c0")
REFERENCE_TIME = datetime(2023, 1, 1, tzinfo=UTC)
REFERENCE_TABLES = frozenset({"station", "area"})


def reference_id(table: str, code: str) -> uuid.UUID:
    """The id every installation gives the station or area with `code` (the bundled list's
    own rule, `reference.stations`)."""
    return uuid.uuid5(REFERENCE_NAMESPACE, f"{table}:{code.upper()}")


def reference_seq(table: str, code: str) -> int:
    """A stable sequence number for a reference record: its numeric division code, else
    62 bits of a hash of table and code."""
    if code.isdigit() and 0 < int(code) < 2**62:
        return int(code)
    digest = hashlib.sha256(f"{table}:{code.upper()}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 2 | 1


def reference_change(table: str, code: str) -> ChangeId:
    return ChangeId(REFERENCE_DEVICE, reference_seq(table, code))


@dataclass(frozen=True)
class SeedStation:
    code: str
    kind: str
    name_bo: str
    name_zh: str
    county_bo: str = ""
    county_zh: str = ""


@dataclass(frozen=True)
class SeedArea:
    code: str
    station_code: str
    kind: str
    name_bo: str
    name_zh: str


def seed_reference(
    session: Session, stations: Sequence[SeedStation], areas: Sequence[SeedArea]
) -> dict[str, int]:
    """Add the reference records this store does not have yet; returns how many stations
    and areas. Records already there (seeded before, received, or made by hand with the
    same code) are left as they are."""
    station_codes = {s.code.upper() for s in stations}
    area_codes = {a.code.upper() for a in areas}
    present = set(
        session.scalars(select(Station.code).where(Station.code.in_(station_codes)))
    ) | set(session.scalars(select(Area.code).where(Area.code.in_(area_codes))))
    recorder = ChangeRecorder(
        session, WriterIdentity(REFERENCE_DEVICE, None), REFERENCE_TIME, uuid.uuid4
    )
    added = {"stations": 0, "areas": 0}
    for station in stations:
        record_id = reference_id("station", station.code)
        if station.code.upper() in present:
            continue
        recorder.insert_reference(
            Station,
            {
                "code": station.code.upper(),
                "kind": station.kind,
                "name_bo": station.name_bo,
                "name_zh": station.name_zh,
                "county_bo": station.county_bo,
                "county_zh": station.county_zh,
            },
            record_id=record_id,
            change=reference_change("station", station.code),
            station_id=None,
        )
        added["stations"] += 1
    for area in areas:
        record_id = reference_id("area", area.code)
        if area.code.upper() in present:
            continue
        station_id = reference_id("station", area.station_code)
        recorder.insert_reference(
            Area,
            {
                "code": area.code.upper(),
                "kind": area.kind,
                "name_bo": area.name_bo,
                "name_zh": area.name_zh,
                "station_id": station_id,
            },
            record_id=record_id,
            change=reference_change("area", area.code),
            station_id=station_id,
        )
        added["areas"] += 1
    return added


def is_reference_entry(
    device_id: uuid.UUID, seq: int, table: str, record_id: uuid.UUID, fields: dict[str, object]
) -> bool:
    """An entry of the reference device in exactly the form seeding makes it."""
    code = fields.get("code")
    return (
        device_id == REFERENCE_DEVICE
        and table in REFERENCE_TABLES
        and isinstance(code, str)
        and record_id == reference_id(table, code)
        and seq == reference_seq(table, code)
    )
