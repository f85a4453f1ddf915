"""Encryption at rest (issue 14): what a person who copies the data folder, a backup or a
draft can read without a password (nothing), and what the passwords open."""

from __future__ import annotations

import json
import os
import shutil
import stat
import uuid
from collections.abc import Iterator
from pathlib import Path

import pyrage
import pytest

from station_desktop.app import Application, open_application
from station_desktop.domain.codes import StaffRole
from station_desktop.drafts import DraftStore
from station_desktop.errors import StationError
from station_desktop.paths import DataPaths
from station_desktop.services.accounts import (
    SignedIn,
    protect_store,
    recover_password,
    sign_in,
)
from station_desktop.store.cipher import (
    ARGON2_FLOOR,
    KdfParams,
    LockedOut,
    SlotsTampered,
    WrongPassword,
    calibrate,
    connect,
    derive_key,
    read_slots,
    sidecar,
)
from station_desktop.store.opening import open_store
from station_desktop.store.signin import FREE_ATTEMPTS
from tests.conftest import FakeClock

HEAD, HEAD_PASSWORD = "罗布", "correct horse battery"
WORKER, WORKER_PASSWORD = "སྒྲོལ་མ", "ཐུགས་རྗེ་ཆེ། 2026"
MARKER_NAME = "MARKERNAME扎西德勒"
MARKER_ID = "11010519491231002X"
MARKER_NOTE = "MARKERNOTE 他需要轮椅"
STATION = "540102002"


def open_signed_in(paths: DataPaths, person: SignedIn, clock: FakeClock) -> Application:
    app = open_application(paths, clock=clock, key=person.data_key)
    app.accounts.begin(person)
    return app


@pytest.fixture
def paths(tmp_path: Path) -> DataPaths:
    return DataPaths(tmp_path / "data")


@pytest.fixture
def protected(paths: DataPaths, clock: FakeClock) -> Iterator[Application]:
    """A new station laptop: its first administrator, then the station."""
    head = protect_store(paths, HEAD, HEAD_PASSWORD, kdf=ARGON2_FLOOR)
    app = open_application(paths, clock=clock, key=head.data_key)
    app.stations.use_station(STATION)
    app.accounts.begin(head)
    yield app
    app.close()


def write_markers(app: Application) -> uuid.UUID:
    resident = app.residents.register(
        {"name_zh": MARKER_NAME, "id_number": MARKER_ID, "legal_basis": "statutory_duty"}
    )
    case = app.cases.open(
        {
            "resident_id": resident,
            "opened_on": "2026-05-01",
            "source": "self",
            "presenting_problem": "x",
        }
    )
    app.cases.add_note(case, "2026-05-02", MARKER_NOTE)
    return resident


