/*
 * plan-generator core — the predicate language of a rule's "when" (README, "Rule language"):
 * its parser, with the checks every part of a rule file shares, and its evaluator.
 *
 * Evaluation is three-valued for findings: a finding the note calls possible ("? chest pain")
 * makes a predicate possibly true, so a red flag raised by it is worded as possible rather
 * than dropped.  Absent (negated), family and historical findings are never seen.
 */
#define G_LOG_DOMAIN "plan-generator"

#include "pg-load.h"

#include <math.h>
#include <string.h>

#define PG_PRED_MAX_DEPTH 16

void
pg_load_add (PgLoad *l, gconstpointer where, const gchar *path, const gchar *format, ...)
{
	va_list args;
	g_autofree gchar *msg = NULL;
	guint line = where != NULL ? GPOINTER_TO_UINT (g_hash_table_lookup (l->lines, where)) : 0;

	va_start (args, format);
	msg = g_strdup_vprintf (format, args);
	va_end (args);
	if (line > 0)
		g_ptr_array_add (l->problems,
				 g_strdup_printf ("%s:%u: %s: %s", l->name, line, path, msg));
	else
		g_ptr_array_add (l->problems, g_strdup_printf ("%s: %s: %s", l->name, path, msg));
}

JsonNode *
pg_load_member (JsonObject *obj, const gchar *name)
{
	return json_object_has_member (obj, name) ? json_object_get_member (obj, name) : NULL;
}

gboolean
pg_node_is_number (JsonNode *node)
{
	GType t;

	if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
		return FALSE;
	t = json_node_get_value_type (node);
	return (t == G_TYPE_INT64 || t == G_TYPE_DOUBLE) && isfinite (json_node_get_double (node));
}

gboolean
pg_node_is_string (JsonNode *node)
{
	return node != NULL && JSON_NODE_HOLDS_VALUE (node)
	       && json_node_get_value_type (node) == G_TYPE_STRING;
}

gboolean
pg_node_is_boolean (JsonNode *node)
{
	return node != NULL && JSON_NODE_HOLDS_VALUE (node)
	       && json_node_get_value_type (node) == G_TYPE_BOOLEAN;
}

/* a misspelt member ("ceilng") must not load as a rule without it */
void
pg_load_members (PgLoad *l, JsonObject *obj, const gchar *path, const gchar *const *allowed)
{
	g_autoptr (GList) names = json_object_get_members (obj);

	for (GList *n = names; n != NULL; n = n->next) {
		if (!g_strv_contains (allowed, n->data))
			pg_load_add (l, obj, path, "unknown member \"%s\"", (const gchar *)n->data);
	}
}

const gchar *
pg_load_string (PgLoad *l, JsonObject *obj, const gchar *path, const gchar *name, gboolean required)
{
	JsonNode *node = pg_load_member (obj, name);

	if (node == NULL) {
		if (required)
			pg_load_add (l, obj, path, "missing member \"%s\"", name);
		return NULL;
	}
	if (!pg_node_is_string (node) || json_node_get_string (node)[0] == '\0') {
		pg_load_add (l, obj, path, "\"%s\" must be a non-empty string", name);
		return NULL;
	}
	return json_node_get_string (node);
}

gboolean
pg_load_number (PgLoad *l,
		JsonObject *obj,
		const gchar *path,
		const gchar *name,
		gboolean required,
		gdouble *out)
{
	JsonNode *node = pg_load_member (obj, name);

	if (node == NULL) {
		if (required)
			pg_load_add (l, obj, path, "missing member \"%s\"", name);
		return FALSE;
	}
	if (!pg_node_is_number (node)) {
		pg_load_add (l, obj, path, "\"%s\" must be a finite number", name);
		return FALSE;
	}
	*out = json_node_get_double (node);
	return TRUE;
}

JsonObject *
pg_load_object (PgLoad *l, JsonObject *parent, JsonNode *node, const gchar *path)
{
	if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node)) {
		pg_load_add (l, parent, path, "must be an object");
		return NULL;
	}
	return json_node_get_object (node);
}

