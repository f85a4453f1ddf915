"""An unexpected error shows a dialog with the log file's path; an expected problem shows
its own message in the interface language. Nothing personal in either."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox

from station_desktop.errors import DataDirInUse
from station_desktop.ui.crash import crash_handler
from station_desktop.ui.qt_i18n import LanguageSwitcher

pytestmark = pytest.mark.gui


def test_a_bug_shows_details_and_the_log_path(
    languages: LanguageSwitcher, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    shown: dict[str, str] = {}

    def fake_exec(box: QMessageBox) -> int:
        shown["text"], shown["details"] = box.text(), box.detailedText()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    handle = crash_handler(lambda: None, tmp_path / "station-desktop.log")
    try:
        raise KeyError("扎西次仁 13912345678")
    except KeyError as error:
        handle(KeyError, error, error.__traceback__)
    assert str(tmp_path / "station-desktop.log") in shown["text"]
    assert "草稿" in shown["text"] or "draft" in shown["text"]  # Chinese interface
    assert "KeyError" in shown["details"]
    assert "扎西" not in shown["details"] and "13912345678" not in shown["details"]


def test_an_expected_problem_is_explained_not_reported_as_a_bug(
    languages: LanguageSwitcher, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    warnings: list[str] = []

    def fake_warning(parent: Any, title: str, text: str, *args: Any) -> int:
        warnings.append(text)
        return 0

    monkeypatch.setattr(QMessageBox, "warning", fake_warning)
    handle = crash_handler(lambda: None, tmp_path / "log")
    error = DataDirInUse(path="/data")
    handle(DataDirInUse, error, None)
    assert len(warnings) == 1 and "/data" in warnings[0] and "Another copy" not in warnings[0]