def every_file(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def assert_no_markers(files: list[Path]) -> None:
    for path in files:
        data = path.read_bytes()
        for marker in (MARKER_NAME, MARKER_ID, MARKER_NOTE, "MARKERNAME", "MARKERNOTE"):
            for encoding in ("utf-8", "utf-16-le"):
                assert marker.encode(encoding) not in data, (marker, path.name)


def test_markers_are_nowhere_on_disk_after_a_session_of_work(
    protected: Application, paths: DataPaths
) -> None:
    resident = write_markers(protected)
    protected.backups.back_up("manual")
    protected.drafts.save(
        f"HV-01:for:{resident}", "HV-01", 1, {"notes": MARKER_NOTE, "id": MARKER_ID}
    )
    # As after a crash: the window still holds the data, its WAL not yet checkpointed.
    wal = Path(f"{paths.database}-wal")
    assert wal.exists() and wal.stat().st_size > 0
    files = every_file(paths.root)
    assert {p.parent.name for p in files} >= {"data", "backups", "drafts"}
    assert_no_markers(files)
    # …and what was written is there for the one who signs in.
    assert protected.drafts.load(f"HV-01:for:{resident}") is not None
    assert protected.residents.get(resident).name_zh == MARKER_NAME  # type: ignore[union-attr]


def test_a_wrong_password_or_unknown_name_leaves_the_file_byte_identical(
    protected: Application, paths: DataPaths, clock: FakeClock
) -> None:
    write_markers(protected)
    protected.close()
    before = {p: p.read_bytes() for p in (paths.database, paths.key_slots)}
    with pytest.raises(WrongPassword) as wrong:
        sign_in(paths, HEAD, "not the password", now=clock)
    with pytest.raises(WrongPassword) as unknown:
        sign_in(paths, "nobody here", HEAD_PASSWORD, now=clock)
    assert str(wrong.value.message) == str(unknown.value.message)
    assert {p: p.read_bytes() for p in before} == before
    assert sign_in(paths, HEAD, HEAD_PASSWORD, now=clock).role == StaffRole.STATION_HEAD.value


def test_delays_grow_after_wrong_passwords_and_unknown_names_alike(
    protected: Application, paths: DataPaths, clock: FakeClock
) -> None:
    for name in (HEAD, "nobody here"):
        for _ in range(FREE_ATTEMPTS):
            with pytest.raises(WrongPassword):
                sign_in(paths, name, "wrong password", now=clock)
        with pytest.raises(LockedOut) as first:
            sign_in(paths, name, HEAD_PASSWORD, now=clock)
        clock.advance(seconds=first.value.seconds)
        with pytest.raises(WrongPassword):
            sign_in(paths, name, "wrong again!", now=clock)
        with pytest.raises(LockedOut) as second:
            sign_in(paths, name, HEAD_PASSWORD, now=clock)
        assert second.value.seconds == 2 * first.value.seconds
        clock.advance(seconds=second.value.seconds)
    assert sign_in(paths, HEAD, HEAD_PASSWORD, now=clock).name == HEAD
    # A success forgets the failures: one wrong password is not a wait again.
    with pytest.raises(WrongPassword):
        sign_in(paths, HEAD, "wrong password", now=clock)
    sign_in(paths, HEAD, HEAD_PASSWORD, now=clock)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda d: d["slots"][1].update(role="station_head"),  # a worker made head
        lambda d: d["slots"].pop(1),  # a worker's slot removed
        lambda d: d.update(recovery=str(pyrage.x25519.Identity.generate().to_public())),
        lambda d: d["slots"][0].update(kdf={"t": 1, "m": 8, "p": 1}),  # weakened
    ],
    ids=["role", "removed", "recovery", "weaker-kdf"],
)
def test_a_tampered_slot_file_is_detected(
    protected: Application, paths: DataPaths, clock: FakeClock, tamper: object
) -> None:
    protected.accounts.add_worker(WORKER, StaffRole.SOCIAL_WORKER, WORKER_PASSWORD)
    protected.close()
    document = json.loads(paths.key_slots.read_text(encoding="utf-8"))
    tamper(document)  # type: ignore[operator]
    paths.key_slots.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(SlotsTampered):
        sign_in(paths, HEAD, HEAD_PASSWORD, now=clock)


def test_a_removed_workers_password_opens_no_copy_made_after(
    protected: Application, paths: DataPaths, clock: FakeClock, tmp_path: Path
) -> None:
    write_markers(protected)
    protected.accounts.add_worker(WORKER, StaffRole.SOCIAL_WORKER, WORKER_PASSWORD)
    worker = sign_in(paths, WORKER, WORKER_PASSWORD, now=clock)
    old_key = worker.data_key
    before_removal = protected.backups.back_up("manual")

    protected.accounts.remove_worker(WORKER)
    assert [s.name_bo for s in protected.stations.staff() if s.active] == [""]  # the head
    after_removal = protected.backups.back_up("manual")
    copy = tmp_path / "copy"  # the whole folder, as carried off on a stick
    shutil.copytree(paths.root, copy, ignore=shutil.ignore_patterns("*.lock"))

    copied = DataPaths(copy)
    with pytest.raises(WrongPassword):
        sign_in(copied, WORKER, WORKER_PASSWORD, now=clock)
    # Nor does the data key they could have kept open anything made after the removal.
    for database in (copied.database, copy / "backups" / after_removal.name):
        with pytest.raises(Exception, match="not a database"):
            connect(database, old_key).close()
    slots_after = read_slots(sidecar(after_removal))
    assert slots_after.find(WORKER) is None
    # The copy made before still opens with what opened it then (it is theirs to keep).
    assert read_slots(sidecar(before_removal)).find(WORKER) is not None
    connect(before_removal, old_key).close()
    # The head works on, on the new key.
    assert protected.listing.counts()["residents"] == 1
    assert sign_in(copied, HEAD, HEAD_PASSWORD, now=clock).data_key != old_key


