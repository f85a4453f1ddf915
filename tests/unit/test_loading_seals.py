"""migrate-to seals the log entries it copies from the file's stored values: each must be
sealed exactly as `audit verify` seals what SQLAlchemy reads back, or a loaded entry would
look edited."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.dialects import sqlite

from station_desktop.store.audit import entry_seal
from station_desktop.store.loading import _sealable
from station_desktop.store.models import ChangeLogEntry, table_of

LOG = table_of(ChangeLogEntry)
SQLITE = sqlite.dialect()
KEY = b"k" * 32

# Instants are written in UTC whatever their zone (Lhasa's is UTC+8).
instants = st.datetimes(
    min_value=datetime(2000, 1, 2), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
) | st.datetimes(
    min_value=datetime(2000, 1, 2),
    max_value=datetime(2100, 1, 1),
    timezones=st.just(timezone(timedelta(hours=8))),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)


def _stored(column: str, value: object) -> object:
    """The value as SQLAlchemy writes it into the station's SQLite file."""
    kind = LOG.c[column].type.dialect_impl(SQLITE)
    process = kind.bind_processor(SQLITE)
    return process(value) if process is not None else value


def _read(column: str, stored: object) -> object:
    """The value as SQLAlchemy reads it from the file (what the bureau's server then holds)."""
    kind = LOG.c[column].type.dialect_impl(SQLITE)
    process = kind.result_processor(SQLITE, None)
    return process(stored) if process is not None else stored


@given(
    ids=st.lists(st.uuids(), min_size=5, max_size=5),
    actor=st.none() | st.uuids(),
    wall_time=instants,
    fields=st.dictionaries(st.text(), json_values, max_size=4),
    parents=st.lists(st.uuids().map(str), max_size=3),
    numbers=st.tuples(st.integers(1, 2**40), st.integers(0, 2**62), st.integers(1, 9)),
)
def test_an_entry_copied_from_the_file_is_sealed_as_verify_seals_it(
    ids: list[uuid.UUID],
    actor: uuid.UUID | None,
    wall_time: datetime,
    fields: dict[str, object],
    parents: list[str],
    numbers: tuple[int, int, int],
) -> None:
    seq, hlc, schema_version = numbers
    entry = {
        "device_id": ids[0],
        "seq": seq,
        "hlc": hlc,
        "wall_time": wall_time,
        "station_id": ids[1],
        "actor_id": actor,
        "action_id": ids[2],
        "entity": "resident",
        "record_id": ids[3],
        "op": "update",
        "fields": fields,
        "parents": parents,
        "schema_version": schema_version,
    }
    stored = {name: _stored(name, value) for name, value in entry.items()}
    as_read = {name: _read(name, value) for name, value in stored.items()}
    from_file = {
        column.name: value if read is None or value is None else read(value)
        for column, read, value in zip(
            LOG.columns, _sealable(LOG), (stored[c.name] for c in LOG.columns), strict=True
        )
    }
    assert entry_seal(KEY, from_file) == entry_seal(KEY, as_read)
