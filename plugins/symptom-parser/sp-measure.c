/*
 * symptom-parser — measurements, scores and medication attributes (see sp-measure.h).
 *
 * Works on the normalised text (NFKC and case folding: "℃" is "°c", "ＭＭＨＧ" is "mmhg",
 * "kg/m²" is "kg/m2"), from the items sp-parser.c matched.  Every scan is bounded: a value is
 * read from a few dozen bytes after its name, a number has at most SP_M_MAX_DIGITS digits.
 */
#define G_LOG_DOMAIN "symptom-parser"

#include "sp-measure.h"
#include "sp-measure-private.h"

#include <math.h>
#include <string.h>

/* a number longer than this is not a measurement ("999999999999"), and is never converted */
#define SP_M_MAX_DIGITS 7
/* a single-letter vital sign needs a neighbour this close: "T 38.5, P 102" */
#define SP_M_RUN_GAP 4

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
	SP_M_EF,
	SP_M_URATE,
	SP_M_CRP,
	SP_M_WAIST,
	SP_M_PHQ9,
	SP_M_GAD7,
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
	SP_U_LAST
} SpMUnit;

G_STATIC_ASSERT (SP_U_LAST <= 32); /* units are masks of (1 << unit) */

/* UCUM code of each unit, and canonical = value * factor + offset */
static const struct {
	const gchar *ucum;
	gdouble factor;
	gdouble offset;
} sp_units[SP_U_LAST] = {
	[SP_U_NONE] = { NULL, 1, 0 },
	[SP_U_CEL] = { "Cel", 1, 0 },
	[SP_U_DEGF] = { "[degF]", 5.0 / 9.0, -160.0 / 9.0 },
	[SP_U_MMHG] = { "mm[Hg]", 1, 0 },
	[SP_U_PER_MIN] = { "/min", 1, 0 },
	[SP_U_PERCENT] = { "%", 1, 0 },
	[SP_U_KG] = { "kg", 1, 0 },
	[SP_U_JIN] = { "{jin}", 0.5, 0 },
	[SP_U_LB] = { "[lb_av]", 0.45359237, 0 },
	[SP_U_GRAM] = { "g", 0.001, 0 },
	[SP_U_CM] = { "cm", 1, 0 },
	[SP_U_M] = { "m", 100, 0 },
	[SP_U_IN] = { "[in_i]", 2.54, 0 },
	[SP_U_KG_M2] = { "kg/m2", 1, 0 },
	[SP_U_MMOL_L] = { "mmol/L", 1, 0 },
	/* glucose: 180.16 g/mol */
	[SP_U_MG_DL] = { "mg/dL", 1 / 18.016, 0 },
	/* HbA1c: IFCC mmol/mol to NGSP % (the NGSP/IFCC master equation) */
	[SP_U_MMOL_MOL] = { "mmol/mol", 0.09148, 2.152 },
	[SP_U_SCORE] = { "{score}", 1, 0 },
	[SP_U_G_DL] = { "g/dL", 1, 0 },
	[SP_U_G_L] = { "g/L", 0.1, 0 },
	[SP_U_E3_UL] = { "10*3/uL", 1, 0 },
	[SP_U_UMOL_L] = { "umol/L", 1, 0 },
	[SP_U_MEQ_L] = { "meq/L", 1, 0 },
	[SP_U_MIU_L] = { "m[IU]/L", 1, 0 },
	[SP_U_INR] = { "{INR}", 1, 0 },
	[SP_U_MG_L] = { "mg/L", 1, 0 },
};

/* Conversions that depend on what is measured (molar masses): canonical = value * factor. */
static const struct {
	SpMKind kind;
	SpMUnit unit;
	gdouble factor;
} sp_factors[] = {
	{ SP_M_CREAT, SP_U_UMOL_L, 1 / 88.42 }, /* creatinine 113.12 g/mol */
	{ SP_M_URATE, SP_U_UMOL_L, 1 / 59.48 }, /* uric acid 168.11 g/mol */
	{ SP_M_LDL, SP_U_MMOL_L, 38.67 },	/* cholesterol 386.65 g/mol */
	{ SP_M_TC, SP_U_MMOL_L, 38.67 },
	{ SP_M_TG, SP_U_MMOL_L, 88.57 }, /* triolein 885.7 g/mol */
	{ SP_M_K, SP_U_MEQ_L, 1 },
	{ SP_M_NA, SP_U_MEQ_L, 1 },
};

#define U(u) (1u << (u))

/* Per measurement: the code of its concept, the canonical unit, the units accepted, the unit
 * assumed when none is written, plausibility limits in the canonical unit (outside them a value
 * is a typo, a date or another number, not a measurement) and decimals kept after a conversion.
 */
