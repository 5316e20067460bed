-- ghwh migration 7: which rows each duration answer counts, defined once.
--
-- One view per question holds the rows it counts (a PR, or an issue->PR
-- link) with the duration it measures as `seconds`. The summary views of
-- migration 2 are redefined over them with the same columns and results,
-- and `ghwh report` draws its histograms from them, so the filters below are
-- the only place that says which PRs and links count
-- (docs/contract.md#metric-definitions).

-- PR open duration: closed PRs (gold sets open_seconds exactly when closed_at
-- is set, so this is also "open_seconds IS NOT NULL").
CREATE VIEW stg_github.pr_open_time_values AS
SELECT repo_name, pr_number, open_seconds AS seconds
FROM stg_github.pull_requests_metrics
WHERE closed_at IS NOT NULL;

-- Time to merge: merged PRs.
CREATE VIEW stg_github.pr_time_to_merge_values AS
SELECT repo_name, pr_number, extract(epoch FROM merged_at - created_at)::double precision AS seconds
FROM stg_github.pull_requests_metrics
WHERE merged_at IS NOT NULL;

-- Issue creation to merge: links whose PR is merged, from an issue created no
-- later than the merge. Each link counts (under the PR's repo).
CREATE VIEW stg_github.issue_to_merge_values AS
SELECT repo_name, pr_number, issue_repo_name, issue_number, issue_to_merge_seconds AS seconds
FROM stg_github.pull_request_issue_links
WHERE merged_at IS NOT NULL AND issue_created_at <= merged_at;

-- The summaries, one row per repo plus one (repo_name NULL) for all repos.
-- A PR not counted for open time is an open PR.
CREATE OR REPLACE VIEW stg_github.pr_open_time AS
SELECT p.repo_name,
       count(v.pr_number) AS prs,
       count(*) - count(v.pr_number) AS open_prs,
       avg(v.seconds) AS avg_seconds,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY v.seconds) AS median_seconds
FROM stg_github.pull_requests_metrics p
LEFT JOIN stg_github.pr_open_time_values v ON v.repo_name = p.repo_name AND v.pr_number = p.pr_number
GROUP BY GROUPING SETS ((p.repo_name), ());

CREATE OR REPLACE VIEW stg_github.pr_time_to_merge AS
SELECT repo_name,
       count(*) AS prs,
       avg(seconds) AS avg_seconds,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds) AS median_seconds
FROM stg_github.pr_time_to_merge_values
GROUP BY GROUPING SETS ((repo_name), ());

CREATE OR REPLACE VIEW stg_github.issue_to_merge AS
SELECT repo_name,
       count(*) AS links,
       avg(seconds) AS avg_seconds,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds) AS median_seconds
FROM stg_github.issue_to_merge_values
GROUP BY GROUPING SETS ((repo_name), ());
