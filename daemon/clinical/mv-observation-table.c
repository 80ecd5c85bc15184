/*
 * The observation table: see mv-observation-table.h.  Every LOINC code here passes the LOINC
 * mod-10 check (test-clinical-observation.c checks the whole table); names follow LOINC's
 * short names; each conversion and limit is explained, with its source, in
 * docs/clinical-record.md.
 */
#define G_LOG_DOMAIN "medverse-clinical"

#include "mv-observation-table.h"

#include <string.h>

#define LOINC "http://loinc.org"

/* mg/dL of a substance to mmol/L: ÷ (molar mass in g/mol ÷ 10) */
#define GLUCOSE_MG_DL (1.0 / 18.016)	      /* C6H12O6, 180.16 g/mol */
#define CHOLESTEROL_MG_DL (1.0 / 38.67)	      /* C27H46O, 386.65 g/mol */
#define TRIGLYCERIDE_MG_DL (1.0 / 88.57)      /* as triolein, 885.7 g/mol */
#define CREATININE_MG_DL 88.42		      /* C4H7N3O, 113.12 g/mol: µmol/L per mg/dL */
#define MMHG_PER_KPA (1000.0 / 133.322387415) /* 1 mmHg = 133.322387415 Pa (UCUM) */

static const gchar *const per_min_beats[] = { "bpm", "beats/min", "{beats}/min", "次/分", NULL };
static const gchar *const per_min_breaths[]
	= { "breaths/min", "{breaths}/min", "rpm", "次/分", NULL };
static const gchar *const mmhg[] = { "mmHg", "mm Hg", NULL };
static const gchar *const kpa[] = { "kPa", NULL };
static const gchar *const cel[] = { "°C", "C", "degC", "℃", NULL };
static const gchar *const degf[] = { "°F", "F", "degF", "℉", NULL };
static const gchar *const percent[] = { "percent", NULL };
static const gchar *const cm[] = { "centimetre", "centimeter", NULL };
static const gchar *const inch[] = { "in", "inch", "inches", NULL };
static const gchar *const metre[] = { "metre", "meter", NULL };
static const gchar *const kg[] = { "kilogram", "kilograms", NULL };
static const gchar *const lb[] = { "lb", "lbs", "pound", "pounds", NULL };
static const gchar *const gram[] = { "gram", "grams", NULL };
static const gchar *const kg_m2[] = { "kg/m²", "kg/m^2", NULL };
static const gchar *const mmol_l[] = { "mmol/l", NULL };
static const gchar *const mg_dl[] = { "mg/dl", NULL };
static const gchar *const mmol_mol[] = { "mmol/mol", NULL };
static const gchar *const umol_l[] = { "µmol/L", "μmol/L", NULL };
static const gchar *const egfr[]
	= { "mL/min/1.73m2", "mL/min/1.73 m2", "mL/min/1.73m²", "mL/min/{1.73_m2}", NULL };
static const gchar *const steps[] = { "steps", "step", "{steps}/d", "/d", NULL };
static const gchar *const minutes[] = { "minutes", "minute", "mins", NULL };
static const gchar *const hours[] = { "hours", "hour", "hr", "hrs", NULL };
static const gchar *const score[] = { "score", "points", NULL };
static const gchar *const none[] = { NULL };