static const struct {
	const gchar *code;
	SpMUnit canonical;
	guint accepted;
	SpMUnit assumed;
	gdouble min;
	gdouble max;
	gint decimals;
	gboolean keep; /* a lab: reported in the unit written (mass or moles, g/dL or the Chinese
			* g/L), converted only to check plausibility and interpret */
} sp_mkinds[SP_M_LAST] = {
	[SP_M_TEMP]
	= { "LOINC:8310-5", SP_U_CEL, U (SP_U_CEL) | U (SP_U_DEGF), SP_U_NONE, 25, 45, 1 },
	[SP_M_BP] = { "LOINC:85354-9", SP_U_MMHG, U (SP_U_MMHG), SP_U_MMHG, 0, 0, 0 },
	[SP_M_SBP] = { "LOINC:8480-6", SP_U_MMHG, U (SP_U_MMHG), SP_U_MMHG, 40, 300, 0 },
	[SP_M_DBP] = { "LOINC:8462-4", SP_U_MMHG, U (SP_U_MMHG), SP_U_MMHG, 20, 200, 0 },
	[SP_M_HR] = { "LOINC:8867-4", SP_U_PER_MIN, U (SP_U_PER_MIN), SP_U_PER_MIN, 20, 300, 0 },
	[SP_M_RR] = { "LOINC:9279-1", SP_U_PER_MIN, U (SP_U_PER_MIN), SP_U_PER_MIN, 4, 80, 0 },
	[SP_M_SPO2] = { "LOINC:59408-5", SP_U_PERCENT, U (SP_U_PERCENT), SP_U_PERCENT, 40, 100, 0 },
	[SP_M_WEIGHT]
	= { "LOINC:29463-7", SP_U_KG, U (SP_U_KG) | U (SP_U_JIN) | U (SP_U_LB) | U (SP_U_GRAM),
	    SP_U_NONE, 0.3, 400, 2 },
	[SP_M_HEIGHT] = { "LOINC:8302-2", SP_U_CM, U (SP_U_CM) | U (SP_U_M) | U (SP_U_IN),
			  SP_U_NONE, 30, 250, 1 },
	[SP_M_BMI] = { "LOINC:39156-5", SP_U_KG_M2, U (SP_U_KG_M2), SP_U_KG_M2, 8, 100, 1 },
	[SP_M_GLUCOSE]
	= { "LOINC:15074-8", SP_U_MMOL_L, U (SP_U_MMOL_L) | U (SP_U_MG_DL), SP_U_NONE, 0.5, 60, 2 },
	[SP_M_FPG]
	= { "LOINC:14771-0", SP_U_MMOL_L, U (SP_U_MMOL_L) | U (SP_U_MG_DL), SP_U_NONE, 0.5, 60, 2 },
	[SP_M_HBA1C] = { "LOINC:4548-4", SP_U_PERCENT, U (SP_U_PERCENT) | U (SP_U_MMOL_MOL),
			 SP_U_PERCENT, 3, 20, 1 },
	[SP_M_PAIN] = { "LOINC:72514-3", SP_U_SCORE, U (SP_U_SCORE), SP_U_SCORE, 0, 10, 0 },
	/* labs: assumed unit with no unit written is set in sp_m_canonical() where it depends on
	 * the value (g/dL or the Chinese g/L, mg/dL or umol/L, mmol/L or mg/dL) */
	[SP_M_HB]
	= { "LOINC:718-7", SP_U_G_DL, U (SP_U_G_DL) | U (SP_U_G_L), SP_U_NONE, 2, 25, 1, TRUE },
	[SP_M_WBC] = { "LOINC:6690-2", SP_U_E3_UL, U (SP_U_E3_UL), SP_U_E3_UL, 0.1, 300, 2, TRUE },
	[SP_M_PLT] = { "LOINC:777-3", SP_U_E3_UL, U (SP_U_E3_UL), SP_U_E3_UL, 1, 3000, 0, TRUE },
	[SP_M_CREAT] = { "LOINC:2160-0", SP_U_MG_DL, U (SP_U_MG_DL) | U (SP_U_UMOL_L), SP_U_NONE,
			 0.1, 30, 2, TRUE },
	[SP_M_K] = { "LOINC:2823-3", SP_U_MMOL_L, U (SP_U_MMOL_L) | U (SP_U_MEQ_L), SP_U_MMOL_L,
		     1.5, 10, 1, TRUE },
	[SP_M_NA] = { "LOINC:2951-2", SP_U_MMOL_L, U (SP_U_MMOL_L) | U (SP_U_MEQ_L), SP_U_MMOL_L,
		      100, 190, 0, TRUE },
	[SP_M_INR] = { "LOINC:6301-6", SP_U_INR, U (SP_U_INR), SP_U_INR, 0.5, 20, 1, TRUE },
	[SP_M_TSH]
	= { "LOINC:3016-3", SP_U_MIU_L, U (SP_U_MIU_L), SP_U_MIU_L, 0.001, 1000, 3, TRUE },
	[SP_M_LDL] = { "LOINC:2089-1", SP_U_MG_DL, U (SP_U_MG_DL) | U (SP_U_MMOL_L), SP_U_NONE, 5,
		       1000, 0, TRUE },
	[SP_M_TC] = { "LOINC:2093-3", SP_U_MG_DL, U (SP_U_MG_DL) | U (SP_U_MMOL_L), SP_U_NONE, 40,
		      2000, 0, TRUE },
	[SP_M_TG] = { "LOINC:2571-8", SP_U_MG_DL, U (SP_U_MG_DL) | U (SP_U_MMOL_L), SP_U_NONE, 10,
		      10000, 0, TRUE },
	[SP_M_EF]
	= { "LOINC:10230-1", SP_U_PERCENT, U (SP_U_PERCENT), SP_U_PERCENT, 5, 90, 0, TRUE },
	[SP_M_URATE] = { "LOINC:3084-1", SP_U_MG_DL, U (SP_U_MG_DL) | U (SP_U_UMOL_L), SP_U_NONE,
			 0.5, 30, 1, TRUE },
	[SP_M_CRP] = { "LOINC:1988-5", SP_U_MG_L, U (SP_U_MG_L), SP_U_MG_L, 0, 700, 1, TRUE },
	[SP_M_WAIST]
	= { "LOINC:8280-0", SP_U_CM, U (SP_U_CM) | U (SP_U_IN), SP_U_CM, 30, 250, 1, TRUE },
	[SP_M_PHQ9] = { "LOINC:44261-6", SP_U_SCORE, U (SP_U_SCORE), SP_U_SCORE, 0, 27, 0, TRUE },
	[SP_M_GAD7] = { "LOINC:70274-6", SP_U_SCORE, U (SP_U_SCORE), SP_U_SCORE, 0, 21, 0, TRUE },
};

/* Adult reference ranges: a value below `lo` is low, above `hi` high, else normal.  `zh`: the
 * row for a mention in Chinese (1), in English (0), or both (-1); a mention is Chinese when its
 * name or unit is (血压, 次/分…) or the text is mostly Chinese.  README "Measurements, scores
 * and medications" lists the same rows. */
/* clang-format off */
static const struct {
	SpMKind kind;
	gint zh;
	gdouble lo;
	gdouble hi;
	const gchar *source;
} sp_ranges[] = {
	{ SP_M_TEMP, 0, 35.0, 37.9,
	  "CDC: fever is 38.0 Cel (100.4 [degF]) or more; hypothermia below 35 Cel" },
	{ SP_M_TEMP, 1, 35.0, 37.2,
	  "诊断学 (人民卫生出版社, 9th ed.): 发热 37.3 Cel or more (axillary); hypothermia below 35" },
	{ SP_M_SBP, -1, 90, 129, "ACC/AHA 2017: stage 1 hypertension 130 or more; hypotension below 90" },
	{ SP_M_DBP, -1, 60, 79, "ACC/AHA 2017: stage 1 hypertension 80 or more; below 60 low" },
	{ SP_M_HR, -1, 60, 100, "AHA: adult resting heart rate 60-100 /min" },
	{ SP_M_RR, -1, 12, 20, "adult respiratory rate 12-20 /min (诊断学; Bates' Guide)" },
	{ SP_M_SPO2, -1, 95, 100, "WHO Pulse Oximetry Training Manual 2011: normal 95-100 %" },
	{ SP_M_BMI, 0, 18.5, 24.9, "WHO: underweight below 18.5, overweight 25 or more" },
	{ SP_M_BMI, 1, 18.5, 23.9, "WS/T 428-2013: underweight below 18.5, overweight 24 or more" },
	{ SP_M_GLUCOSE, -1, 3.9, 11.0,
	  "ADA Standards of Care: hypoglycemia below 3.9 mmol/L (70 mg/dL); random 11.1 (200 mg/dL)" },
	{ SP_M_FPG, 0, 3.9, 5.5,
	  "ADA Standards of Care: impaired fasting glucose from 5.6 mmol/L (100 mg/dL)" },
	{ SP_M_FPG, 1, 3.9, 6.0, "中国2型糖尿病防治指南 2020 (WHO 1999): 空腹血糖受损 from 6.1 mmol/L" },
	{ SP_M_HBA1C, -1, 0, 5.6, "ADA Standards of Care: prediabetes 5.7 % or more" },
	{ SP_M_HB, 0, 12.0, 17.5, "WHO 2011 anaemia threshold 12 g/dL (non-pregnant women); 17.5 (men)" },
	{ SP_M_HB, 1, 11.5, 17.5, "WS/T 405-2012: 115-150 g/L women, 130-175 g/L men" },
	{ SP_M_WBC, 0, 4.0, 11.0, "adult reference interval 4.0-11.0 x10^3/uL (Merck Manual)" },
	{ SP_M_WBC, 1, 3.5, 9.5, "WS/T 405-2012: 3.5-9.5 x10^9/L" },
	{ SP_M_PLT, 0, 150, 400, "adult reference interval 150-400 x10^3/uL (Merck Manual)" },
	{ SP_M_PLT, 1, 125, 350, "WS/T 405-2012: 125-350 x10^9/L" },
	{ SP_M_CREAT, -1, 0.45, 1.3,
	  "adult interval, both sexes (WS/T 404.5-2015: 41-111 umol/L; Merck 0.6-1.3 mg/dL)" },
	{ SP_M_K, 0, 3.5, 5.0, "adult reference interval 3.5-5.0 mmol/L (Merck Manual)" },
	{ SP_M_K, 1, 3.5, 5.3, "WS/T 404.3-2012: 3.5-5.3 mmol/L" },
	{ SP_M_NA, 0, 135, 145, "adult reference interval 135-145 mmol/L (Merck Manual)" },
	{ SP_M_NA, 1, 137, 147, "WS/T 404.3-2012: 137-147 mmol/L" },
	{ SP_M_INR, -1, 0.8, 1.2, "without anticoagulation 0.8-1.2 (a warfarin target of 2-3 is high)" },
	{ SP_M_TSH, -1, 0.4, 4.0, "ATA / NACB adult interval about 0.4-4.0 mIU/L" },
	{ SP_M_LDL, -1, 0, 129, "NCEP ATP III: borderline high from 130 mg/dL (中国血脂管理指南 2023: 3.4 mmol/L)" },
	{ SP_M_TC, -1, 0, 199, "NCEP ATP III: borderline high from 200 mg/dL (中国血脂管理指南 2023: 5.2 mmol/L)" },
	{ SP_M_TG, -1, 0, 149, "NCEP ATP III: borderline high from 150 mg/dL (中国血脂管理指南 2023: 1.7 mmol/L)" },
	{ SP_M_EF, -1, 50, 90, "2022 AHA/ACC/HFSA heart failure guideline: reduced below 50 %" },
	{ SP_M_URATE, -1, 0, 7.0, "中国高尿酸血症与痛风诊疗指南 2019: hyperuricemia above 420 umol/L (7.0 mg/dL)" },
	{ SP_M_CRP, -1, 0, 10, "common clinical threshold 10 mg/L" },
};
/* clang-format on */

