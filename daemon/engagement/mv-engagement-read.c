/* The engagement store's reads (see mv-engagement-store.h): a patient's progress, the
 * clinician's check-in list (adherence), the leaderboard and its opt-in. */
#define G_LOG_DOMAIN "medverse-engagement"

#include "mv-engagement-private.h"

#include <medverse/mv-error.h>

#include "../records/mv-sealed-record.h"
#include "mv-pseudonym.h"

/* The leaderboard salt is not stored: it is a key derived from the clinic's KEK under a label
 * of its own (mv_vault_derive_identifier_key()'s domain separation), so it is as secret as the
 * clinic's keys and needs no table; a clinic-key rotation gives everyone a new handle. */
#define LEADERBOARD_SALT_LABEL "medverse.leaderboard-salt.v1"

static const gchar *
text_in (const MvText *text, const gchar *language)
{
	return g_strcmp0 (language, "zh") == 0 && text->zh != NULL ? text->zh : text->en;
}

static JsonObject *
level_json (guint number, const MvLevel *level, const gchar *language)
{
	JsonObject *o = json_object_new ();

	json_object_set_int_member (o, "number", number);
	json_object_set_string_member (o, "title", text_in (&level->title, language));
	json_object_set_int_member (o, "min_points", level->min_points);
	return o;
}

static JsonObject *
streak_json (const MvStreak *s)
{
	JsonObject *o = json_object_new ();

	json_object_set_int_member (o, "current", s->current);
	json_object_set_int_member (o, "longest", s->longest);
	json_object_set_int_member (o, "grace_days_used", s->grace_days_used);
	json_object_set_boolean_member (o, "today_done", s->today_done);
	json_object_set_boolean_member (o, "grace_left_this_week", s->grace_left_this_week);
	if (g_date_valid (&s->start)) {
		g_autofree gchar *start = mv_engagement_date_text (&s->start);
		json_object_set_string_member (o, "start", start);
	} else {
		json_object_set_null_member (o, "start");
	}
	return o;
}

JsonObject *
mv_engagement_progress_json (const MvProgress *p,
			     const gchar *language,
			     const gchar *zone_name,
			     const GDate *today)
{
	JsonObject *o = json_object_new ();
	JsonArray *badges = json_array_new ();
	JsonArray *challenges = json_array_new ();
	g_autofree gchar *day = mv_engagement_date_text (today);

	json_object_set_int_member (o, "points", p->points);
	json_object_set_object_member (o, "level", level_json (p->level, p->level_def, language));
	if (p->next_level != NULL) {
		JsonObject *next = level_json (p->level + 1, p->next_level, language);
		json_object_set_int_member (next, "points_to_go",
					    (gint64)p->next_level->min_points - p->points);
		json_object_set_object_member (o, "next_level", next);
	} else {
		json_object_set_null_member (o, "next_level");
	}
	json_object_set_object_member (o, "streak", streak_json (&p->streak));
	for (guint i = 0; i < p->badges->len; i++) {
		const MvBadge *b = g_ptr_array_index (p->badges, i);
		JsonObject *e = json_object_new ();
		json_object_set_string_member (e, "id", b->id);
		json_object_set_string_member (e, "title", text_in (&b->title, language));
		json_object_set_string_member (e, "description",
					       text_in (&b->description, language));
		json_array_add_object_element (badges, e);
	}
	json_object_set_array_member (o, "badges", badges);
	for (guint i = 0; i < p->challenges->len; i++) {
		const MvChallengeStanding *s
			= &g_array_index (p->challenges, MvChallengeStanding, i);
		JsonObject *e = json_object_new ();
		json_object_set_string_member (e, "id", s->challenge->id);
		json_object_set_string_member (e, "title",
					       text_in (&s->challenge->title, language));
		json_object_set_string_member (e, "metric",
					       mv_checkin_metric_name (s->challenge->metric));
		json_object_set_string_member (
			e, "measure", s->challenge->measure == MV_CHALLENGE_SUM ? "sum" : "days");
		json_object_set_double_member (e, "target", s->challenge->target);
		json_object_set_double_member (e, "progress", s->progress);
		json_object_set_boolean_member (e, "won", s->won);
		json_object_set_int_member (e, "points", s->challenge->points);
		json_array_add_object_element (challenges, e);
	}
	json_object_set_array_member (o, "challenges", challenges);
	json_object_set_int_member (o, "challenges_won", p->challenges_won);
	json_object_set_string_member (o, "time_zone", zone_name);
	json_object_set_string_member (o, "today", day);
	return o;
}

/* ---- progress ------------------------------------------------------------------------------ */

