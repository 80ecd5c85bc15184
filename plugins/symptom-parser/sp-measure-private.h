/*
 * symptom-parser — what the measurement files (sp-measure.c: the find pass; sp-measure-read.c:
 * reading a value after a name; sp-measure-units.c: units, conversions, plausibility and
 * reference ranges) and sp-medication.c share.  Private to the parser core.
 */
#pragma once

#include "sp-ctx.h"

#include <string.h>

G_BEGIN_DECLS

/* a number longer than this is not a measurement ("999999999999"), and is never converted */
#define SP_M_MAX_DIGITS 7

/* ---- what is measured ---- */

typedef enum {
	SP_M_TEMP,
	SP_M_BP, /* the pair: split into systolic and diastolic */
	SP_M_SBP,
	SP_M_DBP,
	SP_M_HR,
	SP_M_RR,
	SP_M_SPO2,
	SP_M_WEIGHT,
	SP_M_HEIGHT,
	SP_M_BMI,
	SP_M_GLUCOSE,
	SP_M_FPG,
	SP_M_HBA1C,
	SP_M_PAIN,
	/* common labs, scores and measures clinicians write beside the vital signs */
	SP_M_HB,
	SP_M_WBC,
	SP_M_PLT,
	SP_M_CREAT,
	SP_M_K,
	SP_M_NA,
	SP_M_INR,
	SP_M_TSH,
	SP_M_LDL,
	SP_M_TC,
	SP_M_TG,
	SP_M_HDL,
	SP_M_EF,
	SP_M_URATE,
	SP_M_CRP,
	SP_M_WAIST,
	SP_M_PHQ9,
	SP_M_GAD7,
	SP_M_BILI,
	SP_M_EGFR,
	SP_M_ALT,
	SP_M_AST,
	SP_M_ALB,
	SP_M_BUN,
	SP_M_HCT,
	SP_M_BNP,
	SP_M_NTBNP,
	SP_M_CA,
	SP_M_MAG,
	SP_M_FERRITIN,
	SP_M_PSA,
	SP_M_ESR,
	SP_M_GCS,
	SP_M_FT4,
	SP_M_UACR,
	SP_M_PAO2,
	SP_M_PACO2,
	SP_M_OSMO,
	SP_M_CHADS,
	SP_M_WELLS,
	SP_M_MMSE,
	SP_M_HASBLED,
	SP_M_CURB,
	SP_M_NIHSS,
	SP_M_MOCA,
	SP_M_QSOFA,
	SP_M_HEADC,
	/* scales with no LOINC code confirmed here (round 5) */
	SP_M_APGAR,
	SP_M_EPDS,
	SP_M_MORSE,
	SP_M_BRADEN,
	SP_M_DAS28,
	SP_M_CIWA,
	SP_M_GDS,
	/* scales of chronic-disease reviews, rehabilitation and mental-health notes (round 6) */
	SP_M_ACT,
	SP_M_CAT,
	SP_M_MRC,
	SP_M_EPWORTH,
	SP_M_BARTHEL,
	SP_M_BERG,
	SP_M_WATERLOW,
	SP_M_IPSS,
	SP_M_PASI,
	SP_M_ODI,
	SP_M_HAMD,
	SP_M_SAS,
	SP_M_FIM,
	SP_M_QRISK,
	SP_M_PHQA,
	SP_M_HAMA,
	SP_M_SDS,
	SP_M_LAST
} SpMKind;

