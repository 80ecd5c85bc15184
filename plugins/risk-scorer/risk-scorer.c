/*
 * risk-scorer plugin — the thin SDK wrapper around the core (rs-model.h, rs-score.h): loads
 * every model file of its models directories at init and scores inputs against them.
 */
#define G_LOG_DOMAIN "risk-scorer"

#include <math.h>
#include <string.h>

#include "risk-scorer-private.h"

/* A batch answer of this many results stays well under the daemon's 8 MiB answer limit (a
 * result of the largest shipped model is about 3 KB of JSON). */
#define RS_MAX_BATCH 1000

static RsAnswer *rs_answer_new (const RsModel *m);
static void rs_answer_free (RsAnswer *answer);

/* @m's constant answer members (every loaded model has them, at the same index) */
static const RsAnswer *
rs_answer_of (RsPlugin *self, const RsModel *m)
{
	for (guint i = 0; i < self->models->len; i++) {
		if (g_ptr_array_index (self->models, i) == m)
			return g_ptr_array_index (self->answers, i);
	}
	g_assert_not_reached ();
}

static const RsModel *
rs_plugin_find (RsPlugin *self, const gchar *id)
{
	for (guint i = 0; i < self->models->len; i++) {
		const RsModel *m = g_ptr_array_index (self->models, i);
		if (g_strcmp0 (m->id, id) == 0)
			return m;
	}
	return NULL;
}

static gint
rs_cmp_str (gconstpointer a, gconstpointer b)
{
	return g_strcmp0 (*(const gchar *const *)a, *(const gchar *const *)b);
}

/* Every *.json of @dir, in name order; a file that fails is refused with one warning naming it
 * and every problem, and the others load. */
static void
rs_plugin_load_dir (RsPlugin *self, MvHost *host, const gchar *dir)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (GDir) d = g_dir_open (dir, 0, &error);
	g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
	const gchar *name;

	if (d == NULL) {
		mv_host_log (host, G_LOG_LEVEL_WARNING, "cannot read models directory: %s",
			     error->message);
		return;
	}
	while ((name = g_dir_read_name (d)) != NULL) {
		if (g_str_has_suffix (name, ".json"))
			g_ptr_array_add (names, g_strdup (name));
	}
	g_ptr_array_sort (names, rs_cmp_str);
	for (guint i = 0; i < names->len; i++) {
		g_autofree gchar *path = g_build_filename (dir, g_ptr_array_index (names, i), NULL);
		g_autoptr (GError) error_local = NULL;
		RsModel *m = rs_model_load_file (path, &error_local);

		if (m == NULL) {
			mv_host_log (host, G_LOG_LEVEL_WARNING, "refusing model %s",
				     error_local->message);
			continue;
		}
		if (rs_plugin_find (self, m->id) != NULL) {
			mv_host_log (host, G_LOG_LEVEL_WARNING,
				     "refusing model %s: id %s is already loaded from another "
				     "directory",
				     path, m->id);
			rs_model_free (m);
			continue;
		}
		g_ptr_array_add (self->models, m);
		g_ptr_array_add (self->answers, rs_answer_new (m));
	}
}

/* One line naming what loaded, beside the refusal lines, so an operator sees that a clinic's
 * file was taken (ids only: no patient data exists at load). */
static void
rs_plugin_log_loaded (RsPlugin *self, MvHost *host)
{
	g_autoptr (GString) ids = g_string_new (NULL);

	for (guint i = 0; i < self->models->len; i++)
		g_string_append_printf (ids, "%s%s", i > 0 ? ", " : "",
					((RsModel *)g_ptr_array_index (self->models, i))->id);
	mv_host_log (host, G_LOG_LEVEL_MESSAGE, "loaded %u risk %s%s%s", self->models->len,
		     self->models->len == 1 ? "model" : "models", ids->len > 0 ? ": " : "",
		     ids->str);
}

static gboolean
rs_plugin_init (MvHost *host, gpointer *plugin_data, GError **error)
{
	g_autofree gchar *models_dir = mv_host_get_config_string (host, "models-dir");
	g_autofree gchar *extra_dir = mv_host_get_config_string (host, "extra-models-dir");
	RsPlugin *self = g_new0 (RsPlugin, 1);

	self->models = g_ptr_array_new_with_free_func ((GDestroyNotify)rs_model_free);
	self->answers = g_ptr_array_new_with_free_func ((GDestroyNotify)rs_answer_free);
	if (models_dir == NULL || models_dir[0] == '\0') {
		g_free (models_dir);
		models_dir = g_build_filename (mv_host_get_data_dir (host), "models", NULL);
	}
	rs_plugin_load_dir (self, host, models_dir);
	if (extra_dir != NULL && extra_dir[0] != '\0')
		rs_plugin_load_dir (self, host, extra_dir);
	rs_plugin_log_loaded (self, host);
	*plugin_data = self;
	return TRUE;
}

static void
rs_plugin_shutdown (MvHost *host, gpointer plugin_data)
{
	RsPlugin *self = plugin_data;

	if (self == NULL)
		return;
	g_ptr_array_unref (self->answers);
	g_ptr_array_unref (self->models);
	g_free (self);
}

RsLang
rs_call_lang (MvCall *call, const gchar *language)
{
	if (language != NULL && language[0] != '\0')
		return rs_lang_from_tag (language);
	return rs_lang_from_tag (mv_call_get_locale (call));
}

/* one member of an a{sv} being built (a GVariantBuilder: cheaper than a GVariantDict's hash
 * table, and the members keep their order in the JSON answer) */
static void
rs_put (GVariantBuilder *b, const gchar *key, GVariant *value)
{
	g_variant_builder_add (b, "{sv}", key, value);
}

const RsModel *
rs_lookup (MvCall *call, const gchar *id, GError **error)
{
	const RsModel *m = rs_plugin_find (mv_call_get_plugin_data (call), id);

	if (m == NULL) {
		g_autofree gchar *en = g_strdup_printf ("no risk model \"%s\"", id);
		g_autofree gchar *zh = g_strdup_printf ("没有风险模型“%s”", id);
		mv_set_error_bilingual (error, MV_ERROR_NOT_FOUND, en, zh);
	}
	return m;
}

