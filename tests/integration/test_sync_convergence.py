"""Convergence, by a property-based (stateful) test: three laptops of a station with a
correct, a slow and a far-fast clock, and the bureau, make random registrations, edits,
withdrawals, visits, case notes, stage changes, sign-ins and resolutions; bundles go in
random order, some twice, some lost, some relayed. At the end, after everyone has sent
everyone what they hold:

- every installation holds the same records and the same conflicts;
- no visit, note or sign-in made anywhere is lost;
- every field whose latest changes disagree is listed as a conflict (checked against a
  plain re-computation from the change log), so nothing is resolved silently.

A planted bug (a merge that settles conflicts by itself) must make it fail."""

from __future__ import annotations

import itertools
import shutil
import tempfile
import uuid
from collections import defaultdict
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import select

from station_desktop.app import Application
from station_desktop.errors import StationError
from station_desktop.store import audit
from station_desktop.store.changes import OP_INSERT, canonical_json, insert_defaults
from station_desktop.store.models import (
    REPLICATED_MODELS,
    Attendance,
    CaseNote,
    ChangeLogEntry,
    HomeVisit,
    Resident,
    SyncConflict,
)
from station_desktop.sync import merge
from tests.conftest import FakeClock
from tests.syncing import VILLAGE, enrol, installation, replicated_state

pytestmark = pytest.mark.slow

FIELDS = ("phone", "notes", "name_bo")
VALUES = {
    "phone": ["13800138000", "13900139000", "13700137000"],
    "notes": ["", "腿脚不便", "独居", "ཁང་པ།"],
    "name_bo": ["བཀྲ་ཤིས།", "ཚེ་རིང་།", ""],
}


def _clock(offset: timedelta) -> FakeClock:
    clock = FakeClock()
    clock.now += offset
    return clock


