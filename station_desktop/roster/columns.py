"""Which column is which: the row of headings, and a guess from the headings people use.

Rosters have a title (often merged across the sheet) and notes above the headings, and
sometimes a second row of group headings; the row of headings is the one among the first
rows that names the most known columns. Headings are compared after NFKC (full-width
brackets become ASCII), without spaces, line breaks or the `*` of required columns. A
heading written in both scripts ("མིང་། / 姓名", as this program's own exports have) is
tried part by part, so an exported list can be brought back in.

The guess is only a guess: the person sees it and corrects it, and the corrected mapping
is remembered per layout (`layout_key`: the headings, in order).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from station_desktop.i18n import N_, Label
from station_desktop.roster.reader import Cell

__all__ = [
    "FIELD_LABELS",
    "RosterField",
    "find_header_row",
    "guess_field",
    "guess_mapping",
    "heading_key",
    "layout_key",
]

HEADER_SEARCH_ROWS: Final = 30
MIN_KNOWN_HEADINGS: Final = 2


class RosterField(StrEnum):
    """What a column may hold. SKIP: not imported."""

    SKIP = "skip"
    NAME = "name"  # in whichever script it is written
    NAME_ZH = "name_zh"
    NAME_BO = "name_bo"
    SEX = "sex"
    ETHNICITY = "ethnicity"
    BIRTH_DATE = "birth_date"
    ID_NUMBER = "id_number"
    PHONE = "phone"
    AREA = "area"
    ADDRESS = "address"
    HOUSEHOLD_HEAD = "household_head"
    HOUSEHOLD_RELATION = "household_relation"
    HOUSEHOLD_NO = "household_no"
    CATEGORY = "category"
    MEMBER_SINCE = "member_since"
    CERTIFICATE_NO = "certificate_no"
    GUARDIAN_NAME = "guardian_name"
    GUARDIAN_PHONE = "guardian_phone"
    NOTES = "notes"


FIELD_LABELS: Final[dict[RosterField, str]] = {
    RosterField.SKIP: N_("Not imported"),
    RosterField.NAME: N_("Name (Tibetan or Chinese)"),
    RosterField.NAME_ZH: N_("Name in Chinese"),
    RosterField.NAME_BO: N_("Name in Tibetan"),
    RosterField.SEX: N_("Sex"),
    RosterField.ETHNICITY: N_("Ethnic group"),
    RosterField.BIRTH_DATE: N_("Date of birth"),
    RosterField.ID_NUMBER: N_("ID card number"),
    RosterField.PHONE: N_("Phone"),
    RosterField.AREA: N_("Village or community"),
    RosterField.ADDRESS: N_("Address"),
    RosterField.HOUSEHOLD_HEAD: N_("Household head's name"),
    RosterField.HOUSEHOLD_RELATION: N_("Relation to household head"),
    RosterField.HOUSEHOLD_NO: N_("Household number"),
    RosterField.CATEGORY: N_("Priority group (category)"),
    RosterField.MEMBER_SINCE: N_("Member since"),
    RosterField.CERTIFICATE_NO: N_("Certificate number"),
    RosterField.GUARDIAN_NAME: N_("Guardian's name"),
    RosterField.GUARDIAN_PHONE: N_("Guardian's phone"),
    RosterField.NOTES: N_("Notes"),
}

# Exact headings (after `heading_key`), the common ones first.
_EXACT: Final[dict[str, RosterField]] = {
    heading: field
    for field, headings in {
        RosterField.NAME: ("姓名", "名字", "人员姓名", "对象姓名", "救助对象姓名", "成员姓名"),
        RosterField.NAME_ZH: ("汉文姓名", "中文姓名", "汉语姓名", "汉名"),
        RosterField.NAME_BO: ("藏文姓名", "藏文名", "藏语姓名", "藏文名字", "མིང་།", "མིང"),
        RosterField.SEX: ("性别", "ཕོ་མོ།", "ཕོ་མོ"),
        RosterField.ETHNICITY: ("民族", "族别"),
        RosterField.BIRTH_DATE: ("出生日期", "出生年月", "出生年月日", "生日", "出生时间"),
        RosterField.ID_NUMBER: (
            "身份证号",
            "身份证号码",
            "公民身份号码",
            "公民身份证号码",
            "身份证",
            "证件号码",
            "身份证件号码",
        ),
        RosterField.PHONE: ("联系电话", "电话", "手机", "手机号", "手机号码", "联系方式"),
        RosterField.AREA: (
            "所属村(居)",
            "所属村(社区)",
            "村(居)",
            "村(社区)",
            "村居",
            "村/社区",
            "所在村",
            "所在村(居)",
            "所在社区",
            "村委会",
            "居委会",
            "村名",
            "行政村",
            "社区",
            "村",
            "所属村",
            "所属社区",
        ),
        RosterField.ADDRESS: ("家庭住址", "住址", "地址", "现住址", "居住地址", "家庭地址"),
        RosterField.HOUSEHOLD_HEAD: ("户主姓名", "户主", "户主名字"),
        RosterField.HOUSEHOLD_RELATION: ("与户主关系", "与户主的关系", "家庭关系", "关系"),
        RosterField.HOUSEHOLD_NO: ("户号", "户编号", "户口编号", "家庭编号"),
        RosterField.CATEGORY: (
            *("人员类别", "对象类别", "类别", "救助类别", "人员类型", "类型", "重点人群"),
        ),
        RosterField.MEMBER_SINCE: (
            "纳入时间",
            "纳入日期",
            "享受时间",
            "享受日期",
            "认定时间",
            "认定日期",
            "批准时间",
            "批准日期",
            "审批时间",
            "开始享受时间",
            "起始时间",
        ),
        RosterField.CERTIFICATE_NO: (
            "证号",
            "证件编号",
            "低保证号",
            "低保证编号",
            "特困证号",
            "供养证号",
            "残疾证号",
            "残疾证编号",
        ),
        RosterField.GUARDIAN_NAME: ("监护人", "监护人姓名"),
        RosterField.GUARDIAN_PHONE: ("监护人电话", "监护人联系电话", "监护人手机"),
        RosterField.NOTES: ("备注", "说明"),
    }.items()
    for heading in headings
}

# Then parts of headings ("家庭成员姓名", "公民身份证号(18位)"), tried in this order:
# the more particular first (a guardian's phone before a phone, the head's own ID is not
# the person's).
_PARTS: Final[tuple[tuple[Callable[[str], bool], RosterField], ...]] = (
    (lambda h: "户主" in h and ("身份" in h or "证" in h), RosterField.SKIP),
    (lambda h: "监护" in h and ("电话" in h or "手机" in h), RosterField.GUARDIAN_PHONE),
    (lambda h: "监护" in h and "关系" in h, RosterField.SKIP),
    (lambda h: "监护" in h, RosterField.GUARDIAN_NAME),
    (lambda h: "户主" in h and "关系" in h, RosterField.HOUSEHOLD_RELATION),
    (lambda h: "户主" in h, RosterField.HOUSEHOLD_HEAD),
    (lambda h: "身份" in h and ("号" in h or "证" in h), RosterField.ID_NUMBER),
    (lambda h: "藏文" in h and "名" in h, RosterField.NAME_BO),
    (lambda h: ("汉文" in h or "中文" in h) and "名" in h, RosterField.NAME_ZH),
    (lambda h: "姓名" in h, RosterField.NAME),
    (lambda h: "出生" in h, RosterField.BIRTH_DATE),
    (lambda h: "电话" in h or "手机" in h, RosterField.PHONE),
    (lambda h: "住址" in h or "地址" in h, RosterField.ADDRESS),
    (lambda h: "类别" in h or "对象类型" in h, RosterField.CATEGORY),
    (lambda h: "纳入" in h or "享受" in h or "认定" in h, RosterField.MEMBER_SINCE),
    (lambda h: "证号" in h or "证编号" in h, RosterField.CERTIFICATE_NO),
    (lambda h: h.endswith(("村", "社区", "村(居)", "居委会", "村委会")), RosterField.AREA),
)

_DROPPED: Final = re.compile(r"[\s*＊:：]+")


def heading_key(cell: Cell) -> str:
    """A heading as compared: NFKC, no spaces, line breaks, `*` or colons."""
    if cell is None or isinstance(cell, bool):
        return ""
    text = unicodedata.normalize("NFKC", str(cell))
    return _DROPPED.sub("", text).strip().lower()


def _parts(key: str) -> list[str]:
    return [key, *(part for part in key.split("/") if part and part != key)]


def guess_field(cell: Cell) -> RosterField | None:
    """The field a heading names, or None when it is not one this program knows."""
    key = heading_key(cell)
    if not key:
        return None
    parts = _parts(key)
    for part in parts:
        if part in _EXACT:
            return _EXACT[part]
    for part in parts:
        for test, field in _PARTS:
            if test(part):
                return field
    return None


def find_header_row(rows: Sequence[Sequence[Cell]]) -> int | None:
    """The index of the row of headings among the first rows (the one naming the most
    known columns, at least two), or None."""
    best, best_score = None, MIN_KNOWN_HEADINGS - 1
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        score = sum(
            1 for cell in row if (f := guess_field(cell)) is not None and f is not RosterField.SKIP
        )
        if score > best_score:
            best, best_score = index, score
    return best


def guess_mapping(headings: Sequence[Cell]) -> dict[int, RosterField]:
    """Column index → field for the headings a field was guessed for; each field once (the
    first column that names it), the others left out (not imported)."""
    mapping: dict[int, RosterField] = {}
    taken: set[RosterField] = set()
    for index, heading in enumerate(headings):
        field = guess_field(heading)
        if field is None or field is RosterField.SKIP or field in taken:
            continue
        mapping[index] = field
        taken.add(field)
    return mapping


def layout_key(headings: Sequence[Cell]) -> str:
    """A short fingerprint of a layout (its headings in order), to remember its mapping."""
    text = "\x1f".join(heading_key(h) for h in headings).rstrip("\x1f")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def mapping_from_json(data: Mapping[str, str], width: int) -> dict[int, RosterField]:
    """A remembered mapping, keeping only what still makes sense for this sheet."""
    fields = {f.value: f for f in RosterField}
    mapping: dict[int, RosterField] = {}
    for index_text, value in data.items():
        if index_text.isdigit() and int(index_text) < width and value in fields:
            field = fields[value]
            if field is not RosterField.SKIP:
                mapping[int(index_text)] = field
    return mapping


@dataclass(frozen=True)
class MappingProblem:
    """A mapping that cannot be imported: `message` says why (a message id)."""

    message: str
    params: dict[str, Any]


MSG_NO_NAME_COLUMN = N_("Choose the column with the names.")
MSG_FIELD_TWICE = N_("Two columns are set to {field}: choose one.")
_NAME_FIELDS: Final = (RosterField.NAME, RosterField.NAME_ZH, RosterField.NAME_BO)


def mapping_problem(mapping: Mapping[int, RosterField]) -> MappingProblem | None:
    used = [f for f in mapping.values() if f is not RosterField.SKIP]
    if not any(f in _NAME_FIELDS for f in used):
        return MappingProblem(MSG_NO_NAME_COLUMN, {})
    for field in used:
        if used.count(field) > 1:
            return MappingProblem(MSG_FIELD_TWICE, {"field": Label(FIELD_LABELS[field])})
    return None
