"""Accounts: signing in, the first administrator, workers added and removed, passwords
changed or reset. The one door the window and the command line use (store.cipher and
store.signin do the work).

A worker's sign-in name is the name they were added under (in Tibetan or Chinese); their
slot is tied to their staff row, whose role is what the services check (services.access).
Removing a worker re-keys the database; a password reset by the station head or with the
bureau's recovery key gives the worker a new slot, so the old password opens nothing.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from station_desktop.domain.codes import StaffRole
from station_desktop.drafts import DraftStore
from station_desktop.errors import StationError
from station_desktop.i18n import N_
from station_desktop.paths import DataPaths
from station_desktop.services.access import Actor
from station_desktop.services.backups import BackupService
from station_desktop.services.context import ServiceContext
from station_desktop.services.stations import StationService
from station_desktop.store import audit, cipher, signin
from station_desktop.store.cipher import (
    KdfParams,
    LockedOut,
    StoreKeys,
    WrongPassword,
    derive_key,
)
from station_desktop.store.engine import create_store_engine, sqlite_url
from station_desktop.store.models import Staff
from station_desktop.store.opening import OpenedStore

ADMINISTRATOR_ROLES = frozenset({StaffRole.STATION_HEAD.value, StaffRole.BUREAU_ADMIN.value})

MSG_ONLY_HEAD = N_("Only a station head can add, remove or reset the passwords of workers.")
MSG_NOT_SIGNED_IN = N_("Sign in first.")
MSG_NOT_ENCRYPTED = N_("This data is not protected by passwords yet.")
MSG_RECOVERY_FILE = N_("The recovery key file {path} cannot be read ({reason}).")
MAX_KEY_FILE_BYTES = 64 * 1024

__all__ = [
    "ADMINISTRATOR_ROLES",
    "AccountService",
    "LockedOut",
    "SignedIn",
    "WorkerAccount",
    "WrongPassword",
    "calibrated_kdf",
    "is_protected",
    "protect_store",
    "recover_password",
    "sign_in",
    "slot_actor",
]


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class SignedIn:
    """Who opened the data, and its key."""

    name: str
    staff_id: uuid.UUID | None
    role: str
    data_key: bytes = field(repr=False)
    # Wrong passwords given for this name since its last sign-in: recorded in the audit
    # trail at this one (the data cannot be opened, so not written, while they happen).
    failed_before: int = 0


@dataclass(frozen=True)
class WorkerAccount:
    name: str
    role: str
    staff_id: uuid.UUID | None


def is_protected(paths: DataPaths) -> bool:
    """The folder's data is encrypted: a sign-in is needed to open it."""
    return paths.key_slots.exists()


def has_plain_data(paths: DataPaths) -> bool:
    """A database written before passwords existed: converted when the first
    administrator is made (`protect_store`)."""
    return (
        not is_protected(paths)
        and paths.database.is_file()
        and paths.database.stat().st_size > 0
        and cipher.is_plain_sqlite(paths.database)
    )


def sign_in(
    paths: DataPaths, name: str, password: str, *, now: Callable[[], datetime] = _utc_now
) -> SignedIn:
    failed_before = signin.Attempts(paths.sign_in_attempts).failures(name)
    unlocked = signin.sign_in(paths, name, password, now=now)
    _seal_bundle_keys(paths, unlocked.data_key)
    slot = unlocked.slot
    return SignedIn(slot.name, slot.staff_id, slot.role, unlocked.data_key, failed_before)


def _seal_bundle_keys(paths: DataPaths, data_key: bytes) -> None:
    """A bundle-keys file from before encryption, sealed under the data key now (once).
    A folder that cannot be written now (read-only media) does not stop the sign-in: the
    file is sealed at a later one, or when the keys are next read with the data key."""
    if paths.keys.exists():
        from station_desktop.sync.keys import seal_plain_keys  # noqa: PLC0415

        with contextlib.suppress(StationError, OSError):
            seal_plain_keys(paths.keys, data_key)


def slot_actor(person: SignedIn) -> Actor:
    """Who `person` is by their key slot alone: for what is done before the data opens
    (restoring a damaged database); once it opens, `AccountService.begin` reads the staff
    row."""
    return Actor(person.staff_id, StaffRole.parse(person.role), None)


def calibrated_kdf() -> KdfParams:
    """Argon2id parameters for this laptop (about half a second, never below the floor)."""
    return cipher.calibrate()


