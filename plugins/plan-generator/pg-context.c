/*
 * plan-generator core — reading and validating the patient context (pg-context.h).
 *
 * Every problem is collected with its JSON Pointer before the context is refused, so an
 * integrator fixes a request in one round.  Messages never quote a value: it is patient data.
 */
#define G_LOG_DOMAIN "plan-generator"

#include "pg-context.h"

#include <math.h>
#include <string.h>

static void
pg_coded_free (PgCoded *c)
{
	g_free (c->code);
	g_free (c->status);
	g_free (c);
}

static void
pg_measurement_free (PgMeasurement *m)
{
	g_free (m->code);
	g_free (m->unit);
	g_free (m->date);
	g_free (m->recorded_at);
	g_free (m);
}

static void
pg_risk_free (PgRisk *r)
{
	g_free (r->model);
	g_free (r->category);
	g_free (r);
}

static void
pg_finding_free (PgFinding *f)
{
	g_free (f->kind);
	g_free (f->code);
	g_strfreev (f->xrefs);
	g_free (f->polarity);
	g_free (f->experiencer);
	g_free (f->temporality);
	g_free (f->severity);
	g_free (f->status);
	g_free (f->unit);
	g_free (f->date);
	g_free (f->recorded_at);
	g_free (f);
}

static void
pg_checkin_free (PgCheckin *c)
{
	g_free (c->metric);
	g_free (c->date);
	g_free (c);
}

void
pg_context_free (PgContext *ctx)
{
	if (ctx == NULL)
		return;
	g_free (ctx->today);
	g_free (ctx->sex);
	g_free (ctx->mobility);
	g_free (ctx->bmi_standard);
	g_free (ctx->smoking);
	g_free (ctx->red_flags_cleared_on);
	g_free (ctx->red_flags_cleared_at);
	g_clear_pointer (&ctx->conditions, g_ptr_array_unref);
	g_clear_pointer (&ctx->medications, g_ptr_array_unref);
	g_clear_pointer (&ctx->measurements, g_ptr_array_unref);
	g_clear_pointer (&ctx->risks, g_ptr_array_unref);
	g_clear_pointer (&ctx->findings, g_ptr_array_unref);
	g_clear_pointer (&ctx->checkins, g_ptr_array_unref);
	g_free (ctx);
}

GVariant *
pg_variant_unbox (GVariant *v)
{
	while (v != NULL && g_variant_is_of_type (v, G_VARIANT_TYPE_VARIANT)) {
		GVariant *inner = g_variant_get_variant (v);
		g_variant_unref (inner); /* still held by @v */
		v = inner;
	}
	return v;
}

/* A JSON number arrives as x (whole) or d; a D-Bus caller may send any integer type. */
gboolean
pg_variant_number (GVariant *v, gdouble *out)
{
	v = pg_variant_unbox (v);
	switch (g_variant_classify (v)) {
	case G_VARIANT_CLASS_DOUBLE:
		*out = g_variant_get_double (v);
		return isfinite (*out);
	case G_VARIANT_CLASS_INT64:
		*out = (gdouble)g_variant_get_int64 (v);
		return TRUE;
	case G_VARIANT_CLASS_UINT64:
		*out = (gdouble)g_variant_get_uint64 (v);
		return TRUE;
	case G_VARIANT_CLASS_INT32:
		*out = g_variant_get_int32 (v);
		return TRUE;
	case G_VARIANT_CLASS_UINT32:
		*out = g_variant_get_uint32 (v);
		return TRUE;
	case G_VARIANT_CLASS_INT16:
		*out = g_variant_get_int16 (v);
		return TRUE;
	case G_VARIANT_CLASS_UINT16:
		*out = g_variant_get_uint16 (v);
		return TRUE;
	case G_VARIANT_CLASS_BYTE:
		*out = g_variant_get_byte (v);
		return TRUE;
	default:
		return FALSE;
	}
}

static void
pg_wrong_type (GPtrArray *problems, const gchar *field, const gchar *en, const gchar *zh)
{
	g_autofree gchar *m = g_strdup_printf ("must be %s", en);
	g_autofree gchar *mz = g_strdup_printf ("应为%s", zh);

	pg_problem_add (problems, field, "wrong-type", m, mz);
}

