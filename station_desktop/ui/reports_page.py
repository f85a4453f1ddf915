"""The Reports page: the bureau's figures for a period and a set of stations, as tables and
two charts, saved as a spreadsheet or printed (a PDF in the print preview).

Computing a year of 65 stations takes seconds, so it runs on a worker thread (its own
pool, one job at a time) while the page stays usable; the figures appear as soon as the
report is ready and the monthly trend (one more query, `ReportService.trend`) right after
it. Results carry the number of the request they answer, so a late answer to an older
request is dropped.
Everything shown is kept as data (tables of message ids and numbers) and rendered again on
a language switch: the figures stay, the words change.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QObject,
    QRunnable,
    QSettings,
    QSize,
    Qt,
    QThreadPool,
    Signal,
)
from PySide6.QtGui import QFont, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from station_desktop.app import Application
from station_desktop.errors import NotFound, StationError
from station_desktop.formats import LocaleFormats
from station_desktop.forms.validate import MSG_BAD_DATE, MSG_REQUIRED, parse_date
from station_desktop.i18n import N_, Catalogues, _
from station_desktop.reports.figures import (
    Report,
    ReportPeriod,
    Trend,
    is_yearly,
    trend_periods,
)
from station_desktop.reports.revisions import Revision, revision_tables
from station_desktop.reports.tables import (
    MSG_BY_GROUP,
    MSG_NOTHING,
    MSG_TREND_MONTHS,
    MSG_TREND_YEARS,
    NOTE_OVERLAP,
    PERIOD_LINE,
    STATIONS_LINE,
    Cell,
    Joined,
    Mean,
    Money,
    Msg,
    Names,
    Raw,
    Table,
    bucket_label,
    localised_digits,
    msg,
    priority_group_shares,
    report_tables,
    share_text,
    year_label,
)
from station_desktop.services.access import Action, RecordScope, Resource, allowed
from station_desktop.services.report_export import station_names, write_xlsx
from station_desktop.services.stations import StationView
from station_desktop.ui.charts import Bar, BarChart, ShareChart
from station_desktop.ui.display import reader_name
from station_desktop.ui.fonts import fit_tibetan, text_line_height
from station_desktop.ui.forms.fields import date_example, date_placeholder, paint_as_error
from station_desktop.ui.print_preview import RenderJob, preview
from station_desktop.ui.qt_i18n import LanguageSwitcher

if TYPE_CHECKING:  # the report's PDF (ReportLab) is loaded when it is first printed
    from station_desktop.pdf.page import RenderedPdf
    from station_desktop.services.report_pdf import ReportPdfService
    from station_desktop.services.submitted import SubmittedReportService, SubmittedSummary

PAGE_TITLE = N_("Reports")
MSG_FROM = N_("From")
MSG_TO = N_("To")
MSG_PERIOD_START = N_("Start of the period")
MSG_PERIOD_END = N_("End of the period")
MSG_PERIOD_ORDER = N_("The period ends before it starts.")
MSG_STATIONS = N_("Stations")
MSG_STATIONS_LIST = N_("Stations to include")
MSG_SELECT_ALL = N_("Select all")
MSG_SELECT_NONE = N_("Select none")
MSG_NO_STATION = N_("Choose at least one station.")
MSG_COMPUTE = N_("Compute")
MSG_SAVE = N_("Save as spreadsheet…")
MSG_SAVE_TITLE = N_("Save the report as a spreadsheet")
MSG_XLSX_FILTER = N_("Excel workbook (*.xlsx)")
MSG_SAVED = N_("Saved as {path}.")
MSG_PRINT = N_("Print or save as PDF…")
MSG_COMPUTING = N_("Computing the figures…")
MSG_PLACEHOLDER = N_("Choose a period and stations, then press Compute.")
MSG_FAILED = StationError.message  # a bug: the generic words, details to the crash dialog
MSG_SUBMIT = N_("Mark as submitted…")
MSG_SUBMIT_QUESTION = N_(
    "Keep this report as submitted to the bureau? Its figures and its PDF are kept exactly "
    "as they are now, and a report of this period computed later lists what changed since."
)
MSG_SUBMITTED_PDF = N_("Open the submitted PDF")
# TRANSLATORS: above the figures of a report: this period was submitted before.
MSG_SUBMITTED_CHANGED = N_(
    "This report was submitted on {date}. Since then {count} figures have changed:"
)
MSG_SUBMITTED_SAME = N_("This report was submitted on {date}. No figure has changed since.")
MSG_SUBMITTED_NOW = N_("Kept as submitted on {date}.")

SETTINGS_DIR_KEY = "reports/last_folder"
SHOWN_STATION_CODES = 8  # more are summed up by their number in the line above the figures
STATION_LIST_MAX_WIDTH = 320


# ---------------------------------------------------------------- pure helpers


def mean_text(formats: LocaleFormats, value: float | None) -> str:
    # Always two decimals (4.00, not 4): a mean is read against the others in its column.
    return "—" if value is None else localised_digits(formats, f"{value:.2f}")


def cell_display(formats: LocaleFormats, cell: Cell) -> str:
    """A table cell in the interface language."""
    if cell is None:
        return ""
    if isinstance(cell, Msg):
        return _(cell.message, **cell.kwargs())
    if isinstance(cell, Raw):
        return cell.text
    if isinstance(cell, Names):
        first, second = (cell.bo, cell.zh) if formats.language == "bo" else (cell.zh, cell.bo)
        return first or second
    if isinstance(cell, Joined):
        return " · ".join(cell_display(formats, part) for part in cell.parts)
    if isinstance(cell, Money):
        return formats.money(cell.fen)
    if isinstance(cell, Mean):
        return mean_text(formats, cell.value)
    return formats.number(cell)


def has_tibetan(text: str) -> bool:
    return any("\u0f00" <= ch <= "\u0fff" for ch in text)


# ---------------------------------------------------------------- work off the GUI thread


@dataclass(frozen=True)
class _ReportReady:
    report: Report


@dataclass(frozen=True)
class _TrendReady:
    trend: Trend


@dataclass(frozen=True)
class _Saved:
    path: Path


@dataclass(frozen=True)
class _RevisionReady:
    """What changed since the report's period was last submitted (None: never was)."""

    revision: Revision | None
    problem: StationError | None = None


