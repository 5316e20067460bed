#!/bin/sh
# Measures PostgreSQL planning (and execution) time of the daily history's
# typical statements with day partitions vs month partitions over ~3 years of
# ingest days. Usage: scripts/measure-history-partitions.sh "<conninfo>" [days]
# Creates and drops schema ghwh_partition_probe in that database.
set -eu
CONN="$1"; DAYS="${2:-1096}"
psql_q() { psql "$CONN" -X -q -v ON_ERROR_STOP=1 "$@"; }
for G in day month; do
psql_q <<SQL >/dev/null
DROP SCHEMA IF EXISTS ghwh_partition_probe CASCADE;
CREATE SCHEMA ghwh_partition_probe;
CREATE TABLE ghwh_partition_probe.t (
  repo_name text COLLATE "C" NOT NULL, number bigint NOT NULL, ingest_date date NOT NULL,
  updated_at timestamptz NOT NULL, closed_at timestamptz, merged_at timestamptz, title text,
  labels text[] NOT NULL DEFAULT '{}', source text COLLATE "C" NOT NULL, source_ordinal bigint NOT NULL,
  PRIMARY KEY (repo_name, number, ingest_date)) PARTITION BY RANGE (ingest_date);
DO \$\$
DECLARE d date; lo date; hi date;
BEGIN
  IF '$G' = 'day' THEN
    FOR i IN 0..$DAYS - 1 LOOP
      d := date '2023-01-01' + i;
      EXECUTE format('CREATE TABLE ghwh_partition_probe.%I PARTITION OF ghwh_partition_probe.t FOR VALUES FROM (%L) TO (%L)', 'p' || to_char(d, 'YYYYMMDD'), d, d + 1);
    END LOOP;
  ELSE
    lo := date '2023-01-01';
    WHILE lo < date '2023-01-01' + $DAYS LOOP
      hi := (lo + interval '1 month')::date;
      EXECUTE format('CREATE TABLE ghwh_partition_probe.%I PARTITION OF ghwh_partition_probe.t FOR VALUES FROM (%L) TO (%L)', 'p' || to_char(lo, 'YYYYMM'), lo, hi);
      lo := hi;
    END LOOP;
  END IF;
END \$\$;
INSERT INTO ghwh_partition_probe.t (repo_name, number, ingest_date, updated_at, title, source, source_ordinal)
SELECT 'o/r' || (n % 20), n, date '2023-01-01' + d, timestamptz '2023-01-01' + (d || ' days')::interval, 'x', 's', n
FROM generate_series(0, $DAYS - 1) d, generate_series(1, 50) n;
ANALYZE ghwh_partition_probe.t;
SQL
  LAST=$(psql_q -At -c "SELECT (date '2023-01-01' + $DAYS - 1)::text")
  measure() {  # label, statement: median planning and execution ms of 7 runs
    for _ in 1 2 3 4 5 6 7; do
      psql_q -At -c "EXPLAIN (ANALYZE, SUMMARY, FORMAT JSON) $2" | python3 -c 'import json,sys; p=json.load(sys.stdin)[0]; print(p["Planning Time"], p["Execution Time"])'
    done | sort -n | sed -n 4p | (read p e; printf '%-6s %-48s planning %7.2f ms  execution %8.2f ms\n' "$G" "$1" "$p" "$e")
  }
  N=$(psql_q -At -c "SELECT count(*) FROM pg_inherits WHERE inhparent = 'ghwh_partition_probe.t'::regclass")
  echo "$G: $N partitions"
  measure "as-of state of the last day (all partitions)" "SELECT DISTINCT ON (repo_name, number) * FROM ghwh_partition_probe.t WHERE ingest_date <= '$LAST' ORDER BY repo_name, number, updated_at DESC, ingest_date DESC"
  measure "one day's rows (pruned to one partition)" "SELECT count(*) FROM ghwh_partition_probe.t WHERE ingest_date = '$LAST'"
  measure "merge of 50 rows into one day (ON CONFLICT)" "INSERT INTO ghwh_partition_probe.t AS t (repo_name, number, ingest_date, updated_at, title, source, source_ordinal) SELECT 'o/r1', n, '$LAST', now(), 'y', 's', n FROM generate_series(1, 50) n ON CONFLICT (repo_name, number, ingest_date) DO UPDATE SET title = EXCLUDED.title WHERE t.updated_at < EXCLUDED.updated_at"
  measure "one key's history (all partitions)" "SELECT * FROM ghwh_partition_probe.t WHERE repo_name = 'o/r1' AND number = 21"
done
psql_q -c "DROP SCHEMA ghwh_partition_probe CASCADE" >/dev/null
