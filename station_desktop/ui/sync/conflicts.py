"""The Conflicts page: fields two laptops changed without seeing each other's change, and
records withdrawn on one laptop while edited on another. For the selected conflict: each
value with who wrote it, on which laptop and station, and when (a wrong clock flagged),
the value both started from and the field's history. The person keeps one value, types
another, or (for a withdrawal) keeps it withdrawn or brings the record back; the decision
is an ordinary change that travels with the next bundle, so the conflict disappears on
every laptop."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QByteArray, QEvent, QObject, QSettings, Qt, Signal
from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from station_desktop.app import Application
from station_desktop.errors import StationError
from station_desktop.forms.spec import FieldKind, FieldSpec
from station_desktop.i18n import N_, _, ngettext
from station_desktop.services.sync import (
    KIND_WITHDRAWN,
    ConflictValue,
    ConflictView,
    conflict_field,
)
from station_desktop.ui.display import code_text
from station_desktop.ui.fonts import room_for_tibetan
from station_desktop.ui.qt_i18n import LanguageSwitcher
from station_desktop.ui.sync.texts import (
    WARNING_COLOUR,
    ValueTexts,
    problem_text,
    station_text,
    when_text,
)
from station_desktop.ui.table_models import filling, size_rows

PAGE_TITLE = N_("Conflicts")
SPLITTER_KEY = "conflicts_page/splitter"
HISTORY_MAX_HEIGHT = 400
DELETED = "deleted"
MSG_RESOLVED = N_("Resolved. The decision travels with the next bundle.")
LIST_HEADERS = (N_("Record"), N_("Field"))
HISTORY_HEADERS = (N_("When"), N_("Value"), N_("Written by"), N_("Laptop"), N_("Station code"))
WITHDRAWN_WHILE_EDITED = N_("Withdrawn while edited")
ENTITY_LABELS = {
    "resident": N_("Resident"),
    "household": N_("Household"),
    "group_membership": N_("Priority group membership"),
    "home_visit": N_("Home visit"),
    "feedback_sheet": N_("Feedback sheet"),
    "feedback_rating": N_("Rating on a feedback sheet"),
    "case_record": N_("Case"),
    "case_stage_change": N_("Stage change of a case"),
    "case_note": N_("Progress note"),
    "activity": N_("Activity"),
    "attendance": N_("Attendance at an activity"),
    "resource_receipt": N_("Donation received"),
    "resource_handout": N_("Hand-out"),
    "station": N_("Station"),
    "area": N_("Village or community"),
    "staff": N_("Staff member"),
    "device": N_("Laptop"),
}
WITHDRAWN_FIELD = N_("Withdrawn")


class ConflictsPage(QWidget):
    resolved = Signal()  # a decision was saved: lists and pages catch up

    def __init__(self, app: Application, languages: LanguageSwitcher) -> None:
        super().__init__()
        self._app = app
        self._languages = languages
        self._views: list[ConflictView] = []
        self._current: ConflictView | None = None
        self._resolved_once = False
        self._loaded = False

        # The list.
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.table = QTableWidget(0, len(LIST_HEADERS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        # The record's names take the room there is (Tibetan runs long); the field fits.
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.installEventFilter(self)
        self.resolved_label = QLabel()
        self.resolved_label.setWordWrap(True)
        self.resolved_label.hide()
        left = QWidget()
        left_column = QVBoxLayout(left)
        left_column.setContentsMargins(0, 0, 0, 0)
        left_column.addWidget(self.summary_label)
        left_column.addWidget(self.table, 1)
        left_column.addWidget(self.resolved_label)

        # The selected conflict.
        self.title_label = QLabel()
        self.title_label.setWordWrap(True)
        title_font = self.title_label.font()
        title_font.setBold(True)
        self.title_label.setFont(title_font)
        self.explain_label = QLabel()
        self.explain_label.setWordWrap(True)
        self.shown_label = QLabel()
        self.shown_label.setWordWrap(True)
        self.values_box = QGroupBox()
        self.values_layout = QVBoxLayout(self.values_box)
        self.keep_buttons: list[QPushButton] = []
        self._value_frames: list[QFrame] = []
        self.base_label = QLabel()
        self.base_label.setWordWrap(True)
        self.type_button = QPushButton()
        self.type_button.clicked.connect(lambda: self.type_value())  # noqa: PLW0108
        self.keep_withdrawn_button = QPushButton()
        self.keep_withdrawn_button.clicked.connect(lambda: self.keep_withdrawn())  # noqa: PLW0108
        self.bring_back_button = QPushButton()
        self.bring_back_button.clicked.connect(lambda: self.bring_back())  # noqa: PLW0108
        actions = QHBoxLayout()
        actions.addWidget(self.type_button)
        actions.addWidget(self.keep_withdrawn_button)
        actions.addWidget(self.bring_back_button)
        actions.addStretch(1)
        self.history_box = QGroupBox()
        self.history_table = QTableWidget(0, len(HISTORY_HEADERS))
        self.history_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.history_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.history_table.verticalHeader().setVisible(False)
        # The value takes the room there is; the others fit their text. No sideways
        # scrolling: a long value is shortened in the middle (the whole in its tooltip).
        history_header = self.history_table.horizontalHeader()
        history_header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        history_header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.history_table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.history_table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        history = QVBoxLayout(self.history_box)
        history.addWidget(self.history_table)
        self.details = QWidget()
        details = QVBoxLayout(self.details)
        details.addWidget(self.title_label)
        details.addWidget(self.explain_label)
        details.addWidget(self.shown_label)
        details.addWidget(self.values_box)
        details.addWidget(self.base_label)
        details.addLayout(actions)
        details.addWidget(self.history_box)
        details.addStretch(1)
        self.details.hide()
        self._scroll = scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.details)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(scroll)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        saved = QSettings().value(SPLITTER_KEY)
        if isinstance(saved, QByteArray):
            self.splitter.restoreState(saved)
        self.splitter.splitterMoved.connect(
            lambda *_args: QSettings().setValue(SPLITTER_KEY, self.splitter.saveState())
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter)
        self.retranslate_ui()

    # ------------------------------------------------------------ the list

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        self.refresh()  # every received bundle can add or settle conflicts
        super().showEvent(event)

    def refresh(self) -> None:
        keep = self._current.id if self._current is not None else None
        row = max(0, self.table.currentRow())
        self._views = self._app.sync.conflicts()
        self._texts = self._value_texts()
        self._loaded = True
        self._fill()
        ids = [view.id for view in self._views]
        if keep in ids:
            self.table.selectRow(ids.index(keep))
        elif self._views:
            self.table.selectRow(min(row, len(self._views) - 1))
        else:
            self._show(None)

    def _value_texts(self) -> ValueTexts:
        stations = self._app.stations
        return ValueTexts(
            self._languages.formats,
            {p.id: (p.name_bo, p.name_zh) for p in stations.staff()},
            {a.id: (a.code, a.name_bo, a.name_zh) for a in stations.areas()},
        )

    def _fill(self) -> None:
        count = len(self._views)
        self.summary_label.setText(
            ngettext(
                "{count} conflict waits for a decision. Every laptop shows the same value "
                "until someone decides.",
                "{count} conflicts wait for a decision. Every laptop shows the same value "
                "until someone decides.",
                count,
                count=self._languages.formats.number(count),
            )
            if count
            else _("No conflicts wait for a decision.")
        )
        self.table.blockSignals(True)
        with filling(self.table):
            self.table.setRowCount(count)
            for row, view in enumerate(self._views):
                # A withdrawal while edited is about the whole record: its kind says it.
                what = (
                    _(WITHDRAWN_WHILE_EDITED)
                    if view.kind == KIND_WITHDRAWN
                    else self._field_text(view)
                )
                for column, text in enumerate((record_text(view), what)):
                    item = QTableWidgetItem(text)
                    item.setToolTip(text)
                    self.table.setItem(row, column, item)
            self.table.blockSignals(False)
            size_rows(self.table)

    def _selection_changed(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        row = rows[0].row() if rows else -1
        self._show(self._views[row] if 0 <= row < len(self._views) else None)

    def select(self, conflict_id: str) -> None:
        ids = [view.id for view in self._views]
        if conflict_id in ids:
            self.table.selectRow(ids.index(conflict_id))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        # Enter on the list goes to the decision: the first button that settles it.
        if (
            watched is self.table
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            first = next(
                (
                    b
                    for b in (*self.keep_buttons, self.keep_withdrawn_button)
                    if b.isVisible() and b.isEnabled()
                ),
                None,
            )
            if first is not None:
                first.setFocus(Qt.FocusReason.TabFocusReason)
                self._scroll.ensureWidgetVisible(first)
            return True
        return super().eventFilter(watched, event)

    # ------------------------------------------------------------ the selected conflict

    def _field_text(self, view: ConflictView) -> str:
        if view.field == DELETED:
            return _(WITHDRAWN_FIELD)
        spec = conflict_field(view.entity, view.field)
        return _(spec.label) if spec is not None else view.field

    def _value_text(self, view: ConflictView, value: Any) -> str:
        if view.field == DELETED:
            return _("Withdrawn") if value is True else _("In use")
        return self._texts.text(conflict_field(view.entity, view.field), value)

    def _show(self, view: ConflictView | None) -> None:
        self._current = view
        self.details.setVisible(view is not None)
        for frame in self._value_frames:
            self.values_layout.removeWidget(frame)
            frame.hide()
            frame.deleteLater()
        self._value_frames, self.keep_buttons = [], []
        if view is None:
            return
        withdrawn = view.kind == KIND_WITHDRAWN
        self.title_label.setText(
            _(
                "{record}: {field}",
                record=record_text(view),
                field=self._field_text(view),
            )
        )
        if withdrawn:
            self.explain_label.setText(
                _(
                    "This record was withdrawn on one laptop while it was being changed on "
                    "another, neither seeing the other. Keep it withdrawn, or bring it back "
                    "with the changes."
                )
            )
            self.shown_label.setText(
                _("For now it counts as: {value}", value=self._value_text(view, view.shown))
            )
        else:
            self.explain_label.setText(
                _(
                    "This field was changed on two laptops, neither seeing the other's "
                    "change. Keep one of the values, or type another."
                )
            )
            self.shown_label.setText(
                _(
                    "Shown on every laptop until someone decides: {value}",
                    value=self._value_text(view, view.shown),
                )
            )
        self.values_box.setTitle(_("What each laptop did") if withdrawn else _("The values"))
        for value in view.values:
            frame = self._value_row(view, value, keep=not withdrawn)
            self.values_layout.addWidget(frame)
            self._value_frames.append(frame)
        self.base_label.setVisible(not withdrawn)
        self.base_label.setText(
            _("The value both started from: {value}", value=self._value_text(view, view.base))
        )
        self.type_button.setVisible(not withdrawn)
        self.keep_withdrawn_button.setVisible(withdrawn)
        self.bring_back_button.setVisible(withdrawn)
        self._fill_history(view)

    def _value_row(self, view: ConflictView, value: ConflictValue, *, keep: bool) -> QFrame:
        frame = QFrame(self.values_box)
        frame.setFrameShape(QFrame.Shape.StyledPanel)
        row = QHBoxLayout(frame)
        texts = QVBoxLayout()
        if view.kind == KIND_WITHDRAWN:
            shown = _("Withdrew the record") if value.value is True else _("Changed the record")
        else:
            shown = self._value_text(view, value.value)
        value_label = QLabel(shown, frame)
        value_label.setWordWrap(True)
        value_font = value_label.font()
        value_font.setBold(True)
        value_label.setFont(value_font)
        value_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        who_label = QLabel(self._written_by(value), frame)
        who_label.setWordWrap(True)
        texts.addWidget(value_label)
        texts.addWidget(who_label)
        if value.clock_suspect:
            clock = QLabel(_clock_warning(), frame)
            clock.setWordWrap(True)
            clock.setStyleSheet(f"color: {WARNING_COLOUR.name()}")
            texts.addWidget(clock)
        row.addLayout(texts, 1)
        if keep:
            button = QPushButton(_("Keep this value"), frame)
            button.setAccessibleName(_("Keep this value: {value}", value=shown))
            button.setAccessibleDescription(self._written_by(value))
            room_for_tibetan(button)
            change = value.change_id
            button.clicked.connect(lambda: self.keep(change))
            row.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
            self.keep_buttons.append(button)
        return frame

    def _written_by(self, value: ConflictValue) -> str:
        return _(
            "by {who}, on laptop {device} of station {station}, {when}",
            who=value.actor or _("someone not recorded"),
            device=value.device_tag,
            station=station_text(value.station),
            when=when_text(self._languages.formats, value.wall_time),
        )

    def _fill_history(self, view: ConflictView) -> None:
        table = self.history_table
        with filling(table):
            table.setRowCount(len(view.history))
            formats = self._languages.formats
            for row, item in enumerate(view.history):
                when = when_text(formats, item.wall_time)
                cells = (
                    when,
                    self._value_text(view, item.value),
                    item.actor or _("someone not recorded"),
                    item.device_tag,
                    station_text(item.station),
                )
                for column, text in enumerate(cells):
                    cell = QTableWidgetItem(text)
                    cell.setToolTip(text)
                    if column == 0 and item.clock_suspect:  # red, and said in words on hover
                        cell.setForeground(WARNING_COLOUR)
                        cell.setToolTip(f"{text} {_clock_warning()}")
                        cell.setData(
                            Qt.ItemDataRole.AccessibleTextRole, f"{text} {_clock_warning()}"
                        )
                    table.setItem(row, column, cell)
            size_rows(table)
        rows = sum(table.rowHeight(row) for row in range(table.rowCount()))
        # As tall as its rows (the page scrolls, not the table), within reason.
        height = table.horizontalHeader().sizeHint().height() + rows + 2 * table.frameWidth()
        table.setFixedHeight(min(height + 4, HISTORY_MAX_HEIGHT))

    # ------------------------------------------------------------ deciding

    def keep(self, change_id: str) -> bool:
        """Keep one of the values (its change id)."""
        return self._resolve(keep=change_id)

    def type_value(self, value: object | None = None) -> bool:
        """Give another value (asks for it unless `value` is given)."""
        view = self._current
        if view is None:
            return False
        if value is None:
            value = self._ask_value(view)
            if value is None:
                return False
        return self._resolve(value=value)

    def keep_withdrawn(self) -> bool:
        return self._resolve(value=True)

    def bring_back(self) -> bool:
        return self._resolve(value=False)

    def _ask_value(self, view: ConflictView) -> object | None:
        """The person's value: chosen from the field's list where it has one, else typed
        (checked by the field's own rules when it is saved)."""
        spec = conflict_field(view.entity, view.field)
        title = _("Type another value…")
        label = _("{field} of {record}:", field=self._field_text(view), record=record_text(view))
        choices = self._choices(spec)
        if choices:
            texts = [text for text, _value in choices]
            shown = self._value_text(view, view.shown)
            current = texts.index(shown) if shown in texts else 0
            text, accepted = QInputDialog.getItem(self, title, label, texts, current, False)
            return dict(choices).get(text) if accepted else None
        start = view.shown
        if start is None:
            start = ""
        elif spec is not None and spec.kind == FieldKind.MONEY and isinstance(start, int):
            start = f"{start / 100:.2f}"
        elif hasattr(start, "isoformat"):
            start = start.isoformat()
        typed, accepted = QInputDialog.getText(self, title, label, text=str(start))
        return typed if accepted else None

    def _choices(self, spec: FieldSpec | None) -> list[tuple[str, object]]:
        if spec is None:
            return []
        if spec.codes is not None and spec.kind in (FieldKind.CODE, FieldKind.RATING):
            return [(code_text(spec.codes, member.value), member.value) for member in spec.codes]
        if spec.kind == FieldKind.BOOLEAN:
            return [(self._texts.text(spec, True), True), (self._texts.text(spec, False), False)]
        if spec.kind == FieldKind.STAFF:
            return [(self._texts.text(spec, p.id), str(p.id)) for p in self._app.stations.staff()]
        if spec.kind == FieldKind.REFERENCE and spec.ref == "area":
            return [(self._texts.text(spec, a.id), str(a.id)) for a in self._app.stations.areas()]
        return []

    def _resolve(self, **decision: Any) -> bool:
        view = self._current
        if view is None:
            return False
        try:
            self._app.sync.resolve(view.id, **decision)
        except StationError as error:
            QMessageBox.warning(self.window(), _("Conflicts"), problem_text(error))
            self.refresh()  # it may have been decided by a bundle meanwhile
            return False
        self._current = None
        self._resolved_once = True
        self.resolved_label.setText(_(MSG_RESOLVED))
        self.resolved_label.show()
        self.refresh()
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        self.resolved.emit()
        return True

    # ------------------------------------------------------------ language

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def retranslate_ui(self) -> None:
        self.table.setHorizontalHeaderLabels([_(h) for h in LIST_HEADERS])
        self.table.setAccessibleName(_("Conflicts"))
        self.history_box.setTitle(_("History of this field"))
        self.history_table.setHorizontalHeaderLabels([_(h) for h in HISTORY_HEADERS])
        self.history_table.setAccessibleName(_("History of this field"))
        self.type_button.setText(_("Type another value…"))
        self.keep_withdrawn_button.setText(_("Keep it withdrawn"))
        self.bring_back_button.setText(_("Bring it back"))
        buttons = (self.type_button, self.keep_withdrawn_button, self.bring_back_button)
        room_for_tibetan(*buttons)
        for button in buttons:
            button.setAccessibleName(button.text())
        if self._resolved_once:
            self.resolved_label.setText(_(MSG_RESOLVED))
        if self._loaded:
            self._texts = self._value_texts()
            self._fill()
            self._show(self._current)


def record_text(view: ConflictView) -> str:
    """The record a conflict is on: its kind and its name (a resident's names, a case
    number), as the core labels it."""
    kind = _(ENTITY_LABELS.get(view.entity, view.entity))
    return f"{kind} {view.record}".strip()


def _clock_warning() -> str:
    return _("(that laptop's clock looked wrong)")
