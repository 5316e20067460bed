-- ghwh migration 1: bookkeeping schema, silver layer, staging for multi-task documents.
CREATE SCHEMA IF NOT EXISTS sta_github;
CREATE SCHEMA IF NOT EXISTS stg_github;

-- Silver: one row per (repo_name, number), the latest version (docs/contract.md#silver-tables).
-- (updated_at, ingest_date, source, source_ordinal) is the dedupe order; source
-- compares by byte order (COLLATE "C") so the winner never depends on locale.
CREATE TABLE sta_github.issues (
    repo_name        text COLLATE "C" NOT NULL,
    number           bigint NOT NULL,
    id               bigint,
    title            text,
    state            text,
    user_login       text,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    closed_at        timestamptz,
    is_pull_request  boolean NOT NULL,
    milestone_number bigint,
    milestone_title  text COLLATE "C",
    labels           text[] COLLATE "C" NOT NULL,
    comments         bigint,
    ingest_date      date NOT NULL,
    source           text COLLATE "C" NOT NULL,
    source_ordinal   bigint NOT NULL,
    PRIMARY KEY (repo_name, number)
);

CREATE TABLE sta_github.pull_requests (
    repo_name          text COLLATE "C" NOT NULL,
    number             bigint NOT NULL,
    id                 bigint,
    title              text,
    state              text,
    draft              boolean,
    user_login         text,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    closed_at          timestamptz,
    merged_at          timestamptz,
    additions          bigint,
    deletions          bigint,
    changed_files      bigint,
    commits            bigint,
    milestone_number   bigint,
    milestone_title    text COLLATE "C",
    labels             text[] COLLATE "C" NOT NULL,
    base_ref           text,
    closing_references text[] COLLATE "C" NOT NULL,  -- 'owner/repo#N', lower-cased repo
    ingest_date        date NOT NULL,
    source             text COLLATE "C" NOT NULL,
    source_ordinal     bigint NOT NULL,
    PRIMARY KEY (repo_name, number)
);

CREATE TABLE sta_github.pull_request_labels (
    repo_name  text COLLATE "C" NOT NULL,
    number     bigint NOT NULL,
    label_name text COLLATE "C" NOT NULL,
    PRIMARY KEY (repo_name, number, label_name)
);

-- Raw files seen by a load: unchanged files (same size and hash) that loaded
-- cleanly are skipped on the next run unless --force.
CREATE TABLE ghwh_meta.files (
    dataset       text NOT NULL,
    path          text COLLATE "C" NOT NULL,   -- relative to the raw root
    ingest_date   date NOT NULL,
    size_bytes    bigint NOT NULL,
    content_hash  text NOT NULL,               -- sha256 hex
    documents     integer,                     -- known once the whole file was read
    status        text NOT NULL CHECK (status IN ('loading', 'loaded', 'failed')),
    records       bigint NOT NULL DEFAULT 0,
    rejected      bigint NOT NULL DEFAULT 0,
    error         text,
    job_id        text,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (dataset, path)
);

-- A document (a plain/gzip file or one zip entry) becomes visible in silver
-- only when all its tasks have committed and it ended cleanly.
CREATE TABLE ghwh_meta.documents (
    document_id   bigint PRIMARY KEY,          -- stable hash of (dataset, source, content hash)
    dataset       text NOT NULL,
    file_path     text COLLATE "C" NOT NULL,
    source        text COLLATE "C" NOT NULL,
    ingest_date   date NOT NULL,
    task_count    integer,                     -- known when the final chunk commits
    status        text NOT NULL CHECK (status IN ('open', 'merged', 'failed')),
    records       bigint NOT NULL DEFAULT 0,
    rejected      bigint NOT NULL DEFAULT 0,
    inserted      bigint NOT NULL DEFAULT 0,
    updated       bigint NOT NULL DEFAULT 0,
    error         text,
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX documents_file ON ghwh_meta.documents (dataset, file_path);

-- One row per committed task: inserting it is what makes a commit happen once.
CREATE TABLE ghwh_meta.task_commits (
    task_id      text PRIMARY KEY,
    document_id  bigint NOT NULL,
    chunk_index  integer NOT NULL,
    job_id       text,
    records      bigint NOT NULL,
    rows         bigint NOT NULL,
    rejected     bigint NOT NULL,
    worker       text,
    committed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX task_commits_document ON ghwh_meta.task_commits (document_id);

-- Staged rows of documents whose tasks have not all committed yet.
CREATE TABLE ghwh_meta.stage_issues (document_id bigint NOT NULL, LIKE sta_github.issues);
CREATE INDEX stage_issues_document ON ghwh_meta.stage_issues (document_id);
CREATE TABLE ghwh_meta.stage_pull_requests (document_id bigint NOT NULL, LIKE sta_github.pull_requests);
CREATE INDEX stage_pull_requests_document ON ghwh_meta.stage_pull_requests (document_id);

-- Quarantined records (docs/contract.md#rejects).
CREATE TABLE ghwh_meta.rejects (
    dataset      text NOT NULL,
    source       text COLLATE "C" NOT NULL,
    ordinal      bigint NOT NULL,              -- 0-based record index in the document
    byte_offset  bigint,                       -- where the record starts in the document
    reason_code  text NOT NULL,
    reason       text NOT NULL,
    excerpt      text NOT NULL,                -- first 1 KB of the raw record (invalid UTF-8 replaced)
    ingest_date  date NOT NULL,
    document_id  bigint NOT NULL,
    rejected_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (dataset, source, ordinal)
);
CREATE TABLE ghwh_meta.stage_rejects (LIKE ghwh_meta.rejects INCLUDING DEFAULTS);
CREATE INDEX stage_rejects_document ON ghwh_meta.stage_rejects (document_id);

-- Runs of jobs, for `ghwh db status` and auditing.
CREATE TABLE ghwh_meta.jobs (
    job_id       text PRIMARY KEY,
    job          text NOT NULL,
    date_from    date,
    date_to      date,
    force        boolean NOT NULL DEFAULT false,
    status       text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
    started_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz,
    summary      jsonb
);