/* The language of the progress texts: the patient's profile language when it names one the
 * texts are written in ("zh…" Chinese, "en…" English: the plan's rule), whoever asks (a
 * clinician reads what the patient reads); else the caller's (Accept-Language).  *@language
 * is a static string. */
gboolean
mv_engagement_progress_language (PGconn *conn,
				 MvEngagementOp *op,
				 MvPatientKeys *keys,
				 const gchar **language,
				 GError **error)
{
	const MvRecordRef ref = { &mv_record_kind_profile, op->clinic_id, op->patient_id, NULL };
	g_autoptr (MvSealedRecord) profile
		= mv_sealed_record_read (conn, &ref, keys->dek, keys->version, error);
	JsonNode *tag = NULL;

	if (profile == NULL)
		return FALSE;
	if (JSON_NODE_HOLDS_OBJECT (profile->data))
		tag = json_object_get_member (json_node_get_object (profile->data), "language");
	*language = g_strcmp0 (op->call->language, "zh") == 0 ? "zh" : "en";
	if (tag == NULL || !JSON_NODE_HOLDS_VALUE (tag)
	    || json_node_get_value_type (tag) != G_TYPE_STRING)
		return TRUE;
	if (g_ascii_strncasecmp (json_node_get_string (tag), "zh", 2) == 0)
		*language = "zh";
	else if (g_ascii_strncasecmp (json_node_get_string (tag), "en", 2) == 0)
		*language = "en";
	return TRUE;
}

static gboolean
progress_txn (PGconn *conn, gpointer data, GError **error)
{
	MvEngagementOp *op = data;
	g_auto (MvPatientKeys) keys = { 0 };
	g_autoptr (GTimeZone) zone = NULL;
	g_autofree gchar *zone_name = NULL;
	g_autoptr (GPtrArray) stored = NULL, ledger = NULL, checkins = NULL;
	g_autoptr (MvProgress) progress = NULL;
	const gchar *language = NULL;
	GDate today;

	g_clear_pointer (&op->result, json_object_unref);
	if (!mv_engagement_op_keys (conn, op, FALSE, &keys, &zone, &zone_name, error)
	    || !mv_engagement_progress_language (conn, op, &keys, &language, error))
		return FALSE;
	stored = mv_engagement_load_checkins (conn, op, keys.dek, zone, error);
	ledger = stored != NULL ? mv_engagement_load_ledger (conn, op, keys.dek, error) : NULL;
	if (ledger == NULL)
		return FALSE;
	checkins = mv_engagement_checkins_of (stored);
	mv_engagement_today (op->call, zone, &today);
	progress = mv_progress_compute (op->store->rules, checkins, ledger, &today);
	op->result = mv_engagement_progress_json (progress, language, zone_name, &today);
	return mv_engagement_op_audit (conn, op, "progress.read", error);
}

JsonObject *
mv_engagement_store_progress (MvEngagementStore *store,
			      const MvClinicalCall *call,
			      const gchar *patient_id,
			      GError **error)
{
	g_auto (MvEngagementOp) op = { 0 };

	if (!mv_engagement_op_init (&op, store, call, patient_id, error))
		return NULL;
	if (!mv_engagement_op_run (&op, progress_txn, error))
		return NULL;
	return g_steal_pointer (&op.result);
}

/* ---- the clinician's check-in list ------------------------------------------------------------
 */

/* Local days with a check-in among the @n days ending @today. */
static guint
days_within (GPtrArray *checkins, const GDate *today, guint n)
{
	g_autoptr (GHashTable) days = g_hash_table_new (NULL, NULL);
	guint32 last = g_date_get_julian (today);

	for (guint i = 0; i < checkins->len; i++) {
		const MvCheckin *c = g_ptr_array_index (checkins, i);
		guint32 day = g_date_get_julian (&c->local_date);
		if (day <= last && day + n > last)
			g_hash_table_add (days, GUINT_TO_POINTER (day));
	}
	return g_hash_table_size (days);
}

static gint
newer_first (gconstpointer a, gconstpointer b)
{
	const MvStoredCheckin *x = *(MvStoredCheckin *const *)a;
	const MvStoredCheckin *y = *(MvStoredCheckin *const *)b;
	return g_date_time_compare (y->checkin->at, x->checkin->at);
}