/* ---- JSON of a model file to a{sv}, for Describe and ListModels ---- */

static GVariant *rs_json_to_variant (JsonNode *node);

static GVariant *
rs_json_array_to_variant (JsonArray *a)
{
	GType common = G_TYPE_INVALID;
	gboolean objects = json_array_get_length (a) > 0;
	GVariantBuilder b;
	const gchar *type;

	/* typed arrays where the elements agree (as, ad, aa{sv}), av otherwise */
	for (guint i = 0; i < json_array_get_length (a); i++) {
		JsonNode *n = json_array_get_element (a, i);
		GType t = JSON_NODE_HOLDS_VALUE (n) ? json_node_get_value_type (n) : G_TYPE_NONE;

		objects = objects && JSON_NODE_HOLDS_OBJECT (n);
		if (t == G_TYPE_INT64)
			t = G_TYPE_DOUBLE;
		common = i == 0 ? t : common == t ? t : G_TYPE_NONE;
	}
	type = objects			  ? "aa{sv}"
	       : common == G_TYPE_STRING  ? "as"
	       : common == G_TYPE_DOUBLE  ? "ad"
	       : common == G_TYPE_BOOLEAN ? "ab"
					  : "av";
	g_variant_builder_init (&b, G_VARIANT_TYPE (type));
	for (guint i = 0; i < json_array_get_length (a); i++) {
		JsonNode *n = json_array_get_element (a, i);
		GVariant *v = g_strcmp0 (type, "ad") == 0
				      ? g_variant_new_double (json_node_get_double (n))
				      : rs_json_to_variant (n);
		g_variant_builder_add_value (
			&b, g_strcmp0 (type, "av") == 0 ? g_variant_new_variant (v) : v);
	}
	return g_variant_builder_end (&b);
}

static GVariant *
rs_json_to_variant (JsonNode *node)
{
	if (JSON_NODE_HOLDS_OBJECT (node)) {
		JsonObject *obj = json_node_get_object (node);
		g_autoptr (GList) names = json_object_get_members (obj);
		GVariantBuilder d;

		g_variant_builder_init (&d, G_VARIANT_TYPE_VARDICT);
		for (GList *l = names; l != NULL; l = l->next)
			rs_put (&d, l->data,
				rs_json_to_variant (json_object_get_member (obj, l->data)));
		return g_variant_builder_end (&d);
	}
	if (JSON_NODE_HOLDS_ARRAY (node))
		return rs_json_array_to_variant (json_node_get_array (node));
	if (JSON_NODE_HOLDS_NULL (node))
		return g_variant_new_maybe (G_VARIANT_TYPE_STRING, NULL);
	switch (json_node_get_value_type (node)) {
	case G_TYPE_INT64:
		return g_variant_new_int64 (json_node_get_int (node));
	case G_TYPE_DOUBLE:
		return g_variant_new_double (json_node_get_double (node));
	case G_TYPE_BOOLEAN:
		return g_variant_new_boolean (json_node_get_boolean (node));
	default:
		return g_variant_new_string (json_node_get_string (node));
	}
}

static GVariant *
rs_citation_variant (const RsModel *m)
{
	JsonObject *root = json_node_get_object (m->root);

	if (!json_object_has_member (root, "citation"))
		return g_variant_new ("a{sv}", NULL);
	return rs_json_to_variant (json_object_get_member (root, "citation"));
}

/* ---- ListModels, Describe ---- */

static GVariant *
rs_model_summary (const RsModel *m, RsLang lang)
{
	GVariantBuilder d;
	GVariantBuilder names;

	g_variant_builder_init (&d, G_VARIANT_TYPE_VARDICT);
	rs_put (&d, "id", g_variant_new ("s", m->id));
	rs_put (&d, "version", g_variant_new ("s", m->version));
	rs_put (&d, "title", g_variant_new ("s", rs_text_get (&m->title, lang)));
	rs_put (&d, "outcome", g_variant_new ("s", rs_text_get (&m->outcome, lang)));
	if (m->horizon_years > 0) /* none in the file: no member, not a horizon of 0 */
		rs_put (&d, "horizon_years", g_variant_new ("d", m->horizon_years));
	rs_put (&d, "link", g_variant_new ("s", m->link == RS_LINK_COX ? "cox" : "logistic"));
	rs_put (&d, "citation", rs_citation_variant (m));
	g_variant_builder_init (&names, G_VARIANT_TYPE ("as"));
	for (guint i = 0; i < m->inputs->len; i++)
		g_variant_builder_add (&names, "s",
				       ((RsInput *)g_ptr_array_index (m->inputs, i))->name);
	rs_put (&d, "inputs", g_variant_builder_end (&names));
	return g_variant_builder_end (&d);
}

static GVariant *
rs_plugin_list_models (MvCall *call, GVariant *input, GError **error)
{
	RsPlugin *self = mv_call_get_plugin_data (call);
	const gchar *language = NULL;
	GVariantBuilder b;
	RsLang lang;

	g_variant_get (input, "(&s)", &language);
	lang = rs_call_lang (call, language);
	g_variant_builder_init (&b, G_VARIANT_TYPE ("aa{sv}"));
	for (guint i = 0; i < self->models->len; i++)
		g_variant_builder_add_value (
			&b, rs_model_summary (g_ptr_array_index (self->models, i), lang));
	return g_variant_new ("(aa{sv})", &b);
}

