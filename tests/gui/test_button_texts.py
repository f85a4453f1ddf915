"""No two buttons of one window read alike in Tibetan (issue 11, Wording): every page,
form and dialog of the tour, the boxes that ask (changes not saved: Save, Discard or
Cancel; Withdraw this record?), and every standard button Qt can put in a box, opened in
Tibetan offscreen. Which word each concept uses is checked in tests/unit/test_terms.py."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QDialogButtonBox,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QWidget,
)
from pytestqt.qtbot import QtBot

from station_desktop.app import Application
from station_desktop.ui.forms.editor import RecordDialog
from station_desktop.ui.main_window import MainWindow
from station_desktop.ui.qt_i18n import LanguageSwitcher
from station_desktop.ui.record_editing import WITHDRAW_BUTTON
from station_desktop.ui.tour import LAPTOP_SCREEN, settle, tour
from tests.gui.conftest import type_text
from tests.unit.test_terms import clashes, label_text

pytestmark = pytest.mark.gui


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Application]:
    from datetime import UTC, datetime

    from station_desktop.app import open_application
    from station_desktop.demo.generator import DemoSize, generate_demo
    from station_desktop.paths import DataPaths

    def clock() -> datetime:
        return datetime(2026, 6, 1, 8, tzinfo=UTC)

    paths = DataPaths(tmp_path_factory.mktemp("buttons"))
    with open_application(paths, clock=clock) as app:
        generate_demo(app, DemoSize(60), seed=3)
        yield app


@pytest.fixture
def window(
    demo_app: Application, languages: LanguageSwitcher, qtbot: QtBot
) -> Iterator[MainWindow]:
    main = MainWindow(demo_app, languages)
    qtbot.addWidget(main)
    main.resize(LAPTOP_SCREEN)
    main.show()
    languages.switch("bo")
    settle()
    yield main
    main.close()


def command_buttons(window: QWidget) -> list[QAbstractButton]:
    """The buttons a person presses in `window` (shown, with a text): not the ticks and
    choices of a form, whose texts are answers, not actions."""
    return [
        button
        for button in window.findChildren(QAbstractButton)
        if button.text()
        and button.isVisibleTo(window)
        and button.window() is window
        and not isinstance(button, (QCheckBox, QRadioButton))
    ]


def alike(texts: list[str]) -> dict[str, list[str]]:
    """Texts that read the same once the shortcut letter and ellipsis are set aside."""
    read: dict[str, list[str]] = defaultdict(list)
    for text in texts:
        read[label_text(text)].append(text)
    return {shown: given for shown, given in read.items() if len(given) > 1}


# Every button QDialogButtonBox and QMessageBox can name themselves (Qt's own texts, served
# in Tibetan from our catalogue: see station_desktop/ui/qt_strings.py).
STANDARD_BUTTONS = (
    "Ok", "Save", "SaveAll", "Open", "Yes", "YesToAll", "No", "NoToAll", "Abort", "Retry",
    "Ignore", "Close", "Cancel", "Discard", "Help", "Apply", "Reset", "RestoreDefaults",
)  # fmt: skip


class Boxes:
    """Stands in for QMessageBox's static functions: opens a real box with the buttons
    asked for (its texts in the interface language), notes them, closes it and answers."""

    def __init__(self, answer: QMessageBox.StandardButton) -> None:
        self.answer = answer
        self.opened: list[tuple[str, list[str]]] = []

    def ask(
        self,
        parent: QWidget | None,
        title: str,
        text: str,
        buttons: QMessageBox.StandardButton = QMessageBox.StandardButton.Ok,
        *rest: object,
    ) -> QMessageBox.StandardButton:
        box = QMessageBox(QMessageBox.Icon.Question, title, text, buttons, parent)
        box.show()
        settle()
        self.opened.append((text, [button.text() for button in box.buttons()]))
        box.done(0)
        box.deleteLater()
        return self.answer


def test_no_two_buttons_of_a_window_read_alike_in_tibetan(
    window: MainWindow, demo_app: Application, languages: LanguageSwitcher
) -> None:
    seen: list[str] = []
    problems: list[str] = []
    for name, shown in tour(window, demo_app, languages):
        seen.append(name)
        texts = [button.text() for button in command_buttons(shown)]
        problems += [f"{name}: {given}" for given in alike(texts).values()]
    assert {"correct-visit", "first-start", "left-drafts", "print-preview"} <= set(seen)
    assert problems == []


def test_the_dialogs_outside_the_tour_keep_their_buttons_apart_in_tibetan(
    window: MainWindow, demo_app: Application, languages: LanguageSwitcher
) -> None:
    """Restoring a copy, importing a roster, sending, receiving and trusting (USB sync)."""
    from station_desktop.errors import DatabaseMissing
    from station_desktop.services.backups import BackupService
    from station_desktop.ui.restore_dialog import RestoreDialog
    from station_desktop.ui.roster_import import RosterImportDialog
    from station_desktop.ui.sync.receive import ReceiveDialog
    from station_desktop.ui.sync.send import SendDialog
    from station_desktop.ui.sync.trust import TrustDialog

    backups = BackupService(demo_app.paths)
    copy = backups.back_up()
    dialogs: dict[str, QWidget] = {
        "restore": RestoreDialog(
            backups, DatabaseMissing(demo_app.paths.database, [copy]), [copy], window
        ),
        "roster-import": RosterImportDialog(demo_app, languages, window),
        "send": SendDialog(demo_app, languages, window),
        "receive": ReceiveDialog(demo_app, languages, [], window),
        "trust": TrustDialog(demo_app, demo_app.sync.card(), window),
    }
    problems: list[str] = []
    for name, dialog in dialogs.items():
        dialog.show()
        settle()
        texts = [button.text() for button in command_buttons(dialog)]
        assert texts, name
        problems += [f"{name}: {given}" for given in alike(texts).values()]
        dialog.close()
    assert problems == []


def test_the_check_sees_two_buttons_alike(qtbot: QtBot) -> None:
    """Negative control: Undo and Withdraw… once read the same."""
    dialog = QWidget()
    qtbot.addWidget(dialog)
    for text in ("ཕྱིར་འཐེན…", "ཕྱིར་འཐེན(&U)", "འདོར་བ"):
        QPushButton(text, dialog)
    dialog.show()
    assert list(alike([b.text() for b in command_buttons(dialog)]).values()) == [
        ["ཕྱིར་འཐེན…", "ཕྱིར་འཐེན(&U)"]
    ]


def test_the_boxes_that_ask_keep_their_buttons_apart_in_tibetan(
    window: MainWindow, demo_app: Application, monkeypatch: pytest.MonkeyPatch
) -> None:
    boxes = Boxes(QMessageBox.StandardButton.Cancel)
    for kind in ("question", "warning", "information", "critical"):
        monkeypatch.setattr(QMessageBox, kind, boxes.ask)
    [row] = demo_app.listing.records("visits", limit=1)
    editor = window.open_record("visits", uuid.UUID(str(row["id"])))
    assert isinstance(editor, RecordDialog)
    settle()
    note = next(f for f in editor.findChildren(QPlainTextEdit) if f.isVisibleTo(editor))
    note.setFocus()
    type_text(note, "ཞིབ་བཤེར།")
    assert editor.editor.is_dirty()
    editor.reject()  # Cancel with changes: "Save them now?"; answered Cancel, it stays
    boxes.answer = QMessageBox.StandardButton.No
    withdraw = editor.findChild(QPushButton, WITHDRAW_BUTTON)
    assert withdraw is not None
    withdraw.click()  # "Withdraw this record?" answered No
    editor.editor.mark_clean()
    editor.done(0)

    assert len(boxes.opened) == 2, boxes.opened
    for _text, texts in boxes.opened:
        assert alike(texts) == {}
        # nor one inside another, as Cancel འདོར་བ once was in Discard བཟོ་བཅོས་འདོར་བ
        assert clashes({text: label_text(text) for text in texts}) == []
    [unsaved] = [texts for _text, texts in boxes.opened if len(texts) == 3]
    assert sorted(unsaved) == sorted(["ཉར་ཚགས", "མི་ཉར", "འདོར་བ"])  # Save, Discard, Cancel


def test_every_standard_button_has_its_own_tibetan_text(window: MainWindow, qtbot: QtBot) -> None:
    """Whatever set of Qt's buttons a box asks with, no two of them read alike."""
    box = QDialogButtonBox()
    qtbot.addWidget(box)
    every = QDialogButtonBox.StandardButton.NoButton
    for name in STANDARD_BUTTONS:
        every |= getattr(QDialogButtonBox.StandardButton, name)
    box.setStandardButtons(every)
    texts = [button.text() for button in box.buttons()]
    assert len(texts) == len(STANDARD_BUTTONS)
    assert all(any("\u0f00" <= ch <= "\u0fff" for ch in text) for text in texts), texts
    assert alike(texts) == {}