/* ---- unit words (normalised text) ---- */

typedef struct {
	const gchar *word;
	SpMUnit unit;
	gboolean zh;
} SpUnitWord;

/* clang-format off */
static const SpUnitWord sp_unit_words[] = {
	{ "g/dl", SP_U_G_DL, FALSE }, { "g/l", SP_U_G_L, FALSE }, { "克/升", SP_U_G_L, TRUE },
	{ "k/ul", SP_U_E3_UL, FALSE }, { "k/μl", SP_U_E3_UL, FALSE }, { "x10^3/ul", SP_U_E3_UL, FALSE },
	{ "×10^3/ul", SP_U_E3_UL, FALSE }, { "10^3/ul", SP_U_E3_UL, FALSE }, { "x10^9/l", SP_U_E3_UL, FALSE },
	{ "×10^9/l", SP_U_E3_UL, FALSE }, { "*10^9/l", SP_U_E3_UL, FALSE }, { "10^9/l", SP_U_E3_UL, FALSE },
	{ "x 10^9/l", SP_U_E3_UL, FALSE }, { "× 10^9/l", SP_U_E3_UL, FALSE }, { "x10e9/l", SP_U_E3_UL, FALSE },
	{ "μmol/l", SP_U_UMOL_L, FALSE }, { "umol/l", SP_U_UMOL_L, FALSE }, { "微摩尔/升", SP_U_UMOL_L, TRUE },
	{ "meq/l", SP_U_MEQ_L, FALSE }, { "miu/l", SP_U_MIU_L, FALSE }, { "μiu/ml", SP_U_MIU_L, FALSE },
	{ "uiu/ml", SP_U_MIU_L, FALSE }, { "mu/l", SP_U_MIU_L, FALSE }, { "mg/l", SP_U_MG_L, FALSE },
	{ "°c", SP_U_CEL, FALSE }, { "° c", SP_U_CEL, FALSE }, { "c", SP_U_CEL, FALSE },
	{ "celsius", SP_U_CEL, FALSE }, { "degc", SP_U_CEL, FALSE }, { "deg c", SP_U_CEL, FALSE },
	{ "degrees c", SP_U_CEL, FALSE }, { "degrees celsius", SP_U_CEL, FALSE },
	{ "degree celsius", SP_U_CEL, FALSE }, { "摄氏度", SP_U_CEL, TRUE }, { "度", SP_U_CEL, TRUE },
	{ "°f", SP_U_DEGF, FALSE }, { "° f", SP_U_DEGF, FALSE }, { "f", SP_U_DEGF, FALSE },
	{ "fahrenheit", SP_U_DEGF, FALSE }, { "degf", SP_U_DEGF, FALSE },
	{ "deg f", SP_U_DEGF, FALSE }, { "degrees f", SP_U_DEGF, FALSE },
	{ "degrees fahrenheit", SP_U_DEGF, FALSE }, { "华氏度", SP_U_DEGF, TRUE },
	{ "mmhg", SP_U_MMHG, FALSE }, { "mm hg", SP_U_MMHG, FALSE }, { "毫米汞柱", SP_U_MMHG, TRUE },
	{ "bpm", SP_U_PER_MIN, FALSE }, { "/min", SP_U_PER_MIN, FALSE },
	{ "/ min", SP_U_PER_MIN, FALSE }, { "per min", SP_U_PER_MIN, FALSE },
	{ "per minute", SP_U_PER_MIN, FALSE }, { "beats per minute", SP_U_PER_MIN, FALSE },
	{ "beats/min", SP_U_PER_MIN, FALSE }, { "beat/min", SP_U_PER_MIN, FALSE },
	{ "b/min", SP_U_PER_MIN, FALSE }, { "breaths per minute", SP_U_PER_MIN, FALSE },
	{ "breaths/min", SP_U_PER_MIN, FALSE }, { "次/分", SP_U_PER_MIN, TRUE },
	{ "次/分钟", SP_U_PER_MIN, TRUE }, { "次/min", SP_U_PER_MIN, TRUE },
	{ "次每分", SP_U_PER_MIN, TRUE }, { "次每分钟", SP_U_PER_MIN, TRUE },
	{ "次", SP_U_PER_MIN, TRUE }, /* "心率102次": a rate is per minute */
	{ "/分", SP_U_PER_MIN, TRUE }, { "%", SP_U_PERCENT, FALSE },
	{ "percent", SP_U_PERCENT, FALSE }, { "kg", SP_U_KG, FALSE }, { "kgs", SP_U_KG, FALSE },
	{ "kilo", SP_U_KG, FALSE }, { "kilos", SP_U_KG, FALSE }, { "kilogram", SP_U_KG, FALSE },
	{ "kilograms", SP_U_KG, FALSE }, { "公斤", SP_U_KG, TRUE }, { "千克", SP_U_KG, TRUE },
	{ "斤", SP_U_JIN, TRUE }, { "lb", SP_U_LB, FALSE }, { "lbs", SP_U_LB, FALSE },
	{ "pound", SP_U_LB, FALSE }, { "pounds", SP_U_LB, FALSE }, { "g", SP_U_GRAM, FALSE },
	{ "grams", SP_U_GRAM, FALSE }, { "克", SP_U_GRAM, TRUE }, { "cm", SP_U_CM, FALSE },
	{ "厘米", SP_U_CM, TRUE }, { "公分", SP_U_CM, TRUE }, { "m", SP_U_M, FALSE },
	{ "meter", SP_U_M, FALSE }, { "meters", SP_U_M, FALSE }, { "metre", SP_U_M, FALSE },
	{ "metres", SP_U_M, FALSE }, { "米", SP_U_M, TRUE }, { "in", SP_U_IN, FALSE },
	{ "inch", SP_U_IN, FALSE }, { "inches", SP_U_IN, FALSE }, { "kg/m2", SP_U_KG_M2, FALSE },
	{ "kg/m^2", SP_U_KG_M2, FALSE }, { "kg / m2", SP_U_KG_M2, FALSE },
	{ "mmol/l", SP_U_MMOL_L, FALSE }, { "mmol / l", SP_U_MMOL_L, FALSE },
	{ "mmol", SP_U_MMOL_L, FALSE }, { "毫摩尔/升", SP_U_MMOL_L, TRUE },
	{ "mg/dl", SP_U_MG_DL, FALSE }, { "mg / dl", SP_U_MG_DL, FALSE },
	{ "mmol/mol", SP_U_MMOL_MOL, FALSE }, { "/10", SP_U_SCORE, FALSE },
	{ "out of 10", SP_U_SCORE, FALSE }, { "分", SP_U_SCORE, TRUE },
};
/* clang-format on */

/* Words between a name and its value: "BP: 140/90", "temp of 38.5", "BP was 140/90", 体温为
 * 38.5, VAS评分5分, 血压测得150/95. */