static gboolean
checkins_txn (PGconn *conn, gpointer data, GError **error)
{
	MvEngagementOp *op = data;
	g_auto (MvPatientKeys) keys = { 0 };
	g_autoptr (GTimeZone) zone = NULL;
	g_autofree gchar *zone_name = NULL, *day = NULL;
	g_autoptr (GPtrArray) stored = NULL, checkins = NULL, by_time = NULL;
	JsonArray *list = json_array_new ();
	GDate today;

	g_clear_pointer (&op->result, json_object_unref);
	op->result = json_object_new ();
	json_object_set_array_member (op->result, "checkins", list);
	if (!mv_engagement_op_keys (conn, op, FALSE, &keys, &zone, &zone_name, error))
		return FALSE;
	stored = mv_engagement_load_checkins (conn, op, keys.dek, zone, error);
	if (stored == NULL)
		return FALSE;
	/* newest first by the time of the check-in (not of its arrival), as the record's lists */
	by_time = g_ptr_array_copy (stored, NULL, NULL);
	g_ptr_array_set_free_func (by_time, NULL);
	g_ptr_array_sort (by_time, newer_first);
	for (guint i = 0; i < by_time->len && i < MV_ENGAGEMENT_MAX_CHECKINS; i++) {
		const MvStoredCheckin *s = g_ptr_array_index (by_time, i);
		JsonObject *input = json_object_get_object_member (s->stored, "input");
		JsonObject *answer = json_object_get_object_member (s->stored, "answer");
		JsonObject *e = json_object_new ();
		g_autofree gchar *date = mv_engagement_date_text (&s->checkin->local_date);
		g_autoptr (GList) members = json_object_get_members (input);

		for (GList *l = members; l != NULL; l = l->next)
			json_object_set_member (
				e, l->data,
				json_node_copy (json_object_get_member (input, l->data)));
		json_object_set_string_member (e, "date", date);
		json_object_set_member (
			e, "observation_id",
			json_node_copy (json_object_get_member (answer, "observation_id")));
		json_object_set_string_member (e, "recorded_at", s->created_at);
		json_array_add_object_element (list, e);
	}
	checkins = mv_engagement_checkins_of (stored);
	mv_engagement_today (op->call, zone, &today);
	day = mv_engagement_date_text (&today);
	json_object_set_int_member (op->result, "total", stored->len);
	json_object_set_int_member (op->result, "days_last_7", days_within (checkins, &today, 7));
	json_object_set_int_member (op->result, "days_last_28", days_within (checkins, &today, 28));
	json_object_set_string_member (op->result, "time_zone", zone_name);
	json_object_set_string_member (op->result, "today", day);
	return mv_engagement_op_audit (conn, op, "checkins.read", error);
}

JsonObject *
mv_engagement_store_checkins (MvEngagementStore *store,
			      const MvClinicalCall *call,
			      const gchar *patient_id,
			      GError **error)
{
	g_auto (MvEngagementOp) op = { 0 };

	if (!mv_engagement_op_init (&op, store, call, patient_id, error))
		return NULL;
	if (!mv_engagement_op_run (&op, checkins_txn, error))
		return NULL;
	return g_steal_pointer (&op.result);
}

/* ---- the leaderboard ---------------------------------------------------------------------------
 */

static gboolean
opt_in_txn (PGconn *conn, gpointer data, GError **error)
{
	MvEngagementOp *op = data;
	gboolean opt_in = GPOINTER_TO_INT (op->params);
	g_auto (MvPatientKeys) keys = { 0 };
	const gchar *values[] = { op->clinic_id, op->patient_id };
	g_autoptr (PGresult) res = NULL;

	g_clear_pointer (&op->result, json_object_unref);
	/* the patient must be live: their keys (locked, as for any write of theirs) */
	if (!mv_patient_keys_load (mv_services_get_vault (op->store->services), conn, op->clinic_id,
				   op->patient_id, TRUE, &keys, error))
		return FALSE;
	res = mv_db_exec_params (
		conn,
		opt_in ? "INSERT INTO engagement_leaderboard (clinic_id, patient_id) "
			 "VALUES ($1, $2) ON CONFLICT DO NOTHING"
		       : "DELETE FROM engagement_leaderboard WHERE clinic_id = $1 "
			 "AND patient_id = $2",
		2, values, error);
	if (res == NULL)
		return FALSE;
	op->result = json_object_new ();
	json_object_set_boolean_member (op->result, "opt_in", opt_in);
	return mv_engagement_op_audit (conn, op, opt_in ? "leaderboard.join" : "leaderboard.leave",
				       error);
}

JsonObject *
mv_engagement_store_set_leaderboard (MvEngagementStore *store,
				     const MvClinicalCall *call,
				     gboolean opt_in,
				     GError **error)
{
	g_auto (MvEngagementOp) op = { 0 };

	if (call->caller == NULL || call->caller->role != MV_ROLE_PATIENT) {
		mv_set_error_bilingual (error, MV_ERROR_FORBIDDEN,
					"only a patient's own key joins or leaves the leaderboard",
					"只有患者本人的密钥可以加入或退出排行榜");
		return NULL;
	}
	if (!mv_engagement_op_init (&op, store, call, call->caller->patient_id, error))
		return NULL;
	op.params = GINT_TO_POINTER (opt_in);
	if (!mv_engagement_op_run (&op, opt_in_txn, error))
		return NULL;
	return g_steal_pointer (&op.result);
}

