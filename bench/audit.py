"""What the audit chain costs: ordinary saves, a bulk insert, receiving a bundle, and
`audit verify`.

Each write is measured twice in the same run, alternating: with the chain (as shipped) and
with `chain_changes` replaced by a no-op (the floor: the same write without its audit
links). Saves are single registrations through `ResidentService.register` (one user action,
one transaction each); the bulk insert is one `insert_many` of residents (what a roster
import does); the bundle is a full bundle of a station laptop's changes received by a new
laptop (decrypt, check, insert, chain, merge).
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.data import bench_clock
from station_desktop.app import Application, open_application
from station_desktop.paths import DataPaths
from station_desktop.store import audit, changes
from station_desktop.store.models import Resident
from station_desktop.store.reference_seed import SeedArea, SeedStation, seed_reference

SAVES = 300
BULK = 10_000
BUNDLE_RESIDENTS = 5_000  # registered, then each edited once: 10,000 changes
REPEAT = 5
STATION = "540199001"
STATIONS = [SeedStation(STATION, "township", "", "测试乡")]
AREAS = [SeedArea(f"{STATION}001", STATION, "village", "", "一村")]


@contextmanager
def _chain(on: bool) -> Iterator[None]:
    """The chain as shipped, or its links left out (the floor)."""
    if on:
        yield
        return
    original = audit.chain_changes

    def nothing(*_args: Any, **_kwargs: Any) -> None:
        return None

    changes.chain_changes = nothing  # type: ignore[assignment]
    audit.chain_changes = nothing  # type: ignore[assignment]
    try:
        yield
    finally:
        changes.chain_changes = original
        audit.chain_changes = original


def _laptop(root: Path) -> Application:
    app = open_application(DataPaths(root), clock=bench_clock)
    with app.ctx.db.write_session() as session:
        seed_reference(session, STATIONS, AREAS)
    app.stations.use_station(STATION)
    return app


def _timed(action: Callable[[], object]) -> float:
    """The processor time the action took (this process): on a machine shared with other
    work, the wall clock mostly measures the others; the disk's own waits (fsync) are left
    out of both sides alike."""
    started = time.process_time()
    action()
    return time.process_time() - started


def _saves(folder: Path, on: bool) -> list[float]:
    with _laptop(folder) as app, _chain(on):
        return [
            _timed(
                lambda n=n: app.residents.register(
                    {"name_zh": f"居民{n}", "legal_basis": "statutory_duty", "phone": "13800138000"}
                )
            )
            for n in range(SAVES)
        ]


def _bulk(folder: Path, on: bool) -> float:
    with _laptop(folder) as app, _chain(on):
        rows = [{"name_zh": f"居民{n}", "legal_basis": "statutory_duty"} for n in range(BULK)]

        def insert() -> None:
            with app.ctx.uow() as uow:
                uow.insert_many(Resident, rows)

        return _timed(insert)


def _bundle(folder: Path) -> tuple[Path, Path]:
    """A station laptop's full bundle for a new laptop, and that new laptop (pristine)."""
    source = _laptop(folder / "source")
    target = _laptop(folder / "target")
    source.sync.trust(target.sync.card())
    target.sync.trust(source.sync.card())
    with source.ctx.uow() as uow:
        ids = uow.insert_many(
            Resident,
            [
                {"name_zh": f"居民{n}", "legal_basis": "statutory_duty"}
                for n in range(BUNDLE_RESIDENTS)
            ],
        )
        for record_id in ids:
            uow.update(Resident, record_id, {"phone": "13800138000"})
    path = folder / "full.sdbundle"
    source.sync.export(path, full=True, to=[target.sync.card().fingerprint])
    source.close()
    target.close()
    return path, folder / "target"


def _receive(bundle: Path, pristine: Path, folder: Path, on: bool) -> float:
    shutil.copytree(pristine, folder)
    with open_application(DataPaths(folder), clock=bench_clock) as app, _chain(on):
        return _timed(lambda: app.sync.import_bundles([bundle]))


def _verify(folder: Path) -> tuple[float, float, int]:
    with open_application(DataPaths(folder), clock=bench_clock) as app:
        quick = _timed(lambda: app.audit.verify(records=False))
        started = time.process_time()
        result = app.audit.verify()
        full = time.process_time() - started
        assert result.whole, [p.english() for p in result.problems]
        return quick, full, result.links


def run() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-audit-") as temp:
        root = Path(temp)
        saves: dict[bool, list[float]] = {True: [], False: []}
        bulk: dict[bool, list[float]] = {True: [], False: []}
        for number in range(REPEAT):
            for on in (False, True):
                saves[on] += _saves(root / f"saves-{on}-{number}", on)
                bulk[on].append(_bulk(root / f"bulk-{on}-{number}", on))
        bundle, pristine = _bundle(root / "bundle")
        receive: dict[bool, list[float]] = {True: [], False: []}
        for number in range(REPEAT):
            for on in (False, True):
                receive[on].append(_receive(bundle, pristine, root / f"receive-{on}-{number}", on))
        quick, full, links = _verify(root / f"receive-True-{REPEAT - 1}")

    def line(label: str, chained: float, floor: float, unit: str = "ms") -> str:
        scale = 1000 if unit == "ms" else 1
        return (
            f"  {label:<44}{chained * scale:8.2f} {unit}  "
            f"(without links {floor * scale:.2f} {unit}, ×{chained / floor:.2f})"
        )

    print(
        f"processor time, median of {REPEAT} runs, chain as shipped vs. the same write "
        "without its links:"
    )
    print(
        line(
            "one registration (one transaction)",
            *(statistics.median(saves[o]) for o in (True, False)),
        )
    )
    print(
        line(
            f"{BULK:,} residents in one insert_many",
            *(statistics.median(bulk[o]) for o in (True, False)),
            "s",
        )
    )
    print(
        line(
            f"receiving a bundle of {2 * BUNDLE_RESIDENTS:,} changes",
            *(statistics.median(receive[o]) for o in (True, False)),
            "s",
        )
    )
    print(
        f"  audit verify of that laptop ({links:,} links): chain and log {quick:.2f} s, "
        f"with every record compared {full:.2f} s"
    )