def protect_store(
    paths: DataPaths,
    name: str,
    password: str,
    *,
    role: StaffRole = StaffRole.STATION_HEAD,
    recovery: str | None = None,
    kdf: KdfParams | None = None,
    now: Callable[[], datetime] = _utc_now,
) -> SignedIn:
    """The first administrator's slot; a plain database already there is encrypted now
    (once, losing nothing, its backups too). `recovery`: the bureau's age recipient."""
    slot = cipher.make_slot(name, None, role.value, password, kdf or calibrated_kdf())
    data_key = signin.protect(paths, slot, recovery=recovery, now=now)
    _seal_bundle_keys(paths, data_key)
    return SignedIn(slot.name, None, role.value, data_key)


def recover_password(
    paths: DataPaths, recovery_identity: str, name: str, new_password: str
) -> None:
    """A new password for `name`, opened with the bureau's recovery identity."""
    slots = cipher.read_slots(paths.key_slots)
    data_key = cipher.unlock_with_recovery(slots, paths.key_slots, recovery_identity)
    signin.save_slots(paths, cipher.with_password(slots, data_key, name, new_password))
    signin.Attempts(paths.sign_in_attempts).succeeded(name)


def _read_key_file(path: Path) -> str:
    try:
        if path.stat().st_size > MAX_KEY_FILE_BYTES:
            raise StationError(cipher.MSG_NOT_RECOVERY_KEY)
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else str(error)
        raise StationError(MSG_RECOVERY_FILE, path=str(path), reason=reason or "?") from None


def read_recovery_card(path: Path) -> str:
    """The bureau's recovery recipient (age1…) in its key card (`recovery-key.txt` on the
    bureau's USB stick: the public half only), checked; StationError otherwise."""
    words = _read_key_file(path).replace('"', " ").split()
    recipient = next((word for word in words if word.startswith("age1")), "")
    cipher.check_recipient(recipient)
    return recipient


def read_recovery_identity(path: Path) -> str:
    """The bureau's recovery identity (AGE-SECRET-KEY-…) in the file it keeps offline."""
    words = _read_key_file(path).split()
    return next((word for word in words if word.startswith("AGE-SECRET-KEY-")), "")


def open_copy_key(slots_file: Path, name: str, password: str) -> bytes | None:
    """The data key of a backup made under an earlier key, opened with the key slots kept
    beside it (`name`'s password then); None when they do not open with it."""
    try:
        slots = cipher.read_slots(slots_file)
        return cipher.unlock(slots, slots_file, name, password).data_key
    except StationError:
        return None


def _is_tibetan(text: str) -> bool:
    return any("\u0f00" <= char <= "\u0fff" for char in text)


