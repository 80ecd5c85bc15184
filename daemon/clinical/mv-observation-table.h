/*
 * Medverse clinical record — the observations Medverse knows: code, names, canonical UCUM unit,
 * accepted units with their exact conversions, physiological limits.  Sources of every
 * conversion and limit: docs/clinical-record.md ("The observation table").
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Medverse's own code system, for observations LOINC has no fitting code for (mood). */
#define MV_OBSERVATION_PROJECT_SYSTEM "urn:medverse:codesystem:observation"

/* A unit accepted for an observation: canonical = value × factor + offset. */
typedef struct {
	const gchar *ucum;	       /* the UCUM code, as stored in "original" */
	const gchar *const *spellings; /* other spellings accepted (compared ignoring case) */
	gdouble factor;
	gdouble offset;
} MvObsUnit;

/* An answer of a coded observation (a LOINC answer code, LA…). */
typedef struct {
	const gchar *code;
	const gchar *display_en;
	const gchar *display_zh;
} MvObsAnswer;

typedef struct {
	const gchar *system; /* "http://loinc.org" or MV_OBSERVATION_PROJECT_SYSTEM */
	const gchar *code;
	const gchar *display_en;
	const gchar *display_zh;
	/* the canonical unit is units[0] (factor 1, offset 0); NULL-ucum terminated */
	const MvObsUnit *units;
	gdouble min; /* in the canonical unit */
	gdouble max;
	guint decimals; /* a converted value is rounded to this many decimals */
	/* a panel (blood pressure) has no value of its own, only these components' codes */
	const gchar *const *components;
	/* a coded observation (smoking status) has no value nor unit but a value_code, one of
	 * these (NULL-code terminated); its units are empty */
	const MvObsAnswer *answers;
} MvObsDef;

/* Every entry, terminated by a NULL code. */
extern const MvObsDef mv_obs_table[];

/* The entry of @system (URI) and @code, or NULL. */
const MvObsDef *mv_obs_lookup (const gchar *system, const gchar *code);

/* The unit of @def spelled @unit (its UCUM code or another accepted spelling), or NULL. */
const MvObsUnit *mv_obs_find_unit (const MvObsDef *def, const gchar *unit);

/* The answer of coded @def whose code is @code, or NULL. */
const MvObsAnswer *mv_obs_find_answer (const MvObsDef *def, const gchar *code);

G_END_DECLS
