"""Drafts: what a social worker has typed into a form but not yet saved, kept on disk.

One JSON file (UTF-8) per draft in `DataPaths.drafts`. Each write goes to a temporary file
of its own, is fsynced and then renamed over the draft, so a crash or a power cut leaves the
old draft or the new one, never a broken one. File names are a hash of the draft key: keys
may hold anything (record ids, names), and names must not leak into a folder listing nor
trip over characters Windows forbids. A file that cannot be read as a draft is kept aside as
`*.bad` (for a person to look at) and otherwise ignored: reading drafts never fails.

With a key (derived from an encrypted store's data key: `Application.drafts`), each file is
AES-256-GCM sealed, so what was typed is as unreadable on disk as the database; a sealed
draft that does not open (another key, tampered) is left alone, never shown.

No Qt here: the editors in `ui/forms` call this, and so can tests and tools.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import os
import shutil
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from station_desktop.store.files import TEMP_SUFFIX, commit_temp_file, fsync_directory

log = logging.getLogger(__name__)

DraftValue = str | list[str] | None
DraftValues = dict[str, DraftValue]

FORMAT = 1
SUFFIX = ".json"
SEALED_MAGIC = b"SDDRAFT1"
NONCE_BYTES = 12
BAD_SUFFIX = ".bad"
PREFIX = "draft-"
# 128 bits of SHA-256: no collisions in practice, and short paths for Windows' MAX_PATH.
HASH_CHARS = 32
# Windows refuses to rename over a file another program (a virus scanner, a backup tool)
# has open for a moment; a few short retries ride over that.
REPLACE_ATTEMPTS = 5
REPLACE_PAUSE_S = 0.05
# A temporary file older than this is left over from a crash, not being written.
LEFTOVER_AGE_S = 60.0
# Drafts sealed under the next data key while the data is re-keyed (see `prepare_reseal`).
PENDING_FOLDER = ".next-key"


def _at(when: datetime) -> datetime:
    return when


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Draft:
    key: str
    form_code: str
    form_version: int
    saved_at: datetime  # aware, UTC
    values: DraftValues


class DraftFormatError(ValueError):
    """The file is not a draft this version can read."""


def _check_values(raw: object) -> DraftValues:
    if not isinstance(raw, dict):
        raise DraftFormatError("values is not an object")
    values: DraftValues = {}
    for name, value in raw.items():
        if value is None or isinstance(value, str):
            values[name] = value
        elif isinstance(value, list) and all(isinstance(item, str) for item in value):
            values[name] = list(value)
        else:
            raise DraftFormatError(f"value of {name!r} is neither text nor a list of texts")
    return values


def _parse(data: bytes) -> Draft:
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DraftFormatError(str(error)) from error
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise DraftFormatError("not a draft, or a draft format this version does not know")
    key, code = document.get("key"), document.get("form_code")
    version, saved_at = document.get("form_version"), document.get("saved_at")
    if not isinstance(key, str) or not isinstance(code, str) or not isinstance(saved_at, str):
        raise DraftFormatError("key, form_code or saved_at missing")
    if not isinstance(version, int) or isinstance(version, bool):
        raise DraftFormatError("form_version is not a number")
    try:
        when = datetime.fromisoformat(saved_at)
    except ValueError as error:
        raise DraftFormatError(str(error)) from error
    if when.tzinfo is None:
        raise DraftFormatError("saved_at has no time zone")
    return Draft(key, code, version, when.astimezone(UTC), _check_values(document.get("values")))


def _encode(document: Mapping[str, Any]) -> bytes:
    try:
        # Readable UTF-8, so a person can still rescue a draft with a text editor.
        return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate (a broken input method) cannot be UTF-8; escaped it can, and it
        # still reads back exactly. Losing the whole draft over one character would be worse.
        return json.dumps(document, ensure_ascii=True, indent=1).encode("utf-8")


class DraftStore:
    """Drafts kept in `folder` (created on the first save). Safe to use from several
    threads and processes at once: the last complete write wins."""

    def __init__(
        self,
        folder: Path,
        *,
        clock: Callable[[], datetime] = _utc_now,
        key: bytes | Callable[[], bytes | None] | None = None,
    ) -> None:
        self.folder = folder
        self._clock = clock
        # A function gives the key of the moment: a form left open while a worker is
        # removed (the data re-keyed) goes on saving drafts that the new key opens.
        self._key_source = key

    @property
    def _key(self) -> bytes | None:
        source = self._key_source
        return source() if callable(source) else source

    def _seal(self, data: bytes) -> bytes:
        key = self._key  # derived anew each time: a function may give it
        if key is None:
            return data
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # noqa: PLC0415

        nonce = os.urandom(NONCE_BYTES)
        return SEALED_MAGIC + nonce + AESGCM(key).encrypt(nonce, data, SEALED_MAGIC)

    def _unseal(self, data: bytes) -> bytes | None:
        """The draft's JSON; None for a sealed draft this store's key does not open."""
        if not data.startswith(SEALED_MAGIC):
            return data
        key = self._key
        if key is None:
            return None
        from cryptography.exceptions import InvalidTag  # noqa: PLC0415
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # noqa: PLC0415

        nonce = data[len(SEALED_MAGIC) : len(SEALED_MAGIC) + NONCE_BYTES]
        try:
            return AESGCM(key).decrypt(nonce, data[len(SEALED_MAGIC) + NONCE_BYTES :], SEALED_MAGIC)
        except InvalidTag:
            return None

    def path_for(self, key: str) -> Path:
        digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
        return self.folder / f"{PREFIX}{digest[:HASH_CHARS]}{SUFFIX}"

    # ------------------------------------------------------------ writing

    def save(
        self, key: str, form_code: str, form_version: int, values: Mapping[str, DraftValue]
    ) -> None:
        """Write the draft durably (old or new survives a power cut). Raises OSError when the
        disk refuses (full, read-only); the caller keeps the values and may try again."""
        document = {
            "format": FORMAT,
            "key": key,
            "form_code": form_code,
            "form_version": form_version,
            "saved_at": self._clock().astimezone(UTC).isoformat(),
            "values": _check_values(dict(values)),
        }
        data = self._seal(_encode(document))
        final = self.path_for(key)
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        # A temporary name of its own per write: two writers of one key (two windows, two
        # threads) must never write into the same temporary file.
        temp = final.with_name(f".{final.name}.{uuid.uuid4().hex}{TEMP_SUFFIX}")
        try:
            with temp.open("xb") as handle:
                handle.write(data)
            self._commit(temp, final)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise

    @staticmethod
    def _commit(temp: Path, final: Path) -> None:
        for attempt in range(REPLACE_ATTEMPTS):
            try:
                commit_temp_file(temp, final)
                return
            except PermissionError:
                if os.name != "nt" or attempt == REPLACE_ATTEMPTS - 1:
                    raise
                time.sleep(REPLACE_PAUSE_S)

    def discard(self, key: str) -> None:
        """Forget the draft (after the record was saved). Durable: a draft that came back
        after a power cut could be saved a second time."""
        path = self.path_for(key)
        try:
            path.unlink()
        except FileNotFoundError:
            return
        fsync_directory(path.parent)

    def remove_leftovers(self, older_than_s: float = LEFTOVER_AGE_S) -> list[Path]:
        """Delete temporary files that a crash left behind (never valid drafts). Files younger
        than `older_than_s` may belong to a write in progress and are kept."""
        removed: list[Path] = []
        if not self.folder.is_dir():
            return removed
        limit = time.time() - older_than_s
        for path in self.folder.glob(f".{PREFIX}*{TEMP_SUFFIX}"):
            try:
                if path.stat().st_mtime < limit:
                    path.unlink()
                    removed.append(path)
            except FileNotFoundError:
                continue
        return removed

    # ------------------------------------------------------------ reading

    def load(self, key: str) -> Draft | None:
        """The draft saved under `key`, or None (none, unreadable, or damaged: set aside)."""
        self._settle_reseal()
        draft = self._read(self.path_for(key))
        if draft is None or draft.key != key:
            return None
        return draft

    def all(self) -> list[Draft]:
        """Every readable draft, the most recently saved first."""
        if not self.folder.is_dir():
            return []
        self._settle_reseal()
        drafts = [
            draft
            for path in sorted(self.folder.glob(f"{PREFIX}*{SUFFIX}"))
            if (draft := self._read(path)) is not None
        ]
        return sorted(drafts, key=lambda d: (d.saved_at, d.key), reverse=True)

    def _read(self, path: Path) -> Draft | None:
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as error:
            # Unreadable just now (locked, permissions): not known to be damaged, so left alone.
            log.warning("cannot read draft %s: %s", path.name, error)
            return None
        opened = self._unseal(data)
        if opened is None:
            log.warning("draft %s is sealed under another key; left alone", path.name)
            return None
        try:
            return _parse(opened)
        except DraftFormatError as error:
            self._set_aside(path, str(error))
            return None

    # ------------------------------------------------------------ a new data key

    def prepare_reseal(self, new_key: bytes) -> None:
        """Before the data is re-keyed (a worker removed): every draft this store's key
        opens, sealed under `new_key` in a folder beside them. The drafts themselves are
        left as they are until `finish_reseal`, so a crash at any step loses none: the
        next reading keeps whichever copy the data key of that moment opens."""
        pending = self.folder / PENDING_FOLDER
        if not self.folder.is_dir():
            return
        self._settle_reseal()
        shutil.rmtree(pending, ignore_errors=True)
        resealed = DraftStore(pending, key=new_key)
        for draft in self.all():
            resealed._clock = functools.partial(_at, draft.saved_at)
            resealed.save(draft.key, draft.form_code, draft.form_version, draft.values)

    def finish_reseal(self, new_key: bytes) -> None:
        """After the re-key: the drafts sealed under the new key take the old ones' place."""
        DraftStore(self.folder, key=new_key, clock=self._clock)._settle_reseal()

    def _settle_reseal(self) -> None:
        """A re-key's drafts left beside the others move into place once this store's key
        opens them (the re-key happened). Those it does not open stay where they are, for
        a store under the new key (a reading under the old one may come first) or until
        the next re-key clears them: sealed, they show nothing."""
        pending = self.folder / PENDING_FOLDER
        if self._key is None or not pending.is_dir():
            return
        moved = False
        for path in pending.glob(f"{PREFIX}*{SUFFIX}"):
            try:
                opens = self._unseal(path.read_bytes()) is not None
            except OSError:
                continue  # unreadable just now: settled at a later reading
            if opens:
                os.replace(path, self.folder / path.name)
                moved = True
        if moved:
            fsync_directory(self.folder)
        with contextlib.suppress(OSError):
            pending.rmdir()  # only once empty

    def _set_aside(self, path: Path, reason: str) -> None:
        stamp = self._clock().astimezone(UTC).strftime("%Y%m%dT%H%M%S")
        target = path.with_name(f"{path.stem}.{stamp}.{uuid.uuid4().hex[:8]}{BAD_SUFFIX}")
        log.warning("damaged draft %s kept aside as %s: %s", path.name, target.name, reason)
        try:
            os.replace(path, target)
        except OSError as error:
            log.warning("cannot set damaged draft %s aside: %s", path.name, error)