/* aa{sv} (D-Bus) or av of a{sv} (JSON): the dictionaries, or NULL with a problem */
GPtrArray *
pg_variant_dicts (GVariant *v, const gchar *field, GPtrArray *problems)
{
	g_autoptr (GPtrArray) out
		= g_ptr_array_new_with_free_func ((GDestroyNotify)g_variant_unref);
	GVariantIter iter;
	GVariant *child;
	guint i = 0;
	gboolean ok = TRUE;

	v = pg_variant_unbox (v);
	if (!g_variant_is_of_type (v, G_VARIANT_TYPE ("aa{sv}"))
	    && !g_variant_is_of_type (v, G_VARIANT_TYPE ("av"))) {
		pg_wrong_type (problems, field, "a list of objects", "对象列表");
		return NULL;
	}
	g_variant_iter_init (&iter, v);
	while ((child = g_variant_iter_next_value (&iter)) != NULL) {
		GVariant *inner = pg_variant_unbox (child);

		if (!g_variant_is_of_type (inner, G_VARIANT_TYPE_VARDICT)) {
			g_autofree gchar *sub = g_strdup_printf ("%s/%u", field, i);
			pg_wrong_type (problems, sub, "an object", "对象");
			ok = FALSE;
		} else {
			g_ptr_array_add (out, g_variant_ref (inner));
		}
		g_variant_unref (child);
		i++;
	}
	return ok ? g_steal_pointer (&out) : NULL;
}

static gchar *
pg_read_string (GVariant *v, const gchar *field, GPtrArray *problems)
{
	v = pg_variant_unbox (v);
	if (!g_variant_is_of_type (v, G_VARIANT_TYPE_STRING)) {
		pg_wrong_type (problems, field, "a string", "字符串");
		return NULL;
	}
	return g_variant_dup_string (v, NULL);
}

static gboolean
pg_read_number (GVariant *v, const gchar *field, GPtrArray *problems, gdouble *out)
{
	if (!pg_variant_number (v, out)) {
		pg_wrong_type (problems, field, "a finite number", "有限数值");
		return FALSE;
	}
	return TRUE;
}

static gchar *
pg_read_enum (GVariant *v, const gchar *field, const gchar *const *allowed, GPtrArray *problems)
{
	g_autofree gchar *s = pg_read_string (v, field, problems);
	g_autofree gchar *list = NULL;
	g_autofree gchar *m = NULL;
	g_autofree gchar *mz = NULL;

	if (s == NULL)
		return NULL;
	if (g_strv_contains (allowed, s))
		return g_steal_pointer (&s);
	list = g_strjoinv (", ", (gchar **)allowed);
	m = g_strdup_printf ("must be one of %s", list);
	mz = g_strdup_printf ("应为以下之一：%s", list);
	pg_problem_add (problems, field, "not-allowed", m, mz);
	return NULL;
}

static gchar *
pg_read_date (GVariant *v, const gchar *field, GPtrArray *problems)
{
	g_autofree gchar *s = pg_read_string (v, field, problems);
	GDate d;

	if (s == NULL)
		return NULL;
	if (!pg_date_parse (s, &d)) {
		pg_problem_add (problems, field, "invalid-format",
				"must be a calendar date YYYY-MM-DD",
				"应为有效日期，格式 YYYY-MM-DD");
		return NULL;
	}
	return g_steal_pointer (&s);
}

/* an RFC 3339 date-time with an offset ("2026-12-06T10:00:00+08:00"): an instant */
static gchar *
pg_read_instant (GVariant *v, const gchar *field, GPtrArray *problems)
{
	g_autofree gchar *s = pg_read_string (v, field, problems);
	g_autoptr (GDateTime) t = NULL;
	gsize n = s != NULL ? strlen (s) : 0;

	if (s == NULL)
		return NULL;
	/* GLib reads a time without an offset in the local zone: not an instant */
	if (n >= 20 && s[10] == 'T' && (s[n - 1] == 'Z' || s[n - 6] == '+' || s[n - 6] == '-'))
		t = g_date_time_new_from_iso8601 (s, NULL);
	if (t == NULL) {
		pg_problem_add (
			problems, field, "invalid-format",
			"must be an RFC 3339 date-time with an offset, e.g. "
			"2026-12-06T10:00:00+08:00",
			"应为带时区偏移的 RFC 3339 日期时间，例如 2026-12-06T10:00:00+08:00");
		return NULL;
	}
	return g_steal_pointer (&s);
}

