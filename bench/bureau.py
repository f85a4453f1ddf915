"""The bureau at scale: station files loaded into PostgreSQL with migrate-to's code, then the
yearly report (every station, one station) and resident search on the server, beside the
same data in one SQLite file, each beside its hand-written SQL floor measured in the same
run (the machine is shared: compare ratios, not absolute times across runs).

Needs a server: STATION_DESKTOP_BENCH_DATABASE_URL (its database is emptied!). A durable,
bureau-sized throw-away one:  STATION_DESKTOP_PG_DURABLE=1 source scripts/ci-postgres.sh
and export STATION_DESKTOP_BENCH_DATABASE_URL="$STATION_DESKTOP_TEST_DATABASE_URL".

The load is kept: a second run on the same server database (same URL, same files) reuses it
and prints the first run's load time; STATION_DESKTOP_BENCH_RELOAD=1 loads again.
STATION_DESKTOP_BENCH_SQLITE=0 leaves out the SQLite side (its merged file of 65 stations is
12 GB and takes about 20 minutes to make).

Scale: STATION_DESKTOP_BENCH_STATIONS files (default 65, at most the 65 bundled stations) of
STATION_DESKTOP_BENCH_RESIDENTS residents each (default 10,000), made by the demo
generator with one seed per file and cached under .bench-data/. Each file is one station's
laptop: file n holds the n-th bundled station alone, with all its residents and records, as
a real station's file does; so a one-station report covers a sixty-fifth of the data.
"""

from __future__ import annotations

import json
import os
import sqlite3
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from contextlib import closing
from datetime import timedelta
from pathlib import Path

from bench.data import BENCH_NOW, CACHE, bench_clock
from bench.report import READ_ONLY
from bench.search import QUERIES
from station_desktop.app import Application, open_application
from station_desktop.demo.generator import DemoSize, generate_demo
from station_desktop.domain.namekeys import parse_query
from station_desktop.paths import DataPaths
from station_desktop.reference.stations import bundled_stations
from station_desktop.services.reports import ReportPeriod
from station_desktop.store.loading import (
    copied_tables,
    load_station_file,
    ready_files,
)
from station_desktop.store.opening import open_store
from station_desktop.store.server import open_server_database

STATIONS = min(int(os.environ.get("STATION_DESKTOP_BENCH_STATIONS", "65")), 65)
RESIDENTS = int(os.environ.get("STATION_DESKTOP_BENCH_RESIDENTS", "10000"))
URL_ENV = "STATION_DESKTOP_BENCH_DATABASE_URL"
RELOAD = os.environ.get("STATION_DESKTOP_BENCH_RELOAD") == "1"
WITH_SQLITE = os.environ.get("STATION_DESKTOP_BENCH_SQLITE", "1") != "0"
PERIOD = ReportPeriod(BENCH_NOW.date() - timedelta(days=365), BENCH_NOW.date() - timedelta(days=1))
REPORT_REPEAT = 3
SEARCH_REPEAT = 7


def _folder() -> Path:
    # The station files of a smaller run are the first files of a bigger one. (The files
    # of "bureau-x…", which spread each file over the demo's 8 stations, are not reused.)
    return CACHE / f"bureau-stations-x{RESIDENTS}"


def _build_station(index: int) -> float:
    paths = DataPaths(_folder() / f"station-{index:02d}")
    done = paths.root / "complete"
    if done.exists():
        return 0.0
    started = time.perf_counter()
    station = bundled_stations().stations[index].code
    with open_application(paths, clock=bench_clock) as app:
        generate_demo(app, DemoSize(residents=RESIDENTS, station=station), seed=1000 + index)
    done.write_text("ok\n")
    return time.perf_counter() - started


