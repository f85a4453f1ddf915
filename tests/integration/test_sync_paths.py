"""The two ways a received bundle is written give the same store: from the entries its
checking reading kept (a bundle of a few MB), or read a second time from the file (a
large one), whatever the batch and merge-chunk sizes (an edit merged in a later chunk
than its record's insert)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from station_desktop.app import Application
from station_desktop.services import sync as sync_service
from station_desktop.store import audit
from station_desktop.store.models import ResidentSearch, ResidentSearchKey, table_of
from tests.syncing import VILLAGE, enrol, installation, replicated_state

NAMES = ["扎西", "卓玛", "次仁卓玛", "ཚེ་རིང་", "བཀྲ་ཤིས་", "王小明"]


@contextmanager
def _read_twice(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Receive as a large bundle is received: nothing kept from the checking reading,
    tiny write batches and merge chunks."""
    with monkeypatch.context() as patch:
        patch.setattr(sync_service, "KEEP_BYTES", 0)
        patch.setattr(sync_service, "BATCH", 3)
        patch.setattr(sync_service, "MERGE_CHUNK", 2)
        yield


def _search_rows(app: Application) -> list[Any]:
    with app.ctx.db.read() as session:
        rows = [
            sorted(map(tuple, session.execute(select(table_of(model))).all()), key=repr)
            for model in (ResidentSearch, ResidentSearchKey)
        ]
    return rows


def _whole(app: Application) -> None:
    with app.ctx.db.read() as session:
        result = audit.verify(session)
    assert result.whole, [p.english() for p in result.problems]


def _work(
    head: Application, worker: Application, to: list[str], folder: Path, steps: list[int]
) -> list[Path]:
    """Registrations, edits far from their inserts, visits, a withdrawal and a conflict
    made on two laptops; the bundles they send (head's, then worker's)."""
    area = head.stations.area_by_code(VILLAGE)
    assert area is not None
    staff = head.stations.add_staff("", "卓玛", "social_worker")
    people: list[uuid.UUID] = []
    for step, choice in enumerate(steps):
        kind = choice % 4
        if kind == 0 or not people:
            people.append(
                head.residents.register(
                    {
                        "name_zh": NAMES[choice % len(NAMES)],
                        "legal_basis": "statutory_duty",
                        "area_id": area.id,
                        "phone": f"1380013{step:04d}",
                    }
                )
            )
        elif kind == 1:
            head.residents.update(people[choice % len(people)], {"phone": f"1390013{step:04d}"})
        elif kind == 2:
            head.visits.record(
                {
                    "resident_id": people[choice % len(people)],
                    "visit_date": "2026-05-01",
                    "visitor_ids": [staff],
                    "outcome": "at_home",
                    "purpose": "routine",
                }
            )
        else:
            head.residents.update(people[choice % len(people)], {"name_zh": "改过的名字"})
    # The worker gets everything, then both edit the first person: a conflict.
    bundle = folder / "head-to-worker.sdbundle"
    head.sync.export(bundle, to=[worker.sync.card().fingerprint])
    [report] = worker.sync.import_bundles([bundle])
    assert report.refusal is None
    head.residents.update(people[0], {"phone": "13800000001"})
    worker.residents.update(people[0], {"phone": "13800000002"})
    head.residents.delete(people[-1])
    sent = []
    for app, name in ((head, "head"), (worker, "worker")):
        path = folder / f"{name}.sdbundle"
        app.sync.export(path, full=True, to=to)
        sent.append(path)
    return sent


def _receive(
    app: Application, paths: list[Path], monkeypatch: pytest.MonkeyPatch
) -> tuple[list[tuple[int, int, int, int]], int]:
    """What the reports say, and how many times the files were read."""
    readings = 0
    read_bundle = sync_service.read_bundle

    def counted(*args: Any) -> Any:
        nonlocal readings
        readings += 1
        return read_bundle(*args)

    with monkeypatch.context() as patch:
        patch.setattr(sync_service, "read_bundle", counted)
        reports = app.sync.import_bundles(paths)
    assert all(r.refusal is None for r in reports), [r.refusal for r in reports]
    return [(r.entries, r.new_entries, r.new_records, r.conflicts) for r in reports], readings


def _exchange(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    steps: list[int],
    database: str | None = None,
) -> None:
    head = installation(tmp_path / "head")
    worker = installation(tmp_path / "worker")
    kept = installation(tmp_path / "kept", bureau=True)
    again = installation(tmp_path / "again", bureau=True, database_url=database)
    enrol(head, worker, kept, again)
    try:
        to = [kept.sync.card().fingerprint, again.sync.card().fingerprint]
        paths = _work(head, worker, to, tmp_path, steps)
        kept_reports, kept_readings = _receive(kept, paths, monkeypatch)
        with _read_twice(monkeypatch):
            again_reports, again_readings = _receive(again, paths, monkeypatch)
        assert (kept_readings, again_readings) == (len(paths), 2 * len(paths))
        assert kept_reports == again_reports
        assert replicated_state(kept) == replicated_state(again)
        assert _search_rows(kept) == _search_rows(again)
        assert kept.sync.conflicts() and len(kept.sync.conflicts()) == len(again.sync.conflicts())
        for app in (kept, again):
            _whole(app)
            # Twice changes nothing.
            assert [r.status for r in app.sync.import_bundles(paths)] == ["already received"] * 2
    finally:
        for app in (head, worker, kept, again):
            app.close()


@pytest.mark.both_engines
def test_kept_entries_and_a_second_reading_give_the_same_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database: str | None
) -> None:
    _exchange(tmp_path, monkeypatch, [0, 0, 0, 1, 2, 3, 0, 1, 1, 2, 0, 2, 3, 1], database)


@pytest.mark.slow
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(steps=st.lists(st.integers(min_value=0, max_value=23), min_size=1, max_size=14))
def test_any_work_is_written_the_same_either_way(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch, steps: list[int]
) -> None:
    _exchange(tmp_path_factory.mktemp("paths"), monkeypatch, steps)
