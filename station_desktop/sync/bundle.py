"""The bundle file: signed by the installation that made it, then encrypted to its
recipients (age, X25519). A lost stick reveals nothing; a changed byte is refused.

Inside the age encryption:

    "SDBUNDLE" version(1 byte)
    manifest length (4 bytes, big-endian) | manifest (canonical JSON)
    signature length (2 bytes)            | Ed25519 signature of the manifest
    payload length (8 bytes)              | payload: zlib-compressed lines of entries

The manifest names the payload's SHA-256, so the one signature covers everything. Reading
is a stream (the file is decrypted in 64 KiB pieces into `BundleReader`), so memory stays
small whatever the size; every length is bounded, the expansion of the payload is capped
(a compression bomb stops at the cap), and nothing may follow the payload. Nothing is
extracted to disk.
"""

from __future__ import annotations

import hashlib
import io
import struct
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyrage
from pyrage import x25519

from station_desktop.errors import StationError
from station_desktop.i18n import N_
from station_desktop.store.changes import canonical_json
from station_desktop.store.files import write_atomically
from station_desktop.sync.entries import MAX_LINE_BYTES, strict_json
from station_desktop.sync.keys import InstallationKeys

MAGIC = b"SDBUNDLE"
FORMAT_VERSION = 1
SIGNATURE_CONTEXT = b"station-desktop bundle v1\x00"
AGE_HEADER = b"age-encryption.org/v1"
MAX_BUNDLE_BYTES = 1 << 30
MAX_MANIFEST_BYTES = 8 << 20
MAX_SIGNATURE_BYTES = 128
MAX_EXPANSION = 64  # decompressed payload at most 64× its compressed size, plus a slack
EXPANSION_SLACK = 16 << 20
MAX_PLAIN_PAYLOAD = 8 << 30
BUNDLE_SUFFIX = ".sdbundle"


class BundleRefused(StationError):
    """A bundle that is not taken; nothing was written. The message names the file."""

    NOT_A_BUNDLE = N_("{path} is not a Station Desktop bundle. Nothing was changed.")
    MISSING = N_("{path} does not exist or is not a file. Nothing was changed.")
    TOO_LARGE = N_("{path} is larger than a bundle can be ({limit} MB). Nothing was changed.")
    NOT_FOR_US = N_(
        "{path} was made for other laptops, not for this one: it cannot be opened here. "
        "Nothing was changed. Ask whoever made it to send it to this laptop too (it must "
        "trust this laptop's key card first)."
    )
    DAMAGED = N_(
        "{path} is damaged or incomplete (perhaps the USB stick was pulled out while it "
        "was written), so it was refused. Nothing was changed. Make the bundle again."
    )
    TAMPERED = N_(
        "{path} has been changed since it was made (its signature does not match), so it "
        "was refused. Nothing was changed."
    )
    UNKNOWN_SIGNER = N_(
        "{path} was made by a laptop this one does not trust ({device}, fingerprint "
        "{fingerprint}). Nothing was changed. Check that fingerprint with the person who "
        "made it, then trust its key card with {command}."
    )
    REVOKED = N_(
        "{path} was made by a laptop whose access has been withdrawn ({device}). Nothing "
        "was changed."
    )
    NEWER = N_(
        "{path} was made by a newer version of Station Desktop. Nothing was changed. "
        "Update this laptop first."
    )
    BOMB = N_(
        "{path} expands to far more data than a bundle can hold, so it was refused. "
        "Nothing was changed."
    )
    BAD_CONTENT = N_(
        "{path} holds a change this laptop cannot take (entry {line}: {reason}), so the "
        "whole bundle was refused. Nothing was changed."
    )
    NOT_ALLOWED = N_(
        "{path} holds changes its maker may not make ({reason}), so the whole bundle was "
        "refused. Nothing was changed."
    )
    REPLAYED = N_(
        "{path} is older than a bundle already received from the same laptop, and not "
        "one received before. Nothing was changed."
    )


@dataclass(frozen=True)
class WrittenBundle:
    path: Path
    bytes: int
    entries: int


def _frame(manifest: bytes, signature: bytes, payload: bytes) -> bytes:
    return b"".join(
        (
            MAGIC,
            bytes([FORMAT_VERSION]),
            struct.pack(">I", len(manifest)),
            manifest,
            struct.pack(">H", len(signature)),
            signature,
            struct.pack(">Q", len(payload)),
            payload,
        )
    )


