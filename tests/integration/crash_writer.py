"""A worker process for the crash tests, killed with SIGKILL at random moments.

crash_writer.py DATA_DIR write START   save records as fast as it can; `ACK kind n`
                                        after each commit returns
crash_writer.py DATA_DIR start         open the data folder (lock, checks, device,
                                        migration if due) and print READY, again and again
crash_writer.py DATA_DIR backup        take backups in a loop; `ACK backup PATH`
crash_writer.py DATA_DIR restore FILE [KILL_AT]
                                        restore FILE; print `STEP name` after each step,
                                        and kill itself after step KILL_AT if given
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from station_desktop.app import open_application
from station_desktop.paths import DataPaths
from station_desktop.services.backups import BackupService

DIMENSIONS = (
    "attitude",
    "timeliness",
    "professionalism",
    "effectiveness",
    "language",
    "overall",
)


def write(paths: DataPaths, start: int) -> None:
    with open_application(paths) as app:
        print("READY", flush=True)
        n = start
        while True:
            if n % 3 == 0:
                # One action, seven rows (a sheet and six ratings): all or nothing.
                app.feedback.record(
                    {
                        "service_area": "elderly_care",
                        "service_date": "2026-01-01",
                        "collected_on": "2026-01-02",
                        "sheet_no": f"crash-{n}",
                        "comments": "ཐུགས་རྗེ་ཆེ། 谢谢" * 20,
                        **{f"rating_{d}": 1 + n % 5 for d in DIMENSIONS},
                    }
                )
                print(f"ACK feedback {n}", flush=True)
            else:
                app.residents.register(
                    {
                        "name_zh": "测试",
                        "name_bo": "ཚོད་ལྟ་",
                        "legal_basis": "statutory_duty",
                        "notes": f"crash-{n}",
                    }
                )
                print(f"ACK resident {n}", flush=True)
            n += 1


def start(paths: DataPaths) -> None:
    while True:
        with open_application(paths):
            print("READY", flush=True)


def backup(paths: DataPaths) -> None:
    service = BackupService(paths)
    with open_application(paths):
        print("READY", flush=True)
        while True:
            print(f"ACK backup {service.back_up('manual')}", flush=True)


def restore(paths: DataPaths, source: Path, kill_at: str | None) -> None:
    service = BackupService(paths)
    plan = service.plan(source)
    print("READY", flush=True)

    def step(name: str) -> None:
        print(f"STEP {name}", flush=True)
        if name == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    service.restore(plan, on_step=step)
    print("RESTORED", flush=True)


def main(argv: list[str]) -> None:
    paths = DataPaths(Path(argv[0]))
    mode = argv[1]
    if mode == "write":
        write(paths, int(argv[2]))
    elif mode == "start":
        start(paths)
    elif mode == "backup":
        backup(paths)
    elif mode == "restore":
        restore(paths, Path(argv[2]), argv[3] if len(argv) > 3 else None)
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main(sys.argv[1:])