static gboolean
leaderboard_txn (PGconn *conn, gpointer data, GError **error)
{
	MvEngagementOp *op = data;
	const gchar *values[] = { op->clinic_id };
	g_autoptr (MvSecret) kek = NULL, salt = NULL;
	g_autoptr (PGresult) res = NULL;
	g_autofree MvLeaderboardInput *players = NULL;
	g_autoptr (GArray) rows = NULL;
	JsonArray *list = json_array_new ();
	gboolean opted_in = FALSE;
	g_auto (MvPatientKeys) keys = { 0 };
	g_autoptr (GTimeZone) zone = NULL;
	g_autofree gchar *zone_name = NULL;
	const gchar *language = NULL;
	gint n;

	g_clear_pointer (&op->result, json_object_unref);
	/* the handles follow the caller's profile language, as every text the patient reads */
	if (!mv_engagement_op_keys (conn, op, FALSE, &keys, &zone, &zone_name, error)
	    || !mv_engagement_progress_language (conn, op, &keys, &language, error)) {
		json_array_unref (list);
		return FALSE;
	}
	op->result = json_object_new ();
	json_object_set_array_member (op->result, "rows", list);
	kek = mv_record_keys_clinic_kek (mv_services_get_vault (op->store->services), conn,
					 op->clinic_id, FALSE, error);
	if (kek == NULL)
		return FALSE;
	salt = mv_vault_derive_identifier_key (kek, LEADERBOARD_SALT_LABEL);
	/* live patients only: a shredded patient's rows are gone, this is belt and braces */
	res = mv_db_exec_params (
		conn,
		"SELECT o.patient_id, coalesce(sum(l.points), 0) FROM engagement_leaderboard o "
		"JOIN patients p ON p.clinic_id = o.clinic_id AND p.patient_id = o.patient_id "
		"AND p.deleted_at IS NULL LEFT JOIN engagement_ledger l ON l.clinic_id = "
		"o.clinic_id AND l.patient_id = o.patient_id WHERE o.clinic_id = $1 "
		"GROUP BY o.patient_id",
		1, values, error);
	if (res == NULL)
		return FALSE;
	n = PQntuples (res);
	players = g_new0 (MvLeaderboardInput, MAX (n, 1));
	for (gint i = 0; i < n; i++) {
		players[i].patient_id = PQgetvalue (res, i, 0);
		players[i].points = g_ascii_strtoll (PQgetvalue (res, i, 1), NULL, 10);
		opted_in = opted_in || g_strcmp0 (players[i].patient_id, op->patient_id) == 0;
	}
	rows = mv_leaderboard_rank (mv_secret_get_data (salt), mv_secret_get_size (salt), players,
				    (guint)n, opted_in ? op->patient_id : NULL, language,
				    MV_ENGAGEMENT_LEADERBOARD_TOP);
	for (guint i = 0; i < rows->len; i++) {
		const MvLeaderboardRow *r = &g_array_index (rows, MvLeaderboardRow, i);
		JsonObject *e = json_object_new ();
		json_object_set_int_member (e, "rank", r->rank);
		json_object_set_string_member (e, "handle", r->handle);
		json_object_set_int_member (e, "points", r->points);
		if (r->is_caller)
			json_object_set_boolean_member (e, "you", TRUE);
		json_array_add_object_element (list, e);
	}
	json_object_set_boolean_member (op->result, "opt_in", opted_in);
	return mv_engagement_op_audit (conn, op, "leaderboard.read", error);
}

JsonObject *
mv_engagement_store_leaderboard (MvEngagementStore *store,
				 const MvClinicalCall *call,
				 GError **error)
{
	g_auto (MvEngagementOp) op = { 0 };

	if (call->caller == NULL || call->caller->role != MV_ROLE_PATIENT) {
		mv_set_error_bilingual (error, MV_ERROR_FORBIDDEN,
					"the leaderboard is for a patient's own key",
					"排行榜仅供患者本人的密钥使用");
		return NULL;
	}
	if (!mv_engagement_op_init (&op, store, call, call->caller->patient_id, error))
		return NULL;
	if (!mv_engagement_op_run (&op, leaderboard_txn, error))
		return NULL;
	return g_steal_pointer (&op.result);
}
