"""Passwords in the window: a new laptop's first start with its administrator, the sign-in
with its growing delays, the idle lock that keeps a half-typed form, and a station head
adding and removing a worker."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QMessageBox
from pytestqt.qtbot import QtBot

from station_desktop.app import Application, open_application
from station_desktop.domain.codes import StaffRole
from station_desktop.forms import visit
from station_desktop.paths import DataPaths
from station_desktop.reference.stations import bundled_stations
from station_desktop.services import accounts
from station_desktop.store.cipher import ARGON2_FLOOR, is_plain_sqlite
from station_desktop.ui.first_start import WorkerButton
from station_desktop.ui.forms.editor import RecordDialog
from station_desktop.ui.qt_i18n import LanguageSwitcher
from station_desktop.ui.sign_in import NewLaptopDialog, SessionLock, SignInDialog
from station_desktop.ui.workers_dialog import WorkersDialog
from tests.gui.conftest import answer_message_boxes, type_text

pytestmark = pytest.mark.gui

HEAD, PASSWORD = "罗布", "correct horse battery"


def _show(dialog: QDialog, qtbot: QtBot) -> None:
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=2000)


def _make(paths: DataPaths) -> object:
    def make(code: str | None, name: str, password: str, recovery: str | None) -> Application:
        person = accounts.protect_store(paths, name, password, kdf=ARGON2_FLOOR, recovery=recovery)
        application = open_application(paths, key=person.data_key)
        if code:
            application.stations.use_station(code)
        application.accounts.begin(person)
        return application

    return make


@pytest.fixture
def paths(tmp_path: Path) -> DataPaths:
    return DataPaths(tmp_path / "data")


@pytest.fixture
def signed_in(paths: DataPaths) -> Iterator[Application]:
    person = accounts.protect_store(paths, HEAD, PASSWORD, kdf=ARGON2_FLOOR)
    application = open_application(paths, key=person.data_key)
    application.stations.use_station("540102002")
    application.accounts.begin(person)
    yield application
    application.close()


def test_a_new_laptop_chooses_its_station_then_its_administrator(
    paths: DataPaths, languages: LanguageSwitcher, qtbot: QtBot
) -> None:
    dialog = NewLaptopDialog(languages, bundled_stations().stations, _make(paths))  # type: ignore[arg-type]
    _show(dialog, qtbot)
    dialog.languages.buttons["bo"].click()
    QApplication.processEvents()
    type_text(dialog.station_step.search, "娘热")
    dialog.next_button.click()
    assert dialog.steps.currentWidget() is dialog.administrator
    assert not paths.database.exists()  # nothing written before the password
    type_text(dialog.administrator.name, HEAD)
    type_text(dialog.administrator.password, PASSWORD)
    type_text(dialog.administrator.again, PASSWORD + "x")
    dialog.next_button.click()
    assert dialog.administrator.problem.isVisible() and dialog.isVisible()
    type_text(dialog.administrator.again, PASSWORD)
    dialog.next_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted, dialog.administrator.problem.text()
    app = dialog.application
    assert app is not None
    with app:
        station = app.stations.current_station()
        assert station is not None and station.name_zh == "娘热街道"
        worker = app.stations.current_worker()
        assert worker is not None and worker.name_zh == HEAD
        assert app.ctx.actor.role == StaffRole.STATION_HEAD
    assert not is_plain_sqlite(paths.database)
    languages.switch("zh_CN")


def test_sign_in_refuses_a_wrong_password_then_waits_then_opens(
    signed_in: Application, paths: DataPaths, languages: LanguageSwitcher, qtbot: QtBot
) -> None:
    signed_in.close()
    dialog = SignInDialog(paths, languages)
    _show(dialog, qtbot)
    type_text(dialog.fields.name, HEAD)
    for _attempt in range(3):
        type_text(dialog.fields.password, "wrong password")
        dialog.sign_in_button.click()
        assert dialog.fields.problem.isVisible() and dialog.isVisible()
    # The fourth attempt must wait: the button is off until the delay has passed.
    type_text(dialog.fields.password, PASSWORD)
    dialog.sign_in_button.click()
    assert not dialog.sign_in_button.isEnabled()
    assert dialog.result() != QDialog.DialogCode.Accepted
    dialog._wait.stop()
    accounts.signin.Attempts(paths.sign_in_attempts).succeeded(HEAD)  # type: ignore[attr-defined]
    dialog.sign_in_button.setEnabled(True)
    type_text(dialog.fields.password, PASSWORD)
    dialog.sign_in_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.signed_in is not None and dialog.signed_in.name == HEAD


def test_the_idle_lock_hides_everything_and_keeps_a_half_typed_form(
    signed_in: Application,
    languages: LanguageSwitcher,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    answer_message_boxes(monkeypatch)  # closing the form at the end: discard
    form = RecordDialog(visit.VISIT_FORM, signed_in.visits.record, formats=languages.formats)
    _show(form, qtbot)
    notes = next(w for w in form.findChildren(QLineEdit) if w.isVisible() and w.isEnabled())
    type_text(notes, "半句话")
    now = [1000.0]
    lock = SessionLock(signed_in, idle_minutes=10, clock=lambda: now[0], wall=lambda: now[0])
    try:
        lock.tick()
        assert not lock.is_locked
        now[0] += 10 * 60
        lock.tick()
        assert lock.is_locked and not form.isVisible()
        qtbot.waitUntil(lambda: lock.dialog is not None and lock.dialog.isVisible(), timeout=2000)
        assert lock.dialog is not None
        type_text(lock.dialog.fields.password, "wrong password")
        lock.dialog.sign_in_button.click()
        assert lock.is_locked
        type_text(lock.dialog.fields.password, PASSWORD)
        lock.dialog.sign_in_button.click()
        assert not lock.is_locked and form.isVisible()
        assert notes.text() == "半句话"
        # A suspend: the clock jumps between two ticks.
        now[0] += 3600
        lock.tick()
        assert lock.is_locked
        qtbot.waitUntil(lambda: lock.dialog is not None, timeout=2000)
        assert lock.dialog is not None
        type_text(lock.dialog.fields.password, PASSWORD)
        lock.dialog.sign_in_button.click()
        assert form.isVisible() and notes.text() == "半句话"
    finally:
        lock.stop()
        form.close()


def test_a_station_head_adds_and_removes_a_worker(
    signed_in: Application,
    paths: DataPaths,
    languages: LanguageSwitcher,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dialog = WorkersDialog(signed_in)
    _show(dialog, qtbot)
    assert dialog.workers.count() == 1
    type_text(dialog.name, "卓玛")
    type_text(dialog.passwords.password, "worker password")
    type_text(dialog.passwords.again, "worker password")
    dialog.add_button.click()
    assert not dialog.problem.isVisible()
    assert dialog.workers.count() == 2
    assert accounts.sign_in(paths, "卓玛", "worker password").role == "social_worker"
    dialog.workers.setCurrentRow(
        next(i for i in range(2) if "卓玛" in dialog.workers.item(i).text())
    )
    monkeypatch.setattr(QMessageBox, "question", lambda *args: QMessageBox.StandardButton.Yes)
    dialog.remove_button.click()
    assert dialog.workers.count() == 1
    with pytest.raises(accounts.WrongPassword):
        accounts.sign_in(paths, "卓玛", "worker password")
    # The head works on under the new key.
    assert signed_in.listing.counts()["residents"] == 0


def test_the_worker_button_is_the_signed_in_person(
    signed_in: Application, languages: LanguageSwitcher, qtbot: QtBot
) -> None:
    button = WorkerButton(signed_in)
    qtbot.addWidget(button)
    button.retranslate_ui()
    assert HEAD in button.text()
    menu = button.menu()
    assert menu is not None
    menu.aboutToShow.emit()
    texts = [action.text() for action in menu.actions() if action.text()]
    assert len(texts) == 3  # my password, lock, workers (a station head)
    assert not any(HEAD in text for text in texts)  # nobody to switch to without a password


def _bureau_files(tmp_path: Path) -> tuple[Path, Path]:
    """The bureau's key card (public half, on its USB stick) and its recovery identity
    (the secret half, kept offline), as the bureau hands them out."""
    import pyrage

    identity = pyrage.x25519.Identity.generate()
    card = tmp_path / "recovery-key.txt"
    card.write_text(f"# the bureau's recovery key\n{identity.to_public()}\n", encoding="utf-8")
    secret = tmp_path / "recovery-identity.txt"
    secret.write_text(f"# keep offline\n{identity}\n", encoding="utf-8")
    return card, secret


def test_a_new_laptop_takes_the_bureaus_recovery_card_and_the_bureau_recovers(
    paths: DataPaths, languages: LanguageSwitcher, qtbot: QtBot, tmp_path: Path
) -> None:
    card, secret = _bureau_files(tmp_path)
    dialog = NewLaptopDialog(languages, bundled_stations().stations, _make(paths))  # type: ignore[arg-type]
    _show(dialog, qtbot)
    type_text(dialog.station_step.search, "娘热")
    dialog.next_button.click()
    not_chosen = dialog.recovery.chosen.text()
    assert dialog.recovery.recipient is None
    assert not dialog.recovery.take(secret)  # the secret half is no key card
    assert dialog.recovery.problem.isVisible()
    assert dialog.recovery.take(card)
    assert dialog.recovery.chosen.text() != not_chosen
    type_text(dialog.administrator.name, HEAD)
    type_text(dialog.administrator.password, PASSWORD)
    type_text(dialog.administrator.again, PASSWORD)
    dialog.next_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted, dialog.administrator.problem.text()
    assert dialog.application is not None
    dialog.application.close()

    # The head forgot the password: the sign-in screen's "Forgot the password?" takes
    # the bureau's recovery file, then a new password.
    sign_in = SignInDialog(paths, languages)
    _show(sign_in, qtbot)
    type_text(sign_in.fields.name, HEAD)
    from station_desktop.ui.recovery import RecoverDialog

    assert sign_in.forgot_button.isVisible()
    recover = RecoverDialog(paths, name=HEAD, parent=sign_in)
    _show(recover, qtbot)
    recover.buttons.button(recover.buttons.StandardButton.Ok).click()
    assert recover.problem.isVisible()  # no recovery file chosen yet
    recover.take_identity(secret)
    type_text(recover.password, "given back by the bureau")
    type_text(recover.again, "given back by the bureau")
    recover.buttons.button(recover.buttons.StandardButton.Ok).click()
    assert recover.result() == QDialog.DialogCode.Accepted, recover.problem.text()
    type_text(sign_in.fields.password, "given back by the bureau")
    sign_in.sign_in_button.click()
    assert sign_in.result() == QDialog.DialogCode.Accepted
    with pytest.raises(accounts.WrongPassword):
        accounts.sign_in(paths, HEAD, PASSWORD)


def test_the_station_head_adds_the_bureaus_recovery_card_from_the_workers_window(
    signed_in: Application, paths: DataPaths, qtbot: QtBot, tmp_path: Path
) -> None:
    card, secret = _bureau_files(tmp_path)
    dialog = WorkersDialog(signed_in)
    _show(dialog, qtbot)
    without = dialog.recovery_state.text()
    assert signed_in.accounts.recovery_recipient() is None
    assert not dialog.take_recovery_card(secret)
    assert dialog.problem.isVisible()
    assert dialog.take_recovery_card(card)
    assert dialog.recovery_state.text() != without
    signed_in.close()
    accounts.recover_password(
        paths, accounts.read_recovery_identity(secret), HEAD, "given back by the bureau"
    )
    assert accounts.sign_in(paths, HEAD, "given back by the bureau").name == HEAD


def test_a_role_given_in_the_workers_dialog_counts_from_the_next_sign_in(
    signed_in: Application, paths: DataPaths, languages: LanguageSwitcher, qtbot: QtBot
) -> None:
    signed_in.accounts.add_worker(
        "卓玛", StaffRole.SOCIAL_WORKER, "worker password", kdf=ARGON2_FLOOR
    )
    dialog = WorkersDialog(signed_in)
    _show(dialog, qtbot)
    dialog.workers.setCurrentRow(
        next(i for i in range(2) if "卓玛" in dialog.workers.item(i).text())
    )
    dialog.chosen_role.setCurrentIndex(dialog.chosen_role.findData("station_head"))
    dialog.role_button.click()
    assert not dialog.problem.isVisible()
    assert accounts.sign_in(paths, "卓玛", "worker password").role == "station_head"  # slot too
    dialog.close()

    sign_in = SignInDialog(paths, languages)
    _show(sign_in, qtbot)
    type_text(sign_in.fields.name, "卓玛")
    type_text(sign_in.fields.password, "worker password")
    sign_in.sign_in_button.click()
    assert sign_in.result() == QDialog.DialogCode.Accepted and sign_in.signed_in is not None
    signed_in.accounts.begin(sign_in.signed_in)  # as the start does after the sign-in
    assert signed_in.ctx.actor.role is StaffRole.STATION_HEAD
    # The new head demotes the first one, whose next sign-in cannot manage workers.
    dialog = WorkersDialog(signed_in)
    _show(dialog, qtbot)
    dialog.workers.setCurrentRow(next(i for i in range(2) if HEAD in dialog.workers.item(i).text()))
    dialog.chosen_role.setCurrentIndex(dialog.chosen_role.findData("social_worker"))
    dialog.role_button.click()
    assert not dialog.problem.isVisible()
    signed_in.accounts.begin(accounts.sign_in(paths, HEAD, PASSWORD))
    assert signed_in.ctx.actor.role is StaffRole.SOCIAL_WORKER
    button = WorkerButton(signed_in)
    qtbot.addWidget(button)
    menu = button.menu()
    assert menu is not None
    menu.aboutToShow.emit()
    assert len([a for a in menu.actions() if a.text()]) == 2  # no workers and passwords
