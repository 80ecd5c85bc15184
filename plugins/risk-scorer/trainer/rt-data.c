/* CSV (RFC 4180) to a design matrix: see rt-data.h.  The file is mapped, not copied; each
 * record's fields are unquoted into one reused buffer, so a large file costs no allocation per
 * field. */
#include "rt-data.h"

#include "rt-error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define RT_PROGRESS_ROWS 100000

typedef struct {
	const gchar *p, *end;
	guint line;	 /* line of the next character */
	GString *buf;	 /* the record's fields, each NUL-terminated */
	GArray *offsets; /* guint: where each field starts in buf */
} CsvCursor;

void
rt_data_free (RtData *data)
{
	if (data == NULL)
		return;
	g_strfreev (data->names);
	g_free (data->x);
	g_free (data->y);
	g_free (data->binary);
	g_free (data->line);
	g_free (data->row);
	g_free (data);
}

static gboolean
csv_quoted_field (CsvCursor *c, const gchar *name, GError **error)
{
	guint start_line = c->line;

	c->p++; /* the opening quote */
	for (;;) {
		if (c->p >= c->end) {
			g_set_error (error, RT_ERROR, RT_ERROR_CSV,
				     RT_TR ("%s: line %u: a quoted field is never closed",
					    "%s：第 %u 行：引号字段没有结束引号"),
				     name, start_line);
			return FALSE;
		}
		if (*c->p == '"') {
			if (c->p + 1 < c->end && c->p[1] == '"') {
				g_string_append_c (c->buf, '"');
				c->p += 2;
				continue;
			}
			c->p++;
			break;
		}
		if (*c->p == '\n')
			c->line++;
		g_string_append_c (c->buf, *c->p++);
	}
	if (c->p < c->end && *c->p != ',' && *c->p != '\n' && *c->p != '\r') {
		g_set_error (error, RT_ERROR, RT_ERROR_CSV,
			     RT_TR ("%s: line %u: text after a closing quote",
				    "%s：第 %u 行：结束引号后还有文字"),
			     name, c->line);
		return FALSE;
	}
	return TRUE;
}

/* Reads one record into c->buf/c->offsets.  Returns FALSE at the end of the data (with
 * @error unset) or on an error.  Blank lines are skipped. */
static gboolean
csv_next_record (CsvCursor *c, const gchar *name, guint *record_line, GError **error)
{
	while (c->p < c->end && (*c->p == '\n' || *c->p == '\r')) {
		if (*c->p == '\n')
			c->line++;
		c->p++;
	}
	if (c->p >= c->end)
		return FALSE;
	*record_line = c->line;
	g_string_truncate (c->buf, 0);
	g_array_set_size (c->offsets, 0);
	for (;;) {
		guint off = (guint)c->buf->len;
		g_array_append_val (c->offsets, off);
		if (c->p < c->end && *c->p == '"') {
			if (!csv_quoted_field (c, name, error))
				return FALSE;
		} else {
			const gchar *s = c->p;
			while (c->p < c->end && *c->p != ',' && *c->p != '\n' && *c->p != '\r')
				c->p++;
			g_string_append_len (c->buf, s, c->p - s);
		}
		g_string_append_c (c->buf, '\0');
		if (c->p < c->end && *c->p == ',') {
			c->p++;
			continue;
		}
		break;
	}
	if (c->p < c->end && *c->p == '\r')
		c->p++;
	if (c->p < c->end && *c->p == '\n') {
		c->p++;
		c->line++;
	}
	return TRUE;
}

static gchar *
csv_field (CsvCursor *c, guint i)
{
	return c->buf->str + g_array_index (c->offsets, guint, i);
}

/* g_strstrip, without its memmove for the usual cell that has no space around it */
static const gchar *
trim (gchar *s)
{
	gsize len = strlen (s);

	if (len == 0 || (!g_ascii_isspace (s[0]) && !g_ascii_isspace (s[len - 1])))
		return s;
	return g_strstrip (s);
}

static gboolean
is_missing (const gchar *s)
{
	return *s == '\0' || strcmp (s, "NA") == 0;
}

static gboolean
parse_number (const gchar *s, gdouble *out)
{
	gchar *endp = NULL;
	gdouble v;

	while (g_ascii_isspace (*s))
		s++;
	if (*s == '\0')
		return FALSE;
	v = g_ascii_strtod (s, &endp);
	while (g_ascii_isspace (*endp))
		endp++;
	if (*endp != '\0' || !isfinite (v))
		return FALSE;
	*out = v;
	return TRUE;
}

