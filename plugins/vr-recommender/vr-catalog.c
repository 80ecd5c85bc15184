/*
 * vr-recommender core — catalog items: read and checked against every rule of
 * schemas/json/vr-catalog.schema.json and the cross-member rules the schema cannot say
 * (README, "Catalog rules"), the same for the shipped file, a clinic's own item (ValidateItem)
 * and the extra items of a Recommend call.  Every problem is listed, never the first only.
 */
#define G_LOG_DOMAIN "vr-recommender"

#include <string.h>

#include "vr-core.h"

const gchar *const vr_categories[] = {
	"upper-limb-rehab", "lower-limb-rehab",
	"balance-rehab",    "cognitive-training",
	"pain-distraction", "relaxation",
	"education",	    "procedure-preparation",
	"exergame",	    NULL,
};
const gchar *const vr_regions[] = {
	"upper-limb", "lower-limb", "trunk", "balance", "cognition",
	"breathing",  "whole-body", "none",  NULL,
};
const gchar *const vr_comforts[] = { "comfortable", "moderate", "intense", NULL };
const gchar *const vr_postures[] = { "seated", "standing", "either", NULL };
const gchar *const vr_locomotions[] = { "none", "teleport", "smooth", NULL };
const gchar *const vr_contra_ids[] = {
	"photosensitive-epilepsy",
	"vestibular-disorder",
	"recent-eye-surgery",
	"pregnancy",
	"cardiac-high-intensity",
	"severe-motion-sickness",
	"open-wound-head",
	"psychosis",
	"claustrophobia",
	"recent-concussion",
	NULL,
};
const gchar *const vr_languages[] = { "en", "zh", NULL };

static const gchar *const vr_item_members[] = {
	"id",	    "title",	  "summary",	  "category",	       "targets",
	"regions",  "mets",	  "duration_min", "min_age",	       "max_age",
	"comfort",  "locomotion", "posture",	  "contraindications", "languages",
	"evidence", NULL,
};

/* the schema's limits: a session of VR beyond 3 hours, a MET value beyond the Compendium's
 * most vigorous activities, a text a headset cannot show on one panel are all mistakes */
#define VR_MAX_ID 64
#define VR_MAX_TITLE 120
#define VR_MAX_SUMMARY 600
#define VR_MAX_EVIDENCE 400
#define VR_MIN_EVIDENCE 10
#define VR_MIN_METS 1.0
#define VR_MAX_METS 20.0
#define VR_MAX_DURATION 180
#define VR_MAX_AGE 120
/* vigorous intensity (ACSM: 6 METs and above) must say so to a cardiac patient */
#define VR_VIGOROUS_METS 6.0

void
vr_item_free (VrItem *item)
{
	if (item == NULL)
		return;
	g_free (item->id);
	g_free (item->title.en);
	g_free (item->title.zh);
	g_free (item->summary.en);
	g_free (item->summary.zh);
	g_strfreev (item->targets);
	g_strfreev (item->regions);
	g_strfreev (item->languages);
	g_free (item->evidence);
	g_free (item);
}

const gchar *
vr_text_get (const VrText *t, const gchar *lang)
{
	return g_strcmp0 (lang, "zh") == 0 ? t->zh : t->en;
}

static gboolean
vr_id_valid (const gchar *id)
{
	if (id[0] == '\0' || strlen (id) > VR_MAX_ID || id[0] == '-')
		return FALSE;
	for (const gchar *c = id; *c != '\0'; c++) {
		if (!g_ascii_islower (*c) && !g_ascii_isdigit (*c) && *c != '-')
			return FALSE;
	}
	return TRUE;
}

static gboolean
vr_digits (const gchar *s, guint min, guint max)
{
	guint n = 0;

	while (g_ascii_isdigit (s[n]))
		n++;
	return s[n] == '\0' && n >= min && n <= max;
}

/* HP:0001250, DOID:1826, ICD10:G40 or ICD10:G40.8 (the schema's pattern; by hand, as a clinic's
 * items are checked on every Recommend call) */
