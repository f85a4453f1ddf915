"""The desktop window at 100,000 residents: launch time (against a bare PySide6 window as
the floor), search latency per keystroke, time per scrolled page, and memory."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.cipher import NAME, PASSWORD, encrypted_copy
from bench.data import demo_data

RESIDENTS = 100_000
ROOT = Path(__file__).resolve().parents[1]

# Both scripts print the seconds from interpreter start to a window on screen with content.
BARE = """
import time; t0 = time.perf_counter()
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication([])
label = QLabel("hello"); label.show(); app.processEvents()
print(time.perf_counter() - t0)
"""

STATION = """
import time; t0 = time.perf_counter()
import sys
from pathlib import Path
from station_desktop.app import open_application  # Qt-free first, as ui/launch.py does
from station_desktop.i18n import Catalogues
from station_desktop.paths import DataPaths
from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import QApplication
from station_desktop.ui.launch import IntegrityCheck, start_interface
from station_desktop.ui.main_window import MainWindow
app = QApplication([])
QCoreApplication.setOrganizationName("station-desktop-bench")
QSettings.setDefaultFormat(QSettings.Format.IniFormat)
QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, sys.argv[2])
languages = start_interface(app, Catalogues())
paths = DataPaths(Path(sys.argv[1]))
person, signing_in = None, time.perf_counter()
if len(sys.argv) > 3:  # an encrypted folder: signed in as the sign-in screen does
    from station_desktop.services.accounts import sign_in
    person = sign_in(paths, sys.argv[3], Path(sys.argv[4]).read_text())
signed_in, cpu = time.perf_counter(), time.process_time()
# as run_gui: checked after the window shows; the person begins as open_or_offer_restore does
application = open_application(
    paths, check_integrity=False, key=person.data_key if person else None
)
if person is not None:
    application.accounts.begin(person)
window = MainWindow(application, languages)
window.show(); app.processEvents()
assert window.residents_page.model.rowCount() > 0
check = IntegrityCheck(window, application.backups)
shown, cpu = time.perf_counter(), time.process_time() - cpu
print(shown - t0, signed_in - signing_in, shown - signed_in, cpu, flush=True)
# Gone at once, as the program measuring its start-up is: waiting for the check (and the
# day's first backup after it) would take minutes on a 2.6 GB file.
import os; os._exit(0)
"""


WHOLE_RESIDENTS = 20_000
# A bare PySide6 window as a whole process: interpreter start to a window on screen, exit.
BARE_PROCESS = """
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication([])
label = QLabel("hello"); label.show(); app.processEvents()
"""


def _whole_process(
    data_dir: Path, encrypted_dir: Path, password_file: Path, settings: Path
) -> tuple[float, float, float]:
    """Seconds from starting the program (`python -m station_desktop`) to its exit as soon
    as the main window is usable (STATION_DESKTOP_EXIT_AFTER_START=1): on the plain folder,
    on the encrypted one (signed in from the environment, as a script would), and a bare
    window; medians of 7, interleaved. The program waits for the integrity check before
    it quits: on an encrypted file that reads and decrypts every page."""
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONPATH": str(ROOT),
        "STATION_DESKTOP_EXIT_AFTER_START": "1",
        "XDG_CONFIG_HOME": str(settings),  # the window's settings, not the user's
    }
    signed_env = {
        **env,
        "STATION_DESKTOP_USER": NAME,
        "STATION_DESKTOP_PASSWORD_FILE": str(password_file),
    }
    program = [sys.executable, "-m", "station_desktop", "--data-dir"]
    bare: list[float] = []
    plain: list[float] = []
    encrypted: list[float] = []
    for _ in range(7):
        for runs, command, environment in (
            (bare, [sys.executable, "-c", BARE_PROCESS], env),
            (plain, [*program, str(data_dir)], env),
            (encrypted, [*program, str(encrypted_dir)], signed_env),
        ):
            started = time.perf_counter()
            subprocess.run(command, env=environment, check=True, capture_output=True, timeout=300)
            runs.append(time.perf_counter() - started)
    return statistics.median(plain), statistics.median(encrypted), statistics.median(bare)


def _startup(script: str, *args: str) -> list[float]:
    """One launch: the seconds printed by the script (for STATION: to the window, the
    sign-in within that, from the end of the sign-in to the window, and the CPU time of
    that last part: what it costs whatever else keeps the machine busy)."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=300,
    )
    return [float(value) for value in out.stdout.strip().splitlines()[-1].split()]


