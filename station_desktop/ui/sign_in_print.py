"""Print sign-in list… (the activity's page): the residents of a village or community, of
one priority group if chosen, printed in route order on a list with a box to tick beside
each name. The names are kept with the list (`ActivityService.prepare_sign_in_list`), so the
list ticked and scanned comes back through File → Read scanned sheets… as attendance."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QWidget

from station_desktop.app import Application
from station_desktop.cli_print import SIGN_IN, default_output
from station_desktop.forms.activity import SIGN_IN_PRINT_FORM
from station_desktop.i18n import N_
from station_desktop.ui.print_choice import PrintChoiceDialog
from station_desktop.ui.print_preview import RenderJob, preview
from station_desktop.ui.qt_i18n import LanguageSwitcher

if TYPE_CHECKING:  # the PDF machinery (ReportLab) is loaded when a list is made
    from station_desktop.pdf.page import RenderedPdf


class SignInPrintDialog(PrintChoiceDialog):
    """The choice of names; Preview (or Ctrl+S) keeps them with a new list and shows it."""

    def __init__(
        self,
        app: Application,
        languages: LanguageSwitcher,
        activity_id: uuid.UUID,
        area_id: uuid.UUID | None,
        parent: QWidget | None = None,
    ) -> None:
        self.activity_id = activity_id
        self.list_id: uuid.UUID | None = None
        # The village the activity was held in, when it was held in one.
        start = {"area_id": str(area_id)} if area_id is not None else {}
        super().__init__(app, languages, SIGN_IN_PRINT_FORM, N_("Preview the list"), start, parent)

    def make(self) -> RenderJob | None:
        """Check the choice, keep the names with a new list, and preview it to print."""
        app = self._app
        printing = app.printing

        def keep_names(values: dict[str, Any]) -> uuid.UUID:
            names = printing.sign_in_names_from_form(values)
            return app.activities.prepare_sign_in_list(self.activity_id, names)

        list_id = self.choice(keep_names)  # nobody there: said, and the choice stays open
        if list_id is None:
            return None
        self.list_id = list_id

        def produce() -> RenderedPdf:
            return printing.render([printing.sign_in_sheet(list_id)])

        area = str(self.editor.values().get("area_id") or "")
        village = next((a.code for a in app.stations.areas() if str(a.id) == area), "")
        name = default_output(SIGN_IN, record_id=self.activity_id, village=village).name
        self.job = preview(self.parentWidget() or self, produce, name)
        self.accept()
        return self.job