def write_bundle(
    path: Path,
    manifest: dict[str, Any],
    lines: Iterable[bytes],
    keys: InstallationKeys,
    recipients: Iterable[str],
) -> WrittenBundle:
    """Compress `lines`, complete and sign `manifest`, encrypt to `recipients` (age
    recipient strings) and write `path` atomically (temporary name, fsync, rename)."""
    compressor = zlib.compressobj(6)
    payload = io.BytesIO()
    entries = 0
    for line in lines:
        payload.write(compressor.compress(line + b"\n"))
        entries += 1
    payload.write(compressor.flush())
    data = payload.getvalue()
    full = {
        **manifest,
        "entries": entries,
        "payload_sha256": hashlib.sha256(data).hexdigest(),
        "payload_bytes": len(data),
    }
    manifest_bytes = canonical_json(full).encode()
    signature = keys.sign(SIGNATURE_CONTEXT + manifest_bytes)
    inner = _frame(manifest_bytes, signature, data)
    targets = [x25519.Recipient.from_str(r) for r in dict.fromkeys(recipients)]

    def encrypt(temp: Path) -> None:
        with temp.open("wb") as out:
            pyrage.encrypt_io(io.BytesIO(inner), out, targets)

    write_atomically(path, encrypt)
    return WrittenBundle(path, path.stat().st_size, entries)


# ---------------------------------------------------------------- reading


class _Stop(Exception):
    """Raised inside the decryption stream to stop it with a refusal."""

    def __init__(self, refusal: BundleRefused) -> None:
        self.refusal = refusal


ManifestCheck = Callable[[dict[str, Any], bytes, bytes], None]
LineHandler = Callable[[bytes, int], object]


class BundleReader:
    """Takes the decrypted bytes piece by piece (a file-like `write`), checks the frame,
    hands over the manifest (with its bytes and signature) once complete, and each line of
    the payload as it is decompressed. Either raises BundleRefused or, at `finish`,
    has checked that the payload is whole and exactly what the manifest signed."""

    def __init__(self, path: Path, on_manifest: ManifestCheck, on_line: LineHandler) -> None:
        self.path = path
        self.on_manifest = on_manifest
        self.on_line = on_line
        self._buffer = bytearray()
        self._stage = "header"
        self._need = len(MAGIC) + 1
        self._manifest: dict[str, Any] = {}
        self._manifest_bytes = b""
        self._payload_left = 0
        self._hasher = hashlib.sha256()
        self._inflate = zlib.decompressobj()
        self._plain_limit = 0
        self._plain = 0
        self._line = bytearray()
        self.lines = 0

    def refuse(self, message: str, **params: Any) -> _Stop:
        return _Stop(BundleRefused(message, path=str(self.path), **params))

    # file-like protocol for pyrage.decrypt_io
    def write(self, data: bytes) -> int:
        view = memoryview(data)
        while view:
            if self._stage == "payload":
                take = min(len(view), self._payload_left)
                self._payload(bytes(view[:take]))
                view = view[take:]
                if self._payload_left == 0:
                    self._stage = "end"
                continue
            if self._stage == "end":
                raise self.refuse(BundleRefused.DAMAGED)  # bytes after the payload
            take = min(len(view), self._need - len(self._buffer))
            self._buffer += view[:take]
            view = view[take:]
            if len(self._buffer) == self._need:
                self._advance(bytes(self._buffer))
                self._buffer.clear()
        return len(data)

    def flush(self) -> None:
        return None

    def _advance(self, chunk: bytes) -> None:
        stage = self._stage
        if stage == "header":
            if chunk[: len(MAGIC)] != MAGIC:
                raise self.refuse(BundleRefused.NOT_A_BUNDLE)
            if chunk[-1] > FORMAT_VERSION:
                raise self.refuse(BundleRefused.NEWER)
            self._stage, self._need = "manifest-length", 4
        elif stage == "manifest-length":
            length = struct.unpack(">I", chunk)[0]
            if not 0 < length <= MAX_MANIFEST_BYTES:
                raise self.refuse(BundleRefused.DAMAGED)
            self._stage, self._need = "manifest", length
        elif stage == "manifest":
            self._manifest_bytes = chunk
            try:
                manifest = strict_json(chunk)
            except (ValueError, UnicodeDecodeError):
                raise self.refuse(BundleRefused.DAMAGED) from None
            if not isinstance(manifest, dict):
                raise self.refuse(BundleRefused.DAMAGED)
            self._manifest = manifest
            self._stage, self._need = "signature-length", 2
        elif stage == "signature-length":
            length = struct.unpack(">H", chunk)[0]
            if not 0 < length <= MAX_SIGNATURE_BYTES:
                raise self.refuse(BundleRefused.DAMAGED)
            self._stage, self._need = "signature", length
        elif stage == "signature":
            try:
                self.on_manifest(self._manifest, self._manifest_bytes, chunk)
            except BundleRefused as refusal:
                raise _Stop(refusal) from None
            self._stage, self._need = "payload-length", 8
        elif stage == "payload-length":
            length = struct.unpack(">Q", chunk)[0]
            if length != self._manifest.get("payload_bytes"):
                raise self.refuse(BundleRefused.TAMPERED)
            self._payload_left = length
            self._plain_limit = min(MAX_PLAIN_PAYLOAD, length * MAX_EXPANSION + EXPANSION_SLACK)
            self._stage = "payload" if length else "end"

    def _payload(self, chunk: bytes) -> None:
        self._payload_left -= len(chunk)
        self._hasher.update(chunk)
        data = chunk
        while data:
            try:
                plain = self._inflate.decompress(data, 1 << 20)
            except zlib.error:
                raise self.refuse(BundleRefused.DAMAGED) from None
            data = self._inflate.unconsumed_tail
            self._plain += len(plain)
            if self._plain > self._plain_limit:
                raise self.refuse(BundleRefused.BOMB)
            self._lines(plain)
            if self._inflate.eof and (data or self._inflate.unused_data):
                raise self.refuse(BundleRefused.DAMAGED)

    def _lines(self, plain: bytes) -> None:
        start = 0
        while True:
            end = plain.find(b"\n", start)
            if end < 0:
                self._line += plain[start:]
                if len(self._line) > MAX_LINE_BYTES:
                    raise self.refuse(BundleRefused.BOMB)
                return
            self._line += plain[start:end]
            self.lines += 1
            try:
                self.on_line(bytes(self._line), self.lines)
            except BundleRefused as refusal:
                raise _Stop(refusal) from None
            self._line.clear()
            start = end + 1

    def finish(self) -> dict[str, Any]:
        """After the last byte: the frame is complete and the payload is what was signed."""
        if self._stage != "end" or not self._inflate.eof or self._line:
            raise BundleRefused(BundleRefused.DAMAGED, path=str(self.path))
        if self._hasher.hexdigest() != self._manifest.get("payload_sha256"):
            raise BundleRefused(BundleRefused.TAMPERED, path=str(self.path))
        if self.lines != self._manifest.get("entries"):
            raise BundleRefused(BundleRefused.TAMPERED, path=str(self.path))
        return self._manifest


