"""Schema migrations (Alembic), run from the application, never at import time.

Alembic is imported only when a migration is due: on an ordinary start the stored revision
is read with one query and compared with `SCHEMA_HEAD` (a test keeps the two in step).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError, ProgrammingError

from station_desktop.store.engine import WRITE_OPTION

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy.engine import Connection

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
# The newest revision in migrations/versions (tests/unit/test_migrations.py checks it).
SCHEMA_HEAD = "0008_search_trigrams"


def _config(connection: Connection | None = None) -> Config:
    from alembic.config import Config  # noqa: PLC0415 - only when migrating

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory  # noqa: PLC0415

    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory  # noqa: PLC0415

    return {rev.revision for rev in ScriptDirectory.from_config(_config()).walk_revisions()}


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None when it has none yet)."""
    with engine.connect() as connection:
        try:
            return connection.execute(
                text("SELECT version_num FROM alembic_version")
            ).scalar_one_or_none()
        except (OperationalError, ProgrammingError):  # no alembic_version table yet
            return None


def upgrade_to_head(engine: Engine) -> None:
    from alembic import command  # noqa: PLC0415

    with engine.execution_options(**{WRITE_OPTION: True}).begin() as connection:
        command.upgrade(_config(connection), "head")
