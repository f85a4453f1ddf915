"""Home-visit record (HV-01)."""

from __future__ import annotations

from station_desktop.domain.codes import ServiceType, VisitOutcome, VisitPurpose
from station_desktop.forms.spec import FieldKind, FieldSpec, FormSpec, SectionSpec
from station_desktop.i18n import N_

VISIT_FORM = FormSpec(
    code="HV-01",
    version=1,
    title=N_("Home visit record"),
    record_kind="visit",
    sections=(
        SectionSpec(
            "visit",
            N_("The visit"),
            (
                FieldSpec("resident_id", FieldKind.RESIDENT, N_("Resident visited"), required=True),
                FieldSpec(
                    "visit_date",
                    FieldKind.DATE,
                    N_("Date of visit"),
                    required=True,
                    not_future=True,
                ),
                FieldSpec(
                    "visitor_ids",
                    FieldKind.STAFF_LIST,
                    N_("Visitors"),
                    required=True,
                    help=N_("Visits are usually made in pairs: one talks, one records."),
                ),
                FieldSpec("companions", FieldKind.TEXT, N_("Also present")),
                FieldSpec(
                    "outcome", FieldKind.CODE, N_("Outcome"), codes=VisitOutcome, required=True
                ),
                FieldSpec(
                    "purpose",
                    FieldKind.CODE,
                    N_("Purpose of visit"),
                    codes=VisitPurpose,
                    required=True,
                ),
            ),
        ),
        SectionSpec(
            "findings",
            N_("What was found"),
            (
                FieldSpec("situation", FieldKind.MULTILINE, N_("Situation found"), paper_lines=5),
                FieldSpec("needs", FieldKind.MULTILINE, N_("Needs identified"), paper_lines=4),
                FieldSpec("services", FieldKind.CODES, N_("Services given"), codes=ServiceType),
                FieldSpec(
                    "services_note",
                    FieldKind.MULTILINE,
                    N_("Services given, details"),
                    paper_lines=3,
                ),
            ),
        ),
        SectionSpec(
            "follow_up",
            N_("Follow-up"),
            (
                FieldSpec("follow_up", FieldKind.MULTILINE, N_("Follow-up actions"), paper_lines=3),
                FieldSpec("next_visit_on", FieldKind.DATE, N_("Next visit date")),
            ),
        ),
    ),
)

# Not a paper form: what the reader chooses when printing a visit pack from the window
# (the command line takes the same choices as --village, --from and --to).
VISIT_PACK_FORM = FormSpec(
    code="HV-PACK",
    version=1,
    title=N_("Visit pack"),
    sections=(
        SectionSpec(
            "pack",
            N_("Pre-filled visit forms for everyone due for a visit"),
            (
                FieldSpec(
                    "area_id",
                    FieldKind.REFERENCE,
                    N_("Village or community"),
                    ref="area",
                    required=True,
                ),
                FieldSpec("start", FieldKind.DATE, N_("Due from"), required=True),
                FieldSpec("end", FieldKind.DATE, N_("Due until"), required=True),
            ),
        ),
    ),
)