static gchar **
pg_read_strv (GVariant *v, const gchar *field, GPtrArray *problems)
{
	g_autoptr (GStrvBuilder) b = g_strv_builder_new ();
	GVariantIter iter;
	GVariant *child;

	v = pg_variant_unbox (v);
	if (!g_variant_is_of_type (v, G_VARIANT_TYPE_STRING_ARRAY)
	    && !g_variant_is_of_type (v, G_VARIANT_TYPE ("av"))) {
		pg_wrong_type (problems, field, "a list of strings", "字符串列表");
		return NULL;
	}
	g_variant_iter_init (&iter, v);
	while ((child = g_variant_iter_next_value (&iter)) != NULL) {
		GVariant *inner = pg_variant_unbox (child);
		if (g_variant_is_of_type (inner, G_VARIANT_TYPE_STRING))
			g_strv_builder_add (b, g_variant_get_string (inner, NULL));
		g_variant_unref (child);
	}
	return g_strv_builder_end (b);
}

static void
pg_unknown_member (GPtrArray *problems, const gchar *field)
{
	pg_problem_add (problems, field, "unknown-member", "is not a member this method knows",
			"不是本方法认识的成员");
}

/* a D-Bus a{sv} may repeat a key (JSON objects cannot): which one counts is not ours to guess */
static gboolean
pg_duplicate (GHashTable *seen, const gchar *key, const gchar *field, GPtrArray *problems)
{
	if (g_hash_table_add (seen, (gpointer)key))
		return FALSE;
	pg_problem_add (problems, field, "duplicate", "is given twice", "重复给出");
	return TRUE;
}

static void
pg_required (GPtrArray *problems, const gchar *field)
{
	pg_problem_add (problems, field, "required", "is required", "为必填项");
}

static const gchar *const pg_statuses[] = { "active", "resolved", "unknown", NULL };

/* conditions and medications: {code, status} */
static PgCoded *
pg_read_coded (GVariant *dict, const gchar *field, GPtrArray *problems)
{
	g_autoptr (GVariantIter) iter = NULL;
	const gchar *key;
	GVariant *value;
	g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
	PgCoded *c = g_new0 (PgCoded, 1);

	g_variant_get (dict, "a{sv}", &iter);
	while (g_variant_iter_next (iter, "{&sv}", &key, &value)) {
		g_autofree gchar *sub = g_strdup_printf ("%s/%s", field, key);
		if (pg_duplicate (seen, key, sub, problems)) {
			g_variant_unref (value);
			continue;
		}
		if (g_str_equal (key, "code"))
			c->code = pg_read_string (value, sub, problems);
		else if (g_str_equal (key, "status"))
			c->status = pg_read_enum (value, sub, pg_statuses, problems);
		else
			pg_unknown_member (problems, sub);
		g_variant_unref (value);
	}
	if (!g_variant_lookup (dict, "code", "*", NULL)) {
		g_autofree gchar *sub = g_strdup_printf ("%s/code", field);
		pg_required (problems, sub);
	}
	return c;
}

static PgMeasurement *
pg_read_measurement (GVariant *dict, const gchar *field, GPtrArray *problems)
{
	g_autoptr (GVariantIter) iter = NULL;
	const gchar *key;
	GVariant *value;
	g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
	PgMeasurement *m = g_new0 (PgMeasurement, 1);
	gboolean has_value = FALSE;

	g_variant_get (dict, "a{sv}", &iter);
	while (g_variant_iter_next (iter, "{&sv}", &key, &value)) {
		g_autofree gchar *sub = g_strdup_printf ("%s/%s", field, key);
		if (pg_duplicate (seen, key, sub, problems)) {
			g_variant_unref (value);
			continue;
		}
		if (g_str_equal (key, "code"))
			m->code = pg_read_string (value, sub, problems);
		else if (g_str_equal (key, "value"))
			has_value = pg_read_number (value, sub, problems, &m->value);
		else if (g_str_equal (key, "unit"))
			m->unit = pg_read_string (value, sub, problems);
		else if (g_str_equal (key, "date"))
			m->date = pg_read_date (value, sub, problems);
		else if (g_str_equal (key, "recorded_at"))
			m->recorded_at = pg_read_instant (value, sub, problems);
		else
			pg_unknown_member (problems, sub);
		g_variant_unref (value);
	}
	if (!g_variant_lookup (dict, "code", "*", NULL)) {
		g_autofree gchar *sub = g_strdup_printf ("%s/code", field);
		pg_required (problems, sub);
	}
	if (!has_value && !g_variant_lookup (dict, "value", "*", NULL)) {
		g_autofree gchar *sub = g_strdup_printf ("%s/value", field);
		pg_required (problems, sub);
	}
	return m;
}

