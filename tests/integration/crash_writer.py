"""A writer process for the crash test: saves records as fast as it can and prints
`ACK kind n` after each commit returns. The test kills it with SIGKILL at random moments."""

from __future__ import annotations

import sys
from pathlib import Path

from station_desktop.app import open_application
from station_desktop.paths import DataPaths


def main(data_dir: str, start: int) -> None:
    with open_application(DataPaths(Path(data_dir))) as app:
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
                        **{
                            f"rating_{d}": 1 + n % 5
                            for d in (
                                "attitude",
                                "timeliness",
                                "professionalism",
                                "effectiveness",
                                "language",
                                "overall",
                            )
                        },
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


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
