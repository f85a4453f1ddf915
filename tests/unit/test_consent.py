"""The under-14 rule counts age on Lhasa's calendar (Asia/Shanghai, UTC+8), whatever the
laptop's clock zone: at 00:30 in Lhasa it is already the next day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from station_desktop.app import Application
from station_desktop.errors import ValidationError
from station_desktop.services.residents import age_on
from tests.conftest import FakeClock, StationSetup


def _child(app: Application, birth: str, basis: str) -> None:
    app.residents.register({"name_zh": "小明", "birth_date": birth, "legal_basis": basis})


def test_the_fourteenth_birthday_begins_at_midnight_in_lhasa(
    app: Application, station: StationSetup, clock: FakeClock
) -> None:
    # 2026-06-01 16:30 UTC is 2026-06-02 00:30 in Lhasa: born 2012-06-02, 14 today there.
    clock.now = datetime(2026, 6, 1, 16, 30, tzinfo=UTC)
    _child(app, "2012-06-02", "consent")
    clock.now = datetime(2026, 6, 1, 15, 30, tzinfo=UTC)  # 23:30 in Lhasa: still 13
    with pytest.raises(ValidationError) as caught:
        _child(app, "2012-06-02", "consent")
    assert {e.field for e in caught.value.errors} == {"legal_basis", "guardian_name"}


@given(
    birth=st.dates(min_value=date(1930, 1, 1), max_value=date(2026, 1, 1)),
    days=st.integers(min_value=0, max_value=40_000),
)
def test_age_grows_by_one_on_each_birthday(birth: date, days: int) -> None:
    day = birth + timedelta(days=days)
    age = age_on(birth, day)
    assert age >= 0
    assert age_on(birth, day + timedelta(days=1)) - age in (0, 1)
    if (day.month, day.day) == (birth.month, birth.day):
        assert age == day.year - birth.year