static PgRisk *
pg_read_risk (GVariant *dict, const gchar *field, GPtrArray *problems)
{
	g_autoptr (GVariantIter) iter = NULL;
	const gchar *key;
	GVariant *value;
	g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
	PgRisk *r = g_new0 (PgRisk, 1);

	g_variant_get (dict, "a{sv}", &iter);
	while (g_variant_iter_next (iter, "{&sv}", &key, &value)) {
		g_autofree gchar *sub = g_strdup_printf ("%s/%s", field, key);
		if (pg_duplicate (seen, key, sub, problems)) {
			g_variant_unref (value);
			continue;
		}
		if (g_str_equal (key, "model"))
			r->model = pg_read_string (value, sub, problems);
		else if (g_str_equal (key, "probability"))
			r->has_probability = pg_read_number (value, sub, problems, &r->probability);
		else if (g_str_equal (key, "category"))
			r->category = pg_read_string (value, sub, problems);
		else if (g_str_equal (key, "horizon_years"))
			pg_read_number (value, sub, problems, &r->horizon_years);
		else
			pg_unknown_member (problems, sub);
		g_variant_unref (value);
	}
	if (r->has_probability && (r->probability < 0 || r->probability > 1)) {
		g_autofree gchar *sub = g_strdup_printf ("%s/probability", field);
		pg_problem_add (problems, sub, "out-of-range", "must be between 0 and 1",
				"应在 0 到 1 之间");
	}
	if (!g_variant_lookup (dict, "model", "*", NULL)) {
		g_autofree gchar *sub = g_strdup_printf ("%s/model", field);
		pg_required (problems, sub);
	}
	return r;
}

/* The members of a symptom-parser finding (its Parse answer) that a plan may use, and the
 * others it carries, accepted as they are. */
static const gchar *const pg_finding_passthrough[] = { "label_en",
						       "label_zh",
						       "start",
						       "end",
						       "text",
						       "mentions",
						       "spans",
						       "relation",
						       "onset_age",
						       "duration_hours",
						       "laterality",
						       "site",
						       "reaction_code",
						       "reaction_label_en",
						       "reaction_label_zh",
						       "dose_value",
						       "dose_unit",
						       "frequency",
						       "route",
						       "original_value",
						       "original_unit",
						       "interpretation",
						       NULL };
static const gchar *const pg_polarities[] = { "present", "absent", "possible", NULL };
static const gchar *const pg_experiencers[] = { "patient", "family", NULL };
static const gchar *const pg_temporalities[] = { "current", "historical", NULL };

static void
pg_read_finding_member (
	PgFinding *f, const gchar *key, GVariant *value, const gchar *sub, GPtrArray *problems)
{
	if (g_str_equal (key, "kind"))
		f->kind = pg_read_string (value, sub, problems);
	else if (g_str_equal (key, "code"))
		f->code = pg_read_string (value, sub, problems);
	else if (g_str_equal (key, "xrefs"))
		f->xrefs = pg_read_strv (value, sub, problems);
	else if (g_str_equal (key, "polarity"))
		f->polarity = pg_read_enum (value, sub, pg_polarities, problems);
	else if (g_str_equal (key, "experiencer"))
		f->experiencer = pg_read_enum (value, sub, pg_experiencers, problems);
	else if (g_str_equal (key, "temporality"))
		f->temporality = pg_read_enum (value, sub, pg_temporalities, problems);
	else if (g_str_equal (key, "severity"))
		f->severity = pg_read_string (value, sub, problems);
	else if (g_str_equal (key, "status"))
		f->status = pg_read_string (value, sub, problems);
	else if (g_str_equal (key, "value"))
		f->has_value = pg_read_number (value, sub, problems, &f->value);
	else if (g_str_equal (key, "unit"))
		f->unit = pg_read_string (value, sub, problems);
	else if (g_str_equal (key, "date"))
		f->date = pg_read_date (value, sub, problems);
	else if (g_str_equal (key, "recorded_at"))
		f->recorded_at = pg_read_instant (value, sub, problems);
	else if (!g_strv_contains (pg_finding_passthrough, key))
		pg_unknown_member (problems, sub);
}

