"""`station-desktop stations list [--json]`: Lhasa's stations as they come with the
installation, to find the code `setup --station CODE` takes. Never imports Qt.

It reads the bundled list only: no data folder is opened or created.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from station_desktop.reference.stations import ReferenceStation, bundled_stations


def add_stations_parser(commands: Any) -> None:
    stations = commands.add_parser(
        "stations", help="the stations that come with the installation (codes for setup)"
    )
    stations_commands = stations.add_subparsers(dest="stations_command", required=True)
    listing = stations_commands.add_parser(
        "list", help="Lhasa's township, town and street-office stations with their codes"
    )
    listing.add_argument("--json", action="store_true", help="print JSON (docs/cli-json.md)")


def station_dict(station: ReferenceStation) -> dict[str, Any]:
    return {
        "code": station.code,
        "kind": station.kind.value,
        "name_zh": station.name_zh,
        "name_bo": station.name_bo,
        "name_bo_needs_review": station.needs_review,
        "district": station.district.name_zh,
        "district_bo": station.district.name_bo,
        "district_code": station.district.code,
        "areas": len(station.areas),
    }


def run_stations(args: argparse.Namespace) -> int:
    rows = [station_dict(station) for station in bundled_stations().stations]
    if args.json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return 0
    for row in rows:
        names = "  ".join(name for name in (row["name_zh"], row["name_bo"]) if name)
        sys.stdout.write(f"{row['code']}  {names}  ({row['district']})\n")
    return 0
