"""Erasing values from the change log on both engines: the log's guard lets an entry's
values be emptied only when the erasure lists it, and nothing else of it change."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import delete, select, update

from station_desktop.app import Application
from station_desktop.store.models import ChangeLogEntry, Erasure, LogRedaction, table_of
from tests.conftest import StationSetup

pytestmark = pytest.mark.both_engines

ID_NUMBER = "11010519491231002X"


def test_an_erased_id_number_leaves_the_row_and_the_log(
    app: Application, station: StationSetup
) -> None:
    resident = app.residents.register(
        {"name_zh": "次仁", "legal_basis": "statutory_duty", "id_number": ID_NUMBER}
    )
    app.residents.update(resident, {"phone": "13762142223"})
    app.residents.delete(resident)
    assert app.privacy.erase_id_number(resident) == 1
    with app.ctx.db.read() as session:
        entries = session.scalars(
            select(ChangeLogEntry).where(ChangeLogEntry.record_id == resident)
        ).all()
        assert all(e.fields.get("id_number") in (None, "") for e in entries)
        assert any(e.fields.get("phone") == "13762142223" for e in entries)  # kept
        erasure = session.scalars(select(Erasure)).one()
        redacted = session.scalars(select(LogRedaction)).all()
        assert [f"{r.device_id}:{r.seq}" for r in redacted] == erasure.changes
        assert erasure.fields == ["id_number"] and erasure.target_id == resident


def test_the_log_refuses_every_other_change(app: Application, station: StationSetup) -> None:
    resident = app.residents.register(
        {"name_zh": "次仁", "legal_basis": "statutory_duty", "id_number": ID_NUMBER}
    )
    app.residents.delete(resident)
    app.privacy.erase_id_number(resident)
    with app.ctx.db.read() as session:
        listed = session.scalars(select(LogRedaction)).first()
        other = session.scalars(
            select(ChangeLogEntry).where(ChangeLogEntry.entity == "station")
        ).first()
    assert listed is not None and other is not None
    log = table_of(ChangeLogEntry)

    def entry(row: LogRedaction | ChangeLogEntry) -> Any:
        return (log.c.device_id == row.device_id) & (log.c.seq == row.seq)

    statements = [
        update(log).where(entry(other)).values(fields={}),  # an entry no erasure lists
        update(log).where(entry(listed)).values(hlc=log.c.hlc + 1),  # listed, another column
        update(log).where(entry(listed)).values(fields={"name_zh": "x"}),  # other names
        delete(log).where(entry(listed)),
    ]
    for statement in statements:
        with (
            pytest.raises(Exception, match="append-only"),
            app.ctx.db.write_session() as session,
        ):
            session.execute(statement)
