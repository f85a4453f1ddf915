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
from station_desktop.app import Application, open_application
from station_desktop.paths import DataPaths
from station_desktop.services.accounts import protect_store, sign_in
from station_desktop.services.reports import ReportService
from station_desktop.store.cipher import ARGON2_FLOOR, calibrate
from station_desktop.store.engine import create_store_engine, sqlite_url

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
    if (target.root / "complete").exists():
        return target
    shutil.rmtree(target.root, ignore_errors=True)
    target.root.mkdir(parents=True)
    shutil.copyfile(plain.database, target.database)
    started = time.perf_counter()
    protect_store(target, NAME, PASSWORD, kdf=ARGON2_FLOOR)
    print(
        f"converted {plain.database.stat().st_size / 1e6:.0f} MB in "
        f"{time.perf_counter() - started:.1f} s (backup first, every row checked)"
    )
    (target.root / "complete").write_text("converted\n")
    return target


def _through_sqlcipher_unkeyed(app: Application) -> Application:
    """The plain file read through SQLCipher's own SQLite (3.53, no key): what the SQLite
    version costs or saves, apart from the encryption. (The engine is the store's, with its
    pragmas and transactions; only the driver's connection differs.)"""
    import sqlcipher3

    database = app.paths.database
    engine = create_store_engine(sqlite_url(database), read_only=True)
    engine.pool._creator = lambda *_args: sqlcipher3.dbapi2.connect(  # type: ignore[attr-defined]
        f"file:{database}?mode=ro", uri=True, check_same_thread=False
    )
    app.ctx.db.rebind(engine)
    return app


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
        "sqlite 3.53": _through_sqlcipher_unkeyed(
            open_application(plain, clock=bench_clock, read_only=True)
        ),
        "encrypted": open_application(encrypted, clock=bench_clock, read_only=True, key=key),
    }
    try:
        rows: list[tuple[str, float, float, float]] = []
        for query in QUERIES:
            times = {
                kind: _median_ms(lambda a=app, q=query: a.residents.search(q, limit=50))
                for kind, app in apps.items()
            }
            rows.append((query, times["plain"], times["sqlite 3.53"], times["encrypted"]))
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
    print(f"{'':<18}{'plain ms':>10}{'3.53 ms':>10}{'encrypted':>11}{'ratio':>8}{'cipher':>8}")
    for query, plain_ms, newer_ms, encrypted_ms in rows:
        print(
            f"{query:<18}{plain_ms:>10.1f}{newer_ms:>10.1f}{encrypted_ms:>11.1f}"
            f"{encrypted_ms / max(plain_ms, 0.01):>8.2f}{encrypted_ms / max(newer_ms, 0.01):>8.2f}"
        )
    totals = [sum(r[i] for r in rows) for i in (1, 2, 3)]
    print(
        f"{'all queries':<18}{totals[0]:>10.1f}{totals[1]:>10.1f}{totals[2]:>11.1f}"
        f"{totals[2] / totals[0]:>8.2f}{totals[2] / totals[1]:>8.2f}"
    )
    plain_r, newer_r, enc_r = report["plain"], report["sqlite 3.53"], report["encrypted"]
    print(
        f"{'report (a year)':<18}{plain_r:>10.0f}{newer_r:>10.0f}{enc_r:>11.0f}"
        f"{enc_r / plain_r:>8.2f}{enc_r / newer_r:>8.2f}"
    )
    print("ratio: encrypted / plain (the system's SQLite); cipher: encrypted / the same SQLite")
    print("the two reports' figures are " + ("the same" if same else "DIFFERENT"))
    shutil.rmtree(Path(folder.root), ignore_errors=True)


if __name__ == "__main__":
    run()
