/* The schema engine of record kinds: see mv-record-schema.h. */
#define G_LOG_DOMAIN "medverse-records"

#include "mv-record-schema.h"

#include <math.h>
#include <mv-host-private.h>
#include <medverse/mv-error.h>
#include <string.h>

/* The oldest date accepted: nobody alive was born, nor anything recorded, before it. */
#define OLDEST_YEAR 1870
/* Clocks of devices and clinics drift: a time this far ahead of ours is still "now". */
#define FUTURE_SLACK_US (5 * G_TIME_SPAN_MINUTE)

void
mv_schema_problem (GError **error,
		   const gchar *pointer,
		   const gchar *code,
		   const gchar *message,
		   const gchar *message_zh)
{
	mv_error_add_problem (error, pointer, code, message, message_zh);
}

gchar *
mv_json_pointer_child (const gchar *pointer, const gchar *name)
{
	/* the SDK's, so a plugin argument and a record member are pointed at alike */
	return mv_json_pointer_append (pointer, name);
}

gchar *
mv_json_pointer_index (const gchar *pointer, guint index)
{
	return g_strdup_printf ("%s/%u", pointer, index);
}

static const gchar *
type_en (JsonNode *node)
{
	if (JSON_NODE_HOLDS_NULL (node))
		return "null";
	if (JSON_NODE_HOLDS_OBJECT (node))
		return "an object";
	if (JSON_NODE_HOLDS_ARRAY (node))
		return "an array";
	switch (json_node_get_value_type (node)) {
	case G_TYPE_STRING:
		return "a string";
	case G_TYPE_BOOLEAN:
		return "a boolean";
	case G_TYPE_INT64:
		return "an integer";
	default:
		return "a number";
	}
}

static const gchar *
type_zh (JsonNode *node)
{
	if (JSON_NODE_HOLDS_NULL (node))
		return "null";
	if (JSON_NODE_HOLDS_OBJECT (node))
		return "对象";
	if (JSON_NODE_HOLDS_ARRAY (node))
		return "数组";
	switch (json_node_get_value_type (node)) {
	case G_TYPE_STRING:
		return "字符串";
	case G_TYPE_BOOLEAN:
		return "布尔值";
	case G_TYPE_INT64:
		return "整数";
	default:
		return "数字";
	}
}

