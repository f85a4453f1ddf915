#!/usr/bin/env bash
# Check a built package the way a township laptop meets it: unpack the .deb into a fresh
# folder nobody may write to, and run the unpacked program with a fresh HOME (as the user
# `nobody` when run as root, whom write permissions bind): --version, demo data, a blank
# form printed, an existing database migrated (with its backup), and the window offscreen
# until it is usable; the scan reader refused in the person's words without its package,
# then, with station-desktop-scan (found beside the first .deb) unpacked into the same
# folder, the printed sheet read back.
#   packaging/check-package.sh dist/station-desktop_VERSION_amd64.deb
set -euo pipefail
deb="$(realpath "$1")"
version="$(dpkg-deb -f "$deb" Version)"
scan_deb="$(dirname "$deb")/station-desktop-scan_${version}_amd64.deb"
[ -f "$scan_deb" ] || { echo "no $scan_deb beside $deb" >&2; exit 1; }
scratch="$(mktemp -d)"
chmod 755 "$scratch"
trap 'chmod -R u+w "$scratch"; rm -rf "$scratch"' EXIT

dpkg-deb -x "$deb" "$scratch/root"
chmod -R a-w "$scratch/root"
program="$scratch/root/usr/lib/station-desktop/station-desktop"
mkdir "$scratch/home"
if [ "$(id -u)" = 0 ]; then
    chown nobody "$scratch/home"
    as_user=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
else
    as_user=()
fi

run() {  # the unpacked program, as a user with a fresh home and no settings
    env -i PATH=/usr/bin:/bin HOME="$scratch/home" LANG=C.UTF-8 QT_QPA_PLATFORM=offscreen \
        STATION_DESKTOP_EXIT_AFTER_START=1 "${as_user[@]}" timeout 300 "$program" "$@"
}
run_signed_in() {  # the same, signing in with the password kept in $scratch/home/password
    env -i PATH=/usr/bin:/bin HOME="$scratch/home" LANG=C.UTF-8 QT_QPA_PLATFORM=offscreen \
        STATION_DESKTOP_PASSWORD_FILE="$scratch/home/password" \
        "${as_user[@]}" timeout 300 "$program" "$@"
}
run_window() {  # the window, offscreen until usable, signed in as the demo's administrator
    env -i PATH=/usr/bin:/bin HOME="$scratch/home" LANG=C.UTF-8 QT_QPA_PLATFORM=offscreen \
        STATION_DESKTOP_EXIT_AFTER_START=1 STATION_DESKTOP_USER=索朗卓玛 \
        STATION_DESKTOP_PASSWORD_FILE="$scratch/home/password" \
        "${as_user[@]}" timeout 300 "$program" "$@"
}
expect_failure() {  # expect_failure TEXT COMMAND...: the command fails and says TEXT
    local text="$1" output
    shift
    if output="$("$@" 2>&1)"; then
        printf 'expected a failure of: %s\n%s\n' "$*" "$output"
        exit 1
    fi
    grep -qF -- "$text" <<<"$output" || { printf 'expected %q in:\n%s\n' "$text" "$output"; exit 1; }
}
check() {
    echo "-- $1"
    shift
    "$@"
}
expect() {  # expect TEXT COMMAND...: the command succeeds and prints TEXT
    local text="$1" output
    shift
    output="$("$@")"
    grep -qF -- "$text" <<<"$output" || { printf 'expected %q in:\n%s\n' "$text" "$output"; exit 1; }
}

check "the package installs a menu entry, an icon and the command" \
    test -f "$scratch/root/usr/share/applications/station-desktop.desktop" \
    -a -f "$scratch/root/usr/share/icons/hicolor/48x48/apps/station-desktop.png" \
    -a -L "$scratch/root/usr/bin/station-desktop"
check "--version" expect "station-desktop $version" run --version
# README "Passwords and encryption": every store the command line makes is encrypted; the
# password is read from a file here (a script's way), from standard input for init below.
secret="a-station-password-2026"
printf '%s\n%s\n' "$secret" "$secret" >"$scratch/home/new-password"
printf '%s\n' "$secret" >"$scratch/home/password"
chmod 600 "$scratch/home/new-password" "$scratch/home/password"
[ "$(id -u)" = 0 ] && chown nobody "$scratch/home/new-password" "$scratch/home/password"
check "demo data in the user's data folder, encrypted" expect "residents: 50" \
    run_signed_in demo --residents 50
test "$(head -c 15 "$scratch/home/.local/share/station-desktop/station.sqlite3")" != "SQLite format 3"
check "a blank feedback form" run_signed_in print feedback --blank -o "$scratch/home/feedback.pdf"
test "$(head -c 5 "$scratch/home/feedback.pdf")" = "%PDF-"
check "the window, offscreen, until it is usable (without the scan package)" run_window
# Without station-desktop-scan the reader's libraries are absent: the command says so in
# the person's words and fails, having read nothing.
check "without the scan package, reading scans is refused clearly" \
    expect_failure "station-desktop-scan" run_signed_in scan --dry-run "$scratch/home/feedback.pdf"
check "the scan package's files are its own" sh -c \
    "! dpkg-deb -c '$deb' | awk '{print \$6}' | grep -E '/_internal/(cv2|numpy)/'"
chmod -R u+w "$scratch/root"
dpkg-deb -x "$scan_deb" "$scratch/root"
chmod -R a-w "$scratch/root"
# The scan reader (PDFium, OpenCV, numpy, zxing-cpp) on the sheet just printed: its pages
# rendered, found, straightened and identified by their QR codes (a blank sheet waits for
# review: nothing is ticked on it).
check "with it, the printed sheet read back by the scan reader" \
    expect "SF-01 #0001 to check" run_signed_in scan --dry-run "$scratch/home/feedback.pdf"

# A database older than every migration (an Alembic version table and nothing else, as a
# downgrade to the base leaves it): opening it takes the pre-migration backup, then
# upgrades it with the migration scripts inside the package.
older="$scratch/home/older"
mkdir "$older"
python3 -c 'import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute(
    "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")' \
    "$older/station.sqlite3"
[ "$(id -u)" = 0 ] && chown -R nobody "$older"
check "an older database is migrated" expect "residents:   0" run --data-dir "$older" info
check "after a backup" expect "pre-migration" run --data-dir "$older" backups list
# README "Moving a laptop's data to a new one": a backup taken on the old laptop, restored
# on the new one (into a data folder that has nothing yet).
backup="$(run_signed_in backups create | sed -n 's/^Backup written: //p')"
confirm=()  # a restore that asks first wants --yes without a terminal
run backups restore --help | grep -q -- --yes && confirm=(--yes)
check "the backup restores on a new laptop (with the password kept beside it)" \
    run_signed_in --data-dir "$scratch/home/new" backups restore "${confirm[@]}" "$backup"
check "with everything in it" expect "residents:   50" \
    run_signed_in --data-dir "$scratch/home/new" info
# README "Passwords and encryption": a station encrypted from its first byte (the new
# password read from standard input), then opened with the password from a file.
check "an encrypted station made with init" expect "encrypted" \
    run --data-dir "$scratch/home/locked" init --station 540102002 --admin Dolma \
    <"$scratch/home/new-password"
check "opened with its password" expect "residents:" \
    run_signed_in --data-dir "$scratch/home/locked" --user Dolma info
test "$(head -c 15 "$scratch/home/locked/station.sqlite3")" != "SQLite format 3"
echo "The unpacked package works."
