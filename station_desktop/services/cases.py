"""Case work: intake, stage transitions with history, append-only progress notes, referral,
closing and reopening (civil-affairs case-work standard; rules in `domain.casework`)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from station_desktop.domain.casework import (
    allowed_next_stages,
    can_move,
    closing_needs_referral,
    is_reopening,
)
from station_desktop.domain.codes import CaseStage, ClosingReason
from station_desktop.errors import BadTransition
from station_desktop.forms.case import CASE_FORM, CASE_NOTE_FORM, STAGE_CHANGE_FORM
from station_desktop.forms.validate import clean_form
from station_desktop.i18n import N_
from station_desktop.services.access import Action, RecordScope, Resource, allowed
from station_desktop.services.context import (
    ServiceContext,
    check_after_birth,
    check_reference,
    plain,
    raise_if_invalid,
    require_record,
)
from station_desktop.store.models import (
    CaseNote,
    CaseRecord,
    CaseStageChange,
    Device,
    Resident,
    Staff,
    Station,
)
from station_desktop.store.opening import device_tag_for

MSG_BEFORE_OPENED = N_("This is before the case was opened ({opened}).")
MSG_REASON_NEEDED = N_("Give the reason for closing.")
MSG_REASON_ONLY_CLOSING = N_("A reason is only given when the case is closed.")
MSG_REFERRAL_NEEDED = N_("Say where the case was referred to (in the referral section).")
MSG_CORRECTS_OTHER_CASE = N_("A correction must refer to a note of the same case.")
MSG_RESIDENT_FIXED = N_("The client of a case cannot be changed; open a new case instead.")


def case_number(year: int, device_tag: str, serial: int) -> str:
    """`2026-K7QD-007`: the device tag keeps laptops of one station from handing out the
    same number while they are offline (stored per station: see `case_reference`)."""
    return f"{year}-{device_tag}-{serial:03d}"


def case_reference(station_code: str, number: str) -> str:
    """The number a case is shown and printed with: its station's code, then the number
    the laptop gave it (`540102002-2026-K7QD-007`). Station codes are unique and a station
    never gives a number twice in a year, so no two cases anywhere share a reference,
    whatever two laptops' device tags. Numbers given before the code was shown read the
    same, with the station's code in front."""
    return f"{station_code}-{number}" if station_code else number


def case_references(session: Session, cases: Iterable[CaseRecord]) -> dict[uuid.UUID, str]:
    """`case_reference` of each case, by case id."""
    wanted = list(cases)
    codes = dict(
        session.execute(
            select(Station.id, Station.code).where(Station.id.in_({c.station_id for c in wanted}))
        ).all()
    )
    return {c.id: case_reference(codes.get(c.station_id, ""), c.case_number) for c in wanted}


@dataclass(frozen=True)
class CaseView:
    """A case as the screens see it; `reference` is the number shown and printed."""

    id: uuid.UUID
    station_id: uuid.UUID
    reference: str
    case_year: int
    case_number: str
    resident_id: uuid.UUID
    worker_id: uuid.UUID | None
    source: str
    service_area: str | None
    presenting_problem: str
    assessment: str
    goals: str
    plan: str
    stage: str
    opened_on: date
    closed_on: date | None
    closing_reason: str | None
    closing_note: str
    referral_to: str
    referral_on: date | None
    referral_note: str
    reopen_count: int
    form_version: int
    heads: list[str]


@dataclass(frozen=True)
class NoteView:
    id: uuid.UUID
    case_id: uuid.UUID
    written_on: date
    author_id: uuid.UUID | None
    body: str
    corrects_id: uuid.UUID | None
    created_at: datetime


@dataclass(frozen=True)
class StageChangeView:
    id: uuid.UUID
    case_id: uuid.UUID
    from_stage: str | None
    to_stage: str
    changed_on: date
    changed_by_id: uuid.UUID | None
    note: str
    created_at: datetime


def _scope(case: CaseRecord) -> RecordScope:
    """A case is its worker's own (they opened it, or the station head assigned it)."""
    return RecordScope.of(case.station_id, case.worker_id)


