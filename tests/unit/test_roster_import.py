"""Bringing rosters in: reading the files stations keep, guessing columns, the preview's
refusals, one transaction, idempotent re-import, a later version of a list."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from station_desktop.app import Application
from station_desktop.domain.codes import PriorityGroup
from station_desktop.errors import StationError
from station_desktop.roster.cells import date_cell, groups_of, id_cell, relation_code, sex_code
from station_desktop.roster.columns import RosterField, find_header_row, guess_mapping
from station_desktop.roster.reader import read_sheet, sheet_names
from station_desktop.services.roster_import import (
    MSG_CHANGED_SINCE_PREVIEW,
    MSG_ID_MANGLED,
    MSG_ID_OF_SOMEONE_ELSE,
    MSG_SAME_AS_ROW,
    MSG_UNKNOWN_AREA,
    MSG_UNKNOWN_GROUP,
    ImportChoices,
    ImportPreview,
    RosterImportService,
)
from station_desktop.store.models import ChangeLogEntry, GroupMembership, Household, Resident
from tests import rosters
from tests.conftest import StationSetup

BROKEN_KINDS = {
    "checksum": "check digit",
    "scientific": MSG_ID_MANGLED,
    "village": MSG_UNKNOWN_AREA,
    "future": "in the future",
    "duplicate": MSG_SAME_AS_ROW,
}


def _preview(app: Application, path: Path, **choices: object) -> ImportPreview:
    service = RosterImportService(app.ctx)
    source = service.read(path)
    return service.preview(source, ImportChoices(source.mapping, **choices))


def _count(app: Application, model: type) -> int:
    with app.ctx.db.read() as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


# ---------------------------------------------------------------- reading the files


@pytest.mark.parametrize("kind", ["xlsx", "xls", "csv"])
def test_each_kind_of_file_reads_to_the_same_rows(tmp_path: Path, kind: str) -> None:
    rows = rosters.table(rosters.people(12))
    path = tmp_path / f"roster.{kind}"
    {"xlsx": rosters.write_xlsx, "xls": rosters.write_xls, "csv": rosters.write_csv}[kind](
        path, rows
    )
    sheet = read_sheet(path)
    header = find_header_row(sheet.rows)
    assert header == 2  # under the merged title and the "filled in by" line
    mapping = guess_mapping(sheet.rows[header])
    assert set(mapping.values()) >= {
        RosterField.NAME,
        RosterField.NAME_BO,
        RosterField.ID_NUMBER,
        RosterField.BIRTH_DATE,
        RosterField.AREA,
        RosterField.HOUSEHOLD_HEAD,
        RosterField.HOUSEHOLD_RELATION,
        RosterField.CATEGORY,
    }
    names = [r[1] for r in sheet.rows[header + 1 :] if len(r) > 1 and r[1]]
    assert [str(n).strip() for n in names] == [p.name_zh for p in rosters.people(12)]


def test_a_workbook_lists_its_sheets_and_reads_the_one_asked_for(tmp_path: Path) -> None:
    path = rosters.write_xlsx(tmp_path / "r.xlsx", rosters.table(rosters.people(3)))
    assert sheet_names(path) == ("低保花名册", "填表说明")
    assert read_sheet(path, "填表说明").rows[0][0] == "1. 身份证号请以文本格式填写。"
    with pytest.raises(StationError, match="no sheet called 花名册"):
        read_sheet(path, "花名册")


def test_a_file_that_is_no_spreadsheet_is_explained(tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.xlsx"
    damaged.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(StationError, match=r"damaged\.xlsx cannot be read"):
        read_sheet(damaged)
    binary = tmp_path / "photo.csv"
    binary.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(StationError, match="neither a workbook nor text"):
        read_sheet(binary)
    with pytest.raises(StationError, match="no file"):
        read_sheet(tmp_path / "missing.xlsx")


def test_a_sheet_without_known_headings_is_refused(app: Application, tmp_path: Path) -> None:
    path = rosters.write_xlsx(tmp_path / "r.xlsx", [["甲", "乙"], [1, 2]], second_sheet=False)
    with pytest.raises(StationError, match="No row of column headings"):
        RosterImportService(app.ctx).read(path)


# ---------------------------------------------------------------- cells


def test_ids_mangled_by_a_spreadsheet_are_never_guessed() -> None:
    assert id_cell(5.40102198503121e17).mangled == "5.40102E+17"
    assert id_cell("5.40102E+17").mangled == "5.40102E+17"
    assert id_cell(" 5.40102e+17 ").mangled == "5.40102E+17"
    assert id_cell(540102198503120012).text == "540102198503120012"  # written whole
    assert id_cell(540102850312001).text == "540102850312001"  # a 15-digit card fits
    assert id_cell("'54010219850312001X").text == "54010219850312001X"


def test_dates_as_people_write_them() -> None:
    day = date(1985, 3, 12)
    for cell in (
        datetime(1985, 3, 12),
        "1985.03.12",
        "1985.3.12",
        "1985-3-12",
        "1985/03/12 00:00:00",
        "1985年3月12日",
        "１９８５年３月１２日",
        19850312,
        31118,  # an Excel serial number in a column not formatted as a date
    ):
        assert date_cell(cell).value == day, cell
    assert date_cell("1985.3").text == "1985.3"
    assert date_cell(None).value is None


def test_words_become_codes() -> None:
    assert sex_code("男 ") == "male" and sex_code("མོ") == "female" and sex_code("?") is None
    assert relation_code("户主") == "head"
    assert relation_code("长子") == "child" and relation_code("孙女") == "grandchild"
    assert relation_code("妻子") == "spouse" and relation_code("姐夫") == "other"
    assert groups_of("低保、残疾人") == ([PriorityGroup.DIBAO, PriorityGroup.DISABILITY], [])
    assert groups_of("五保户") == ([PriorityGroup.TEKUN], [])
    assert groups_of("A类") == ([], ["A类"])


@given(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(),
        st.datetimes(),
    )
)
def test_any_cell_reads_without_raising(cell: object) -> None:
    for read in (id_cell, date_cell):
        read(cell)  # type: ignore[operator]
    found, unknown = groups_of(str(cell))
    assert all(isinstance(g, PriorityGroup) for g in found) and isinstance(unknown, list)


# ---------------------------------------------------------------- the preview and the import


def test_the_broken_dibao_roster_shows_its_twelve_refusals_by_row(
    app: Application, station: StationSetup, tmp_path: Path
) -> None:
    broken = rosters.broken_roster()
    path = rosters.write_xlsx(tmp_path / "低保.xlsx", broken.rows)
    before = _count(app, ChangeLogEntry)
    preview = _preview(app, path)
    assert _count(app, ChangeLogEntry) == before  # a preview writes nothing
    assert preview.refused_rows == tuple(sorted(broken.refused))
    for refusal in preview.refused:
        expected = BROKEN_KINDS[broken.refused[refusal.row]]
        assert expected in refusal.message, (refusal, broken.refused[refusal.row])
    assert len(preview.added) == 488
    assert preview.groups == (PriorityGroup.DIBAO,)
    scientific = [r for r in preview.refused if r.message == MSG_ID_MANGLED]
    assert {r.column for r in scientific} == {"公民身份号码"}
    assert {r.params["shown"] for r in scientific} == {"5.40102E+17"}


def test_import_writes_the_good_rows_in_one_logged_action_and_again_adds_nothing(
    app: Application, station: StationSetup, tmp_path: Path
) -> None:
    broken = rosters.broken_roster()
    path = rosters.write_xlsx(tmp_path / "低保.xlsx", broken.rows)
    service = RosterImportService(app.ctx)

    def actions() -> int:
        with app.ctx.db.read() as session:
            found = session.scalars(select(func.count(func.distinct(ChangeLogEntry.action_id))))
            return int(found.one())

    before = actions()
    result = service.commit(_preview(app, path))
    assert (result.added, result.refused_rows) == (488, 12)
    assert _count(app, Resident) == 488
    assert _count(app, GroupMembership) == 488
    assert actions() == before + 1  # households, residents, memberships: one user action
    with app.ctx.db.read() as session:
        logged = session.scalars(
            select(func.count()).where(ChangeLogEntry.entity == "resident")
        ).one()
        assert logged == 488  # every resident through the change log
    # Findable by the search, like a resident typed in.
    first = broken.persons[0]
    assert [r.name_zh for r in app.residents.search(first.id_number)] == [first.name_zh]
    households = _count(app, Household)
    again = _preview(app, path)
    assert (len(again.added), len(again.joining), len(again.unchanged)) == (0, 0, 488)
    assert not again.writes_anything and again.gone == ()
    assert _count(app, Household) == households


def test_households_come_from_the_household_head_column(
    app: Application, station: StationSetup, tmp_path: Path
) -> None:
    persons = rosters.people(10)
    path = rosters.write_xlsx(tmp_path / "r.xlsx", rosters.table(persons))
    RosterImportService(app.ctx).commit(_preview(app, path))
    with app.ctx.db.read() as session:
        residents = {r.name_zh: r for r in session.scalars(select(Resident))}
    families: dict[str, set[uuid.UUID | None]] = {}
    for person in persons:
        families.setdefault(person.head, set()).add(residents[person.name_zh].household_id)
    assert all(len(ids) == 1 and None not in ids for ids in families.values())
    assert len({next(iter(ids)) for ids in families.values()}) == len(families)
    heads = [residents[p.name_zh] for p in persons if p.relation == "户主"]
    assert {h.household_relation for h in heads} == {"head"}


def test_a_registered_resident_only_gains_the_membership(
    app: Application, station: StationSetup, tmp_path: Path
) -> None:
    persons = rosters.people(3)
    known = persons[1]
    resident_id = app.residents.register(
        {
            "name_zh": known.name_zh,
            "id_number": known.id_number,
            "legal_basis": "statutory_duty",
            "phone": "13800000000",
        }
    )
    path = rosters.write_xlsx(tmp_path / "r.xlsx", rosters.table(persons))
    preview = _preview(app, path)
    assert [p.resident_id for p in preview.joining] == [resident_id]
    RosterImportService(app.ctx).commit(preview)
    resident = app.residents.get(resident_id)
    assert resident is not None and resident.phone == "13800000000"  # details untouched
    assert [m.group for m in app.residents.memberships(resident_id)] == ["dibao"]


def test_an_id_registered_for_someone_else_is_refused(
    app: Application, station: StationSetup, tmp_path: Path
) -> None:
    persons = rosters.people(2)
    app.residents.register(
        {"name_zh": "另一个人", "id_number": persons[0].id_number, "legal_basis": "consent"}
    )
    preview = _preview(app, rosters.write_xlsx(tmp_path / "r.xlsx", rosters.table(persons)))
    assert [(r.row, r.message) for r in preview.refused] == [(4, MSG_ID_OF_SOMEONE_ELSE)]


def test_without_id_numbers_people_are_matched_by_name_birth_and_village(
    app: Application, station: StationSetup, tmp_path: Path
) -> None:
    persons = [replace(p, id_number="") for p in rosters.people(4)]
    path = rosters.write_xlsx(tmp_path / "r.xlsx", rosters.table(persons))
    first = _preview(app, path)
    assert len(first.added) == 4
    RosterImportService(app.ctx).commit(first)
    again = _preview(app, path)
    assert (len(again.added), len(again.unchanged)) == (0, 4)


def test_a_later_version_adds_the_new_and_names_who_is_no_longer_on_it(
    app: Application, station: StationSetup, tmp_path: Path
) -> None:
    persons = rosters.people(20)
    service = RosterImportService(app.ctx)
    first = rosters.write_xlsx(tmp_path / "v1.xlsx", rosters.table(persons))
    service.commit(_preview(app, first))
    newcomers = rosters.people(23, seed=99)[20:]
    newcomers = [
        replace(p, id_number=rosters.id_number(p.birth, 900 + i)) for i, p in enumerate(newcomers)
    ]
    version2 = persons[2:] + newcomers
    preview = _preview(app, rosters.write_xlsx(tmp_path / "v2.xlsx", rosters.table(version2)))
    assert len(preview.added) == 3 and len(preview.unchanged) == 18
    assert {p.name_zh for p in preview.gone} == {persons[0].name_zh, persons[1].name_zh}
    service.commit(preview)
    assert _count(app, Resident) == 23  # nobody removed
    with app.ctx.db.read() as session:
        ended = session.scalars(
            select(func.count()).where(GroupMembership.end_date.is_not(None))
        ).one()
    assert ended == 0  # nor any membership ended


def test_the_group_for_the_whole_file_and_its_start_date(
    app: Application, station: StationSetup, tmp_path: Path
) -> None:
    persons = [replace(p, category="A类") for p in rosters.people(3)]
    path = rosters.write_xlsx(tmp_path / "r.xlsx", rosters.table(persons))
    from_column = _preview(app, path)
    assert {r.message for r in from_column.refused} == {MSG_UNKNOWN_GROUP}
    whole = _preview(app, path, group=PriorityGroup.TEKUN, since=date(2025, 1, 1))
    assert not whole.refused
    RosterImportService(app.ctx).commit(whole)
    with app.ctx.db.read() as session:
        rows = session.execute(select(GroupMembership.group, GroupMembership.start_date)).all()
    assert set(rows) == {("tekun", date(2025, 1, 1))}


def test_a_change_since_the_preview_stops_the_import(
    app: Application, station: StationSetup, tmp_path: Path
) -> None:
    persons = rosters.people(3)
    preview = _preview(app, rosters.write_xlsx(tmp_path / "r.xlsx", rosters.table(persons)))
    app.residents.register(
        {"name_zh": persons[0].name_zh, "id_number": persons[0].id_number, "legal_basis": "consent"}
    )
    with pytest.raises(StationError) as raised:
        RosterImportService(app.ctx).commit(preview)
    assert raised.value.message == MSG_CHANGED_SINCE_PREVIEW
    assert _count(app, Resident) == 1


def test_the_corrected_mapping_is_remembered_for_the_layout(
    app: Application, station: StationSetup, tmp_path: Path
) -> None:
    path = rosters.write_xlsx(tmp_path / "r.xlsx", rosters.table(rosters.people(3)))
    service = RosterImportService(app.ctx)
    source = service.read(path)
    assert source.remembered is None
    mapping = {i: f for i, f in source.mapping.items() if f is not RosterField.PHONE}
    service.commit(service.preview(source, ImportChoices(mapping)))
    other = rosters.write_xlsx(tmp_path / "later.xlsx", rosters.table(rosters.people(5, seed=3)))
    assert service.read(other).remembered == mapping


def test_a_gb18030_csv_and_an_xls_import_like_the_workbook(
    app: Application, station: StationSetup, tmp_path: Path
) -> None:
    persons = rosters.people(6)
    csv_path = rosters.write_csv(tmp_path / "r.csv", rosters.table(persons))
    assert csv_path.read_bytes().decode("gb18030")  # and not UTF-8
    with pytest.raises(UnicodeDecodeError):
        csv_path.read_bytes().decode("utf-8")
    assert len(_preview(app, csv_path).added) == 6
    xls = rosters.write_xls(tmp_path / "r.xls", rosters.table(persons))
    assert len(_preview(app, xls).added) == 6


CELLS = st.one_of(
    st.none(),
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=20),
    st.integers(min_value=-(10**18), max_value=10**18),
    st.floats(allow_nan=False, allow_infinity=False),
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(2100, 1, 1)),
)


@given(st.lists(CELLS, min_size=13, max_size=13))
def test_any_row_is_taken_refused_with_reasons_or_passed_over(
    app: Application,
    station: StationSetup,
    tmp_path_factory: pytest.TempPathFactory,
    row: list[object],
) -> None:
    """Whatever a row holds: the preview never raises, and the row is taken, refused with
    at least one reason, or passed over as naming nobody; never two of these."""
    base = rosters.table(rosters.people(1))
    folder = tmp_path_factory.mktemp("h")
    baseline = _preview(app, rosters.write_xlsx(folder / "a.xlsx", base)).skipped_rows
    preview = _preview(app, rosters.write_xlsx(folder / "b.xlsx", [*base, row]))
    last = len(base) + 1
    taken = last in {p.row for p in (*preview.added, *preview.joining, *preview.unchanged)}
    refused = last in preview.refused_rows
    skipped = preview.skipped_rows == baseline + 1
    assert [taken, refused, skipped].count(True) == 1
    if refused:
        assert all(r.message for r in preview.refused if r.row == last)
