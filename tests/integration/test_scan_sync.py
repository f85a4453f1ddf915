"""Scanned sheets travel like typed ones (issue 17 with USB sync): what one laptop of a
station entered from a pile, with the images of its handwriting, arrives on the other, which
then knows the pile as entered; a printed sign-in list arrives with its names."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from station_desktop.app import Application
from station_desktop.scan.reader import Refusal
from station_desktop.store.models import FeedbackSheet, ScannedPage
from tests.scans import make_pile
from tests.syncing import VILLAGE, enrol, installation, send


@pytest.fixture
def two_laptops(tmp_path: Path) -> Iterator[tuple[Application, Application]]:
    head = installation(tmp_path / "head")
    worker = installation(tmp_path / "worker")
    enrol(head, worker)
    yield head, worker
    head.close()
    worker.close()


def _count(app: Application, model: type) -> int:
    with app.ctx.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_scanned_pile_arrives_on_the_stations_other_laptop_and_is_not_entered_there(
    two_laptops: tuple[Application, Application], tmp_path: Path
) -> None:
    head, worker = two_laptops
    area = head.stations.area_by_code(VILLAGE)
    assert area is not None
    resident = head.residents.register(
        {"name_zh": "扎西", "legal_basis": "statutory_duty", "area_id": area.id}
    )
    activity = head.activities.record(
        {"kind": "group_work", "title": "茶话会", "held_on": "2026-05-30"}
    )
    list_id = head.activities.prepare_sign_in_list(activity, [resident])
    folder = tmp_path / "pile"
    folder.mkdir()
    truth = make_pile(head.printing, folder, scanner=2, phone=0, first=301, scale=10.0)
    values = head.scanning.pile_values(
        {"service_date": "2026-05-30", "service_area": "elderly_care"}
    )
    pile = head.scanning.read(truth.files, values)
    for sheet, question in pile.review():
        code = sheet.code
        assert code is not None
        meant = truth.pages[(code.sheet, code.page)].answers.get(question.key, ())
        head.scanning.settle(pile, sheet, question.key, () if meant == ("?",) else meant)
    saved = head.scanning.save(pile)
    assert saved.sheets == 2

    send(head, worker, tmp_path)
    assert _count(worker, FeedbackSheet) == 2
    assert _count(worker, ScannedPage) == 4
    kept = []
    for app in (head, worker):  # the handwriting's images arrive as they were kept
        with app.ctx.db.read() as session:
            pages = session.scalars(select(ScannedPage))
            kept.append({p.id: (p.images, p.measures) for p in pages})
    assert kept[1] == kept[0]
    printed = worker.activities.sign_in_list(list_id)
    assert printed is not None and printed.resident_ids == (resident,)
    again = worker.scanning.read(truth.files, worker.scanning.pile_values({}))
    assert {s.refusal for s in again.sheets} == {Refusal.ALREADY_ENTERED}
    assert worker.scanning.save(again).sheets == 0
    assert _count(worker, FeedbackSheet) == 2
