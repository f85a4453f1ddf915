"""The audit chain: every change and event is a link; tampering of any kind is found."""

from __future__ import annotations

import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from station_desktop.app import Application
from station_desktop.store import audit
from station_desktop.store.audit import (
    MSG_ENTRY_CHANGED,
    MSG_ENTRY_FORGED,
    MSG_ENTRY_MISSING,
    MSG_GUARD_CHANGED,
    MSG_LINK_CHANGED,
    MSG_LINKS_MISSING,
    MSG_RECORD_DIFFERS,
    MSG_RECORD_UNLOGGED,
    MSG_TAIL_LOST,
    Verification,
    record_event,
    verify,
)
from station_desktop.store.engine import Database, create_store_engine, sqlite_url
from station_desktop.store.models import AuditEvent, ChangeLogEntry
from tests.conftest import StationSetup

AUDIT_GUARDS = audit.GUARDS_SQLITE["audit_event"]
LOG_GUARDS = audit.GUARDS_SQLITE["change_log"]


def _work(app: Application, station: StationSetup) -> uuid.UUID:
    resident = app.residents.register(
        {"name_zh": "次仁", "legal_basis": "statutory_duty", "area_id": station.area_id}
    )
    app.residents.register({"name_zh": "达瓦", "legal_basis": "statutory_duty"})
    with app.ctx.db.write_session() as session:
        record_event(
            session,
            actor_id=station.head_id,
            action=audit.REVEAL_ID,
            entity="resident",
            entity_id=str(resident),
            fields=["id_number"],
        )
    return resident


def _verify(app: Application) -> Verification:
    with app.ctx.db.read() as session:
        return verify(session)


def _messages(result: Verification) -> set[str]:
    return {problem.message for problem in result.problems}


