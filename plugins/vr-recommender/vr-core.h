/*
 * vr-recommender core — the catalog, the safety filter, the ranking and the trainer, with no
 * SDK dependency: the plugin glue (vr-recommender.c) turns problems into MV_ERROR problems,
 * the tests call the core directly.  Every input arrives as JSON (a GVariant is serialised
 * first, vr_variant_to_json) so one reader checks a file, an HTTP body and a D-Bus call alike.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* ---- problems: one thing wrong with an input, in both languages (vr-json.c) ---- */

typedef struct {
	gchar *field; /* JSON Pointer, e.g. /items/3/mets; for a file "catalog.json: /items/3" */
	gchar *code;  /* required, unknown-member, wrong-type, invalid-format, not-allowed,
		       * out-of-range, duplicate, inconsistent */
	gchar *en;
	gchar *zh;
} VrProblem;

GPtrArray *vr_problems_new (void);
void vr_problem_add (GPtrArray *problems,
		     const gchar *field,
		     const gchar *code,
		     const gchar *en,
		     const gchar *zh);
/* all problems on one line each, "field: text", for a log line or an init error */
gchar *vr_problems_join (GPtrArray *problems, const gchar *prefix);

/* readers of one member of a JSON object: each adds a problem and returns FALSE/NULL when the
 * member is missing (and required) or of the wrong type */
JsonNode *vr_json_member (JsonObject *obj, const gchar *name);
void vr_json_check_members (JsonObject *obj,
			    const gchar *path,
			    const gchar *const *allowed,
			    GPtrArray *problems);
const gchar *vr_json_string (JsonObject *obj,
			     const gchar *path,
			     const gchar *name,
			     gboolean required,
			     GPtrArray *problems);
gboolean vr_json_number (JsonObject *obj,
			 const gchar *path,
			 const gchar *name,
			 gboolean required,
			 gdouble *out,
			 GPtrArray *problems);
gboolean vr_json_uint (JsonObject *obj,
		       const gchar *path,
		       const gchar *name,
		       gboolean required,
		       guint max,
		       guint *out,
		       GPtrArray *problems);
gboolean vr_json_boolean (
	JsonObject *obj, const gchar *path, const gchar *name, gboolean *out, GPtrArray *problems);
gchar **vr_json_strv (JsonObject *obj,
		      const gchar *path,
		      const gchar *name,
		      gboolean required,
		      const gchar *const *allowed,
		      GPtrArray *problems);
JsonArray *vr_json_array (JsonObject *obj,
			  const gchar *path,
			  const gchar *name,
			  gboolean required,
			  GPtrArray *problems);
JsonObject *vr_json_object_at (JsonNode *node, const gchar *path, GPtrArray *problems);
gint vr_enum_parse (const gchar *s, const gchar *const *names);
gint vr_json_enum (JsonObject *obj,
		   const gchar *path,
		   const gchar *name,
		   const gchar *const *names,
		   gboolean required,
		   GPtrArray *problems);
JsonNode *vr_variant_to_json (GVariant *value);
GVariant *vr_reason_new (const gchar *code, const gchar *en, const gchar *zh);

/* ---- the catalog (vr-catalog.c) ---- */

typedef struct {
	gchar *en;
	gchar *zh;
} VrText;

typedef enum { VR_COMFORT_COMFORTABLE, VR_COMFORT_MODERATE, VR_COMFORT_INTENSE } VrComfort;
typedef enum { VR_POSTURE_SEATED, VR_POSTURE_STANDING, VR_POSTURE_EITHER } VrPosture;
typedef enum { VR_LOCOMOTION_NONE, VR_LOCOMOTION_TELEPORT, VR_LOCOMOTION_SMOOTH } VrLocomotion;

/* the fixed contraindication list (vr-filter.c maps each to the codes that trigger it) */
typedef enum {
	VR_CONTRA_PHOTOSENSITIVE_EPILEPSY,
	VR_CONTRA_VESTIBULAR_DISORDER,
	VR_CONTRA_RECENT_EYE_SURGERY,
	VR_CONTRA_PREGNANCY,
	VR_CONTRA_CARDIAC_HIGH_INTENSITY,
	VR_CONTRA_SEVERE_MOTION_SICKNESS,
	VR_CONTRA_OPEN_WOUND_HEAD,
	VR_CONTRA_PSYCHOSIS,
	VR_CONTRA_CLAUSTROPHOBIA,
	VR_CONTRA_RECENT_CONCUSSION,
	VR_CONTRA_LAST
} VrContra;

