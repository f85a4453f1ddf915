"""This installation's identity: the device id its changes are numbered under.

Kept where the installation keeps its facts (store.installation: the database file's
`local_state` on a station laptop, the data folder for a shared server; never replicated).
A new identity is made at the first start, after a restore and when the last saved changes
turn out to be missing: in each case the sequence numbers the old identity would reuse may
already have travelled to other laptops.
"""

from __future__ import annotations

import base64
import platform
import uuid
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from station_desktop.store.engine import Database
from station_desktop.store.installation import DatabaseInstallation, Installation
from station_desktop.store.models import ChangeLogEntry, Device

DEVICE_ID_KEY = "device_id"
STATION_ID_KEY = "station_id"


def device_tag_for(device_id: uuid.UUID) -> str:
    """A short, readable tag (4 base-32 characters) used in case numbers."""
    return base64.b32encode(device_id.bytes[-5:]).decode("ascii")[:4]


_IN_DATABASE = DatabaseInstallation()


def existing_device(db: Database, installation: Installation = _IN_DATABASE) -> uuid.UUID:
    with db.read() as session:
        value = installation.get(session, DEVICE_ID_KEY)
    return uuid.UUID(value) if value else uuid.UUID(int=0)


def ensure_device(
    db: Database,
    now: Callable[[], datetime],
    new_id: Callable[[], uuid.UUID],
    installation: Installation = _IN_DATABASE,
) -> uuid.UUID:
    with db.write_session() as session:
        value = installation.get(session, DEVICE_ID_KEY)
        if value:
            return uuid.UUID(value)
        return _new_device(session, now, new_id, installation)


def _new_device(
    session: Session,
    now: Callable[[], datetime],
    new_id: Callable[[], uuid.UUID],
    installation: Installation,
) -> uuid.UUID:
    device_id = new_id()
    station = installation.get(session, STATION_ID_KEY)
    session.execute(
        insert(Device).values(
            id=device_id,
            station_id=uuid.UUID(station) if station else None,
            tag=device_tag_for(device_id),
            label=platform.node()[:100],
            first_seen_at=now(),
        )
    )
    installation.set(session, DEVICE_ID_KEY, str(device_id))
    return device_id


def renew_device_identity(
    db: Database,
    now: Callable[[], datetime],
    new_id: Callable[[], uuid.UUID],
    installation: Installation = _IN_DATABASE,
) -> uuid.UUID:
    """Give this installation a new device id. Needed after restoring a backup (or cloning
    a laptop): otherwise its new changes would reuse sequence numbers already shipped."""
    with db.write_session() as session:
        return _new_device(session, now, new_id, installation)


def device_tag(db: Database, device_id: uuid.UUID) -> str:
    with db.read() as session:
        tag = session.execute(select(Device.tag).where(Device.id == device_id)).scalar_one_or_none()
    return tag or device_tag_for(device_id)


def last_sequence(db: Database, device_id: uuid.UUID) -> int:
    """The newest change-log sequence number this device has written (0 if none)."""
    with db.read() as session:
        value = session.execute(
            select(func.max(ChangeLogEntry.seq)).where(ChangeLogEntry.device_id == device_id)
        ).scalar_one()
    return int(value or 0)
