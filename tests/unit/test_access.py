"""Who may do what (services/access.py): the matrix, its enforcement in the services, the
refusals' messages, and ID card numbers masked in lists, exports and spreadsheets."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import func, select

from station_desktop.app import Application
from station_desktop.domain.codes import StaffRole, StationKind
from station_desktop.errors import NotPermitted
from station_desktop.i18n import Catalogues
from station_desktop.services.access import (
    MATRIX,
    SYSTEM,
    Action,
    Actor,
    Resource,
    Scope,
    allowed,
    who_may,
)
from station_desktop.services.followups import FollowUpService
from station_desktop.services.list_export import ListExportService
from station_desktop.services.reports import ReportPeriod
from station_desktop.services.stations import StationInfo
from station_desktop.store.models import AuditEvent, ChangeLogEntry
from tests.conftest import StationSetup

ID_NUMBER = "11010519491231002X"
MASKED = "110105********002X"
R, A = Resource, Action


# ---------------------------------------------------------------- the matrix itself


def test_the_matrix_says_what_the_issue_asks() -> None:
    worker, head = MATRIX[StaffRole.SOCIAL_WORKER], MATRIX[StaffRole.STATION_HEAD]
    admin, auditor = MATRIX[StaffRole.BUREAU_ADMIN], MATRIX[StaffRole.AUDITOR]
    # Social worker: own and assigned cases, the station's residents, reveals one by one.
    assert worker[(R.CASE, A.READ)] is Scope.OWN and worker[(R.RESIDENT, A.READ)] is Scope.STATION
    assert worker[(R.ID_NUMBER, A.REVEAL)] is Scope.STATION
    assert (R.CASE, A.ASSIGN) not in worker and (R.CASE, A.CLOSE) not in worker
    assert (R.ID_NUMBER, A.EXPORT) not in worker and (R.STAFF, A.CREATE) not in worker
    # Station head: the station, its staff, assignment and closing, bundles.
    for key in [(R.CASE, A.ASSIGN), (R.CASE, A.CLOSE), (R.STAFF, A.UPDATE), (R.BUNDLE, A.CREATE)]:
        assert head[key] is Scope.STATION
    # Bureau administrator: every station, imports, keys; no case work of their own.
    for key in [(R.CASE, A.READ), (R.ROSTER, A.IMPORT), (R.BUNDLE, A.IMPORT), (R.KEYS, A.DELETE)]:
        assert admin[key] is Scope.ALL
    assert (R.CASE, A.UPDATE) not in admin and (R.RESIDENT, A.CREATE) not in admin
    # Auditor: reads only, and the audit trail; never a whole ID number.
    assert {action for _, action in auditor} == {A.READ}
    assert auditor[(R.AUDIT, A.READ)] is Scope.ALL and (R.AUDIT, A.READ) not in worker
    # Backups: a worker may make one (a copy under the same key, nothing new to see);
    # restoring replaces everyone's work: the station head's and the bureau's.
    assert who_may(R.BACKUP, A.RESTORE) == (StaffRole.STATION_HEAD, StaffRole.BUREAU_ADMIN)
    assert worker[(R.BACKUP, A.CREATE)] is Scope.STATION and (R.BACKUP, A.CREATE) not in auditor
    # Reports: a station's own figures for its people, every station's for the bureau's.
    assert worker[(R.REPORT, A.READ)] is head[(R.REPORT, A.READ)] is Scope.STATION
    assert admin[(R.REPORT, A.READ)] is auditor[(R.REPORT, A.READ)] is Scope.ALL


def test_the_program_itself_is_refused_nothing() -> None:
    assert all(allowed(SYSTEM, resource, action) for resource in Resource for action in Action)


# ---------------------------------------------------------------- the services enforce it


@dataclass(repr=False)
class World:
    """A station with its worker and head, a resident and two cases there (the worker's
    and the head's), and a resident of another station held on the same laptop."""

    app: Application
    station: StationSetup
    resident: uuid.UUID
    own_case: uuid.UUID
    others_case: uuid.UUID
    elsewhere: uuid.UUID
    other_station: uuid.UUID
    folder: Path
    colleague: uuid.UUID  # another social worker of the station

    def __repr__(self) -> str:
        return "World()"


def _register(app: Application, **values: object) -> uuid.UUID:
    return app.residents.register({"name_zh": "扎西", "legal_basis": "statutory_duty", **values})


def _open_case(app: Application, resident: uuid.UUID, worker: uuid.UUID | None) -> uuid.UUID:
    return app.cases.open(
        {
            "resident_id": resident,
            "opened_on": "2026-03-01",
            "source": "self",
            "presenting_problem": "生活困难",
            "worker_id": worker,
        }
    )


@pytest.fixture
def world(app: Application, station: StationSetup, tmp_path: Path) -> World:
    other = app.stations.add_station(StationInfo("CG-GD", StationKind.STREET_OFFICE, "", "公德林"))
    app.stations.use_station("CG-GD")
    elsewhere = _register(app, name_zh="次仁")
    app.stations.use_station("CG-BK")
    resident = _register(app, id_number=ID_NUMBER, birth_date="1949-12-31", sex="female")
    return World(
        app,
        station,
        resident,
        _open_case(app, resident, station.worker_id),
        _open_case(app, resident, station.head_id),
        elsewhere,
        other,
        tmp_path,
        app.stations.add_staff("", "白玛", StaffRole.SOCIAL_WORKER),
    )


def _actor(role: StaffRole, world: World) -> Actor:
    station = world.station
    if role is StaffRole.SOCIAL_WORKER:
        return Actor(station.worker_id, role, station.station_id)
    if role is StaffRole.STATION_HEAD:
        return Actor(station.head_id, role, station.station_id)
    return Actor(uuid.uuid4(), role, None)  # the bureau's people belong to no station


# Which record a requirement is about: none (the action as such), a record of the
# laptop's station, one of another station, the worker's own case, the head's case.
NONE, HERE, ELSEWHERE, OWN_CASE, OTHERS_CASE = "none", "here", "elsewhere", "own", "others"
Need = tuple[Resource, Action, str]


@dataclass(frozen=True)
class Call:
    name: str
    needs: tuple[Need, ...]
    # Given the world, prepares what the call needs (as the program itself) and returns
    # the call to make as the person.
    prepare: Callable[[World], Callable[[], object]]

    def __repr__(self) -> str:  # hypothesis shows this when an example fails
        return self.name


def _fresh_resident(w: World) -> Callable[[], object]:
    resident = _register(w.app)
    return lambda: w.app.residents.delete(resident)


def _visit(w: World) -> dict[str, object]:
    return {
        "resident_id": w.resident,
        "visit_date": "2026-05-02",
        "visitor_ids": [w.station.worker_id],
        "outcome": "at_home",
        "purpose": "routine",
    }


def _fresh_visit(w: World) -> Callable[[], object]:
    visit = w.app.visits.record(_visit(w))
    return lambda: w.app.visits.withdraw(visit)


def _fresh_case_to_close(w: World) -> Callable[[], object]:
    case = _open_case(w.app, w.resident, w.station.worker_id)
    return lambda: w.app.cases.move_stage(case, "closed", "2026-03-02", closing_reason="goals_met")


_HALF_YEAR = ReportPeriod(date(2026, 1, 1), date(2026, 6, 30))


def _backup_to_restore(w: World) -> Callable[[], object]:
    """A backup made by the program; the call checks it for restoring (what the window and
    the command line show before they replace anything)."""
    backup = w.app.backups.back_up("daily")
    return lambda: w.app.backups.plan(backup)


CALLS: tuple[Call, ...] = (
    Call(
        "register a resident",
        ((R.RESIDENT, A.CREATE, NONE),),
        lambda w: lambda: _register(w.app),
    ),
    Call(
        "change a resident",
        ((R.RESIDENT, A.UPDATE, HERE),),
        lambda w: lambda: w.app.residents.update(w.resident, {"notes": "x"}),
    ),
    Call(
        "change another station's resident",
        ((R.RESIDENT, A.UPDATE, ELSEWHERE),),
        lambda w: lambda: w.app.residents.update(w.elsewhere, {"notes": "x"}),
    ),
    Call("withdraw a resident", ((R.RESIDENT, A.DELETE, HERE),), _fresh_resident),
    Call(
        "see a resident",
        ((R.RESIDENT, A.READ, HERE),),
        lambda w: lambda: w.app.residents.get(w.resident),
    ),
    Call(
        "see another station's resident",
        ((R.RESIDENT, A.READ, ELSEWHERE),),
        lambda w: lambda: w.app.resident_file.load(w.elsewhere),
    ),
    Call(
        "reveal an ID number",
        ((R.RESIDENT, A.READ, HERE), (R.ID_NUMBER, A.REVEAL, HERE)),
        lambda w: lambda: w.app.residents.reveal_id_number(w.resident),
    ),
    Call(
        "open a resident's details to change them",
        ((R.RESIDENT, A.UPDATE, HERE), (R.ID_NUMBER, A.REVEAL, HERE)),
        lambda w: lambda: w.app.residents.for_editing(w.resident),
    ),
    Call(
        "record a visit",
        ((R.VISIT, A.CREATE, NONE),),
        lambda w: lambda: w.app.visits.record(_visit(w)),
    ),
    Call("withdraw a visit", ((R.VISIT, A.DELETE, HERE),), _fresh_visit),
    Call(
        "record a feedback sheet",
        ((R.FEEDBACK, A.CREATE, NONE),),
        lambda w: (
            lambda: w.app.feedback.record(
                {
                    "service_area": "elderly_care",
                    "service_date": "2026-05-01",
                    "collected_on": "2026-05-02",
                    "comments": "好",
                }
            )
        ),
    ),
    Call(
        "record an activity",
        ((R.ACTIVITY, A.CREATE, NONE),),
        lambda w: (
            lambda: w.app.activities.record(
                {"kind": "community_activity", "title": "新年", "held_on": "2026-02-18"}
            )
        ),
    ),
    Call(
        "record a donation",
        ((R.RESOURCE, A.CREATE, NONE),),
        lambda w: (
            lambda: w.app.resources.record_receipt(
                {
                    "received_on": "2026-05-01",
                    "donor_name": "爱心企业",
                    "donor_type": "enterprise",
                    "kind": "goods",
                    "item": "米",
                    "quantity": 2,
                }
            )
        ),
    ),
    Call(
        "open a case as its worker",
        ((R.CASE, A.CREATE, NONE),),
        lambda w: lambda: _open_case(w.app, w.resident, None),
    ),
    Call(
        "open a case for a colleague",
        ((R.CASE, A.CREATE, NONE), (R.CASE, A.ASSIGN, NONE)),
        lambda w: lambda: _open_case(w.app, w.resident, w.colleague),
    ),
    Call(
        "see one's own case",
        ((R.CASE, A.READ, OWN_CASE),),
        lambda w: lambda: w.app.cases.get(w.own_case),
    ),
    Call(
        "see someone else's case",
        ((R.CASE, A.READ, OTHERS_CASE),),
        lambda w: lambda: w.app.cases.stage_history(w.others_case),
    ),
    Call(
        "write a note on one's own case",
        ((R.CASE, A.UPDATE, OWN_CASE),),
        lambda w: lambda: w.app.cases.add_note(w.own_case, "2026-03-02", "来访"),
    ),
    Call(
        "write a note on someone else's case",
        ((R.CASE, A.UPDATE, OTHERS_CASE),),
        lambda w: lambda: w.app.cases.add_note(w.others_case, "2026-03-02", "来访"),
    ),
    Call(
        "assign a case to another worker",
        ((R.CASE, A.UPDATE, OTHERS_CASE), (R.CASE, A.ASSIGN, OTHERS_CASE)),
        lambda w: lambda: w.app.cases.update(w.others_case, {"worker_id": w.colleague}),
    ),
    Call(
        "close a case",
        ((R.CASE, A.UPDATE, OWN_CASE), (R.CASE, A.CLOSE, OWN_CASE)),
        _fresh_case_to_close,
    ),
    Call(
        "print a case's form",
        ((R.CASE, A.READ, OTHERS_CASE),),
        lambda w: lambda: w.app.printing.record_form("case", w.others_case),
    ),
    Call(
        "list the cases",
        ((R.CASE, A.READ, NONE),),
        lambda w: lambda: w.app.listing.records("cases"),
    ),
    Call(
        "add a staff member",
        ((R.STAFF, A.CREATE, NONE),),
        lambda w: lambda: w.app.stations.add_staff("", "新人", StaffRole.SOCIAL_WORKER),
    ),
    Call(
        "change a staff member's role",
        ((R.STAFF, A.UPDATE, HERE),),
        lambda w: lambda: w.app.stations.change_role(w.colleague, StaffRole.SOCIAL_WORKER),
    ),
    Call(
        "add a village",
        ((R.STATION, A.CREATE, NONE),),
        lambda w: (
            lambda: w.app.stations.add_area(
                f"CG-BK-{uuid.uuid4().hex[:6]}", "community", "", "新社区"
            )
        ),
    ),
    Call(
        "see the report",
        ((R.REPORT, A.READ, NONE),),
        lambda w: lambda: w.app.reports.compute(ReportPeriod(date(2026, 1, 1), date(2026, 6, 30))),
    ),
    Call(
        "see the report of one's own station",
        ((R.REPORT, A.READ, HERE),),
        lambda w: lambda: w.app.reports.compute(_HALF_YEAR, ["CG-BK"]),
    ),
    Call(
        "see another station's report",
        ((R.REPORT, A.READ, ELSEWHERE),),
        lambda w: lambda: w.app.reports.trend(_HALF_YEAR, ["CG-GD"]),
    ),
    Call(
        "see the report of both stations",
        ((R.REPORT, A.READ, HERE), (R.REPORT, A.READ, ELSEWHERE)),
        lambda w: lambda: w.app.reports.compute(_HALF_YEAR, ["CG-BK", "CG-GD"]),
    ),
    Call("list the backups", ((R.BACKUP, A.READ, NONE),), lambda w: w.app.backups.backups),
    Call(
        "make a backup",
        ((R.BACKUP, A.CREATE, NONE),),
        lambda w: lambda: w.app.backups.back_up("manual"),
    ),
    Call("restore a backup", ((R.BACKUP, A.RESTORE, NONE),), _backup_to_restore),
    Call(
        "change the visiting rhythm",
        ((R.SETTINGS, A.UPDATE, NONE),),
        lambda w: lambda: FollowUpService(w.app.ctx).set_rhythm("disability", 30),
    ),
    Call(
        "export the residents",
        ((R.RESIDENT, A.EXPORT, NONE),),
        lambda w: (
            lambda: ListExportService(w.app.ctx, Catalogues()).write(
                "residents", w.folder / f"{uuid.uuid4()}.xlsx"
            )
        ),
    ),
    Call(
        "export whole ID numbers",
        ((R.RESIDENT, A.EXPORT, NONE), (R.ID_NUMBER, A.EXPORT, NONE)),
        lambda w: (
            lambda: ListExportService(w.app.ctx, Catalogues()).write(
                "residents", w.folder / f"{uuid.uuid4()}.xlsx", whole_id_numbers=True
            )
        ),
    ),
    Call(
        "see the conflicts between laptops",
        ((R.CONFLICT, A.READ, NONE),),
        lambda w: w.app.sync.conflicts,
    ),
)


def _expected(role: StaffRole, needs: tuple[Need, ...], world: World) -> bool:
    """What the matrix says, read directly (not through `allowed`)."""
    actor = _actor(role, world)
    station = world.station.station_id
    for resource, action, target in needs:
        scope = MATRIX[role].get((resource, action))
        if scope is None:
            return False
        if scope is Scope.ALL or target == NONE:
            continue
        record_station = world.other_station if target == ELSEWHERE else station
        if record_station != actor.station_id:
            return False
        owner = {OWN_CASE: world.station.worker_id, OTHERS_CASE: world.station.head_id}
        if scope is Scope.OWN and owner.get(target) != actor.staff_id:
            return False
    return True


def _changes(app: Application) -> int:
    with app.ctx.db.read() as session:
        return session.scalar(select(func.count()).select_from(ChangeLogEntry)) or 0


@settings(max_examples=250)
@given(role=st.sampled_from(StaffRole), call=st.sampled_from(CALLS))
def test_every_service_call_is_allowed_exactly_when_the_matrix_says(
    world: World, role: StaffRole, call: Call
) -> None:
    app = world.app
    app.ctx.actor = SYSTEM
    make_call = call.prepare(world)
    app.ctx.actor = _actor(role, world)
    before = _changes(app)
    try:
        make_call()
    except NotPermitted as refused:
        assert not _expected(role, call.needs, world), f"{role} refused: {call.name}"
        assert _changes(app) == before  # nothing written
        assert role not in refused.may
    else:
        assert _expected(role, call.needs, world), f"{role} allowed: {call.name}"
    finally:
        app.ctx.actor = SYSTEM


# ---------------------------------------------------------------- refusals say who may


def test_a_refusal_names_the_roles_that_may_in_the_readers_language(world: World) -> None:
    app = world.app
    app.ctx.actor = _actor(StaffRole.SOCIAL_WORKER, world)
    with pytest.raises(NotPermitted) as caught:
        app.cases.move_stage(world.own_case, "closed", "2026-03-02", closing_reason="goals_met")
    refused = caught.value
    assert refused.may == (StaffRole.STATION_HEAD,)
    assert refused.english() == (
        "The role Social worker may not do this (close or reopen: cases). Nothing was "
        "changed. Only the role Station head may."
    )
    zh = Catalogues().translator("zh_CN").gettext(refused.message, **refused.params)
    assert zh == "社会工作者无权进行此操作（结案或重新开案：个案）。未作任何更改。只有站长可以。"
    bo = Catalogues().translator("bo").gettext(refused.message, **refused.params)
    assert "ས་ཚིགས་འགོ་འཛིན" in bo and "Station head" not in bo  # the head, in Tibetan

    with pytest.raises(NotPermitted) as caught:
        app.stations.add_staff("", "新人", StaffRole.STATION_HEAD)
    assert caught.value.may == (StaffRole.STATION_HEAD, StaffRole.BUREAU_ADMIN)
    assert caught.value.english().endswith(
        "Only the roles Station head and Bureau administrator may."
    )

    app.ctx.actor = _actor(StaffRole.STATION_HEAD, world)
    with pytest.raises(NotPermitted) as caught:
        app.residents.update(world.elsewhere, {"notes": "x"})
    assert caught.value.english().startswith("This record belongs to another station")


def test_who_may_lists_roles_in_a_fixed_order() -> None:
    assert who_may(R.AUDIT, A.READ) == (StaffRole.STATION_HEAD, StaffRole.AUDITOR)
    assert who_may(R.CASE, A.READ, wider_than=Scope.OWN) == (
        StaffRole.STATION_HEAD,
        StaffRole.BUREAU_ADMIN,
        StaffRole.AUDITOR,
    )


# ---------------------------------------------------------------- what a role sees


@pytest.mark.both_engines
def test_a_social_worker_lists_only_own_and_assigned_cases(world: World) -> None:
    app = world.app
    app.ctx.actor = _actor(StaffRole.SOCIAL_WORKER, world)
    assert [row["id"] for row in app.listing.records("cases")] == [str(world.own_case)]
    app.ctx.actor = _actor(StaffRole.STATION_HEAD, world)  # the head assigns the other one
    app.cases.update(world.others_case, {"worker_id": world.station.worker_id})
    app.ctx.actor = _actor(StaffRole.SOCIAL_WORKER, world)
    assert {row["id"] for row in app.listing.records("cases")} == {
        str(world.own_case),
        str(world.others_case),
    }


def test_a_case_opened_by_a_social_worker_is_theirs(world: World) -> None:
    app = world.app
    app.ctx.actor = _actor(StaffRole.SOCIAL_WORKER, world)
    case = _open_case(app, world.resident, None)
    view = app.cases.get(case)
    assert view is not None and view.worker_id == world.station.worker_id


@pytest.mark.both_engines
def test_lists_keep_to_the_station_and_the_bureau_sees_all(world: World) -> None:
    app = world.app
    app.ctx.actor = _actor(StaffRole.STATION_HEAD, world)
    here = {row["id"] for row in app.listing.records("residents")}
    assert str(world.resident) in here and str(world.elsewhere) not in here
    assert [r.id for r in app.residents.search("次仁")] == []
    app.ctx.actor = _actor(StaffRole.AUDITOR, world)
    everywhere = {row["id"] for row in app.listing.records("residents")}
    assert {str(world.resident), str(world.elsewhere)} <= everywhere


# ---------------------------------------------------------------- ID numbers masked


def test_id_numbers_are_masked_on_screen_in_lists_and_in_the_command_lines_json(
    world: World,
) -> None:
    app = world.app
    for role in StaffRole:
        app.ctx.actor = _actor(role, world)
        view = app.residents.get(world.resident)
        assert view is not None and view.id_number == MASKED
        [row] = [r for r in app.listing.records("residents") if r["id"] == str(world.resident)]
        assert row["id_number_masked"] == MASKED and ID_NUMBER not in str(row)
    app.ctx.actor = _actor(StaffRole.STATION_HEAD, world)
    assert app.resident_file.load(world.resident).details.id_number_masked == MASKED


def test_revealing_one_id_number_is_recorded(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    recorded: list[dict[str, object]] = []
    monkeypatch.setattr(
        "station_desktop.services.residents.record_event",
        lambda session, **event: recorded.append(event),
    )
    app = world.app
    app.ctx.actor = _actor(StaffRole.SOCIAL_WORKER, world)
    assert app.residents.reveal_id_number(world.resident) == ID_NUMBER
    assert recorded == [
        {
            "actor_id": world.station.worker_id,
            "action": "reveal_id",
            "entity": "resident",
            "entity_id": str(world.resident),
            "fields": ("id_number",),
        }
    ]
    app.ctx.actor = _actor(StaffRole.AUDITOR, world)
    with pytest.raises(NotPermitted):
        app.residents.reveal_id_number(world.resident)
    assert len(recorded) == 1  # a refused reveal records nothing and shows nothing


def _cells(path: Path) -> set[str]:
    sheet = load_workbook(path).active
    assert sheet is not None
    return {str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None}


@pytest.mark.both_engines
def test_spreadsheets_mask_id_numbers_unless_a_permitted_role_asks(world: World) -> None:
    app = world.app

    def events() -> list[str]:  # what the audit trail recorded of exports and reveals
        with app.ctx.db.read() as session:
            rows = session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.action.in_(("export", "reveal_id")))
                .order_by(AuditEvent.seq)
            )
            return list(rows)

    export = ListExportService(app.ctx, Catalogues())
    app.ctx.actor = _actor(StaffRole.SOCIAL_WORKER, world)
    masked = world.folder / "masked.xlsx"
    export.write("residents", masked)
    assert MASKED in _cells(masked) and ID_NUMBER not in _cells(masked)
    assert events() == ["export"]
    with pytest.raises(NotPermitted):
        export.write("residents", world.folder / "whole.xlsx", whole_id_numbers=True)
    assert not (world.folder / "whole.xlsx").exists() and events() == ["export"]

    app.ctx.actor = _actor(StaffRole.STATION_HEAD, world)
    whole = world.folder / "whole.xlsx"
    export.write("residents", whole, whole_id_numbers=True)
    assert ID_NUMBER in _cells(whole)
    assert events() == ["export", "export", "reveal_id"]
    again = world.folder / "again.xlsx"
    export.write("residents", again)  # asked once, not for ever
    assert ID_NUMBER not in _cells(again)