class AccountService:
    """The signed-in person's session and the station's accounts (an encrypted store)."""

    def __init__(
        self,
        store: OpenedStore,
        ctx: ServiceContext,
        stations: StationService,
        backups: BackupService,
    ) -> None:
        self.store = store
        self.ctx = ctx
        self.stations = stations
        self.backups = backups
        self.signed_in: SignedIn | None = None

    @property
    def paths(self) -> DataPaths:
        return self.store.paths

    # ------------------------------------------------------------ the session

    def begin(self, person: SignedIn, *, remember: bool = True) -> None:
        """`person` works from now on: the worker who signs records and the actor whose
        role the services check. A first administrator gets their staff row here.
        `remember=False`: a read-only opening (a command beside the window) writes nothing."""
        staff_id = person.staff_id
        if staff_id is None and remember and self._station_or_none() is not None:
            staff_id = self._link_staff(person)  # (no station yet: at the next sign-in)
        # The staff row's role is the one that counts: a station head may have changed it
        # (here or on another laptop, through a bundle) since the slot was made.
        role = self._staff_role(staff_id) or StaffRole.parse(person.role)
        person = replace(person, staff_id=staff_id, role=role.value)
        self.signed_in = person
        if remember:
            self.stations.choose_worker(staff_id)
        else:
            self.ctx.actor_id = staff_id
        self.ctx.actor = Actor(staff_id, role, self._station_or_none())
        self._record_sign_in(person)

    def _staff_role(self, staff_id: uuid.UUID | None) -> StaffRole | None:
        """The role on the person's staff row (None: no row yet, the slot's role counts)."""
        if staff_id is None:
            return None
        with self.ctx.db.read() as session:
            row = session.get(Staff, staff_id)
            if row is None or row.deleted:
                return None
            return StaffRole.parse(row.role)

    def _record_sign_in(self, person: SignedIn) -> None:
        """The sign-in, and the wrong passwords before it, in the audit trail (names of
        no one: the staff member's id; the failures by the name's staff id too)."""
        with audit.event_session(self.ctx.db) as session:
            for _attempt in range(person.failed_before):
                audit.record_event(
                    session,
                    actor_id=person.staff_id,
                    action=audit.SIGN_IN_FAILED,
                    entity="staff",
                    entity_id=str(person.staff_id or ""),
                    at=self.ctx.clock(),
                )
            audit.record_event(
                session,
                actor_id=person.staff_id,
                action=audit.SIGN_IN,
                entity="staff",
                entity_id=str(person.staff_id or ""),
                at=self.ctx.clock(),
            )

    def _station_or_none(self) -> uuid.UUID | None:
        station = self.stations.current_station()
        return station.id if station is not None else None

    def _link_staff(self, person: SignedIn) -> uuid.UUID:
        """The staff row of a slot made before the station was (first start, init)."""
        with self.ctx.db.read() as session:
            rows = session.scalars(select(Staff).where(Staff.deleted.is_(False))).all()
        wanted = cipher.name_key(person.name)
        here = self._station_or_none()
        rows = sorted(rows, key=lambda r: r.station_id != here)  # this station's first
        names = {r.id: {cipher.name_key(r.name_bo), cipher.name_key(r.name_zh)} for r in rows}
        found = next((staff_id for staff_id, keys in names.items() if wanted in keys), None)
        if found is None:
            found = self._add_staff_row(person.name, person.role)
        slots = self._slots()
        slot = slots.find(person.name)
        if slot is not None:
            linked = replace(slot, staff_id=found)
            kept = tuple(linked if s is slot else s for s in slots.slots)
            signin.save_slots(self.paths, replace(slots, slots=kept).signed(self._key()))
        return found

    def _add_staff_row(self, name: str, role: str) -> uuid.UUID:
        if _is_tibetan(name):
            return self.stations.add_staff(name, "", role)
        return self.stations.add_staff("", name, role)

    def _key(self) -> bytes:
        if self.store.keys is None:
            raise StationError(MSG_NOT_ENCRYPTED)
        return self.store.keys.data_key

    def _slots(self) -> cipher.KeySlots:
        slots = cipher.read_slots(self.paths.key_slots)
        slots.verify(self._key(), self.paths.key_slots)
        return slots

    def _require_administrator(self) -> SignedIn:
        if self.signed_in is None:
            raise StationError(MSG_NOT_SIGNED_IN)
        if self.ctx.actor.role.value not in ADMINISTRATOR_ROLES:  # the staff row's role
            raise StationError(MSG_ONLY_HEAD)
        return self.signed_in

    # ------------------------------------------------------------ accounts

    def workers(self) -> list[WorkerAccount]:
        accounts = []
        for slot in self._slots().slots:
            role = self._staff_role(slot.staff_id)  # the staff row's, as the services check
            accounts.append(
                WorkerAccount(slot.name, role.value if role else slot.role, slot.staff_id)
            )
        return accounts

    def add_worker(
        self, name: str, role: StaffRole | str, password: str, *, kdf: KdfParams | None = None
    ) -> uuid.UUID:
        """A staff row and a key slot for a new worker, with a first password the head
        gives them (they change it once signed in)."""
        self._require_administrator()
        role_code = (role if isinstance(role, StaffRole) else StaffRole.parse(role)).value
        slots = self._slots()
        if slots.find(name) is not None:
            raise StationError(cipher.MSG_NAME_TAKEN, name=name.strip())
        cipher.check_password(password)
        staff_id = self._add_staff_row(name.strip(), role_code)
        slot = cipher.make_slot(name, staff_id, role_code, password, kdf or self._kdf(slots))
        signin.save_slots(self.paths, cipher.with_worker(slots, self._key(), slot))
        return staff_id

    @staticmethod
    def _kdf(slots: cipher.KeySlots) -> KdfParams:
        return cipher._typical_kdf(slots)

    def remove_worker(self, name: str) -> None:
        """The worker's slot removed and the data re-keyed: their password opens neither
        this data nor any copy made from now on."""
        me = self._require_administrator()
        if cipher.name_key(name) == cipher.name_key(me.name):
            raise StationError(cipher.MSG_LAST_ADMINISTRATOR, name=name)
        old_key = self._key()
        new_key = cipher.new_data_key()
        current = self._slots()
        removed = current.find(name)
        slots = cipher.without_worker(current, new_key, name, ADMINISTRATOR_ROLES)
        from station_desktop.sync import keys as bundle_keys  # noqa: PLC0415

        # The installation's private keys follow the data key (sealed under it): sealed
        # under the new one beside the file first, swapped in once the data is re-keyed.
        bundle_keys.prepare_reseal(self.paths.keys, old_key, new_key)
        # So do the drafts (what was typed and not yet saved): the same two steps.
        drafts = DraftStore(self.paths.drafts, key=derive_key(old_key, "drafts"))
        drafts.prepare_reseal(derive_key(new_key, "drafts"))
        self.ctx.db.dispose()
        signin.rekey(self.paths, old_key, new_key, slots)
        bundle_keys.finish_reseal(self.paths.keys)
        drafts.finish_reseal(derive_key(new_key, "drafts"))
        self.ctx.db.rebind(create_store_engine(sqlite_url(self.paths.database), key=new_key))
        self.ctx.db.key = new_key
        self.store.keys = StoreKeys(new_key)
        self.backups.key = new_key
        self.signed_in = replace(me, data_key=new_key)
        if removed is not None and removed.staff_id is not None:
            # No longer offered as the one who visits or writes; what they wrote stays theirs.
            with self.ctx.uow() as uow:
                uow.update(Staff, removed.staff_id, {"active": False})

    def change_role(self, name: str, role: StaffRole | str) -> bool:
        """Give the worker who signs in as `name` another role: on their staff row (what
        the services check; recorded in the audit trail) and in their key slot, kept in
        step (the slot's role counts only while no staff row exists). It takes effect at
        their next sign-in. False when it was their role already."""
        self._require_administrator()
        role_code = role if isinstance(role, StaffRole) else StaffRole.parse(role)
        slots = self._slots()
        slot = slots.find(name)
        if slot is None or slot.staff_id is None:
            raise StationError(cipher.MSG_NO_SUCH_WORKER, name=name.strip())
        others = [s for s in slots.slots if s is not slot]
        if (
            slot.role in ADMINISTRATOR_ROLES
            and role_code.value not in ADMINISTRATOR_ROLES
            and not any(s.role in ADMINISTRATOR_ROLES for s in others)
        ):  # someone must still be able to add workers and reset passwords
            raise StationError(cipher.MSG_LAST_ADMINISTRATOR, name=slot.name)
        changed = self.stations.change_role(slot.staff_id, role_code)
        if slot.role != role_code.value:
            kept = tuple(replace(s, role=role_code.value) if s is slot else s for s in slots.slots)
            signin.save_slots(self.paths, replace(slots, slots=kept).signed(self._key()))
        return changed

    def change_password(self, old_password: str, new_password: str) -> None:
        """The signed-in worker's own password (the old one asked again)."""
        if self.signed_in is None:
            raise StationError(MSG_NOT_SIGNED_IN)
        slots = self._slots()
        cipher.unlock(slots, self.paths.key_slots, self.signed_in.name, old_password)
        signin.save_slots(
            self.paths, cipher.with_password(slots, self._key(), self.signed_in.name, new_password)
        )

    def set_recovery(self, recipient: str) -> None:
        """Seal the data key to the bureau's recovery key (its age public key, age1…) as
        well: a laptop made from the window gets its recovery this way."""
        self._require_administrator()
        slots = self._slots()
        cipher.check_recipient(recipient)
        signin.save_slots(
            self.paths, cipher.new_key_slots(self._key(), list(slots.slots), recipient)
        )

    def recovery_recipient(self) -> str | None:
        """The bureau's recovery key sealing this data (age1…), or None."""
        return self._slots().recovery

    def reset_password(self, name: str, new_password: str) -> None:
        """A station head gives a worker who forgot theirs a new password."""
        self._require_administrator()
        slots = self._slots()
        signin.save_slots(self.paths, cipher.with_password(slots, self._key(), name, new_password))
        signin.Attempts(self.paths.sign_in_attempts).succeeded(name)
