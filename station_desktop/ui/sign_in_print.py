"""Print sign-in list… (the activity's page): the residents of a village or community, of
one priority group if chosen, printed in route order on a list with a box to tick beside
each name. The names are kept with the list (`ActivityService.prepare_sign_in_list`), so the
list ticked and scanned comes back through File → Read scanned sheets… as attendance."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

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
from station_desktop.cli_print import SIGN_IN, default_output
from station_desktop.errors import StationError, ValidationError
from station_desktop.forms.activity import SIGN_IN_PRINT_FORM
from station_desktop.i18n import _
from station_desktop.ui.fonts import text_line_height
from station_desktop.ui.forms.editor import FormEditor, application_choices
from station_desktop.ui.print_preview import RenderJob, preview
from station_desktop.ui.qt_i18n import LanguageSwitcher

if TYPE_CHECKING:  # the PDF machinery (ReportLab) is loaded when a list is made
    from station_desktop.pdf.page import RenderedPdf


class SignInPrintDialog(QDialog):
    """The choice of names; Preview (or Ctrl+S) keeps them with a new list and shows it."""

    def __init__(
        self,
        app: Application,
        languages: LanguageSwitcher,
        activity_id: uuid.UUID,
        area_id: uuid.UUID | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._app = app
        self.activity_id = activity_id
        self.job: RenderJob | None = None
        self.list_id: uuid.UUID | None = None
        self.editor = FormEditor(
            SIGN_IN_PRINT_FORM,
            application_choices(app, languages.formats),
            formats=languages.formats,
        )
        if area_id is not None:  # the village the activity was held in
            self.editor.set_values({"area_id": str(area_id)})
        self.editor.mark_clean()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.preview_button = QPushButton(self)
        self.buttons.addButton(self.preview_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.make_list)
        self.buttons.rejected.connect(self.reject)
        self.editor.save_requested.connect(self.make_list)
        self.editor.cancel_requested.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.buttons)
        self.retranslate_ui()
        self.editor.focus_first()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def retranslate_ui(self) -> None:
        self.setWindowTitle(_(SIGN_IN_PRINT_FORM.title))
        self.preview_button.setText(_("Preview the list"))
        self.preview_button.setAccessibleName(_("Preview the list"))
        height = text_line_height(self.font()) + 8  # Tibetan button texts need the room
        for button in self.buttons.findChildren(QPushButton):
            button.setMinimumHeight(height)

    def make_list(self) -> RenderJob | None:
        """Check the choice, keep the names with a new list, and preview it to print."""
        app = self._app
        printing = app.printing
        try:
            names = printing.sign_in_names_from_form(dict(self.editor.values()))
            self.list_id = app.activities.prepare_sign_in_list(self.activity_id, names)
        except ValidationError as error:
            self.editor.show_errors(error)
            return None
        except StationError as error:  # nobody there: say so, and let the choice change
            self.editor.clear_errors()
            QMessageBox.information(
                self, _(SIGN_IN_PRINT_FORM.title), _(error.message, **error.params)
            )
            return None
        list_id = self.list_id

        def produce() -> RenderedPdf:
            return printing.render([printing.sign_in_sheet(list_id)])

        area = str(self.editor.values().get("area_id") or "")
        village = next((a.code for a in app.stations.areas() if str(a.id) == area), "")
        name = default_output(SIGN_IN, record_id=self.activity_id, village=village).name
        self.job = preview(self.parentWidget() or self, produce, name)
        self.accept()
        return self.job