static GVariant *
rs_plugin_describe (MvCall *call, GVariant *input, GError **error)
{
	const gchar *id = NULL;
	const gchar *language = NULL;
	const RsModel *m;
	g_autoptr (GVariantDict) d = NULL;
	g_autoptr (GVariant) file = NULL;
	RsLang lang;

	g_variant_get (input, "(&s&s)", &id, &language);
	m = rs_lookup (call, id, error);
	if (m == NULL)
		return NULL;
	lang = rs_call_lang (call, language);
	/* everything in the file, and its texts resolved in the caller's language */
	file = g_variant_ref_sink (rs_json_to_variant (m->root));
	d = g_variant_dict_new (file);
	g_variant_dict_insert (d, "title_text", "s", rs_text_get (&m->title, lang));
	g_variant_dict_insert (d, "outcome_text", "s", rs_text_get (&m->outcome, lang));
	if (m->citation_short != NULL)
		g_variant_dict_insert (d, "citation_short", "s", m->citation_short);
	return g_variant_new ("(@a{sv})", g_variant_dict_end (d));
}

/* ---- Score, ScoreBatch ---- */

/*
 * Score's and ScoreBatch's answers, written directly in GVariant's serialised form (the
 * GVariant specification, "Serialisation") into one buffer a result.
 *
 * Built as a tree (nested a{sv} builders and format strings), an answer was some 700 small
 * GVariants and cost about 1.1 million instructions a set under callgrind, over ten times the
 * scoring, nearly all of it GLib allocating, type-checking, reference counting and freeing
 * them; typed constructors with the constant members kept per model still left ~250k.  Written
 * here it is one allocation.  Only what the answer needs: dictionaries (a{sv}) whose values
 * are s, d, b or a container written the same way, arrays of them, and as.  Every container
 * is written 8-aligned (a dictionary entry holds a variant, alignment 8), so alignment in the
 * buffer is absolute.  GLib checks the result: test score_answer_normal_form, and
 * bench-risk-score's dump (every answer in normal form, and the text of the answers before
 * this writer existed).
 */

typedef struct {
	guint8 *data;
	gsize len;
	gsize size; /* allocated */
} RsWriter;

typedef struct {
	const gchar *key;
	const gchar *type; /* "s", "d", "b", or a container's type with @w holding it */
	const gchar *s;
	gdouble d;
	gboolean b;
	const RsWriter *w;
	const guint8 *raw; /* the whole entry already serialised (RsAnswer), @raw_len bytes */
	gsize raw_len;
} RsMember;

/* the framing offset size of a container of @body bytes with @n offsets
 * (gvs_calculate_total_size) */
static guint
rs_offset_size (gsize body, gsize n)
{
	if (body + n <= G_MAXUINT8)
		return 1;
	if (body + 2 * n <= G_MAXUINT16)
		return 2;
	return 4;
}

static void
rs_w_reserve (RsWriter *w, gsize n)
{
	if (w->len + n <= w->size)
		return;
	w->size = MAX (2 * w->size, w->len + n + 256);
	w->data = g_realloc (w->data, w->size);
}

static void
rs_w_put (RsWriter *w, const void *bytes, gsize n)
{
	/* an empty value (a unit value's serialised data) may come as NULL: memcpy must not see it
	 */
	if (n == 0)
		return;
	rs_w_reserve (w, n);
	memcpy (w->data + w->len, bytes, n);
	w->len += n;
}

static void
rs_w_offset (RsWriter *w, gsize value, guint size)
{
	rs_w_reserve (w, size);
	for (guint i = 0; i < size; i++) /* little-endian, whatever the host */
		w->data[w->len++] = (guint8)((value >> (8 * i)) & 0xff);
}

static void
rs_w_pad8 (RsWriter *w)
{
	rs_w_reserve (w, 8);
	while (w->len % 8 != 0)
		w->data[w->len++] = 0;
}

/* {sv}: key, NUL, padding, the variant (value, NUL, type), the key's end as framing offset.
 * The room for all of it is made once (the most it can take), then written without checks:
 * the entries are most of an answer's bytes, and a check and a call a piece were a third of a
 * Score call's instructions. */
static void
rs_w_entry_written (RsWriter *w, const RsMember *m)
{
	gsize start = w->len;
	gsize key_len = strlen (m->key) + 1;
	gsize type_len = m->type[1] == '\0' ? 1 : strlen (m->type);
	gsize value_len = m->w != NULL	      ? m->w->len
			  : m->type[0] == 'd' ? sizeof (gdouble)
			  : m->type[0] == 'b' ? 1
					      : strlen (m->s) + 1;
	const void *value = m->w != NULL	? (const void *)m->w->data
			    : m->type[0] == 'd' ? (const void *)&m->d
			    : m->type[0] == 'b' ? (const void *)(m->b ? "\1" : "\0")
						: (const void *)m->s;
	guint8 *p;
	gsize key_end, size;
	guint osz;

	rs_w_reserve (w, key_len + 7 + value_len + 1 + type_len + 8);
	p = w->data + w->len;
	memcpy (p, m->key, key_len);
	key_end = key_len;
	while (key_end % 8 != 0) /* the entry starts 8-aligned, so this is absolute alignment */
		p[key_end++] = 0;
	if (value_len > 0) /* an empty value (a unit value's data) may come as NULL */
		memcpy (p + key_end, value, value_len);
	size = key_end + value_len;
	p[size++] = 0;
	memcpy (p + size, m->type, type_len);
	size += type_len;
	osz = rs_offset_size (size, 1);
	for (guint i = 0; i < osz; i++) /* little-endian, whatever the host */
		p[size + i] = (guint8)((key_len >> (8 * i)) & 0xff);
	w->len = start + size + osz;
}

static void
rs_w_entry (RsWriter *w, const RsMember *m)
{
	/* an entry is the same bytes wherever it goes: it starts 8-aligned, and its one framing
	 * offset counts from its own start */
	if (m->raw != NULL)
		rs_w_put (w, m->raw, m->raw_len);
	else
		rs_w_entry_written (w, m);
}

/* the array offsets that end a container started at @start: each element's end */
static void
rs_w_offsets (RsWriter *w, gsize start, const gsize *ends, gsize n)
{
	guint size = rs_offset_size (w->len - start, n);

	for (gsize i = 0; i < n; i++)
		rs_w_offset (w, ends[i], size);
}

