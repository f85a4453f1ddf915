"""When the data is missing or damaged at start-up, the window offers the copies that can
bring it back, says what the chosen one holds, and restores it; it never starts empty."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog, QMessageBox
from pytestqt.qtbot import QtBot

from station_desktop.app import open_application
from station_desktop.domain.codes import StationKind
from station_desktop.errors import DatabaseMissing
from station_desktop.paths import DataPaths
from station_desktop.services.backups import BackupService
from station_desktop.services.stations import StationInfo
from station_desktop.ui import launch
from station_desktop.ui.qt_i18n import LanguageSwitcher
from station_desktop.ui.restore_dialog import RestoreDialog
from tests.gui.conftest import Answers

pytestmark = pytest.mark.gui


@pytest.fixture
def lost(tmp_path: Path) -> tuple[DataPaths, Path]:
    """A station's folder whose database was deleted; its backup is still there."""
    paths = DataPaths(tmp_path / "data")
    with open_application(paths) as app:
        app.stations.add_station(StationInfo("CG-BK", StationKind.TOWNSHIP, "", "八廓街道"))
        app.stations.use_station("CG-BK")
        for n in range(7):
            app.residents.register({"name_zh": f"居民{n}", "legal_basis": "statutory_duty"})
    backup = BackupService(paths).back_up()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{paths.database}{suffix}").unlink(missing_ok=True)
    return paths, backup


def _missing(paths: DataPaths) -> DatabaseMissing:
    with pytest.raises(DatabaseMissing) as caught:
        open_application(paths)
    return caught.value


def test_the_missing_data_is_restored_from_the_dialog(
    lost: tuple[DataPaths, Path],
    languages: LanguageSwitcher,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    paths, backup = lost
    answers = Answers(reply=QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QMessageBox, "question", answers.question)
    monkeypatch.setattr(QMessageBox, "information", lambda *_a: None)
    problem = _missing(paths)
    dialog = RestoreDialog(BackupService(paths), problem, problem.candidates)
    qtbot.addWidget(dialog)
    assert str(paths.database) in dialog.problem.text()
    assert dialog.copies.count() == 1 and dialog.selected() == backup
    dialog.restore_selected()
    # What the copy holds is said before the question is answered.
    assert "7" in answers.asked[0] and "CG-BK" in answers.asked[0]
    qtbot.waitUntil(lambda: dialog.restored is not None, timeout=20_000)
    assert dialog.result() == QDialog.DialogCode.Accepted
    with open_application(paths) as app:
        assert app.listing.counts()["residents"] == 7


def test_a_damaged_copy_is_refused_and_nothing_changes(
    lost: tuple[DataPaths, Path],
    languages: LanguageSwitcher,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    paths, backup = lost
    backup.write_bytes(b"SQLite format 3\x00" + b"\x00" * 5000)
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *a: warnings.append(text))
    problem = _missing(paths)
    dialog = RestoreDialog(BackupService(paths), problem, problem.candidates)
    qtbot.addWidget(dialog)
    dialog.restore_selected()
    assert warnings and dialog.restored is None
    assert not paths.database.exists()


def test_start_up_offers_the_copies_and_never_starts_empty(
    lost: tuple[DataPaths, Path],
    languages: LanguageSwitcher,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    paths, _backup = lost
    offered: list[list[str]] = []

    def exec_(dialog: RestoreDialog) -> int:
        offered.append([dialog.copies.item(i).text() for i in range(dialog.copies.count())])
        return QDialog.DialogCode.Rejected.value

    monkeypatch.setattr(RestoreDialog, "exec", exec_)
    assert launch.open_or_offer_restore(paths) is None
    assert len(offered) == 1 and len(offered[0]) == 1
    assert not paths.database.exists()  # giving up leaves the folder as it was
    # Only a folder without any earlier copy starts empty.
    shutil.rmtree(paths.backups)
    fresh = launch.open_or_offer_restore(paths)  # a folder with no earlier data at all
    assert fresh is not None
    fresh.close()
