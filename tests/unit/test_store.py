"""Opening the data directory: durability settings, lock, integrity, migrations, backups."""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

from station_desktop.app import Application, open_application
from station_desktop.errors import DatabaseDamaged, DataDirInUse, SchemaTooNew
from station_desktop.paths import DATA_DIR_ENV, DataPaths, resolve_data_dir
from station_desktop.services.backups import BackupService
from station_desktop.store.backup import (
    Backup,
    backups_to_keep,
    integrity_problems,
    list_backups,
    take_backup,
)
from station_desktop.store.engine import WRITE_OPTION
from station_desktop.store.migrate import _config, head_revision
from station_desktop.store.opening import open_store
from tests.conftest import StationSetup


def test_sqlite_runs_with_wal_full_sync_and_foreign_keys(app: Application) -> None:
    with app.ctx.db.read() as session:
        assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert session.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_a_fresh_directory_is_created_and_migrated(tmp_path: Path) -> None:
    paths = DataPaths(tmp_path / "new" / "place")
    with open_store(paths) as store:
        assert store.migrated_from == "empty"
        assert paths.database.exists()
    assert list_backups(paths.backups) == []  # nothing to back up before the first migration
    with open_store(paths) as store:
        assert store.migrated_from is None


def test_one_instance_per_data_directory(app: Application, data_paths: DataPaths) -> None:
    with pytest.raises(DataDirInUse):
        open_application(data_paths)


def test_read_only_opening_works_beside_the_running_instance(
    app: Application, station: StationSetup, data_paths: DataPaths
) -> None:
    app.residents.register({"name_zh": "扎西", "legal_basis": "consent"})
    with open_application(data_paths, read_only=True) as reader:
        assert [r.name_zh for r in reader.residents.search("扎西")] == ["扎西"]


def test_lock_is_free_again_after_close(data_paths: DataPaths) -> None:
    open_application(data_paths).close()
    open_application(data_paths).close()


def test_the_data_dir_option_wins_over_the_environment(tmp_path: Path) -> None:
    env = {DATA_DIR_ENV: str(tmp_path / "from-env")}
    assert resolve_data_dir(None, env).root == tmp_path / "from-env"
    assert resolve_data_dir(str(tmp_path / "opt"), env).root == tmp_path / "opt"
    assert resolve_data_dir(None, {}).root.name == "station-desktop"


def test_stale_temporary_files_are_removed_at_start(data_paths: DataPaths) -> None:
    data_paths.backups.mkdir()
    stale = [
        data_paths.root / ".station.sqlite3.tmp",
        data_paths.backups / ".station-x.sqlite3.tmp",
    ]
    for path in stale:
        path.write_bytes(b"half written")
    open_application(data_paths).close()
    assert not any(p.exists() for p in stale)


def _corrupt(path: Path) -> None:
    # Overwrite a page in the middle of the file (not the header) with garbage.
    with path.open("r+b") as handle:
        handle.seek(4096 * 3)
        handle.write(os.urandom(4096))


def test_a_damaged_database_is_refused_with_the_newest_backup_named(
    app: Application, station: StationSetup, data_paths: DataPaths
) -> None:
    for n in range(300):
        app.residents.register(
            {"name_zh": f"测试{n}", "legal_basis": "consent", "notes": "长文本" * 50}
        )
    backup = take_backup(data_paths.database, data_paths.backups, "manual")
    app.close()
    _corrupt(data_paths.database)
    assert integrity_problems(data_paths.database, quick=True) is not None
    with pytest.raises(DatabaseDamaged) as caught:
        open_application(data_paths)
    assert caught.value.backups[0] == backup
    assert str(backup) in caught.value.english()
    # The way out: restore it. The damaged file is kept aside, never deleted.
    service = BackupService(data_paths)
    kept = service.restore(service.plan(backup)).kept
    assert kept is not None and kept.exists()
    with open_application(data_paths) as restored:
        assert len(restored.residents.search("测试", limit=1000)) == 300
        # A restored laptop must not reuse sequence numbers it may already have shipped.
        assert restored.ctx.device_id != app.ctx.device_id


def test_a_database_from_a_newer_version_is_refused(data_paths: DataPaths) -> None:
    with sqlite3.connect(data_paths.database) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    with pytest.raises(SchemaTooNew):
        open_application(data_paths)


def test_migration_is_preceded_by_a_backup(data_paths: DataPaths) -> None:
    with open_store(data_paths) as store:
        engine = store.db.engine.execution_options(**{WRITE_OPTION: True})
        with engine.begin() as connection:
            command.downgrade(_config(connection), "base")
    with open_store(data_paths) as store:
        assert store.migrated_from == "empty"
    backups = list_backups(data_paths.backups)
    assert [b.reason for b in backups] == ["pre-migration"]
    assert integrity_problems(backups[0].path) is None
    with open_store(data_paths) as store, store.db.read() as session:
        assert session.execute(text("SELECT version_num FROM alembic_version")).scalar() == (
            head_revision()
        )


def test_backup_rotation_keeps_days_weeks_months() -> None:
    start = datetime(2026, 11, 29, 9, tzinfo=UTC)
    backups = [Backup(start - timedelta(days=d), "daily", Path(f"b{d}")) for d in range(400)]
    backups.append(Backup(start - timedelta(days=500), "pre-migration", Path("old-migration")))
    keep = backups_to_keep(backups)
    kept_days = sorted(int(p.name[1:]) for p in keep if p.name.startswith("b"))
    assert kept_days[:7] == [0, 1, 2, 3, 4, 5, 6]  # the last 7 days
    assert Path("old-migration") in keep
    assert len(keep) <= 7 + 4 + 6 + 1
    # Monthly coverage reaches back about half a year.
    assert max(kept_days) >= 150


def test_the_database_option_wins_over_the_environment_and_the_remembered_server(
    tmp_path: Path,
) -> None:
    from station_desktop.paths import DATABASE_URL_ENV, resolve_database_url

    paths = DataPaths(tmp_path)
    assert resolve_database_url(None, paths, {}) is None  # the local file
    paths.database_setting.write_text('{"url": "postgresql://b@remembered/s"}')
    assert resolve_database_url(None, paths, {}) == "postgresql://b@remembered/s"
    env = {DATABASE_URL_ENV: "postgresql://b@env/s"}
    assert resolve_database_url(None, paths, env) == "postgresql://b@env/s"
    assert resolve_database_url("postgresql://b@option/s", paths, env) == (
        "postgresql://b@option/s"
    )
    paths.database_setting.write_text("not json")  # an unreadable setting is none
    assert resolve_database_url(None, paths, {}) is None