static const MvObsUnit u_heart[] = { { "/min", per_min_beats, 1, 0 }, { NULL } };
static const MvObsUnit u_breath[] = { { "/min", per_min_breaths, 1, 0 }, { NULL } };
static const MvObsUnit u_pressure[] = {
	{ "mm[Hg]", mmhg, 1, 0 },
	{ "kPa", kpa, MMHG_PER_KPA, 0 },
	{ NULL },
};
static const MvObsUnit u_temperature[] = {
	{ "Cel", cel, 1, 0 },
	/* (°F − 32) × 5/9 */
	{ "[degF]", degf, 5.0 / 9.0, -160.0 / 9.0 },
	{ NULL },
};
static const MvObsUnit u_percent[] = { { "%", percent, 1, 0 }, { NULL } };
static const MvObsUnit u_length[] = {
	{ "cm", cm, 1, 0 },
	{ "[in_i]", inch, 2.54, 0 }, /* the international inch, exactly 2.54 cm */
	{ "m", metre, 100, 0 },
	{ NULL },
};
static const MvObsUnit u_mass[] = {
	{ "kg", kg, 1, 0 },
	{ "[lb_av]", lb, 0.45359237, 0 }, /* the avoirdupois pound, exactly 0.45359237 kg */
	{ "g", gram, 0.001, 0 },
	{ NULL },
};
static const MvObsUnit u_bmi[] = { { "kg/m2", kg_m2, 1, 0 }, { NULL } };
static const MvObsUnit u_glucose[] = {
	{ "mmol/L", mmol_l, 1, 0 },
	{ "mg/dL", mg_dl, GLUCOSE_MG_DL, 0 },
	{ NULL },
};
static const MvObsUnit u_hba1c[] = {
	{ "%", percent, 1, 0 },
	/* IFCC mmol/mol to NGSP %: the master equation of Hoelzel et al. 2004 */
	{ "mmol/mol", mmol_mol, 0.09148, 2.152 },
	{ NULL },
};
static const MvObsUnit u_cholesterol[] = {
	{ "mmol/L", mmol_l, 1, 0 },
	{ "mg/dL", mg_dl, CHOLESTEROL_MG_DL, 0 },
	{ NULL },
};
static const MvObsUnit u_triglyceride[] = {
	{ "mmol/L", mmol_l, 1, 0 },
	{ "mg/dL", mg_dl, TRIGLYCERIDE_MG_DL, 0 },
	{ NULL },
};
static const MvObsUnit u_creatinine[] = {
	{ "umol/L", umol_l, 1, 0 },
	{ "mg/dL", mg_dl, CREATININE_MG_DL, 0 },
	{ NULL },
};
static const MvObsUnit u_egfr[] = { { "mL/min/{1.73_m2}", egfr, 1, 0 }, { NULL } };
static const MvObsUnit u_steps[] = { { "{steps}", steps, 1, 0 }, { NULL } };
/* a day's count (41950-7): UCUM "/d", as HL7's physical-activity guide writes it */
static const gchar *const steps_day[] = { "{steps}/d", "steps/day", "steps", "{steps}", NULL };
static const MvObsUnit u_steps_day[] = { { "/d", steps_day, 1, 0 }, { NULL } };
static const gchar *const count[] = { "count", "times", NULL };
static const MvObsUnit u_count[] = { { "{count}", count, 1, 0 }, { NULL } };
static const MvObsUnit u_minutes[] = {
	{ "min", minutes, 1, 0 },
	{ "h", hours, 60, 0 },
	{ NULL },
};
static const MvObsUnit u_hours[] = {
	{ "h", hours, 1, 0 },
	{ "min", minutes, 1.0 / 60.0, 0 },
	{ NULL },
};
static const MvObsUnit u_score[] = { { "{score}", score, 1, 0 }, { NULL } };

static const gchar *const bp_components[] = { "8480-6", "8462-4", NULL };

static const MvObsUnit u_coded[] = { { NULL } };
/* LOINC's answer list for 72166-2 (LL2201-3, the smoking-status value set of US Core and of
 * the former Meaningful Use rules) */
static const MvObsAnswer smoking_answers[] = {
	{ "LA18976-3", "Current every day smoker", "目前每天吸烟" },
	{ "LA18977-1", "Current some day smoker", "目前非每天吸烟" },
	{ "LA15920-4", "Former smoker", "已戒烟" },
	{ "LA18978-9", "Never smoker", "从不吸烟" },
	{ "LA18979-7", "Smoker, current status unknown", "吸烟者，目前状况不明" },
	{ "LA18980-5", "Unknown if ever smoked", "不知是否吸过烟" },
	{ "LA18981-3", "Heavy tobacco smoker", "重度吸烟者" },
	{ "LA18982-1", "Light tobacco smoker", "轻度吸烟者" },
	{ NULL },
};

