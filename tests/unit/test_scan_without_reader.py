"""A laptop installed without the scan reader's package (station-desktop-scan: OpenCV,
numpy, zxing-cpp, PDFium) refuses to read scans in the person's words, having read and
written nothing; everything else works without those libraries."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from station_desktop.app import Application
from station_desktop.errors import StationError
from station_desktop.i18n import Catalogues
from station_desktop.services import scanning
from station_desktop.store.models import FeedbackSheet, ScannedPage
from tests.conftest import StationSetup


@pytest.fixture
def without_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    """As the package `station-desktop` alone installs it: OpenCV's module is missing."""
    monkeypatch.setattr(scanning, "READER_MODULES", ("cv2", "station_desktop_no_cv2_here"))


def test_the_reader_is_found_where_its_libraries_are() -> None:
    assert scanning.reader_installed()  # the test environment has every library


def test_reading_scans_without_the_reader_is_refused_and_writes_nothing(
    app: Application, station: StationSetup, without_reader: None, tmp_path: Path
) -> None:
    scan = tmp_path / "pile.pdf"
    scan.write_bytes(b"%PDF-1.7\n")
    with pytest.raises(StationError) as refused:
        app.scanning.read([scan])
    assert refused.value.message == scanning.MSG_READER_MISSING
    assert "station-desktop-scan" in refused.value.english()
    with app.ctx.db.read() as session:
        for model in (FeedbackSheet, ScannedPage):
            assert session.scalar(select(func.count()).select_from(model)) == 0


@pytest.mark.parametrize("language", ["bo", "zh_CN"])
def test_the_refusal_names_the_package_in_every_language(language: str) -> None:
    text = Catalogues().translator(language).gettext(scanning.MSG_READER_MISSING)
    assert text != scanning.MSG_READER_MISSING
    assert "station-desktop-scan" in text