/* clang-format off */
static const gchar *const sp_connectors[] = {
	":", "=", "-", "of", "was", "is", "at", "were", "reading", "measured", "about", "approx",
	"approximately", "around", "~", "today", "now", "noted", "recorded", "up to", "as high as",
	"as low as", "to", "reaching", "peaked at", "dropped to", "increased to", "decreased to",
	"为", "是", "测", "测得", "约", "达", "评分", "值", "在", "大概", "左右", "有", "最高",
	"高达", "高至", "升至", "降至", "低至", "达到", "波动在", "维持在", "控制在", "一般", "每分钟", "每分", ",", "high", "low", "elevated", "偏高", "偏低",
	NULL,
};
/* clang-format on */

/* ---- scanning helpers (shared with sp-medication.c) ---- */

gboolean
sp_m_is_word_byte (const gchar *p, const gchar *end)
{
	return p < end && (g_ascii_isalnum (*p) || *p == '_');
}

const gchar *
sp_m_skip_spaces (const gchar *p, const gchar *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/* @word at @p, followed by a word boundary when it ends with a Latin letter or digit */
const gchar *
sp_m_word_at (const gchar *p, const gchar *end, const gchar *word)
{
	gsize n = strlen (word);

	if ((gsize)(end - p) < n || memcmp (p, word, n) != 0)
		return NULL;
	if (g_ascii_isalnum (word[n - 1]) && sp_m_is_word_byte (p + n, end))
		return NULL;
	return p + n;
}

/* The longest unit word at @p allowed by @accepted (a mask of units; 0: any). */
static const gchar *
sp_m_unit_at (const gchar *p, const gchar *end, guint accepted, const SpUnitWord **unit)
{
	const gchar *best = NULL;

	for (guint i = 0; i < G_N_ELEMENTS (sp_unit_words); i++) {
		const gchar *q;
		if (accepted != 0 && !(accepted & U (sp_unit_words[i].unit)))
			continue;
		q = sp_m_word_at (p, end, sp_unit_words[i].word);
		if (q != NULL && (best == NULL || q > best)) {
			best = q;
			*unit = &sp_unit_words[i];
		}
	}
	return best;
}

/* A decimal number at @p: at most SP_M_MAX_DIGITS digits before the point, 4 after.  NULL for
 * anything else, including a malformed one ("38..5", "1.2.3", "1e308", "123456789012"). */
const gchar *
sp_m_number (const gchar *p, const gchar *end, gdouble *value)
{
	gchar buf[SP_M_MAX_DIGITS + 8];
	guint n = 0;
	const gchar *q = p;

	while (q < end && g_ascii_isdigit (*q)) {
		if (n >= SP_M_MAX_DIGITS)
			return NULL;
		buf[n++] = *q++;
	}
	if (n == 0)
		return NULL;
	if (q + 1 < end && *q == '.' && g_ascii_isdigit (q[1])) {
		guint d = 0;
		buf[n++] = *q++;
		while (q < end && g_ascii_isdigit (*q)) {
			if (++d > 4)
				return NULL;
			buf[n++] = *q++;
		}
	}
	/* "38..5", "1.2.3", "1,5": not a number we can trust; "1e308": not a value */
	if (q < end && (*q == '.' || *q == ',') && q + 1 < end
	    && (g_ascii_isdigit (q[1]) || q[1] == '.'))
		return NULL;
	if (q < end && (*q == 'e' || *q == 'E') && q + 1 < end
	    && (g_ascii_isdigit (q[1]) || q[1] == '+' || q[1] == '-'))
		return NULL;
	buf[n] = '\0';
	*value = g_ascii_strtod (buf, NULL);
	return q;
}

static gboolean
sp_m_is_han_at (const gchar *p, const gchar *end)
{
	return p < end && (guchar)*p >= 0x80 && mv_unichar_is_han (g_utf8_get_char (p));
}

/* ---- values ---- */

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
	const gchar *end;
} SpRaw;

static const gchar *
sp_m_skip_connectors (const gchar *p, const gchar *end)
{
	for (guint n = 0; n < 3; n++) {
		const gchar *q = NULL;
		p = sp_m_skip_spaces (p, end);
		for (guint i = 0; sp_connectors[i] != NULL && q == NULL; i++)
			q = sp_m_word_at (p, end, sp_connectors[i]);
		if (q == NULL)
			break;
		p = q;
	}
	return sp_m_skip_spaces (p, end);
}

/* "5'10\"", "5 ft 10 in", "5 feet 10": a height in inches; @p is after the feet number. */
static const gchar *
sp_m_feet_inches (const gchar *p, const gchar *end, gdouble feet, gdouble *inches)
{
	static const gchar *const ft[] = { "'", "ft", "feet", "foot", NULL };
	static const gchar *const in[] = { "''", "\"", "in", "inch", "inches", NULL };
	const gchar *q = NULL;
	const gchar *r;
	gdouble extra = 0;

	p = sp_m_skip_spaces (p, end);
	for (guint i = 0; ft[i] != NULL && q == NULL; i++)
		q = sp_m_word_at (p, end, ft[i]);
	if (q == NULL)
		return NULL;
	*inches = feet * 12;
	p = sp_m_skip_spaces (q, end);
	r = sp_m_number (p, end, &extra);
	if (r == NULL)
		return q;
	if (extra >= 12) { /* "5'99\"": not a height */
		*inches = -1;
		return q;
	}
	*inches += extra;
	p = sp_m_skip_spaces (r, end);
	for (guint i = 0; in[i] != NULL; i++) {
		q = sp_m_word_at (p, end, in[i]);
		if (q != NULL)
			return q;
	}
	return r;
}

/* A value of @kind at @p (after the connectors): number, maybe a second after '/' or "over",
 * maybe a unit of the kind.  The unit is checked, the plausibility is not. */
