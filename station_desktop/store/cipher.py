"""Encryption at rest: the data key, the workers' key slots, and keyed SQLCipher connections.

One random 256-bit data key per database; SQLCipher is given it raw (`PRAGMA key =
"x'…'"`, no per-connection PBKDF2), as the first statement of every connection.

Nobody types the data key. Each worker has a key slot: an age (X25519) identity of their
own, sealed with AES-256-GCM under a key stretched from their password with Argon2id
(calibrated on the laptop, never below `ARGON2_FLOOR`). The data key itself is kept once,
age-encrypted to every worker's recipient and to the bureau's offline recovery recipient.
So a signed-in head can add, reset or remove a worker without anyone else's password, and
removing one re-keys the database to a new data key sealed to those who remain: a copy made
after that opens for none of the removed worker's secrets.

The slot file carries an HMAC under a key derived from the data key: a role changed, a slot
removed or weakened, or a recipient added by someone without the data key is found at the
next sign-in. The file travels beside every backup (`<backup>.keys`).

Nothing here is imported on the window's path before a store is opened: argon2, cryptography
and sqlcipher3 are loaded when a key is needed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
import unicodedata
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from station_desktop.errors import StationError
from station_desktop.i18n import N_

FORMAT = 1
KEY_BYTES = 32
SALT_BYTES = 16
NONCE_BYTES = 12
SIDECAR_SUFFIX = ".keys"

MSG_WRONG_PASSWORD = N_("The name or the password is wrong.")
MSG_LOCKED_OUT = N_(
    "Too many wrong passwords. Try again in {seconds} seconds, or ask the station head to "
    "reset the password."
)
MSG_SLOTS_TAMPERED = N_(
    "The key file {path} has been changed by someone without the key (a worker or a role "
    "added, removed or weakened). Nothing was opened. Restore the key file from a backup "
    "or ask the bureau to recover the data with its recovery key."
)
MSG_SLOTS_DAMAGED = N_("The key file {path} cannot be read ({reason}). Nothing was opened.")
MSG_SLOTS_MISSING = N_(
    "The data in {path} is protected by passwords, but its key file {keys} is missing. "
    "Restore the key file from a backup (it is kept beside each one)."
)
MSG_NAME_TAKEN = N_("{name} already has a password on this laptop.")
MSG_NO_SUCH_WORKER = N_("{name} has no password on this laptop.")
MSG_LAST_ADMINISTRATOR = N_(
    "{name} is the last station head with a password: add another before removing them."
)
MSG_PASSWORD_TOO_SHORT = N_("A password needs at least {count} characters.")
MSG_PASSWORD_NEEDED = N_(
    "The data in {path} is protected by passwords: sign in with your name and password."
)
MSG_COPY_OTHER_KEY = N_(
    "{path} was made under an earlier key (before a worker was removed). Sign in with a "
    "password that was valid then to restore it."
)
MSG_NOT_RECOVERY_KEY = N_("This is not the bureau's recovery key for this data.")

MIN_PASSWORD_CHARS = 8


class WrongPassword(StationError):
    """The same answer for an unknown name and a wrong password."""

    def __init__(self) -> None:
        super().__init__(MSG_WRONG_PASSWORD)


class PasswordNeeded(StationError):
    def __init__(self, path: str) -> None:
        super().__init__(MSG_PASSWORD_NEEDED, path=path)


class LockedOut(StationError):
    def __init__(self, seconds: int) -> None:
        super().__init__(MSG_LOCKED_OUT, seconds=seconds)
        self.seconds = seconds


class SlotsTampered(StationError):
    def __init__(self, path: Path) -> None:
        super().__init__(MSG_SLOTS_TAMPERED, path=str(path))


class SlotsMissing(StationError):
    def __init__(self, database: Path, slots: Path) -> None:
        super().__init__(MSG_SLOTS_MISSING, path=str(database), keys=str(slots))


class SlotsDamaged(StationError):
    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(MSG_SLOTS_DAMAGED, path=str(path), reason=reason)


# ---------------------------------------------------------------- keys


def derive_key(data_key: bytes, purpose: str) -> bytes:
    """A 256-bit key for one purpose (`"audit"`, `"drafts"`, `"key-slots"`…), derived from
    the data key with HKDF-SHA256: knowing one derived key tells nothing of the others."""
    from cryptography.hazmat.primitives import hashes  # noqa: PLC0415
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF  # noqa: PLC0415

    return HKDF(
        algorithm=hashes.SHA256(),
        length=KEY_BYTES,
        salt=None,
        info=b"station-desktop/" + purpose.encode("utf-8"),
    ).derive(data_key)


def new_data_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


@dataclass(frozen=True)
class StoreKeys:
    """The keys of an opened encrypted store (`OpenedStore.keys`)."""

    data_key: bytes = field(repr=False)

    def derive(self, purpose: str) -> bytes:
        return derive_key(self.data_key, purpose)


def key_pragma(data_key: bytes) -> str:
    return f"PRAGMA key = \"x'{data_key.hex()}'\""


# ---------------------------------------------------------------- Argon2id


@dataclass(frozen=True)
class KdfParams:
    time_cost: int
    memory_kib: int
    parallelism: int

    def below(self, floor: KdfParams) -> bool:
        return (
            self.time_cost < floor.time_cost
            or self.memory_kib < floor.memory_kib
            or self.parallelism < floor.parallelism
        )

    def to_json(self) -> dict[str, int]:
        return {"t": self.time_cost, "m": self.memory_kib, "p": self.parallelism}

    @classmethod
    def from_json(cls, raw: Any) -> KdfParams:
        return cls(int(raw["t"]), int(raw["m"]), int(raw["p"]))


# The floor from the measurements (/work/shared/notes/security-and-durability.md): t=3,
# 64 MiB, 4 lanes. Calibration only ever raises the time cost above it.
ARGON2_FLOOR = KdfParams(time_cost=3, memory_kib=65_536, parallelism=4)
TARGET_SECONDS = 0.5
MAX_TIME_COST = 40


def stretch(password: str, salt: bytes, params: KdfParams) -> bytes:
    from argon2.low_level import Type, hash_secret_raw  # noqa: PLC0415

    return hash_secret_raw(
        unicodedata.normalize("NFC", password).encode("utf-8"),
        salt,
        time_cost=params.time_cost,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
        hash_len=KEY_BYTES,
        type=Type.ID,
    )


def calibrate(
    target_seconds: float = TARGET_SECONDS,
    *,
    floor: KdfParams = ARGON2_FLOOR,
    timer: Callable[[], float] = time.perf_counter,
) -> KdfParams:
    """The Argon2id cost that takes about `target_seconds` on this laptop (0.5 s: a
    sign-in stays under a second), never below `floor`."""
    started = timer()
    stretch("calibration", b"\0" * SALT_BYTES, floor)
    took = max(timer() - started, 1e-3)
    scaled = int(floor.time_cost * target_seconds / took)
    time_cost = min(MAX_TIME_COST, max(floor.time_cost, scaled))
    return replace(floor, time_cost=time_cost)


# ---------------------------------------------------------------- the slot file


def name_key(name: str) -> str:
    """Names are compared as people type them: NFC/NFKC-equal, spaces and case aside."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split()).rstrip("་།")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


