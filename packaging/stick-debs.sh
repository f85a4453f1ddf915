#!/usr/bin/env bash
# Fill a folder for the USB stick: the package and the scan reader's package beside it, and
# in libs/ the .deb files of the X11 helper libraries among its dependencies (libxcb-*,
# libxkbcommon-x11-0), which a Debian 12 desktop that never had a Qt 6 program may lack.
# Run on a Debian 12 machine with network.
#   packaging/stick-debs.sh DIR [dist/station-desktop_VERSION_amd64.deb]
set -euo pipefail
out="$1"
deb="${2:-$(ls dist/station-desktop_*_amd64.deb | sort -V | tail -n 1)}"
mkdir -p "$out/libs"
cp "$deb" "$out/"
scan_deb="$(dirname "$deb")/$(basename "$deb" | sed 's/^station-desktop_/station-desktop-scan_/')"
cp "$scan_deb" "$out/"
mapfile -t libraries < <(dpkg-deb -f "$deb" Depends | tr ',' '\n' |
    sed -e 's/([^)]*)//' -e 's/ //g' | grep -E '^(libxcb-|libxkbcommon-x11-)')
(cd "$out/libs" && apt-get download "${libraries[@]}")
echo "Copy $out onto the stick; install with: sudo apt install ./$(basename "$deb") ./libs/*.deb"
echo "and, on the laptop that reads scans: sudo apt install ./$(basename "$scan_deb")"
