"""Residents: registration, details, priority-group memberships, households, search."""

from __future__ import annotations

import calendar
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import or_, select, true
from sqlalchemy.orm import Session

from station_desktop.domain.codes import HouseholdRelation, LegalBasis
from station_desktop.domain.idcard import check_id_number, mask_id_number
from station_desktop.domain.text import normalize_text
from station_desktop.errors import NotFound
from station_desktop.forms.resident import (
    CONSENT_BASES,
    END_MEMBERSHIP_FORM,
    GUARDIAN_AGE_LIMIT,
    MEMBERSHIP_FIELDS,
    NEW_HOUSEHOLD,
    REGISTRATION_FORM,
    RESIDENT_FORM,
    REVIEW_MEMBERSHIP_FORM,
)
from station_desktop.forms.spec import FieldKind, FieldSpec
from station_desktop.forms.validate import Cleaned, clean_field, clean_form
from station_desktop.i18n import N_, Label
from station_desktop.services.access import (
    Action,
    RecordScope,
    Resource,
    scope_conditions,
    visible,
)
from station_desktop.services.context import (
    ServiceContext,
    check_after_birth,
    check_reference,
    detached,
    load,
    plain,
    raise_if_invalid,
    require_record,
)
from station_desktop.store.audit import record_event
from station_desktop.store.changes import ChangeRecorder
from station_desktop.store.models import Area, GroupMembership, Household, Resident
from station_desktop.store.search import (
    bring_keys_up_to_date,
    reindex_resident,
    search_residents,
)

MSG_NEED_A_NAME = N_("Give the name in Tibetan or in Chinese.")
MSG_BIRTH_MISMATCH = N_("The date of birth does not match the ID card number ({id_date}).")
MSG_SEX_MISMATCH = N_("The sex does not match the ID card number.")
MSG_DUPLICATE_ID = N_("A resident with this ID card number is already registered.")
MSG_MINOR_GUARDIAN = N_("A child under 14 needs a guardian: choose one or type the name.")
MSG_MINOR_BASIS = N_("For a child under 14 the basis must be the guardian's consent or a duty.")
MSG_OWN_GUARDIAN = N_("A person cannot be their own guardian.")
MSG_CONSENTING_GUARDIAN = N_("Name the guardian who gave the consent: choose one or type the name.")
MSG_CONSENT_BEFORE_BIRTH = N_("The consent cannot have been given before the birth.")
MSG_END_BEFORE_START = N_("The end date is before the start date.")
MSG_REVIEW_NOT_AFTER_TODAY = N_("The next review must come after today.")
MSG_MEMBERSHIP_ENDED = N_("This membership has ended: there is nothing to review.")


def _new_household(uow: ChangeRecorder, details: Mapping[str, Any]) -> dict[str, Any]:
    """A household started for a resident, in their village and at their address: the
    fields that put them at its head."""
    household_id = uow.insert(
        Household, {"area_id": details.get("area_id"), "address": details.get("address") or ""}
    )
    return {"household_id": household_id, "household_relation": HouseholdRelation.HEAD.value}


@dataclass(frozen=True)
class ResidentView:
    """A resident's record as the screens see it."""

    id: uuid.UUID
    station_id: uuid.UUID
    name_bo: str
    name_zh: str
    sex: str | None
    ethnicity: str | None
    birth_date: date | None
    id_number: str | None
    phone: str | None
    household_id: uuid.UUID | None
    household_relation: str | None
    area_id: uuid.UUID | None
    address: str
    legal_basis: str | None
    consent_on: date | None
    consent_note: str
    guardian_id: uuid.UUID | None
    guardian_name: str
    guardian_phone: str | None
    guardian_relation: str | None
    notes: str
    form_version: int
    heads: list[str]


@dataclass(frozen=True)
class HouseholdView:
    id: uuid.UUID
    household_no: str
    address: str
    head_name_bo: str
    head_name_zh: str


def age_on(birth: date, day: date) -> int:
    """Age in whole years on `day`. Someone born on 29 February has their birthday on
    28 February in other years (the Civil Code's rule for a period ending in a month
    without that day, art. 202): they are 18 on 28 February, not on 1 March."""
    birthday = (birth.month, birth.day)
    if birthday == (2, 29) and not calendar.isleap(day.year):
        birthday = (2, 28)
    return day.year - birth.year - ((day.month, day.day) < birthday)


