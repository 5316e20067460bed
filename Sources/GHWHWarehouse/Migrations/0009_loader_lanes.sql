-- The loader merges issues and pull requests on two connections at once
-- (docs/cluster.md, Loader). What both datasets' merges wrote to the
-- same rows is kept per dataset, so the two transactions never wait on each
-- other (or deadlock): a gold mark per (repo, target, dataset), a loaded day
-- per (day, dataset), and each dataset creates only its own history partition.

-- Gold reads the newest mark of a (repo, target) and clears the marks it
-- covered (seq <= planned), whichever dataset wrote them.
ALTER TABLE ghwh_meta.gold_dirty_repos ADD COLUMN dataset text NOT NULL DEFAULT '';
ALTER TABLE ghwh_meta.gold_dirty_repos DROP CONSTRAINT gold_dirty_repos_pkey;
ALTER TABLE ghwh_meta.gold_dirty_repos ADD PRIMARY KEY (repo_name, target, dataset);

-- The loaded days are the distinct ingest_date values ('' marks rows from before this migration).
ALTER TABLE ghwh_meta.history_days ADD COLUMN dataset text NOT NULL DEFAULT '';
ALTER TABLE ghwh_meta.history_days DROP CONSTRAINT history_days_pkey;
ALTER TABLE ghwh_meta.history_days ADD PRIMARY KEY (ingest_date, dataset);

-- One dataset's history partition of day d (t: 'issues_history' or 'pull_requests_history').
CREATE FUNCTION ghwh_meta.ensure_history_partition(d date, t text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    g text; lo date; hi date; suffix text;
BEGIN
    SELECT partition INTO g FROM ghwh_meta.history_settings;
    IF g = 'day' THEN
        lo := d; hi := d + 1; suffix := to_char(d, 'YYYYMMDD');
    ELSE
        lo := date_trunc('month', d)::date; hi := (lo + interval '1 month')::date; suffix := to_char(lo, 'YYYYMM');
    END IF;
    IF to_regclass(format('sta_github.%I', t || '_p' || suffix)) IS NULL THEN
        EXECUTE format('CREATE TABLE sta_github.%I PARTITION OF sta_github.%I FOR VALUES FROM (%L) TO (%L)',
                       t || '_p' || suffix, t, lo, hi);
    END IF;
END $$;

-- Nothing calls the one that created both datasets' partitions any more.
DROP FUNCTION ghwh_meta.ensure_history_partition(date);