typedef enum {
	SP_U_NONE,
	SP_U_CEL,
	SP_U_DEGF,
	SP_U_MMHG,
	SP_U_PER_MIN,
	SP_U_PERCENT,
	SP_U_KG,
	SP_U_JIN,
	SP_U_LB,
	SP_U_GRAM,
	SP_U_CM,
	SP_U_M,
	SP_U_IN,
	SP_U_KG_M2,
	SP_U_MMOL_L,
	SP_U_MG_DL,
	SP_U_MMOL_MOL,
	SP_U_SCORE,
	SP_U_G_DL,
	SP_U_G_L,
	SP_U_E3_UL, /* 10*3/uL, the same number as 10*9/L */
	SP_U_UMOL_L,
	SP_U_MEQ_L,
	SP_U_MIU_L,
	SP_U_INR,
	SP_U_MG_L,
	SP_U_U_L,
	SP_U_NG_ML,
	SP_U_PG_ML,
	SP_U_EGFR,
	SP_U_MM_H,
	SP_U_E9_L,
	SP_U_UG_L,
	SP_U_MG_G,
	SP_U_PMOL_L,
	SP_U_NG_DL,
	SP_U_MOSM_KG,
	SP_U_LAST
} SpMUnit;

G_STATIC_ASSERT (SP_U_LAST <= 64); /* units are masks of (1 << unit) */
#define U(u) (G_GUINT64_CONSTANT (1) << (u))

/* UCUM code of each unit, and canonical = value * factor + offset */
typedef struct {
	const gchar *ucum;
	gdouble factor;
	gdouble offset;
} SpMUnitDef;

extern const SpMUnitDef sp_units[SP_U_LAST];

/* Per measurement: the code of its concept, the canonical unit, the units accepted, the unit
 * assumed when none is written, plausibility limits in the canonical unit (outside them a value
 * is a typo, a date or another number, not a measurement) and decimals kept after a conversion.
 */
typedef struct {
	const gchar *code;
	SpMUnit canonical;
	guint64 accepted;
	SpMUnit assumed;
	gdouble min;
	gdouble max;
	gint decimals;
	gboolean keep; /* a lab: reported in the unit written (mass or moles, g/dL or the Chinese
			* g/L), converted only to check plausibility and interpret */
} SpMKindDef;

extern const SpMKindDef sp_mkinds[SP_M_LAST];

typedef struct {
	const gchar *word;
	SpMUnit unit;
	gboolean zh;
} SpUnitWord;

/* a value as read after its name */
typedef struct {
	SpMKind kind;
	gdouble value;	/* as written */
	gdouble value2; /* diastolic of a pair */
	gboolean pair;
	SpMUnit unit; /* as written, SP_U_NONE if none */
	gboolean zh;  /* a Chinese unit */
	const gchar *value_start;
	const gchar *value_end;	   /* of the first number */
	const gchar *value2_start; /* diastolic number of a pair */
	const gchar *value2_end;
	const gchar *end;
	/* the upper end of a range of readings ("HR 100-110", "135-145/85-90", 空腹5.8~7.2): a
	 * second reading; NULL starts when there is none */
	gdouble value_hi;
	gdouble value2_hi;
	const gchar *hi_start;
	const gchar *hi_end;
	const gchar *hi2_start;
	const gchar *hi2_end;
} SpRaw;

/* The longest unit word at @p allowed by @accepted (a mask of units; 0: any). */
const gchar *
sp_m_unit_at (const gchar *p, const gchar *end, guint64 accepted, const SpUnitWord **unit);

/* Is @p the start of a Han character? */
gboolean sp_m_is_han_at (const gchar *p, const gchar *end);

/* The canonical value of @raw written as @value in @out (value, unit, original value and unit),
 * and in @canonical; FALSE when it is not plausible. */
gboolean sp_m_canonical (SpRaw *raw, gdouble value, SpValue *out, gdouble *canonical);

/* @v (canonical unit) against the adult reference range of @kind; @zh picks the Chinese row. */
SpInterpretation sp_m_interpret (SpMKind kind, gboolean zh, gdouble v);

/* @p after at most four connector words between a name and its value ("of", "was", 为…). */
const gchar *sp_m_skip_connectors (const gchar *p, const gchar *end);

/* A Chinese number up to 999 (三十九, 三十八点五, 一百二十) at @p, its value in @value; or NULL. */
const gchar *sp_m_zh_number (const gchar *p, const gchar *end, gdouble *value);

/* A value of @kind at @p (after the connectors) in @raw; the unit is checked, the plausibility
 * is not (sp-measure-read.c). */