def test_the_head_resets_a_forgotten_password_and_the_bureau_can_recover(
    protected: Application, paths: DataPaths, clock: FakeClock
) -> None:
    protected.accounts.add_worker(WORKER, StaffRole.SOCIAL_WORKER, WORKER_PASSWORD)
    protected.accounts.reset_password(WORKER, "a new password")
    with pytest.raises(WrongPassword):
        sign_in(paths, WORKER, WORKER_PASSWORD, now=clock)
    assert sign_in(paths, WORKER, "a new password", now=clock).name == WORKER


def test_the_bureaus_recovery_key_resets_the_heads_password(
    tmp_path: Path, clock: FakeClock
) -> None:
    paths = DataPaths(tmp_path / "data")
    bureau = pyrage.x25519.Identity.generate()
    protect_store(paths, HEAD, HEAD_PASSWORD, kdf=ARGON2_FLOOR, recovery=str(bureau.to_public()))
    with pytest.raises(StationError):
        recover_password(paths, str(pyrage.x25519.Identity.generate()), HEAD, "forgotten it")
    recover_password(paths, str(bureau), HEAD, "remembered now")
    assert sign_in(paths, HEAD, "remembered now", now=clock).name == HEAD
    with pytest.raises(WrongPassword):
        sign_in(paths, HEAD, HEAD_PASSWORD, now=clock)


def test_a_social_worker_cannot_manage_accounts(
    protected: Application, paths: DataPaths, clock: FakeClock
) -> None:
    protected.accounts.add_worker(WORKER, StaffRole.SOCIAL_WORKER, WORKER_PASSWORD)
    worker = sign_in(paths, WORKER, WORKER_PASSWORD, now=clock)
    protected.accounts.begin(worker)
    assert protected.ctx.actor.role == StaffRole.SOCIAL_WORKER
    with pytest.raises(StationError):
        protected.accounts.add_worker("另一个人", StaffRole.SOCIAL_WORKER, "password 123")
    with pytest.raises(StationError):
        protected.accounts.remove_worker(HEAD)
    protected.accounts.change_password(WORKER_PASSWORD, "my own new one")
    assert sign_in(paths, WORKER, "my own new one", now=clock).name == WORKER


def test_a_plain_database_is_converted_once_losing_nothing(
    data_paths: DataPaths, clock: FakeClock
) -> None:
    with open_application(data_paths, clock=clock) as plain:
        plain.stations.use_station(STATION)
        resident = write_markers(plain)
        plain.backups.back_up("manual")
        plain.drafts.save("HV-01:new", "HV-01", 1, {"notes": MARKER_NOTE})
        counts = plain.listing.counts()
    assert MARKER_NAME.encode() in data_paths.database.read_bytes()

    head = protect_store(data_paths, HEAD, HEAD_PASSWORD, kdf=ARGON2_FLOOR)
    assert_no_markers(every_file(data_paths.root))
    with open_signed_in(data_paths, head, clock) as app:
        assert app.listing.counts() == counts
        assert app.residents.get(resident).name_zh == MARKER_NAME  # type: ignore[union-attr]
        draft = app.drafts.load("HV-01:new")
        assert draft is not None and draft.values["notes"] == MARKER_NOTE
        kept = app.backups.backups()
    assert {b.reason for b in kept} >= {"manual", "pre-migration"}
    assert all(sidecar(b.path).exists() for b in kept)
    with pytest.raises(StationError):  # once
        protect_store(data_paths, HEAD, HEAD_PASSWORD, kdf=ARGON2_FLOOR)


def test_an_encrypted_backup_restores_with_the_keyed_connection(
    protected: Application, paths: DataPaths, clock: FakeClock
) -> None:
    resident = write_markers(protected)
    backup = protected.backups.back_up("manual")
    assert protected.backups.check() is None
    protected.accounts.add_worker(WORKER, StaffRole.SOCIAL_WORKER, WORKER_PASSWORD)
    protected.accounts.remove_worker(WORKER)  # the backup is now of an earlier key
    key = protected.store.keys
    assert key is not None
    protected.close()

    from station_desktop.services.backups import BackupService

    head = sign_in(paths, HEAD, HEAD_PASSWORD, now=clock)

    def open_copy(slots_file: Path) -> bytes | None:
        return sign_in_copy(slots_file)

    def sign_in_copy(slots_file: Path) -> bytes | None:
        from station_desktop.store.cipher import unlock

        return unlock(read_slots(slots_file), slots_file, HEAD, HEAD_PASSWORD).data_key

    service = BackupService(paths, key=head.data_key, open_copy_key=open_copy)
    plan = service.plan(backup)
    assert plan.backup.counts["residents"] == 1
    service.restore(plan)
    with open_signed_in(paths, sign_in(paths, HEAD, HEAD_PASSWORD, now=clock), clock) as app:
        assert app.residents.get(resident).name_zh == MARKER_NAME  # type: ignore[union-attr]
        assert app.backups.check() is None


