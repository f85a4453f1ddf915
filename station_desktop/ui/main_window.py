"""The main window: navigation on the left, one page per kind of record.

A first, simple face over the services; the full screens (editors, follow-ups, keyboard
flow) are built on this window and the services, never around them.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMainWindow,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from station_desktop.app import Application

SEARCH_DELAY_MS = 150

# (listing kind, navigation label, columns shown: (key, header))
RECORD_PAGES: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        "visits",
        "Home visits",
        (
            ("visit_date", "Date"),
            ("resident_name_bo", "Tibetan name"),
            ("resident_name_zh", "Chinese name"),
            ("outcome", "Outcome"),
        ),
    ),
    (
        "cases",
        "Cases",
        (
            ("case_number", "Case number"),
            ("resident_name_zh", "Client"),
            ("stage", "Stage"),
            ("opened_on", "Opened"),
        ),
    ),
    (
        "feedback",
        "Satisfaction feedback",
        (("service_date", "Date"), ("service_area", "Service area"), ("anonymous", "Anonymous")),
    ),
    (
        "activities",
        "Activities",
        (("held_on", "Date"), ("title", "Title"), ("total_attendance", "Attendance")),
    ),
    (
        "resources",
        "Resources",
        (("date", "Date"), ("direction", "Direction"), ("item", "Item"), ("quantity", "Quantity")),
    ),
)


def _fill_table(
    table: QTableWidget, rows: list[dict[str, object]], columns: tuple[tuple[str, str], ...]
) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, (key, _) in enumerate(columns):
            value = row.get(key)
            table.setItem(r, c, QTableWidgetItem("" if value is None else str(value)))


def _table(columns: tuple[tuple[str, str], ...]) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels([header for _, header in columns])
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    table.horizontalHeader().setStretchLastSection(True)
    table.verticalHeader().setVisible(False)
    return table


class ResidentsPage(QWidget):
    COLUMNS = (
        ("name_bo", "Tibetan name"),
        ("name_zh", "Chinese name"),
        ("birth_date", "Born"),
        ("area_code", "Village / community"),
    )

    def __init__(self, app: Application) -> None:
        super().__init__()
        self._app = app
        self.search_box = QLineEdit()
        self.search_box.setPlaceholderText(
            "Search: བཀྲ་ཤིས་ · 扎西 · bkra shis · zhaxi · Tashi · ID · phone"
        )
        self.search_box.setAccessibleName("Search residents")
        self.search_box.setClearButtonEnabled(True)
        self.table = _table(self.COLUMNS)
        self.table.setAccessibleName("Residents")
        layout = QVBoxLayout(self)
        layout.addWidget(self.search_box)
        layout.addWidget(self.table)
        # Search as you type, but not on every keystroke of a fast typist.
        self._timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.refresh)
        self.search_box.textChanged.connect(self._timer.start)
        self.refresh()

    def refresh(self) -> None:
        text = self.search_box.text().strip()
        if text:
            found = self._app.residents.search(text, limit=200)
            with self._app.ctx.db.read() as session:
                rows = self._app.listing.resident_dicts(session, found)
        else:
            rows = self._app.listing.records("residents", limit=200)
        _fill_table(self.table, rows, self.COLUMNS)


class RecordListPage(QWidget):
    def __init__(self, app: Application, kind: str, columns: tuple[tuple[str, str], ...]) -> None:
        super().__init__()
        self._app, self._kind, self._columns = app, kind, columns
        self.table = _table(columns)
        self.table.setAccessibleName(kind)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        self.refresh()

    def refresh(self) -> None:
        _fill_table(self.table, self._app.listing.records(self._kind, limit=200), self._columns)


class MainWindow(QMainWindow):
    def __init__(self, app: Application) -> None:
        super().__init__()
        self._app = app
        self.setWindowTitle("Station Desktop")
        self.nav = QListWidget()
        self.nav.setAccessibleName("Navigation")
        self.nav.setMaximumWidth(220)
        self.pages = QStackedWidget()
        self.residents_page = ResidentsPage(app)
        self._add_page("Residents", self.residents_page)
        for kind, label, columns in RECORD_PAGES:
            self._add_page(label, RecordListPage(app, kind, columns))
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.addWidget(self.nav)
        layout.addWidget(self.pages, 1)
        self.setCentralWidget(central)
        self.nav.currentRowChanged.connect(self.pages.setCurrentIndex)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self, self._focus_search)
        self._status_label = QLabel(self._status_text())
        self.statusBar().addPermanentWidget(self._status_label)
        self._restore_state()

    def _add_page(self, label: str, page: QWidget) -> None:
        self.nav.addItem(label)
        self.pages.addWidget(page)

    def _focus_search(self) -> None:
        self.nav.setCurrentRow(0)
        self.residents_page.search_box.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _status_text(self) -> str:
        station = self._app.stations.current_station()
        where = f"{station.code} {station.name_zh}" if station else "station not set"
        return f"{where}  ·  data: {self._app.paths.root}"

    def _settings(self) -> QSettings:
        return QSettings()

    def _restore_state(self) -> None:
        settings = self._settings()
        geometry = settings.value("main_window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1100, 700)
        page = settings.value("main_window/page", 0)
        self.nav.setCurrentRow(int(str(page)) if str(page).isdigit() else 0)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        settings = self._settings()
        settings.setValue("main_window/geometry", self.saveGeometry())
        settings.setValue("main_window/page", self.nav.currentRow())
        super().closeEvent(event)
