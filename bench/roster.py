"""A 10,000-row roster imported, from the file to the residents written (read, preview,
commit), on an empty station and again on top of the imported list (which adds nothing),
against the floor of just reading the workbook with openpyxl (`roster.reader`).

The roster is made by the tests' roster maker (merged title rows, blank rows, dates written
three ways, full-width digits, families with a 户主 column), cached in .bench-data/.
Each run starts from a fresh copy of the same empty station.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import time
from pathlib import Path

from bench.data import CACHE, bench_clock
from station_desktop.app import open_application
from station_desktop.domain.codes import AreaKind, StationKind
from station_desktop.paths import DataPaths
from station_desktop.roster.reader import read_sheet
from station_desktop.services.roster_import import ImportChoices, RosterImportService
from station_desktop.services.stations import StationInfo

ROWS = 10_000
REPEAT = 3
VILLAGES = ("冲赛康社区", "鲁固社区", "八廓社区")


def _roster() -> Path:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests import rosters

    path = CACHE / f"roster-{ROWS}.xlsx"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        rosters.write_xlsx(path, rosters.table(rosters.people(ROWS, villages=VILLAGES)))
    return path


def _empty_station() -> DataPaths:
    paths = DataPaths(CACHE / "roster-station")
    if not (paths.root / "complete").exists():
        shutil.rmtree(paths.root, ignore_errors=True)
        with open_application(paths, clock=bench_clock) as app:
            app.stations.add_station(
                StationInfo("CG-BK", StationKind.STREET_OFFICE, "བར་སྐོར།", "八廓街道")
            )
            app.stations.use_station("CG-BK")
            for number, name in enumerate(VILLAGES, start=1):
                app.stations.add_area(f"CG-BK-0{number}", AreaKind.COMMUNITY, "", name)
        (paths.root / "complete").write_text("\n")
    return paths


def _one_run(template: DataPaths, path: Path, number: int) -> dict[str, float]:
    work = CACHE / f"roster-run-{number}"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(template.root, work)
    times: dict[str, float] = {}
    with open_application(DataPaths(work), clock=bench_clock) as app:
        service = RosterImportService(app.ctx)
        started = time.perf_counter()
        source = service.read(path)
        times["read"] = time.perf_counter() - started
        started = time.perf_counter()
        preview = service.preview(source, ImportChoices(source.mapping))
        times["preview"] = time.perf_counter() - started
        started = time.perf_counter()
        result = service.commit(preview)
        times["commit"] = time.perf_counter() - started
        assert result.added == ROWS, result
        started = time.perf_counter()
        again = service.read(path)
        second = service.preview(again, ImportChoices(again.mapping))
        times["again"] = time.perf_counter() - started
        assert not second.writes_anything
    shutil.rmtree(work, ignore_errors=True)
    times["total"] = times["read"] + times["preview"] + times["commit"]
    return times


def run() -> None:
    path = _roster()
    template = _empty_station()
    floors = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        read_sheet(path)
        floors.append(time.perf_counter() - started)
    floor = statistics.median(floors)
    runs = [_one_run(template, path, number) for number in range(REPEAT)]
    median = {name: statistics.median(r[name] for r in runs) for name in runs[0]}
    size = path.stat().st_size / 1024
    print(f"{ROWS:,}-row roster (.xlsx, {size:.0f} kB), median of {REPEAT}:")
    print(f"  floor: reading the workbook alone     {floor:6.2f} s")
    print(f"  read (headings, columns, mapping)     {median['read']:6.2f} s")
    print(f"  preview (every row cleaned, checked)  {median['preview']:6.2f} s")
    print(f"  commit (one transaction, indexed)     {median['commit']:6.2f} s")
    ratio = median["total"] / floor
    print(f"  imported, file to residents           {median['total']:6.2f} s  (floor ×{ratio:.1f})")
    print(f"  the same file again (adds nothing)    {median['again']:6.2f} s")