@contextmanager
def _raw(path: Path) -> Iterator[sqlite3.Connection]:
    """The file as the sqlite3 tool sees it (no triggers of the program's making aside)."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        yield connection
    finally:
        connection.close()


def _verify_file(path: Path) -> Verification:
    db = Database(create_store_engine(sqlite_url(path)))
    try:
        with db.read() as session:
            return verify(session)
    finally:
        db.dispose()


@pytest.mark.both_engines
def test_a_session_of_work_is_chained_whole(app: Application, station: StationSetup) -> None:
    _work(app, station)
    with app.ctx.db.read() as session:
        entries = session.execute(select(func.count()).select_from(ChangeLogEntry)).scalar_one()
        sealed = session.execute(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.seal != "")
        ).scalar_one()
        reveal = session.scalars(
            select(AuditEvent).where(AuditEvent.action == audit.REVEAL_ID)
        ).one()
    assert entries > 0 and sealed == entries  # every change-log entry has its link
    assert reveal.fields == ["id_number"] and reveal.actor_id == station.head_id
    result = _verify(app)
    assert result.whole, [p.english() for p in result.problems]
    assert result.links >= entries + 1


@pytest.mark.both_engines
def test_the_chain_refuses_update_and_delete(app: Application, station: StationSetup) -> None:
    _work(app, station)
    for statement in ("UPDATE audit_event SET action = 'x'", "DELETE FROM audit_event"):
        with (
            pytest.raises(DBAPIError, match="append-only"),
            app.ctx.db.write_session() as session,
        ):
            session.execute(text(statement))
    assert _verify(app).whole


@pytest.mark.both_engines
def test_no_personal_value_reaches_the_trail(app: Application, station: StationSetup) -> None:
    app.residents.register(
        {"name_zh": "格桑卓嘎", "legal_basis": "statutory_duty", "phone": "13762142223"}
    )
    with app.ctx.db.read() as session:
        rows = session.execute(select(AuditEvent)).scalars().all()
        dumped = repr([(r.action, r.entity, r.entity_id, r.fields, r.seal) for r in rows])
    assert "格桑卓嘎" not in dumped and "13762142223" not in dumped
    assert any("name_zh" in r.fields for r in rows)


@pytest.mark.both_engines
def test_a_role_change_is_named_as_one(app: Application, station: StationSetup) -> None:
    from station_desktop.store.models import Staff

    with app.ctx.uow() as uow:
        uow.update(Staff, station.worker_id, {"role": "station_head"})
    with app.ctx.db.read() as session:
        link = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert link is not None
    assert (link.action, link.entity, link.fields) == (audit.ROLE_CHANGE, "staff", ["role"])


@pytest.mark.both_engines
def test_a_record_changed_behind_the_programs_back_is_found(
    app: Application, station: StationSetup
) -> None:
    resident = _work(app, station)
    with app.ctx.db.engine.begin() as connection:
        connection.execute(
            text("UPDATE resident SET name_zh = 'X' WHERE id = :id"),
            {"id": resident.hex if app.ctx.db.is_sqlite else str(resident)},
        )
    result = _verify(app)
    assert _messages(result) == {MSG_RECORD_DIFFERS}
    assert result.problems[0].params["record"] == str(resident)
    assert result.problems[0].params["field"] == "name_zh"


def test_a_record_added_with_the_sqlite3_tool_is_found(
    app: Application, station: StationSetup
) -> None:
    _work(app, station)
    path = app.paths.database
    app.ctx.db.dispose()
    with _raw(path) as raw:
        raw.execute(
            "INSERT INTO household (id, origin_device_id, created_at, updated_at, deleted, heads,"
            " station_id, household_no, area_id, address) SELECT ?, origin_device_id,"
            " created_at, updated_at, 0, '[]', station_id, 'H1', NULL, '' FROM resident LIMIT 1",
            (uuid.uuid4().hex,),
        )
    assert _messages(_verify_file(path)) == {MSG_RECORD_UNLOGGED}


def test_a_forged_log_entry_is_found(app: Application, station: StationSetup) -> None:
    resident = _work(app, station)
    path = app.paths.database
    app.ctx.db.dispose()
    with _raw(path) as raw:  # INSERT is allowed by the log's triggers: a forger's way in
        raw.execute(
            "INSERT INTO change_log SELECT device_id, seq + 1000, hlc + 1, wall_time,"
            " station_id, actor_id, action_id, entity, record_id, 'update',"
            ' \'{"name_zh": "X"}\', json_array(?), schema_version FROM change_log'
            " WHERE record_id = ? AND op = 'insert'",
            (f"{uuid.UUID(int=0)}:0", resident.hex),
        )
    assert MSG_ENTRY_FORGED in _messages(_verify_file(path))


def test_a_log_entry_edited_under_a_dropped_and_remade_trigger_is_found(
    app: Application, station: StationSetup
) -> None:
    resident = _work(app, station)
    path = app.paths.database
    app.ctx.db.dispose()
    with _raw(path) as raw:
        raw.execute("DROP TRIGGER change_log_no_update")
        raw.execute(
            "UPDATE change_log SET fields = json_set(fields, '$.name_zh', 'X')"
            " WHERE record_id = ? AND op = 'insert'",
            (resident.hex,),
        )
        raw.execute("UPDATE resident SET name_zh = 'X' WHERE id = ?", (resident.hex,))
        raw.execute(LOG_GUARDS[0])  # made again exactly as before
    result = _verify_file(path)
    assert _messages(result) == {MSG_ENTRY_CHANGED}  # log and record agree, the seal does not


def test_a_dropped_or_different_trigger_is_found(app: Application, station: StationSetup) -> None:
    _work(app, station)
    path = app.paths.database
    app.ctx.db.dispose()
    with _raw(path) as raw:
        raw.execute("DROP TRIGGER audit_event_no_delete")
        raw.execute("DROP TRIGGER change_log_no_update")
        raw.execute(
            "CREATE TRIGGER change_log_no_update BEFORE UPDATE ON change_log BEGIN SELECT 1; END"
        )
    result = _verify_file(path)
    assert _messages(result) == {MSG_GUARD_CHANGED}
    assert {p.params["table"] for p in result.problems} == {"change_log", "audit_event"}


def test_a_log_entry_removed_is_found(app: Application, station: StationSetup) -> None:
    resident = _work(app, station)
    path = app.paths.database
    app.ctx.db.dispose()
    with _raw(path) as raw:
        raw.execute("DROP TRIGGER change_log_no_delete")
        raw.execute("DELETE FROM change_log WHERE record_id = ?", (resident.hex,))
        raw.execute("DELETE FROM resident WHERE id = ?", (resident.hex,))
        raw.execute("DELETE FROM resident_search WHERE resident_id = ?", (resident.hex,))
        raw.execute(LOG_GUARDS[1])
    assert _messages(_verify_file(path)) == {MSG_ENTRY_MISSING}


# ------------------------------------------------------------- the links themselves


@pytest.fixture
def chained_file(app: Application, station: StationSetup, tmp_path: Path) -> Path:
    """A closed database with a busy chain, and the head it sent in a bundle (its anchor)."""
    _work(app, station)
    for number in range(3):
        app.residents.register({"name_zh": f"居民{number}", "legal_basis": "statutory_duty"})
    with app.ctx.db.write_session() as session:
        audit.remember_sent_head(session, audit.chain_head(session).to_json())
    path = app.paths.database
    app.ctx.db.dispose()
    kept = tmp_path / "chained.sqlite3"
    shutil.copyfile(path, kept)
    return kept


def _links(path: Path) -> int:
    with _raw(path) as raw:
        count: int = raw.execute("SELECT count(*) FROM audit_event").fetchone()[0]
    return count


def _tamper(path: Path, *statements: tuple[str, tuple[object, ...]]) -> None:
    """Edit the chain as someone with the sqlite3 tool would: guards off, edit, guards on
    again exactly as they were (so only the chain itself can tell)."""
    with _raw(path) as raw:
        raw.execute("DROP TRIGGER audit_event_no_update")
        raw.execute("DROP TRIGGER audit_event_no_delete")
        for sql, params in statements:
            raw.execute(sql, params)
        for guard in AUDIT_GUARDS:
            raw.execute(guard)


def test_the_untouched_chain_is_whole(chained_file: Path) -> None:
    result = _verify_file(chained_file)
    assert result.whole and result.links == _links(chained_file)


@given(data=st.data())
def test_any_changed_link_is_found_where_it_is(
    chained_file: Path, tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    path = tmp_path_factory.mktemp("changed") / "db.sqlite3"
    shutil.copyfile(chained_file, path)
    seq = data.draw(st.integers(1, _links(path)), label="link")
    column, value = data.draw(
        st.sampled_from(
            [
                ("action", "'export'"),
                ("actor_id", "NULL"),
                ("entity_id", "'0'"),
                ("fields", "'[]'"),
                ("at", "'2020-01-01 00:00:00.000000'"),
                ("mac", "'00'"),
            ]
        ),
        label="column",
    )
    _tamper(path, (f"UPDATE audit_event SET {column} = {value} WHERE seq = ?", (seq,)))
    with _raw(path) as raw:
        unchanged = raw.execute(
            f"SELECT {column} IS {value} FROM audit_event WHERE seq = ?", (seq,)
        ).fetchone()[0]
    result = _verify_file(path)
    if unchanged:  # the drawn value was already there: nothing was tampered with
        return
    first = result.first
    assert first is not None
    if column == "mac" and seq == _links(path):
        assert first.message == MSG_TAIL_LOST  # the last link: only the anchor knows it
    else:
        assert (first.message, first.seq) == (MSG_LINK_CHANGED, seq)


@given(data=st.data())
def test_any_removed_link_is_found(
    chained_file: Path, tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    path = tmp_path_factory.mktemp("removed") / "db.sqlite3"
    shutil.copyfile(chained_file, path)
    total = _links(path)
    seq = data.draw(st.integers(1, total - 1), label="link")
    _tamper(path, ("DELETE FROM audit_event WHERE seq = ?", (seq,)))
    first = _verify_file(path).first
    assert first is not None and (first.message, first.seq) == (MSG_LINKS_MISSING, seq)


@given(data=st.data())
def test_any_two_links_swapped_are_found(
    chained_file: Path, tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    path = tmp_path_factory.mktemp("swapped") / "db.sqlite3"
    shutil.copyfile(chained_file, path)
    total = _links(path)
    first_seq = data.draw(st.integers(1, total - 1), label="first")
    second_seq = data.draw(st.integers(first_seq + 1, total), label="second")
    _tamper(
        path,
        ("UPDATE audit_event SET seq = -1 WHERE seq = ?", (first_seq,)),
        ("UPDATE audit_event SET seq = ? WHERE seq = ?", (first_seq, second_seq)),
        ("UPDATE audit_event SET seq = ? WHERE seq = -1", (second_seq,)),
    )
    first = _verify_file(path).first
    assert first is not None and (first.message, first.seq) == (MSG_LINK_CHANGED, first_seq)


@given(cut=st.integers(1, 6))
def test_a_cut_tail_is_found_against_the_anchored_head(
    chained_file: Path, tmp_path_factory: pytest.TempPathFactory, cut: int
) -> None:
    path = tmp_path_factory.mktemp("cut") / "db.sqlite3"
    shutil.copyfile(chained_file, path)
    total = _links(path)
    # The event links at the end (not change-log entries, which the log would miss):
    # only the anchor can tell they were there.
    _tamper(path, ("DELETE FROM audit_event WHERE seq > ?", (total - cut,)))
    with _raw(path) as raw:
        raw.execute("DROP TRIGGER change_log_no_delete")
        raw.execute(
            "DELETE FROM change_log WHERE (device_id, seq) NOT IN (SELECT change_device_id,"
            " change_seq FROM audit_event WHERE change_seq IS NOT NULL)"
        )
        raw.execute(LOG_GUARDS[1])
    result = _verify_file(path)
    assert MSG_TAIL_LOST in _messages(result)


@pytest.mark.both_engines
def test_a_link_edited_with_the_guard_set_aside_is_found_on_either_engine(
    app: Application, station: StationSetup
) -> None:
    """The server's way (a trigger disabled, a row changed, the trigger on again) and the
    file's (dropped and made again): the chain shows where."""
    _work(app, station)
    with app.ctx.db.engine.begin() as connection:
        if app.ctx.db.is_sqlite:
            connection.exec_driver_sql("DROP TRIGGER audit_event_no_update")
            connection.exec_driver_sql("UPDATE audit_event SET action = 'export' WHERE seq = 3")
            connection.exec_driver_sql(AUDIT_GUARDS[0])
        else:
            connection.exec_driver_sql(
                "ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update_delete"
            )
            connection.exec_driver_sql("UPDATE audit_event SET action = 'export' WHERE seq = 3")
            connection.exec_driver_sql(
                "ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_update_delete"
            )
    first = _verify(app).first
    assert first is not None and (first.message, first.seq) == (MSG_LINK_CHANGED, 3)


