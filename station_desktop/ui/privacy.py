"""The Privacy menu: what this laptop holds about the selected resident (a PIPL access
request, printed in both languages), and the retention purge with a confirmation that
lists every record whose values it will empty."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QAction, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMenu,
    QMessageBox,
    QProgressBar,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from station_desktop.errors import StationError
from station_desktop.i18n import N_, _
from station_desktop.ui.sync.job import Report, SyncJob, raise_unexpected
from station_desktop.ui.window_state import fit_to_screen, remember_geometry

if TYPE_CHECKING:
    from station_desktop.app import Application
    from station_desktop.services.privacy import PurgeItem, PurgeSummary
    from station_desktop.ui.print_preview import RenderJob
    from station_desktop.ui.qt_i18n import LanguageSwitcher

MSG_MENU = N_("P&rivacy")
MSG_ACCESS = N_("What this laptop holds about the selected resident…")
MSG_PURGE = N_("Records past their retention period…")
MSG_CHOOSE_RESIDENT = N_("Choose a resident in the list of residents first.")
MSG_PURGE_TITLE = N_("Records past their retention period")
MSG_NOTHING_DUE = N_("Nothing is due: no record has outlived its retention period.")
MSG_PURGE_INTRO = N_(
    "These {count} records have outlived their retention period. Emptying removes the "
    "values named here for good: from the records, from the change log, and from the other "
    "laptops with the next bundles. Dates, codes and counts stay, so past figures do not "
    "change."
)
MSG_PURGE_BUTTON = N_("Empty these values")
MSG_PURGED = N_("{records} records emptied, and {entries} change-log entries with them.")
MSG_PURGING = N_(
    "Emptying {count} records. This can take a minute. It is one step: if the laptop stops "
    "before the end, nothing has been emptied."
)
PURGE_HEADERS = (N_("Kind"), N_("Record"), N_("Kept since"), N_("Values to empty"))


def field_labels() -> dict[str, dict[str, str]]:
    """Each table's field labels (message ids), from the forms that write it."""
    from station_desktop.sync.entries import FORMS_OF_TABLES  # noqa: PLC0415

    labels: dict[str, dict[str, str]] = {}
    for table, forms in FORMS_OF_TABLES.items():
        for form in forms:
            for spec in form.fields():
                labels.setdefault(table, {}).setdefault(spec.key, spec.label)
    return labels


