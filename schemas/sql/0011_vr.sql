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
