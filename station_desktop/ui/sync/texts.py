"""How the sync screens say things: installations, roles, times, values in conflict, and
the core's problems in the window's terms."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings
from PySide6.QtGui import QColor

from station_desktop.errors import StationError, ValidationError
from station_desktop.formats import LocaleFormats
from station_desktop.forms.spec import FieldKind, FieldSpec
from station_desktop.i18n import N_, NC_, _, pgettext
from station_desktop.services.sync import ROLE_BUREAU, KeyCard
from station_desktop.ui.display import code_text

FOLDER_KEY = "sync/folder"
BUNDLE_FILTER = N_("Station Desktop bundles (*.sdbundle)")
CARD_FILTER = N_("Key cards (*.json)")
ALL_FILES = N_("All files (*)")
WARNING_COLOUR = QColor("#b00020")

ROLE_LABELS = {ROLE_BUREAU: N_("Bureau"), "station": N_("Station laptop")}
TRUSTED_BY_LABELS = {
    "person": N_("Fingerprint compared here"),
    "bureau": N_("Enrolled by the bureau"),
    "introduced": N_("Introduced by a laptop of its station"),
}
# What the core's messages tell a command-line user to type, said in the window's terms.
TRUST_IN_THE_WINDOW = N_("Sync → Trust a key card…")
CLI_HINTS = {
    "station-desktop keys trust CARD-FILE": TRUST_IN_THE_WINDOW,
}
YES_NO = {True: NC_("answer", "Yes"), False: NC_("answer", "No")}


def remembered_folder() -> str:
    """The folder sync files were last written to or read from (the USB stick), if it
    is still there; else the home folder."""
    value = QSettings().value(FOLDER_KEY)
    if isinstance(value, str) and value and Path(value).is_dir():
        return value
    return str(Path.home())


def remember_folder(folder: str) -> None:
    QSettings().setValue(FOLDER_KEY, folder)


def role_text(role: str) -> str:
    return _(ROLE_LABELS.get(role, role))


def installation_text(card: KeyCard) -> str:
    """An installation as people know it: the bureau, or a station's laptop by its name."""
    if card.role == ROLE_BUREAU:
        return " · ".join(p for p in (_("Bureau"), card.label) if p)
    station = card.station_code or _("no station chosen yet")
    return " · ".join(p for p in (_("Station {code}", code=station), card.label) if p)


def trusted_by_text(how: str) -> str:
    return _(TRUSTED_BY_LABELS.get(how, how))


def when_text(formats: LocaleFormats, moment: datetime) -> str:
    """A moment in this laptop's local time: the date in the reader's form, and the time."""
    local = moment.astimezone()
    return f"{formats.date(local.date())} {local:%H:%M}"


def station_text(code: str) -> str:
    """A station code as a report shows it; the core's "-" is the shared reference lists."""
    return _("the shared lists") if code in ("", "-") else code


def problem_text(error: StationError) -> str:
    """The error in the interface language; a refused field names its own problem, and a
    command-line hint becomes the window's way to do the same."""
    if isinstance(error, ValidationError) and error.errors:
        return "\n".join(_(e.message, **_in_window(e.params)) for e in error.errors)
    return _(error.message, **_in_window(error.params))


def _in_window(params: Mapping[str, Any]) -> dict[str, Any]:
    return {
        key: _(CLI_HINTS[value]) if isinstance(value, str) and value in CLI_HINTS else value
        for key, value in params.items()
    }


class ValueTexts:
    """A field's value as the reader knows it: code labels, dates in their language,
    yes and no, staff and villages by name, "(empty)"."""

    def __init__(
        self,
        formats: LocaleFormats,
        staff: Mapping[uuid.UUID, tuple[str, str]],
        areas: Mapping[uuid.UUID, tuple[str, str, str]],
    ) -> None:
        self._formats = formats
        self._staff = staff  # id: (name_bo, name_zh)
        self._areas = areas  # id: (code, name_bo, name_zh)

    def text(self, spec: FieldSpec | None, value: Any) -> str:
        if value is None or value in ("", []):
            return _("(empty)")
        if isinstance(value, bool):
            return pgettext("answer", YES_NO[value])
        kind = spec.kind if spec is not None else None
        if spec is not None and spec.codes is not None:
            values = value if isinstance(value, list) else [value]
            return " · ".join(code_text(spec.codes, str(v)) for v in values)
        if kind == FieldKind.MONEY and isinstance(value, int):
            return self._formats.money(value)
        if isinstance(value, date):
            return self._formats.date(value)
        if isinstance(value, list):
            return " · ".join(self.text(spec, v) for v in value)
        reference = self._reference(value)
        if reference:
            return reference
        return str(value)

    def _reference(self, value: Any) -> str:
        try:
            key = value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
        except ValueError:
            return ""
        bo = self._formats.language == "bo"
        if key in self._staff:
            name_bo, name_zh = self._staff[key]
            return (name_bo if bo else name_zh) or name_zh or name_bo
        if key in self._areas:
            code, name_bo, name_zh = self._areas[key]
            return f"{code} {(name_bo if bo else name_zh) or name_zh or name_bo}".strip()
        return str(key)[:8]
