"""Code lists. The database stores the code (the enum value); people see the label.

Labels are English message ids marked with `N_`, translated in the reader's language.
Adding a code is safe; renaming or removing one needs a migration of stored data.
"""

from __future__ import annotations

import functools
from enum import StrEnum
from typing import Self

from station_desktop.i18n import N_


class Code(StrEnum):
    """A StrEnum whose members also carry an untranslated label."""

    label: str

    def __new__(cls, value: str, label: str) -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def parse(cls, value: str) -> Self:
        """The member with this stored code (ValueError if unknown)."""
        return cls(value)  # type: ignore[call-arg]  # enum lookup, not the __new__ above

    @classmethod
    def codes(cls) -> tuple[str, ...]:
        return _codes_of(cls)


@functools.cache
def _codes_of(code_list: type[Code]) -> tuple[str, ...]:
    """A code list's codes, listed once (validation asks for them for every value)."""
    return tuple(member.value for member in code_list)


class Sex(Code):
    MALE = "male", N_("Male")
    FEMALE = "female", N_("Female")


class Ethnicity(Code):
    """GB/T 3304 nationality codes, limited to those met in Lhasa, plus 'other'."""

    HAN = "01", N_("Han")
    HUI = "03", N_("Hui")
    TIBETAN = "04", N_("Tibetan")
    MONBA = "54", N_("Monba")
    LHOBA = "55", N_("Lhoba")
    OTHER = "97", N_("Other ethnic group")


class PriorityGroup(Code):
    """The five priority groups the stations serve first."""

    TEKUN = "tekun", N_("Destitute person under state support")
    DIBAO = "dibao", N_("Minimum living allowance recipient")
    ELDERLY_ALONE = "elderly_alone", N_("Elderly person living alone in hardship")
    LEFT_BEHIND_CHILD = "left_behind_child", N_("Left-behind child in hardship")
    DISABILITY = "disability", N_("Person with disabilities")


class LegalBasis(Code):
    """Why the station may hold this person's data (PIPL)."""

    CONSENT = "consent", N_("Consent of the person")
    GUARDIAN_CONSENT = "guardian_consent", N_("Consent of the guardian")
    STATUTORY_DUTY = "statutory_duty", N_("Statutory civil-affairs duty")


class HouseholdRelation(Code):
    HEAD = "head", N_("Head of household")
    SPOUSE = "spouse", N_("Spouse")
    CHILD = "child", N_("Child")
    PARENT = "parent", N_("Parent")
    GRANDCHILD = "grandchild", N_("Grandchild")
    GRANDPARENT = "grandparent", N_("Grandparent")
    SIBLING = "sibling", N_("Brother or sister")
    OTHER = "other", N_("Other relative")


class AreaKind(Code):
    VILLAGE = "village", N_("Village")
    COMMUNITY = "community", N_("Community")


class StationKind(Code):
    TOWNSHIP = "township", N_("Township")
    TOWN = "town", N_("Town")
    STREET_OFFICE = "street_office", N_("Street office")


class ServiceArea(Code):
    SOCIAL_ASSISTANCE = "social_assistance", N_("Social assistance")
    ELDERLY_CARE = "elderly_care", N_("Elderly care")
    CHILD_WELFARE = "child_welfare", N_("Child welfare")
    COMMUNITY_GOVERNANCE = "community_governance", N_("Community governance")
    SOCIAL_AFFAIRS = "social_affairs", N_("Social affairs")


class ServiceType(Code):
    POLICY_CONSULTATION = "policy_consultation", N_("Policy consultation")
    INVESTIGATION = "investigation", N_("Investigation and assessment")
    VISIT_CHECKIN = "visit_checkin", N_("Visit and check-in")
    PSYCHOLOGICAL_SUPPORT = "psychological_support", N_("Psychological support")
    MEDIATION = "mediation", N_("Relationship mediation")
    SOCIAL_INTEGRATION = "social_integration", N_("Social integration")
    RESOURCE_LINKAGE = "resource_linkage", N_("Linking resources")


class VisitOutcome(Code):
    AT_HOME = "at_home", N_("At home")
    NOBODY_HOME = "nobody_home", N_("Nobody home")
    VACANT = "vacant", N_("Dwelling vacant")
    REFUSED = "refused", N_("Visit refused")


