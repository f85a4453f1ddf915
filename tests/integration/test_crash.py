"""SIGKILL the program many times mid-stream: while it writes, starts, backs up, restores
and migrates. No acknowledged write may be lost, no action may be half-written, every
backup that carries a backup's name must be whole, and the database must pass
integrity_check every time.

Each kill is armed only after the worker has acknowledged some work (a random number of
acknowledgements, then a random delay), so the test proves the same on a busy machine as
on an idle one."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

from station_desktop.app import open_application
from station_desktop.domain.codes import StationKind
from station_desktop.errors import Notice, RestoreFinished
from station_desktop.paths import DataPaths
from station_desktop.services.backups import BackupService
from station_desktop.services.stations import StationInfo
from station_desktop.store.backup import integrity_problems, list_backups
from station_desktop.store.engine import WRITE_OPTION
from station_desktop.store.migrate import _config, head_revision
from station_desktop.store.opening import open_store

KILLS = int(os.environ.get("STATION_DESKTOP_CRASH_KILLS", "60"))
WORKER = Path(__file__).with_name("crash_writer.py")
ROOT = Path(__file__).parents[2]
RESTORE_STEPS = ("prepared", "kept", "journal", "wal-removed", "replaced", "done")


def _worker(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(WORKER), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def _lines_until_killed(
    worker: subprocess.Popen[str], rng: random.Random, *, after: int, delay: float
) -> Iterator[str]:
    """Yield the worker's lines; after `after` acknowledgements (ACK or READY lines), kill
    it with SIGKILL following a random delay of up to `delay` seconds."""
    assert worker.stdout is not None
    seen = 0
    timer: threading.Timer | None = None
    for line in worker.stdout:
        yield line
        if line.startswith(("ACK ", "READY")):
            seen += 1
            if seen == after and timer is None:
                timer = threading.Timer(
                    rng.uniform(0, delay), worker.send_signal, (signal.SIGKILL,)
                )
                timer.start()
    worker.wait(timeout=120)
    if timer is not None:
        timer.cancel()
    assert worker.stderr is not None
    assert worker.returncode == -signal.SIGKILL, worker.stderr.read()


def _write_and_kill(data_dir: Path, start: int, rng: random.Random) -> list[tuple[str, int]]:
    acked: list[tuple[str, int]] = []
    with _worker(str(data_dir), "write", str(start)) as writer:
        # READY counts as the first acknowledgement; then 1 to 30 writes, then the kill,
        # wherever the writer happens to be (often mid-commit).
        for line in _lines_until_killed(writer, rng, after=rng.randint(2, 31), delay=0.05):
            if line.startswith("ACK "):
                _, kind, n = line.split()
                acked.append((kind, int(n)))
    return acked


def _check(database: Path, acked: set[tuple[str, int]]) -> int:
    assert integrity_problems(database) is None
    connection = sqlite3.connect(database)
    try:
        stored = {
            ("resident", int(notes.removeprefix("crash-")))
            for (notes,) in connection.execute(
                "SELECT notes FROM resident WHERE notes LIKE 'crash-%'"
            )
        }
        stored |= {
            ("feedback", int(no.removeprefix("crash-")))
            for (no,) in connection.execute(
                "SELECT sheet_no FROM feedback_sheet WHERE sheet_no LIKE 'crash-%'"
            )
        }
        missing = acked - stored
        assert not missing, f"acknowledged but lost: {sorted(missing)[:10]}"
        # All or nothing: every sheet has its six ratings.
        partial = connection.execute(
            "SELECT s.sheet_no, count(r.id) FROM feedback_sheet s "
            "LEFT JOIN feedback_rating r ON r.sheet_id = s.id GROUP BY s.id HAVING count(r.id) != 6"
        ).fetchall()
        assert partial == []
        # Every record has exactly its log entry, and no log entry lacks its record.
        for table in ("resident", "feedback_sheet", "feedback_rating"):
            mismatched = connection.execute(
                f"SELECT count(*) FROM {table} t LEFT JOIN change_log c "
                f"ON c.entity = '{table}' AND c.record_id = t.id AND c.op = 'insert' "
                "WHERE c.seq IS NULL"
            ).fetchone()[0]
            assert mismatched == 0
        orphans = connection.execute(
            "SELECT count(*) FROM change_log c WHERE c.entity = 'resident' AND NOT EXISTS "
            "(SELECT 1 FROM resident r WHERE r.id = c.record_id)"
        ).fetchone()[0]
        assert orphans == 0
        for (device,) in connection.execute("SELECT DISTINCT device_id FROM change_log"):
            seqs = [
                s
                for (s,) in connection.execute(
                    "SELECT seq FROM change_log WHERE device_id = ? ORDER BY seq", (device,)
                )
            ]
            assert seqs == list(range(1, len(seqs) + 1)), "sequence numbers must have no gaps"
        return max((n for _, n in stored), default=-1)
    finally:
        connection.close()


def _check_backups(paths: DataPaths) -> None:
    """Whatever carries a backup's name is a whole backup."""
    for backup in list_backups(paths.backups):
        assert integrity_problems(backup.path) is None, backup.path


