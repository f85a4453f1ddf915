# Sourced by .ci/run (and by a developer who wants the PostgreSQL tests locally):
#
#   source scripts/ci-postgres.sh && ./run-tests
#
# Starts a throw-away PostgreSQL cluster for the test suite and exports its URL. It installs
# Debian's `postgresql` package when the server is missing (as root), makes a cluster in a
# temporary folder that listens on a Unix socket in that folder only (no TCP port at all),
# creates a database with code-point text order (what the application requires, see
# README "The bureau's database"), and exports
#   STATION_DESKTOP_TEST_DATABASE_URL   the URL the tests open (no password: a local socket)
#   STATION_DESKTOP_REQUIRE_POSTGRES=1  so that a test that cannot reach it fails, not skips
# The cluster stops and its folder is removed when the shell that sourced this exits.
# Durability settings are off: the tests check the application, not the server's disk.
# STATION_DESKTOP_PG_DURABLE=1 keeps them on and sizes the memory as README advises a
# bureau (for ./run-bench bureau).

_pg_start() {
    local bin version owner folder
    if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
        if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
            echo "PostgreSQL is not installed: apt-get install postgresql (as root)" >&2
            return 1
        fi
        echo "Installing PostgreSQL (Debian's postgresql package)"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            postgresql >/dev/null
    fi
    version="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
    bin="/usr/lib/postgresql/$version/bin"
    folder="$(mktemp -d /tmp/station-desktop-pg.XXXXXX)"
    # initdb refuses to run as root: the cluster belongs to the postgres user then.
    owner="$(id -un)"
    if [ "$(id -u)" = 0 ]; then
        owner=postgres
        chown postgres: "$folder"
    fi
    _pg_as() { if [ "$owner" = "$(id -un)" ]; then "$@"; else runuser -u "$owner" -- "$@"; fi; }
    _pg_as "$bin/initdb" --pgdata="$folder/data" --auth=trust --username=postgres \
        --encoding=UTF8 --locale=C >"$folder/initdb.log" 2>&1 || {
        cat "$folder/initdb.log" >&2
        return 1
    }
    local settings="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    if [ "${STATION_DESKTOP_PG_DURABLE:-}" = 1 ]; then
        # As the README advises a bureau: shared_buffers a quarter of the RAM.
        local ram_mb
        ram_mb=$(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo)
        settings="-c shared_buffers=$((ram_mb / 4))MB -c effective_cache_size=$((ram_mb * 2 / 3))MB \
                  -c work_mem=64MB -c maintenance_work_mem=512MB -c max_wal_size=8GB"
    fi
    _pg_as "$bin/pg_ctl" --pgdata="$folder/data" --log="$folder/server.log" --wait \
        --options="-c listen_addresses='' -c unix_socket_directories='$folder' \
                   $settings -c max_connections=60" start >/dev/null || {
        cat "$folder/server.log" >&2
        return 1
    }
    "$bin/createdb" --host="$folder" --username=postgres --template=template0 \
        --encoding=UTF8 --locale=C station_test
    export STATION_DESKTOP_TEST_DATABASE_URL="postgresql+psycopg://postgres@/station_test?host=$folder"
    export STATION_DESKTOP_REQUIRE_POSTGRES=1
    export STATION_DESKTOP_TEST_PG_BIN="$bin"
    # Stop the server when the shell that sourced this script ends (exec keeps its pid).
    local watched=$$
    (
        while kill -0 "$watched" 2>/dev/null; do sleep 2; done
        _pg_as "$bin/pg_ctl" --pgdata="$folder/data" --mode=immediate stop
        rm -rf "$folder"
    ) </dev/null >/dev/null 2>&1 &
    disown 2>/dev/null || true
    echo "PostgreSQL $version for the tests: socket in $folder"
}

_pg_start
