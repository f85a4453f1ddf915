"""Case service record (CS-01) and the progress-note and stage-change sub-forms."""

from __future__ import annotations

from station_desktop.domain.codes import CaseSource, CaseStage, ClosingReason, ServiceArea
from station_desktop.forms.spec import FieldKind, FieldSpec, FormSpec, SectionSpec
from station_desktop.i18n import N_

CASE_FORM = FormSpec(
    code="CS-01",
    version=1,
    title=N_("Case service record"),
    record_kind="case",
    sections=(
        SectionSpec(
            "intake",
            N_("Intake"),
            (
                FieldSpec("resident_id", FieldKind.RESIDENT, N_("Client"), required=True),
                FieldSpec(
                    "opened_on", FieldKind.DATE, N_("Date opened"), required=True, not_future=True
                ),
                FieldSpec("worker_id", FieldKind.STAFF, N_("Responsible social worker")),
                FieldSpec(
                    "source",
                    FieldKind.CODE,
                    N_("How the case came"),
                    codes=CaseSource,
                    required=True,
                ),
                FieldSpec("service_area", FieldKind.CODE, N_("Service area"), codes=ServiceArea),
                FieldSpec(
                    "presenting_problem",
                    FieldKind.MULTILINE,
                    N_("Presenting problem"),
                    required=True,
                    paper_lines=5,
                ),
            ),
        ),
        SectionSpec(
            "assessment_plan",
            N_("Assessment and plan"),
            (
                FieldSpec("assessment", FieldKind.MULTILINE, N_("Assessment"), paper_lines=6),
                FieldSpec("goals", FieldKind.MULTILINE, N_("Goals"), paper_lines=4),
                FieldSpec("plan", FieldKind.MULTILINE, N_("Service plan"), paper_lines=6),
            ),
        ),
        SectionSpec(
            "referral",
            N_("Referral"),
            (
                FieldSpec("referral_to", FieldKind.TEXT, N_("Referred to")),
                FieldSpec("referral_on", FieldKind.DATE, N_("Date referred"), not_future=True),
                FieldSpec(
                    "referral_note", FieldKind.MULTILINE, N_("Referral details"), paper_lines=3
                ),
            ),
        ),
    ),
)

STAGE_CHANGE_FORM = FormSpec(
    code="CS-01-STAGE",
    version=1,
    title=N_("Change of case stage"),
    record_kind="case_stage_change",
    sections=(
        SectionSpec(
            "stage",
            N_("Stage"),
            (
                FieldSpec(
                    "to_stage", FieldKind.CODE, N_("New stage"), codes=CaseStage, required=True
                ),
                FieldSpec("changed_on", FieldKind.DATE, N_("Date"), required=True, not_future=True),
                FieldSpec(
                    "closing_reason", FieldKind.CODE, N_("Reason for closing"), codes=ClosingReason
                ),
                FieldSpec("note", FieldKind.MULTILINE, N_("Note"), paper_lines=3),
            ),
        ),
    ),
)

CASE_NOTE_FORM = FormSpec(
    code="CS-01-NOTE",
    version=1,
    title=N_("Progress note"),
    record_kind="case_note",
    sections=(
        SectionSpec(
            "note",
            N_("Progress note"),
            (
                FieldSpec("written_on", FieldKind.DATE, N_("Date"), required=True, not_future=True),
                FieldSpec(
                    "body", FieldKind.MULTILINE, N_("Progress note"), required=True, paper_lines=6
                ),
            ),
        ),
    ),
)
