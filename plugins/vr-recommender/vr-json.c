/*
 * vr-recommender core — problems and the readers of JSON members every input goes through.
 * A problem names the member by its JSON Pointer and says what is wrong in English and
 * Chinese, never quoting the value (it may be patient data).
 */
#define G_LOG_DOMAIN "vr-recommender"

#include <math.h>

#include "vr-core.h"

static void
vr_problem_free (VrProblem *p)
{
	g_free (p->field);
	g_free (p->code);
	g_free (p->en);
	g_free (p->zh);
	g_free (p);
}

GPtrArray *
vr_problems_new (void)
{
	return g_ptr_array_new_with_free_func ((GDestroyNotify)vr_problem_free);
}

void
vr_problem_add (GPtrArray *problems,
		const gchar *field,
		const gchar *code,
		const gchar *en,
		const gchar *zh)
{
	VrProblem *p = g_new0 (VrProblem, 1);

	p->field = g_strdup (field);
	p->code = g_strdup (code);
	p->en = g_strdup (en);
	p->zh = g_strdup (zh);
	g_ptr_array_add (problems, p);
}

gchar *
vr_problems_join (GPtrArray *problems, const gchar *prefix)
{
	g_autoptr (GString) s = g_string_new (NULL);

	for (guint i = 0; i < problems->len; i++) {
		const VrProblem *p = g_ptr_array_index (problems, i);
		if (i > 0)
			g_string_append (s, "; ");
		g_string_append_printf (s, "%s%s%s: %s", prefix != NULL ? prefix : "",
					prefix != NULL ? ": " : "", p->field, p->en);
	}
	return g_string_free (g_steal_pointer (&s), FALSE);
}

static gchar *
vr_path (const gchar *path, const gchar *name)
{
	return g_strdup_printf ("%s/%s", path, name);
}

static void
vr_wrong_type (GPtrArray *problems, const gchar *field, const gchar *en, const gchar *zh)
{
	g_autofree gchar *msg_en = g_strdup_printf ("has the wrong type: expected %s", en);
	g_autofree gchar *msg_zh = g_strdup_printf ("类型错误：应为%s", zh);

	vr_problem_add (problems, field, "wrong-type", msg_en, msg_zh);
}

static void
vr_required (GPtrArray *problems, const gchar *path, const gchar *name)
{
	g_autofree gchar *field = vr_path (path, name);

	vr_problem_add (problems, field, "required", "is required", "为必填项");
}

JsonNode *
vr_json_member (JsonObject *obj, const gchar *name)
{
	JsonNode *node = obj != NULL ? json_object_get_member (obj, name) : NULL;

	/* null means absent: a JSON client may send it for an optional member */
	return node != NULL && !JSON_NODE_HOLDS_NULL (node) ? node : NULL;
}

void
vr_json_check_members (JsonObject *obj,
		       const gchar *path,
		       const gchar *const *allowed,
		       GPtrArray *problems)
{
	g_autoptr (GList) names = json_object_get_members (obj);

	/* sorted so the problems come in the same order whatever the hash order */
	names = g_list_sort (names, (GCompareFunc)g_strcmp0);
	for (GList *l = names; l != NULL; l = l->next) {
		if (!g_strv_contains (allowed, l->data)) {
			g_autofree gchar *field = vr_path (path, l->data);
			vr_problem_add (problems, field, "unknown-member", "is not a known member",
					"不是已知的成员");
		}
	}
}