static PgFinding *
pg_read_finding (GVariant *dict, const gchar *field, GPtrArray *problems)
{
	g_autoptr (GVariantIter) iter = NULL;
	const gchar *key;
	GVariant *value;
	g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
	PgFinding *f = g_new0 (PgFinding, 1);
	static const gchar *const required[] = { "code", "polarity", NULL };

	g_variant_get (dict, "a{sv}", &iter);
	while (g_variant_iter_next (iter, "{&sv}", &key, &value)) {
		g_autofree gchar *sub = g_strdup_printf ("%s/%s", field, key);
		if (pg_duplicate (seen, key, sub, problems)) {
			g_variant_unref (value);
			continue;
		}
		pg_read_finding_member (f, key, value, sub, problems);
		g_variant_unref (value);
	}
	for (guint i = 0; required[i] != NULL; i++) {
		if (!g_variant_lookup (dict, required[i], "*", NULL)) {
			g_autofree gchar *sub = g_strdup_printf ("%s/%s", field, required[i]);
			pg_required (problems, sub);
		}
	}
	return f;
}

static PgCheckin *
pg_read_checkin (GVariant *dict, const gchar *field, GPtrArray *problems)
{
	g_autoptr (GVariantIter) iter = NULL;
	const gchar *key;
	GVariant *value;
	g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
	PgCheckin *c = g_new0 (PgCheckin, 1);

	g_variant_get (dict, "a{sv}", &iter);
	while (g_variant_iter_next (iter, "{&sv}", &key, &value)) {
		g_autofree gchar *sub = g_strdup_printf ("%s/%s", field, key);
		if (pg_duplicate (seen, key, sub, problems)) {
			g_variant_unref (value);
			continue;
		}
		if (g_str_equal (key, "metric"))
			c->metric = pg_read_string (value, sub, problems);
		else if (g_str_equal (key, "value"))
			pg_read_number (value, sub, problems, &c->value);
		else if (g_str_equal (key, "date"))
			c->date = pg_read_date (value, sub, problems);
		else
			pg_unknown_member (problems, sub);
		g_variant_unref (value);
	}
	if (!g_variant_lookup (dict, "metric", "*", NULL)) {
		g_autofree gchar *sub = g_strdup_printf ("%s/metric", field);
		pg_required (problems, sub);
	}
	return c;
}

typedef gpointer (*PgItemReader) (GVariant *dict, const gchar *field, GPtrArray *problems);

static GPtrArray *
pg_read_list (GVariant *v,
	      const gchar *field,
	      PgItemReader reader,
	      GDestroyNotify free_func,
	      GPtrArray *problems)
{
	g_autoptr (GPtrArray) dicts = pg_variant_dicts (v, field, problems);
	GPtrArray *out = g_ptr_array_new_with_free_func (free_func);

	for (guint i = 0; dicts != NULL && i < dicts->len; i++) {
		g_autofree gchar *sub = g_strdup_printf ("%s/%u", field, i);
		g_ptr_array_add (out, reader (g_ptr_array_index (dicts, i), sub, problems));
	}
	return out;
}

static const gchar *const pg_languages[] = { "en", "zh", NULL };
static const gchar *const pg_sexes[] = { "female", "male", "other", "unknown", NULL };
static const gchar *const pg_mobilities[] = { "full", "limited", "wheelchair", "bedbound", NULL };
static const gchar *const pg_bmi_standards[] = { "who", "china", NULL };
static const gchar *const pg_smoking[] = { "current", "former", "never", "unknown", NULL };

