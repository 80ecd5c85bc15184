/*
 * What the hostile test plugins share: the answer of a method whose attack was refused.
 *
 * Each hostile plugin tries one thing a plugin must not do (docs/sandbox.md lists them and what
 * each must produce).  A method that comes back answers `(bs)`: whether the attack worked, and
 * what the system said ("socket: EPERM"), never any data it obtained.  They are loaded only
 * isolated (tests/sandbox/, and the daemon's end-to-end tests): in process they would do
 * what they say to the daemon.
 */
#pragma once

#include <errno.h>
#include <string.h>
#include <medverse/medverse-plugin.h>

static const MvArg hostile_out[] = {
	{ "done", "b", "whether the attack worked", MV_ARG_NONE },
	{ "detail", "s", "what the system answered, e.g. \"socket: EPERM\"", MV_ARG_NONE },
	{ NULL },
};

/* The answer, logged too: the log line is what an operator sees of the attempt. */
static inline GVariant *
hostile_reply (MvCall *call, gboolean done, const gchar *detail)
{
	mv_call_log (call, done ? G_LOG_LEVEL_WARNING : G_LOG_LEVEL_MESSAGE, "%s: %s",
		     done ? "attack worked" : "refused", detail);
	return g_variant_new ("(bs)", done, detail);
}

/* "what: ENAME" for the errno @errsv, in words no locale translates */
static inline GVariant *
hostile_refused (MvCall *call, const gchar *what, int errsv)
{
	const char *name = strerrorname_np (errsv);
	g_autofree gchar *detail = g_strdup_printf ("%s: %s", what, name != NULL ? name : "?");

	return hostile_reply (call, FALSE, detail);
}
