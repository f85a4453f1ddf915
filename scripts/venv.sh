# Sourced by scripts/bootstrap.sh and ./run-build: find a Python >= 3.11 and create the
# virtualenv "$VENV" with it.

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
