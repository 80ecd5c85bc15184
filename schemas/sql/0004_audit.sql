-- 0004_audit: the tamper-evident audit log (docs/security.md, "The audit tree").
--
-- One RFC 6962 Merkle tree per clinic (tree id = clinic id; '_operator' for operator actions
-- that belong to no clinic).  Every table is keyed by the tree's clinic id (brief decision 4).
-- There is deliberately no foreign key to the clinics table: the operator tree is no clinic,
-- and a clinic's audit trail must outlive the clinic.
-- Migrations run inside a transaction opened by the daemon: no BEGIN/COMMIT here.

-- The append point of each tree: an append locks this row (SELECT ... FOR UPDATE) in the same
-- transaction as the data change, so appends to one tree are serialised and appends to
-- different trees never contend.
CREATE TABLE audit_trees (
	clinic_id text PRIMARY KEY CHECK (length(clinic_id) BETWEEN 1 AND 256),
	size bigint NOT NULL DEFAULT 0 CHECK (size >= 0),
	frontier bytea NOT NULL,                         -- mv_merkle_frontier_to_bytes()
	root bytea NOT NULL CHECK (length(root) = 32)    -- MTH of the first `size` entries
);

-- The leaves.  seq is the leaf index (0.., no gaps); leaf_hash = SHA-256(0x00 || canonical
-- encoding of the row's fields), so an outside verifier recomputes it from the row alone.
-- No patient data in clear: actor is an API key id, resource_id a UUID.
CREATE TABLE audit_entries (
	clinic_id text NOT NULL,
	seq bigint NOT NULL CHECK (seq >= 0),
	occurred_at timestamptz NOT NULL,
	actor text NOT NULL,
	action text NOT NULL,
	resource_type text NOT NULL,
	resource_id text NOT NULL DEFAULT '',
	request_id text NOT NULL DEFAULT '',
	leaf_hash bytea NOT NULL CHECK (length(leaf_hash) = 32),
	PRIMARY KEY (clinic_id, seq)
);

-- Signed tree heads: Ed25519 over canon("medverse.audit.sth.v1", installation id, clinic id,
-- size, root, signed_at in µs).
CREATE TABLE audit_tree_heads (
	clinic_id text NOT NULL,
	size bigint NOT NULL CHECK (size >= 0),
	root bytea NOT NULL CHECK (length(root) = 32),
	signed_at timestamptz NOT NULL,
	signature bytea NOT NULL CHECK (length(signature) = 64),
	PRIMARY KEY (clinic_id, size)
);
