"""Reading a roster's cells as people typed them.

Each function takes a raw cell (text, number, date or None, see `roster.reader`) and gives
the value the resident form expects, or says why it cannot. Nothing here guesses digits: an
ID number that a spreadsheet turned into a number has lost its last digits, and is refused
as such, with what the spreadsheet shows (`5.40102E+17`).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final

from station_desktop.domain.codes import Ethnicity, HouseholdRelation, PriorityGroup, Sex
from station_desktop.domain.text import dominant_script, normalize_text
from station_desktop.forms.validate import parse_date
from station_desktop.roster.reader import Cell

__all__ = [
    "IdCell",
    "area_key",
    "cell_text",
    "date_cell",
    "ethnicity_code",
    "groups_of",
    "id_cell",
    "is_tibetan_name",
    "relation_code",
    "sex_code",
]

# Excel keeps 15 significant digits: a longer number has lost the rest.
EXCEL_DIGITS: Final = 15
_SCIENTIFIC: Final = re.compile(r"^[+-]?\d+(?:\.\d*)?[eE][+-]?\d+$")
_TIME_TAIL: Final = re.compile(r"[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")
# Excel's day 0 (the 1900 date system, with its 29 February 1900 that never was).
_EXCEL_EPOCH: Final = date(1899, 12, 30)
_EXCEL_SERIAL_RANGE: Final = range(1, 2_958_466)  # up to 9999-12-31


def cell_text(cell: Cell) -> str:
    """A cell as one line of normalised text ("" when empty). Whole numbers lose their
    ".0"; a date shows as YYYY-MM-DD."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "1" if cell else "0"
    if isinstance(cell, datetime):
        return cell.date().isoformat()
    if isinstance(cell, float):
        if cell.is_integer() and abs(cell) < 10**EXCEL_DIGITS:
            return str(int(cell))
        return repr(cell)
    if isinstance(cell, int):
        return str(cell)
    return normalize_text(str(cell))


@dataclass(frozen=True)
class IdCell:
    """An ID number cell: its text, or `mangled` (what the spreadsheet shows) when the
    spreadsheet stored it as a number and lost digits."""

    text: str = ""
    mangled: str = ""


def _as_excel_shows(value: float) -> str:
    mantissa, exponent = f"{value:.5E}".split("E")
    mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}E{'+' if int(exponent) >= 0 else '-'}{abs(int(exponent)):02d}"


def id_cell(cell: Cell) -> IdCell:
    if cell is None or isinstance(cell, bool):
        return IdCell()
    if isinstance(cell, float):
        if not math.isfinite(cell):
            return IdCell(text=repr(cell))  # refused by the check as not an ID number
        if abs(cell) >= 10**EXCEL_DIGITS or not cell.is_integer():
            return IdCell(mangled=_as_excel_shows(cell))
        return IdCell(text=str(int(cell)))
    if isinstance(cell, int):
        return IdCell(text=str(cell))  # written whole, digit for digit
    if isinstance(cell, datetime):
        return IdCell(text=cell.isoformat())  # refused by the check as not an ID number
    text = normalize_text(unicodedata.normalize("NFKC", str(cell)))
    compact = text.replace(" ", "")
    if _SCIENTIFIC.match(compact):
        return IdCell(mangled=compact.upper())
    return IdCell(text=text.lstrip("'"))  # a leading ' is Excel's "this is text"


@dataclass(frozen=True)
class DateCell:
    value: date | None = None
    text: str = ""  # what could not be read as a date ("" when empty or read)


def date_cell(cell: Cell) -> DateCell:
    """Dates as Excel dates, as Excel serial numbers, or as text: 1985-03-12, 1985/3/12,
    1985.03.12, 1985年3月12日, 19850312 (and a time of 00:00 after any of them)."""
    if cell is None:
        return DateCell()
    if isinstance(cell, datetime):
        return DateCell(cell.date())
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        if float(cell).is_integer():
            whole = int(cell)
            if 10_000_000 <= whole <= 99_991_231:  # 19850312 typed as a number
                return _text_date(str(whole))
            if whole in _EXCEL_SERIAL_RANGE:
                return DateCell(_EXCEL_EPOCH + timedelta(days=whole))
        return DateCell(text=cell_text(cell))
    return _text_date(cell_text(cell))


