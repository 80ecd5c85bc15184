/*
 * hostile-allocate — Allocate(limit_mb) allocates 16 MiB blocks and touches every page until
 * malloc fails or @limit_mb is reached (a safety stop should it ever run unconfined), frees
 * them all and answers how far it got.  Isolated, RLIMIT_AS (`memory-mb`) makes malloc fail:
 * (false, "malloc: NULL after N MiB") with N below the limit, and the host lives on.  Were
 * the process to die instead (an allocator that aborts), that is contained too.
 */
#define G_LOG_DOMAIN "hostile-allocate"

#include <stdlib.h>
#include <unistd.h>

#include "hostile.h"

#define BLOCK_BYTES (16u * 1024 * 1024)

static GVariant *
allocate_allocate (MvCall *call, GVariant *input, GError **error)
{
	guint32 limit_mb = 0;
	void *last = NULL; /* the blocks are chained through their first word: no other memory */
	guint64 total_mb = 0;
	long page = sysconf (_SC_PAGESIZE);
	g_autofree gchar *detail = NULL;
	gboolean reached;

	g_variant_get (input, "(u)", &limit_mb);
	if (limit_mb == 0)
		limit_mb = 16384;
	while (total_mb < limit_mb) {
		char *block = malloc (BLOCK_BYTES);
		if (block == NULL)
			break;
		for (gsize off = 0; off < BLOCK_BYTES; off += (gsize)page)
			block[off] = 1;
		*(void **)block = last;
		last = block;
		total_mb += BLOCK_BYTES / (1024 * 1024);
	}
	reached = total_mb >= limit_mb;
	while (last != NULL) {
		void *prev = *(void **)last;
		free (last);
		last = prev;
	}
	detail = g_strdup_printf ("malloc: %s after %" G_GUINT64_FORMAT " MiB",
				  reached ? "no limit" : "NULL", total_mb);
	return hostile_reply (call, reached, detail);
}

static const MvArg allocate_in[] = {
	{ "limit_mb", "u", "stop here even if nothing stops it first (0: 16384)", MV_ARG_NONE },
	{ NULL },
};

static const MvMethod allocate_methods[] = {
	{ "Allocate", "Allocate until malloc fails", allocate_in, hostile_out, allocate_allocate },
	{ NULL },
};

MV_PLUGIN_DEFINE (.name = "hostile-allocate",
		  .version = "1.0.0",
		  .description = "Hostile test plugin: allocates until its limit",
		  .methods = allocate_methods);
