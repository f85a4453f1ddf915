"""Print → Visit pack…: choose a village or community and a period, then preview the
pre-filled visit forms of everyone due for a visit, in route order (the same pack as
`station-desktop print visit-pack`). The choice is a small generated form, so its
errors appear beside the fields like every other form's."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from station_desktop.app import Application
from station_desktop.cli_print import VISIT_PACK, default_output
from station_desktop.forms.visit import VISIT_PACK_FORM
from station_desktop.i18n import N_
from station_desktop.services.paper import DEFAULT_PACK_DAYS
from station_desktop.ui.print_choice import PrintChoiceDialog
from station_desktop.ui.print_preview import RenderJob, preview_batch
from station_desktop.ui.qt_i18n import LanguageSwitcher

if TYPE_CHECKING:  # the PDF machinery (ReportLab) is loaded when a pack is made
    from station_desktop.pdf.page import RenderedPdf, RenderProgress


class VisitPackDialog(PrintChoiceDialog):
    """The choice of pack; Preview (or Ctrl+S / Enter on the button) makes it."""

    def __init__(
        self, app: Application, languages: LanguageSwitcher, parent: QWidget | None = None
    ) -> None:
        today = app.ctx.today()
        start = {  # shown in the reader's form, as every date field does
            "start": today,
            "end": today + timedelta(days=DEFAULT_PACK_DAYS - 1),
        }
        super().__init__(app, languages, VISIT_PACK_FORM, N_("Preview the pack"), start, parent)

    def make(self) -> RenderJob | None:
        """Check the choice, gather the forms, and render them with progress and Cancel."""
        printing = self._app.printing
        pack = self.choice(printing.visit_pack_from_form)  # nobody due: said, choice stays
        if pack is None:
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