class Exchange(RuleBasedStateMachine):
    residents = Bundle("residents")
    cases = Bundle("cases")
    activities = Bundle("activities")
    bundles = Bundle("bundles")

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="sync-convergence-"))
        offsets = (timedelta(0), timedelta(days=-3), timedelta(days=730))
        self.laptops = [
            installation(self.folder / f"laptop{i}", clock=_clock(offset))
            for i, offset in enumerate(offsets)
        ]
        self.bureau = installation(self.folder / "bureau", bureau=True)
        self.everyone = [*self.laptops, self.bureau]
        enrol(*self.everyone)
        self.staff = self.laptops[0].stations.add_staff("", "卓玛", "social_worker")
        self.made: dict[str, set[uuid.UUID]] = defaultdict(set)
        self.numbers = itertools.count(1)

    def teardown(self) -> None:
        for app in self.everyone:
            app.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    # ------------------------------------------------------------ helpers

    def _tick(self) -> None:
        for app in self.everyone:
            assert isinstance(app.ctx.clock, FakeClock)
            app.ctx.clock.advance(minutes=7)

    def _has(self, app: Application, model: type[Any], record_id: uuid.UUID) -> bool:
        with app.ctx.db.read() as session:
            row = session.get(model, record_id)
            return row is not None and not row.deleted

    def _try(self, action: Any) -> Any:
        """Local refusals (a stale edit, a closed case) are part of life, not failures."""
        try:
            return action()
        except StationError:
            return None

    # ------------------------------------------------------------ what people do

    @initialize(target=residents)
    def shared_resident(self) -> uuid.UUID:
        """Someone every laptop already knows: edits made apart on it are likely."""
        first = self.laptops[0]
        area = first.stations.area_by_code(VILLAGE)
        assert area is not None
        record = first.residents.register(
            {"name_zh": "大家都认识的人", "legal_basis": "statutory_duty", "area_id": area.id}
        )
        for other in self.everyone[1:]:
            path = self.folder / f"start{next(self.numbers)}.sdbundle"
            first.sync.export(path, full=True, to=[other.sync.card().fingerprint])
            [report] = other.sync.import_bundles([path])
            assert report.refusal is None
        return record

    @rule(target=residents, who=st.integers(0, 2))
    def register(self, who: int) -> uuid.UUID:
        self._tick()
        app = self.laptops[who]
        area = app.stations.area_by_code(VILLAGE)
        assert area is not None
        record = app.residents.register(
            {"name_zh": f"居民{next(self.numbers)}", "legal_basis": "statutory_duty",
             "area_id": area.id}
        )  # fmt: skip
        return record

    @rule(
        resident=residents,
        who=st.integers(0, 2),
        name=st.sampled_from(FIELDS),
        choice=st.integers(0, 3),
    )
    def edit(self, resident: uuid.UUID, who: int, name: str, choice: int) -> None:
        self._tick()
        app = self.laptops[who]
        if self._has(app, Resident, resident):
            value = VALUES[name][choice % len(VALUES[name])]
            self._try(lambda: app.residents.update(resident, {name: value}))

    @rule(
        resident=residents,
        first=st.integers(0, 2),
        second=st.integers(0, 2),
        name=st.sampled_from(FIELDS),
    )
    def edit_apart(self, resident: uuid.UUID, first: int, second: int, name: str) -> None:
        """Two laptops change the same field, neither seeing the other's change: how a
        conflict begins (random single edits alone rarely line up)."""
        if first == second:
            second = (second + 1) % 3
        self.edit(resident, first, name, 0)
        self.edit(resident, second, name, 1)

    @rule(resident=residents, who=st.integers(0, 2))
    def withdraw(self, resident: uuid.UUID, who: int) -> None:
        self._tick()
        app = self.laptops[who]
        if self._has(app, Resident, resident):
            self._try(lambda: app.residents.delete(resident))

    @rule(resident=residents, who=st.integers(0, 2))
    def visit(self, resident: uuid.UUID, who: int) -> None:
        self._tick()
        app = self.laptops[who]
        if self._has(app, Resident, resident):
            made = self._try(
                lambda: app.visits.record(
                    {
                        "resident_id": resident,
                        "visit_date": "2026-05-01",
                        "outcome": "at_home",
                        "purpose": "routine",
                    }
                )
            )
            if made:
                self.made["visits"].add(made)

    @rule(target=cases, resident=residents, who=st.integers(0, 2))
    def open_case(self, resident: uuid.UUID, who: int) -> uuid.UUID:
        self._tick()
        app = self.laptops[who]
        if not self._has(app, Resident, resident):
            return uuid.uuid4()  # a case that exists nowhere: later rules skip it
        made = self._try(
            lambda: app.cases.open({"resident_id": resident, "opened_on": "2026-05-01"})
        )
        return made or uuid.uuid4()

    @rule(case=cases, who=st.integers(0, 2))
    def note(self, case: uuid.UUID, who: int) -> None:
        self._tick()
        app = self.laptops[who]
        if self._has(app, merge_model("case_record"), case):
            made = self._try(lambda: app.cases.add_note(case, "2026-05-02", "家访"))
            if made:
                self.made["notes"].add(made)

    @rule(case=cases, who=st.integers(0, 2))
    def next_stage(self, case: uuid.UUID, who: int) -> None:
        self._tick()
        app = self.laptops[who]
        if self._has(app, merge_model("case_record"), case):
            self._try(lambda: app.cases.move_stage(case, "assessment", "2026-05-03"))

    @rule(target=activities, who=st.integers(0, 2))
    def activity(self, who: int) -> uuid.UUID:
        self._tick()
        return self.laptops[who].activities.record(
            {"title": "健康讲座", "kind": "training", "held_on": "2026-05-04"}
        )

    @rule(activity=activities, resident=residents, who=st.integers(0, 2))
    def sign_in(self, activity: uuid.UUID, resident: uuid.UUID, who: int) -> None:
        self._tick()
        app = self.laptops[who]
        present = self._has(app, merge_model("activity"), activity) and self._has(
            app, Resident, resident
        )
        if present and self._try(lambda: app.activities.add_attendees(activity, [resident])):
            self.made["sign-ins"].add(uuid.uuid5(activity, str(resident)))

    @rule(who=st.integers(0, 3), pick=st.integers(0, 10))
    def resolve(self, who: int, pick: int) -> None:
        self._tick()
        app = self.everyone[who]
        conflicts = app.sync.conflicts()
        if conflicts:
            conflict = conflicts[pick % len(conflicts)]
            keep = conflict.values[pick % len(conflict.values)].change_id
            self._try(lambda: app.sync.resolve(conflict.id, keep=keep))

    # ------------------------------------------------------------ bundles

    @rule(target=bundles, source=st.integers(0, 3), target_=st.integers(0, 3), full=st.booleans())
    def export(self, source: int, target_: int, full: bool) -> tuple[Path, int]:
        if source == target_:
            target_ = (target_ + 1) % 4
        path = self.folder / f"b{next(self.numbers)}.sdbundle"
        sender, receiver = self.everyone[source], self.everyone[target_]
        sender.sync.export(path, full=full, to=[receiver.sync.card().fingerprint])
        return path, target_

    @rule(bundle=bundles)
    def deliver(self, bundle: tuple[Path, int]) -> None:
        """Delivered (perhaps again, perhaps long after); bundles never delivered are lost."""
        path, target_ = bundle
        [report] = self.everyone[target_].sync.import_bundles([path])
        assert report.refusal is None, report.refusal.english()

    # ------------------------------------------------------------ the end

    def converge(self) -> None:
        for _ in range(2):
            for source, target_ in itertools.permutations(range(4), 2):
                path = self.folder / f"final{next(self.numbers)}.sdbundle"
                sender, receiver = self.everyone[source], self.everyone[target_]
                sender.sync.export(path, full=True, to=[receiver.sync.card().fingerprint])
                [report] = receiver.sync.import_bundles([path])
                assert report.refusal is None

    def check(self) -> None:
        self.converge()
        states = [replicated_state(app) for app in self.everyone]
        for state in states[1:]:
            assert state == states[0]
        for app in self.everyone:
            with app.ctx.db.read() as session:
                for name, model in (
                    ("visits", HomeVisit),
                    ("notes", CaseNote),
                    ("sign-ins", Attendance),
                ):
                    held = set(session.scalars(select(model.id)))
                    assert self.made[name] <= held, f"{name} lost"
                assert _conflicts_in_table(session) == _conflicts_from_the_log(session)
                # Every laptop's audit trail is whole and its records are what its log says.
                trail = audit.verify(session)
                assert trail.whole, [problem.english() for problem in trail.problems]


