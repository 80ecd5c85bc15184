/*
 * risk-scorer core — reading an a{sv} of inputs straight from its serialised bytes (the GVariant
 * specification, "Serialisation"), without a GVariant a member.  Score's inputs were most of a
 * call's cost read with g_variant_iter_next ("{&sv}") and a GVariantDict a unit.  Every offset
 * and string is checked; bytes that are not as the normal form would have them make the reader
 * say so, and the caller reads GLib's normal form of the value instead.  Not for the plugin.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* a serialised value and its type */
typedef struct {
	const guint8 *data;
	gsize size;
	const gchar *type; /* not NUL-terminated */
	gsize type_len;
} RsView;

typedef struct {
	const guint8 *data;
	gsize size;
	gsize table; /* where the framing offsets start */
	guint osz;   /* their size */
	gsize n, i;
	gsize end; /* the end of the last member read */
} RsDictIter;

/* The view of GVariant @v (serialising it in place when it is not yet). */
void rs_view_of (RsView *view, GVariant *v);
gboolean rs_view_is (const RsView *view, const gchar *type);

/* an a{sv} view's members: FALSE when its framing does not hold */
gboolean rs_dict_iter_init (RsDictIter *it, const RsView *dict);
/* 1: the next member, its variant opened (@value: the value inside); 0: no more; -1: a member
 * whose bytes do not hold (a key without its NUL or not UTF-8, a variant without its type) */
gint rs_dict_iter_next (RsDictIter *it, const gchar **key, RsView *value);

/* @view (a v) opened: FALSE when its bytes do not hold */
gboolean rs_view_open_variant (const RsView *view, RsView *inner);
/* whether @view's type is d or an integer type */
gboolean rs_view_is_number_type (const RsView *view);
/* a number of any integer type or d; FALSE for another type or bytes that do not hold */
gboolean rs_view_number (const RsView *view, gdouble *out);
/* b: FALSE for another type or a byte other than 0 and 1 */
gboolean rs_view_boolean (const RsView *view, gboolean *out);
/* s: the string in the bytes; NULL for another type or bytes that do not hold */
const gchar *rs_view_string (const RsView *view);

/*
 * rs_view_strings:
 * @v: an as
 * @n: how many strings GLib counts in it (g_variant_n_children)
 *
 * The strings of an as read from its serialised form.  GLib's own g_variant_get_strv() makes a
 * GVariant a string and, in GLib 2.74, checks the offsets before each string again: 10,000 rows
 * cost a hundred million instructions.  Returns (transfer container) one pointer a string into
 * @v's data (which @v keeps), NULL for one that is not a proper string (a stray NUL, no NUL at
 * its end); or NULL when the framing does not hold @n strings.
 */
const gchar **rs_view_strings (GVariant *v, gsize n);

G_END_DECLS
