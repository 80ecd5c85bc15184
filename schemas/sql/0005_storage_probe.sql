-- 0005_storage_probe: the write probe of /readyz after the database ran out of a resource.
--
-- When a statement fails with SQLSTATE class 53 (disk full, out of memory, too many
-- connections, a configured limit), medversed reports itself not ready until a real write
-- succeeds again (daemon/storage/mv-db.c, mv_db_check_ready).  That write is a row here with a
-- few kilobytes of random (incompressible) bytes, committed and deleted again: it needs new
-- space in the table and in the WAL, which is what a full disk refuses.  No tenant data, so no
-- tenant id (brief decision 4).  Rows left by a daemon that died between the two statements
-- are removed by the next probe after an hour.
-- Migrations run inside a transaction opened by the daemon: no BEGIN/COMMIT here.

CREATE TABLE storage_probe (
	probe_id uuid PRIMARY KEY,
	written_at timestamptz NOT NULL DEFAULT now(),
	payload bytea NOT NULL
);
-- stored out of line and uncompressed: the probe must really take its bytes of disk
ALTER TABLE storage_probe ALTER COLUMN payload SET STORAGE EXTERNAL;