/* the outcome cell equals --positive: as text, or as numbers ("1" and "1.0") */
static gboolean
is_positive (const gchar *cell, const gchar *positive)
{
	gdouble a, b;

	if (strcmp (cell, positive) == 0)
		return TRUE;
	return parse_number (cell, &a) && parse_number (positive, &b) && a == b;
}

typedef struct {
	const RtDataOptions *opt;
	const gchar *name;
	gchar **header;
	guint n_header;
	gint outcome_col;
	GArray *cols; /* guint: header index of each feature */
	GArray *x, *y, *lines, *rows;
	GHashTable *outcome_values;
	guint n_read, n_dropped;
} Loader;

static gboolean
loader_columns (Loader *ld, GError **error)
{
	g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
	g_autoptr (GString) unknown = g_string_new (NULL);

	ld->outcome_col = -1;
	for (guint i = 0; i < ld->n_header; i++) {
		if (!g_hash_table_add (seen, ld->header[i])) {
			g_set_error (error, RT_ERROR, RT_ERROR_CSV,
				     RT_TR ("%s: the header names column '%s' twice",
					    "%s：表头中列名“%s”重复"),
				     ld->name, ld->header[i]);
			return FALSE;
		}
		if (strcmp (ld->header[i], ld->opt->outcome) == 0)
			ld->outcome_col = (gint)i;
	}
	if (ld->outcome_col < 0)
		g_string_append_printf (unknown, "%s'%s'", unknown->len ? ", " : "",
					ld->opt->outcome);
	for (guint i = 0; i < ld->n_header && ld->opt->features == NULL; i++)
		if ((gint)i != ld->outcome_col)
			g_array_append_val (ld->cols, i);
	for (guint f = 0; ld->opt->features != NULL && ld->opt->features[f] != NULL; f++) {
		const gchar *want = ld->opt->features[f];
		guint i;
		for (i = 0; i < ld->n_header && strcmp (ld->header[i], want) != 0; i++)
			;
		if (i == ld->n_header) {
			g_string_append_printf (unknown, "%s'%s'", unknown->len ? ", " : "", want);
			continue;
		}
		if ((gint)i == ld->outcome_col) {
			g_set_error (error, RT_ERROR, RT_ERROR_ARGUMENT,
				     RT_TR ("the outcome column '%s' cannot also be a feature",
					    "结局列“%s”不能同时作为特征"),
				     want);
			return FALSE;
		}
		for (guint c = 0; c < ld->cols->len; c++) {
			if (g_array_index (ld->cols, guint, c) == i) {
				g_set_error (error, RT_ERROR, RT_ERROR_ARGUMENT,
					     RT_TR ("--features names '%s' twice",
						    "--features 中“%s”出现两次"),
					     want);
				return FALSE;
			}
		}
		g_array_append_val (ld->cols, i);
	}
	if (unknown->len > 0) {
		g_set_error (error, RT_ERROR, RT_ERROR_ARGUMENT,
			     RT_TR ("%s: no column named %s", "%s：没有名为 %s 的列"), ld->name,
			     unknown->str);
		return FALSE;
	}
	if (ld->cols->len == 0) {
		g_set_error (error, RT_ERROR, RT_ERROR_ARGUMENT, "%s",
			     RT_TR ("no feature columns", "没有特征列"));
		return FALSE;
	}
	return TRUE;
}

static gboolean
missing_cell (Loader *ld, guint row, guint line, guint col, gboolean *drop, GError **error)
{
	if (ld->opt->missing == RT_MISSING_DROP) {
		*drop = TRUE;
		return TRUE;
	}
	g_set_error (error, RT_ERROR, RT_ERROR_MISSING,
		     RT_TR ("%s: row %u (line %u), column '%s': missing value (--missing fail)",
			    "%s：第 %u 行（文件第 %u 行），列“%s”：缺失值（--missing fail）"),
		     ld->name, row, line, ld->header[col]);
	return FALSE;
}

