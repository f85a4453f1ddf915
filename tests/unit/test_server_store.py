"""The bureau's database on a PostgreSQL server: several laptops on one database at once,
what the server path refuses, each laptop's own device identity, and a dump restored.

Everything that is the same on both engines (services, reports, search, the change log and
its append-only triggers) is tested once for both, through the `database` fixture; here is
only what a shared server adds. Skipped without a server locally; a failure in CI.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from station_desktop.app import Application, open_application
from station_desktop.errors import (
    ForeignServerDatabase,
    PasswordInAddress,
    ServerAddressInvalid,
    ServerCollation,
    ServerUnreachable,
    ServerWritesLost,
    StaleEdit,
)
from station_desktop.paths import DataPaths
from station_desktop.store.changes import ChangeRecorder, WriterIdentity, unit_of_work
from station_desktop.store.engine import create_store_engine
from station_desktop.store.models import ChangeLogEntry, Resident
from station_desktop.store.server import SERVER_MARK_NAME
from station_desktop.store.writemark import WriteMark
from tests.conftest import FakeClock, StationSetup, empty_server_database

pytestmark = pytest.mark.parametrize("database", ["postgresql"], indirect=True)


@pytest.fixture
def laptop(tmp_path: Path, database: str) -> Iterator[Callable[[str], Application]]:
    """Opens the shared database from another laptop (a data folder of its own)."""
    opened: list[Application] = []

    def open_laptop(name: str) -> Application:
        app = open_application(DataPaths(tmp_path / name), database_url=database)
        opened.append(app)
        return app

    yield open_laptop
    for app in opened:
        app.close()


def _resident(app: Application, **values: object) -> uuid.UUID:
    return app.residents.register({"name_zh": "扎西", "legal_basis": "statutory_duty", **values})


def _heads(app: Application, resident: uuid.UUID) -> list[str]:
    record = app.residents.get(resident)
    assert record is not None
    return list(record.heads)


def _value(app: Application, resident: uuid.UUID, field: str) -> object:
    return getattr(app.residents.get(resident), field)


def _race(*saves: Callable[[], object]) -> list[object]:
    """Run the saves at the same moment in threads; each one's result or exception."""
    barrier = threading.Barrier(len(saves))
    results: list[object] = [None] * len(saves)

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = saves[index]()
        except Exception as error:
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(saves))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


# ---------------------------------------------------------------- two people, one record


Edit = Callable[[int], dict[str, str]]  # the values typed in a round


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (lambda n: {"phone": f"1380013800{n}"}, lambda n: {"phone": f"1390013900{n}"}),
        (lambda n: {"phone": f"1380013800{n}"}, lambda n: {"address": f"八廓街 {n} 号"}),
    ],
    ids=["same-field", "different-fields"],
)
def test_two_laptops_save_one_record_at_once_and_one_is_told(
    app: Application,
    station: StationSetup,
    laptop: Callable[[str], Application],
    first: Edit,
    second: Edit,
) -> None:
    resident = _resident(app)
    other = laptop("bureau-2")
    other.stations.use_station("CG-BK")
    for round_ in range(6):  # several rounds: the threads meet in different orders
        heads = _heads(app, resident)
        assert _heads(other, resident) == heads
        mine, theirs = first(round_), second(round_)
        results = _race(
            lambda mine=mine, heads=heads: app.residents.update(resident, mine, based_on=heads),
            lambda theirs=theirs, heads=heads: other.residents.update(
                resident, theirs, based_on=heads
            ),
        )
        stale = [r for r in results if isinstance(r, StaleEdit)]
        assert len(stale) == 1, results  # exactly one loser, told clearly
        winner, loser = (mine, theirs) if results[1] is stale[0] else (theirs, mine)
        for field, value in winner.items():
            assert _value(app, resident, field) == value  # the winner's save is whole
        for field, value in loser.items():
            if field not in winner:
                assert _value(app, resident, field) != value  # nothing of the loser
        # The log agrees: one change on top of the heads both had, no fork.
        with app.ctx.db.read() as session:
            entries = session.scalars(
                select(ChangeLogEntry).where(ChangeLogEntry.record_id == resident)
            ).all()
        assert len([e for e in entries if sorted(e.parents) == sorted(heads)]) == 1


