/*
 * The evaluator's core: reading gold and predicted findings, and matching them (eval-core.h).
 */
#define G_LOG_DOMAIN "evaluate"

#include "eval-core.h"

#include <math.h>
#include <string.h>

G_DEFINE_QUARK (ev - error - quark, ev_error)

const gchar *const ev_kind_names[EV_N_KINDS]
	= { "symptom", "condition", "allergy", "medication", "measurement", "score" };
const gchar *const ev_ctx_names[EV_N_CTX] = { "polarity", "experiencer", "temporality", "status" };
const gchar *const ev_attr_names[EV_N_ATTRS] = {
	"duration_hours", "severity",  "laterality", "site",	       "relation",
	"onset_age",	  "value",     "unit",	     "interpretation", "dose_value",
	"dose_unit",	  "frequency", "route",	     "reaction",
};

/* the values a context may take; the first is the default when a finding does not say */
static const gchar *const ctx_values[EV_N_CTX][4] = {
	{ "present", "absent", "possible", NULL },
	{ "patient", "family", NULL },
	{ "current", "historical", NULL },
	{ "active", "resolved", "unknown", NULL },
};

static gboolean
attr_is_numeric (EvAttr a)
{
	return a == EV_ATTR_DURATION || a == EV_ATTR_ONSET_AGE || a == EV_ATTR_VALUE
	       || a == EV_ATTR_DOSE_VALUE;
}

gboolean
ev_kind_from_string (const gchar *name, EvKind *kind)
{
	for (guint k = 0; k < EV_N_KINDS; k++) {
		if (g_strcmp0 (name, ev_kind_names[k]) == 0) {
			*kind = k;
			return TRUE;
		}
	}
	return FALSE;
}

gint
ev_attr_from_string (const gchar *name)
{
	for (guint a = 0; a < EV_N_ATTRS; a++) {
		if (g_strcmp0 (name, ev_attr_names[a]) == 0)
			return (gint)a;
	}
	return -1;
}

EvFinding *
ev_finding_new (EvKind kind)
{
	EvFinding *f = g_new0 (EvFinding, 1);
	f->kind = kind;
	f->spans = g_array_new (FALSE, FALSE, sizeof (guint32));
	f->mentions = 1;
	f->ctx[EV_CTX_POLARITY] = g_strdup ("present");
	f->ctx[EV_CTX_EXPERIENCER] = g_strdup ("patient");
	f->ctx[EV_CTX_TEMPORALITY] = g_strdup ("current");
	return f;
}

void
ev_finding_free (EvFinding *f)
{
	if (f == NULL)
		return;
	g_strfreev (f->codes);
	g_free (f->label);
	g_free (f->text);
	g_array_unref (f->spans);
	for (guint i = 0; i < EV_N_CTX; i++)
		g_free (f->ctx[i]);
	for (guint i = 0; i < EV_N_ATTRS; i++)
		g_free (f->attr[i]);
	g_strfreev (f->reaction);
	g_free (f);
}

void
ev_finding_add_span (EvFinding *f, guint32 start, guint32 end)
{
	g_array_append_val (f->spans, start);
	g_array_append_val (f->spans, end);
}

void
ev_finding_set_attr (EvFinding *f, EvAttr attr, const gchar *value)
{
	g_free (f->attr[attr]);
	f->attr[attr] = g_strdup (value);
}

void
ev_finding_set_num (EvFinding *f, EvAttr attr, gdouble value)
{
	g_free (f->attr[attr]);
	f->attr[attr] = g_strdup_printf ("%g", value);
	f->num[attr] = value;
}

