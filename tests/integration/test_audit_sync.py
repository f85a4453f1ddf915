"""The audit trail across laptops: merged records still match their log, bundles are
recorded, and a sender whose trail lost its tail is found by the receiver."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from station_desktop.app import Application
from station_desktop.store import audit
from station_desktop.store.models import AuditAnchor, AuditEvent
from tests.syncing import VILLAGE, enrol, installation, send


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[Application, Application]]:
    head = installation(tmp_path / "head")
    worker = installation(tmp_path / "worker")
    enrol(head, worker)
    yield head, worker
    for app in (head, worker):
        app.close()


def _resident(app: Application, name: str, **values: object) -> uuid.UUID:
    area = app.stations.area_by_code(VILLAGE)
    assert area is not None
    return app.residents.register(
        {"name_zh": name, "legal_basis": "statutory_duty", "area_id": area.id, **values}
    )


def _whole(app: Application) -> bool:
    with app.ctx.db.read() as session:
        result = audit.verify(session)
    assert result.whole, [p.english() for p in result.problems]
    return True


def _actions(app: Application) -> list[str]:
    with app.ctx.db.read() as session:
        return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))


def test_merged_and_conflicting_records_still_match_their_log(
    pair: tuple[Application, Application], tmp_path: Path
) -> None:
    head, worker = pair
    resident = _resident(head, "扎西", phone="13800138000")
    send(head, worker, tmp_path)
    head.residents.update(resident, {"phone": "13900139000"})
    worker.residents.update(resident, {"phone": "13700137000", "name_bo": "བཀྲ་ཤིས།"})
    send(head, worker, tmp_path)
    send(worker, head, tmp_path)
    assert head.sync.conflicts()  # a conflict held, provisional value shown
    assert _whole(head) and _whole(worker)
    [conflict] = worker.sync.conflicts()
    worker.sync.resolve(conflict.id, keep=conflict.values[0].change_id)
    send(worker, head, tmp_path)
    assert _whole(head) and _whole(worker)
    assert audit.EXPORT in _actions(head) and audit.IMPORT in _actions(worker)


@pytest.mark.parametrize("writes_after", [0, 40])
def test_a_sender_whose_trail_lost_its_tail_is_found_by_the_receiver(
    pair: tuple[Application, Application], tmp_path: Path, writes_after: int
) -> None:
    head, worker = pair
    for number in range(5):
        _resident(head, f"居民{number}")
    send(head, worker, tmp_path)  # the worker now holds the head's chain head
    with worker.ctx.db.read() as session:
        anchored = session.scalars(select(AuditAnchor.seq)).one()
    with head.ctx.db.engine.begin() as connection:  # someone with the sqlite3 tool
        connection.exec_driver_sql("DROP TRIGGER audit_event_no_delete")
        connection.exec_driver_sql(f"DELETE FROM audit_event WHERE seq > {anchored - 3}")
        connection.exec_driver_sql(audit.GUARDS_SQLITE["audit_event"][1])
    for number in range(writes_after):
        _resident(head, f"新居民{number}")
    _path, report = send(head, worker, tmp_path)
    assert report.audit_warning is not None
    assert report.audit_warning.params["seq"] == anchored
    assert audit.PEER_CHAIN_BROKEN in _actions(worker)
    with head.ctx.db.read() as session:  # the sender finds it too, against what it sent
        messages = {p.message for p in audit.verify(session).problems}
    assert audit.MSG_TAIL_LOST in messages


def test_an_untouched_sender_raises_no_warning(
    pair: tuple[Application, Application], tmp_path: Path
) -> None:
    head, worker = pair
    for round_ in range(3):
        _resident(head, f"居民{round_}")
        _path, report = send(head, worker, tmp_path)
        assert report.audit_warning is None
    assert _whole(head) and _whole(worker)
