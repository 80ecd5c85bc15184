-- 0008_idempotency: answers of POST requests sent with an Idempotency-Key, kept so a retry gets
-- the first answer instead of running again (docs/api.md, "Retrying safely (Idempotency-Key)";
-- docs/security.md, "Stored answers of retried requests").
--
-- Nothing a client sent or was answered is here in clear: the key and its scope (the API key
-- id) only as a keyed hash, the request (method, path, body) only as a keyed hash, the answer
-- (status, headers, body: it may hold patient data or a fresh patient key) only sealed with
-- XChaCha20-Poly1305.  The hash and sealing keys are derived from the master key and never
-- stored: after a master-key rotation no row matches or opens any more, which is the same as
-- expired.  Rows are purged by the daemons once expired (daemon/idempotency/).
-- Migrations run inside a transaction opened by the daemon: no BEGIN/COMMIT here.

CREATE TABLE idempotency_keys (
	-- the clinic id of the caller, 'operator', or 'anonymous' (routes without a key): the
	-- tenant first in the key, as in every table (brief decision 4)
	tenant text NOT NULL CHECK (length(tenant) BETWEEN 1 AND 64),
	-- BLAKE2b-256 keyed by a master-derived key of (scope, Idempotency-Key)
	key_hash bytea NOT NULL CHECK (length(key_hash) = 32),
	-- BLAKE2b-256 keyed by a master-derived key of (method, path and query, body)
	fingerprint bytea NOT NULL CHECK (length(fingerprint) = 32),
	-- random id of the request that holds (or completed) the key: only it may complete or
	-- release it, so a request whose lease ran out cannot overwrite its successor's answer
	owner text NOT NULL CHECK (owner ~ '^[0-9a-f]{32}$'),
	-- pending: a request is running it; done: answer holds what it answered
	state text NOT NULL CHECK (state IN ('pending', 'done')),
	-- a pending claim is another request's to take over after this (the daemon died)
	lease_until timestamptz,
	-- 0x01 || nonce (24) || XChaCha20-Poly1305 of the answer, additional data binding the row
	answer bytea CHECK (length(answer) > 41),
	created_at timestamptz NOT NULL DEFAULT now(),
	-- replayed until then; purged after
	expires_at timestamptz NOT NULL,
	PRIMARY KEY (tenant, key_hash),
	CHECK ((state = 'done') = (answer IS NOT NULL)),
	CHECK ((state = 'pending') = (lease_until IS NOT NULL))
);
-- the purge
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);
