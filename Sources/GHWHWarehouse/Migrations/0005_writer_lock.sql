-- Who holds the warehouse's writer lock (a session-level advisory lock held by
-- `ghwh run` and by the cluster's loader): the holder writes this row right
-- after it got the lock, so a second writer can say whom it waits for.
CREATE TABLE ghwh_meta.writer_lock (
    id      integer PRIMARY KEY CHECK (id = 1),
    holder  text NOT NULL,
    since   timestamptz NOT NULL DEFAULT now()
);
