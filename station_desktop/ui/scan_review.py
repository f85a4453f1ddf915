"""File → Read scanned sheets…: a pile of scanned feedback sheets and sign-in lists read
back, the doubtful boxes settled by a person, the sheets entered.

What the pile shares comes first (the date of the service, the date collected, who
collected them: as when a pile is typed in); then the files (PDFs from a scanner, photos).
The pages are read in a worker thread; the table lists every page with what became of it:
ready, to check, or kept aside with the reason. The review below shows one doubtful question
at a time, the most doubtful first: the row as scanned, its boxes outlined (the reader's
proposal in blue), and the choices. The keyboard does it all, as in typing a pile: Enter
accepts the proposal, 1–9 choose, 0 is "no answer", Backspace goes back; each answer moves
on to the next. "Enter the ready sheets" writes them in one step (`ScanService.save`); the
same files read again add nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeyEvent, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from station_desktop.app import Application
from station_desktop.errors import StationError, ValidationError
from station_desktop.forms.feedback import FEEDBACK_FORM
from station_desktop.i18n import N_, _, ngettext, pgettext
from station_desktop.services.scanning import (
    COMMENTS,
    MSG_READER_MISSING,
    NEEDS,
    PILE_FIELDS,
    REFUSALS,
    Needs,
    ScannedSheet,
    ScanPile,
    SheetStatus,
    proposal,
    reader_installed,
)
from station_desktop.ui.display import code_text
from station_desktop.ui.fonts import room_for_tibetan
from station_desktop.ui.forms.editor import application_choices
from station_desktop.ui.forms.fields import FieldEditor, make_field, paint_as_error
from station_desktop.ui.qt_i18n import LanguageSwitcher
from station_desktop.ui.roster_import import Job
from station_desktop.ui.table_models import filling, size_rows
from station_desktop.ui.window_state import remember_geometry

FILE_FILTER = N_("Scans (*.pdf *.jpg *.jpeg *.png *.tif *.tiff)")
HEADERS = (N_("File and page"), N_("Sheet"), N_("What became of it"))
# Why the reader was not sure, by `scan.reader.Doubt` value.
DOUBTS = {
    "faint": N_("A faint mark."),
    "dot": N_("A dot or a short dash, not clearly a tick."),
    "filled": N_("A box filled in or crossed out."),
    "two_ticks": N_("Two boxes ticked where one answer is asked."),
    "box_not_found": N_("A box not found where it was printed."),
}
ROW_WIDTH = 980  # the scanned row is shown at most this wide (pixels)...
ROW_HEIGHT = 140  # ...and this high (a list of seven services spans four lines)
CHOICES_PER_ROW = 6  # more choices wrap on two rows (the dialog fits a 1366-pixel screen)
PROPOSED = QColor(30, 100, 220)
OTHER = QColor(150, 150, 150)
MAX_CHOICES = 9  # keys 1–9
VALUES_PAUSE_MS = 500


def _question_label(sheet: ScannedSheet, key: str) -> str:
    if key.startswith("present:"):
        return _("Line {line} of the list", line=key.partition(":")[2])
    try:
        return _(FEEDBACK_FORM.field(key).label)
    except KeyError:
        return key


def _choices(key: str, values: Sequence[str]) -> list[tuple[str, str]]:
    """(value, label) of the boxes a question has, in their printed order."""
    if key.startswith("present:"):
        return [("yes", _("Present"))]
    codes = FEEDBACK_FORM.field(key).codes
    return [(v, code_text(codes, v) if codes else v) for v in values]


class ReviewPanel(QWidget):
    """One doubtful question at a time, answered from the keyboard (see the module)."""

    answered = Signal(object, str, tuple)  # the sheet, the question's key, the answer
    finished = Signal()  # Enter once every question is answered: enter the ready pages

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.items: list[tuple[ScannedSheet, Any]] = []
        self.position = 0
        self.heading = QLabel(self)
        self.heading.setWordWrap(True)
        self.doubt = QLabel(self)
        self.doubt.setWordWrap(True)
        paint_as_error(self.doubt)
        self.image = QLabel(self)
        self.image.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.image.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.choices_row = QGridLayout()
        self.choice_buttons: list[QPushButton] = []
        self.keys = QLabel(self)
        self.keys.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()  # what is asked, and why: one line (the dialog fits 768 pixels)
        top.addWidget(self.heading, 1)
        top.addWidget(self.doubt, 1)
        layout.addLayout(top)
        layout.addWidget(self.image)
        layout.addLayout(self.choices_row)
        layout.addWidget(self.keys)

    def show_items(self, items: list[tuple[ScannedSheet, Any]]) -> None:
        self.items = items
        self.position = self._next_open(0)
        self.refresh()

    @property
    def current(self) -> tuple[ScannedSheet, Any] | None:
        if 0 <= self.position < len(self.items):
            return self.items[self.position]
        return None

    def _next_open(self, start: int) -> int:
        """The first question from `start` nobody answered yet (else the last one)."""
        for index in range(start, len(self.items)):
            sheet, question = self.items[index]
            if question.key not in sheet.settled:
                return index
        return len(self.items)

    def options(self) -> list[tuple[tuple[str, ...], str]]:
        """The answers offered for the current question: each box, then no answer."""
        current = self.current
        if current is None:
            return []
        _sheet, question = current
        values = [b.value for b in question.boxes]
        offered = [((value,), label) for value, label in _choices(question.key, values)]
        if question.key.startswith("present:"):
            return [*offered, ((), _("Not present"))]
        return [*offered, ((), pgettext("rating", "No answer"))]

    def proposed(self) -> tuple[str, ...] | None:
        current = self.current
        if current is None:
            return None
        sheet, question = current
        if question.key in sheet.settled:
            return sheet.settled[question.key]
        if question.sure:  # a required answer left empty: nothing to propose
            return None
        return proposal(question)

    def refresh(self) -> None:
        for button in self.choice_buttons:
            self.choices_row.removeWidget(button)
            button.hide()  # at once: it is deleted only when the event loop runs again
            button.deleteLater()
        self.choice_buttons = []
        current = self.current
        if current is None:
            self.heading.setText(
                _("Every box of the pile is checked.") if self.items else _("Nothing to check.")
            )
            self.doubt.clear()
            self.image.clear()
            self.keys.setText(_("Enter: enter the ready pages") if self.items else "")
            return
        sheet, question = current
        code = sheet.code
        form = f"{code.form} #{sheet.sheet}" if code and code.kind == "sheet" else sheet.source
        self.heading.setText(
            _(
                "Check {n} of {count} · {form} · {question}",
                n=self.position + 1,
                count=len(self.items),
                form=form,
                question=_question_label(sheet, question.key),
            )
        )
        if question.doubt is not None:
            self.doubt.setText(_(DOUBTS[question.doubt.value]))
        else:
            self.doubt.setText(_(NEEDS[Needs.SERVICE_AREA.value]))
        proposed = self.proposed()
        self._show_row(question, proposed or ())
        options = self.options()
        rows = -(-len(options) // CHOICES_PER_ROW)
        columns = -(-len(options) // rows)
        for number, (answer, label) in enumerate(options, start=1):
            key = "0" if not answer else str(number)
            button = QPushButton(f"{key}  {label}", self)
            button.setAutoDefault(False)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the panel keeps the keys
            button.setCheckable(True)
            button.setChecked(proposed is not None and answer == proposed)
            room_for_tibetan(button)
            button.clicked.connect(self._answerer(answer))
            self.choices_row.addWidget(button, (number - 1) // columns, (number - 1) % columns)
            self.choice_buttons.append(button)
        accept = (
            _("Enter: accept the blue choice")
            if proposed is not None
            else _("Choose with the number keys")
        )
        self.keys.setText(
            _(
                "{accept} · 1–{last}: choose · 0: no answer · Backspace: back",
                accept=accept,
                last=min(MAX_CHOICES, len(self.options()) - 1),
            )
        )

    def _show_row(self, question: Any, proposed: tuple[str, ...]) -> None:
        pixmap = QPixmap()
        if not question.row or not pixmap.loadFromData(question.row):
            self.image.clear()
            return
        painter = QPainter(pixmap)
        for box, (x, y, w, h) in zip(question.boxes, question.row_boxes, strict=False):
            chosen = box.value in proposed
            painter.setPen(QPen(PROPOSED if chosen else OTHER, 4 if chosen else 2))
            painter.drawRect(QRect(x - 3, y - 3, w + 6, h + 6))
        painter.end()
        width = min(ROW_WIDTH, max(200, self.width() - 20))
        if pixmap.width() > width or pixmap.height() > ROW_HEIGHT:
            pixmap = pixmap.scaled(
                width,
                ROW_HEIGHT,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        self.image.setPixmap(pixmap)

    def _answerer(self, answer: tuple[str, ...]) -> Callable[[], None]:
        return lambda: self.answer(answer)

    def answer(self, answer: tuple[str, ...]) -> None:
        current = self.current
        if current is None:
            return
        sheet, question = current
        self.answered.emit(sheet, question.key, answer)
        self.position = self._next_open(self.position + 1)
        self.position = min(len(self.items), self.position)
        self.refresh()

    def back(self) -> None:
        if self.items:
            self.position = max(0, min(self.position, len(self.items)) - 1)
            self.refresh()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        key = event.key()
        options = self.options()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.current is None:
            self.finished.emit()
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            proposed = self.proposed()
            if proposed is not None:
                self.answer(proposed)
            return
        if key == Qt.Key.Key_0:
            self.answer(())
            return
        if Qt.Key.Key_1 <= key <= Qt.Key.Key_9:
            index = key - Qt.Key.Key_1
            if index < len(options) - 1:
                self.answer(options[index][0])
            return
        if key in (Qt.Key.Key_Backspace, Qt.Key.Key_Up, Qt.Key.Key_PageUp):
            self.back()
            return
        if key in (Qt.Key.Key_Down, Qt.Key.Key_PageDown) and self.current is not None:
            self.position = min(len(self.items), self.position + 1)
            self.refresh()
            return
        super().keyPressEvent(event)


def written_comment(pile: ScanPile, sheet: ScannedSheet) -> bytes:
    """The image of what was written in a sheet's comments (on its back, read in the same
    pile), PNG; empty when nothing written was found."""
    for page in (sheet, *(s for s in pile.sheets if s.front is sheet)):
        image = page.reading.writing.get(COMMENTS)
        if image:
            return image
    return b""


class CommentDialog(QDialog):
    """The comment of a sheet with nothing ticked, typed from its image (the form asks for
    an answer or a comment)."""

    def __init__(self, image: bytes, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Type the comment"))
        self.image = QLabel(self)
        pixmap = QPixmap()
        if image and pixmap.loadFromData(image):
            if pixmap.width() > ROW_WIDTH:
                pixmap = pixmap.scaledToWidth(ROW_WIDTH, Qt.TransformationMode.SmoothTransformation)
            self.image.setPixmap(pixmap)
        else:
            self.image.setText(_("Nothing written was found on the sheet."))
        self.editor = QPlainTextEdit(self)
        self.editor.setPlainText(text)
        self.editor.setAccessibleName(_(FEEDBACK_FORM.field(COMMENTS).label))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.image)
        layout.addWidget(QLabel(_(FEEDBACK_FORM.field(COMMENTS).label), self))
        layout.addWidget(self.editor, 1)
        layout.addWidget(buttons)
        self.editor.setFocus(Qt.FocusReason.OtherFocusReason)

    def text(self) -> str:
        return self.editor.toPlainText()


class ScanDialog(QDialog):
    """Read a pile, settle its doubts, enter it. `entered` after sheets were saved."""

    entered = Signal()

    def __init__(
        self, app: Application, languages: LanguageSwitcher, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._app = app
        self._languages = languages
        self.pile: ScanPile | None = None
        self.job: Job | None = None
        choices = application_choices(app, languages.formats)
        self.fields: dict[str, FieldEditor] = {}
        self.field_labels: dict[str, QLabel] = {}
        shared = QGridLayout()
        # The service, the dates and the collector on one row, then the files: the pile's
        # table and the review keep the height of a 1366×768 screen.
        for number, key in enumerate(PILE_FIELDS):
            editor = make_field(FEEDBACK_FORM.field(key), choices, languages.formats, self)
            label = QLabel(self)
            label.setBuddy(editor.focus_widgets()[0])
            self.fields[key] = editor
            self.field_labels[key] = label
            shared.addWidget(label, 0, number)
            shared.addWidget(editor, 1, number)
        # A pile read before its date of service was given is judged again once it is
        # (after a pause in the typing: judging looks every sheet up in the data).
        self._values_timer = QTimer(self)
        self._values_timer.setSingleShot(True)
        self._values_timer.setInterval(VALUES_PAUSE_MS)
        self._values_timer.timeout.connect(self._values_changed)
        for editor in self.fields.values():
            editor.changed.connect(self._values_timer.start)
        worker = app.ctx.actor_id
        if worker is not None:
            self.fields["collected_by_id"].set_value(str(worker))
        self.fields["collected_on"].set_value(app.ctx.today().isoformat())
        self.choose_button = QPushButton(self)
        self.choose_button.setAutoDefault(False)
        self.choose_button.clicked.connect(lambda: self.choose_files())  # noqa: PLW0108
        shared.addWidget(self.choose_button, 1, len(PILE_FIELDS))
        self.progress = QLabel(self)
        self.progress.setWordWrap(True)
        # A laptop installed without the scan reader says so at once, before any file is
        # chosen; the handwriting of sheets read elsewhere can still be typed here.
        self.reader_missing = not reader_installed()
        self.choose_button.setEnabled(not self.reader_missing)
        self.table = QTableWidget(0, len(HEADERS), self)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.itemActivated.connect(lambda item: self.type_comment(item.row()))
        self.review_box = QGroupBox(self)
        self.review = ReviewPanel(self.review_box)
        self.review.answered.connect(self._settle)
        self.review.finished.connect(self.save)
        box_layout = QVBoxLayout(self.review_box)
        box_layout.setContentsMargins(8, 4, 8, 4)
        box_layout.addWidget(self.review)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.save_button = QPushButton(self)
        self.save_button.setAutoDefault(False)
        self.save_button.clicked.connect(lambda: self.save())  # noqa: PLW0108
        self.close_button = QPushButton(self)
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.reject)
        # The images of the comments and names of the sheets entered (this pile's or
        # earlier ones'), typed when there is time.
        self.handwriting_button = QPushButton(self)
        self.handwriting_button.setAutoDefault(False)
        self.handwriting_button.clicked.connect(lambda: self.type_handwriting())  # noqa: PLW0108
        buttons = QHBoxLayout()
        buttons.addWidget(self.summary, 1)
        buttons.addWidget(self.handwriting_button)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(shared)
        layout.addWidget(self.progress)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.review_box, 1)
        layout.addLayout(buttons)
        self.resize(1100, 720)
        remember_geometry(self, "scan_review")
        self.retranslate_ui()
        self._show_pile()

    # ------------------------------------------------------------ language

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def retranslate_ui(self) -> None:
        self.setWindowTitle(_("Read scanned sheets"))
        for key, label in self.field_labels.items():
            label.setText(_(FEEDBACK_FORM.field(key).label))
            self.fields[key].retranslate_ui()
        self.choose_button.setText(_("Choose scanned files…"))
        room_for_tibetan(self.choose_button)
        self.table.setHorizontalHeaderLabels([_(h) for h in HEADERS])
        self.table.setAccessibleName(_("Pages read"))
        self.review_box.setAccessibleName(_("Boxes to check"))  # no title: the heading says
        self.review.setAccessibleName(_("Boxes to check"))
        self.close_button.setText(_("Close"))
        self.handwriting_button.setText(_("Handwriting to type…"))
        room_for_tibetan(self.save_button, self.close_button, self.handwriting_button)
        if self.reader_missing:
            self.progress.setText(_(MSG_READER_MISSING))
        self._show_pile()

    # ------------------------------------------------------------ reading

    def choose_files(self) -> Job | None:
        chosen, _filter = QFileDialog.getOpenFileNames(
            self, _("Read scanned sheets"), str(Path.home()), _(FILE_FILTER)
        )
        if not chosen:
            return None
        return self.read([Path(p) for p in chosen])

    def _pile_values(self) -> Any:
        raw = {key: editor.value() for key, editor in self.fields.items()}
        for editor in self.fields.values():
            editor.set_error(None)
        try:
            return self._app.scanning.pile_values(raw)
        except ValidationError as error:
            for problem in error.errors:
                if problem.field in self.fields:
                    self.fields[problem.field].set_error(_(problem.message, **problem.params))
            return None

    def read(self, paths: Sequence[Path]) -> Job | None:
        """Read the files in a worker thread (`job.done` when the pile is shown)."""
        values = self._pile_values()
        if values is None:
            return None
        service = self._app.scanning
        self.choose_button.setEnabled(False)
        self.progress.setText(_("Reading…"))
        job = Job(
            lambda progress: service.read(
                paths, values, progress=lambda done, source: progress(source, done, 0)
            )
        )
        job.progressed.connect(self._progressed)
        job.done.connect(self._read)
        job.failed.connect(self._failed)
        self.job = job
        job.start()
        return job

    def _progressed(self, source: str, done: int, _total: int) -> None:
        self.progress.setText(
            ngettext(
                "{count} page read ({source})",
                "{count} pages read ({source})",
                done,
                count=done,
                source=source,
            )
        )

    def _read(self, pile: object) -> None:
        assert isinstance(pile, ScanPile)
        self.pile = pile
        self.choose_button.setEnabled(True)
        self.progress.clear()
        self.review.show_items(pile.review())
        self._show_pile()
        self.review.setFocus(Qt.FocusReason.OtherFocusReason)

    def _failed(self, error: object) -> None:
        self.choose_button.setEnabled(not self.reader_missing)
        self.progress.setText(_(MSG_READER_MISSING) if self.reader_missing else "")
        if not isinstance(error, StationError):
            raise error if isinstance(error, BaseException) else RuntimeError(error)
        QMessageBox.warning(self, _("Read scanned sheets"), _(error.message, **error.params))

    # ------------------------------------------------------------ the pile

    def _values_changed(self) -> None:
        """What the pile shares changed: every sheet judged again (a date of service given
        makes the sheets that waited for it ready; a service area, those without one)."""
        if self.pile is None or (self.job is not None and self.job.is_running()):
            return
        values = self._pile_values()
        if values is None:
            return
        self.pile.values = values
        self._app.scanning.judge(self.pile)
        self.review.show_items(self.pile.review())
        self._show_pile()

    def _settle(self, sheet: object, key: str, answer: tuple[str, ...]) -> None:
        assert isinstance(sheet, ScannedSheet) and self.pile is not None
        self._app.scanning.settle(self.pile, sheet, key, answer)
        self._show_pile()

    def type_comment(self, row: int) -> bool:
        """A sheet with nothing ticked (its row activated, Enter or a double click): its
        comment typed from the image of what was written. True when one was typed."""
        if self.pile is None or not 0 <= row < len(self.pile.sheets):
            return False
        sheet = self.pile.sheets[row]
        sheet = sheet.front or sheet  # the back's row leads to its front
        if Needs.NOTHING not in sheet.needs and not sheet.comment:
            return False
        dialog = CommentDialog(written_comment(self.pile, sheet), sheet.comment, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        self._app.scanning.type_comment(self.pile, sheet, dialog.text())
        self._show_pile()
        return True

    def type_handwriting(self) -> QDialog:
        """The images of handwriting of the sheets entered, to type (a window of its own)."""
        from station_desktop.ui.handwriting import HandwritingDialog  # noqa: PLC0415

        dialog = HandwritingDialog(self._app, self._languages, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.typed.connect(self.entered)
        dialog.open()
        return dialog

    def _status_text(self, sheet: ScannedSheet) -> str:
        if sheet.saved_id is not None:
            return _("Entered.")
        if sheet.status is SheetStatus.REFUSED:
            reason = _(REFUSALS[sheet.refusal.value]) if sheet.refusal else ""
            return _("Kept aside: {reason}", reason=reason)
        if sheet.status is SheetStatus.REVIEW:
            needs = " ".join(_(NEEDS[n.value]) for n in sheet.needs)
            if Needs.NOTHING in sheet.needs:
                needs += " " + _("Enter on its row: type it.")
            if sheet.problem is not None:
                needs += " " + " ".join(_(e.message, **e.params) for e in sheet.problem.errors)
            return _("To check: {needs}", needs=needs)
        return _("Ready.")

    def _show_pile(self) -> None:
        pile = self.pile
        sheets = pile.sheets if pile is not None else []
        with filling(self.table):
            self.table.setRowCount(len(sheets))
            for row, sheet in enumerate(sheets):
                code = sheet.code
                number = ""
                if code is not None:
                    page = f" ({code.page}/2)" if code.kind == "sheet" and code.page > 1 else ""
                    number = (
                        f"{code.form} #{sheet.sheet}{page}"
                        if code.kind == "sheet"
                        else f"{code.form} p. {code.page}"
                    )
                for column, text in enumerate((sheet.source, number, self._status_text(sheet))):
                    self.table.setItem(row, column, QTableWidgetItem(text))
            size_rows(self.table)
        ready = [s for s in sheets if s.status is SheetStatus.READY and s.saved_id is None]
        review = [s for s in sheets if s.status is SheetStatus.REVIEW]
        refused = [s for s in sheets if s.status is SheetStatus.REFUSED and s.saved_id is None]
        entered = [s for s in sheets if s.saved_id is not None]
        self.summary.setText(
            _(
                "{ready} ready · {review} to check · {refused} kept aside · {entered} entered",
                ready=len(ready),
                review=len(review),
                refused=len(refused),
                entered=len(entered),
            )
            if pile is not None
            else ""
            if self.reader_missing  # the line under the fields says why nothing can be read
            else _("Give what the pile shares, then choose the scanned files.")
        )
        self.save_button.setText(
            ngettext(
                "Enter {count} ready page",
                "Enter {count} ready pages",
                len(ready),
                count=len(ready),
            )
        )
        self.save_button.setEnabled(bool(ready))

    def done(self, result: int) -> None:
        """Closing while a pile is read stops the reading (at the next page)."""
        if self.job is not None and self.job.is_running():
            self.job.cancel()
        super().done(result)

    def save(self) -> bool:
        """Enter the ready pages (one step); True when something was entered."""
        if self.pile is None:
            return False
        values = self._pile_values()
        if values is None:
            return False
        self.pile.values = values
        try:
            saved = self._app.scanning.save(self.pile)
        except StationError as error:
            QMessageBox.warning(self, _("Read scanned sheets"), _(error.message, **error.params))
            self._show_pile()
            return False
        self._show_pile()
        self.progress.setText(
            _(
                "Entered: {sheets} feedback sheets, {backs} comment pages, {lists} sign-in "
                "list pages ({attendees} people signed in).",
                **saved.__dict__,
            )
        )
        self.entered.emit()
        return True
