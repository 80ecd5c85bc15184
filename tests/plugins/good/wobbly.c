/*
 * wobbly — a test plugin for isolation (docs/plugin-isolation.md): it answers on some methods
 * and dies or hangs on others, so tests/integration/test-isolation.c can check that a daemon
 * running it in host processes of its own loses one call, never itself.
 *
 * Echo answers (and logs through mv_call_log); Getenv says what the process sees of its
 * environment; Bmi calls the bmi plugin through the host
 * (mv_call_invoke across the process boundary); Crash dereferences NULL; Abort calls abort();
 * Spin loops forever without looking at its cancellable.  Only isolated tests load it: in
 * process it would take the daemon down.
 */
#define G_LOG_DOMAIN "wobbly"

#include <stdlib.h>

#include <medverse/medverse-plugin.h>

static GVariant *
wobbly_echo (MvCall *call, GVariant *input, GError **error)
{
	const gchar *text;

	g_variant_get (input, "(&s)", &text);
	mv_call_log (call, G_LOG_LEVEL_MESSAGE, "echo of %u bytes for clinic %s",
		     (guint)strlen (text),
		     mv_call_get_clinic_id (call) != NULL ? mv_call_get_clinic_id (call) : "-");
	return g_variant_new ("(s)", text);
}

static GVariant *
wobbly_bmi (MvCall *call, GVariant *input, GError **error)
{
	gdouble weight, height, bmi;
	const gchar *category;
	g_autoptr (GVariant) out = NULL;

	g_variant_get (input, "(dd)", &weight, &height);
	out = mv_call_invoke (call, "bmi", "Compute", g_variant_new ("(dd)", weight, height),
			      error);
	if (out == NULL)
		return NULL;
	g_variant_get (out, "(d&s)", &bmi, &category);
	return g_variant_new ("(ds)", bmi, category);
}

static GVariant *
wobbly_getenv (MvCall *call, GVariant *input, GError **error)
{
	const gchar *name;
	const gchar *value;

	g_variant_get (input, "(&s)", &name);
	value = g_getenv (name);
	return g_variant_new ("(bs)", value != NULL, value != NULL ? value : "");
}

static GVariant *
wobbly_crash (MvCall *call, GVariant *input, GError **error)
{
	/* volatile: the compiler may neither drop the load nor treat it as unreachable */
	volatile gint *volatile nowhere = NULL;

	return g_variant_new ("(i)", *nowhere);
}

static GVariant *
wobbly_abort (MvCall *call, GVariant *input, GError **error)
{
	abort ();
}

static GVariant *
wobbly_spin (MvCall *call, GVariant *input, GError **error)
{
	volatile guint64 n = 0;

	for (;;)
		n++;
	return g_variant_new ("(i)", (gint)n);
}

static const MvArg echo_in[] = {
	{ "text", "s", "any text", MV_ARG_NONE },
	{ NULL },
};
static const MvArg echo_out[] = {
	{ "text", "s", "the same text", MV_ARG_NONE },
	{ NULL },
};
static const MvArg bmi_in[] = {
	{ "weight_kg", "d", "body weight in kilograms", MV_ARG_NONE },
	{ "height_cm", "d", "height in centimetres", MV_ARG_NONE },
	{ NULL },
};
static const MvArg bmi_out[] = {
	{ "bmi", "d", "what bmi.Compute said", MV_ARG_NONE },
	{ "category", "s", "what bmi.Compute said", MV_ARG_NONE },
	{ NULL },
};
static const MvArg getenv_in[] = {
	{ "name", "s", "an environment variable", MV_ARG_NONE },
	{ NULL },
};
static const MvArg getenv_out[] = {
	{ "set", "b", "whether the plugin's process has it", MV_ARG_NONE },
	{ "value", "s", "its value, or empty", MV_ARG_NONE },
	{ NULL },
};
static const MvArg never_out[] = {
	{ "never", "i", "never returned", MV_ARG_NONE },
	{ NULL },
};

static const MvMethod wobbly_methods[] = {
	{ "Echo", "Answer with the text given", echo_in, echo_out, wobbly_echo },
	{ "Bmi", "bmi.Compute through mv_call_invoke", bmi_in, bmi_out, wobbly_bmi },
	{ "Getenv", "What the plugin's process sees of an environment variable", getenv_in,
	  getenv_out, wobbly_getenv },
	{ "Crash", "Dereference NULL (SIGSEGV)", NULL, never_out, wobbly_crash },
	{ "Abort", "Call abort() (SIGABRT)", NULL, never_out, wobbly_abort },
	{ "Spin", "Loop forever, ignoring cancellation", NULL, never_out, wobbly_spin },
	{ NULL },
};

MV_PLUGIN_DEFINE (.name = "wobbly",
		  .version = "1.0.0",
		  .description = "Test plugin: answers, crashes or spins on request",
		  .methods = wobbly_methods);
