"""USB sync between installations: a second laptop of a station, the bureau, relays,
conflicts and their resolution, records that wait, gaps and clocks; and every kind of
hostile bundle refused with the database byte for byte unchanged."""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pyrage
import pytest
from pyrage import x25519

from station_desktop.app import Application
from station_desktop.errors import DiskFull, StationError, ValidationError
from station_desktop.store.changes import canonical_json
from station_desktop.sync.bundle import SIGNATURE_CONTEXT, BundleRefused, _frame
from station_desktop.sync.keys import KeyCard
from tests.conftest import FakeClock
from tests.syncing import (
    STATION,
    VILLAGE,
    database_files,
    enrol,
    file_hash,
    installation,
    replicated_state,
    send,
)


@pytest.fixture
def laptops(tmp_path: Path) -> Iterator[tuple[Application, Application, Application]]:
    """Two laptops of one station and the bureau, enrolled with each other."""
    head = installation(tmp_path / "head")
    worker = installation(tmp_path / "worker")
    bureau = installation(tmp_path / "bureau", bureau=True)
    enrol(head, worker, bureau)
    yield head, worker, bureau
    for app in (head, worker, bureau):
        app.close()


def _staff(app: Application) -> uuid.UUID:
    return app.stations.add_staff("", "卓玛", "social_worker")


def _resident(app: Application, name: str = "扎西", **values: object) -> uuid.UUID:
    area = app.stations.area_by_code(VILLAGE)
    assert area is not None
    return app.residents.register(
        {"name_zh": name, "legal_basis": "statutory_duty", "area_id": area.id, **values}
    )


def _visit(app: Application, resident: uuid.UUID, staff: uuid.UUID) -> uuid.UUID:
    return app.visits.record(
        {
            "resident_id": resident,
            "visit_date": "2026-05-01",
            "visitor_ids": [staff],
            "outcome": "at_home",
            "purpose": "routine",
        }
    )


def _phone(app: Application, resident: uuid.UUID) -> str:
    from station_desktop.store.models import Resident

    with app.ctx.db.read() as session:
        row = session.get(Resident, resident)
        assert row is not None
        return row.phone


# ---------------------------------------------------------------- exchanges


def test_a_second_laptop_starts_from_the_first_ones_full_bundle(tmp_path: Path) -> None:
    first = installation(tmp_path / "first")
    staff = _staff(first)
    for n in range(5):
        _visit(first, _resident(first, f"居民{n}"), staff)
    second = installation(tmp_path / "second", station=None)  # an empty folder
    enrol(first, second)
    _path, report = send(first, second, tmp_path, full=True)
    assert report.new_records >= 11 and report.pending == 0
    second.stations.use_station(STATION)
    assert second.listing.counts() == first.listing.counts()
    assert replicated_state(second) == replicated_state(first)
    assert len(second.residents.search("居民")) == 5  # indexed for search on arrival


def test_receiving_the_same_file_again_or_out_of_order_changes_nothing(
    laptops: tuple[Application, Application, Application], tmp_path: Path
) -> None:
    head, worker, _bureau = laptops
    staff = _staff(head)
    resident = _resident(head)
    first = tmp_path / "first.sdbundle"
    head.sync.export(first, to=[worker.sync.card().fingerprint])
    _visit(head, resident, staff)
    head.residents.update(resident, {"phone": "13800138000"})
    second = tmp_path / "second.sdbundle"
    head.sync.export(second, full=True, to=[worker.sync.card().fingerprint])
    # The later file first, then the earlier, then both again.
    reports = worker.sync.import_bundles([second, first, second, first])
    assert [r.status for r in reports] == [
        "imported",
        "imported",
        "already received",
        "already received",
    ]
    assert reports[1].new_entries == 0  # everything in it had come with the later file
    assert replicated_state(worker) == replicated_state(head)


