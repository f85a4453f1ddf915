"""The migrated database is exactly what the models describe."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from station_desktop.store.engine import WRITE_OPTION, create_store_engine
from station_desktop.store.migrate import _config, upgrade_to_head
from station_desktop.store.models import Base


def test_migrated_empty_database_matches_the_models(tmp_path: Path) -> None:
    engine = create_store_engine(f"sqlite:///{tmp_path}/m.sqlite3")
    upgrade_to_head(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    engine.dispose()


def test_downgrade_to_nothing_and_back(tmp_path: Path) -> None:
    engine = create_store_engine(f"sqlite:///{tmp_path}/m.sqlite3")
    upgrade_to_head(engine)
    with engine.execution_options(**{WRITE_OPTION: True}).begin() as connection:
        command.downgrade(_config(connection), "base")
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    upgrade_to_head(engine)
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_the_schema_head_constant_is_alembics_head() -> None:
    from station_desktop.store.migrate import SCHEMA_HEAD, head_revision

    assert head_revision() == SCHEMA_HEAD
