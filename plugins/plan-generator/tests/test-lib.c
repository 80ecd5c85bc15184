/*
 * plan-generator tests — shared helpers (test-lib.h).
 */
#include "test-lib.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

gchar *
pgt_read (const gchar *rel)
{
	g_autofree gchar *path = g_build_filename (g_getenv ("PG_TEST_DIR"), rel, NULL);
	gchar *data = NULL;

	if (!g_file_get_contents (path, &data, NULL, NULL))
		g_error ("cannot read %s", path);
	return data;
}

GVariant *
pgt_load_dict (const gchar *rel)
{
	g_autofree gchar *data = pgt_read (rel);
	g_autoptr (JsonParser) parser = json_parser_new ();
	g_autoptr (GError) error = NULL;
	GVariant *v;

	if (!json_parser_load_from_data (parser, data, -1, &error))
		g_error ("%s: %s", rel, error->message);
	v = json_gvariant_deserialize (json_parser_get_root (parser), "a{sv}", &error);
	if (v == NULL)
		g_error ("%s: %s", rel, error->message);
	return g_variant_ref_sink (v);
}

static GVariant *
pgt_unbox (GVariant *v)
{
	while (g_variant_is_of_type (v, G_VARIANT_TYPE_VARIANT)) {
		GVariant *inner = g_variant_get_variant (v);
		g_variant_unref (v);
		v = inner;
	}
	return v;
}

GPtrArray *
pgt_items (GVariant *dict, const gchar *list)
{
	GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify)g_variant_unref);
	GVariant *l = g_variant_lookup_value (dict, list, NULL);
	GVariantIter iter;
	GVariant *child;

	if (l == NULL)
		return out;
	l = pgt_unbox (l);
	g_variant_iter_init (&iter, l);
	while ((child = g_variant_iter_next_value (&iter)) != NULL)
		g_ptr_array_add (out, pgt_unbox (child));
	g_variant_unref (l);
	return out;
}

GVariant *
pgt_find (GVariant *dict, const gchar *list, const gchar *key, const gchar *value)
{
	g_autoptr (GPtrArray) items = pgt_items (dict, list);

	for (guint i = 0; i < items->len; i++) {
		GVariant *item = g_ptr_array_index (items, i);
		if (g_strcmp0 (pgt_str (item, key), value) == 0)
			return g_variant_ref (item);
	}
	return NULL;
}

const gchar *
pgt_str (GVariant *dict, const gchar *key)
{
	const gchar *s = NULL;

	if (!g_variant_lookup (dict, key, "&s", &s))
		return NULL;
	return s;
}

gdouble
pgt_num (GVariant *dict, const gchar *key)
{
	g_autoptr (GVariant) v = g_variant_lookup_value (dict, key, NULL);

	if (v == NULL)
		return NAN;
	v = pgt_unbox (g_steal_pointer (&v));
	if (g_variant_is_of_type (v, G_VARIANT_TYPE_DOUBLE))
		return g_variant_get_double (v);
	if (g_variant_is_of_type (v, G_VARIANT_TYPE_UINT32))
		return g_variant_get_uint32 (v);
	if (g_variant_is_of_type (v, G_VARIANT_TYPE_INT64))
		return (gdouble)g_variant_get_int64 (v);
	return NAN;
}

gboolean
pgt_has (GVariant *dict, const gchar *key)
{
	g_autoptr (GVariant) v = g_variant_lookup_value (dict, key, NULL);

	return v != NULL;
}

gboolean
pgt_has_latin (const gchar *text)
{
	static const gchar *const allowed[] = { "mmHg", "mmol/L", "kg", "cm", NULL };
	g_autofree gchar *copy = g_strdup (text);

	for (guint i = 0; allowed[i] != NULL; i++) {
		gchar *p;
		while ((p = strstr (copy, allowed[i])) != NULL)
			memset (p, ' ', strlen (allowed[i]));
	}
	for (const gchar *p = copy; *p != '\0'; p++) {
		if (g_ascii_isalpha (*p))
			return TRUE;
	}
	return FALSE;
}

gboolean
pgt_has_cjk (const gchar *text)
{
	for (const gchar *p = text; *p != '\0'; p = g_utf8_next_char (p)) {
		gunichar c = g_utf8_get_char (p);
		if (c >= 0x4E00 && c <= 0x9FFF)
			return TRUE;
	}
	return FALSE;
}
