"""One editor widget per `FieldKind`, all with the same small interface.

Every editor hands back the raw value the services accept (`value()`): text exactly as
typed, code strings, ID strings for references, lists for several choices, None for no
choice. Checking is the service's job (`forms.validate`): editors never refuse, trim or
truncate what was typed, so nothing typed is ever lost on the way to the service.

Texts come from `retranslate_ui`, which the owning form calls on a language switch; the
selected codes, people and ratings are kept, only their labels change.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from PySide6.QtCore import QEvent, QObject, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFocusEvent,
    QKeyEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QRadioButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from station_desktop.domain.codes import Code
from station_desktop.drafts import DraftValue
from station_desktop.formats import LocaleFormats
from station_desktop.forms.spec import FieldKind, FieldSpec
from station_desktop.forms.validate import parse_date
from station_desktop.i18n import NC_, _, active_language, pgettext
from station_desktop.ui.fonts import (
    fit_tibetan,
    has_tibetan,
    padded_line_height,
    room_for_tibetan,
    text_line_height,
)

Choice = tuple[str, str]  # (id as a string, what the reader sees)
ChoiceSource = Callable[[], Sequence[Choice]]

ERROR_COLOR = "#b00020"  # a red that stays readable on white and on the grey of a dialog
SEARCH_DELAY_MS = 150
EXAMPLE_DATE = date(2024, 5, 30)  # the same example as the "Not a date" message
MULTILINE_MAX_LINES = 4  # more would push the rest of the form off the screen
SEARCH_FROM_ENTRIES = 6  # a check list longer than this gets a search box
CHECKLIST_MAX_ROWS = 8  # and shows at most this many rows at a time
RATING_NO_ANSWER = 0  # button id of "no answer" (-1 would make QButtonGroup pick an id)
NO_ANSWER = NC_("rating", "No answer")
RATING_BUTTON_STYLE = "QRadioButton::indicator { width: 20px; height: 20px; }"


def _no_staff() -> Sequence[Choice]:
    return ()


@dataclass(frozen=True)
class ReferenceSource:
    """How a reference field finds its choices: `search(text)` as the user types, and
    `describe(id)` to name a value that was set (a restored draft, an edited record)."""

    search: Callable[[str], Sequence[Choice]]
    describe: Callable[[str], str | None] = lambda _id: None
    # Offered whatever is typed, after the matches (e.g. "a new household").
    always: Callable[[], Sequence[Choice]] = lambda: ()


@dataclass(frozen=True)
class FormChoices:
    """Where a form's people and references come from (the form does not know the store)."""

    staff: Callable[[], Sequence[Choice]] = _no_staff
    # Names anyone who may be on a record (another station's staff, someone who left),
    # though only this station's present staff are offered.
    describe_staff: Callable[[str], str | None] = lambda _id: None
    residents: ReferenceSource | None = None
    references: Mapping[str, ReferenceSource] = field(default_factory=dict)  # by `spec.ref`
    # Code fields offering only some of their codes, by field key (a case's next stages).
    codes: Mapping[str, ChoiceSource] = field(default_factory=dict)


def _item_height(widget: QWidget, text: str) -> int:
    """A list row for `text`: Tibetan needs the tall line, Chinese and Latin do not (a list
    of seven Chinese labels at Tibetan height would be half empty)."""
    if has_tibetan(text):
        return padded_line_height(widget)
    return widget.fontMetrics().height() + 12


def paint_as_error(label: QLabel) -> None:
    """Red text by palette, not by style sheet: a style sheet would pin the label's font,
    which then no longer follows the interface font when the language changes."""
    palette = label.palette()
    palette.setColor(QPalette.ColorRole.WindowText, QColor(ERROR_COLOR))
    label.setPalette(palette)


def _as_text(raw: object) -> str:
    if raw is None:
        return ""
    if isinstance(raw, Code):
        return raw.value
    return str(raw)


