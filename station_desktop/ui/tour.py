"""Every window of the application opened in turn, and what does not fit in it.

`tour` opens each page of the main window, each form (new records, a resident's and a
case's forms, a correction), each window a record opens (a resident's page, a case page, a
sign-in list, a print preview) and each dialog (first start, who is working, visit pack,
drafts left by a crash), one after another over the application's own data, and closes
each before the next. `fit_problems` lists what a person would see cut off in a window:
a window larger than the screen, a button or label narrower or lower than its text, a
widget outside the window. The screenshot script and the fit test walk the same tour.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QRect, QSize, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QComboBox,
    QDialog,
    QGroupBox,
    QLabel,
    QLineEdit,
    QTabBar,
    QWidget,
)

from station_desktop.app import Application
from station_desktop.drafts import Draft
from station_desktop.ui.first_start import FirstStartDialog, WorkerDialog
from station_desktop.ui.left_drafts import LeftDraftsDialog
from station_desktop.ui.main_window import MainWindow
from station_desktop.ui.print_preview import PrintPreviewDialog
from station_desktop.ui.qt_i18n import LanguageSwitcher

# The common township laptop: 1366×768, less a taskbar.
LAPTOP_SCREEN = QSize(1366, 728)


def laptop_platform(folder: Path) -> str:
    """A QT_QPA_PLATFORM value: the offscreen platform with one screen of the laptop's
    size (its configuration is written into `folder`). Set it before Qt starts."""
    config = folder / "laptop-screen.json"
    screen = {
        "name": "laptop",
        "x": 0,
        "y": 0,
        "width": LAPTOP_SCREEN.width(),
        "height": LAPTOP_SCREEN.height(),
        "logicalDpi": 96,
        "physicalDpi": 96,
    }
    config.write_text(json.dumps({"screens": [screen]}), encoding="utf-8")
    return f"offscreen:configfile={config}"


def settle() -> None:
    """Let nested layouts finish: each layout pass can trigger another."""
    for _ in range(6):
        QCoreApplication.processEvents()


@dataclass(frozen=True)
class Sights:
    """Records worth looking at: the busiest resident, a case with notes, an activity, a
    visit (None where the data has none)."""

    resident: uuid.UUID | None
    case: uuid.UUID | None
    activity: uuid.UUID | None
    visit: uuid.UUID | None

    @classmethod
    def of(cls, app: Application) -> Sights:
        def newest(kind: str) -> uuid.UUID | None:
            rows = app.listing.records(kind, limit=1)
            return uuid.UUID(str(rows[0]["id"])) if rows else None

        listing = app.listing
        return cls(
            listing.most_visited_resident(),
            listing.case_with_most_notes(),
            newest("activities"),
            newest("visits"),
        )


def _close(widget: QWidget) -> None:
    if isinstance(widget, QDialog):
        widget.done(QDialog.DialogCode.Rejected)
    else:
        widget.close()
    widget.deleteLater()
    settle()


def tour(
    window: MainWindow, app: Application, languages: LanguageSwitcher
) -> Iterator[tuple[str, QWidget]]:
    """(name, window) for every window in turn, shown and laid out; each is closed when the
    caller asks for the next. Nothing is written: forms are opened, never saved."""
    sights = Sights.of(app)
    for row in range(window.nav.count()):
        window.nav.setCurrentRow(row)
        settle()
        yield f"main-{row}", window
    yield "main-report", _computed_report(window, app)
    window.nav.setCurrentRow(0)

    openers: list[tuple[str, Callable[[], QWidget | None]]] = [
        (f"new-{spec.code}", partial(window.open_record_dialog, spec, save))
        for _title, spec, save in window.record_kinds()
    ]
    openers.append(("new-feedback-pile", window.enter_feedback_pile))
    if sights.visit is not None:
        openers.append(("correct-visit", partial(window.open_record, "visits", sights.visit)))
    openers.append(("visit-pack", window.print_visit_pack))
    openers.append(("read-scans", window.read_scans))
    openers.append(("handwriting", window.type_handwriting))
    openers.append(("print-preview", lambda: _print_preview(window)))
    openers.append(("left-drafts", lambda: _left_drafts(window)))
    openers.append(("first-start", lambda: FirstStartDialog(app, languages, window)))
    openers.append(("who-is-working", lambda: WorkerDialog(app, window)))
    openers += _password_windows(app, languages, window)
    for name, open_window in openers:
        opened = open_window()
        if opened is None:
            continue
        opened.show()
        settle()
        yield name, opened
        _close(opened)

    if sights.resident is not None:
        resident = window.open_resident(sights.resident)
        settle()
        yield "resident", resident
        resident.memberships_table.setCurrentCell(0, 0)
        resident_forms: dict[str, Callable[[], QWidget | None]] = {
            "visit": resident.add_visit,
            "feedback": resident.add_feedback,
            "case": resident.add_case,
            "handout": resident.add_handout,
            "membership": resident.add_membership,
            "end-membership": resident.end_membership,
            "review-membership": resident.review_membership,
            "details": resident.edit_details,
        }
        yield from _forms("resident", resident_forms)
        _close(resident)
    if sights.case is not None:
        case = window.open_case(sights.case)
        settle()
        yield "case", case
        case.notes_table.selectRow(0)
        case_forms: dict[str, Callable[[], QWidget | None]] = {
            "note": case.add_note,
            "correct-note": case.correct_note,
            "stage": case.move_stage,
            "details": case.edit_case,
        }
        yield from _forms("case", case_forms)
        _close(case)
    if sights.activity is not None:
        sign_in = window.open_record("activities", sights.activity)
        if sign_in is not None:
            settle()
            yield "sign-in-list", sign_in
            from station_desktop.ui.attendance import AttendanceDialog  # noqa: PLC0415

            if isinstance(sign_in, AttendanceDialog):
                printing = sign_in.print_list()
                settle()
                yield "print-sign-in-list", printing
                _close(printing)
            _close(sign_in)


def _password_windows(
    app: Application, languages: LanguageSwitcher, window: QWidget
) -> list[tuple[str, Callable[[], QWidget | None]]]:
    """The first start of a new laptop (its administrator step too), the sign-in, the lock
    and, on encrypted data with a station head signed in, the workers' window."""
    from station_desktop.ui.recovery import RecoverDialog  # noqa: PLC0415
    from station_desktop.ui.sign_in import NewLaptopDialog, SignInDialog  # noqa: PLC0415
    from station_desktop.ui.workers_dialog import PasswordDialog, WorkersDialog  # noqa: PLC0415

    def new_laptop(administrator: bool) -> QWidget:
        def refuse(*_args: object) -> Application:
            raise AssertionError("the tour writes nothing")

        dialog = NewLaptopDialog(languages, app.stations.bundled().stations, refuse)
        if administrator:
            dialog.steps.setCurrentWidget(dialog.administrator)
            dialog.retranslate_ui()
        return dialog

    openers: list[tuple[str, Callable[[], QWidget | None]]] = [
        ("new-laptop", lambda: new_laptop(False)),
        ("new-laptop-administrator", lambda: new_laptop(True)),
        ("log-in", lambda: SignInDialog(app.paths, languages)),
        ("locked", lambda: SignInDialog(app.paths, None, name="ཚེ་རིང་སྒྲོལ་མ")),
        ("forgot-password", lambda: RecoverDialog(app.paths, name="ཚེ་རིང་སྒྲོལ་མ", parent=window)),
    ]
    if app.accounts.signed_in is not None:
        openers.append(("my-password", lambda: PasswordDialog(app, window)))
        openers.append(("workers", lambda: WorkersDialog(app, window)))
    return openers


