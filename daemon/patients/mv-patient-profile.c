/* The patient profile schema, as a table, and RFC 7396 merge patch.  See mv-patient-profile.h
 * and schemas/json/patient-profile.schema.json (the documented form of the same table; a unit
 * test checks that both name the same members). */
#define G_LOG_DOMAIN "medverse-patients"

#include "mv-patient-profile.h"

#include <medverse/mv-error.h>
#include <string.h>

#include "mv-crypto.h"

typedef enum {
	FIELD_STRING, /* min/max characters */
	FIELD_TEXT,   /* like STRING, but newlines and tabs allowed (free text) */
	FIELD_MRN,    /* a record number mv_vault_normalise_mrn() accepts */
	FIELD_DATE,   /* RFC 3339 full-date, not after today */
	FIELD_ENUM,
	FIELD_BOOL,
	FIELD_INT, /* min..max */
	FIELD_OBJECT,
	FIELD_LIST, /* array of objects, at most max entries */
} FieldKind;

typedef struct _Field Field;
struct _Field {
	const gchar *name;
	FieldKind kind;
	gboolean required;
	gint64 min;
	gint64 max;
	const gchar *const *values; /* FIELD_ENUM */
	const Field *members;	    /* FIELD_OBJECT, FIELD_LIST items; NULL-name terminated */
	gboolean coded;		    /* list items: "code" is checked against "system" */
};

static const gchar *const sexes[] = { "female", "male", "other", "unknown", NULL };
static const gchar *const languages[] = { "en", "zh", NULL };
static const gchar *const condition_systems[] = { "icd-10", "snomed-ct", NULL };
static const gchar *const medication_systems[] = { "atc", "rxnorm", "snomed-ct", NULL };
static const gchar *const allergy_systems[] = { "snomed-ct", "rxnorm", "atc", NULL };
static const gchar *const condition_status[] = { "active", "resolved", NULL };
static const gchar *const severities[] = { "mild", "moderate", "severe", NULL };
static const gchar *const units[] = { "metric", "imperial", NULL };
static const gchar *const comfort[] = { "low", "medium", "high", NULL };

static const Field name_members[] = {
	{ "given", FIELD_STRING, FALSE, 1, 100 },
	{ "family", FIELD_STRING, FALSE, 1, 100 },
	{ NULL },
};

static const Field condition_members[] = {
	{ "system", FIELD_ENUM, TRUE, 0, 0, condition_systems },
	{ "code", FIELD_STRING, TRUE, 1, 18 },
	{ "display", FIELD_STRING, FALSE, 1, 200 },
	{ "status", FIELD_ENUM, FALSE, 0, 0, condition_status },
	{ "onset_date", FIELD_DATE, FALSE },
	{ NULL },
};

static const Field medication_members[] = {
	{ "system", FIELD_ENUM, TRUE, 0, 0, medication_systems },
	{ "code", FIELD_STRING, TRUE, 1, 18 },
	{ "display", FIELD_STRING, FALSE, 1, 200 },
	{ "dose", FIELD_STRING, FALSE, 1, 100 },
	{ "start_date", FIELD_DATE, FALSE },
	{ NULL },
};

static const Field allergy_members[] = {
	{ "system", FIELD_ENUM, TRUE, 0, 0, allergy_systems },
	{ "code", FIELD_STRING, TRUE, 1, 18 },
	{ "display", FIELD_STRING, FALSE, 1, 200 },
	{ "severity", FIELD_ENUM, FALSE, 0, 0, severities },
	{ NULL },
};

static const Field preference_members[] = {
	{ "units", FIELD_ENUM, FALSE, 0, 0, units },
	{ "contact_opt_in", FIELD_BOOL, FALSE },
	{ "daily_step_goal", FIELD_INT, FALSE, 0, 100000 },
	{ "vr_comfort", FIELD_ENUM, FALSE, 0, 0, comfort },
	{ NULL },
};

