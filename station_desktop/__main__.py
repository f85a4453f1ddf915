"""`station-desktop`: with a sub-command, a headless CLI; without one, the desktop GUI.

The GUI (and so Qt) is imported only when no sub-command is given.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    from station_desktop.cli import build_parser, run_command

    args = build_parser().parse_args(argv)
    if getattr(args, "command", None) is None:
        from station_desktop.ui.launch import run_gui

        return run_gui(args)
    return run_command(args)


if __name__ == "__main__":
    sys.exit(main())