def _as_list(raw: object) -> list[str]:
    if raw is None or raw == "":
        return []
    if isinstance(raw, (str, uuid.UUID, Code)):
        return [_as_text(raw)]
    if isinstance(raw, (list, tuple, set, frozenset)):
        return [_as_text(item) for item in raw]
    return [_as_text(raw)]


def date_text(day: date, formats: LocaleFormats) -> str:
    """A date as a date field shows it: in the reader's own format when the date parser
    reads that format back, else in the ISO form."""
    shown = formats.date(day)
    return shown if parse_date(shown) == day else day.isoformat()


def date_example(formats: LocaleFormats) -> str:
    """The example date of the messages, in a form the reader may type."""
    return date_text(EXAMPLE_DATE, formats)


def date_placeholder(formats: LocaleFormats) -> str:
    """How to type a date, worded as an example so that the grey text is never taken for a
    date already filled in."""
    return _("e.g. {date}", date=date_example(formats))


class FieldEditor(QWidget):
    """The common interface. Subclasses put their input widget(s) above the error line."""

    changed = Signal()

    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(2)
        self._error_label = QLabel(self)
        self._error_label.setWordWrap(True)
        paint_as_error(self._error_label)
        self._error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._error_label.hide()
        self._layout.addWidget(self._error_label)

    def _add_input(self, widget: QWidget) -> None:
        self._layout.insertWidget(self._layout.count() - 1, widget)

    # ------------------------------------------------------------ the interface

    def value(self) -> DraftValue:
        raise NotImplementedError

    def set_value(self, raw: object) -> None:
        raise NotImplementedError

    def focus_widgets(self) -> list[QWidget]:
        """The widgets Tab stops at, in order; the first is focused for an error."""
        raise NotImplementedError

    def retranslate_ui(self) -> None:
        tip = _(self.spec.help) if self.spec.help else ""
        for widget in self.focus_widgets():
            widget.setToolTip(tip)
            widget.setAccessibleName(_(self.spec.label))

    def set_error(self, text: str | None) -> None:
        """Show `text` (already translated) in red under the field, or hide it."""
        self._error_label.setText(text or "")
        self._error_label.setVisible(bool(text))
        for widget in self.focus_widgets():
            widget.setAccessibleDescription(text or "")

    def error_text(self) -> str | None:
        return self._error_label.text() if self._error_label.isVisibleTo(self) else None

    @property
    def error_label(self) -> QLabel:
        return self._error_label

    def _emit_changed(self, *_args: object) -> None:
        self.changed.emit()


# ---------------------------------------------------------------- text


