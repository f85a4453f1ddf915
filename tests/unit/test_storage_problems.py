"""A full disk, a held lock or a read-only folder: the reader gets a message with a way
forward, nothing of the action is half-saved, and what was saved before stays."""

from __future__ import annotations

import errno
import sqlite3
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from station_desktop.app import Application
from station_desktop.errors import DataBusy, DataReadOnly, DiskFull, StorageProblem
from station_desktop.store.failures import storage_problem
from station_desktop.store.models import ChangeLogEntry, Resident
from tests.conftest import fill_until_full


def test_a_full_disk_refuses_the_action_whole_and_keeps_what_was_saved(
    nearly_full: Application,
) -> None:
    app = nearly_full
    saved: list[uuid.UUID] = []
    with pytest.raises(DiskFull) as full:
        fill_until_full(app, saved)
    assert str(app.paths.root) in full.value.english()
    assert 0 < len(saved) < 1000
    with app.ctx.db.read() as session:
        residents = set(session.scalars(select(Resident.id)))
        logged = session.scalar(select(func.count()).where(ChangeLogEntry.entity == "resident"))
        check = session.execute(text("PRAGMA integrity_check")).scalar_one()
    assert residents == set(saved)  # every acknowledged one, and not the refused one
    assert logged == len(saved)
    assert check == "ok"


def test_a_held_lock_is_data_busy(tmp_path: Path) -> None:
    path = tmp_path / "busy.sqlite"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN IMMEDIATE")
    waiter = sqlite3.connect(path, timeout=0, isolation_level=None)
    with pytest.raises(sqlite3.OperationalError) as locked:
        waiter.execute("BEGIN IMMEDIATE")
    holder.rollback()
    assert isinstance(storage_problem(locked.value, tmp_path), DataBusy)


def test_file_system_refusals_name_the_folder(tmp_path: Path) -> None:
    full = storage_problem(OSError(errno.ENOSPC, "No space left on device"), tmp_path)
    assert isinstance(full, DiskFull) and str(tmp_path) in full.english()
    read_only = storage_problem(OSError(errno.EROFS, "Read-only file system"), tmp_path)
    assert isinstance(read_only, DataReadOnly) and str(tmp_path) in read_only.english()
    assert isinstance(storage_problem(OSError(errno.EIO, "I/O error"), tmp_path), StorageProblem)
    assert storage_problem(ValueError("a bug"), tmp_path) is None
    assert storage_problem(sqlite3.OperationalError("no such table: x"), tmp_path) is None
