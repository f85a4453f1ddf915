"""Demo stations and their villages (村) and communities (社区), Lhasa.

The Chinese names of the stations are real township and street offices of Lhasa (the 2021
division: Chengguan's former townships are now street offices). Community and village names
marked `real=True` appear in Lhasa government notices of 2022; the others are invented,
built from common auspicious words (扎西岗, 德庆林 …) so that they look plausible without
pretending to be an actual village.

The Tibetan place spellings are for demo use and need a native reviewer. Every station and
area has one, so that headers and report rows print in both scripts. Names marked
`# composed` (or under a "Composed" comment) were composed here, transliterated from the
Chinese (吉日 → སྐྱིད་རི་) or translated where the Chinese name is a phrase (团结新村,
七一, 幸福): they need native review before anyone takes them for the real spelling.
Street offices carry the bare place name because we are not sure of the official Tibetan
term for 街道; a township (乡) ends in ཤང་ and a town (镇) in གྲོང་རྡལ་, as in Tibet
Daily's usage, also to be reviewed. The real list of Lhasa's stations is reference data
(`reference/`), not demo data.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from station_desktop.domain.codes import AreaKind, StationKind

# Station, area and staff ids of the demo are derived from their codes, so that two laptops
# that both load the demo hold the same reference records (same code, same id) and can sync.
DEMO_NAMESPACE = uuid.UUID("6f1d2a3c-5b4e-4c8d-9a7f-2e1b0c9d8e7f")


@dataclass(frozen=True)
class AreaPlace:
    code: str
    kind: AreaKind
    name_zh: str
    name_bo: str = ""
    real: bool = False


@dataclass(frozen=True)
class County:
    name_zh: str
    name_bo: str
    region_code: str  # first six digits of ID numbers issued there (GB/T 2260)


@dataclass(frozen=True)
class StationPlace:
    code: str
    kind: StationKind
    name_zh: str
    name_bo: str
    county: County
    weight: float  # share of the demo residents
    areas: tuple[AreaPlace, ...]


CHENGGUAN = County("城关区", "ཁྲིན་ཀོན་ཆུས་", "540102")
DOILUNGDEQEN = County("堆龙德庆区", "སྟོད་ལུང་བདེ་ཆེན་ཆུས་", "540103")
DAGZE = County("达孜区", "སྟག་རྩེ་ཆུས་", "540104")

# Region codes of Lhasa's districts and counties, for residents' ID numbers.
LHASA_REGION_CODES: tuple[str, ...] = (
    "540102",  # Chengguan
    "540103",  # Doilungdêqên
    "540104",  # Dagzê
    "540121",  # Lhünzhub
    "540122",  # Damxung
    "540123",  # Nyêmo
    "540124",  # Qüxü
    "540127",  # Maizhokunggar
)
# Where many Han residents of Lhasa were registered before they came (Sichuan, Chongqing,
# Gansu, Henan, Shaanxi).
OTHER_REGION_CODES: tuple[str, ...] = ("510107", "500103", "620102", "410102", "610113")

_C = AreaKind.COMMUNITY
_V = AreaKind.VILLAGE

STATIONS: tuple[StationPlace, ...] = (
    # The first station is the one the demo laptop serves.
    StationPlace(
        "CG-BK",
        StationKind.STREET_OFFICE,
        "八廓街道",
        "བར་སྐོར་",
        CHENGGUAN,
        0.18,
        (
            # Composed Tibetan names, but 八廓社区's.
            AreaPlace("CG-BK-01", _C, "冲赛康社区", "ཁྲོམ་གཟིགས་ཁང་སྡོད་ཁུལ་", real=True),
            AreaPlace("CG-BK-02", _C, "鲁固社区", "ཀླུ་སྒུག་སྡོད་ཁུལ་", real=True),
            AreaPlace("CG-BK-03", _C, "八廓社区", "བར་སྐོར་སྡོད་ཁུལ་", real=True),
            AreaPlace("CG-BK-04", _C, "绕赛社区", "རབ་གསལ་སྡོད་ཁུལ་", real=True),
            AreaPlace("CG-BK-05", _C, "丹杰林社区", "བསྟན་རྒྱས་གླིང་སྡོད་ཁུལ་", real=True),
        ),
    ),
    StationPlace(
        "CG-JR",
        StationKind.STREET_OFFICE,
        "吉日街道",
        "སྐྱིད་རི་",  # composed
        CHENGGUAN,
        0.12,
        (
            # Composed Tibetan names.
            AreaPlace("CG-JR-01", _C, "吉日社区", "སྐྱིད་རི་སྡོད་ཁུལ་", real=True),
            AreaPlace("CG-JR-02", _C, "八朗学社区", "བ་ནག་ཞོལ་སྡོད་ཁུལ་", real=True),
            AreaPlace("CG-JR-03", _C, "河坝林社区", "ཧེ་པ་གླིང་སྡོད་ཁུལ་", real=True),
            AreaPlace("CG-JR-04", _C, "铁崩岗社区", "ཐེ་བུམ་སྒང་སྡོད་ཁུལ་", real=True),
        ),
    ),
    StationPlace(
        # 扎细 renders གྲྭ་བཞི་ ("four monks", Drapchi).
        "CG-ZX",
        StationKind.STREET_OFFICE,
        "扎细街道",
        "གྲྭ་བཞི་",
        CHENGGUAN,
        0.14,
        (
            AreaPlace("CG-ZX-01", _C, "扎细社区", "གྲྭ་བཞི་སྡོད་ཁུལ་", real=True),
            # Composed Tibetan names.
            AreaPlace("CG-ZX-02", _C, "雄嘎社区", "ཞོང་ཁ་སྡོད་ཁུལ་", real=True),
            AreaPlace("CG-ZX-03", _C, "尼卓林社区", "ཉི་སྒྲོལ་གླིང་སྡོད་ཁུལ་", real=True),
            AreaPlace("CG-ZX-04", _C, "团结新村社区", "མཐུན་སྒྲིལ་གྲོང་གསར་སྡོད་ཁུལ་", real=True),
        ),
    ),
    StationPlace(
        # Also written 功德林 in official notices (Kundeling).
        "CG-GDL",
        StationKind.STREET_OFFICE,
        "公德林街道",
        "ཀུན་བདེ་གླིང་",
        CHENGGUAN,
        0.10,
        (
            # Composed Tibetan names (雪 is ཞོལ་, Zhöl, below the Potala).
            AreaPlace("CG-GDL-01", _C, "加措社区", "རྒྱ་མཚོ་སྡོད་ཁུལ་", real=True),
            AreaPlace("CG-GDL-02", _C, "幸福社区", "བདེ་སྐྱིད་སྡོད་ཁུལ་", real=True),
            AreaPlace("CG-GDL-03", _C, "雪社区", "ཞོལ་སྡོད་ཁུལ་", real=True),
        ),
    ),
    StationPlace(
        "CG-JZXL",
        StationKind.STREET_OFFICE,
        # 金珠 renders བཅིངས་འགྲོལ་ ("liberation"), as in 金珠玛米.
        "金珠西路街道",
        "བཅིངས་འགྲོལ་ནུབ་ལམ་",  # composed
        CHENGGUAN,
        0.12,
        (
            # Composed Tibetan names (七一 and 圣城滨江 translated).
            AreaPlace("CG-JZXL-01", _C, "格桑林卡社区", "སྐལ་བཟང་གླིང་ཀ་སྡོད་ཁུལ་", real=True),
            AreaPlace("CG-JZXL-02", _C, "七一社区", "ཟླ་བདུན་ཚེས་གཅིག་སྡོད་ཁུལ་", real=True),
            AreaPlace("CG-JZXL-03", _C, "鲁堆林卡社区", "ཀླུ་སྟོད་གླིང་ཀ་སྡོད་ཁུལ་", real=True),
            AreaPlace("CG-JZXL-04", _C, "圣城滨江社区", "གནས་ཆེན་ཆུ་འགྲམ་སྡོད་ཁུལ་", real=True),
        ),
    ),
    StationPlace(
        "CG-DD",
        StationKind.STREET_OFFICE,
        "夺底街道",
        "དོག་བདེ་",
        CHENGGUAN,
        0.10,
        (
            # Composed Tibetan names.
            AreaPlace("CG-DD-01", _C, "桑伊社区", "བསམ་ཡིད་སྡོད་ཁུལ་", real=True),
            AreaPlace("CG-DD-02", _V, "洛欧村", "ལོ་འོད་གྲོང་ཚོ་", real=True),
            AreaPlace("CG-DD-03", _V, "维巴村", "ཝེ་པ་གྲོང་ཚོ་", real=True),
        ),
    ),
    StationPlace(
        # A rural township; its village names are invented.
        "DZ-TJ",
        StationKind.TOWNSHIP,
        "塔杰乡",
        "ཐར་རྒྱས་ཤང་",  # composed
        DAGZE,
        0.12,
        (
            AreaPlace("DZ-TJ-01", _V, "扎西岗村", "བཀྲ་ཤིས་སྒང་གྲོང་ཚོ་"),
            AreaPlace("DZ-TJ-02", _V, "德庆林村", "བདེ་ཆེན་གླིང་གྲོང་ཚོ་"),
            AreaPlace("DZ-TJ-03", _V, "平措塘村", "ཕུན་ཚོགས་ཐང་གྲོང་ཚོ་"),
            AreaPlace("DZ-TJ-04", _V, "尼玛岗村", "ཉི་མ་སྒང་གྲོང་ཚོ་"),
        ),
    ),
    StationPlace(
        # A town; its village names are invented.
        "DL-GR",
        StationKind.TOWN,
        "古荣镇",
        "དགུ་རུམ་གྲོང་རྡལ་",  # composed
        DOILUNGDEQEN,
        0.12,
        (
            AreaPlace("DL-GR-01", _V, "达瓦林村", "ཟླ་བ་གླིང་གྲོང་ཚོ་"),
            AreaPlace("DL-GR-02", _V, "桑珠塘村", "བསམ་གྲུབ་ཐང་གྲོང་ཚོ་"),
            AreaPlace("DL-GR-03", _V, "白玛岗村", "པདྨ་སྒང་གྲོང་ཚོ་"),
        ),
    ),
)


def staff_uuid(station_code: str, index: int) -> uuid.UUID:
    return uuid.uuid5(DEMO_NAMESPACE, f"staff:{station_code}:{index}")