JsonArray *
pg_load_array (PgLoad *l, JsonObject *obj, const gchar *path, const gchar *name, gboolean required)
{
	JsonNode *node = pg_load_member (obj, name);

	if (node == NULL) {
		if (required)
			pg_load_add (l, obj, path, "missing member \"%s\"", name);
		return NULL;
	}
	if (!JSON_NODE_HOLDS_ARRAY (node)) {
		pg_load_add (l, obj, path, "\"%s\" must be an array", name);
		return NULL;
	}
	return json_node_get_array (node);
}

/* a non-empty list of non-empty strings, each in @allowed when given; @obj gives the line */
gchar **
pg_load_strv_node (
	PgLoad *l, JsonObject *obj, const gchar *path, JsonNode *node, const gchar *const *allowed)
{
	g_autoptr (GStrvBuilder) b = g_strv_builder_new ();
	gboolean ok = TRUE;
	JsonArray *a;

	if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node)
	    || json_array_get_length (json_node_get_array (node)) == 0) {
		pg_load_add (l, obj, path, "must be a non-empty array of strings");
		return NULL;
	}
	a = json_node_get_array (node);
	for (guint i = 0; i < json_array_get_length (a); i++) {
		JsonNode *n = json_array_get_element (a, i);
		const gchar *s = pg_node_is_string (n) ? json_node_get_string (n) : NULL;
		if (s == NULL || s[0] == '\0') {
			pg_load_add (l, obj, path, "[%u] must be a non-empty string", i);
			ok = FALSE;
		} else if (allowed != NULL && !g_strv_contains (allowed, s)) {
			g_autofree gchar *list = g_strjoinv (", ", (gchar **)allowed);
			pg_load_add (l, obj, path, "[%u] must be one of %s", i, list);
			ok = FALSE;
		} else {
			g_strv_builder_add (b, s);
		}
	}
	return ok ? g_strv_builder_end (b) : NULL;
}

gchar **
pg_load_strv (PgLoad *l,
	      JsonObject *obj,
	      const gchar *path,
	      const gchar *name,
	      gboolean required,
	      const gchar *const *allowed)
{
	JsonNode *node = pg_load_member (obj, name);
	g_autofree gchar *sub = g_strdup_printf ("%s/%s", path, name);

	if (node == NULL) {
		if (required)
			pg_load_add (l, obj, path, "missing member \"%s\"", name);
		return NULL;
	}
	return pg_load_strv_node (l, obj, sub, node, allowed);
}

/* {"min": inclusive, "below": exclusive}, at least one */
gboolean
pg_load_range (PgLoad *l, JsonObject *obj, const gchar *path, PgRange *out)
{
	out->has_min = pg_load_number (l, obj, path, "min", FALSE, &out->min);
	out->has_below = pg_load_number (l, obj, path, "below", FALSE, &out->below);
	if (!out->has_min && !out->has_below) {
		pg_load_add (l, obj, path, "needs \"min\" or \"below\"");
		return FALSE;
	}
	if (out->has_min && out->has_below && !(out->min < out->below)) {
		pg_load_add (l, obj, path, "\"min\" must be below \"below\"");
		return FALSE;
	}
	return TRUE;
}

void
pg_pred_free (PgPred *p)
{
	if (p == NULL)
		return;
	g_clear_pointer (&p->children, g_ptr_array_unref);
	g_strfreev (p->values);
	g_strfreev (p->categories);
	g_free (p->code);
	g_free (p);
}

static const struct {
	const gchar *name;
	PgPredKind kind;
} pg_pred_names[] = {
	{ "all", PG_PRED_ALL },
	{ "any", PG_PRED_ANY },
	{ "not", PG_PRED_NOT },
	{ "age", PG_PRED_AGE },
	{ "sex", PG_PRED_SEX },
	{ "pregnant", PG_PRED_PREGNANT },
	{ "mobility", PG_PRED_MOBILITY },
	{ "smoking", PG_PRED_SMOKING },
	{ "condition", PG_PRED_CONDITION },
	{ "medication", PG_PRED_MEDICATION },
	{ "measurement", PG_PRED_MEASUREMENT },
	{ "bmi", PG_PRED_BMI },
	{ "bmi_standard", PG_PRED_BMI_STANDARD },
	{ "risk", PG_PRED_RISK },
	{ "finding", PG_PRED_FINDING },
};