class LineField(FieldEditor):
    """TEXT, DATE, INTEGER, MONEY, ID_NUMBER, PHONE: a line edit, text as typed."""

    def __init__(
        self,
        spec: FieldSpec,
        formats: LocaleFormats | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(spec, parent)
        self._formats = formats or LocaleFormats(active_language)
        self.line = QLineEdit(self)
        # No maxLength: a cut-off paste would lose text silently; the service says "too long".
        if spec.kind in (FieldKind.INTEGER, FieldKind.MONEY, FieldKind.PHONE):
            self.line.setInputMethodHints(Qt.InputMethodHint.ImhPreferNumbers)
        self.line.textChanged.connect(self._emit_changed)
        if spec.kind is FieldKind.DATE:
            self.line.editingFinished.connect(self.show_date_understood)
        self._add_input(self.line)

    def value(self) -> DraftValue:
        return self.line.text()

    def set_value(self, raw: object) -> None:
        text = date_text(raw, self._formats) if isinstance(raw, date) else _as_text(raw)
        if text != self.line.text():
            self.line.setText(text)

    def show_date_understood(self) -> None:
        """A typed date that is understood is shown back in the reader's format (20240530
        becomes 2024年5月30日), so a misread is seen at once; what is not understood stays
        as typed, for the service to explain."""
        day = parse_date(self.line.text())
        if day is not None:
            self.set_value(day)

    def focus_widgets(self) -> list[QWidget]:
        return [self.line]

    def retranslate_ui(self) -> None:
        super().retranslate_ui()
        fit_tibetan(self.line)  # the interface font (and so the line height) may have changed
        if self.spec.kind is FieldKind.DATE:
            self.line.setPlaceholderText(date_placeholder(self._formats))
        else:
            self.line.setPlaceholderText(_(self.spec.help) if self.spec.help else "")


class MultilineField(FieldEditor):
    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.text = QPlainTextEdit(self)
        # Tab moves on to the next field (keyboard-only entry); a tab character is never
        # part of a record anyway.
        self.text.setTabChangesFocus(True)
        self.text.textChanged.connect(self._emit_changed)
        self._add_input(self.text)

    def value(self) -> DraftValue:
        return self.text.toPlainText()

    def set_value(self, raw: object) -> None:
        text = _as_text(raw)
        if text != self.text.toPlainText():
            self.text.setPlainText(text)

    def focus_widgets(self) -> list[QWidget]:
        return [self.text]

    def retranslate_ui(self) -> None:
        super().retranslate_ui()
        self.text.setPlaceholderText(_(self.spec.help) if self.spec.help else "")
        # As many lines as paper leaves (within reason), each tall enough for Tibetan.
        lines = max(2, min(self.spec.paper_lines, MULTILINE_MAX_LINES))
        frame = 2 * self.text.frameWidth() + int(2 * self.text.document().documentMargin())
        self.text.setMinimumHeight(lines * text_line_height(self.text.font()) + frame)


# ---------------------------------------------------------------- one of a list


def code_choices(spec: FieldSpec) -> ChoiceSource:
    """A code list's entries, labelled in the current language each time they are built."""
    assert spec.codes is not None, f"field {spec.key} needs codes"
    codes: type[Code] = spec.codes
    return lambda: [(member.value, _(member.label)) for member in codes]


class ChoiceCombo(FieldEditor):
    """A combo box with an empty first entry ("not chosen"); item data is the stored id.
    A value that is not among the choices (a code from a newer version, a person no longer
    listed) is kept as an extra entry rather than dropped."""

    def __init__(
        self,
        spec: FieldSpec,
        choices: ChoiceSource,
        parent: QWidget | None = None,
        *,
        describe: Callable[[str], str | None] = lambda _value: None,
    ) -> None:
        super().__init__(spec, parent)
        self._source = choices
        self._describe = describe
        self.combo = QComboBox(self)
        # As wide as the longest entry (they change with the language), and as wide as the
        # other fields when that is wider.
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.combo.addItem("", None)
        self.combo.currentIndexChanged.connect(self._emit_changed)
        self._add_input(self.combo)
        self._fill()

    def _choices(self) -> Sequence[Choice]:
        return self._source()

    def _fill(self) -> None:
        """(Re)build the entries in the current language, keeping the selection."""
        chosen = self.value()
        self.combo.blockSignals(True)
        try:
            self.combo.clear()
            self.combo.addItem("", None)
            for value, text in self._choices():
                self.combo.addItem(text, value)
            self._select(chosen if isinstance(chosen, str) else None)
        finally:
            self.combo.blockSignals(False)

    def _select(self, value: str | None) -> None:
        if not value:
            self.combo.setCurrentIndex(0)
            return
        index = self.combo.findData(value)
        if index < 0:
            self.combo.addItem(self._describe(value) or value, value)
            index = self.combo.count() - 1
        self.combo.setCurrentIndex(index)

    def value(self) -> DraftValue:
        data = self.combo.currentData()
        return str(data) if data else None

    def set_value(self, raw: object) -> None:
        self._select(_as_text(raw) or None)

    def focus_widgets(self) -> list[QWidget]:
        return [self.combo]

    def retranslate_ui(self) -> None:
        super().retranslate_ui()
        self._fill()
        room_for_tibetan(self.combo)


# ---------------------------------------------------------------- several of a list


class CheckList(FieldEditor):
    """A list of check boxes (Space ticks the current one); value: the ticked ids in list
    order. Ticked ids that are not among the choices are kept, at the end. A long list
    (people) gets a search box above it: what is typed narrows the list, ticked entries
    always stay in sight."""

    def __init__(
        self,
        spec: FieldSpec,
        choices: ChoiceSource,
        parent: QWidget | None = None,
        *,
        searchable: bool = False,
        describe: Callable[[str], str | None] = lambda _value: None,
    ) -> None:
        super().__init__(spec, parent)
        self._source = choices
        self._searchable = searchable
        self._describe = describe
        self.search = QLineEdit(self)
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._narrow)
        self.search.hide()
        self._add_input(self.search)
        self.list = QListWidget(self)
        self.list.setSelectionMode(QListWidget.SelectionMode.NoSelection)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.itemChanged.connect(self._emit_changed)
        self._add_input(self.list)
        self._fill()

    def _choices(self) -> Sequence[Choice]:
        return self._source()

    def _items(self) -> list[QListWidgetItem]:
        return [item for row in range(self.list.count()) if (item := self.list.item(row))]

    def _ticked(self) -> list[str]:
        return [
            str(item.data(Qt.ItemDataRole.UserRole))
            for item in self._items()
            if item.checkState() == Qt.CheckState.Checked
        ]

    def _fill(self, ticked: list[str] | None = None) -> None:
        """(Re)build the list in the current language with `ticked` (default: as now)."""
        wanted = self._ticked() if ticked is None else ticked
        current = self.list.currentRow()
        choices = list(self._choices())
        known = {value for value, _text in choices}
        choices += [
            (value, self._describe(value) or value) for value in wanted if value not in known
        ]
        metrics = self.list.fontMetrics()
        self.list.blockSignals(True)
        try:
            self.list.clear()
            for value, text in choices:
                item = QListWidgetItem(text, self.list)
                item.setData(Qt.ItemDataRole.UserRole, value)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(
                    Qt.CheckState.Checked if value in wanted else Qt.CheckState.Unchecked
                )
                # Tall enough for Tibetan names and labels, whatever the interface font.
                item.setSizeHint(
                    QSize(metrics.horizontalAdvance(text) + 48, _item_height(self.list, text))
                )
            self.list.setCurrentRow(min(current, self.list.count() - 1))
        finally:
            self.list.blockSignals(False)
        self.search.setVisible(self._searchable and self.list.count() > SEARCH_FROM_ENTRIES)
        items = self._items()
        width = max((item.sizeHint().width() for item in items), default=0)
        self.list.setMinimumWidth(width + 2 * self.list.frameWidth())
        self._narrow()

    def _narrow(self) -> None:
        """Show what matches the search, and every ticked entry; the list is as tall as what
        it shows (up to a few rows), so no tick hides below the fold unseen."""
        wanted = self.search.text().strip().casefold() if self.search.isVisibleTo(self) else ""
        shown = []
        for item in self._items():
            keep = (
                not wanted
                or wanted in item.text().casefold()
                or item.checkState() == Qt.CheckState.Checked
            )
            item.setHidden(not keep)
            if keep:
                shown.append(item)
        heights = [item.sizeHint().height() for item in shown[:CHECKLIST_MAX_ROWS]]
        rows = sum(heights) or padded_line_height(self.list)
        self.list.setFixedHeight(rows + 2 * self.list.frameWidth())
        self.list.setVerticalScrollBarPolicy(
            Qt.ScrollBarPolicy.ScrollBarAsNeeded
            if len(shown) > CHECKLIST_MAX_ROWS
            else Qt.ScrollBarPolicy.ScrollBarAlwaysOff
        )

    def value(self) -> DraftValue:
        return self._ticked()

    def set_value(self, raw: object) -> None:
        wanted = _as_list(raw)
        if wanted != self._ticked():
            self._fill(wanted)
            self.changed.emit()

    def focus_widgets(self) -> list[QWidget]:
        return [self.search, self.list] if self.search.isVisibleTo(self) else [self.list]

    def retranslate_ui(self) -> None:
        super().retranslate_ui()
        fit_tibetan(self.search)
        self.search.setPlaceholderText(_("Type part of a name to narrow the list"))
        self.search.setAccessibleName(_("Search in {field}", field=_(self.spec.label)))
        self._fill()


