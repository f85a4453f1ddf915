#!/usr/bin/env bash
# Translation catalogues (see i18n/README.md):
#   scripts/catalogues.sh extract   rebuild i18n/station_desktop.pot from the sources
#   scripts/catalogues.sh update    extract, then merge new messages into every .po file
#   scripts/catalogues.sh stats     how much of each catalogue is translated
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
cd "$PROJECT_ROOT"
POT=i18n/station_desktop.pot
extract() {
    "$VENV/bin/pybabel" extract -F i18n/babel.cfg --no-default-keywords \
        -k N_ -k NC_:1c,2 -k _ -k pgettext:1c,2 -k ngettext:1,2 \
        --add-comments=TRANSLATORS: --no-location --sort-output --omit-header \
        -o "$POT" station_desktop
}
case "${1:-}" in
    extract) extract ;;
    update)
        extract
        "$VENV/bin/pybabel" update -i "$POT" -d i18n -D station_desktop --no-fuzzy-matching \
            --ignore-obsolete --no-wrap
        ;;
    stats) "$VENV/bin/pybabel" compile -d i18n -D station_desktop --statistics -f \
        -o /dev/null 2>&1 || true ;;
    *) echo "usage: scripts/catalogues.sh extract|update|stats" >&2; exit 2 ;;
esac