static const Field profile_members[] = {
	{ "mrn", FIELD_MRN, TRUE },
	{ "name", FIELD_OBJECT, TRUE, 0, 0, NULL, name_members },
	{ "birth_date", FIELD_DATE, FALSE },
	{ "sex", FIELD_ENUM, FALSE, 0, 0, sexes },
	{ "language", FIELD_ENUM, FALSE, 0, 0, languages },
	{ "conditions", FIELD_LIST, FALSE, 0, MV_PATIENT_LIST_MAX, NULL, condition_members, TRUE },
	{ "medications", FIELD_LIST, FALSE, 0, MV_PATIENT_LIST_MAX, NULL, medication_members,
	  TRUE },
	{ "allergies", FIELD_LIST, FALSE, 0, MV_PATIENT_LIST_MAX, NULL, allergy_members, TRUE },
	{ "preferences", FIELD_OBJECT, FALSE, 0, 0, NULL, preference_members },
	{ "notes", FIELD_TEXT, FALSE, 0, MV_PATIENT_NOTES_MAX },
	{ NULL },
};

/* The oldest birth date accepted: nobody alive was born before it. */
#define OLDEST_YEAR 1870

static gboolean G_GNUC_PRINTF (3, 4)
	fail (GError **error, const gchar *path, const gchar *format, ...)
{
	va_list args;
	g_autofree gchar *what = NULL;

	va_start (args, format);
	what = g_strdup_vprintf (format, args);
	va_end (args);
	g_set_error (error, MV_ERROR, MV_ERROR_INVALID_INPUT, "%s: %s", path, what);
	return FALSE;
}

static const gchar *
node_type_name (JsonNode *node)
{
	if (JSON_NODE_HOLDS_NULL (node))
		return "null";
	if (JSON_NODE_HOLDS_OBJECT (node))
		return "an object";
	if (JSON_NODE_HOLDS_ARRAY (node))
		return "an array";
	switch (json_node_get_value_type (node)) {
	case G_TYPE_STRING:
		return "a string";
	case G_TYPE_BOOLEAN:
		return "a boolean";
	case G_TYPE_INT64:
		return "an integer";
	default:
		return "a number";
	}
}

