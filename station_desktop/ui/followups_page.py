"""The Follow-ups page: what is due, the most overdue first; narrowed to a village, a worker
or a kind of follow-up, and grouped by one of them. Red is kept for what is really overdue
(more than a week late). A double-click (or Enter) opens the right form — a home visit for
that resident, or a progress note for a quiet case — or, for a membership due for review,
the resident's page."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from station_desktop.app import Application
from station_desktop.forms.case import CASE_NOTE_FORM
from station_desktop.forms.visit import VISIT_FORM
from station_desktop.i18n import N_, _
from station_desktop.services.followups import GRACE_DAYS, FollowUp, FollowUpService
from station_desktop.ui.display import PlaceNames, names_reader_first, reader_name
from station_desktop.ui.forms.editor import (
    RecordDialog,
    application_choices,
    new_record_values,
    prefilled_dialog,
)
from station_desktop.ui.qt_i18n import LanguageSwitcher
from station_desktop.ui.table_models import filling, size_rows

PAGE_TITLE = N_("Follow-ups")
KIND_LABELS = {
    "visit": N_("Home visit due"),
    "case": N_("Case without progress"),
    "review": N_("Membership review"),
}
HEADERS = (
    N_("Due on"),
    N_("Days late"),
    N_("What"),
    N_("Name"),
    N_("Village or community"),
    N_("Worker"),
)
GROUPINGS = (
    ("", N_("No grouping")),
    ("area", N_("By village or community")),
    ("worker", N_("By worker")),
    ("kind", N_("By kind")),
)
OVERDUE_COLOUR = QColor("#b00020")


class FollowUpsPage(QWidget):
    resident_requested = Signal(object)  # a membership to review: the resident's page

    def __init__(
        self,
        app: Application,
        languages: LanguageSwitcher,
        places: PlaceNames | None = None,
    ) -> None:
        super().__init__()
        self._app = app
        self._languages = languages
        self._places = places or PlaceNames(app)
        self._service = FollowUpService(app.ctx)
        self._items: list[FollowUp] = []
        self._rows: list[FollowUp | str] = []  # a text: a group's heading row
        self._staff: dict[uuid.UUID, str] = {}
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.area_filter = QComboBox()
        self.worker_filter = QComboBox()
        self.kind_filter = QComboBox()
        self.grouping = QComboBox()
        filters = QHBoxLayout()
        for combo in (self.area_filter, self.worker_filter, self.kind_filter, self.grouping):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.currentIndexChanged.connect(self._fill)
            filters.addWidget(combo)
        filters.addStretch(1)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(lambda index: self.open_item(index.row()))
        self.table.installEventFilter(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)  # the window has its margins: rows, not frames
        layout.addWidget(self.summary)
        layout.addLayout(filters)
        layout.addWidget(self.table)
        self._loaded = False
        self.retranslate_ui()

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
        self.area_filter.setAccessibleName(_("Village or community"))
        self.worker_filter.setAccessibleName(_("Worker"))
        self.kind_filter.setAccessibleName(_("What"))
        self.grouping.setAccessibleName(_("Grouping"))
        self._fill_filters()
        self._fill()

    def refresh(self) -> None:
        self._items = self._service.due()
        self._staff = {
            person.id: reader_name(person.name_bo, person.name_zh)
            for person in self._app.stations.staff(all_stations=True)
        }
        self._loaded = True
        self._fill_filters()
        self._fill()

    # ------------------------------------------------------------ filters and groups

    def _fill_filters(self) -> None:
        """The filters offer what the list holds (in the reader's language), keeping the
        choices made."""
        areas = sorted({i.area_id for i in self._items if i.area_id}, key=self._places.area)
        workers = sorted({i.worker_id for i in self._items if i.worker_id}, key=self._worker)
        choices: list[tuple[QComboBox, str, list[tuple[str, str]]]] = [
            (
                self.area_filter,
                _("All villages and communities"),
                [(str(a), self._places.area(a)) for a in areas],
            ),
            (self.worker_filter, _("All workers"), [(str(w), self._worker(w)) for w in workers]),
            (self.kind_filter, _("All kinds"), [(k, _(t)) for k, t in KIND_LABELS.items()]),
        ]
        for combo, everything, entries in choices:
            chosen = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(everything, None)
            for value, text in entries:
                combo.addItem(text, value)
            combo.setCurrentIndex(max(0, combo.findData(chosen)))
            combo.blockSignals(False)
        grouping = self.grouping.currentData()
        self.grouping.blockSignals(True)
        self.grouping.clear()
        for value, text in GROUPINGS:
            self.grouping.addItem(_(text), value)
        self.grouping.setCurrentIndex(max(0, self.grouping.findData(grouping)))
        self.grouping.blockSignals(False)

    def _worker(self, staff_id: uuid.UUID | None) -> str:
        return self._staff.get(staff_id, "") if staff_id is not None else ""

    def shown(self) -> list[FollowUp]:
        """The follow-ups the filters let through, the most overdue first."""
        area, worker, kind = (
            self.area_filter.currentData(),
            self.worker_filter.currentData(),
            self.kind_filter.currentData(),
        )
        return [
            item
            for item in self._items
            if (area is None or str(item.area_id) == area)
            and (worker is None or str(item.worker_id) == worker)
            and (kind is None or item.kind == kind)
        ]

    def _group_of(self) -> Callable[[FollowUp], str] | None:
        by: dict[str, Callable[[FollowUp], str]] = {
            "area": lambda item: self._places.area(item.area_id) or _("No village given"),
            "worker": lambda item: self._worker(item.worker_id) or _("No worker yet"),
            "kind": lambda item: _(KIND_LABELS[item.kind]),
        }
        return by.get(self.grouping.currentData() or "")

    # ------------------------------------------------------------ the list

    def _fill(self) -> None:
        today = self._app.ctx.today()
        formats = self._languages.formats
        shown = self.shown()
        late = sum(1 for item in shown if item.overdue(today))
        very_late = sum(1 for item in shown if item.really_overdue(today))
        self.summary.setText(
            _(
                "{count} due in the next two weeks: {overdue} late, {very_late} of them more "
                "than {days} days.",
                count=formats.number(len(shown)),
                overdue=formats.number(late),
                very_late=formats.number(very_late),
                days=formats.number(GRACE_DAYS),
            )
        )
        group_of = self._group_of()
        rows: list[FollowUp | str] = list(shown)  # a text: a group's heading
        if group_of is not None:
            groups: dict[str, list[FollowUp]] = {}
            for item in shown:  # in order of lateness, inside each group too
                groups.setdefault(group_of(item), []).append(item)
            rows = []
            for title, items in groups.items():
                rows += [f"{title} ({formats.number(len(items))})", *items]
        self._rows = rows
        table = self.table
        table.clearSpans()
        with filling(table):
            table.setRowCount(len(rows))
            bold = QFont(table.font())
            bold.setBold(True)
            for row, entry in enumerate(rows):
                if isinstance(entry, str):
                    cell = QTableWidgetItem(entry)
                    cell.setFont(bold)
                    cell.setFlags(Qt.ItemFlag.ItemIsEnabled)
                    table.setItem(row, 0, cell)
                    table.setSpan(row, 0, 1, len(HEADERS))
                    continue
                late_days = entry.days_late(today)
                cells = (
                    formats.date(entry.due_on),
                    formats.number(late_days) if late_days else "",
                    _(KIND_LABELS[entry.kind]),
                    names_reader_first(entry.name_bo, entry.name_zh),
                    self._places.area(entry.area_id),
                    self._worker(entry.worker_id),
                )
                for column, text in enumerate(cells):
                    cell = QTableWidgetItem(text)
                    cell.setToolTip(_(entry.reason))
                    if entry.really_overdue(today):
                        cell.setForeground(OVERDUE_COLOUR)
                    table.setItem(row, column, cell)
            size_rows(table)

    def item_at(self, row: int) -> FollowUp | None:
        entry = self._rows[row] if 0 <= row < len(self._rows) else None
        return entry if isinstance(entry, FollowUp) else None

    def open_item(self, row: int) -> RecordDialog | None:
        """The form that settles this follow-up, filled in as far as it can be."""
        item = self.item_at(row)
        if item is None:
            return None
        drafts = self._app.drafts
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
                start=new_record_values(self._app, CASE_NOTE_FORM),
                today=self._app.ctx.today,
                parent=self,
            )
        else:  # a membership review is settled on the resident's page
            self.resident_requested.emit(item.resident_id)
            return None
        dialog.accepted.connect(self.refresh)
        dialog.open()
        return dialog