def check_resident_rules(cleaned: Cleaned, today: date) -> None:
    """The rules across a resident's fields that need no database (a name in one script,
    the ID number agreeing with the birth date and sex, a guardian for a child under 14);
    adds field errors to `cleaned`. Shared by the form and the roster import."""
    v = cleaned.values
    already = {e.field for e in cleaned.errors}
    if not v.get("name_bo") and not v.get("name_zh"):
        cleaned.error("name_bo", MSG_NEED_A_NAME)
    birth: date | None = v.get("birth_date")
    id_number = v.get("id_number")
    if id_number and "id_number" not in already:
        check = check_id_number(id_number, today=today)
        if check.ok:
            if birth is not None and check.birth_date != birth:
                cleaned.error(
                    "birth_date",
                    MSG_BIRTH_MISMATCH,
                    id_date=check.birth_date.isoformat() if check.birth_date else "",
                )
            if v.get("sex") and check.sex and v["sex"] != check.sex:
                cleaned.error("sex", MSG_SEX_MISMATCH)
    if (
        birth is not None
        and "birth_date" not in already
        and age_on(birth, today) < GUARDIAN_AGE_LIMIT
    ):
        if not v.get("guardian_id") and not v.get("guardian_name"):
            cleaned.error("guardian_name", MSG_MINOR_GUARDIAN)
        if v.get("legal_basis") == LegalBasis.CONSENT:
            cleaned.error("legal_basis", MSG_MINOR_BASIS)
    if (
        v.get("legal_basis") == LegalBasis.GUARDIAN_CONSENT
        and not v.get("guardian_id")
        and not v.get("guardian_name")
        and "guardian_name" not in {e.field for e in cleaned.errors}
    ):
        cleaned.error("guardian_name", MSG_CONSENTING_GUARDIAN)
    consent_on: date | None = v.get("consent_on")
    if birth is not None and consent_on is not None and consent_on < birth:
        cleaned.error("consent_on", MSG_CONSENT_BEFORE_BIRTH)


def _date_the_consent(cleaned: Cleaned, today: date) -> None:
    """A consent is recorded with the day it was given: today, unless a day was typed."""
    v = cleaned.values
    if v.get("legal_basis") in CONSENT_BASES and not v.get("consent_on"):
        v["consent_on"] = today


def clean_membership(values: Mapping[str, Any], today: date) -> Cleaned:
    """A priority-group membership's fields, cleaned and checked (the end not before the
    start). Shared by the resident's page and the roster import."""
    cleaned = Cleaned()
    for spec in MEMBERSHIP_FIELDS:
        clean_field(spec, values.get(spec.key), cleaned, today=today)
    for key in set(values) - {s.key for s in MEMBERSHIP_FIELDS}:
        cleaned.error(key, N_("Unknown field."))
    start, end = cleaned.values.get("start_date"), cleaned.values.get("end_date")
    if start and end and end < start:
        cleaned.error("end_date", MSG_END_BEFORE_START)
    return cleaned


