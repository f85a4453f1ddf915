"""The main window: navigation on the left, one page per kind of record.

A first, simple face over the services; the full screens (editors, follow-ups, keyboard
flow) are built on this window and the services, never around them. Every visible text
comes from `retranslate_ui`, which runs on Qt's LanguageChange event, so switching the
interface language updates every open window at once.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QKeyEvent,
    QKeySequence,
    QShortcut,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from station_desktop.app import Application
from station_desktop.domain.codes import (
    ActivityKind,
    CaseStage,
    Code,
    PriorityGroup,
    ResourceKind,
    ServiceArea,
    VisitOutcome,
)
from station_desktop.errors import StationError
from station_desktop.formats import LocaleFormats
from station_desktop.forms.activity import ACTIVITY_FORM
from station_desktop.forms.case import CASE_FORM
from station_desktop.forms.feedback import FEEDBACK_FORM
from station_desktop.forms.resident import REGISTRATION_FORM
from station_desktop.forms.resources import HANDOUT_FORM, RECEIPT_FORM
from station_desktop.forms.spec import FormSpec
from station_desktop.forms.visit import VISIT_FORM
from station_desktop.i18n import N_, NC_, _, language_label, pgettext
from station_desktop.services.access import Action, Resource, allowed
from station_desktop.services.listing import ResidentQuery
from station_desktop.services.paper import PrintKind
from station_desktop.ui.display import PlaceNames, code_text, reader_name
from station_desktop.ui.first_start import WorkerButton
from station_desktop.ui.fonts import fit_tibetan, row_height
from station_desktop.ui.forms.editor import (
    BatchEntry,
    RecordDialog,
    application_choices,
    new_record_values,
    open_form_with_key,
)
from station_desktop.ui.forms.fields import paint_as_error
from station_desktop.ui.privacy import PrivacyMenu
from station_desktop.ui.qt_i18n import LanguageSwitcher
from station_desktop.ui.roster_import import FileMenu
from station_desktop.ui.table_models import PagedRecordModel, filling, size_rows
from station_desktop.ui.window_state import remember_geometry

if TYPE_CHECKING:  # the windows a record opens are loaded when first opened
    from station_desktop.ui.attendance import AttendanceDialog
    from station_desktop.ui.case_page import CaseWindow
    from station_desktop.ui.followups_page import FollowUpsPage
    from station_desktop.ui.handwriting import HandwritingDialog
    from station_desktop.ui.print_preview import RenderJob
    from station_desktop.ui.reports_page import ReportsPage
    from station_desktop.ui.resident_page import ResidentWindow
    from station_desktop.ui.scan_review import ScanDialog
    from station_desktop.ui.settings_page import SettingsPage
    from station_desktop.ui.sync.conflicts import ConflictsPage
    from station_desktop.ui.sync.page import SyncPage
    from station_desktop.ui.visit_pack import VisitPackDialog

SEARCH_DELAY_MS = 150
ShownT = TypeVar("ShownT", bound=QWidget)
# Which printed form a list's records have (resources: only hand-outs have one).
PRINT_KINDS: dict[str, PrintKind] = {
    "visits": "visit",
    "cases": "case",
    "feedback": "feedback",
    "activities": "activity",
    "handout": "handout",  # of the Resources page's rows, only hand-outs (see record_kind)
}
# Records with no window of their own open in the record editor, to be corrected, printed
# or withdrawn (list kinds from the pages, record kinds from a resident's timeline and the
# Resources page, whose rows are donations received or hand-outs).
EDITED_KINDS: dict[str, str] = {
    "visits": "visit",
    "visit": "visit",
    "feedback": "feedback",
    "handout": "handout",
    "receipt": "receipt",
}
FILTER_MIN_CHARACTERS = 14
SEARCH_LIMIT = 100  # the best matches while typing; a longer name narrows them
RESIZE_PRECISION_ROWS = 40


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # message id
    codes: type[Code] | None = None  # show the code's label, not the code
    kind: str = "text"  # "text", "date", "bool", "area", "station" (an id shown by name)


@dataclass(frozen=True)
class RecordPage:
    kind: str
    title: str  # message id
    columns: tuple[Column, ...]


NAME_BO = Column("resident_name_bo", N_("Tibetan name"))
NAME_ZH = Column("resident_name_zh", N_("Chinese name"))
# Shown only where records of several stations are held (at the bureau, or a demo).
STATION = Column("station_id", N_("Station name"), kind="station")

RECORD_PAGES: tuple[RecordPage, ...] = (
    RecordPage(
        "visits",
        N_("Home visits"),
        (
            Column("visit_date", N_("Date"), kind="date"),
            NAME_BO,
            NAME_ZH,
            Column("outcome", N_("Outcome"), VisitOutcome),
            STATION,
        ),
    ),
    RecordPage(
        "cases",
        N_("Cases"),
        (
            Column("case_reference", N_("Case number")),
            NAME_BO,
            NAME_ZH,
            Column("stage", N_("Stage"), CaseStage),
            Column("opened_on", N_("Opened"), kind="date"),
            STATION,
        ),
    ),
    RecordPage(
        "feedback",
        N_("Satisfaction feedback"),
        (
            Column("service_date", N_("Date"), kind="date"),
            Column("service_area", N_("Service area"), ServiceArea),
            Column("anonymous", N_("Anonymous"), kind="bool"),
            STATION,
        ),
    ),
    RecordPage(
        "activities",
        N_("Activities"),
        (
            Column("held_on", N_("Date"), kind="date"),
            Column("kind", N_("Kind of activity"), ActivityKind),
            Column("title", N_("Title")),
            Column("total_attendance", N_("Attendance")),
            STATION,
        ),
    ),
    RecordPage(
        "resources",
        N_("Resources"),
        (
            Column("date", N_("Date"), kind="date"),
            Column("direction", N_("Received or handed out")),
            Column("kind", N_("Kind of resource"), ResourceKind),
            Column("item", N_("Item")),
            Column("quantity", N_("Quantity")),
            STATION,
        ),
    ),
)

FEEDBACK_PILE = BatchEntry(
    keep=("service_area", "service_type", "service_date", "collected_on", "collected_by_id"),
    first_field="resident_id",
    number_field="sheet_no",
)

# What each entry of the New menu creates (MainWindow.record_kinds, in its order).
NEW_RECORD_RESOURCES = (
    Resource.RESIDENT,
    Resource.VISIT,
    Resource.FEEDBACK,
    Resource.CASE,
    Resource.ACTIVITY,
    Resource.RESOURCE,
    Resource.RESOURCE,
)

DIRECTIONS = {"received": N_("Received"), "handed_out": N_("Handed out")}
YES_NO = {True: NC_("answer", "Yes"), False: NC_("answer", "No")}


def _display(column: Column, value: object, formats: LocaleFormats, places: PlaceNames) -> str:
    if value is None or value == "":
        return ""
    if column.codes is not None:
        return code_text(column.codes, str(value))
    if column.kind == "area":
        return places.area(value)
    if column.kind == "station":
        return places.station(value)
    if column.kind == "date":
        return formats.date_text(str(value))
    if column.kind == "bool":
        return pgettext("answer", YES_NO[bool(value)])
    if column.key == "direction":
        return _(DIRECTIONS.get(str(value), str(value)))
    return str(value)


def record_kind(page_kind: str, row: dict[str, object]) -> str:
    """The kind of record a list row is: the page's, but the Resources page lists both
    donations received ("receipt") and hand-outs ("handout")."""
    if page_kind == "resources":
        return "handout" if row.get("direction") == "handed_out" else "receipt"
    return page_kind


class RecordTable(QTableWidget):
    """A read-only table of record dictionaries, shown in the interface language."""

    def __init__(
        self, columns: tuple[Column, ...], formats: LocaleFormats, places: PlaceNames
    ) -> None:
        super().__init__(0, len(columns))
        self._columns = columns
        self._formats = formats
        self._places = places
        self._rows: list[dict[str, object]] = []
        self.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        # Column widths follow the header and cell texts, which change with the language.
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.horizontalHeader().setStretchLastSection(True)  # no empty grey band at the right
        self.verticalHeader().setVisible(False)

    def show_rows(self, rows: list[dict[str, object]]) -> None:
        self._rows = rows
        self._fill()

    def record(self, row: int) -> dict[str, object] | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def retranslate_ui(self) -> None:
        self.setHorizontalHeaderLabels([_(c.header) for c in self._columns])
        self._fill()

    def _fill(self) -> None:
        for number, column in enumerate(self._columns):
            self.setColumnHidden(
                number, column.kind == "station" and not self._places.several_stations
            )
        with filling(self):
            self.setRowCount(len(self._rows))
            for r, row in enumerate(self._rows):
                for c, column in enumerate(self._columns):
                    text = _display(column, row.get(column.key), self._formats, self._places)
                    self.setItem(r, c, QTableWidgetItem(text))
            size_rows(self)  # Tibetan rows tall enough for stacks, the others not


class ResidentsPage(QWidget):
    """All residents, paged in the reader's name order, or the best matches of a search.
    Filters: priority group, village or community, has an open case. Enter or a
    double-click on a row (`opened`) asks for the resident's page."""

    opened = Signal(object)  # the resident's id

    COLUMNS = (
        Column("name_bo", N_("Tibetan name")),
        Column("name_zh", N_("Chinese name")),
        Column("birth_date", N_("Date of birth"), kind="date"),
        Column("area_id", N_("Village or community"), kind="area"),
        STATION,
    )

    def __init__(self, app: Application, languages: LanguageSwitcher, places: PlaceNames) -> None:
        super().__init__()
        self._app = app
        self._languages = languages
        self._places = places
        self.search_box = QLineEdit()
        self.search_box.setClearButtonEnabled(True)
        self.group_filter = QComboBox()
        self.area_filter = QComboBox()
        self.open_case_filter = QCheckBox()
        columns = {c.key: c for c in self.COLUMNS}
        self.model = PagedRecordModel(
            [(c.key, c.header) for c in self.COLUMNS],
            lambda key, value: _display(columns[key], value, languages.formats, places),
            self,
        )
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # Column widths from the first rows, not the 200 of a page (each measured cell is a
        # call into Python: measuring them all took a fifth of the start-up).
        self.table.horizontalHeader().setResizeContentsPrecision(RESIZE_PRECISION_ROWS)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(lambda index: self.open_row(index.row()))
        self.table.installEventFilter(self)
        self.search_box.installEventFilter(self)
        # The filters get a row of their own, and the combos may shrink below their longest
        # entry: with Tibetan labels one row would be wider than a laptop screen.
        for combo in (self.group_filter, self.area_filter):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(FILTER_MIN_CHARACTERS)
        filters = QHBoxLayout()
        filters.addWidget(self.group_filter, 1)
        filters.addWidget(self.area_filter, 1)
        filters.addWidget(self.open_case_filter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)  # the window has its margins: rows, not frames
        layout.addWidget(self.search_box)
        layout.addLayout(filters)
        layout.addWidget(self.table)
        # Search as you type, but not on every keystroke of a fast typist.
        self._timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.refresh)
        self.search_box.textChanged.connect(self._timer.start)
        self.group_filter.currentIndexChanged.connect(self.refresh)
        self.area_filter.currentIndexChanged.connect(self.refresh)
        self.open_case_filter.toggled.connect(self.refresh)
        self._shown_order = ""
        self._fill_filters()
        self.refresh()

    def _fill_filters(self) -> None:
        group, area = self.group_filter.currentData(), self.area_filter.currentData()
        for combo in (self.group_filter, self.area_filter):
            combo.blockSignals(True)
            combo.clear()
        self.group_filter.addItem(_("All priority groups"), None)
        for member in PriorityGroup:
            self.group_filter.addItem(_(member.label), member.value)
        self.area_filter.addItem(_("All villages and communities"), None)
        for found in self._app.stations.areas(all_stations=True):
            name = reader_name(found.name_bo, found.name_zh)
            if self._places.several_stations:  # villages of the same name, told apart
                name = f"{name} · {self._places.station(found.station_id)}"
            self.area_filter.addItem(name, str(found.id))
        for combo, data in ((self.group_filter, group), (self.area_filter, area)):
            combo.setCurrentIndex(max(0, combo.findData(data)))
            combo.blockSignals(False)

    def retranslate_ui(self) -> None:
        fit_tibetan(self.search_box)
        self.search_box.setPlaceholderText(
            _("Search by name in any script, Wylie, pinyin, ID card or phone number")
        )
        self.search_box.setAccessibleName(_("Search residents"))
        self.group_filter.setAccessibleName(_("Priority group"))
        self.area_filter.setAccessibleName(_("Village or community"))
        self.open_case_filter.setText(_("Has an open case"))
        self.table.setAccessibleName(_("Residents"))
        # Nearly every resident has a Tibetan name: one row height, with room for stacks
        # (sizing 100,000 rows one by one would cost more than it gives).
        height = row_height(self.font(), tibetan=True)
        self.table.verticalHeader().setMinimumSectionSize(height)
        self.table.verticalHeader().setDefaultSectionSize(height)
        self._fill_filters()
        if self.query().order != self._shown_order:
            self.refresh()  # the list's order follows the reader's script
        self.model.retranslate()

    def open_row(self, row: int) -> None:
        if 0 <= row < self.model.rowCount():
            self.opened.emit(uuid.UUID(str(self.model.row(row)["id"])))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress:
            key = event.key()
            if watched is self.table and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.open_row(self.table.currentIndex().row())
                return True
            # From the search box, Down goes to the matches (then Enter opens one).
            if watched is self.search_box and key == Qt.Key.Key_Down and self.model.rowCount():
                self.table.setFocus(Qt.FocusReason.OtherFocusReason)
                self.table.selectRow(max(0, self.table.currentIndex().row()))
                return True
        return super().eventFilter(watched, event)

    def query(self) -> ResidentQuery:
        area = self.area_filter.currentData()
        return ResidentQuery(
            order="bo" if self._languages.current == "bo" else "zh",
            area_id=uuid.UUID(area) if area else None,
            group=self.group_filter.currentData(),
            open_case=self.open_case_filter.isChecked(),
        )

    def refresh(self) -> None:
        self._shown_order = self.query().order
        self.table.setColumnHidden(
            len(self.COLUMNS) - 1, not self._places.several_stations
        )  # the station column
        text = self.search_box.text().strip()
        query = self.query()
        if text:  # best match first; the filters narrow the matches
            found = self._app.residents.search(text, limit=SEARCH_LIMIT)
            rows = self._app.listing.filter_residents(found, query)
            self.model.show_rows(rows)
        else:
            self.model.show_pages(lambda after: self._app.listing.resident_page(query, after=after))