static gboolean
vr_node_is (JsonNode *node, GType type)
{
	return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

/* the member, or NULL with a problem when it is required */
static JsonNode *
vr_json_present (JsonObject *obj,
		 const gchar *path,
		 const gchar *name,
		 gboolean required,
		 GPtrArray *problems)
{
	JsonNode *node = vr_json_member (obj, name);

	if (node == NULL && required)
		vr_required (problems, path, name);
	return node;
}

const gchar *
vr_json_string (JsonObject *obj,
		const gchar *path,
		const gchar *name,
		gboolean required,
		GPtrArray *problems)
{
	JsonNode *node = vr_json_present (obj, path, name, required, problems);
	g_autofree gchar *field = vr_path (path, name);

	if (node == NULL)
		return NULL;
	if (!vr_node_is (node, G_TYPE_STRING)) {
		vr_wrong_type (problems, field, "a string", "字符串");
		return NULL;
	}
	return json_node_get_string (node);
}

gboolean
vr_json_number (JsonObject *obj,
		const gchar *path,
		const gchar *name,
		gboolean required,
		gdouble *out,
		GPtrArray *problems)
{
	JsonNode *node = vr_json_present (obj, path, name, required, problems);
	g_autofree gchar *field = vr_path (path, name);

	if (node == NULL)
		return FALSE;
	if (!vr_node_is (node, G_TYPE_INT64) && !vr_node_is (node, G_TYPE_DOUBLE)) {
		vr_wrong_type (problems, field, "a number", "数字");
		return FALSE;
	}
	*out = json_node_get_double (node);
	if (!isfinite (*out)) {
		vr_problem_add (problems, field, "out-of-range", "is not a finite number",
				"不是有限的数字");
		return FALSE;
	}
	return TRUE;
}

gboolean
vr_json_uint (JsonObject *obj,
	      const gchar *path,
	      const gchar *name,
	      gboolean required,
	      guint max,
	      guint *out,
	      GPtrArray *problems)
{
	gdouble v = 0;
	g_autofree gchar *field = vr_path (path, name);

	if (!vr_json_number (obj, path, name, required, &v, problems))
		return FALSE;
	if (v != floor (v)) {
		vr_wrong_type (problems, field, "a whole number", "整数");
		return FALSE;
	}
	if (v < 0 || v > max) {
		g_autofree gchar *en = g_strdup_printf ("is out of range (0 to %u)", max);
		g_autofree gchar *zh = g_strdup_printf ("超出范围（0 至 %u）", max);
		vr_problem_add (problems, field, "out-of-range", en, zh);
		return FALSE;
	}
	*out = (guint)v;
	return TRUE;
}

gboolean
vr_json_boolean (
	JsonObject *obj, const gchar *path, const gchar *name, gboolean *out, GPtrArray *problems)
{
	JsonNode *node = vr_json_member (obj, name);
	g_autofree gchar *field = vr_path (path, name);

	if (node == NULL)
		return FALSE;
	if (!vr_node_is (node, G_TYPE_BOOLEAN)) {
		vr_wrong_type (problems, field, "true or false", "true 或 false");
		return FALSE;
	}
	*out = json_node_get_boolean (node);
	return TRUE;
}

JsonArray *
vr_json_array (JsonObject *obj,
	       const gchar *path,
	       const gchar *name,
	       gboolean required,
	       GPtrArray *problems)
{
	JsonNode *node = vr_json_present (obj, path, name, required, problems);
	g_autofree gchar *field = vr_path (path, name);

	if (node == NULL)
		return NULL;
	if (!JSON_NODE_HOLDS_ARRAY (node)) {
		vr_wrong_type (problems, field, "a list", "列表");
		return NULL;
	}
	return json_node_get_array (node);
}

/* a list of strings, each one of @allowed when it is given, none twice */
gchar **
vr_json_strv (JsonObject *obj,
	      const gchar *path,
	      const gchar *name,
	      gboolean required,
	      const gchar *const *allowed,
	      GPtrArray *problems)
{
	JsonArray *array = vr_json_array (obj, path, name, required, problems);
	g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
	g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
	guint before = problems->len;

	if (array == NULL)
		return NULL;
	for (guint i = 0; i < json_array_get_length (array); i++) {
		JsonNode *node = json_array_get_element (array, i);
		g_autofree gchar *field = g_strdup_printf ("%s/%s/%u", path, name, i);
		const gchar *s;

		if (!vr_node_is (node, G_TYPE_STRING)) {
			vr_wrong_type (problems, field, "a string", "字符串");
			continue;
		}
		s = json_node_get_string (node);
		if (allowed != NULL && !g_strv_contains (allowed, s)) {
			vr_problem_add (problems, field, "not-allowed",
					"is not one of the allowed values", "不是允许的取值");
			continue;
		}
		if (!g_hash_table_add (seen, (gpointer)s)) {
			vr_problem_add (problems, field, "duplicate", "is listed twice",
					"重复列出");
			continue;
		}
		g_strv_builder_add (builder, s);
	}
	return problems->len == before ? g_strv_builder_end (builder) : NULL;
}

/* one of @names: its index; -1 when it is none of them (a problem), -2 when absent */
gint
vr_json_enum (JsonObject *obj,
	      const gchar *path,
	      const gchar *name,
	      const gchar *const *names,
	      gboolean required,
	      GPtrArray *problems)
{
	const gchar *s = vr_json_string (obj, path, name, required, problems);
	gint v = vr_enum_parse (s, names);

	if (s != NULL && v < 0) {
		g_autofree gchar *field = g_strdup_printf ("%s/%s", path, name);
		vr_problem_add (problems, field, "not-allowed", "is not one of the allowed values",
				"不是允许的取值");
	}
	return s == NULL ? -2 : v;
}

JsonObject *
vr_json_object_at (JsonNode *node, const gchar *path, GPtrArray *problems)
{
	if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node)) {
		vr_wrong_type (problems, path, "an object", "对象");
		return NULL;
	}
	return json_node_get_object (node);
}

gint
vr_enum_parse (const gchar *s, const gchar *const *names)
{
	for (gint i = 0; s != NULL && names[i] != NULL; i++) {
		if (g_str_equal (s, names[i]))
			return i;
	}
	return -1;
}

/* json-glib serialises a variant's content, a{sv} as an object, av and as as arrays: a value
 * that came over HTTP (v typed by its JSON kind) and one that came over D-Bus read the same */
JsonNode *
vr_variant_to_json (GVariant *value)
{
	return json_gvariant_serialize (value);
}

GVariant *
vr_reason_new (const gchar *code, const gchar *en, const gchar *zh)
{
	g_auto (GVariantBuilder) b = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);

	g_variant_builder_add (&b, "{sv}", "code", g_variant_new_string (code));
	g_variant_builder_add (&b, "{sv}", "en", g_variant_new_string (en));
	g_variant_builder_add (&b, "{sv}", "zh", g_variant_new_string (zh));
	return g_variant_ref_sink (g_variant_builder_end (&b));
}

gdouble
vr_hash_unit (guint64 seed, const gchar *s)
{
	/* FNV-1a over the seed's bytes then the string: stable across runs and platforms */
	guint64 h = 1469598103934665603ULL;

	for (guint i = 0; i < 8; i++) {
		h ^= (seed >> (8 * i)) & 0xff;
		h *= 1099511628211ULL;
	}
	for (const guchar *c = (const guchar *)s; *c != '\0'; c++) {
		h ^= *c;
		h *= 1099511628211ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return (gdouble)(h >> 11) / (gdouble)(1ULL << 53);
}