static gboolean
sp_m_read_value (const gchar *p, const gchar *end, SpMKind kind, SpRaw *raw)
{
	const gchar *q;
	const gchar *u;
	const SpUnitWord *unit = NULL;
	gdouble v2;

	memset (raw, 0, sizeof (*raw));
	raw->kind = kind;
	raw->value_start = p;
	q = sp_m_number (p, end, &raw->value);
	if (q == NULL)
		return FALSE;
	raw->value_end = q;
	/* "INR 2.0~3.0", "HR 80-100", 血糖5至7: a range or target, not a reading */
	{
		const gchar *r = sp_m_skip_spaces (q, end);
		const gchar *t = NULL;
		gdouble other;
		if (r < end && (*r == '-' || *r == '~'))
			t = r + 1;
		else if ((t = sp_m_word_at (r, end, "to")) == NULL
			 && (t = sp_m_word_at (r, end, "至")) == NULL)
			t = sp_m_word_at (r, end, "到");
		if (t != NULL && sp_m_number (sp_m_skip_spaces (t, end), end, &other) != NULL)
			return FALSE;
	}
	if (kind == SP_M_BP) {
		const gchar *s = sp_m_skip_spaces (q, end);
		const gchar *t = NULL;
		if (s < end && *s == '/')
			t = s + 1;
		else
			t = sp_m_word_at (s, end, "over");
		if (t == NULL)
			return FALSE;
		t = sp_m_skip_spaces (t, end);
		raw->value2_start = t;
		q = sp_m_number (t, end, &v2);
		if (q == NULL)
			return FALSE;
		raw->value2 = v2;
		raw->pair = TRUE;
	} else if (kind == SP_M_HEIGHT) {
		gdouble inches;
		const gchar *r = sp_m_feet_inches (q, end, raw->value, &inches);
		if (r != NULL) {
			if (inches < 0)
				return FALSE;
			raw->value = inches;
			raw->unit = SP_U_IN;
			raw->end = r;
			return TRUE;
		}
	} else if (kind == SP_M_PAIN && q < end && *q == '/') {
		/* "7/10" is a score; "7/5" is not */
		if (sp_m_word_at (q, end, "/10") == NULL)
			return FALSE;
	}
	u = sp_m_unit_at (sp_m_skip_spaces (q, end), end, sp_mkinds[kind].accepted, &unit);
	if (u != NULL) {
		raw->unit = unit->unit;
		raw->zh = unit->zh;
		q = u;
		/* "38度5": 38.5 */
		if (raw->unit == SP_U_CEL && g_str_has_prefix (unit->word, "度") && q < end
		    && g_ascii_isdigit (*q) && !sp_m_is_word_byte (q + 1, end)) {
			raw->value += (*q - '0') / 10.0;
			q++;
		} else if (raw->unit == SP_U_M && unit->zh && q + 1 < end && g_ascii_isdigit (*q)) {
			/* "1米70": 1.70 m */
			gdouble cm = 0;
			const gchar *r = sp_m_number (q, end, &cm);
			if (r != NULL && cm < 100) {
				raw->value += cm / 100;
				q = r;
			}
		}
	}
	/* "2 hr 30 min": a time, not a heart rate of 30 */
	if (raw->unit == SP_U_NONE) {
		static const gchar *const times[]
			= { "min",     "mins",	"minute", "minutes", "sec",   "secs",
			    "seconds", "hour",	"hours",  "hrs",     "day",   "days",
			    "分钟",    "小时",	"天",	  "秒",	     "次",    "times",
			    "week",    "weeks", "wk",	  "wks",     "month", "months",
			    "mo",      "mos",	"year",	  "years",   "yr",    "yrs",
			    "周",      "个月",	"月",	  "年",	     "星期",  NULL };
		const gchar *s = sp_m_skip_spaces (q, end);
		for (guint i = 0; times[i] != NULL; i++) {
			if (sp_m_word_at (s, end, times[i]) != NULL)
				return FALSE;
		}
	}
	/* a number glued to more letters is something else: "12abc", "3x" */
	if (sp_m_is_word_byte (q, end) && !(raw->unit != SP_U_NONE && !g_ascii_isalnum (q[-1])))
		return FALSE;
	raw->end = q;
	return TRUE;
}

static gdouble
sp_m_convert (SpMKind kind, SpMUnit unit, gdouble value)
{
	if (unit == sp_mkinds[kind].canonical)
		return value;
	for (guint i = 0; i < G_N_ELEMENTS (sp_factors); i++) {
		if (sp_factors[i].kind == kind && sp_factors[i].unit == unit)
			return value * sp_factors[i].factor;
	}
	return value * sp_units[unit].factor + sp_units[unit].offset;
}

/* The canonical value, or FALSE when it is not plausible.  With no unit written a temperature
 * is Cel from 30 to 45 and [degF] from 86 to 113, a height is m below 3, a glucose is mg/dL
 * above 35, and a weight is nothing: kg, lb and 斤 are all plausible ("weighs about 120"). */
static gboolean
sp_m_canonical (SpRaw *raw, gdouble value, SpValue *out, gdouble *canonical)
{
	SpMKind kind = raw->kind;
	SpMUnit unit = raw->unit;
	gdouble v;

	if (unit == SP_U_NONE) {
		if (kind == SP_M_TEMP)
			unit = value >= 30 && value <= 45    ? SP_U_CEL
			       : value >= 86 && value <= 113 ? SP_U_DEGF
							     : SP_U_NONE;
		else if (kind == SP_M_HEIGHT)
			unit = value < 3 ? SP_U_M : SP_U_CM;
		else if (kind == SP_M_GLUCOSE || kind == SP_M_FPG)
			unit = value > 35 ? SP_U_MG_DL : SP_U_MMOL_L;
		else if (kind == SP_M_HB)
			unit = value > 25 ? SP_U_G_L : SP_U_G_DL;
		else if (kind == SP_M_CREAT || kind == SP_M_URATE)
			unit = value > 20 ? SP_U_UMOL_L : SP_U_MG_DL;
		else if (kind == SP_M_LDL || kind == SP_M_TC || kind == SP_M_TG)
			unit = value > 20 ? SP_U_MG_DL : SP_U_MMOL_L;
		else
			unit = sp_mkinds[kind].assumed;
		if (unit == SP_U_NONE)
			return FALSE;
	}
	v = sp_m_convert (kind, unit, value);
	if (!isfinite (v) || v < sp_mkinds[kind].min || v > sp_mkinds[kind].max)
		return FALSE;
	*canonical = v;
	if (sp_mkinds[kind].keep) {
		out->value = value;
		out->unit = sp_units[unit].ucum;
		return TRUE;
	}
	if (unit != sp_mkinds[kind].canonical) {
		gdouble scale = pow (10, sp_mkinds[kind].decimals);
		v = round (v * scale) / scale;
		out->original_value = value;
		out->original_unit = sp_units[unit].ucum;
	}
	out->value = v;
	out->unit = sp_units[sp_mkinds[kind].canonical].ucum;
	return TRUE;
}

static SpInterpretation
sp_m_interpret (SpMKind kind, gboolean zh, gdouble v)
{
	for (guint i = 0; i < G_N_ELEMENTS (sp_ranges); i++) {
		if (sp_ranges[i].kind != kind
		    || (sp_ranges[i].zh >= 0 && sp_ranges[i].zh != (zh ? 1 : 0)))
			continue;
		if (v < sp_ranges[i].lo)
			return SP_INTERPRETATION_LOW;
		if (v > sp_ranges[i].hi)
			return SP_INTERPRETATION_HIGH;
		return SP_INTERPRETATION_NORMAL;
	}
	return SP_INTERPRETATION_NONE;
}

/* Is the text mostly Chinese?  The same rule as the parse language (sp_detect_language() in
 * sp-parser.c): at least as many Han characters as Latin words. */
static gboolean
sp_m_text_is_zh (SpCtx *ctx)
{
	guint han = 0;
	guint latin = 0;

	for (guint i = 0; i < ctx->tokens->len; i++) {
		const MvToken *t = &g_array_index (ctx->tokens, MvToken, i);
		if (t->kind == MV_TOKEN_HAN)
			han += t->n_chars;
		else if (t->kind == MV_TOKEN_WORD)
			latin++;
	}
	return han > 0 && han >= latin;
}

/* ---- concepts ---- */

static gboolean
sp_m_kind_of_code (const gchar *code, SpMKind *kind)
{
	for (guint k = 0; k < SP_M_LAST; k++) {
		if (g_strcmp0 (code, sp_mkinds[k].code) == 0) {
			*kind = (SpMKind)k;
			return TRUE;
		}
	}
	return FALSE;
}

/* The index of the concept an English term names when its code is @code, else -1: how the
 * matchers find the concepts they add (a hash lookup, not a scan of the lexicon). */
static gint
sp_m_concept (SpCtx *ctx, const gchar *term, const gchar *code)
{
	const SpLexicon *lex = ctx->parser->lexicon;
	gpointer packed = g_hash_table_lookup (lex->en_concepts, term);
	SpTerm t;
	gboolean negated;
	const SpConcept *c;

	if (packed == NULL)
		return -1;
	sp_term_unpack (packed, &t, &negated);
	if (t.kind != SP_TERM_CONCEPT || t.index >= lex->concepts->len)
		return -1;
	c = g_ptr_array_index (lex->concepts, t.index);
	return g_strcmp0 (c->code, code) == 0 ? (gint)t.index : -1;
}