class VisitPurpose(Code):
    ROUTINE = "routine", N_("Routine visit")
    FOLLOW_UP = "follow_up", N_("Follow-up")
    NEEDS_ASSESSMENT = "needs_assessment", N_("Needs assessment")
    POLICY_OUTREACH = "policy_outreach", N_("Policy outreach")
    CASE_WORK = "case_work", N_("Case work")
    EMERGENCY = "emergency", N_("Emergency")


class CaseStage(Code):
    """Stages of the civil-affairs case-work standard."""

    INTAKE = "intake", N_("Intake")
    ASSESSMENT = "assessment", N_("Assessment")
    PLANNING = "planning", N_("Planning")
    INTERVENTION = "intervention", N_("Intervention")
    EVALUATION = "evaluation", N_("Evaluation")
    CLOSED = "closed", N_("Closed")


class CaseSource(Code):
    SELF = "self", N_("Came to the station")
    HOME_VISIT = "home_visit", N_("Found on a home visit")
    COMMUNITY = "community", N_("Reported by village or community")
    REFERRAL_IN = "referral_in", N_("Referred by another agency")
    OTHER = "other", N_("Other source")


class ClosingReason(Code):
    GOALS_MET = "goals_met", N_("Goals met")
    REFERRED_OUT = "referred_out", N_("Referred to another agency")
    CLIENT_WITHDREW = "client_withdrew", N_("Client withdrew")
    MOVED_AWAY = "moved_away", N_("Moved away")
    DECEASED = "deceased", N_("Deceased")
    NO_LONGER_ELIGIBLE = "no_longer_eligible", N_("No longer eligible")
    LOST_CONTACT = "lost_contact", N_("Lost contact")
    OTHER = "other", N_("Other reason")


class FeedbackDimension(Code):
    """The questions of the service satisfaction feedback sheet (form version 1)."""

    ATTITUDE = "attitude", N_("Attitude of the staff")
    TIMELINESS = "timeliness", N_("Timeliness of the service")
    PROFESSIONALISM = "professionalism", N_("Professional skill")
    # Each line is rated on the satisfaction scale, so each names what is rated, never a
    # yes/no question ("Could you talk in your own language?" cannot be "very satisfied").
    EFFECTIVENESS = "effectiveness", N_("How much the service helped you")
    LANGUAGE = "language", N_("Being served in your own language")
    OVERALL = "overall", N_("Overall satisfaction")


class Satisfaction(Code):
    """Ratings are stored as these digit codes so that means can be computed."""

    VERY_DISSATISFIED = "1", N_("Very dissatisfied")
    DISSATISFIED = "2", N_("Dissatisfied")
    NEUTRAL = "3", N_("Neutral")
    SATISFIED = "4", N_("Satisfied")
    VERY_SATISFIED = "5", N_("Very satisfied")


class ActivityKind(Code):
    GROUP_WORK = "group_work", N_("Group work session")
    COMMUNITY_ACTIVITY = "community_activity", N_("Community activity")
    POLICY_PUBLICITY = "policy_publicity", N_("Policy publicity")
    VOLUNTEER_SERVICE = "volunteer_service", N_("Volunteer service")
    TRAINING = "training", N_("Training")


class ResourceKind(Code):
    GOODS = "goods", N_("Goods")
    CASH = "cash", N_("Cash")
    SERVICE = "service", N_("Donated service")
    OTHER = "other", N_("Other resource")


class DonorType(Code):
    GOVERNMENT = "government", N_("Government")
    ENTERPRISE = "enterprise", N_("Enterprise")
    SOCIAL_ORGANIZATION = "social_organization", N_("Social organisation")
    INDIVIDUAL = "individual", N_("Individual")
    COMMUNITY = "community", N_("Village or community")
    OTHER = "other", N_("Other donor")


class StaffRole(Code):
    SOCIAL_WORKER = "social_worker", N_("Social worker")
    STATION_HEAD = "station_head", N_("Station head")
    BUREAU_ADMIN = "bureau_admin", N_("Bureau administrator")
    AUDITOR = "auditor", N_("Auditor")
