"""How long personal values are kept, per record kind (PIPL art. 19: no longer than the
purpose needs), and which values a purge removes.

A purge empties the personal values of a record (names, numbers, free text) and keeps its
codes, dates and counts, so the figures of past periods stay what they were reported as.
The periods are the station's policy, in one place; the bureau may change them here.
"""

from __future__ import annotations

from dataclasses import dataclass

from station_desktop.i18n import N_

REASON_RETENTION = "retention"
REASON_WITHDRAWN_ID = "withdrawn_id"


@dataclass(frozen=True)
class RetentionRule:
    entity: str  # the table
    kind: str  # message id: the record kind, as the confirmation lists it
    years: int
    counted_from: str  # message id: the date the period runs from
    fields: tuple[str, ...]  # the personal values the purge empties


RESIDENT_RULE = RetentionRule(
    "resident",
    N_("Resident"),
    5,
    N_("the last service, visit or change, with no open case or current group"),
    (
        "name_bo",
        "name_zh",
        "birth_date",
        "id_number",
        "phone",
        "address",
        "consent_note",
        "guardian_id",
        "guardian_name",
        "guardian_phone",
        "notes",
    ),
)

SCHEDULE: tuple[RetentionRule, ...] = (
    RESIDENT_RULE,
    RetentionRule(
        "home_visit",
        N_("Home visit"),
        5,
        N_("the day of the visit"),
        ("companions", "situation", "needs", "services_note", "follow_up"),
    ),
    RetentionRule(
        "case_record",
        N_("Case"),
        10,
        N_("the day the case was closed"),
        (
            "presenting_problem",
            "assessment",
            "goals",
            "plan",
            "closing_note",
            "referral_to",
            "referral_note",
        ),
    ),
    RetentionRule(
        "case_note", N_("Progress note"), 10, N_("the day the case was closed"), ("body",)
    ),
    RetentionRule(
        "case_stage_change", N_("Stage change"), 10, N_("the day the case was closed"), ("note",)
    ),
    RetentionRule(
        "feedback_sheet",
        N_("Satisfaction feedback sheet"),
        3,
        N_("the day of the service"),
        ("comments",),
    ),
    RetentionRule("resource_handout", N_("Hand-out"), 5, N_("the day of the hand-out"), ("note",)),
    RetentionRule(
        "group_membership",
        N_("Priority-group membership"),
        5,
        N_("the end of the membership"),
        ("certificate_no", "note"),
    ),
)

RULES = {rule.entity: rule for rule in SCHEDULE}
