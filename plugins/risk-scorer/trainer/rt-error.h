/* The trainer's error domain and its bilingual messages. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RT_ERROR (rt_error_quark ())
GQuark rt_error_quark (void);

typedef enum {
	RT_ERROR_ARGUMENT,	/* a bad option or column choice */
	RT_ERROR_CSV,		/* the file is not a well-formed CSV table */
	RT_ERROR_VALUE,		/* a cell that is not a number, or an outcome that makes no sense */
	RT_ERROR_MISSING,	/* a missing value under --missing fail, or no complete rows left */
	RT_ERROR_SEPARATION,	/* the outcome is separated: the likelihood has no maximum */
	RT_ERROR_COLLINEAR,	/* the information matrix is singular or near-singular */
	RT_ERROR_NOT_CONVERGED, /* no convergence in the iteration limit, for another reason */
	RT_ERROR_IO,
} RtError;

/* Messages are written in the language chosen once by the program (English unless set to
 * Chinese), so the library's errors read like its command-line report. */
void rt_set_chinese (gboolean chinese);
gboolean rt_chinese (void);
#define RT_TR(en, zh) (rt_chinese () ? (zh) : (en))

G_END_DECLS