/* one data record: appended to x/y, or counted as dropped */
static gboolean
loader_record (Loader *ld, CsvCursor *c, guint line, GError **error)
{
	guint row = ++ld->n_read;
	gboolean drop = FALSE;
	guint base = ld->x->len;
	const gchar *outcome;

	if (c->offsets->len != ld->n_header) {
		g_set_error (error, RT_ERROR, RT_ERROR_CSV,
			     RT_TR ("%s: row %u (line %u) has %u fields, the header has %u",
				    "%s：第 %u 行（文件第 %u 行）有 %u 个字段，表头有 %u 个"),
			     ld->name, row, line, c->offsets->len, ld->n_header);
		return FALSE;
	}
	g_array_set_size (ld->x, base + ld->cols->len);
	for (guint f = 0; f < ld->cols->len; f++) {
		guint col = g_array_index (ld->cols, guint, f);
		/* trimmed in place: the buffer is the record's scratch copy */
		const gchar *trimmed = trim (csv_field (c, col));
		if (is_missing (trimmed)) {
			if (!missing_cell (ld, row, line, col, &drop, error))
				return FALSE;
			continue;
		}
		if (!parse_number (trimmed, &g_array_index (ld->x, gdouble, base + f))) {
			g_set_error (error, RT_ERROR, RT_ERROR_VALUE,
				     RT_TR ("%s: row %u (line %u), column '%s': not a number",
					    "%s：第 %u 行（文件第 %u 行），列“%s”：不是数字"),
				     ld->name, row, line, ld->header[col]);
			return FALSE;
		}
	}
	outcome = trim (csv_field (c, (guint)ld->outcome_col));
	if (is_missing (outcome)
	    && !missing_cell (ld, row, line, (guint)ld->outcome_col, &drop, error))
		return FALSE;
	if (drop) {
		g_array_set_size (ld->x, base);
		ld->n_dropped++;
		return TRUE;
	}
	if (g_hash_table_size (ld->outcome_values) < 3)
		g_hash_table_add (ld->outcome_values, g_strdup (outcome));
	{
		guint8 yv = is_positive (outcome, ld->opt->positive) ? 1 : 0;
		g_array_append_val (ld->y, yv);
		g_array_append_val (ld->lines, line);
		g_array_append_val (ld->rows, row);
	}
	return TRUE;
}

static gint
cmp_str (gconstpointer a, gconstpointer b)
{
	return strcmp (*(const gchar *const *)a, *(const gchar *const *)b);
}

/* --positive matched no row: most often a typo or the case ("Yes" for "yes"), so the values
 * the column does hold are listed (at most two: a third is refused before). */
static RtData *
loader_no_positive (Loader *ld, GError **error)
{
	g_autofree const gchar **values
		= (const gchar **)g_hash_table_get_keys_as_array (ld->outcome_values, NULL);
	guint n = g_hash_table_size (ld->outcome_values);
	g_autoptr (GString) seen = g_string_new (NULL);

	qsort (values, n, sizeof (gchar *), cmp_str);
	for (guint i = 0; i < n; i++)
		g_string_append_printf (seen, RT_TR ("%s'%s'", "%s“%s”"),
					i > 0 ? RT_TR (", ", "、") : "", values[i]);
	g_set_error (error, RT_ERROR, RT_ERROR_VALUE,
		     RT_TR ("%s: no row has the outcome '%s' equal to --positive '%s' (the match "
			    "is exact, case included); the column holds %s",
			    "%s：没有一行的结局“%s”等于 --positive “%s”（须完全一致，区分大小写）；"
			    "该列的取值为 %s"),
		     ld->name, ld->opt->outcome, ld->opt->positive, seen->str);
	return NULL;
}

static RtData *
loader_finish (Loader *ld, GError **error)
{
	g_autoptr (RtData) data = g_new0 (RtData, 1);
	guint k = ld->cols->len;

	data->n_rows = ld->y->len;
	data->n_features = k;
	data->n_read = ld->n_read;
	data->n_dropped = ld->n_dropped;
	for (guint i = 0; i < data->n_rows; i++)
		data->n_events += g_array_index (ld->y, guint8, i);
	if (data->n_rows == 0) {
		g_set_error (error, RT_ERROR, RT_ERROR_MISSING,
			     RT_TR ("%s: no complete rows (%u read, %u with a missing value)",
				    "%s：没有完整的行（读取 %u 行，%u 行有缺失值）"),
			     ld->name, ld->n_read, ld->n_dropped);
		return NULL;
	}
	if (g_hash_table_size (ld->outcome_values) > 2) {
		g_set_error (error, RT_ERROR, RT_ERROR_VALUE,
			     RT_TR ("%s: the outcome column '%s' holds more than two values",
				    "%s：结局列“%s”有两个以上的取值"),
			     ld->name, ld->opt->outcome);
		return NULL;
	}
	if (data->n_events == 0)
		return loader_no_positive (ld, error);
	if (data->n_events == data->n_rows) {
		g_set_error (error, RT_ERROR, RT_ERROR_VALUE,
			     RT_TR ("%s: the outcome '%s' is %s in every row: nothing to fit",
				    "%s：结局“%s”在所有行中都%s：无法拟合"),
			     ld->name, ld->opt->outcome, RT_TR ("the positive value", "是阳性值"));
		return NULL;
	}
	data->names = g_new0 (gchar *, k + 1);
	data->binary = g_new0 (gboolean, k);
	for (guint f = 0; f < k; f++) {
		data->names[f] = g_strdup (ld->header[g_array_index (ld->cols, guint, f)]);
		data->binary[f] = TRUE;
		for (guint i = 0; i < data->n_rows && data->binary[f]; i++) {
			gdouble v = g_array_index (ld->x, gdouble, (gsize)i * k + f);
			data->binary[f] = v == 0 || v == 1;
		}
	}
	data->x = (gdouble *)g_array_free (g_steal_pointer (&ld->x), FALSE);
	data->y = (guint8 *)g_array_free (g_steal_pointer (&ld->y), FALSE);
	data->line = (guint *)g_array_free (g_steal_pointer (&ld->lines), FALSE);
	data->row = (guint *)g_array_free (g_steal_pointer (&ld->rows), FALSE);
	return g_steal_pointer (&data);
}