const MvObsDef mv_obs_table[] = {
	{ LOINC, "85354-9", "Blood pressure panel", "血压", u_pressure, 0, 0, 1, bp_components },
	{ LOINC, "8480-6", "Systolic blood pressure", "收缩压", u_pressure, 40, 300, 1 },
	{ LOINC, "8462-4", "Diastolic blood pressure", "舒张压", u_pressure, 10, 200, 1 },
	{ LOINC, "8867-4", "Heart rate", "心率", u_heart, 20, 300, 0 },
	{ LOINC, "9279-1", "Respiratory rate", "呼吸频率", u_breath, 2, 100, 0 },
	{ LOINC, "8310-5", "Body temperature", "体温", u_temperature, 14, 45, 2 },
	{ LOINC, "59408-5", "Oxygen saturation in arterial blood by pulse oximetry",
	  "脉搏血氧饱和度", u_percent, 40, 100, 1 },
	{ LOINC, "2708-6", "Oxygen saturation in arterial blood", "动脉血氧饱和度", u_percent, 40,
	  100, 1 },
	{ LOINC, "8302-2", "Body height", "身高", u_length, 20, 275, 2 },
	{ LOINC, "29463-7", "Body weight", "体重", u_mass, 0.2, 650, 2 },
	{ LOINC, "39156-5", "Body mass index", "体重指数", u_bmi, 5, 200, 1 },
	{ LOINC, "8280-0", "Waist circumference", "腰围", u_length, 20, 300, 2 },
	{ LOINC, "1558-6", "Fasting glucose", "空腹血糖", u_glucose, 0.5, 150, 2 },
	{ LOINC, "2339-0", "Glucose (random)", "随机血糖", u_glucose, 0.5, 150, 2 },
	{ LOINC, "4548-4", "Hemoglobin A1c", "糖化血红蛋白", u_hba1c, 2, 25, 2 },
	{ LOINC, "2093-3", "Total cholesterol", "总胆固醇", u_cholesterol, 0.5, 50, 2 },
	{ LOINC, "2085-9", "HDL cholesterol", "高密度脂蛋白胆固醇", u_cholesterol, 0.05, 10, 2 },
	{ LOINC, "13457-7", "LDL cholesterol (calculated)", "低密度脂蛋白胆固醇（计算）",
	  u_cholesterol, 0.05, 40, 2 },
	{ LOINC, "18262-6", "LDL cholesterol (direct assay)", "低密度脂蛋白胆固醇（直接测定）",
	  u_cholesterol, 0.05, 40, 2 },
	{ LOINC, "2571-8", "Triglycerides", "甘油三酯", u_triglyceride, 0.05, 250, 2 },
	{ LOINC, "2160-0", "Creatinine", "肌酐", u_creatinine, 5, 3000, 1 },
	{ LOINC, "62238-1", "eGFR (CKD-EPI)", "估算肾小球滤过率（CKD-EPI）", u_egfr, 0, 250, 0 },
	{ LOINC, "98979-8", "eGFR (CKD-EPI 2021)", "估算肾小球滤过率（CKD-EPI 2021）", u_egfr, 0,
	  250, 0 },
	{ LOINC, "55423-8", "Number of steps", "步数", u_steps, 0, 200000, 0 },
	{ LOINC, "41950-7", "Number of steps in 24 hour", "24 小时步数", u_steps_day, 0, 200000,
	  0 },
	{ LOINC, "55411-3", "Exercise duration", "运动时长", u_minutes, 0, 1440, 1 },
	{ LOINC, "93832-4", "Sleep duration", "睡眠时长", u_hours, 0, 24, 2 },
	{ MV_OBSERVATION_PROJECT_SYSTEM, "mood", "Mood (1 very bad to 5 very good)",
	  "情绪（1 很差 至 5 很好）", u_score, 1, 5, 0 },
	/* a patient's check-ins (daemon/engagement, docs/engagement.md): a plan task done (1),
	 * a VR session's minutes; LOINC has no code for either */
	{ MV_OBSERVATION_PROJECT_SYSTEM, "plan-task", "Plan task completed", "完成计划任务",
	  u_count, 0, 1, 0 },
	{ MV_OBSERVATION_PROJECT_SYSTEM, "vr-session", "VR session duration", "VR 训练时长",
	  u_minutes, 0, 1440, 1 },
	{ LOINC, "72514-3", "Pain severity (0-10)", "疼痛程度（0-10）", u_score, 0, 10, 0 },
	{ LOINC, "72166-2", "Tobacco smoking status", "吸烟状况", u_coded, 0, 0, 0, NULL,
	  smoking_answers },
	{ NULL },
};

const MvObsDef *
mv_obs_lookup (const gchar *system, const gchar *code)
{
	for (const MvObsDef *d = mv_obs_table; d->code != NULL; d++) {
		if (g_strcmp0 (d->system, system) == 0 && g_strcmp0 (d->code, code) == 0)
			return d;
	}
	return NULL;
}

static gboolean
same_unit (const gchar *a, const gchar *b)
{
	/* UCUM is case-sensitive, but clinics write mg/dl and mmol/l; no two units of one
	 * observation differ only by case */
	return g_ascii_strcasecmp (a, b) == 0;
}

const MvObsUnit *
mv_obs_find_unit (const MvObsDef *def, const gchar *unit)
{
	for (const MvObsUnit *u = def->units; u->ucum != NULL; u++) {
		if (same_unit (u->ucum, unit))
			return u;
		for (const gchar *const *s = u->spellings != NULL ? u->spellings : none; *s != NULL;
		     s++) {
			if (same_unit (*s, unit))
				return u;
		}
	}
	return NULL;
}

const MvObsAnswer *
mv_obs_find_answer (const MvObsDef *def, const gchar *code)
{
	for (const MvObsAnswer *a = def->answers; a != NULL && a->code != NULL; a++) {
		if (g_strcmp0 (a->code, code) == 0)
			return a;
	}
	return NULL;
}
