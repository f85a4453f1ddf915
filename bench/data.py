"""Benchmark data: demo data sets made by the same generator as `station-desktop demo`,
built once and cached under .bench-data/ (delete the folder to rebuild)."""

from __future__ import annotations

import os
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

from station_desktop.app import open_application
from station_desktop.demo.generator import DemoSize, generate_demo
from station_desktop.paths import DataPaths

# STATION_DESKTOP_BENCH_CACHE puts it elsewhere (the bureau's data sets are tens of GB).
CACHE = Path(
    os.environ.get("STATION_DESKTOP_BENCH_CACHE")
    or Path(__file__).resolve().parents[1] / ".bench-data"
)
# A fixed clock: the same data set every time, whatever the date of the run.
BENCH_NOW = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def bench_clock() -> datetime:
    return BENCH_NOW


def demo_data(residents: int, seed: int = 1) -> tuple[DataPaths, float | None]:
    """The cached data set and, when it had to be built now, how long that took."""
    paths = DataPaths(CACHE / f"demo-{residents}-{seed}")
    done = paths.root / "complete"
    if done.exists():
        # A cache made by an older version: bring its schema up to date (the benchmarks
        # open it read-only, which refuses to migrate).
        with open_application(paths, clock=bench_clock, check_integrity=False):
            pass
        return paths, None
    shutil.rmtree(paths.root, ignore_errors=True)
    started = time.perf_counter()
    with open_application(paths, clock=bench_clock) as app:
        generate_demo(
            app,
            DemoSize(residents=residents),
            seed=seed,
            progress=lambda text: print(f"  building: {text}", end="\r", flush=True),
        )
    elapsed = time.perf_counter() - started
    print()
    done.write_text(f"{elapsed:.1f}\n")
    return paths, elapsed
