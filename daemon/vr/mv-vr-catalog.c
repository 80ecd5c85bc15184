/* A clinic's own VR catalog items (table vr_items, schemas/sql/0011_vr.sql): added after the
 * plugin's ValidateItem accepted them, listed with the shipped catalog, deleted; see mv-vr.h
 * and docs/vr.md ("Clinic items"). */
#define G_LOG_DOMAIN "medverse-vr"

#include "mv-vr.h"

#include <json-glib/json-gvariant.h>
#include <medverse/mv-error.h>

#include <string.h>

#include "mv-db.h"

static const gchar *
clinic_of (MvVrJob *job, GError **error)
{
	const gchar *clinic = job->call.caller != NULL ? job->call.caller->clinic_id : NULL;

	if (clinic == NULL)
		mv_set_error_bilingual (error, MV_ERROR_FORBIDDEN,
					"only a key of a clinic has a VR catalog",
					"只有诊所的密钥才有 VR 目录");
	return clinic;
}

static MvDb *
db_of (MvVrJob *job)
{
	return mv_engine_get_services (job->engine)->db;
}

/* ---- reading ------------------------------------------------------------------------- */

typedef struct {
	const gchar *clinic;
	const gchar *item_id;
	const gchar *item_json;
	const gchar *created_by;
	JsonArray *items;
	gboolean found;
} ItemsOp;

static gboolean
load_in (PGconn *conn, gpointer data, GError **error)
{
	ItemsOp *op = data;
	const gchar *values[] = { op->clinic };
	g_autoptr (PGresult) res = mv_db_exec_params (
		conn, "SELECT item::text FROM vr_items WHERE clinic_id = $1 ORDER BY item_id", 1,
		values, error);

	if (res == NULL)
		return FALSE;
	for (gint i = 0; i < PQntuples (res); i++) {
		g_autoptr (JsonNode) node = json_from_string (PQgetvalue (res, i, 0), NULL);
		/* the column's CHECK keeps it an object */
		if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
			json_array_add_object_element (
				op->items, json_object_ref (json_node_get_object (node)));
	}
	return TRUE;
}

JsonArray *
mv_vr_items_load (MvVrJob *job, GError **error)
{
	g_autoptr (JsonArray) items = json_array_new ();
	ItemsOp op = { .items = items };

	op.clinic = clinic_of (job, error);
	if (op.clinic == NULL || !mv_db_transaction (db_of (job), load_in, &op, error))
		return NULL;
	return g_steal_pointer (&items);
}

/* ---- ValidateItem -------------------------------------------------------------------- */

/* The plugin's problems with the item pointed into the body the caller sent: ValidateItem
 * names its argument ("/item/title/zh"), the caller's body is the item ("/title/zh"). */
static void
problems_in_body (GError **error)
{
	GError *out = NULL;
	guint n = error != NULL && *error != NULL ? mv_error_get_n_problems (*error) : 0;

	if (n == 0)
		return;
	for (guint i = 0; i < n; i++) {
		const MvErrorProblem *p = mv_error_get_problem (*error, i);
		const gchar *field = p->field != NULL && g_str_has_prefix (p->field, "/item")
					     ? p->field + strlen ("/item")
					     : p->field;
		mv_error_add_problem (&out, field, p->code, p->message, p->message_zh);
	}
	g_clear_error (error);
	g_propagate_error (error, out);
}

/* The plugin's normalised item, or NULL with every problem it found (422). */
static JsonObject *
validated (MvVrJob *job, JsonObject *body, GError **error)
{
	g_autoptr (JsonNode) in = json_node_init_object (json_node_alloc (), body);
	g_autoptr (GVariant) item = NULL;
	g_autoptr (GVariant) output = NULL;
	g_autoptr (GVariant) first = NULL;
	g_autoptr (JsonNode) out = NULL;

	/* the JSON adapter's types (x for integers, av for lists): the plugin reads either */
	item = json_gvariant_deserialize (in, "a{sv}", error);
	if (item == NULL)
		return NULL;
	g_variant_ref_sink (item);
	output = mv_engine_call_sync (job->engine, MV_VR_PLUGIN, "ValidateItem",
				      g_variant_new_tuple (&item, 1), &job->caller, error);
	if (output == NULL) {
		problems_in_body (error);
		return NULL;
	}
	first = g_variant_get_child_value (output, 0);
	out = json_gvariant_serialize (first);
	return json_object_ref (json_node_get_object (out));
}

static gboolean
insert_in (PGconn *conn, gpointer data, GError **error)
{
	ItemsOp *op = data;
	const gchar *values[] = { op->clinic, op->item_id, op->item_json, op->created_by };
	g_autoptr (PGresult) res
		= mv_db_exec_params (conn,
				     "INSERT INTO vr_items (clinic_id, item_id, item, created_by) "
				     "VALUES ($1, $2, $3::jsonb, $4)",
				     4, values, error);

	return res != NULL;
}

