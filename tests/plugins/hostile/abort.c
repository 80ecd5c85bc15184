/*
 * hostile-abort — Abort() calls abort().  Isolated, its host dies of SIGABRT (abort's raise()
 * signals the process itself, which the sandbox allows): plugin-crashed, restarted.
 */
#define G_LOG_DOMAIN "hostile-abort"

#include <stdlib.h>

#include "hostile.h"

static GVariant *
abort_abort (MvCall *call, GVariant *input, GError **error)
{
	abort ();
}

static const MvMethod abort_methods[] = {
	{ "Abort", "Call abort(): the process dies of SIGABRT", NULL, hostile_out, abort_abort },
	{ NULL },
};

MV_PLUGIN_DEFINE (.name = "hostile-abort",
		  .version = "1.0.0",
		  .description = "Hostile test plugin: aborts",
		  .methods = abort_methods);
