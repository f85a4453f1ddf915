"""`station-desktop scan` run as a user runs it (issue 17): a pile from a scanner and a phone
read, sorted and entered; `--dry-run` enters nothing; the same pile again adds nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.integration.test_cli import open_demo, run_cli
from tests.scans import make_pile


def _feedback_count(data_dir: Path) -> int:
    rows = json.loads(run_cli("list", "feedback", "--json", data_dir=data_dir).stdout)
    return len(rows)


def test_scan_reads_sorts_and_enters_a_pile_once(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    run_cli("demo", "--residents", "1", data_dir=data_dir)
    before = _feedback_count(data_dir)
    with open_demo(data_dir) as app:  # the station prints its sheets
        truth = make_pile(app.printing, tmp_path, scanner=2, phone=1, first=801, scale=10.0)
    files = [str(p) for p in truth.files]
    common = ["--service-date", "2026-01-05", "--service-area", "elderly_care"]

    dry = json.loads(
        run_cli("scan", *files, *common, "--dry-run", "--json", data_dir=data_dir).stdout
    )
    assert len(dry["pages"]) == 6  # three sheets, front and back
    assert dry["entered"] is None and _feedback_count(data_dir) == before
    for page in dry["pages"]:
        assert page["form"] == "SF-01" and page["sheet"] in {"0801", "0802", "0803"}
        assert page["status"] in {"ready", "review"}, page
        meant = truth.pages[(int(page["sheet"]), page["page"])].answers
        for key, answer in page["answers"].items():
            if answer is not None:  # what the reader was sure of is what was ticked
                assert tuple(answer) == meant[key], (page["source"], key)
        for box in page["boxes"]:
            assert box["reading"] in {"ticked", "empty", "unsure"}
    ready_fronts = [p for p in dry["pages"] if p["status"] == "ready" and p["page"] == 1]

    entered = json.loads(run_cli("scan", *files, *common, "--json", data_dir=data_dir).stdout)
    assert entered["entered"]["sheets"] == len(ready_fronts)
    assert _feedback_count(data_dir) == before + len(ready_fronts)
    saved = {p["sheet"] for p in entered["pages"] if p["saved"] and p["page"] == 1}
    assert saved == {p["sheet"] for p in ready_fronts}
    assert all(p["status"] == "ready" for p in entered["pages"] if p["saved"])

    again = run_cli("scan", *files, *common, data_dir=data_dir).stdout
    assert "Entered: 0 feedback sheets" in again
    # Every page entered (fronts and the comments on their backs) is known again.
    assert again.count("Entered already.") == sum(1 for p in entered["pages"] if p["saved"])
    assert _feedback_count(data_dir) == before + len(ready_fronts)


def test_scan_never_imports_qt_and_says_what_it_cannot_read(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    run_cli("demo", "--residents", "1", data_dir=data_dir)
    notes = tmp_path / "notes.txt"
    notes.write_text("not a scan", encoding="utf-8")
    result = run_cli("scan", str(notes), data_dir=data_dir, check=False)
    assert result.returncode != 0 and "notes.txt" in result.stderr
    assert "Traceback" not in result.stderr
    code = (
        "import sys\n"
        "from station_desktop.__main__ import main\n"
        "try:\n"
        f"    main(['--data-dir', {str(data_dir)!r}, 'scan', {str(notes)!r}])\n"
        "except SystemExit:\n"
        "    pass\n"
        "qt = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))]\n"
        "assert not qt, qt\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, timeout=120)