void
ev_stats_add (EvStats *a, const EvStats *b)
{
	a->n_sentences += b->n_sentences;
	for (guint k = 0; k < EV_N_KINDS; k++) {
		a->gold[k] += b->gold[k];
		a->tp_gold[k] += b->tp_gold[k];
		a->pred[k] += b->pred[k];
		a->tp_pred[k] += b->tp_pred[k];
		a->ignored[k] += b->ignored[k];
	}
	a->unannotated += b->unannotated;
	a->match_polarity += b->match_polarity;
	a->match_context += b->match_context;
	for (guint c = 0; c < EV_N_CTX; c++) {
		a->ctx_n[c] += b->ctx_n[c];
		a->ctx_ok[c] += b->ctx_ok[c];
	}
	a->negation.tp += b->negation.tp;
	a->negation.fp += b->negation.fp;
	a->negation.fn += b->negation.fn;
	for (guint i = 0; i < EV_N_ATTRS; i++) {
		a->attr[i].tp += b->attr[i].tp;
		a->attr[i].fp += b->attr[i].fp;
		a->attr[i].fn += b->attr[i].fn;
	}
	a->cross_kind += b->cross_kind;
}

/* ---- reading ---- */

static gboolean
json_get_string_member (JsonObject *o, const gchar *name, const gchar **out, GError **error)
{
	JsonNode *node = json_object_get_member (o, name);

	*out = NULL;
	if (node == NULL || JSON_NODE_HOLDS_NULL (node))
		return TRUE;
	if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING) {
		g_set_error (error, EV_ERROR, 0, "`%s` must be a string", name);
		return FALSE;
	}
	*out = json_node_get_string (node);
	return TRUE;
}

static gboolean
json_get_number_member (
	JsonObject *o, const gchar *name, gdouble *out, gboolean *has, GError **error)
{
	JsonNode *node = json_object_get_member (o, name);
	GType type;

	*has = FALSE;
	if (node == NULL || JSON_NODE_HOLDS_NULL (node))
		return TRUE;
	type = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_INVALID;
	if (type != G_TYPE_INT64 && type != G_TYPE_DOUBLE) {
		g_set_error (error, EV_ERROR, 0, "`%s` must be a number", name);
		return FALSE;
	}
	*out = type == G_TYPE_INT64 ? (gdouble)json_node_get_int (node)
				    : json_node_get_double (node);
	*has = TRUE;
	return TRUE;
}

/* A string array member as a NULL-terminated vector (empty when absent). */
static gchar **
json_get_strv_member (JsonObject *o, const gchar *name, GError **error)
{
	JsonNode *node = json_object_get_member (o, name);
	g_autoptr (GStrvBuilder) b = g_strv_builder_new ();
	JsonArray *array;

	if (node == NULL || JSON_NODE_HOLDS_NULL (node))
		return g_strv_builder_end (b);
	if (!JSON_NODE_HOLDS_ARRAY (node)) {
		g_set_error (error, EV_ERROR, 0, "`%s` must be an array of strings", name);
		return NULL;
	}
	array = json_node_get_array (node);
	for (guint i = 0; i < json_array_get_length (array); i++) {
		JsonNode *e = json_array_get_element (array, i);
		if (!JSON_NODE_HOLDS_VALUE (e) || json_node_get_value_type (e) != G_TYPE_STRING) {
			g_set_error (error, EV_ERROR, 0, "`%s` must be an array of strings", name);
			return NULL;
		}
		g_strv_builder_add (b, json_node_get_string (e));
	}
	return g_strv_builder_end (b);
}

static gboolean
read_context (EvFinding *f, JsonObject *o, GError **error)
{
	for (guint c = 0; c < EV_N_CTX; c++) {
		const gchar *v;
		if (!json_get_string_member (o, ev_ctx_names[c], &v, error))
			return FALSE;
		if (v == NULL)
			continue;
		if (!g_strv_contains (ctx_values[c], v)) {
			g_set_error (error, EV_ERROR, 0, "`%s` cannot be \"%s\"", ev_ctx_names[c],
				     v);
			return FALSE;
		}
		g_free (f->ctx[c]);
		f->ctx[c] = g_strdup (v);
	}
	return TRUE;
}

/* The attributes common to both shapes (the reaction differs: see the callers). */
static gboolean
read_attributes (EvFinding *f, JsonObject *o, GError **error)
{
	for (guint a = 0; a < EV_N_ATTRS; a++) {
		if (a == EV_ATTR_REACTION)
			continue;
		if (attr_is_numeric (a)) {
			gdouble v = 0;
			gboolean has;
			if (!json_get_number_member (o, ev_attr_names[a], &v, &has, error))
				return FALSE;
			if (has)
				ev_finding_set_num (f, a, v);
		} else {
			const gchar *v;
			if (!json_get_string_member (o, ev_attr_names[a], &v, error))
				return FALSE;
			if (v != NULL)
				ev_finding_set_attr (f, a, v);
		}
	}
	return TRUE;
}

/* Finds the @occurrence-th (1-based, non-overlapping) occurrence of @needle in @text; sets
 * its code-point span and the number of occurrences. */
static gboolean
find_mention (const gchar *text,
	      const gchar *needle,
	      guint occurrence,
	      guint32 *start,
	      guint32 *end,
	      guint *n_found)
{
	gsize nlen = strlen (needle);
	const gchar *p = text;
	const gchar *hit;
	gboolean found = FALSE;

	*n_found = 0;
	while (nlen > 0 && (hit = strstr (p, needle)) != NULL) {
		(*n_found)++;
		if (*n_found == occurrence) {
			*start = (guint32)g_utf8_pointer_to_offset (text, hit);
			*end = *start + (guint32)g_utf8_strlen (needle, (gssize)nlen);
			found = TRUE;
		}
		p = hit + nlen;
	}
	return found;
}

static EvFinding *
gold_blind_from_json (JsonObject *o, const gchar *text, GString *warnings, GError **error)
{
	g_autoptr (EvFinding) f = NULL;
	const gchar *kind_name;
	const gchar *mention;
	const gchar *label;
	gdouble occ = 1;
	gboolean has_occ;
	guint n_found;
	guint32 start = 0;
	guint32 end = 0;
	EvKind kind;

	if (!json_get_string_member (o, "kind", &kind_name, error)
	    || !json_get_string_member (o, "text", &mention, error)
	    || !json_get_string_member (o, "label", &label, error)
	    || !json_get_number_member (o, "occurrence", &occ, &has_occ, error))
		return NULL;
	if (!ev_kind_from_string (kind_name, &kind)) {
		g_set_error (error, EV_ERROR, 0, "unknown or missing `kind` \"%s\"",
			     kind_name ? kind_name : "");
		return NULL;
	}
	if (mention == NULL || mention[0] == '\0') {
		g_set_error (error, EV_ERROR, 0, "a blind finding needs a non-empty `text`");
		return NULL;
	}
	if (!find_mention (text, mention, has_occ ? (guint)occ : 1, &start, &end, &n_found)) {
		g_set_error (error, EV_ERROR, 0,
			     "`text` \"%s\" (occurrence %g) is not in the sentence", mention, occ);
		return NULL;
	}
	if (n_found > 1 && !has_occ && warnings != NULL)
		g_string_append_printf (warnings,
					"\"%s\" occurs %u times and has no `occurrence`: the first "
					"is taken\n",
					mention, n_found);
	f = ev_finding_new (kind);
	f->codes = json_get_strv_member (o, "codes", error);
	f->reaction = f->codes ? json_get_strv_member (o, "reaction", error) : NULL;
	if (f->codes == NULL || f->reaction == NULL || !read_context (f, o, error)
	    || !read_attributes (f, o, error))
		return NULL;
	if (f->reaction[0] != NULL)
		f->attr[EV_ATTR_REACTION] = g_strjoinv ("|", f->reaction);
	f->text = g_strdup (mention);
	f->label = g_strdup (label != NULL ? label : mention);
	ev_finding_add_span (f, start, end);
	return g_steal_pointer (&f);
}

