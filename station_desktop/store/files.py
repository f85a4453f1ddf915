"""Writing files so that a crash or power cut leaves either the old file or the new one."""

from __future__ import annotations

import os
from pathlib import Path

TEMP_SUFFIX = ".tmp"


def fsync_directory(directory: Path) -> None:
    if os.name == "nt":  # Windows cannot open a directory for fsync; NTFS renames are durable
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_file(path: Path) -> None:
    with path.open("rb+") as handle:
        os.fsync(handle.fileno())


def commit_temp_file(temp: Path, final: Path) -> None:
    """fsync `temp`, rename it over `final`, fsync the directory."""
    fsync_file(temp)
    os.replace(temp, final)
    fsync_directory(final.parent)


def temp_path_for(final: Path) -> Path:
    return final.with_name(f".{final.name}{TEMP_SUFFIX}")


def remove_stale_temp_files(*directories: Path) -> list[Path]:
    """Temporary files left by an interrupted write are never valid data: remove them."""
    removed: list[Path] = []
    for directory in directories:
        if not directory.is_dir():
            continue
        for path in directory.glob(f".*{TEMP_SUFFIX}"):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed
