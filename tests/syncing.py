"""Helpers for the sync tests: installations (data folders) that seed the same reference
list, enrol each other and exchange bundles; and a comparison of everything they hold."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import select

from station_desktop.app import Application, open_application
from station_desktop.paths import DataPaths
from station_desktop.services.sync import ReceiveReport
from station_desktop.store.models import REPLICATED_MODELS, SyncConflict, table_of
from station_desktop.store.reference_seed import (
    SeedArea,
    SeedStation,
    seed_reference,
)
from tests.conftest import FakeClock

STATION = "540102001"
OTHER_STATION = "540102002"
VILLAGE = "540102001001"
STATIONS = [
    SeedStation(STATION, "township", "ཐང་ཁ་ཤང་།", "测试乡"),
    SeedStation(OTHER_STATION, "township", "", "别的乡"),
]
AREAS = [
    SeedArea(VILLAGE, STATION, "village", "", "一村"),
    SeedArea("540102001002", STATION, "village", "", "二村"),
    SeedArea("540102002001", OTHER_STATION, "village", "", "别村"),
]
_bundles = itertools.count(1)


def installation(
    root: Path,
    *,
    station: str | None = STATION,
    bureau: bool = False,
    clock: Any = None,
    database_url: str | None = None,
) -> Application:
    """A laptop with the reference list seeded (as every installation does at set-up);
    `database_url`: the bureau's PostgreSQL database instead of a file."""
    app = open_application(DataPaths(root), clock=clock or FakeClock(), database_url=database_url)
    with app.ctx.db.write_session() as session:
        seed_reference(session, STATIONS, AREAS)
    if bureau:
        app.sync.set_role("bureau")
    elif station:
        app.stations.use_station(station)
    return app


def enrol(*apps: Application) -> None:
    """Every one trusts every other (as people do by comparing fingerprints)."""
    for one, other in itertools.permutations(apps, 2):
        one.sync.trust(other.sync.card())


def send(
    source: Application, target: Application, folder: Path, *, full: bool = False
) -> tuple[Path, ReceiveReport]:
    path = folder / f"bundle-{next(_bundles)}.sdbundle"
    source.sync.export(path, full=full, to=[target.sync.card().fingerprint])
    [report] = target.sync.import_bundles([path])
    assert report.refusal is None, report.refusal.english()
    return path, report


def _plain(value: Any) -> Any:
    return sorted(value) if isinstance(value, list) else value


def replicated_state(app: Application) -> dict[str, list[tuple[Any, ...]]]:
    """Every replicated table, every column but the local `heads` order, sorted."""
    state: dict[str, list[tuple[Any, ...]]] = {}
    with app.ctx.db.read() as session:
        for name, model in sorted(REPLICATED_MODELS.items()):
            table = table_of(model)
            rows = session.execute(select(table)).mappings()
            state[name] = sorted(
                (tuple((k, _plain(v)) for k, v in sorted(row.items())) for row in rows),
                key=repr,
            )
        # Conflicts are the same everywhere; a note flagged on a case closed elsewhere is a
        # local review item (acknowledged where it is read), so it is left out.
        state["_conflicts"] = sorted(
            (c.entity, str(c.record_id), c.field, c.kind, tuple(sorted(c.heads)))
            for c in session.scalars(select(SyncConflict))
            if c.kind != "note_on_closed_case"
        )
    return state


def file_hash(*paths: Path) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes() if path.exists() else b"-")
    return digest.hexdigest()


def database_files(app: Application) -> Iterable[Path]:
    database = app.paths.database
    return (database, Path(f"{database}-wal"))
