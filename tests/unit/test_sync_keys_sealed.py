"""The installation's private bundle keys: sealed under the data key on an encrypted store,
plain (file mode only) without one, migrated once, and carried through a re-key."""

from __future__ import annotations

import json
import os
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from station_desktop.app import Application, open_application
from station_desktop.domain.codes import StaffRole
from station_desktop.errors import StationError
from station_desktop.paths import DataPaths
from station_desktop.services.accounts import protect_store, sign_in
from station_desktop.store.cipher import ARGON2_FLOOR
from station_desktop.sync.keys import (
    InstallationKeys,
    finish_reseal,
    load_or_create_keys,
    pending_path,
    prepare_reseal,
)
from tests.conftest import FakeClock
from tests.unit.test_cipher import HEAD, HEAD_PASSWORD, STATION, WORKER, WORKER_PASSWORD


@pytest.fixture
def paths(tmp_path: Path) -> DataPaths:
    return DataPaths(tmp_path / "data")


@pytest.fixture
def protected(paths: DataPaths, clock: FakeClock) -> Iterator[Application]:
    head = protect_store(paths, HEAD, HEAD_PASSWORD, kdf=ARGON2_FLOOR)
    app = open_application(paths, clock=clock, key=head.data_key)
    app.stations.use_station(STATION)
    app.accounts.begin(head)
    yield app
    app.close()


def private_texts(keys: InstallationKeys) -> list[bytes]:
    raw = keys.to_json()
    return [raw["signing"].encode(), raw["age"].encode()]


def assert_sealed(path: Path, keys: InstallationKeys) -> None:
    data = path.read_bytes()
    for secret in private_texts(keys):
        assert secret not in data
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_copied_folder_without_a_password_yields_no_private_key(
    protected: Application, paths: DataPaths, tmp_path: Path
) -> None:
    keys = protected.sync.keys()
    assert_sealed(paths.keys, keys)
    copy = tmp_path / "copy"
    shutil.copytree(paths.root, copy, ignore=shutil.ignore_patterns("*.lock"))
    copied = DataPaths(copy)
    for key in (None, os.urandom(32)):
        with pytest.raises(StationError):
            load_or_create_keys(copied.keys, key)
    # With the data key (a worker's password) they are the same keys.
    same = load_or_create_keys(copied.keys, protected.ctx.db.key)
    assert same.signing_key == keys.signing_key
    assert same.age_recipient == keys.age_recipient


def test_a_plain_keys_file_is_sealed_once_at_sign_in_losing_nothing(
    protected: Application, paths: DataPaths, clock: FakeClock
) -> None:
    before = InstallationKeys.generate()  # written before the keys were sealed
    paths.keys.parent.mkdir(parents=True, exist_ok=True)
    paths.keys.write_text(json.dumps(before.to_json()), encoding="utf-8")
    sign_in(paths, HEAD, HEAD_PASSWORD, now=clock)
    assert_sealed(paths.keys, before)
    sealed_once = paths.keys.read_bytes()
    sign_in(paths, HEAD, HEAD_PASSWORD, now=clock)
    assert paths.keys.read_bytes() == sealed_once  # not sealed again
    kept = protected.sync.keys()
    assert (kept.signing_key, kept.age_recipient) == (before.signing_key, before.age_recipient)


def test_removing_a_worker_reseals_the_keys_under_the_new_data_key(
    protected: Application, paths: DataPaths, clock: FakeClock
) -> None:
    keys = protected.sync.keys()
    old_key = protected.ctx.db.key
    protected.accounts.add_worker(WORKER, StaffRole.SOCIAL_WORKER, WORKER_PASSWORD)
    protected.accounts.remove_worker(WORKER)
    new_key = protected.ctx.db.key
    assert new_key is not None and new_key != old_key
    assert not pending_path(paths.keys).exists()
    with pytest.raises(StationError):
        load_or_create_keys(paths.keys, old_key)
    again = load_or_create_keys(paths.keys, sign_in(paths, HEAD, HEAD_PASSWORD, now=clock).data_key)
    assert again.signing_key == keys.signing_key
    assert_sealed(paths.keys, keys)


@pytest.mark.parametrize("crashed", ["before the re-key", "after the re-key"])
def test_a_reseal_cut_off_by_a_crash_keeps_the_keys_that_open(tmp_path: Path, crashed: str) -> None:
    path = tmp_path / "keys" / "bundle-keys.json"
    old_key, new_key = os.urandom(32), os.urandom(32)
    keys = load_or_create_keys(path, old_key)
    prepare_reseal(path, old_key, new_key)
    assert pending_path(path).exists()
    current = old_key if crashed == "before the re-key" else new_key
    assert load_or_create_keys(path, current).signing_key == keys.signing_key
    assert not pending_path(path).exists()
    assert load_or_create_keys(path, current).signing_key == keys.signing_key
    finish_reseal(path)  # nothing waiting: nothing done
    assert load_or_create_keys(path, current).signing_key == keys.signing_key


def test_without_a_data_key_the_keys_stay_plain_and_private(tmp_path: Path) -> None:
    """The bureau's PostgreSQL server (no data key): file mode and the server's access
    control protect them, as before."""
    path = tmp_path / "keys" / "bundle-keys.json"
    keys = load_or_create_keys(path, None)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert private_texts(keys)[1] in path.read_bytes()
    assert load_or_create_keys(path, None).signing_key == keys.signing_key
