"""Logs rotate and hold no personal data."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from station_desktop.logs import LOG_FILE, configure_logging, redact, stop_logging


@pytest.fixture(autouse=True)
def _close_log_files() -> Iterator[None]:
    yield
    stop_logging()


def test_personal_data_never_reaches_the_file(tmp_path: Path) -> None:
    path = configure_logging(tmp_path / "logs")
    log = logging.getLogger("station_desktop.test")
    log.warning("saving resident 扎西次仁 བཀྲ་ཤིས་ id=11010519491231002X phone 13912345678")
    try:
        raise ValueError("bad name 卓玛 in field name_zh")
    except ValueError:
        log.exception("while saving")
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = path.read_text(encoding="utf-8")
    for secret in ("扎西", "བཀྲ", "11010519491231002X", "13912345678", "卓玛"):
        assert secret not in text
    assert "saving resident" in text and "name_zh" in text and "ValueError" in text


def test_logs_rotate(tmp_path: Path) -> None:
    path = configure_logging(tmp_path)
    log = logging.getLogger("station_desktop.rotation")
    for n in range(12_000):
        log.warning("event %d %s", n, "x" * 100)
    files = sorted(p.name for p in tmp_path.iterdir())
    assert LOG_FILE in files and f"{LOG_FILE}.1" in files
    assert len(files) <= 6  # the current file and five old ones
    assert path.stat().st_size <= 1_100_000


@given(st.text(alphabet="0123456789扎西ཀཁabc -:", max_size=40))
def test_redaction_leaves_no_long_numbers_or_script(text: str) -> None:
    out = redact(text)
    assert not any("\u0f00" <= ch <= "\u0fff" or "\u4e00" <= ch <= "\u9fff" for ch in out)
    digits = "".join(ch if ch.isdigit() else " " for ch in out).split()
    assert all(len(run) < 7 for run in digits)
