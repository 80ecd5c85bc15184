/*
 * plan-generator tests — shared helpers: test data files, looking into plans.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* PG_TEST_DIR/@rel, read whole */
gchar *pgt_read (const gchar *rel);

/* a JSON file as a{sv}, typed as the daemon's JSON adapter types it: lists av, integers x */
GVariant *pgt_load_dict (const gchar *rel);

/* the element of the aa{sv} member @list of @dict whose @key is @value, or NULL */
GVariant *pgt_find (GVariant *dict, const gchar *list, const gchar *key, const gchar *value);

/* every element of the list member @list of @dict */
GPtrArray *pgt_items (GVariant *dict, const gchar *list);

const gchar *pgt_str (GVariant *dict, const gchar *key);
gdouble pgt_num (GVariant *dict, const gchar *key);
gboolean pgt_has (GVariant *dict, const gchar *key);

/* TRUE when @text holds Latin letters outside the units and codes a Chinese text may carry */
gboolean pgt_has_latin (const gchar *text);
/* TRUE when @text holds a CJK ideograph */
gboolean pgt_has_cjk (const gchar *text);

G_END_DECLS
