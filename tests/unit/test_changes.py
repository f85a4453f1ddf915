"""The change log: every write logged in the same transaction, enough to rebuild records."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from station_desktop.app import Application
from station_desktop.errors import StaleEdit, ValidationError
from station_desktop.store.changes import (
    ChangeId,
    WriterIdentity,
    hlc_tick,
    logged_columns,
    replay_entries,
    unit_of_work,
)
from station_desktop.store.engine import Database, create_store_engine
from station_desktop.store.migrate import upgrade_to_head
from station_desktop.store.models import REPLICATED_MODELS, ChangeLogEntry, Resident
from tests.conftest import FakeClock, StationSetup

pytestmark = pytest.mark.both_engines


def _log(app: Application) -> list[ChangeLogEntry]:
    with app.ctx.db.read() as session:
        entries = list(session.scalars(select(ChangeLogEntry).order_by(ChangeLogEntry.seq)))
        session.expunge_all()
        return entries


def _register(app: Application, **values: object) -> uuid.UUID:
    return app.residents.register({"name_zh": "扎西", "legal_basis": "statutory_duty", **values})


def test_every_write_appends_one_entry_per_record(app: Application, station: StationSetup) -> None:
    before = len(_log(app))
    resident = _register(app, name_bo="བཀྲ་ཤིས་")
    sheet = app.feedback.record(
        {
            "service_area": "elderly_care",
            "service_date": "2026-05-01",
            "collected_on": "2026-05-02",
            "rating_overall": 5,
            "rating_attitude": 4,
        }
    )
    entries = _log(app)[before:]
    assert [(e.entity, e.op) for e in entries] == [
        ("resident", "insert"),
        ("feedback_sheet", "insert"),
        ("feedback_rating", "insert"),
        ("feedback_rating", "insert"),
    ]
    assert entries[0].record_id == resident
    assert entries[0].fields["name_bo"] == "བཀྲ་ཤིས་"
    # An insert logs what was given, not the empty defaults (the log is most of the file).
    assert "guardian_name" not in entries[0].fields
    assert entries[0].fields["station_id"] == str(station.station_id)
    assert entries[1].record_id == sheet
    # One user action, one action id: the sheet and its ratings belong together.
    assert len({e.action_id for e in entries[1:]}) == 1
    assert entries[0].action_id != entries[1].action_id
    assert all(e.device_id == app.ctx.device_id for e in entries)
    assert all(e.station_id == station.station_id for e in entries)


def test_sequence_numbers_are_contiguous_per_device(
    app: Application, station: StationSetup
) -> None:
    for n in range(5):
        _register(app, name_zh=f"张{n}")
    seqs = [e.seq for e in _log(app)]
    assert seqs == list(range(1, len(seqs) + 1))


def test_update_logs_only_changed_fields_with_parents(
    app: Application, station: StationSetup
) -> None:
    resident = _register(app, phone="13800138000")
    inserted = _log(app)[-1]
    assert app.residents.update(resident, {"phone": "13900139000", "name_zh": "扎西"})
    update = _log(app)[-1]
    assert update.op == "update"
    assert update.fields == {"phone": "13900139000"}  # name_zh was not changed
    assert update.parents == [str(ChangeId(inserted.device_id, inserted.seq))]
    current = app.residents.get(resident)
    assert current is not None
    assert current.heads == [str(ChangeId(update.device_id, update.seq))]


def test_an_update_that_changes_nothing_logs_nothing(
    app: Application, station: StationSetup
) -> None:
    resident = _register(app)
    count = len(_log(app))
    assert app.residents.update(resident, {"name_zh": "  扎西 "}) is False  # same after normalising
    assert len(_log(app)) == count


def test_refused_input_writes_nothing(app: Application, station: StationSetup) -> None:
    count = len(_log(app))
    with pytest.raises(ValidationError):
        app.residents.register(
            {"name_zh": "扎西", "legal_basis": "statutory_duty", "id_number": "11010519491231002Y"}
        )
    assert len(_log(app)) == count


def test_stale_edit_is_refused_not_overwritten(app: Application, station: StationSetup) -> None:
    resident = _register(app)
    loaded = app.residents.get(resident)
    assert loaded is not None
    app.residents.update(resident, {"phone": "13800138000"})  # someone else saves first
    with pytest.raises(StaleEdit):
        app.residents.update(resident, {"phone": "13900139000"}, based_on=loaded.heads)
    current = app.residents.get(resident)
    assert current is not None and current.phone == "13800138000"


def test_tombstone_is_a_logged_change_and_hides_the_record(
    app: Application, station: StationSetup
) -> None:
    resident = _register(app, name_zh="次仁")
    app.residents.delete(resident)
    assert _log(app)[-1].fields == {"deleted": True}
    assert app.residents.get(resident) is None
    assert app.residents.search("次仁") == []
    with app.ctx.db.read() as session:  # still there, as a tombstone
        assert session.get(Resident, resident) is not None


def test_change_log_is_append_only(app: Application, station: StationSetup) -> None:
    _register(app)
    for statement in ("UPDATE change_log SET op = 'x'", "DELETE FROM change_log"):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            app.ctx.db.write_session() as session,
        ):
            session.execute(text(statement))


def test_orm_writes_that_bypass_the_log_are_refused(
    app: Application, station: StationSetup
) -> None:
    with pytest.raises(RuntimeError, match="change log"), app.ctx.db.write_session() as session:
        session.add(Resident(id=uuid.uuid4(), name_zh="绕过"))
        session.flush()


def test_hlc_never_goes_back_when_the_clock_does(
    app: Application, station: StationSetup, clock: FakeClock
) -> None:
    _register(app, name_zh="甲")
    clock.advance(days=-400)  # the laptop's date was set wrong
    _register(app, name_zh="乙")
    clock.advance(days=800)
    _register(app, name_zh="丙")
    hlcs = [e.hlc for e in _log(app)]
    assert hlcs == sorted(hlcs) and len(set(hlcs)) == len(hlcs)


@given(st.lists(st.integers(min_value=0, max_value=2**47), min_size=1, max_size=50))
def test_hlc_tick_is_strictly_increasing(walls: list[int]) -> None:
    last = 0
    for wall in walls:
        new = hlc_tick(last, wall)
        assert new > last and new >= wall << 16
        last = new


def _rows(db: Database) -> dict[str, list[dict[str, object]]]:
    tables: dict[str, list[dict[str, object]]] = {}
    with db.read() as session:
        for name, model in REPLICATED_MODELS.items():
            columns = [
                model.__table__.c.id,
                *[c for c in logged_columns(model)],
                model.__table__.c.origin_device_id,
                model.__table__.c.heads,
            ]
            tables[name] = [
                dict(row)
                for row in session.execute(
                    select(*columns).order_by(model.__table__.c.id)
                ).mappings()
            ]
    return tables


def test_the_log_alone_rebuilds_every_record(
    app: Application, station: StationSetup, tmp_path: object
) -> None:
    """What sync will do: ship the log, rebuild the records on the other side."""
    resident = _register(app, name_bo="ཚེ་རིང་", birth_date="1950-03-04")
    app.residents.add_membership(resident, {"group": "elderly_alone", "start_date": "2024-01-01"})
    app.residents.update(resident, {"phone": "13800138000"})
    app.visits.record(
        {
            "resident_id": resident,
            "visit_date": "2026-05-20",
            "visitor_ids": [station.worker_id, station.head_id],
            "outcome": "at_home",
            "purpose": "routine",
            "services": ["visit_checkin"],
        }
    )
    case = app.cases.open(
        {
            "resident_id": resident,
            "opened_on": "2026-05-01",
            "source": "self",
            "presenting_problem": "ལུས་པོ་ན།",
        }
    )
    app.cases.move_stage(case, "assessment", "2026-05-02")
    app.cases.add_note(case, "2026-05-03", "家访")
    activity = app.activities.record(
        {"kind": "group_work", "title": "茶话会", "held_on": "2026-05-10"}, [resident]
    )
    receipt = app.resources.record_receipt(
        {
            "received_on": "2026-05-01",
            "donor_name": "某公司",
            "donor_type": "enterprise",
            "kind": "goods",
            "item": "夜灯",
            "quantity": 3,
            "unit_value": "25",
        }
    )
    app.resources.record_handout(
        {
            "resident_id": resident,
            "handed_on": "2026-05-02",
            "receipt_id": receipt,
            "kind": "goods",
            "item": "夜灯",
            "quantity": 1,
        }
    )
    app.residents.delete(resident)
    assert activity

    other = Database(create_store_engine(f"sqlite:///{tmp_path}/replica.sqlite3"))
    upgrade_to_head(other.engine)
    with other.write_session() as session:
        # Reference rows (station) come from the log too; foreign keys hold throughout.
        replay_entries(session, _log(app))
    assert _rows(other) == _rows(app.ctx.db)
    other.dispose()


def test_unit_of_work_rolls_back_everything_on_error(
    app: Application, station: StationSetup
) -> None:
    count = len(_log(app))
    identity = WriterIdentity(app.ctx.device_id, station.station_id)
    with (
        pytest.raises(ZeroDivisionError),
        unit_of_work(app.ctx.db, identity, now=lambda: datetime.now(UTC), new_id=uuid.uuid4) as uow,
    ):
        uow.insert(Resident, {"name_zh": "半途"})
        raise ZeroDivisionError
    assert len(_log(app)) == count
    assert app.residents.search("半途") == []


def test_insert_or_ignore_keeps_one_copy_and_refuses_other_clashes(
    app: Application, station: StationSetup
) -> None:
    """What loading and sync rely on: the same log entries twice leave one copy; a row
    clashing on another unique rule (a taken station code) is not silently dropped."""
    from station_desktop.store.engine import insert_or_ignore
    from station_desktop.store.models import Station, table_of

    _register(app)
    entries = [
        {c.name: getattr(e, c.name) for c in table_of(ChangeLogEntry).columns} for e in _log(app)
    ]
    with app.ctx.db.write_session() as session:
        session.execute(insert_or_ignore(session, table_of(ChangeLogEntry)), entries)
    assert len(_log(app)) == len(entries)
    with app.ctx.db.read() as session:
        taken = session.scalars(select(Station)).one()
        row = {c.name: getattr(taken, c.name) for c in table_of(Station).columns}
    with pytest.raises(DatabaseError), app.ctx.db.write_session() as session:
        session.execute(insert_or_ignore(session, table_of(Station)), [{**row, "id": uuid.uuid4()}])
