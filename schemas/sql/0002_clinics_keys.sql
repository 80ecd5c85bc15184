-- 0002_clinics_keys: clinics (tenants), API keys, patient invite codes, operator keys.
--
-- Secrets are never stored: an API key or invite code is kept only as BLAKE2b-256 of the whole
-- token (docs/security.md, "API keys").  Every tenant table is keyed by the clinic id first
-- (brief decision 4).  Operator keys belong to no clinic and live in their own table.
-- Migrations run inside a transaction opened by the daemon: no BEGIN/COMMIT here.

CREATE TABLE clinics (
	clinic_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	-- the clinic KEK wrapped by the master key (mv_vault_new_kek); master_key_id says which
	wrapped_kek bytea NOT NULL CHECK (length(wrapped_kek) = 81),
	master_key_id text NOT NULL CHECK (master_key_id ~ '^[0-9a-f]{16}$'),
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now()
);

-- Keys of clinic staff and patients.  Token: mvk_<key_id>_<64 hex>; lookup by key_id, then a
-- constant-time comparison of the hash.
CREATE TABLE api_keys (
	clinic_id uuid NOT NULL REFERENCES clinics (clinic_id),
	key_id text NOT NULL CHECK (key_id ~ '^[0-9a-f]{16}$'),
	role text NOT NULL CHECK (role IN ('clinic-admin', 'clinician', 'patient')),
	patient_id uuid,
	label text NOT NULL DEFAULT '' CHECK (length(label) <= 200),
	secret_hash bytea NOT NULL CHECK (length(secret_hash) = 32),
	created_by text NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	expires_at timestamptz,
	revoked_at timestamptz,
	last_used_at timestamptz,
	PRIMARY KEY (clinic_id, key_id),
	CHECK ((role = 'patient') = (patient_id IS NOT NULL))
);
-- the authenticator knows only the token, hence only the key id
CREATE UNIQUE INDEX api_keys_key_id ON api_keys (key_id);
CREATE INDEX api_keys_patient ON api_keys (clinic_id, patient_id) WHERE patient_id IS NOT NULL;

-- One-time codes a clinician hands a patient; redeeming one creates a patient key.
CREATE TABLE patient_invites (
	clinic_id uuid NOT NULL REFERENCES clinics (clinic_id),
	code_hash bytea NOT NULL CHECK (length(code_hash) = 32),
	patient_id uuid NOT NULL,
	created_by text NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	expires_at timestamptz NOT NULL,
	redeemed_at timestamptz,
	redeemed_key_id text,
	PRIMARY KEY (clinic_id, code_hash)
);
-- redeeming knows only the code
CREATE UNIQUE INDEX patient_invites_code ON patient_invites (code_hash);

-- Operator keys: mvop_<64 hex>; key_id = first 16 hex of the token's hash.  Not tenant data.
CREATE TABLE operator_keys (
	key_id text PRIMARY KEY CHECK (key_id ~ '^[0-9a-f]{16}$'),
	label text NOT NULL DEFAULT '' CHECK (length(label) <= 200),
	secret_hash bytea NOT NULL CHECK (length(secret_hash) = 32),
	created_by text NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	expires_at timestamptz,
	revoked_at timestamptz,
	last_used_at timestamptz
);