class CaseService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    # ------------------------------------------------------------ intake and details

    def open(self, values: Mapping[str, Any]) -> uuid.UUID:
        """Open a case. Someone who may not assign cases opens it as its worker."""
        self.ctx.require(Resource.CASE, Action.CREATE)
        cleaned = clean_form(CASE_FORM, values, today=self.ctx.today())
        v = cleaned.values
        if not allowed(self.ctx.actor, Resource.CASE, Action.ASSIGN):
            me = self.ctx.actor.staff_id
            if v.get("worker_id") not in (None, me):
                self.ctx.require(Resource.CASE, Action.ASSIGN)
            v["worker_id"] = me
        with self.ctx.uow() as uow:
            session = uow.session
            check_reference(session, Resident, v.get("resident_id"), "resident_id", cleaned.errors)
            check_after_birth(
                session, v.get("resident_id"), v.get("opened_on"), "opened_on", cleaned.errors
            )
            check_reference(session, Staff, v.get("worker_id"), "worker_id", cleaned.errors)
            raise_if_invalid(cleaned)
            year = v["opened_on"].year
            number = self._next_number(session, year)
            case_id = uow.insert(
                CaseRecord,
                {
                    **v,
                    "case_year": year,
                    "case_number": number,
                    "stage": CaseStage.INTAKE.value,
                    "reopen_count": 0,
                    "form_version": CASE_FORM.version,
                },
            )
            uow.insert(
                CaseStageChange,
                {
                    "case_id": case_id,
                    "from_stage": None,
                    "to_stage": CaseStage.INTAKE.value,
                    "changed_on": v["opened_on"],
                    "changed_by_id": self.ctx.actor_id,
                },
            )
        return case_id

    def update(
        self,
        case_id: uuid.UUID,
        values: Mapping[str, Any],
        *,
        based_on: Sequence[str] | None = None,
    ) -> bool:
        """Edit the case's own fields (not its stage: see `move_stage`)."""
        cleaned = clean_form(CASE_FORM, values, today=self.ctx.today(), only_given=True)
        with self.ctx.uow() as uow:
            case = require_record(uow.session, CaseRecord, case_id, "case")
            self.ctx.require(Resource.CASE, Action.UPDATE, _scope(case))
            if "worker_id" in cleaned.values and cleaned.values["worker_id"] != case.worker_id:
                self.ctx.require(Resource.CASE, Action.ASSIGN, _scope(case))
            if (
                "resident_id" in cleaned.values
                and cleaned.values["resident_id"] != case.resident_id
            ):
                cleaned.error("resident_id", MSG_RESIDENT_FIXED)
            check_reference(
                uow.session, Staff, cleaned.values.get("worker_id"), "worker_id", cleaned.errors
            )
            raise_if_invalid(cleaned)
            return uow.update(CaseRecord, case_id, cleaned.values, based_on=based_on) is not None

    # ------------------------------------------------------------ stages

    def move_stage(
        self,
        case_id: uuid.UUID,
        to_stage: CaseStage | str,
        changed_on: date | str,
        *,
        closing_reason: ClosingReason | str | None = None,
        note: str = "",
        based_on: Sequence[str] | None = None,
    ) -> None:
        """Move a case to another stage; closing needs a reason; reopening counts."""
        cleaned = clean_form(
            STAGE_CHANGE_FORM,
            {
                "to_stage": to_stage,
                "changed_on": changed_on,
                "closing_reason": closing_reason,
                "note": note,
            },
            today=self.ctx.today(),
        )
        v = cleaned.values
        with self.ctx.uow() as uow:
            case = require_record(uow.session, CaseRecord, case_id, "case")
            self.ctx.require(Resource.CASE, Action.UPDATE, _scope(case))
            if CaseStage.CLOSED.value in (case.stage, v.get("to_stage")):
                # Closing (and reopening) is approved by the station head.
                self.ctx.require(Resource.CASE, Action.CLOSE, _scope(case))
            if v.get("changed_on") and v["changed_on"] < case.opened_on:
                cleaned.error("changed_on", MSG_BEFORE_OPENED, opened=case.opened_on.isoformat())
            raise_if_invalid(cleaned)
            current, target = CaseStage.parse(case.stage), CaseStage.parse(v["to_stage"])
            if not can_move(current, target):
                raise BadTransition(from_stage=current, to_stage=target)
            changes: dict[str, Any] = {"stage": target.value}
            if target is CaseStage.CLOSED:
                if v.get("closing_reason") is None:
                    cleaned.error("closing_reason", MSG_REASON_NEEDED)
                elif (
                    closing_needs_referral(ClosingReason.parse(v["closing_reason"]))
                    and not case.referral_to
                ):
                    cleaned.error("closing_reason", MSG_REFERRAL_NEEDED)
                changes |= {
                    "closed_on": v["changed_on"],
                    "closing_reason": v["closing_reason"],
                    "closing_note": v["note"],
                }
            elif v.get("closing_reason") is not None:
                cleaned.error("closing_reason", MSG_REASON_ONLY_CLOSING)
            if is_reopening(current, target):
                changes |= {
                    "closed_on": None,
                    "closing_reason": None,
                    "closing_note": "",
                    "reopen_count": case.reopen_count + 1,
                }
            raise_if_invalid(cleaned)
            uow.update(CaseRecord, case_id, changes, based_on=based_on)
            uow.insert(
                CaseStageChange,
                {
                    "case_id": case_id,
                    "from_stage": current.value,
                    "to_stage": target.value,
                    "changed_on": v["changed_on"],
                    "changed_by_id": self.ctx.actor_id,
                    "note": v["note"],
                },
            )

    @staticmethod
    def next_stages(stage: CaseStage | str) -> tuple[CaseStage, ...]:
        return allowed_next_stages(CaseStage.parse(stage))

    # ------------------------------------------------------------ notes

    def add_note(
        self,
        case_id: uuid.UUID,
        written_on: date | str,
        body: str,
        *,
        corrects_id: uuid.UUID | None = None,
    ) -> uuid.UUID:
        """Append a progress note. Notes are never edited; a correction is a new note that
        names the note it corrects."""
        cleaned = clean_form(
            CASE_NOTE_FORM, {"written_on": written_on, "body": body}, today=self.ctx.today()
        )
        v = cleaned.values
        with self.ctx.uow() as uow:
            case = require_record(uow.session, CaseRecord, case_id, "case")
            self.ctx.require(Resource.CASE, Action.UPDATE, _scope(case))
            if v.get("written_on") and v["written_on"] < case.opened_on:
                cleaned.error("written_on", MSG_BEFORE_OPENED, opened=case.opened_on.isoformat())
            if corrects_id is not None:
                corrected = uow.session.get(CaseNote, corrects_id)
                if corrected is None or corrected.case_id != case_id:
                    cleaned.error("body", MSG_CORRECTS_OTHER_CASE)
            raise_if_invalid(cleaned)
            return uow.insert(
                CaseNote,
                {
                    **v,
                    "case_id": case_id,
                    "author_id": self.ctx.actor_id,
                    "corrects_id": corrects_id,
                },
                seen=list(case.heads or []),  # what the writer knew of the case (sync)
            )

    # ------------------------------------------------------------ reads

    def get(self, case_id: uuid.UUID) -> CaseView | None:
        with self.ctx.db.read() as session:
            case = session.get(CaseRecord, case_id)
            if case is None:
                return None
            self.ctx.require(Resource.CASE, Action.READ, _scope(case))
            return plain(CaseView, case, reference=case_references(session, [case])[case.id])

    def notes(self, case_id: uuid.UUID) -> list[NoteView]:
        with self.ctx.db.read() as session:
            self._may_read(session, case_id)
            rows = session.scalars(
                select(CaseNote)
                .where(CaseNote.case_id == case_id, CaseNote.deleted.is_(False))
                .order_by(CaseNote.written_on, CaseNote.created_at, CaseNote.id)
            )
            return [plain(NoteView, row) for row in rows]

    def stage_history(self, case_id: uuid.UUID) -> list[StageChangeView]:
        with self.ctx.db.read() as session:
            self._may_read(session, case_id)
            rows = session.scalars(
                select(CaseStageChange)
                .where(CaseStageChange.case_id == case_id)
                .order_by(CaseStageChange.created_at, CaseStageChange.id)
            )
            return [plain(StageChangeView, row) for row in rows]

    def _may_read(self, session: Session, case_id: uuid.UUID) -> None:
        case = session.get(CaseRecord, case_id)
        self.ctx.require(Resource.CASE, Action.READ, _scope(case) if case else None)

    def may(self, action: Action, case: CaseView | None = None) -> bool:
        """Whether the acting person may do `action` on cases (this one): for the window
        to offer only what they may."""
        scope = RecordScope.of(case.station_id, case.worker_id) if case else None
        return allowed(self.ctx.actor, Resource.CASE, action, scope)

    # ------------------------------------------------------------ numbering

    def _next_number(self, session: Any, year: int) -> str:
        tag = session.scalars(select(Device.tag).where(Device.id == self.ctx.device_id)).first()
        tag = tag or device_tag_for(self.ctx.device_id)
        prefix = case_number(year, tag, 0)[:-3]
        existing = session.scalars(
            select(CaseRecord.case_number).where(
                CaseRecord.station_id == self.ctx.station_id(),
                CaseRecord.case_year == year,
                CaseRecord.case_number.startswith(prefix, autoescape=True),
            )
        ).all()
        serials = [int(n[len(prefix) :]) for n in existing if n[len(prefix) :].isdigit()]
        return case_number(year, tag, max(serials, default=0) + 1)
