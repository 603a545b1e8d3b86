# shellcheck shell=bash
# A throwaway PostgreSQL server on loopback for the tests. Source it (".ci/run" does):
#
#   . .ci/postgres.sh          # installs PostgreSQL from Debian packages if missing,
#                              # starts a cluster in a temporary folder, creates a
#                              # database and exports COMPETENCY_TEST_POSTGRES_URL
#
# The server is stopped and its folder removed when the sourcing shell exits (an EXIT
# trap; call competency_pg_stop yourself when sourcing it into an interactive shell).
# PostgreSQL refuses to run as root, so as root the server runs as the postgres user.

competency_pg_as_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

competency_pg_stop() {
    if [ -n "${COMPETENCY_PG_DIR:-}" ] && [ -d "$COMPETENCY_PG_DIR" ]; then
        if [ -f "$COMPETENCY_PG_DIR/data/postmaster.pid" ]; then
            competency_pg_as_owner "$COMPETENCY_PG_BIN/pg_ctl" -D "$COMPETENCY_PG_DIR/data" \
                -m fast -w stop >/dev/null 2>&1 || true
        fi
        rm -rf "$COMPETENCY_PG_DIR"
    fi
    unset COMPETENCY_PG_DIR COMPETENCY_TEST_POSTGRES_URL
}

competency_pg_start() {
    local initdb port db=competency_test
    initdb=$(ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -z "$initdb" ]; then
        echo "postgres.sh: installing PostgreSQL from Debian packages" >&2
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
        initdb=$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)
    fi
    COMPETENCY_PG_BIN=$(dirname "$initdb")
    COMPETENCY_PG_DIR=$(mktemp -d /tmp/competency-pg.XXXXXX)
    chmod 755 "$COMPETENCY_PG_DIR"
    if [ "$(id -u)" = 0 ]; then
        chown postgres: "$COMPETENCY_PG_DIR"
    fi
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    competency_pg_as_owner "$COMPETENCY_PG_BIN/initdb" -D "$COMPETENCY_PG_DIR/data" -U postgres \
        -A trust -E UTF8 --no-sync >"$COMPETENCY_PG_DIR/initdb.log" 2>&1 \
        || { cat "$COMPETENCY_PG_DIR/initdb.log" >&2; return 1; }
    competency_pg_as_owner "$COMPETENCY_PG_BIN/pg_ctl" -D "$COMPETENCY_PG_DIR/data" \
        -l "$COMPETENCY_PG_DIR/server.log" -w -t 60 \
        -o "-p $port -k $COMPETENCY_PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off" start \
        >/dev/null || { cat "$COMPETENCY_PG_DIR/server.log" >&2; return 1; }
    trap competency_pg_stop EXIT
    competency_pg_as_owner "$COMPETENCY_PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U postgres "$db"
    export COMPETENCY_PG_DIR COMPETENCY_PG_BIN
    export COMPETENCY_TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:$port/$db"
    echo "postgres.sh: PostgreSQL on 127.0.0.1:$port ($COMPETENCY_TEST_POSTGRES_URL)" >&2
}

competency_pg_start