static gboolean
pg_pred_parse_list (
	PgLoad *l, PgPred *p, JsonObject *obj, JsonNode *arg, const gchar *path, guint depth)
{
	JsonArray *a;
	gboolean ok = TRUE;

	if (!JSON_NODE_HOLDS_ARRAY (arg)
	    || json_array_get_length (json_node_get_array (arg)) == 0) {
		pg_load_add (l, obj, path, "must be a non-empty array of predicates");
		return FALSE;
	}
	a = json_node_get_array (arg);
	p->children = g_ptr_array_new_with_free_func ((GDestroyNotify)pg_pred_free);
	for (guint i = 0; i < json_array_get_length (a); i++) {
		g_autofree gchar *sub = g_strdup_printf ("%s/%u", path, i);
		PgPred *child
			= pg_pred_parse (l, obj, json_array_get_element (a, i), sub, depth + 1);
		if (child == NULL)
			ok = FALSE;
		else
			g_ptr_array_add (p->children, child);
	}
	return ok;
}

static gboolean
pg_pred_parse_codes (PgLoad *l, PgPred *p, JsonObject *obj, JsonNode *arg, const gchar *path)
{
	p->values = pg_load_strv_node (l, obj, path, arg, NULL);
	for (guint i = 0; p->values != NULL && p->values[i] != NULL; i++) {
		if (strchr (p->values[i], ':') == NULL) {
			pg_load_add (l, obj, path, "code prefix \"%s\" has no system (\"ICD10:\")",
				     p->values[i]);
			return FALSE;
		}
	}
	return p->values != NULL;
}

static gboolean
pg_pred_parse_enum (PgLoad *l,
		    PgPred *p,
		    JsonObject *obj,
		    JsonNode *arg,
		    const gchar *path,
		    const gchar *const *allowed)
{
	p->values = pg_load_strv_node (l, obj, path, arg, allowed);
	return p->values != NULL;
}

static gboolean
pg_pred_parse_object (PgLoad *l, PgPred *p, JsonObject *obj, JsonNode *arg, const gchar *path)
{
	static const gchar *const m_allowed[] = { "code", "min", "below", NULL };
	static const gchar *const r_allowed[] = { "model", "category", "min", "below", NULL };
	static const gchar *const f_allowed[] = { "code", "severity", "min", "below", NULL };
	static const gchar *const b_allowed[] = { "who", "china", NULL };
	JsonObject *o = pg_load_object (l, obj, arg, path);
	guint before = l->problems->len;

	if (o == NULL)
		return FALSE;
	switch (p->kind) {
	case PG_PRED_AGE:
		pg_load_members (l, o, path, m_allowed + 1);
		pg_load_range (l, o, path, &p->range);
		break;
	case PG_PRED_MEASUREMENT:
		pg_load_members (l, o, path, m_allowed);
		p->code = g_strdup (pg_load_string (l, o, path, "code", TRUE));
		pg_load_range (l, o, path, &p->range);
		break;
	case PG_PRED_RISK:
		pg_load_members (l, o, path, r_allowed);
		p->values = pg_load_strv (l, o, path, "model", TRUE, NULL);
		p->categories = pg_load_strv (l, o, path, "category", FALSE, NULL);
		if (p->categories == NULL && json_object_has_member (o, "min"))
			pg_load_range (l, o, path, &p->range);
		else if (p->categories == NULL)
			pg_load_add (l, o, path, "needs \"category\" or a probability \"min\"");
		break;
	case PG_PRED_FINDING:
		pg_load_members (l, o, path, f_allowed);
		p->values = pg_load_strv (l, o, path, "code", TRUE, NULL);
		p->categories = pg_load_strv (l, o, path, "severity", FALSE, NULL);
		if (json_object_has_member (o, "min") || json_object_has_member (o, "below"))
			pg_load_range (l, o, path, &p->range);
		break;
	case PG_PRED_BMI: {
		JsonObject *who, *china;
		g_autofree gchar *wp = g_strdup_printf ("%s/who", path);
		g_autofree gchar *cp = g_strdup_printf ("%s/china", path);
		pg_load_members (l, o, path, b_allowed);
		who = pg_load_object (l, o, pg_load_member (o, "who"), wp);
		china = pg_load_object (l, o, pg_load_member (o, "china"), cp);
		if (who != NULL) {
			pg_load_members (l, who, wp, m_allowed + 1);
			pg_load_range (l, who, wp, &p->who);
		}
		if (china != NULL) {
			pg_load_members (l, china, cp, m_allowed + 1);
			pg_load_range (l, china, cp, &p->china);
		}
		break;
	}
	default:
		g_assert_not_reached ();
	}
	return l->problems->len == before;
}