/* a{sv} of @n members: each entry 8-aligned, then the entries' ends */
static void
rs_w_dict (RsWriter *w, const RsMember *m, guint n)
{
	gsize start = w->len;
	gsize few[16];
	g_autofree gsize *many = n > G_N_ELEMENTS (few) ? g_new (gsize, n) : NULL;
	gsize *ends = many != NULL ? many : few;

	for (guint i = 0; i < n; i++) {
		rs_w_pad8 (w);
		rs_w_entry (w, &m[i]);
		ends[i] = w->len - start;
	}
	rs_w_offsets (w, start, ends, n);
}

static RsMember
rs_value_member (const gchar *key, const RsInput *in, const RsValue *v)
{
	if (in->type == RS_INPUT_NUMBER)
		return (RsMember){ key, "d", .d = v->number };
	if (in->type == RS_INPUT_BOOLEAN)
		return (RsMember){ key, "b", .b = v->boolean };
	return (RsMember){ key, "s", .s = in->levels[v->level] };
}

/* the members of contribution @i that depend only on the model and the language: feature,
 * input, transform, coefficient, label */
#define RS_CONTRIBUTION_CONST 5

static void
rs_contribution_const (const RsModel *m, RsLang lang, guint i, RsMember *c)
{
	const RsFeature *f = g_ptr_array_index (m->features, i);
	const RsInput *in = f->input >= 0 ? g_ptr_array_index (m->inputs, f->input) : NULL;

	c[0] = (RsMember){ "feature", "s", .s = f->name };
	c[1] = (RsMember){ "input", "s", .s = in != NULL ? in->name : "" };
	c[2] = (RsMember){ "transform", "s", .s = rs_transform_to_string (f->transform) };
	c[3] = (RsMember){ "coefficient", "d", .d = f->coefficient };
	c[4] = (RsMember){ "label", "s",
			   .s = f->label.en != NULL ? rs_text_get (&f->label, lang)
				: in != NULL	    ? rs_text_get (&in->label, lang)
						    : f->name };
}

/* ---- the constant part of Score's answer, serialised at load ---- */

/* an entry of RsAnswer's buffer */
typedef struct {
	gsize off;
	gsize len;
} RsRaw;

/* What of Score's full answer depends only on the model and the language, each member
 * serialised once at load and copied into every answer: written member by member it was some
 * 10,000 of a call's 81,000 instructions (the strlen, copy and framing of ~70 entries). */
typedef struct {
	RsWriter buf;
	RsRaw head[3];	 /* model, version, citation */
	RsRaw *contrib;	 /* RS_CONTRIBUTION_CONST a feature */
	RsRaw *effect;	 /* input, label: 2 an input */
	RsRaw *category; /* category_label, one a category */
} RsAnswerLang;

struct _RsAnswer {
	RsAnswerLang lang[2]; /* RS_LANG_EN, RS_LANG_ZH */
};

static RsRaw
rs_answer_put (RsWriter *w, const RsMember *e)
{
	RsRaw raw;

	rs_w_pad8 (w);
	raw.off = w->len;
	rs_w_entry_written (w, e);
	raw.len = w->len - raw.off;
	return raw;
}

static RsMember
rs_answer_member (const RsAnswerLang *a, RsRaw raw)
{
	return (RsMember){ .raw = a->buf.data + raw.off, .raw_len = raw.len };
}

static RsAnswer *
rs_answer_new (const RsModel *m)
{
	RsAnswer *answer = g_new0 (RsAnswer, 1);

	for (guint l = 0; l < G_N_ELEMENTS (answer->lang); l++) {
		RsAnswerLang *a = &answer->lang[l];
		RsLang lang = l == 0 ? RS_LANG_EN : RS_LANG_ZH;
		RsMember head[3] = {
			{ "model", "s", .s = m->id },
			{ "version", "s", .s = m->version },
			{ "citation", "s",
			  .s = m->citation_short != NULL ? m->citation_short : "" },
		};

		for (guint i = 0; i < G_N_ELEMENTS (head); i++)
			a->head[i] = rs_answer_put (&a->buf, &head[i]);
		a->contrib = g_new (RsRaw, RS_CONTRIBUTION_CONST * MAX (m->features->len, 1));
		for (guint i = 0; i < m->features->len; i++) {
			RsMember c[RS_CONTRIBUTION_CONST];

			rs_contribution_const (m, lang, i, c);
			for (guint k = 0; k < RS_CONTRIBUTION_CONST; k++)
				a->contrib[RS_CONTRIBUTION_CONST * i + k]
					= rs_answer_put (&a->buf, &c[k]);
		}
		a->effect = g_new (RsRaw, 2 * MAX (m->inputs->len, 1));
		for (guint i = 0; i < m->inputs->len; i++) {
			const RsInput *in = g_ptr_array_index (m->inputs, i);
			RsMember e[2] = { { "input", "s", .s = in->name },
					  { "label", "s", .s = rs_text_get (&in->label, lang) } };

			a->effect[2 * i] = rs_answer_put (&a->buf, &e[0]);
			a->effect[2 * i + 1] = rs_answer_put (&a->buf, &e[1]);
		}
		a->category = g_new (RsRaw, MAX (m->categories->len, 1));
		for (guint i = 0; i < m->categories->len; i++) {
			const RsCategory *cat = g_ptr_array_index (m->categories, i);
			RsMember e
				= { "category_label", "s", .s = rs_text_get (&cat->label, lang) };

			a->category[i] = rs_answer_put (&a->buf, &e);
		}
	}
	return answer;
}

static void
rs_answer_free (RsAnswer *answer)
{
	for (guint l = 0; l < G_N_ELEMENTS (answer->lang); l++) {
		g_free (answer->lang[l].buf.data);
		g_free (answer->lang[l].contrib);
		g_free (answer->lang[l].effect);
		g_free (answer->lang[l].category);
	}
	g_free (answer);
}

/* one contribution's members, in the order the answer always had; the constant ones copied
 * from @a */
