#!/usr/bin/env bash
# A throw-away PostgreSQL on 127.0.0.1 for the test suites.
#
#   .ci/postgres.sh start DIR   # installs Debian's postgresql if missing, starts a
#                               # server with its data in DIR, prints its test URL
#   .ci/postgres.sh stop DIR    # stops it (DIR can then be removed)
#
# PORT (default 55433) chooses the port. The server trusts local connections: it
# listens on loopback only and lives as long as the test run.
set -euo pipefail

command=${1:?usage: postgres.sh start|stop DIR}
data=${2:?usage: postgres.sh start|stop DIR}
port=${PORT:-55433}

pg_bin() {
    ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

# PostgreSQL refuses to run as root: as root, run its programs as the postgres user
# that Debian's package creates.
as_owner() {
    if [ "$(id -u)" = 0 ]; then
        su postgres -s /bin/sh -c "$*"
    else
        sh -c "$*"
    fi
}

case "$command" in
start)
    if [ -z "$(pg_bin)" ]; then
        echo "postgres.sh: installing Debian's postgresql" >&2
        if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
        $sudo apt-get update -qq >&2
        $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    fi
    bin=$(pg_bin)
    mkdir -p "$data"
    if [ "$(id -u)" = 0 ]; then chown postgres "$data"; fi
    as_owner "'$bin/initdb' -D '$data' -A trust -U postgres --no-sync" >/dev/null
    as_owner "'$bin/pg_ctl' -D '$data' -l '$data/server.log' -w \
        -o \"-c listen_addresses=127.0.0.1 -p $port -k '$data' -c fsync=off\" start" >&2
    as_owner "'$bin/psql' -h 127.0.0.1 -p $port -U postgres -q \
        -c 'CREATE DATABASE newsflow_test'" >&2
    echo "postgresql://postgres@127.0.0.1:$port/newsflow_test"
    ;;
stop)
    bin=$(pg_bin)
    if [ -n "$bin" ] && [ -f "$data/postmaster.pid" ]; then
        as_owner "'$bin/pg_ctl' -D '$data' -m fast -w stop" >&2
    fi
    ;;
*)
    echo "usage: postgres.sh start|stop DIR" >&2
    exit 2
    ;;
esac
