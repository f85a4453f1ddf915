"""The frozen program's entry point (PyInstaller runs this file as `__main__`)."""

import sys

from station_desktop.__main__ import main

sys.exit(main())
