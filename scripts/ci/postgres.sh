#!/usr/bin/env bash
# Install PostgreSQL from Debian's packages (when missing) and start a throwaway cluster on
# loopback for the `postgres` dbt target. Idempotent: a cluster already running in the data
# folder is reused. Prints the environment the profile reads.
#
#   scripts/ci/postgres.sh start   # install if needed, initdb if needed, start (default)
#   scripts/ci/postgres.sh stop    # stop the cluster started here
#
# Settings (env): CSM_PG_DATA (cluster folder, default /tmp/csm_postgres), CSM_PG_PORT (5432),
# CSM_PG_USER (csm), CSM_PG_PASSWORD (csm), CSM_PG_DATABASE (customer_success).
set -euo pipefail

action=${1:-start}
data_dir=${CSM_PG_DATA:-/tmp/csm_postgres}
port=${CSM_PG_PORT:-5432}
user=${CSM_PG_USER:-csm}
password=${CSM_PG_PASSWORD:-csm}
database=${CSM_PG_DATABASE:-customer_success}
run_as=postgres

pg_bin() {
    # the newest installed server's binaries (Debian keeps them off PATH)
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    [[ -n "$dir" && -x "$dir/pg_ctl" ]] && echo "$dir"
}

as_postgres() {
    if [[ $(id -un) == "$run_as" ]]; then "$@"; else runuser -u "$run_as" -- "$@"; fi
}

install_server() {
    if pg_bin >/dev/null; then return; fi
    echo "==> installing PostgreSQL from Debian's packages"
    if [[ $(id -u) -ne 0 ]]; then
        echo "error: PostgreSQL is not installed and this is not root: apt-get install postgresql" >&2
        exit 2
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # the package's own cluster is not used: the one below lives in $data_dir
    apt-get install -y -qq --no-install-recommends postgresql >/dev/null
}

start() {
    install_server
    local bin
    bin=$(pg_bin)
    if [[ $(id -u) -eq 0 ]]; then
        mkdir -p "$data_dir"
        chown "$run_as" "$data_dir"
    else
        run_as=$(id -un)
    fi
    if [[ ! -f "$data_dir/PG_VERSION" ]]; then
        echo "==> initdb $data_dir"
        as_postgres "$bin/initdb" -D "$data_dir" -U postgres --auth-local=trust \
            --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
    fi
    if as_postgres "$bin/pg_ctl" -D "$data_dir" status >/dev/null 2>&1; then
        echo "==> PostgreSQL already running in $data_dir"
    else
        echo "==> starting PostgreSQL on 127.0.0.1:$port"
        # loopback only; the socket stays in the data folder (no /var/run needed)
        if ! as_postgres "$bin/pg_ctl" -D "$data_dir" -l "$data_dir/server.log" -w -t 60 \
            -o "-c listen_addresses=127.0.0.1 -p $port -k $data_dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
            start >/dev/null; then
            # e.g. "could not bind ... Address already in use": another server holds the port
            echo "error: PostgreSQL did not start on 127.0.0.1:$port; $data_dir/server.log ends:" >&2
            tail -n 5 "$data_dir/server.log" >&2
            echo "(a busy port: set CSM_PG_PORT to a free one)" >&2
            exit 2
        fi
    fi
    local psql=("$bin/psql" -h "$data_dir" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -qtA)
    if [[ $(as_postgres "${psql[@]}" -c "select 1 from pg_roles where rolname = '$user'") != 1 ]]; then
        as_postgres "${psql[@]}" -c "create role \"$user\" login superuser password '$password'"
    fi
    if [[ $(as_postgres "${psql[@]}" -c "select 1 from pg_database where datname = '$database'") != 1 ]]; then
        as_postgres "${psql[@]}" -c "create database \"$database\" owner \"$user\""
    fi
    echo "PostgreSQL ready: CSM_PG_HOST=127.0.0.1 CSM_PG_PORT=$port CSM_PG_USER=$user CSM_PG_DATABASE=$database"
}

stop() {
    local bin
    bin=$(pg_bin) || { echo "PostgreSQL is not installed"; return; }
    if [[ $(id -u) -ne 0 ]]; then run_as=$(id -un); fi
    if [[ -f "$data_dir/PG_VERSION" ]] && as_postgres "$bin/pg_ctl" -D "$data_dir" status >/dev/null 2>&1; then
        as_postgres "$bin/pg_ctl" -D "$data_dir" -m fast -w stop >/dev/null
        echo "PostgreSQL in $data_dir stopped"
    fi
}

case "$action" in
    start) start ;;
    stop) stop ;;
    *) echo "usage: $0 [start|stop]" >&2; exit 2 ;;
esac
