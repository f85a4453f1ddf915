"""Handwriting to type: the images of what residents wrote on scanned feedback sheets (their
comments, their name), kept with the sheets when the pile was entered (nothing handwritten
is read by the program), shown one at a time beside a text field.

The keyboard does it all, as in reviewing a pile: type what the image says, Enter saves and
shows the next (Shift+Enter starts a new line); "Nothing to type" takes a scribble off the
list; "Skip" leaves one for later. A comment joins the sheet's comments; a name stays with
the scanned page (`ScanService.type_handwriting`).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from station_desktop.app import Application
from station_desktop.errors import StationError, ValidationError
from station_desktop.forms.feedback import FEEDBACK_FORM
from station_desktop.i18n import _
from station_desktop.services.scanning import COMMENTS, Handwriting
from station_desktop.ui.fonts import room_for_tibetan
from station_desktop.ui.forms.fields import paint_as_error
from station_desktop.ui.qt_i18n import LanguageSwitcher
from station_desktop.ui.window_state import fit_to_screen, remember_geometry

IMAGE_WIDTH = 960  # the image is shown at most this wide (pixels)...
IMAGE_HEIGHT = 250  # ...and this high: five written lines of a comment
COMMENTS_SHOWN = 200  # characters of the sheet's comments shown above the field


class HandwritingDialog(QDialog):
    """`typed` after each text saved (a sheet's comments changed)."""

    typed = Signal()

    def __init__(
        self, app: Application, languages: LanguageSwitcher, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._app = app
        self._languages = languages
        self.items: list[Handwriting] = app.scanning.handwriting_to_type()
        self.position = 0
        self.done_count = 0
        self.heading = QLabel(self)
        self.heading.setWordWrap(True)
        self.count = QLabel(self)
        self.image = QLabel(self)
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image.setMinimumHeight(IMAGE_HEIGHT)
        self.image.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.image.setFrameShape(QLabel.Shape.StyledPanel)
        self.before = QLabel(self)  # the sheet's comments as they are
        self.before.setWordWrap(True)
        self.field_label = QLabel(self)
        self.editor = QPlainTextEdit(self)
        self.editor.setTabChangesFocus(True)
        self.editor.installEventFilter(self)
        self.field_label.setBuddy(self.editor)
        self.hint = QLabel(self)
        self.hint.setWordWrap(True)
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        paint_as_error(self.error)
        self.save_button = QPushButton(self)
        self.save_button.setAutoDefault(False)
        self.save_button.clicked.connect(lambda: self.save())  # noqa: PLW0108
        self.nothing_button = QPushButton(self)
        self.nothing_button.setAutoDefault(False)
        self.nothing_button.clicked.connect(lambda: self.save(nothing=True))
        self.skip_button = QPushButton(self)
        self.skip_button.setAutoDefault(False)
        self.skip_button.clicked.connect(self.skip)
        self.close_button = QPushButton(self)
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.count, 1)
        for button in (self.save_button, self.nothing_button, self.skip_button):
            buttons.addWidget(button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.image)
        layout.addWidget(self.before)
        layout.addWidget(self.field_label)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.hint)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        fit_to_screen(self, 1000, 620)
        remember_geometry(self, "handwriting")
        self.retranslate_ui()
        self.editor.setFocus(Qt.FocusReason.OtherFocusReason)

    # ------------------------------------------------------------ the keyboard

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        # Enter saves and goes to the next; Shift+Enter is a new line of the comment.
        if (
            watched is self.editor
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier
        ):
            self.save()
            return True
        return super().eventFilter(watched, event)

    # ------------------------------------------------------------ typing

    def current(self) -> Handwriting | None:
        return self.items[self.position] if self.position < len(self.items) else None

    def save(self, *, nothing: bool = False) -> bool:
        """Keep what was typed (or that there is nothing to type) and show the next image.
        True when it was kept."""
        item = self.current()
        if item is None:
            return False
        text = "" if nothing else self.editor.toPlainText()
        if not nothing and not text.strip():
            self.error.setText(_("Type what is written, or choose “Nothing to type”."))
            return False
        try:
            self._app.scanning.type_handwriting(item, text)
        except ValidationError as error:
            self.error.setText(" ".join(_(e.message, **e.params) for e in error.errors))
            return False
        except StationError as error:
            QMessageBox.warning(self, self.windowTitle(), _(error.message, **error.params))
            return False
        del self.items[self.position]
        self.done_count += 1
        # A second image of the same sheet shows its comments as they are now.
        if item.key == COMMENTS and text.strip():
            self._refresh_comments()
        self.typed.emit()
        self._show()
        return True

    def _refresh_comments(self) -> None:
        fresh = {(i.page_id, i.key): i for i in self._app.scanning.handwriting_to_type()}
        self.items = [fresh.get((i.page_id, i.key), i) for i in self.items]

    def skip(self) -> None:
        """Leave this one for later (it stays on the list)."""
        if self.current() is not None:
            self.position += 1
            self._show()

    # ------------------------------------------------------------ showing

    def _show(self) -> None:
        item = self.current()
        self.error.clear()
        self.editor.clear()
        left = len(self.items)
        self.count.setText(
            _(
                "{typed} typed · {left} left",
                typed=self._languages.formats.number(self.done_count),
                left=self._languages.formats.number(left),
            )
        )
        for widget in (self.editor, self.save_button, self.nothing_button, self.skip_button):
            widget.setEnabled(item is not None)
        if item is None:
            self.heading.setText(
                _("Nothing left to type.")
                if not self.items
                else _("The ones skipped stay on the list for next time.")
            )
            self.image.clear()
            self.before.clear()
            self.field_label.clear()
            self.close_button.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        label = _(FEEDBACK_FORM.field(item.key).label)
        self.heading.setText(
            _(
                "Sheet {number} · {field} · {source}",
                number=item.sheet_no,
                field=label,
                source=item.source,
            )
        )
        pixmap = QPixmap()
        if pixmap.loadFromData(item.image):
            pixmap = pixmap.scaled(
                IMAGE_WIDTH,
                IMAGE_HEIGHT,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
            self.image.setPixmap(pixmap)
        else:
            self.image.setText(_("The image cannot be shown."))
        comments = item.comments.strip()
        if item.key == COMMENTS and comments:
            shown = comments if len(comments) <= COMMENTS_SHOWN else comments[:COMMENTS_SHOWN] + "…"
            self.before.setText(_("The sheet's comments so far: {text}", text=shown))
        else:
            self.before.clear()
        self.field_label.setText(_("What is written ({field}):", field=label))
        self.editor.setAccessibleName(label)
        self.editor.setFocus(Qt.FocusReason.OtherFocusReason)

    # ------------------------------------------------------------ language

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def retranslate_ui(self) -> None:
        self.setWindowTitle(_("Handwriting to type"))
        self.image.setAccessibleName(_("The handwriting as scanned"))
        self.hint.setText(_("Enter saves and shows the next; Shift+Enter starts a new line."))
        self.save_button.setText(_("Save and next"))
        self.nothing_button.setText(_("Nothing to type"))
        self.skip_button.setText(_("Skip"))
        self.close_button.setText(_("Close"))
        room_for_tibetan(self.save_button, self.nothing_button, self.skip_button, self.close_button)
        text = self.editor.toPlainText()
        self._show()
        self.editor.setPlainText(text)  # a language switch keeps what was being typed