static gboolean
is_value_of (JsonNode *node, GType type)
{
	return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

static gboolean
is_number (JsonNode *node)
{
	return is_value_of (node, G_TYPE_INT64) || is_value_of (node, G_TYPE_DOUBLE);
}

/* The type a row wants, in both languages; NULL when the node has it. */
static gboolean
type_ok (const MvField *f, JsonNode *node, const gchar **en, const gchar **zh)
{
	switch (f->kind) {
	case MV_FIELD_STRING:
	case MV_FIELD_TEXT:
	case MV_FIELD_ENUM:
	case MV_FIELD_DATE:
	case MV_FIELD_DATETIME:
		*en = "a string";
		*zh = "字符串";
		return is_value_of (node, G_TYPE_STRING);
	case MV_FIELD_BOOL:
		*en = "a boolean";
		*zh = "布尔值";
		return is_value_of (node, G_TYPE_BOOLEAN);
	case MV_FIELD_INT:
		*en = "an integer";
		*zh = "整数";
		return is_value_of (node, G_TYPE_INT64);
	case MV_FIELD_NUMBER:
		*en = "a number";
		*zh = "数字";
		return is_number (node);
	case MV_FIELD_OBJECT:
		*en = "an object";
		*zh = "对象";
		return JSON_NODE_HOLDS_OBJECT (node);
	case MV_FIELD_LIST:
	case MV_FIELD_STRINGS:
		*en = "an array";
		*zh = "数组";
		return JSON_NODE_HOLDS_ARRAY (node);
	case MV_FIELD_ANY:
		return TRUE;
	}
	return FALSE;
}

static gboolean
check_string (const gchar *s, const MvField *f, gboolean text, const gchar *ptr, GError **error)
{
	glong chars = g_utf8_strlen (s, -1);
	g_autofree gchar *en = NULL;
	g_autofree gchar *zh = NULL;

	for (const gchar *p = s; *p != '\0'; p++) {
		guchar c = (guchar)*p;
		if ((c < 0x20 && !(text && (c == '\n' || c == '\t' || c == '\r'))) || c == 0x7f) {
			mv_schema_problem (error, ptr, "invalid-format",
					   "control characters are not allowed",
					   "不允许包含控制字符");
			return FALSE;
		}
	}
	if (chars < f->min) {
		en = g_strdup_printf ("must have at least %" G_GINT64_FORMAT " character(s)",
				      f->min);
		zh = g_strdup_printf ("至少需要 %" G_GINT64_FORMAT " 个字符", f->min);
		mv_schema_problem (error, ptr, "too-short", en, zh);
		return FALSE;
	}
	if (f->max > 0 && chars > f->max) {
		en = g_strdup_printf ("must have at most %" G_GINT64_FORMAT " characters, has %ld",
				      f->max, chars);
		zh = g_strdup_printf ("最多 %" G_GINT64_FORMAT " 个字符，实际 %ld 个", f->max,
				      chars);
		mv_schema_problem (error, ptr, "too-long", en, zh);
		return FALSE;
	}
	return TRUE;
}

gboolean
mv_schema_parse_date (const gchar *s, GDate *out)
{
	guint y, m, d;

	if (strlen (s) != 10 || s[4] != '-' || s[7] != '-')
		return FALSE;
	for (guint i = 0; i < 10; i++) {
		if (i != 4 && i != 7 && !g_ascii_isdigit (s[i]))
			return FALSE;
	}
	y = (guint)g_ascii_strtoull (s, NULL, 10);
	m = (guint)g_ascii_strtoull (s + 5, NULL, 10);
	d = (guint)g_ascii_strtoull (s + 8, NULL, 10);
	if (y < 1 || !g_date_valid_dmy ((GDateDay)d, (GDateMonth)m, (GDateYear)y))
		return FALSE;
	g_date_clear (out, 1);
	g_date_set_dmy (out, (GDateDay)d, (GDateMonth)m, (GDateYear)y);
	return TRUE;
}

/* Why @text, shaped YYYY-MM-DD, is no day of the calendar (month 13, day 00, a day past its
 * month's end), or NULL when it is one or is not shaped so.  The reason never repeats the date:
 * a message quotes no value (a birth date is patient data). */
static gboolean
explain_impossible_day (const gchar *text, const gchar **en, const gchar **zh, guint *days)
{
	guint y, m, d;

	if (text == NULL || strlen (text) < 10 || text[4] != '-' || text[7] != '-'
	    || (text[10] != '\0' && text[10] != 'T' && text[10] != 't'))
		return FALSE;
	for (guint i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !g_ascii_isdigit (text[i]))
			return FALSE;
	y = (guint)g_ascii_strtoull (text, NULL, 10);
	m = (guint)g_ascii_strtoull (text + 5, NULL, 10);
	d = (guint)g_ascii_strtoull (text + 8, NULL, 10);
	*days = 0;
	if (y == 0) {
		*en = "years count from 0001";
		*zh = "年份从 0001 开始";
	} else if (m < 1 || m > 12) {
		*en = "a year has months 01 to 12";
		*zh = "月份为 01 至 12";
	} else if (d < 1) {
		*en = "days count from 01";
		*zh = "日期从 01 开始";
	} else if (d > g_date_get_days_in_month ((GDateMonth)m, (GDateYear)y)) {
		*days = g_date_get_days_in_month ((GDateMonth)m, (GDateYear)y);
		*en = *zh = NULL;
	} else {
		return FALSE;
	}
	return TRUE;
}

void
mv_schema_date_problem (GError **error,
			const gchar *pointer,
			const gchar *text,
			const gchar *message,
			const gchar *message_zh)
{
	const gchar *why = NULL, *why_zh = NULL;
	guint days = 0;
	g_autofree gchar *en = NULL, *zh = NULL;

	if (!explain_impossible_day (text, &why, &why_zh, &days)) {
		mv_error_add_problem (error, pointer, "invalid-format", message, message_zh);
		return;
	}
	if (days > 0) {
		en = g_strdup_printf ("%s: that day is past the end of its month (%u days)",
				      message, days);
		zh = g_strdup_printf ("%s：该日超出了当月的天数（%u 天）", message_zh, days);
	} else {
		en = g_strdup_printf ("%s: %s", message, why);
		zh = g_strdup_printf ("%s：%s", message_zh, why_zh);
	}
	mv_error_add_problem (error, pointer, "invalid-format", en, zh);
}

GDateTime *
mv_schema_parse_datetime (const gchar *text)
{
	gsize n = strlen (text);
	GDate date;
	g_autofree gchar *day = NULL;

	/* g_date_time_new_from_iso8601() is lenient (week dates, no seconds, a local default
	 * zone): RFC 3339 is checked here first, the library then does the arithmetic */
	if (n < 20 || n > 35 || text[10] != 'T' || text[13] != ':' || text[16] != ':')
		return NULL;
	day = g_strndup (text, 10);
	if (!mv_schema_parse_date (day, &date))
		return NULL;
	for (guint i = 11; i < 19; i++) {
		if (i != 13 && i != 16 && !g_ascii_isdigit (text[i]))
			return NULL;
	}
	{
		const gchar *p = text + 19;
		if (*p == '.') {
			p++;
			if (!g_ascii_isdigit (*p))
				return NULL;
			while (g_ascii_isdigit (*p))
				p++;
		}
		if (!(g_strcmp0 (p, "Z") == 0
		      || ((p[0] == '+' || p[0] == '-') && strlen (p) == 6 && g_ascii_isdigit (p[1])
			  && g_ascii_isdigit (p[2]) && p[3] == ':' && g_ascii_isdigit (p[4])
			  && g_ascii_isdigit (p[5]))))
			return NULL;
	}
	return g_date_time_new_from_iso8601 (text, NULL);
}

gchar *
mv_schema_format_utc (GDateTime *time)
{
	g_autoptr (GDateTime) utc = g_date_time_to_utc (time);

	return g_date_time_format (utc, "%Y-%m-%dT%H:%M:%S.%fZ");
}

static GDateTime *
now_of (const MvSchemaContext *ctx)
{
	if (ctx != NULL && ctx->now != NULL)
		return g_date_time_ref (ctx->now);
	return g_date_time_new_now_utc ();
}

static gboolean
check_date (const gchar *s, const gchar *ptr, const MvSchemaContext *ctx, GError **error)
{
	GDate date, today;
	g_autoptr (GDateTime) now = now_of (ctx);

	if (!mv_schema_parse_date (s, &date)) {
		mv_schema_date_problem (error, ptr, s,
					"must be an RFC 3339 full-date (YYYY-MM-DD) that exists",
					"应为存在的日期，格式 YYYY-MM-DD（RFC 3339）");
		return FALSE;
	}
	g_date_clear (&today, 1);
	g_date_set_dmy (&today, (GDateDay)g_date_time_get_day_of_month (now),
			(GDateMonth)g_date_time_get_month (now),
			(GDateYear)g_date_time_get_year (now));
	if (g_date_compare (&date, &today) > 0) {
		mv_schema_problem (error, ptr, "in-future", "must not be in the future",
				   "不能晚于今天");
		return FALSE;
	}
	if (g_date_get_year (&date) < OLDEST_YEAR) {
		mv_schema_problem (error, ptr, "too-early", "must not be before 1870-01-01",
				   "不能早于 1870-01-01");
		return FALSE;
	}
	return TRUE;
}

static gboolean
check_datetime (const gchar *s, const gchar *ptr, const MvSchemaContext *ctx, GError **error)
{
	g_autoptr (GDateTime) t = mv_schema_parse_datetime (s);
	g_autoptr (GDateTime) now = now_of (ctx);

	if (t == NULL) {
		mv_schema_date_problem (
			error, ptr, s,
			"must be an RFC 3339 date-time with a time zone offset, e.g. "
			"2026-12-01T08:30:00+08:00",
			"应为带时区的 RFC 3339 日期时间，例如 2026-12-01T08:30:00+08:00");
		return FALSE;
	}
	if (g_date_time_difference (t, now) > FUTURE_SLACK_US) {
		mv_schema_problem (error, ptr, "in-future", "must not be in the future",
				   "不能晚于当前时间");
		return FALSE;
	}
	if (g_date_time_get_year (t) < OLDEST_YEAR) {
		mv_schema_problem (error, ptr, "too-early", "must not be before 1870-01-01",
				   "不能早于 1870-01-01");
		return FALSE;
	}
	return TRUE;
}

static gboolean check_object (const MvField *members,
			      gint64 min_members,
			      JsonObject *object,
			      const gchar *ptr,
			      const MvSchemaContext *ctx,
			      GError **error);

static gboolean
check_count (guint n, const MvField *f, const gchar *ptr, GError **error)
{
	g_autofree gchar *en = NULL;
	g_autofree gchar *zh = NULL;

	if (f->max > 0 && n > f->max) {
		en = g_strdup_printf ("must have at most %" G_GINT64_FORMAT " entries, has %u",
				      f->max, n);
		zh = g_strdup_printf ("最多 %" G_GINT64_FORMAT " 项，实际 %u 项", f->max, n);
		mv_schema_problem (error, ptr, "too-many", en, zh);
		return FALSE;
	}
	if (n < f->min) {
		en = g_strdup_printf ("must have at least %" G_GINT64_FORMAT " entries", f->min);
		zh = g_strdup_printf ("至少需要 %" G_GINT64_FORMAT " 项", f->min);
		mv_schema_problem (error, ptr, "too-short", en, zh);
		return FALSE;
	}
	return TRUE;
}

static gboolean
check_list (JsonArray *array,
	    const MvField *f,
	    const gchar *ptr,
	    const MvSchemaContext *ctx,
	    GError **error)
{
	guint n = json_array_get_length (array);
	gboolean ok = TRUE;
	MvField item_row
		= { "", f->kind == MV_FIELD_LIST ? MV_FIELD_OBJECT : MV_FIELD_STRING, TRUE };

	if (!check_count (n, f, ptr, error))
		return FALSE;
	item_row.members = f->members;
	item_row.min = f->kind == MV_FIELD_LIST ? 0 : 1;
	item_row.max = f->kind == MV_FIELD_LIST ? 0 : 64;
	for (guint i = 0; i < n; i++) {
		JsonNode *item = json_array_get_element (array, i);
		g_autofree gchar *item_ptr = mv_json_pointer_index (ptr, i);
		const gchar *want_en = NULL, *want_zh = NULL;

		if (!type_ok (&item_row, item, &want_en, &want_zh)) {
			g_autofree gchar *en
				= g_strdup_printf ("must be %s, not %s", want_en, type_en (item));
			g_autofree gchar *zh
				= g_strdup_printf ("应为%s，而不是%s", want_zh, type_zh (item));
			mv_schema_problem (error, item_ptr, "wrong-type", en, zh);
			ok = FALSE;
			continue;
		}
		if (f->kind == MV_FIELD_STRINGS) {
			ok = check_string (json_node_get_string (item), &item_row, FALSE, item_ptr,
					   error)
			     && ok;
			continue;
		}
		if (!check_object (f->members, 0, json_node_get_object (item), item_ptr, ctx,
				   error)) {
			ok = FALSE;
			continue;
		}
		if (f->check != NULL)
			ok = f->check (item, item_ptr, json_node_get_object (item), ctx, error)
			     && ok;
	}
	return ok;
}

/* The row's type and bounds; then its own check.  @parent holds the member. */
static gboolean
check_value (JsonNode *node,
	     const MvField *f,
	     JsonObject *parent,
	     const gchar *ptr,
	     const MvSchemaContext *ctx,
	     GError **error)
{
	const gchar *want_en = NULL, *want_zh = NULL;
	gboolean ok = TRUE;

	if (!type_ok (f, node, &want_en, &want_zh)) {
		g_autofree gchar *en
			= g_strdup_printf ("must be %s, not %s", want_en, type_en (node));
		g_autofree gchar *zh
			= g_strdup_printf ("应为%s，而不是%s", want_zh, type_zh (node));
		mv_schema_problem (error, ptr, "wrong-type", en, zh);
		return FALSE;
	}
	switch (f->kind) {
	case MV_FIELD_STRING:
	case MV_FIELD_TEXT:
		ok = check_string (json_node_get_string (node), f, f->kind == MV_FIELD_TEXT, ptr,
				   error);
		break;
	case MV_FIELD_ENUM:
		if (!g_strv_contains (f->values, json_node_get_string (node))) {
			g_autofree gchar *allowed = g_strjoinv (", ", (gchar **)f->values);
			g_autofree gchar *en = g_strdup_printf ("must be one of %s", allowed);
			g_autofree gchar *zh = g_strdup_printf ("应为以下之一：%s", allowed);
			mv_schema_problem (error, ptr, "not-allowed", en, zh);
			ok = FALSE;
		}
		break;
	case MV_FIELD_INT: {
		gint64 v = json_node_get_int (node);
		if (v < f->min || v > f->max) {
			g_autofree gchar *en = g_strdup_printf ("must be between %" G_GINT64_FORMAT
								" and %" G_GINT64_FORMAT,
								f->min, f->max);
			g_autofree gchar *zh = g_strdup_printf ("应在 %" G_GINT64_FORMAT
								" 到 %" G_GINT64_FORMAT " 之间",
								f->min, f->max);
			mv_schema_problem (error, ptr, "out-of-range", en, zh);
			ok = FALSE;
		}
		break;
	}
	case MV_FIELD_NUMBER:
		if (!isfinite (json_node_get_double (node))) {
			mv_schema_problem (error, ptr, "out-of-range", "must be a finite number",
					   "应为有限数值");
			ok = FALSE;
		}
		break;
	case MV_FIELD_DATE:
		ok = check_date (json_node_get_string (node), ptr, ctx, error);
		break;
	case MV_FIELD_DATETIME:
		ok = check_datetime (json_node_get_string (node), ptr, ctx, error);
		break;
	case MV_FIELD_OBJECT:
		ok = check_object (f->members, f->min, json_node_get_object (node), ptr, ctx,
				   error);
		break;
	case MV_FIELD_LIST:
	case MV_FIELD_STRINGS:
		/* each item's check runs inside */
		return check_list (json_node_get_array (node), f, ptr, ctx, error);
	case MV_FIELD_BOOL:
	case MV_FIELD_ANY:
		break;
	}
	if (ok && f->check != NULL)
		ok = f->check (node, ptr,
			       f->kind == MV_FIELD_OBJECT ? json_node_get_object (node) : parent,
			       ctx, error);
	return ok;
}

static const MvField *
find_field (const MvField *members, const gchar *name)
{
	for (const MvField *f = members; f != NULL && f->name != NULL; f++) {
		if (strcmp (f->name, name) == 0)
			return f;
	}
	return NULL;
}

static void
unknown_member (const gchar *ptr, GError **error)
{
	mv_schema_problem (error, ptr, "unknown-member", "is not a known member",
			   "不是可识别的字段");
}

static gboolean
check_object (const MvField *members,
	      gint64 min_members,
	      JsonObject *object,
	      const gchar *ptr,
	      const MvSchemaContext *ctx,
	      GError **error)
{
	/* in the document's order (an iterator would give the hash table's), so problems are
	 * listed as a reader of the body meets them */
	g_autoptr (GList) names = json_object_get_members (object);
	gboolean ok = TRUE;
	guint known = 0;

	for (GList *l = names; l != NULL; l = l->next) {
		const gchar *name = l->data;
		JsonNode *node = json_object_get_member (object, name);
		const MvField *f = find_field (members, name);
		g_autofree gchar *member_ptr = mv_json_pointer_child (ptr, name);

		if (f == NULL) {
			unknown_member (member_ptr, error);
			ok = FALSE;
			continue;
		}
		known++;
		ok = check_value (node, f, object, member_ptr, ctx, error) && ok;
	}
	for (const MvField *f = members; f != NULL && f->name != NULL; f++) {
		if (f->required && !json_object_has_member (object, f->name)) {
			g_autofree gchar *member_ptr = mv_json_pointer_child (ptr, f->name);
			mv_schema_problem (error, member_ptr, "required", "is required", "必填");
			ok = FALSE;
		}
	}
	if (ok && known < min_members) {
		g_autofree gchar *en = g_strdup_printf (
			"needs at least %" G_GINT64_FORMAT " of its members", min_members);
		g_autofree gchar *zh
			= g_strdup_printf ("至少需要填写 %" G_GINT64_FORMAT " 个字段", min_members);
		mv_schema_problem (error, ptr, "required", en, zh);
		ok = FALSE;
	}
	return ok;
}

gboolean
mv_schema_check (const MvField *members,
		 JsonObject *object,
		 const gchar *pointer,
		 const MvSchemaContext *ctx,
		 GError **error)
{
	return check_object (members, 0, object, pointer != NULL ? pointer : "", ctx, error);
}

gboolean
mv_schema_check_patch (const MvField *members,
		       JsonObject *patch,
		       const gchar *pointer,
		       GError **error)
{
	g_autoptr (GList) names = json_object_get_members (patch);
	gboolean ok = TRUE;

	for (GList *l = names; l != NULL; l = l->next) {
		const gchar *name = l->data;
		JsonNode *node = json_object_get_member (patch, name);
		const MvField *f = find_field (members, name);
		g_autofree gchar *member_ptr
			= mv_json_pointer_child (pointer != NULL ? pointer : "", name);

		if (f == NULL) {
			unknown_member (member_ptr, error);
			ok = FALSE;
		} else if (f->kind == MV_FIELD_OBJECT && JSON_NODE_HOLDS_OBJECT (node)) {
			ok = mv_schema_check_patch (f->members, json_node_get_object (node),
						    member_ptr, error)
			     && ok;
		}
	}
	return ok;
}

JsonNode *
mv_json_merge_patch (JsonNode *target, JsonNode *patch)
{
	JsonObject *result;
	JsonObjectIter iter;
	const gchar *name;
	JsonNode *value;
	JsonNode *node;

	if (!JSON_NODE_HOLDS_OBJECT (patch))
		return json_node_copy (patch);
	result = json_object_new ();
	if (target != NULL && JSON_NODE_HOLDS_OBJECT (target)) {
		json_object_iter_init (&iter, json_node_get_object (target));
		while (json_object_iter_next (&iter, &name, &value))
			json_object_set_member (result, name, json_node_copy (value));
	}
	json_object_iter_init (&iter, json_node_get_object (patch));
	while (json_object_iter_next (&iter, &name, &value)) {
		if (JSON_NODE_HOLDS_NULL (value)) {
			json_object_remove_member (result, name);
		} else {
			JsonNode *old = json_object_get_member (result, name);
			json_object_set_member (result, name, mv_json_merge_patch (old, value));
		}
	}
	node = json_node_init_object (json_node_alloc (), result);
	json_object_unref (result);
	return node;
}
