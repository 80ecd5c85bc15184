/*
 * risk-scorer core — serialised a{sv} reading (rs-view.h).  The layout, from the GVariant
 * specification: an array of variable-size elements is the elements, each aligned, then one
 * framing offset a element (its end); a dict entry {sv} is the key with its NUL, padding to 8,
 * the variant, then the key's end as a framing offset; a variant is the value, a NUL, then the
 * value's type string.  An offset's size follows the container's size (1, 2, 4 or 8 bytes).
 */
#define G_LOG_DOMAIN "risk-scorer"

#include "rs-view.h"

#include <string.h>

static guint
rs_offset_size (gsize size)
{
	return size > G_MAXUINT32 ? 8 : size > G_MAXUINT16 ? 4 : size > G_MAXUINT8 ? 2 : 1;
}

static gsize
rs_offset (const guint8 *p, guint size)
{
	gsize v = 0;

	for (guint i = 0; i < size; i++) /* little-endian, whatever the host */
		v |= (gsize)p[i] << (8 * i);
	return v;
}

static gsize
rs_align8 (gsize x)
{
	return (x + 7) & ~(gsize)7;
}

void
rs_view_of (RsView *view, GVariant *v)
{
	view->type = g_variant_get_type_string (v);
	view->type_len = strlen (view->type);
	view->size = g_variant_get_size (v);
	view->data = view->size > 0 ? g_variant_get_data (v) : NULL;
}

gboolean
rs_view_is (const RsView *view, const gchar *type)
{
	return view->type_len == strlen (type) && memcmp (view->type, type, view->type_len) == 0;
}

gboolean
rs_dict_iter_init (RsDictIter *it, const RsView *dict)
{
	memset (it, 0, sizeof (*it));
	it->data = dict->data;
	it->size = dict->size;
	if (dict->size == 0) /* no members */
		return TRUE;
	it->osz = rs_offset_size (dict->size);
	if (dict->data == NULL || dict->size < it->osz)
		return FALSE;
	it->table = rs_offset (dict->data + dict->size - it->osz, it->osz);
	if (it->table > dict->size || (dict->size - it->table) % it->osz != 0)
		return FALSE;
	it->n = (dict->size - it->table) / it->osz;
	return it->n > 0;
}

/* a string of @len bytes at @p: its NUL last and nowhere else, and UTF-8 */
static gboolean
rs_string_ok (const guint8 *p, gsize len)
{
	return len > 0 && p[len - 1] == '\0' && memchr (p, '\0', len) == p + len - 1
	       && g_utf8_validate ((const gchar *)p, (gssize)len - 1, NULL);
}

gboolean
rs_view_open_variant (const RsView *view, RsView *inner)
{
	const guint8 *nul;
	const gchar *end = NULL;

	if (!rs_view_is (view, "v") || view->size == 0)
		return FALSE;
	/* the type string holds no NUL: the last NUL ends the value */
	for (nul = view->data + view->size; nul > view->data && nul[-1] != '\0'; nul--)
		;
	if (nul == view->data)
		return FALSE;
	nul--;
	inner->data = view->data;
	inner->size = (gsize)(nul - view->data);
	inner->type = (const gchar *)nul + 1;
	inner->type_len = view->size - inner->size - 1;
	/* exactly one complete type */
	return inner->type_len > 0
	       && g_variant_type_string_scan (inner->type, inner->type + inner->type_len, &end)
	       && end == inner->type + inner->type_len;
}

