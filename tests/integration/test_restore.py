"""Restoring backups, and starting on a folder whose data is not where it should be.

A restore checks the whole file before touching anything and shows what it holds; a bad
file is refused with the folder byte-for-byte unchanged; a good one replaces the data with
the old data kept. A folder whose database is gone never starts empty while copies of its
data lie beside it. (Kills at every step of a restore: test_crash.py.)"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from station_desktop.app import open_application
from station_desktop.domain.codes import StationKind
from station_desktop.errors import (
    DatabaseMissing,
    DataDirInUse,
    RestoreFinished,
    WritesLost,
)
from station_desktop.paths import DataPaths
from station_desktop.services.backups import BackupService
from station_desktop.services.stations import StationInfo
from station_desktop.store.backup import KEEP_BEFORE_RESTORE, list_backups
from station_desktop.store.opening import open_store
from tests.integration.test_hostile_cli import assert_one_clear_line, run

ROOT = Path(__file__).parents[2]


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STATION_DESKTOP_LANG", "en")


def _station(paths: DataPaths, code: str = "CG-BK", residents: int = 12) -> None:
    with open_application(paths) as app:
        app.stations.add_station(StationInfo(code, StationKind.TOWNSHIP, "", f"{code}乡"))
        app.stations.use_station(code)
        for n in range(residents):
            app.residents.register({"name_zh": f"居民{n}", "legal_basis": "statutory_duty"})


def _residents(paths: DataPaths) -> int:
    with open_application(paths) as app:
        return app.listing.counts()["residents"]


def _folder_state(root: Path) -> dict[str, str]:
    """Every file of the data folder and its content's hash."""
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not path.name.endswith(".lock")
    }


@pytest.fixture
def station_folder(tmp_path: Path) -> DataPaths:
    paths = DataPaths(tmp_path / "data")
    _station(paths)
    return paths


# ---------------------------------------------------------------- refused before anything


def _empty_sqlite(path: Path) -> None:
    sqlite3.connect(path).close()
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA user_version = 1")  # a real, empty database file
    connection.close()


def _unrelated_sqlite(path: Path) -> None:
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT)")
    connection.execute("INSERT INTO photos (name) VALUES ('holiday')")
    connection.commit()
    connection.close()


def _copy_of_backup(paths: DataPaths, target: Path) -> None:
    shutil.copyfile(BackupService(paths).back_up(), target)


