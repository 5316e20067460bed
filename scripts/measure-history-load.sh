#!/bin/sh
# Loads a raw tree with `ghwh run --job all` into fresh databases and prints,
# per run: wall time, silver and gold seconds, silver MB/s, and the sizes of
# the latest-version and daily tables (bytes per daily row).
# Usage: scripts/measure-history-load.sh GHWH_BINARY RAW_ROOT "<server conninfo without dbname>" [runs] [mode]
#   mode: all (default, one job over every day) or daily (one job per day, in order)
set -eu
BIN="$1"; RAW="$2"; SERVER="$3"; RUNS="${4:-3}"; MODE="${5:-all}"
for i in $(seq 1 "$RUNS"); do
  DB="ghwh_measure_$i"
  psql "$SERVER dbname=postgres" -Xq -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
  START=$(date +%s.%N)
  SILVER=0; GOLD=0
  if [ "$MODE" = daily ]; then
    for d in $(ls "$RAW/github/issues"); do
      "$BIN" run --job all --raw "$RAW" --date "$d" --database-url "$SERVER dbname=$DB" --no-progress --summary-json /tmp/measure-summary.json >/dev/null
      S=$(python3 -c 'import json; s=json.load(open("/tmp/measure-summary.json")); print(s["seconds"] - s["gold"]["seconds"], s["gold"]["seconds"])')
      SILVER=$(echo "$SILVER ${S% *}" | awk '{print $1 + $2}'); GOLD=$(echo "$GOLD ${S#* }" | awk '{print $1 + $2}')
    done
  else
    "$BIN" run --job all --raw "$RAW" --database-url "$SERVER dbname=$DB" --no-progress --summary-json /tmp/measure-summary.json >/dev/null
    S=$(python3 -c 'import json; s=json.load(open("/tmp/measure-summary.json")); print(s["seconds"] - s["gold"]["seconds"], s["gold"]["seconds"])')
    SILVER=${S% *}; GOLD=${S#* }
  fi
  END=$(date +%s.%N)
  LINE=$(psql "$SERVER dbname=$DB" -XAt -c "
    SELECT 'run $i: wall ' || round(($END - $START)::numeric, 2) || ' s, silver ' || round($SILVER::numeric, 2)
      || ' s, gold ' || round($GOLD::numeric, 2) || ' s | latest tables '
      || pg_size_pretty(pg_total_relation_size('sta_github.issues') + pg_total_relation_size('sta_github.pull_requests')
                        + pg_total_relation_size('sta_github.pull_request_labels'))
      || ', ' || (SELECT count(*) FROM sta_github.issues) + (SELECT count(*) FROM sta_github.pull_requests) || ' rows'
      || ' | database ' || pg_size_pretty(pg_database_size(current_database()))")
  if [ "$(psql "$SERVER dbname=$DB" -XAt -c "SELECT to_regclass('sta_github.issues_history') IS NOT NULL")" = t ]; then
    LINE="$LINE$(psql "$SERVER dbname=$DB" -XAt -c "
      WITH p AS (SELECT inhrelid FROM pg_inherits
                 WHERE inhparent IN ('sta_github.issues_history'::regclass, 'sta_github.pull_requests_history'::regclass)),
           n AS (SELECT (SELECT count(*) FROM sta_github.issues_history) + (SELECT count(*) FROM sta_github.pull_requests_history) AS log,
                        (SELECT count(*) FROM sta_github.issues_daily) + (SELECT count(*) FROM sta_github.pull_requests_daily) AS daily)
      SELECT ' | history tables ' || pg_size_pretty((SELECT sum(pg_total_relation_size(inhrelid)) FROM p)::bigint)
        || ', ' || n.log || ' rows (' || n.daily || ' daily rows), '
        || round((SELECT sum(pg_total_relation_size(inhrelid)) FROM p) / n.daily) || ' B per daily row' FROM n")"
  else
    LINE="$LINE | no history tables"
  fi
  echo "$LINE"
done