def test_a_row_being_saved_is_locked_even_without_the_write_lock(
    app: Application, station: StationSetup, database: str, clock: FakeClock
) -> None:
    """The second guard (FOR UPDATE on the edited row) on its own: a session that skipped
    the database's write lock still waits for the first save, then gets StaleEdit."""
    resident = _resident(app)
    heads = _heads(app, resident)
    identity = WriterIdentity(app.ctx.device_id, station.station_id)
    saved, go_on = threading.Event(), threading.Event()
    outcome: list[object] = []

    def first_save() -> None:
        with unit_of_work(app.ctx.db, identity, now=clock, new_id=uuid.uuid4) as uow:
            uow.update(Resident, resident, {"phone": "13800138000"}, based_on=heads)
            saved.set()
            go_on.wait(30)  # hold the row until the other session is waiting for it

    # A plain engine: READ COMMITTED, and none of the program's write lock.
    bare = create_engine(database)
    try:
        writer = threading.Thread(target=first_save)
        writer.start()
        assert saved.wait(30)

        def second_save() -> None:
            with Session(bare) as session:
                recorder = ChangeRecorder(session, identity, clock(), uuid.uuid4)
                try:
                    recorder.update(Resident, resident, {"phone": "13900139000"}, based_on=heads)
                    outcome.append("saved")
                except StaleEdit as error:
                    outcome.append(error)
                session.rollback()

        second = threading.Thread(target=second_save)
        second.start()
        second.join(1.0)
        assert second.is_alive(), "the second save did not wait for the row"
        go_on.set()
        writer.join(30)
        second.join(30)
        assert len(outcome) == 1 and isinstance(outcome[0], StaleEdit)
        assert _value(app, resident, "phone") == "13800138000"
    finally:
        go_on.set()
        bare.dispose()


def test_server_sessions_wait_a_bounded_time_and_compile_no_statement(app: Application) -> None:
    """Waits for a lock end like SQLite's busy timeout; no JIT, which made the bureau's
    yearly report spend over a minute compiling its one statement (bench/README.md)."""
    with app.ctx.db.read() as session:
        assert session.execute(text("SHOW lock_timeout")).scalar_one() == "10s"
        assert session.execute(text("SHOW jit")).scalar_one() == "off"


def test_two_sessions_of_one_laptop_number_their_changes_without_gaps_or_twins(
    app: Application, station: StationSetup, data_paths: DataPaths, database: str
) -> None:
    """No single-instance lock on a server: the window and a command on one laptop write
    under the same device id at the same time."""
    second = open_application(data_paths, database_url=database)
    try:
        assert second.ctx.device_id == app.ctx.device_id
        names = [f"{n}号" for n in range(20)]
        results = _race(
            lambda: [_resident(app, name_zh=f"甲{n}") for n in names],
            lambda: [_resident(second, name_zh=f"乙{n}") for n in names],
        )
        assert not any(isinstance(r, Exception) for r in results), results
    finally:
        second.close()
    with app.ctx.db.read() as session:
        seqs = session.scalars(
            select(ChangeLogEntry.seq)
            .where(ChangeLogEntry.device_id == app.ctx.device_id)
            .order_by(ChangeLogEntry.seq)
        ).all()
    assert seqs == list(range(1, len(seqs) + 1))
    assert len(app.residents.search("号", limit=100)) == 40


# ---------------------------------------------------------------- identities


def test_each_laptop_numbers_its_changes_under_its_own_device(
    app: Application, station: StationSetup, laptop: Callable[[str], Application]
) -> None:
    other = laptop("bureau-2")
    assert other.ctx.device_id != app.ctx.device_id
    other.stations.use_station("CG-BK")
    _resident(app)
    _resident(other, name_zh="卓玛")
    # The station a laptop serves is its own choice, kept in its data folder.
    assert other.stations.current_station() is not None
    third = laptop("bureau-3")
    assert third.stations.current_station() is None
    with app.ctx.db.read() as session:
        devices = set(session.scalars(select(ChangeLogEntry.device_id)))
    assert {app.ctx.device_id, other.ctx.device_id} <= devices


def test_a_laptop_keeps_its_device_per_database(
    app: Application, data_paths: DataPaths, database: str
) -> None:
    device = app.ctx.device_id
    app.close()
    with open_application(data_paths, database_url=database) as again:
        assert again.ctx.device_id == device
    facts = json.loads((data_paths.root / "installation.json").read_text(encoding="utf-8"))
    assert [entry["device_id"] for entry in facts["databases"].values()] == [str(device)]
    # The same laptop on another database (emptied: a new database identity) is another
    # device there, so its numbers in the two can never be confused.
    empty_server_database(database)
    with open_application(data_paths, database_url=database) as elsewhere:
        assert elsewhere.ctx.device_id != device


def test_changes_the_database_lost_are_noticed_and_numbering_starts_afresh(
    app: Application, station: StationSetup, data_paths: DataPaths, database: str
) -> None:
    _resident(app)
    device = app.ctx.device_id
    app.close()
    # As after a restore of an older dump: the laptop saved more than the database holds.
    WriteMark(data_paths.root / SERVER_MARK_NAME).record(device, 50)
    with open_application(data_paths, database_url=database) as reopened:
        (notice,) = reopened.store.notices
        assert isinstance(notice, ServerWritesLost)
        assert notice.params["first"] > 1 and notice.params["last"] == 50
        assert reopened.ctx.device_id != device


