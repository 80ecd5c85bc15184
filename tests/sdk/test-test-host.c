/*
 * The SDK's test host, with the built plugins loaded as a third party's test would load them:
 * the example bmi plugin and the contract-breaking liar and sleepy test plugins.
 */
#include <criterion/criterion.h>
#include <medverse/medverse-plugin.h>
#include <string.h>

static const MvPluginInfo *
load_plugin (const gchar *env_var)
{
	const gchar *path = g_getenv (env_var);
	g_autoptr (GError) error = NULL;
	const MvPluginInfo *info;

	cr_assert_not_null (path, "%s is not set; run through `meson test`", env_var);
	info = mv_test_host_load_module (path, &error);
	cr_assert_not_null (info, "%s", error != NULL ? error->message : "");
	return info;
}

static MvTestHost *
new_host (const gchar *env_var, GKeyFile *config)
{
	g_autoptr (GError) error = NULL;
	MvTestHost *host = mv_test_host_new (load_plugin (env_var), config, NULL, &error);
	cr_assert_not_null (host, "%s", error != NULL ? error->message : "");
	return host;
}

static JsonObject *
parse_object (const gchar *json)
{
	g_autoptr (JsonParser) parser = json_parser_new ();
	g_autoptr (GError) error = NULL;
	cr_assert (json_parser_load_from_data (parser, json, -1, &error), "%s: %s", json,
		   error != NULL ? error->message : "");
	cr_assert (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)), "%s", json);
	return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

Test (test_host, bmi_compute_json)
{
	g_autoptr (MvTestHost) host = new_host ("MVT_BMI_PLUGIN", NULL);
	g_autoptr (GError) error = NULL;
	g_autofree gchar *out = mv_test_host_call_json (
		host, "Compute", "{\"weight_kg\":70,\"height_cm\":175}", &error);
	g_autoptr (JsonObject) obj = NULL;

	cr_assert_not_null (out, "%s", error != NULL ? error->message : "");
	obj = parse_object (out);
	cr_assert_eq (json_object_get_size (obj), 2, "%s", out);
	cr_assert_float_eq (json_object_get_double_member (obj, "bmi"), 22.9, 1e-9);
	cr_assert_str_eq (json_object_get_string_member (obj, "category"), "normal");
}

Test (test_host, bmi_compute_variant)
{
	g_autoptr (MvTestHost) host = new_host ("MVT_BMI_PLUGIN", NULL);
	g_autoptr (GError) error = NULL;
	g_autoptr (GVariant) out
		= mv_test_host_call (host, "Compute", g_variant_new ("(dd)", 120.0, 180.0), &error);
	gdouble bmi;
	const gchar *category;

	cr_assert_not_null (out, "%s", error != NULL ? error->message : "");
	cr_assert_str_eq (g_variant_get_type_string (out), "(ds)");
	g_variant_get (out, "(d&s)", &bmi, &category);
	cr_assert_float_eq (bmi, 37.0, 1e-9);
	cr_assert_str_eq (category, "obese");
}

Test (test_host, bmi_config_key)
{
	g_autoptr (GKeyFile) config = g_key_file_new ();
	g_autoptr (MvTestHost) standard = new_host ("MVT_BMI_PLUGIN", NULL);
	g_autoptr (MvTestHost) asian = NULL;
	g_autoptr (GError) error = NULL;
	g_autofree gchar *a = NULL;
	g_autofree gchar *b = NULL;

	g_key_file_set_string (config, "plugin.bmi", "asian-cutoffs", "true");
	asian = new_host ("MVT_BMI_PLUGIN", config);
	/* 24.0: normal by the standard cut-offs, overweight by the Asian ones */
	a = mv_test_host_call_json (standard, "Compute", "{\"weight_kg\":73.5,\"height_cm\":175}",
				    &error);
	cr_assert_not_null (a);
	b = mv_test_host_call_json (asian, "Compute", "{\"weight_kg\":73.5,\"height_cm\":175}",
				    &error);
	cr_assert_not_null (b);
	cr_assert_not_null (strstr (a, "\"normal\""), "%s", a);
	cr_assert_not_null (strstr (b, "\"overweight\""), "%s", b);
}

