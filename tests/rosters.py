"""Roster files as the stations' spreadsheets look: a merged title row and a line of who
filled it in above the headings, a 序号 column, blank rows between families, trailing
spaces, full-width digits, ID numbers typed as numbers, dates written three ways, a
second sheet of notes; as .xlsx, .xls and GB18030 CSV. Used by the unit, CLI, GUI tests
and the benchmark."""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path

from station_desktop.domain.idcard import check_character

HEADINGS = (
    "序号",
    "姓名",
    "藏文姓名",
    "性别",
    "民族",
    "公民身份号码",
    "出生日期",
    "所属村（居）",
    "户主姓名",
    "与户主关系",
    "人员类别",
    "联系电话",
    "备注",
)
TITLE = "拉萨市城关区八廓街道2026年城乡低保对象花名册"
SUBTITLE = "填报单位：八廓街道社会工作站        填报时间：2026年5月"

# Tibetan names are two of a few dozen common names: they repeat, as in a real roster.
NAMES = (
    ("扎西", "བཀྲ་ཤིས"),
    ("次仁", "ཚེ་རིང"),
    ("卓玛", "སྒྲོལ་མ"),
    ("央金", "དབྱངས་ཅན"),
    ("格桑", "སྐལ་བཟང"),
    ("旦增", "བསྟན་འཛིན"),
    ("拉巴", "ལྷག་པ"),
    ("普布", "ཕུར་བུ"),
    ("达瓦", "ཟླ་བ"),
    ("尼玛", "ཉི་མ"),
    ("顿珠", "དོན་གྲུབ"),
    ("曲珍", "ཆོས་སྒྲོན"),
    ("平措", "ཕུན་ཚོགས"),
    ("多吉", "རྡོ་རྗེ"),
    ("罗布", "ནོར་བུ"),
    ("白玛", "པདྨ"),
    ("桑珠", "བསམ་གྲུབ"),
    ("德吉", "བདེ་སྐྱིད"),
    ("边巴", "སྤེན་པ"),
    ("米玛", "མིག་དམར"),
)


def id_number(birth: date, sequence: int, region: str = "540102") -> str:
    first17 = f"{region}{birth:%Y%m%d}{sequence % 1000:03d}"
    return first17 + check_character(first17)


@dataclass(frozen=True)
class Person:
    name_zh: str
    name_bo: str
    sex: str  # 男 / 女
    birth: date
    id_number: str
    village: str
    head: str
    relation: str
    category: str = "低保"
    phone: str = ""
    note: str = ""


def people(count: int, *, seed: int = 1, villages: Sequence[str] = ("冲赛康社区",)) -> list[Person]:
    """`count` people in families of 1–4, with valid, distinct ID numbers and names."""
    rng = random.Random(seed)
    found: list[Person] = []
    number = 0
    while len(found) < count:
        village = villages[len(found) % len(villages)]
        size = min(rng.randint(1, 4), count - len(found))
        head_name = ""
        for member in range(size):
            number += 1
            birth = date(1940, 1, 1) + timedelta(days=rng.randrange(0, 365 * 70))
            male = rng.random() < 0.5
            sequence = number * 2 + (1 if male else 0)
            first, second = NAMES[rng.randrange(len(NAMES))], NAMES[rng.randrange(len(NAMES))]
            name_zh, name_bo = first[0] + second[0], f"{first[1]}་{second[1]}"
            if member == 0:
                head_name = name_zh
            found.append(
                Person(
                    name_zh=name_zh,
                    name_bo=name_bo,
                    sex="男" if male else "女",
                    birth=birth,
                    # A county per thousand people: sequence numbers never repeat.
                    id_number=id_number(
                        birth, sequence, "540102" if number < 1000 else f"5401{number // 1000:02d}"
                    ),
                    village=village,
                    head=head_name,
                    relation="户主" if member == 0 else ("配偶" if member == 1 else "子女"),
                    phone=f"139{number:08d}",
                )
            )
    return found