class ResidentService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def bring_search_up_to_date(self) -> int:
        """Re-index the names whose search keys older rules built differently (once after
        an upgrade; derived rows only, so nothing goes to the change log)."""
        with self.ctx.db.write_session() as session:
            return bring_keys_up_to_date(session, self.ctx.keys)

    # ------------------------------------------------------------ writes

    def register(self, values: Mapping[str, Any]) -> uuid.UUID:
        """Register a resident, with the priority groups they belong to and, when asked
        (`household_id` = NEW_HOUSEHOLD), a new household they head: one transaction.
        Raises ValidationError (per field) and writes nothing if anything is wrong."""
        today = self.ctx.today()
        new_household = values.get("household_id") == NEW_HOUSEHOLD
        given = {**values, "household_id": None} if new_household else values
        self.ctx.require(Resource.RESIDENT, Action.CREATE)
        cleaned = clean_form(REGISTRATION_FORM, given, today=today)
        groups: list[str] = cleaned.values.pop("priority_groups", None) or []
        since: date = cleaned.values.pop("groups_since", None) or today
        _date_the_consent(cleaned, today)
        with self.ctx.uow() as uow:
            self._check(uow.session, cleaned, None)
            raise_if_invalid(cleaned)
            details = dict(cleaned.values)
            if new_household:
                details |= _new_household(uow, details)
            resident_id = uow.insert(Resident, {**details, "form_version": RESIDENT_FORM.version})
            uow.insert_many(
                GroupMembership,
                [
                    {"resident_id": resident_id, "group": group, "start_date": since}
                    for group in groups
                ],
            )
            reindex_resident(uow.session, self.ctx.keys, resident_id)
        return resident_id

    def update(
        self,
        resident_id: uuid.UUID,
        values: Mapping[str, Any],
        *,
        based_on: Sequence[str] | None = None,
    ) -> bool:
        """Change some fields (`household_id` = NEW_HOUSEHOLD: a new household, headed by
        this resident). Returns False when nothing changed."""
        new_household = values.get("household_id") == NEW_HOUSEHOLD
        given = {**values, "household_id": None} if new_household else values
        cleaned = clean_form(RESIDENT_FORM, given, today=self.ctx.today(), only_given=True)
        with self.ctx.uow() as uow:
            current = require_record(uow.session, Resident, resident_id, "resident")
            self.ctx.require(Resource.RESIDENT, Action.UPDATE, RecordScope.of(current.station_id))
            if cleaned.values.get("legal_basis") != current.legal_basis:
                _date_the_consent(cleaned, self.ctx.today())  # a consent newly recorded
            merged = Cleaned(
                {**{f: getattr(current, f) for f in RESIDENT_FORM.keys}, **cleaned.values},
                cleaned.errors,
            )
            self._check(uow.session, merged, resident_id)
            raise_if_invalid(merged)
            if new_household:
                cleaned.values |= _new_household(uow, merged.values)
            changed = uow.update(Resident, resident_id, cleaned.values, based_on=based_on)
            if changed is not None:
                reindex_resident(uow.session, self.ctx.keys, resident_id)
        return changed is not None

    def delete(self, resident_id: uuid.UUID, *, based_on: Sequence[str] | None = None) -> None:
        """Tombstone a resident (kept in the log; hidden from lists and search)."""
        with self.ctx.uow() as uow:
            resident = require_record(uow.session, Resident, resident_id, "resident")
            self.ctx.require(Resource.RESIDENT, Action.DELETE, RecordScope.of(resident.station_id))
            uow.tombstone(Resident, resident_id, based_on=based_on)
            reindex_resident(uow.session, self.ctx.keys, resident_id)

    def add_membership(self, resident_id: uuid.UUID, values: Mapping[str, Any]) -> uuid.UUID:
        cleaned = clean_membership(values, self.ctx.today())
        with self.ctx.uow() as uow:
            resident = require_record(uow.session, Resident, resident_id, "resident_id")
            self.ctx.require(Resource.RESIDENT, Action.UPDATE, RecordScope.of(resident.station_id))
            check_after_birth(
                uow.session,
                resident_id,
                cleaned.values.get("start_date"),
                "start_date",
                cleaned.errors,
            )
            raise_if_invalid(cleaned)
            return uow.insert(GroupMembership, {**cleaned.values, "resident_id": resident_id})

    def end_membership(self, membership_id: uuid.UUID, end_date: date | str) -> None:
        """End a membership on `end_date` (a date, or a date as typed: a ValidationError
        names the field when it is not one, as every other call does)."""
        cleaned = clean_form(END_MEMBERSHIP_FORM, {"end_date": end_date}, today=self.ctx.today())
        with self.ctx.uow() as uow:
            membership = require_record(uow.session, GroupMembership, membership_id, "membership")
            self.ctx.require(
                Resource.RESIDENT, Action.UPDATE, RecordScope.of(membership.station_id)
            )
            end = cleaned.values.get("end_date")
            if end is not None and end < membership.start_date:
                cleaned.error("end_date", MSG_END_BEFORE_START)
            raise_if_invalid(cleaned)
            uow.update(GroupMembership, membership_id, {"end_date": end})

    def review_membership(self, membership_id: uuid.UUID, values: Mapping[str, Any]) -> None:
        """The membership was reviewed and stays: its next review date moves on (the log
        keeps who reviewed it and when). Only a current membership can be reviewed."""
        today = self.ctx.today()
        cleaned = clean_form(REVIEW_MEMBERSHIP_FORM, values, today=today)
        next_review = cleaned.values.get("review_on")
        if next_review is not None and next_review <= today:
            cleaned.error("review_on", MSG_REVIEW_NOT_AFTER_TODAY)
        with self.ctx.uow() as uow:
            membership = require_record(uow.session, GroupMembership, membership_id, "membership")
            self.ctx.require(
                Resource.RESIDENT, Action.UPDATE, RecordScope.of(membership.station_id)
            )
            if membership.end_date is not None and membership.end_date < today:
                cleaned.error("review_on", MSG_MEMBERSHIP_ENDED)
            raise_if_invalid(cleaned)
            uow.update(GroupMembership, membership_id, {"review_on": next_review})

    def create_household(
        self, area_id: uuid.UUID | None, household_no: str, address: str
    ) -> uuid.UUID:
        self.ctx.require(Resource.RESIDENT, Action.CREATE)
        cleaned = Cleaned()
        for spec in (
            FieldSpec("household_no", FieldKind.TEXT, N_("Household number"), max_length=40),
            FieldSpec("address", FieldKind.TEXT, N_("Address")),
        ):
            clean_field(
                spec,
                {"household_no": household_no, "address": address}[spec.key],
                cleaned,
                today=self.ctx.today(),
            )
        with self.ctx.uow() as uow:
            check_reference(uow.session, Area, area_id, "area_id", cleaned.errors)
            raise_if_invalid(cleaned)
            return uow.insert(Household, {**cleaned.values, "area_id": area_id})

    # ------------------------------------------------------------ reads

    def households(self, text: str, *, limit: int = 20) -> list[HouseholdView]:
        """This station's households whose number or address holds `text`, or where a
        member of that name lives (searched in every script), head's name first."""
        self.ctx.require(Resource.RESIDENT, Action.READ)
        wanted = normalize_text(text)
        if not wanted:
            return []
        with self.ctx.db.read() as session:
            members = [h.resident_id for h in search_residents(session, wanted, limit=50)]
            by_member = select(Resident.household_id).where(Resident.id.in_(members))
            found = list(
                session.scalars(
                    select(Household)
                    .where(
                        Household.deleted.is_(False),
                        Household.station_id == self.ctx.station_id(),
                        or_(
                            Household.id.in_(by_member),
                            Household.household_no.contains(wanted, autoescape=True),
                            Household.address.contains(wanted, autoescape=True),
                        ),
                    )
                    .order_by(Household.household_no)
                    .limit(limit)
                )
            )
            return [self._household_view(session, household) for household in found]

    def household(self, household_id: uuid.UUID) -> HouseholdView | None:
        with self.ctx.db.read() as session:
            household = load(session, Household, household_id)
            if household is not None:
                self.ctx.require(
                    Resource.RESIDENT, Action.READ, RecordScope.of(household.station_id)
                )
            return self._household_view(session, household) if household else None

    @staticmethod
    def _household_view(session: Session, household: Household) -> HouseholdView:
        head = session.execute(
            select(Resident.name_bo, Resident.name_zh)
            .where(
                Resident.household_id == household.id,
                Resident.deleted.is_(False),
                Resident.household_relation == HouseholdRelation.HEAD.value,
            )
            .limit(1)
        ).first()
        return HouseholdView(
            household.id,
            household.household_no,
            household.address,
            head[0] if head else "",
            head[1] if head else "",
        )

    def get(self, resident_id: uuid.UUID) -> ResidentView | None:
        """The resident's details, the ID card number masked (`for_editing`,
        `reveal_id_number`: whole)."""
        with self.ctx.db.read() as session:
            resident = load(session, Resident, resident_id)
            if resident is None:
                return None
            self.ctx.require(Resource.RESIDENT, Action.READ, RecordScope.of(resident.station_id))
            masked = mask_id_number(resident.id_number) if resident.id_number else None
            return plain(ResidentView, resident, id_number=masked)

    def for_editing(self, resident_id: uuid.UUID) -> ResidentView | None:
        """The details with the whole ID card number, for the form that changes them:
        showing it is a reveal (recorded), so the role must be allowed to change the
        resident and to reveal."""
        with self.ctx.db.write_session() as session:
            resident = load(session, Resident, resident_id)
            if resident is None:
                return None
            scope = RecordScope.of(resident.station_id)
            self.ctx.require(Resource.RESIDENT, Action.UPDATE, scope)
            if resident.id_number:
                self._reveal(session, resident, scope)
            return plain(ResidentView, resident)

    def reveal_id_number(self, resident_id: uuid.UUID) -> str | None:
        """The whole ID card number of one resident, for a role that may reveal it; the
        reveal is recorded in the audit trail (who, whose, when: never the number)."""
        with self.ctx.db.write_session() as session:
            resident = load(session, Resident, resident_id)
            if resident is None:
                raise NotFound(kind=Label(N_("resident")), record_id=str(resident_id))
            scope = RecordScope.of(resident.station_id)
            self.ctx.require(Resource.RESIDENT, Action.READ, scope)
            if not resident.id_number:
                return None
            self._reveal(session, resident, scope)
            return resident.id_number

    def _reveal(self, session: Session, resident: Resident, scope: RecordScope) -> None:
        self.ctx.require(Resource.ID_NUMBER, Action.REVEAL, scope)
        record_event(
            session,
            actor_id=self.ctx.actor.staff_id,
            action="reveal_id",
            entity="resident",
            entity_id=str(resident.id),
            fields=("id_number",),
        )

    def memberships(self, resident_id: uuid.UUID) -> list[GroupMembership]:
        self.ctx.require(Resource.RESIDENT, Action.READ)
        with self.ctx.db.read() as session:
            rows = list(
                session.scalars(
                    select(GroupMembership)
                    .where(
                        GroupMembership.resident_id == resident_id,
                        GroupMembership.deleted.is_(False),
                    )
                    .order_by(GroupMembership.start_date)
                )
            )
            return detached(session, rows)

    def search(self, query: str, *, limit: int = 50) -> list[Resident]:
        """Residents matching `query` in any script, best match first."""
        self.ctx.require(Resource.RESIDENT, Action.READ)
        shown = visible(self.ctx.actor, Resource.RESIDENT)
        with self.ctx.db.read() as session:
            # The role's station is searched, not filtered after: the best hits of other
            # stations would otherwise take the places of the limit and leave nothing.
            hits = search_residents(
                session,
                query,
                limit=limit,
                station_ids=[shown.station_id]
                if shown is not None and shown.station_id is not None
                else None,
            )
            if not hits:
                return []
            by_id = {
                r.id: r
                for r in session.scalars(
                    select(Resident).where(
                        Resident.id.in_([h.resident_id for h in hits]),
                        *scope_conditions(
                            visible(self.ctx.actor, Resource.RESIDENT), Resident, session
                        ),
                    )
                )
            }
            ordered = [by_id[h.resident_id] for h in hits if h.resident_id in by_id]
            return detached(session, ordered)

    # ------------------------------------------------------------ rules

    def _check(self, session: Session, cleaned: Cleaned, resident_id: uuid.UUID | None) -> None:
        """Rules across fields and records; adds field errors to `cleaned`."""
        v = cleaned.values
        already = {e.field for e in cleaned.errors}
        check_resident_rules(cleaned, self.ctx.today())
        id_number = v.get("id_number")
        if id_number and "id_number" not in already:
            duplicate = session.scalars(
                select(Resident.id).where(
                    Resident.id_number == id_number,
                    Resident.deleted.is_(False),
                    Resident.id != resident_id if resident_id else true(),
                )
            ).first()
            if duplicate is not None:
                cleaned.error("id_number", MSG_DUPLICATE_ID)
        if resident_id is not None and v.get("guardian_id") == resident_id:
            cleaned.error("guardian_id", MSG_OWN_GUARDIAN)
        check_reference(session, Resident, v.get("guardian_id"), "guardian_id", cleaned.errors)
        check_reference(session, Area, v.get("area_id"), "area_id", cleaned.errors)
        check_reference(session, Household, v.get("household_id"), "household_id", cleaned.errors)