def _forms(
    prefix: str, openers: dict[str, Callable[[], QWidget | None]]
) -> Iterator[tuple[str, QWidget]]:
    for name, open_form in openers.items():
        form = open_form()
        if form is None:
            continue
        settle()
        yield f"{prefix}-{name}", form
        _close(form)


def _computed_report(window: MainWindow, app: Application) -> QWidget:
    """The Reports page with the last year's figures and charts on it."""
    page = window.reports_page
    window.nav.setCurrentRow(window.pages.indexOf(page))
    today = app.ctx.today()
    page.start_edit.setText(today.replace(year=today.year - 1).isoformat())
    page.end_edit.setText(today.isoformat())
    page.compute()
    deadline = time.monotonic() + 120
    while page.busy and time.monotonic() < deadline:
        QCoreApplication.processEvents()
        time.sleep(0.02)
    settle()
    return window


def _left_drafts(window: MainWindow) -> QWidget:
    """The start-up list of drafts left by a crash, with two drafts (in memory only)."""
    saved_at = datetime.now(UTC)
    drafts = [
        Draft(f"{code}:{rest}", code, 1, saved_at, {})
        for code, rest in (("HV-01", "new"), ("CS-01-NOTE", str(uuid.uuid4())), ("GM-END", "x"))
    ]
    return LeftDraftsDialog(window, drafts)