extern const gchar *const vr_categories[];
extern const gchar *const vr_regions[];
extern const gchar *const vr_comforts[];
extern const gchar *const vr_postures[];
extern const gchar *const vr_locomotions[];
extern const gchar *const vr_contra_ids[];
extern const gchar *const vr_languages[];

typedef struct {
	gchar *id;
	VrText title;
	VrText summary;
	guint category; /* index in vr_categories */
	gchar **targets;
	gchar **regions;
	gdouble mets;
	guint duration_min;
	guint min_age;
	guint max_age; /* 0: no upper limit */
	VrComfort comfort;
	VrLocomotion locomotion;
	VrPosture posture;
	guint contra; /* bit (1 << VrContra) per listed contraindication */
	gchar **languages;
	gchar *evidence;
} VrItem;

void vr_item_free (VrItem *item);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VrItem, vr_item_free)

/* one item checked against every rule of the schema and the cross-member rules of the README
 * ("Catalog rules"); every problem is added under @path; NULL when there was one */
VrItem *vr_item_read (JsonNode *node, const gchar *path, GPtrArray *problems);
/* the normalised item (every member, typed as the README lists); @lang NULL gives title and
 * summary as {en, zh}, otherwise as the string in that language */
GVariant *vr_item_to_variant (const VrItem *item, const gchar *lang);
const gchar *vr_text_get (const VrText *t, const gchar *lang);

typedef struct {
	GPtrArray *items;  /* VrItem*, in file order */
	GHashTable *by_id; /* id -> VrItem* (owned by items) */
} VrCatalog;

void vr_catalog_free (VrCatalog *cat);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VrCatalog, vr_catalog_free)
/* a catalog file: {"format": 1, "items": [...]}; NULL with every problem listed in @error's
 * message, each as "FILE: /items/N/member: what" */
VrCatalog *vr_catalog_load (const gchar *path, GError **error);
VrCatalog *vr_catalog_read (JsonNode *root, const gchar *name, GPtrArray *problems);

/* ---- the patient and the call (vr-input.c) ---- */

typedef struct {
	gchar *content_id;
	GDate date;
	gdouble duration_min;
	gboolean completed;
	gdouble rating; /* 0: none */
	guint sickness; /* 0 none, 1 mild, 2 moderate, 3 severe */
	gchar *patient; /* Train only */
} VrSession;

void vr_session_free (VrSession *s);

typedef struct {
	gdouble age_years; /* < 0: unknown */
	gchar *language;
	gboolean pregnant;
	GPtrArray *codes;	  /* gchar*: codes of active/unknown conditions and present/possible
				   * findings of the patient, with their xrefs (what may exclude) */
	GPtrArray *history_codes; /* gchar*: codes of inactive or remitted conditions, with
				   * their xrefs: a seizure history still counts (README) */
	GPtrArray *unchecked;	  /* gchar*: codes of conditions and findings that could count
				   * but that no table can read (README, "Codes the filter
				   * cannot read"), each once */
	VrComfort tolerance;
	gdouble max_mets; /* < 0: none */
	VrPosture posture;
	gboolean posture_given; /* FALSE: no plan said; fall risk then means seated */
	gboolean fall_risk;	/* vr_fall_risk(), set once the patient is read */
	gchar **goals;
	GPtrArray *extra_items; /* VrItem* */
} VrPatient;

void vr_patient_free (VrPatient *p);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VrPatient, vr_patient_free)

typedef struct {
	guint limit;
	gboolean include_excluded;
	gchar **exclude;
	gchar **pin; /* the clinician's pins: exempt from the relevance rule, never from safety */
	guint64 seed;
} VrOptions;

void vr_options_clear (VrOptions *o);

VrPatient *vr_patient_read (JsonNode *node, const VrCatalog *cat, GPtrArray *problems);
/* sessions, in the order given; @with_patient: Train's (a patient member required) */
GPtrArray *
vr_sessions_read (JsonNode *node, const gchar *path, gboolean with_patient, GPtrArray *problems);
gboolean vr_options_read (JsonNode *node, VrOptions *out, GPtrArray *problems);

/* ---- codes the tables can read (vr-codes.c) ---- */

/* the table codes a SNOMED CT code (SNOMED:, SCT:, SNOMEDCT:, SNOMEDCT_US…: + concept id)
 * stands for, NULL-terminated; NULL when @code is not SNOMED CT or not mapped */
const gchar *const *vr_snomed_codes (const gchar *code);
/* whether the safety tables can read @code: HP:, DOID:, ICD10:, ICD10CM:, the parser's MV:,
 * or a mapped SNOMED CT concept */