def merge_model(name: str) -> type[Any]:
    return REPLICATED_MODELS[name]


def _conflicts_in_table(session: Any) -> set[tuple[str, uuid.UUID, str]]:
    return {
        (c.entity, c.record_id, c.field)
        for c in session.scalars(select(SyncConflict))
        if c.kind == merge.KIND_VALUE
    }


def _conflicts_from_the_log(session: Any) -> set[tuple[str, uuid.UUID, str]]:
    """A plain re-computation, independent of sync.merge: per record and field, the
    entries that set it and that no other such entry descends from; a conflict when their
    values differ."""
    entries: dict[tuple[str, uuid.UUID], list[ChangeLogEntry]] = defaultdict(list)
    for entry in session.scalars(select(ChangeLogEntry)):
        entries[(entry.entity, entry.record_id)].append(entry)
    found = set()
    for (entity, record_id), group in entries.items():
        by_id = {f"{e.device_id}:{e.seq}": e for e in group}
        below = {change: _ancestors(by_id, change) for change in by_id}
        defaults = {k: canonical_json(v) for k, v in _defaults(entity).items()}
        for name, default in defaults.items():
            touching = [c for c, e in by_id.items() if e.op == OP_INSERT or name in e.fields]
            heads = [c for c in touching if not any(c in below[o] for o in touching if o != c)]
            values = {
                canonical_json(by_id[c].fields[name]) if name in by_id[c].fields else default
                for c in heads
            }
            if len(values) > 1 and any(by_id[c].op == OP_INSERT for c in by_id):
                found.add((entity, record_id, name))
    return found


def _ancestors(by_id: dict[str, ChangeLogEntry], change: str) -> set[str]:
    seen: set[str] = set()
    stack = [change]
    while stack:
        for parent in by_id[stack.pop()].parents:
            if parent in by_id and parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return seen


def _defaults(entity: str) -> dict[str, Any]:
    from station_desktop.store.changes import encode_value

    return {k: encode_value(v) for k, v in insert_defaults(REPLICATED_MODELS[entity]).items()}


SETTINGS = settings(
    max_examples=12,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


class ConvergenceTest(Exchange):
    def teardown(self) -> None:
        try:
            self.check()
        finally:
            super().teardown()


def test_every_installation_converges() -> None:
    run_state_machine_as_test(ConvergenceTest, settings=SETTINGS)


def test_a_planted_bug_is_found(monkeypatch: pytest.MonkeyPatch) -> None:
    """A merge that settles conflicts by itself (keeps the newest value, lists nothing)."""
    original = merge.record_state

    def silent(*args: Any, **kwargs: Any) -> merge.RecordState | None:
        state = original(*args, **kwargs)
        if state is not None:
            state.conflicts = {k: v for k, v in state.conflicts.items() if v[0] != merge.KIND_VALUE}
        return state

    monkeypatch.setattr(merge, "record_state", silent)
    with pytest.raises(AssertionError):
        run_state_machine_as_test(
            ConvergenceTest,
            # Finding it is what counts: no shrinking (minutes), nothing remembered.
            settings=settings(
                SETTINGS,
                max_examples=40,
                phases=[Phase.generate],
                database=None,
            ),
        )
