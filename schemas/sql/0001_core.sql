-- 0001_core: what every medversed instance needs before any tenant data exists.
--
-- Neither table holds tenant (clinic) data, so neither carries a tenant id (brief decision 4
-- applies to tables holding tenant data; they come in 0002 and later).
-- Migrations run inside a transaction opened by the daemon: no BEGIN/COMMIT here.

-- One row: the identity of this installation (a database shared by several daemons is one
-- installation).  The audit log's signed tree heads name it, so heads of two installations
-- can never be confused.
CREATE TABLE installation (
	singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
	installation_id uuid NOT NULL DEFAULT gen_random_uuid(),
	created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO installation DEFAULT VALUES;

-- The daemons sharing this database (brief decision 4: stateless instances behind a load
-- balancer).  Each registers on start, refreshes heartbeat_at while running and marks
-- stopped_at on a clean exit, so an operator sees which instances are live and which
-- version each runs.
CREATE TABLE daemon_instances (
	instance_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	hostname text NOT NULL CHECK (length(hostname) BETWEEN 1 AND 255),
	pid integer NOT NULL CHECK (pid > 0),
	version text NOT NULL,
	started_at timestamptz NOT NULL DEFAULT now(),
	heartbeat_at timestamptz NOT NULL DEFAULT now(),
	stopped_at timestamptz,
	CHECK (stopped_at IS NULL OR stopped_at >= started_at)
);
CREATE INDEX daemon_instances_live ON daemon_instances (heartbeat_at) WHERE stopped_at IS NULL;