gint
rs_dict_iter_next (RsDictIter *it, const gchar **key, RsView *value)
{
	gsize start, end, esize, key_end;
	const guint8 *entry;
	guint eosz;
	RsView variant;

	if (it->i >= it->n)
		return 0;
	start = it->i == 0 ? 0 : rs_align8 (it->end);
	end = rs_offset (it->data + it->table + it->i * it->osz, it->osz);
	if (start > end || end > it->table)
		return -1;
	it->i++;
	it->end = end;
	entry = it->data + start;
	esize = end - start;
	eosz = rs_offset_size (esize);
	if (esize < eosz)
		return -1;
	key_end = rs_offset (entry + esize - eosz, eosz);
	if (key_end > esize - eosz || !rs_string_ok (entry, key_end))
		return -1;
	if (rs_align8 (key_end) > esize - eosz)
		return -1;
	variant.data = entry + rs_align8 (key_end);
	variant.size = esize - eosz - rs_align8 (key_end);
	variant.type = "v";
	variant.type_len = 1;
	*key = (const gchar *)entry;
	return rs_view_open_variant (&variant, value) ? 1 : -1;
}

gboolean
rs_view_is_number_type (const RsView *v)
{
	return v->type_len == 1 && strchr ("dxtiunqy", v->type[0]) != NULL;
}

gboolean
rs_view_number (const RsView *v, gdouble *out)
{
	union {
		gdouble d;
		gint64 x;
		guint64 t;
		gint32 i;
		guint32 u;
		gint16 n;
		guint16 q;
		guint8 y;
	} u;
	gchar c = v->type_len == 1 ? v->type[0] : '\0';
	gsize need = c == 'd' || c == 'x' || c == 't' ? 8
		     : c == 'i' || c == 'u'	      ? 4
		     : c == 'n' || c == 'q'	      ? 2
		     : c == 'y'			      ? 1
						      : 0;

	if (need == 0 || v->size != need)
		return FALSE;
	memcpy (&u, v->data, need);
	/* GVariant is little-endian; so is every host Medverse ships for (the writer in
	 * risk-scorer.c assumes the same of doubles) */
	switch (c) {
	case 'd':
		*out = u.d;
		break;
	case 'x':
		*out = (gdouble)GINT64_FROM_LE (u.x);
		break;
	case 't':
		*out = (gdouble)GUINT64_FROM_LE (u.t);
		break;
	case 'i':
		*out = (gdouble)GINT32_FROM_LE (u.i);
		break;
	case 'u':
		*out = (gdouble)GUINT32_FROM_LE (u.u);
		break;
	case 'n':
		*out = (gdouble)GINT16_FROM_LE (u.n);
		break;
	case 'q':
		*out = (gdouble)GUINT16_FROM_LE (u.q);
		break;
	default:
		*out = (gdouble)u.y;
	}
	return TRUE;
}

gboolean
rs_view_boolean (const RsView *v, gboolean *out)
{
	if (!rs_view_is (v, "b") || v->size != 1 || v->data[0] > 1)
		return FALSE;
	*out = v->data[0];
	return TRUE;
}

const gchar *
rs_view_string (const RsView *v)
{
	if (!rs_view_is (v, "s") || !rs_string_ok (v->data, v->size))
		return NULL;
	return (const gchar *)v->data;
}

const gchar **
rs_view_strings (GVariant *v, gsize n)
{
	const guint8 *data = g_variant_get_data (v);
	gsize size = g_variant_get_size (v);
	guint osz = rs_offset_size (size);
	g_autofree const gchar **out = g_new0 (const gchar *, n + 1);
	gsize table, start = 0;

	if (n == 0)
		return g_steal_pointer (&out);
	if (data == NULL || size < osz)
		return NULL;
	table = rs_offset (data + size - osz, osz);
	if (table > size - osz || (size - table) / osz != n || (size - table) % osz != 0)
		return NULL;
	for (gsize r = 0; r < n; r++) {
		gsize end = rs_offset (data + table + r * osz, osz);

		if (end < start || end > table)
			return NULL;
		/* not checked as UTF-8: the strings are only compared with a model's levels and
		 * units, which are, so one that is not matches none */
		if (end > start && data[end - 1] == '\0'
		    && memchr (data + start, '\0', end - start) == data + end - 1)
			out[r] = (const gchar *)data + start;
		start = end;
	}
	return g_steal_pointer (&out);
}