static gboolean
vr_target_valid (const gchar *code)
{
	const gchar *s;

	if (g_str_has_prefix (code, "HP:"))
		return vr_digits (code + 3, 7, 7);
	if (g_str_has_prefix (code, "DOID:"))
		return vr_digits (code + 5, 1, 8);
	if (!g_str_has_prefix (code, "ICD10:"))
		return FALSE;
	s = code + 6;
	if (!g_ascii_isupper (s[0]) || !g_ascii_isdigit (s[1]) || !g_ascii_isdigit (s[2]))
		return FALSE;
	if (s[3] == '\0')
		return TRUE;
	if (s[3] != '.' || strlen (s + 4) < 1 || strlen (s + 4) > 4)
		return FALSE;
	for (s += 4; *s != '\0'; s++) {
		if (!g_ascii_isdigit (*s) && !g_ascii_isupper (*s))
			return FALSE;
	}
	return TRUE;
}

static void
vr_read_text (JsonObject *obj,
	      const gchar *path,
	      const gchar *name,
	      guint max,
	      VrText *out,
	      GPtrArray *problems)
{
	JsonNode *node = vr_json_member (obj, name);
	g_autofree gchar *field = g_strdup_printf ("%s/%s", path, name);
	static const gchar *const members[] = { "en", "zh", NULL };
	const gchar *en, *zh;
	JsonObject *text;

	if (node == NULL) {
		vr_problem_add (problems, field, "required", "is required", "为必填项");
		return;
	}
	text = vr_json_object_at (node, field, problems);
	if (text == NULL)
		return;
	vr_json_check_members (text, field, members, problems);
	en = vr_json_string (text, field, "en", TRUE, problems);
	zh = vr_json_string (text, field, "zh", TRUE, problems);
	for (guint i = 0; i < 2; i++) {
		const gchar *s = i == 0 ? en : zh;
		g_autofree gchar *sub = g_strdup_printf ("%s/%s", field, members[i]);
		g_autofree gchar *stripped = NULL;
		if (s == NULL)
			continue;
		stripped = g_strstrip (g_strdup (s));
		if (stripped[0] == '\0' || g_utf8_strlen (s, -1) > max) {
			g_autofree gchar *m_en
				= g_strdup_printf ("must be 1 to %u characters, not blank", max);
			g_autofree gchar *m_zh
				= g_strdup_printf ("长度须为 1 至 %u 个字符且不能为空白", max);
			vr_problem_add (problems, sub, "out-of-range", m_en, m_zh);
		}
	}
	out->en = g_strdup (en);
	out->zh = g_strdup (zh);
}

/* what a citation has that "none", "n/a", "-" or "see README" has not (README, "Clinic
 * items"): at least 10 characters and a year, 1900-2099; at most VR_MAX_EVIDENCE bytes */
static gboolean
vr_evidence_valid (const gchar *evidence)
{
	g_autofree gchar *trimmed = g_strstrip (g_strdup (evidence));

	if (g_utf8_strlen (trimmed, -1) < VR_MIN_EVIDENCE || strlen (evidence) > VR_MAX_EVIDENCE)
		return FALSE;
	for (const gchar *s = trimmed; s[0] != '\0' && s[1] != '\0'; s++) {
		if (((s[0] == '1' && s[1] == '9') || (s[0] == '2' && s[1] == '0'))
		    && g_ascii_isdigit (s[2]) && g_ascii_isdigit (s[3]))
			return TRUE;
	}
	return FALSE;
}

static void
vr_read_strings (JsonObject *obj, const gchar *path, VrItem *item, GPtrArray *problems)
{
	g_auto (GStrv) contra = NULL;
	const gchar *evidence;

	item->targets = vr_json_strv (obj, path, "targets", TRUE, NULL, problems);
	for (guint i = 0; item->targets != NULL && item->targets[i] != NULL; i++) {
		if (!vr_target_valid (item->targets[i])) {
			g_autofree gchar *field = g_strdup_printf ("%s/targets/%u", path, i);
			vr_problem_add (problems, field, "invalid-format",
					"is not an HP:, DOID: or ICD10: code",
					"不是 HP:、DOID: 或 ICD10: 编码");
		}
	}
	item->regions = vr_json_strv (obj, path, "regions", TRUE, vr_regions, problems);
	contra = vr_json_strv (obj, path, "contraindications", TRUE, vr_contra_ids, problems);
	for (guint i = 0; contra != NULL && contra[i] != NULL; i++)
		item->contra |= 1u << vr_enum_parse (contra[i], vr_contra_ids);
	item->languages = vr_json_strv (obj, path, "languages", TRUE, vr_languages, problems);
	evidence = vr_json_string (obj, path, "evidence", TRUE, problems);
	if (evidence != NULL && !vr_evidence_valid (evidence)) {
		g_autofree gchar *field = g_strdup_printf ("%s/evidence", path);
		vr_problem_add (problems, field, "invalid-format",
				"must be a citation of 10 to 400 characters with its year "
				"(authors, year, journal), not a placeholder such as none or n/a",
				"须为 10 至 400 个字符、含年份的文献引用（作者、年份、期刊），"
				"不能是“无”或“n/a”等占位内容");
	}
	item->evidence = g_strdup (evidence);
}

