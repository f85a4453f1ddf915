"""Before the main window: which station this laptop serves and who is working on it.

`FirstStartDialog` runs on a laptop that serves no station yet, in the language the person
picks at its top: step one chooses one of Lhasa's stations from the list that comes with
the installation (writing it and its villages here), step two names the people who work
there (at least one) and who is at the laptop now. `WorkerDialog` is step two alone: at
start-up when nobody is remembered, and from the worker's button in the main window.

`ready_to_work` is the one place start-up asks these questions. On data protected by
passwords (every new laptop: ui.sign_in) the station and the first administrator are asked
before the data exists, the person who signed in is the one working, and the worker's
button becomes their menu (own password, lock, and a head's workers window).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from station_desktop.app import Application
from station_desktop.domain.codes import StaffRole
from station_desktop.errors import StationError, ValidationError
from station_desktop.i18n import N_, _, language_label
from station_desktop.reference.stations import ReferenceStation
from station_desktop.ui.display import code_text, reader_name
from station_desktop.ui.fonts import fit_tibetan
from station_desktop.ui.forms.fields import paint_as_error
from station_desktop.ui.qt_i18n import LanguageSwitcher
from station_desktop.ui.window_state import fit_to_screen

TITLE = N_("Setting up this laptop")
STAFF_ROLES = (StaffRole.SOCIAL_WORKER, StaffRole.STATION_HEAD)


def station_text(station: ReferenceStation) -> str:
    """A station as the list shows it: its name in the reader's script (the other script
    after it), its district, its code."""
    district = reader_name(station.district.name_bo, station.district.name_zh)
    name = reader_name(station.name_bo, station.name_zh)
    other = station.name_zh if name == station.name_bo else station.name_bo
    return " · ".join(part for part in (name, other, district, station.code) if part)


class LanguageButtons(QWidget):
    """The three interface languages as buttons, each in its own script: a newcomer finds
    theirs before reading anything else."""

    def __init__(self, languages: LanguageSwitcher, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.buttons: dict[str, QPushButton] = {}
        for language in languages.available:
            button = QPushButton(language_label(language), self)
            button.setCheckable(True)
            button.setChecked(language == languages.current)
            button.clicked.connect(lambda _checked, chosen=language: languages.switch(chosen))
            layout.addWidget(button)
            self.buttons[language] = button
        layout.addStretch(1)
        languages.changed.connect(self._show)

    def _show(self, current: str) -> None:
        for language, button in self.buttons.items():
            button.setChecked(language == current)


class StationStep(QWidget):
    """Step one: the station, found by typing part of its name, district or code. Enter or
    a double-click on a station (`picked`) goes on."""

    picked = Signal()

    def __init__(self, stations: Sequence[ReferenceStation], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._stations = list(stations)
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.search = QLineEdit(self)
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._fill)
        self.list = QListWidget(self)
        self.list.itemActivated.connect(lambda _item: self.picked.emit())
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.search)
        layout.addWidget(self.list, 1)
        self.search.installEventFilter(self)

    def chosen(self) -> ReferenceStation | None:
        item = self.list.currentItem()
        if item is None:
            return None
        code = item.data(Qt.ItemDataRole.UserRole)
        return next((s for s in self._stations if s.code == code), None)

    def _fill(self) -> None:
        wanted = self.search.text().strip().casefold()
        chosen = self.chosen()
        self.list.clear()
        for station in self._stations:
            text = station_text(station)
            haystack = f"{text} {station.name_zh} {station.district.name_zh}".casefold()
            if wanted and wanted not in haystack:
                continue
            item = QListWidgetItem(text, self.list)
            item.setData(Qt.ItemDataRole.UserRole, station.code)
            if chosen is not None and station.code == chosen.code:
                self.list.setCurrentItem(item)
        if self.list.currentItem() is None and self.list.count() == 1:
            self.list.setCurrentRow(0)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        # Down from the search box goes to the matches, as in the main window's search.
        if (
            watched is self.search
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() == Qt.Key.Key_Down
        ):
            self.list.setFocus()
            if self.list.currentRow() < 0:
                self.list.setCurrentRow(0)
            return True
        return super().eventFilter(watched, event)

    def retranslate_ui(self) -> None:
        self.intro.setText(
            _(
                "Which station does this laptop serve? Type part of its name, its district or "
                "its code, then choose it from the list."
            )
        )
        fit_tibetan(self.search)
        self.search.setPlaceholderText(_("Search stations"))
        self.search.setAccessibleName(_("Search stations"))
        self.list.setAccessibleName(_("Stations"))
        self._fill()


class PeoplePanel(QWidget):
    """Who works at this station (add the first people here) and who is at the laptop now
    (the chosen row)."""

    def __init__(self, app: Application, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._app = app
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.people = QListWidget(self)
        self.add_title = QLabel(self)
        self.name_bo = QLineEdit(self)
        self.name_zh = QLineEdit(self)
        self.role = QComboBox(self)
        self.add_button = QPushButton(self)
        self.add_button.clicked.connect(self.add_person)
        self.add_button.setAutoDefault(False)
        self.problem = QLabel(self)
        self.problem.setWordWrap(True)
        paint_as_error(self.problem)
        self.problem.hide()
        form = QFormLayout()
        self._labels: list[tuple[QLabel, QWidget, str]] = []
        for field, text in (
            (self.name_bo, N_("Tibetan name")),
            (self.name_zh, N_("Chinese name")),
            (self.role, N_("Role")),
        ):
            label = QLabel(self)
            label.setBuddy(field)
            form.addRow(label, field)
            self._labels.append((label, field, text))
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.people, 1)
        layout.addWidget(self.add_title)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addLayout(row)
        for line in (self.name_bo, self.name_zh):
            line.returnPressed.connect(self.add_person)

    def reload(self, select: uuid.UUID | None = None) -> None:
        """This station's active staff, the one working now (or `select`) chosen."""
        wanted = select or self._app.ctx.actor_id
        self.people.clear()
        for person in self._app.stations.staff():
            if not person.active:
                continue
            name = reader_name(person.name_bo, person.name_zh)
            item = QListWidgetItem(f"{name} · {code_text(StaffRole, person.role)}", self.people)
            item.setData(Qt.ItemDataRole.UserRole, str(person.id))
            if str(person.id) == str(wanted):
                self.people.setCurrentItem(item)
        if self.people.currentItem() is None and self.people.count() == 1:
            self.people.setCurrentRow(0)

    def chosen(self) -> uuid.UUID | None:
        item = self.people.currentItem()
        return uuid.UUID(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def add_person(self) -> uuid.UUID | None:
        """Write the person typed below the list (one action) and choose them."""
        try:
            added = self._app.stations.add_staff(
                self.name_bo.text(), self.name_zh.text(), self.role.currentData() or ""
            )
        except ValidationError as error:
            self._show_problem(_(error.errors[0].message, **error.errors[0].params))
            return None
        except StationError as error:
            self._show_problem(_(error.message, **error.params))
            return None
        self.problem.hide()
        self.name_bo.clear()
        self.name_zh.clear()
        self.reload(select=added)
        return added

    def _show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.show()
        self.name_bo.setFocus()

    def retranslate_ui(self) -> None:
        self.intro.setText(
            _(
                "Who works at this station? Add everyone who will use this laptop, then choose "
                "who is working now: their name goes on the visits, sheets and notes recorded."
            )
        )
        self.people.setAccessibleName(_("Who is working now"))
        self.add_title.setText(_("Add a person who works here"))
        for label, field, text in self._labels:
            label.setText(_(text))
            field.setAccessibleName(_(text))
        for line in (self.name_bo, self.name_zh):
            fit_tibetan(line)
        role = self.role.currentData()
        self.role.clear()
        for member in STAFF_ROLES:
            self.role.addItem(_(member.label), member.value)
        self.role.setCurrentIndex(max(0, self.role.findData(role)))
        self.add_button.setText(_("Add this person"))
        self.reload(self.chosen())


def _finish_worker(app: Application, panel: PeoplePanel, parent: QWidget) -> bool:
    """Remember the chosen person as the one working on this laptop; False (after saying
    what is missing) when nobody is chosen."""
    chosen = panel.chosen()
    if chosen is None:
        QMessageBox.information(
            parent,
            _(TITLE),
            _("Add at least one person who works here, and choose who is working now."),
        )
        return False
    try:
        app.stations.choose_worker(chosen)
    except StationError as error:
        QMessageBox.warning(parent, _(TITLE), _(error.message, **error.params))
        return False
    return True


class StepsDialog(QDialog):
    """The frame of a first start, shared by the dialogs that set a laptop up: the language
    buttons, a heading, the station step and what follows it, Back / Next / Cancel.
    Subclasses add their later steps, say what Next does and what the later steps are
    called."""

    def __init__(
        self,
        languages: LanguageSwitcher,
        stations: Sequence[ReferenceStation],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.languages = LanguageButtons(languages, self)
        self.heading = QLabel(self)
        self.heading.setWordWrap(True)
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        self.station_step = StationStep(stations, self)
        self.station_step.picked.connect(self.next)
        self.steps = QStackedWidget(self)
        self.buttons = QDialogButtonBox(self)
        self.back_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.ActionRole)
        self.next_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        for button in (self.back_button, self.next_button):
            button.setAutoDefault(False)
        self.back_button.clicked.connect(self.back)
        self.next_button.clicked.connect(self.next)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.languages)
        layout.addWidget(self.heading)
        layout.addWidget(self.steps, 1)
        layout.addWidget(self.buttons)
        fit_to_screen(self, 780, 600)

    def on_station_step(self) -> bool:
        return self.steps.currentWidget() is self.station_step

    def back(self) -> None:
        self.steps.setCurrentIndex(0)
        self._show_step()

    def next(self) -> None:
        raise NotImplementedError

    def later_heading(self) -> str:
        """The heading of the step after the station (translated)."""
        raise NotImplementedError

    def retranslate_later_steps(self) -> None:
        raise NotImplementedError

    def _show_step(self) -> None:
        first = self.on_station_step()
        self.heading.setText(_("1. This laptop's station") if first else self.later_heading())
        # Back only leads somewhere when the station step is one of the steps.
        self.back_button.setVisible(not first and self.steps.indexOf(self.station_step) >= 0)
        self.next_button.setText(_("Next") if first else _("Start working"))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def retranslate_ui(self) -> None:
        self.setWindowTitle(_(TITLE))
        self.back_button.setText(_("Back"))
        self.station_step.retranslate_ui()
        self.retranslate_later_steps()
        self._show_step()


