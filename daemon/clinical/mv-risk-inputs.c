/* A risk model's inputs from the patient's record: see mv-risk-inputs.h. */
#define G_LOG_DOMAIN "medverse-clinical"

#include "mv-risk-inputs.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "records/mv-code-systems.h"

#define REASON_NO_VALUE "no-value"
#define REASON_TOO_OLD "too-old"
#define REASON_UNIT "unit"
#define REASON_NO_SOURCE "no-source"
/* not a reason a value is missing: the patient is outside the model's population (compared
 * by address) */
static const gchar REASON_NOT_APPLICABLE[] = "not-applicable";

void
mv_risk_inputs_free (MvRiskInputs *inputs)
{
	if (inputs == NULL)
		return;
	g_clear_pointer (&inputs->inputs, json_object_unref);
	g_clear_pointer (&inputs->provenance, json_object_unref);
	g_clear_pointer (&inputs->missing, json_array_unref);
	g_clear_pointer (&inputs->defaulted, json_array_unref);
	g_clear_pointer (&inputs->not_applicable, json_array_unref);
	g_clear_pointer (&inputs->supplied, json_array_unref);
	g_clear_pointer (&inputs->not_used, json_array_unref);
	g_free (inputs);
}

/* ---- small readers (never a critical on a member of another type) ------------------------- */

static const gchar *
get_string (JsonObject *o, const gchar *member)
{
	JsonNode *n = o != NULL ? json_object_get_member (o, member) : NULL;

	if (n == NULL || !JSON_NODE_HOLDS_VALUE (n)
	    || json_node_get_value_type (n) != G_TYPE_STRING)
		return NULL;
	return json_node_get_string (n);
}

static JsonObject *
get_object (JsonObject *o, const gchar *member)
{
	JsonNode *n = o != NULL ? json_object_get_member (o, member) : NULL;
	return n != NULL && JSON_NODE_HOLDS_OBJECT (n) ? json_node_get_object (n) : NULL;
}

static JsonArray *
get_array (JsonObject *o, const gchar *member)
{
	JsonNode *n = o != NULL ? json_object_get_member (o, member) : NULL;
	return n != NULL && JSON_NODE_HOLDS_ARRAY (n) ? json_node_get_array (n) : NULL;
}

static gboolean
get_number (JsonObject *o, const gchar *member, gdouble *out)
{
	JsonNode *n = o != NULL ? json_object_get_member (o, member) : NULL;
	GType t;

	if (n == NULL || !JSON_NODE_HOLDS_VALUE (n))
		return FALSE;
	t = json_node_get_value_type (n);
	if (t != G_TYPE_INT64 && t != G_TYPE_DOUBLE)
		return FALSE;
	*out = json_node_get_double (n);
	return isfinite (*out);
}

static gboolean
get_bool (JsonObject *o, const gchar *member)
{
	JsonNode *n = o != NULL ? json_object_get_member (o, member) : NULL;
	return n != NULL && JSON_NODE_HOLDS_VALUE (n)
	       && json_node_get_value_type (n) == G_TYPE_BOOLEAN && json_node_get_boolean (n);
}

/* Whether the string array @member of @o holds @s (compared by @match: equal or prefix). */
typedef gboolean (*Matcher) (const gchar *wanted, gpointer thing);

static gboolean
any_matches (JsonArray *wanted, Matcher match, gpointer thing, const gchar **which)
{
	for (guint i = 0; wanted != NULL && i < json_array_get_length (wanted); i++) {
		JsonNode *n = json_array_get_element (wanted, i);
		if (JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING
		    && match (json_node_get_string (n), thing)) {
			if (which != NULL)
				*which = json_node_get_string (n);
			return TRUE;
		}
	}
	return FALSE;
}

/* ---- provenance --------------------------------------------------------------------------- */

static JsonObject *
source_of (const gchar *kind, JsonObject *record)
{
	JsonObject *s = json_object_new ();
	gdouble version = 0;

	json_object_set_string_member (s, "kind", kind);
	json_object_set_string_member (s, "id", get_string (record, "id"));
	if (get_number (record, "version", &version))
		json_object_set_int_member (s, "version", (gint64)version);
	return s;
}

static void
set_provenance (MvRiskInputs *out,
		const gchar *name,
		JsonNode *value,
		const gchar *unit,
		JsonObject *source)
{
	JsonObject *p = json_object_new ();

	json_object_set_member (p, "value", json_node_copy (value));
	if (unit != NULL)
		json_object_set_string_member (p, "unit", unit);
	json_object_set_object_member (p, "source", source);
	json_object_set_object_member (out->provenance, name, p);
}

/* ---- units -------------------------------------------------------------------------------- */

/* UCUM codes compared as the record and model files write them: case aside (mg/dL, mg/dl),
 * and mmHg for UCUM's mm[Hg]. */
static gboolean
same_unit (const gchar *a, const gchar *b)
{
	if (a == NULL || b == NULL)
		return FALSE;
	if (g_ascii_strcasecmp (a, b) == 0)
		return TRUE;
	return (g_ascii_strcasecmp (a, "mmHg") == 0 && strcmp (b, "mm[Hg]") == 0)
	       || (g_ascii_strcasecmp (b, "mmHg") == 0 && strcmp (a, "mm[Hg]") == 0);
}

/* @value in @unit as the input's canonical unit (the model's `unit`, or through one of its
 * `units`: canonical = value × factor + offset); FALSE when the model accepts no such unit. */