def test_files_are_private_even_in_an_existing_open_folder(
    protected: Application, paths: DataPaths, clock: FakeClock
) -> None:
    if os.name == "nt":
        pytest.skip("Windows: the profile's access rules apply")
    write_markers(protected)
    protected.backups.back_up("manual")
    protected.close()
    for path in [paths.root, *paths.root.rglob("*")]:
        path.chmod(0o777 if path.is_dir() else 0o666)
    head = sign_in(paths, HEAD, HEAD_PASSWORD, now=clock)
    with open_signed_in(paths, head, clock):
        for path in [paths.root, *paths.root.rglob("*")]:
            mode = stat.S_IMODE(path.stat().st_mode)
            assert mode == (0o700 if path.is_dir() else 0o600), path


def test_keys_are_derived_per_purpose_and_the_kdf_never_goes_below_the_floor() -> None:
    data_key = bytes(range(32))
    assert derive_key(data_key, "drafts") != derive_key(data_key, "audit")
    assert derive_key(data_key, "audit") == derive_key(data_key, "audit")
    assert len(derive_key(data_key, "audit")) == 32
    fast = iter([0.0, 100.0])  # a machine where the floor already takes 100 s
    assert calibrate(timer=lambda: next(fast)) == ARGON2_FLOOR
    slow = iter([0.0, 0.05])  # the floor takes 50 ms: ten times the work for 0.5 s
    chosen = calibrate(timer=lambda: next(slow))
    assert chosen == KdfParams(30, ARGON2_FLOOR.memory_kib, ARGON2_FLOOR.parallelism)


def test_an_encrypted_folder_is_not_opened_without_a_key(
    protected: Application, paths: DataPaths
) -> None:
    protected.close()
    with pytest.raises(StationError):
        open_store(paths)


CRASHING_SESSION = """
import os, sys
from pathlib import Path
from station_desktop.app import open_application
from station_desktop.paths import DataPaths
from station_desktop.services.accounts import sign_in
from tests.unit.test_cipher import HEAD, HEAD_PASSWORD, write_markers
paths = DataPaths(Path(sys.argv[1]))
person = sign_in(paths, HEAD, HEAD_PASSWORD)
app = open_application(paths, key=person.data_key)
app.accounts.begin(person)
resident = write_markers(app)
app.drafts.save(f"HV-01:for:{resident}", "HV-01", 1, {"notes": "MARKERNOTE half typed"})
app.backups.back_up("manual")
os.kill(os.getpid(), 9)  # a crash: nothing closed, nothing checkpointed
"""