static EvFinding *
gold_legacy_from_json (JsonObject *o, GError **error)
{
	g_autoptr (EvFinding) f = ev_finding_new (EV_KIND_SYMPTOM);
	const gchar *code;

	if (!json_get_string_member (o, "code", &code, error))
		return NULL;
	if (code == NULL) {
		g_set_error (error, EV_ERROR, 0, "a finding needs a `code`");
		return NULL;
	}
	f->codes = g_new0 (gchar *, 2);
	f->codes[0] = g_strdup (code);
	f->label = g_strdup (code);
	if (!read_context (f, o, error) || !read_attributes (f, o, error))
		return NULL;
	return g_steal_pointer (&f);
}

static gint
cmp_str_ptr (gconstpointer a, gconstpointer b)
{
	return g_strcmp0 (*(const gchar *const *)a, *(const gchar *const *)b);
}

/* Everything but the spans: two gold mentions with the same key are one finding. */
static gchar *
gold_merge_key (const EvFinding *f)
{
	g_autoptr (GString) key = g_string_new (ev_kind_names[f->kind]);
	g_autofree gchar **codes
		= g_memdup2 (f->codes, sizeof (gchar *) * (g_strv_length (f->codes) + 1));

	qsort (codes, g_strv_length (codes), sizeof (gchar *), cmp_str_ptr);
	g_string_append_c (key, '\t');
	if (codes[0] == NULL)
		g_string_append (key, f->label);
	for (guint i = 0; codes[i] != NULL; i++)
		g_string_append_printf (key, "%s|", codes[i]);
	for (guint c = 0; c < EV_N_CTX; c++)
		g_string_append_printf (key, "\t%s", f->ctx[c] ? f->ctx[c] : "-");
	for (guint a = 0; a < EV_N_ATTRS; a++)
		g_string_append_printf (key, "\t%s", f->attr[a] ? f->attr[a] : "-");
	return g_string_free (g_steal_pointer (&key), FALSE);
}

GPtrArray *
ev_gold_from_json (
	JsonArray *findings, const gchar *text, gboolean legacy, GString *warnings, GError **error)
{
	g_autoptr (GPtrArray) out
		= g_ptr_array_new_with_free_func ((GDestroyNotify)ev_finding_free);
	g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

	for (guint i = 0; i < json_array_get_length (findings); i++) {
		JsonNode *node = json_array_get_element (findings, i);
		g_autoptr (EvFinding) f = NULL;
		g_autoptr (GError) local = NULL;
		g_autofree gchar *key = NULL;
		EvFinding *old;

		if (!JSON_NODE_HOLDS_OBJECT (node)) {
			g_set_error (error, EV_ERROR, 0, "finding %u is not an object", i + 1);
			return NULL;
		}
		f = legacy ? gold_legacy_from_json (json_node_get_object (node), &local)
			   : gold_blind_from_json (json_node_get_object (node), text, warnings,
						   &local);
		if (f == NULL) {
			g_set_error (error, EV_ERROR, 0, "finding %u: %s", i + 1, local->message);
			return NULL;
		}
		/* legacy sets list every mention and are matched as a multiset: no merging */
		if (legacy) {
			g_ptr_array_add (out, g_steal_pointer (&f));
			continue;
		}
		key = gold_merge_key (f);
		old = g_hash_table_lookup (seen, key);
		if (old != NULL) {
			old->mentions++;
			g_array_append_vals (old->spans, f->spans->data, f->spans->len);
			continue;
		}
		g_hash_table_insert (seen, g_steal_pointer (&key), f);
		g_ptr_array_add (out, g_steal_pointer (&f));
	}
	return g_steal_pointer (&out);
}

