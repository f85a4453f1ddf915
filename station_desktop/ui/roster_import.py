"""File → Import a roster… and File → Export as spreadsheet.

The import dialog: choose a file (and a sheet), see how each column was read and correct
it, choose the priority group (the file's category column, or one group for everyone)
and since when, and look at the preview: how many residents are added, how many
registered residents gain the group, and every refused row with its reasons, by row
number. Import writes the good rows in one transaction; Cancel writes nothing. Reading,
previewing and importing run in a worker thread with a progress bar; any change of the
choices previews again. The screen talks to the services only, in plain values.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from station_desktop.app import Application
from station_desktop.domain.codes import PriorityGroup
from station_desktop.errors import StationError
from station_desktop.forms.validate import parse_date
from station_desktop.i18n import N_, _, ngettext
from station_desktop.roster.columns import FIELD_LABELS, RosterField
from station_desktop.roster.reader import sheet_names
from station_desktop.services.access import Action, Actor, Resource, allowed
from station_desktop.services.list_export import EXPORT_KINDS, KIND_TITLES, ListExportService
from station_desktop.services.listing import KIND_RESOURCES
from station_desktop.services.roster_import import (
    ImportCancelled,
    ImportChoices,
    ImportPreview,
    ImportResult,
    Person,
    RosterImportService,
    RosterSource,
)
from station_desktop.ui.fonts import fit_tibetan
from station_desktop.ui.forms.fields import paint_as_error
from station_desktop.ui.qt_i18n import LanguageSwitcher
from station_desktop.ui.table_models import filling, size_rows
from station_desktop.ui.window_state import remember_geometry

PREVIEW_DELAY_MS = 300
FILE_FILTER = N_("Spreadsheets (*.xlsx *.xls *.csv)")
XLSX_FILTER = N_("Excel workbook (*.xlsx)")
STAGES = {
    "read": N_("Reading the file… {done} rows"),
    "check": N_("Checking the rows… {done} of {total}"),
    "write": N_("Importing… {done} of {total}"),
}


class Job(QObject):
    """Work in a worker thread; results arrive in the GUI thread (queued signals). The
    work is given a progress callback, which raises ImportCancelled once cancelled."""

    progressed = Signal(str, int, int)
    done = Signal(object)
    failed = Signal(object)
    stopped = Signal()

    def __init__(self, work: Callable[[Callable[[str, int, int], None]], object]) -> None:
        super().__init__()
        self._work = work
        self._cancel = threading.Event()
        self._thread = threading.Thread(target=self._run, name="roster", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def cancel(self) -> None:
        self._cancel.set()

    def wait(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    def is_running(self) -> bool:
        return self._thread.is_alive()

    def _progress(self, stage: str, done: int, total: int) -> None:
        if self._cancel.is_set():
            raise ImportCancelled
        self.progressed.emit(stage, done, total)

    def _run(self) -> None:
        try:
            result = self._work(self._progress)
        except ImportCancelled:
            self.stopped.emit()
        except Exception as error:  # shown in the GUI thread (a StationError) or raised there
            self.failed.emit(error)
        else:
            self.stopped.emit() if self._cancel.is_set() else self.done.emit(result)


def _table(columns: int) -> QTableWidget:
    table = QTableWidget(0, columns)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    table.setWordWrap(True)
    return table


def _fill(table: QTableWidget, rows: list[list[str]]) -> None:
    with filling(table):
        table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                table.setItem(r, c, QTableWidgetItem(text))
        size_rows(table)


def _person_cells(person: Person) -> list[str]:
    return [
        str(person.row) if person.row is not None else "",
        person.name_bo,
        person.name_zh,
        person.birth_date.isoformat() if person.birth_date else "",
        person.area_code,
    ]


class RosterImportDialog(QDialog):
    imported = Signal(object)  # the ImportResult

    def __init__(
        self,
        app: Application,
        languages: LanguageSwitcher,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._app = app
        self._languages = languages
        self._service = RosterImportService(app.ctx)
        self.source: RosterSource | None = None
        self.preview: ImportPreview | None = None
        self.import_result: ImportResult | None = None
        self.job: Job | None = None
        self._next: Callable[[], None] | None = None  # work asked for while a job runs
        self._problem: str = ""
        self._mapping_combos: list[tuple[int, QComboBox]] = []
        self._build()
        self.resize(1100, 720)
        remember_geometry(self, "roster_import")
        qt_app = QCoreApplication.instance()
        if qt_app is not None:  # never leave a worker reading a store that is closing
            qt_app.aboutToQuit.connect(self._cancel_job)
        self.retranslate_ui()

    # ------------------------------------------------------------ layout

    def _build(self) -> None:
        self.file_label, self.file_edit = QLabel(self), QLineEdit(self)
        self.file_edit.setReadOnly(True)
        self.choose_button = QPushButton(self)
        self.choose_button.clicked.connect(self.choose_file)
        self.sheet_label, self.sheet_combo = QLabel(self), QComboBox(self)
        self.sheet_combo.activated.connect(lambda _index: self._read())
        self.group_label, self.group_combo = QLabel(self), QComboBox(self)
        self.group_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.group_combo.setMinimumContentsLength(18)
        self.group_combo.currentIndexChanged.connect(lambda _index: self._preview_soon())
        self.since_label, self.since_edit = QLabel(self), QLineEdit(self)
        self.since_edit.setText(self._app.ctx.today().isoformat())
        self.since_edit.setMaximumWidth(220)
        self.since_edit.textEdited.connect(lambda _text: self._preview_soon())
        for label, widget in (
            (self.file_label, self.file_edit),
            (self.sheet_label, self.sheet_combo),
            (self.group_label, self.group_combo),
            (self.since_label, self.since_edit),
        ):
            label.setBuddy(widget)
        choices = QGridLayout()
        choices.addWidget(self.file_label, 0, 0)
        choices.addWidget(self.file_edit, 0, 1, 1, 3)
        choices.addWidget(self.choose_button, 0, 4)
        choices.addWidget(self.sheet_label, 1, 0)
        choices.addWidget(self.sheet_combo, 1, 1)
        choices.addWidget(self.group_label, 1, 2)
        choices.addWidget(self.group_combo, 1, 3)
        choices.addWidget(self.since_label, 2, 2)
        choices.addWidget(self.since_edit, 2, 3)
        choices.setColumnStretch(1, 1)
        choices.setColumnStretch(3, 2)

        self.columns_label = QLabel(self)
        self.columns_label.setWordWrap(True)
        self.mapping_table = _table(3)
        self.mapping_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.summary_label = QLabel(self)
        self.summary_label.setWordWrap(True)
        self.problem_label = QLabel(self)
        self.problem_label.setWordWrap(True)
        paint_as_error(self.problem_label)
        self.problem_label.hide()
        self.refused_table = _table(3)
        # The reason takes the width left and wraps (a reason can be two sentences long).
        self.refused_table.horizontalHeader().setSectionResizeMode(
            2, QHeaderView.ResizeMode.Stretch
        )
        self.refused_table.horizontalHeader().sectionResized.connect(
            lambda *_args: self.refused_table.resizeRowsToContents()
        )
        self.added_table = _table(5)
        self.joining_table = _table(5)
        self.gone_table = _table(5)
        self.tabs = QTabWidget(self)
        for table in (self.refused_table, self.added_table, self.joining_table, self.gone_table):
            self.tabs.addTab(table, "")
        upper = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(self.columns_label)
        left.addWidget(self.mapping_table, 1)
        right = QVBoxLayout()
        right.addWidget(self.summary_label)
        right.addWidget(self.problem_label)
        right.addWidget(self.tabs, 1)
        upper.addLayout(left, 2)
        upper.addLayout(right, 3)

        self.progress = QProgressBar(self)
        self.progress.setTextVisible(False)
        self.progress.setMaximumWidth(200)
        self.progress.hide()
        self.status_label = QLabel(self)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.import_button = QPushButton(self)
        self.import_button.setEnabled(False)
        self.buttons.addButton(self.import_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.import_rows)
        self.buttons.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.progress)
        bottom.addWidget(self.status_label, 1)
        bottom.addWidget(self.buttons)

        layout = QVBoxLayout(self)
        layout.addLayout(choices)
        layout.addLayout(upper, 1)
        layout.addLayout(bottom)
        self._timer = QTimer(self, singleShot=True, interval=PREVIEW_DELAY_MS)
        self._timer.timeout.connect(self._preview)

    # ------------------------------------------------------------ language

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def retranslate_ui(self) -> None:
        self.setWindowTitle(_("Import a roster"))
        self.file_label.setText(_("File:"))
        self.choose_button.setText(_("Choose…"))
        self.sheet_label.setText(_("Sheet:"))
        self.group_label.setText(_("Priority group:"))
        self.since_label.setText(_("Member since:"))
        fit_tibetan(self.since_edit)
        fit_tibetan(self.file_edit)
        self.import_button.setText(_("Import"))
        self.columns_label.setText(_("How the columns are read (correct any that are wrong):"))
        self.mapping_table.setHorizontalHeaderLabels(
            [_("Column in the file"), _("Read as"), _("First values")]
        )
        self.refused_table.setHorizontalHeaderLabels([_("Row"), _("Column"), _("Reason")])
        person_headers = [_("Row"), _("Tibetan name"), _("Chinese name")]
        person_headers += [_("Date of birth"), _("Village or community")]
        for table in (self.added_table, self.joining_table, self.gone_table):
            table.setHorizontalHeaderLabels(person_headers)
        self.mapping_table.setAccessibleName(_("How the columns are read"))
        self.refused_table.setAccessibleName(_("Refused rows"))
        self._fill_groups()
        self._show_mapping()
        self._show_preview()

    def _fill_groups(self) -> None:
        current = self.group_combo.currentData()
        self.group_combo.blockSignals(True)
        self.group_combo.clear()
        self.group_combo.addItem(_("From the file's category column (人员类别)"), None)
        for group in PriorityGroup:
            self.group_combo.addItem(_(group.label), group.value)
        self.group_combo.setCurrentIndex(max(0, self.group_combo.findData(current)))
        self.group_combo.blockSignals(False)

    # ------------------------------------------------------------ the file

    def choose_file(self) -> None:
        chosen, _filter = QFileDialog.getOpenFileName(
            self, _("Import a roster"), str(Path.home()), _(FILE_FILTER)
        )
        if chosen:
            self.open_file(Path(chosen))

    def open_file(self, path: Path) -> None:
        """Read `path` (its first sheet), then preview it."""
        self.file_edit.setText(str(path))
        try:
            sheets = sheet_names(path)
        except StationError as error:
            self._show_failure(error)
            return
        self.sheet_combo.blockSignals(True)
        self.sheet_combo.clear()
        self.sheet_combo.addItems(list(sheets))
        self.sheet_combo.blockSignals(False)
        self._read()

    def _read(self) -> None:
        path = Path(self.file_edit.text())
        sheet = self.sheet_combo.currentText() or None
        service = self._service
        self.source, self.preview = None, None
        self._run(
            lambda progress: service.read(path, sheet, progress),
            self._source_read,
        )

    def _source_read(self, source: object) -> None:
        assert isinstance(source, RosterSource)
        self.source = source
        self._show_mapping()
        self._preview()

    def _show_mapping(self) -> None:
        source = self.source
        self._mapping_combos = []
        if source is None:
            self.mapping_table.setRowCount(0)
            return
        mapping = self._current_mapping() or dict(source.mapping)
        self.mapping_table.setRowCount(len(source.columns))
        for row, column in enumerate(source.columns):
            self.mapping_table.setItem(row, 0, QTableWidgetItem(column.heading))
            self.mapping_table.setItem(row, 2, QTableWidgetItem("、".join(column.samples)))
            combo = QComboBox()
            for field in RosterField:
                combo.addItem(_(FIELD_LABELS[field]), field.value)
            chosen = mapping.get(column.index, RosterField.SKIP)
            combo.setCurrentIndex(combo.findData(chosen.value))
            combo.setAccessibleName(_("Read {column} as", column=column.heading))
            combo.currentIndexChanged.connect(self._mapping_changed)
            self.mapping_table.setCellWidget(row, 1, combo)
            self._mapping_combos.append((column.index, combo))
        size_rows(self.mapping_table)

    def _current_mapping(self) -> dict[int, RosterField]:
        fields = {f.value: f for f in RosterField}
        return {
            index: fields[str(combo.currentData())]
            for index, combo in self._mapping_combos
            if combo.currentData() != RosterField.SKIP.value
        }

    def set_column(self, heading: str, field: RosterField) -> None:
        """Read the column `heading` as `field` (as choosing it in its list does)."""
        assert self.source is not None
        for (index, combo), column in zip(self._mapping_combos, self.source.columns, strict=True):
            if column.heading == heading and index == column.index:
                combo.setCurrentIndex(combo.findData(field.value))

    def _mapping_changed(self) -> None:
        # A field belongs to one column: choosing it for one frees the column that had it.
        sender = self.sender()
        if isinstance(sender, QComboBox) and sender.currentData() != RosterField.SKIP.value:
            for _index, combo in self._mapping_combos:
                if combo is not sender and combo.currentData() == sender.currentData():
                    combo.blockSignals(True)
                    combo.setCurrentIndex(combo.findData(RosterField.SKIP.value))
                    combo.blockSignals(False)
        self._preview_soon()

    # ------------------------------------------------------------ the preview

    def _choices(self) -> ImportChoices | None:
        group = self.group_combo.currentData()
        since = parse_date(self.since_edit.text())
        if since is None:
            return None
        return ImportChoices(
            self._current_mapping(),
            PriorityGroup.parse(group) if group else None,
            since,
        )

    def _preview_soon(self) -> None:
        self.import_button.setEnabled(False)
        self._timer.start()

    def _preview(self) -> None:
        source, choices = self.source, self._choices()
        if source is None:
            return
        if choices is None:
            self._problem = _("Not a date. Type it like {example}.", example="2026-05-30")
            self._show_preview()
            return
        self._problem = ""
        service = self._service
        self._run(lambda progress: service.preview(source, choices, progress), self._previewed)

    def _previewed(self, preview: object) -> None:
        assert isinstance(preview, ImportPreview)
        self.preview = preview
        self._show_preview()

    def _show_preview(self) -> None:
        preview = self.preview
        problem = self._problem
        if preview is not None and preview.problem is not None:
            problem = _(preview.problem.message, **preview.problem.params)
        self.problem_label.setText(problem)
        self.problem_label.setVisible(bool(problem))
        if preview is None:
            self.summary_label.setText(
                _("Choose a roster file: .xlsx, .xls or .csv.") if self.source is None else ""
            )
            for table in (self.refused_table, self.added_table, self.joining_table):
                table.setRowCount(0)
            self.gone_table.setRowCount(0)
            self._tab_titles(0, 0, 0, 0)
            self.import_button.setEnabled(False)
            return
        self.summary_label.setText(self._summary(preview))
        _fill(
            self.refused_table,
            [[str(r.row), r.column, _(r.message, **r.params)] for r in preview.refused],
        )
        _fill(self.added_table, [_person_cells(p) for p in preview.added])
        _fill(self.joining_table, [_person_cells(p) for p in preview.joining])
        _fill(self.gone_table, [_person_cells(p) for p in preview.gone])
        self._tab_titles(
            len(preview.refused_rows), len(preview.added), len(preview.joining), len(preview.gone)
        )
        self.import_button.setEnabled(preview.writes_anything and not problem)

    def _tab_titles(self, refused: int, added: int, joining: int, gone: int) -> None:
        titles = (
            _("Refused rows ({count})", count=refused),
            _("To add ({count})", count=added),
            _("Gain the group ({count})", count=joining),
            _("No longer on the list ({count})", count=gone),
        )
        for index, title in enumerate(titles):
            self.tabs.setTabText(index, title)

    @staticmethod
    def _summary(preview: ImportPreview) -> str:
        groups = "、".join(_(g.label) for g in preview.groups) or _("none")
        lines = [
            _("Priority group: {groups}", groups=groups),
            ngettext(
                "{n} resident will be added.", "{n} residents will be added.", len(preview.added)
            ),
            ngettext(
                "{n} registered resident gains the group.",
                "{n} registered residents gain the group.",
                len(preview.joining),
            ),
            ngettext("{n} is on it already.", "{n} are on it already.", len(preview.unchanged)),
            ngettext(
                "{n} row cannot be taken (see below): import the others, or correct the "
                "file and choose it again.",
                "{n} rows cannot be taken (see below): import the others, or correct the "
                "file and choose it again.",
                len(preview.refused_rows),
            ),
        ]
        if preview.gone:
            lines.append(
                ngettext(
                    "{n} member of the group is no longer on this list; nothing is changed "
                    "for them.",
                    "{n} members of the group are no longer on this list; nothing is changed "
                    "for them.",
                    len(preview.gone),
                )
            )
        return " ".join(lines)  # one paragraph: Tibetan lines are tall, the tables need room

    # ------------------------------------------------------------ importing

    def import_rows(self) -> None:
        preview = self.preview
        if preview is None or not preview.writes_anything:
            return
        service = self._service
        self._run(lambda progress: service.commit(preview, progress), self._imported)

    def _imported(self, result: object) -> None:
        assert isinstance(result, ImportResult)
        self.import_result = result
        self.imported.emit(result)
        QMessageBox.information(
            self,
            _("Import a roster"),
            _(
                "Imported: {added} residents added, {joined} gained the group, "
                "{households} households.",
                added=result.added,
                joined=result.joined,
                households=result.households,
            ),
        )
        self.accept()

    # ------------------------------------------------------------ the worker

    def _run(self, work: Callable[[Callable[[str, int, int], None]], object], then: Any) -> None:
        """Start `work` in a worker; if one is running, cancel it and start after it."""
        if self.job is not None and self.job.is_running():
            self.job.cancel()
            self._next = lambda: self._run(work, then)
            return
        self._next = None
        job = Job(work)
        job.progressed.connect(self._progressed)
        job.done.connect(then)
        job.failed.connect(self._failed)
        for signal in (job.done, job.failed, job.stopped):
            signal.connect(self._job_ended)
        self.job = job
        self.import_button.setEnabled(False)
        self.progress.setRange(0, 0)
        self.progress.show()
        self.status_label.setText("")
        job.start()

    def _progressed(self, stage: str, done: int, total: int) -> None:
        if total:
            self.progress.setRange(0, total)
            self.progress.setValue(done)
        self.status_label.setText(_(STAGES[stage], done=done, total=total))

    def _job_ended(self, *_args: object) -> None:
        self.progress.hide()
        self.status_label.setText("")
        if self._next is not None:
            self._next()

    def _failed(self, error: object) -> None:
        if isinstance(error, StationError):
            self._show_failure(error)
            return
        raise error if isinstance(error, BaseException) else RuntimeError(error)

    def _show_failure(self, error: StationError) -> None:
        self.preview = None
        self._problem = _(error.message, **error.params)
        self._show_preview()

    def _cancel_job(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.job.wait(10)

    def done(self, result: int) -> None:  # Qt override: every way the dialog closes
        self._timer.stop()
        if result == QDialog.DialogCode.Rejected:
            self._cancel_job()  # an import cancelled mid-way writes nothing
        super().done(result)


class FileMenu(QMenu):
    """File → Import a roster…, Export as spreadsheet ▸ a list."""

    roster_imported = Signal()

    def __init__(
        self, app: Application, languages: LanguageSwitcher, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._app = app
        self._languages = languages
        self.import_action = QAction(self)
        self.import_action.triggered.connect(lambda: self.open_import())  # noqa: PLW0108
        self.addAction(self.import_action)
        self.export_menu = QMenu(self)
        self.export_actions: dict[str, QAction] = {}
        for kind in EXPORT_KINDS:
            action = QAction(self)
            action.triggered.connect(self._exporter(kind))
            self.export_menu.addAction(action)
            self.export_actions[kind] = action
        self.addMenu(self.export_menu)
        self.export_job: Job | None = None

    def retranslate_ui(self) -> None:
        self.setTitle(_("&File"))
        self.import_action.setText(_("Import a roster…"))
        self.export_menu.setTitle(_("Export as spreadsheet"))
        for kind, action in self.export_actions.items():
            action.setText(_("{list}…", list=_(KIND_TITLES[kind])))

    def offer_what_the_role_may(self, actor: Actor) -> None:
        self.import_action.setVisible(allowed(actor, Resource.ROSTER, Action.IMPORT))
        for kind, action in self.export_actions.items():
            action.setVisible(allowed(actor, KIND_RESOURCES[kind], Action.EXPORT))
        self.export_menu.menuAction().setVisible(
            any(action.isVisible() for action in self.export_actions.values())
        )

    def open_import(self, path: Path | None = None) -> RosterImportDialog:
        dialog = RosterImportDialog(self._app, self._languages, self.parentWidget())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.imported.connect(lambda _result: self.roster_imported.emit())
        dialog.open()
        if path is not None:
            dialog.open_file(path)
        return dialog

    def _exporter(self, kind: str) -> Callable[[], None]:
        def export() -> None:
            self.export_list(kind)

        return export

    def export_list(self, kind: str, path: Path | None = None) -> Job | None:
        """Save the list `kind` as a workbook (asks where unless `path` is given)."""
        parent = self.parentWidget()
        if path is None:
            suggested = Path.home() / f"{_(KIND_TITLES[kind])}.xlsx"
            chosen, _filter = QFileDialog.getSaveFileName(
                parent, _("Export as spreadsheet"), str(suggested), _(XLSX_FILTER)
            )
            if not chosen:
                return None
            path = Path(chosen)
        from station_desktop.i18n import Catalogues  # noqa: PLC0415

        service = ListExportService(self._app.ctx, Catalogues())
        target = path
        job = Job(lambda _progress: service.write(kind, target))
        job.done.connect(lambda count: self._exported(target, count))
        job.failed.connect(self._export_failed)
        self.export_job = job
        job.start()
        return job

    def _exported(self, path: Path, count: object) -> None:
        window = self.parentWidget()
        if window is not None and hasattr(window, "statusBar"):
            window.statusBar().showMessage(
                _("{path}: {count} rows", path=str(path), count=count), 10_000
            )

    def _export_failed(self, error: object) -> None:
        if not isinstance(error, StationError):
            raise error if isinstance(error, BaseException) else RuntimeError(error)
        QMessageBox.warning(
            self.parentWidget(), _("Export as spreadsheet"), _(error.message, **error.params)
        )
