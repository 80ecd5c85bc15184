/* The training table: a CSV file (RFC 4180) read into a numeric design matrix and a 0/1
 * outcome, with the missing-value rule applied. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
	RT_MISSING_DROP, /* a row with a missing value in a used column is left out, and counted */
	RT_MISSING_FAIL, /* a missing value is an error naming the row and column */
} RtMissingRule;

typedef struct {
	const gchar *outcome;	      /* outcome column name */
	const gchar *positive;	      /* outcome value that counts as an event (y = 1) */
	const gchar *const *features; /* feature columns, NULL: every column but the outcome */
	RtMissingRule missing;
	gboolean progress; /* rows read on stderr */
} RtDataOptions;

typedef struct {
	guint n_rows;	  /* complete rows kept */
	guint n_features; /* columns of x */
	gchar **names;	  /* feature names, n_features, NULL-terminated */
	gdouble *x;	  /* row-major n_rows × n_features */
	guint8 *y;	  /* n_rows outcomes, 0 or 1 */
	gboolean *binary; /* per feature: the column holds only 0 and 1 */
	guint n_events;	  /* rows with y = 1 */
	guint n_read;	  /* data rows read from the file */
	guint n_dropped;  /* rows left out for a missing value (RT_MISSING_DROP) */
	guint *line;	  /* per kept row: its first line in the file */
	guint *row;	  /* per kept row: its data row number (1 = first row after the header) */
} RtData;

void rt_data_free (RtData *data);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RtData, rt_data_free)

/* Reads @path.  Errors (RT_ERROR): CSV (unbalanced quote, wrong field count, duplicate
 * header), ARGUMENT (unknown column), VALUE (a non-numeric feature value, named by row, line
 * and column; the value itself is not echoed, as it may be a patient's datum), MISSING. */
RtData *rt_data_read_csv (const gchar *path,
			  const RtDataOptions *options,
			  GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* The same from a buffer (tests, fuzzing); @name stands for the file in messages. */
RtData *rt_data_parse_csv (const gchar *text,
			   gsize len,
			   const gchar *name,
			   const RtDataOptions *options,
			   GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
