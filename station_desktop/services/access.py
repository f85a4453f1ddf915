"""Who is acting (the seam of SECURITY-PLAN.md, owned by the *roles* part).

A minimal stand-in on the *cipher* branch: the sign-in sets `ServiceContext.actor` from
the staff row of the person who signed in. The roles part brings the permission matrix and
`require`; at the merge its version of this file replaces this one.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from station_desktop.domain.codes import StaffRole


@dataclass(frozen=True)
class Actor:
    staff_id: uuid.UUID | None  # None only for SYSTEM
    role: StaffRole
    station_id: uuid.UUID | None  # None for the bureau's people


# Migrations, seeding, the sync merge of others' changes: not a person.
SYSTEM = Actor(staff_id=None, role=StaffRole.BUREAU_ADMIN, station_id=None)
