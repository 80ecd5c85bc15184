/*
 * risk-scorer core — a risk model file (docs/risk-models.md): loading and validation.
 *
 * The core knows nothing of the plugin SDK: the plugin, the trainer and the tests link it as a
 * static library.  A model is immutable once loaded, so worker threads share it without locks.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define RS_MODEL_ERROR (rs_model_error_quark ())

typedef enum {
	RS_MODEL_ERROR_INVALID, /* the file is not a valid model: every problem in the message */
	RS_MODEL_ERROR_EXAMPLE, /* valid, but one of its worked examples does not reproduce */
} RsModelError;

GQuark rs_model_error_quark (void);

typedef enum {
	RS_LINK_LOGISTIC,
	RS_LINK_COX,
} RsLink;

typedef enum {
	RS_INPUT_NUMBER,
	RS_INPUT_BOOLEAN,
	RS_INPUT_CATEGORY,
} RsInputType;

typedef enum {
	RS_TRANSFORM_LINEAR,
	RS_TRANSFORM_LN,
	RS_TRANSFORM_LN_SQUARED,
	RS_TRANSFORM_SQUARE,
	RS_TRANSFORM_INDICATOR,
	RS_TRANSFORM_INTERACTION,
	RS_TRANSFORM_SPLINE,
	RS_TRANSFORM_BAND,
} RsTransform;

typedef struct {
	gchar *en;
	gchar *zh;
} RsText;

/* Another accepted unit: canonical = value * factor + offset. */
typedef struct {
	gchar *unit;
	gdouble factor;
	gdouble offset;
} RsUnit;

/* A value of an input, in its canonical unit. */
typedef struct {
	gdouble number;	  /* number inputs */
	gboolean boolean; /* boolean inputs */
	guint level;	  /* category inputs: index into levels */
} RsValue;

typedef struct {
	gchar *name;
	RsText label;
	RsInputType type;
	gchar *unit;	/* number: canonical UCUM unit */
	GArray *units;	/* of RsUnit: other accepted units */
	gdouble lo, hi; /* number: valid range, inclusive (-inf/+inf when none is given) */
	gboolean has_range;
	gchar **levels; /* category */
	gboolean required;
	gboolean has_default;
	RsValue default_value;
	gboolean has_reference; /* number: the value the explanation compares against */
	gdouble reference;
} RsInput;

typedef struct {
	gchar *name;
	RsText label; /* the feature's own label, else its input's */
	RsTransform transform;
	gint input; /* index into inputs, -1 for an interaction */
	/* indicator: the category level (index) or the boolean value that gives 1 */
	guint level;
	gboolean level_boolean;
	GArray *of;    /* interaction: guint indices of earlier features */
	GArray *knots; /* spline: gdouble, increasing */
	guint basis;   /* spline: 0 is x itself */
	gdouble lower; /* band: 1 when lower <= x < upper */
	gdouble upper;
	gdouble coefficient;
} RsFeature;

typedef struct {
	gchar *id;
	gdouble below;
	RsText label;
} RsCategory;

typedef struct {
	gchar *id;
	gchar *version;
	RsText title;
	RsText outcome;
	RsText population;
	gdouble horizon_years; /* 0 when the file gives none (ListModels then leaves it out) */
	RsLink link;
	gdouble intercept;
	gdouble baseline_survival;     /* cox */
	gdouble mean_linear_predictor; /* cox */
	GPtrArray *inputs;	       /* of RsInput */
	GPtrArray *features;	       /* of RsFeature */
	GPtrArray *categories;	       /* of RsCategory, may be empty */
	gchar *citation_short;	       /* "Wilson PWF, … 2007, Arch Intern Med" or NULL */
	JsonNode *root;		       /* the whole file, for Describe */
	gchar *path;		       /* the file it came from, or NULL */
} RsModel;

/**
 * rs_model_load_file:
 * @path: a model file
 * @error: %RS_MODEL_ERROR_INVALID (every problem, each with its JSON Pointer) or
 *   %RS_MODEL_ERROR_EXAMPLE, the message starting with the file name; or a GLib file or JSON
 *   parse error
 *
 * Loads, validates and runs the examples of one model file.  The file's name must be its id
 * followed by ".json".
 *
 * Returns: (transfer full): the model, or %NULL with @error set.
 */
RsModel *rs_model_load_file (const gchar *path, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* What stage of loading a problem comes from. */
typedef enum {
	RS_LOAD_FILE,	 /* the file could not be read */
	RS_LOAD_INVALID, /* the file is not a valid model (JSON, members, values, its name) */
	RS_LOAD_EXAMPLE, /* valid, but a worked example does not reproduce */
} RsLoadStage;

/* One problem of a model file, for a checker that prints them one by one. */
typedef struct {
	RsLoadStage stage;
	gchar *pointer; /* JSON Pointer (RFC 6901) into the file; "" for the whole file */
	gchar *message; /* English, never quoting a value the file does not hold */
} RsLoadProblem;

void rs_load_problem_free (RsLoadProblem *problem);
/* "file", "invalid" or "example" */
const gchar *rs_load_stage_to_string (RsLoadStage stage);

/**
 * rs_model_check_file:
 * @path: a model file
 * @problems: (element-type RsLoadProblem): where every problem is appended
 *
 * What rs_model_load_file() does, with each problem kept apart (medverse-risk-check).  The
 * examples run only when the file is valid: a file with validation problems lists those alone.
 *
 * Returns: (transfer full) (nullable): the model, or %NULL when @problems gained any.
 */
RsModel *rs_model_check_file (const gchar *path, GPtrArray *problems) G_GNUC_WARN_UNUSED_RESULT;

/**
 * rs_model_load_data:
 * @data: the JSON text of a model
 * @name: (nullable): what to call it in messages
 *
 * As rs_model_load_file() without the file-name check.
 */
RsModel *
rs_model_load_data (const gchar *data, const gchar *name, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * rs_model_check_examples:
 *
 * Scores each example of the file: %FALSE with %RS_MODEL_ERROR_EXAMPLE listing those that fail.
 * rs_model_load_*() call it; exposed for tests and the trainer.
 */
gboolean rs_model_check_examples (const RsModel *model, GError **error);

void rs_model_free (RsModel *model);

/**
 * rs_model_find_input:
 *
 * Returns: the index of the input called @name, or -1.
 */
gint rs_model_find_input (const RsModel *model, const gchar *name);

const gchar *rs_transform_to_string (RsTransform transform);
const gchar *rs_input_type_to_string (RsInputType type);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RsModel, rs_model_free)

G_END_DECLS
