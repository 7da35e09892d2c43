#!/usr/bin/env bash
# Cross-engine check (issue #7): the same data (tiny by default) built on DuckDB,
# PostgreSQL and Spark gives the same marts. Installs and starts PostgreSQL (Debian's
# packages, loopback only), installs Java 17 when missing (Debian's packages), installs the
# `spark` and `postgres` extras, generates the data, loads it into PostgreSQL and Spark (`csm
# load`), runs `dbt build` (seeds, models, unit and data tests) on the three targets, then
# pytest tests/python/test_cross_engine.py. Prints each step's time.
#
# Settings (env):
#   CSM_CROSS_ENGINE_SCALE    generator scale (default tiny; `small` gives the side-by-side
#                             timings of issue #7)
#   CSM_CROSS_ENGINE_DIR      work folder: raw data, DuckDB file, Spark warehouse, PostgreSQL
#                             cluster, dbt target/logs (default /tmp/csm_cross_engine)
#   CSM_CROSS_ENGINE_SELECT   dbt --select for the builds (default: the whole project)
#   CSM_CROSS_ENGINE_EXCLUDE  dbt --exclude for the builds (default: nothing)
#   CSM_CROSS_ENGINE_INSTALL  0 to skip the pip install of the extras (default 1)
#   CSM_PG_PORT               port of the throwaway PostgreSQL (default 55432, off the
#                             5432 a system cluster may hold)
#   BIN                       the virtualenv's bin folder (default .venv/bin)
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)

BIN=${BIN:-.venv/bin}
work=${CSM_CROSS_ENGINE_DIR:-/tmp/csm_cross_engine}
scale=${CSM_CROSS_ENGINE_SCALE:-tiny}
select=${CSM_CROSS_ENGINE_SELECT:-}
exclude=${CSM_CROSS_ENGINE_EXCLUDE:-}
mkdir -p "$work"

export CSM_RAW_DIR=$work/raw_$scale
export CSM_DUCKDB_PATH=$work/customer_success.duckdb
export CSM_SPARK_WAREHOUSE=$work/spark
export CSM_PG_DATA=$work/postgres
export CSM_PG_HOST=127.0.0.1
export CSM_PG_PORT=${CSM_PG_PORT:-55432}
export CSM_PG_USER=${CSM_PG_USER:-csm}
export CSM_PG_PASSWORD=${CSM_PG_PASSWORD:-csm}
export CSM_PG_DATABASE=${CSM_PG_DATABASE:-customer_success}
export DBT_TARGET_PATH=$work/target
export DBT_LOG_PATH=$work/logs
export DBT_SEND_ANONYMOUS_USAGE_STATS=False
export PYTHONWARNINGS=ignore::FutureWarning  # pyspark's notice about pandas 3

timings=()
current=""
step() {
    local name=$1 started
    shift
    echo "==> $name"
    current=$name
    started=$(date +%s)
    "$@"
    timings+=("$(printf '%-28s %5d s' "$name" $(( $(date +%s) - started )))")
}

report() {
    local status=$?
    echo
    echo "cross-engine timings:"
    if (( ${#timings[@]} )); then printf '  %s\n' "${timings[@]}"; fi
    echo "  total                        $(( $(date +%s) - all_started )) s"
    (( status == 0 )) || echo "cross-engine check FAILED during: $current" >&2
    scripts/ci/postgres.sh stop || true
    exit $status
}
all_started=$(date +%s)
trap report EXIT

build() {
    local target=$1 args=()
    [[ -n "$select" ]] && args+=(--select $select)
    [[ -n "$exclude" ]] && args+=(--exclude $exclude)
    # --full-refresh: a rerun in the same work folder starts from the same state
    "$BIN/dbt" build --project-dir "$root" --profiles-dir "$root" --target "$target" \
        --full-refresh "${args[@]}"
}

# Spark (pyspark 4) runs on Java 17 or later: install Debian's headless JRE when missing
java_ready() {
    local version
    version=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1 || true)
    if [[ -n "$version" ]] && (( version >= 17 )); then return; fi
    if [[ $(id -u) -ne 0 ]]; then
        echo "error: Spark needs Java 17 or later and this is not root: apt-get install openjdk-17-jre-headless" >&2
        exit 2
    fi
    echo "==> installing Java 17 from Debian's packages"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        openjdk-17-jre-headless >/dev/null
}

step "postgres: install + start" scripts/ci/postgres.sh start
step "java: check (install)" java_ready
if [[ ${CSM_CROSS_ENGINE_INSTALL:-1} != 0 ]]; then
    step "pip: extras spark,postgres" "$BIN/pip" install --quiet --disable-pip-version-check \
        -c constraints.txt -e '.[dev,spark,postgres]'
fi
step "generate $scale data" "$BIN/csm" generate --scale "$scale" --seed 42 --end-date 2026-09-30 \
    --out "$CSM_RAW_DIR" --if-missing
step "duckdb: build" build dev
step "postgres: load" "$BIN/csm" load --target postgres
step "postgres: build" build postgres
step "postgres: publish" "$BIN/csm" publish --target postgres
# the PostgreSQL build's manifest and run results, for the publish tests after the Spark build
export CSM_CROSS_ENGINE_PG_TARGET=$work/target_postgres
mkdir -p "$CSM_CROSS_ENGINE_PG_TARGET"
cp "$DBT_TARGET_PATH/manifest.json" "$DBT_TARGET_PATH/run_results.json" "$CSM_CROSS_ENGINE_PG_TARGET/"
step "spark: load" "$BIN/csm" load --target spark
step "spark: build" build spark
step "pytest: cross-engine" env CSM_CROSS_ENGINE=1 "$BIN/pytest" -p no:cacheprovider \
    tests/python/test_cross_engine.py
