"""Print → Visit pack…: choose a village or community and a period, then preview the
pre-filled visit forms of everyone due for a visit, in route order (the same pack as
`station-desktop print visit-pack`). The choice is a small generated form, so its
errors appear beside the fields like every other form's."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from station_desktop.app import Application
from station_desktop.cli_print import VISIT_PACK, default_output
from station_desktop.errors import StationError, ValidationError
from station_desktop.forms.visit import VISIT_PACK_FORM
from station_desktop.i18n import _
from station_desktop.services.paper import DEFAULT_PACK_DAYS
from station_desktop.ui.fonts import text_line_height
from station_desktop.ui.forms.editor import FormEditor, application_choices
from station_desktop.ui.print_preview import RenderJob, preview_batch
from station_desktop.ui.qt_i18n import LanguageSwitcher

if TYPE_CHECKING:  # the PDF machinery (ReportLab) is loaded when a pack is made
    from station_desktop.pdf.page import RenderedPdf, RenderProgress


class VisitPackDialog(QDialog):
    """The choice of pack; Preview (or Ctrl+S / Enter on the button) makes it."""

    def __init__(
        self, app: Application, languages: LanguageSwitcher, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._app = app
        self.job: RenderJob | None = None
        self.editor = FormEditor(
            VISIT_PACK_FORM, application_choices(app, languages.formats), formats=languages.formats
        )
        today = app.ctx.today()
        self.editor.set_values(
            {
                "start": today,  # shown in the reader's form, as every date field does
                "end": today + timedelta(days=DEFAULT_PACK_DAYS - 1),
            }
        )
        self.editor.mark_clean()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.preview_button = QPushButton(self)
        self.buttons.addButton(self.preview_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.make_pack)
        self.buttons.rejected.connect(self.reject)
        self.editor.save_requested.connect(self.make_pack)
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
        self.setWindowTitle(_(VISIT_PACK_FORM.title))
        self.preview_button.setText(_("Preview the pack"))
        self.preview_button.setAccessibleName(_("Preview the pack"))
        height = text_line_height(self.font()) + 8  # Tibetan button texts need the room
        for button in self.buttons.findChildren(QPushButton):
            button.setMinimumHeight(height)

    def make_pack(self) -> RenderJob | None:
        """Check the choice, gather the forms, and render them with progress and Cancel."""
        printing = self._app.printing
        try:
            pack = printing.visit_pack_from_form(dict(self.editor.values()))
        except ValidationError as error:
            self.editor.show_errors(error)
            return None
        except StationError as error:  # nobody due: say so, and let the choice be changed
            self.editor.clear_errors()
            QMessageBox.information(
                self, _(VISIT_PACK_FORM.title), _(error.message, **error.params)
            )
            return None

        def produce(progress: RenderProgress) -> RenderedPdf:
            return printing.render(pack.forms, progress=progress)

        name = default_output(VISIT_PACK, village=pack.area_code, start=pack.start).name
        parent = self.parentWidget() or self
        self.job = preview_batch(parent, produce, name, forms=len(pack.forms))
        self.accept()
        return self.job


def open_visit_pack(
    app: Application, languages: LanguageSwitcher, parent: QWidget
) -> VisitPackDialog:
    dialog = VisitPackDialog(app, languages, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