static gboolean
pred_spans_from_json (EvFinding *f, JsonObject *o, GError **error)
{
	JsonNode *node = json_object_get_member (o, "spans");
	gdouble start = 0;
	gdouble end = 0;
	gboolean has_start;
	gboolean has_end;
	JsonArray *spans;

	if (node != NULL && JSON_NODE_HOLDS_ARRAY (node)) {
		spans = json_node_get_array (node);
		for (guint i = 0; i < json_array_get_length (spans); i++) {
			JsonNode *e = json_array_get_element (spans, i);
			JsonArray *pair
				= JSON_NODE_HOLDS_ARRAY (e) ? json_node_get_array (e) : NULL;
			if (pair == NULL || json_array_get_length (pair) != 2) {
				g_set_error (error, EV_ERROR, 0,
					     "`spans` must hold [start, end] pairs");
				return FALSE;
			}
			ev_finding_add_span (f, (guint32)json_array_get_int_element (pair, 0),
					     (guint32)json_array_get_int_element (pair, 1));
		}
	}
	if (f->spans->len > 0)
		return TRUE;
	/* no spans: the first mention's */
	if (!json_get_number_member (o, "start", &start, &has_start, error)
	    || !json_get_number_member (o, "end", &end, &has_end, error))
		return FALSE;
	if (!has_start || !has_end) {
		g_set_error (error, EV_ERROR, 0,
			     "a predicted finding needs `spans` or `start`/`end`");
		return FALSE;
	}
	ev_finding_add_span (f, (guint32)start, (guint32)end);
	return TRUE;
}

static EvFinding *
pred_from_json (JsonObject *o, GError **error)
{
	g_autoptr (EvFinding) f = NULL;
	g_auto (GStrv) xrefs = NULL;
	g_autoptr (GStrvBuilder) codes = g_strv_builder_new ();
	const gchar *kind_name;
	const gchar *code;
	const gchar *label;
	const gchar *text;
	const gchar *reaction;
	gdouble mentions = 1;
	gboolean has_mentions;
	EvKind kind;

	if (!json_get_string_member (o, "kind", &kind_name, error)
	    || !json_get_string_member (o, "code", &code, error)
	    || !json_get_string_member (o, "label_en", &label, error)
	    || !json_get_string_member (o, "text", &text, error)
	    || !json_get_string_member (o, "reaction_code", &reaction, error)
	    || !json_get_number_member (o, "mentions", &mentions, &has_mentions, error))
		return NULL;
	/* a finding without a kind is the parser's output before issue 11: a symptom */
	if (kind_name == NULL)
		kind = EV_KIND_SYMPTOM;
	else if (!ev_kind_from_string (kind_name, &kind)) {
		g_set_error (error, EV_ERROR, 0, "unknown `kind` \"%s\"", kind_name);
		return NULL;
	}
	if (code == NULL) {
		g_set_error (error, EV_ERROR, 0, "a predicted finding needs a `code`");
		return NULL;
	}
	xrefs = json_get_strv_member (o, "xrefs", error);
	f = ev_finding_new (kind);
	if (xrefs == NULL || !pred_spans_from_json (f, o, error) || !read_context (f, o, error)
	    || !read_attributes (f, o, error))
		return NULL;
	g_strv_builder_add (codes, code);
	g_strv_builder_addv (codes, (const gchar **)xrefs);
	f->codes = g_strv_builder_end (codes);
	f->label = g_strdup (label != NULL ? label : code);
	f->text = g_strdup (text != NULL ? text : "");
	f->mentions = has_mentions && mentions >= 1 ? (guint)mentions : 1;
	if (reaction != NULL) {
		const gchar *one[] = { reaction, NULL };
		f->reaction = g_strdupv ((gchar **)one);
		ev_finding_set_attr (f, EV_ATTR_REACTION, reaction);
	}
	return g_steal_pointer (&f);
}

GPtrArray *
ev_pred_from_json (JsonArray *findings, GError **error)
{
	g_autoptr (GPtrArray) out
		= g_ptr_array_new_with_free_func ((GDestroyNotify)ev_finding_free);

	for (guint i = 0; i < json_array_get_length (findings); i++) {
		JsonNode *node = json_array_get_element (findings, i);
		g_autoptr (GError) local = NULL;
		EvFinding *f;

		if (!JSON_NODE_HOLDS_OBJECT (node)) {
			g_set_error (error, EV_ERROR, 0, "predicted finding %u is not an object",
				     i + 1);
			return NULL;
		}
		f = pred_from_json (json_node_get_object (node), &local);
		if (f == NULL) {
			g_set_error (error, EV_ERROR, 0, "predicted finding %u: %s", i + 1,
				     local->message);
			return NULL;
		}
		g_ptr_array_add (out, f);
	}
	return g_steal_pointer (&out);
}

