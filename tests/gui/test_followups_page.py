"""The Follow-ups page lists what is due and opens the form that settles it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from station_desktop.app import Application
from station_desktop.ui.forms.editor import RecordDialog
from station_desktop.ui.main_window import MainWindow
from station_desktop.ui.qt_i18n import LanguageSwitcher
from tests.conftest import StationSetup

pytestmark = pytest.mark.gui


def test_a_due_visit_is_opened_and_settled(
    app: Application, station: StationSetup, languages: LanguageSwitcher, qtbot: QtBot
) -> None:
    elderly = app.residents.register(
        {"name_bo": "ཚེ་རིང་", "name_zh": "次仁", "legal_basis": "statutory_duty"}
    )
    app.residents.add_membership(elderly, {"group": "elderly_alone", "start_date": "2025-01-01"})
    window = MainWindow(app, languages)
    qtbot.addWidget(window)
    window.show()
    page = window.followups_page
    window.nav.setCurrentRow(window.pages.indexOf(page))
    QApplication.processEvents()
    assert page.table.rowCount() == 1
    assert page.table.item(0, 3).text() == "次仁 ཚེ་རིང་"  # type: ignore[union-attr]
    assert "1" in page.summary.text()
    dialog = page.open_item(0)
    assert isinstance(dialog, RecordDialog)
    assert dialog.editor.values()["resident_id"] == str(elderly)
    dialog.editor.set_values(
        {
            "resident_id": str(elderly),
            "visit_date": "2026-05-31",
            "visitor_ids": [str(station.worker_id)],
            "outcome": "at_home",
            "purpose": "routine",
        }
    )
    assert dialog.save()
    qtbot.waitUntil(lambda: page.table.rowCount() == 0, timeout=2000)  # settled for a month
    # Leave no window behind: the next test's keyboard focus must not land in this one.
    dialog.close()
    window.close()
    dialog.deleteLater()
    window.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)


def test_a_membership_to_review_opens_the_residents_page(
    app: Application, station: StationSetup, languages: LanguageSwitcher, qtbot: QtBot
) -> None:
    from station_desktop.ui.resident_page import ResidentWindow

    child = app.residents.register(
        {"name_zh": "小卓玛", "legal_basis": "statutory_duty", "area_id": station.area_id}
    )
    app.residents.add_membership(
        child, {"group": "disability", "start_date": "2026-05-01", "review_on": "2026-06-05"}
    )
    app.visits.record(
        {
            "resident_id": child,
            "visit_date": "2026-05-20",
            "visitor_ids": [station.worker_id],
            "outcome": "at_home",
            "purpose": "routine",
        }
    )
    window = MainWindow(app, languages)
    qtbot.addWidget(window)
    window.show()
    page = window.followups_page
    window.nav.setCurrentRow(window.pages.indexOf(page))
    QApplication.processEvents()
    what = [page.table.item(r, 2).text() for r in range(page.table.rowCount())]  # type: ignore[union-attr]
    [row] = [r for r, text in enumerate(what) if "复核" in text]
    assert page.open_item(row) is None
    [opened] = [w for w in window.findChildren(ResidentWindow) if w.isVisible()]
    assert opened.resident_id == child
    opened.close()
    window.close()
    window.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)


def test_follow_ups_are_narrowed_grouped_and_only_the_really_late_are_red(
    app: Application, station: StationSetup, languages: LanguageSwitcher, qtbot: QtBot
) -> None:
    from station_desktop.ui.followups_page import OVERDUE_COLOUR

    def elderly(name: str, area: object, last_visit: str) -> None:
        person = app.residents.register(
            {"name_zh": name, "legal_basis": "statutory_duty", "area_id": area}
        )
        app.residents.add_membership(person, {"group": "elderly_alone", "start_date": "2025-01-01"})
        app.visits.record(
            {
                "resident_id": person,
                "visit_date": last_visit,
                "visitor_ids": [station.worker_id],
                "outcome": "at_home",
                "purpose": "routine",
            }
        )

    elderly("甲", station.area_id, "2026-03-01")  # monthly: due 03-31, 62 days late
    elderly("乙", station.other_area_id, "2026-04-28")  # due 05-28: 4 days late
    elderly("丙", station.area_id, "2026-05-20")  # due 06-19: beyond the two weeks
    window = MainWindow(app, languages)
    qtbot.addWidget(window)
    window.show()
    page = window.followups_page
    window.nav.setCurrentRow(window.pages.indexOf(page))
    QApplication.processEvents()
    assert [item.name_zh for item in page.shown()] == ["甲", "乙"]  # the most overdue first
    assert page.table.item(0, 1).text() == "62"  # type: ignore[union-attr]
    assert page.table.item(0, 4).text() == "冲赛康社区"  # type: ignore[union-attr]
    assert page.table.item(0, 5).text() == "卓玛"  # type: ignore[union-attr]
    red = [
        page.table.item(row, 0).foreground().color() == OVERDUE_COLOUR  # type: ignore[union-attr]
        for row in range(2)
    ]
    assert red == [True, False]  # four days late is the ordinary rhythm, not an alarm
    page.area_filter.setCurrentIndex(page.area_filter.findData(str(station.other_area_id)))
    assert [item.name_zh for item in page.shown()] == ["乙"]
    page.area_filter.setCurrentIndex(0)
    page.grouping.setCurrentIndex(page.grouping.findData("area"))
    cells = [page.table.item(row, 0) for row in range(page.table.rowCount())]
    texts = [cell.text() if cell is not None else "" for cell in cells]
    assert texts[0] == "冲赛康社区 (1)" and texts[2] == "鲁固社区 (1)"
    assert page.item_at(0) is None and page.item_at(1) is not None