def _configured(paths: DataPaths) -> None:
    with open_application(paths) as app:
        app.stations.add_station(StationInfo("CRASH", StationKind.TOWNSHIP, "", "测试乡"))
        app.stations.use_station("CRASH")


@pytest.mark.slow
def test_sigkill_never_loses_an_acknowledged_write(tmp_path: Path) -> None:
    paths = DataPaths(tmp_path / "data")
    _configured(paths)
    rng = random.Random(20261129)
    acked: set[tuple[str, int]] = set()
    next_n = 0
    started = time.monotonic()
    for _ in range(KILLS):
        acked |= set(_write_and_kill(paths.root, next_n, rng))
        next_n = _check(paths.database, acked) + 1
    assert len(acked) >= KILLS  # every run acknowledged at least one write before its kill
    # After all that, the application still opens normally (the lock was never stuck).
    with open_application(paths) as app:
        assert app.listing.counts()["residents"] >= sum(1 for k, _ in acked if k == "resident")
    print(f"{KILLS} kills, {len(acked)} acknowledged writes, {time.monotonic() - started:.1f} s")


@pytest.mark.slow
def test_sigkill_during_start_up_and_backups(tmp_path: Path) -> None:
    """Kills while the program starts (lock, checks, device) and while it takes backups,
    between bursts of writes: nothing acknowledged is lost, and every file named like a
    backup is a whole backup (a half-written one keeps its temporary name and is removed
    at the next start)."""
    paths = DataPaths(tmp_path / "data")
    _configured(paths)
    rng = random.Random(20261207)
    acked: set[tuple[str, int]] = set()
    next_n = 0
    kills = max(4, KILLS // 3)
    for round_number in range(kills):
        acked |= set(_write_and_kill(paths.root, next_n, rng))
        next_n = _check(paths.database, acked) + 1
        if round_number % 2:
            with _worker(str(paths.root), "start") as starter:
                list(_lines_until_killed(starter, rng, after=rng.randint(1, 3), delay=0.3))
        else:
            with _worker(str(paths.root), "backup") as backer:
                list(_lines_until_killed(backer, rng, after=rng.randint(1, 3), delay=0.15))
        _check(paths.database, acked)
        _check_backups(paths)
    with open_application(paths) as app:  # removes what the kills left half-written
        assert app.listing.counts()["residents"] >= sum(1 for k, _ in acked if k == "resident")
    assert not list(paths.root.rglob("*.tmp"))
    _check_backups(paths)


def _resident_count(database: Path) -> int:
    connection = sqlite3.connect(database)
    try:
        return int(connection.execute("SELECT count(*) FROM resident").fetchone()[0])
    finally:
        connection.close()


@pytest.fixture
def restorable(tmp_path: Path) -> tuple[DataPaths, Path, int, int]:
    """A data folder holding more residents than its older backup: (paths, backup,
    residents in the backup, residents now)."""
    paths = DataPaths(tmp_path / "data")
    _configured(paths)
    with open_application(paths) as app:
        for n in range(20):
            app.residents.register({"name_zh": f"早{n}", "legal_basis": "statutory_duty"})
        backup = BackupService(paths).back_up("manual")
        for n in range(15):
            app.residents.register({"name_zh": f"晚{n}", "legal_basis": "statutory_duty"})
    return paths, backup, 20, 35


def _after_interrupted_restore(
    paths: DataPaths, before: int, restored: int
) -> tuple[int, list[Notice]]:
    """Open the folder as the next start does; the data is either what was there or the
    whole backup, never nothing; what was there is kept whole if it was replaced."""
    with open_store(paths) as store:
        notices = store.notices
    count = _resident_count(paths.database)
    assert count in (before, restored)
    if count == restored:
        kept = [b for b in list_backups(paths.backups) if b.reason == "before-restore"]
        assert kept, "the replaced data must be kept"
        assert _resident_count(kept[0].path) == before
    assert integrity_problems(paths.database) is None
    assert not (paths.root / "restore-journal.json").exists()
    assert not list(paths.root.glob("*.tmp"))
    return count, notices


@pytest.mark.slow
@pytest.mark.parametrize("step", RESTORE_STEPS)
def test_a_restore_killed_after_each_step_is_finished_or_undone(
    restorable: tuple[DataPaths, Path, int, int], step: str
) -> None:
    paths, backup, in_backup, now = restorable
    with _worker(str(paths.root), "restore", str(backup), step) as restorer:
        assert restorer.stdout is not None
        lines = list(restorer.stdout)
        restorer.wait(timeout=120)
    assert restorer.returncode == -signal.SIGKILL
    assert f"STEP {step}\n" in lines
    count, notices = _after_interrupted_restore(paths, now, in_backup)
    # Once the journal is written the restore is finished at the next start (and the
    # person is told); before it, nothing was replaced.
    finished = RESTORE_STEPS.index(step) >= RESTORE_STEPS.index("journal")
    assert count == (in_backup if finished else now)
    told = [n for n in notices if isinstance(n, RestoreFinished)]
    assert len(told) == (1 if finished and step != "done" else 0)


@pytest.mark.slow
def test_a_restore_killed_at_random_moments_never_empties_the_folder(
    restorable: tuple[DataPaths, Path, int, int],
) -> None:
    paths, backup, in_backup, now = restorable
    rng = random.Random(77)
    for _ in range(max(4, KILLS // 4)):
        with _worker(str(paths.root), "restore", str(backup)) as restorer:
            assert restorer.stdout is not None and restorer.stderr is not None
            ready = restorer.stdout.readline()
            assert ready == "READY\n", restorer.stderr.read()
            timer = threading.Timer(rng.uniform(0, 0.4), restorer.send_signal, (signal.SIGKILL,))
            timer.start()
            restorer.stdout.read()
            restorer.wait(timeout=120)
            timer.cancel()
        count, _notices = _after_interrupted_restore(paths, now, in_backup)
        if count == in_backup:  # restored: put the later data back for the next round
            newest = next(b for b in list_backups(paths.backups) if b.reason == "before-restore")
            service = BackupService(paths)
            service.restore(service.plan(newest.path))
            assert _resident_count(paths.database) == now


@pytest.mark.slow
def test_sigkill_during_a_migration(tmp_path: Path) -> None:
    """A start that migrates (after its backup) is killed at random moments; the next
    start still finds a sound database at the current schema."""
    paths = DataPaths(tmp_path / "data")
    _configured(paths)
    rng = random.Random(5)
    for _ in range(max(3, KILLS // 6)):
        with open_store(paths) as store:
            engine = store.db.engine.execution_options(**{WRITE_OPTION: True})
            with engine.begin() as connection:
                command.downgrade(_config(connection), "-1")
        with _worker(str(paths.root), "start") as starter:
            assert starter.stdout is not None
            timer = threading.Timer(rng.uniform(0, 1.0), starter.send_signal, (signal.SIGKILL,))
            timer.start()
            starter.stdout.read()
            starter.wait(timeout=120)
            timer.cancel()
        with open_store(paths) as store, store.db.read() as session:
            revision = session.execute(text("SELECT version_num FROM alembic_version")).scalar()
        assert revision == head_revision()
        assert integrity_problems(paths.database) is None
        _check_backups(paths)