PgPred *
pg_pred_parse (PgLoad *l, JsonObject *parent, JsonNode *node, const gchar *path, guint depth)
{
	static const gchar *const sexes[] = { "female", "male", "other", "unknown", NULL };
	static const gchar *const mobilities[]
		= { "full", "limited", "wheelchair", "bedbound", NULL };
	static const gchar *const smoking[] = { "current", "former", "never", "unknown", NULL };
	static const gchar *const standards[] = { "who", "china", NULL };
	g_autoptr (GList) names = NULL;
	JsonObject *obj = pg_load_object (l, parent, node, path);
	g_autofree gchar *sub = NULL;
	JsonNode *arg;
	PgPred *p;
	gboolean ok = FALSE;
	gint found = -1;

	if (obj == NULL)
		return NULL;
	if (depth > PG_PRED_MAX_DEPTH) {
		pg_load_add (l, obj, path, "predicates nest deeper than %d", PG_PRED_MAX_DEPTH);
		return NULL;
	}
	names = json_object_get_members (obj);
	if (g_list_length (names) != 1) {
		pg_load_add (l, obj, path, "a predicate has exactly one member (its operator)");
		return NULL;
	}
	for (guint i = 0; i < G_N_ELEMENTS (pg_pred_names); i++) {
		if (g_str_equal (names->data, pg_pred_names[i].name))
			found = (gint)i;
	}
	if (found < 0) {
		pg_load_add (l, obj, path, "unknown predicate \"%s\"", (const gchar *)names->data);
		return NULL;
	}
	sub = g_strdup_printf ("%s/%s", path, (const gchar *)names->data);
	arg = json_object_get_member (obj, names->data);
	p = g_new0 (PgPred, 1);
	p->kind = pg_pred_names[found].kind;
	switch (p->kind) {
	case PG_PRED_ALL:
	case PG_PRED_ANY:
		ok = pg_pred_parse_list (l, p, obj, arg, sub, depth);
		break;
	case PG_PRED_NOT: {
		PgPred *child = pg_pred_parse (l, obj, arg, sub, depth + 1);
		ok = child != NULL;
		p->children = g_ptr_array_new_with_free_func ((GDestroyNotify)pg_pred_free);
		if (child != NULL)
			g_ptr_array_add (p->children, child);
		break;
	}
	case PG_PRED_PREGNANT:
		ok = pg_node_is_boolean (arg);
		if (ok)
			p->flag = json_node_get_boolean (arg);
		else
			pg_load_add (l, obj, sub, "must be true or false");
		break;
	case PG_PRED_SEX:
		ok = pg_pred_parse_enum (l, p, obj, arg, sub, sexes);
		break;
	case PG_PRED_MOBILITY:
		ok = pg_pred_parse_enum (l, p, obj, arg, sub, mobilities);
		break;
	case PG_PRED_SMOKING:
		ok = pg_pred_parse_enum (l, p, obj, arg, sub, smoking);
		break;
	case PG_PRED_BMI_STANDARD:
		ok = pg_pred_parse_enum (l, p, obj, arg, sub, standards);
		break;
	case PG_PRED_CONDITION:
	case PG_PRED_MEDICATION:
		ok = pg_pred_parse_codes (l, p, obj, arg, sub);
		break;
	default:
		ok = pg_pred_parse_object (l, p, obj, arg, sub);
		break;
	}
	if (!ok) {
		pg_pred_free (p);
		return NULL;
	}
	return p;
}

