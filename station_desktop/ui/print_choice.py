"""The small dialogs that choose what to print before a preview (Print → Visit pack…, the
activity's Print sign-in list…): a generated form, so its errors appear beside the fields
like every other form's, with Preview and Cancel (Ctrl+S previews too). A subclass says
what the choice makes (`make`), reading the form through `choice`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from station_desktop.app import Application
from station_desktop.errors import StationError, ValidationError
from station_desktop.forms.spec import FormSpec
from station_desktop.i18n import _
from station_desktop.ui.fonts import room_for_tibetan
from station_desktop.ui.forms.editor import FormEditor, application_choices
from station_desktop.ui.print_preview import RenderJob
from station_desktop.ui.qt_i18n import LanguageSwitcher

Chosen = TypeVar("Chosen")


class PrintChoiceDialog(QDialog):
    def __init__(
        self,
        app: Application,
        languages: LanguageSwitcher,
        form: FormSpec,
        preview_label: str,
        values: Mapping[str, object],
        parent: QWidget | None = None,
    ) -> None:
        """`preview_label`: the Preview button's message id; `values`: the form's start."""
        super().__init__(parent)
        self._app = app
        self._form = form
        self._preview_label = preview_label
        self.job: RenderJob | None = None
        self.editor = FormEditor(
            form, application_choices(app, languages.formats), formats=languages.formats
        )
        self.editor.set_values(values)
        self.editor.mark_clean()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.preview_button = QPushButton(self)
        self.buttons.addButton(self.preview_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.make)
        self.buttons.rejected.connect(self.reject)
        self.editor.save_requested.connect(self.make)
        self.editor.cancel_requested.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.buttons)
        self.retranslate_ui()
        self.editor.focus_first()

    def make(self) -> RenderJob | None:
        """Check the choice and preview what it makes (None: the choice was refused)."""
        raise NotImplementedError

    def choice(self, read: Callable[[dict[str, Any]], Chosen]) -> Chosen | None:
        """What `read` makes of the form's values; None when it refuses them: field errors
        beside the fields, any other refusal (nobody there, nobody due) in a box, and the
        choice stays open to change."""
        try:
            return read(dict(self.editor.values()))
        except ValidationError as error:
            self.editor.show_errors(error)
        except StationError as error:
            self.editor.clear_errors()
            QMessageBox.information(self, _(self._form.title), _(error.message, **error.params))
        return None

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def retranslate_ui(self) -> None:
        self.setWindowTitle(_(self._form.title))
        self.preview_button.setText(_(self._preview_label))
        self.preview_button.setAccessibleName(_(self._preview_label))
        room_for_tibetan(*self.buttons.findChildren(QPushButton))
