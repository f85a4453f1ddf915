"""Encryption at rest: the sign-in's cost with the Argon2id parameters calibrated here, and
the encrypted store beside the plain one on the search and report benchmarks (the same data,
one run, alternating), through the services the window uses."""

from __future__ import annotations

import os
import shutil
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
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
REPEAT = int(os.environ.get("BENCH_CIPHER_ROUNDS", "7"))
NAME, PASSWORD = "罗布", "bench password 1"


def _median_ms(fn: Callable[[], object], repeat: int = REPEAT) -> float:
    fn()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


@dataclass
class _Times:
    """Samples of one task on one store: wall-clock and this process's CPU time (ms).
    The machine is shared: CPU time is what the work itself costs, whatever else runs."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def take(self, fn: Callable[[], object]) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        self.cpu.append((time.process_time() - cpu) * 1000)
        self.wall.append((time.perf_counter() - wall) * 1000)


def _interleaved(
    tasks: dict[str, dict[str, Callable[[], object]]], rounds: int
) -> dict[str, dict[str, _Times]]:
    """Each task on each store once per round, the stores in a rotating order, after one
    warming run each: the stores see the same moments of the machine's load."""
    times = {task: {store: _Times() for store in by_store} for task, by_store in tasks.items()}
    for by_store in tasks.values():
        for fn in by_store.values():
            fn()
    for number in range(rounds):
        for task, by_store in tasks.items():
            stores = list(by_store)
            stores = stores[number % len(stores) :] + stores[: number % len(stores)]
            for store in stores:
                times[task][store].take(by_store[store])
    return times


def encrypted_copy(plain: DataPaths) -> DataPaths:
    """The same data, converted as a laptop's is (services.accounts.protect_store), once;
    a copy converted by an older version has its schema brought up to date (a read-only
    opening refuses to migrate)."""
    target = DataPaths(CACHE / f"{plain.root.name}-encrypted")
    if not (target.root / "complete").exists():
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
    key = sign_in(target, NAME, PASSWORD).data_key
    with open_application(target, clock=bench_clock, check_integrity=False, key=key):
        pass
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


def _row(label: str, by_store: dict[str, _Times]) -> str:
    wall = {store: statistics.median(t.wall) for store, t in by_store.items()}
    cpu = {store: statistics.median(t.cpu) for store, t in by_store.items()}
    return (
        f"{label:<22}{wall['plain']:>9.1f}{wall['sqlite 3.53']:>9.1f}{wall['encrypted']:>10.1f}"
        f"{wall['encrypted'] / max(wall['plain'], 0.01):>7.2f}"
        f"{cpu['plain']:>9.1f}{cpu['encrypted']:>9.1f}"
        f"{cpu['encrypted'] / max(cpu['plain'], 0.01):>7.2f}"
    )


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
    encrypted = encrypted_copy(plain)
    key = sign_in(encrypted, NAME, PASSWORD).data_key
    apps = {
        "plain": open_application(plain, clock=bench_clock, read_only=True),
        "sqlite 3.53": _through_sqlcipher_unkeyed(
            open_application(plain, clock=bench_clock, read_only=True)
        ),
        "encrypted": open_application(encrypted, clock=bench_clock, read_only=True, key=key),
    }
    try:
        reports = {kind: ReportService(app.ctx) for kind, app in apps.items()}
        one_station = reports["plain"].compute(PERIOD).stations[:1]
        tasks: dict[str, dict[str, Callable[[], object]]] = {
            query: {
                kind: lambda a=app, q=query: a.residents.search(q, limit=50)
                for kind, app in apps.items()
            }
            for query in QUERIES
        }
        tasks["report (a year)"] = {
            kind: lambda s=service: s.compute(PERIOD) for kind, service in reports.items()
        }
        tasks["report, one station"] = {
            kind: lambda s=service: s.compute(PERIOD, one_station)
            for kind, service in reports.items()
        }
        load_before = os.getloadavg()
        times = _interleaved(tasks, REPEAT)
        load_after = os.getloadavg()
        # Apart from "data received until": the encrypted copy's administrator got a staff
        # row when the copy was made, a change of that day the plain file does not have.
        figures = {
            kind: {
                key: value
                for key, value in reports[kind].compute(PERIOD).to_json().items()
                if key != "data_received_until"
            }
            for kind in ("plain", "encrypted")
        }
        same = figures["plain"] == figures["encrypted"]
    finally:
        for app in apps.values():
            app.close()
    print(
        f"{RESIDENTS:,} residents ({plain.database.stat().st_size / 1e6:.0f} MB); median of "
        f"{REPEAT} rounds, the three stores interleaved, warm; load average "
        f"{load_before[0]:.1f} before, {load_after[0]:.1f} after (2 cores)"
    )
    print(f"{'':<22}{'--------- wall ms ---------------':>35}{'------ CPU ms ----------':>25}")
    print(
        f"{'':<22}{'plain':>9}{'3.53':>9}{'encrypted':>10}{'ratio':>7}"
        f"{'plain':>9}{'encr.':>9}{'ratio':>7}"
    )
    for query in QUERIES:
        print(_row(query, times[query]))
    searches = {
        store: _Times(
            wall=[sum(col) for col in zip(*(times[q][store].wall for q in QUERIES), strict=True)],
            cpu=[sum(col) for col in zip(*(times[q][store].cpu for q in QUERIES), strict=True)],
        )
        for store in apps
    }
    print(_row(f"all queries ({len(QUERIES)})", searches))
    print(_row("report (a year)", times["report (a year)"]))
    print(_row("report, one station", times["report, one station"]))
    print(
        "ratio: encrypted / plain (the system's SQLite 3.40); 3.53: the plain file through "
        "SQLCipher's SQLite without a key"
    )
    print("the two reports' figures are " + ("the same" if same else "DIFFERENT"))
    shutil.rmtree(Path(folder.root), ignore_errors=True)


if __name__ == "__main__":
    run()
