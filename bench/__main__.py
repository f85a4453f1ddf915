"""`./run-bench [NAME ...]`: run benchmarks by name (all when none is given)."""

from __future__ import annotations

import importlib
import sys

BENCHMARKS = (
    "search",
    "report",
    "gui",
    "pdf",
    "roster",
    "sync",
    "bureau",
    "scan",
    "cipher",
    "audit",
)


def main(names: list[str]) -> int:
    unknown = set(names) - set(BENCHMARKS)
    if unknown:
        print(f"unknown benchmark(s): {', '.join(sorted(unknown))}; choose from {BENCHMARKS}")
        return 2
    for name in names or BENCHMARKS:
        print(f"== {name}")
        importlib.import_module(f"bench.{name}").run()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