static void
vr_read_numbers (JsonObject *obj, const gchar *path, VrItem *item, GPtrArray *problems)
{
	g_autofree gchar *mets_field = g_strdup_printf ("%s/mets", path);

	if (vr_json_number (obj, path, "mets", TRUE, &item->mets, problems)
	    && (item->mets < VR_MIN_METS || item->mets > VR_MAX_METS))
		vr_problem_add (problems, mets_field, "out-of-range",
				"is out of range (1.0 to 20.0 METs)",
				"超出范围（1.0 至 20.0 METs）");
	if (vr_json_uint (obj, path, "duration_min", TRUE, VR_MAX_DURATION, &item->duration_min,
			  problems)
	    && item->duration_min == 0) {
		g_autofree gchar *field = g_strdup_printf ("%s/duration_min", path);
		vr_problem_add (problems, field, "out-of-range", "is out of range (1 to 180)",
				"超出范围（1 至 180）");
	}
	vr_json_uint (obj, path, "min_age", TRUE, VR_MAX_AGE, &item->min_age, problems);
	if (vr_json_uint (obj, path, "max_age", FALSE, VR_MAX_AGE, &item->max_age, problems)
	    && item->max_age < MAX (item->min_age, 1)) {
		g_autofree gchar *field = g_strdup_printf ("%s/max_age", path);
		vr_problem_add (problems, field, "inconsistent", "is below min_age",
				"小于 min_age");
	}
}

/* Whether problems[from..] name the member @name of the item at @path (or something in it). */
static gboolean
vr_member_refused (GPtrArray *problems, guint from, const gchar *path, const gchar *name)
{
	g_autofree gchar *field = g_strdup_printf ("%s/%s", path, name);
	gsize len = strlen (field);

	for (guint i = from; i < problems->len; i++) {
		const VrProblem *p = g_ptr_array_index (problems, i);
		if (strncmp (p->field, field, len) == 0
		    && (p->field[len] == '\0' || p->field[len] == '/'))
			return TRUE;
	}
	return FALSE;
}

/* The rules between members the schema cannot say (README, "Catalog rules"), each checked when
 * the members it relates were read without a problem (problems[from..]): every problem of an
 * item is told at once, and a member already refused is not blamed again through a rule. */
static void
vr_check_consistency (const VrItem *item, const gchar *path, GPtrArray *problems, guint from)
{
	const gboolean regions_ok = !vr_member_refused (problems, from, path, "regions");
	const gboolean mets_ok = !vr_member_refused (problems, from, path, "mets");
	const gboolean contra_ok = !vr_member_refused (problems, from, path, "contraindications");
	const gboolean loco_ok = !vr_member_refused (problems, from, path, "locomotion");
	const gboolean comfort_ok = !vr_member_refused (problems, from, path, "comfort");
	g_autofree gchar *contra = g_strdup_printf ("%s/contraindications", path);
	const guint sick
		= (1u << VR_CONTRA_VESTIBULAR_DISORDER) | (1u << VR_CONTRA_SEVERE_MOTION_SICKNESS);

	if (regions_ok && item->regions != NULL
	    && g_strv_contains ((const gchar *const *)item->regions, "none")
	    && g_strv_length (item->regions) > 1) {
		g_autofree gchar *field = g_strdup_printf ("%s/regions", path);
		vr_problem_add (problems, field, "inconsistent", "lists none with other regions",
				"none 不能与其他部位同时列出");
	}
	if (mets_ok && contra_ok && item->mets >= VR_VIGOROUS_METS
	    && (item->contra & (1u << VR_CONTRA_CARDIAC_HIGH_INTENSITY)) == 0)
		vr_problem_add (problems, contra, "inconsistent",
				"must list cardiac-high-intensity for 6 METs or more",
				"6 METs 及以上须列出 cardiac-high-intensity");
	if (contra_ok
	    && ((loco_ok && item->locomotion == VR_LOCOMOTION_SMOOTH)
		|| (comfort_ok && item->comfort == VR_COMFORT_INTENSE))
	    && (item->contra & sick) != sick)
		vr_problem_add (
			problems, contra, "inconsistent",
			"must list vestibular-disorder and severe-motion-sickness for smooth "
			"locomotion or an intense comfort rating",
			"平滑移动或强烈舒适度等级须列出 vestibular-disorder 与 "
			"severe-motion-sickness");
	if (loco_ok && comfort_ok && item->locomotion == VR_LOCOMOTION_SMOOTH
	    && item->comfort == VR_COMFORT_COMFORTABLE) {
		g_autofree gchar *field = g_strdup_printf ("%s/comfort", path);
		vr_problem_add (problems, field, "inconsistent",
				"cannot be comfortable with smooth locomotion",
				"平滑移动不能评为舒适");
	}
}

