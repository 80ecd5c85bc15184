/*
 * hostile-segfault — Segfault() dereferences NULL.  Isolated, its host dies of SIGSEGV: the
 * call fails as plugin-crashed (500) and the host is restarted; nothing else notices.
 */
#define G_LOG_DOMAIN "hostile-segfault"

#include "hostile.h"

static GVariant *
segfault_segfault (MvCall *call, GVariant *input, GError **error)
{
	/* volatile: the compiler may neither drop the load nor treat it as unreachable */
	volatile gint *volatile nowhere = NULL;

	return g_variant_new ("(bs)", *nowhere != 0, "read NULL");
}

static const MvMethod segfault_methods[] = {
	{ "Segfault", "Dereference NULL: the process dies of SIGSEGV", NULL, hostile_out,
	  segfault_segfault },
	{ NULL },
};

MV_PLUGIN_DEFINE (.name = "hostile-segfault",
		  .version = "1.0.0",
		  .description = "Hostile test plugin: segfaults",
		  .methods = segfault_methods);