static gboolean
to_model_unit (JsonObject *input, gdouble value, const gchar *unit, gdouble *out)
{
	JsonArray *units = get_array (input, "units");

	if (same_unit (unit, get_string (input, "unit"))) {
		*out = value;
		return TRUE;
	}
	for (guint i = 0; units != NULL && i < json_array_get_length (units); i++) {
		JsonObject *u = json_array_get_object_element (units, i);
		gdouble factor = 1, offset = 0;
		if (u == NULL || !same_unit (unit, get_string (u, "unit"))
		    || !get_number (u, "factor", &factor))
			continue;
		get_number (u, "offset", &offset);
		*out = value * factor + offset;
		return TRUE;
	}
	return FALSE;
}

/* ---- observations --------------------------------------------------------------------------- */

/* A measurement ({code, value, unit, original?}: an observation or a panel's component) of
 * one of @codes. */
static gboolean
measurement_matches (JsonObject *m, JsonArray *codes)
{
	JsonObject *coding = get_object (m, "code");
	const gchar *system = get_string (coding, "system");
	const gchar *code = get_string (coding, "code");

	if (code == NULL || g_strcmp0 (system, mv_code_system_lookup ("loinc")->uri) != 0)
		return FALSE;
	for (guint i = 0; codes != NULL && i < json_array_get_length (codes); i++) {
		const gchar *wanted = json_array_get_string_element (codes, i);
		if (g_strcmp0 (wanted, code) == 0)
			return TRUE;
	}
	return FALSE;
}

typedef struct {
	JsonObject *record;	 /* the observation record */
	JsonObject *measurement; /* it, or its component */
	GDateTime *when;
} Latest;

