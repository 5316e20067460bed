-- A file's row is written when its load begins and updated when it ends
-- (loaded or failed). With room left on its page the update is a HOT update:
-- no new index entry, so a load of many small files writes each row's index
-- entry once, not twice.
ALTER TABLE ghwh_meta.files SET (fillfactor = 50);
