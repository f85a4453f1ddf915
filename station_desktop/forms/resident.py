"""Resident registration form (RES-01)."""

from __future__ import annotations

import dataclasses

from station_desktop.domain.codes import (
    Ethnicity,
    HouseholdRelation,
    LegalBasis,
    PriorityGroup,
    Sex,
)
from station_desktop.forms.spec import FieldKind, FieldSpec, FormSpec, SectionSpec
from station_desktop.i18n import N_

NAME_MAX = 100
# PIPL art. 31: a child under this age (in whole years, on the Lhasa date) is registered
# on the guardian's consent or a statutory duty, never on their own consent.
GUARDIAN_AGE_LIMIT = 14
CONSENT_BASES = frozenset({LegalBasis.CONSENT.value, LegalBasis.GUARDIAN_CONSENT.value})
MSG_BASIS_HELP = N_(
    "A child under 14: the guardian's consent or a statutory duty, with the guardian named."
)
MSG_GUARDIAN_HELP = N_("Required for a child under 14 and for a guardian's consent.")
# The household field's value for "a new household, with this resident at its head".
NEW_HOUSEHOLD = "new"

RESIDENT_FORM = FormSpec(
    code="RES-01",
    version=1,
    title=N_("Resident registration"),
    record_kind="resident",
    sections=(
        SectionSpec(
            "identity",
            N_("Identity"),
            (
                FieldSpec(
                    "name_bo",
                    FieldKind.TEXT,
                    N_("Name in Tibetan"),
                    max_length=NAME_MAX,
                    help=N_("Give the name in Tibetan, in Chinese, or both."),
                ),
                FieldSpec("name_zh", FieldKind.TEXT, N_("Name in Chinese"), max_length=NAME_MAX),
                FieldSpec("sex", FieldKind.CODE, N_("Sex"), codes=Sex),
                FieldSpec("ethnicity", FieldKind.CODE, N_("Ethnic group"), codes=Ethnicity),
                FieldSpec("birth_date", FieldKind.DATE, N_("Date of birth"), not_future=True),
                FieldSpec(
                    "id_number",
                    FieldKind.ID_NUMBER,
                    N_("ID card number"),
                    help=N_("Optional. Checked for typing errors."),
                ),
                FieldSpec("phone", FieldKind.PHONE, N_("Phone")),
            ),
        ),
        SectionSpec(
            "residence",
            N_("Residence"),
            (
                FieldSpec("area_id", FieldKind.REFERENCE, N_("Village or community"), ref="area"),
                FieldSpec("household_id", FieldKind.REFERENCE, N_("Household"), ref="household"),
                FieldSpec(
                    "household_relation",
                    FieldKind.CODE,
                    N_("Relation to household head"),
                    codes=HouseholdRelation,
                ),
                FieldSpec("address", FieldKind.TEXT, N_("Address"), paper_lines=2),
            ),
        ),
        SectionSpec(
            "consent",
            N_("Consent and guardian"),
            (
                FieldSpec(
                    "legal_basis",
                    FieldKind.CODE,
                    N_("Basis for keeping this record"),
                    codes=LegalBasis,
                    required=True,
                    help=MSG_BASIS_HELP,
                ),
                FieldSpec(
                    "consent_on",
                    FieldKind.DATE,
                    N_("Consent given on"),
                    not_future=True,
                    help=N_("For a consent. Left empty: today."),
                ),
                FieldSpec("consent_note", FieldKind.MULTILINE, N_("Consent note"), paper_lines=2),
                FieldSpec(
                    "guardian_id",
                    FieldKind.RESIDENT,
                    N_("Guardian (if registered)"),
                    help=MSG_GUARDIAN_HELP,
                ),
                FieldSpec(
                    "guardian_name",
                    FieldKind.TEXT,
                    N_("Guardian's name"),
                    max_length=NAME_MAX,
                    help=MSG_GUARDIAN_HELP,
                ),
                FieldSpec("guardian_phone", FieldKind.PHONE, N_("Guardian's phone")),
                FieldSpec(
                    "guardian_relation",
                    FieldKind.CODE,
                    N_("Guardian's relation"),
                    codes=HouseholdRelation,
                ),
                FieldSpec("notes", FieldKind.MULTILINE, N_("Notes"), paper_lines=3),
            ),
        ),
    ),
)


MEMBERSHIP_FIELDS = (
    FieldSpec("group", FieldKind.CODE, N_("Priority group"), codes=PriorityGroup, required=True),
    FieldSpec("start_date", FieldKind.DATE, N_("Member since"), required=True, not_future=True),
    FieldSpec("end_date", FieldKind.DATE, N_("Member until")),
    FieldSpec("review_on", FieldKind.DATE, N_("Review on")),
    FieldSpec("certificate_no", FieldKind.TEXT, N_("Certificate number"), max_length=40),
    FieldSpec("note", FieldKind.MULTILINE, N_("Note")),
)

# Screen only (the resident's page): membership in a priority group, and its end.
MEMBERSHIP_FORM = FormSpec(
    code="GM-01",
    version=1,
    title=N_("Priority-group membership"),
    record_kind="group_membership",
    sections=(SectionSpec("membership", N_("Priority-group membership"), MEMBERSHIP_FIELDS),),
)
END_MEMBERSHIP_FORM = FormSpec(
    code="GM-END",
    version=1,
    title=N_("End a priority-group membership"),
    record_kind="group_membership",
    sections=(
        SectionSpec(
            "end",
            N_("End a priority-group membership"),
            (FieldSpec("end_date", FieldKind.DATE, N_("Member until"), required=True),),
        ),
    ),
)

# Screen only: a membership reviewed and kept, with the date of its next review.
REVIEW_MEMBERSHIP_FORM = FormSpec(
    code="GM-REV",
    version=1,
    title=N_("Priority-group membership reviewed"),
    record_kind="group_membership",
    sections=(
        SectionSpec(
            "review",
            N_("Reviewed: the membership stays"),
            (FieldSpec("review_on", FieldKind.DATE, N_("Next review on"), required=True),),
        ),
    ),
)

# Registration: the details, the household chosen or started, and at once the priority
# groups the person belongs to (a membership each, from the date given, else today).
GROUPS_SECTION = SectionSpec(
    "groups",
    N_("Priority groups"),
    (
        FieldSpec("priority_groups", FieldKind.CODES, N_("Priority groups"), codes=PriorityGroup),
        FieldSpec(
            "groups_since",
            FieldKind.DATE,
            N_("Member since"),
            not_future=True,
            help=N_("Left empty: today."),
        ),
    ),
)
REGISTRATION_FORM = dataclasses.replace(
    RESIDENT_FORM,
    sections=(RESIDENT_FORM.sections[0], GROUPS_SECTION, *RESIDENT_FORM.sections[1:]),
)
