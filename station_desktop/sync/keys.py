"""An installation's keys, and the key card other installations trust.

Each installation makes, once, an Ed25519 signing key (its bundles are signed with it: age
encryption alone does not say who wrote a file) and an age X25519 identity (bundles for it
are encrypted to its recipient). Both come from well-kept libraries (`cryptography`,
`pyrage`); nothing here is hand-made cryptography.

The private keys live in `keys/bundle-keys.json` in the data folder, readable by the user
only, and, on an encrypted store, sealed (AES-256-GCM) under a key derived from the data
key (`store.cipher.derive_key(data_key, "bundle-keys")`): a copied data folder without a
worker's password yields no private key. A plain file from before is sealed the first time
the keys are read with the data key (the same keys: nothing is lost). When a worker is
removed the data key changes and the file is sealed again (`prepare_reseal` beside the
old file before the re-key, `finish_reseal` after; a crash between them keeps whichever
opens). On the bureau's PostgreSQL server there is no data key: the file stays plain,
protected by its mode (0600 in a 0700 folder) and the server's access control keeps the
data itself. A key card holds the public halves and a fingerprint a person reads aloud or
compares on two screens.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from pyrage import x25519

from station_desktop.errors import StationError
from station_desktop.i18n import N_
from station_desktop.store.files import write_atomically
from station_desktop.store.installation import ROLES

CARD_FORMAT = "station-desktop-key-card"
CARD_VERSION = 1
MAX_CARD_BYTES = 64 * 1024
SEALED_FORMAT = "station-desktop-sealed-bundle-keys"
SEAL_PURPOSE = "bundle-keys"
PENDING_SUFFIX = ".next"

MSG_BAD_CARD = N_("{path} is not a Station Desktop key card ({reason}).")
MSG_BAD_KEYS = N_(
    "This installation's keys in {path} cannot be read. Restore the data folder's keys "
    "folder from a backup, or ask the bureau to enrol this laptop again."
)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def fingerprint(signing_key: str, age_recipient: str) -> str:
    """16 characters in four groups (K7QD-3F9A-22BC-91DE): what two people compare."""
    digest = hashlib.sha256(f"{signing_key}\n{age_recipient}".encode()).digest()
    text = base64.b32encode(digest[:10]).decode("ascii")
    return "-".join(text[i : i + 4] for i in range(0, 16, 4))


@dataclass(frozen=True)
class KeyCard:
    """The public side of an installation: who it is and how to reach it."""

    device_id: uuid.UUID
    role: str
    station_id: uuid.UUID | None
    station_code: str
    label: str
    signing_key: str
    age_recipient: str

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.signing_key, self.age_recipient)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["device_id"] = str(self.device_id)
        data["station_id"] = str(self.station_id) if self.station_id else None
        return {
            "format": CARD_FORMAT,
            "version": CARD_VERSION,
            **data,
            "fingerprint": self.fingerprint,
        }

    @classmethod
    def from_json(cls, data: object) -> KeyCard:
        """A card from parsed JSON; ValueError saying what is wrong."""
        if not isinstance(data, dict) or data.get("format") != CARD_FORMAT:
            raise ValueError("not a key card")
        if data.get("version") != CARD_VERSION:
            raise ValueError("a key card of another version")
        texts = ("role", "station_code", "label", "signing_key", "age_recipient")
        if not all(isinstance(data.get(key), str) for key in texts):
            raise ValueError("a field is missing")
        if data["role"] not in ROLES:
            raise ValueError("unknown role")
        station = data.get("station_id")
        card = cls(
            device_id=uuid.UUID(str(data.get("device_id"))),
            role=data["role"],
            station_id=uuid.UUID(station) if isinstance(station, str) else None,
            station_code=data["station_code"][:40],
            label=data["label"][:200],
            signing_key=data["signing_key"],
            age_recipient=data["age_recipient"],
        )
        public_key(card.signing_key)  # raises ValueError when it is no key
        x25519.Recipient.from_str(card.age_recipient)
        if data.get("fingerprint") not in (None, card.fingerprint):
            raise ValueError("the fingerprint does not match the keys")
        return card


def public_key(signing_key: str) -> Ed25519PublicKey:
    try:
        raw = base64.b64decode(signing_key, validate=True)
        return Ed25519PublicKey.from_public_bytes(raw)
    except (ValueError, TypeError) as error:
        raise ValueError("not a signing key") from error


def verify(signing_key: str, signature: bytes, message: bytes) -> bool:
    try:
        public_key(signing_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


@dataclass(frozen=True)
class InstallationKeys:
    """This installation's private keys (never leave the laptop)."""

    signing: Ed25519PrivateKey
    identity: x25519.Identity

    @property
    def signing_key(self) -> str:
        raw = self.signing.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return _b64(raw)

    @property
    def age_recipient(self) -> str:
        return str(self.identity.to_public())

    def sign(self, message: bytes) -> bytes:
        signature: bytes = self.signing.sign(message)
        return signature

    @classmethod
    def generate(cls) -> InstallationKeys:
        return cls(Ed25519PrivateKey.generate(), x25519.Identity.generate())

    def to_json(self) -> dict[str, str]:
        from cryptography.hazmat.primitives.serialization import (  # noqa: PLC0415
            NoEncryption,
            PrivateFormat,
        )

        raw = self.signing.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        return {"signing": _b64(raw), "age": str(self.identity)}

    @classmethod
    def from_json(cls, data: dict[str, str]) -> InstallationKeys:
        raw = base64.b64decode(data["signing"], validate=True)
        return cls(Ed25519PrivateKey.from_private_bytes(raw), x25519.Identity.from_str(data["age"]))