static guint
rs_contribution_members (
	const RsModel *m, const RsResult *r, const RsAnswerLang *a, guint i, RsMember *e)
{
	const RsFeature *f = g_ptr_array_index (m->features, i);
	const RsInput *in = f->input >= 0 ? g_ptr_array_index (m->inputs, f->input) : NULL;
	const RsRaw *c = &a->contrib[RS_CONTRIBUTION_CONST * i];
	guint n = 0;

	e[n++] = rs_answer_member (a, c[0]); /* feature */
	e[n++] = rs_answer_member (a, c[1]); /* input */
	if (in != NULL)
		e[n++] = rs_value_member ("value", in,
					  &g_array_index (r->values, RsValue, f->input));
	e[n++] = rs_answer_member (a, c[2]); /* transform */
	e[n++] = (RsMember){ "term_value", "d", .d = g_array_index (r->term_values, gdouble, i) };
	e[n++] = rs_answer_member (a, c[3]); /* coefficient */
	e[n++] = (RsMember){ "contribution", "d",
			     .d = g_array_index (r->contributions, gdouble, i) };
	e[n++] = rs_answer_member (a, c[4]); /* label */
	return n;
}

/* contributions, aa{sv} */
static void
rs_w_contributions (RsWriter *w, const RsModel *m, const RsResult *r, const RsAnswerLang *a)
{
	g_autofree gsize *ends = g_new (gsize, MAX (m->features->len, 1));

	for (guint i = 0; i < m->features->len; i++) {
		RsMember e[8];
		guint n = rs_contribution_members (m, r, a, i, e);

		rs_w_pad8 (w);
		rs_w_dict (w, e, n);
		ends[i] = w->len;
	}
	rs_w_offsets (w, 0, ends, m->features->len);
}

/* inputs_used (a{sv}), defaulted (as) and effects (aa{sv}), each into its own writer */
static void
rs_w_inputs (RsWriter *used,
	     RsWriter *defaulted,
	     RsWriter *effects,
	     const RsModel *m,
	     const RsResult *r,
	     const RsAnswerLang *a)
{
	guint n = m->inputs->len;
	g_autofree RsMember *values = g_new (RsMember, MAX (n, 1));
	g_autofree gsize *defaulted_ends = g_new (gsize, MAX (n, 1));
	g_autofree gsize *effect_ends = g_new (gsize, MAX (n, 1));
	gsize n_defaulted = 0;
	gsize n_effects = 0;

	for (guint i = 0; i < n; i++) {
		const RsInput *in = g_ptr_array_index (m->inputs, i);
		gdouble effect = g_array_index (r->effects, gdouble, i);

		values[i] = rs_value_member (in->name, in, &g_array_index (r->values, RsValue, i));
		if (g_array_index (r->defaulted, gboolean, i)) {
			rs_w_put (defaulted, in->name, strlen (in->name) + 1);
			defaulted_ends[n_defaulted++] = defaulted->len;
		}
		if (isfinite (effect)) {
			RsMember e[3] = { rs_answer_member (a, a->effect[2 * i]),
					  rs_answer_member (a, a->effect[2 * i + 1]),
					  { "effect", "d", .d = effect } };
			rs_w_pad8 (effects);
			rs_w_dict (effects, e, 3);
			effect_ends[n_effects++] = effects->len;
		}
	}
	rs_w_dict (used, values, n);
	rs_w_offsets (defaulted, 0, defaulted_ends, n_defaulted);
	rs_w_offsets (effects, 0, effect_ends, n_effects);
}

static GVariant *
rs_w_steal (RsWriter *w, const gchar *type)
{
	guint8 *data = g_steal_pointer (&w->data);

	return g_variant_new_from_data ((const GVariantType *)type, data, w->len, FALSE, g_free,
					data);
}

/* @full: Score's answer; else ScoreBatch's "summary": probability, category, linear_predictor.
 * @type: "a{sv}", or "(a{sv})" for Score's output tuple: a tuple of one member of variable size
 * is serialised as that member alone, so the answer needs no tuple around it. */
static GVariant *
rs_result_variant (const RsModel *m,
		   const RsAnswer *answer,
		   const RsResult *r,
		   RsLang lang,
		   gboolean full,
		   const gchar *type)
{
	const RsAnswerLang *a = &answer->lang[lang == RS_LANG_ZH ? 1 : 0];
	const RsCategory *cat
		= r->category >= 0 ? g_ptr_array_index (m->categories, r->category) : NULL;
	g_autofree gchar *explanation = NULL;
	RsWriter contributions = { 0 }, used = { 0 }, defaulted = { 0 }, effects = { 0 };
	RsWriter out = { 0 };
	RsMember e[12];
	guint n = 0;

	if (!full) {
		e[n++] = (RsMember){ "probability", "d", .d = r->probability };
		e[n++] = (RsMember){ "category", "s", .s = cat != NULL ? cat->id : "" };
		e[n++] = (RsMember){ "linear_predictor", "d", .d = r->linear_predictor };
		rs_w_dict (&out, e, n);
		return rs_w_steal (&out, type);
	}
	explanation = rs_result_explain (m, r, lang);
	/* room for what these parts usually take (a contribution some 250 bytes, an input's value
	 * and effect some 40 and 90): one allocation each instead of a few reallocations */
	rs_w_reserve (&contributions, 320 * (gsize)m->features->len);
	rs_w_reserve (&used, 48 * (gsize)m->inputs->len);
	rs_w_reserve (&effects, 112 * (gsize)m->inputs->len);
	rs_w_contributions (&contributions, m, r, a);
	rs_w_inputs (&used, &defaulted, &effects, m, r, a);
	e[n++] = rs_answer_member (a, a->head[0]); /* model */
	e[n++] = rs_answer_member (a, a->head[1]); /* version */
	e[n++] = (RsMember){ "probability", "d", .d = r->probability };
	e[n++] = (RsMember){ "category", "s", .s = cat != NULL ? cat->id : "" };
	e[n++] = cat != NULL ? rs_answer_member (a, a->category[r->category])
			     : (RsMember){ "category_label", "s", .s = "" };
	e[n++] = (RsMember){ "linear_predictor", "d", .d = r->linear_predictor };
	e[n++] = (RsMember){ "contributions", "aa{sv}", .w = &contributions };
	e[n++] = (RsMember){ "inputs_used", "a{sv}", .w = &used };
	e[n++] = (RsMember){ "defaulted", "as", .w = &defaulted };
	e[n++] = (RsMember){ "effects", "aa{sv}", .w = &effects };
	e[n++] = (RsMember){ "explanation", "s", .s = explanation };
	e[n++] = rs_answer_member (a, a->head[2]); /* citation */
	rs_w_reserve (&out, contributions.len + used.len + defaulted.len + effects.len + 1024);
	rs_w_dict (&out, e, n);
	g_free (contributions.data);
	g_free (used.data);
	g_free (defaulted.data);
	g_free (effects.data);
	return rs_w_steal (&out, type);
}

