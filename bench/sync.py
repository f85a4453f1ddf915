"""USB sync at bureau scale: 65 stations' bundles of 10,000 changes each received by the
bureau, received again, one station's 10,000 changes exported, and the memory used while
receiving a bundle of about 100 MB.

Each station's changes are made directly as change-log entries (3,000 residents
registered with names as the demo makes them, 1,000 of them edited, 6,000 home visits),
signed by that station's own keys
and encrypted to the bureau, as real bundles; they are cached in .bench-data/. The floor
is a plain insert-or-ignore of the same rows into the change log in one transaction (what
any import must at least do), measured in the same run.
"""

from __future__ import annotations

import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.data import CACHE, bench_clock
from station_desktop.app import Application, open_application
from station_desktop.demo.names import tibetan_name
from station_desktop.domain.codes import Sex
from station_desktop.paths import DataPaths
from station_desktop.store.reference_seed import (
    SeedArea,
    SeedStation,
    reference_id,
    seed_reference,
)
from station_desktop.sync import ledger
from station_desktop.sync.bundle import write_bundle
from station_desktop.sync.keys import InstallationKeys, KeyCard

STATIONS = 65
RESIDENTS = 3_000
EDITS = 1_000
VISITS = 6_000  # 10,000 changes a station
# About 100 MB of bundle: residents with a page of notes each (what a station's whole
# history sent to a new laptop or to the bureau weighs).
BIG_RESIDENTS = 45_000
BIG_NOTE_CHARACTERS = 4_000
FOLDER = CACHE / "sync-v4"


def _codes() -> list[str]:
    return [f"5401990{n:02d}" for n in range(1, STATIONS + 1)]


STATION_LIST = [SeedStation(code, "township", "", f"测试乡{code[-2:]}") for code in _codes()]
AREA_LIST = [SeedArea(f"{code}001", code, "village", "", "一村") for code in _codes()]


def _installation(root: Path, *, bureau: bool = False) -> Application:
    app = open_application(DataPaths(root), clock=bench_clock)
    with app.ctx.db.write_session() as session:
        seed_reference(session, STATION_LIST, AREA_LIST)
    if bureau:
        app.sync.set_role("bureau")
    return app