# ---------------------------------------------------------------- ratings

_RATING_DIGITS = str.maketrans("༠༡༢༣༤༥１２３４５０", "012345123450")


class RatingRow(QFrame):
    """The rating buttons' row; it takes the keyboard focus as one field: digits 1-5 choose
    (Tibetan and full-width digits too), 0, Backspace or Delete clear, arrows move."""

    def __init__(self, owner: RatingField) -> None:
        super().__init__(owner)
        self._owner = owner
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        key = event.key()
        digit = event.text().translate(_RATING_DIGITS)
        if digit in {"1", "2", "3", "4", "5"}:
            self._owner.set_value(digit)
        elif digit == "0" or key in (Qt.Key.Key_Backspace, Qt.Key.Key_Delete):
            self._owner.set_value(None)
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Up):
            self._owner.step(-1)
        elif key in (Qt.Key.Key_Right, Qt.Key.Key_Down):
            self._owner.step(1)
        else:
            super().keyPressEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt override
        super().focusInEvent(event)
        self.update()

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt override
        super().focusOutEvent(event)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        super().paintEvent(event)
        if self.hasFocus():  # the buttons take no focus, so the row shows where it is
            painter = QPainter(self)
            painter.setPen(QPen(self.palette().highlight().color(), 2))
            painter.drawRoundedRect(QRect(1, 1, self.width() - 2, self.height() - 2), 4, 4)
            painter.end()