/* ---- a level the model does not take, which a sibling model does ---- */

static gsize
rs_common_prefix (const gchar *a, const gchar *b)
{
	gsize n = 0;

	while (a[n] != '\0' && a[n] == b[n])
		n++;
	return n;
}

/* Another loaded model with the same inputs whose input @name takes @level: the one whose id
 * is closest to @m's (pce-2013-white-men → pce-2013-white-women, not the African-American
 * women's equation). */
static const RsModel *
rs_sibling (RsPlugin *self, const RsModel *m, const gchar *name, const gchar *level)
{
	const RsModel *best = NULL;
	gsize best_len = 0;

	for (guint i = 0; i < self->models->len; i++) {
		const RsModel *o = g_ptr_array_index (self->models, i);
		gint k = rs_model_find_input (o, name);
		const RsInput *in = k >= 0 ? g_ptr_array_index (o->inputs, k) : NULL;
		gboolean same = o != m && o->inputs->len == m->inputs->len && in != NULL
				&& in->type == RS_INPUT_CATEGORY
				&& g_strv_contains ((const gchar *const *)in->levels, level);

		for (guint j = 0; same && j < m->inputs->len; j++)
			same = rs_model_find_input (
				       o, ((RsInput *)g_ptr_array_index (m->inputs, j))->name)
			       >= 0;
		if (same && (best == NULL || rs_common_prefix (o->id, m->id) > best_len)) {
			best = o;
			best_len = rs_common_prefix (o->id, m->id);
		}
	}
	return best;
}

static void
rs_problem_append (RsProblem *p, const gchar *en, const gchar *zh)
{
	gchar *old_en = p->message;
	gchar *old_zh = p->message_zh;

	p->message = g_strconcat (old_en, en, NULL);
	p->message_zh = g_strconcat (old_zh, zh, NULL);
	g_free (old_en);
	g_free (old_zh);
}

/* A sex-specific equation given the other sex says so, and names the model that takes it. */
static void
rs_hint_levels (RsPlugin *self, const RsModel *m, GVariant *inputs, GPtrArray *problems)
{
	for (guint i = 0; i < problems->len; i++) {
		RsProblem *p = g_ptr_array_index (problems, i);
		gint k = rs_model_find_input (m, p->input);
		const RsInput *in = k >= 0 ? g_ptr_array_index (m->inputs, k) : NULL;
		g_autoptr (GVariant) v = NULL;
		const gchar *level;
		const RsModel *sibling;

		if (g_strcmp0 (p->code, "unknown-level") != 0 || in == NULL)
			continue;
		v = g_variant_lookup_value (inputs, p->input, G_VARIANT_TYPE_STRING);
		if (v == NULL)
			continue;
		level = g_variant_get_string (v, NULL);
		if (g_strcmp0 (in->name, "sex") == 0 && g_strv_length (in->levels) == 1) {
			gboolean men = g_strcmp0 (in->levels[0], "male") == 0;
			rs_problem_append (p,
					   men ? " (this equation is for men)"
					       : " (this equation is for women)",
					   men ? "（该方程仅适用于男性）"
					       : "（该方程仅适用于女性）");
		}
		sibling = rs_sibling (self, m, in->name, level);
		if (sibling != NULL) {
			g_autofree gchar *en = g_strdup_printf ("; for this %s use the model %s",
								in->name, sibling->id);
			g_autofree gchar *zh = g_strdup_printf (
				"；该%s请使用模型 %s", rs_text_get (&in->label, RS_LANG_ZH),
				sibling->id);
			rs_problem_append (p, en, zh);
		}
	}
}

/* Score's and ScoreBatch's detail: "full" (or empty) for Score's answer, "summary" for three
 * members */
static gboolean
rs_batch_detail (const gchar *detail, gboolean *full, GError **error)
{
	if (detail[0] == '\0' || g_strcmp0 (detail, "full") == 0) {
		*full = TRUE;
		return TRUE;
	}
	if (g_strcmp0 (detail, "summary") == 0) {
		*full = FALSE;
		return TRUE;
	}
	mv_error_add_problem (error, "/detail", "unknown-detail",
			      "detail must be \"full\" or \"summary\"",
			      "detail 应为 \"full\" 或 \"summary\"");
	return FALSE;
}