def _notes(rng: random.Random, characters: int) -> str:
    if not characters:
        return ""
    syllables = ("ཁང་", "པ་", "ནང་", "མི་", "གསུམ་", "ཡོད། ", "家", "庭", "困", "难", "，", "。")
    return "".join(rng.choice(syllables) for _ in range(characters // 2))


def _entries(
    code: str, device: uuid.UUID, residents: int, edits: int, visits: int, notes: int = 0
) -> Iterator[dict[str, Any]]:
    """A station's day of work as change-log entries (what its laptops would write)."""
    station = str(reference_id("station", code))
    area = str(reference_id("area", f"{code}001"))
    seq = 0
    hlc = 1_900_000_000_000 << 16
    people: list[str] = []

    def entry(
        entity: str, record: str, op: str, fields: dict[str, Any], parents: list[str]
    ) -> dict[str, Any]:
        nonlocal seq, hlc
        seq += 1
        hlc += 1
        return {
            "d": str(device),
            "s": seq,
            "h": hlc,
            "w": "2026-10-01T08:00:00+00:00",
            "t": station,
            "a": None,
            "c": str(uuid.uuid4()),
            "e": entity,
            "r": record,
            "o": op,
            "f": fields,
            "p": parents,
            "v": 1,
        }

    inserts: dict[str, str] = {}
    # Names as the demo makes them: as in life, many people share a name.
    rng = random.Random(code)
    names = [tibetan_name(rng, rng.choice((Sex.MALE, Sex.FEMALE))) for _ in range(residents)]
    for n in range(residents):
        record = str(uuid.uuid4())
        people.append(record)
        made = entry(
            "resident",
            record,
            "insert",
            {
                "name_zh": names[n].zh,
                "name_bo": names[n].bo,
                "legal_basis": "statutory_duty",
                "area_id": area,
                "station_id": station,
                "phone": "13800138000",
                "notes": _notes(rng, notes),
            },
            [],
        )
        inserts[record] = f"{device}:{made['s']}"
        yield made
    for n in range(edits):
        record = people[n % len(people)]
        yield entry("resident", record, "update", {"phone": "13900139000"}, [inserts[record]])
    for n in range(visits):
        yield entry(
            "home_visit",
            str(uuid.uuid4()),
            "insert",
            {
                "resident_id": people[n % len(people)],
                "visit_date": "2026-09-30",
                "outcome": "at_home",
                "purpose": "routine",
                "station_id": station,
                "form_version": 1,
            },
            [],
        )


def _station_bundle(
    code: str, bureau: KeyCard, keys: InstallationKeys, device: uuid.UUID, path: Path, **sizes: int
) -> None:
    card = KeyCard(
        device,
        "station",
        reference_id("station", code),
        code,
        f"laptop {code}",
        keys.signing_key,
        keys.age_recipient,
    )
    lines = (
        json.dumps(e, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
        for e in _entries(code, device, **sizes)
    )
    manifest = {
        "format": 1,
        "bundle_id": str(uuid.uuid4()),
        "bundle_seq": 1,
        "created_at": "2026-10-01T09:00:00+00:00",
        "app_version": "bench",
        "schema_revision": "0002",
        "entry_schema": 1,
        "signer": card.to_json(),
        "recipients": [bureau.signing_key],
        "holdings": ledger.to_json({}),
        "installations": [],
        "counts": {},
    }
    write_bundle(path, manifest, lines, keys, [bureau.age_recipient])


def _prepared() -> tuple[Path, list[Path], Path]:
    """The bureau (with every station's laptop trusted) and the bundles, made once."""
    done = FOLDER / "complete"
    bureau_root = FOLDER / "bureau"
    bundles = [FOLDER / f"station-{code}.sdbundle" for code in _codes()]
    big = FOLDER / "big.sdbundle"
    if done.exists():
        return bureau_root, bundles, big
    shutil.rmtree(FOLDER, ignore_errors=True)
    FOLDER.mkdir(parents=True)
    print("  building the bureau and 65 bundles (once) ...", flush=True)
    with _installation(bureau_root, bureau=True) as bureau:
        card = bureau.sync.card()
        for code, path in zip(_codes(), bundles, strict=True):
            keys = InstallationKeys.generate()
            device = uuid.uuid4()
            _station_bundle(
                code, card, keys, device, path, residents=RESIDENTS, edits=EDITS, visits=VISITS
            )
            bureau.sync.trust(
                KeyCard(
                    device,
                    "station",
                    reference_id("station", code),
                    code,
                    f"laptop {code}",
                    keys.signing_key,
                    keys.age_recipient,
                )
            )
        keys = InstallationKeys.generate()
        device = uuid.uuid4()
        _station_bundle(
            _codes()[0],
            card,
            keys,
            device,
            big,
            residents=BIG_RESIDENTS,
            edits=0,
            visits=BIG_RESIDENTS,
            notes=BIG_NOTE_CHARACTERS,
        )
        bureau.sync.trust(
            KeyCard(
                device,
                "station",
                reference_id("station", _codes()[0]),
                _codes()[0],
                "big laptop",
                keys.signing_key,
                keys.age_recipient,
            )
        )
    done.write_text("\n")
    return bureau_root, bundles, big


def _fresh(template: Path, name: str) -> Path:
    work = FOLDER / name
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(template, work, ignore=shutil.ignore_patterns("*.lock"))
    return work


def _floor(template: Path, bundles: list[Path]) -> float:
    """Insert-or-ignore of the same log rows, already decrypted and parsed, in one
    transaction: the least an import does."""
    from sqlalchemy import insert

    from station_desktop.store.models import ChangeLogEntry, table_of
    from station_desktop.sync.bundle import read_bundle
    from station_desktop.sync.entries import parse_entry

    work = _fresh(template, "floor")
    rows: list[dict[str, Any]] = []
    with open_application(DataPaths(work), clock=bench_clock) as app:
        identity = app.sync.keys().identity
        for path in bundles:
            read_bundle(
                path,
                identity,
                lambda *_: None,
                lambda line, n: rows.append(parse_entry(line, n).row),
            )
        started = time.perf_counter()
        with app.ctx.db.write_session() as session:
            statement = insert(table_of(ChangeLogEntry)).prefix_with("OR IGNORE")
            for start in range(0, len(rows), 10_000):
                session.execute(statement, rows[start : start + 10_000])
        elapsed = time.perf_counter() - started
    shutil.rmtree(work, ignore_errors=True)
    return elapsed


MEMORY_CHILD = """
import sys, time
from pathlib import Path
from station_desktop.app import open_application
from station_desktop.paths import DataPaths
from bench.data import bench_clock
with open_application(DataPaths(Path(sys.argv[1])), clock=bench_clock) as app:
    started = time.perf_counter()
    [report] = app.sync.import_bundles([Path(sys.argv[2])])
    assert report.refusal is None, report.refusal.english()
    elapsed = time.perf_counter() - started
# VmHWM: the peak of this process's own memory (ru_maxrss would count the parent's at fork).
peak = next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1]
print(report.entries, elapsed, peak)
"""


def run() -> None:
    bureau_root, bundles, big = _prepared()
    floor = _floor(bureau_root, bundles)
    work = _fresh(bureau_root, "run")
    with open_application(DataPaths(work), clock=bench_clock) as bureau:
        started = time.perf_counter()
        reports = bureau.sync.import_bundles(bundles)
        first = time.perf_counter() - started
        assert all(r.refusal is None for r in reports), [r.refusal for r in reports if r.refusal]
        entries = sum(r.entries for r in reports)
        started = time.perf_counter()
        again = bureau.sync.import_bundles(bundles)
        second = time.perf_counter() - started
        assert all(r.status == "already received" for r in again)
        exports = []
        station = bureau.sync.trusted()[0].card.fingerprint
        for number in range(3):
            started = time.perf_counter()
            summary = bureau.sync.export(FOLDER / f"out{number}.sdbundle", full=True, to=[station])
            exports.append(time.perf_counter() - started)
        counts = bureau.listing.counts()
    print(
        f"  received {len(bundles)} bundles, {entries:,} changes: {first:.1f} s "
        f"(floor {floor:.1f} s, ratio {first / floor:.1f}; goal 60 s)"
    )
    print(f"  received them all again: {second:.2f} s (goal 5 s)")
    print(
        f"  export of one station's {summary.entries:,} changes: median "
        f"{statistics.median(exports):.2f} s, {summary.bytes / 1e6:.1f} MB (goal 2 s)"
    )
    print(f"  the bureau now holds {counts['residents']:,} residents, {counts['visits']:,} visits")
    memory_work = _fresh(bureau_root, "memory")
    result = subprocess.run(
        [sys.executable, "-c", MEMORY_CHILD, str(memory_work), str(big)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
    )
    got, seconds, peak_kib = result.stdout.split()
    print(
        f"  a {big.stat().st_size / 1e6:.0f} MB bundle ({int(got):,} changes) received in "
        f"{float(seconds):.0f} s; peak memory {int(peak_kib) / 1024:.0f} MB (goal 300 MB)"
    )
    print(f"  (this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")
    for name in ("run", "memory"):
        shutil.rmtree(FOLDER / name, ignore_errors=True)
