-- 0006_etl_snapshot_horizons: the ETL no longer waits for unrelated transactions (issue 17).
--
-- A PostgreSQL source's horizon becomes the whole snapshot of the pass that read it (pg_snapshot:
-- xmin:xmax:in-progress ids). The next pass reads the change rows of the transactions that snapshot did
-- not see (xid >= xmax, or xid in its in-progress list) and that its own snapshot sees committed; see
-- docs/etl.md "The window". xid_horizon stays, as the snapshot's xmin: every change below it has been read.
-- PromptContent's horizon becomes (ts_horizon, content_id): the last (updated_at, _id) read.
ALTER TABLE etl.horizons
    ADD COLUMN xid_snapshot pg_snapshot,
    ADD COLUMN content_id   text;

-- A stored xmin horizon h meant "everything below h read, nothing at or above it": the snapshot h:h:.
UPDATE etl.horizons SET xid_snapshot = (xid_horizon::text || ':' || xid_horizon::text || ':')::pg_snapshot
WHERE xid_horizon IS NOT NULL;

ALTER TABLE etl.horizons
    ADD CONSTRAINT horizons_snapshot_with_xid CHECK ((xid_snapshot IS NULL) = (xid_horizon IS NULL));

COMMENT ON COLUMN etl.horizons.xid_snapshot IS
    'PostgreSQL sources: snapshot of the last pass; its xids >= xmax and in-progress ids are read by later passes';
COMMENT ON COLUMN etl.horizons.xid_horizon IS
    'PostgreSQL sources: xmin of xid_snapshot — every change row below it has been read (cdc.purge bound)';
COMMENT ON COLUMN etl.horizons.content_id IS
    'PromptContent: _id of the last document read at ts_horizon (the next pass reads strictly after the pair)';
