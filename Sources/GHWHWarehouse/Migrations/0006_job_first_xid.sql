-- The first transaction id of each job. A silver row version written by a
-- transaction at or after it was written by this job, so a merge can tell a
-- key the warehouse held before the job (counted once as "updated" when a
-- later version first replaces it) from one this job inserted or already
-- replaced: the job's counts do not depend on the order its documents merge in.
ALTER TABLE ghwh_meta.jobs ADD COLUMN first_xid bigint;
