"""Where an installation keeps its own facts: the device id its changes are numbered under
and the station it serves. These facts are never replicated.

A station laptop's database file is its own, so its facts live in the file's `local_state`
table, written in the same transactions as everything else.

A bureau's database on a server is shared by several laptops, and each of them must number
its changes under a device id of its own (two laptops under one id would hand out the same
sequence numbers). So there each laptop keeps its facts in its data folder, in
`installation.json`, filed under the identity of the database they belong to: a laptop
pointed first at a test database and then at the real one is a different device in each,
and its change numbers in one can never be mistaken for those in the other. The station a
laptop serves is its own choice too; settings that are the bureau's (the visiting rhythm)
stay in the shared `local_state`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Protocol

from filelock import FileLock
from sqlalchemy.orm import Session

from station_desktop.store.changes import get_local_state, set_local_state
from station_desktop.store.files import write_atomically

INSTALLATION_FILE = "installation.json"
# Whom an installation's data is for: one station's laptop, or the bureau, which receives
# every station and serves none (kept in the database's local_state: every laptop sharing
# the bureau's server is the bureau's).
ROLE_KEY = "installation_role"
ROLE_STATION = "station"
ROLE_BUREAU = "bureau"
ROLES = (ROLE_STATION, ROLE_BUREAU)
# The key of a server database's own identity in its (shared) local_state.
DATABASE_ID_KEY = "database_id"


class Installation(Protocol):
    """Read and write this installation's facts (`session`: the transaction at hand)."""

    def get(self, session: Session, key: str) -> str | None: ...

    def set(self, session: Session, key: str, value: str) -> None: ...


class DatabaseInstallation:
    """A laptop's own database file holds its facts."""

    def get(self, session: Session, key: str) -> str | None:
        return get_local_state(session, key)

    def set(self, session: Session, key: str, value: str) -> None:
        set_local_state(session, key, value)


class FolderInstallation:
    """The data folder holds this laptop's facts about one shared database."""

    def __init__(self, folder: Path, database_id: str) -> None:
        self.path = folder / INSTALLATION_FILE
        self.database_id = database_id

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        return data if isinstance(data, dict) else {}

    def facts(self) -> dict[str, str]:
        entry = self._read().get("databases", {}).get(self.database_id, {})
        return {str(k): str(v) for k, v in entry.items()} if isinstance(entry, dict) else {}

    def get(self, session: Session, key: str) -> str | None:
        return self.facts().get(key)

    def set(self, session: Session, key: str, value: str) -> None:
        # Two copies of the program on one laptop (the window and a command) may both
        # write: read, change and replace the file under a lock, atomically.
        with FileLock(self.path.with_name(f".{self.path.name}.lock"), timeout=10):
            data = self._read()
            databases = data.setdefault("databases", {})
            databases.setdefault(self.database_id, {})[key] = value
            text = json.dumps(data, indent=2, sort_keys=True) + "\n"
            write_atomically(self.path, text.encode("utf-8"))


def installation_role(session: Session) -> str:
    return get_local_state(session, ROLE_KEY) or ROLE_STATION
