/*
 * hostile-spin — Spin() loops forever on the CPU and ignores cancellation.  Isolated, either
 * the call's deadline makes the daemon kill its host (504 timed-out), or, with `cpu-seconds`
 * set, RLIMIT_CPU ends it with SIGXCPU (then SIGKILL a second later if it caught that).
 */
#define G_LOG_DOMAIN "hostile-spin"

#include "hostile.h"

static GVariant *
spin_spin (MvCall *call, GVariant *input, GError **error)
{
	volatile guint64 turns = 0;

	/* 2^64 turns: forever, as far as any deadline is concerned */
	while (turns < G_MAXUINT64)
		turns++;
	return hostile_reply (call, TRUE, "spin: ended");
}

static const MvMethod spin_methods[] = {
	{ "Spin", "Spin forever", NULL, hostile_out, spin_spin },
	{ NULL },
};

MV_PLUGIN_DEFINE (.name = "hostile-spin",
		  .version = "1.0.0",
		  .description = "Hostile test plugin: spins forever",
		  .methods = spin_methods);
