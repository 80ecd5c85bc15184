-- 0006_clinical_records: the clinical record (docs/api.md, "Clinical record"; docs/security.md,
-- "The clinical record: what stays in clear").
--
-- Six kinds of record (observation, condition, allergy, medication, encounter, note), each
-- versioned: every version is a sealed blob (daemon/records/mv-sealed-record.h, under the
-- patient's DEK) in record_versions; records holds what lists, filters and paging need in
-- clear: ids, kind, version, status and times.  Codes exist only sealed and as blind indexes
-- keyed per patient (record_terms), so the database can filter by code without knowing any.
-- The profile's versions are kept here too (kind 'profile', record_id = the patient id), so
-- every kind has a history.  Every table is keyed by the clinic id first (brief decision 4) and
-- every query names it.
-- Migrations run inside a transaction opened by the daemon: no BEGIN/COMMIT here.

-- One row per record: its current version and what a list needs.
CREATE TABLE records (
	clinic_id uuid NOT NULL,
	patient_id uuid NOT NULL,
	kind text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_.-]{0,63}$'),
	record_id uuid NOT NULL,
	version bigint NOT NULL CHECK (version >= 1),
	record_status text NOT NULL DEFAULT 'current'
		CHECK (record_status IN ('current', 'entered-in-error')),
	-- the time the record is about (MvClinicalTerms.effective_at), NULL when it has none
	effective_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	-- the list order: newest first by the time the record is about, else by its creation
	sort_at timestamptz GENERATED ALWAYS AS (coalesce(effective_at, created_at)) STORED,
	PRIMARY KEY (clinic_id, patient_id, kind, record_id),
	FOREIGN KEY (clinic_id, patient_id) REFERENCES patients (clinic_id, patient_id)
);
-- keyset paging of a patient's records of one kind (mv-clinical-lists.c)
CREATE INDEX records_page ON records (clinic_id, patient_id, kind, sort_at DESC, record_id DESC);

-- Every version of every record, the profile's included.  blob is mv_vault_seal_ids() with
-- AD = (clinic_id, patient_id, kind, version, record_id, record_status): a blob moved to
-- another row, version or status fails to open, so the status in clear cannot be flipped.
CREATE TABLE record_versions (
	clinic_id uuid NOT NULL,
	patient_id uuid NOT NULL,
	kind text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_.-]{0,63}$'),
	record_id uuid NOT NULL,
	version bigint NOT NULL CHECK (version >= 1),
	record_status text NOT NULL CHECK (record_status IN ('current', 'entered-in-error')),
	blob bytea NOT NULL CHECK (length(blob) > 41),
	-- the API key id that wrote it (never a secret), as in the audit log
	actor text NOT NULL CHECK (length(actor) BETWEEN 1 AND 256),
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (clinic_id, patient_id, kind, record_id, version),
	FOREIGN KEY (clinic_id, patient_id) REFERENCES patients (clinic_id, patient_id)
);

-- The codes of each record's current version as blind indexes: keyed BLAKE2b under a key
-- derived from the patient's DEK (mv_vault_term_index), so equal codes of two patients give
-- unrelated values and a shredded patient's terms match nothing anyone can compute.
CREATE TABLE record_terms (
	clinic_id uuid NOT NULL,
	patient_id uuid NOT NULL,
	kind text NOT NULL,
	record_id uuid NOT NULL,
	term text NOT NULL CHECK (term ~ '^[0-9a-f]{64}$'),
	PRIMARY KEY (clinic_id, patient_id, kind, record_id, term),
	FOREIGN KEY (clinic_id, patient_id, kind, record_id)
		REFERENCES records (clinic_id, patient_id, kind, record_id) ON DELETE CASCADE
);
CREATE INDEX record_terms_lookup ON record_terms (clinic_id, patient_id, kind, term);

-- The change feed an EHR polls (GET /v1/patients/changes?since=SEQ): ids and versions only.
-- seq is gap-free per clinic in commit order: it is taken as max + 1 after the audit append
-- of the same transaction locked the clinic's audit_trees row, which is held to COMMIT, so
-- two writers of one clinic (in one daemon or two) number their changes one after the other
-- and a change never becomes visible after a larger seq did.  No foreign key to patients: a
-- shredded patient's 'deleted' row outlives its other rows.
CREATE TABLE record_changes (
	clinic_id uuid NOT NULL,
	seq bigint NOT NULL CHECK (seq >= 1),
	patient_id uuid NOT NULL,
	kind text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_.-]{0,63}$'),
	record_id uuid NOT NULL,
	version bigint NOT NULL CHECK (version >= 0),
	change text NOT NULL CHECK (change IN ('created', 'updated', 'entered-in-error', 'deleted')),
	changed_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (clinic_id, seq)
);