gboolean vr_code_readable (const gchar *code);

/* ---- the safety filter (vr-filter.c, vr-risk.c) ---- */

/* the contraindications the patient's codes and pregnancy trigger: bit (1 << VrContra) */
guint vr_contra_triggered (const VrPatient *p);
/* whether @code (HP:…, DOID:…, ICD10:… or ICD10CM:…) is in @table: HP: and DOID: exactly,
 * an ICD10: entry with every code under it */
gboolean vr_code_in_table (const gchar *const *table, const gchar *code);
/* whether @code (HP:…, DOID:…, ICD10:… or ICD10CM:…) triggers @contra */
gboolean vr_contra_matches (VrContra contra, const gchar *code);
/* the contraindications that apply to @item: the listed ones and the implied ones (README,
 * "What the filter guarantees") */
guint vr_contra_of_item (const VrItem *item);

/*
 * The safety filter, a pure function: TRUE when @item is safe for a patient with @triggered
 * contraindications at @tolerance.  Otherwise FALSE with one reason per violated rule added to
 * @reasons (GVariant* a{sv} {code, en, zh}) when it is not NULL.
 */
gboolean vr_filter_item (const VrItem *item,
			 const VrPatient *p,
			 guint triggered,
			 VrComfort tolerance,
			 GPtrArray *reasons);
/* whether the patient is at risk of falling (README, "Fall risk"): a risk factor among the
 * codes, one of the later-life factors from 65, or 80 years or more */
gboolean vr_fall_risk (const VrPatient *p);
/* whether the patient counts as seated: told so, or at fall risk with no posture given */
gboolean vr_patient_seated (const VrPatient *p);
/* the notices of the result (README, "Notices"): aa{sv} {code, en, zh}, possibly empty */
GVariant *vr_notices (const VrPatient *p, guint triggered);
/* whether @item needs one of its targets among the patient's codes (or a clinician's pin)
 * before it may be recommended: procedure preparation, disease education (README,
 * "Relevance") */
gboolean vr_needs_target (const VrItem *item);

/* what makes an item worth recommending beyond safety (README, "Relevance") */
typedef enum {
	VR_INDICATION_NONE,	     /* relaxation, general education, exergames: anyone */
	VR_INDICATION_TARGET,	     /* preparation, disease education: a target or a pin */
	VR_INDICATION_TARGET_OR_GOAL /* rehabilitation, cognitive training: a target, a
				      * goal region, a pin or the patient's own programme */
} VrIndication;

VrIndication vr_indication_of (const VrItem *item);
/* the tolerance after the history's cybersickness reports (README, "Tolerance") */
VrComfort vr_tolerance_after (VrComfort tolerance, GPtrArray *history);
/* content ids the history reports severe cybersickness for: never offered again */
GHashTable *vr_sickening_items (GPtrArray *history);

/* ---- the model and the ranking (vr-train.c, vr-rank.c) ---- */

GVariant *vr_train (GPtrArray *sessions);
/* one session's implicit feedback (README, "Training"): 1 completed, else 0.3 × the share of
 * 10 minutes done; + (rating − 3)/2; − 0.5 moderate, − 1 severe cybersickness */
gdouble vr_session_signal (const VrSession *s);

typedef struct {
	gdouble popularity;
	guint patients;		/* distinct patients who completed it; 0 in a format-1 model */
	GHashTable *neighbours; /* id -> gdouble* weight */
} VrModelItem;

typedef struct {
	GHashTable *items; /* id -> VrModelItem* */
	guint trained_on;
} VrModel;

void vr_model_free (VrModel *m);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VrModel, vr_model_free)
/* Train's answer, or {} for none (an empty model); NULL with problems when malformed */
VrModel *vr_model_read (JsonNode *node, GPtrArray *problems);
/* the same from the call's GVariant, quicker; NULL for anything unexpected (then read the
 * JSON form with vr_model_read, which lists the problems).  With @wanted (content ids), only
 * those items' neighbours are read: the ranking reads no other */
VrModel *vr_model_from_variant (GVariant *model, GHashTable *wanted);

/* the whole Recommend: a{sv} result (README, "Recommend") */
GVariant *vr_recommend (const VrCatalog *cat,
			const VrPatient *patient,
			GPtrArray *history,
			const VrModel *model,
			const VrOptions *options);

/* a deterministic number in [0, 1) from the seed and a string (ties, exploration) */
gdouble vr_hash_unit (guint64 seed, const gchar *s);

G_END_DECLS
