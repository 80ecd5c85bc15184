-- 0009_patient_list_retention: the patient list's index and the reason a patient was erased
-- (docs/api.md, "Patients"; docs/operations.md, "Retention and erasure").
-- Migrations run inside a transaction opened by the daemon: no BEGIN/COMMIT here.

-- GET /v1/patients walks a clinic's live patients in (created_at, patient_id) order with a
-- keyset cursor: a page is one range scan of this index, whatever the page's position (no
-- OFFSET).  A patient's place never changes (created_at is never updated), so a walk sees each
-- patient that existed when it began exactly once.  version and updated_at ride along so a page
-- can be an index-only scan; shredded rows (tombstones) are not in it.
-- (Including updated_at makes a profile update a non-HOT update, one index entry more per
-- update; the list is read far more often than a profile changes.)
CREATE INDEX patients_live_by_created ON patients (clinic_id, created_at, patient_id)
	INCLUDE (version, updated_at) WHERE deleted_at IS NULL;
-- A poll (updated_since = the last poll's time) matches few patients: without this index the
-- page above scans the whole clinic's entries to find them (77 ms at 100,000 patients, measured:
-- tests/bench/RESULTS.md, "Paging"); with it the planner fetches the few by updated_at and
-- sorts them, and keeps the scan above when most patients match.
CREATE INDEX patients_live_by_updated ON patients (clinic_id, updated_at) WHERE deleted_at IS NULL;

-- Why a patient was crypto-shredded: one code of a short fixed list, never free text (a reason
-- typed by staff could hold patient data in clear, and this row outlives the patient's key).
-- The audit entry of the erasure names the same code (patient.delete.<reason>).  Tombstones
-- from before this migration have none.
ALTER TABLE patients ADD COLUMN deletion_reason text
	CHECK (deletion_reason IN ('patient-request', 'legal-order', 'duplicate-registration',
				   'retention-expired')),
	ADD CHECK (deletion_reason IS NULL OR deleted_at IS NOT NULL);
