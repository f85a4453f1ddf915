# Sourced by ./run and ./run-tests: make sure the project virtualenv exists and is current.
# Quick when nothing is missing: it reinstalls only when pyproject.toml has changed.
set -euo pipefail

PROJECT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${STATION_DESKTOP_VENV:-$PROJECT_ROOT/.venv}"
STAMP="$VENV/.station-desktop-installed"

find_python() {
    for candidate in python3.13 python3.12 python3.11 python3; do
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

create_venv() {
    local python
    if ! python="$(find_python)"; then
        echo "station-desktop needs Python 3.11 or newer (Debian 12: apt-get install python3)." >&2
        exit 1
    fi
    if ! "$python" -m venv "$VENV" 2>/dev/null; then
        # Debian splits venv/ensurepip into python3-venv.
        rm -rf "$VENV"
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
            apt-get update -qq && apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
            "$python" -m venv "$VENV"
        else
            echo "Cannot create a virtualenv: install python3-venv (sudo apt-get install python3-venv)." >&2
            exit 1
        fi
    fi
}

ensure_venv() {
    local wanted
    wanted="$(cat "$PROJECT_ROOT/pyproject.toml" | sha256sum | cut -d' ' -f1)"
    if [ ! -x "$VENV/bin/python" ]; then
        echo "Creating the project virtualenv in $VENV ..." >&2
        create_venv
    fi
    if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$wanted" ]; then
        echo "Installing station-desktop and its dependencies ..." >&2
        "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip >&2
        "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$PROJECT_ROOT[test]" >&2
        echo "$wanted" > "$STAMP"
    fi
}

ensure_venv