# ---------------------------------------------------------------- refusals


def test_a_password_in_the_address_is_refused_and_never_shown(
    data_paths: DataPaths, database: str
) -> None:
    url = make_url(database).set(password="s3cret-pw")
    address = url.render_as_string(hide_password=False)
    with pytest.raises(PasswordInAddress) as caught:
        open_application(data_paths, database_url=address)
    assert "s3cret-pw" not in caught.value.english()
    with pytest.raises(PasswordInAddress):
        open_application(data_paths, database_url=f"{database}&password=s3cret-pw")


@pytest.mark.parametrize("address", ["mysql://bureau@db/stations", "not an address", ""])
def test_other_addresses_are_refused(data_paths: DataPaths, database: str, address: str) -> None:
    with pytest.raises(ServerAddressInvalid):
        open_application(data_paths, database_url=address)


def test_a_server_that_does_not_answer_is_explained(data_paths: DataPaths, database: str) -> None:
    with pytest.raises(ServerUnreachable) as caught:
        open_application(data_paths, database_url="postgresql://nobody@127.0.0.1:9/none")
    assert "127.0.0.1" in caught.value.english()


@pytest.fixture
def scratch_database(database: str) -> Iterator[Callable[..., str]]:
    """Makes extra databases on the test server (dropped afterwards)."""
    admin = create_store_engine(database).execution_options(isolation_level="AUTOCOMMIT")
    made: list[str] = []

    def make(name: str, collation: str = "C") -> str:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            connection.execute(
                text(
                    f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' "
                    f"LC_COLLATE '{collation}' LC_CTYPE '{collation}'"
                )
            )
        made.append(name)
        return make_url(database).set(database=name).render_as_string(hide_password=False)

    yield make
    with admin.connect() as connection:
        for name in made:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_a_database_with_language_text_order_is_refused(
    data_paths: DataPaths, scratch_database: Callable[..., str]
) -> None:
    url = scratch_database("station_test_collation", "C.UTF-8")
    with pytest.raises(ServerCollation) as caught:
        open_application(data_paths, database_url=url)
    assert "--locale=C" in caught.value.english()


def test_another_programs_database_is_left_alone(
    data_paths: DataPaths, scratch_database: Callable[..., str]
) -> None:
    url = scratch_database("station_test_foreign")
    engine = create_store_engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE invoices (id integer primary key)"))
    engine.dispose()
    with pytest.raises(ForeignServerDatabase):
        open_application(data_paths, database_url=url)


# ---------------------------------------------------------------- the server's backups


def _pg_tool(name: str) -> str:
    folder = os.environ.get("STATION_DESKTOP_TEST_PG_BIN")
    found = str(Path(folder) / name) if folder else shutil.which(name)
    if not found or not Path(found).exists():
        pytest.fail(f"{name} is needed for this test (Debian: postgresql-client)")
    return found


def _libpq_args(url: str) -> list[str]:
    parsed = make_url(url)
    host = parsed.query.get("host") or parsed.host or ""
    args = [f"--host={host}"] if host else []
    if parsed.port:
        args.append(f"--port={parsed.port}")
    if parsed.username:
        args.append(f"--username={parsed.username}")
    return args


def test_a_dump_restored_into_a_new_database_gives_the_same_data(
    app: Application,
    station: StationSetup,
    tmp_path: Path,
    database: str,
    scratch_database: Callable[..., str],
) -> None:
    """The bureau's backup as the README describes it: pg_dump, then pg_restore."""
    resident = _resident(app, name_bo="བཀྲ་ཤིས་")
    app.residents.update(resident, {"phone": "13800138000"})
    dump = tmp_path / "stations.dump"
    subprocess.run(
        [
            _pg_tool("pg_dump"),
            "--format=custom",
            f"--file={dump}",
            *_libpq_args(database),
            make_url(database).database or "",
        ],
        check=True,
    )
    restored = scratch_database("station_test_restored")
    subprocess.run(
        [
            _pg_tool("pg_restore"),
            "--no-owner",
            *_libpq_args(restored),
            f"--dbname={make_url(restored).database}",
            str(dump),
        ],
        check=True,
    )
    with open_application(DataPaths(tmp_path / "after"), database_url=restored) as after:
        found = after.residents.search("bkra shis")
        assert [r.id for r in found] == [resident]
        assert _value(after, resident, "phone") == "13800138000"
        # The append-only triggers came back with the dump.
        with pytest.raises(Exception, match="append-only"), after.ctx.db.write_session() as s:
            s.execute(text("DELETE FROM change_log"))
