"""The Audit page (station heads and auditors): who did what, newest first, narrowed to a
person, a kind of action or a period; and a check of the whole trail on request. It shows
field names only: the trail holds no personal value. Whether the page is offered at all is
decided by `AuditService.may_read` (the role matrix), nowhere else."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from station_desktop.app import Application
from station_desktop.i18n import N_, _
from station_desktop.reports.revisions import CAUSE_LABELS
from station_desktop.services.audit import ACTION_LABELS, MSG_SYSTEM, AuditFilter, AuditRow
from station_desktop.services.context import CHINA_TZ
from station_desktop.ui.display import reader_name
from station_desktop.ui.forms.fields import paint_as_error
from station_desktop.ui.qt_i18n import LanguageSwitcher
from station_desktop.ui.table_models import filling, size_rows

PAGE_TITLE = N_("Audit trail")
HEADERS = (
    N_("When"),
    N_("Who"),
    N_("What"),
    N_("Record"),
    N_("Laptop"),
    N_("Fields"),  # last: it takes the width that is left, the whole list in its tooltip
)
FIELDS_COLUMN = len(HEADERS) - 1
RECORD_COLUMN = 3
PERIODS = (
    (7, N_("Last 7 days")),
    (30, N_("Last 30 days")),
    (365, N_("Last year")),
    (0, N_("Any time")),
)
MSG_SHOWN = N_(
    "{count} entries shown, newest first. Only the names of fields are kept, never their values."
)
MSG_CHECK = N_("Check the whole trail")
MSG_WHOLE = N_("The audit trail is whole: {links} entries, and every record matches its log.")
MSG_EVERYONE = N_("Everyone")
MSG_EVERYTHING = N_("Every action")
MSG_THIS_LAPTOP = N_("this laptop")


class AuditPage(QWidget):
    def __init__(self, app: Application, languages: LanguageSwitcher) -> None:
        super().__init__()
        self._app = app
        self._languages = languages
        self._rows: list[AuditRow] = []
        self._staff: dict[uuid.UUID, str] = {}
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.person_filter = QComboBox()
        self.action_filter = QComboBox()
        self.period_filter = QComboBox()
        filters = QHBoxLayout()
        for combo in (self.person_filter, self.action_filter, self.period_filter):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.currentIndexChanged.connect(self._fill)
            filters.addWidget(combo)
        filters.addStretch(1)
        self.check_button = QPushButton()
        self.check_button.clicked.connect(self.check)
        filters.addWidget(self.check_button)
        self.verdict = QLabel()
        self.verdict.setWordWrap(True)
        self.verdict.hide()
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(FIELDS_COLUMN, QHeaderView.ResizeMode.Stretch)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addLayout(filters)
        layout.addWidget(self.verdict)
        layout.addWidget(self.table)
        self.retranslate_ui()

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        self._fill()  # every save adds to the trail: fresh on each look
        super().showEvent(event)

    def retranslate_ui(self) -> None:
        self.table.setHorizontalHeaderLabels([_(h) for h in HEADERS])
        self.table.setAccessibleName(_(PAGE_TITLE))
        self.person_filter.setAccessibleName(_("Who"))
        self.action_filter.setAccessibleName(_("What"))
        self.period_filter.setAccessibleName(_("When"))
        self.check_button.setText(_(MSG_CHECK))
        self._fill_filters()
        self._fill()

    def _fill_filters(self) -> None:
        self._staff = {
            staff_id: reader_name(name_bo, name_zh)
            for staff_id, (name_bo, name_zh) in self._app.audit.staff_names().items()
        }
        people: list[tuple[Any, str]] = [(None, _(MSG_EVERYONE))]
        people += sorted(self._staff.items(), key=lambda item: item[1])
        actions: list[tuple[Any, str]] = [("", _(MSG_EVERYTHING))]
        actions += [(code, _(label)) for code, label in ACTION_LABELS.items()]
        periods: list[tuple[Any, str]] = [(days, _(label)) for days, label in PERIODS]
        for combo, items in (
            (self.person_filter, people),
            (self.action_filter, actions),
            (self.period_filter, periods),
        ):
            chosen = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            for data, text in items:
                combo.addItem(text, data)
            index = combo.findData(chosen)
            combo.setCurrentIndex(max(index, 0))
            combo.blockSignals(False)

    def _filter(self) -> AuditFilter:
        days = self.period_filter.currentData() or 0
        since = self._app.ctx.today() - timedelta(days=days - 1) if days else None
        person = self.person_filter.currentData()
        return AuditFilter(
            actor_id=person if isinstance(person, uuid.UUID) else None,
            action=self.action_filter.currentData() or "",
            since=since,
        )

    def _fill(self) -> None:
        self._rows = self._app.audit.events(self._filter())
        formats = self._languages.formats
        with filling(self.table):
            self.table.setRowCount(len(self._rows))
            for number, row in enumerate(self._rows):
                local = row.at.astimezone(CHINA_TZ)
                when = f"{formats.date(local.date())} {local:%H:%M}"
                what = _(ACTION_LABELS[row.action]) if row.action in ACTION_LABELS else row.action
                kind = _(CAUSE_LABELS[row.entity]) if row.entity in CAUSE_LABELS else row.entity
                # The end of a record's id: its beginning is a time stamp (UUIDv7), alike for
                # records made together.
                record = " ".join(p for p in (kind, row.entity_id[-8:]) if p)
                who = self._staff.get(row.actor_id, "") if row.actor_id else _(MSG_SYSTEM)
                laptop = row.device_tag or _(MSG_THIS_LAPTOP)
                fields = ", ".join(row.fields)
                for column, text in enumerate((when, who, what, record, laptop, fields)):
                    item = QTableWidgetItem(text)
                    if column == RECORD_COLUMN:
                        item.setToolTip(row.entity_id)
                    elif column == FIELDS_COLUMN:
                        item.setToolTip(fields)
                    self.table.setItem(number, column, item)
            size_rows(self.table)
        self.summary.setText(_(MSG_SHOWN, count=formats.number(len(self._rows))))

    def check(self) -> None:
        """Verify the whole trail (and every record against its log) and say the verdict."""
        result = self._app.audit.verify()
        first = result.first
        if first is None:
            self.verdict.setText(_(MSG_WHOLE, links=self._languages.formats.number(result.links)))
            self.verdict.setStyleSheet("")
        else:
            self.verdict.setText(_(first.message, **first.params))
            paint_as_error(self.verdict)
        self.verdict.show()