@dataclass(frozen=True)
class Slot:
    name: str
    staff_id: uuid.UUID | None
    role: str
    recipient: str  # the slot's age public key, to which the data key is sealed
    kdf: KdfParams
    salt: bytes
    nonce: bytes
    sealed_identity: bytes  # the age secret key, AES-256-GCM under the stretched password

    def header(self) -> bytes:
        """What the seal binds the identity to: its own public key. Who holds the slot and
        in which role is covered by the file's HMAC, so a changed role is reported as
        tampering (after the data key is opened), not as a wrong password."""
        return self.recipient.encode("ascii")

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "staff_id": str(self.staff_id) if self.staff_id else None,
            "role": self.role,
            "recipient": self.recipient,
            "kdf": self.kdf.to_json(),
            "salt": _b64(self.salt),
            "nonce": _b64(self.nonce),
            "identity": _b64(self.sealed_identity),
        }

    @classmethod
    def from_json(cls, raw: Any) -> Slot:
        return cls(
            name=str(raw["name"]),
            staff_id=uuid.UUID(raw["staff_id"]) if raw.get("staff_id") else None,
            role=str(raw["role"]),
            recipient=str(raw["recipient"]),
            kdf=KdfParams.from_json(raw["kdf"]),
            salt=_unb64(raw["salt"]),
            nonce=_unb64(raw["nonce"]),
            sealed_identity=_unb64(raw["identity"]),
        )


