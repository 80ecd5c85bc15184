-- 0003_patients: the encrypted patient store (docs/security.md, "The vault"; docs/api.md,
-- "Patients").
--
-- Nothing here is readable without the master key: the profile (name, MRN, conditions…) exists
-- only sealed in patient_records.blob, under a per-patient DEK that exists only wrapped in
-- patients.wrapped_dek; lookups by MRN use a keyed blind index.  Every table is keyed by the
-- clinic id first (brief decision 4) and every query names it (isolation in SQL).
-- Migrations run inside a transaction opened by the daemon: no BEGIN/COMMIT here.

CREATE TABLE patients (
	clinic_id uuid NOT NULL REFERENCES clinics (clinic_id),
	patient_id uuid NOT NULL,
	-- the DEK wrapped by the clinic KEK (mv_vault_new_dek); NULL once shredded
	wrapped_dek bytea CHECK (length(wrapped_dek) = 73),
	-- keyed BLAKE2b of the normalised MRN (mv_vault_blind_index); NULL once shredded
	mrn_index text CHECK (mrn_index ~ '^[0-9a-f]{64}$'),
	-- the profile's version: the ETag, and bound into the profile's AEAD additional data
	version bigint NOT NULL DEFAULT 1 CHECK (version >= 1),
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	deleted_at timestamptz,
	PRIMARY KEY (clinic_id, patient_id),
	-- a live patient has its key and index; a shredded one has neither
	CHECK ((deleted_at IS NULL) = (wrapped_dek IS NOT NULL AND mrn_index IS NOT NULL))
);
-- one live patient per record number in a clinic (NULLs of shredded rows never collide)
CREATE UNIQUE INDEX patients_mrn ON patients (clinic_id, mrn_index);

-- Sealed records of a patient, one per kind ("profile"; later "plan", …).  blob is
-- mv_vault_seal() with AD = (clinic_id, patient_id, kind, version): moved to another row, it
-- fails to open.
CREATE TABLE patient_records (
	clinic_id uuid NOT NULL,
	patient_id uuid NOT NULL,
	kind text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_.-]{0,63}$'),
	version bigint NOT NULL CHECK (version >= 1),
	blob bytea NOT NULL CHECK (length(blob) > 41),
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (clinic_id, patient_id, kind),
	FOREIGN KEY (clinic_id, patient_id) REFERENCES patients (clinic_id, patient_id)
);