def test_a_file_refused_while_it_is_written_leaves_the_others_of_its_receive_whole(
    laptops: tuple[Application, Application, Application],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A receive is one transaction, each file under a savepoint of its own: a file refused
    after its entries, records and audit links were written takes them back with it, and
    what the files after it write chains on from where the trail really ends."""
    from station_desktop.services.sync import SyncService
    from station_desktop.store import audit

    head, worker, _bureau = laptops
    to = [worker.sync.card().fingerprint]
    files: list[Path] = []
    for name in ("扎西", "卓玛", "次仁"):  # each file holds its name and those before
        _resident(head, name)
        files.append(tmp_path / f"{len(files)}.sdbundle")
        head.sync.export(files[-1], to=to)
    written = SyncService._after_import
    calls: list[int] = []

    def refuse_the_second(self: SyncService, *args: Any) -> None:
        written(self, *args)  # its entries, records and links all written
        calls.append(1)
        if len(calls) == 2:
            raise BundleRefused(BundleRefused.TAMPERED, path="test")

    monkeypatch.setattr(SyncService, "_after_import", refuse_the_second)
    reports = worker.sync.import_bundles([files[1], files[2], files[0]])
    assert [r.status for r in reports] == ["imported", "refused", "imported"]
    assert [len(worker.residents.search(n)) for n in ("扎西", "卓玛", "次仁")] == [1, 1, 0]
    with worker.ctx.db.read() as session:
        trail = audit.verify(session)
    assert trail.whole, [problem.english() for problem in trail.problems]
    monkeypatch.undo()
    [again] = worker.sync.import_bundles([files[2]])
    assert again.status == "imported" and again.new_records == 1
    assert replicated_state(worker) == replicated_state(head)


def test_the_bureau_gets_the_workers_changes_through_the_station_head(
    laptops: tuple[Application, Application, Application], tmp_path: Path
) -> None:
    head, worker, bureau = laptops
    staff = _staff(worker)
    _visit(worker, _resident(worker, "工作人员登记的"), staff)
    send(worker, head, tmp_path)
    _path, report = send(head, bureau, tmp_path)  # relayed unchanged, signed by the head
    origins = {o.device_tag for o in report.origins if o.new}
    assert len(origins) >= 1
    assert bureau.residents.search("工作人员登记的")
    assert "540102001" in bureau.sync.received_up_to()


def test_the_same_field_changed_apart_is_a_conflict_shown_alike_and_resolved_everywhere(
    laptops: tuple[Application, Application, Application], tmp_path: Path
) -> None:
    head, worker, _bureau = laptops
    resident = _resident(head, phone="13800138000")
    send(head, worker, tmp_path)
    head.residents.update(resident, {"phone": "13900139000"})
    worker.residents.update(resident, {"phone": "13700137000"})
    send(head, worker, tmp_path)
    send(worker, head, tmp_path)
    # Both show the same provisional value and the same conflict.
    assert _phone(head, resident) == _phone(worker, resident)
    [on_head] = head.sync.conflicts()
    [on_worker] = worker.sync.conflicts()
    assert on_head.id == on_worker.id and on_head.field == "phone"
    assert {v.value for v in on_head.values} == {"13900139000", "13700137000"}
    assert on_head.base == "13800138000"  # the value both started from
    assert len(on_head.history) == 3
    # A person keeps the head's value on the worker's laptop; it travels back.
    keep = next(v.change_id for v in on_worker.values if v.value == "13900139000")
    worker.sync.resolve(on_worker.id, keep=keep)
    assert worker.sync.conflicts() == []
    send(worker, head, tmp_path)
    assert head.sync.conflicts() == []
    assert _phone(head, resident) == _phone(worker, resident) == "13900139000"
    assert replicated_state(head) == replicated_state(worker)


def test_id_numbers_in_a_conflict_are_masked_unless_a_permitted_role_reveals_them(
    laptops: tuple[Application, Application, Application], tmp_path: Path
) -> None:
    from sqlalchemy import select

    from station_desktop.domain.codes import StaffRole
    from station_desktop.errors import NotPermitted
    from station_desktop.services.access import Actor
    from station_desktop.store.models import AuditEvent

    head, worker, _bureau = laptops
    resident = _resident(head, id_number="11010519491231002X")
    send(head, worker, tmp_path)
    head.residents.update(resident, {"id_number": "540102199001011233"})
    worker.residents.update(resident, {"id_number": "540102198001011212"})
    send(worker, head, tmp_path)
    [masked] = head.sync.conflicts()
    shown = {v.value for v in masked.values} | {masked.base, masked.shown}
    assert shown == {"540102********1233", "540102********1212", "110105********002X"}
    assert all(len(v.value) == 18 and "*" in v.value for v in masked.history)

    [whole] = head.sync.conflicts(reveal_id_numbers=True)  # the station head may
    assert {v.value for v in whole.values} == {"540102199001011233", "540102198001011212"}
    with head.ctx.db.read() as session:
        reveals = session.scalars(
            select(AuditEvent.entity_id).where(AuditEvent.action == "reveal_id")
        ).all()
    assert reveals == [str(resident)]

    station = head.ctx.station_id()
    head.ctx.actor = Actor(uuid.uuid4(), StaffRole.AUDITOR, None)
    with pytest.raises(NotPermitted):
        head.sync.conflicts(reveal_id_numbers=True)
    assert head.sync.conflict(masked.id) == masked  # masked for the auditor too
    head.ctx.actor = Actor(None, StaffRole.STATION_HEAD, station)


def test_an_ordinary_edit_of_a_field_in_conflict_settles_it_there_and_everywhere(
    laptops: tuple[Application, Application, Application], tmp_path: Path
) -> None:
    """An edit is based on all the record's heads: saving another phone number after both
    arrived decides the phone (on this laptop at once); a conflict on a field it does not
    set stays listed."""
    head, worker, _bureau = laptops
    resident = _resident(head, phone="13800138000")
    send(head, worker, tmp_path)
    head.residents.update(resident, {"phone": "13900139000", "notes": "独居"})
    worker.residents.update(resident, {"phone": "13700137000", "notes": "腿脚不便"})
    send(head, worker, tmp_path)
    assert {c.field for c in worker.sync.conflicts()} == {"phone", "notes"}
    worker.residents.update(resident, {"phone": "13600136000"})
    assert [c.field for c in worker.sync.conflicts()] == ["notes"]
    send(worker, head, tmp_path)
    send(head, worker, tmp_path)
    assert [c.field for c in head.sync.conflicts()] == ["notes"]
    assert _phone(head, resident) == _phone(worker, resident) == "13600136000"
    assert replicated_state(head) == replicated_state(worker)


def test_different_fields_changed_apart_combine_without_a_conflict(
    laptops: tuple[Application, Application, Application], tmp_path: Path
) -> None:
    head, worker, _bureau = laptops
    resident = _resident(head)
    send(head, worker, tmp_path)
    head.residents.update(resident, {"phone": "13900139000"})
    worker.residents.update(resident, {"notes": "腿脚不便"})
    send(head, worker, tmp_path)
    send(worker, head, tmp_path)
    assert head.sync.conflicts() == [] and worker.sync.conflicts() == []
    assert replicated_state(head) == replicated_state(worker)
    assert _phone(worker, resident) == "13900139000"


def test_a_record_withdrawn_on_one_laptop_and_edited_on_another_is_listed(
    laptops: tuple[Application, Application, Application], tmp_path: Path
) -> None:
    head, worker, _bureau = laptops
    resident = _resident(head)
    send(head, worker, tmp_path)
    head.residents.delete(resident)
    worker.residents.update(resident, {"phone": "13700137000"})
    send(head, worker, tmp_path)
    send(worker, head, tmp_path)
    [conflict] = head.sync.conflicts()
    assert conflict.kind == "withdrawn_while_edited" and conflict.field == "deleted"
    assert [c.id for c in worker.sync.conflicts()] == [conflict.id]
    # Bringing it back is a decision that travels too.
    head.sync.resolve(conflict.id, value=False)
    send(head, worker, tmp_path)
    assert head.sync.conflicts() == worker.sync.conflicts() == []
    assert worker.residents.search("扎西")


def test_visits_made_on_both_laptops_are_all_kept(
    laptops: tuple[Application, Application, Application], tmp_path: Path
) -> None:
    head, worker, _bureau = laptops
    staff = _staff(head)
    resident = _resident(head)
    send(head, worker, tmp_path)
    for _ in range(3):
        _visit(head, resident, staff)
        _visit(worker, resident, staff)
    send(head, worker, tmp_path)
    send(worker, head, tmp_path)
    assert head.listing.counts()["visits"] == worker.listing.counts()["visits"] == 6
    assert head.sync.conflicts() == []


def test_a_visit_whose_resident_has_not_arrived_waits_then_appears(
    laptops: tuple[Application, Application, Application], tmp_path: Path
) -> None:
    head, worker, _bureau = laptops
    staff = _staff(head)
    send(head, worker, tmp_path)  # the staff member arrives
    resident = _resident(head)
    early = tmp_path / "resident.sdbundle"
    head.sync.export(early, to=[worker.sync.card().fingerprint])
    _visit(head, resident, staff)
    # The head believes the worker holds everything but its last change (the visit).
    from sqlalchemy import delete, insert

    from station_desktop.store.models import PeerHolding
    from station_desktop.sync import ledger

    with head.ctx.db.read() as session:
        everything = ledger.holdings(session)
    last = everything[head.ctx.device_id][-1][1]
    believed = {**everything, head.ctx.device_id: [(1, last - 1)]}
    key = worker.sync.card().signing_key
    with head.ctx.db.write_session() as session:
        session.execute(delete(PeerHolding).where(PeerHolding.signing_key == key))
        session.execute(
            insert(PeerHolding).values(
                signing_key=key, holds=ledger.to_json(believed), updated_at=head.ctx.clock()
            )
        )
    late = tmp_path / "visit.sdbundle"
    head.sync.export(late, to=[worker.sync.card().fingerprint])
    [report] = worker.sync.import_bundles([late])
    assert report.pending == 1 and worker.listing.counts()["visits"] == 0
    assert any(g.first <= g.last for g in report.gaps)  # the resident's change is missing
    [report] = worker.sync.import_bundles([early])
    assert report.pending == 0 and worker.listing.counts()["visits"] == 1
    assert report.gaps == []


def test_a_note_on_a_case_closed_elsewhere_is_kept_and_flagged(
    laptops: tuple[Application, Application, Application], tmp_path: Path
) -> None:
    head, worker, _bureau = laptops
    case = head.cases.open(
        {
            "resident_id": _resident(head),
            "opened_on": "2026-05-01",
            "source": "home_visit",
            "presenting_problem": "独居，行动不便",
        }
    )
    send(head, worker, tmp_path)
    for stage in ("assessment", "planning", "intervention", "evaluation"):
        head.cases.move_stage(case, stage, "2026-05-02")
    head.cases.move_stage(case, "closed", "2026-05-03", closing_reason="goals_met")
    note = worker.cases.add_note(case, "2026-05-04", "又去看了一次")  # not knowing
    head.cases.add_note(case, "2026-05-05", "结案后的回访")  # knowing: not flagged
    send(head, worker, tmp_path)
    send(worker, head, tmp_path)
    for app in (head, worker):
        flagged = [c for c in app.sync.conflicts() if c.kind == "note_on_closed_case"]
        assert [c.record_id for c in flagged] == [note], app
        assert len(app.cases.notes(case)) == 2  # both kept
    [flag] = [c for c in head.sync.conflicts() if c.kind == "note_on_closed_case"]
    head.sync.resolve(flag.id, keep=flag.values[0].change_id)  # read: acknowledged here
    assert head.sync.conflicts() == []


@pytest.mark.both_engines
def test_the_bureau_on_either_engine_receives_resolves_and_sends(
    tmp_path: Path, database: str | None
) -> None:
    """The import, its merge and a resolution run on the bureau's PostgreSQL too."""
    head = installation(tmp_path / "head")
    worker = installation(tmp_path / "worker")
    bureau = installation(tmp_path / "bureau", bureau=True, database_url=database)
    enrol(head, worker, bureau)
    staff = _staff(head)
    resident = _resident(head, "两边都改过的人", phone="13800138000")
    _visit(head, resident, staff)
    send(head, worker, tmp_path)
    head.residents.update(resident, {"phone": "13900139000"})
    worker.residents.update(resident, {"phone": "13700137000"})
    send(head, bureau, tmp_path)
    send(worker, bureau, tmp_path)
    [conflict] = bureau.sync.conflicts()
    assert bureau.residents.search("两边都改过的人")
    assert bureau.listing.counts()["visits"] == 1
    keep = next(v.change_id for v in conflict.values if v.value == "13700137000")
    bureau.sync.resolve(conflict.id, keep=keep)
    _path, report = send(bureau, head, tmp_path)
    assert report.conflicts == 0 and _phone(head, resident) == "13700137000"
    for app in (head, worker, bureau):
        app.close()


def test_the_bureau_rebuilds_a_replaced_laptop(
    laptops: tuple[Application, Application, Application], tmp_path: Path
) -> None:
    head, _worker, bureau = laptops
    staff = _staff(head)
    _visit(head, _resident(head, "登记在站长电脑上的"), staff)
    send(head, bureau, tmp_path)
    new = installation(tmp_path / "replacement")  # its station chosen at its first start
    enrol(new, bureau)
    _path, report = send(bureau, new, tmp_path, full=True)
    assert report.refusal is None and report.pending == 0
    assert new.residents.search("登记在站长电脑上的")
    assert new.listing.counts()["visits"] == 1
    new.close()


def test_a_laptop_whose_clock_is_far_ahead_is_named(tmp_path: Path) -> None:
    fast = FakeClock()
    fast.advance(days=400)
    ahead = installation(tmp_path / "ahead", clock=fast)
    here = installation(tmp_path / "here")
    enrol(ahead, here)
    _resident(ahead)
    _path, report = send(ahead, here, tmp_path)
    assert report.clock_warnings and report.clock_warnings[0].newest > here.ctx.clock() + timedelta(
        days=300
    )
    assert report.clock_warnings[0].station == STATION  # the report names where it is


def test_an_edit_on_a_laptop_whose_clock_is_slow_leaves_the_same_record_everywhere(
    tmp_path: Path,
) -> None:
    """The slow laptop does not move its clock by changes "from the future" (a day beyond
    its own date), so its edit sorts before the insert it was based on: the record's
    update time must still be its newest head's, here and there alike."""
    slow = FakeClock()
    slow.advance(days=-3)
    right = installation(tmp_path / "right")
    behind = installation(tmp_path / "behind", clock=slow)
    enrol(right, behind)
    resident = _resident(right)
    send(right, behind, tmp_path, full=True)
    behind.residents.update(resident, {"phone": "13700137000"})
    send(behind, right, tmp_path)
    assert replicated_state(right) == replicated_state(behind)


def test_sending_needs_someone_to_send_to(tmp_path: Path) -> None:
    alone = installation(tmp_path / "alone")
    with pytest.raises(StationError, match="nobody to send to"):
        alone.sync.export(tmp_path / "x.sdbundle")
    assert not (tmp_path / "x.sdbundle").exists()


def test_a_laptop_may_not_trust_its_own_card(laptops: tuple[Application, ...]) -> None:
    head = laptops[0]
    with pytest.raises(ValidationError):
        head.sync.trust(head.sync.card())


# ---------------------------------------------------------------- hostile bundles


def _refused(target: Application, path: Path, words: str) -> None:
    before = file_hash(*database_files(target))
    before_state = replicated_state(target)
    [report] = target.sync.import_bundles([path])
    assert report.refusal is not None, report.status
    assert isinstance(report.refusal, BundleRefused)
    assert words in report.refusal.english(), report.refusal.english()
    assert str(path) in report.refusal.english()
    assert file_hash(*database_files(target)) == before
    assert replicated_state(target) == before_state


@pytest.fixture
def a_bundle(
    laptops: tuple[Application, Application, Application], tmp_path: Path
) -> tuple[Application, Application, Path]:
    head, worker, _bureau = laptops
    staff = _staff(head)
    for n in range(20):
        _visit(head, _resident(head, f"居民{n}", notes="长" * 300), staff)
    path = tmp_path / "good.sdbundle"
    head.sync.export(path, to=[worker.sync.card().fingerprint])
    return head, worker, path


def test_every_truncation_is_refused(
    a_bundle: tuple[Application, Application, Path], tmp_path: Path
) -> None:
    _head, worker, path = a_bundle
    data = path.read_bytes()
    cut = tmp_path / "cut.sdbundle"
    before = file_hash(*database_files(worker))
    for length in range(0, len(data), max(1, len(data) // 97)):
        cut.write_bytes(data[:length])
        [report] = worker.sync.import_bundles([cut])
        assert report.refusal is not None, length
    assert file_hash(*database_files(worker)) == before


def test_flipped_bits_and_padding_are_refused(
    a_bundle: tuple[Application, Application, Path], tmp_path: Path
) -> None:
    _head, worker, path = a_bundle
    data = bytearray(path.read_bytes())
    bad = tmp_path / "bad.sdbundle"
    before = file_hash(*database_files(worker))
    for offset in range(40, len(data), max(1, len(data) // 61)):
        flipped = bytearray(data)
        flipped[offset] ^= 0x10
        bad.write_bytes(bytes(flipped))
        [report] = worker.sync.import_bundles([bad])
        assert report.refusal is not None, offset
    bad.write_bytes(bytes(data) + b"\0" * 100)
    [report] = worker.sync.import_bundles([bad])
    assert report.refusal is not None
    assert file_hash(*database_files(worker)) == before


def test_a_bundle_for_someone_else(
    laptops: tuple[Application, Application, Application], tmp_path: Path
) -> None:
    head, worker, bureau = laptops
    _resident(head)
    path = tmp_path / "for-the-bureau.sdbundle"
    head.sync.export(path, to=[bureau.sync.card().fingerprint])
    _refused(worker, path, "made for other laptops")


def test_a_bundle_from_an_unknown_or_withdrawn_laptop(
    laptops: tuple[Application, Application, Application], tmp_path: Path
) -> None:
    head, worker, _bureau = laptops
    stranger = installation(tmp_path / "stranger")
    stranger.sync.trust(worker.sync.card())
    _resident(stranger)
    path = tmp_path / "stranger.sdbundle"
    stranger.sync.export(path, to=[worker.sync.card().fingerprint])
    _refused(worker, path, stranger.sync.card().fingerprint)
    worker.sync.revoke(head.sync.card().fingerprint)
    _resident(head)
    revoked = tmp_path / "revoked.sdbundle"
    head.sync.export(revoked, to=[worker.sync.card().fingerprint])
    _refused(worker, revoked, "withdrawn")


def _forged(
    maker: Application,
    target: Application,
    path: Path,
    lines: list[bytes],
    **manifest_changes: object,
) -> Path:
    """A bundle signed by `maker` holding whatever lines a forger wants."""
    from station_desktop.sync.bundle import write_bundle
    from station_desktop.sync.ledger import to_json

    manifest: dict[str, object] = {
        "format": 1,
        "bundle_id": str(uuid.uuid4()),
        "bundle_seq": 99,
        "created_at": maker.ctx.clock().isoformat(),
        "app_version": "0",
        "schema_revision": "0002",
        "entry_schema": 1,
        "signer": maker.sync.card().to_json(),
        "recipients": [],
        "holdings": to_json({}),
        "installations": [],
        "counts": {},
        **manifest_changes,
    }
    write_bundle(path, manifest, lines, maker.sync.keys(), [target.sync.card().age_recipient])
    return path


def _entry(maker: Application, **changes: object) -> dict[str, object]:
    entry: dict[str, object] = {
        "d": str(maker.ctx.device_id),
        "s": 9_000,
        "h": 1,
        "w": "2026-06-01T08:00:00+00:00",
        "t": str(maker.ctx.station_id()),
        "a": None,
        "c": str(uuid.uuid4()),
        "e": "resident",
        "r": str(uuid.uuid4()),
        "o": "insert",
        "f": {
            "name_zh": "伪造",
            "legal_basis": "statutory_duty",
            "station_id": str(maker.ctx.station_id()),
        },
        "p": [],
        "v": 1,
    }
    entry.update(changes)
    return entry


def _line(entry: dict[str, object]) -> bytes:
    """As a bundle writes its entries (a lone surrogate cannot be: it travels escaped)."""
    try:
        return json.dumps(entry, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    except UnicodeEncodeError:
        return json.dumps(entry, sort_keys=True, separators=(",", ":")).encode()


ENTRY_2 = "entry 2"
MALFORMED: dict[str, tuple[object, str]] = {
    "duplicate keys": (b'{"d":"x","d":"y"}', ENTRY_2),
    "not JSON": (b"this is not json", ENTRY_2),
    "NaN": (None, ENTRY_2),
    "wrong type": ({"s": "nine"}, ENTRY_2),
    "unknown table": ({"e": "sqlite_master"}, "unknown table"),
    "unknown column": ({"f": {"name_zh": "x", "is_admin": True}}, "unknown columns"),
    "value failing a form rule": (
        {"f": {"name_zh": "x", "id_number": "110105194912310021"}},
        "id_number",
    ),
    "text too long": ({"f": {"name_zh": "长" * 5000}}, "too long"),
    "lone surrogate": ({"f": {"name_zh": "\udc80"}}, ENTRY_2),
    "not in the exact form": ("spaces", "not written as a bundle writes"),
    "another station": ({"t": str(uuid.uuid4())}, "another station"),
    "bad date": ({"f": {"name_zh": "x", "birth_date": "0001-01-01"}}, "out of range"),
    "deep nesting": ({"f": {"name_zh": json.loads("[" * 40 + "]" * 40)}}, "nested too deeply"),
}


@pytest.mark.parametrize("case", MALFORMED, ids=MALFORMED.keys())
def test_malformed_entries_refuse_the_whole_bundle(
    laptops: tuple[Application, Application, Application], tmp_path: Path, case: str
) -> None:
    """The first entry is good, the second is not: nothing of either is taken."""
    head, worker, _bureau = laptops
    good = _line(_entry(head))
    change, words = MALFORMED[case]
    if isinstance(change, bytes):
        bad = change
    elif change == "spaces":  # the same entry, serialised with spaces after the colons
        bad = json.dumps(_entry(head, s=9_001), sort_keys=True).encode()
    elif change is None:
        bad = good.replace(b'"h":1', b'"h":NaN')
    else:
        bad = _line(_entry(head, **{"s": 9_001, **change}))  # type: ignore[dict-item]
    path = _forged(head, worker, tmp_path / f"{case}.sdbundle", [good, bad])
    _refused(worker, path, words)


def test_a_station_laptop_may_not_write_the_list_of_stations(
    laptops: tuple[Application, Application, Application], tmp_path: Path
) -> None:
    head, worker, _bureau = laptops
    forged = _entry(head, e="station", r=str(uuid.uuid4()), f={"code": "FAKE", "kind": "township"})
    path = _forged(head, worker, tmp_path / "stations.sdbundle", [_line(forged)])
    _refused(worker, path, "may not make")


def test_a_newer_schema_is_refused(
    laptops: tuple[Application, Application, Application], tmp_path: Path
) -> None:
    head, worker, _bureau = laptops
    path = _forged(head, worker, tmp_path / "newer.sdbundle", [], schema_revision="9999")
    _refused(worker, path, "newer version")


def test_a_changed_manifest_breaks_the_signature(
    laptops: tuple[Application, Application, Application], tmp_path: Path
) -> None:
    head, worker, _bureau = laptops
    manifest = canonical_json({"format": 1, "signer": head.sync.card().to_json()}).encode()
    signature = head.sync.keys().sign(SIGNATURE_CONTEXT + manifest)
    tampered = manifest.replace(b'"format":1', b'"format":1 ')
    inner = _frame(tampered, signature, b"")
    path = tmp_path / "tampered.sdbundle"
    out = io.BytesIO()
    pyrage.encrypt_io(
        io.BytesIO(inner), out, [x25519.Recipient.from_str(worker.sync.card().age_recipient)]
    )
    path.write_bytes(out.getvalue())
    _refused(worker, path, "signature")


def test_a_compression_bomb_is_refused(
    laptops: tuple[Application, Application, Application],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A payload that expands far beyond its size is stopped at the cap, without ever
    holding it all (the cap is lowered so the test stays quick: 64× and 16 MiB in use)."""
    head, worker, _bureau = laptops
    from station_desktop.sync import bundle

    monkeypatch.setattr(bundle, "EXPANSION_SLACK", 0)
    path = _forged(head, worker, tmp_path / "bomb.sdbundle", [b" " * 500_000] * 4)
    _refused(worker, path, "far more data")


def test_a_missing_or_oversized_file(
    laptops: tuple[Application, ...], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    worker = laptops[1]
    _refused(worker, tmp_path / "not-there.sdbundle", "does not exist")
    from station_desktop.sync import bundle

    big = tmp_path / "big.sdbundle"
    big.write_bytes(b"age-encryption.org/v1\n" + b"\0" * 4096)
    monkeypatch.setattr(bundle, "MAX_BUNDLE_BYTES", 1024)
    _refused(worker, big, "larger than a bundle can be")


def test_not_a_bundle_at_all(laptops: tuple[Application, ...], tmp_path: Path) -> None:
    worker = laptops[1]
    for name, data in {
        "empty": b"",
        "text": b"hello",
        "zip": b"PK\x03\x04" + b"\0" * 100,
        "age but garbage": b"age-encryption.org/v1\n-> X25519 garbage\n---\n" + b"\0" * 50,
    }.items():
        path = tmp_path / f"{name}.sdbundle"
        path.write_bytes(data)
        _refused(worker, path, "")
    card = KeyCard.from_json(laptops[0].sync.card().to_json())
    assert card.fingerprint == laptops[0].sync.card().fingerprint


def test_a_receive_on_a_full_disk_says_so_and_keeps_nothing_of_it(
    laptops: tuple[Application, Application, Application], tmp_path: Path
) -> None:
    """SQLite undoes the whole transaction on a full disk, savepoints and all: the reader
    is told the disk is full (not that a savepoint is missing), and nothing is kept."""
    from sqlalchemy import event

    head, worker, _bureau = laptops
    for number in range(40):
        _resident(head, f"居民{number}", consent_note="ཐུགས་རྗེ་ཆེ། " * 200)
    path = tmp_path / "big.sdbundle"
    head.sync.export(path, to=[worker.sync.card().fingerprint])
    engine = worker.ctx.db.engine
    with engine.connect() as connection:
        pages = connection.exec_driver_sql("PRAGMA page_count").scalar_one()
    engine.dispose()

    def limit(dbapi_connection: Any, _record: object) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count={pages + 8}")

    event.listen(engine, "connect", limit)
    before = replicated_state(worker)
    with pytest.raises(DiskFull):
        worker.sync.import_bundles([path])
    event.remove(engine, "connect", limit)
    engine.dispose()
    assert replicated_state(worker) == before
    [report] = worker.sync.import_bundles([path])  # room again: it all comes in
    assert report.status == "imported" and report.new_records == 40
