/*
 * symptom-parser — units, conversions, plausibility limits and adult reference ranges of the
 * measurements (see sp-measure.h; README "Measurements, scores and medications"), and the
 * scanning helpers sp-measure-read.c, sp-measure.c and sp-medication.c share.
 */
#define G_LOG_DOMAIN "symptom-parser"

#include "sp-measure-private.h"

#include <math.h>
#include <string.h>

/* UCUM code of each unit, and canonical = value * factor + offset */
const SpMUnitDef sp_units[SP_U_LAST] = {
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
	[SP_U_U_L] = { "U/L", 1, 0 },
	[SP_U_NG_ML] = { "ng/mL", 1, 0 },
	[SP_U_PG_ML] = { "pg/mL", 1, 0 },
	[SP_U_EGFR] = { "mL/min/{1.73_m2}", 1, 0 },
	[SP_U_MM_H] = { "mm/h", 1, 0 },
	[SP_U_E9_L] = { "10*9/L", 1, 0 },
	[SP_U_UG_L] = { "ug/L", 1, 0 },
	[SP_U_MG_G] = { "mg/g{creat}", 1, 0 },
	[SP_U_PMOL_L] = { "pmol/L", 1, 0 },
	[SP_U_NG_DL] = { "ng/dL", 1, 0 },
	[SP_U_MOSM_KG] = { "mosm/kg", 1, 0 },
};

/* Conversions that depend on what is measured (molar masses): canonical = value * factor. */
static const struct {
	SpMKind kind;
	SpMUnit unit;
	gdouble factor;
} sp_factors[] = {
	{ SP_M_CREAT, SP_U_UMOL_L, 1 / 88.42 },	   /* creatinine 113.12 g/mol */
	{ SP_M_URATE, SP_U_UMOL_L, 1 / 59.48 },	   /* uric acid 168.11 g/mol */
	{ SP_M_URATE, SP_U_MMOL_L, 1000 / 59.48 }, /* "serum urate 0.31 mmol/L" (UK) */
	{ SP_M_LDL, SP_U_MMOL_L, 38.67 },	   /* cholesterol 386.65 g/mol */
	{ SP_M_TC, SP_U_MMOL_L, 38.67 },
	{ SP_M_TG, SP_U_MMOL_L, 88.57 }, /* triolein 885.7 g/mol */
	{ SP_M_HDL, SP_U_MMOL_L, 38.67 },
	{ SP_M_K, SP_U_MEQ_L, 1 },
	{ SP_M_NA, SP_U_MEQ_L, 1 },
	{ SP_M_BILI, SP_U_UMOL_L, 1 / 17.1 }, /* bilirubin 584.66 g/mol */
	{ SP_M_ALB, SP_U_G_L, 0.1 },
	{ SP_M_BUN, SP_U_MMOL_L, 2.801 }, /* urea nitrogen: 28.01 g/mol N2 */
	{ SP_M_CA, SP_U_MMOL_L, 4.008 },  /* calcium 40.08 g/mol */
	{ SP_M_MAG, SP_U_MMOL_L, 2.431 }, /* magnesium 24.31 g/mol */
	{ SP_M_FT4, SP_U_NG_DL, 12.87 },  /* thyroxine 776.87 g/mol */
};

