-- 0010_engagement: check-ins, the points ledger and the leaderboard opt-in (docs/engagement.md,
-- "Storage"; daemon/engagement/mv-engagement-store.h).
--
-- A check-in is patient data: it exists sealed (mv_vault_seal_ids() under the patient's DEK,
-- AD = clinic, patient, 'checkin', version 1, client_key) and as the Observation the clinical
-- record stores in the same transaction.  The client's id is kept only as a blind index keyed
-- per patient (mv_vault_term_index() of "urn:medverse:checkin-id|<id>"), like a record's codes,
-- so the database can find a retried check-in without holding the id.  A ledger entry's source
-- and reason ("checkin:<id>", "checkin:blood_pressure") would tell the same things, so they are
-- sealed too, the source also as a blind index (the unique key that makes awarding
-- idempotent); only the points are in clear, for the leaderboard's sums.  The leaderboard's
-- handles need a salt per clinic: it is derived from the clinic's KEK, never stored.
-- Every table is keyed by the clinic id first (brief decision 4).
-- Migrations run inside a transaction opened by the daemon: no BEGIN/COMMIT here.

CREATE TABLE engagement_checkins (
	clinic_id uuid NOT NULL,
	patient_id uuid NOT NULL,
	-- the client id's blind index under the patient's term key
	client_key text NOT NULL CHECK (client_key ~ '^[0-9a-f]{64}$'),
	-- the Observation it was recorded as (records.record_id, kind 'observation')
	record_id uuid NOT NULL,
	-- sealed {"input": the check-in as sent, "answer": what it was answered}
	blob bytea NOT NULL CHECK (length(blob) > 41),
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (clinic_id, patient_id, client_key),
	FOREIGN KEY (clinic_id, patient_id) REFERENCES patients (clinic_id, patient_id)
);

-- Append-only: the daemon has no UPDATE or DELETE of an entry (only a patient's shredding
-- removes their rows); a trigger refuses an UPDATE from anywhere.
CREATE TABLE engagement_ledger (
	clinic_id uuid NOT NULL,
	patient_id uuid NOT NULL,
	-- the source's blind index under the patient's term key: one award per source
	source_key text NOT NULL CHECK (source_key ~ '^[0-9a-f]{64}$'),
	points integer NOT NULL CHECK (points > 0),
	-- sealed {"id", "source", "points", "reason", "date"} (AD binds source_key)
	blob bytea NOT NULL CHECK (length(blob) > 41),
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (clinic_id, patient_id, source_key),
	FOREIGN KEY (clinic_id, patient_id) REFERENCES patients (clinic_id, patient_id)
);

CREATE FUNCTION engagement_ledger_append_only () RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'engagement_ledger is append-only';
END;
$$;
CREATE TRIGGER engagement_ledger_no_update BEFORE UPDATE ON engagement_ledger
	FOR EACH ROW EXECUTE FUNCTION engagement_ledger_append_only ();

-- Patients of a clinic who chose to appear on its leaderboard (handle and points only).
CREATE TABLE engagement_leaderboard (
	clinic_id uuid NOT NULL,
	patient_id uuid NOT NULL,
	since timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (clinic_id, patient_id),
	FOREIGN KEY (clinic_id, patient_id) REFERENCES patients (clinic_id, patient_id)
);
