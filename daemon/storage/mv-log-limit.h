/*
 * Repeated warnings, rate-limited: at most one line of a kind per interval, with the count of
 * the lines held back in between.
 *
 * During an outage the same condition is met on every request and every /readyz probe; one
 * line per probe buries everything else in the journal, none at all hides the outage.  A kind
 * is one static MvLogLimit next to the g_warning() it guards.  It lives in the storage library
 * because that is the lowest library of the daemon: the pool, the engine and the adapters can
 * all use it.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The interval of every kind of line the daemon rate-limits, in seconds. */
#define MV_LOG_LIMIT_INTERVAL_S 30

typedef struct {
	gint64 last_us; /* monotonic time of the last line let through; 0: never */
	guint suppressed;
} MvLogLimit;

/**
 * mv_log_limit_take:
 * @limit: the kind's state, usually `static MvLogLimit limit;`
 * @suffix: (out) (transfer full): text to append to the line: "" or
 *   " (and 3 more like it since the last one, not logged)"
 *
 * Whether a line of @limit's kind may be logged now: %TRUE at most once per
 * %MV_LOG_LIMIT_INTERVAL_S; %FALSE counts the line as held back (@suffix is then %NULL).
 *
 * Thread safety: safe from any thread.
 */
gboolean mv_log_limit_take (MvLogLimit *limit, gchar **suffix);

/* The same at a given monotonic time and interval, for tests. */
gboolean
mv_log_limit_take_at (MvLogLimit *limit, gint64 now_us, gint64 interval_us, gchar **suffix);

/**
 * mv_log_limit_reset:
 * @limit: a kind's state
 *
 * Forgets the last line (the next one is logged at once) and the held-back count, e.g. when
 * the condition ended so its next occurrence is news.  Thread safety: safe from any thread.
 */
void mv_log_limit_reset (MvLogLimit *limit);

G_END_DECLS