Test (test_host, unknown_config_key_refused)
{
	g_autoptr (GKeyFile) config = g_key_file_new ();
	g_autoptr (GError) error = NULL;
	g_autoptr (MvTestHost) host = NULL;

	g_key_file_set_string (config, "plugin.bmi", "colour", "blue");
	host = mv_test_host_new (load_plugin ("MVT_BMI_PLUGIN"), config, NULL, &error);
	cr_assert_null (host);
	cr_assert_not_null (error);
	cr_assert_not_null (strstr (error->message, "colour"), "%s", error->message);
}

Test (test_host, bad_config_value_refused)
{
	g_autoptr (GKeyFile) config = g_key_file_new ();
	g_autoptr (GError) error = NULL;
	g_autoptr (MvTestHost) host = NULL;

	g_key_file_set_string (config, "plugin.bmi", "asian-cutoffs", "perhaps");
	host = mv_test_host_new (load_plugin ("MVT_BMI_PLUGIN"), config, NULL, &error);
	cr_assert_null (host);
	cr_assert_not_null (error);
	cr_assert_not_null (strstr (error->message, "asian-cutoffs"), "%s", error->message);
}

Test (test_host, compute_many_through_the_host)
{
	g_autoptr (MvTestHost) host = new_host ("MVT_BMI_PLUGIN", NULL);
	g_autoptr (GError) error = NULL;
	g_autofree gchar *out = mv_test_host_call_json (
		host, "ComputeMany", "{\"measurements\":[[70,175],[50,180]]}", &error);
	cr_assert_not_null (out, "%s", error != NULL ? error->message : "");
	cr_assert_str_eq (out, "{\"bmis\":[22.9,15.4]}");
}

Test (test_host, plugin_refusal_is_invalid_input)
{
	g_autoptr (MvTestHost) host = new_host ("MVT_BMI_PLUGIN", NULL);
	g_autoptr (GError) error = NULL;
	g_autofree gchar *out = mv_test_host_call_json (
		host, "Compute", "{\"weight_kg\":70,\"height_cm\":0}", &error);
	cr_assert_null (out);
	cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_INVALID_INPUT), "%s",
		   error != NULL ? error->message : "");
	cr_assert_not_null (strstr (error->message, "height_cm"), "%s", error->message);
	/* both languages say which plugin refused */
	cr_assert (g_str_has_prefix (error->message, "plugin bmi: "), "%s", error->message);
	cr_assert (g_str_has_prefix (mv_error_get_message_zh (error), "插件 bmi：height_cm："),
		   "%s", mv_error_get_message_zh (error));
}

Test (test_host, json_errors)
{
	g_autoptr (MvTestHost) host = new_host ("MVT_BMI_PLUGIN", NULL);
	struct {
		const gchar *method;
		const gchar *json;
		MvError code;
		const gchar *mentions;
	} cases[] = {
		{ "Compute", "{\"weight_kg\":70,", MV_ERROR_MALFORMED, NULL },
		{ "Compute", "{\"weight_kg\":\"\xff\"}", MV_ERROR_MALFORMED, NULL },
		{ "Compute", "[1,2]", MV_ERROR_INVALID_INPUT, NULL },
		{ "Compute", "{\"weight_kg\":\"heavy\",\"height_cm\":175}", MV_ERROR_INVALID_INPUT,
		  "weight_kg" },
		{ "Compute", "{\"weight_kg\":70}", MV_ERROR_INVALID_INPUT, "height_cm" },
		{ "Compute", "{\"weight_kg\":70,\"height_cm\":175,\"age\":1}",
		  MV_ERROR_INVALID_INPUT, "age" },
		{ "Nope", "{}", MV_ERROR_NOT_FOUND, "Nope" },
	};
	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autoptr (GError) error = NULL;
		g_autofree gchar *out
			= mv_test_host_call_json (host, cases[i].method, cases[i].json, &error);
		cr_assert_null (out, "case %u: %s", i, out);
		cr_assert (g_error_matches (error, MV_ERROR, cases[i].code),
			   "case %u: expected %s, got %s", i, mv_error_to_string (cases[i].code),
			   error != NULL ? error->message : "no error");
		if (cases[i].mentions != NULL)
			cr_assert_not_null (strstr (error->message, cases[i].mentions),
					    "case %u: %s", i, error->message);
	}
}

