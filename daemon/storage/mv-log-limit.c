/* Rate-limited warnings: see mv-log-limit.h. */
#include "mv-log-limit.h"

/* one lock for every kind: a line that is logged is rare, and the critical section is a few
 * comparisons */
static GMutex limit_lock;

gboolean
mv_log_limit_take_at (MvLogLimit *limit, gint64 now_us, gint64 interval_us, gchar **suffix)
{
	guint suppressed;

	g_return_val_if_fail (limit != NULL, FALSE);
	g_return_val_if_fail (suffix != NULL, FALSE);

	*suffix = NULL;
	g_mutex_lock (&limit_lock);
	if (limit->last_us != 0 && now_us - limit->last_us < interval_us) {
		limit->suppressed++;
		g_mutex_unlock (&limit_lock);
		return FALSE;
	}
	suppressed = limit->suppressed;
	limit->suppressed = 0;
	/* never 0, which means "never logged" */
	limit->last_us = MAX (now_us, 1);
	g_mutex_unlock (&limit_lock);
	if (suppressed == 0)
		*suffix = g_strdup ("");
	else
		*suffix = g_strdup_printf (" (and %u more like it since the last one, not logged)",
					   suppressed);
	return TRUE;
}

gboolean
mv_log_limit_take (MvLogLimit *limit, gchar **suffix)
{
	return mv_log_limit_take_at (limit, g_get_monotonic_time (),
				     MV_LOG_LIMIT_INTERVAL_S * G_USEC_PER_SEC, suffix);
}

void
mv_log_limit_reset (MvLogLimit *limit)
{
	g_return_if_fail (limit != NULL);
	g_mutex_lock (&limit_lock);
	limit->last_us = 0;
	limit->suppressed = 0;
	g_mutex_unlock (&limit_lock);
}
