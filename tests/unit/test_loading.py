"""migrate-to: a station's SQLite file copied into the bureau's database. Every row arrives
equal, a second run changes nothing, and the two engines then give the same report
figures and the same search hits in the same order, in every script."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from contextlib import closing
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Table, func, select

from station_desktop.app import Application, open_application
from station_desktop.demo.generator import DemoSize, generate_demo
from station_desktop.domain.codes import StaffRole, StationKind
from station_desktop.errors import LoadRefused, StationError
from station_desktop.paths import DataPaths
from station_desktop.services.access import Actor
from station_desktop.services.reports import ReportPeriod
from station_desktop.services.stations import StationInfo
from station_desktop.store.engine import Database, create_store_engine, sqlite_url
from station_desktop.store.loading import (
    copied_tables,
    load_station_file,
    ready_files,
    source_file,
)
from station_desktop.store.migrate import _config
from station_desktop.store.server import open_server_database
from tests.conftest import FakeClock

pytestmark = pytest.mark.parametrize("database", ["postgresql"], indirect=True)

QUERIES = [
    "扎西",
    "卓玛",
    "次仁卓玛",
    "王",
    "ཚེ",
    "བཀྲ་ཤིས",
    "ཚེ་རིང་སྒྲོལ་མ",
    "bkra shis",
    "zhaxi",
    "Tashi",
    "tsering dolma",
    "Pema",
    "5401",
    "139",
    "zzzz-nobody",
]
COMMON = {"扎西", "ཚེ", "bkra shis", "zhaxi", "Tashi", "139"}  # found in any demo data


@pytest.fixture(scope="module")
def station_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A station laptop's data folder with demo data (same seed, same clock, same data)."""
    paths = DataPaths(tmp_path_factory.mktemp("station") / "data")
    with open_application(paths, clock=FakeClock()) as app:
        generate_demo(app, DemoSize(residents=300), seed=7)
    return paths.database


@pytest.fixture
def bureau(database: str) -> Iterator[Database]:
    target, _migrated, _identity = open_server_database(database)
    yield target
    target.dispose()


def _load(path: Path, target: Database) -> Any:
    with source_file(path) as readable:
        return load_station_file(readable, target, origin=path, batch_rows=500)


def _rows(db: Database, table: Table) -> list[dict[str, Any]]:
    with db.read() as session:
        keys = list(table.primary_key.columns)
        return [dict(row) for row in session.execute(select(table).order_by(*keys)).mappings()]


def _file_db(path: Path) -> Database:
    return Database(create_store_engine(sqlite_url(path), read_only=True))


def test_every_row_arrives_equal_and_a_second_run_changes_nothing(
    station_file: Path, bureau: Database
) -> None:
    first = _load(station_file, bureau)
    assert first.rows_copied > 5_000 and first.rows_present == 0
    assert first.differing == [] and first.clashes == 0
    source = _file_db(station_file)
    try:
        for table in copied_tables():
            assert _rows(bureau, table) == _rows(source, table), table.name
    finally:
        source.dispose()
    before = {table.name: _rows(bureau, table) for table in copied_tables()}
    second = _load(station_file, bureau)
    assert second.rows_copied == 0 and second.rows_present == first.rows_copied
    assert second.differing == [] and second.clashes == 0
    assert {table.name: _rows(bureau, table) for table in copied_tables()} == before
    # The bureau's own audit trail has chained every entry loaded, once.
    from station_desktop.store import audit

    with bureau.read() as session:
        trail = audit.verify(session)
    assert trail.whole, [problem.english() for problem in trail.problems]


@pytest.fixture
def both(
    station_file: Path, bureau: Database, database: str, tmp_path: Path
) -> Iterator[tuple[Application, Application]]:
    _load(station_file, bureau)
    copy = tmp_path / "station" / "station.sqlite3"
    copy.parent.mkdir()
    shutil.copyfile(station_file, copy)
    with (
        open_application(DataPaths(copy.parent), clock=FakeClock()) as on_file,
        open_application(
            DataPaths(tmp_path / "bureau"), clock=FakeClock(), database_url=database
        ) as on_server,
    ):
        # Both as the bureau's administrator, who sees every station's records (the file
        # is a demo laptop's, whose chosen worker is one station's head).
        bureau_admin = Actor(None, StaffRole.BUREAU_ADMIN, None)
        on_file.ctx.actor = on_server.ctx.actor = bureau_admin
        yield on_file, on_server


def test_report_figures_are_the_same_on_both_engines(both: tuple[Application, Application]) -> None:
    on_file, on_server = both
    period = ReportPeriod(date(2025, 6, 1), date(2026, 5, 31))
    codes = [s.code for s in on_file.stations.stations()]
    for stations in (None, codes[:1], codes[1:3]):
        assert (
            on_server.reports.compute(period, stations).to_json()
            == on_file.reports.compute(period, stations).to_json()
        )
        assert on_server.reports.trend(period, stations) == on_file.reports.trend(period, stations)