def station_files() -> list[Path]:
    """The station files, made when missing (two at a time: the machine has two cores)."""
    missing = [i for i in range(STATIONS) if not (_folder() / f"station-{i:02d}/complete").exists()]
    if missing:
        print(f"making {len(missing)} station files of {RESIDENTS:,} residents …", flush=True)
        started = time.perf_counter()
        with ProcessPoolExecutor(max_workers=2) as pool:
            for number, _seconds in enumerate(pool.map(_build_station, missing), 1):
                print(f"  {number}/{len(missing)}", end="\r", flush=True)
        print(f"made in {time.perf_counter() - started:.0f} s")
    return [_folder() / f"station-{i:02d}" / "station.sqlite3" for i in range(STATIONS)]


def sqlite_bureau(files: list[Path]) -> tuple[Path, float]:
    """One SQLite file holding every station file (the same data as the server)."""
    paths = DataPaths(_folder() / f"bureau-sqlite-{len(files)}")
    done = paths.root / "complete"
    if done.exists():
        return paths.database, float(done.read_text())
    started = time.perf_counter()
    with open_store(paths):
        pass
    connection = sqlite3.connect(paths.database, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    for file in files:
        connection.execute("ATTACH DATABASE ? AS src", (f"file:{file}?mode=ro",))
        connection.execute("BEGIN")
        for table in copied_tables():
            name = f'"{table.name}"'
            connection.execute(f"INSERT OR IGNORE INTO main.{name} SELECT * FROM src.{name}")
        connection.execute("COMMIT")
        connection.execute("DETACH DATABASE src")
    connection.execute("ANALYZE")
    connection.close()
    elapsed = time.perf_counter() - started
    done.write_text(f"{elapsed:.1f}\n")
    return paths.database, elapsed


def _resident_count(url: str) -> int:
    from sqlalchemy import text

    from station_desktop.store.engine import create_store_engine

    engine = create_store_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(text("SELECT count(*) FROM resident")).scalar_one())
    finally:
        engine.dispose()


def load_server(files: list[Path], url: str) -> tuple[float, int]:
    """migrate-to's code, every file into the emptied server database: seconds, rows. A
    finished load of the same files into the same database is reused (its figures kept)."""
    marker = _folder() / f"server-load-{len(files)}.json"
    if marker.exists() and not RELOAD:
        kept = json.loads(marker.read_text())
        if kept["url"] == url and _resident_count(url) == kept["residents"]:
            print("reusing the server's load of an earlier run")
            return float(kept["seconds"]), int(kept["rows"])
    marker.unlink(missing_ok=True)
    seconds, rows = _load_server(files, url)
    kept = {"url": url, "seconds": seconds, "rows": rows, "residents": _resident_count(url)}
    marker.write_text(json.dumps(kept))
    return seconds, rows


def _load_server(files: list[Path], url: str) -> tuple[float, int]:
    from tests.conftest import empty_server_database

    target, _migrated, _identity = open_server_database(url)
    empty_server_database(url)
    rows = 0
    started = time.perf_counter()
    try:
        # As migrate-to does: the next file checked (and upgraded) while one loads.
        with closing(ready_files([(file, None) for file in files])) as ready:
            for number, station in enumerate(ready, 1):
                try:
                    loaded = load_station_file(station.readable, target, origin=station.path)
                finally:
                    station.close()
                rows += loaded.rows_copied
                elapsed = time.perf_counter() - started
                print(f"  loaded {number}/{len(files)}: {rows:,} rows, {elapsed:.0f} s", end="\r")
        seconds = time.perf_counter() - started
        with target.engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
            connection.commit()
    finally:
        target.dispose()
    print()
    return seconds, rows