def cells(person: Person, number: int, style: int) -> list[object]:
    """One row as typed by hand: a date three ways, trailing spaces now and then, an ID
    sometimes in full-width digits."""
    birth: object
    if style % 3 == 0:
        birth = datetime(person.birth.year, person.birth.month, person.birth.day)
    elif style % 3 == 1:
        birth = f"{person.birth:%Y.%m.%d}"
    else:
        birth = f"{person.birth.year}年{person.birth.month}月{person.birth.day}日"
    ident: object = person.id_number
    if style % 7 == 3:
        ident = person.id_number.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    return [
        number,
        person.name_zh + (" " if style % 5 == 0 else ""),
        person.name_bo,
        person.sex,
        "藏族",
        ident,
        birth,
        person.village + ("  " if style % 4 == 0 else ""),
        person.head,
        person.relation,
        person.category,
        person.phone,
        person.note,
    ]


def table(persons: Sequence[Person], *, blank_every: int = 9) -> list[list[object]]:
    """Title rows, headings and the people, with a blank row now and then."""
    rows: list[list[object]] = [[TITLE], [SUBTITLE], list(HEADINGS)]
    for number, person in enumerate(persons, start=1):
        rows.append(cells(person, number, number))
        if blank_every and number % blank_every == 0:
            rows.append([])
    rows.append(["制表人：卓玛", None, None, None, "审核人：罗布"])
    return rows


def write_xlsx(path: Path, rows: Sequence[Sequence[object]], *, second_sheet: bool = True) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "低保花名册"
    for row in rows:
        sheet.append(list(row))
    width = len(HEADINGS)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    if second_sheet:
        notes = book.create_sheet("填表说明")
        notes.append(["1. 身份证号请以文本格式填写。"])
        notes.append(["2. 人员类别：低保、特困、残疾人。"])
    book.save(path)
    return path


def write_xls(path: Path, rows: Sequence[Sequence[object]]) -> Path:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("低保花名册")
    dated = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, datetime):
                sheet.write(r, c, value, dated)
            elif value is not None:
                sheet.write(r, c, value)
    book.add_sheet("填表说明").write(0, 0, "身份证号请以文本格式填写。")
    book.save(str(path))
    return path


def write_csv(path: Path, rows: Sequence[Sequence[object]], encoding: str = "gb18030") -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([v.strftime("%Y/%m/%d") if isinstance(v, datetime) else v for v in row])
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


@dataclass(frozen=True)
class Broken:
    """A roster of `count` people of which `broken` rows are spoiled in the ways the issue
    names; `refused` maps each spoiled row's spreadsheet row number to what is wrong."""

    rows: list[list[object]]
    persons: list[Person]
    refused: dict[int, str]


def broken_roster(count: int = 500, *, seed: int = 7) -> Broken:
    """A 低保 roster with 12 broken rows: 3 bad checksums, 3 IDs mangled into scientific
    notation (two as numbers, one as text), 2 villages not the station's, 2 birth dates in
    the future, 2 people listed twice."""
    persons = people(count - 2, seed=seed)
    spoil: dict[int, tuple[str, object]] = {}
    for index in (10, 60, 110):  # a typing error in the ID: its check digit is wrong
        p = persons[index]
        wrong = "0" if p.id_number[-1] != "0" else "1"
        persons[index] = replace(p, id_number=p.id_number[:-1] + wrong)
        spoil[index] = ("checksum", None)
    for index in (160, 210):  # Excel turned the ID into a number
        spoil[index] = ("scientific", float(persons[index].id_number[:-1] + "0"))
    spoil[260] = ("scientific", "5.40102E+17")  # ... and the CSV kept what it showed
    for index in (300, 350):
        persons[index] = replace(persons[index], village="色拉村")
        spoil[index] = ("village", None)
    for index in (400, 440):
        spoil[index] = ("future", "2031.05.01")
    # Two people listed a second time, at the end.
    doubles = [persons[20], persons[30]]
    all_persons = persons + doubles
    rows: list[list[object]] = [[TITLE], [SUBTITLE], list(HEADINGS)]
    refused: dict[int, str] = {}
    for number, person in enumerate(all_persons, start=1):
        row = cells(person, number, number)
        index = number - 1
        kind, value = spoil.get(index, ("", None))
        if kind == "scientific":
            row[5] = value
        elif kind == "future":
            row[6] = value
            row[5] = ""  # the ID would say otherwise
        rows.append(row)
        if kind:
            refused[len(rows)] = kind
        if index >= len(persons):
            refused[len(rows)] = "duplicate"
        if number % 50 == 0:
            rows.append([])
    rows.append(["制表人：卓玛", None, None, None, "审核人：罗布"])
    return Broken(rows, all_persons, refused)