@pytest.mark.parametrize("query", QUERIES)
def test_search_gives_the_same_hits_in_the_same_order(
    both: tuple[Application, Application], query: str
) -> None:
    on_file, on_server = both
    expected = [r.id for r in on_file.residents.search(query, limit=50)]
    assert [r.id for r in on_server.residents.search(query, limit=50)] == expected
    if query in COMMON:
        assert expected, f"the demo data should hold someone for {query!r}"


def test_a_record_changed_in_both_places_is_named_and_keeps_the_bureaus_value(
    station_file: Path, bureau: Database, database: str, tmp_path: Path
) -> None:
    _load(station_file, bureau)
    with open_application(DataPaths(tmp_path / "bureau"), database_url=database) as app:
        app.stations.use_station("540102002")
        resident = app.residents.search("扎西", limit=1)[0].id
        app.residents.update(resident, {"phone": "13800138000"})
    again = _load(station_file, bureau)
    assert again.differing == [("resident", resident)]
    with open_application(DataPaths(tmp_path / "bureau"), database_url=database) as app:
        record = app.residents.get(resident)
        assert record is not None and record.phone == "13800138000"


def test_a_code_taken_by_another_station_stops_the_load_with_the_reason(
    station_file: Path, bureau: Database, database: str, tmp_path: Path
) -> None:
    with open_application(DataPaths(tmp_path / "bureau"), database_url=database) as app:
        app.stations.add_station(StationInfo("540102002", StationKind.STREET_OFFICE, "", "另一个"))
    with pytest.raises(LoadRefused) as caught:
        _load(station_file, bureau)
    assert "540102002" in caught.value.english() and "station" in caught.value.english()


def test_ids_stay_what_they_were(station_file: Path, bureau: Database) -> None:
    _load(station_file, bureau)
    with bureau.read() as session:
        from station_desktop.store.models import Resident

        ids = session.scalars(select(Resident.id).limit(5)).all()
    assert all(isinstance(i, uuid.UUID) and i.version == 7 for i in ids)


def test_several_files_load_in_turn_and_a_damaged_one_stops_at_its_turn(
    station_file: Path, bureau: Database, tmp_path: Path
) -> None:
    older = tmp_path / "older" / "station.sqlite3"
    older.parent.mkdir()
    shutil.copyfile(station_file, older)
    engine = create_store_engine(sqlite_url(older))
    try:
        with engine.begin() as connection:
            command.downgrade(_config(connection), "-1")
    finally:
        engine.dispose()
    older_bytes = older.read_bytes()
    damaged = tmp_path / "station.sqlite3"
    damaged.write_bytes(b"not a station file" * 100)
    loaded, copies = [], []
    # Each file is checked (and the older one upgraded in a copy) while the one before
    # loads; the damaged one stops the run at its turn.
    files = [(older, None), (station_file, None), (damaged, None)]
    with closing(ready_files(files)) as ready, pytest.raises(StationError):
        for station in ready:
            copies += [Path(station.copy.name)] if station.copy else []
            try:
                loaded.append(load_station_file(station.readable, bureau, origin=station.path))
            finally:
                station.close()
    assert [result.source for result in loaded] == [older, station_file]
    assert loaded[0].rows_copied > 5_000 and loaded[0].rows_present == 0
    assert loaded[1].rows_copied == 0 and loaded[1].rows_present == loaded[0].rows_copied
    assert older.read_bytes() == older_bytes  # upgraded in a copy, which is gone
    assert len(copies) == 1 and not copies[0].exists()


def test_another_writer_chaining_during_a_load_leaves_the_trail_whole(
    station_file: Path, bureau: Database
) -> None:
    """The reading thread numbers each batch's links ahead of its transaction; an event
    another bureau laptop chains in between is found, and the links numbered again."""
    from station_desktop.store import audit
    from station_desktop.store.models import AuditEvent, ChangeLogEntry

    events: list[int] = []

    def someone_else_signs_in(table: str, done: int, total: int) -> None:
        if table == "change_log" and done and len(events) < 2:
            with bureau.write_session() as session:
                audit.record_event(session, actor_id=None, action=audit.SIGN_IN)
            events.append(done)

    with source_file(station_file) as readable:
        load_station_file(
            readable, bureau, origin=station_file, batch_rows=500, progress=someone_else_signs_in
        )
    assert len(events) == 2  # both came while the log was loading, between its batches
    with bureau.read() as session:
        trail = audit.verify(session)
        logged = session.scalar(select(func.count()).select_from(ChangeLogEntry))
        linked = session.scalar(
            select(func.count(AuditEvent.change_seq)).where(AuditEvent.change_seq.is_not(None))
        )
        sign_ins = session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == audit.SIGN_IN)
        )
    assert trail.whole, [problem.english() for problem in trail.problems]
    assert linked == logged and sign_ins == 2