def check_file(path: Path) -> None:
    """Whether the file can be a bundle at all (a file, its size, the age header)."""
    if not path.is_file():
        raise BundleRefused(BundleRefused.MISSING, path=str(path))
    try:
        if path.stat().st_size > MAX_BUNDLE_BYTES:
            raise BundleRefused(
                BundleRefused.TOO_LARGE, path=str(path), limit=MAX_BUNDLE_BYTES >> 20
            )
        with path.open("rb") as handle:
            header = handle.read(len(AGE_HEADER))
    except OSError as error:
        raise BundleRefused(BundleRefused.NOT_A_BUNDLE, path=str(path)) from error
    if header != AGE_HEADER:
        raise BundleRefused(BundleRefused.NOT_A_BUNDLE, path=str(path))


def read_bundle(
    path: Path,
    identity: x25519.Identity,
    on_manifest: ManifestCheck,
    on_line: LineHandler,
) -> dict[str, Any]:
    """Decrypt and read the bundle from its file as a stream (memory stays small whatever
    its size); returns its manifest once every check has passed. Raises BundleRefused
    (whatever the callbacks raise, or the file's own fault). Read twice (checking, then
    writing), a file changed in between fails the second reading's checks."""
    reader = BundleReader(path, on_manifest, on_line)
    try:
        with path.open("rb") as source:
            pyrage.decrypt_io(source, reader, [identity])
    except _Stop as stop:
        raise stop.refusal from None
    except pyrage.DecryptError as error:
        if "No matching keys" in str(error):
            raise BundleRefused(BundleRefused.NOT_FOR_US, path=str(path)) from None
        raise BundleRefused(BundleRefused.DAMAGED, path=str(path)) from None
    except (OSError, ValueError):  # a damaged or cut age stream ("decryption error")
        raise BundleRefused(BundleRefused.DAMAGED, path=str(path)) from None
    return reader.finish()
