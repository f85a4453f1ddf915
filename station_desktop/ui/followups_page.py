"""The Follow-ups page: what is due, overdue first; a double-click (or Enter) opens the
right form — a home visit for that resident, or a progress note for a quiet case — or,
for a membership due for review, the resident's page."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from station_desktop.app import Application
from station_desktop.drafts import DraftStore
from station_desktop.forms.case import CASE_NOTE_FORM
from station_desktop.forms.visit import VISIT_FORM
from station_desktop.i18n import N_, _
from station_desktop.services.followups import FollowUp, FollowUpService
from station_desktop.ui.forms.editor import RecordDialog, application_choices, prefilled_dialog
from station_desktop.ui.qt_i18n import LanguageSwitcher
from station_desktop.ui.table_models import size_rows

PAGE_TITLE = N_("Follow-ups")
KIND_LABELS = {
    "visit": N_("Home visit due"),
    "case": N_("Case without progress"),
    "review": N_("Membership review"),
}
HEADERS = (N_("Due on"), N_("What"), N_("Tibetan name"), N_("Chinese name"), N_("Why"))
OVERDUE_COLOUR = QColor("#b00020")


class FollowUpsPage(QWidget):
    resident_requested = Signal(object)  # a membership to review: the resident's page

    def __init__(self, app: Application, languages: LanguageSwitcher) -> None:
        super().__init__()
        self._app = app
        self._languages = languages
        self._service = FollowUpService(app.ctx)
        self._items: list[FollowUp] = []
        self.summary = QLabel()
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.doubleClicked.connect(lambda index: self.open_item(index.row()))
        self.table.installEventFilter(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table)
        self._loaded = False

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        self.refresh()  # what is due changes with every saved visit: fresh on each look
        super().showEvent(event)

    def eventFilter(self, watched: Any, event: Any) -> bool:  # noqa: N802 - Qt override
        if (
            watched is self.table
            and isinstance(event, QKeyEvent)
            and event.type() == QKeyEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            self.open_item(self.table.currentRow())
            return True
        return super().eventFilter(watched, event)

    def retranslate_ui(self) -> None:
        self.table.setHorizontalHeaderLabels([_(h) for h in HEADERS])
        self.table.setAccessibleName(_(PAGE_TITLE))
        self._fill()

    def refresh(self) -> None:
        self._items = self._service.due()
        self._loaded = True
        self._fill()

    def _fill(self) -> None:
        today = self._app.ctx.today()
        formats = self._languages.formats
        overdue = sum(1 for item in self._items if item.overdue(today))
        self.summary.setText(
            _(
                "{count} due in the next two weeks, {overdue} of them overdue.",
                count=len(self._items),
                overdue=overdue,
            )
        )
        self.table.setRowCount(len(self._items))
        for row, item in enumerate(self._items):
            cells = (
                formats.date(item.due_on),
                _(KIND_LABELS[item.kind]),
                item.name_bo,
                item.name_zh,
                _(item.reason),
            )
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                if item.overdue(today):
                    cell.setForeground(OVERDUE_COLOUR)
                self.table.setItem(row, column, cell)
        size_rows(self.table)

    def open_item(self, row: int) -> RecordDialog | None:
        """The form that settles this follow-up, filled in as far as it can be."""
        if not 0 <= row < len(self._items):
            return None
        item = self._items[row]
        drafts = DraftStore(self._app.paths.drafts)
        choices = application_choices(self._app, self._languages.formats)
        if item.kind == "visit":
            # The resident is the form's starting point, not typing: no draft of it alone.
            dialog = prefilled_dialog(
                self._app,
                self._languages.formats,
                VISIT_FORM,
                self._app.visits.record,
                {"resident_id": str(item.resident_id)},
                f"{VISIT_FORM.code}:for:{item.resident_id}",
                choices=choices,
                parent=self,
            )
        elif item.kind == "case" and item.record_id is not None:
            case_id = item.record_id

            def add_note(values: dict[str, Any]) -> Any:
                return self._app.cases.add_note(case_id, values["written_on"], values["body"])

            dialog = RecordDialog(
                CASE_NOTE_FORM,
                add_note,
                choices=choices,
                formats=self._languages.formats,
                drafts=drafts,
                draft_key=f"{CASE_NOTE_FORM.code}:{case_id}",
                parent=self,
            )
        else:  # a membership review is settled on the resident's page
            self.resident_requested.emit(item.resident_id)
            return None
        dialog.accepted.connect(self.refresh)
        dialog.open()
        return dialog