class FirstStartDialog(StepsDialog):
    """A laptop's first start: language, station, people. Accepted once all are set."""

    def __init__(
        self, app: Application, languages: LanguageSwitcher, parent: QWidget | None = None
    ) -> None:
        super().__init__(languages, app.stations.bundled().stations, parent)
        self._app = app
        self.people_step = PeoplePanel(app, self)
        self.steps.addWidget(self.station_step)
        self.steps.addWidget(self.people_step)
        self.retranslate_ui()
        self.station_step.search.setFocus()

    def next(self) -> None:
        if self.on_station_step():
            self.choose_station()
        elif _finish_worker(self._app, self.people_step, self):
            self.accept()

    def choose_station(self) -> bool:
        """Write the chosen station (with its villages) and go on to the people."""
        station = self.station_step.chosen()
        if station is None:
            QMessageBox.information(self, _(TITLE), _("Choose this laptop's station first."))
            return False
        try:
            self._app.stations.use_station(station.code)
        except StationError as error:
            QMessageBox.warning(self, _(TITLE), _(error.message, **error.params))
            return False
        self.steps.setCurrentWidget(self.people_step)
        self.people_step.reload()
        self._show_step()
        self.people_step.name_bo.setFocus()
        return True

    def later_heading(self) -> str:
        return _("2. Who works here")

    def retranslate_later_steps(self) -> None:
        self.people_step.retranslate_ui()