gboolean sp_m_read_value (const gchar *p, const gchar *end, SpMKind kind, SpRaw *raw);

/* As sp_m_read_value(); @change: "from 9 to 6.5" is a change, not a range. */
gboolean
sp_m_read_value_full (const gchar *p, const gchar *end, SpMKind kind, gboolean change, SpRaw *raw);

/* Is @p (before @end) an ASCII letter, digit or '_'? */
static inline gboolean
sp_m_is_word_byte (const gchar *p, const gchar *end)
{
	return p < end && (g_ascii_isalnum (*p) || *p == '_');
}

/* @p after spaces and tabs (not newlines). */
static inline const gchar *
sp_m_skip_spaces (const gchar *p, const gchar *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/* The end of @word at @p, which must be followed by a word boundary when it ends with a Latin
 * letter or digit; or NULL.  Inline: the matchers try lists of a hundred words at a position,
 * and nearly every try fails on the first byte. */
static inline const gchar *
sp_m_word_at (const gchar *p, const gchar *end, const gchar *word)
{
	gsize n;

	if (p >= end || *p != word[0])
		return NULL;
	n = strlen (word);
	if ((gsize)(end - p) < n || memcmp (p, word, n) != 0)
		return NULL;
	if (g_ascii_isalnum (word[n - 1]) && sp_m_is_word_byte (p + n, end))
		return NULL;
	return p + n;
}

/* The end of a decimal number at @p (at most 7 digits before the point and 4 after, nothing
 * malformed: "38..5", "1e308"), its value in @value; or NULL. */
const gchar *sp_m_number (const gchar *p, const gchar *end, gdouble *value);

/* Sets the dose, frequency and route of the medication finding @f of item @k from the text
 * after (and, for the route, just before) it. */
void sp_medication_read (SpCtx *ctx, guint k, SpFinding *f);

/* A value of @kind after a few words and a verb ("Bilirubin at the hospital was 14"), when none
 * follows the name at once. */
gboolean sp_m_read_late (const gchar *p, const gchar *end, SpMKind kind, SpRaw *raw);

/* ---- shared by the find passes (sp-measure.c, sp-measure-unnamed.c) ---- */

/* The index of the concept an English term names when its code is @code, else -1. */
gint sp_m_concept (SpCtx *ctx, const gchar *term, const gchar *code);

/* The concept of a measurement kind, or -1. */
gint sp_m_concept_of (SpCtx *ctx, SpMKind kind);

/* Appends a measure item (or puts it in place of the concept item @reuse >= 0). */
void
sp_m_push_item (SpCtx *ctx, gint reuse, gint concept, gsize start, gsize end, const SpValue *v);

/* Adds the finding(s) of a value read as @raw, its first spanning from @start; FALSE when it
 * is not plausible (nothing added). */
gboolean sp_m_add (SpCtx *ctx, SpRaw *raw, gsize start, gboolean zh_name, gint reuse);

/* Marks [@from, @to) as read. */
void sp_m_cover (guint8 *covered, gsize from, gsize to);

/* The passes over values with no name before them (sp-measure-unnamed.c), in the order
 * sp_measure_find() runs them. */
void sp_m_vitals_list (SpCtx *ctx, gboolean doc_zh, guint8 *covered);
void sp_m_unit_only (SpCtx *ctx, gboolean doc_zh, guint8 *covered);
void sp_m_heights (SpCtx *ctx, gboolean doc_zh, guint8 *covered);
void sp_m_saturations (SpCtx *ctx, gboolean doc_zh, guint8 *covered);
void sp_m_zh_temperatures (SpCtx *ctx, guint8 *covered);
void sp_m_scores (SpCtx *ctx, guint8 *covered);
void sp_m_weight_change (SpCtx *ctx, const guint8 *covered);

/* words that make the weight after them a change of weight ("lost 5 kg", 体重下降5公斤): the
 * weight-loss or weight-gain symptom, never a body weight (sp-measure-read.c) */
extern const gchar *const sp_m_weight_change_words[];

G_END_DECLS