gboolean
ev_line_is_blind (JsonObject *line)
{
	JsonNode *node = json_object_get_member (line, "findings");
	JsonArray *findings;

	if (json_object_has_member (line, "split"))
		return TRUE;
	if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
		return FALSE;
	findings = json_node_get_array (node);
	for (guint i = 0; i < json_array_get_length (findings); i++) {
		JsonNode *e = json_array_get_element (findings, i);
		if (JSON_NODE_HOLDS_OBJECT (e)
		    && (json_object_has_member (json_node_get_object (e), "kind")
			|| json_object_has_member (json_node_get_object (e), "codes")))
			return TRUE;
	}
	return FALSE;
}

/* ---- matching ---- */

static EvKind
kind_class (EvKind k)
{
	/* the line between a sign and a disorder is a coder's choice */
	return k == EV_KIND_CONDITION ? EV_KIND_SYMPTOM : k;
}

static gboolean
codes_agree (const EvFinding *p, const EvFinding *g)
{
	if (g->codes[0] == NULL)
		return TRUE; /* an allergen no terminology codes: the span decides */
	for (guint i = 0; p->codes[i] != NULL; i++) {
		if (g_strv_contains ((const gchar *const *)g->codes, p->codes[i]))
			return TRUE;
	}
	return FALSE;
}

static gboolean
spans_overlap (const EvFinding *p, const EvFinding *g)
{
	const guint32 *ps = (const guint32 *)p->spans->data;
	const guint32 *gs = (const guint32 *)g->spans->data;

	for (guint i = 0; i < p->spans->len; i += 2) {
		for (guint j = 0; j < g->spans->len; j += 2) {
			if (ps[i] < gs[j + 1] && gs[j] < ps[i + 1])
				return TRUE;
		}
	}
	return FALSE;
}

static gboolean
compatible (const EvFinding *p, const EvFinding *g)
{
	return kind_class (p->kind) == kind_class (g->kind) && spans_overlap (p, g)
	       && codes_agree (p, g);
}

/* Kuhn's augmenting path: a maximum matching, so that one prediction overlapping two gold
 * findings cannot steal the only partner of another prediction. */
static gboolean
augment (guint p, guint n_gold, const gboolean *adj, gint *gold_match, gboolean *visited)
{
	for (guint g = 0; g < n_gold; g++) {
		if (!adj[p * n_gold + g] || visited[g])
			continue;
		visited[g] = TRUE;
		if (gold_match[g] < 0
		    || augment ((guint)gold_match[g], n_gold, adj, gold_match, visited)) {
			gold_match[g] = (gint)p;
			return TRUE;
		}
	}
	return FALSE;
}

static gboolean
numbers_agree (EvAttr a, gdouble p, gdouble g)
{
	gdouble d = fabs (p - g);

	switch (a) {
	case EV_ATTR_DURATION:
		/* "a month" is 720 or 744 hours, 半个月 360 or 336: 10 %, at least half an hour */
		return d <= MAX (0.5, 0.1 * fabs (g));
	case EV_ATTR_ONSET_AGE:
		return d <= 0.5;
	default:
		/* values and doses: 1 % or 0.05, rounding of a converted unit */
		return d <= MAX (0.05, 0.01 * fabs (g)) + 1e-9;
	}
}

/* The spec leaves a site's spelling open: the parser writes sites.tsv codes ("SITE:knee"), an
 * annotator may write the bare name ("knee"). */
static gboolean
site_agree (const gchar *p, const gchar *g)
{
	if (g_str_has_prefix (p, "SITE:"))
		p += strlen ("SITE:");
	if (g_str_has_prefix (g, "SITE:"))
		g += strlen ("SITE:");
	return g_ascii_strcasecmp (p, g) == 0;
}