class WorkerDialog(QDialog):
    """Who is working on this laptop now (and anyone new who works here)."""

    def __init__(self, app: Application, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._app = app
        self.panel = PeoplePanel(app, self)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self._done)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.panel, 1)
        layout.addWidget(self.buttons)
        fit_to_screen(self, 700, 680)
        self.retranslate_ui()

    def _done(self) -> None:
        if _finish_worker(self._app, self.panel, self):
            self.accept()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def retranslate_ui(self) -> None:
        self.setWindowTitle(_("Who is working"))
        self.panel.retranslate_ui()


class WorkerButton(QPushButton):
    """Who is working, always in sight (the main window's top right corner). One click
    opens the list of this station's people: another click changes who is working;
    "Someone else…" adds a person. (A push button: its menu arrow has room of its own,
    where a tool button's is drawn over the end of the name.)"""

    changed = Signal()
    lock_wanted = Signal()  # "Lock now" (a signed-in person; ui.sign_in.SessionLock)

    def __init__(self, app: Application, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._app = app
        font = self.font()
        font.setBold(True)
        self.setFont(font)
        self.setMenu(QMenu(self))
        self.menu().aboutToShow.connect(self._fill_menu)

    def _fill_menu(self) -> None:
        menu = self.menu()
        assert menu is not None
        menu.clear()
        if self._app.accounts.signed_in is not None:
            # Signed in: the person at the laptop is who typed the password. Someone else
            # signs in after this one locks or quits, never by choosing a name.
            from station_desktop.ui.workers_dialog import fill_account_menu  # noqa: PLC0415

            fill_account_menu(menu, self._app, self, self.lock_wanted.emit)
            return
        current = self._app.ctx.actor_id
        for person in self._app.stations.staff():
            if not person.active:
                continue
            action = menu.addAction(reader_name(person.name_bo, person.name_zh))
            action.setCheckable(True)
            action.setChecked(person.id == current)
            action.triggered.connect(lambda _checked, chosen=person.id: self.choose(chosen))
        menu.addSeparator()
        menu.addAction(_("Someone else…"), self.ask)

    def choose(self, staff_id: uuid.UUID) -> None:
        try:
            self._app.stations.choose_worker(staff_id)
        except StationError as error:
            QMessageBox.warning(self, _("Who is working"), _(error.message, **error.params))
        self.changed.emit()

    def ask(self) -> bool:
        """Who is working, with anyone new added on the way."""
        accepted = WorkerDialog(self._app, self.window()).exec() == QDialog.DialogCode.Accepted
        self.changed.emit()
        return accepted

    def retranslate_ui(self) -> None:
        worker = self._app.stations.current_worker()
        name = reader_name(worker.name_bo, worker.name_zh) if worker else _("Nobody chosen")
        self.setText(_("Working: {name}", name=name))
        self.setAccessibleName(_("Who is working on this laptop"))
        if self._app.accounts.signed_in is not None:
            self.setToolTip(_("Your password, locking the window, the workers"))
        else:
            self.setToolTip(_("Click to change who is working"))


def missing_setup(app: Application) -> Sequence[str]:
    """What start-up still has to ask: "station", "worker", or nothing. The bureau's
    installation serves no station (`setup --bureau`)."""
    if app.stations.serves_every_station():
        return ()
    if app.stations.current_station() is None:
        return ("station", "worker")
    if app.stations.current_worker() is None:
        return ("worker",)
    return ()


def ready_to_work(
    app: Application, languages: LanguageSwitcher, parent: QWidget | None = None
) -> bool:
    """Ask what is missing before the main window opens; False if the person cancelled."""
    missing = missing_setup(app)
    if "station" in missing:
        return FirstStartDialog(app, languages, parent).exec() == QDialog.DialogCode.Accepted
    if "worker" in missing:
        return WorkerDialog(app, parent).exec() == QDialog.DialogCode.Accepted
    return True
