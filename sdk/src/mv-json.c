/* JSON text output with numbers as people write them.  json-glib prints every double with 17
 * significant digits (22.9 becomes 22.899999999999999); clinics read these values, so doubles
 * are printed in the shortest form that reads back as the same double. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mv-host-private.h"

static void
append_double (GString *out, gdouble d)
{
	static const gchar *const formats[] = { "%.15g", "%.16g", "%.17g" };
	gchar buf[G_ASCII_DTOSTR_BUF_SIZE];

	if (!isfinite (d)) {
		g_string_append (out, "null");
		return;
	}
	for (guint i = 0; i < G_N_ELEMENTS (formats); i++) {
		g_ascii_formatd (buf, sizeof buf, formats[i], d);
		if (g_ascii_strtod (buf, NULL) == d)
			break;
	}
	g_string_append (out, buf);
	/* keep it a JSON number with a fraction or exponent, so it reads back as a double */
	if (strpbrk (buf, ".eEn") == NULL)
		g_string_append (out, ".0");
}

static void
append_string (GString *out, const gchar *s)
{
	g_string_append_c (out, '"');
	for (const guchar *p = (const guchar *)s; *p != '\0'; p++) {
		switch (*p) {
		case '"':
			g_string_append (out, "\\\"");
			break;
		case '\\':
			g_string_append (out, "\\\\");
			break;
		case '\n':
			g_string_append (out, "\\n");
			break;
		case '\r':
			g_string_append (out, "\\r");
			break;
		case '\t':
			g_string_append (out, "\\t");
			break;
		default:
			if (*p < 0x20)
				g_string_append_printf (out, "\\u%04x", *p);
			else
				g_string_append_c (out, (gchar)*p);
		}
	}
	g_string_append_c (out, '"');
}

static void
append_node (GString *out, JsonNode *node)
{
	switch (json_node_get_node_type (node)) {
	case JSON_NODE_OBJECT: {
		JsonObject *object = json_node_get_object (node);
		g_autoptr (GList) members = json_object_get_members (object);
		g_string_append_c (out, '{');
		for (GList *l = members; l != NULL; l = l->next) {
			if (l != members)
				g_string_append_c (out, ',');
			append_string (out, l->data);
			g_string_append_c (out, ':');
			append_node (out, json_object_get_member (object, l->data));
		}
		g_string_append_c (out, '}');
		return;
	}
	case JSON_NODE_ARRAY: {
		JsonArray *array = json_node_get_array (node);
		guint n = json_array_get_length (array);
		g_string_append_c (out, '[');
		for (guint i = 0; i < n; i++) {
			if (i > 0)
				g_string_append_c (out, ',');
			append_node (out, json_array_get_element (array, i));
		}
		g_string_append_c (out, ']');
		return;
	}
	case JSON_NODE_NULL:
		g_string_append (out, "null");
		return;
	case JSON_NODE_VALUE:
		break;
	}
	switch (json_node_get_value_type (node)) {
	case G_TYPE_BOOLEAN:
		g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
		return;
	case G_TYPE_INT64:
		g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
		return;
	case G_TYPE_DOUBLE:
		append_double (out, json_node_get_double (node));
		return;
	case G_TYPE_STRING:
		append_string (out, json_node_get_string (node));
		return;
	default:
		g_string_append (out, "null");
	}
}

gchar *
mv_json_to_string (JsonNode *node)
{
	GString *out = g_string_new (NULL);
	append_node (out, node);
	return g_string_free (out, FALSE);
}
