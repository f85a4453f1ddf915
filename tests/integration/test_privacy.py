"""Privacy duties across laptops: a retention purge empties personal values in the record
and in the change log, and does the same on a laptop that receives it in a bundle; a
withdrawn resident's ID number is erased from the row and the log, everywhere."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, text

from station_desktop.app import Application
from station_desktop.errors import StationError
from station_desktop.store.models import ChangeLogEntry, Erasure, HomeVisit, Resident
from tests.conftest import FakeClock
from tests.syncing import VILLAGE, database_files, enrol, installation, replicated_state, send

MARKER_NAME = "次仁旺姆测试"
MARKER_ID = "11010519491231002X"
MARKER_PHONE = "13762142223"
MARKER_SITUATION = "屋顶漏雨标记文字"


@pytest.fixture
def laptops(tmp_path: Path) -> Iterator[tuple[Application, Application, FakeClock]]:
    clock = FakeClock()
    head = installation(tmp_path / "head", clock=clock)
    worker = installation(tmp_path / "worker", clock=clock)
    enrol(head, worker)
    yield head, worker, clock
    for app in (head, worker):
        app.close()


def _marker(app: Application) -> tuple[uuid.UUID, uuid.UUID]:
    area = app.stations.area_by_code(VILLAGE)
    assert area is not None
    staff = app.stations.add_staff("", "卓玛", "social_worker")
    resident = app.residents.register(
        {
            "name_zh": MARKER_NAME,
            "legal_basis": "statutory_duty",
            "area_id": area.id,
            "id_number": MARKER_ID,
            "birth_date": "1949-12-31",
            "sex": "female",
        }
    )
    app.residents.update(resident, {"phone": MARKER_PHONE})
    visit = app.visits.record(
        {
            "resident_id": resident,
            "visit_date": app.ctx.today().isoformat(),
            "visitor_ids": [staff],
            "outcome": "at_home",
            "purpose": "routine",
            "situation": MARKER_SITUATION,
        }
    )
    return resident, visit


def _holds(app: Application, *secrets: str) -> list[str]:
    """The secrets still found in the records or the log (as stored, JSON or not)."""
    found = []
    with app.ctx.db.read() as session:
        dump = []
        for table in ("resident", "home_visit", "change_log", "resident_search_key"):
            dump += [repr(tuple(r)) for r in session.execute(text(f"SELECT * FROM {table}"))]
    blob = "\n".join(dump)
    for secret in secrets:
        if secret in blob or secret.encode("unicode_escape").decode() in blob:
            found.append(secret)
    return found


def test_a_purge_empties_the_values_here_and_on_the_laptop_that_receives_it(
    laptops: tuple[Application, Application, FakeClock], tmp_path: Path
) -> None:
    head, worker, clock = laptops
    resident, visit = _marker(head)
    send(head, worker, tmp_path)
    assert _holds(worker, MARKER_NAME, MARKER_ID, MARKER_PHONE, MARKER_SITUATION)

    assert head.privacy.due_for_purge() == []  # nothing is old yet
    clock.advance(days=365 * 5 + 10)
    due = head.privacy.due_for_purge()
    assert {(item.entity, item.record_id) for item in due} == {
        ("resident", resident),
        ("home_visit", visit),
    }
    by_entity = {item.entity: item for item in due}
    assert MARKER_NAME in by_entity["resident"].reference
    assert set(by_entity["resident"].fields) >= {"name_zh", "id_number", "phone", "birth_date"}

    summary = head.privacy.purge(due)
    assert summary.records == 2 and summary.log_entries >= 3
    assert _holds(head, MARKER_NAME, MARKER_ID, MARKER_PHONE, MARKER_SITUATION) == []
    with head.ctx.db.read() as session:
        row = session.get(Resident, resident)
        assert row is not None and row.deleted and row.name_zh == "" and row.id_number is None
        kept = session.get(HomeVisit, visit)
        assert kept is not None and kept.outcome == "at_home" and kept.situation == ""
    assert head.privacy.due_for_purge() == []  # a second purge finds nothing
    assert head.residents.search(MARKER_NAME) == []

    send(head, worker, tmp_path)
    assert _holds(worker, MARKER_NAME, MARKER_ID, MARKER_PHONE, MARKER_SITUATION) == []
    assert replicated_state(worker) == replicated_state(head)
    with worker.ctx.db.read() as session:
        assert len(session.scalars(select(Erasure)).all()) == 2


def test_entries_arriving_after_the_erasure_are_emptied_too(tmp_path: Path) -> None:
    """A laptop that gets the erasure first and the old entries later (from a laptop
    that had not heard of the purge) keeps none of the values."""
    clock = FakeClock()
    head = installation(tmp_path / "head", clock=clock)
    worker = installation(tmp_path / "worker", clock=clock)
    late = installation(tmp_path / "late", clock=clock)
    enrol(head, worker, late)
    try:
        resident, _visit = _marker(head)
        send(head, late, tmp_path)  # `late` holds the values
        head.residents.delete(resident)
        head.privacy.erase_id_number(resident)
        send(head, worker, tmp_path)  # `worker` gets the record and its erasure at once
        assert _holds(worker, MARKER_ID) == []
        send(late, worker, tmp_path, full=True)  # the old entries again, from `late`
        assert _holds(worker, MARKER_ID) == []
        assert _holds(worker, MARKER_NAME)  # only the ID number was erased
    finally:
        for app in (head, worker, late):
            app.close()


def test_a_withdrawn_residents_id_number_is_erased_from_row_log_and_files(
    laptops: tuple[Application, Application, FakeClock],
) -> None:
    head, _worker, _clock = laptops
    resident, _visit = _marker(head)
    with pytest.raises(StationError, match="withdraw the resident first"):
        head.privacy.erase_id_number(resident)
    head.residents.delete(resident)
    emptied = head.privacy.erase_id_number(resident)
    assert emptied == 1
    assert _holds(head, MARKER_ID) == []
    assert head.residents.search("11010519491231") == []
    with pytest.raises(StationError, match="no ID card number"):
        head.privacy.erase_id_number(resident)
    head.close()
    data = b"".join(path.read_bytes() for path in database_files(head) if path.exists())
    assert MARKER_ID.encode() not in data


def test_the_log_stays_append_only_for_everything_else(
    laptops: tuple[Application, Application, FakeClock],
) -> None:
    head, _worker, _clock = laptops
    _marker(head)
    with head.ctx.db.write_session() as session, pytest.raises(Exception, match="append-only"):
        session.execute(text("UPDATE change_log SET fields = '{}' WHERE seq = 1"))
    with head.ctx.db.write_session() as session, pytest.raises(Exception, match="append-only"):
        session.execute(text("DELETE FROM change_log"))


def test_a_purge_waits_for_open_cases_and_current_groups(
    laptops: tuple[Application, Application, FakeClock],
) -> None:
    head, _worker, clock = laptops
    resident, _visit = _marker(head)
    head.residents.add_membership(
        resident, {"group": "dibao", "start_date": head.ctx.today().isoformat()}
    )
    clock.advance(days=365 * 6)
    assert "resident" not in {item.entity for item in head.privacy.due_for_purge()}


def test_every_kind_of_record_is_purged_in_the_records_and_the_log(
    tmp_path: Path,
) -> None:
    """Demo data aged twelve years: whatever the schedule lists is emptied, in the table
    and in every log entry of the record; codes, dates and counts stay."""
    from station_desktop.demo.generator import DemoSize, generate_demo
    from station_desktop.domain.retention import RULES
    from station_desktop.store.models import REPLICATED_MODELS

    clock = FakeClock()
    app = installation(tmp_path / "demo", clock=clock, station=None)
    try:
        generate_demo(app, DemoSize(residents=40), seed=5)
        clock.advance(days=365 * 12)
        due = app.privacy.due_for_purge()
        assert {item.entity for item in due} >= {"resident", "home_visit", "feedback_sheet"}
        visits_before = _count(app, "home_visit")
        app.privacy.purge(due)
        assert app.privacy.due_for_purge() == []
        assert _count(app, "home_visit") == visits_before
        with app.ctx.db.read() as session:
            for item in due:
                rule = RULES[item.entity]
                row = session.get(REPLICATED_MODELS[item.entity], item.record_id)
                assert row is not None
                assert all(getattr(row, f) in (None, "") for f in rule.fields), item
                entries = session.scalars(
                    select(ChangeLogEntry.fields).where(ChangeLogEntry.record_id == item.record_id)
                ).all()
                for fields in entries:
                    assert all(fields.get(f) in (None, "", []) for f in rule.fields), item
    finally:
        app.close()


def _count(app: Application, table: str) -> int:
    with app.ctx.db.read() as session:
        return int(session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def test_only_a_role_that_may_withdraw_residents_purges_erases_or_reports(
    laptops: tuple[Application, Application, FakeClock],
) -> None:
    """A social worker may not empty records nor print a person's whole file (which shows
    the whole ID number without a recorded reveal); an auditor may not either."""
    from station_desktop.domain.codes import StaffRole
    from station_desktop.errors import NotPermitted
    from station_desktop.services.access import Actor

    head, _worker, _clock = laptops
    resident, _visit = _marker(head)
    head.residents.delete(resident)
    station = head.ctx.actor.station_id
    for role in (StaffRole.SOCIAL_WORKER, StaffRole.AUDITOR):
        head.ctx.actor = Actor(uuid.uuid4(), role, station)
        with pytest.raises(NotPermitted):
            head.privacy.due_for_purge()
        with pytest.raises(NotPermitted):
            head.privacy.erase_id_number(resident)
    head.ctx.actor = Actor(uuid.uuid4(), StaffRole.AUDITOR, station)
    with pytest.raises(NotPermitted):
        head.access_report.report(resident)
    assert _holds(head, MARKER_ID) == [MARKER_ID]  # nothing was erased by the refusals