static GVariant *
rs_plugin_score (MvCall *call, GVariant *input, GError **error)
{
	const gchar *id = NULL;
	const gchar *language = NULL;
	g_autoptr (GVariant) id_v = NULL;
	g_autoptr (GVariant) language_v = NULL;
	g_autoptr (GVariant) detail_v = NULL;
	g_autoptr (GVariant) inputs = NULL;
	g_autoptr (GPtrArray) problems
		= g_ptr_array_new_with_free_func ((GDestroyNotify)rs_problem_free);
	g_autoptr (RsResult) r = NULL;
	const RsModel *m;
	gboolean full = TRUE;

	/* the members taken one by one: g_variant_get's format string cost more than reading the
	 * inputs (rs_model_score) */
	id_v = g_variant_get_child_value (input, 0);
	inputs = g_variant_get_child_value (input, 1);
	language_v = g_variant_get_child_value (input, 2);
	detail_v = g_variant_get_child_value (input, 3);
	id = g_variant_get_string (id_v, NULL);
	language = g_variant_get_string (language_v, NULL);
	m = rs_lookup (call, id, error);
	if (m == NULL)
		return NULL;
	if (!rs_batch_detail (g_variant_get_string (detail_v, NULL), &full, error))
		return NULL;
	r = full ? rs_model_score (m, inputs, problems)
		 : rs_model_score_summary (m, inputs, problems);
	if (r == NULL) {
		rs_hint_levels (mv_call_get_plugin_data (call), m, inputs, problems);
		/* one error listing every problem, each at its member of the input */
		for (guint i = 0; i < problems->len; i++) {
			const RsProblem *p = g_ptr_array_index (problems, i);
			g_autofree gchar *field = g_strdup_printf ("/inputs/%s", p->input);
			mv_error_add_problem (error, field, p->code, p->message, p->message_zh);
		}
		return NULL;
	}
	return rs_result_variant (m, rs_answer_of (mv_call_get_plugin_data (call), m), r,
				  rs_call_lang (call, language), full, "(a{sv})");
}

/* A set's problems as Score's error details give them (field, code, message in the caller's
 * language), with the input's name and, for a range, its UCUM unit. */