Test (test_host, wrong_output_type_is_a_failure)
{
	g_autoptr (MvTestHost) host = new_host ("MVT_LIAR_PLUGIN", NULL);
	g_autoptr (GError) error = NULL;
	g_autoptr (GVariant) out = mv_test_host_call (host, "Lie", g_variant_new ("()"), &error);
	cr_assert_null (out);
	cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_FAILED), "%s",
		   error != NULL ? error->message : "no error");
	/* errors are prefixed with the plugin's name */
	cr_assert_not_null (strstr (error->message, "liar"), "%s", error->message);
}

Test (test_host, null_without_error_is_a_failure)
{
	g_autoptr (MvTestHost) host = new_host ("MVT_LIAR_PLUGIN", NULL);
	g_autoptr (GError) error = NULL;
	g_autofree gchar *out = mv_test_host_call_json (host, "Silent", "{}", &error);
	cr_assert_null (out);
	cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_FAILED), "%s",
		   error != NULL ? error->message : "no error");
}

Test (test_host, wrong_input_type_refused_before_the_handler)
{
	g_autoptr (MvTestHost) host = new_host ("MVT_SLEEPY_PLUGIN", NULL);
	g_autoptr (GError) error = NULL;
	g_autoptr (GVariant) out
		= mv_test_host_call (host, "Sleep", g_variant_new ("(s)", "1"), &error);
	cr_assert_null (out);
	cr_assert (g_error_matches (error, MV_ERROR, MV_ERROR_INVALID_INPUT), "%s",
		   error != NULL ? error->message : "no error");
}

Test (test_host, sleepy_runs)
{
	g_autoptr (MvTestHost) host = new_host ("MVT_SLEEPY_PLUGIN", NULL);
	g_autoptr (GError) error = NULL;
	g_autofree gchar *out = mv_test_host_call_json (host, "Sleep", "{\"ms\":20}", &error);
	cr_assert_not_null (out, "%s", error != NULL ? error->message : "");
	cr_assert_str_eq (out, "{\"slept_ms\":20}");
}

Test (test_host, bad_plugins_refused)
{
	const gchar *dir = g_getenv ("MVT_BAD_PLUGIN_DIR");
	const gchar *files[] = { "bad-abi.so", "bad-init.so" };
	cr_assert_not_null (dir);
	for (guint i = 0; i < G_N_ELEMENTS (files); i++) {
		g_autofree gchar *path = g_build_filename (dir, files[i], NULL);
		g_autoptr (GError) error = NULL;
		g_autoptr (MvTestHost) host = NULL;
		const MvPluginInfo *info = mv_test_host_load_module (path, &error);

		cr_assert_not_null (info, "%s", error != NULL ? error->message : "");
		host = mv_test_host_new (info, NULL, NULL, &error);
		cr_assert_null (host, "%s accepted", files[i]);
		cr_assert_not_null (error);
	}
}

Test (test_host, load_module_refuses_what_is_not_a_plugin)
{
	g_autoptr (GError) missing = NULL;
	g_autoptr (GError) not_plugin = NULL;

	cr_assert_null (mv_test_host_load_module ("/nonexistent/plugin.so", &missing));
	cr_assert (g_error_matches (missing, MV_ERROR, MV_ERROR_FAILED));
	cr_assert_not_null (strstr (missing->message, "/nonexistent/plugin.so"), "%s",
			    missing->message);
	/* a loadable library without the entry symbol: the SDK's own */
	cr_assert_null (mv_test_host_load_module (g_getenv ("MVT_SDK_LIBRARY"), &not_plugin));
	cr_assert_not_null (strstr (not_plugin->message, MV_PLUGIN_ENTRY_SYMBOL), "%s",
			    not_plugin->message);
}
