"""USB sync in the window: sending with progress and a summary, receiving with progress and
a report per file (a refused file says why), trusting a key card only after comparing its
fingerprint, withdrawing access after a question, and a conflict between two laptops
resolved on the Conflicts page of one and gone on the other after the next exchange."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from station_desktop.app import Application
from station_desktop.ui.main_window import MainWindow
from station_desktop.ui.qt_i18n import LanguageSwitcher
from station_desktop.ui.sync.receive import ReceiveDialog
from station_desktop.ui.sync.trust import TrustDialog
from tests.gui.conftest import answer_message_boxes
from tests.gui.test_accessibility import nameless_controls
from tests.syncing import STATION, VILLAGE, enrol, installation, send

pytestmark = pytest.mark.gui
WAIT_MS = 60_000  # a busy 2-core machine


@pytest.fixture
def laptops(tmp_path: Path) -> Iterator[tuple[Application, Application]]:
    """The station head's laptop and a social worker's, enrolled with each other."""
    head = installation(tmp_path / "head")
    worker = installation(tmp_path / "worker")
    enrol(head, worker)
    yield head, worker
    for app in (head, worker):
        app.close()


@pytest.fixture
def usb(tmp_path: Path) -> Path:
    stick = tmp_path / "usb"
    stick.mkdir()
    return stick


def _window(app: Application, languages: LanguageSwitcher, qtbot: QtBot) -> MainWindow:
    window = MainWindow(app, languages)
    qtbot.addWidget(window)
    window.show()
    return window


def _show(window: MainWindow, page: object) -> None:
    window.nav.setCurrentRow(window.pages.indexOf(page))  # type: ignore[arg-type]
    QApplication.processEvents()


def _resident(app: Application, name: str, **values: object) -> object:
    area = app.stations.area_by_code(VILLAGE)
    assert area is not None
    return app.residents.register(
        {"name_zh": name, "legal_basis": "statutory_duty", "area_id": area.id, **values}
    )


def _phone(app: Application, resident: object) -> str:
    from station_desktop.store.models import Resident

    with app.ctx.db.read() as session:
        row = session.get(Resident, resident)
        assert row is not None
        return row.phone


def _dispose(window: MainWindow) -> None:
    """Closed, so the next window gets the keyboard focus (qtbot deletes it later)."""
    window.close()
    QApplication.processEvents()


# ---------------------------------------------------------------- sending


def test_send_writes_a_bundle_with_progress_then_says_what_went_for_whom(
    laptops: tuple[Application, Application],
    languages: LanguageSwitcher,
    qtbot: QtBot,
    usb: Path,
) -> None:
    head, worker = laptops
    for n in range(3):
        _resident(head, f"扎西{n}")
    window = _window(head, languages, qtbot)
    dialog = window.sync_page.open_send()
    # Usually for the station's other laptops (and the bureau): already chosen.
    assert dialog.chosen() == [worker.sync.card().fingerprint]
    dialog.choose_folder(usb)
    with qtbot.waitSignal(dialog.sent, timeout=WAIT_MS) as sent:
        job = dialog.send()
        assert job is not None and dialog.progress.isVisible()
        assert not dialog.send_button.isEnabled() and not dialog.close_button.isEnabled()
    summary = sent.args[0]
    [written] = list(usb.iterdir())
    # Which station and when, nothing about anyone in the file name.
    assert re.fullmatch(rf"station-{STATION}-\d{{8}}-\d{{4}}\.sdbundle", written.name)
    assert summary.path == written and summary.entries > 3
    assert dialog.progress.maximum() == dialog.progress.value() == summary.entries
    text = dialog.summary_label.text()
    assert f"已为 社工站 {STATION}" in text and f"写入 {summary.entries} 条修改" in text
    assert worker.sync.card().fingerprint in text
    assert f"{STATION} (" in text  # per station
    assert dialog.close_button.isEnabled() and not dialog.send_button.isEnabled()
    # The folder (the USB stick) is remembered for the next time.
    again = window.sync_page.open_send()
    assert again.folder_edit.text() == str(usb)
    assert nameless_controls(again) == []
    again.reject()
    dialog.reject()
    [report] = worker.sync.import_bundles([written])
    assert report.refusal is None and report.new_records >= 3
    _dispose(window)


def test_a_bureau_chooses_whom_it_sends_to(
    tmp_path: Path, languages: LanguageSwitcher, qtbot: QtBot, usb: Path
) -> None:
    bureau = installation(tmp_path / "bureau", bureau=True)
    station = installation(tmp_path / "station")
    enrol(bureau, station)
    window = _window(bureau, languages, qtbot)
    dialog = window.sync_page.open_send()
    assert dialog.chosen() == [] and not dialog.send_button.isEnabled()
    dialog.set_chosen([station.sync.card().fingerprint])
    assert dialog.send_button.isEnabled()
    dialog.choose_folder(usb)
    with qtbot.waitSignal(dialog.sent, timeout=WAIT_MS):
        dialog.send()
    [written] = list(usb.iterdir())
    assert written.name.startswith("bureau-")
    dialog.reject()
    _dispose(window)
    for app in (bureau, station):
        app.close()


# ---------------------------------------------------------------- receiving


def _received(dialog: ReceiveDialog, qtbot: QtBot) -> None:
    qtbot.waitUntil(lambda: dialog.job is None and bool(dialog.reports), timeout=WAIT_MS)


def test_receive_reports_each_file_what_came_in_what_was_there_and_what_was_refused(
    laptops: tuple[Application, Application],
    languages: LanguageSwitcher,
    qtbot: QtBot,
    usb: Path,
    tmp_path: Path,
) -> None:
    head, worker = laptops
    _resident(head, "扎西")
    good = usb / "from-head.sdbundle"
    head.sync.export(good, to=[worker.sync.card().fingerprint])
    stranger = installation(tmp_path / "stranger")
    enrol(stranger, head)
    elsewhere = usb / "for-someone-else.sdbundle"
    head.sync.export(elsewhere, to=[stranger.sync.card().fingerprint])
    stranger.close()
    junk = usb / "holiday-photo.sdbundle"
    junk.write_bytes(b"\xff\xd8\xff\xe0 not a bundle")
    window = _window(worker, languages, qtbot)
    changed: list[bool] = []
    window.sync_page.records_changed.connect(lambda: changed.append(True))
    dialog = window.sync_page.open_receive([good, good, elsewhere, junk])
    assert dialog is not None and dialog.job is not None
    assert not dialog.close_button.isEnabled()  # the import is one step: it is not left half
    _received(dialog, qtbot)
    assert [r.status for r in dialog.reports] == [
        "imported",
        "already received",
        "refused",
        "refused",
    ]
    # Progress for each file, and through the changes of the one taken in.
    assert [step.index for step in dialog.steps if not step.total] == [0, 1, 2, 3]
    counted = [step for step in dialog.steps if step.total]
    assert counted and counted[-1].done == counted[-1].total == dialog.reports[0].entries
    # In the interface language, each refusal with its reason and the file it names.
    text = dialog.report_text()
    assert "文件：4 个。已接收：1 个；此前已有：1 个；被拒收：2 个。" in dialog.heading.text()
    assert f"社工站 {STATION}，电脑" in text and "此前已接收，未作任何更改。" in text
    assert f"被拒收：{junk} 不是社工站桌面版的数据包。未作任何更改。" in text
    assert f"被拒收：{elsewhere} 是发给其他电脑的" in text
    assert changed == [True]
    assert worker.residents.search("扎西")
    assert nameless_controls(dialog) == []
    dialog.reject()
    _dispose(window)


# ---------------------------------------------------------------- key cards and trust


def test_trusting_a_key_card_asks_to_compare_the_fingerprint_first(
    tmp_path: Path, languages: LanguageSwitcher, qtbot: QtBot, usb: Path
) -> None:
    head = installation(tmp_path / "head")
    worker = installation(tmp_path / "worker")
    head_window = _window(head, languages, qtbot)
    _show(head_window, head_window.sync_page)
    page = head_window.sync_page
    assert page.fingerprint.text() == head.sync.card().fingerprint  # large, to read aloud
    card_file = usb / "head-card.json"
    page.save_card(card_file)
    assert card_file.exists()
    _dispose(head_window)

    window = _window(worker, languages, qtbot)
    page = window.sync_page
    _show(window, page)
    assert page.trusted_table.rowCount() == 0
    dialog = page.trust_card(card_file)
    assert isinstance(dialog, TrustDialog)
    assert dialog.fingerprint.text() == head.sync.card().fingerprint
    assert dialog.cancel_button.isDefault()  # Enter alone never trusts
    assert worker.sync.trusted() == []  # nothing yet: the person is asked first
    dialog.reject()
    assert worker.sync.trusted() == []
    dialog = page.trust_card(card_file)
    assert dialog is not None and nameless_controls(dialog) == []
    assert dialog.trust()
    [trusted] = worker.sync.trusted()
    assert trusted.card.fingerprint == head.sync.card().fingerprint
    assert page.trusted_table.rowCount() == 1
    assert page.trusted_table.item(0, 2).text() == trusted.card.fingerprint  # type: ignore[union-attr]
    # Its own card is not trusted, and says why.
    own = usb / "own.json"
    page.save_card(own)
    dialog = page.trust_card(own)
    assert dialog is not None and not dialog.trust()
    assert dialog.problem_label.text() == "这是本电脑自己的密钥卡。"
    dialog.reject()
    # Something that is no key card: the reason, naming the file.
    bad = usb / "notes.json"
    bad.write_text("{}", encoding="utf-8")
    assert page.trust_card(bad) is None
    assert "notes.json" in page.card_problem.text()
    _dispose(window)
    for app in (head, worker):
        app.close()


def test_withdrawing_access_asks_first(
    laptops: tuple[Application, Application],
    languages: LanguageSwitcher,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    head, worker = laptops
    window = _window(head, languages, qtbot)
    page = window.sync_page
    _show(window, page)
    assert not page.withdraw_button.isEnabled()  # nothing chosen
    page.trusted_table.selectRow(0)
    assert page.withdraw_button.isEnabled()
    answers = answer_message_boxes(monkeypatch, reply=QMessageBox.StandardButton.No)
    assert not page.withdraw_selected()
    assert worker.sync.card().fingerprint in answers.asked[0]
    assert head.sync.trusted()[0].revoked_at is None
    answer_message_boxes(monkeypatch, reply=QMessageBox.StandardButton.Yes)
    assert page.withdraw_selected()
    assert head.sync.trusted()[0].revoked_at is not None
    assert page.trusted_table.item(0, 4).text()  # type: ignore[union-attr]
    page.trusted_table.selectRow(0)
    assert not page.withdraw_button.isEnabled()  # withdrawn already
    _dispose(window)


# ---------------------------------------------------------------- conflicts


def test_a_conflict_is_resolved_on_the_conflicts_page_and_gone_on_the_other_laptop(
    laptops: tuple[Application, Application],
    languages: LanguageSwitcher,
    qtbot: QtBot,
    usb: Path,
    tmp_path: Path,
) -> None:
    head, worker = laptops
    resident = _resident(head, "扎西", phone="13800138000")
    send(head, worker, tmp_path)
    head.residents.update(resident, {"phone": "13900139000"})
    worker.residents.update(resident, {"phone": "13700137000"})
    send(head, worker, tmp_path)  # the worker has both now
    bundle = usb / "from-worker.sdbundle"
    worker.sync.export(bundle, to=[head.sync.card().fingerprint])

    window = _window(head, languages, qtbot)
    dialog = window.sync_page.open_receive([bundle])
    assert dialog is not None
    _received(dialog, qtbot)
    assert dialog.waiting_conflicts() == 1 and dialog.conflicts_button.isVisible()
    dialog.conflicts_button.click()  # to the Conflicts page
    page = window.conflicts_page
    assert window.pages.currentWidget() is page
    assert page.table.rowCount() == 1
    view = page._current
    assert view is not None and view.field == "phone"
    values = {b.accessibleName() for b in page.keep_buttons}
    assert any("13900139000" in v for v in values) and any("13700137000" in v for v in values)
    assert "13800138000" in page.base_label.text()  # the value both started from
    assert page.history_table.rowCount() == 3
    assert nameless_controls(page) == []
    # Enter on the list goes to the first "Keep this value".
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Return)  # type: ignore[no-untyped-call]
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.keep_buttons[0], timeout=2000)
    # The head keeps the worker's value.
    keep = next(b for b in page.keep_buttons if "13700137000" in b.accessibleName())
    keep.click()
    assert page.table.rowCount() == 0 and head.sync.conflicts() == []
    assert page.resolved_label.text() == "已解决。该决定会随下一个数据包传到其他电脑。"
    # The decision travels: after the next exchange the worker has no conflict either.
    assert worker.sync.conflicts()
    send(head, worker, tmp_path)
    assert worker.sync.conflicts() == []
    assert _phone(worker, resident) == _phone(head, resident) == "13700137000"
    _dispose(window)


def test_another_value_typed_on_the_conflicts_page_travels(
    laptops: tuple[Application, Application],
    languages: LanguageSwitcher,
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    head, worker = laptops
    resident = _resident(head, "扎西", phone="13800138000")
    send(head, worker, tmp_path)
    head.residents.update(resident, {"phone": "13900139000"})
    worker.residents.update(resident, {"phone": "13700137000"})
    send(worker, head, tmp_path)
    window = _window(head, languages, qtbot)
    page = window.conflicts_page
    window.show_conflicts()
    QApplication.processEvents()
    assert page.table.rowCount() == 1
    answers = answer_message_boxes(monkeypatch)
    assert not page.type_value("not a phone")  # the field's own rules: refused, still there
    assert len(answers.warnings) == 1 and page.table.rowCount() == 1
    assert page.type_value("13600136000")
    send(head, worker, tmp_path)
    assert head.sync.conflicts() == worker.sync.conflicts() == []
    assert _phone(worker, resident) == "13600136000"
    _dispose(window)


def test_a_record_withdrawn_while_edited_is_kept_withdrawn_or_brought_back(
    laptops: tuple[Application, Application],
    languages: LanguageSwitcher,
    qtbot: QtBot,
    tmp_path: Path,
) -> None:
    head, worker = laptops
    resident = _resident(head, "扎西")
    send(head, worker, tmp_path)
    head.residents.delete(resident)  # type: ignore[arg-type]
    worker.residents.update(resident, {"phone": "13700137000"})
    send(worker, head, tmp_path)
    window = _window(head, languages, qtbot)
    page = window.conflicts_page
    window.show_conflicts()
    QApplication.processEvents()
    assert page.table.rowCount() == 1
    assert page.keep_withdrawn_button.isVisible() and page.bring_back_button.isVisible()
    assert not page.type_button.isVisible() and page.keep_buttons == []
    assert nameless_controls(page) == []
    assert page.bring_back()
    assert head.residents.search("扎西")
    send(head, worker, tmp_path)
    assert worker.sync.conflicts() == []
    _dispose(window)


def test_the_file_menu_and_the_pages_follow_the_language(
    laptops: tuple[Application, Application],
    languages: LanguageSwitcher,
    qtbot: QtBot,
) -> None:
    head, _worker = laptops
    window = _window(head, languages, qtbot)
    texts = [action.text() for action in window.file_menu.actions()]
    assert "发送到U盘…" in texts and "从U盘接收…" in texts
    _show(window, window.sync_page)
    languages.switch("bo")
    QApplication.processEvents()
    texts = [action.text() for action in window.file_menu.actions()]
    assert "USBལ་བསྐུར…" in texts and "USBནས་ལེན…" in texts
    page = window.sync_page
    assert page.trusted_box.title() == "ཡིད་ཆེས་ཅན་གྱི་པང་འཛིན་རྩིས་འཁོར"
    assert page.trusted_table.item(0, 0).text().startswith("ས་ཚིགས་ཀྱི་པང་འཛིན་རྩིས་འཁོར")  # type: ignore[union-attr]
    assert page.fingerprint.text() == head.sync.card().fingerprint  # the same in any language
    _show(window, window.conflicts_page)
    assert window.conflicts_page.summary_label.text() == "ཐག་གཅོད་སྒུག་བཞིན་པའི་གདོང་ཐུག་མེད།"
    _dispose(window)


def test_a_new_laptop_without_a_station_shows_its_card_and_says_why_it_cannot_send(
    tmp_path: Path, languages: LanguageSwitcher, qtbot: QtBot, usb: Path
) -> None:
    head = installation(tmp_path / "head")
    new = installation(tmp_path / "new", station=None)
    card = usb / "new-card.json"
    new.sync.write_card(card)
    head_window = _window(head, languages, qtbot)
    trust = head_window.sync_page.trust_card(card)
    assert trust is not None
    assert "它尚未选择社工站：信任它即将其登记为本社工站的电脑。" in trust.who_label.text()
    assert trust.trust()
    card.unlink()
    _dispose(head_window)
    new.sync.trust(head.sync.card())
    window = _window(new, languages, qtbot)
    _show(window, window.sync_page)
    assert "尚未选择社工站" in window.sync_page.card_who.text()
    dialog = window.sync_page.open_send()
    dialog.choose_folder(usb)
    dialog.set_chosen([head.sync.card().fingerprint])
    assert dialog.send() is not None
    qtbot.waitUntil(lambda: dialog.job is None, timeout=WAIT_MS)
    assert "本电脑尚未选择所属社工站" in dialog.problem_label.text()
    assert list(usb.iterdir()) == []  # nothing half-written on the stick
    dialog.reject()
    _dispose(window)
    for app in (head, new):
        app.close()


def test_changes_not_received_yet_and_records_waiting_are_reported(
    laptops: tuple[Application, Application],
    languages: LanguageSwitcher,
    qtbot: QtBot,
    usb: Path,
    tmp_path: Path,
) -> None:
    """The head believes the worker holds all but its last change: the bundle with that
    change (a visit) arrives before the one with the resident it refers to."""
    from sqlalchemy import delete, insert

    from station_desktop.store.models import PeerHolding
    from station_desktop.sync import ledger

    head, worker = laptops
    staff = head.stations.add_staff("", "卓玛", "social_worker")
    send(head, worker, tmp_path)
    resident = _resident(head, "扎西")
    head.visits.record(
        {
            "resident_id": resident,
            "visit_date": "2026-05-01",
            "visitor_ids": [staff],
            "outcome": "at_home",
            "purpose": "routine",
        }
    )
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
    late = usb / "visit.sdbundle"
    head.sync.export(late, to=[worker.sync.card().fingerprint])
    window = _window(worker, languages, qtbot)
    dialog = window.sync_page.open_receive([late])
    assert dialog is not None
    _received(dialog, qtbot)
    text = dialog.report_text()
    assert "有 1 条记录在等待其所关联的记录" in text
    tag = next(g.device_tag for g in dialog.reports[0].gaps)
    assert "尚未收到的修改" in text and f"电脑 {tag}（{STATION}），第 " in text
    dialog.reject()
    _show(window, window.sync_page)
    assert f"电脑 {tag}（{STATION}）" in window.sync_page.gaps_label.text()
    assert window.sync_page.gaps_label.isVisible()
    _dispose(window)
