/* The plugin as built (tests/meson.build passes the .so), called through the SDK's test host:
 * the daemon's own checks of the declaration, the input and the result, with no daemon. */
#include <medverse/medverse-plugin.h>

static const gchar *plugin_path;

static MvTestHost *
load (void)
{
	g_autoptr (GError) error = NULL;
	const MvPluginInfo *info = mv_test_host_load_module (plugin_path, &error);
	MvTestHost *host = NULL;

	g_assert_no_error (error);
	host = mv_test_host_new (info, NULL, NULL, &error);
	g_assert_no_error (error);
	return host;
}

static void
test_greet (void)
{
	g_autoptr (MvTestHost) host = load ();
	g_autoptr (GError) error = NULL;
	g_autofree gchar *en = mv_test_host_call_json (host, "Greet", "{\"name\":\"Ada\"}", &error);
	g_autofree gchar *zh = NULL;

	g_assert_no_error (error);
	g_assert_cmpstr (en, ==, "{\"greeting\":\"hello, Ada\"}");
	mv_test_host_set_caller (host, "test-clinic", MV_CALLER_CLINICIAN, "zh-CN");
	zh = mv_test_host_call_json (host, "Greet", "{\"name\":\"Ada\"}", &error);
	g_assert_no_error (error);
	g_assert_cmpstr (zh, ==, "{\"greeting\":\"你好，Ada\"}");
}

static void
test_empty_name_refused (void)
{
	g_autoptr (MvTestHost) host = load ();
	g_autoptr (GError) error = NULL;
	g_autofree gchar *out = mv_test_host_call_json (host, "Greet", "{\"name\":\"\"}", &error);

	g_assert_null (out);
	g_assert_error (error, MV_ERROR, MV_ERROR_INVALID_INPUT);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	plugin_path = g_getenv ("HELLO_PLUGIN");
	g_assert_nonnull (plugin_path);
	g_test_add_func ("/hello/greet", test_greet);
	g_test_add_func ("/hello/empty-name-refused", test_empty_name_refused);
	return g_test_run ();
}
