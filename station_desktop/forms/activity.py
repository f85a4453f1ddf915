"""Group work and community activity record with attendance (AC-01)."""

from __future__ import annotations

from station_desktop.domain.codes import ActivityKind, PriorityGroup, ServiceArea
from station_desktop.forms.spec import FieldKind, FieldSpec, FormSpec, SectionSpec
from station_desktop.i18n import N_

ACTIVITY_FORM = FormSpec(
    code="AC-01",
    version=1,
    title=N_("Activity record and sign-in sheet"),
    record_kind="activity",
    sections=(
        SectionSpec(
            "activity",
            N_("The activity"),
            (
                FieldSpec(
                    "kind",
                    FieldKind.CODE,
                    N_("Kind of activity"),
                    codes=ActivityKind,
                    required=True,
                ),
                FieldSpec("title", FieldKind.TEXT, N_("Title"), required=True),
                FieldSpec(
                    "held_on", FieldKind.DATE, N_("Date held"), required=True, not_future=True
                ),
                FieldSpec("place", FieldKind.TEXT, N_("Place")),
                FieldSpec("service_area", FieldKind.CODE, N_("Service area"), codes=ServiceArea),
                FieldSpec("description", FieldKind.MULTILINE, N_("Description"), paper_lines=4),
                FieldSpec(
                    "headcount_other",
                    FieldKind.INTEGER,
                    N_("Other participants (head count)"),
                    min_value=0,
                    max_value=100_000,
                    default=0,
                ),
            ),
        ),
    ),
)

# A sign-in list printed with the names of the people expected, each with a box to tick
# when they come (read back from scans). Its rows are the residents of a `SignInList`, in
# the order printed; it has no fields of its own.
SIGN_IN_FORM = FormSpec(
    code="AC-02",
    version=1,
    title=N_("Sign-in list to tick"),
    record_kind="attendance",
    sections=(),
)

# The choice of names a sign-in list is printed with, from the window (the activity's page):
# the residents of a village or community, of one priority group if one is chosen (the
# same list as `station-desktop print sign-in --village CODE [--group CODE]`).
SIGN_IN_PRINT_FORM = FormSpec(
    code="AC-02-PRINT",
    version=1,
    title=N_("Print sign-in list"),
    sections=(
        SectionSpec(
            "names",
            N_("The names printed on the list, each with a box to tick"),
            (
                FieldSpec(
                    "area_id",
                    FieldKind.REFERENCE,
                    N_("Village or community"),
                    ref="area",
                    required=True,
                ),
                FieldSpec(
                    "group",
                    FieldKind.CODE,
                    N_("Priority group (none: everyone)"),
                    codes=PriorityGroup,
                ),
            ),
        ),
    ),
)