static void
pg_read_scalar_member (
	PgContext *ctx, const gchar *key, GVariant *value, const gchar *sub, GPtrArray *problems)
{
	gdouble n = 0;

	if (g_str_equal (key, "today")) {
		ctx->today = pg_read_date (value, sub, problems);
	} else if (g_str_equal (key, "language")) {
		g_autofree gchar *s = pg_read_enum (value, sub, pg_languages, problems);
		ctx->lang = g_strcmp0 (s, "zh") == 0 ? PG_LANG_ZH : PG_LANG_EN;
	} else if (g_str_equal (key, "age_years")) {
		ctx->has_age = pg_read_number (value, sub, problems, &ctx->age_years);
		if (ctx->has_age && (ctx->age_years < 0 || ctx->age_years > 130)) {
			pg_problem_add (problems, sub, "out-of-range", "must be between 0 and 130",
					"应在 0 到 130 之间");
			ctx->has_age = FALSE;
		}
	} else if (g_str_equal (key, "sex")) {
		ctx->sex = pg_read_enum (value, sub, pg_sexes, problems);
	} else if (g_str_equal (key, "pregnant")) {
		GVariant *b = pg_variant_unbox (value);
		if (!g_variant_is_of_type (b, G_VARIANT_TYPE_BOOLEAN))
			pg_wrong_type (problems, sub, "true or false", "true 或 false");
		else
			ctx->pregnant = g_variant_get_boolean (b) ? PG_TRI_YES : PG_TRI_NO;
	} else if (g_str_equal (key, "mobility")) {
		ctx->mobility = pg_read_enum (value, sub, pg_mobilities, problems);
	} else if (g_str_equal (key, "minutes_per_day")) {
		if (pg_read_number (value, sub, problems, &n)) {
			if (n != floor (n) || n < 0 || n > 1440)
				pg_problem_add (problems, sub, "out-of-range",
						"must be a whole number of minutes, 0 to 1440",
						"应为 0 到 1440 之间的整数分钟");
			else
				ctx->minutes_per_day = (guint)n;
		}
	} else if (g_str_equal (key, "bmi_standard")) {
		ctx->bmi_standard = pg_read_enum (value, sub, pg_bmi_standards, problems);
	} else if (g_str_equal (key, "smoking")) {
		ctx->smoking = pg_read_enum (value, sub, pg_smoking, problems);
	} else if (g_str_equal (key, "red_flags_cleared_on")) {
		ctx->red_flags_cleared_on = pg_read_date (value, sub, problems);
	} else if (g_str_equal (key, "red_flags_cleared_at")) {
		ctx->red_flags_cleared_at = pg_read_instant (value, sub, problems);
	} else {
		pg_unknown_member (problems, sub);
	}
}

static void
pg_read_member (
	PgContext *ctx, const gchar *key, GVariant *value, const gchar *sub, GPtrArray *problems)
{
	static const struct {
		const gchar *name;
		gsize offset;
		PgItemReader reader;
		GDestroyNotify free_func;
	} lists[] = {
		{ "conditions", G_STRUCT_OFFSET (PgContext, conditions),
		  (PgItemReader)pg_read_coded, (GDestroyNotify)pg_coded_free },
		{ "medications", G_STRUCT_OFFSET (PgContext, medications),
		  (PgItemReader)pg_read_coded, (GDestroyNotify)pg_coded_free },
		{ "measurements", G_STRUCT_OFFSET (PgContext, measurements),
		  (PgItemReader)pg_read_measurement, (GDestroyNotify)pg_measurement_free },
		{ "risks", G_STRUCT_OFFSET (PgContext, risks), (PgItemReader)pg_read_risk,
		  (GDestroyNotify)pg_risk_free },
		{ "findings", G_STRUCT_OFFSET (PgContext, findings), (PgItemReader)pg_read_finding,
		  (GDestroyNotify)pg_finding_free },
		{ "checkins", G_STRUCT_OFFSET (PgContext, checkins), (PgItemReader)pg_read_checkin,
		  (GDestroyNotify)pg_checkin_free },
	};

	for (guint i = 0; i < G_N_ELEMENTS (lists); i++) {
		GPtrArray **slot;
		if (!g_str_equal (key, lists[i].name))
			continue;
		slot = G_STRUCT_MEMBER_P (ctx, lists[i].offset);
		g_clear_pointer (slot, g_ptr_array_unref);
		*slot = pg_read_list (value, sub, lists[i].reader, lists[i].free_func, problems);
		return;
	}
	pg_read_scalar_member (ctx, key, value, sub, problems);
}

