"""A role a station head changes counts from the person's next sign-in: the staff row's
role is what the services check (the key slot's only until a staff row exists), the slot
is kept in step, and the change is in the audit trail."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from station_desktop.app import Application, open_application
from station_desktop.domain.codes import StaffRole
from station_desktop.errors import NotPermitted, StationError
from station_desktop.paths import DataPaths
from station_desktop.services.accounts import protect_store, sign_in
from station_desktop.store.audit import ROLE_CHANGE
from station_desktop.store.cipher import ARGON2_FLOOR, read_slots
from station_desktop.store.models import AuditEvent
from tests.conftest import FakeClock

HEAD, HEAD_PASSWORD = "罗布", "correct horse battery"
WORKER, WORKER_PASSWORD = "སྒྲོལ་མ", "ཐུགས་རྗེ་ཆེ། 2026"


@pytest.fixture
def paths(tmp_path: Path) -> DataPaths:
    return DataPaths(tmp_path / "data")


@pytest.fixture
def head(paths: DataPaths, clock: FakeClock) -> Iterator[Application]:
    person = protect_store(paths, HEAD, HEAD_PASSWORD, kdf=ARGON2_FLOOR)
    app = open_application(paths, clock=clock, key=person.data_key)
    app.stations.use_station("540102002")
    app.accounts.begin(person)
    app.accounts.add_worker(WORKER, StaffRole.SOCIAL_WORKER, WORKER_PASSWORD, kdf=ARGON2_FLOOR)
    yield app
    app.close()


def _sign_in_again(app: Application, paths: DataPaths, name: str, password: str) -> None:
    app.accounts.begin(sign_in(paths, name, password))


def test_a_worker_made_station_head_acts_as_one_at_the_next_sign_in(
    head: Application, paths: DataPaths
) -> None:
    _sign_in_again(head, paths, WORKER, WORKER_PASSWORD)
    with pytest.raises(StationError):
        head.accounts.add_worker("另一个人", StaffRole.SOCIAL_WORKER, "password 123")
    _sign_in_again(head, paths, HEAD, HEAD_PASSWORD)

    def role_changes() -> list[str]:
        with head.ctx.db.read() as session:
            query = select(AuditEvent.entity_id).where(AuditEvent.action == ROLE_CHANGE)
            return list(session.scalars(query))

    assert role_changes() == []
    assert head.accounts.change_role(WORKER, StaffRole.STATION_HEAD)
    changed = role_changes()
    assert not head.accounts.change_role(WORKER, "station_head")  # already: nothing more
    assert role_changes() == changed
    slot = read_slots(paths.key_slots).find(WORKER)
    assert slot is not None and slot.role == "station_head"  # kept in step
    assert changed and set(changed) == {str(slot.staff_id)}

    _sign_in_again(head, paths, WORKER, WORKER_PASSWORD)
    assert head.ctx.actor.role is StaffRole.STATION_HEAD
    assert head.accounts.signed_in is not None
    assert head.accounts.signed_in.role == "station_head"
    head.accounts.add_worker("另一个人", StaffRole.SOCIAL_WORKER, "password 123", kdf=ARGON2_FLOOR)


def test_a_demoted_head_can_no_longer_do_head_things(head: Application, paths: DataPaths) -> None:
    head.accounts.change_role(WORKER, StaffRole.STATION_HEAD)
    _sign_in_again(head, paths, WORKER, WORKER_PASSWORD)
    head.accounts.change_role(HEAD, StaffRole.SOCIAL_WORKER)  # the new head demotes the old

    _sign_in_again(head, paths, HEAD, HEAD_PASSWORD)
    assert head.ctx.actor.role is StaffRole.SOCIAL_WORKER
    with pytest.raises(StationError):
        head.accounts.add_worker("另一个人", StaffRole.SOCIAL_WORKER, "password 123")
    with pytest.raises(StationError):
        head.accounts.change_role(WORKER, StaffRole.SOCIAL_WORKER)
    worker = next(w for w in head.accounts.workers() if w.name == WORKER)
    assert worker.staff_id is not None
    with pytest.raises(NotPermitted):
        head.stations.change_role(worker.staff_id, StaffRole.SOCIAL_WORKER)


def test_the_staff_rows_role_counts_even_when_the_slot_says_otherwise(
    head: Application, paths: DataPaths
) -> None:
    """A role changed on the staff row alone (as a bundle from another laptop brings it)."""
    worker = next(w for w in head.accounts.workers() if w.name == WORKER)
    assert worker.staff_id is not None
    head.stations.change_role(worker.staff_id, StaffRole.STATION_HEAD)
    slot = read_slots(paths.key_slots).find(WORKER)
    assert slot is not None and slot.role == "social_worker"
    _sign_in_again(head, paths, WORKER, WORKER_PASSWORD)
    assert head.ctx.actor.role is StaffRole.STATION_HEAD


def test_the_last_station_head_is_not_demoted(head: Application) -> None:
    with pytest.raises(StationError, match="last station head"):
        head.accounts.change_role(HEAD, StaffRole.SOCIAL_WORKER)
    assert head.ctx.actor.role is StaffRole.STATION_HEAD