def _print_preview(window: MainWindow) -> QWidget | None:
    """The preview of a blank feedback sheet, once made (in its worker thread)."""
    job = window.print_blank_feedback(1)
    if job is None:
        return None
    job.wait(120)
    settle()
    shown = [d for d in window.findChildren(PrintPreviewDialog) if d.isVisible()]
    deadline = time.monotonic() + 3  # QPdfView draws its pages after the window shows
    while shown and time.monotonic() < deadline:
        QCoreApplication.processEvents()
        time.sleep(0.05)
    return shown[-1] if shown else None


def _inside_scrolled_content(widget: QWidget, window: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        if isinstance(parent, QAbstractScrollArea):
            return True
        parent = parent.parentWidget()
    return False


def _visible_in(widget: QWidget, window: QWidget) -> bool:
    return widget.isVisibleTo(window) and widget.window() is window


def fit_problems(window: QWidget, screen: QSize = LAPTOP_SCREEN) -> list[str]:
    """What does not fit in `window` (already shown and laid out), each as one line."""
    problems: list[str] = []
    name = type(window).__name__
    if window.width() > screen.width() or window.height() > screen.height():
        problems.append(f"{name}: {window.width()}×{window.height()} is larger than the screen")
    needed = window.minimumSizeHint()
    if needed.width() > screen.width() or needed.height() > screen.height():
        problems.append(f"{name}: needs at least {needed.width()}×{needed.height()}")
    area = QRect(0, 0, window.width(), window.height())
    for widget in window.findChildren(QWidget):
        if not _visible_in(widget, window):
            continue
        what = _describe(widget)
        if isinstance(widget, QAbstractButton) and widget.text():
            hint = widget.sizeHint()
            if widget.width() < hint.width() or widget.height() < hint.height():
                problems.append(
                    f"{name}: {what} is {widget.width()}×{widget.height()}, "
                    f"its text needs {hint.width()}×{hint.height()}"
                )
        elif isinstance(widget, QLabel) and widget.text() and widget.pixmap().isNull():
            if widget.wordWrap():
                needed_height = widget.heightForWidth(widget.width())
                if widget.height() < needed_height:
                    problems.append(
                        f"{name}: {what} is {widget.height()} high, its text needs {needed_height}"
                    )
            elif widget.width() < widget.minimumSizeHint().width():
                problems.append(
                    f"{name}: {what} is {widget.width()} wide, its text needs "
                    f"{widget.minimumSizeHint().width()}"
                )
        if not _inside_scrolled_content(widget, window):
            placed = QRect(widget.mapTo(window, widget.rect().topLeft()), widget.size())
            if not area.contains(placed):
                problems.append(f"{name}: {what} reaches outside the window ({placed})")
    problems += [f"{name}: {problem}" for problem in _overlapping(window)]
    return problems


# Widgets a person reads or uses; two of these laid over each other hide one another.
# (Composite widgets' own parts, such as a table's headers or a combo box's button, are
# not compared: they are not their parents' siblings in a layout.)
_CONTROLS = (QAbstractButton, QLabel, QLineEdit, QComboBox, QAbstractSpinBox, QGroupBox)
_COMPOSITE = (QAbstractScrollArea, QComboBox, QAbstractSpinBox, QTabBar)


def _overlapping(window: QWidget) -> list[str]:
    """Controls of one parent laid over each other (a row squeezed below what its texts
    need: Qt then places them on top of one another instead of refusing)."""
    problems: list[str] = []
    parents = [window, *window.findChildren(QWidget)]
    for parent in parents:
        if isinstance(parent, _COMPOSITE) or not (parent is window or _visible_in(parent, window)):
            continue
        controls = [
            child
            for child in parent.findChildren(
                QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly
            )
            if isinstance(child, _CONTROLS) and not child.isWindow() and _visible_in(child, window)
        ]
        for index, first in enumerate(controls):
            for second in controls[index + 1 :]:
                shared = first.geometry().intersected(second.geometry())
                if shared.width() > 1 and shared.height() > 1:
                    problems.append(
                        f"{_describe(first)} and {_describe(second)} overlap "
                        f"({shared.width()}×{shared.height()})"
                    )
    return problems


def _describe(widget: QWidget) -> str:
    text = ""
    if isinstance(widget, (QAbstractButton, QLabel)):
        text = widget.text().replace("\n", " ")[:40]
    return f"{type(widget).__name__} '{text}'" if text else type(widget).__name__
