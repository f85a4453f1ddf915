"""File → Import a roster…: the broken 低保 roster previewed, its refusals shown by row,
a column corrected, imported; the same file again adds nothing. File → Export."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from station_desktop.app import Application
from station_desktop.domain.idcard import mask_id_number
from station_desktop.roster.columns import RosterField
from station_desktop.ui.main_window import MainWindow
from station_desktop.ui.qt_i18n import LanguageSwitcher
from station_desktop.ui.roster_import import RosterImportDialog
from tests import rosters
from tests.conftest import StationSetup

pytestmark = pytest.mark.gui
WAIT_MS = 60_000  # a busy 2-core machine


@pytest.fixture
def told(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What QMessageBox.information said (a real box would wait for a click)."""
    said: list[str] = []

    def information(parent: object, title: str, text: str, *rest: object) -> object:
        said.append(text)
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "information", information)
    return said


def _previewed(dialog: RosterImportDialog, qtbot: QtBot) -> None:
    qtbot.waitUntil(
        lambda: dialog.preview is not None and not (dialog.job and dialog.job.is_running()),
        timeout=WAIT_MS,
    )


def test_preview_shows_the_refusals_by_row_then_imports_the_good_rows(
    app: Application,
    station: StationSetup,
    languages: LanguageSwitcher,
    qtbot: QtBot,
    tmp_path: Path,
    told: list[str],
) -> None:
    broken = rosters.broken_roster()
    path = rosters.write_xlsx(tmp_path / "低保花名册.xlsx", broken.rows)
    window = MainWindow(app, languages)
    qtbot.addWidget(window)
    assert window.file_menu.title() == "文件(&F)"
    dialog = window.file_menu.open_import(path)
    _previewed(dialog, qtbot)
    assert dialog.sheet_combo.count() == 2 and dialog.sheet_combo.currentText() == "低保花名册"
    refused = dialog.refused_table
    rows_shown = {int(refused.item(r, 0).text()) for r in range(refused.rowCount())}
    assert rows_shown == set(broken.refused)
    reasons = [refused.item(r, 2).text() for r in range(refused.rowCount())]
    assert any("5.40102E+17" in text for text in reasons)
    assert any("色拉村" in text for text in reasons)
    assert dialog.tabs.tabText(0) == "不能导入的行（12）"
    assert dialog.added_table.rowCount() == 488
    assert dialog.import_button.isEnabled()

    # A correction: the phone column is not imported; the preview follows.
    before = dialog.preview
    dialog.set_column("联系电话", RosterField.SKIP)
    qtbot.waitUntil(lambda: dialog.preview is not before, timeout=WAIT_MS)
    _previewed(dialog, qtbot)
    assert RosterField.PHONE not in dialog.preview.choices.mapping.values()  # type: ignore[union-attr]

    with qtbot.waitSignal(dialog.imported, timeout=WAIT_MS):
        dialog.import_button.click()
    assert dialog.import_result is not None and dialog.import_result.added == 488
    assert told and "488" in told[0]
    assert app.listing.counts()["residents"] == 488
    assert window.residents_page.model.rowCount() > 0  # the lists were refreshed

    again = window.file_menu.open_import(path)
    _previewed(again, qtbot)
    assert again.added_table.rowCount() == 0 and not again.import_button.isEnabled()
    assert again.refused_table.rowCount() == 12
    again.reject()


def test_cancel_writes_nothing(
    app: Application,
    station: StationSetup,
    languages: LanguageSwitcher,
    qtbot: QtBot,
    tmp_path: Path,
) -> None:
    path = rosters.write_xlsx(tmp_path / "r.xlsx", rosters.table(rosters.people(30)))
    dialog = RosterImportDialog(app, languages)
    qtbot.addWidget(dialog)
    dialog.open_file(path)
    _previewed(dialog, qtbot)
    dialog.reject()
    assert app.listing.counts()["residents"] == 0


def test_a_file_that_cannot_be_read_is_explained_in_the_dialog(
    app: Application,
    station: StationSetup,
    languages: LanguageSwitcher,
    qtbot: QtBot,
    tmp_path: Path,
) -> None:
    path = tmp_path / "photo.xlsx"
    path.write_bytes(b"PK\x03\x04 nothing")
    dialog = RosterImportDialog(app, languages)
    qtbot.addWidget(dialog)
    dialog.open_file(path)
    assert dialog.problem_label.isVisibleTo(dialog)
    assert "photo.xlsx" in dialog.problem_label.text()
    assert not dialog.import_button.isEnabled()


def test_export_a_list_from_the_file_menu(
    app: Application,
    station: StationSetup,
    languages: LanguageSwitcher,
    qtbot: QtBot,
    tmp_path: Path,
) -> None:
    number = rosters.id_number(date(1980, 1, 2), 2)
    app.residents.register(
        {"name_zh": "卓玛", "id_number": number, "legal_basis": "statutory_duty"}
    )
    window = MainWindow(app, languages)
    qtbot.addWidget(window)
    out = tmp_path / "居民.xlsx"
    job = window.file_menu.export_list("residents", out)
    assert job is not None
    qtbot.waitUntil(lambda: not job.is_running(), timeout=WAIT_MS)
    values = [c.value for row in load_workbook(out).active.iter_rows() for c in row]
    assert "卓玛" in values and mask_id_number(number) in values and number not in values
