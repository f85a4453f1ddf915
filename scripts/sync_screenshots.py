"""Render the Sync and Conflicts pages and the sync dialogs at 1366×768, for looking at.

    .venv/bin/python scripts/sync_screenshots.py OUT_DIR [LANGUAGE ...]

Builds a small scene in a temporary folder for each language: a station head's laptop, a
social worker's (its clock two days ahead) and the bureau, enrolled with each other; a
phone number and an address changed on both laptops, a resident withdrawn on one and
edited on the other; then the head receives the worker's bundle (with a copy of it and a
file that is no bundle), sends to the others, and is asked to trust a new laptop's card.
Uses the offscreen platform unless QT_QPA_PLATFORM says otherwise.
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

SIZE = (1366, 768)
STATION = "540102001"
VILLAGE = "540102001001"


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def settle(qt_app: Any) -> None:
    for _ in range(6):
        qt_app.processEvents()


def _installation(root: Path, clock: Clock, label: str, *, bureau: bool = False) -> Any:
    from station_desktop.app import open_application
    from station_desktop.paths import DataPaths
    from station_desktop.store.reference_seed import SeedArea, SeedStation, seed_reference

    app = open_application(DataPaths(root), clock=clock)
    with app.ctx.db.write_session() as session:
        seed_reference(
            session,
            [SeedStation(STATION, "township", "ཐང་ཁ་ཤང་།", "塘卡乡")],
            [
                SeedArea(VILLAGE, STATION, "village", "ཐང་ཁ་གྲོང་ཚོ།", "塘卡村"),
                SeedArea("540102001002", STATION, "village", "ཆུ་ཤུར་གྲོང་ཚོ།", "曲水村"),
            ],
        )
    app.sync.label = label
    if bureau:
        app.sync.set_role("bureau")
    else:
        app.stations.use_station(STATION)
    return app


def scene(root: Path) -> dict[str, Any]:
    """The three installations, a conflict of each kind, and the files on the stick."""
    now = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
    head = _installation(root / "head", Clock(now), "THINKPAD-HEAD")
    worker = _installation(root / "worker", Clock(now + timedelta(days=2)), "LENOVO-2")
    bureau = _installation(root / "bureau", Clock(now), "MCA-BUREAU", bureau=True)
    for one in (head, worker, bureau):
        for other in (head, worker, bureau):
            if one is not other:
                one.sync.trust(other.sync.card())
    head.ctx.actor_id = head.stations.add_staff("ནོར་བུ་", "罗布", "station_head")
    area = head.stations.area_by_code(VILLAGE)
    tashi = head.residents.register(
        {
            "name_bo": "བཀྲ་ཤིས་ཚེ་རིང་",
            "name_zh": "扎西次仁",
            "legal_basis": "statutory_duty",
            "area_id": area.id,
            "phone": "13800138000",
            "address": "塘卡村三组12号",
        }
    )
    dolma = head.residents.register(
        {"name_bo": "སྒྲོལ་མ་", "name_zh": "卓玛", "legal_basis": "statutory_duty", "area_id": area.id}
    )
    stick = root / "usb"
    stick.mkdir()
    first = stick / "first.sdbundle"
    head.sync.export(first, to=[worker.sync.card().fingerprint])
    worker.sync.import_bundles([first])
    worker.ctx.actor_id = worker.stations.add_staff("སྒྲོལ་དཀར་", "卓嘎", "social_worker")
    head.residents.update(tashi, {"phone": "13900139000", "address": "塘卡村三组12号（新房）"})
    worker.residents.update(tashi, {"phone": "13700137000", "address": "曲水村一组5号"})
    head.residents.delete(dolma)
    worker.residents.update(dolma, {"phone": "13600136000"})
    from_worker = stick / f"station-{STATION}-20260603-0815.sdbundle"
    worker.sync.export(from_worker, to=[head.sync.card().fingerprint])
    junk = stick / "IMG_0042.sdbundle"
    junk.write_bytes(b"\xff\xd8\xff\xe0 a photo, not a bundle")
    newcomer = _installation(root / "new", Clock(now), "DELL-NEW")
    card = stick / "key-card-new.json"
    newcomer.sync.write_card(card)
    newcomer.close()
    return {
        "head": head,
        "others": (worker, bureau),
        "stick": stick,
        "receive": [from_worker, from_worker, junk],
        "card": card,
    }


def main(out_dir: str, languages: list[str]) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QCoreApplication, QEvent, QSettings
    from PySide6.QtWidgets import QApplication, QScrollArea

    from station_desktop.i18n import Catalogues
    from station_desktop.ui.launch import start_interface
    from station_desktop.ui.main_window import MainWindow

    qt_app = QApplication(sys.argv[:1])
    QCoreApplication.setOrganizationName("station-desktop-screenshots")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, out_dir)
    switcher = start_interface(qt_app, Catalogues())
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for language in languages or ["bo", "zh_CN"]:
        switcher.switch(language)
        with tempfile.TemporaryDirectory() as folder:
            made = scene(Path(folder))
            head = made["head"]
            window = MainWindow(head, switcher)
            window.resize(*SIZE)
            window.show()
            settle(qt_app)

            def grab(widget: Any, name: str, language: str = language) -> None:
                settle(qt_app)
                widget.grab().save(str(out / f"sync-{name}-{language}.png"))

            dialog = window.sync_page.open_receive(made["receive"])
            assert dialog is not None and dialog.job is not None
            while dialog.job is not None:
                qt_app.processEvents()
            grab(dialog, "receive")
            dialog.accept()
            window.nav.setCurrentRow(window.pages.indexOf(window.sync_page))
            grab(window, "page")
            scroll = window.sync_page.findChild(QScrollArea)
            scroll.verticalScrollBar().setValue(scroll.verticalScrollBar().maximum())
            grab(window, "page-lower")
            window.show_conflicts()
            page = window.conflicts_page
            for row in range(page.table.rowCount()):
                page.table.selectRow(row)
                grab(window, f"conflicts-{row}")
            send = window.sync_page.open_send()
            send.choose_folder(made["stick"])
            grab(send, "send-choose")
            job = send.send()
            while job is not None and send.job is not None:
                qt_app.processEvents()
            grab(send, "send-done")
            send.reject()
            trust = window.sync_page.trust_card(made["card"])
            assert trust is not None
            grab(trust, "trust")
            trust.reject()
            window.close()
            window.deleteLater()  # a closed window would still follow the next language
            qt_app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
            settle(qt_app)
            for app in (head, *made["others"]):
                app.close()
    switcher.shutdown()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
