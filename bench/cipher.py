"""Encryption at rest: the sign-in's cost with the Argon2id parameters calibrated here, and
the encrypted store beside the plain one on the search and report benchmarks (the same data,
one run, alternating), through the services the window uses."""

from __future__ import annotations

import os
import shutil
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from bench.data import CACHE, bench_clock, demo_data
from bench.report import PERIOD
from bench.search import QUERIES
from station_desktop.app import open_application
from station_desktop.paths import DataPaths
from station_desktop.services.accounts import protect_store, sign_in
from station_desktop.services.reports import ReportService
from station_desktop.store.cipher import ARGON2_FLOOR, calibrate

RESIDENTS = int(os.environ.get("BENCH_CIPHER_RESIDENTS", "10000"))
REPEAT = 7
NAME, PASSWORD = "罗布", "bench password 1"


def _median_ms(fn: Callable[[], object], repeat: int = REPEAT) -> float:
    fn()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def _encrypted_copy(plain: DataPaths) -> DataPaths:
    """The same data, converted as a laptop's is (services.accounts.protect_store)."""
    target = DataPaths(CACHE / f"{plain.root.name}-encrypted")
    shutil.rmtree(target.root, ignore_errors=True)
    target.root.mkdir(parents=True)
    shutil.copyfile(plain.database, target.database)
    started = time.perf_counter()
    protect_store(target, NAME, PASSWORD, kdf=ARGON2_FLOOR)
    print(
        f"converted {plain.database.stat().st_size / 1e6:.0f} MB in "
        f"{time.perf_counter() - started:.1f} s (backup first, every row checked)"
    )
    return target


def run() -> None:
    chosen = calibrate()
    print(
        f"Argon2id calibrated here: t={chosen.time_cost}, m={chosen.memory_kib // 1024} MiB, "
        f"p={chosen.parallelism} (floor t={ARGON2_FLOOR.time_cost}, 64 MiB, p=4)"
    )
    folder = DataPaths(CACHE / "sign-in")
    shutil.rmtree(folder.root, ignore_errors=True)
    protect_store(folder, NAME, PASSWORD, kdf=chosen)
    sign_in_ms = _median_ms(lambda: sign_in(folder, NAME, PASSWORD), repeat=5)
    print(f"sign-in (Argon2id + unsealing the key + checking the slot file): {sign_in_ms:.0f} ms")

    plain, built = demo_data(RESIDENTS)
    if built is not None:
        print(f"built {RESIDENTS:,} residents of demo data in {built:.1f} s")
    encrypted = _encrypted_copy(plain)
    key = sign_in(encrypted, NAME, PASSWORD).data_key
    apps = {
        "plain": open_application(plain, clock=bench_clock, read_only=True),
        "encrypted": open_application(encrypted, clock=bench_clock, read_only=True, key=key),
    }
    try:
        rows: list[tuple[str, float, float]] = []
        for query in QUERIES:
            times = {
                kind: _median_ms(lambda a=app, q=query: a.residents.search(q, limit=50))
                for kind, app in apps.items()
            }
            rows.append((query, times["plain"], times["encrypted"]))
        reports = {kind: ReportService(app.ctx) for kind, app in apps.items()}
        report = {
            kind: _median_ms(lambda s=service: s.compute(PERIOD), repeat=3)
            for kind, service in reports.items()
        }
        same = (
            reports["plain"].compute(PERIOD).to_json()
            == reports["encrypted"].compute(PERIOD).to_json()
        )
    finally:
        for app in apps.values():
            app.close()
    print(f"{RESIDENTS:,} residents; median of {REPEAT} runs each, warm cache")
    print(f"{'':<18}{'plain ms':>10}{'encrypted ms':>14}{'ratio':>8}")
    for query, plain_ms, encrypted_ms in rows:
        print(
            f"{query:<18}{plain_ms:>10.1f}{encrypted_ms:>14.1f}"
            f"{encrypted_ms / max(plain_ms, 0.01):>8.2f}"
        )
    total_plain = sum(r[1] for r in rows)
    total_encrypted = sum(r[2] for r in rows)
    print(
        f"{'all queries':<18}{total_plain:>10.1f}{total_encrypted:>14.1f}"
        f"{total_encrypted / total_plain:>8.2f}"
    )
    print(
        f"{'report (a year)':<18}{report['plain']:>10.0f}{report['encrypted']:>14.0f}"
        f"{report['encrypted'] / report['plain']:>8.2f}"
    )
    print("the two reports' figures are " + ("the same" if same else "DIFFERENT"))
    shutil.rmtree(Path(folder.root), ignore_errors=True)


if __name__ == "__main__":
    run()