static gboolean
attr_agree (EvAttr a, const EvFinding *p, const EvFinding *g)
{
	if (attr_is_numeric (a))
		return numbers_agree (a, p->num[a], g->num[a]);
	if (a == EV_ATTR_REACTION) {
		for (guint i = 0; p->reaction != NULL && p->reaction[i] != NULL; i++) {
			if (g_strv_contains ((const gchar *const *)g->reaction, p->reaction[i]))
				return TRUE;
		}
		return FALSE;
	}
	if (a == EV_ATTR_SITE)
		return site_agree (p->attr[a], g->attr[a]);
	return g_strcmp0 (p->attr[a], g->attr[a]) == 0;
}

static void
describe (GString *errors, const gchar *where, const gchar *what, const EvFinding *f)
{
	g_string_append_printf (errors, "  %s %s %s %s \"%s\"", where, what, ev_kind_names[f->kind],
				f->codes[0] != NULL ? f->codes[0] : "[]", f->label);
	if (f->spans->len > 0)
		g_string_append_printf (errors, " at %u-%u", g_array_index (f->spans, guint32, 0),
					g_array_index (f->spans, guint32, 1));
	if (f->ctx[EV_CTX_POLARITY] != NULL && g_strcmp0 (f->ctx[EV_CTX_POLARITY], "present") != 0)
		g_string_append_printf (errors, " (%s)", f->ctx[EV_CTX_POLARITY]);
	g_string_append_c (errors, '\n');
}

static void
compare_pair (
	const EvFinding *p, const EvFinding *g, EvStats *st, GString *errors, const gchar *where)
{
	gboolean same[EV_N_CTX];
	gboolean p_abs = g_strcmp0 (p->ctx[EV_CTX_POLARITY], "absent") == 0;
	gboolean g_abs = g_strcmp0 (g->ctx[EV_CTX_POLARITY], "absent") == 0;

	if (p->kind != g->kind) {
		st->cross_kind++;
		if (errors != NULL)
			g_string_append_printf (errors, "  %s %s kind: predicted %s, gold %s\n",
						where, g->label, ev_kind_names[p->kind],
						ev_kind_names[g->kind]);
	}
	for (guint c = 0; c < EV_N_CTX; c++) {
		same[c] = g_strcmp0 (p->ctx[c], g->ctx[c]) == 0;
		if (c == EV_CTX_STATUS && g->ctx[c] == NULL)
			continue; /* status is scored where the gold states one */
		st->ctx_n[c]++;
		st->ctx_ok[c] += same[c];
		if (!same[c] && errors != NULL)
			g_string_append_printf (errors, "  %s %s %s: predicted %s, gold %s\n",
						where, g->label, ev_ctx_names[c],
						p->ctx[c] ? p->ctx[c] : "-",
						g->ctx[c] ? g->ctx[c] : "-");
	}
	st->match_polarity += same[EV_CTX_POLARITY];
	st->match_context
		+= same[EV_CTX_POLARITY] && same[EV_CTX_EXPERIENCER] && same[EV_CTX_TEMPORALITY];
	st->negation.tp += p_abs && g_abs;
	st->negation.fp += p_abs && !g_abs;
	st->negation.fn += !p_abs && g_abs;
	for (guint a = 0; a < EV_N_ATTRS; a++) {
		if (p->attr[a] == NULL && g->attr[a] == NULL)
			continue;
		if (p->attr[a] != NULL && g->attr[a] != NULL && attr_agree (a, p, g)) {
			st->attr[a].tp++;
			continue;
		}
		st->attr[a].fp += p->attr[a] != NULL;
		st->attr[a].fn += g->attr[a] != NULL;
		if (errors != NULL)
			g_string_append_printf (errors, "  %s %s %s: predicted %s, gold %s\n",
						where, g->label, ev_attr_names[a],
						p->attr[a] ? p->attr[a] : "-",
						g->attr[a] ? g->attr[a] : "-");
	}
}