def _truncated(paths: DataPaths, target: Path) -> None:
    _copy_of_backup(paths, target)
    with target.open("r+b") as handle:
        handle.truncate(target.stat().st_size // 2)


def _bit_flipped(paths: DataPaths, target: Path) -> None:
    _copy_of_backup(paths, target)
    data = bytearray(target.read_bytes())
    for offset in range(4096 * 2, len(data), 4096):
        data[offset + 100] ^= 0xFF  # a flipped byte in every page but the first two
    target.write_bytes(bytes(data))


def _from_a_newer_version(paths: DataPaths, target: Path) -> None:
    _copy_of_backup(paths, target)
    connection = sqlite3.connect(target)
    connection.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    connection.commit()
    connection.close()


BAD_BACKUPS = {
    "empty file": (lambda paths, target: target.write_bytes(b""), "empty"),
    "empty database": (lambda paths, target: _empty_sqlite(target), "another program"),
    "unrelated database": (lambda paths, target: _unrelated_sqlite(target), "another program"),
    "text file": (lambda paths, target: target.write_text("hello\n"), "not a Station"),
    "truncated": (_truncated, "damaged"),
    "bit-flipped": (_bit_flipped, "damaged"),
    "newer version": (_from_a_newer_version, "newer version"),
    "a folder": (lambda paths, target: target.mkdir(), "not a file"),
    "missing": (lambda paths, target: None, "does not exist"),
}


@pytest.mark.parametrize("case", BAD_BACKUPS, ids=BAD_BACKUPS.keys())
def test_a_bad_backup_is_refused_before_anything_is_touched(
    capsys: pytest.CaptureFixture[str], station_folder: DataPaths, tmp_path: Path, case: str
) -> None:
    make, words = BAD_BACKUPS[case]
    target = tmp_path / "offered.sqlite3"
    make(station_folder, target)
    before = _folder_state(station_folder.root)
    result = run(
        capsys, "--data-dir", str(station_folder.root), "backups", "restore", str(target), "--yes"
    )
    assert_one_clear_line(result, 1, words, "Nothing was changed")
    assert _folder_state(station_folder.root) == before
    assert _residents(station_folder) == 12


def test_a_backup_of_another_station_needs_its_own_option(
    capsys: pytest.CaptureFixture[str], station_folder: DataPaths, tmp_path: Path
) -> None:
    other = DataPaths(tmp_path / "other")
    _station(other, "DZ-TJ", residents=3)
    backup = BackupService(other).back_up()
    before = _folder_state(station_folder.root)
    argv = ("--data-dir", str(station_folder.root), "backups", "restore", str(backup), "--yes")
    assert_one_clear_line(run(capsys, *argv), 1, "another station", "DZ-TJ", "--other-station")
    assert _folder_state(station_folder.root) == before
    status, out, _err = run(capsys, *argv, "--other-station")
    assert status == 0, out
    assert _residents(station_folder) == 3


def test_what_a_backup_holds_is_shown_before_asking(
    capsys: pytest.CaptureFixture[str],
    station_folder: DataPaths,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    service = BackupService(station_folder)
    backup = service.back_up()
    with open_application(station_folder) as app:
        app.residents.register({"name_zh": "后来的人", "legal_basis": "statutory_duty"})
    before = _folder_state(station_folder.root)
    # A script (no terminal) must say --yes: wrong usage, nothing changed.
    argv = ("--data-dir", str(station_folder.root), "backups", "restore", str(backup))
    status, out, err = run(capsys, *argv)
    assert status == 2 and "--yes" in err
    assert "residents 12" in out and "residents 13" in out and "CG-BK" in out
    assert _folder_state(station_folder.root) == before
    # At a terminal the person is asked; "n" changes nothing.
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda _question: "n")
    status, out, _err = run(capsys, *argv)
    assert status == 1 and "Nothing was changed" in out
    assert _folder_state(station_folder.root) == before
    monkeypatch.setattr("builtins.input", lambda _question: "y")
    status, out, _err = run(capsys, *argv)
    assert status == 0 and "kept as" in out
    assert _residents(station_folder) == 12


def test_a_restore_keeps_the_replaced_data_and_renews_the_device(
    station_folder: DataPaths,
) -> None:
    service = BackupService(station_folder)
    backup = service.back_up()
    with open_application(station_folder) as app:
        device = app.ctx.device_id
        app.residents.register({"name_zh": "后来的人", "legal_basis": "statutory_duty"})
    result = service.restore(service.plan(backup))
    assert result.kept is not None
    assert backup.exists()  # the copy restored from is never rotated away by the restore
    with open_application(station_folder) as app:
        assert app.listing.counts()["residents"] == 12
        # Its sequence numbers may already have travelled: a new identity continues.
        assert app.ctx.device_id != device
    kept = BackupService(DataPaths(station_folder.root))
    assert kept.plan(result.kept).backup.counts["residents"] == 13
    assert not list(station_folder.root.glob("*.tmp"))
    assert not (station_folder.root / "restore-journal.json").exists()


def test_copies_kept_by_restores_are_rotated(station_folder: DataPaths) -> None:
    service = BackupService(station_folder)
    backup = service.back_up()
    for _ in range(KEEP_BEFORE_RESTORE + 3):
        service.restore(service.plan(backup))
        time.sleep(0.002)  # backups are named to the microsecond
    kept = [b for b in list_backups(station_folder.backups) if b.reason == "before-restore"]
    assert len(kept) == KEEP_BEFORE_RESTORE
    assert backup.exists()


def test_restoring_beside_a_running_window_is_refused(station_folder: DataPaths) -> None:
    service = BackupService(station_folder)
    plan = service.plan(service.back_up())
    before = _folder_state(station_folder.root)
    with open_application(station_folder), pytest.raises(DataDirInUse):
        service.restore(plan)
    del before


def test_an_interrupted_restore_is_finished_at_the_next_start(
    station_folder: DataPaths,
) -> None:
    service = BackupService(station_folder)
    backup = service.back_up()
    with open_application(station_folder) as app:
        app.residents.register({"name_zh": "后来的人", "legal_basis": "statutory_duty"})

    class PowerCut(Exception):
        pass

    def cut_after_the_journal(step: str) -> None:
        if step == "journal":
            raise PowerCut

    with pytest.raises(PowerCut):
        service.restore(service.plan(backup), on_step=cut_after_the_journal)
    with open_store(station_folder) as store:
        assert [type(n) for n in store.notices] == [RestoreFinished]
        assert str(backup) in store.notices[0].english()
    assert _residents(station_folder) == 12


# ---------------------------------------------------------------- a missing database


MISSING_WITH = {
    "backups": lambda paths: BackupService(paths).back_up(),
    "a kept copy of an older version": lambda paths: shutil.copyfile(
        BackupService(paths).back_up(), paths.root / "replaced-20261130T101010Z.sqlite3"
    ),
}


@pytest.mark.parametrize("case", MISSING_WITH, ids=MISSING_WITH.keys())
def test_a_missing_database_is_never_replaced_by_an_empty_one(
    capsys: pytest.CaptureFixture[str], station_folder: DataPaths, case: str
) -> None:
    MISSING_WITH[case](station_folder)
    if case != "backups":
        shutil.rmtree(station_folder.backups)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{station_folder.database}{suffix}").unlink(missing_ok=True)
    before = _folder_state(station_folder.root)
    with pytest.raises(DatabaseMissing) as missing:
        open_application(station_folder)
    assert missing.value.candidates
    for argv in (("setup", "--station", "CG-BK"), ("demo",), ("info",)):
        result = run(capsys, "--data-dir", str(station_folder.root), *argv)
        assert_one_clear_line(result, 1, "missing", "backups restore")
    assert _folder_state(station_folder.root) == before
    assert not station_folder.database.exists()
    # The way out is the one named: restore it.
    service = BackupService(station_folder)
    service.restore(service.plan(missing.value.candidates[0]), allow_other_station=True)
    assert _residents(station_folder) == 12


def test_a_half_placed_restore_copy_is_offered_first(station_folder: DataPaths) -> None:
    """An older version moved the database aside before placing the restored copy; a crash
    between the two left only the copy under its temporary name."""
    service = BackupService(station_folder)
    backup = service.back_up()
    prepared = station_folder.root / ".station.sqlite3.restore.tmp"
    shutil.copyfile(backup, prepared)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{station_folder.database}{suffix}").unlink(missing_ok=True)
    with pytest.raises(DatabaseMissing) as missing:
        open_application(station_folder)
    assert missing.value.candidates[0] == prepared
    assert prepared.exists()  # not removed as a stale temporary file


# ---------------------------------------------------------------- the lock and the WAL


def test_deleting_the_lock_file_does_not_let_a_second_copy_in(
    station_folder: DataPaths,
) -> None:
    with open_application(station_folder):
        station_folder.lock.unlink()
        with pytest.raises(DataDirInUse):
            open_application(station_folder)
    open_application(station_folder).close()  # free again once the first one is closed


WAL_WRITER = """
import sys
from pathlib import Path
from station_desktop.app import open_application
from station_desktop.paths import DataPaths
app = open_application(DataPaths(Path(sys.argv[1])))
for n in range(5):
    app.residents.register({"name_zh": f"最后{n}", "legal_basis": "statutory_duty"})
print("SAVED", flush=True)
sys.stdin.read()
"""


def test_changes_lost_with_a_deleted_wal_are_reported(
    capsys: pytest.CaptureFixture[str], station_folder: DataPaths
) -> None:
    """Someone tidying up deletes station.sqlite3-wal under a running program, which is
    then killed: its last acknowledged changes are gone, and the next start says so."""
    connection = sqlite3.connect(station_folder.database)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    with open_application(station_folder) as app:
        device = app.ctx.device_id
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with subprocess.Popen(
        [sys.executable, "-c", WAL_WRITER, str(station_folder.root)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    ) as writer:
        assert writer.stdout is not None
        assert writer.stdout.readline() == "SAVED\n"
        Path(f"{station_folder.database}-wal").unlink()
        Path(f"{station_folder.database}-shm").unlink()
        writer.kill()
    status, _out, err = run(capsys, "--data-dir", str(station_folder.root), "info")
    assert status == 0
    assert "Warning:" in err and "changes" in err and "missing" in err
    with open_store(station_folder) as store:
        lost = [n for n in store.notices if isinstance(n, WritesLost)]
        assert len(lost) == 1 and lost[0].params["last"] - lost[0].params["first"] == 4
        # New work is numbered afresh: the lost numbers may have travelled already.
        assert store.device_id != device
    with open_store(station_folder) as store:
        assert store.notices == []  # said once
    assert _residents(station_folder) == 12