@dataclass(frozen=True)
class _Submitted:
    summary: SubmittedSummary


class _TaskSignals(QObject):
    # (request number, event or exception). Emitted on the worker thread; delivered on the
    # GUI thread, where this object lives.
    progress = Signal(object)
    failed = Signal(object)
    done = Signal(int)


class _Task(QRunnable):
    """Runs `work(emit, cancelled)` on a pool thread; reports through `signals`."""

    def __init__(
        self, number: int, work: Callable[[Callable[[object], None], threading.Event], None]
    ) -> None:
        super().__init__()
        self.setAutoDelete(False)  # the page holds it; Python frees it
        self.number = number
        self.cancelled = threading.Event()
        self.signals = _TaskSignals()
        self._work = work

    def run(self) -> None:
        try:
            self._work(
                lambda event: self.signals.progress.emit((self.number, event)), self.cancelled
            )
        except Exception as error:  # handed to the GUI thread, which shows it
            self.signals.failed.emit((self.number, error))
        finally:
            self.signals.done.emit(self.number)


# ---------------------------------------------------------------- widgets


class FigureTable(QTableWidget):
    """A read-only table of one report `Table`, in the interface language, as tall as its
    rows (the page scrolls, not each table)."""

    def __init__(self, formats: LocaleFormats, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._formats = formats
        self._table: Table | None = None
        self._content_width = 0
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Widths are set from the contents on each fill (see `_fit`), not lazily by the
        # header, so that the table's own width is known at once.
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.horizontalHeader().setDefaultAlignment(
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        )
        self.verticalHeader().setVisible(False)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setWordWrap(False)

    @property
    def table(self) -> Table | None:
        return self._table

    def show_table(self, table: Table | None) -> None:
        self._table = table
        self._fill()

    def text(self, row: int, column: int) -> str:
        item = self.item(row, column)
        return "" if item is None else item.text()

    def header_text(self, column: int) -> str:
        item = self.horizontalHeaderItem(column)
        return "" if item is None else item.text()

    def retranslate_ui(self) -> None:
        self._fill()

    def _fill(self) -> None:
        table = self._table
        self.clear()
        if table is None:
            self.setRowCount(0)
            self.setColumnCount(0)
            return
        self.setColumnCount(len(table.columns))
        self.setRowCount(len(table.rows))
        self.setHorizontalHeaderLabels(
            [_(c.header.message, **c.header.kwargs()) for c in table.columns]
        )
        bold = QFont(self.font())
        bold.setBold(True)
        tall = text_line_height(self.font()) + 4
        short = self.fontMetrics().height() + 8
        for r, row in enumerate(table.rows):
            texts = [cell_display(self._formats, cell) for cell in row.cells]
            for c, text in enumerate(texts):
                item = QTableWidgetItem(text)
                if table.columns[c].numeric:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if row.total:
                    item.setFont(bold)
                self.setItem(r, c, item)
            # Tibetan stacks need a taller row than Chinese or Latin text; a Chinese table
            # at Tibetan height would be half empty.
            self.setRowHeight(r, tall if any(map(has_tibetan, texts)) else short)
        self._fit()

    def _fit(self) -> None:
        header = self.horizontalHeader()
        for c in range(self.columnCount()):
            self.setColumnWidth(c, max(self.sizeHintForColumn(c), header.sectionSizeHint(c)))
        frame = 2 * self.frameWidth()
        self._content_width = header.length() + frame
        self.setMaximumWidth(self._content_width)  # no empty stretch right of a short table
        # Never narrower than its figures either: a long Tibetan label makes the page scroll
        # sideways rather than cut the numbers off.
        self.setMinimumWidth(self._content_width)
        self.updateGeometry()
        self._fit_height()

    def _fit_height(self) -> None:
        frame = 2 * self.frameWidth()
        header = self.horizontalHeader()
        rows = sum(self.rowHeight(r) for r in range(self.rowCount()))
        needs_bar = header.length() + frame > self.width()
        bar = self.horizontalScrollBar().sizeHint().height() if needs_bar else 0
        self.setFixedHeight(header.sizeHint().height() + rows + frame + bar)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._fit_height()  # a horizontal scroll bar comes and goes with the width

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(self._content_width, self.height())


class ReportsPage(QWidget):
    """Period, stations, Compute; the figures as tables and charts; Save as spreadsheet."""

    def __init__(
        self, app: Application, languages: LanguageSwitcher, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._app = app
        self._languages = languages
        self._formats = languages.formats
        self._catalogues = Catalogues()
        self._stations: list[StationView] = []
        self._report: Report | None = None
        self._buckets: list[ReportPeriod] = []  # of the report shown
        self._trend: Trend | None = None  # None while it is being computed
        self._revision: _RevisionReady | None = None  # None while it is being computed
        self._request = 0  # the number of the latest compute request
        self._save_request = 0
        self._task: _Task | None = None
        self._save_task: _Task | None = None
        self._field_errors: dict[str, Msg] = {}
        self._message: tuple[Msg, bool] | None = None  # (what, is it an error)
        self._status: Msg | None = None
        # One job at a time each: a new request waits for the old one to notice it is
        # cancelled, and never two reports read the database at once.
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._save_pool = QThreadPool(self)
        self._save_pool.setMaxThreadCount(1)
        self._pdf: ReportPdfService | None = None  # made when the report is first printed
        self._submitted_service: SubmittedReportService | None = None

        self._build()
        self.refresh_stations()
        year = app.ctx.today().year
        self.start_edit.setText(date(year, 1, 1).isoformat())
        self.end_edit.setText(date(year, 12, 31).isoformat())
        qt_app = QCoreApplication.instance()
        if qt_app is not None:  # never leave a worker reading a store that is closing
            qt_app.aboutToQuit.connect(self.cancel_work)
        self.retranslate_ui()

    # ------------------------------------------------------------ layout

    @property
    def _submitted(self) -> SubmittedReportService:
        """Made when first needed: it brings the PDF machinery (ReportLab) with it."""
        if self._submitted_service is None:
            from station_desktop.services.submitted import (  # noqa: PLC0415
                SubmittedReportService,
            )

            self._submitted_service = SubmittedReportService(self._app.ctx, self._catalogues)
        return self._submitted_service

    def _build(self) -> None:
        self.start_label, self.end_label = QLabel(self), QLabel(self)
        self.start_edit, self.end_edit = QLineEdit(self), QLineEdit(self)
        self.start_error, self.end_error = QLabel(self), QLabel(self)
        for label, edit in ((self.start_label, self.start_edit), (self.end_label, self.end_edit)):
            label.setBuddy(edit)
            edit.returnPressed.connect(self.compute)
        for error in (self.start_error, self.end_error):
            paint_as_error(error)
            error.setWordWrap(True)
            error.hide()
        self.compute_button = QPushButton(self)
        self.compute_button.clicked.connect(self.compute)
        self.save_button = QPushButton(self)
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(self.save_spreadsheet)
        self.print_button = QPushButton(self)
        self.print_button.setEnabled(False)  # once the report and its trend are in
        self.print_button.clicked.connect(self.print_report)
        self.submit_button = QPushButton(self)
        self.submit_button.setEnabled(False)  # once the report and its trend are in
        self.submit_button.clicked.connect(self.mark_submitted)
        self.offer_what_the_role_may()
        self.progress = QProgressBar(self)
        self.progress.setTextVisible(False)
        self.progress.setMaximumWidth(160)
        self.progress.hide()
        # Beside the progress bar: the page does not jump when it comes and goes.
        self.status_label = QLabel(self)
        # A long status must not widen the page: it is cut, and its tooltip says it all.
        self.status_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.status_label.hide()

        controls = QGridLayout()
        controls.addWidget(self.start_label, 0, 0)
        controls.addWidget(self.start_edit, 0, 1)
        controls.addWidget(self.start_error, 1, 1)
        controls.addWidget(self.end_label, 0, 2)
        controls.addWidget(self.end_edit, 0, 3)
        controls.addWidget(self.end_error, 1, 3)
        controls.addWidget(self.compute_button, 0, 4)
        controls.addWidget(self.progress, 0, 5)
        controls.addWidget(self.status_label, 0, 6)
        controls.setColumnStretch(6, 1)
        controls.setColumnMinimumWidth(1, 150)
        controls.setColumnMinimumWidth(3, 150)

        self.message_label = QLabel(self)
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_label.hide()

        # Stations: a checkable list, all ticked at first.
        self.stations_label = QLabel(self)
        self.select_all_button = QPushButton(self)
        self.select_none_button = QPushButton(self)
        self.select_all_button.clicked.connect(lambda: self._tick_all(True))
        self.select_none_button.clicked.connect(lambda: self._tick_all(False))
        self.station_list = QListWidget(self)
        self.station_list.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.station_list.itemChanged.connect(self._stations_changed)
        self.stations_label.setBuddy(self.station_list)
        self.station_error = QLabel(self)
        paint_as_error(self.station_error)
        self.station_error.setWordWrap(True)
        self.station_error.hide()
        side = QVBoxLayout()
        side.addWidget(self.stations_label)
        buttons = QHBoxLayout()
        buttons.addWidget(self.select_all_button)
        buttons.addWidget(self.select_none_button)
        side.addLayout(buttons)
        side.addWidget(self.station_list, 1)
        side.addWidget(self.station_error)
        # What to do with the figures, under the list: in the controls row, Tibetan labels
        # would make the page wider than a laptop screen.
        side.addSpacing(8)
        side.addWidget(self.save_button)
        side.addWidget(self.print_button)
        side.addWidget(self.submit_button)
        self.side_panel = QWidget(self)
        self.side_panel.setLayout(side)
        side.setContentsMargins(0, 0, 0, 0)

        # The figures: the summary beside the charts, then one table per section.
        self.shown_label = QLabel(self)
        self.shown_label.setWordWrap(True)
        self.tables: dict[str, FigureTable] = {}
        self._table_titles: dict[str, QLabel] = {}
        self._table_notes: dict[str, QLabel] = {}
        content = QWidget()
        sections = QVBoxLayout(content)
        # Submitted before: what changed since, first (the bureau holds the old figures).
        self.revision_box = QWidget(content)
        revision_layout = QVBoxLayout(self.revision_box)
        revision_layout.setContentsMargins(0, 0, 0, 8)
        self.revision_label = QLabel(self.revision_box)
        self.revision_label.setWordWrap(True)
        self.submitted_pdf_button = QPushButton(self.revision_box)
        self.submitted_pdf_button.clicked.connect(self.open_submitted_pdf)
        revision_layout.addWidget(self.revision_label)
        # Under the sentence, at the left: the tables below may be wider than the view.
        opening = QHBoxLayout()
        opening.addWidget(self.submitted_pdf_button)
        opening.addStretch(1)
        revision_layout.addLayout(opening)
        for key in ("changed_since_submitted", "why_changed"):
            self._add_table_widgets(key, revision_layout)
        self.revision_box.hide()
        sections.addWidget(self.revision_box)
        # The summary and the charts fit the visible width; wider tables below scroll.
        self.overview = QWidget(content)
        overview = QHBoxLayout(self.overview)
        overview.setContentsMargins(0, 0, 0, 0)
        summary_box = QVBoxLayout()
        self._add_table_widgets("headline", summary_box)  # first in every report
        summary_box.addSpacing(8)
        self._add_table_widgets("summary", summary_box)
        summary_box.addStretch(1)
        overview.addLayout(summary_box)
        charts = QVBoxLayout()
        self.trend_title, self.group_title = QLabel(content), QLabel(content)
        self.group_note = QLabel(content)
        self.group_note.setWordWrap(True)
        for title in (self.trend_title, self.group_title):
            title.setWordWrap(True)
            _embolden(title)
        self.trend_chart = BarChart(self._formats_number, content)
        self.group_chart = ShareChart(content)
        charts.addWidget(self.trend_title)
        charts.addWidget(self.trend_chart)
        charts.addSpacing(12)
        charts.addWidget(self.group_title)
        charts.addWidget(self.group_chart)
        charts.addWidget(self.group_note)
        charts.addStretch(1)
        overview.addLayout(charts, 1)
        sections.addWidget(self.overview)
        for key in (
            "residents_served",
            "home_visits",
            "cases",
            "closing_reasons",
            "activities",
            "satisfaction",
            "resources_received",
            "resources_handed_out",
            "resources_items",
            "stations",
        ):
            sections.addSpacing(8)
            self._add_table_widgets(key, sections)
        sections.addStretch(1)
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setWidget(content)
        self.scroll_area.viewport().installEventFilter(self)
        self.overview.installEventFilter(self)
        self.placeholder = QLabel(self)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.results = QStackedWidget(self)
        self.results.addWidget(self.placeholder)
        self.results.addWidget(self.scroll_area)

        main = QVBoxLayout()
        main.addWidget(self.shown_label)
        main.addWidget(self.results, 1)
        body = QHBoxLayout()
        body.addWidget(self.side_panel)
        body.addLayout(main, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addWidget(self.message_label)
        layout.addLayout(body, 1)

    def _add_table_widgets(self, key: str, layout: QVBoxLayout) -> None:
        title = QLabel()
        _embolden(title)
        table = FigureTable(self._formats)
        note = QLabel()
        note.setWordWrap(True)
        note.hide()
        layout.addWidget(title)
        layout.addWidget(table)
        layout.addWidget(note)
        self._table_titles[key], self.tables[key], self._table_notes[key] = title, table, note

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        # The visible width changed, or what the overview holds did (figures, language).
        if (watched is self.scroll_area.viewport() and event.type() == QEvent.Type.Resize) or (
            watched is self.overview and event.type() == QEvent.Type.LayoutRequest
        ):
            self._fit_overview()
        return super().eventFilter(watched, event)

    def _fit_overview(self) -> None:
        content = self.scroll_area.widget()
        layout = content.layout() if content is not None else None
        margins = layout.contentsMargins() if layout is not None else None
        sides = margins.left() + margins.right() if margins is not None else 0
        visible = self.scroll_area.viewport().width() - sides
        # Never narrower than the summary table and the smallest charts beside it.
        self.overview.setMaximumWidth(max(visible, self.overview.minimumSizeHint().width()))

    def _formats_number(self, value: int) -> str:
        return self._formats.number(value)

    # ------------------------------------------------------------ language

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def offer_what_the_role_may(self) -> None:
        """Saving and submitting only for a role that may (services.access refuses the
        rest all the same)."""
        actor = self._app.ctx.actor
        self.save_button.setVisible(allowed(actor, Resource.REPORT, Action.EXPORT))
        self.submit_button.setVisible(allowed(actor, Resource.REPORT, Action.SUBMIT))

    def retranslate_ui(self) -> None:
        """Every text of the page in the interface language; the figures stay."""
        self.start_label.setText(_(MSG_FROM))
        self.end_label.setText(_(MSG_TO))
        placeholder = date_placeholder(self._formats)
        for edit, name in ((self.start_edit, MSG_PERIOD_START), (self.end_edit, MSG_PERIOD_END)):
            fit_tibetan(edit)  # the interface font, and so the line height, may have changed
            edit.setPlaceholderText(placeholder)
            edit.setAccessibleName(_(name))
        self.compute_button.setText(_(MSG_COMPUTE))
        for button, text in (
            (self.save_button, MSG_SAVE),
            (self.print_button, MSG_PRINT),
            (self.submit_button, MSG_SUBMIT),
        ):
            button.setText(_(text))
            button.setToolTip(_(text))  # the side panel has a maximum width
        self.submitted_pdf_button.setText(_(MSG_SUBMITTED_PDF))
        self.stations_label.setText(_(MSG_STATIONS))
        self.select_all_button.setText(_(MSG_SELECT_ALL))
        self.select_none_button.setText(_(MSG_SELECT_NONE))
        self.station_list.setAccessibleName(_(MSG_STATIONS_LIST))
        self.placeholder.setText(_(MSG_PLACEHOLDER))
        self.progress.setAccessibleName(_(MSG_COMPUTING))
        self._fill_station_items(self._ticks_to_keep())
        self._render_errors()
        self._render_message()
        self._render_report()

    # ------------------------------------------------------------ stations

    def refresh_stations(self) -> None:
        """Reload the station list, keeping the ticks (new stations ticked when all were)."""
        keep = self._ticks_to_keep()
        actor = self._app.ctx.actor  # a station's people: their own station's figures
        self._stations = [
            s
            for s in self._app.stations.stations()
            if allowed(actor, Resource.REPORT, Action.READ, RecordScope(s.id))
        ]
        self._fill_station_items(keep)

    def _ticks_to_keep(self) -> set[str] | None:
        """The ticked codes, or None when every station is ticked (or none is listed)."""
        ticked = self._ticked_codes()
        if ticked is None or len(ticked) == self.station_list.count():
            return None
        return set(ticked)

    def _ticked_codes(self) -> list[str] | None:
        if self.station_list.count() == 0:
            return None
        return [
            str(item.data(Qt.ItemDataRole.UserRole))
            for item in self._station_items()
            if item.checkState() == Qt.CheckState.Checked
        ]

    def _station_items(self) -> list[QListWidgetItem]:
        return [
            item
            for row in range(self.station_list.count())
            if (item := self.station_list.item(row))
        ]

    def _fill_station_items(self, ticked: set[str] | None) -> None:
        """(Re)build the list in the interface language, ticking `ticked` (None: all)."""
        language = self._languages.current
        metrics = self.station_list.fontMetrics()
        tall = text_line_height(self.station_list.font()) + 6
        short = metrics.height() + 12
        self.station_list.blockSignals(True)
        try:
            self.station_list.clear()
            names = [reader_name(s.name_bo, s.name_zh, language) for s in self._stations]
            for station, name in zip(self._stations, names, strict=True):
                # The name, not the code (in the tooltip); the code too where two stations
                # share a name (德庆镇 of Doilungdêqên and of Dagzê).
                text = name if name and names.count(name) == 1 else f"{name}  {station.code}"
                item = QListWidgetItem(text.strip(), self.station_list)
                item.setData(Qt.ItemDataRole.UserRole, station.code)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
                chosen = ticked is None or station.code in ticked
                item.setCheckState(Qt.CheckState.Checked if chosen else Qt.CheckState.Unchecked)
                item.setToolTip(f"{station.code}  {name}")
                # Tall enough for Tibetan names whatever the interface font.
                height = tall if has_tibetan(text) else short
                item.setSizeHint(QSize(metrics.horizontalAdvance(text) + 40, height))
        finally:
            self.station_list.blockSignals(False)
        widest = max((i.sizeHint().width() for i in self._station_items()), default=120)
        frame = 2 * self.station_list.frameWidth()
        scroll = self.station_list.verticalScrollBar().sizeHint().width()
        buttons = (
            self.select_all_button.sizeHint().width() + self.select_none_button.sizeHint().width()
        )
        actions = max(
            b.sizeHint().width() for b in (self.save_button, self.print_button, self.submit_button)
        )
        width = max(widest + frame + scroll, buttons + 8, actions)
        self.side_panel.setFixedWidth(min(width, STATION_LIST_MAX_WIDTH))

    def _tick_all(self, ticked: bool) -> None:
        state = Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked
        self.station_list.blockSignals(True)
        try:
            for item in self._station_items():
                item.setCheckState(state)
        finally:
            self.station_list.blockSignals(False)
        self._stations_changed()

    def _stations_changed(self, *_args: object) -> None:
        if self._ticked_codes():
            self._field_errors.pop("stations", None)
            self._render_errors()

    def selected_codes(self) -> list[str] | None:
        """The ticked station codes; None when every station is ticked (the report then
        takes every live station, which is also its fastest path)."""
        ticked = self._ticked_codes()
        if ticked is None or len(ticked) == self.station_list.count():
            return None
        return ticked

    # ------------------------------------------------------------ computing

    @property
    def report(self) -> Report | None:
        return self._report

    @property
    def busy(self) -> bool:
        return self._task is not None

    def _read_period(self) -> ReportPeriod | None:
        values: dict[str, date] = {}
        for key, edit in (("start", self.start_edit), ("end", self.end_edit)):
            text = edit.text().strip()
            day = parse_date(text) if text else None
            if not text:
                self._field_errors[key] = Msg(MSG_REQUIRED)
            elif day is None:
                self._field_errors[key] = msg(MSG_BAD_DATE, example=date_example(self._formats))
            else:
                values[key] = day
        if len(values) < 2:
            return None
        if values["end"] < values["start"]:
            self._field_errors["end"] = Msg(MSG_PERIOD_ORDER)
            return None
        return ReportPeriod(values["start"], values["end"])

    def compute(self) -> bool:
        """Check the period and stations and start computing; False (with a message beside
        the field) when they are not right. The figures arrive later, on the GUI thread."""
        self._field_errors.clear()
        period = self._read_period()
        ticked = self._ticked_codes()
        if ticked is not None and not ticked:
            self._field_errors["stations"] = Msg(MSG_NO_STATION)
        self._render_errors()
        if period is None or "stations" in self._field_errors:
            first = self._first_error_widget()
            if first is not None:
                first.setFocus(Qt.FocusReason.OtherFocusReason)
            return False
        self._start(period, self.selected_codes())
        return True

    def _first_error_widget(self) -> QWidget | None:
        order: list[tuple[str, QWidget]] = [
            ("start", self.start_edit),
            ("end", self.end_edit),
            ("stations", self.station_list),
        ]
        return next((w for key, w in order if key in self._field_errors), None)

    def _start(self, period: ReportPeriod, codes: list[str] | None) -> None:
        if self._task is not None:
            self._task.cancelled.set()  # it stops after its current step; its answers are dropped
        self._request += 1
        reports, submitted = self._app.reports, self._submitted

        def work(emit: Callable[[object], None], cancelled: threading.Event) -> None:
            report = reports.compute(period, codes)
            emit(_ReportReady(report))
            if not cancelled.is_set():
                emit(_TrendReady(reports.trend(period, codes)))
            if not cancelled.is_set():
                try:
                    emit(_RevisionReady(submitted.revision(report)))
                except StationError as problem:  # counted by older rules
                    emit(_RevisionReady(None, problem))

        task = _Task(self._request, work)
        task.signals.progress.connect(self._on_progress)
        task.signals.failed.connect(self._on_failed)
        task.signals.done.connect(self._on_done)
        self._task = task
        self._message = None
        self._status = Msg(MSG_COMPUTING)
        self.progress.setRange(0, 3)  # the report, its trend, what changed since submitted
        self.progress.setValue(0)
        self.progress.show()
        self.print_button.setEnabled(False)
        self.submit_button.setEnabled(False)
        self._render_message()
        self._pool.start(task)

    def _on_progress(self, payload: tuple[int, object]) -> None:
        number, event = payload
        if number != self._request:
            return  # an answer to an older request
        self.progress.setValue(self.progress.value() + 1)
        if isinstance(event, _ReportReady):
            self._report = event.report
            self._buckets = trend_periods(event.report.period)
            self._trend = None
            self._revision = None
            self.save_button.setEnabled(True)
            self.results.setCurrentWidget(self.scroll_area)
            self._render_report()
        elif isinstance(event, _TrendReady):  # the trend of the report just shown
            self._trend = event.trend
            self._render_trend()
        elif isinstance(event, _RevisionReady):  # printing and submitting need it too
            self._revision = event
            self.print_button.setEnabled(True)
            self.submit_button.setEnabled(True)
            self._render_revision()

    def _on_failed(self, payload: tuple[int, BaseException]) -> None:
        number, error = payload
        if number != self._request:
            return
        self._show_error(error)
        if isinstance(error, NotFound):
            self.refresh_stations()  # a station was removed since the list was read

    def _on_done(self, number: int) -> None:
        if self._task is not None and number == self._task.number:
            self._task = None
        if number == self._request:
            self.progress.hide()
            self._status = None
            self._render_message()

    def _show_error(self, error: BaseException) -> None:
        if isinstance(error, StationError):
            self._message = (Msg(error.message, tuple(error.params.items())), True)
        else:  # a bug: say so plainly here, and give the details to the crash handler
            self._message = (Msg(MSG_FAILED), True)
            sys.excepthook(type(error), error, error.__traceback__)
        self._render_message()

    def cancel_work(self) -> None:
        """Stop at the next step and wait for the workers (the application is closing)."""
        if self._task is not None:
            self._task.cancelled.set()
        self._request += 1  # whatever still arrives is dropped
        self.wait_for_work()
        self.progress.hide()
        self._status = None
        self._render_message()

    def wait_for_work(self, msecs: int = -1) -> bool:
        """Wait for running work; True when none is left."""
        return self._pool.waitForDone(msecs) and self._save_pool.waitForDone(msecs)

    # ------------------------------------------------------------ saving

    def print_report(self) -> RenderJob | None:
        """The shown report (and its trend) as a PDF in the print preview, where it can be
        printed or saved; made off the GUI thread. None when there is nothing to print."""
        report, trend, revision = self._report, self._trend, self._revision
        if report is None or trend is None or revision is None:
            return None
        names = station_names(self._stations)
        if self._pdf is None:
            from station_desktop.services.report_pdf import ReportPdfService  # noqa: PLC0415

            self._pdf = ReportPdfService(self._app.ctx, self._catalogues)
        pdf = self._pdf

        def produce() -> RenderedPdf:
            return pdf.render(report, trend, names=names, revision=revision.revision)

        file_name = f"report-{report.period.start}-{report.period.end}.pdf"
        return preview(self, produce, file_name)  # the job is a child of the page

    def mark_submitted(self) -> bool:
        """Ask, then keep the shown report (and its PDF) as submitted to the bureau, on a
        worker thread; False when there is nothing to submit or the user said no."""
        report, trend = self._report, self._trend
        if report is None or trend is None or self._revision is None:
            return False
        answer = QMessageBox.question(
            self,
            _(MSG_SUBMIT).rstrip("…"),
            _(MSG_SUBMIT_QUESTION),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return False
        names = station_names(self._stations)
        submitted = self._submitted

        def work(emit: Callable[[object], None], cancelled: threading.Event) -> None:
            del cancelled  # kept whole or not at all (one transaction)
            emit(_Submitted(submitted.submit(report, trend, names=names)))

        self._save_request += 1
        task = _Task(self._save_request, work)
        task.signals.progress.connect(self._on_submitted)
        task.signals.failed.connect(self._on_save_failed)
        self._save_task = task
        self.submit_button.setEnabled(False)
        task.signals.done.connect(self._on_save_done)
        self._save_pool.start(task)
        return True

    def _on_submitted(self, payload: tuple[int, object]) -> None:
        _number, event = payload
        if not isinstance(event, _Submitted):
            return
        summary = event.summary
        report = self._report
        if report is not None and report.period == summary.period:
            # The copy just kept is the one later reports are compared with.
            self._revision = _RevisionReady(Revision(summary.id, summary.submitted_on, (), ()))
            self._render_revision()
        when = self._formats.date(summary.submitted_on)
        self._message = (msg(MSG_SUBMITTED_NOW, date=when), False)
        self._render_message()

    def open_submitted_pdf(self) -> RenderJob | None:
        """The PDF of the latest submission of the shown period, exactly as it was kept."""
        ready = self._revision
        if ready is None or ready.revision is None:
            return None
        submitted, submitted_id = self._submitted, ready.revision.submitted_id

        def produce() -> RenderedPdf:
            from station_desktop.pdf.page import RenderedPdf  # noqa: PLC0415

            return RenderedPdf(submitted.pdf(submitted_id), 0)

        day = ready.revision.submitted_on.isoformat()
        return preview(self, produce, f"report-submitted-{day}.pdf")

    def save_spreadsheet(self) -> bool:
        """Ask where, then write the shown report as .xlsx on a worker thread; False when
        there is nothing to save or the user cancelled."""
        report = self._report
        if report is None:
            return False
        settings = QSettings()
        folder = str(settings.value(SETTINGS_DIR_KEY, str(Path.home())))
        suggested = Path(folder) / f"report-{report.period.start}-{report.period.end}.xlsx"
        chosen, _filter = QFileDialog.getSaveFileName(
            self, _(MSG_SAVE_TITLE), str(suggested), _(MSG_XLSX_FILTER)
        )
        if not chosen:
            return False
        path = Path(chosen)
        if path.suffix.lower() != ".xlsx":
            path = path.with_name(path.name + ".xlsx")
        settings.setValue(SETTINGS_DIR_KEY, str(path.parent))
        names = station_names(self._stations)
        catalogues = self._catalogues

        def work(emit: Callable[[object], None], cancelled: threading.Event) -> None:
            del cancelled  # a save is short, and half a save is never left behind
            write_xlsx(report, path, catalogues, station_names=names)
            emit(_Saved(path))

        self._save_request += 1
        task = _Task(self._save_request, work)
        task.signals.progress.connect(self._on_saved)
        task.signals.failed.connect(self._on_save_failed)
        self._save_task = task
        self.save_button.setEnabled(False)
        task.signals.done.connect(self._on_save_done)
        self._save_pool.start(task)
        return True

    def _on_saved(self, payload: tuple[int, object]) -> None:
        _number, event = payload
        if isinstance(event, _Saved):
            self._message = (msg(MSG_SAVED, path=str(event.path)), False)
            self._render_message()

    def _on_save_failed(self, payload: tuple[int, BaseException]) -> None:
        self._show_error(payload[1])

    def _on_save_done(self, number: int) -> None:
        del number
        self._save_task = None
        self.save_button.setEnabled(self._report is not None)
        self.submit_button.setEnabled(self._report is not None and self._revision is not None)

    # ------------------------------------------------------------ showing

    def _render_errors(self) -> None:
        for key, label in (
            ("start", self.start_error),
            ("end", self.end_error),
            ("stations", self.station_error),
        ):
            error = self._field_errors.get(key)
            text = "" if error is None else _(error.message, **error.kwargs())
            label.setText(text)
            label.setVisible(bool(text))
        for key, widget in (("start", self.start_edit), ("end", self.end_edit)):
            error = self._field_errors.get(key)
            widget.setAccessibleDescription(
                "" if error is None else _(error.message, **error.kwargs())
            )

    def _render_message(self) -> None:
        status = "" if self._status is None else _(self._status.message, **self._status.kwargs())
        self.status_label.setText(status)
        self.status_label.setToolTip(status)
        self.status_label.setVisible(bool(status))
        if self._message is None:
            self.message_label.hide()
            return
        shown, is_error = self._message
        if is_error:
            paint_as_error(self.message_label)
        else:
            self.message_label.setPalette(self.palette())
        self.message_label.setText(_(shown.message, **shown.kwargs()))
        self.message_label.show()

    def _render_report(self) -> None:
        report = self._report
        if report is None:
            self.results.setCurrentWidget(self.placeholder)
            self.shown_label.hide()
            return
        self.shown_label.setText(self._shown_text(report))
        self.shown_label.show()
        for table in report_tables(report, station_names(self._stations)):
            widget = self.tables.get(table.key)
            if widget is None:
                continue
            self._table_titles[table.key].setText(_(table.title))
            widget.setAccessibleName(_(table.title))
            widget.show_table(table)
            note = self._table_notes[table.key]
            note.setText(_(table.note) if table.note else "")
            note.setVisible(bool(table.note))
        self._render_groups(report)
        self._render_trend()
        self._render_revision()

    def _render_revision(self) -> None:
        """What changed since the shown period was last submitted, above the figures."""
        ready = self._revision
        if ready is None or (ready.revision is None and ready.problem is None):
            self.revision_box.hide()
            return
        self.revision_box.show()
        revision, problem = ready.revision, ready.problem
        if revision is None:
            assert problem is not None
            self.revision_label.setText(_(problem.message, **problem.params))
            self.submitted_pdf_button.hide()
            for key in ("changed_since_submitted", "why_changed"):
                self._show_table(key, None)
            return
        when = self._formats.date(revision.submitted_on)
        if revision.changed:
            count = self._formats.number(len(revision.differences))
            self.revision_label.setText(_(MSG_SUBMITTED_CHANGED, date=when, count=count))
        else:
            self.revision_label.setText(_(MSG_SUBMITTED_SAME, date=when))
        self.submitted_pdf_button.show()
        tables = {t.key: t for t in revision_tables(revision)} if revision.changed else {}
        for key in ("changed_since_submitted", "why_changed"):
            self._show_table(key, tables.get(key))

    def _show_table(self, key: str, table: Table | None) -> None:
        widget, title, note = self.tables[key], self._table_titles[key], self._table_notes[key]
        widget.show_table(table)
        for part in (widget, title):
            part.setVisible(table is not None)
        title.setText(_(table.title) if table is not None else "")
        note.setText(_(table.note) if table is not None and table.note else "")
        note.setVisible(bool(note.text()))

    def _shown_text(self, report: Report) -> str:
        period = report.period
        shown = _(
            PERIOD_LINE,
            start=self._formats.date(period.start),
            end=self._formats.date(period.end),
            days=self._formats.number(period.days),
        )
        codes = list(report.stations)
        listed = ", ".join(codes[:SHOWN_STATION_CODES])
        if len(codes) > SHOWN_STATION_CODES:
            listed += ", …"
        stations = _(STATIONS_LINE, count=self._formats.number(len(codes)), codes=listed)
        return f"{shown} · {stations}"

    def _render_groups(self, report: Report) -> None:
        self.group_title.setText(_(MSG_BY_GROUP))
        self.group_chart.setAccessibleName(_(MSG_BY_GROUP))
        self.group_chart.set_empty_text(_(MSG_NOTHING))
        self.group_note.setText(_(NOTE_OVERLAP))
        formats = self._formats
        self.group_chart.set_bars(
            [
                Bar(
                    cell_display(formats, share.label),
                    float(share.people),
                    f"{formats.number(share.people)} · {share_text(formats, share.share)}",
                )
                for share in priority_group_shares(report.totals)
            ]
        )

    def _render_trend(self) -> None:
        trend = self._trend
        yearly = is_yearly(self._buckets)
        title = _(MSG_TREND_YEARS if yearly else MSG_TREND_MONTHS)
        self.trend_title.setText(title)
        self.trend_chart.setAccessibleName(title)
        self.trend_chart.set_empty_text(_(MSG_NOTHING))
        # Months of several years are grouped under their year.
        grouped = not yearly and len({b.start.year for b in self._buckets}) > 1
        today = self._app.ctx.today()
        bars = []
        for index, bucket in enumerate(self._buckets):
            label = bucket_label(self._formats, bucket, yearly=yearly)
            group = year_label(self._formats, bucket.start.year) if grouped else ""
            if bucket.start > today:
                bars.append(Bar(label, 0.0, "", group))  # the future: nothing to count
            elif trend is not None:
                visits = trend.buckets[index].home_visits
                bars.append(Bar(label, float(visits), self._formats.number(visits), group))
            else:
                bars.append(Bar(label, None, "", group))  # still being computed
        self.trend_chart.set_bars(bars)


def _embolden(label: QLabel) -> None:
    font = QFont(label.font())
    font.setBold(True)
    label.setFont(font)