def _text_date(text: str) -> DateCell:
    if not text:
        return DateCell()
    cleaned = _TIME_TAIL.sub("", unicodedata.normalize("NFKC", text).strip())
    day = parse_date(cleaned)
    return DateCell(day) if day is not None else DateCell(text=text)


# ---------------------------------------------------------------- codes from words

_SEX: Final[dict[str, Sex]] = {
    **dict.fromkeys(("男", "男性", "m", "male", "ཕོ", "ཕོ་", "ཕོ།", "1"), Sex.MALE),
    **dict.fromkeys(("女", "女性", "f", "female", "མོ", "མོ་", "མོ།", "2"), Sex.FEMALE),
}


def sex_code(text: str) -> Sex | None:
    """男/女 (also ཕོ/མོ, M/F); None when it is neither."""
    return _SEX.get(unicodedata.normalize("NFKC", text).strip().lower())


_ETHNICITY: Final[dict[str, Ethnicity]] = {
    "藏": Ethnicity.TIBETAN,
    "བོད": Ethnicity.TIBETAN,
    "བོད་རིགས": Ethnicity.TIBETAN,
    "汉": Ethnicity.HAN,
    "རྒྱ": Ethnicity.HAN,
    "རྒྱ་རིགས": Ethnicity.HAN,
    "回": Ethnicity.HUI,
    "门巴": Ethnicity.MONBA,
    "珞巴": Ethnicity.LHOBA,
    "01": Ethnicity.HAN,
    "03": Ethnicity.HUI,
    "04": Ethnicity.TIBETAN,
    "54": Ethnicity.MONBA,
    "55": Ethnicity.LHOBA,
}


def ethnicity_code(text: str) -> Ethnicity | None:
    """藏族, 藏, བོད་རིགས… ; any other named group is 'other'; None when empty."""
    key = unicodedata.normalize("NFKC", text).strip().rstrip("།་")
    if not key:
        return None
    key = key.removesuffix("族")
    return _ETHNICITY.get(key, Ethnicity.OTHER)


_RELATIONS: Final[tuple[tuple[tuple[str, ...], HouseholdRelation], ...]] = (
    (("户主", "本人", "ཁྱིམ་བདག"), HouseholdRelation.HEAD),
    (("配偶", "妻", "夫", "丈夫", "爱人", "老伴"), HouseholdRelation.SPOUSE),
    (("孙", "外孙"), HouseholdRelation.GRANDCHILD),
    (("祖父", "祖母", "爷爷", "奶奶", "外公", "外婆", "姥"), HouseholdRelation.GRANDPARENT),
    (("子", "女", "儿"), HouseholdRelation.CHILD),
    (("父", "母", "爸", "妈"), HouseholdRelation.PARENT),
    (("兄", "弟", "姐", "妹", "哥"), HouseholdRelation.SIBLING),
)
# In-laws and the wider family: 'other' (姐夫 is no spouse, 侄子 no child).
_IN_LAW: Final = (
    *("媳", "婿", "岳", "公公", "婆婆", "嫂", "姐夫", "妹夫"),
    *("叔", "伯", "姑", "舅", "姨", "侄", "甥"),
)


def relation_code(text: str) -> HouseholdRelation | None:
    """与户主关系 as a code: 户主/本人 head, 妻/夫 spouse, 长子/之女 child, 孙女 grandchild…;
    in-laws and anything else 'other'; None when empty."""
    key = unicodedata.normalize("NFKC", text).strip()
    if not key:
        return None
    if key in HouseholdRelation.codes():
        return HouseholdRelation.parse(key)
    if any(word in key for word in _IN_LAW):
        return HouseholdRelation.OTHER
    for words, relation in _RELATIONS:
        if any(word in key for word in words):
            return relation
    return HouseholdRelation.OTHER


