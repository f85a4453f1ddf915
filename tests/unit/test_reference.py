"""The bundled list of Lhasa's stations, and setting up a laptop from it."""

from __future__ import annotations

import unicodedata
import uuid

import pytest

from station_desktop.app import Application, open_application
from station_desktop.domain.codes import AreaKind, StaffRole, StationKind
from station_desktop.errors import StationError
from station_desktop.paths import DataPaths
from station_desktop.reference.stations import bundled_stations, parse_station_list
from tests.conftest import StationSetup

TSHEG = "\u0f0b"


def test_the_list_holds_lhasas_65_stations_and_their_villages() -> None:
    stations = bundled_stations().stations
    assert len(stations) == 65
    assert sum(len(s.areas) for s in stations) == 283
    codes = [s.code for s in stations] + [a.code for s in stations for a in s.areas]
    assert len(codes) == len(set(codes))
    districts = {s.district.name_zh for s in stations}
    assert districts == {
        "城关区", "堆龙德庆区", "达孜区", "林周县", "当雄县", "尼木县", "曲水县", "墨竹工卡县",
    }  # fmt: skip
    for station in stations:
        assert len(station.code) == 9 and station.code.startswith("5401")
        assert not station.code.startswith("54017"), "industrial zones are not stations"
        assert station.code.startswith(station.district.code)
        suffix = {StationKind.STREET_OFFICE: "街道", StationKind.TOWN: "镇"}
        assert station.name_zh.endswith(suffix.get(station.kind, "乡"))
        assert station.areas, station.name_zh
        for area in station.areas:
            assert len(area.code) == 12 and area.code.startswith(station.code)
            wanted = "社区" if area.kind is AreaKind.COMMUNITY else "村"
            assert area.name_zh.endswith(wanted), area.name_zh
            assert "委员会" not in area.name_zh and "委会" not in area.name_zh


def test_well_known_places_are_where_they_belong() -> None:
    found = bundled_stations()
    barkhor = found.find("540102002")
    assert barkhor is not None and barkhor.name_zh == "八廓街道"
    assert barkhor.kind is StationKind.STREET_OFFICE and barkhor.district.name_zh == "城关区"
    assert "冲赛康社区" in {a.name_zh for a in barkhor.areas}
    # Two towns of the same name in two districts stay two stations.
    dechen = [s for s in found.stations if s.name_zh == "德庆镇"]
    assert {s.district.name_zh for s in dechen} == {"堆龙德庆区", "达孜区"}
    assert found.find("540171400") is None  # 藏青工业园: a zone, not a station
    assert found.find(" 540102012 ") is not None


def test_tibetan_names_are_clean_and_honest_about_review() -> None:
    stations = bundled_stations().stations
    places = [*stations, *(s.district for s in stations), *(a for s in stations for a in s.areas)]
    named = [p for p in places if p.name_bo]
    assert len(named) >= 40
    for place in places:
        assert unicodedata.normalize("NFC", place.name_bo) == place.name_bo
        assert not place.name_bo or place.name_bo.endswith(TSHEG), place.name_bo
        if not place.name_bo:
            assert place.needs_review  # shown in Chinese until a native speaker names it
    assert any(not p.needs_review for p in named)  # a few are attested
    assert sum(p.needs_review for p in named) > len(named) / 2


def test_ids_come_from_the_codes() -> None:
    first = bundled_stations().stations[0]
    again = bundled_stations().stations[0]
    assert first.id == again.id and first.areas[0].id == again.areas[0].id
    assert isinstance(first.id, uuid.UUID) and first.id != first.areas[0].id


def test_a_malformed_list_is_refused() -> None:
    header = "code,kind,name_zh,name_bo,bo_note,source_name\n"
    with pytest.raises(ValueError, match="outside its station"):
        parse_station_list(header + "540102,district,城关区,,,\n540102002001,community,x社区,,,\n")
    with pytest.raises(ValueError, match="division code"):
        parse_station_list(header + "5401,city,拉萨市,,,\n")


def test_setting_up_on_an_empty_folder_writes_the_station_and_its_villages(
    app: Application,
) -> None:
    assert app.stations.current_station() is None
    chosen = app.stations.use_station("540102012")  # 娘热街道
    assert chosen.name_zh == "娘热街道" and chosen.county_zh == "城关区"
    assert chosen.id == bundled_stations().find("540102012").id  # type: ignore[union-attr]
    current = app.stations.current_station()
    assert current == chosen
    areas = app.stations.areas()
    assert {a.name_zh for a in areas} >= {"阿坝林卡社区", "吉苏村"}
    assert all(a.station_id == chosen.id for a in areas)
    # Choosing it again (or another laptop choosing it) writes nothing twice.
    app.stations.use_station("540102012")
    assert len(app.stations.areas()) == len(areas)
    assert [s.code for s in app.stations.stations()] == ["540102012"]


def test_an_unknown_station_code_is_explained(app: Application) -> None:
    with pytest.raises(StationError) as caught:
        app.stations.use_station("NOPE")
    assert "NOPE" in caught.value.english() and "stations list" in caught.value.english()
    assert app.stations.current_station() is None


def test_the_worker_is_remembered_by_the_laptop(
    app: Application, station: StationSetup, data_paths: DataPaths
) -> None:
    assert app.stations.current_worker() is None
    app.stations.choose_worker(station.worker_id)
    assert app.ctx.actor_id == station.worker_id
    app.close()
    with open_application(data_paths) as again:
        worker = again.stations.current_worker()
        assert worker is not None and worker.id == station.worker_id
        assert worker.role == StaffRole.SOCIAL_WORKER
        again.stations.choose_worker(None)
        assert again.stations.current_worker() is None


def test_a_worker_of_another_station_is_not_restored(
    app: Application, station: StationSetup, data_paths: DataPaths
) -> None:
    app.stations.choose_worker(station.head_id)  # who may move the laptop to a station
    app.stations.use_station("540102012")
    app.close()
    with open_application(data_paths) as again:
        assert again.stations.current_worker() is None
        assert again.ctx.actor_id is None