def _median_ms(fn: Callable[[], object], repeat: int) -> float:
    fn()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def _floors(app: Application) -> tuple[Callable[[], object], Callable[[str], object]]:
    """The hand-written SQL on the application's own connection: reading the period's rows
    (no figures), and the unranked LIMIT 50 scan of the search table."""
    dates = {"start": PERIOD.start, "end": PERIOD.end}
    db = app.ctx.db
    contains = "strpos(keys, :needle) > 0" if db.is_server else "instr(keys, :needle) > 0"
    from sqlalchemy import text

    read = text(READ_ONLY)
    scan = text(f"SELECT resident_id FROM resident_search WHERE {contains} LIMIT 50")

    def report_floor() -> object:
        with db.read() as session:
            return session.execute(read, dates).all()

    def search_floor(needle: str) -> object:
        with db.read() as session:
            return session.execute(scan, {"needle": needle}).all()

    return report_floor, search_floor


def measure(app: Application) -> dict[str, float]:
    figures: dict[str, float] = {}
    service = app.reports
    one = [app.stations.stations()[0].code]
    report_floor, search_floor = _floors(app)
    figures["report, every station"] = _median_ms(lambda: service.compute(PERIOD), REPORT_REPEAT)
    figures["report, one station"] = _median_ms(lambda: service.compute(PERIOD, one), REPORT_REPEAT)
    figures["floor: reading the period's rows"] = _median_ms(report_floor, REPORT_REPEAT)
    searches, floors = [], []
    for query in QUERIES:
        search = lambda q=query: app.residents.search(q, limit=50)  # noqa: E731
        searches.append(_median_ms(search, SEARCH_REPEAT))
        needle = parse_query(query)[0].text if parse_query(query) else query
        floors.append(_median_ms(lambda n=needle: search_floor(n), SEARCH_REPEAT))
    figures["search, median of the queries"] = statistics.median(searches)
    figures["search, slowest query"] = max(searches)
    figures["floor: search scan, median"] = statistics.median(floors)
    return figures


def _figures(app: Application) -> str:
    """The yearly report's figures, as text that compares whole."""
    return json.dumps(app.reports.compute(PERIOD).to_json(), sort_keys=True, ensure_ascii=False)


def run() -> None:
    url = os.environ.get(URL_ENV)
    if not url:
        print(f"needs a PostgreSQL server: set {URL_ENV} (see this module's note)")
        return
    files = station_files()
    load_seconds, rows = load_server(files, url)
    print(
        f"migrate-to of {len(files)} files: {rows:,} rows in {load_seconds:.0f} s "
        f"({rows / load_seconds:,.0f} rows/s)"
    )
    results: dict[str, dict[str, float]] = {}
    reports: dict[str, str] = {}
    with open_application(
        DataPaths(_folder() / f"bureau-laptop-{len(files)}"),
        clock=bench_clock,
        read_only=True,
        database_url=url,
    ) as server:
        counts = server.listing.counts()
        print(f"{counts['residents']:,} residents; {sum(counts.values()):,} records in all")
        reports["PostgreSQL"] = _figures(server)
        results["PostgreSQL"] = measure(server)
    if WITH_SQLITE:
        sqlite_file, merge_seconds = sqlite_bureau(files)
        print(f"one SQLite file of all {len(files)} station files: {merge_seconds:.0f} s (ATTACH)")
        with open_application(
            DataPaths(sqlite_file.parent), clock=bench_clock, read_only=True
        ) as local:
            reports["SQLite"] = _figures(local)
            results["SQLite"] = measure(local)
        print("report figures identical on both engines:", len(set(reports.values())) == 1)
    # Kept for comparing the figures of two versions of the report code at this scale.
    for engine, text in reports.items():
        (_folder() / f"report-{engine}-{len(files)}.json").write_text(text)
    engines = list(results)
    print(f"{'':<36}" + "".join(f"{engine:>11}" for engine in engines) + "   (median ms)")
    for name in results[engines[0]]:
        print(f"{name:<36}" + "".join(f"{results[e][name]:>11.0f}" for e in engines))
    for engine, figures in results.items():
        every = figures["report, every station"] / figures["floor: reading the period's rows"]
        print(f"{engine}: report / reading the rows {every:.1f}")