static gboolean
is_value_of (JsonNode *node, GType type)
{
	return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

static gboolean
check_string (const gchar *path, const gchar *s, const Field *f, gboolean text, GError **error)
{
	glong chars = g_utf8_strlen (s, -1);

	for (const gchar *p = s; *p != '\0'; p++) {
		guchar c = (guchar)*p;
		if ((c < 0x20 && !(text && (c == '\n' || c == '\t' || c == '\r'))) || c == 0x7f)
			return fail (error, path, "control characters are not allowed");
	}
	if (chars < f->min)
		return fail (error, path, "must have at least %" G_GINT64_FORMAT " character(s)",
			     f->min);
	if (chars > f->max)
		return fail (error, path,
			     "must have at most %" G_GINT64_FORMAT " characters, has %ld", f->max,
			     chars);
	return TRUE;
}

/* RFC 3339 full-date: date-fullyear "-" date-month "-" date-mday, a real calendar date. */
static gboolean
parse_full_date (const gchar *s, GDate *out)
{
	guint y, m, d;

	if (strlen (s) != 10 || s[4] != '-' || s[7] != '-')
		return FALSE;
	for (guint i = 0; i < 10; i++) {
		if (i != 4 && i != 7 && !g_ascii_isdigit (s[i]))
			return FALSE;
	}
	y = (guint)g_ascii_strtoull (s, NULL, 10);
	m = (guint)g_ascii_strtoull (s + 5, NULL, 10);
	d = (guint)g_ascii_strtoull (s + 8, NULL, 10);
	if (y < 1 || !g_date_valid_dmy ((GDateDay)d, (GDateMonth)m, (GDateYear)y))
		return FALSE;
	g_date_clear (out, 1);
	g_date_set_dmy (out, (GDateDay)d, (GDateMonth)m, (GDateYear)y);
	return TRUE;
}

static gboolean
check_date (const gchar *path, const gchar *s, GDate *today, GError **error)
{
	GDate date;

	if (!parse_full_date (s, &date))
		return fail (error, path, "must be an RFC 3339 full-date (YYYY-MM-DD) that exists");
	if (g_date_compare (&date, today) > 0)
		return fail (error, path, "must not be in the future");
	if (g_date_get_year (&date) < OLDEST_YEAR)
		return fail (error, path, "must not be before %d-01-01", OLDEST_YEAR);
	return TRUE;
}

/* SNOMED CT identifiers end in a Verhoeff check digit. */
static gboolean
verhoeff_ok (const gchar *digits)
{
	static const guint8 d[10][10] = {
		{ 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 }, { 1, 2, 3, 4, 0, 6, 7, 8, 9, 5 },
		{ 2, 3, 4, 0, 1, 7, 8, 9, 5, 6 }, { 3, 4, 0, 1, 2, 8, 9, 5, 6, 7 },
		{ 4, 0, 1, 2, 3, 9, 5, 6, 7, 8 }, { 5, 9, 8, 7, 6, 0, 4, 3, 2, 1 },
		{ 6, 5, 9, 8, 7, 1, 0, 4, 3, 2 }, { 7, 6, 5, 9, 8, 2, 1, 0, 4, 3 },
		{ 8, 7, 6, 5, 9, 3, 2, 1, 0, 4 }, { 9, 8, 7, 6, 5, 4, 3, 2, 1, 0 },
	};
	static const guint8 p[8][10] = {
		{ 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 }, { 1, 5, 7, 6, 2, 8, 3, 0, 9, 4 },
		{ 5, 8, 0, 3, 7, 9, 6, 1, 4, 2 }, { 8, 9, 1, 6, 0, 4, 3, 5, 2, 7 },
		{ 9, 4, 5, 3, 1, 2, 6, 8, 7, 0 }, { 4, 2, 8, 6, 5, 7, 3, 9, 0, 1 },
		{ 2, 7, 9, 3, 8, 0, 6, 4, 1, 5 }, { 7, 0, 4, 6, 9, 1, 3, 2, 5, 8 },
	};
	guint c = 0;
	gsize n = strlen (digits);

	for (gsize i = 0; i < n; i++)
		c = d[c][p[i % 8][digits[n - 1 - i] - '0']];
	return c == 0;
}

static gboolean
all_digits (const gchar *s)
{
	if (*s == '\0')
		return FALSE;
	for (; *s != '\0'; s++) {
		if (!g_ascii_isdigit (*s))
			return FALSE;
	}
	return TRUE;
}

static gboolean
code_matches (const gchar *system, const gchar *code)
{
	gsize n = strlen (code);

	if (g_strcmp0 (system, "icd-10") == 0) {
		/* A00 … Z99, optionally with a subdivision: "E11", "E11.9", "S72.001" */
		if (n < 3 || !g_ascii_isupper (code[0]) || !g_ascii_isdigit (code[1])
		    || !(g_ascii_isdigit (code[2]) || g_ascii_isupper (code[2])))
			return FALSE;
		if (n == 3)
			return TRUE;
		if (code[3] != '.' || n < 5 || n > 8)
			return FALSE;
		for (gsize i = 4; i < n; i++) {
			if (!g_ascii_isdigit (code[i]) && !g_ascii_isupper (code[i]))
				return FALSE;
		}
		return TRUE;
	}
	if (g_strcmp0 (system, "snomed-ct") == 0)
		return n >= 6 && n <= 18 && code[0] != '0' && all_digits (code)
		       && verhoeff_ok (code);
	if (g_strcmp0 (system, "rxnorm") == 0)
		return n <= 9 && code[0] != '0' && all_digits (code);
	if (g_strcmp0 (system, "atc") == 0) {
		/* levels 1-5: "C", "C09", "C09A", "C09AA", "C09AA05" */
		static const gchar shape[] = "ADDAADD"; /* A: letter, D: digit */
		if (n != 1 && n != 3 && n != 4 && n != 5 && n != 7)
			return FALSE;
		for (gsize i = 0; i < n; i++) {
			if (shape[i] == 'A' ? !g_ascii_isupper (code[i])
					    : !g_ascii_isdigit (code[i]))
				return FALSE;
		}
		return TRUE;
	}
	return FALSE;
}

static gboolean check_object (
	const gchar *path, JsonObject *object, const Field *members, GDate *today, GError **error);

static const Field *
find_field (const Field *members, const gchar *name)
{
	for (const Field *f = members; f->name != NULL; f++) {
		if (strcmp (f->name, name) == 0)
			return f;
	}
	return NULL;
}

static gboolean
check_value (const gchar *path, JsonNode *node, const Field *f, GDate *today, GError **error)
{
	switch (f->kind) {
	case FIELD_STRING:
	case FIELD_TEXT:
	case FIELD_MRN:
	case FIELD_DATE:
	case FIELD_ENUM:
		if (!is_value_of (node, G_TYPE_STRING))
			return fail (error, path, "must be a string, not %s",
				     node_type_name (node));
		break;
	case FIELD_BOOL:
		if (!is_value_of (node, G_TYPE_BOOLEAN))
			return fail (error, path, "must be a boolean, not %s",
				     node_type_name (node));
		break;
	case FIELD_INT:
		if (!is_value_of (node, G_TYPE_INT64))
			return fail (error, path, "must be an integer, not %s",
				     node_type_name (node));
		break;
	case FIELD_OBJECT:
		if (!JSON_NODE_HOLDS_OBJECT (node))
			return fail (error, path, "must be an object, not %s",
				     node_type_name (node));
		break;
	case FIELD_LIST:
		if (!JSON_NODE_HOLDS_ARRAY (node))
			return fail (error, path, "must be an array, not %s",
				     node_type_name (node));
		break;
	}

	switch (f->kind) {
	case FIELD_STRING:
		return check_string (path, json_node_get_string (node), f, FALSE, error);
	case FIELD_TEXT:
		return check_string (path, json_node_get_string (node), f, TRUE, error);
	case FIELD_MRN: {
		g_autoptr (GError) local = NULL;
		g_autofree gchar *normalised
			= mv_vault_normalise_mrn (json_node_get_string (node), &local);
		if (normalised == NULL)
			/* the vault's message names no value either */
			return fail (error, path, "%s", local->message);
		return TRUE;
	}
	case FIELD_DATE:
		return check_date (path, json_node_get_string (node), today, error);
	case FIELD_ENUM: {
		const gchar *s = json_node_get_string (node);
		g_autofree gchar *allowed = NULL;
		if (g_strv_contains (f->values, s))
			return TRUE;
		allowed = g_strjoinv (", ", (gchar **)f->values);
		return fail (error, path, "must be one of %s", allowed);
	}
	case FIELD_BOOL:
		return TRUE;
	case FIELD_INT: {
		gint64 v = json_node_get_int (node);
		if (v < f->min || v > f->max)
			return fail (error, path,
				     "must be between %" G_GINT64_FORMAT " and %" G_GINT64_FORMAT,
				     f->min, f->max);
		return TRUE;
	}
	case FIELD_OBJECT:
		return check_object (path, json_node_get_object (node), f->members, today, error);
	case FIELD_LIST: {
		JsonArray *array = json_node_get_array (node);
		guint n = json_array_get_length (array);
		if (n > f->max)
			return fail (error, path,
				     "must have at most %" G_GINT64_FORMAT " entries, has %u",
				     f->max, n);
		for (guint i = 0; i < n; i++) {
			JsonNode *item = json_array_get_element (array, i);
			g_autofree gchar *item_path = g_strdup_printf ("%s[%u]", path, i);
			JsonObject *obj;
			if (!JSON_NODE_HOLDS_OBJECT (item))
				return fail (error, item_path, "must be an object, not %s",
					     node_type_name (item));
			obj = json_node_get_object (item);
			if (!check_object (item_path, obj, f->members, today, error))
				return FALSE;
			if (f->coded
			    && !code_matches (json_object_get_string_member (obj, "system"),
					      json_object_get_string_member (obj, "code"))) {
				g_autofree gchar *code_path
					= g_strdup_printf ("%s.code", item_path);
				return fail (error, code_path, "is not a valid %s code",
					     json_object_get_string_member (obj, "system"));
			}
		}
		return TRUE;
	}
	}
	g_assert_not_reached ();
}

static gboolean
check_object (
	const gchar *path, JsonObject *object, const Field *members, GDate *today, GError **error)
{
	JsonObjectIter iter;
	const gchar *name;
	JsonNode *node;
	gboolean any = FALSE;

	json_object_iter_init (&iter, object);
	while (json_object_iter_next (&iter, &name, &node)) {
		const Field *f = find_field (members, name);
		g_autofree gchar *member_path
			= path[0] != '\0' ? g_strdup_printf ("%s.%s", path, name) : g_strdup (name);
		if (f == NULL)
			/* the name is the client's own key, not patient data; cap it anyway */
			return fail (error, path[0] != '\0' ? path : "profile",
				     "unknown field \"%.64s\"", name);
		if (!check_value (member_path, node, f, today, error))
			return FALSE;
		any = TRUE;
	}
	for (const Field *f = members; f->name != NULL; f++) {
		if (f->required && !json_object_has_member (object, f->name)) {
			g_autofree gchar *member_path
				= path[0] != '\0' ? g_strdup_printf ("%s.%s", path, f->name)
						  : g_strdup (f->name);
			return fail (error, member_path, "is required");
		}
	}
	/* the name needs at least one part; other objects may be empty */
	if (members == name_members && !any)
		return fail (error, path, "needs \"given\" or \"family\"");
	return TRUE;
}

gboolean
mv_patient_profile_validate (JsonObject *profile, GDate *today, GError **error)
{
	GDate now;

	if (today == NULL) {
		g_autoptr (GDateTime) dt = g_date_time_new_now_utc ();
		g_date_clear (&now, 1);
		g_date_set_dmy (&now, (GDateDay)g_date_time_get_day_of_month (dt),
				(GDateMonth)g_date_time_get_month (dt),
				(GDateYear)g_date_time_get_year (dt));
		today = &now;
	}
	return check_object ("", profile, profile_members, today, error);
}

static gboolean
check_patch_object (const gchar *path, JsonObject *patch, const Field *members, GError **error)
{
	JsonObjectIter iter;
	const gchar *name;
	JsonNode *node;

	json_object_iter_init (&iter, patch);
	while (json_object_iter_next (&iter, &name, &node)) {
		const Field *f = find_field (members, name);
		g_autofree gchar *member_path
			= path[0] != '\0' ? g_strdup_printf ("%s.%s", path, name) : g_strdup (name);
		if (f == NULL)
			return fail (error, path[0] != '\0' ? path : "patch",
				     "unknown field \"%.64s\"", name);
		if (f->kind == FIELD_OBJECT && JSON_NODE_HOLDS_OBJECT (node)
		    && !check_patch_object (member_path, json_node_get_object (node), f->members,
					    error))
			return FALSE;
	}
	return TRUE;
}

gboolean
mv_patient_profile_check_patch (JsonObject *patch, GError **error)
{
	return check_patch_object ("", patch, profile_members, error);
}