@pytest.mark.both_engines
def test_a_guard_left_off_is_found_on_either_engine(
    app: Application, station: StationSetup
) -> None:
    _work(app, station)
    with app.ctx.db.engine.begin() as connection:
        if app.ctx.db.is_sqlite:
            connection.exec_driver_sql("DROP TRIGGER change_log_no_delete")
        else:
            connection.exec_driver_sql(
                "ALTER TABLE change_log DISABLE TRIGGER change_log_no_update_delete"
            )
    try:
        result = _verify(app)
    finally:
        if not app.ctx.db.is_sqlite:  # the server's database outlives this test
            with app.ctx.db.engine.begin() as connection:
                connection.exec_driver_sql(
                    "ALTER TABLE change_log ENABLE TRIGGER change_log_no_update_delete"
                )
    assert [(p.message, p.params) for p in result.problems] == [
        (MSG_GUARD_CHANGED, {"table": "change_log"})
    ]


def _last(app: Application) -> AuditEvent:
    with app.ctx.db.read() as session:
        link = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
        assert link is not None
        session.expunge(link)
        return link


def test_a_filled_form_printed_and_a_list_exported_are_recorded(
    app: Application, station: StationSetup, tmp_path: Path
) -> None:
    from station_desktop.i18n import Catalogues
    from station_desktop.services.list_export import ListExportService

    app.ctx.actor_id = station.head_id
    resident = _work(app, station)
    visit = app.visits.record(
        {
            "resident_id": resident,
            "visit_date": "2026-05-20",
            "visitor_ids": [station.worker_id],
            "outcome": "at_home",
            "purpose": "routine",
        }
    )
    app.printing.render(app.printing.blank_sheets("feedback", 2))  # nobody's data: no event
    assert _last(app).action != audit.PRINT_FILLED
    app.printing.render([app.printing.record_form("visit", visit)])
    printed = _last(app)
    assert (printed.action, printed.entity_id, printed.actor_id) == (
        audit.PRINT_FILLED,
        str(visit),
        station.head_id,
    )
    assert "resident_id" in printed.fields
    ListExportService(app.ctx, Catalogues()).write("residents", tmp_path / "r.xlsx")
    exported = _last(app)
    assert (exported.action, exported.entity, exported.entity_id) == (
        audit.EXPORT,
        "residents",
        "2",
    )
    assert _verify(app).whole
