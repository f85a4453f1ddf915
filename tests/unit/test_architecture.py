"""Rules of the code's shape that must hold, checked rather than hoped for."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import station_desktop

PACKAGE = Path(station_desktop.__file__).parent


def test_only_ui_imports_qt() -> None:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if "ui" in path.relative_to(PACKAGE).parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n.split(".")[0] in {"PySide6", "shiboken6"} for n in names):
                offenders.append(str(path.relative_to(PACKAGE)))
    assert offenders == [], f"only ui/ may import Qt: {offenders}"


def test_importing_the_core_does_no_work_and_needs_no_qt() -> None:
    code = (
        "import sys, os\n"
        "before = set(os.listdir('.'))\n"
        "import station_desktop.app, station_desktop.cli, station_desktop.services.listing\n"
        "import station_desktop.store.search, station_desktop.forms.validate\n"
        "assert not [m for m in sys.modules if m.startswith('PySide6')]\n"
        "assert set(os.listdir('.')) == before\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60, cwd=PACKAGE.parent)


def test_the_window_starts_without_the_scan_libraries() -> None:
    """OpenCV, numpy, zxing-cpp and PDFium are loaded when a scan is read, never by the
    window's start-up (they are large, and most days nobody scans)."""
    code = (
        "import sys\n"
        "import station_desktop.app, station_desktop.cli, station_desktop.ui.main_window\n"
        "heavy = ('cv2', 'numpy', 'zxingcpp', 'pypdfium2')\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in heavy]\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60, cwd=PACKAGE.parent)


def test_import_linter_contracts_hold() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(  # noqa: PLW1510 - checked below, with output
        [str(lint)], capture_output=True, text=True, cwd=PACKAGE.parent, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_subpackage_is_installed() -> None:
    """pyproject.toml lists packages explicitly (i18n/ and resources/ are mapped into the
    package); a new subpackage missing from the list would be left out of the wheel."""
    import tomllib

    config = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    on_disk = {
        ".".join(path.parent.relative_to(PACKAGE.parent).parts)
        for path in PACKAGE.rglob("__init__.py")
    }
    assert on_disk - listed == set()