/* the English label of each measurement concept, as the lexicon keys it */
static gint
sp_m_concept_of (SpCtx *ctx, SpMKind kind)
{
	static const gchar *const terms[SP_M_LAST] = {
		[SP_M_TEMP] = "body temperature",
		[SP_M_BP] = "blood pressure",
		[SP_M_SBP] = "systolic blood pressure",
		[SP_M_DBP] = "diastolic blood pressure",
		[SP_M_HR] = "heart rate",
		[SP_M_RR] = "respiratory rate",
		[SP_M_SPO2] = "oxygen saturation",
		[SP_M_WEIGHT] = "body weight",
		[SP_M_HEIGHT] = "body height",
		[SP_M_BMI] = "body mass index",
		[SP_M_GLUCOSE] = "blood glucose",
		[SP_M_FPG] = "fasting glucose",
		[SP_M_HBA1C] = "hemoglobin a1c",
		[SP_M_PAIN] = "pain score",
		[SP_M_HB] = "hemoglobin",
		[SP_M_WBC] = "white blood cell count",
		[SP_M_PLT] = "platelet count",
		[SP_M_CREAT] = "creatinine",
		[SP_M_K] = "potassium",
		[SP_M_NA] = "sodium",
		[SP_M_INR] = "inr",
		[SP_M_TSH] = "tsh",
		[SP_M_LDL] = "ldl cholesterol",
		[SP_M_TC] = "total cholesterol",
		[SP_M_TG] = "triglyceride",
		[SP_M_EF] = "ejection fraction",
		[SP_M_URATE] = "uric acid",
		[SP_M_CRP] = "crp",
		[SP_M_WAIST] = "waist circumference",
		[SP_M_PHQ9] = "phq 9",
		[SP_M_GAD7] = "gad 7",
	};
	return sp_m_concept (ctx, terms[kind], sp_mkinds[kind].code);
}

/* ---- measure items ---- */

/* Appends a measure item, or puts it in place of the name's concept item @reuse (>= 0): the
 * name is part of its measurement, not a concept of its own. */
static void
sp_m_push_item (SpCtx *ctx, gint reuse, gint concept, gsize start, gsize end, const SpValue *v)
{
	SpItem it = { SP_ITEM_MEASURE, (guint32)start, (guint32)end, 0, 0, (guint)concept, 0,
		      FALSE,	       FALSE,	       FALSE };

	if (concept < 0)
		return;
	if (ctx->measures == NULL)
		ctx->measures = g_array_new (FALSE, TRUE, sizeof (SpValue));
	it.value = ctx->measures->len;
	g_array_append_vals (ctx->measures, v, 1);
	if (reuse >= 0)
		g_array_index (ctx->items, SpItem, (guint)reuse) = it;
	else
		g_array_append_val (ctx->items, it);
}

/* Adds the finding(s) of a value read for a name spanning [@start, …); FALSE when the value is
 * not plausible (nothing added). */
static gboolean
sp_m_add (SpCtx *ctx, SpRaw *raw, gsize start, gboolean zh_name, gint reuse)
{
	const gchar *text = ctx->nt->text;
	gboolean zh = zh_name || raw->zh;
	SpValue v = { 0 };
	SpValue v2 = { 0 };
	gdouble c1;
	gdouble c2;

	if (raw->kind == SP_M_BP) {
		raw->kind = SP_M_SBP;
		if (!sp_m_canonical (raw, raw->value, &v, &c1))
			return FALSE;
		raw->kind = SP_M_DBP;
		if (!sp_m_canonical (raw, raw->value2, &v2, &c2) || c2 >= c1)
			return FALSE;
		v.interpretation = sp_m_interpret (SP_M_SBP, zh, c1);
		v2.interpretation = sp_m_interpret (SP_M_DBP, zh, c2);
		sp_m_push_item (ctx, reuse, sp_m_concept_of (ctx, SP_M_SBP), start,
				(gsize)(raw->value_end - text), &v);
		sp_m_push_item (ctx, -1, sp_m_concept_of (ctx, SP_M_DBP),
				(gsize)(raw->value2_start - text), (gsize)(raw->end - text), &v2);
		return TRUE;
	}
	if (!sp_m_canonical (raw, raw->value, &v, &c1))
		return FALSE;
	v.interpretation = sp_m_interpret (raw->kind, zh, c1);
	sp_m_push_item (ctx, reuse, sp_m_concept_of (ctx, raw->kind), start,
			(gsize)(raw->end - text), &v);
	return TRUE;
}

/* a candidate name: a lexicon measurement term or a vital-sign letter */
typedef struct {
	guint32 start;
	guint32 end;
	SpMKind kind;
	gboolean letter; /* T, P, R: kept only inside a vitals run */
	gboolean fever;	 /* "fever of 102.5", 发烧39: the symptom names a temperature too */
	gboolean pain;	 /* "Pain: 0", 疼痛 5: the symptom names its score */
	gboolean zh;
	gboolean ok; /* a value was read */
	SpRaw raw;
	gint item; /* the concept item of a lexicon name, or -1 */
} SpMCand;

static gint
sp_m_cand_cmp (gconstpointer a, gconstpointer b)
{
	const SpMCand *x = a;
	const SpMCand *y = b;
	return x->start < y->start ? -1 : x->start > y->start ? 1 : 0;
}

static void
sp_m_try (SpCtx *ctx, SpMCand *c)
{
	const gchar *end = ctx->nt->text + ctx->nt->len;
	const gchar *p = sp_m_skip_connectors (ctx->nt->text + c->end, end);
	SpMKind kind = c->kind;

	/* "weight -5 kg": a minus sign, not a separator */
	if (p[-1] == '-' && (p - 1 == ctx->nt->text + c->end || p[-2] == ' ' || p[-2] == ':'))
		return;
	c->ok = sp_m_read_value (p, end, kind, &c->raw);
}

/* The length of the vital-sign name at the start of a word glued to its number ("bp128", "t98",
 * "rr16"; only names without digits of their own), or 0. */
static guint
sp_m_glued_name (const gchar *p, const gchar *end, SpMKind *kind)
{
	static const struct {
		const gchar *name;
		SpMKind kind;
	} names[]
		= { { "bp", SP_M_BP }, { "hr", SP_M_HR }, { "rr", SP_M_RR },	{ "t", SP_M_TEMP },
		    { "p", SP_M_HR },  { "r", SP_M_RR },  { "wt", SP_M_WEIGHT } };

	for (guint i = 0; i < G_N_ELEMENTS (names); i++) {
		gsize n = strlen (names[i].name);
		if ((gsize)(end - p) > n && memcmp (p, names[i].name, n) == 0
		    && g_ascii_isdigit (p[n])) {
			*kind = names[i].kind;
			return (guint)n;
		}
	}
	return 0;
}