@dataclass(frozen=True)
class KeySlots:
    """The slot file's content: the data key sealed to every recipient, and the slots."""

    sealed_key: bytes
    slots: tuple[Slot, ...]
    recovery: str | None  # the bureau's age recipient, or None
    generation: str  # changes with every re-key
    mac: str = ""

    def body(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "generation": self.generation,
            "data_key": _b64(self.sealed_key),
            "recovery": self.recovery,
            "slots": [slot.to_json() for slot in self.slots],
        }

    def signed(self, data_key: bytes) -> KeySlots:
        return replace(self, mac=_mac(data_key, self.body()))

    def verify(self, data_key: bytes, path: Path) -> None:
        if not hmac.compare_digest(self.mac, _mac(data_key, self.body())):
            raise SlotsTampered(path)
        for slot in self.slots:
            if slot.kdf.below(ARGON2_FLOOR):
                raise SlotsTampered(path)

    def find(self, name: str) -> Slot | None:
        wanted = name_key(name)
        return next((s for s in self.slots if name_key(s.name) == wanted), None)

    def to_bytes(self) -> bytes:
        return json.dumps({**self.body(), "mac": self.mac}, ensure_ascii=False, indent=1).encode()

    @classmethod
    def from_bytes(cls, data: bytes, path: Path) -> KeySlots:
        try:
            raw = json.loads(data.decode("utf-8"))
            if raw.get("format") != FORMAT:
                raise ValueError(f"format {raw.get('format')!r}")
            return cls(
                sealed_key=_unb64(raw["data_key"]),
                slots=tuple(Slot.from_json(s) for s in raw["slots"]),
                recovery=raw.get("recovery") or None,
                generation=str(raw["generation"]),
                mac=str(raw["mac"]),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise SlotsDamaged(path, str(error) or type(error).__name__) from None


def _mac(data_key: bytes, body: dict[str, Any]) -> str:
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hmac.new(derive_key(data_key, "key-slots"), canonical, hashlib.sha256).hexdigest()


def _seal_data_key(data_key: bytes, recipients: list[str]) -> bytes:
    import pyrage  # noqa: PLC0415

    targets = [pyrage.x25519.Recipient.from_str(r) for r in recipients]
    return bytes(pyrage.encrypt(data_key, targets))


def _open_data_key(sealed: bytes, identity: str) -> bytes:
    import pyrage  # noqa: PLC0415

    return bytes(pyrage.decrypt(sealed, [pyrage.x25519.Identity.from_str(identity)]))


def _aesgcm(key: bytes) -> Any:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # noqa: PLC0415

    return AESGCM(key)


def make_slot(
    name: str, staff_id: uuid.UUID | None, role: str, password: str, kdf: KdfParams
) -> Slot:
    import pyrage  # noqa: PLC0415

    check_password(password)
    if kdf.below(ARGON2_FLOOR):
        raise ValueError("Argon2id parameters below the floor")
    identity = pyrage.x25519.Identity.generate()
    slot = Slot(
        name=name.strip(),
        staff_id=staff_id,
        role=role,
        recipient=str(identity.to_public()),
        kdf=kdf,
        salt=secrets.token_bytes(SALT_BYTES),
        nonce=secrets.token_bytes(NONCE_BYTES),
        sealed_identity=b"",
    )
    return _sealed(slot, str(identity), password)


def _sealed(slot: Slot, identity: str, password: str) -> Slot:
    salt, nonce = secrets.token_bytes(SALT_BYTES), secrets.token_bytes(NONCE_BYTES)
    slot = replace(slot, salt=salt, nonce=nonce)
    kek = stretch(password, salt, slot.kdf)
    return replace(
        slot, sealed_identity=_aesgcm(kek).encrypt(nonce, identity.encode(), slot.header())
    )


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_CHARS:
        raise StationError(MSG_PASSWORD_TOO_SHORT, count=MIN_PASSWORD_CHARS)


def check_recipient(recipient: str) -> None:
    """An age X25519 public key (age1…), or a StationError."""
    import pyrage  # noqa: PLC0415

    try:
        pyrage.x25519.Recipient.from_str(recipient)
    except (pyrage.RecipientError, ValueError):
        raise StationError(MSG_NOT_RECOVERY_KEY) from None


def new_key_slots(data_key: bytes, slots: list[Slot], recovery: str | None) -> KeySlots:
    """Slots sealing `data_key` to each slot's recipient and the bureau's."""
    recipients = [s.recipient for s in slots] + ([recovery] if recovery else [])
    return KeySlots(
        sealed_key=_seal_data_key(data_key, recipients),
        slots=tuple(slots),
        recovery=recovery,
        generation=secrets.token_hex(8),
    ).signed(data_key)


@dataclass(frozen=True)
class Unlocked:
    data_key: bytes = field(repr=False)
    slot: Slot
    slots: KeySlots


def unlock(slots: KeySlots, path: Path, name: str, password: str) -> Unlocked:
    """The data key for `name` with `password`; WrongPassword (the same, after the same
    work) for an unknown name or a wrong password; SlotsTampered when the file was changed."""
    from cryptography.exceptions import InvalidTag  # noqa: PLC0415

    slot = slots.find(name)
    if slot is None:
        stretch(password, b"\0" * SALT_BYTES, _typical_kdf(slots))  # the same time
        raise WrongPassword()
    if slot.kdf.below(ARGON2_FLOOR):
        raise SlotsTampered(path)
    kek = stretch(password, slot.salt, slot.kdf)
    try:
        identity = _aesgcm(kek).decrypt(slot.nonce, slot.sealed_identity, slot.header())
    except InvalidTag:
        raise WrongPassword() from None
    data_key = _open_data_key_or_tampered(slots.sealed_key, identity.decode(), path)
    slots.verify(data_key, path)
    return Unlocked(data_key, slot, slots)


def _open_data_key_or_tampered(sealed: bytes, identity: str, path: Path) -> bytes:
    import pyrage  # noqa: PLC0415

    try:
        data_key = _open_data_key(sealed, identity)
    except pyrage.DecryptError:
        raise SlotsTampered(path) from None
    if len(data_key) != KEY_BYTES:
        raise SlotsTampered(path)
    return data_key


def _typical_kdf(slots: KeySlots) -> KdfParams:
    kdfs = [s.kdf for s in slots.slots if not s.kdf.below(ARGON2_FLOOR)]
    return max(kdfs, key=lambda k: k.time_cost) if kdfs else ARGON2_FLOOR


def unlock_with_recovery(slots: KeySlots, path: Path, recovery_identity: str) -> bytes:
    """The data key opened with the bureau's offline recovery identity (AGE-SECRET-KEY-…)."""
    import pyrage  # noqa: PLC0415

    try:
        identity = pyrage.x25519.Identity.from_str(recovery_identity.strip())
        data_key = bytes(pyrage.decrypt(slots.sealed_key, [identity]))
    except (pyrage.DecryptError, pyrage.IdentityError, ValueError):
        raise StationError(MSG_NOT_RECOVERY_KEY) from None
    slots.verify(data_key, path)
    return data_key


def with_password(slots: KeySlots, data_key: bytes, name: str, password: str) -> KeySlots:
    """`name`'s slot sealed under a new password (change, or a reset by the head or the
    bureau): a new age identity too, so the old password opens nothing of the new file."""
    slot = slots.find(name)
    if slot is None:
        raise StationError(MSG_NO_SUCH_WORKER, name=name)
    fresh = make_slot(slot.name, slot.staff_id, slot.role, password, slot.kdf)
    kept = [fresh if s is slot else s for s in slots.slots]
    return new_key_slots(data_key, kept, slots.recovery)


def with_worker(slots: KeySlots, data_key: bytes, slot: Slot) -> KeySlots:
    if slots.find(slot.name) is not None:
        raise StationError(MSG_NAME_TAKEN, name=slot.name)
    return new_key_slots(data_key, [*slots.slots, slot], slots.recovery)


def without_worker(
    slots: KeySlots, new_data_key: bytes, name: str, administrator_roles: frozenset[str]
) -> KeySlots:
    """The slots without `name`'s, sealing a new data key (the caller re-keys)."""
    slot = slots.find(name)
    if slot is None:
        raise StationError(MSG_NO_SUCH_WORKER, name=name)
    kept = [s for s in slots.slots if s is not slot]
    if slot.role in administrator_roles and not any(s.role in administrator_roles for s in kept):
        raise StationError(MSG_LAST_ADMINISTRATOR, name=slot.name)
    return new_key_slots(new_data_key, kept, slots.recovery)


# ---------------------------------------------------------------- files


def read_slots(path: Path) -> KeySlots:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise SlotsDamaged(path, error.strerror or str(error)) from None
    return KeySlots.from_bytes(data, path)


def write_slots(path: Path, slots: KeySlots) -> None:
    """Whole or not at all (temporary name, fsync, rename), readable by the owner only."""
    from station_desktop.store.files import commit_temp_file, temp_path_for  # noqa: PLC0415

    temp = temp_path_for(path)
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(slots.to_bytes())
    commit_temp_file(temp, path)


def sidecar(database_copy: Path) -> Path:
    """The slot file kept beside a backup (or any copy) of an encrypted database."""
    return database_copy.with_name(database_copy.name + SIDECAR_SUFFIX)


# ---------------------------------------------------------------- connections


def sqlite_errors() -> tuple[type[Exception], ...]:
    """The exceptions of both drivers (the standard sqlite3 and SQLCipher's)."""
    import sqlite3  # noqa: PLC0415

    import sqlcipher3  # noqa: PLC0415

    return (sqlite3.Error, sqlcipher3.dbapi2.Error)


def connect(
    database: str | Path,
    key: bytes | None,
    *,
    uri: bool = False,
    isolation_level: Any = "",
    check_same_thread: bool = True,
) -> Any:
    """A DB-API connection to a SQLite file: the standard driver for a plain file, SQLCipher
    keyed with `key` (first statement, then one read so a wrong key fails here) otherwise."""
    if key is None:
        import sqlite3  # noqa: PLC0415

        return sqlite3.connect(
            database, uri=uri, isolation_level=isolation_level, check_same_thread=check_same_thread
        )
    import sqlcipher3  # noqa: PLC0415

    connection = sqlcipher3.dbapi2.connect(
        str(database),
        uri=uri,
        isolation_level=isolation_level,
        check_same_thread=check_same_thread,
        timeout=10.0,
    )
    try:
        # A wrong key is our own error to report, not a line SQLCipher prints on stderr.
        connection.execute("PRAGMA cipher_log_level = NONE")
        connection.execute(key_pragma(key))
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except BaseException:
        connection.close()
        raise
    return connection


@contextmanager
def connected(database: str | Path, key: bytes | None, *, uri: bool = False) -> Iterator[Any]:
    connection = connect(database, key, uri=uri)
    try:
        yield connection
    finally:
        connection.close()


def is_plain_sqlite(path: Path) -> bool:
    """The file starts with SQLite's own header (an encrypted one looks like noise)."""
    try:
        with path.open("rb") as handle:
            return handle.read(16) == b"SQLite format 3\x00"
    except OSError:
        return False


def encrypt_copy(plain: Path, target: Path, key: bytes) -> None:
    """An encrypted copy of the plain database `plain` at `target` (SQLCipher's own
    `sqlcipher_export`: schema, data and user_version), checked and fsynced."""
    import sqlcipher3  # noqa: PLC0415

    target.unlink(missing_ok=True)
    quoted = str(target).replace("'", "''")
    source = sqlcipher3.dbapi2.connect(f"file:{plain}?mode=ro", uri=True, isolation_level=None)
    try:
        source.execute("PRAGMA cipher_log_level = NONE")
        source.execute(f"ATTACH DATABASE '{quoted}' AS encrypted KEY \"x'{key.hex()}'\"")
        source.execute("SELECT sqlcipher_export('encrypted')")
        source.execute("DETACH DATABASE encrypted")
    finally:
        source.close()
    with target.open("rb+") as handle:
        os.fsync(handle.fileno())