const SpMKindDef sp_mkinds[SP_M_LAST] = {
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
	[SP_M_WBC] = { "LOINC:6690-2", SP_U_E3_UL, U (SP_U_E3_UL) | U (SP_U_E9_L), SP_U_E3_UL, 0.1,
		       300, 2, TRUE },
	[SP_M_PLT] = { "LOINC:777-3", SP_U_E3_UL, U (SP_U_E3_UL) | U (SP_U_E9_L), SP_U_E3_UL, 1,
		       3000, 0, TRUE },
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
	[SP_M_HDL] = { "LOINC:2085-9", SP_U_MG_DL, U (SP_U_MG_DL) | U (SP_U_MMOL_L), SP_U_NONE, 5,
		       200, 0, TRUE },
	[SP_M_EF]
	= { "LOINC:10230-1", SP_U_PERCENT, U (SP_U_PERCENT), SP_U_PERCENT, 5, 90, 0, TRUE },
	[SP_M_URATE]
	= { "LOINC:3084-1", SP_U_MG_DL, U (SP_U_MG_DL) | U (SP_U_UMOL_L) | U (SP_U_MMOL_L),
	    SP_U_NONE, 0.5, 30, 1, TRUE },
	[SP_M_CRP] = { "LOINC:1988-5", SP_U_MG_L, U (SP_U_MG_L), SP_U_MG_L, 0, 700, 1, TRUE },
	[SP_M_WAIST]
	= { "LOINC:8280-0", SP_U_CM, U (SP_U_CM) | U (SP_U_IN), SP_U_CM, 30, 250, 1, TRUE },
	[SP_M_PHQ9] = { "LOINC:44261-6", SP_U_SCORE, U (SP_U_SCORE), SP_U_SCORE, 0, 27, 0, TRUE },
	[SP_M_GAD7] = { "LOINC:70274-6", SP_U_SCORE, U (SP_U_SCORE), SP_U_SCORE, 0, 21, 0, TRUE },
	/* more labs, no reference range cited: value and unit only */
	[SP_M_BILI] = { "LOINC:1975-2", SP_U_MG_DL, U (SP_U_MG_DL) | U (SP_U_UMOL_L), SP_U_NONE,
			0.05, 50, 1, TRUE },
	[SP_M_EGFR] = { "LOINC:62238-1", SP_U_EGFR, U (SP_U_EGFR), SP_U_EGFR, 1, 200, 0, TRUE },
	[SP_M_ALT] = { "LOINC:1742-6", SP_U_U_L, U (SP_U_U_L), SP_U_U_L, 1, 20000, 0, TRUE },
	[SP_M_AST] = { "LOINC:1920-8", SP_U_U_L, U (SP_U_U_L), SP_U_U_L, 1, 20000, 0, TRUE },
	[SP_M_ALB]
	= { "LOINC:1751-7", SP_U_G_DL, U (SP_U_G_DL) | U (SP_U_G_L), SP_U_NONE, 0.5, 7, 1, TRUE },
	[SP_M_BUN] = { "LOINC:3094-0", SP_U_MG_DL, U (SP_U_MG_DL) | U (SP_U_MMOL_L), SP_U_NONE, 1,
		       300, 0, TRUE },
	[SP_M_HCT]
	= { "LOINC:4544-3", SP_U_PERCENT, U (SP_U_PERCENT), SP_U_PERCENT, 10, 75, 0, TRUE },
	[SP_M_BNP]
	= { "LOINC:30934-4", SP_U_PG_ML, U (SP_U_PG_ML), SP_U_PG_ML, 0.5, 100000, 0, TRUE },
	[SP_M_NTBNP]
	= { "LOINC:33762-6", SP_U_PG_ML, U (SP_U_PG_ML), SP_U_PG_ML, 1, 100000, 0, TRUE },
	[SP_M_CA] = { "LOINC:17861-6", SP_U_MG_DL, U (SP_U_MG_DL) | U (SP_U_MMOL_L), SP_U_NONE, 3,
		      20, 1, TRUE },
	[SP_M_MAG] = { "LOINC:19123-9", SP_U_MG_DL, U (SP_U_MG_DL) | U (SP_U_MMOL_L), SP_U_NONE,
		       0.5, 10, 1, TRUE },
	[SP_M_FERRITIN] = { "LOINC:2276-4", SP_U_NG_ML, U (SP_U_NG_ML) | U (SP_U_UG_L), SP_U_NG_ML,
			    0.5, 100000, 0, TRUE },
	[SP_M_PSA]
	= { "LOINC:2857-1", SP_U_NG_ML, U (SP_U_NG_ML), SP_U_NG_ML, 0.01, 10000, 2, TRUE },
	[SP_M_ESR] = { "LOINC:4537-7", SP_U_MM_H, U (SP_U_MM_H), SP_U_MM_H, 1, 200, 0, TRUE },
	[SP_M_GCS] = { "LOINC:9269-2", SP_U_SCORE, U (SP_U_SCORE), SP_U_SCORE, 3, 15, 0, TRUE },
	[SP_M_FT4] = { "LOINC:14920-3", SP_U_PMOL_L, U (SP_U_PMOL_L) | U (SP_U_NG_DL), SP_U_NONE,
		       0.1, 150, 1, TRUE },
	[SP_M_UACR] = { "LOINC:9318-7", SP_U_MG_G, U (SP_U_MG_G), SP_U_MG_G, 0.1, 10000, 0, TRUE },
	[SP_M_PAO2] = { "LOINC:2703-7", SP_U_MMHG, U (SP_U_MMHG), SP_U_MMHG, 15, 700, 0, TRUE },
	[SP_M_PACO2] = { "LOINC:2019-8", SP_U_MMHG, U (SP_U_MMHG), SP_U_MMHG, 8, 150, 0, TRUE },
	[SP_M_OSMO]
	= { "LOINC:2692-2", SP_U_MOSM_KG, U (SP_U_MOSM_KG), SP_U_MOSM_KG, 200, 450, 0, TRUE },
	/* clinical scores with no LOINC code (MV:5000-5999, spec.md section 1) */
	[SP_M_CHADS] = { "MV:5001", SP_U_SCORE, U (SP_U_SCORE), SP_U_SCORE, 0, 9, 1, TRUE },
	[SP_M_WELLS] = { "MV:5002", SP_U_SCORE, U (SP_U_SCORE), SP_U_SCORE, 0, 12.5, 1, TRUE },
	[SP_M_MMSE] = { "MV:5003", SP_U_SCORE, U (SP_U_SCORE), SP_U_SCORE, 0, 30, 1, TRUE },
	[SP_M_HASBLED] = { "MV:5004", SP_U_SCORE, U (SP_U_SCORE), SP_U_SCORE, 0, 9, 1, TRUE },
	[SP_M_CURB] = { "MV:5005", SP_U_SCORE, U (SP_U_SCORE), SP_U_SCORE, 0, 5, 1, TRUE },
	[SP_M_NIHSS] = { "MV:5006", SP_U_SCORE, U (SP_U_SCORE), SP_U_SCORE, 0, 42, 1, TRUE },
	[SP_M_MOCA] = { "MV:5007", SP_U_SCORE, U (SP_U_SCORE), SP_U_SCORE, 0, 30, 1, TRUE },
	[SP_M_QSOFA] = { "MV:5008", SP_U_SCORE, U (SP_U_SCORE), SP_U_SCORE, 0, 3, 1, TRUE },
	/* a child's head: "HC 46 cm", 头围43.5cm (not a height) */
	[SP_M_HEADC]
	= { "LOINC:9843-4", SP_U_CM, U (SP_U_CM) | U (SP_U_IN), SP_U_CM, 20, 70, 1, TRUE },
	/* scales whose LOINC code could not be confirmed here (no LOINC table in the tree): MV
	 * codes, the scale's own range as plausibility limits */
	[SP_M_APGAR] = { "MV:5009", SP_U_SCORE, U (SP_U_SCORE), SP_U_SCORE, 0, 10, 0, TRUE },
	[SP_M_EPDS] = { "MV:5010", SP_U_SCORE, U (SP_U_SCORE), SP_U_SCORE, 0, 30, 0, TRUE },
	[SP_M_MORSE] = { "MV:5011", SP_U_SCORE, U (SP_U_SCORE), SP_U_SCORE, 0, 125, 0, TRUE },
	[SP_M_BRADEN] = { "MV:5012", SP_U_SCORE, U (SP_U_SCORE), SP_U_SCORE, 6, 23, 0, TRUE },
	[SP_M_DAS28] = { "MV:5013", SP_U_SCORE, U (SP_U_SCORE), SP_U_SCORE, 0, 10, 2, TRUE },
	[SP_M_CIWA] = { "MV:5014", SP_U_SCORE, U (SP_U_SCORE), SP_U_SCORE, 0, 67, 0, TRUE },
	[SP_M_GDS] = { "MV:5015", SP_U_SCORE, U (SP_U_SCORE), SP_U_SCORE, 0, 30, 0, TRUE },
	/* round 6: the scale's own range (Barthel 0-100 holds the 20-point form too; MRC 0-5
	 * holds mMRC 0-4 and MRC 1-5; SAS and SDS are Zung's standard scores) */
	[SP_M_ACT] = { "MV:5016", SP_U_SCORE, U (SP_U_SCORE), SP_U_SCORE, 5, 25, 0, TRUE },
	[SP_M_CAT] = { "MV:5017", SP_U_SCORE, U (SP_U_SCORE), SP_U_SCORE, 0, 40, 0, TRUE },
	[SP_M_MRC] = { "MV:5018", SP_U_SCORE, U (SP_U_SCORE), SP_U_SCORE, 0, 5, 0, TRUE },
	[SP_M_EPWORTH] = { "MV:5019", SP_U_SCORE, U (SP_U_SCORE), SP_U_SCORE, 0, 24, 0, TRUE },
	[SP_M_BARTHEL] = { "MV:5020", SP_U_SCORE, U (SP_U_SCORE), SP_U_SCORE, 0, 100, 0, TRUE },
	[SP_M_BERG] = { "MV:5021", SP_U_SCORE, U (SP_U_SCORE), SP_U_SCORE, 0, 56, 0, TRUE },
	[SP_M_WATERLOW] = { "MV:5022", SP_U_SCORE, U (SP_U_SCORE), SP_U_SCORE, 0, 64, 0, TRUE },
	[SP_M_IPSS] = { "MV:5023", SP_U_SCORE, U (SP_U_SCORE), SP_U_SCORE, 0, 35, 0, TRUE },
	[SP_M_PASI] = { "MV:5024", SP_U_SCORE, U (SP_U_SCORE), SP_U_SCORE, 0, 72, 1, TRUE },
	[SP_M_ODI] = { "MV:5025", SP_U_SCORE, U (SP_U_SCORE), SP_U_SCORE, 0, 100, 0, TRUE },
	[SP_M_HAMD] = { "MV:5026", SP_U_SCORE, U (SP_U_SCORE), SP_U_SCORE, 0, 52, 0, TRUE },
	[SP_M_SAS] = { "MV:5027", SP_U_SCORE, U (SP_U_SCORE), SP_U_SCORE, 20, 100, 0, TRUE },
	[SP_M_FIM] = { "MV:5028", SP_U_SCORE, U (SP_U_SCORE), SP_U_SCORE, 18, 126, 0, TRUE },
	[SP_M_QRISK] = { "MV:5029", SP_U_SCORE, U (SP_U_SCORE), SP_U_SCORE, 0, 100, 1, TRUE },
	[SP_M_PHQA] = { "MV:5030", SP_U_SCORE, U (SP_U_SCORE), SP_U_SCORE, 0, 27, 0, TRUE },
	[SP_M_HAMA] = { "MV:5031", SP_U_SCORE, U (SP_U_SCORE), SP_U_SCORE, 0, 56, 0, TRUE },
	[SP_M_SDS] = { "MV:5032", SP_U_SCORE, U (SP_U_SCORE), SP_U_SCORE, 20, 100, 0, TRUE },
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
	{ SP_M_HDL, -1, 40, 1000, "NCEP ATP III: low HDL below 40 mg/dL (中国血脂管理指南 2023: 1.0 mmol/L)" },
	{ SP_M_EF, -1, 50, 90, "2022 AHA/ACC/HFSA heart failure guideline: reduced below 50 %" },
	{ SP_M_URATE, -1, 0, 7.0, "中国高尿酸血症与痛风诊疗指南 2019: hyperuricemia above 420 umol/L (7.0 mg/dL)" },
	{ SP_M_CRP, -1, 0, 10, "common clinical threshold 10 mg/L" },
};