def _launches(plain: Path, encrypted: Path, password_file: Path, rounds: int = 5) -> None:
    """Launch at 100,000 residents: a bare window, the plain folder and the encrypted one
    (signed in), interleaved, `rounds` of each; medians."""
    bare, station, signed = [], [], []
    for _ in range(rounds):
        bare.append(_startup(BARE)[0])
        station.append(_startup(STATION, str(plain), "/tmp/bench-qs"))
        signed.append(_startup(STATION, str(encrypted), "/tmp/bench-qs", NAME, str(password_file)))
    floor = statistics.median(bare)
    plain_total = statistics.median(run[0] for run in station)
    plain_open = statistics.median(run[2] for run in station)
    total = statistics.median(run[0] for run in signed)
    signing = statistics.median(run[1] for run in signed)
    after = statistics.median(run[2] for run in signed)
    plain_cpu = statistics.median(run[3] for run in station)
    after_cpu = statistics.median(run[3] for run in signed)
    print(
        f"  launch to a usable window: {plain_total:.2f} s (bare PySide6 window {floor:.2f} s, "
        f"ratio {plain_total / floor:.1f}; load {os.getloadavg()[0]:.1f})"
    )
    print(
        f"  encrypted, signed in: {total:.2f} s to the window, of which the sign-in "
        f"{signing:.2f} s; after the sign-in {after:.2f} s (plain, the same steps without "
        f"a sign-in: {plain_open:.2f} s; ratio {after / plain_open:.2f}); CPU time of that "
        f"part {after_cpu:.2f} s encrypted, {plain_cpu:.2f} s plain"
    )


def _in_process(data_dir: Path) -> None:
    import resource

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QCoreApplication, QSettings
    from PySide6.QtWidgets import QApplication

    from station_desktop.app import open_application
    from station_desktop.i18n import Catalogues
    from station_desktop.paths import DataPaths
    from station_desktop.ui.launch import start_interface
    from station_desktop.ui.main_window import MainWindow

    app = QApplication([])
    QCoreApplication.setOrganizationName("station-desktop-bench")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "/tmp/bench-qs")
    languages = start_interface(app, Catalogues())
    application = open_application(DataPaths(data_dir), read_only=True, check_integrity=False)
    window = MainWindow(application, languages)
    window.show()
    app.processEvents()
    page = window.residents_page
    # A keystroke: the text so far is searched and the list redrawn (the 150 ms typing
    # pause before it is deliberate and not counted).
    for word in ("zhaxi", "ཚེ་རིང", "Tashi", "卓玛"):
        steps = []
        for n in range(1, len(word) + 1):
            page.search_box.blockSignals(True)
            page.search_box.setText(word[:n])
            page.search_box.blockSignals(False)
            started = time.perf_counter()
            page.refresh()
            app.processEvents()
            steps.append((time.perf_counter() - started) * 1000)
        print(
            f"  keystrokes of {word!r}: median {statistics.median(steps):.1f} ms, "
            f"worst {max(steps):.1f} ms"
        )
    page.search_box.setText("")
    page.refresh()
    pages = []
    for _ in range(50):  # scrolling: each page of 200 fetched as the view reaches the end
        started = time.perf_counter()
        page.model.fetchMore()
        app.processEvents()
        pages.append((time.perf_counter() - started) * 1000)
    print(
        f"  scrolling: {len(pages)} pages of 200, median {statistics.median(pages):.1f} ms, "
        f"worst {max(pages):.1f} ms ({page.model.rowCount()} rows loaded)"
    )
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak memory (RSS): {rss_mb:.0f} MB")
    window.close()
    window.deleteLater()
    app.processEvents()
    languages.shutdown()
    application.close()


def run() -> None:
    with tempfile.TemporaryDirectory() as folder:
        password_file = Path(folder) / "password"
        password_file.write_text(PASSWORD)
        small, built = demo_data(WHOLE_RESIDENTS)
        if built is not None:
            print(f"built {WHOLE_RESIDENTS:,} residents of demo data in {built:.1f} s")
        small_encrypted = encrypted_copy(small)
        station, signed, bare = _whole_process(
            small.root, small_encrypted.root, password_file, Path("/tmp/bench-qs-whole")
        )
        print(
            f"  whole process at {WHOLE_RESIDENTS:,} residents, start to a usable window and "
            f"exit: {station:.2f} s (bare PySide6 window {bare:.2f} s, ratio "
            f"{station / bare:.1f}); encrypted, signed in: {signed:.2f} s "
            f"(ratio to plain {signed / station:.2f}; load {os.getloadavg()[0]:.1f})"
        )
        paths, built = demo_data(RESIDENTS)
        if built is not None:
            print(f"built {RESIDENTS:,} residents of demo data in {built:.1f} s")
        encrypted = encrypted_copy(paths)
        _launches(paths.root, encrypted.root, password_file)
    _in_process(paths.root)
