"""Resources received (RR-01) and handed out (RH-01)."""

from __future__ import annotations

from station_desktop.domain.codes import DonorType, ResourceKind
from station_desktop.forms.spec import FieldKind, FieldSpec, FormSpec, SectionSpec
from station_desktop.i18n import N_

MAX_QUANTITY = 1_000_000
MAX_UNIT_VALUE_YUAN = 10_000_000

# What was given: the same questions on both forms, so figures add up across them.
ITEM_FIELDS = (
    FieldSpec("kind", FieldKind.CODE, N_("Kind of resource"), codes=ResourceKind, required=True),
    FieldSpec("item", FieldKind.TEXT, N_("Item"), required=True),
    FieldSpec(
        "quantity",
        FieldKind.INTEGER,
        N_("Quantity"),
        required=True,
        min_value=1,
        max_value=MAX_QUANTITY,
    ),
    FieldSpec("unit", FieldKind.TEXT, N_("Unit"), max_length=40),
    FieldSpec(
        "unit_value",
        FieldKind.MONEY,
        N_("Value of one unit (yuan)"),
        max_value=MAX_UNIT_VALUE_YUAN,
        default=0,
    ),
)
NOTE_FIELD = FieldSpec("note", FieldKind.MULTILINE, N_("Note"), paper_lines=2)

RECEIPT_FORM = FormSpec(
    code="RR-01",
    version=1,
    title=N_("Resources received"),
    record_kind="resource_receipt",
    sections=(
        SectionSpec(
            "receipt",
            N_("Resources received"),
            (
                FieldSpec(
                    "received_on",
                    FieldKind.DATE,
                    N_("Date received"),
                    required=True,
                    not_future=True,
                ),
                FieldSpec("donor_name", FieldKind.TEXT, N_("Donor"), required=True),
                FieldSpec(
                    "donor_type",
                    FieldKind.CODE,
                    N_("Kind of donor"),
                    codes=DonorType,
                    required=True,
                ),
                *ITEM_FIELDS,
                NOTE_FIELD,
            ),
        ),
    ),
)

HANDOUT_FORM = FormSpec(
    code="RH-01",
    version=1,
    title=N_("Resource hand-out receipt"),
    record_kind="resource_handout",
    sections=(
        SectionSpec(
            "handout",
            N_("Handed out"),
            (
                FieldSpec("resident_id", FieldKind.RESIDENT, N_("Received by"), required=True),
                FieldSpec(
                    "handed_on",
                    FieldKind.DATE,
                    N_("Date handed out"),
                    required=True,
                    not_future=True,
                ),
                FieldSpec(
                    "receipt_id", FieldKind.REFERENCE, N_("From donation"), ref="resource_receipt"
                ),
                *ITEM_FIELDS,
                FieldSpec("handed_by_id", FieldKind.STAFF, N_("Handed out by")),
                NOTE_FIELD,
            ),
        ),
    ),
)