/* ---- unit words (normalised text) ---- */



/* clang-format off */
static const SpUnitWord sp_unit_words[] = {
	{ "g/dl", SP_U_G_DL, FALSE }, { "g/l", SP_U_G_L, FALSE }, { "克/升", SP_U_G_L, TRUE },
	{ "k/ul", SP_U_E3_UL, FALSE }, { "k/μl", SP_U_E3_UL, FALSE }, { "x10^3/ul", SP_U_E3_UL, FALSE },
	{ "×10^3/ul", SP_U_E3_UL, FALSE }, { "10^3/ul", SP_U_E3_UL, FALSE }, { "x10^9/l", SP_U_E9_L, FALSE },
	{ "×10^9/l", SP_U_E9_L, FALSE }, { "*10^9/l", SP_U_E9_L, FALSE }, { "10^9/l", SP_U_E9_L, FALSE },
	{ "x 10^9/l", SP_U_E9_L, FALSE }, { "× 10^9/l", SP_U_E9_L, FALSE }, { "x10e9/l", SP_U_E9_L, FALSE },
	/* ×10⁹/L, ×10³/μL: normalisation makes the superscript a plain digit */
	{ "×109/l", SP_U_E9_L, FALSE }, { "x109/l", SP_U_E9_L, FALSE }, { "*109/l", SP_U_E9_L, FALSE },
	{ "10*9/l", SP_U_E9_L, FALSE }, { "×103/ul", SP_U_E3_UL, FALSE }, { "x103/ul", SP_U_E3_UL, FALSE },
	{ "×103/μl", SP_U_E3_UL, FALSE }, { "x10^3/μl", SP_U_E3_UL, FALSE }, { "×10^3/μl", SP_U_E3_UL, FALSE },
	{ "μmol/l", SP_U_UMOL_L, FALSE }, { "umol/l", SP_U_UMOL_L, FALSE }, { "微摩尔/升", SP_U_UMOL_L, TRUE },
	{ "meq/l", SP_U_MEQ_L, FALSE }, { "miu/l", SP_U_MIU_L, FALSE }, { "μiu/ml", SP_U_MIU_L, FALSE },
	{ "uiu/ml", SP_U_MIU_L, FALSE }, { "mu/l", SP_U_MIU_L, FALSE }, { "mg/l", SP_U_MG_L, FALSE },
	{ "u/l", SP_U_U_L, FALSE }, { "iu/l", SP_U_U_L, FALSE }, { "units/l", SP_U_U_L, FALSE },
	{ "ng/ml", SP_U_NG_ML, FALSE }, { "μg/l", SP_U_UG_L, FALSE }, { "ug/l", SP_U_UG_L, FALSE }, { "mg/g", SP_U_MG_G, FALSE },
	{ "pmol/l", SP_U_PMOL_L, FALSE }, { "mosm/kg", SP_U_MOSM_KG, FALSE }, { "mosmol/kg", SP_U_MOSM_KG, FALSE }, { "ng/dl", SP_U_NG_DL, FALSE },
	{ "pg/ml", SP_U_PG_ML, FALSE }, { "ng/l", SP_U_PG_ML, FALSE },
	{ "ml/min/1.73m2", SP_U_EGFR, FALSE }, { "ml/min/1.73 m2", SP_U_EGFR, FALSE },
	{ "ml/min/1.73m^2", SP_U_EGFR, FALSE }, { "ml/min", SP_U_EGFR, FALSE },
	{ "mm/h", SP_U_MM_H, FALSE }, { "mm/hr", SP_U_MM_H, FALSE }, { "mm/hour", SP_U_MM_H, FALSE },
	{ "毫米/小时", SP_U_MM_H, TRUE },
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
	{ "下", SP_U_PER_MIN, TRUE }, /* 心跳一分钟120下: beats */
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

/* ---- scanning helpers (shared with sp-medication.c) ---- */

/* The longest unit word at @p allowed by @accepted (a mask of units; 0: any). */
const gchar *
sp_m_unit_at (const gchar *p, const gchar *end, guint64 accepted, const SpUnitWord **unit)
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
	/* "38..5", "1.2.3": not a number we can trust; "1e308": not a value */
	if (q < end && *q == '.' && q + 1 < end && (g_ascii_isdigit (q[1]) || q[1] == '.'))
		return NULL;
	/* "1,500": a thousands group, not trusted either.  Any other comma ends the number:
	 * normalisation made the Chinese list comma ASCII (空腹5.3，1小时10.6, 血压150/90，2小时后),
	 * which is far more common in notes than a decimal comma ("37,5" reads 37) */
	if (q < end && *q == ',' && memchr (p, '.', (gsize)(q - p)) == NULL && q + 3 < end
	    && g_ascii_isdigit (q[1]) && g_ascii_isdigit (q[2])
	    && g_ascii_isdigit (q[3]) && (q + 4 >= end || !g_ascii_isdigit (q[4])))
		return NULL;
	if (q < end && (*q == 'e' || *q == 'E') && q + 1 < end
	    && (g_ascii_isdigit (q[1]) || q[1] == '+' || q[1] == '-'))
		return NULL;
	buf[n] = '\0';
	*value = g_ascii_strtod (buf, NULL);
	return q;
}

