"""Shared fixtures. Each test gets its own data directory, copied from a template database
that is migrated once per session (migrating for every test would dominate the run).

Tests marked `both_engines` run twice through the one `database` fixture: on the SQLite
file (the station laptop) and on a PostgreSQL server (the bureau), whose URL comes from
STATION_DESKTOP_TEST_DATABASE_URL (`source scripts/ci-postgres.sh` starts a throw-away
server and sets it). The server's database is migrated once per session and emptied before
each test. Without a server these runs are skipped locally, and fail in CI.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import event, inspect, text

from station_desktop.app import Application, open_application
from station_desktop.domain.codes import AreaKind, StaffRole, StationKind
from station_desktop.paths import DataPaths
from station_desktop.services.stations import StationInfo
from station_desktop.store.opening import open_store

SERVER_URL_ENV = "STATION_DESKTOP_TEST_DATABASE_URL"
SERVER_REQUIRED_ENV = "STATION_DESKTOP_REQUIRE_POSTGRES"
HOW_TO_RUN_SERVER_TESTS = (
    "no PostgreSQL server for the tests: run them with "
    "`source scripts/ci-postgres.sh && ./run-tests` (Debian, as root: it installs and "
    "starts a throw-away server), or set STATION_DESKTOP_TEST_DATABASE_URL"
)
ENGINES = ("sqlite", "postgresql")

settings.register_profile(
    "ci", deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
settings.load_profile("ci")

START = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


class FakeClock:
    """A clock tests can move (including backwards, like a laptop with a wrong date)."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("template")
    with open_store(DataPaths(root)) as store:
        store.db.engine.dispose()
    return DataPaths(root).database


@pytest.fixture
def data_paths(tmp_path: Path, template_db: Path) -> DataPaths:
    paths = DataPaths(tmp_path / "data")
    paths.root.mkdir()
    shutil.copyfile(template_db, paths.database)
    return paths


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "database" in metafunc.fixturenames and metafunc.definition.get_closest_marker(
        "both_engines"
    ):
        metafunc.parametrize("database", ENGINES, indirect=True)


def server_url_or_skip() -> str:
    """The test server's URL; without one, a skip here and a failure in CI."""
    url = os.environ.get(SERVER_URL_ENV)
    if url:
        return url
    if os.environ.get(SERVER_REQUIRED_ENV) or os.environ.get("CI"):
        pytest.fail(f"PostgreSQL tests cannot run in CI: {HOW_TO_RUN_SERVER_TESTS}")
    pytest.skip(HOW_TO_RUN_SERVER_TESTS)


@pytest.fixture(scope="session")
def server_template() -> str:
    """The test server's database, migrated once per session."""
    from station_desktop.store.engine import create_store_engine
    from station_desktop.store.migrate import upgrade_to_head

    url = server_url_or_skip()
    engine = create_store_engine(url)
    try:
        upgrade_to_head(engine)
    finally:
        engine.dispose()
    return url


def empty_server_database(url: str) -> None:
    """Every table emptied (TRUNCATE fires no row trigger: the append-only log too)."""
    from station_desktop.store.engine import create_store_engine
    from station_desktop.store.models import Base

    engine = create_store_engine(url)
    try:
        with engine.connect() as connection:
            # Only the tables there are: a database left at an older revision (or none
            # yet) is brought up to date by whatever opens it next.
            present = set(inspect(connection).get_table_names())
            tables = [t.name for t in Base.metadata.sorted_tables if t.name in present]
            if tables:
                names = ", ".join(f'"{name}"' for name in tables)
                connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
                connection.commit()
    finally:
        engine.dispose()


@pytest.fixture
def database(request: pytest.FixtureRequest) -> str | None:
    """Where the test's data is: None for the SQLite file in the data folder (the
    default), or the URL of the test server's database, emptied for this test."""
    if getattr(request, "param", "sqlite") == "sqlite":
        return None
    url: str = request.getfixturevalue("server_template")
    empty_server_database(url)
    return url


@pytest.fixture
def app(data_paths: DataPaths, clock: FakeClock, database: str | None) -> Iterator[Application]:
    with open_application(data_paths, clock=clock, database_url=database) as application:
        yield application


@dataclass
class StationSetup:
    station_id: uuid.UUID
    area_id: uuid.UUID
    other_area_id: uuid.UUID
    worker_id: uuid.UUID
    head_id: uuid.UUID


@pytest.fixture
def station(app: Application) -> StationSetup:
    """A configured laptop: one station, two villages/communities, two staff."""
    station_id = app.stations.add_station(
        StationInfo("CG-BK", StationKind.STREET_OFFICE, "བར་སྐོར་ཁྲོམ་གཞུང་།", "八廓街道")
    )
    app.stations.use_station("CG-BK")
    area = app.stations.add_area("CG-BK-01", AreaKind.COMMUNITY, "", "冲赛康社区")
    other = app.stations.add_area("CG-BK-02", AreaKind.COMMUNITY, "", "鲁固社区")
    worker = app.stations.add_staff("སྒྲོལ་མ་", "卓玛", StaffRole.SOCIAL_WORKER)
    head = app.stations.add_staff("ནོར་བུ་", "罗布", StaffRole.STATION_HEAD)
    return StationSetup(station_id, area, other, worker, head)


@pytest.fixture
def nearly_full(app: Application, station: StationSetup) -> Iterator[Application]:
    """The database may grow by a few pages only: SQLite then fails as on a full disk."""
    engine = app.ctx.db.engine
    with engine.connect() as connection:
        pages = connection.exec_driver_sql("PRAGMA page_count").scalar_one()
    engine.dispose()

    def limit(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count={pages + 8}")

    event.listen(engine, "connect", limit)
    yield app
    event.remove(engine, "connect", limit)
    engine.dispose()


LONG_NOTE = "ཐུགས་རྗེ་ཆེ། " * 200


def fill_until_full(app: Application, saved: list[uuid.UUID] | None = None) -> list[uuid.UUID]:
    """Register residents until the disk is full (the caller expects the DiskFull); the
    ids of those saved are appended to `saved`."""
    saved = [] if saved is None else saved
    for number in range(1000):
        saved.append(
            app.residents.register(
                {
                    "name_zh": f"居民{number}",
                    "legal_basis": "statutory_duty",
                    "consent_note": LONG_NOTE,
                }
            )
        )
    return saved