class RatingField(FieldEditor):
    """A satisfaction rating: "no answer" and 1-5 with their labels, as on the paper sheet.
    Value: the digit as a string ("4"), None for no answer."""

    ORDER = (RATING_NO_ANSWER, 1, 2, 3, 4, 5)

    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        assert spec.codes is not None, f"field {spec.key} needs codes"
        self._codes: type[Code] = spec.codes
        self.row = RatingRow(self)
        layout = QHBoxLayout(self.row)
        layout.setContentsMargins(6, 2, 6, 2)
        self.group = QButtonGroup(self)
        self.buttons: dict[int, QRadioButton] = {}
        for number in self.ORDER:
            button = QRadioButton(self.row)
            # The row takes the focus; clicking a button still chooses it.
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setStyleSheet(RATING_BUTTON_STYLE)  # a big target, for mouse and eye
            self.group.addButton(button, number)
            self.buttons[number] = button
            layout.addWidget(button)
        layout.addStretch(1)
        self.buttons[RATING_NO_ANSWER].setChecked(True)
        self.group.buttonToggled.connect(self._toggled)
        self._add_input(self.row)

    def _toggled(self, button: QAbstractButton, checked: bool) -> None:
        del button
        if checked:
            self.changed.emit()

    def value(self) -> DraftValue:
        number = self.group.checkedId()
        return None if number in (RATING_NO_ANSWER, -1) else str(number)

    def set_value(self, raw: object) -> None:
        text = _as_text(raw).strip()
        number = int(text) if text in self._codes.codes() else RATING_NO_ANSWER
        self.buttons[number if number in self.buttons else RATING_NO_ANSWER].setChecked(True)

    def step(self, delta: int) -> None:
        checked = self.group.checkedId()
        position = self.ORDER.index(checked) if checked in self.ORDER else 0
        target = self.ORDER[max(0, min(len(self.ORDER) - 1, position + delta))]
        self.buttons[target].setChecked(True)

    def focus_widgets(self) -> list[QWidget]:
        return [self.row]

    def retranslate_ui(self) -> None:
        super().retranslate_ui()
        self.buttons[RATING_NO_ANSWER].setText(pgettext("rating", NO_ANSWER))
        for member in self._codes:
            # The digit first: it is the key that chooses the button.
            self.buttons[int(member.value)].setText(f"{member.value} {_(member.label)}")
        for button in self.buttons.values():
            # A style sheet pins a widget's font: give it the interface font of now.
            button.setFont(self.font())
            room_for_tibetan(button)