def test_no_spreadsheet_cell_starts_a_formula(world: World) -> None:
    app = world.app
    app.ctx.actor = _actor(StaffRole.STATION_HEAD, world)
    for text in ('=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)"):
        _register(app, name_zh="扎西", notes="x", address=text)
    path = world.folder / "formulas.xlsx"
    ListExportService(app.ctx, Catalogues()).write("residents", path)
    sheet = load_workbook(path).active
    assert sheet is not None
    cells = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    starts = [c for c in cells if c.value[:1] in "=+-@"]
    assert len(starts) == 4 and all(c.data_type == "s" for c in starts)


@pytest.mark.both_engines
def test_a_social_workers_follow_ups_hold_only_their_own_quiet_cases(world: World) -> None:
    app = world.app
    app.ctx.actor = _actor(StaffRole.STATION_HEAD, world)
    quiet = {f.record_id for f in FollowUpService(app.ctx).due() if f.kind == "case"}
    assert {world.own_case, world.others_case} <= quiet  # opened in March, no note since
    app.ctx.actor = _actor(StaffRole.SOCIAL_WORKER, world)
    mine = {f.record_id for f in FollowUpService(app.ctx).due() if f.kind == "case"}
    assert world.own_case in mine and world.others_case not in mine


def test_only_the_bureau_gives_the_roles_that_reach_every_station(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorded: list[dict[str, object]] = []
    monkeypatch.setattr(
        "station_desktop.services.stations.record_event",
        lambda session, **event: recorded.append(event),
    )
    app = world.app
    app.ctx.actor = _actor(StaffRole.STATION_HEAD, world)
    for wanted in (StaffRole.AUDITOR, StaffRole.BUREAU_ADMIN):
        with pytest.raises(NotPermitted) as caught:
            app.stations.change_role(world.colleague, wanted)
        assert caught.value.may == (StaffRole.BUREAU_ADMIN,)
        with pytest.raises(NotPermitted):
            app.stations.add_staff("", "新人", wanted)
    assert recorded == []
    assert app.stations.change_role(world.colleague, StaffRole.STATION_HEAD)  # within reach
    assert recorded == [
        {
            "actor_id": world.station.head_id,
            "action": "role_change",
            "entity": "staff",
            "entity_id": str(world.colleague),
            "fields": ("role",),
        }
    ]
    app.ctx.actor = _actor(StaffRole.BUREAU_ADMIN, world)
    assert app.stations.change_role(world.colleague, StaffRole.AUDITOR)
    [colleague] = [s for s in app.stations.staff() if s.id == world.colleague]
    assert colleague.role == StaffRole.AUDITOR.value
