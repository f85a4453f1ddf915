"""Every page, form and dialog fits the common township laptop (1366×768 less a taskbar)
in Tibetan, Chinese and English: nothing larger than the screen, no button or label
narrower or lower than its text, nothing outside its window."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from station_desktop.app import Application
from station_desktop.ui.main_window import MainWindow
from station_desktop.ui.qt_i18n import LanguageSwitcher
from station_desktop.ui.tour import LAPTOP_SCREEN, fit_problems, settle, tour

pytestmark = pytest.mark.gui

# What the tour must reach, so that a window it stopped opening cannot pass unseen.
EXPECTED = {
    *(f"main-{row}" for row in range(9)),
    "main-report",
    *(f"new-{code}" for code in ("RES-01", "HV-01", "SF-01", "CS-01", "AC-01", "RR-01", "RH-01")),
    "new-feedback-pile",
    "correct-visit",
    "visit-pack",
    "read-scans",
    "handwriting",
    "print-preview",
    "first-start",
    "who-is-working",
    "resident",
    *(
        f"resident-{name}"
        for name in (
            "visit", "feedback", "case", "handout", "membership", "end-membership",
            "review-membership", "details",
        )
    ),
    "case",
    *(f"case-{name}" for name in ("note", "correct-note", "stage", "details")),
    "sign-in-list",
    "print-sign-in-list",
    "new-laptop-administrator",
    "log-in",
    "forgot-password",
}  # fmt: skip


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Application]:
    from datetime import UTC, datetime

    from station_desktop.app import open_application
    from station_desktop.demo.generator import DemoSize, generate_demo
    from station_desktop.paths import DataPaths

    def clock() -> datetime:
        return datetime(2026, 6, 1, 8, tzinfo=UTC)

    paths = DataPaths(tmp_path_factory.mktemp("fit"))
    with open_application(paths, clock=clock) as app:
        generate_demo(app, DemoSize(120), seed=2)
        yield app


@pytest.mark.parametrize("language", ["bo", "zh_CN", "en"])
def test_every_window_fits_the_laptop_screen(
    demo_app: Application, languages: LanguageSwitcher, qtbot: QtBot, language: str
) -> None:
    window = MainWindow(demo_app, languages)
    qtbot.addWidget(window)
    window.resize(LAPTOP_SCREEN)
    window.show()
    languages.switch(language)
    settle()
    seen: set[str] = set()
    problems: list[str] = []
    for name, shown in tour(window, demo_app, languages):
        seen.add(name)
        problems += [f"{name}: {problem}" for problem in fit_problems(shown)]
    assert seen >= EXPECTED, sorted(EXPECTED - seen)
    assert problems == []


def test_the_fit_check_sees_a_cut_button_and_a_window_too_large(qtbot: QtBot) -> None:
    """Negative control: the check is not blind."""
    window = QWidget()
    qtbot.addWidget(window)
    button = QPushButton("Save this record and start the next one", window)
    QHBoxLayout(window).addWidget(button)
    window.show()
    button.setFixedWidth(60)
    settle()
    assert any("QPushButton" in p and "its text needs" in p for p in fit_problems(window))
    window.resize(LAPTOP_SCREEN.width() + 10, 300)
    settle()
    assert any("larger than the screen" in p for p in fit_problems(window))


def test_the_fit_check_sees_controls_laid_over_each_other(qtbot: QtBot) -> None:
    """Negative control: a label under a button (as a squeezed row of the workers window
    once put them) is seen; the same two side by side in a layout are not."""
    window = QWidget()
    qtbot.addWidget(window)
    window.resize(500, 200)
    label = QLabel("ཞིབ་བཤེར། 新密码", window)
    button = QPushButton("删除", window)
    label.setGeometry(10, 10, 200, 40)
    button.setGeometry(150, 20, 120, 40)
    window.show()
    settle()
    assert any(
        "overlap" in p and "QLabel" in p and "QPushButton" in p for p in fit_problems(window)
    )
    row = QHBoxLayout(window)
    row.addWidget(label)
    row.addWidget(button)
    settle()
    assert not any("overlap" in p for p in fit_problems(window))
