-- 0011_vr: a clinic's own VR catalog items (docs/vr.md, "Clinic items").
--
-- An item describes content a clinic licenses (titles, targets, METs, contraindications): it
-- is the clinic's configuration, not patient data, so it is kept as JSON in clear, already
-- normalised by the vr-recommender plugin's ValidateItem (the daemon stores what the plugin
-- answered, never the request as sent).  A patient's sessions and a clinician's overrides are
-- clinical records (kinds vr-session and vr-override, sealed in record_versions).
-- Keyed by the clinic id first (brief decision 4).
-- Migrations run inside a transaction opened by the daemon: no BEGIN/COMMIT here.

CREATE TABLE vr_items (
	clinic_id uuid NOT NULL REFERENCES clinics (clinic_id),
	item_id text NOT NULL CHECK (item_id ~ '^[a-z0-9-]{1,64}$'),
	item jsonb NOT NULL CHECK (jsonb_typeof(item) = 'object'),
	-- the key that added it
	created_by text NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (clinic_id, item_id)
);

-- The clinic's training set for the recommender's collaborative model (docs/vr.md, "The
-- clinic's model").  A stored session is copied here with its patient only as a pseudonym:
-- HMAC-SHA-256 of the patient id under a key derived from the clinic's KEK (never stored), so
-- the database alone cannot tell whose session it is, and its outcome (content, date, minutes,
-- completion, rating, cybersickness) sealed under another key derived from the KEK (AD =
-- clinic, pseudonym, 'vr-training', 1).  row_key (the same HMAC of patient id and record id)
-- makes the copy idempotent.
CREATE TABLE vr_training (
	clinic_id uuid NOT NULL REFERENCES clinics (clinic_id),
	row_key text NOT NULL CHECK (row_key ~ '^[0-9a-f]{64}$'),
	pseudonym text NOT NULL CHECK (pseudonym ~ '^[0-9a-f]{64}$'),
	blob bytea NOT NULL CHECK (length(blob) > 41),
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (clinic_id, row_key)
);

-- One model a clinic: the plugin's Train answer (item ids, popularity and neighbour weights:
-- no patient, no pseudonym), when and on how many sessions it was trained.
CREATE TABLE vr_models (
	clinic_id uuid PRIMARY KEY REFERENCES clinics (clinic_id),
	model jsonb NOT NULL CHECK (jsonb_typeof(model) = 'object'),
	sessions integer NOT NULL CHECK (sessions >= 0),
	trained_at timestamptz NOT NULL
);