VrItem *
vr_item_read (JsonNode *node, const gchar *path, GPtrArray *problems)
{
	g_autoptr (VrItem) item = g_new0 (VrItem, 1);
	guint before = problems->len;
	JsonObject *obj = vr_json_object_at (node, path, problems);
	const gchar *id;
	gint v;

	if (obj == NULL)
		return NULL;
	vr_json_check_members (obj, path, vr_item_members, problems);
	id = vr_json_string (obj, path, "id", TRUE, problems);
	if (id != NULL && !vr_id_valid (id)) {
		g_autofree gchar *field = g_strdup_printf ("%s/id", path);
		vr_problem_add (problems, field, "invalid-format",
				"must be 1 to 64 of a-z, 0-9 and -, not starting with -",
				"须为 1 至 64 个 a-z、0-9 或 - 字符，且不以 - 开头");
	}
	item->id = g_strdup (id);
	vr_read_text (obj, path, "title", VR_MAX_TITLE, &item->title, problems);
	vr_read_text (obj, path, "summary", VR_MAX_SUMMARY, &item->summary, problems);
	v = vr_json_enum (obj, path, "category", vr_categories, TRUE, problems);
	item->category = MAX (v, 0);
	vr_read_strings (obj, path, item, problems);
	vr_read_numbers (obj, path, item, problems);
	v = vr_json_enum (obj, path, "comfort", vr_comforts, TRUE, problems);
	item->comfort = v < 0 ? VR_COMFORT_INTENSE : (VrComfort)v;
	v = vr_json_enum (obj, path, "locomotion", vr_locomotions, TRUE, problems);
	item->locomotion = v < 0 ? VR_LOCOMOTION_SMOOTH : (VrLocomotion)v;
	v = vr_json_enum (obj, path, "posture", vr_postures, TRUE, problems);
	item->posture = v < 0 ? VR_POSTURE_STANDING : (VrPosture)v;
	vr_check_consistency (item, path, problems, before);
	return problems->len == before ? g_steal_pointer (&item) : NULL;
}

static GVariant *
vr_text_variant (const VrText *t, const gchar *lang)
{
	g_auto (GVariantBuilder) b = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);

	if (lang != NULL)
		return g_variant_new_string (vr_text_get (t, lang));
	g_variant_builder_add (&b, "{sv}", "en", g_variant_new_string (t->en));
	g_variant_builder_add (&b, "{sv}", "zh", g_variant_new_string (t->zh));
	return g_variant_builder_end (&b);
}