static void
latest_clear (Latest *l)
{
	g_clear_pointer (&l->when, g_date_time_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Latest, latest_clear)

/* The latest measurement of one of @codes among @observations (ties: the first listed, which
 * the store lists newest first). */
static void
find_latest (JsonArray *observations, JsonArray *codes, Latest *latest)
{
	for (guint i = 0; observations != NULL && i < json_array_get_length (observations); i++) {
		JsonObject *obs = json_array_get_object_element (observations, i);
		JsonArray *components = get_array (obs, "components");
		JsonObject *found = NULL;
		g_autoptr (GDateTime) when = NULL;

		if (obs == NULL)
			continue;
		if (measurement_matches (obs, codes))
			found = obs;
		for (guint j = 0;
		     found == NULL && components != NULL && j < json_array_get_length (components);
		     j++) {
			JsonObject *c = json_array_get_object_element (components, j);
			if (c != NULL && measurement_matches (c, codes))
				found = c;
		}
		if (found == NULL || get_string (obs, "effective_at") == NULL)
			continue;
		when = g_date_time_new_from_iso8601 (get_string (obs, "effective_at"), NULL);
		if (when == NULL
		    || (latest->when != NULL && g_date_time_compare (when, latest->when) <= 0))
			continue;
		latest_clear (latest);
		latest->record = obs;
		latest->measurement = found;
		latest->when = g_steal_pointer (&when);
	}
}

/* The level of a coded answer, for the levels risk models use: LOINC's smoking-status answers
 * (72166-2) as never, former or current (a smoker whose current status is unknown is still a
 * smoker; "unknown if ever smoked" is no value). */
static const gchar *
answer_level (const gchar *answer)
{
	static const struct {
		const gchar *answer;
		const gchar *level;
	} levels[] = {
		{ "LA18976-3", "current" }, /* current every day smoker */
		{ "LA18977-1", "current" }, /* current some day smoker */
		{ "LA18981-3", "current" }, /* heavy tobacco smoker */
		{ "LA18982-1", "current" }, /* light tobacco smoker */
		{ "LA18979-7", "current" }, /* smoker, current status unknown */
		{ "LA15920-4", "former" },  { "LA18978-9", "never" },
	};

	for (guint i = 0; i < G_N_ELEMENTS (levels); i++)
		if (g_strcmp0 (levels[i].answer, answer) == 0)
			return levels[i].level;
	return NULL;
}

static gboolean level_allowed (JsonObject *input, const gchar *level);

/* The measurement's value in the model's unit: the original the client wrote when the model
 * takes its unit as it is (no rounding of a conversion in between), else the stored value
 * (canonical for the observation), else the original, each converted by the model's units. */
static gboolean
measurement_value (JsonObject *input, JsonObject *m, gdouble *out)
{
	JsonObject *original = get_object (m, "original");
	gdouble v = 0;

	if (get_number (original, "value", &v)
	    && same_unit (get_string (original, "unit"), get_string (input, "unit"))) {
		*out = v;
		return TRUE;
	}
	if (get_number (m, "value", &v) && to_model_unit (input, v, get_string (m, "unit"), out))
		return TRUE;
	return get_number (original, "value", &v)
	       && to_model_unit (input, v, get_string (original, "unit"), out);
}

/* A number (or 0/1 boolean) from the latest observation; the reason when there is none. */
static const gchar *
from_observations (MvRiskInputs *out,
		   JsonObject *input,
		   JsonObject *source,
		   JsonArray *codes,
		   const MvRiskRecord *record)
{
	const gchar *name = get_string (input, "name");
	const gchar *type = get_string (input, "type");
	g_auto (Latest) latest = { 0 };
	g_autoptr (JsonNode) node = json_node_alloc ();
	gdouble max_age = 0, value = 0;
	const gchar *answer;
	JsonObject *src;

	find_latest (record->observations, codes, &latest);
	if (latest.record == NULL)
		return REASON_NO_VALUE;
	if (get_number (source, "max_age_days", &max_age) && record->now != NULL
	    && g_date_time_difference (record->now, latest.when) > max_age * G_TIME_SPAN_DAY)
		return REASON_TOO_OLD;
	answer = get_string (get_object (latest.measurement, "value_code"), "code");
	if (g_strcmp0 (type, "boolean") == 0 && answer != NULL) {
		/* a smoking status as "smoker": current or not; unknown is no value */
		const gchar *level = answer_level (answer);
		if (level == NULL)
			return REASON_NO_VALUE;
		json_node_init_boolean (node, g_str_equal (level, "current"));
	} else if (g_strcmp0 (type, "boolean") == 0) {
		if (!get_number (latest.measurement, "value", &value))
			return REASON_NO_VALUE;
		json_node_init_boolean (node, value != 0);
	} else if (g_strcmp0 (type, "category") == 0) {
		const gchar *level = answer != NULL ? answer_level (answer) : NULL;
		if (level == NULL || !level_allowed (input, level))
			return REASON_NO_VALUE;
		json_node_init_string (node, level);
	} else {
		if (!measurement_value (input, latest.measurement, &value))
			return REASON_UNIT;
		json_node_init_double (node, value);
	}
	json_object_set_member (out->inputs, name, json_node_copy (node));
	src = source_of ("observation", latest.record);
	json_object_set_string_member (src, "effective_at",
				       get_string (latest.record, "effective_at"));
	json_object_set_string_member (
		src, "code", get_string (get_object (latest.measurement, "code"), "code"));
	if (answer != NULL)
		json_object_set_string_member (src, "answer", answer);
	set_provenance (out, name, node,
			g_strcmp0 (type, "number") == 0 ? get_string (input, "unit") : NULL, src);
	return NULL;
}

/* ---- conditions and medications ------------------------------------------------------------ */

/* A CURIE prefix, the systems it names, and whether codes match by prefix (ICD-10's
 * hierarchy is in its codes: E11 is the category of E11.9) or only exactly (OBO ontologies
 * and SNOMED CT: HP:0005978 is no parent of HP:00059781). */
static const struct {
	const gchar *prefix;
	const gchar *systems[4];
	gboolean by_prefix;
	gboolean keep_prefix; /* the stored code carries the prefix (HP:…, DOID:…) */
} curies[] = {
	{ "ICD10", { "icd-10", "icd-10-cn", "icd-10-cm", NULL }, TRUE, FALSE },
	{ "ICD10CN", { "icd-10-cn", NULL }, TRUE, FALSE },
	{ "ICD10CM", { "icd-10-cm", NULL }, TRUE, FALSE },
	{ "HP", { "hpo", NULL }, FALSE, TRUE },
	{ "DOID", { "doid", NULL }, FALSE, TRUE },
	{ "SNOMED", { "snomed-ct", NULL }, FALSE, FALSE },
	{ "SCT", { "snomed-ct", NULL }, FALSE, FALSE },
};

gboolean
mv_risk_condition_code_matches (const gchar *wanted, JsonObject *coding)
{
	const gchar *colon = wanted != NULL ? strchr (wanted, ':') : NULL;
	const gchar *system = get_string (coding, "system");
	const gchar *code = get_string (coding, "code");

	if (colon == NULL || colon[1] == '\0' || system == NULL || code == NULL)
		return FALSE;
	for (guint i = 0; i < G_N_ELEMENTS (curies); i++) {
		const gchar *want_code = curies[i].keep_prefix ? wanted : colon + 1;
		gboolean in_system = FALSE;

		if (strlen (curies[i].prefix) != (gsize)(colon - wanted)
		    || g_ascii_strncasecmp (curies[i].prefix, wanted, colon - wanted) != 0)
			continue;
		for (guint s = 0; curies[i].systems[s] != NULL; s++) {
			const MvCodeSystem *cs = mv_code_system_lookup (curies[i].systems[s]);
			in_system = in_system || (cs != NULL && strcmp (cs->uri, system) == 0);
		}
		if (!in_system)
			return FALSE;
		if (curies[i].by_prefix)
			return g_ascii_strncasecmp (code, want_code, strlen (want_code)) == 0;
		return g_ascii_strcasecmp (code, want_code) == 0;
	}
	return FALSE;
}

static gboolean
match_condition (const gchar *wanted, gpointer coding)
{
	return mv_risk_condition_code_matches (wanted, coding);
}

/* The patient's own condition, active (FHIR's active, recurrence, relapse) and confirmed or
 * provisional: a refuted, differential or unconfirmed diagnosis, a resolved or inactive one
 * and a relative's (family history) do not count. */
static gboolean
condition_counts (JsonObject *c)
{
	static const gchar *const active[] = { "active", "recurrence", "relapse", NULL };
	static const gchar *const verified[] = { "confirmed", "provisional", NULL };
	const gchar *clinical = get_string (c, "clinical_status");
	const gchar *verification = get_string (c, "verification_status");

	if (json_object_has_member (c, "family_member"))
		return FALSE;
	return g_strv_contains (active, clinical != NULL ? clinical : "active")
	       && g_strv_contains (verified, verification != NULL ? verification : "confirmed");
}

static gboolean
match_atc (const gchar *prefix, gpointer code)
{
	return prefix[0] != '\0' && g_ascii_strncasecmp (code, prefix, strlen (prefix)) == 0;
}

/* Taken now: status active and, when the period has an end, that end not yet past (a date
 * stands for its whole day). */
static gboolean
medication_current (JsonObject *m, GDateTime *now)
{
	const gchar *end = get_string (get_object (m, "effective"), "end");
	g_autoptr (GDateTime) end_at = NULL;

	if (g_strcmp0 (get_string (m, "status"), "active") != 0)
		return FALSE;
	if (end == NULL || now == NULL)
		return TRUE;
	if (strlen (end) == 10) {
		g_autofree gchar *day_end = g_strconcat (end, "T23:59:59Z", NULL);
		end_at = g_date_time_new_from_iso8601 (day_end, NULL);
	} else {
		end_at = g_date_time_new_from_iso8601 (end, NULL);
	}
	return end_at == NULL || g_date_time_compare (end_at, now) >= 0;
}

/* @name is @value, from @record of @kind, matched by @code. */
static void
set_flag (MvRiskInputs *out,
	  const gchar *name,
	  gboolean value,
	  const gchar *kind,
	  JsonObject *record,
	  const gchar *code)
{
	g_autoptr (JsonNode) node = json_node_init_boolean (json_node_alloc (), value);
	JsonObject *source = source_of (kind, record);

	if (code != NULL)
		json_object_set_string_member (source, "code", code);
	json_object_set_boolean_member (out->inputs, name, value);
	set_provenance (out, name, node, NULL, source);
}

/* The patient's own condition whose verification status is refuted: the record says the
 * patient does not have it. */
static gboolean
condition_refuted (JsonObject *c)
{
	return !json_object_has_member (c, "family_member")
	       && g_strcmp0 (get_string (c, "verification_status"), "refuted") == 0;
}

/* The first condition of @conditions that @counts and carries one of @codes, or NULL. */
static JsonObject *
find_condition (JsonArray *conditions,
		JsonArray *codes,
		gboolean (*counts) (JsonObject *),
		const gchar **which)
{
	for (guint i = 0;
	     codes != NULL && conditions != NULL && i < json_array_get_length (conditions); i++) {
		JsonObject *c = json_array_get_object_element (conditions, i);
		JsonObject *coding = get_object (c, "code");
		if (c != NULL && coding != NULL && counts (c)
		    && any_matches (codes, match_condition, coding, which))
			return c;
	}
	return NULL;
}

/* The first medication of @medications with an ATC code of @prefixes whose status is
 * @not_taken ("not-taken") or, when NULL, which is current at @now; or NULL. */
static JsonObject *
find_medication (JsonArray *medications,
		 JsonArray *prefixes,
		 const gchar *not_taken,
		 GDateTime *now,
		 const gchar **which)
{
	const MvCodeSystem *atc_system = mv_code_system_lookup ("atc");

	for (guint i = 0;
	     prefixes != NULL && medications != NULL && i < json_array_get_length (medications);
	     i++) {
		JsonObject *m = json_array_get_object_element (medications, i);
		JsonObject *coding = get_object (m, "code");
		const gchar *code = get_string (coding, "code");
		gboolean status_ok = not_taken != NULL
					     ? g_strcmp0 (get_string (m, "status"), not_taken) == 0
					     : medication_current (m, now);
		if (m == NULL || code == NULL
		    || g_strcmp0 (get_string (coding, "system"), atc_system->uri) != 0 || !status_ok
		    || !any_matches (prefixes, match_atc, (gpointer)code, NULL))
			continue;
		*which = code;
		return m;
	}
	return NULL;
}

/* TRUE from the first condition or medication that matches; else FALSE when the record says
 * so in as many words (a refuted diagnosis, a medication not taken); no value otherwise. */
static const gchar *
from_lists (MvRiskInputs *out, JsonObject *input, JsonObject *source, const MvRiskRecord *record)
{
	const gchar *name = get_string (input, "name");
	JsonArray *codes = get_array (source, "condition_codes");
	JsonArray *atc = get_array (source, "medication_atc_prefix");
	const gchar *which = NULL;
	JsonObject *found;

	if (g_strcmp0 (get_string (input, "type"), "boolean") != 0)
		return REASON_NO_VALUE;
	if ((found = find_condition (record->conditions, codes, condition_counts, &which))
	    != NULL) {
		set_flag (out, name, TRUE, "condition", found, which);
		return NULL;
	}
	if ((found = find_medication (record->medications, atc, NULL, record->now, &which))
	    != NULL) {
		set_flag (out, name, TRUE, "medication", found, which);
		return NULL;
	}
	if ((found = find_condition (record->conditions, codes, condition_refuted, &which))
	    != NULL) {
		set_flag (out, name, FALSE, "condition", found, which);
		return NULL;
	}
	if ((found = find_medication (record->medications, atc, "not-taken", record->now, &which))
	    != NULL) {
		set_flag (out, name, FALSE, "medication", found, which);
		return NULL;
	}
	return REASON_NO_VALUE;
}

/* ---- family history ------------------------------------------------------------------------ */

/* A relative's condition (family history) whose relationship is one of @relations (any
 * relative when NULL) and whose verification status @refuted or not. */
static gboolean
family_condition (JsonObject *c, JsonArray *relations, gboolean refuted)
{
	JsonObject *family = get_object (c, "family_member");
	const gchar *relationship = get_string (family, "relationship");
	const gchar *verification = get_string (c, "verification_status");
	gboolean is_refuted = g_strcmp0 (verification, "refuted") == 0;

	if (family == NULL || is_refuted != refuted
	    || g_strcmp0 (verification, "entered-in-error") == 0)
		return FALSE;
	if (relations == NULL)
		return TRUE;
	for (guint i = 0; i < json_array_get_length (relations); i++)
		if (g_strcmp0 (json_array_get_string_element (relations, i), relationship) == 0)
			return TRUE;
	return FALSE;
}

/* TRUE from a relative's (not refuted) condition of one of the codes; FALSE when the record
 * holds such a diagnosis of such a relative refuted; no value otherwise. */
static const gchar *
from_family_history (MvRiskInputs *out,
		     JsonObject *input,
		     JsonObject *source,
		     const MvRiskRecord *record)
{
	const gchar *name = get_string (input, "name");
	JsonArray *codes = get_array (source, "family_history_codes");
	JsonArray *relations = get_array (source, "relations");

	if (g_strcmp0 (get_string (input, "type"), "boolean") != 0)
		return REASON_NO_VALUE;
	for (gint pass = 0; pass < 2; pass++) {
		for (guint i = 0;
		     record->conditions != NULL && i < json_array_get_length (record->conditions);
		     i++) {
			JsonObject *c = json_array_get_object_element (record->conditions, i);
			const gchar *which = NULL;
			if (c == NULL || !family_condition (c, relations, pass == 1)
			    || !any_matches (codes, match_condition, get_object (c, "code"),
					     &which))
				continue;
			set_flag (out, name, pass == 0, "condition", c, which);
			json_object_set_string_member (
				json_object_get_object_member (
					json_object_get_object_member (out->provenance, name),
					"source"),
				"relationship",
				get_string (get_object (c, "family_member"), "relationship"));
			return NULL;
		}
	}
	return REASON_NO_VALUE;
}

/* ---- readings against thresholds ------------------------------------------------------------ */

/* One threshold {"loinc": [codes] or "code", "at_least", "unit"?}: whether the latest reading
 * is at or above it (*@above), with the reading; the reason when it cannot say. */
static const gchar *
reading_against (
	JsonObject *t, gdouble max_age, const MvRiskRecord *record, gboolean *above, Latest *latest)
{
	g_autoptr (JsonArray) one = NULL;
	JsonArray *codes = get_array (t, "loinc");
	gdouble at_least = 0, v = 0;
	const gchar *unit = get_string (t, "unit");

	if (codes == NULL && get_string (t, "loinc") != NULL) {
		one = json_array_new ();
		json_array_add_string_element (one, get_string (t, "loinc"));
		codes = one;
	}
	if (codes == NULL || !get_number (t, "at_least", &at_least))
		return REASON_NO_VALUE;
	find_latest (record->observations, codes, latest);
	if (latest->record == NULL)
		return REASON_NO_VALUE;
	if (max_age > 0 && record->now != NULL
	    && g_date_time_difference (record->now, latest->when) > max_age * G_TIME_SPAN_DAY)
		return REASON_TOO_OLD;
	if (!get_number (latest->measurement, "value", &v))
		return REASON_NO_VALUE;
	if (unit != NULL && !same_unit (unit, get_string (latest->measurement, "unit")))
		return REASON_UNIT;
	*above = v >= at_least;
	return NULL;
}

/* A boolean from readings against thresholds, or a current medication (see the header). */
static const gchar *
from_thresholds (MvRiskInputs *out,
		 JsonObject *input,
		 JsonObject *source,
		 const MvRiskRecord *record)
{
	const gchar *name = get_string (input, "name");
	JsonArray *thresholds = get_array (source, "thresholds");
	JsonArray *atc = get_array (source, "medication_atc_prefix");
	const gchar *reason = NULL, *which = NULL;
	gdouble max_age = 0;
	JsonObject *found, *below_of = NULL;

	if (g_strcmp0 (get_string (input, "type"), "boolean") != 0)
		return REASON_NO_VALUE;
	get_number (source, "max_age_days", &max_age);
	for (guint i = 0; thresholds != NULL && i < json_array_get_length (thresholds); i++) {
		g_auto (Latest) latest = { 0 };
		gboolean above = FALSE;
		const gchar *why = reading_against (json_array_get_object_element (thresholds, i),
						    max_age, record, &above, &latest);
		if (why == NULL && above) {
			set_flag (out, name, TRUE, "observation", latest.record,
				  get_string (get_object (latest.measurement, "code"), "code"));
			return NULL;
		}
		if (why != NULL && reason == NULL)
			reason = why;
		if (why == NULL && below_of == NULL)
			below_of = latest.record;
	}
	if ((found = find_medication (record->medications, atc, NULL, record->now, &which))
	    != NULL) {
		set_flag (out, name, TRUE, "medication", found, which);
		return NULL;
	}
	if (reason != NULL || below_of == NULL)
		return reason != NULL ? reason : REASON_NO_VALUE;
	/* every reading below: FALSE only when treatment is ruled out in as many words */
	if (atc != NULL && json_array_get_length (atc) > 0) {
		found = find_medication (record->medications, atc, "not-taken", record->now,
					 &which);
		if (found == NULL)
			return REASON_NO_VALUE;
	}
	set_flag (out, name, FALSE, "observation", below_of, NULL);
	return NULL;
}

/* ---- the profile ---------------------------------------------------------------------------- */

/* Completed years between @birth (YYYY-MM-DD) and @now's UTC date; -1 when it does not parse. */
static gint
age_years (const gchar *birth, GDateTime *now)
{
	gint y = 0, m = 0, d = 0, age;
	gint ny, nm, nd;

	if (birth == NULL || now == NULL || sscanf (birth, "%4d-%2d-%2d", &y, &m, &d) != 3)
		return -1;
	g_date_time_get_ymd (now, &ny, &nm, &nd);
	age = ny - y;
	if (nm < m || (nm == m && nd < d))
		age--;
	return age >= 0 ? age : -1;
}

static gboolean
level_allowed (JsonObject *input, const gchar *level)
{
	JsonArray *levels = get_array (input, "levels");

	for (guint i = 0; levels != NULL && i < json_array_get_length (levels); i++)
		if (g_strcmp0 (json_array_get_string_element (levels, i), level) == 0)
			return TRUE;
	return FALSE;
}

static const gchar *
from_profile (MvRiskInputs *out, JsonObject *input, const gchar *what, const MvRiskRecord *record)
{
	const gchar *name = get_string (input, "name");
	g_autoptr (JsonNode) node = json_node_alloc ();
	const gchar *unit = NULL;
	JsonObject *src;

	if (g_strcmp0 (what, "age") == 0 && g_strcmp0 (get_string (input, "type"), "number") == 0) {
		gint age = age_years (get_string (record->profile, "birth_date"), record->now);
		gdouble v = 0;
		if (age < 0)
			return REASON_NO_VALUE;
		if (!to_model_unit (input, age, "a", &v))
			return REASON_UNIT;
		json_node_init_double (node, v);
		unit = get_string (input, "unit");
	} else if (g_strcmp0 (what, "sex") == 0) {
		/* risk equations were fitted on sex at birth; sex when that is not given (or is
		 * intersex or unknown) */
		static const gchar *const definite[] = { "female", "male", NULL };
		const gchar *sex = get_string (record->profile, "sex_at_birth");
		if (sex == NULL || !g_strv_contains (definite, sex))
			sex = get_string (record->profile, "sex");
		if (sex == NULL || !g_strv_contains (definite, sex))
			return REASON_NO_VALUE;
		/* an equation for the other sex (the PCE have one per sex) */
		if (!level_allowed (input, sex))
			return REASON_NOT_APPLICABLE;
		json_node_init_string (node, sex);
	} else {
		return REASON_NO_VALUE;
	}
	json_object_set_member (out->inputs, name, json_node_copy (node));
	src = json_object_new ();
	json_object_set_string_member (src, "kind", "profile");
	json_object_set_string_member (src, "id", record->patient_id);
	json_object_set_int_member (src, "version", (gint64)record->profile_version);
	set_provenance (out, name, node, unit, src);
	return NULL;
}

/* ---- the model ------------------------------------------------------------------------------ */

gboolean
mv_risk_model_from_record (JsonObject *model)
{
	JsonArray *inputs = get_array (model, "inputs");

	if (inputs == NULL || json_array_get_length (inputs) == 0)
		return FALSE;
	for (guint i = 0; i < json_array_get_length (inputs); i++) {
		JsonObject *source
			= get_object (json_array_get_object_element (inputs, i), "source");
		if (source == NULL || json_object_get_size (source) == 0)
			return FALSE;
	}
	return TRUE;
}

/* The reason @input has no value, or NULL when it got one. */
static const gchar *
assemble_one (MvRiskInputs *out, JsonObject *input, const MvRiskRecord *record)
{
	JsonObject *source = get_object (input, "source");
	JsonArray *loinc = get_array (source, "loinc");
	const gchar *profile = get_string (source, "profile");

	if (loinc == NULL)
		loinc = get_array (source, "observation_loinc");
	if (profile != NULL)
		return from_profile (out, input, profile, record);
	if (loinc != NULL)
		return from_observations (out, input, source, loinc, record);
	if (get_array (source, "family_history_codes") != NULL)
		return from_family_history (out, input, source, record);
	if (get_array (source, "thresholds") != NULL)
		return from_thresholds (out, input, source, record);
	if (get_array (source, "condition_codes") != NULL
	    || get_array (source, "medication_atc_prefix") != NULL)
		return from_lists (out, input, source, record);
	return source == NULL || json_object_get_size (source) == 0 ? REASON_NO_SOURCE
								    : REASON_NO_VALUE;
}

/* ---- supplied values and what is missing ----------------------------------------------------- */

gboolean
mv_risk_supplied_value_valid (JsonNode *value)
{
	JsonObject *o;
	gdouble v = 0;
	GType t;

	if (value == NULL)
		return FALSE;
	if (JSON_NODE_HOLDS_OBJECT (value)) {
		o = json_node_get_object (value);
		return json_object_get_size (o) == 2 && get_number (o, "value", &v)
		       && get_string (o, "unit") != NULL;
	}
	if (!JSON_NODE_HOLDS_VALUE (value))
		return FALSE;
	t = json_node_get_value_type (value);
	if (t == G_TYPE_INT64 || t == G_TYPE_DOUBLE)
		return isfinite (json_node_get_double (value));
	return t == G_TYPE_BOOLEAN || t == G_TYPE_STRING;
}

/* @name's supplied value, used: provenance {"kind": "supplied"} (the daemon keeps the value
 * as given; the plugin converts it) */
static void
use_supplied (MvRiskInputs *out, JsonObject *input, const gchar *name, JsonNode *value)
{
	JsonObject *src = json_object_new ();
	JsonNode *plain = value;
	const gchar *unit = NULL;

	if (JSON_NODE_HOLDS_OBJECT (value)) {
		plain = json_object_get_member (json_node_get_object (value), "value");
		unit = get_string (json_node_get_object (value), "unit");
	} else if (JSON_NODE_HOLDS_VALUE (value)
		   && json_node_get_value_type (value) != G_TYPE_BOOLEAN
		   && json_node_get_value_type (value) != G_TYPE_STRING) {
		unit = get_string (input, "unit");
	}
	json_object_set_member (out->inputs, name, json_node_copy (value));
	json_object_set_string_member (src, "kind", "supplied");
	set_provenance (out, name, plain, unit, src);
	json_array_add_string_element (out->supplied, name);
}

/* The input's label in @language: the model's {"en", "zh"} or a plain string; else its name. */
static const gchar *
label_of (JsonObject *input, const gchar *language)
{
	JsonNode *n = json_object_get_member (input, "label");
	const gchar *l;

	if (n != NULL && JSON_NODE_HOLDS_OBJECT (n)) {
		l = get_string (json_node_get_object (n), language);
		if (l == NULL)
			l = get_string (json_node_get_object (n), "en");
		if (l != NULL)
			return l;
	}
	if ((l = get_string (input, "label")) != NULL)
		return l;
	return get_string (input, "name");
}

/* "2093-3, 2089-1": a string list joined, or NULL */
static gchar *
joined (JsonArray *list)
{
	g_autoptr (GString) s = g_string_new (NULL);

	for (guint i = 0; list != NULL && i < json_array_get_length (list); i++) {
		JsonNode *n = json_array_get_element (list, i);
		if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
			continue;
		g_string_append_printf (s, "%s%s", s->len > 0 ? ", " : "",
					json_node_get_string (n));
	}
	return s->len > 0 ? g_string_free (g_steal_pointer (&s), FALSE) : NULL;
}

/* What the record was searched for, as words: "LOINC 2093-3", "conditions ICD10:E11"… */
static gchar *
looked_for (JsonObject *source, gboolean zh)
{
	static const struct {
		const gchar *member, *en, *zh;
	} kinds[] = {
		{ "loinc", "LOINC ", "LOINC " },
		{ "observation_loinc", "LOINC ", "LOINC " },
		{ "condition_codes", "conditions ", "诊断 " },
		{ "family_history_codes", "family history ", "家族史 " },
		{ "medication_atc_prefix", "medications ATC ", "药物 ATC " },
	};
	g_autoptr (GString) s = g_string_new (NULL);
	gdouble max_age = 0;

	for (guint i = 0; i < G_N_ELEMENTS (kinds); i++) {
		g_autofree gchar *codes = joined (get_array (source, kinds[i].member));
		if (codes != NULL)
			g_string_append_printf (s, "%s%s%s", s->len > 0 ? (zh ? "、" : "; ") : "",
						zh ? kinds[i].zh : kinds[i].en, codes);
	}
	if (get_array (source, "thresholds") != NULL)
		g_string_append (s, zh ? (s->len > 0 ? "、阈值读数" : "阈值读数")
				       : (s->len > 0 ? "; readings against thresholds"
						     : "readings against thresholds"));
	if (get_string (source, "profile") != NULL)
		g_string_append_printf (s, zh ? "%s档案 %s" : "%sprofile %s",
					s->len > 0 ? "; " : "", get_string (source, "profile"));
	if (get_number (source, "max_age_days", &max_age))
		g_string_append_printf (s, zh ? "，%.0f 天内" : ", within %.0f days", max_age);
	return g_string_free (g_steal_pointer (&s), FALSE);
}

static gchar *
missing_message (JsonObject *input, const gchar *reason, const gchar *language)
{
	gboolean zh = g_strcmp0 (language, "zh") == 0;
	const gchar *label = label_of (input, zh ? "zh" : "en");
	g_autofree gchar *where = looked_for (get_object (input, "source"), zh);

	if (g_strcmp0 (reason, REASON_NO_SOURCE) == 0)
		return g_strdup_printf (zh ? "%s：病历中没有此项的来源，请在 inputs 中提供"
					   : "%s: the record has no source for it; supply it in "
					     "\"inputs\"",
					label);
	if (g_strcmp0 (reason, REASON_TOO_OLD) == 0)
		return g_strdup_printf (
			zh ? "%s：最近的值太旧（查找 %s）；请记录新值或在 inputs 中提供"
			   : "%s: the latest value is too old (looked for %s); "
			     "record a new one or supply it in \"inputs\"",
			label, where);
	if (g_strcmp0 (reason, REASON_UNIT) == 0)
		return g_strdup_printf (zh ? "%s：最近的值的单位不被模型接受（查找 %s）"
					   : "%s: the latest value's unit is not one the model "
					     "accepts (looked for %s)",
					label, where);
	return g_strdup_printf (zh ? "%s：病历中没有该值（查找 %s）；请记录或在 inputs 中提供"
				   : "%s: the record holds no value (looked for %s); record it or "
				     "supply it in \"inputs\"",
				label, where);
}

/* A missing input: its reason, a message, and what the caller may supply instead. */
static JsonObject *
missing_entry (JsonObject *input, const gchar *reason, const gchar *language)
{
	static const gchar *const described[]
		= { "type", "unit", "units", "levels", "range", NULL };
	JsonObject *m = json_object_new ();
	JsonObject *source = get_object (input, "source");
	g_autofree gchar *message = missing_message (input, reason, language);
	gdouble max_age = 0;

	json_object_set_string_member (m, "input", get_string (input, "name"));
	json_object_set_string_member (m, "reason", reason);
	json_object_set_string_member (m, "message", message);
	json_object_set_string_member (
		m, "label", label_of (input, g_strcmp0 (language, "zh") == 0 ? "zh" : "en"));
	for (guint i = 0; described[i] != NULL; i++)
		if (json_object_has_member (input, described[i]))
			json_object_set_member (
				m, described[i],
				json_node_copy (json_object_get_member (input, described[i])));
	if (get_array (source, "loinc") != NULL || get_array (source, "observation_loinc") != NULL)
		json_object_set_array_member (
			m, "loinc",
			json_array_ref (get_array (source, "loinc") != NULL
						? get_array (source, "loinc")
						: get_array (source, "observation_loinc")));
	if (get_number (source, "max_age_days", &max_age))
		json_object_set_int_member (m, "max_age_days", (gint64)max_age);
	return m;
}

static JsonObject *
not_used_entry (const gchar *name, const gchar *language)
{
	JsonObject *m = json_object_new ();

	json_object_set_string_member (m, "input", name);
	json_object_set_string_member (m, "reason", "record-has-value");
	json_object_set_string_member (
		m, "message",
		g_strcmp0 (language, "zh") == 0
			? "病历中已有该值，使用了病历中的值；要使用提供的值，请发送 \"override\": "
			  "true"
			: "the record holds this input, and its value was used; send \"override\": "
			  "true to use the supplied value");
	return m;
}

/* The reason @input has no value (NULL: it got one), the supplied value taken into account. */
static const gchar *
assemble_with_supplied (MvRiskInputs *out, JsonObject *input, const MvRiskRecord *record)
{
	const gchar *name = get_string (input, "name");
	JsonNode *given
		= record->supplied != NULL ? json_object_get_member (record->supplied, name) : NULL;
	const gchar *reason;

	if (given != NULL && record->override) {
		use_supplied (out, input, name, given);
		return NULL;
	}
	reason = assemble_one (out, input, record);
	if (given == NULL)
		return reason;
	if (reason == NULL || reason == REASON_NOT_APPLICABLE) {
		json_array_add_object_element (out->not_used,
					       not_used_entry (name, record->language));
		return reason;
	}
	use_supplied (out, input, name, given);
	return NULL;
}

MvRiskInputs *
mv_risk_inputs_assemble (JsonObject *model, const MvRiskRecord *record)
{
	MvRiskInputs *out = g_new0 (MvRiskInputs, 1);
	JsonArray *inputs = get_array (model, "inputs");

	out->inputs = json_object_new ();
	out->provenance = json_object_new ();
	out->missing = json_array_new ();
	out->defaulted = json_array_new ();
	out->not_applicable = json_array_new ();
	out->supplied = json_array_new ();
	out->not_used = json_array_new ();
	for (guint i = 0; inputs != NULL && i < json_array_get_length (inputs); i++) {
		JsonObject *input = json_array_get_object_element (inputs, i);
		const gchar *name = get_string (input, "name");
		const gchar *reason;
		JsonObject *m;

		if (name == NULL || json_object_has_member (out->inputs, name))
			continue;
		reason = assemble_with_supplied (out, input, record);
		if (reason == NULL)
			continue;
		if (reason == REASON_NOT_APPLICABLE) {
			m = json_object_new ();
			json_object_set_string_member (m, "input", name);
			json_object_set_string_member (m, "reason", reason);
			json_array_add_object_element (out->not_applicable, m);
			continue;
		}
		/* a declared default is the model's, applied (and reported) by the plugin */
		if (json_object_has_member (input, "default")) {
			json_array_add_string_element (out->defaulted, name);
			continue;
		}
		if (json_object_has_member (input, "required") && !get_bool (input, "required"))
			continue;
		out->needs_input |= g_strcmp0 (reason, REASON_NO_SOURCE) == 0;
		json_array_add_object_element (out->missing,
					       missing_entry (input, reason, record->language));
	}
	return out;
}

GVariant *
mv_risk_inputs_to_variant (const MvRiskInputs *inputs)
{
	GVariantBuilder b;
	g_autoptr (GList) names = json_object_get_members (inputs->inputs);

	g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
	for (GList *l = names; l != NULL; l = l->next) {
		JsonNode *n = json_object_get_member (inputs->inputs, l->data);
		GType t = json_node_get_value_type (n);
		GVariant *v;
		if (JSON_NODE_HOLDS_OBJECT (n)) {
			/* a supplied {"value", "unit"}: the plugin converts it */
			JsonObject *o = json_node_get_object (n);
			GVariantBuilder ob;
			g_variant_builder_init (&ob, G_VARIANT_TYPE_VARDICT);
			g_variant_builder_add (
				&ob, "{sv}", "value",
				g_variant_new_double (json_object_get_double_member (o, "value")));
			g_variant_builder_add (
				&ob, "{sv}", "unit",
				g_variant_new_string (json_object_get_string_member (o, "unit")));
			v = g_variant_builder_end (&ob);
		} else if (t == G_TYPE_BOOLEAN)
			v = g_variant_new_boolean (json_node_get_boolean (n));
		else if (t == G_TYPE_STRING)
			v = g_variant_new_string (json_node_get_string (n));
		else
			v = g_variant_new_double (json_node_get_double (n));
		g_variant_builder_add (&b, "{sv}", (const gchar *)l->data, v);
	}
	return g_variant_builder_end (&b);
}
