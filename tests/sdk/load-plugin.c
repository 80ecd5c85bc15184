/*
 * load-plugin — loads a plugin .so into the SDK's test host and calls one method with a JSON
 * body, the way the daemon would.  Used to prove a plugin built outside the tree works.
 *
 *   load-plugin PLUGIN.so METHOD JSON   prints the JSON result, exits 1 on any error
 */
#include <medverse/medverse-plugin.h>
#include <stdio.h>

int
main (int argc, char **argv)
{
	g_autoptr (GError) error = NULL;
	g_autoptr (MvTestHost) host = NULL;
	g_autofree gchar *out = NULL;
	GModule *module;
	gpointer entry = NULL;

	if (argc != 4) {
		g_printerr ("usage: %s PLUGIN.so METHOD JSON\n", argv[0]);
		return 2;
	}
	module = g_module_open (argv[1], G_MODULE_BIND_LOCAL);
	if (module == NULL) {
		g_printerr ("%s\n", g_module_error ());
		return 1;
	}
	if (!g_module_symbol (module, MV_PLUGIN_ENTRY_SYMBOL, &entry)) {
		g_printerr ("%s: %s\n", argv[1], g_module_error ());
		return 1;
	}
	host = mv_test_host_new (entry, NULL, NULL, &error);
	if (host == NULL) {
		g_printerr ("%s: %s\n", argv[1], error->message);
		return 1;
	}
	out = mv_test_host_call_json (host, argv[2], argv[3], &error);
	if (out == NULL) {
		g_printerr ("%s: %s\n", argv[2], error->message);
		return 1;
	}
	printf ("%s\n", out);
	/* the host runs the plugin's shutdown, which lives in the module: free it first */
	g_clear_pointer (&host, mv_test_host_free);
	g_module_close (module);
	return 0;
}
