-- 0007_patient_identifiers: lookups of a patient by any of its identifiers (docs/api.md,
-- "Identifiers"; docs/security.md, "Identifier blind indexes").
--
-- A patient's resident ID (居民身份证), insurance and passport numbers exist in clear only inside
-- the sealed profile; here each is a keyed blind index: BLAKE2b-256 of the normalised number
-- under a key derived from the clinic's KEK for that system (mv_vault_identifier_index), so the
-- same number in two clinics, or in two systems, gives unrelated indexes.  The MRN keeps its
-- own index in patients.mrn_index.  Rows are written in the transaction that writes the
-- profile, replaced when it changes, and deleted when the patient is shredded.
-- Migrations run inside a transaction opened by the daemon: no BEGIN/COMMIT here.

CREATE TABLE patient_identifiers (
	clinic_id uuid NOT NULL,
	-- in clear: lookups name it (?identifier=resident-id|…); it tells which kinds of
	-- identifier a patient has, never a number
	system text NOT NULL CHECK (system IN ('resident-id', 'insurance', 'passport')),
	blind_index text NOT NULL CHECK (blind_index ~ '^[0-9a-f]{64}$'),
	patient_id uuid NOT NULL,
	-- one live patient per identifier in a clinic (a shredded patient has no rows)
	PRIMARY KEY (clinic_id, system, blind_index),
	FOREIGN KEY (clinic_id, patient_id) REFERENCES patients (clinic_id, patient_id)
);
-- re-indexing and shredding delete a patient's rows
CREATE INDEX patient_identifiers_patient ON patient_identifiers (clinic_id, patient_id);