# ---------------------------------------------------------------- references


_SEARCH_STEPS = {
    Qt.Key.Key_Up: -1,
    Qt.Key.Key_Down: 1,
    Qt.Key.Key_PageUp: -5,
    Qt.Key.Key_PageDown: 5,
}


class ReferenceField(FieldEditor):
    """A person or record: type in the search box, the matches fill the combo box beside
    it. One Tab stop: Up and Down in the search box move through the matches, Alt+Down or
    F4 opens the list. A single match is chosen at once."""

    def __init__(
        self,
        spec: FieldSpec,
        source: ReferenceSource | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(spec, parent)
        self._source = source
        self.search = QLineEdit(self)
        self.search.setClearButtonEnabled(True)
        self.search.setEnabled(source is not None)
        self.combo = QComboBox(self)
        self.combo.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        # Names with birth dates run long (Tibetan dates especially): the combo takes the
        # room there is rather than widening the whole form; the tooltip has the full text.
        self.combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.combo.setMinimumContentsLength(12)
        self.combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.combo.addItem("", None)
        for value, name in self._always():
            self.combo.addItem(name, value)
        row = QWidget(self)
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search, 1)
        layout.addWidget(self.combo, 2)
        self._add_input(row)
        # Search as the user types, but not on every keystroke of a fast typist.
        self._timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.run_search)
        self.search.textChanged.connect(self._timer.start)
        self.search.editingFinished.connect(self.flush_search)
        self.search.installEventFilter(self)
        self.combo.currentIndexChanged.connect(self._chose)

    def _always(self) -> Sequence[Choice]:
        return self._source.always() if self._source is not None else ()

    def _chose(self) -> None:
        self.combo.setToolTip(self.combo.currentText())
        self.changed.emit()

    def flush_search(self) -> None:
        """Search now if a search is waiting (Tab pressed before the delay ran out). Not
        while hidden: a closing form must not choose a person on its way out."""
        if self._timer.isActive() and self.isVisible():
            self._timer.stop()
            self.run_search()

    def run_search(self) -> None:
        text = self.search.text().strip()
        found = list(self._source.search(text)) if self._source is not None and text else []
        chosen = self._chosen()
        entries: list[Choice] = []
        if chosen is not None and all(value != chosen for value, _name in found):
            # Keep the choice until another is made: searching alone never unchooses.
            entries.append((chosen, self.combo.currentText()))
        entries += found
        entries += [entry for entry in self._always() if entry[0] != chosen]
        self.combo.blockSignals(True)
        try:
            self.combo.clear()
            self.combo.addItem("", None)
            for value, name in entries:
                self.combo.addItem(name, value)
            index = self.combo.findData(chosen) if chosen is not None else -1
            if index < 0 and len(found) == 1:
                index = 1
            self.combo.setCurrentIndex(max(index, 0))
        finally:
            self.combo.blockSignals(False)
        if self._chosen() != chosen:
            self.changed.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.search and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = Qt.Key(event.key())
            alt = bool(event.modifiers() & Qt.KeyboardModifier.AltModifier)
            if key == Qt.Key.Key_F4 or (alt and key == Qt.Key.Key_Down):
                self.flush_search()
                self.combo.showPopup()
                return True
            step = _SEARCH_STEPS.get(key)
            if step is not None:
                self.flush_search()
                index = self.combo.currentIndex() + step
                self.combo.setCurrentIndex(max(0, min(self.combo.count() - 1, index)))
                return True
        return super().eventFilter(watched, event)

    def _name(self, value: str) -> str:
        described = self._source.describe(value) if self._source is not None else None
        return described or dict(self._always()).get(value) or value

    def _chosen(self) -> str | None:
        data = self.combo.currentData()
        return str(data) if data else None

    def value(self) -> DraftValue:
        return self._chosen()

    def set_value(self, raw: object) -> None:
        value = _as_text(raw).strip() or None
        if value == self._chosen():
            return
        if value is None:
            self.combo.setCurrentIndex(0)
            return
        index = self.combo.findData(value)
        if index < 0:
            self.combo.addItem(self._name(value), value)
            index = self.combo.count() - 1
        self.combo.setCurrentIndex(index)

    def focus_widgets(self) -> list[QWidget]:
        return [self.search]

    def retranslate_ui(self) -> None:
        super().retranslate_ui()
        self.combo.setAccessibleName(_(self.spec.label))
        fit_tibetan(self.search)
        room_for_tibetan(self.combo)
        if self.spec.kind is FieldKind.RESIDENT:
            # Short enough to be read whole in the narrow box; the tooltip says it all.
            self.search.setPlaceholderText(_("Name, ID card or phone"))
            self.search.setToolTip(
                _("Search by name in any script, Wylie, pinyin, ID card or phone number")
            )
        # Names may be shown differently in another language: name the choice again.
        chosen = self._chosen()
        if chosen is not None:
            self.combo.setItemText(self.combo.currentIndex(), self._name(chosen))
        for value, name in self._always():
            index = self.combo.findData(value)
            if index >= 0:
                self.combo.setItemText(index, name)
        self.combo.setToolTip(self.combo.currentText())