JsonObject *
mv_vr_item_add (MvVrJob *job, JsonObject *body, GError **error)
{
	g_autoptr (JsonObject) item = NULL;
	g_autoptr (JsonNode) node = NULL;
	g_autofree gchar *text = NULL;
	g_autoptr (GError) local = NULL;
	ItemsOp op = { 0 };

	op.clinic = clinic_of (job, error);
	if (op.clinic == NULL)
		return NULL;
	if (!mv_vr_plugin_loaded (job->engine)) {
		mv_set_error_bilingual (error, MV_ERROR_UNAVAILABLE,
					"the vr-recommender plugin is not loaded: no item can be "
					"checked",
					"VR 推荐插件（vr-recommender）未加载，无法检查条目");
		return NULL;
	}
	item = validated (job, body, error);
	if (item == NULL)
		return NULL;
	node = json_node_init_object (json_node_alloc (), item);
	text = json_to_string (node, FALSE);
	op.item_id = json_object_get_string_member (item, "id");
	op.item_json = text;
	op.created_by = job->call.caller->key_id != NULL ? job->call.caller->key_id : "";
	if (!mv_db_transaction (db_of (job), insert_in, &op, &local)) {
		if (mv_db_error_is_unique_violation (local))
			mv_set_error_bilingual (error, MV_ERROR_CONFLICT,
						"the clinic already has an item of this id",
						"本诊所已有相同 id 的条目");
		else
			g_propagate_error (error, g_steal_pointer (&local));
		return NULL;
	}
	g_message ("VR catalog item added (clinic %s)", op.clinic);
	return g_steal_pointer (&item);
}

static gboolean
delete_in (PGconn *conn, gpointer data, GError **error)
{
	ItemsOp *op = data;
	const gchar *values[] = { op->clinic, op->item_id };
	g_autoptr (PGresult) res = mv_db_exec_params (
		conn, "DELETE FROM vr_items WHERE clinic_id = $1 AND item_id = $2 RETURNING 1", 2,
		values, error);

	if (res == NULL)
		return FALSE;
	op->found = PQntuples (res) > 0;
	return TRUE;
}

gboolean
mv_vr_item_delete (MvVrJob *job, const gchar *item_id, GError **error)
{
	ItemsOp op = { .item_id = item_id };

	op.clinic = clinic_of (job, error);
	if (op.clinic == NULL || !mv_db_transaction (db_of (job), delete_in, &op, error))
		return FALSE;
	if (!op.found)
		mv_set_error_bilingual (error, MV_ERROR_NOT_FOUND,
					"the clinic has no VR item of this id",
					"本诊所没有该 id 的 VR 条目");
	return op.found;
}

/* The clinic's items with `title` and `summary` as strings in @language, as ListCatalog gives
 * the shipped ones (NULL: both, as stored). */
static void
in_language (JsonArray *items, const gchar *language)
{
	static const gchar *const texts[] = { "title", "summary" };

	for (guint i = 0; language != NULL && i < json_array_get_length (items); i++) {
		JsonObject *item = json_array_get_object_element (items, i);
		for (guint t = 0; t < G_N_ELEMENTS (texts); t++) {
			JsonNode *n = json_object_get_member (item, texts[t]);
			JsonObject *both = n != NULL && JSON_NODE_HOLDS_OBJECT (n)
						   ? json_node_get_object (n)
						   : NULL;
			/* a copy: replacing the member frees the object the text is in */
			g_autofree gchar *text
				= both != NULL
					  ? g_strdup (json_object_get_string_member_with_default (
						  both, language, NULL))
					  : NULL;
			if (text != NULL)
				json_object_set_string_member (item, texts[t], text);
		}
	}
}

JsonObject *
mv_vr_catalog (MvVrJob *job, const gchar *language, GError **error)
{
	g_autoptr (JsonArray) mine = NULL;
	g_autoptr (GVariant) output = NULL;
	g_autoptr (GVariant) first = NULL;
	g_autoptr (JsonNode) shipped = NULL;
	JsonObject *out;

	if (!mv_vr_plugin_loaded (job->engine)) {
		mv_set_error_bilingual (error, MV_ERROR_UNAVAILABLE,
					"the vr-recommender plugin is not loaded: no catalog",
					"VR 推荐插件（vr-recommender）未加载，没有目录");
		return NULL;
	}
	mine = mv_vr_items_load (job, error);
	if (mine == NULL)
		return NULL;
	output = mv_engine_call_sync (job->engine, MV_VR_PLUGIN, "ListCatalog",
				      g_variant_new ("(s)", language != NULL ? language : ""),
				      &job->caller, error);
	if (output == NULL)
		return NULL;
	first = g_variant_get_child_value (output, 0);
	shipped = json_gvariant_serialize (first);
	out = json_object_new ();
	json_object_set_array_member (out, "items", json_array_ref (json_node_get_array (shipped)));
	in_language (mine, language);
	json_object_set_array_member (out, "clinic_items", g_steal_pointer (&mine));
	return out;
}
