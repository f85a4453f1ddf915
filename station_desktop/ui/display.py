"""Small display helpers the screens share: codes as labels, people by both names."""

from __future__ import annotations

from station_desktop.app import Application
from station_desktop.domain.codes import Code
from station_desktop.i18n import _, active_language
from station_desktop.services.stations import AreaView, StationView


def code_text(codes: type[Code], value: str | None) -> str:
    """A stored code's label in the interface language; a code this version does not know
    (written by a newer one) is shown as stored rather than hidden."""
    if not value:
        return ""
    try:
        return _(codes.parse(value).label)
    except ValueError:
        return value


def names_reader_first(name_bo: str, name_zh: str, language: str | None = None) -> str:
    """Both names, the reader's script first (the interface language unless given)."""
    bo_first = (language or active_language()) == "bo"
    first, second = (name_bo, name_zh) if bo_first else (name_zh, name_bo)
    return " ".join(name for name in (first, second) if name)


def reader_name(name_bo: str, name_zh: str, language: str | None = None) -> str:
    """One name, in the reader's script when it is known (a place or person whose Tibetan
    name is not known yet is shown in Chinese)."""
    if (language or active_language()) == "bo":
        return name_bo or name_zh
    return name_zh or name_bo


class PlaceNames:
    """Villages, communities and stations by id, named in the reader's script: lists show
    names, not codes. `reload` after the reference data changed."""

    def __init__(self, app: Application) -> None:
        self._app = app
        self._areas: dict[str, AreaView] = {}
        self._stations: dict[str, StationView] = {}
        self.reload()

    def reload(self) -> None:
        self._areas = {str(a.id): a for a in self._app.stations.areas(all_stations=True)}
        self._stations = {str(s.id): s for s in self._app.stations.stations()}

    def area(self, area_id: object) -> str:
        area = self._areas.get(str(area_id))
        return reader_name(area.name_bo, area.name_zh) if area else ""

    def station(self, station_id: object) -> str:
        station = self._stations.get(str(station_id))
        return reader_name(station.name_bo, station.name_zh) if station else ""

    @property
    def several_stations(self) -> bool:
        """Whether this laptop holds records of more than one station (the bureau's, or a
        demo): then lists say whose each record is."""
        return len(self._stations) > 1
