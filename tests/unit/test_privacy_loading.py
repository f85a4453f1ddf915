"""A station file loaded twice into the bureau's database, the second time after an ID
number was erased on the station: the bureau's older copy of the log loses it too."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from station_desktop.app import open_application
from station_desktop.paths import DataPaths
from station_desktop.store.engine import Database
from station_desktop.store.loading import load_station_file, source_file
from station_desktop.store.models import ChangeLogEntry, Resident
from station_desktop.store.server import open_server_database
from tests.conftest import FakeClock
from tests.syncing import installation

pytestmark = pytest.mark.parametrize("database", ["postgresql"], indirect=True)

ID_NUMBER = "11010519491231002X"


@pytest.fixture
def bureau(database: str) -> Iterator[Database]:
    target, _migrated, _identity = open_server_database(database)
    yield target
    target.dispose()


def _load(path: Path, target: Database) -> None:
    with source_file(path) as readable:
        load_station_file(readable, target, origin=path)


def test_an_erasure_reaches_the_bureaus_older_copy(tmp_path: Path, bureau: Database) -> None:
    paths = DataPaths(tmp_path / "station")
    app = installation(paths.root, clock=FakeClock())
    resident = app.residents.register(
        {"name_zh": "次仁", "legal_basis": "statutory_duty", "id_number": ID_NUMBER}
    )
    app.close()
    _load(paths.database, bureau)
    with open_application(paths, clock=FakeClock()) as app:
        app.residents.delete(resident)
        app.privacy.erase_id_number(resident)
    _load(paths.database, bureau)
    with bureau.read() as session:
        # Loading never merges a record changed since (sync bundles do): the row is left
        # to the next bundle; the log's values are emptied at once.
        assert session.get(Resident, resident) is not None
        carried = session.scalars(
            select(ChangeLogEntry.fields).where(ChangeLogEntry.record_id == resident)
        ).all()
        assert carried and all(f.get("id_number") in (None, "") for f in carried)
