"""Where the application keeps its files. Computed when asked, never at import time."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "station-desktop"
DATA_DIR_ENV = "STATION_DESKTOP_DATA_DIR"
# The bureau's database server, when the data is not in the local file (README).
DATABASE_URL_ENV = "STATION_DESKTOP_DATABASE_URL"


@dataclass(frozen=True)
class DataPaths:
    root: Path

    @property
    def database(self) -> Path:
        return self.root / "station.sqlite3"

    @property
    def backups(self) -> Path:
        return self.root / "backups"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def drafts(self) -> Path:
        return self.root / "drafts"

    @property
    def lock(self) -> Path:
        return self.root / ".station-desktop.lock"

    @property
    def keys(self) -> Path:
        """This installation's private keys (signing and encryption of USB bundles)."""
        return self.root / "keys" / "bundle-keys.json"

    @property
    def key_slots(self) -> Path:
        """The workers' key slots of an encrypted database (store.cipher)."""
        return self.root / "key-slots.json"

    @property
    def sign_in_attempts(self) -> Path:
        """Failed sign-ins, for the growing delays (store.signin)."""
        return self.root / "sign-in-attempts.json"

    @property
    def database_setting(self) -> Path:
        """The database server this installation remembers (`station-desktop server use`)."""
        return self.root / "database.json"


def default_data_dir() -> Path:
    """The platform's per-user data directory (e.g. ~/.local/share/station-desktop)."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def resolve_data_dir(option: str | None, environ: Mapping[str, str] | None = None) -> DataPaths:
    """--data-dir wins over the environment variable, which wins over the default."""
    env = os.environ if environ is None else environ
    chosen = option or env.get(DATA_DIR_ENV) or None
    root = Path(chosen).expanduser() if chosen else default_data_dir()
    return DataPaths(root.resolve())


def remembered_database(paths: DataPaths) -> str | None:
    """The server address remembered in the data folder, if any (an unreadable or empty
    setting is no setting: the local file is used)."""
    try:
        value = json.loads(paths.database_setting.read_text(encoding="utf-8")).get("url")
    except (OSError, ValueError, AttributeError):
        return None
    return value if isinstance(value, str) and value.strip() else None


def resolve_database_url(
    option: str | None, paths: DataPaths, environ: Mapping[str, str] | None = None
) -> str | None:
    """Where the data is: --database-url wins over the environment variable, which wins
    over the setting remembered in the data folder; None means the local SQLite file."""
    env = os.environ if environ is None else environ
    return option or env.get(DATABASE_URL_ENV) or remembered_database(paths)
