"""Service satisfaction feedback sheet (SF-01), often filled on paper by the resident."""

from __future__ import annotations

from station_desktop.domain.codes import FeedbackDimension, Satisfaction, ServiceArea, ServiceType
from station_desktop.forms.spec import FieldKind, FieldSpec, FormSpec, SectionSpec
from station_desktop.i18n import N_

RATING_PREFIX = "rating_"


def rating_key(dimension: FeedbackDimension) -> str:
    return f"{RATING_PREFIX}{dimension.value}"


FEEDBACK_FORM = FormSpec(
    code="SF-01",
    version=1,
    title=N_("Service satisfaction feedback sheet"),
    record_kind="feedback",
    sections=(
        SectionSpec(
            "service",
            N_("The service"),
            (
                FieldSpec("sheet_no", FieldKind.TEXT, N_("Sheet number"), max_length=40),
                FieldSpec(
                    "service_area",
                    FieldKind.CODE,
                    N_("Service area"),
                    codes=ServiceArea,
                    required=True,
                ),
                FieldSpec(
                    "service_type", FieldKind.CODE, N_("Service received"), codes=ServiceType
                ),
                FieldSpec(
                    "service_date",
                    FieldKind.DATE,
                    N_("Date of service"),
                    required=True,
                    not_future=True,
                ),
                FieldSpec(
                    "collected_on",
                    FieldKind.DATE,
                    N_("Date collected"),
                    required=True,
                    not_future=True,
                ),
                FieldSpec("collected_by_id", FieldKind.STAFF, N_("Collected by")),
                FieldSpec("resident_id", FieldKind.RESIDENT, N_("Respondent (may stay anonymous)")),
            ),
        ),
        SectionSpec(
            "ratings",
            N_("How satisfied are you?"),
            tuple(
                FieldSpec(rating_key(d), FieldKind.RATING, d.label, codes=Satisfaction)
                for d in FeedbackDimension
            ),
        ),
        SectionSpec(
            "comments",
            N_("Your words"),
            (
                FieldSpec(
                    "comments", FieldKind.MULTILINE, N_("Comments and suggestions"), paper_lines=5
                ),
            ),
        ),
    ),
)
