-- The coordinator's job journal: every submitted job with its spec and state,
-- so a coordinator restarted after a crash resumes queued and running jobs
-- (same job id) without a re-submit, and a finished job's task table stays
-- readable (the web UI's job page) after it left the coordinator's memory.
CREATE TABLE ghwh_meta.coordinator_jobs (
    job_id        text PRIMARY KEY,
    job           text NOT NULL,
    date_from     date,
    date_to       date,
    force         boolean NOT NULL DEFAULT false,
    raw_root      text NOT NULL,
    state         text NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'killed')),
    submitted_at  timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    error         text,
    -- The finished job's tasks: [{id, kind, detail, state, worker, attempts, error, seconds, records}].
    tasks         jsonb
);
CREATE INDEX coordinator_jobs_open ON ghwh_meta.coordinator_jobs (submitted_at) WHERE state IN ('queued', 'running');