class RecordListPage(QWidget):
    """The newest records of one kind; Enter or a double-click opens the selected one
    (`opened` carries the page's kind and the record's id)."""

    opened = Signal(str, object)

    def __init__(
        self, app: Application, page: RecordPage, formats: LocaleFormats, places: PlaceNames
    ) -> None:
        super().__init__()
        self._app, self.page = app, page
        self.table = RecordTable(page.columns, formats, places)
        self.table.doubleClicked.connect(lambda index: self.open_row(index.row()))
        self.table.installEventFilter(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)  # the window has its margins: rows, not frames
        layout.addWidget(self.table)
        self._loaded = False

    def open_row(self, row: int) -> None:
        record = self.table.record(row)
        if record is not None:
            self.opened.emit(record_kind(self.page.kind, record), uuid.UUID(str(record["id"])))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if (
            watched is self.table
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            self.open_row(self.table.currentRow())
            return True
        return super().eventFilter(watched, event)

    def retranslate_ui(self) -> None:
        self.table.setAccessibleName(_(self.page.title))
        self.table.retranslate_ui()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        # Loaded when first looked at: start-up does not pay for pages nobody opens.
        if not self._loaded:
            self.refresh()
        super().showEvent(event)

    def refresh(self) -> None:
        self._loaded = True
        self.table.show_rows(self._app.listing.records(self.page.kind, limit=200))


class MainWindow(QMainWindow):
    def __init__(self, app: Application, languages: LanguageSwitcher) -> None:
        super().__init__()
        self._app = app
        self._languages = languages
        formats = languages.formats
        self.nav = QListWidget()
        self.pages = QStackedWidget()
        self.places = PlaceNames(app)
        self.residents_page = ResidentsPage(app, languages, self.places)
        self.residents_page.opened.connect(self.open_resident)
        self._page_titles: list[str] = []
        self._add_page(N_("Residents"), self.residents_page)
        self.record_pages = [
            RecordListPage(app, page, formats, self.places) for page in RECORD_PAGES
        ]
        for record_page in self.record_pages:
            self._add_page(record_page.page.title, record_page)
            record_page.opened.connect(self.open_record)
        # These pages are made when first looked at: start-up does not load them.
        # (The makers are the class's functions, not bound methods: the window keeps no
        # reference to itself, and goes as soon as it is closed and deleted.)
        self._lazy_pages: dict[str, tuple[int, Callable[[MainWindow], QWidget]]] = {}
        self._made_pages: dict[str, QWidget] = {}
        self._add_lazy_page("followups", N_("Follow-ups"), MainWindow._make_followups_page)
        self._add_lazy_page("reports", N_("Reports"), MainWindow._make_reports_page)
        self._add_lazy_page("sync", N_("Sync"), MainWindow._make_sync_page)
        self._add_lazy_page("conflicts", N_("Conflicts"), MainWindow._make_conflicts_page)
        if app.audit.may_read():  # station heads and auditors (services.audit decides)
            self._add_lazy_page("audit", N_("Audit trail"), MainWindow._make_audit_page)
        self._add_lazy_page("settings", N_("Settings"), MainWindow._make_settings_page)
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.addWidget(self.nav)
        layout.addWidget(self.pages, 1)
        self.setCentralWidget(central)
        self.nav.currentRowChanged.connect(self._show_page)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self, self._focus_search)
        # Pages without the mouse: Ctrl+PgDown / Ctrl+PgUp step through them, Alt+1…9 jump.
        QShortcut(QKeySequence("Ctrl+PgDown"), self, lambda: self._step_page(1))
        QShortcut(QKeySequence("Ctrl+PgUp"), self, lambda: self._step_page(-1))
        for number in range(1, min(self.nav.count(), 9) + 1):
            QShortcut(QKeySequence(f"Alt+{number}"), self, self._page_jumper(number - 1))
        # Who is working, at the top right: their name goes on what is written here.
        self.worker_button = WorkerButton(app, self)
        self.worker_button.changed.connect(self._show_worker)
        self.worker_button.changed.connect(self._lists_for_the_person)
        self.backup_warning = QLabel()
        paint_as_error(self.backup_warning)
        self.backup_warning.hide()
        self._backup_problem: StationError | None = None
        # The status bar is for a warning only: the station and who is working are in the
        # title and at the top right, the data folder in Settings; a list gets its rows.
        self.statusBar().addWidget(self.backup_warning, 1)
        self.statusBar().hide()
        self._build_menus()
        self.menuBar().setCornerWidget(self.worker_button, Qt.Corner.TopRightCorner)
        self.offer_what_the_role_may()
        self._listed_for = app.ctx.actor
        self._restore_state()
        self.retranslate_ui()

    @property
    def app(self) -> Application:
        return self._app

    @property
    def languages(self) -> LanguageSwitcher:
        return self._languages

    # ------------------------------------------------------------ language

    def _build_menus(self) -> None:
        # File: bring a station's rosters in, take lists out as spreadsheets.
        self.file_menu = FileMenu(self._app, self._languages, self)
        self.file_menu.roster_imported.connect(self.refresh_pages)
        # USB sync: File → Send to USB…, Receive from USB… (the Sync page is made on first use).
        self.file_menu.addSeparator()
        self._send_action = QAction(self)
        self._send_action.triggered.connect(self._open_send)
        self.file_menu.addAction(self._send_action)
        self._receive_action = QAction(self)
        self._receive_action.triggered.connect(self._open_receive)
        self.file_menu.addAction(self._receive_action)
        self.file_menu.addSeparator()
        self._scan_action = QAction(self)  # paper read back: feedback sheets, sign-in lists
        self._scan_action.triggered.connect(self._read_scans)
        self.file_menu.addAction(self._scan_action)
        self._handwriting_action = QAction(self)  # the images of what residents wrote
        self._handwriting_action.triggered.connect(self._type_handwriting)
        self.file_menu.addAction(self._handwriting_action)
        self.menuBar().addMenu(self.file_menu)
        self._new_menu = self.menuBar().addMenu("")
        self._new_actions: list[tuple[QAction, str]] = []
        for number, (title, spec, save) in enumerate(self.record_kinds(), start=1):
            action = QAction(self)
            # Ctrl+1 … Ctrl+7: a new record of each kind without the mouse.
            action.setShortcut(QKeySequence(f"Ctrl+{number}"))
            action.triggered.connect(self._record_opener(spec, save))
            self._new_menu.addAction(action)
            self._new_actions.append((action, title))
        self._new_menu.addSeparator()
        self._feedback_pile_action = QAction(self)
        # Not Ctrl+Shift+3: shifted digits arrive as other keys on many keyboard layouts.
        self._feedback_pile_action.setShortcut(QKeySequence("Ctrl+Shift+B"))  # B for batch
        self._feedback_pile_action.triggered.connect(lambda: self.enter_feedback_pile())  # noqa: PLW0108
        self._new_menu.addAction(self._feedback_pile_action)
        self._print_menu = self.menuBar().addMenu("")
        self._print_record_action = QAction(self)
        self._print_record_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Print))
        self._print_record_action.triggered.connect(self.print_selected)
        self._print_blank_action = QAction(self)
        # Not connected directly: `triggered` passes `checked`, which would arrive as `count`.
        self._print_blank_action.triggered.connect(lambda: self.print_blank_feedback())  # noqa: PLW0108
        self._print_pack_action = QAction(self)
        self._print_pack_action.triggered.connect(self.print_visit_pack)
        self._print_menu.addAction(self._print_record_action)
        self._print_menu.addAction(self._print_pack_action)
        self._print_menu.addAction(self._print_blank_action)
        self.privacy_menu = PrivacyMenu(self._app, self._languages, self)
        self.privacy_menu.purged.connect(self.refresh_pages)
        self.menuBar().addMenu(self.privacy_menu)
        self._language_menu = self.menuBar().addMenu("")
        group = QActionGroup(self)
        self._language_actions: dict[str, QAction] = {}
        for language in self._languages.available:
            action = QAction(language_label(language), self, checkable=True)
            action.setChecked(language == self._languages.current)
            action.triggered.connect(self._language_chooser(language))
            group.addAction(action)
            self._language_menu.addAction(action)
            self._language_actions[language] = action
        self._language_menu.addSeparator()
        self._digits_action = QAction(self, checkable=True)
        self._digits_action.setChecked(self._languages.tibetan_digits())
        self._digits_action.toggled.connect(self._languages.set_tibetan_digits)
        self._language_menu.addAction(self._digits_action)

    def record_kinds(self) -> list[tuple[str, FormSpec, Callable[[dict[str, Any]], Any]]]:
        """The new records of the New menu (in `NEW_RECORD_RESOURCES`' order)."""
        app = self._app
        return [
            (N_("Register a resident"), REGISTRATION_FORM, app.residents.register),
            (N_("Record a home visit"), VISIT_FORM, app.visits.record),
            (N_("Enter a satisfaction feedback sheet"), FEEDBACK_FORM, app.feedback.record),
            (N_("Open a case"), CASE_FORM, app.cases.open),
            (N_("Record an activity"), ACTIVITY_FORM, app.activities.record),
            (N_("Record resources received"), RECEIPT_FORM, app.resources.record_receipt),
            (N_("Record a hand-out"), HANDOUT_FORM, app.resources.record_handout),
        ]

    def _record_opener(
        self, spec: FormSpec, save: Callable[[dict[str, Any]], Any]
    ) -> Callable[[], None]:
        def open_dialog() -> None:
            self.open_record_dialog(spec, save)

        return open_dialog

    def open_record_dialog(
        self,
        spec: FormSpec,
        save: Callable[[dict[str, Any]], Any],
        *,
        batch: BatchEntry | None = None,
    ) -> RecordDialog:
        """A new record of this form; what is typed is kept as a draft until it is saved.
        The form is not modal; asked again while it is open, it comes to the front."""
        draft_key = f"{spec.code}:{'batch' if batch else 'new'}"
        shown = open_form_with_key(self, draft_key)
        if shown is not None:
            return shown
        dialog = RecordDialog(
            spec,
            save,
            choices=application_choices(self._app, self._languages.formats),
            formats=self._languages.formats,
            drafts=self._app.drafts,
            draft_key=draft_key,
            batch=batch,
            start=new_record_values(self._app, spec),
            today=self._app.ctx.today,
            parent=self,
        )
        dialog.finished.connect(self.refresh_pages)
        if spec is ACTIVITY_FORM:  # then the sign-in list of the new activity
            dialog.accepted.connect(lambda: self._open_attendance(dialog.saved_id))
        if spec is CASE_FORM:  # then the new case's page, for its first notes
            dialog.accepted.connect(
                lambda: self.open_case(dialog.saved_id) if dialog.saved_id else None
            )
        if spec is REGISTRATION_FORM:  # then the new resident's page: registered, and there
            dialog.accepted.connect(
                lambda: self.open_resident(dialog.saved_id) if dialog.saved_id else None
            )
        dialog.open()
        return dialog

    def open_record(
        self, kind: str, record_id: uuid.UUID, parent: QWidget | None = None
    ) -> QWidget | None:
        """The window where a listed record is worked on: a case's page, an activity's
        sign-in list; the others (visits, sheets, donations, hand-outs) open in the record
        editor, over `parent` (the window that asked; the main window by default)."""
        from station_desktop.ui.record_editing import open_record_editor

        if kind in ("activities", "activity"):
            return self._open_attendance(record_id)
        if kind in ("cases", "case"):
            return self.open_case(record_id)
        edited = EDITED_KINDS.get(kind)
        if edited is None:
            return None
        editor = open_record_editor(self._app, self._languages, edited, record_id, parent or self)
        if editor is None:  # withdrawn since the list was read: the lists catch up
            self._records_changed()
            return None
        editor.finished.connect(self._records_changed)
        return editor

    def _records_changed(self) -> None:
        """After a correction or withdrawal: the lists, and the residents' pages (a visit
        corrected to another resident leaves one timeline for another)."""
        from station_desktop.ui.resident_page import ResidentWindow

        self.refresh_pages()
        for window in self.findChildren(ResidentWindow):
            if window.isVisible():
                window.reload()

    def _raise_shown(self, kind: type[ShownT], wanted: Callable[[ShownT], bool]) -> ShownT | None:
        """The open window of `kind` that `wanted` picks, brought to the front."""
        for window in self.findChildren(kind):
            if wanted(window) and window.isVisible():
                window.raise_()
                window.activateWindow()
                return window
        return None

    def open_case(self, case_id: uuid.UUID) -> CaseWindow:
        """The case's page (one window per case; a second request raises it)."""
        from station_desktop.ui.case_page import CaseWindow

        shown = self._raise_shown(CaseWindow, lambda window: window.case_id == case_id)
        if shown is not None:
            return shown
        window = CaseWindow(self._app, self._languages, case_id, self)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.print_requested.connect(self._print_case)
        window.case_changed.connect(lambda _case: self.refresh_pages())
        window.show()  # not modal: the main window stays usable beside it
        return window

    def _print_case(self, case_id: uuid.UUID) -> RenderJob:
        from station_desktop.ui.print_preview import preview

        printing = self._app.printing
        return preview(
            self,
            lambda: printing.render([printing.record_form("case", case_id)]),
            f"case-{case_id.hex[-8:]}.pdf",
        )

    def open_resident(self, resident_id: uuid.UUID) -> ResidentWindow:
        """The resident's page, one window per resident (a second request raises it)."""
        from station_desktop.ui.resident_page import ResidentWindow

        shown = self._raise_shown(ResidentWindow, lambda window: window.resident_id == resident_id)
        if shown is not None:
            return shown
        window = ResidentWindow(self._app, self._languages, resident_id, self)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.resident_requested.connect(self.open_resident)
        window.record_requested.connect(
            lambda kind, record_id: self.open_record(kind, record_id, window)
        )
        window.records_changed.connect(self.refresh_pages)
        window.open()
        return window

    def _open_attendance(self, activity_id: uuid.UUID | None) -> AttendanceDialog | None:
        from station_desktop.ui.attendance import AttendanceDialog

        if activity_id is None:
            return None
        dialog = AttendanceDialog(self._app, self._languages, activity_id, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(self.refresh_pages)
        dialog.activity_changed.connect(self._records_changed)
        dialog.open()
        return dialog

    def enter_feedback_pile(self) -> RecordDialog:
        """Paper feedback sheets one after another: what the pile shares (service, dates,
        collector) stays, the sheet number counts on, the cursor waits at the respondent."""
        return self.open_record_dialog(
            FEEDBACK_FORM, self._app.feedback.record, batch=FEEDBACK_PILE
        )

    def _read_scans(self) -> None:
        self.read_scans()

    def read_scans(self, paths: list[Path] | None = None) -> ScanDialog:
        """Scanned feedback sheets and sign-in lists read back (File → Read scanned
        sheets…); with `paths`, those files are read at once."""
        from station_desktop.ui.scan_review import ScanDialog

        dialog = ScanDialog(self._app, self._languages, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.entered.connect(self._records_changed)
        dialog.open()
        if paths:
            dialog.read(paths)
        return dialog

    def _type_handwriting(self) -> None:
        self.type_handwriting()

    def type_handwriting(self) -> HandwritingDialog:
        """File → Type scanned handwriting…: the comments and names written on scanned
        sheets, typed from their images."""
        from station_desktop.ui.handwriting import HandwritingDialog

        dialog = HandwritingDialog(self._app, self._languages, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.typed.connect(self._records_changed)
        dialog.open()
        return dialog

    def refresh_pages(self) -> None:
        self.places.reload()  # a new laptop's first station, a roster imported...
        self.residents_page.refresh()
        for page in self.record_pages:
            if page.isVisible():
                page.refresh()
            else:
                page._loaded = False  # reloaded when next shown

    def print_selected(self) -> RenderJob | None:
        """The printed form of the record selected on the current page, in a preview."""
        from station_desktop.ui.print_preview import preview

        page = self.pages.currentWidget()
        record = None
        if isinstance(page, RecordListPage):
            record = page.table.record(page.table.currentRow())
        if not isinstance(page, RecordListPage) or record is None:
            QMessageBox.information(self, _("Print"), _("Choose a record in a list first."))
            return None
        kind = PRINT_KINDS.get(record_kind(page.page.kind, record))
        if kind is None:
            QMessageBox.information(self, _("Print"), _("This record has no printed form."))
            return None
        chosen: PrintKind = kind
        record_id = uuid.UUID(str(record["id"]))
        printing = self._app.printing
        return preview(
            self,
            lambda: printing.render([printing.record_form(chosen, record_id)]),
            f"{chosen}-{str(record_id)[:8]}.pdf",
        )

    def selected_resident(self) -> uuid.UUID | None:
        """The resident chosen in the residents list (the page being shown), if any."""
        page = self.residents_page
        row = page.table.currentIndex().row()
        if self.pages.currentWidget() is not page or not 0 <= row < page.model.rowCount():
            return None
        return uuid.UUID(str(page.model.row(row)["id"]))

    def print_blank_feedback(self, count: int | None = None) -> RenderJob | None:
        """Numbered blank feedback sheets for residents to fill by hand."""
        from station_desktop.ui.print_preview import preview

        if count is None:
            count, accepted = QInputDialog.getInt(
                self, _("Blank feedback sheets…"), _("How many sheets?"), 10, 1, 500
            )
            if not accepted:
                return None
        sheets = count
        printing = self._app.printing
        return preview(
            self,
            lambda: printing.render(printing.blank_sheets("feedback", sheets)),
            f"feedback-blank-{sheets}.pdf",
        )

    def print_visit_pack(self) -> VisitPackDialog:
        """Pre-filled visit forms for everyone due in a village or community."""
        from station_desktop.ui.visit_pack import open_visit_pack

        return open_visit_pack(self._app, self._languages, self)

    def show_backup_problem(self, problem: StationError | None) -> None:
        """A failed backup stays in sight (status bar and Settings) until one works."""
        self._backup_problem = problem
        self._show_backup_warning()
        if "settings" in self._made_pages:  # else it shows the problem when it is made
            self.settings_page.show_backup_problem(problem)

    def _backup_finished(self, problem: object) -> None:
        self._backup_problem = problem if isinstance(problem, StationError) else None
        self._show_backup_warning()

    def _show_backup_warning(self) -> None:
        problem = self._backup_problem
        if problem is not None:
            self.backup_warning.setText(
                _(
                    "The backup failed: {problem} Settings → Back up now tries again.",
                    problem=_(problem.message, **problem.params),
                )
            )
        self.backup_warning.setVisible(problem is not None)
        self.statusBar().setVisible(problem is not None)

    def set_writable(self, writable: bool) -> None:
        """Creating records is allowed only once the data has passed its integrity check."""
        for action, _title in self._new_actions:
            action.setEnabled(writable)

    def _language_chooser(self, language: str) -> Callable[[], None]:
        return lambda: self._languages.switch(language)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def retranslate_ui(self) -> None:
        """Every visible text of the window and its pages, in the interface language."""
        self.file_menu.retranslate_ui()
        self._send_action.setText(_("Send to USB…"))
        self._receive_action.setText(_("Receive from USB…"))
        self._scan_action.setText(_("Read scanned sheets…"))
        self._handwriting_action.setText(_("Type scanned handwriting…"))
        self._new_menu.setTitle(_("&New"))
        for action, title in self._new_actions:
            action.setText(_(title))
        self._feedback_pile_action.setText(_("Enter a pile of paper feedback sheets…"))
        self._print_menu.setTitle(_("&Print"))
        self._print_record_action.setText(_("Print the selected record…"))
        self._print_blank_action.setText(_("Blank feedback sheets…"))
        self._print_pack_action.setText(_("Visit pack for a village or community…"))
        self.privacy_menu.retranslate_ui()
        self._show_backup_warning()
        self._language_menu.setTitle(_("&Language"))
        for language, action in self._language_actions.items():
            action.setChecked(language == self._languages.current)
        self._digits_action.setText(_("Tibetan digits in dates and numbers"))
        self._digits_action.setEnabled(self._languages.current == "bo")
        self.nav.setAccessibleName(_("Navigation"))
        for row, title in enumerate(self._page_titles):
            item = self.nav.item(row)
            if item is not None:
                item.setText(_(title))
        # As wide as the longest title in this language (Tibetan runs long), no wider.
        frame = 2 * self.nav.frameWidth() + 24
        self.nav.setFixedWidth(self.nav.sizeHintForColumn(0) + frame)
        self.residents_page.retranslate_ui()
        if "followups" in self._made_pages:  # a page made later translates itself
            self.followups_page.retranslate_ui()
        audit_page = self._made_pages.get("audit")
        if audit_page is not None:
            audit_page.retranslate_ui()  # type: ignore[attr-defined]
        for page in self.record_pages:
            page.retranslate_ui()
        self._show_worker()

    # ------------------------------------------------------------ pages

    def _add_page(self, title: str, page: QWidget) -> None:
        self._page_titles.append(title)
        self.nav.addItem(title)
        self.pages.addWidget(page)

    def _add_lazy_page(self, key: str, title: str, make: Callable[[MainWindow], QWidget]) -> None:
        """A page made when first shown (or asked for): until then an empty stand-in."""
        self._lazy_pages[key] = (self.pages.count(), make)
        self._add_page(title, QWidget())

    def _made(self, key: str) -> QWidget:
        """The lazy page `key`, made now if it was not yet, in its stand-in's place."""
        made = self._made_pages.get(key)
        if made is not None:
            return made
        index, make = self._lazy_pages[key]
        page = make(self)
        self._made_pages[key] = page
        current = self.pages.currentIndex()
        stand_in = self.pages.widget(index)
        self.pages.insertWidget(index, page)
        if stand_in is not None:
            self.pages.removeWidget(stand_in)
            stand_in.deleteLater()
        self.pages.setCurrentIndex(current)
        return page

    def _show_page(self, row: int) -> None:
        for key, (index, _make) in self._lazy_pages.items():
            if index == row:
                self._made(key)
        self.pages.setCurrentIndex(row)

    def _make_followups_page(self) -> QWidget:
        from station_desktop.ui.followups_page import FollowUpsPage

        page = FollowUpsPage(self._app, self._languages, self.places)
        page.resident_requested.connect(self.open_resident)
        return page

    def _make_reports_page(self) -> QWidget:
        from station_desktop.ui.reports_page import ReportsPage

        return ReportsPage(self._app, self._languages)

    def _make_settings_page(self) -> QWidget:
        from station_desktop.ui.settings_page import SettingsPage

        page = SettingsPage(self._app, self._languages)
        page.backup_finished.connect(self._backup_finished)
        page.show_backup_problem(self._backup_problem)
        return page

    def _make_sync_page(self) -> QWidget:
        from station_desktop.ui.sync.page import SyncPage

        page = SyncPage(self._app, self._languages)
        page.records_changed.connect(self._records_changed)
        page.conflicts_requested.connect(self.show_conflicts)
        return page

    def _make_conflicts_page(self) -> QWidget:
        from station_desktop.ui.sync.conflicts import ConflictsPage

        page = ConflictsPage(self._app, self._languages)
        page.resolved.connect(self._records_changed)
        return page

    def _open_send(self) -> None:
        self.sync_page.open_send()

    def _open_receive(self) -> None:
        self.sync_page.open_receive()

    def show_conflicts(self) -> None:
        """The Conflicts page, in front (from the Sync page or after receiving)."""
        self.nav.setCurrentRow(self.pages.indexOf(self.conflicts_page))

    @property
    def sync_page(self) -> SyncPage:
        from station_desktop.ui.sync.page import SyncPage

        page = self._made("sync")
        assert isinstance(page, SyncPage)
        return page

    @property
    def conflicts_page(self) -> ConflictsPage:
        from station_desktop.ui.sync.conflicts import ConflictsPage

        page = self._made("conflicts")
        assert isinstance(page, ConflictsPage)
        return page

    def _make_audit_page(self) -> QWidget:
        from station_desktop.ui.audit_page import AuditPage

        return AuditPage(self._app, self._languages)

    @property
    def followups_page(self) -> FollowUpsPage:
        from station_desktop.ui.followups_page import FollowUpsPage

        page = self._made("followups")
        assert isinstance(page, FollowUpsPage)
        return page

    @property
    def reports_page(self) -> ReportsPage:
        from station_desktop.ui.reports_page import ReportsPage

        page = self._made("reports")
        assert isinstance(page, ReportsPage)
        return page

    @property
    def settings_page(self) -> SettingsPage:
        from station_desktop.ui.settings_page import SettingsPage

        page = self._made("settings")
        assert isinstance(page, SettingsPage)
        return page

    def _step_page(self, step: int) -> None:
        self.nav.setCurrentRow((self.nav.currentRow() + step) % self.nav.count())

    def _page_jumper(self, row: int) -> Callable[[], None]:
        return lambda: self.nav.setCurrentRow(row)

    # ------------------------------------------------------------ who is working

    def _show_worker(self) -> None:
        """The worker's name on the button and in the window title (the taskbar shows it)."""
        self.worker_button.retranslate_ui()
        # The menu bar places its corner widget only when it lays itself out: given again,
        # the button is placed at the width of the name it now shows.
        self.menuBar().setCornerWidget(self.worker_button, Qt.Corner.TopRightCorner)
        station = self._app.stations.current_station()
        worker = self._app.stations.current_worker()
        parts = [_("Station Desktop")]
        if station is not None:
            parts.append(reader_name(station.name_bo, station.name_zh))
        if worker is not None:
            parts.append(reader_name(worker.name_bo, worker.name_zh))
        self.setWindowTitle(" · ".join(parts))
        self.offer_what_the_role_may()

    def _lists_for_the_person(self) -> None:
        """Another person, another role: the lists show what they may see."""
        if self._app.ctx.actor != self._listed_for:
            self._listed_for = self._app.ctx.actor
            self.refresh_pages()

    def offer_what_the_role_may(self) -> None:
        """Offer only what the person's role may do (the services refuse the rest all the
        same: services.access)."""
        actor = self._app.ctx.actor
        for (action, _title), resource in zip(self._new_actions, NEW_RECORD_RESOURCES, strict=True):
            action.setVisible(allowed(actor, resource, Action.CREATE))
        self._feedback_pile_action.setVisible(allowed(actor, Resource.FEEDBACK, Action.CREATE))
        self.file_menu.offer_what_the_role_may(actor)
        for page in self._made_pages.values():
            offer = getattr(page, "offer_what_the_role_may", None)
            if offer is not None:
                offer()

    def _focus_search(self) -> None:
        self.nav.setCurrentRow(0)
        self.residents_page.search_box.setFocus(Qt.FocusReason.ShortcutFocusReason)

    # ------------------------------------------------------------ window state

    def _restore_state(self) -> None:
        self.resize(1100, 700)  # the first time; then as it was left
        remember_geometry(self, "main_window")
        page = QSettings().value("main_window/page", 0)
        self.nav.setCurrentRow(int(str(page)) if str(page).isdigit() else 0)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        QSettings().setValue("main_window/page", self.nav.currentRow())
        super().closeEvent(event)