/* Lexicon names (concept items of kind measurement or score) and the letters T, P, R. */
static GArray *
sp_m_candidates (SpCtx *ctx)
{
	const SpLexicon *lex = ctx->parser->lexicon;
	GArray *cands = g_array_new (FALSE, FALSE, sizeof (SpMCand));
	const gchar *text = ctx->nt->text;
	/* compared by index: this loop sees every concept of the text */
	gint fever = sp_m_concept (ctx, "fever", "HP:0001945");
	gint pain = sp_m_concept (ctx, "pain", "HP:0012531");

	for (guint i = 0; i < ctx->items->len; i++) {
		const SpItem *it = &g_array_index (ctx->items, SpItem, i);
		const SpConcept *c;
		SpMCand cand = { 0 };
		if (it->kind != SP_ITEM_CONCEPT)
			continue;
		c = g_ptr_array_index (lex->concepts, it->index);
		if ((gint)it->index == fever) {
			cand.kind = SP_M_TEMP;
			cand.fever = TRUE;
		} else if ((gint)it->index == pain) {
			cand.kind = SP_M_PAIN;
			cand.pain = TRUE;
		} else if ((c->kind != SP_CONCEPT_MEASUREMENT && c->kind != SP_CONCEPT_SCORE)
			   || !sp_m_kind_of_code (c->code, &cand.kind)) {
			continue;
		}
		cand.start = it->start;
		cand.end = it->end;
		cand.zh = sp_m_is_han_at (text + it->start, text + it->end);
		/* the fever stays a finding of its own; its temperature spans the value only */
		cand.item = cand.fever || cand.pain ? -1 : (gint)i;
		g_array_append_val (cands, cand);
	}
	for (guint i = 0; i < ctx->tokens->len; i++) {
		const MvToken *t = &g_array_index (ctx->tokens, MvToken, i);
		SpMCand cand = { 0 };
		guint n;
		if (t->kind != MV_TOKEN_WORD)
			continue;
		/* most words are not vital signs: only a letter or two then a digit are looked up
		 */
		n = t->end - t->start >= 2
				    && (g_ascii_isdigit (text[t->start + 1])
					|| (t->end - t->start >= 3
					    && g_ascii_isdigit (text[t->start + 2])))
			    ? sp_m_glued_name (text + t->start, text + t->end, &cand.kind)
			    : 0;
		if (n > 0) {
			/* "BP128/84", "HR72", "T98.6": a name glued to its value */
			cand.start = t->start;
			cand.end = t->start + n;
			cand.letter = n == 1;
			cand.item = -1;
			g_array_append_val (cands, cand);
			continue;
		}
		if (t->end - t->start != 1)
			continue;
		switch (text[t->start]) {
		case 't':
			cand.kind = SP_M_TEMP;
			break;
		case 'p':
			cand.kind = SP_M_HR;
			break;
		case 'r':
			cand.kind = SP_M_RR;
			break;
		default:
			continue;
		}
		cand.start = t->start;
		cand.end = t->end;
		cand.letter = TRUE;
		cand.item = -1;
		g_array_append_val (cands, cand);
	}
	g_array_sort (cands, sp_m_cand_cmp);
	return cands;
}

/* Only separators between @a's value and @b's name: "T 38.5, P 102". */
static gboolean
sp_m_adjacent (SpCtx *ctx, const SpMCand *a, const SpMCand *b)
{
	const gchar *p = a->raw.end;
	const gchar *q = ctx->nt->text + b->start;

	if (!a->ok || !b->ok || p > q || q - p > SP_M_RUN_GAP)
		return FALSE;
	for (; p < q; p++) {
		if (strchr (" \t,;/|", *p) == NULL)
			return FALSE;
	}
	return TRUE;
}

/* ---- the find pass ---- */

/* covered[] marks the bytes already read as a value, so a unit-only pass does not read them
 * again */
static void
sp_m_cover (guint8 *covered, gsize from, gsize to)
{
	memset (covered + from, 1, to - from);
}

/* Values of the same measurement that follow the first in its sentence, up to the next name:
 * "BP 198/112 on arrival, 156/90 after labetalol", "A1c 6.1% (was 6.4% in March)", "Wt 82 kg
 * (180 lb), down from 85 kg".  Each needs its unit (or, for a blood pressure, the pair). */
static void
sp_m_follow_on (SpCtx *ctx, const SpMCand *c, gsize limit, gboolean zh, guint8 *covered)
{
	const gchar *text = ctx->nt->text;
	const gchar *end = text + MIN (ctx->nt->len, limit);
	const gchar *p = c->raw.end;

	for (guint n = 0; n < 4 && p < end; p++) {
		SpRaw raw;
		if (*p == '.' && !(p + 1 < end && g_ascii_isdigit (p[1])))
			break;
		if (*p == ';' || *p == '\n' || g_str_has_prefix (p, "。"))
			break;
		if (!g_ascii_isdigit (*p) || g_ascii_isdigit (p[-1]) || p[-1] == '.'
		    || covered[p - text])
			continue;
		if (!sp_m_read_value (p, end, c->kind, &raw) || raw.end > end)
			continue;
		if (c->kind != SP_M_BP && raw.unit == SP_U_NONE)
			continue;
		if (sp_m_add (ctx, &raw, (gsize)(p - text), zh, -1)) {
			sp_m_cover (covered, (gsize)(p - text), (gsize)(raw.end - text));
			n++;
			p = raw.end - 1;
		}
	}
}

static void
sp_m_named (SpCtx *ctx, gboolean doc_zh, guint8 *covered)
{
	g_autoptr (GArray) cands = sp_m_candidates (ctx);
	const gchar *text = ctx->nt->text;

	for (guint i = 0; i < cands->len; i++)
		sp_m_try (ctx, &g_array_index (cands, SpMCand, i));
	for (guint i = 0; i < cands->len; i++) {
		SpMCand *c = &g_array_index (cands, SpMCand, i);
		gboolean run;
		gsize start;
		if (!c->ok)
			continue;
		/* "T 38.5 P 102 R 22": a letter counts only next to another measurement */
		run = (i > 0 && sp_m_adjacent (ctx, &g_array_index (cands, SpMCand, i - 1), c))
		      || (i + 1 < cands->len
			  && sp_m_adjacent (ctx, c, &g_array_index (cands, SpMCand, i + 1)));
		/* ... or with a unit of its own: "T 37.9 C" */
		if (c->letter && !run && c->raw.unit == SP_U_NONE)
			continue;
		start = c->fever || c->pain ? (gsize)(c->raw.value_start - text) : c->start;
		if (!sp_m_add (ctx, &c->raw, start, c->zh || doc_zh, c->item))
			continue;
		sp_m_cover (covered, start, (gsize)(c->raw.end - text));
		if (!c->letter && !c->fever && !c->pain)
			sp_m_follow_on (ctx, c,
					i + 1 < cands->len
						? g_array_index (cands, SpMCand, i + 1).start
						: ctx->nt->len,
					c->zh || doc_zh, covered);
	}
}

/* A value with no name whose unit says what it is: "39.2℃", "101 °F", 发烧38度5, "140/90 mmHg",
 * "102 bpm", 心跳110次/分.  A bare "c", "f", "%" or "kg" says too little. */
static void
sp_m_unit_only (SpCtx *ctx, gboolean doc_zh, guint8 *covered)
{
	static const struct {
		const gchar *word;
		SpMKind kind;
	} units[] = {
		{ "°c", SP_M_TEMP },	   { "° c", SP_M_TEMP },
		{ "摄氏度", SP_M_TEMP },   { "度", SP_M_TEMP },
		{ "°f", SP_M_TEMP },	   { "° f", SP_M_TEMP },
		{ "华氏度", SP_M_TEMP },   { "mmhg", SP_M_BP },
		{ "mm hg", SP_M_BP },	   { "毫米汞柱", SP_M_BP },
		{ "bpm", SP_M_HR },	   { "次/分", SP_M_HR },
		{ "次/分钟", SP_M_HR },	   { "beats per minute", SP_M_HR },
		{ "lbs", SP_M_WEIGHT },	   { "lb", SP_M_WEIGHT },
		{ "pounds", SP_M_WEIGHT },
	};
	/* "lost 10 lbs", "down 5 pounds": a change of weight, not a weight (sp_m_weight_change) */
	static const gchar *const changes[]
		= { "lost",    "lose",		"losing", "loss", "gained", "gain", "gaining",
		    "dropped", "down",		"up",	  "put",  "of",	    "by",   "over",
		    "about",   "approximately", NULL };
	const gchar *text = ctx->nt->text;
	const gchar *end = text + ctx->nt->len;

	for (guint i = 0; i < ctx->tokens->len; i++) {
		const MvToken *t = &g_array_index (ctx->tokens, MvToken, i);
		const gchar *p = text + t->start;
		gdouble v;
		const gchar *q;
		SpRaw raw;
		if (t->kind != MV_TOKEN_NUMBER || covered[t->start]
		    || (t->start > 0 && (g_ascii_isdigit (p[-1]) || p[-1] == '.' || p[-1] == '/')))
			continue;
		q = sp_m_number (p, end, &v);
		if (q == NULL)
			continue;
		/* the unit after the number, or after the second number of a pair */
		if (*q == '/') {
			const gchar *r = sp_m_number (q + 1, end, &v);
			if (r != NULL)
				q = r;
		}
		q = sp_m_skip_spaces (q, end);
		for (guint u = 0; u < G_N_ELEMENTS (units); u++) {
			if (sp_m_word_at (q, end, units[u].word) == NULL)
				continue;
			if (!sp_m_read_value (p, end, units[u].kind, &raw) || raw.unit == SP_U_NONE)
				break;
			if (units[u].kind == SP_M_WEIGHT && i > 0
			    && sp_tok_in (ctx, i - 1, changes))
				break;
			/* 度 alone is also an angle or a degree of burn: a body temperature only */
			if (units[u].kind == SP_M_TEMP && raw.unit == SP_U_CEL
			    && (raw.value < 34 || raw.value > 43))
				break;
			if (sp_m_add (ctx, &raw, t->start, doc_zh, -1))
				sp_m_cover (covered, t->start, (gsize)(raw.end - text));
			break;
		}
	}
}