gboolean
sp_m_is_han_at (const gchar *p, const gchar *end)
{
	return p < end && (guchar)*p >= 0x80 && mv_unichar_is_han (g_utf8_get_char (p));
}

/* ---- values ---- */

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
gboolean
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
		else if (kind == SP_M_HDL) /* 0.5-3 mmol/L, 20-100 mg/dL */
			unit = value > 5 ? SP_U_MG_DL : SP_U_MMOL_L;
		else if (kind == SP_M_BILI) /* 0.1-30 mg/dL, 3-500 umol/L */
			unit = value > 30 ? SP_U_UMOL_L : SP_U_MG_DL;
		else if (kind == SP_M_ALB) /* 2-5.5 g/dL, 20-55 g/L */
			unit = value > 10 ? SP_U_G_L : SP_U_G_DL;
		else if (kind == SP_M_FT4) /* 0.8-1.8 ng/dL, 10-25 pmol/L */
			unit = value > 5 ? SP_U_PMOL_L : SP_U_NG_DL;
		else if (kind == SP_M_HBA1C) /* "HbA1c 64": IFCC mmol/mol, as the UK writes it */
			unit = value > 20 ? SP_U_MMOL_MOL : SP_U_PERCENT;
		else if (kind == SP_M_BUN)
			unit = SP_U_MG_DL;
		else if (kind == SP_M_CA) /* 8.5-10.5 mg/dL, 2.1-2.6 mmol/L */
			unit = value < 4 ? SP_U_MMOL_L : SP_U_MG_DL;
		else if (kind == SP_M_MAG) /* 1.7-2.4 mg/dL, 0.7-1.1 mmol/L */
			unit = value < 1.3 ? SP_U_MMOL_L : SP_U_MG_DL;
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

SpInterpretation
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
