"""`station-desktop`: with a sub-command, a headless CLI; without one, the desktop GUI.

The GUI (and so Qt) is imported only when no sub-command is given.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    from station_desktop.cli import build_parser, run_command

    args = build_parser().parse_args(argv)
    if getattr(args, "command", None) is None:
        from station_desktop.ui.launch import EXIT_AFTER_START, run_gui

        status = run_gui(args)
        if os.environ.get(EXIT_AFTER_START) == "1":
            # Measuring start-up: the store is closed and the log flushed; the interpreter's
            # own clean-up of every module (a quarter of a second) is not worth waiting for.
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(status)
        return status
    return run_command(args)


if __name__ == "__main__":
    sys.exit(main())