GVariant *
vr_item_to_variant (const VrItem *item, const gchar *lang)
{
	g_auto (GVariantBuilder) b = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
	g_autoptr (GStrvBuilder) contra = g_strv_builder_new ();
	g_auto (GStrv) contra_v = NULL;

	for (guint i = 0; i < VR_CONTRA_LAST; i++) {
		if (item->contra & (1u << i))
			g_strv_builder_add (contra, vr_contra_ids[i]);
	}
	contra_v = g_strv_builder_end (contra);
	g_variant_builder_add (&b, "{sv}", "id", g_variant_new_string (item->id));
	g_variant_builder_add (&b, "{sv}", "title", vr_text_variant (&item->title, lang));
	g_variant_builder_add (&b, "{sv}", "summary", vr_text_variant (&item->summary, lang));
	g_variant_builder_add (&b, "{sv}", "category",
			       g_variant_new_string (vr_categories[item->category]));
	g_variant_builder_add (&b, "{sv}", "targets",
			       g_variant_new_strv ((const gchar *const *)item->targets, -1));
	g_variant_builder_add (&b, "{sv}", "regions",
			       g_variant_new_strv ((const gchar *const *)item->regions, -1));
	g_variant_builder_add (&b, "{sv}", "mets", g_variant_new_double (item->mets));
	g_variant_builder_add (&b, "{sv}", "duration_min",
			       g_variant_new_uint32 (item->duration_min));
	g_variant_builder_add (&b, "{sv}", "min_age", g_variant_new_uint32 (item->min_age));
	if (item->max_age > 0)
		g_variant_builder_add (&b, "{sv}", "max_age", g_variant_new_uint32 (item->max_age));
	g_variant_builder_add (&b, "{sv}", "comfort",
			       g_variant_new_string (vr_comforts[item->comfort]));
	g_variant_builder_add (&b, "{sv}", "locomotion",
			       g_variant_new_string (vr_locomotions[item->locomotion]));
	g_variant_builder_add (&b, "{sv}", "posture",
			       g_variant_new_string (vr_postures[item->posture]));
	g_variant_builder_add (&b, "{sv}", "contraindications",
			       g_variant_new_strv ((const gchar *const *)contra_v, -1));
	g_variant_builder_add (&b, "{sv}", "languages",
			       g_variant_new_strv ((const gchar *const *)item->languages, -1));
	g_variant_builder_add (&b, "{sv}", "evidence", g_variant_new_string (item->evidence));
	return g_variant_builder_end (&b);
}

void
vr_catalog_free (VrCatalog *cat)
{
	if (cat == NULL)
		return;
	g_hash_table_unref (cat->by_id);
	g_ptr_array_unref (cat->items);
	g_free (cat);
}

static VrCatalog *
vr_catalog_new (void)
{
	VrCatalog *cat = g_new0 (VrCatalog, 1);

	cat->items = g_ptr_array_new_with_free_func ((GDestroyNotify)vr_item_free);
	cat->by_id = g_hash_table_new (g_str_hash, g_str_equal);
	return cat;
}

VrCatalog *
vr_catalog_read (JsonNode *root, const gchar *name, GPtrArray *problems)
{
	static const gchar *const members[] = { "format", "items", NULL };
	g_autoptr (VrCatalog) cat = vr_catalog_new ();
	guint before = problems->len;
	JsonObject *obj = vr_json_object_at (root, "", problems);
	JsonArray *items;
	guint format = 0;

	(void)name;
	if (obj == NULL)
		return NULL;
	vr_json_check_members (obj, "", members, problems);
	if (vr_json_uint (obj, "", "format", TRUE, G_MAXUINT32, &format, problems) && format != 1)
		vr_problem_add (problems, "/format", "not-allowed", "must be 1", "须为 1");
	items = vr_json_array (obj, "", "items", TRUE, problems);
	if (items != NULL && json_array_get_length (items) == 0)
		vr_problem_add (problems, "/items", "out-of-range", "lists no item",
				"没有任何条目");
	for (guint i = 0; items != NULL && i < json_array_get_length (items); i++) {
		g_autofree gchar *path = g_strdup_printf ("/items/%u", i);
		VrItem *item = vr_item_read (json_array_get_element (items, i), path, problems);
		if (item == NULL)
			continue;
		if (g_hash_table_contains (cat->by_id, item->id)) {
			g_autofree gchar *field = g_strdup_printf ("%s/id", path);
			vr_problem_add (problems, field, "duplicate",
					"is the id of an earlier item", "与前面条目的 id 重复");
			vr_item_free (item);
			continue;
		}
		g_ptr_array_add (cat->items, item);
		g_hash_table_insert (cat->by_id, item->id, item);
	}
	return problems->len == before ? g_steal_pointer (&cat) : NULL;
}

VrCatalog *
vr_catalog_load (const gchar *path, GError **error)
{
	g_autoptr (JsonParser) parser = json_parser_new ();
	g_autoptr (GPtrArray) problems = vr_problems_new ();
	g_autofree gchar *base = g_path_get_basename (path);
	g_autoptr (GError) error_local = NULL;
	VrCatalog *cat;

	if (!json_parser_load_from_file (parser, path, &error_local)) {
		g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: %s", base,
			     error_local->message);
		return NULL;
	}
	cat = vr_catalog_read (json_parser_get_root (parser), base, problems);
	if (cat == NULL) {
		g_autofree gchar *joined = vr_problems_join (problems, base);
		g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%u problems: %s",
			     problems->len, joined);
	}
	return cat;
}