class PurgeDialog(QDialog):
    """Lists what a purge will empty; empties it only when the person says so."""

    def __init__(
        self,
        app: Application,
        items: list[PurgeItem],
        languages: LanguageSwitcher,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._app = app
        self.items = items
        self._languages = languages
        self._labels = field_labels()
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.table = QTableWidget(len(items), len(PURGE_HEADERS), self)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setWordWrap(True)
        self.table.setTextElideMode(Qt.TextElideMode.ElideNone)  # long Tibetan lists wrap
        self.table.horizontalHeader().sectionResized.connect(
            lambda *_args: self.table.resizeRowsToContents()
        )
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.purge_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.AcceptRole)
        self.purge_button.setAutoDefault(False)  # Enter never empties anything
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.job: SyncJob | None = None
        self.working = QLabel(self)
        self.working.setWordWrap(True)
        self.working.hide()
        self.progress = QProgressBar(self)
        self.progress.setTextVisible(False)
        self.progress.setRange(0, 0)  # one transaction: busy, no steps to count
        self.progress.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.working)
        layout.addWidget(self.progress)
        layout.addWidget(self.buttons)
        fit_to_screen(self, 1000, 640)
        remember_geometry(self, "purge")
        self.retranslate_ui()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        self.table.resizeRowsToContents()  # the last column has its width only now

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def retranslate_ui(self) -> None:
        self.setWindowTitle(_(MSG_PURGE_TITLE))
        self.intro.setText(
            _(MSG_PURGE_INTRO, count=self._languages.formats.number(len(self.items)))
        )
        self.purge_button.setText(_(MSG_PURGE_BUTTON))
        self.table.setHorizontalHeaderLabels([_(h) for h in PURGE_HEADERS])
        self.table.setAccessibleName(_(MSG_PURGE_TITLE))
        for row, item in enumerate(self.items):
            names = self._labels.get(item.entity, {})
            values = "、".join(_(names[f]) if f in names else f for f in item.fields)
            cells = (
                _(item.kind),
                item.reference or str(item.record_id),
                self._languages.formats.date(item.since),
                values,
            )
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setToolTip(text)
                self.table.setItem(row, column, cell)
        self.table.resizeColumnsToContents()
        for column in range(self.table.columnCount() - 1):
            self.table.setColumnWidth(column, min(self.table.columnWidth(column), 260))
        self.table.resizeRowsToContents()

    def accept(self) -> None:
        """Empty the values in a worker thread (thousands of records take most of a
        minute): the window stays alive, the dialog shows it is working. The purge is one
        transaction, so a laptop that dies half-way has emptied nothing."""
        if self.job is not None:
            return
        privacy, items = self._app.privacy, list(self.items)

        def work(_report: Report) -> PurgeSummary:
            return privacy.purge(items)

        self.job = SyncJob(work, "privacy-purge")
        self.job.done.connect(self._purged)
        self.job.failed.connect(self._failed)
        self.buttons.setEnabled(False)
        self.working.setText(_(MSG_PURGING, count=self._languages.formats.number(len(self.items))))
        self.working.show()
        self.progress.show()
        self.job.start()

    def reject(self) -> None:
        if self.job is not None:
            return  # nothing can stop the one transaction half-way: wait for its end
        super().reject()

    def _failed(self, error: object) -> None:
        self.job = None
        self.progress.hide()
        self.working.hide()
        self.buttons.setEnabled(True)
        if not isinstance(error, StationError):
            raise_unexpected(error)
            return
        QMessageBox.warning(self, _(MSG_PURGE_TITLE), _(error.message, **error.params))

    def _purged(self, summary: object) -> None:
        from station_desktop.services.privacy import PurgeSummary  # noqa: PLC0415

        assert isinstance(summary, PurgeSummary)
        self.job = None
        self.progress.hide()
        self.working.hide()
        QMessageBox.information(
            self,
            _(MSG_PURGE_TITLE),
            _(
                MSG_PURGED,
                records=self._languages.formats.number(summary.records),
                entries=self._languages.formats.number(summary.log_entries),
            ),
        )
        super().accept()


class PrivacyMenu(QMenu):
    """The window (its parent) tells the resident chosen in its residents list
    (`selected_resident()`); `purged` is emitted after a purge (the lists catch up)."""

    purged = Signal()

    def __init__(self, app: Application, languages: LanguageSwitcher, parent: QWidget) -> None:
        super().__init__(parent)
        self._app = app
        self._languages = languages
        self.access_action = QAction(self)
        self.access_action.triggered.connect(lambda: self.print_access_report())  # noqa: PLW0108
        self.purge_action = QAction(self)
        self.purge_action.triggered.connect(lambda: self.open_purge())  # noqa: PLW0108
        self.addAction(self.access_action)
        self.addAction(self.purge_action)
        self.retranslate_ui()

    def _selected(self) -> uuid.UUID | None:
        chooser = getattr(self.parentWidget(), "selected_resident", None)
        return chooser() if chooser is not None else None

    def retranslate_ui(self) -> None:
        self.setTitle(_(MSG_MENU))
        self.access_action.setText(_(MSG_ACCESS))
        self.purge_action.setText(_(MSG_PURGE))

    def print_access_report(self) -> RenderJob | None:
        from station_desktop.ui.print_preview import preview  # noqa: PLC0415

        resident_id = self._selected()
        parent = self.parentWidget()
        assert parent is not None  # the main window
        if resident_id is None:
            QMessageBox.information(parent, _(MSG_ACCESS).rstrip("…"), _(MSG_CHOOSE_RESIDENT))
            return None
        report = self._app.access_report
        return preview(
            parent, lambda: report.render(resident_id), f"access-{str(resident_id)[:8]}.pdf"
        )

    def open_purge(self) -> PurgeDialog | None:
        parent = self.parentWidget()
        items = self._app.privacy.due_for_purge()
        if not items:
            QMessageBox.information(parent, _(MSG_PURGE_TITLE), _(MSG_NOTHING_DUE))
            return None
        dialog = PurgeDialog(self._app, items, self._languages, parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(self.purged)
        dialog.open()
        return dialog
