/*
 * vr-recommender offline evaluation — calling the built plugin through the SDK's test host
 * (shared by vr-evaluate and the benchmark, tests/bench/vr/): the evaluation sees the plugin
 * exactly as the daemon does, through its methods, never its internals.
 */
#pragma once

#include <json-glib/json-glib.h>
#include <medverse/medverse-plugin.h>

G_BEGIN_DECLS

/* Loads @plugin_path (a built vr-recommender.so) with @data_dir as its data directory. */
MvTestHost *vr_eval_host_open (const gchar *plugin_path, const gchar *data_dir, GError **error);

/* The whole JSON file at @path (its root node). */
JsonNode *vr_eval_read_json (const gchar *path, GError **error);

/* @node as a value of @type, by the daemon's own JSON rules (a JSON number with a decimal point
 * is a double inside a{sv}, one without an int64): what an HTTP client's body becomes. */
GVariant *vr_eval_value (const gchar *type, JsonNode *node, GError **error);

/* @session (a{sv}) without its `patient` member: Recommend's history takes the patient's own. */
GVariant *vr_eval_without_patient (GVariant *session);

/* Recommend(patient, history, model, options{limit, seed, include_excluded}): the result's
 * a{sv}, or NULL with @error set.  @model NULL: the empty model {} (cold start). */
GVariant *vr_eval_recommend (MvTestHost *host,
			     GVariant *patient,
			     GVariant *history,
			     GVariant *model,
			     guint limit,
			     gboolean include_excluded,
			     GError **error);

/* The ids of @result's `items` (or `excluded` when @excluded), in order, NULL-terminated. */
gchar **vr_eval_result_ids (GVariant *result, gboolean excluded);

/* ListCatalog("en"): every catalog id, in the catalog's order. */
gchar **vr_eval_catalog_ids (MvTestHost *host, GError **error);

G_END_DECLS