def _seal_key(data_key: bytes) -> bytes:
    from station_desktop.store.cipher import derive_key  # noqa: PLC0415

    return derive_key(data_key, SEAL_PURPOSE)


def _sealed_json(keys: InstallationKeys, data_key: bytes) -> bytes:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # noqa: PLC0415

    nonce = os.urandom(12)
    plain = json.dumps(keys.to_json()).encode()
    sealed = AESGCM(_seal_key(data_key)).encrypt(nonce, plain, SEALED_FORMAT.encode())
    return json.dumps(
        {"format": SEALED_FORMAT, "version": 1, "nonce": _b64(nonce), "sealed": _b64(sealed)}
    ).encode()


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    old_umask = os.umask(0o077)
    try:
        write_atomically(path, data)
    finally:
        os.umask(old_umask)


class _WrongSeal(Exception):
    """The file is sealed under another data key (or none was given)."""


def _read_keys(path: Path, data_key: bytes | None) -> tuple[InstallationKeys, bool]:
    """The keys in `path`, and whether the file was sealed; _WrongSeal when it is sealed
    under another key; OSError / ValueError... when it is no keys file."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(raw, dict) or raw.get("format") != SEALED_FORMAT:
        return InstallationKeys.from_json(raw), False
    if data_key is None:
        raise _WrongSeal()
    from cryptography.exceptions import InvalidTag  # noqa: PLC0415
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # noqa: PLC0415

    nonce = base64.b64decode(raw["nonce"], validate=True)
    sealed = base64.b64decode(raw["sealed"], validate=True)
    try:
        plain = AESGCM(_seal_key(data_key)).decrypt(nonce, sealed, SEALED_FORMAT.encode())
    except InvalidTag:
        raise _WrongSeal() from None
    return InstallationKeys.from_json(json.loads(plain.decode("utf-8"))), True


def pending_path(path: Path) -> Path:
    """Where the keys sealed under the next data key wait during a re-key."""
    return path.with_name(path.name + PENDING_SUFFIX)


def load_or_create_keys(path: Path, data_key: bytes | None = None) -> InstallationKeys:
    """The installation's keys, made (and written, user-readable only) the first time:
    sealed under `data_key` (an encrypted store's), plain without one (the bureau's
    PostgreSQL server, a folder from before passwords). A plain file met with a data key
    is sealed now, once."""
    pending = pending_path(path)
    if path.exists():
        try:
            try:
                keys, sealed = _read_keys(path, data_key)
            except _WrongSeal:
                # A re-key cut off by a crash: the keys sealed under the new data key wait
                # beside the file (a wrong data key opens neither: the error below).
                if data_key is None or not pending.exists():
                    raise
                keys, sealed = _read_keys(pending, data_key)
                os.replace(pending, path)
            else:
                pending.unlink(missing_ok=True)
        except (OSError, ValueError, KeyError, TypeError, _WrongSeal) as error:
            raise StationError(MSG_BAD_KEYS, path=str(path)) from error
        if data_key is not None and not sealed:
            # Sealed now, once; a folder that cannot be written (read-only media) keeps
            # the plain file until a later reading can.
            with contextlib.suppress(StationError, OSError):
                _write_private(path, _sealed_json(keys, data_key))
        return keys
    keys = InstallationKeys.generate()
    if data_key is None:
        _write_private(path, json.dumps(keys.to_json()).encode())
    else:
        _write_private(path, _sealed_json(keys, data_key))
    return keys


def seal_plain_keys(path: Path, data_key: bytes) -> bool:
    """Seal a plain keys file under `data_key` (after a sign-in, so a folder copied later
    holds no readable private key); True when it did. Makes no keys."""
    if not path.exists():
        return False
    try:
        keys, sealed = _read_keys(path, data_key)
    except (OSError, ValueError, KeyError, TypeError, _WrongSeal):
        return False  # left for `load_or_create_keys` to report when the keys are needed
    if sealed:
        return False
    _write_private(path, _sealed_json(keys, data_key))
    return True


def prepare_reseal(path: Path, old_key: bytes, new_key: bytes) -> None:
    """Before a re-key: the keys sealed under `new_key` beside the file (nothing when
    there are no keys yet)."""
    if not path.exists():
        return
    keys = load_or_create_keys(path, old_key)
    _write_private(pending_path(path), _sealed_json(keys, new_key))


def finish_reseal(path: Path) -> None:
    """After the re-key: the keys sealed under the new data key take the old file's place."""
    pending = pending_path(path)
    if pending.exists():
        os.replace(pending, path)


def read_card(path: Path) -> KeyCard:
    """A key card file; StationError saying what is wrong with it."""
    try:
        if path.stat().st_size > MAX_CARD_BYTES:
            raise ValueError("too large")
        data = json.loads(path.read_text(encoding="utf-8"))
        return KeyCard.from_json(data)
    except OSError as error:
        raise StationError(MSG_BAD_CARD, path=str(path), reason=error.strerror or "") from error
    except (ValueError, TypeError, UnicodeDecodeError) as error:
        raise StationError(MSG_BAD_CARD, path=str(path), reason=str(error)) from error