static GVariant *
rs_batch_error (GPtrArray *problems, gsize set, RsLang lang)
{
	GVariantBuilder d;
	GVariantBuilder b;

	g_variant_builder_init (&d, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_init (&b, G_VARIANT_TYPE ("aa{sv}"));
	for (guint i = 0; i < problems->len; i++) {
		const RsProblem *p = g_ptr_array_index (problems, i);
		g_autofree gchar *field
			= g_strdup_printf ("/input_sets/%" G_GSIZE_FORMAT "/%s", set, p->input);
		GVariantBuilder o;

		g_variant_builder_init (&o, G_VARIANT_TYPE_VARDICT);
		rs_put (&o, "field", g_variant_new ("s", field));
		rs_put (&o, "input", g_variant_new ("s", p->input));
		rs_put (&o, "code", g_variant_new ("s", p->code));
		rs_put (&o, "message",
			g_variant_new ("s", lang == RS_LANG_ZH ? p->message_zh : p->message));
		if (p->unit != NULL)
			rs_put (&o, "unit", g_variant_new ("s", p->unit));
		g_variant_builder_add_value (&b, g_variant_builder_end (&o));
	}
	rs_put (&d, "error",
		g_variant_new ("s", lang == RS_LANG_ZH ? "输入无效" : "invalid inputs"));
	rs_put (&d, "problems", g_variant_builder_end (&b));
	return g_variant_builder_end (&d);
}

static void
rs_unref0 (gpointer v)
{
	if (v != NULL)
		g_variant_unref (v);
}

static GVariant *
rs_plugin_score_batch (MvCall *call, GVariant *input, GError **error)
{
	const gchar *id = NULL;
	const gchar *language = NULL;
	const gchar *detail = NULL;
	g_autoptr (GVariant) sets = NULL;
	g_autoptr (GPtrArray) results = NULL;
	g_autoptr (GPtrArray) problems = NULL;
	const RsModel *m;
	const RsAnswer *answer;
	gboolean full = TRUE;
	RsLang lang;
	gsize n;

	g_variant_get (input, "(&s@aa{sv}&s&s)", &id, &sets, &language, &detail);
	m = rs_lookup (call, id, error);
	if (m == NULL)
		return NULL;
	n = g_variant_n_children (sets);
	if (n > RS_MAX_BATCH) {
		/* a limit of this method's input, not of the body's size: 422 with the field, as
		 * any other refused member (413 is for a body over max-body-bytes) */
		g_autofree gchar *en = g_strdup_printf (
			"holds %" G_GSIZE_FORMAT " sets; at most %d per call", n, RS_MAX_BATCH);
		g_autofree gchar *zh = g_strdup_printf ("有 %" G_GSIZE_FORMAT " 组，每次最多 %d 组",
							n, RS_MAX_BATCH);
		mv_error_add_problem (error, "/input_sets", "too-long", en, zh);
		return NULL;
	}
	lang = rs_call_lang (call, language);
	if (!rs_batch_detail (detail, &full, error))
		return NULL;
	answer = rs_answer_of (mv_call_get_plugin_data (call), m);
	/* the results kept, then made into the array at once: no builder checking each
	 * result's type again */
	results = g_ptr_array_new_full ((guint)n, rs_unref0);
	problems = g_ptr_array_new_with_free_func ((GDestroyNotify)rs_problem_free);
	for (gsize i = 0; i < n; i++) {
		g_autoptr (GVariant) set = g_variant_get_child_value (sets, i);
		g_autoptr (RsResult) r = NULL;

		if (mv_call_is_cancelled (call)) {
			mv_set_error_bilingual (error, MV_ERROR_TIMED_OUT, "cancelled", "已取消");
			return NULL;
		}
		g_ptr_array_set_size (problems, 0);
		r = full ? rs_model_score (m, set, problems)
			 : rs_model_score_summary (m, set, problems);
		if (r == NULL)
			rs_hint_levels (mv_call_get_plugin_data (call), m, set, problems);
		g_ptr_array_add (results, g_variant_ref_sink (
						  r != NULL ? rs_result_variant (m, answer, r, lang,
										 full, "a{sv}")
							    : rs_batch_error (problems, i, lang)));
	}
	return g_variant_new_tuple (
		(GVariant *[]){ g_variant_new_array (G_VARIANT_TYPE_VARDICT,
						     (GVariant **)results->pdata, results->len) },
		1);
}

static const MvArg rs_list_in[] = {
	{ "language", "s",
	  "\"en\" or \"zh\" (or a tag such as zh-CN) for the texts; empty: the caller's locale",
	  MV_ARG_OPTIONAL },
	MV_ARG_END,
};

static const MvArg rs_list_out[] = {
	{ "models", "aa{sv}",
	  "One per loaded model: id, version, title, outcome, horizon_years (when the file gives "
	  "one), link (logistic or "
	  "cox), citation (authors, year, title, journal, volume, pages, doi, where), inputs "
	  "(their names)",
	  MV_ARG_NONE },
	MV_ARG_END,
};

static const MvArg rs_describe_in[] = {
	{ "model", "s", "A model id, as ListModels gives it", MV_ARG_NONE },
	{ "language", "s",
	  "\"en\" or \"zh\" (or a tag such as zh-CN) for the texts; empty: the caller's locale",
	  MV_ARG_OPTIONAL },
	MV_ARG_END,
};

static const MvArg rs_describe_out[] = {
	{ "model", "a{sv}",
	  "Everything in the model file (docs/risk-models.md): inputs with label, unit, units, "
	  "range, required, default, reference and source; features; categories; citation; "
	  "examples; and title_text, outcome_text, citation_short in the language asked",
	  MV_ARG_NONE },
	MV_ARG_END,
};

static const MvArg rs_score_in[] = {
	{ "model", "s", "A model id, as ListModels gives it", MV_ARG_NONE },
	{ "inputs", "a{sv}",
	  "Input name to value: a number in the input's canonical unit, {\"value\": number, "
	  "\"unit\": string} in another accepted unit, true/false, or a category level",
	  MV_ARG_NONE },
	{ "language", "s",
	  "\"en\" or \"zh\" (or a tag such as zh-CN) for the texts; empty: the caller's locale",
	  MV_ARG_OPTIONAL },
	{ "detail", "s",
	  "\"full\" (the default): the answer with contributions, effects and explanation; "
	  "\"summary\": probability, category and linear_predictor only (several times "
	  "cheaper)",
	  MV_ARG_OPTIONAL },
	MV_ARG_END,
};

static const MvArg rs_score_out[] = {
	{ "result", "a{sv}",
	  "With detail \"summary\": probability (0 to 1), category, linear_predictor only.  "
	  "Otherwise model, version, probability, category, category_label, linear_predictor, "
	  "contributions (feature, input, value, transform, term_value, coefficient, "
	  "contribution, label), inputs_used (name to canonical value), defaulted (names), "
	  "effects (input, label, effect: how far the input moves the linear predictor from its "
	  "reference value), explanation, citation",
	  MV_ARG_NONE },
	MV_ARG_END,
};

static const MvArg rs_batch_in[] = {
	{ "model", "s", "A model id, as ListModels gives it", MV_ARG_NONE },
	{ "input_sets", "aa{sv}", "Up to 1000 input objects, each as Score's inputs", MV_ARG_NONE },
	{ "language", "s",
	  "\"en\" or \"zh\" (or a tag such as zh-CN) for the texts; empty: the caller's locale",
	  MV_ARG_OPTIONAL },
	{ "detail", "s",
	  "\"full\" (the default): each result as Score's; \"summary\": probability, category "
	  "and linear_predictor only, for bulk screening (several times cheaper)",
	  MV_ARG_OPTIONAL },
	MV_ARG_END,
};

static const MvArg rs_batch_out[] = {
	{ "results", "aa{sv}",
	  "One per input set, in order: Score's result (with detail \"summary\": probability, "
	  "category, linear_predictor), or error and problems (each {field, input, code, message "
	  "in the language, unit for a range})",
	  MV_ARG_NONE },
	MV_ARG_END,
};

static const MvMethod rs_methods[] = {
	{ .name = "ListModels",
	  .description = "Lists the loaded risk models with their citations",
	  .in_args = rs_list_in,
	  .out_args = rs_list_out,
	  .handler = rs_plugin_list_models },
	{ .name = "Describe",
	  .description = "One risk model in full: inputs, units, ranges, sources, features, "
			 "categories, examples",
	  .in_args = rs_describe_in,
	  .out_args = rs_describe_out,
	  .handler = rs_plugin_describe },
	{ .name = "Score",
	  .description = "Risk probability, category, each feature's contribution and an "
			 "explanation for one set of inputs; detail \"summary\" answers only "
			 "probability, category and linear_predictor",
	  .in_args = rs_score_in,
	  .out_args = rs_score_out,
	  .handler = rs_plugin_score },
	{ .name = "ScoreBatch",
	  .description = "Score for many input sets with one model; each set succeeds or lists "
			 "its problems; detail \"summary\" answers only probability, category "
			 "and linear_predictor a set",
	  .in_args = rs_batch_in,
	  .out_args = rs_batch_out,
	  .handler = rs_plugin_score_batch },
	{ .name = "ScoreColumns",
	  .description = "Scores many rows with one model from columns (one array per input, up "
			 "to 100,000 rows): probability, linear_predictor and category (an "
			 "index into categories) as arrays; a row with a problem gets null "
			 "(NaN) and category 255 and is listed in problems, and the other rows "
			 "score; no contributions or explanation (use Score for those)",
	  .in_args = rs_columns_in,
	  .out_args = rs_columns_out,
	  .handler = rs_plugin_score_columns },
	MV_METHOD_END,
};

static const MvConfigKey rs_config_keys[] = {
	{ "models-dir", "s", "",
	  "Directory of the shipped model files (empty: the data directory's models/)" },
	{ "extra-models-dir", "s", "",
	  "Directory of a clinic's own model files, loaded after the shipped ones (empty: none)" },
	MV_CONFIG_KEY_END,
};

MV_PLUGIN_DEFINE (.name = "risk-scorer",
		  .version = "1.0.0",
		  .description = "Published and clinic risk models (logistic and Cox) from data "
				 "files, with contributions and explanations",
		  .methods = rs_methods,
		  .config_keys = rs_config_keys,
		  .init = rs_plugin_init,
		  .shutdown = rs_plugin_shutdown);