def test_markers_are_nowhere_after_a_crash_and_everything_is_back_after_it(
    protected: Application, paths: DataPaths, clock: FakeClock
) -> None:
    import subprocess
    import sys

    protected.close()
    result = subprocess.run(  # noqa: PLW1510 - killed on purpose; checked below
        [sys.executable, "-c", CRASHING_SESSION, str(paths.root)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode == -9, result.stderr
    assert Path(f"{paths.database}-wal").stat().st_size > 0
    assert_no_markers(every_file(paths.root))
    head = sign_in(paths, HEAD, HEAD_PASSWORD, now=clock)
    with open_signed_in(paths, head, clock) as app:
        assert app.listing.counts()["residents"] == 1
        assert app.backups.check() is None
        assert [d.values["notes"] for d in app.drafts.all()] == ["MARKERNOTE half typed"]


def test_a_laptop_made_from_the_window_gets_the_bureaus_recovery_key_later(
    protected: Application, paths: DataPaths, clock: FakeClock
) -> None:
    bureau = pyrage.x25519.Identity.generate()
    with pytest.raises(StationError):
        protected.accounts.set_recovery("age1-not-a-key")
    protected.accounts.set_recovery(str(bureau.to_public()))
    protected.close()
    recover_password(paths, str(bureau), HEAD, "given back by the bureau")
    assert sign_in(paths, HEAD, "given back by the bureau", now=clock).name == HEAD


def test_data_whose_key_file_is_gone_is_not_taken_for_plain_or_new_data(
    protected: Application, paths: DataPaths, clock: FakeClock
) -> None:
    from station_desktop.store.cipher import SlotsDamaged, SlotsMissing

    protected.backups.back_up("manual")
    protected.close()
    paths.key_slots.unlink()
    before = paths.database.read_bytes()
    with pytest.raises(SlotsDamaged):
        sign_in(paths, HEAD, HEAD_PASSWORD, now=clock)
    with pytest.raises(SlotsMissing):
        open_store(paths)
    with pytest.raises(SlotsMissing):  # never "converted" again under a new key
        protect_store(paths, HEAD, HEAD_PASSWORD, kdf=ARGON2_FLOOR)
    assert paths.database.read_bytes() == before


def test_a_draft_typed_before_a_worker_is_removed_opens_after(
    protected: Application, paths: DataPaths, clock: FakeClock
) -> None:
    """Removing a worker re-keys the data, and the drafts' key is derived from it: what
    was typed and not yet saved is sealed again, not left under a key nobody has."""
    protected.drafts.save("visit:new", "HV-01", 1, {"note": "ཞིབ་བཤེར། 走访记录"})
    protected.accounts.add_worker(WORKER, StaffRole.SOCIAL_WORKER, WORKER_PASSWORD)
    protected.accounts.remove_worker(WORKER)
    [draft] = protected.drafts.all()
    assert draft.values == {"note": "ཞིབ་བཤེར། 走访记录"}
    assert not (paths.drafts / ".next-key").exists()
    # As the next start sees it: opened by the head's password alone.
    head = sign_in(paths, HEAD, HEAD_PASSWORD, now=clock)
    assert [d.key for d in DraftStore(paths.drafts, key=derive_key(head.data_key, "drafts")).all()]


def test_a_form_open_while_a_worker_is_removed_saves_drafts_the_new_key_opens(
    protected: Application, paths: DataPaths, clock: FakeClock
) -> None:
    """A form keeps the draft store it was opened with; after the re-key its autosave
    seals under the new key, so the half-typed visit is there at the next sign-in."""
    open_form_drafts = protected.drafts  # as the form editor holds it
    protected.accounts.add_worker(WORKER, StaffRole.SOCIAL_WORKER, WORKER_PASSWORD)
    protected.accounts.remove_worker(WORKER)
    open_form_drafts.save("visit:new", "HV-01", 1, {"note": "ཁྱིམ་ཚང་། 入户"})
    head = sign_in(paths, HEAD, HEAD_PASSWORD, now=clock)
    [draft] = DraftStore(paths.drafts, key=derive_key(head.data_key, "drafts")).all()
    assert draft.values == {"note": "ཁྱིམ་ཚང་། 入户"}


@pytest.mark.parametrize("crashed", ["before the re-key", "after the re-key"])
def test_drafts_resealed_when_a_crash_cuts_the_re_key_keep_what_opens(
    tmp_path: Path, crashed: str
) -> None:
    folder = tmp_path / "drafts"
    old_key, new_key = os.urandom(32), os.urandom(32)
    DraftStore(folder, key=old_key).save("case:1", "CS-01", 1, {"note": "kept"})
    DraftStore(folder, key=old_key).prepare_reseal(new_key)
    current = old_key if crashed == "before the re-key" else new_key
    # The start after the crash reads with the key the data has then.
    [draft] = DraftStore(folder, key=current).all()
    assert draft.values == {"note": "kept"}
    [again] = DraftStore(folder, key=current).all()
    assert again.values == {"note": "kept"}


def test_an_encrypted_store_keeps_more_decrypted_pages_than_a_plain_one_needs(
    protected: Application, tmp_path: Path
) -> None:
    """The plain file's pages stay in the system's file cache; an encrypted file's are
    decrypted into SQLite's own, so its connections are given a larger one."""
    from sqlalchemy import text

    from station_desktop.store.engine import (
        CACHE_SIZE_KIB,
        ENCRYPTED_CACHE_SIZE_KIB,
        create_store_engine,
        sqlite_url,
    )

    with protected.ctx.db.read() as session:
        assert session.execute(text("PRAGMA cache_size")).scalar() == -ENCRYPTED_CACHE_SIZE_KIB
    plain = create_store_engine(sqlite_url(tmp_path / "plain.sqlite3"))
    try:
        with plain.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA cache_size").scalar() == -CACHE_SIZE_KIB
    finally:
        plain.dispose()
    assert ENCRYPTED_CACHE_SIZE_KIB > CACHE_SIZE_KIB