# ---------------------------------------------------------------- yes / no


class BooleanField(FieldEditor):
    """A check box; the value is "true" or "false" (as the services read it)."""

    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.check = QCheckBox(self)
        self.check.toggled.connect(self._emit_changed)
        self._add_input(self.check)

    def value(self) -> DraftValue:
        return "true" if self.check.isChecked() else "false"

    def set_value(self, raw: object) -> None:
        checked = raw if isinstance(raw, bool) else _as_text(raw).lower() in {"1", "true", "yes"}
        self.check.setChecked(checked)

    def focus_widgets(self) -> list[QWidget]:
        return [self.check]

    def retranslate_ui(self) -> None:
        super().retranslate_ui()
        room_for_tibetan(self.check)


# ---------------------------------------------------------------- the factory

_LINE_KINDS = frozenset(
    {
        FieldKind.TEXT,
        FieldKind.DATE,
        FieldKind.INTEGER,
        FieldKind.MONEY,
        FieldKind.ID_NUMBER,
        FieldKind.PHONE,
    }
)


def make_field(
    spec: FieldSpec,
    choices: FormChoices,
    formats: LocaleFormats | None = None,
    parent: QWidget | None = None,
) -> FieldEditor:
    """The editor for `spec`'s kind (texts are set by its `retranslate_ui`)."""
    kind = spec.kind
    if kind in _LINE_KINDS:
        return LineField(spec, formats, parent)
    if kind is FieldKind.MULTILINE:
        return MultilineField(spec, parent)
    if kind is FieldKind.CODE:
        return ChoiceCombo(spec, choices.codes.get(spec.key) or code_choices(spec), parent)
    if kind is FieldKind.CODES:
        return CheckList(spec, choices.codes.get(spec.key) or code_choices(spec), parent)
    if kind is FieldKind.RATING:
        return RatingField(spec, parent)
    if kind is FieldKind.STAFF:
        return ChoiceCombo(spec, choices.staff, parent, describe=choices.describe_staff)
    if kind is FieldKind.STAFF_LIST:
        return CheckList(
            spec, choices.staff, parent, searchable=True, describe=choices.describe_staff
        )
    if kind is FieldKind.RESIDENT:
        return ReferenceField(spec, choices.residents, parent)
    if kind is FieldKind.REFERENCE:
        return ReferenceField(spec, choices.references.get(spec.ref or ""), parent)
    if kind is FieldKind.BOOLEAN:
        return BooleanField(spec, parent)
    raise ValueError(f"no editor for field kind {kind!r}")