PgContext *
pg_context_read (GVariant *dict, const gchar *field, GPtrArray *problems)
{
	g_autoptr (PgContext) ctx = g_new0 (PgContext, 1);
	guint n_before = problems->len;
	GVariantIter iter;
	const gchar *key;
	GVariant *value;
	g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
	gboolean has_language = FALSE;

	ctx->pregnant = PG_TRI_UNKNOWN;
	ctx->minutes_per_day = PG_DEFAULT_MINUTES_PER_DAY;
	g_variant_iter_init (&iter, dict);
	while (g_variant_iter_next (&iter, "{&sv}", &key, &value)) {
		g_autofree gchar *sub = g_strdup_printf ("%s/%s", field, key);
		if (pg_duplicate (seen, key, sub, problems)) {
			g_variant_unref (value);
			continue;
		}
		has_language |= g_str_equal (key, "language");
		pg_read_member (ctx, key, value, sub, problems);
		g_variant_unref (value);
	}
	if (!g_variant_lookup (dict, "today", "*", NULL)) {
		g_autofree gchar *sub = g_strdup_printf ("%s/today", field);
		pg_required (problems, sub);
	}
	if (!has_language) {
		g_autofree gchar *sub = g_strdup_printf ("%s/language", field);
		pg_required (problems, sub);
	}
	if (problems->len > n_before)
		return NULL;
	/* WS/T 428-2013 cut-offs for a Chinese-speaking patient unless the caller says */
	if (ctx->bmi_standard == NULL)
		ctx->bmi_standard = g_strdup (ctx->lang == PG_LANG_ZH ? "china" : "who");
	if (ctx->mobility == NULL)
		ctx->mobility = g_strdup ("full");
	for (guint i = 0; i < 6; i++) {
		GPtrArray **lists[] = { &ctx->conditions, &ctx->medications, &ctx->measurements,
					&ctx->risks,	  &ctx->findings,    &ctx->checkins };
		if (*lists[i] == NULL)
			*lists[i] = g_ptr_array_new ();
	}
	return g_steal_pointer (&ctx);
}

static gboolean
pg_code_is (const gchar *code, const gchar *wanted)
{
	return g_strcmp0 (code, wanted) == 0;
}

gboolean
pg_after_clearing (const gchar *date, const gchar *recorded_at, const gchar *cleared)
{
	g_autoptr (GDateTime) at = NULL;
	g_autoptr (GDateTime) item = NULL;

	if (cleared == NULL)
		return TRUE;
	if (strlen (cleared) == 10) /* a date */
		return date == NULL || strcmp (date, cleared) > 0;
	at = g_date_time_new_from_iso8601 (cleared, NULL);
	item = recorded_at != NULL ? g_date_time_new_from_iso8601 (recorded_at, NULL) : NULL;
	if (at != NULL && item != NULL)
		return g_date_time_compare (item, at) > 0;
	/* no time to compare: a later day than the clearing's own (the instant's date is the
	 * patient's, as the daemon gives it in the patient's offset) */
	return date == NULL || strncmp (date, cleared, 10) > 0;
}

gboolean
pg_context_measurement (const PgContext *ctx, const gchar *code, const gchar *after, gdouble *out)
{
	const gchar *best_date = NULL;
	gboolean found = FALSE;

	for (guint i = 0; i < ctx->measurements->len; i++) {
		const PgMeasurement *m = g_ptr_array_index (ctx->measurements, i);
		const gchar *date = m->date != NULL ? m->date : "";
		if (!pg_code_is (m->code, code))
			continue;
		if (!pg_after_clearing (m->date, m->recorded_at, after))
			continue;
		if (!found || strcmp (date, best_date) > 0) {
			*out = m->value;
			best_date = date;
			found = TRUE;
		}
	}
	/* a value stated in a note counts as a reading when it is the patient's own, now */
	for (guint i = 0; i < ctx->findings->len; i++) {
		const PgFinding *f = g_ptr_array_index (ctx->findings, i);
		const gchar *date = f->date != NULL ? f->date : "";
		if (!pg_code_is (f->code, code) || !f->has_value
		    || g_strcmp0 (f->polarity, "present") != 0
		    || g_strcmp0 (f->experiencer, "family") == 0
		    || g_strcmp0 (f->temporality, "historical") == 0)
			continue;
		if (!pg_after_clearing (f->date, f->recorded_at, after))
			continue;
		if (!found || strcmp (date, best_date) > 0) {
			*out = f->value;
			best_date = date;
			found = TRUE;
		}
	}
	return found;
}

gboolean
pg_context_bmi (const PgContext *ctx, gdouble *out)
{
	gdouble w, h;

	if (pg_context_measurement (ctx, "LOINC:39156-5", NULL, out))
		return TRUE;
	if (!pg_context_measurement (ctx, "LOINC:29463-7", NULL, &w)
	    || !pg_context_measurement (ctx, "LOINC:8302-2", NULL, &h) || h < 50 || w <= 0)
		return FALSE;
	/* heights are cm (UCUM canonical of the parser), weights kg */
	*out = w / ((h / 100) * (h / 100));
	return TRUE;
}
