"""Resident search at 100,000 residents: time per query through the service, against the
floor of one raw SQL scan of the same search table (sqlite3, no ranking, no ORM)."""

from __future__ import annotations

import sqlite3
import statistics
import time
from collections.abc import Callable

from bench.data import bench_clock, demo_data
from station_desktop.app import open_application
from station_desktop.domain.namekeys import parse_query

RESIDENTS = 100_000
REPEAT = 15
QUERIES = [
    "扎西",
    "卓玛",
    "次仁卓玛",
    "王",
    "ཚེ",
    "བཀྲ་ཤིས",
    "ཚེ་རིང་སྒྲོལ་མ",
    "bkra shis",
    "zhaxi",
    "Tashi",
    "tsering dolma",
    "Pema",
    "5401",
    "1391",
    "zzzz-nobody",
]


def _time(fn: Callable[[], object]) -> tuple[float, float]:
    fn()  # warm caches: the list is searched as the user types, after the first keystroke
    samples = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.9)]


def run() -> None:
    paths, built = demo_data(RESIDENTS)
    if built is not None:
        print(f"built {RESIDENTS:,} residents of demo data in {built:.1f} s")
    raw = sqlite3.connect(f"file:{paths.database}?mode=ro", uri=True)
    with open_application(paths, clock=bench_clock, read_only=True) as app:
        header = ("query", "found", "median ms", "p90 ms", "floor ms", "ratio")
        print("{:<18}{:>7}{:>11}{:>9}{:>10}{:>7}".format(*header))
        medians, floors = [], []
        for query in QUERIES:
            found = len(app.residents.search(query, limit=50))
            median, p90 = _time(lambda q=query: app.residents.search(q, limit=50))
            needle = parse_query(query)[0].text if parse_query(query) else query
            floor, _ = _time(
                lambda n=needle: raw.execute(
                    "SELECT resident_id FROM resident_search WHERE instr(keys, ?) > 0 LIMIT 50",
                    (n,),
                ).fetchall()
            )
            medians.append(median)
            floors.append(floor)
            print(
                f"{query:<18}{found:>7}{median:>11.1f}{p90:>9.1f}{floor:>10.1f}"
                f"{median / max(floor, 0.01):>7.1f}"
            )
        print(
            f"median over queries: {statistics.median(medians):.1f} ms "
            f"(floor {statistics.median(floors):.1f} ms); worst {max(medians):.1f} ms"
        )
    raw.close()
