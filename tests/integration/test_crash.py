"""SIGKILL a writer many times mid-stream: no acknowledged write may be lost, no action may
be half-written, and the database must pass integrity_check every time."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from station_desktop.app import open_application
from station_desktop.domain.codes import StationKind
from station_desktop.paths import DataPaths
from station_desktop.services.stations import StationInfo
from station_desktop.store.backup import integrity_problems

KILLS = int(os.environ.get("STATION_DESKTOP_CRASH_KILLS", "60"))
WRITER = Path(__file__).with_name("crash_writer.py")
ROOT = Path(__file__).parents[2]


def _run_and_kill(data_dir: Path, start: int, rng: random.Random) -> list[tuple[str, int]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    acked: list[tuple[str, int]] = []
    with subprocess.Popen(
        [sys.executable, str(WRITER), str(data_dir), str(start)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    ) as writer:
        assert writer.stdout is not None and writer.stderr is not None
        ready = writer.stdout.readline()
        assert ready.strip() == "READY", writer.stderr.read()
        # Kill after a random delay, wherever the writer happens to be (often mid-commit).
        timer = threading.Timer(rng.uniform(0.02, 0.6), writer.send_signal, (signal.SIGKILL,))
        timer.start()
        for line in writer.stdout:
            if line.startswith("ACK "):
                _, kind, n = line.split()
                acked.append((kind, int(n)))
        writer.wait(timeout=60)
        timer.cancel()
        assert writer.returncode == -signal.SIGKILL, writer.stderr.read()
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
        seqs = [s for (s,) in connection.execute("SELECT seq FROM change_log ORDER BY seq")]
        assert seqs == list(range(1, len(seqs) + 1)), "sequence numbers must have no gaps"
        return max((n for _, n in stored), default=-1)
    finally:
        connection.close()


@pytest.mark.slow
def test_sigkill_never_loses_an_acknowledged_write(tmp_path: Path) -> None:
    paths = DataPaths(tmp_path / "data")
    with open_application(paths) as app:
        app.stations.add_station(StationInfo("CRASH", StationKind.TOWNSHIP, "", "测试乡"))
        app.stations.use_station("CRASH")
    rng = random.Random(20261129)
    acked: set[tuple[str, int]] = set()
    next_n = 0
    started = time.monotonic()
    for _ in range(KILLS):
        acked |= set(_run_and_kill(paths.root, next_n, rng))
        next_n = _check(paths.database, acked) + 1
    assert len(acked) > KILLS  # the writer really wrote between kills
    # After all that, the application still opens normally (the lock was never stuck).
    with open_application(paths) as app:
        assert app.listing.counts()["residents"] >= sum(1 for k, _ in acked if k == "resident")
    print(f"{KILLS} kills, {len(acked)} acknowledged writes, {time.monotonic() - started:.1f} s")
