# Sourced by ./run and ./run-tests: make sure the project virtualenv exists and is current.
# Quick when nothing is missing: it reinstalls only when pyproject.toml has changed.
set -euo pipefail

PROJECT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${STATION_DESKTOP_VENV:-$PROJECT_ROOT/.venv}"
STAMP="$VENV/.station-desktop-installed"

source "$PROJECT_ROOT/scripts/venv.sh"  # find_python, create_venv

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
