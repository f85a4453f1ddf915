"""Split the frozen program into the package every laptop gets and the scan reader's part.

The scan reader (issue 17) needs OpenCV with numpy, zxing-cpp and PDFium: 175 MB of the
388 MB the frozen folder weighs, for a feature only the laptop beside the station's scanner
uses. `./run-build` makes two Debian packages from one PyInstaller build:
`station-desktop` (the program) and `station-desktop-scan` (those libraries, installed into
the same folder). Without the second, the program runs and says, where scans are read,
that the reader is not installed (services/scanning.py `reader_installed`).

    python3 packaging/split_scan.py FROZEN_FOLDER SCAN_FOLDER

moves out of FROZEN_FOLDER/_internal, into the same place under SCAN_FOLDER: the scan
libraries' Python packages, the libraries only they link against (by the ELF files'
NEEDED entries, transitively), and the links pointing at what moved. It then checks that
nothing left behind needs a library that moved, and fails the build if something does.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

# The scan reader's own Python packages and the folders of libraries their wheels carry,
# as PyInstaller lays them out (top level of _internal; the wheels' metadata beside them).
SCAN_PACKAGES = (
    "cv2",
    "opencv_python_headless.libs",
    "numpy",
    "numpy.libs",
    "zxingcpp",
    "pypdfium2",
    "pypdfium2_raw",
)
SCAN_METADATA = re.compile(r"^(numpy|opencv_python_headless|zxing_cpp|pypdfium2)-.*\.dist-info$")
NEEDED = re.compile(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]")


def is_elf(path: Path) -> bool:
    if path.is_symlink() or not path.is_file():
        return False
    with path.open("rb") as file:
        return file.read(4) == b"\x7fELF"


@functools.cache  # asked of most files three times (two closures and the final check)
def needed(path: Path) -> frozenset[str]:
    """The library names an ELF file links against (its NEEDED entries)."""
    output = subprocess.run(
        ["readelf", "--dynamic", "--wide", str(path)], capture_output=True, text=True, check=True
    ).stdout
    return frozenset(NEEDED.findall(output))


def files_under(paths: list[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir() and not path.is_symlink():
            found += [p for p in path.rglob("*") if p.is_file() or p.is_symlink()]
        else:
            found.append(path)
    return found


def by_name(files: list[Path]) -> dict[str, list[Path]]:
    """Each library file and link, by the name a NEEDED entry would use."""
    names: dict[str, list[Path]] = {}
    for file in files:
        names.setdefault(file.name, []).append(file)
    return names


def closure(roots: list[Path], names: dict[str, list[Path]]) -> set[Path]:
    """The ELF files `roots` need, transitively, among the bundle's own (links resolved)."""
    reached: set[Path] = set()
    pending = [r for r in roots if is_elf(r)]
    while pending:
        elf = pending.pop()
        if elf in reached:
            continue
        reached.add(elf)
        for name in needed(elf):
            for candidate in names.get(name, []):
                target = candidate.resolve()
                if is_elf(target) and target not in reached:
                    pending.append(target)
    return reached


def split(frozen: Path, scan: Path) -> list[Path]:
    frozen = frozen.resolve()
    internal = frozen / "_internal"
    everything = files_under([internal])
    names = by_name(everything)
    roots = [internal / name for name in SCAN_PACKAGES if (internal / name).exists()]
    roots += [p for p in internal.iterdir() if SCAN_METADATA.match(p.name)]
    if not any(root.name == "cv2" for root in roots):
        sys.exit(f"split_scan: no cv2 under {internal}: not a build of this program?")
    scan_files = set(files_under(roots))
    # A library outside the scan packages moves when only scan files reach it.
    candidates = closure([f for f in scan_files if not f.is_symlink()], names)
    candidates = {f for f in candidates if not _inside(f, roots)}
    rest = [f for f in everything if f not in scan_files and f not in candidates and is_elf(f)]
    libraries = candidates - closure(rest, names)
    moving = set(scan_files) | libraries
    moved_targets = {f.resolve() for f in moving}
    links = [
        f for f in everything if f.is_symlink() and f not in moving and f.resolve() in moved_targets
    ]
    moving |= set(links)
    left = [f for f in everything if f not in moving and is_elf(f)]
    missing = sorted(
        f"{elf.relative_to(frozen)} needs {name}"
        for elf in left
        for name in needed(elf)
        if names.get(name) and all(c in moving or c.resolve() in moved_targets for c in names[name])
    )
    if missing:
        sys.exit(
            "split_scan: the program would lose libraries it links against:\n" + "\n".join(missing)
        )
    for file in sorted(moving, key=lambda p: len(p.parts), reverse=True):
        destination = scan / file.relative_to(frozen)
        destination.parent.mkdir(parents=True, exist_ok=True)
        os.replace(file, destination)
    for root in roots:  # the emptied folders
        if root.is_dir() and not any(p.is_file() or p.is_symlink() for p in root.rglob("*")):
            shutil.rmtree(root)
    return sorted(moving)


def _inside(path: Path, roots: list[Path]) -> bool:
    return any(path == root or root in path.parents for root in roots)


def main() -> None:
    frozen, scan = Path(sys.argv[1]), Path(sys.argv[2])
    moved = split(frozen, scan)
    size = sum(p.stat().st_size for p in scan.rglob("*") if p.is_file() and not p.is_symlink())
    print(f"split_scan: {len(moved)} files ({size / 2**20:.0f} MiB) into {scan}")


if __name__ == "__main__":
    main()
