-- ghwh migration 2: the stg_github gold layer (docs/contract.md#gold-tables), its
-- cross-repo views, and the record of which repos need gold recomputed.

CREATE TABLE stg_github.pull_requests_metrics (
    repo_name        text COLLATE "C" NOT NULL,
    pr_number        bigint NOT NULL,
    state            text,
    created_at       timestamptz NOT NULL,
    closed_at        timestamptz,
    merged_at        timestamptz,
    is_merged        boolean NOT NULL,
    open_seconds     double precision,      -- closed_at - created_at; NULL while open
    additions        bigint,
    deletions        bigint,
    lines_changed    bigint,                -- additions + deletions; NULL if either is missing
    milestone_number bigint,
    milestone_title  text COLLATE "C",
    label_count      integer NOT NULL,
    PRIMARY KEY (repo_name, pr_number)
);

CREATE TABLE stg_github.pull_request_issue_links (
    repo_name              text COLLATE "C" NOT NULL,
    pr_number              bigint NOT NULL,
    issue_repo_name        text COLLATE "C" NOT NULL,
    issue_number           bigint NOT NULL,
    issue_created_at       timestamptz NOT NULL,
    merged_at              timestamptz,
    issue_to_merge_seconds double precision,   -- merged_at - issue_created_at; NULL if not merged
    PRIMARY KEY (repo_name, pr_number, issue_repo_name, issue_number)
);

CREATE TABLE stg_github.labels_metrics (
    repo_name  text COLLATE "C" NOT NULL,
    label_name text COLLATE "C" NOT NULL,
    pr_count   integer NOT NULL,
    share      double precision NOT NULL,       -- pr_count / all label assignments on PRs of the repo
    PRIMARY KEY (repo_name, label_name)
);

CREATE TABLE stg_github.milestone_metrics (
    repo_name            text COLLATE "C" NOT NULL,
    milestone_title      text COLLATE "C" NOT NULL,
    milestone_number     bigint,
    pr_count             integer NOT NULL,
    lines_changed_total  bigint,
    lines_changed_avg    double precision,
    lines_changed_median double precision,
    PRIMARY KEY (repo_name, milestone_title)
);

-- Repos whose silver rows changed since their gold rows were computed, per
-- gold table. A gold task clears the marks it planned with (seq <= planned).
CREATE SEQUENCE ghwh_meta.gold_dirty_seq;
CREATE TABLE ghwh_meta.gold_dirty_repos (
    repo_name text COLLATE "C" NOT NULL,
    target    text NOT NULL CHECK (target IN ('pull_requests_metrics', 'labels_metrics', 'milestone_metrics')),
    seq       bigint NOT NULL,
    PRIMARY KEY (repo_name, target)
);

-- Cross-repo answers: views over the gold tables. GROUPING SETS give one row
-- per repo and one row for all repos (repo_name NULL), so `ghwh report` and
-- `ghwh report --repo` read the same definitions.
CREATE VIEW stg_github.pr_open_time AS
SELECT repo_name,
       count(*) FILTER (WHERE closed_at IS NOT NULL) AS prs,
       count(*) FILTER (WHERE closed_at IS NULL) AS open_prs,
       avg(open_seconds) AS avg_seconds,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY open_seconds) AS median_seconds
FROM stg_github.pull_requests_metrics
GROUP BY GROUPING SETS ((repo_name), ());

CREATE VIEW stg_github.pr_time_to_merge AS
SELECT repo_name,
       count(*) AS prs,
       avg(extract(epoch FROM merged_at - created_at)::double precision) AS avg_seconds,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM merged_at - created_at)::double precision) AS median_seconds
FROM stg_github.pull_requests_metrics
WHERE merged_at IS NOT NULL
GROUP BY GROUPING SETS ((repo_name), ());

CREATE VIEW stg_github.issue_to_merge AS
SELECT repo_name,
       count(*) AS links,
       avg(issue_to_merge_seconds) AS avg_seconds,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY issue_to_merge_seconds) AS median_seconds
FROM stg_github.pull_request_issue_links
WHERE merged_at IS NOT NULL AND issue_created_at <= merged_at
GROUP BY GROUPING SETS ((repo_name), ());

CREATE VIEW stg_github.label_distribution AS
SELECT repo_name, label_name, pr_count,
       pr_count::double precision / sum(pr_count) OVER (PARTITION BY repo_name) AS share
FROM (
    SELECT repo_name, label_name, sum(pr_count)::bigint AS pr_count
    FROM stg_github.labels_metrics
    GROUP BY GROUPING SETS ((repo_name, label_name), (label_name))
) g;