/* evaluation */

static gboolean
pg_range_holds (const PgRange *r, gdouble v)
{
	return (!r->has_min || v >= r->min) && (!r->has_below || v < r->below);
}

static gboolean
pg_prefix_any (const gchar *code, gchar **prefixes)
{
	for (guint i = 0; code != NULL && prefixes[i] != NULL; i++) {
		if (g_str_has_prefix (code, prefixes[i]))
			return TRUE;
	}
	return FALSE;
}

static gboolean
pg_finding_codes_match (const PgFinding *f, gchar **prefixes)
{
	if (pg_prefix_any (f->code, prefixes))
		return TRUE;
	for (guint i = 0; f->xrefs != NULL && f->xrefs[i] != NULL; i++) {
		if (pg_prefix_any (f->xrefs[i], prefixes))
			return TRUE;
	}
	return FALSE;
}

/* the patient's own, current finding, not negated, not cleared by a clinician */
static gboolean
pg_finding_counts (const PgFinding *f, const gchar *cleared_on)
{
	if (g_strcmp0 (f->polarity, "absent") == 0 || g_strcmp0 (f->experiencer, "family") == 0
	    || g_strcmp0 (f->temporality, "historical") == 0)
		return FALSE;
	return pg_after_clearing (f->date, f->recorded_at, cleared_on);
}

static PgMatch
pg_eval_finding (const PgPred *p, const PgContext *ctx, const gchar *cleared_on, GPtrArray *codes)
{
	PgMatch best = PG_MATCH_NO;

	for (guint i = 0; i < ctx->findings->len; i++) {
		const PgFinding *f = g_ptr_array_index (ctx->findings, i);
		PgMatch m;
		if (!pg_finding_counts (f, cleared_on) || !pg_finding_codes_match (f, p->values))
			continue;
		if (p->categories != NULL
		    && (f->severity == NULL
			|| !g_strv_contains ((const gchar *const *)p->categories, f->severity)))
			continue;
		if ((p->range.has_min || p->range.has_below)
		    && (!f->has_value || !pg_range_holds (&p->range, f->value)))
			continue;
		m = g_strcmp0 (f->polarity, "possible") == 0 ? PG_MATCH_POSSIBLE : PG_MATCH_YES;
		if (codes != NULL && f->code != NULL
		    && !g_ptr_array_find_with_equal_func (codes, f->code, g_str_equal, NULL))
			g_ptr_array_add (codes, g_strdup (f->code));
		best = MAX (best, m);
	}
	return best;
}

/* an active (or not stated) condition in the record, or one the patient's note states */
static gboolean
pg_eval_condition (const PgPred *p, const PgContext *ctx, GPtrArray *list, gboolean from_findings)
{
	for (guint i = 0; i < list->len; i++) {
		const PgCoded *c = g_ptr_array_index (list, i);
		if (g_strcmp0 (c->status, "resolved") != 0 && pg_prefix_any (c->code, p->values))
			return TRUE;
	}
	for (guint i = 0; from_findings && i < ctx->findings->len; i++) {
		const PgFinding *f = g_ptr_array_index (ctx->findings, i);
		if (g_strcmp0 (f->kind, "condition") == 0 && g_strcmp0 (f->polarity, "present") == 0
		    && pg_finding_counts (f, NULL) && g_strcmp0 (f->status, "resolved") != 0
		    && pg_finding_codes_match (f, p->values))
			return TRUE;
	}
	return FALSE;
}

static gboolean
pg_eval_risk (const PgPred *p, const PgContext *ctx)
{
	for (guint i = 0; i < ctx->risks->len; i++) {
		const PgRisk *r = g_ptr_array_index (ctx->risks, i);
		if (!pg_prefix_any (r->model, p->values))
			continue;
		if (p->categories != NULL && r->category != NULL
		    && g_strv_contains ((const gchar *const *)p->categories, r->category))
			return TRUE;
		if (p->categories == NULL && r->has_probability
		    && pg_range_holds (&p->range, r->probability))
			return TRUE;
	}
	return FALSE;
}

