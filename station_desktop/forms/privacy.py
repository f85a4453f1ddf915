"""What this laptop holds about one person (PA-01): the answer to a PIPL access request
(art. 45), printed in both languages. The person's details as registered (with the full ID
card number: it is their own), how many records of each kind name them, then the filled
form of every record."""

from __future__ import annotations

from station_desktop.forms.resident import RESIDENT_FORM
from station_desktop.forms.spec import FieldKind, FieldSpec, FormSpec, SectionSpec
from station_desktop.i18n import N_

# The kinds of record counted, in the order they are printed: (key, label).
HELD_KINDS: tuple[tuple[str, str], ...] = (
    ("group_membership", N_("Priority-group memberships")),
    ("home_visit", N_("Home visits")),
    ("feedback_sheet", N_("Satisfaction feedback sheets")),
    ("case_record", N_("Cases")),
    ("case_note", N_("Progress notes")),
    ("resource_handout", N_("Hand-outs received")),
    ("attendance", N_("Activities attended")),
    ("guardian_of", N_("Registered residents they are guardian of")),
    ("withdrawn", N_("Withdrawn records still held")),
    ("change_log", N_("Entries in the change log")),
    ("erasure", N_("Values erased")),
)

ACCESS_FORM = FormSpec(
    code="PA-01",
    version=1,
    title=N_("What this laptop holds about this person"),
    record_kind="resident",
    sections=(
        *RESIDENT_FORM.sections,
        SectionSpec(
            "held",
            N_("Records held on this laptop"),
            tuple(FieldSpec(key, FieldKind.INTEGER, label) for key, label in HELD_KINDS),
        ),
        SectionSpec(
            "activities",
            N_("Activities attended"),
            (FieldSpec("activities", FieldKind.MULTILINE, N_("Activities attended")),),
        ),
    ),
)