static void
match_blind (GPtrArray *gold, GPtrArray *pred, gint *gold_match)
{
	guint ng = gold->len;
	g_autofree gboolean *adj = g_new0 (gboolean, (gsize)pred->len * ng + 1);
	g_autofree gboolean *visited = g_new0 (gboolean, ng + 1);

	for (guint p = 0; p < pred->len; p++) {
		for (guint g = 0; g < ng; g++)
			adj[p * ng + g] = compatible (g_ptr_array_index (pred, p),
						      g_ptr_array_index (gold, g));
	}
	for (guint p = 0; p < pred->len; p++) {
		memset (visited, 0, sizeof (gboolean) * ng);
		augment (p, ng, adj, gold_match, visited);
	}
}

/* Legacy sets: a prediction merged from n mentions stands for n predictions of its code. */
static void
match_legacy (GPtrArray *gold, GPtrArray *pred, gint *gold_match, guint *pred_used, EvStats *st)
{
	for (guint p = 0; p < pred->len; p++) {
		const EvFinding *f = g_ptr_array_index (pred, p);
		if (kind_class (f->kind) != EV_KIND_SYMPTOM)
			continue;
		for (guint g = 0; g < gold->len && pred_used[p] < f->mentions; g++) {
			if (gold_match[g] < 0 && codes_agree (f, g_ptr_array_index (gold, g))) {
				gold_match[g] = (gint)p;
				pred_used[p]++;
			}
		}
	}
	for (guint p = 0; p < pred->len; p++) {
		const EvFinding *f = g_ptr_array_index (pred, p);
		/* these sets annotate symptoms and the symptom-like synonyms of diseases: an
		 * unmatched condition, medication or measurement cannot be judged */
		if (f->kind != EV_KIND_SYMPTOM)
			st->ignored[f->kind] += f->mentions - pred_used[p];
	}
}

/* TRUE when one of @f's codes is in @codes */
static gboolean
has_code_in (const EvFinding *f, const gchar *const *codes)
{
	for (guint i = 0; codes != NULL && f->codes != NULL && f->codes[i] != NULL; i++) {
		if (g_strv_contains (codes, f->codes[i]))
			return TRUE;
	}
	return FALSE;
}

void
ev_match_sentence (GPtrArray *gold,
		   GPtrArray *pred,
		   gboolean legacy,
		   EvStats *st,
		   GString *errors,
		   const gchar *where,
		   const gchar *const *not_annotated)
{
	g_autofree gint *gold_match = g_new (gint, gold->len + 1);
	g_autofree guint *pred_used = g_new0 (guint, pred->len + 1);

	for (guint g = 0; g < gold->len; g++)
		gold_match[g] = -1;
	if (legacy)
		match_legacy (gold, pred, gold_match, pred_used, st);
	else
		match_blind (gold, pred, gold_match);
	st->n_sentences++;
	for (guint g = 0; g < gold->len; g++) {
		const EvFinding *gf = g_ptr_array_index (gold, g);
		st->gold[gf->kind]++;
		if (gold_match[g] < 0) {
			if (errors != NULL)
				describe (errors, where, "FN", gf);
			continue;
		}
		st->tp_gold[gf->kind]++;
		if (!legacy)
			pred_used[gold_match[g]] = 1;
		compare_pair (g_ptr_array_index (pred, gold_match[g]), gf, st, errors, where);
	}
	for (guint p = 0; p < pred->len; p++) {
		const EvFinding *pf = g_ptr_array_index (pred, p);
		/* in a legacy set a matched condition is what the set calls a symptom */
		EvKind k = legacy ? EV_KIND_SYMPTOM : pf->kind;
		guint n = legacy ? (pf->kind == EV_KIND_SYMPTOM ? pf->mentions : pred_used[p]) : 1;

		/* a set that does not annotate a concept cannot call its prediction wrong */
		if (pred_used[p] == 0 && has_code_in (pf, not_annotated)) {
			st->unannotated++;
			continue;
		}
		st->pred[k] += n;
		st->tp_pred[k] += MIN (pred_used[p], n);
		if (pred_used[p] < n && errors != NULL)
			describe (errors, where, "FP", pf);
	}
}