RtData *
rt_data_parse_csv (const gchar *text,
		   gsize len,
		   const gchar *name,
		   const RtDataOptions *options,
		   GError **error)
{
	g_autoptr (GString) buf = g_string_new (NULL);
	g_autoptr (GArray) offsets = g_array_new (FALSE, FALSE, sizeof (guint));
	g_autoptr (GArray) cols = g_array_new (FALSE, FALSE, sizeof (guint));
	g_autoptr (GArray) x = g_array_new (FALSE, FALSE, sizeof (gdouble));
	g_autoptr (GArray) y = g_array_new (FALSE, FALSE, sizeof (guint8));
	g_autoptr (GArray) lines = g_array_new (FALSE, FALSE, sizeof (guint));
	g_autoptr (GArray) rows = g_array_new (FALSE, FALSE, sizeof (guint));
	g_autoptr (GHashTable) values
		= g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	g_autoptr (GPtrArray) header = g_ptr_array_new_with_free_func (g_free);
	CsvCursor c = { text, text + len, 1, buf, offsets };
	Loader ld = { options, name, NULL, 0, -1, cols, x, y, lines, rows, values, 0, 0 };
	g_autoptr (GError) local = NULL;
	guint line = 0;
	RtData *data;

	if (len >= 3 && memcmp (text, "\xef\xbb\xbf", 3) == 0)
		c.p += 3; /* a UTF-8 byte order mark, as spreadsheet exports write */
	if (!csv_next_record (&c, name, &line, &local)) {
		if (local == NULL)
			g_set_error (&local, RT_ERROR, RT_ERROR_CSV, "%s: %s", name,
				     RT_TR ("empty file, no header row", "空文件，没有表头"));
		g_propagate_error (error, g_steal_pointer (&local));
		return NULL;
	}
	for (guint i = 0; i < offsets->len; i++)
		g_ptr_array_add (header, g_strstrip (g_strdup (csv_field (&c, i))));
	g_ptr_array_add (header, NULL);
	ld.header = (gchar **)header->pdata;
	ld.n_header = header->len - 1;
	if (!loader_columns (&ld, error))
		return NULL;
	while (csv_next_record (&c, name, &line, &local)) {
		if (!loader_record (&ld, &c, line, error))
			return NULL;
		if (options->progress && ld.n_read % RT_PROGRESS_ROWS == 0)
			g_printerr ("medverse-train: %u %s\n", ld.n_read,
				    RT_TR ("rows read", "行已读取"));
	}
	if (local != NULL) {
		g_propagate_error (error, g_steal_pointer (&local));
		return NULL;
	}
	data = loader_finish (&ld, error);
	/* loader_finish stole the arrays it kept; the autoptrs must not free them twice */
	x = ld.x;
	y = ld.y;
	lines = ld.lines;
	rows = ld.rows;
	return data;
}

RtData *
rt_data_read_csv (const gchar *path, const RtDataOptions *options, GError **error)
{
	g_autoptr (GMappedFile) map = NULL;
	g_autoptr (GError) local = NULL;
	g_autofree gchar *name = g_path_get_basename (path);

	map = g_mapped_file_new (path, FALSE, &local);
	if (map == NULL) {
		g_set_error (error, RT_ERROR, RT_ERROR_IO, "%s", local->message);
		return NULL;
	}
	return rt_data_parse_csv (g_mapped_file_get_contents (map), g_mapped_file_get_length (map),
				  name, options, error);
}