static gboolean
pg_in (const gchar *value, gchar **values)
{
	return value != NULL && g_strv_contains ((const gchar *const *)values, value);
}

static PgMatch
pg_bool (gboolean b)
{
	return b ? PG_MATCH_YES : PG_MATCH_NO;
}

static PgMatch
pg_eval_children (const PgPred *p, const PgContext *ctx, const gchar *cleared_on, GPtrArray *codes)
{
	gboolean all = p->kind == PG_PRED_ALL;
	PgMatch acc = all ? PG_MATCH_YES : PG_MATCH_NO;
	g_autoptr (GPtrArray) mine = g_ptr_array_new_with_free_func (g_free);

	for (guint i = 0; i < p->children->len; i++) {
		g_autoptr (GPtrArray) sub = g_ptr_array_new_with_free_func (g_free);
		PgMatch m = pg_pred_eval (g_ptr_array_index (p->children, i), ctx, cleared_on, sub);
		acc = all ? MIN (acc, m) : MAX (acc, m);
		/* only the branches that hold name the findings that raised the result */
		for (guint j = 0; m != PG_MATCH_NO && j < sub->len; j++)
			g_ptr_array_add (mine, g_strdup (g_ptr_array_index (sub, j)));
	}
	for (guint j = 0; codes != NULL && acc != PG_MATCH_NO && j < mine->len; j++) {
		if (!g_ptr_array_find_with_equal_func (codes, g_ptr_array_index (mine, j),
						       g_str_equal, NULL))
			g_ptr_array_add (codes, g_strdup (g_ptr_array_index (mine, j)));
	}
	return acc;
}

PgMatch
pg_pred_eval (const PgPred *p, const PgContext *ctx, const gchar *cleared_on, GPtrArray *codes)
{
	gdouble v = 0;

	switch (p->kind) {
	case PG_PRED_ALL:
	case PG_PRED_ANY:
		return pg_eval_children (p, ctx, cleared_on, codes);
	case PG_PRED_NOT:
		/* "not possibly X" is not known to hold: only a clear no is negated */
		return pg_bool (
			pg_pred_eval (g_ptr_array_index (p->children, 0), ctx, cleared_on, NULL)
			== PG_MATCH_NO);
	case PG_PRED_AGE:
		return pg_bool (ctx->has_age && pg_range_holds (&p->range, ctx->age_years));
	case PG_PRED_SEX:
		return pg_bool (pg_in (ctx->sex, p->values));
	case PG_PRED_PREGNANT:
		return pg_bool ((ctx->pregnant == PG_TRI_YES) == p->flag);
	case PG_PRED_MOBILITY:
		return pg_bool (pg_in (ctx->mobility, p->values));
	case PG_PRED_SMOKING:
		return pg_bool (pg_in (ctx->smoking, p->values));
	case PG_PRED_BMI_STANDARD:
		return pg_bool (pg_in (ctx->bmi_standard, p->values));
	case PG_PRED_CONDITION:
		return pg_bool (pg_eval_condition (p, ctx, ctx->conditions, TRUE));
	case PG_PRED_MEDICATION:
		return pg_bool (pg_eval_condition (p, ctx, ctx->medications, FALSE));
	case PG_PRED_MEASUREMENT:
		return pg_bool (pg_context_measurement (ctx, p->code, cleared_on, &v)
				&& pg_range_holds (&p->range, v));
	case PG_PRED_BMI:
		return pg_bool (pg_context_bmi (ctx, &v)
				&& pg_range_holds (g_strcmp0 (ctx->bmi_standard, "china") == 0
							   ? &p->china
							   : &p->who,
						   v));
	case PG_PRED_RISK:
		return pg_bool (pg_eval_risk (p, ctx));
	case PG_PRED_FINDING:
		return pg_eval_finding (p, ctx, cleared_on, codes);
	}
	return PG_MATCH_NO;
}