/* Is there a pain word in the clause around [@start, @end): up to 48 bytes before and 24 after,
 * not across a sentence end?  "Back pain 9/10", "Severe headache since this morning, 8/10",
 * "7/10 pain", 疼痛7分; not "scored 7/10 on the quiz", "Nausea 5/10", Apgar评分9分. */
static gboolean
sp_m_near_pain (SpCtx *ctx, gsize start, gsize end)
{
	static const gchar *const words[]
		= { "pain", "ache", "hurt", "sore", "algia", "cramp", "tender", "痛", "疼", NULL };
	const gchar *text = ctx->nt->text;
	gsize from = start > 48 ? start - 48 : 0;
	gsize to = MIN (ctx->nt->len, end + 24);
	g_autofree gchar *window = NULL;

	for (gsize i = start; i > from; i--) {
		if (text[i - 1] == '.' || text[i - 1] == ';' || text[i - 1] == '\n') {
			from = i;
			break;
		}
	}
	for (gsize i = end; i < to; i++) {
		if (text[i] == '.' || text[i] == ';' || text[i] == '\n') {
			to = i;
			break;
		}
	}
	window = g_strndup (text + from, to - from);
	for (guint i = 0; words[i] != NULL; i++) {
		if (strstr (window, words[i]) != NULL)
			return TRUE;
	}
	return FALSE;
}

/* A pain score with no name: "pain 7/10", "7 out of 10", 疼痛7分, with a pain word in its
 * clause (sp_m_near_pain()). */
static void
sp_m_scores (SpCtx *ctx, guint8 *covered)
{
	gint concept = -1;
	guint n = ctx->items->len;

	for (guint i = 0; i < n; i++) {
		SpItem it = g_array_index (ctx->items, SpItem, i);
		SpValue v = { 0 };
		if (it.kind != SP_ITEM_SCORE || covered[it.start])
			continue;
		if (!sp_m_near_pain (ctx, it.start, it.end))
			continue;
		if (concept < 0)
			concept = sp_m_concept_of (ctx, SP_M_PAIN);
		if (concept < 0)
			return;
		v.value = it.value;
		v.unit = sp_units[SP_U_SCORE].ucum;
		sp_m_push_item (ctx, -1, concept, it.start, it.end, &v);
		sp_m_cover (covered, it.start, it.end);
	}
}

/* "lost 5 kg", "dropped 10 lbs", "gained 3 kg", 掉了5斤, 减了3公斤, 胖了5斤: a weight change, which
 * is the symptom Weight loss (HP:0001824) or Increased body weight (HP:0004324), not a weight. */
static void
sp_m_weight_change (SpCtx *ctx, const guint8 *covered)
{
	static const struct {
		const gchar *word;
		gboolean gain;
	} verbs[] = {
		{ "lost", FALSE },   { "lose", FALSE },	 { "losing", FALSE }, { "dropped", FALSE },
		{ "down", FALSE },   { "gained", TRUE }, { "gain", TRUE },    { "gaining", TRUE },
		{ "put on", TRUE },  { "掉了", FALSE },	 { "减了", FALSE },   { "轻了", FALSE },
		{ "少了", FALSE },   { "瘦了", FALSE },	 { "降了", FALSE },   { "下降了", FALSE },
		{ "减轻了", FALSE }, { "胖了", TRUE },	 { "重了", TRUE },    { "长了", TRUE },
		{ "增加了", TRUE },
	};
	static const guint weight_units = U (SP_U_KG) | U (SP_U_JIN) | U (SP_U_LB);
	const gchar *text = ctx->nt->text;
	const gchar *end = text + ctx->nt->len;

	for (guint i = 0; i < ctx->tokens->len; i++) {
		const MvToken *t = &g_array_index (ctx->tokens, MvToken, i);
		const gchar *num = text + t->start;
		const SpUnitWord *unit = NULL;
		gdouble v;
		const gchar *q;
		const gchar *u;
		if (t->kind != MV_TOKEN_NUMBER || covered[t->start])
			continue;
		q = sp_m_number (num, end, &v);
		u = q != NULL ? sp_m_unit_at (sp_m_skip_spaces (q, end), end, weight_units, &unit)
			      : NULL;
		if (u == NULL || v <= 0 || v > 200)
			continue;
		for (guint k = 0; k < G_N_ELEMENTS (verbs); k++) {
			const gchar *w = verbs[k].word;
			gsize n = strlen (w);
			const gchar *before = num;
			gint concept;
			/* the verb, then spaces and at most "about"/"约" */
			while (before > text && before[-1] == ' ')
				before--;
			if ((gsize)(before - text) < n || memcmp (before - n, w, n) != 0
			    || (g_ascii_isalpha (w[0]) && before - n > text
				&& g_ascii_isalpha (before[-(gssize)n - 1])))
				continue;
			concept = verbs[k].gain ? sp_m_concept (ctx, "weight gain", "HP:0004324")
						: sp_m_concept (ctx, "weight loss", "HP:0001824");
			if (concept >= 0) {
				SpItem it = { SP_ITEM_CONCEPT,
					      (guint32)(before - n - text),
					      (guint32)(u - text),
					      0,
					      0,
					      (guint)concept,
					      0,
					      FALSE,
					      FALSE,
					      FALSE };
				g_array_append_val (ctx->items, it);
			}
			break;
		}
	}
}

void
sp_measure_find (SpCtx *ctx)
{
	g_autofree guint8 *covered = g_malloc0 (ctx->nt->len + 1);

	gboolean zh = sp_m_text_is_zh (ctx);

	sp_m_named (ctx, zh, covered);
	sp_m_unit_only (ctx, zh, covered);
	sp_m_scores (ctx, covered);
	sp_m_weight_change (ctx, covered);
}

/* ---- findings ---- */

gboolean
sp_measure_fill (SpCtx *ctx, guint k, SpFinding *f)
{
	const SpItem *it = &g_array_index (ctx->items, SpItem, k);

	if (it->kind == SP_ITEM_MEASURE) {
		guint m = (guint)it->value;
		if (ctx->measures == NULL || m >= ctx->measures->len)
			return FALSE;
		f->kind = f->concept->kind == SP_CONCEPT_SCORE ? SP_FINDING_SCORE
							       : SP_FINDING_MEASUREMENT;
		f->value = g_array_index (ctx->measures, SpValue, m);
		/* a measured value is a fact: "no fever, T 36.8" does not negate the 36.8 */
		f->polarity = SP_POLARITY_PRESENT;
		f->status = SP_STATUS_NONE;
		f->duration_hours = -1;
		f->severity = SP_SEVERITY_NONE;
		f->laterality = SP_LATERALITY_NONE;
		f->site = NULL;
		return TRUE;
	}
	if (f->kind == SP_FINDING_MEDICATION)
		sp_medication_read (ctx, k, f);
	return TRUE;
}
