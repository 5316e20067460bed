-- ghwh migration 3: daily history (docs/contract.md#daily-history).
--
-- sta_github.issues_daily / pull_requests_daily read as one row per
-- (repo_name, number, ingest_date): the version that wins within that ingest
-- day by the silver order restricted to one day (greatest updated_at, then
-- greater source, then later record), with the same columns as the
-- latest-version tables (which stay the source of the current gold layer).
--
-- They are views over sta_github.issues_history / pull_requests_history,
-- range-partitioned on ingest_date, which the loader's merge statement appends
-- each document's winners to (one row per key and document; a key appears in
-- several documents of one day only when several files of that day deliver
-- it, and the views keep the day's winner). Appending without a unique index
-- costs a third of an upsert into (repo_name, number, ingest_date), which
-- keeps the load within 15% of a load without history. The partition of a
-- day (or month: `history_partition`) is created in the loader's transaction
-- when the day first arrives (ghwh_meta.ensure_history_partition).

CREATE TABLE sta_github.issues_history (LIKE sta_github.issues) PARTITION BY RANGE (ingest_date);
CREATE TABLE sta_github.pull_requests_history (LIKE sta_github.pull_requests) PARTITION BY RANGE (ingest_date);

CREATE VIEW sta_github.issues_daily AS
SELECT DISTINCT ON (repo_name, number, ingest_date) * FROM sta_github.issues_history
ORDER BY repo_name, number, ingest_date, updated_at DESC, source DESC, source_ordinal DESC;

CREATE VIEW sta_github.pull_requests_daily AS
SELECT DISTINCT ON (repo_name, number, ingest_date) * FROM sta_github.pull_requests_history
ORDER BY repo_name, number, ingest_date, updated_at DESC, source DESC, source_ordinal DESC;

-- `ghwh db prune --before P` drops the partitions lying before P. So that the
-- as-of state of every later day stays exactly what it was, it first folds
-- each key's winner among the pruned rows (its as-of-(P-1) version, with its
-- original ingest_date) into these tables: as of any day D >= P, a key's
-- winner is the silver-order maximum of that row and its daily rows <= D.
CREATE TABLE sta_github.issues_pruned_base (
    LIKE sta_github.issues,
    PRIMARY KEY (repo_name, number)
);
CREATE TABLE sta_github.pull_requests_pruned_base (
    LIKE sta_github.pull_requests,
    PRIMARY KEY (repo_name, number)
);

-- One row: the partition granularity (fixed once the first partition exists;
-- `history_partition` in the configuration) and the prune horizon (days
-- before it are no longer answerable as of).
CREATE TABLE ghwh_meta.history_settings (
    singleton     boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    partition     text NOT NULL DEFAULT 'month' CHECK (partition IN ('day', 'month')),
    pruned_before date
);
INSERT INTO ghwh_meta.history_settings DEFAULT VALUES;

-- The ingest days loaded (a day is loaded once one of its documents merged),
-- over both datasets: the days the backlog trend has a row for.
CREATE TABLE ghwh_meta.history_days (ingest_date date PRIMARY KEY);

CREATE FUNCTION ghwh_meta.ensure_history_partition(d date) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    g text; lo date; hi date; suffix text; t text;
BEGIN
    SELECT partition INTO g FROM ghwh_meta.history_settings;
    IF g = 'day' THEN
        lo := d; hi := d + 1; suffix := to_char(d, 'YYYYMMDD');
    ELSE
        lo := date_trunc('month', d)::date; hi := (lo + interval '1 month')::date; suffix := to_char(lo, 'YYYYMM');
    END IF;
    FOREACH t IN ARRAY ARRAY['issues_history', 'pull_requests_history'] LOOP
        IF to_regclass(format('sta_github.%I', t || '_p' || suffix)) IS NULL THEN
            EXECUTE format('CREATE TABLE sta_github.%I PARTITION OF sta_github.%I FOR VALUES FROM (%L) TO (%L)',
                           t || '_p' || suffix, t, lo, hi);
        END IF;
    END LOOP;
END $$;

-- The warehouse as of day d: per key, the silver-order winner among its
-- versions ingested on or before d. Same rows as a warehouse into which only
-- the days <= d were loaded. Usage: SELECT * FROM sta_github.issues_as_of('2024-01-05').
CREATE FUNCTION sta_github.issues_as_of(d date) RETURNS SETOF sta_github.issues LANGUAGE sql STABLE AS $$
    SELECT DISTINCT ON (repo_name, number) * FROM (
        SELECT * FROM sta_github.issues_history WHERE ingest_date <= d
        UNION ALL
        SELECT * FROM sta_github.issues_pruned_base WHERE ingest_date <= d
    ) v
    ORDER BY repo_name, number, updated_at DESC, ingest_date DESC, source DESC, source_ordinal DESC
$$;

CREATE FUNCTION sta_github.pull_requests_as_of(d date) RETURNS SETOF sta_github.pull_requests LANGUAGE sql STABLE AS $$
    SELECT DISTINCT ON (repo_name, number) * FROM (
        SELECT * FROM sta_github.pull_requests_history WHERE ingest_date <= d
        UNION ALL
        SELECT * FROM sta_github.pull_requests_pruned_base WHERE ingest_date <= d
    ) v
    ORDER BY repo_name, number, updated_at DESC, ingest_date DESC, source DESC, source_ordinal DESC
$$;

-- Gold: the backlog per repo and loaded ingest day, over the as-of-day state
-- (computed by the gold tasks, GoldStore.backlogQuery).
CREATE TABLE stg_github.daily_backlog (
    repo_name   text COLLATE "C" NOT NULL,
    ingest_date date NOT NULL,
    issues_open bigint NOT NULL,   -- issues (not pull requests) with closed_at NULL
    prs_open    bigint NOT NULL,   -- PRs with closed_at NULL
    prs_closed  bigint NOT NULL,   -- PRs with closed_at set
    prs_merged  bigint NOT NULL,   -- PRs with merged_at set
    PRIMARY KEY (repo_name, ingest_date)
);

-- One row per repo and day, plus one per day for all repos (repo_name NULL).
CREATE VIEW stg_github.backlog_trend AS
SELECT repo_name, ingest_date,
       sum(issues_open)::bigint AS issues_open, sum(prs_open)::bigint AS prs_open,
       sum(prs_closed)::bigint AS prs_closed, sum(prs_merged)::bigint AS prs_merged
FROM stg_github.daily_backlog
GROUP BY GROUPING SETS ((repo_name, ingest_date), (ingest_date));

ALTER TABLE ghwh_meta.gold_dirty_repos DROP CONSTRAINT gold_dirty_repos_target_check;
ALTER TABLE ghwh_meta.gold_dirty_repos ADD CONSTRAINT gold_dirty_repos_target_check
    CHECK (target IN ('pull_requests_metrics', 'labels_metrics', 'milestone_metrics', 'daily_backlog'));