_GROUP_WORDS: Final[tuple[tuple[tuple[str, ...], PriorityGroup], ...]] = (
    (("低保",), PriorityGroup.DIBAO),
    (("特困", "五保", "供养"), PriorityGroup.TEKUN),
    (("独居", "空巢", "孤寡", "孤老"), PriorityGroup.ELDERLY_ALONE),
    (("留守", "困境儿童", "孤儿"), PriorityGroup.LEFT_BEHIND_CHILD),
    (("残疾", "残障"), PriorityGroup.DISABILITY),
)
_GROUP_SEPARATORS: Final = re.compile(r"[、,，;；/+和及\s]+")


def groups_of(text: str) -> tuple[list[PriorityGroup], list[str]]:
    """The priority groups a 人员类别 cell names ("低保", "五保户", "低保、残疾人", or a
    code), and the parts it could not place."""
    found: list[PriorityGroup] = []
    unknown: list[str] = []
    for part in _GROUP_SEPARATORS.split(unicodedata.normalize("NFKC", text).strip()):
        if not part:
            continue
        group = _group_of(part)
        if group is None:
            unknown.append(part)
        elif group not in found:
            found.append(group)
    return found, unknown


def _group_of(part: str) -> PriorityGroup | None:
    if part.lower() in PriorityGroup.codes():
        return PriorityGroup.parse(part.lower())
    for words, group in _GROUP_WORDS:
        if any(word in part for word in words):
            return group
    return None


def group_from_option(text: str) -> PriorityGroup | None:
    """`--group`: a code (dibao) or a word of a 人员类别 cell (低保)."""
    found, unknown = groups_of(text)
    return found[0] if len(found) == 1 and not unknown else None


def is_tibetan_name(text: str) -> bool:
    return dominant_script(text) == "tibetan"


# ---------------------------------------------------------------- villages

_AREA_SUFFIXES: Final = (
    "村民委员会",
    "居民委员会",
    "社区居委会",
    "村委会",
    "居委会",
    "行政村",
    "社区",
    "村",
    "居",
    "གྲོང་ཚོ",
    "སྡོད་ཁུལ",
)


def area_key(text: str) -> str:
    """A village or community name as compared: no spaces or brackets, no trailing
    村/社区/村委会… (files write 塔玛村委会 for the village the list calls 塔玛村)."""
    key = re.sub(r"[\s()（）་།]+", "", unicodedata.normalize("NFKC", text)).lower()
    changed = True
    while changed:
        changed = False
        for suffix in _AREA_SUFFIXES:
            stripped = suffix.replace("་", "")
            if key.endswith(stripped) and len(key) > len(stripped):
                key, changed = key[: -len(stripped)], True
    return key


class AreaFinder:
    """Finds a station's village or community by code or name in either script."""

    def __init__(self, areas: Iterable[tuple[object, str, str, str]]) -> None:
        # (id, code, name_zh, name_bo)
        candidates: dict[str, set[object]] = {}
        for area_id, code, name_zh, name_bo in areas:
            for text in (code, name_zh, name_bo):
                if text:
                    candidates.setdefault(normalize_text(text).upper(), set()).add(area_id)
                    key = area_key(text)
                    if key:
                        candidates.setdefault(key, set()).add(area_id)
        # A name two villages share finds neither: better refused than put in the wrong one.
        self._found: Mapping[str, object] = {
            key: next(iter(ids)) for key, ids in candidates.items() if len(ids) == 1
        }

    def find(self, text: str) -> object | None:
        cleaned = normalize_text(text)
        if not cleaned:
            return None
        return self._found.get(cleaned.upper()) or self._found.get(area_key(cleaned))


def samples(column: Sequence[Cell], count: int = 3) -> tuple[str, ...]:
    """The first few non-empty values of a column, as text, for the mapping's display."""
    found: list[str] = []
    for cell in column:
        text = cell_text(cell)
        if text:
            found.append(text)
            if len(found) == count:
                break
    return tuple(found)
