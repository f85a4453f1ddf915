"""Where the application keeps its files. Computed when asked, never at import time."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "station-desktop"
DATA_DIR_ENV = "STATION_DESKTOP_DATA_DIR"


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


def default_data_dir() -> Path:
    """The platform's per-user data directory (e.g. ~/.local/share/station-desktop)."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def resolve_data_dir(option: str | None, environ: Mapping[str, str] | None = None) -> DataPaths:
    """--data-dir wins over the environment variable, which wins over the default."""
    env = os.environ if environ is None else environ
    chosen = option or env.get(DATA_DIR_ENV) or None
    root = Path(chosen).expanduser() if chosen else default_data_dir()
    return DataPaths(root.resolve())
