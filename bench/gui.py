"""The desktop window at 100,000 residents: launch time (against a bare PySide6 window as
the floor), search latency per keystroke, time per scrolled page, and memory."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

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
application = open_application(paths, check_integrity=False)  # as run_gui: checked after
window = MainWindow(application, languages)
window.show(); app.processEvents()
assert window.residents_page.model.rowCount() > 0
check = IntegrityCheck(window, application.backups)
print(time.perf_counter() - t0)
check.wait()
window.close(); window.deleteLater(); app.processEvents(); languages.shutdown()
application.close()
"""


WHOLE_RESIDENTS = 20_000
# A bare PySide6 window as a whole process: interpreter start to a window on screen, exit.
BARE_PROCESS = """
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication([])
label = QLabel("hello"); label.show(); app.processEvents()
"""


def _whole_process(data_dir: Path, settings: Path) -> tuple[float, float]:
    """Seconds from starting the program (`python -m station_desktop`) to its exit as soon
    as the main window is usable (STATION_DESKTOP_EXIT_AFTER_START=1), and the same for a
    bare window; medians of 7, measured one after the other."""
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONPATH": str(ROOT),
        "STATION_DESKTOP_EXIT_AFTER_START": "1",
        "XDG_CONFIG_HOME": str(settings),  # the window's settings, not the user's
    }
    program = [sys.executable, "-m", "station_desktop", "--data-dir", str(data_dir)]
    bare, station = [], []
    for _ in range(7):
        for runs, command in ((bare, [sys.executable, "-c", BARE_PROCESS]), (station, program)):
            started = time.perf_counter()
            subprocess.run(command, env=env, check=True, capture_output=True, timeout=120)
            runs.append(time.perf_counter() - started)
    return statistics.median(station), statistics.median(bare)


def _startup(script: str, *args: str) -> float:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    runs = []
    for _ in range(5):
        out = subprocess.run(
            [sys.executable, "-c", script, *args],
            capture_output=True,
            text=True,
            env=env,
            check=True,
            timeout=120,
        )
        runs.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(runs)


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
    small, built = demo_data(WHOLE_RESIDENTS)
    if built is not None:
        print(f"built {WHOLE_RESIDENTS:,} residents of demo data in {built:.1f} s")
    station, bare = _whole_process(small.root, Path("/tmp/bench-qs-whole"))
    print(
        f"  whole process at {WHOLE_RESIDENTS:,} residents, start to a usable window and exit: "
        f"{station:.2f} s (bare PySide6 window {bare:.2f} s, ratio {station / bare:.1f}; "
        f"load {os.getloadavg()[0]:.1f})"
    )
    paths, built = demo_data(RESIDENTS)
    if built is not None:
        print(f"built {RESIDENTS:,} residents of demo data in {built:.1f} s")
    bare = _startup(BARE)
    station = _startup(STATION, str(paths.root), "/tmp/bench-qs")
    print(
        f"  launch to a usable window: {station:.2f} s (bare PySide6 window {bare:.2f} s, "
        f"ratio {station / bare:.1f}; load {os.getloadavg()[0]:.1f})"
    )
    _in_process(paths.root)
