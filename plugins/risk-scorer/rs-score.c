/*
 * risk-scorer core — scoring: the caller's values to canonical units, every problem at once,
 * then the model's arithmetic.
 *
 * The messages of a problem never quote the submitted value: it is patient data, and the
 * caller knows what it sent.  They name the input, what is wrong and what would be accepted.
 */
#define G_LOG_DOMAIN "risk-scorer"

#include "rs-score-private.h"
#include "rs-view.h"

#include <math.h>
#include <string.h>

/* at most this many inputs are named in an explanation */
#define RS_EXPLAIN_MAX 3

RsLang
rs_lang_from_tag (const gchar *tag)
{
	if (tag != NULL && g_ascii_strncasecmp (tag, "zh", 2) == 0
	    && (tag[2] == '\0' || tag[2] == '-' || tag[2] == '_'))
		return RS_LANG_ZH;
	return RS_LANG_EN;
}

const gchar *
rs_text_get (const RsText *text, RsLang lang)
{
	if (lang == RS_LANG_ZH && text->zh != NULL)
		return text->zh;
	return text->en != NULL ? text->en : "";
}

void
rs_problem_free (RsProblem *p)
{
	if (p == NULL)
		return;
	g_free (p->input);
	g_free (p->code);
	g_free (p->message);
	g_free (p->message_zh);
	g_free (p->unit);
	g_free (p->field);
	g_free (p);
}

/* The UCUM codes model files use, as people write them: a clinician reads "79 a" as a typo. */
static const struct {
	const gchar *ucum, *en, *zh;
} rs_unit_names[] = {
	{ "a", "years", "岁" },
	{ "mo", "months", "个月" },
	{ "wk", "weeks", "周" },
	{ "d", "days", "天" },
	{ "h", "hours", "小时" },
	{ "min", "minutes", "分钟" },
	{ "mm[Hg]", "mmHg", "mmHg" },
	{ "[lb_av]", "lb", "磅" },
	{ "[in_i]", "in", "英寸" },
	{ "kg/m2", "kg/m²", "kg/m²" },
	{ "1", "", "" },
};

const gchar *
rs_unit_display (const gchar *ucum, RsLang lang)
{
	for (guint i = 0; i < G_N_ELEMENTS (rs_unit_names); i++) {
		if (g_strcmp0 (rs_unit_names[i].ucum, ucum) == 0)
			return lang == RS_LANG_ZH ? rs_unit_names[i].zh : rs_unit_names[i].en;
	}
	return ucum != NULL ? ucum : "";
}

RsProblem *
rs_problem_new (const gchar *input, const gchar *code, gchar *message, gchar *message_zh)
{
	RsProblem *p = g_new0 (RsProblem, 1);

	p->input = g_strdup (input);
	p->code = g_strdup (code);
	p->message = message;
	p->message_zh = message_zh;
	return p;
}

void
rs_result_free (RsResult *r)
{
	if (r == NULL)
		return;
	g_clear_pointer (&r->values, g_array_unref);
	g_clear_pointer (&r->defaulted, g_array_unref);
	g_clear_pointer (&r->term_values, g_array_unref);
	g_clear_pointer (&r->contributions, g_array_unref);
	g_clear_pointer (&r->effects, g_array_unref);
	g_free (r);
}

/* the codes to send, each with its readable form where that differs: "[lb_av] (lb)" */
static void
rs_append_unit (GString *s, const gchar *ucum, RsLang lang)
{
	const gchar *shown = rs_unit_display (ucum, lang);

	if (s->len > 0)
		g_string_append (s, lang == RS_LANG_ZH ? "、" : ", ");
	g_string_append (s, ucum);
	if (shown[0] != '\0' && g_strcmp0 (shown, ucum) != 0)
		g_string_append_printf (s, lang == RS_LANG_ZH ? "（%s）" : " (%s)", shown);
}

static gchar *
rs_accepted_units (const RsInput *in, RsLang lang)
{
	g_autoptr (GString) s = g_string_new (NULL);

	rs_append_unit (s, in->unit, lang);
	for (guint i = 0; i < in->units->len; i++)
		rs_append_unit (s, g_array_index (in->units, RsUnit, i).unit, lang);
	return g_string_free (g_steal_pointer (&s), FALSE);
}

/* The accepted unit @unit names: exactly, else ignoring case when only one matches (mmol/l,
 * MG/DL), as the clinical record matches units.  0 is the canonical unit, i + 1 units[i], -1
 * none (or more than one ignoring case). */
gint
rs_match_unit (const RsInput *in, const gchar *unit)
{
	gint found = -1;
	guint matches = 0;

	if (g_strcmp0 (unit, in->unit) == 0)
		return 0;
	for (guint i = 0; i < in->units->len; i++) {
		if (g_strcmp0 (g_array_index (in->units, RsUnit, i).unit, unit) == 0)
			return (gint)i + 1;
	}
	if (g_ascii_strcasecmp (unit, in->unit) == 0) {
		found = 0;
		matches++;
	}
	for (guint i = 0; i < in->units->len; i++) {
		if (g_ascii_strcasecmp (g_array_index (in->units, RsUnit, i).unit, unit) == 0) {
			found = (gint)i + 1;
			matches++;
		}
	}
	return matches == 1 ? found : -1;
}

RsProblem *
rs_problem_wrong_type (const RsInput *in, const gchar *en, const gchar *zh)
{
	/* "应为 true 或 false", "应为数值": a space only before Latin text */
	return rs_problem_new (
		in->name, "wrong-type", g_strdup_printf ("must be %s", en),
		g_strdup_printf (g_ascii_isalnum (zh[0]) ? "应为 %s" : "应为%s", zh));
}

static void
rs_wrong_type (GPtrArray *problems, const RsInput *in, const gchar *en, const gchar *zh)
{
	g_ptr_array_add (problems, rs_problem_wrong_type (in, en, zh));
}

RsProblem *
rs_problem_unknown_unit (const RsInput *in)
{
	g_autofree gchar *en = rs_accepted_units (in, RS_LANG_EN);
	g_autofree gchar *zh = rs_accepted_units (in, RS_LANG_ZH);

	return rs_problem_new (in->name, "unknown-unit",
			       g_strdup_printf ("unit not accepted; use one of: %s", en),
			       g_strdup_printf ("单位不被接受，可用：%s", zh));
}

RsProblem *
rs_problem_not_finite (const RsInput *in)
{
	return rs_problem_new (in->name, "not-finite", g_strdup ("must be a finite number"),
			       g_strdup ("应为有限数值"));
}

RsProblem *
rs_problem_out_of_range (const RsInput *in)
{
	const gchar *en = rs_unit_display (in->unit, RS_LANG_EN);
	const gchar *zh = rs_unit_display (in->unit, RS_LANG_ZH);
	RsProblem *p;

	/* "40 to 79 years", "40 至 79 岁" (a space as in "8 年"), "0.5 to 2" for a unit of 1 */
	p = rs_problem_new (in->name, "out-of-range",
			    g_strdup_printf ("out of range: valid from %g to %g%s%s", in->lo,
					     in->hi, en[0] ? " " : "", en),
			    g_strdup_printf ("超出范围：有效范围 %g 至 %g%s%s", in->lo, in->hi,
					     zh[0] ? " " : "", zh));
	p->unit = g_strdup (in->unit);
	return p;
}

RsProblem *
rs_problem_unknown_level (const RsInput *in)
{
	g_autofree gchar *levels = g_strjoinv (", ", in->levels);

	return rs_problem_new (in->name, "unknown-level",
			       g_strdup_printf ("unknown level; use one of: %s", levels),
			       g_strdup_printf ("取值无效，可用：%s", levels));
}

RsProblem *
rs_problem_missing (const gchar *name)
{
	return rs_problem_new (name, "missing", g_strdup ("missing (required)"),
			       g_strdup ("缺失（必填）"));
}

RsProblem *
rs_problem_unknown_input (const gchar *name)
{
	return rs_problem_new (name, "unknown-input", g_strdup ("not an input of this model"),
			       g_strdup ("不是该模型的输入"));
}

RsProblem *
rs_problem_no_score (void)
{
	/* a model whose terms overflow (inf - inf) at these values: no score, not a guess */
	return rs_problem_new ("inputs", "out-of-range",
			       g_strdup ("the model gives no finite score for these values"),
			       g_strdup ("该模型对这些取值无法给出有限的评分"));
}

/*
 * Reading the inputs.  The a{sv} is read from its serialised bytes (rs-view.h): a GVariant a
 * member, a format string a lookup and a hash table a unit were half of a Score call.  Bytes
 * that are not as GLib's normal form would have them set ->malformed, and the inputs are read
 * again from g_variant_get_normal_form(), so such bytes mean what GLib makes of them.
 */
typedef struct {
	GPtrArray *problems;
	gboolean malformed;
} RsRead;

static void
rs_wrong_number (RsRead *rd, const RsInput *in)
{
	rs_wrong_type (rd->problems, in, "a number or {\"value\": number, \"unit\": string}",
		       "数值或 {\"value\": 数值, \"unit\": 单位}");
}

/* {"value": number, "unit": s}: the value in the canonical unit, or a problem.  A member given
 * twice: the last counts, as a GVariantDict reads it. */
static gboolean
rs_read_with_unit (RsRead *rd, const RsInput *in, const RsView *v, gdouble *out)
{
	RsView value = { 0 }, unit_view = { 0 }, member;
	const gchar *unit = NULL;
	const gchar *key;
	RsDictIter it;
	gdouble x;
	gint u, more;

	if (!rs_dict_iter_init (&it, v)) {
		rd->malformed = TRUE;
		return FALSE;
	}
	while ((more = rs_dict_iter_next (&it, &key, &member)) > 0) {
		if (strcmp (key, "value") == 0)
			value = member;
		else if (strcmp (key, "unit") == 0)
			unit_view = member;
	}
	if (more < 0
	    || (value.type != NULL && rs_view_is_number_type (&value)
		&& !rs_view_number (&value, &x))) {
		rd->malformed = TRUE;
		return FALSE;
	}
	unit = unit_view.type != NULL ? rs_view_string (&unit_view) : NULL;
	if (unit == NULL && unit_view.type != NULL && rs_view_is (&unit_view, "s")) {
		rd->malformed = TRUE;
		return FALSE;
	}
	if (value.type == NULL || !rs_view_number (&value, &x) || unit == NULL) {
		rs_wrong_number (rd, in);
		return FALSE;
	}
	u = rs_match_unit (in, unit);
	if (u == 0) {
		*out = x;
		return TRUE;
	}
	if (u > 0) {
		const RsUnit *other = &g_array_index (in->units, RsUnit, u - 1);
		*out = x * other->factor + other->offset;
		return TRUE;
	}
	g_ptr_array_add (rd->problems, rs_problem_unknown_unit (in));
	return FALSE;
}

static gboolean
rs_read_number (RsRead *rd, const RsInput *in, const RsView *v, RsValue *out)
{
	gdouble x;

	if (rs_view_is (v, "a{sv}")) {
		if (!rs_read_with_unit (rd, in, v, &x))
			return FALSE;
	} else if (!rs_view_number (v, &x)) {
		if (rs_view_is_number_type (v))
			rd->malformed = TRUE;
		else
			rs_wrong_number (rd, in);
		return FALSE;
	}
	if (!isfinite (x)) {
		g_ptr_array_add (rd->problems, rs_problem_not_finite (in));
		return FALSE;
	}
	if (x < in->lo || x > in->hi) {
		g_ptr_array_add (rd->problems, rs_problem_out_of_range (in));
		return FALSE;
	}
	out->number = x;
	return TRUE;
}

static void
rs_read_value (RsRead *rd, const RsInput *in, const RsView *v, RsValue *out)
{
	const gchar *s;

	if (in->type == RS_INPUT_NUMBER) {
		rs_read_number (rd, in, v, out);
		return;
	}
	if (in->type == RS_INPUT_BOOLEAN) {
		if (!rs_view_is (v, "b"))
			rs_wrong_type (rd->problems, in, "true or false", "true 或 false");
		else if (!rs_view_boolean (v, &out->boolean))
			rd->malformed = TRUE;
		return;
	}
	if (!rs_view_is (v, "s")) {
		rs_wrong_type (rd->problems, in, "a string (one of the levels)",
			       "字符串（取值之一）");
		return;
	}
	s = rs_view_string (v);
	if (s == NULL) {
		rd->malformed = TRUE;
		return;
	}
	for (guint i = 0; in->levels[i] != NULL; i++) {
		if (strcmp (in->levels[i], s) == 0) {
			out->level = i;
			return;
		}
	}
	g_ptr_array_add (rd->problems, rs_problem_unknown_level (in));
}

/* the models' inputs fit here; a model with more takes the heap */
#define RS_INPUTS_ON_STACK 32

/* One pass over the members, each to its input (the first of a name given twice counts), then
 * every problem in the order of the model's inputs, then the unknown names. */
static void
rs_read_members (
	RsRead *rd, const RsModel *m, const RsView *dict, RsValue *values, gboolean *defaulted)
{
	RsView stack[RS_INPUTS_ON_STACK];
	g_autofree RsView *heap
		= m->inputs->len > RS_INPUTS_ON_STACK ? g_new0 (RsView, m->inputs->len) : NULL;
	RsView *given = heap != NULL ? heap : stack;
	g_autoptr (GPtrArray) unknown = NULL;
	const gchar *key;
	RsView v, inner;
	RsDictIter it;
	gint more;

	memset (given, 0, sizeof (RsView) * MIN (m->inputs->len, RS_INPUTS_ON_STACK));
	if (!rs_dict_iter_init (&it, dict)) {
		rd->malformed = TRUE;
		return;
	}
	while ((more = rs_dict_iter_next (&it, &key, &v)) > 0) {
		gint i = rs_model_find_input (m, key);

		if (i < 0) {
			if (unknown == NULL)
				unknown = g_ptr_array_new ();
			g_ptr_array_add (unknown, (gpointer)key);
			continue;
		}
		if (given[i].type != NULL)
			continue;
		/* a{sv} of a{sv}: a value may arrive wrapped once more (D-Bus "v" in "v") */
		if (rs_view_is (&v, "v")) {
			if (!rs_view_open_variant (&v, &inner)) {
				rd->malformed = TRUE;
				return;
			}
			v = inner;
		}
		given[i] = v;
	}
	if (more < 0) {
		rd->malformed = TRUE;
		return;
	}
	for (guint i = 0; i < m->inputs->len; i++) {
		const RsInput *in = g_ptr_array_index (m->inputs, i);

		if (given[i].type != NULL) {
			rs_read_value (rd, in, &given[i], &values[i]);
		} else if (in->has_default) {
			values[i] = in->default_value;
			defaulted[i] = TRUE;
		} else {
			g_ptr_array_add (rd->problems, rs_problem_missing (in->name));
		}
	}
	for (guint i = 0; unknown != NULL && i < unknown->len; i++)
		g_ptr_array_add (rd->problems, rs_problem_unknown_input (unknown->pdata[i]));
}

static gboolean
rs_read_inputs (
	const RsModel *m, GVariant *inputs, GArray *values, GArray *defaulted, GPtrArray *problems)
{
	g_autoptr (GVariant) normal = NULL;
	guint before = problems->len;
	RsRead rd = { problems, FALSE };
	RsView dict;

	g_array_set_size (values, m->inputs->len);
	g_array_set_size (defaulted, m->inputs->len);
	rs_view_of (&dict, inputs);
	rs_read_members (&rd, m, &dict, (RsValue *)values->data, (gboolean *)defaulted->data);
	if (rd.malformed) {
		/* what was read of the bytes as they came is forgotten */
		g_ptr_array_set_size (problems, before);
		memset (values->data, 0, sizeof (RsValue) * m->inputs->len);
		memset (defaulted->data, 0, sizeof (gboolean) * m->inputs->len);
		normal = g_variant_get_normal_form (inputs);
		rs_view_of (&dict, normal);
		rd.malformed = FALSE;
		rs_read_members (&rd, m, &dict, (RsValue *)values->data,
				 (gboolean *)defaulted->data);
		/* the normal form always reads; were it not, no score rather than a guess */
		if (rd.malformed)
			g_ptr_array_add (problems, rs_problem_new ("inputs", "wrong-type",
								   g_strdup ("not a valid a{sv}"),
								   g_strdup ("不是有效的 a{sv}")));
	}
	return problems->len == before;
}

gdouble
rs_spline_basis (gdouble x, const gdouble *t, guint n, guint basis)
{
	gdouble tk = t[n - 1];
	gdouble tk1 = t[n - 2];
	gdouble tj;
	gdouble a, b, c;

	if (basis == 0)
		return x;
	tj = t[basis - 1];
	a = MAX (x - tj, 0);
	b = MAX (x - tk1, 0);
	c = MAX (x - tk, 0);
	return (a * a * a - b * b * b * (tk - tj) / (tk - tk1)
		+ c * c * c * (tk1 - tj) / (tk - tk1))
	       / ((tk - t[0]) * (tk - t[0]));
}

static gdouble
rs_term_value (const RsModel *m, const RsFeature *f, const GArray *values, const gdouble *terms)
{
	const RsInput *in = f->input >= 0 ? g_ptr_array_index (m->inputs, f->input) : NULL;
	const RsValue *v = f->input >= 0 ? &g_array_index (values, RsValue, f->input) : NULL;
	gdouble x = v != NULL ? v->number : 0;
	gdouble product = 1;

	switch (f->transform) {
	case RS_TRANSFORM_LINEAR:
		return x;
	case RS_TRANSFORM_LN:
		return log (x);
	case RS_TRANSFORM_LN_SQUARED:
		return log (x) * log (x);
	case RS_TRANSFORM_SQUARE:
		return x * x;
	case RS_TRANSFORM_INDICATOR:
		if (in->type == RS_INPUT_BOOLEAN)
			return v->boolean == f->level_boolean ? 1 : 0;
		return v->level == f->level ? 1 : 0;
	case RS_TRANSFORM_INTERACTION:
		for (guint i = 0; i < f->of->len; i++)
			product *= terms[g_array_index (f->of, guint, i)];
		return product;
	case RS_TRANSFORM_SPLINE:
		return rs_spline_basis (x, (const gdouble *)f->knots->data, f->knots->len,
					f->basis);
	case RS_TRANSFORM_BAND:
		return x >= f->lower && x < f->upper ? 1 : 0;
	default:
		g_assert_not_reached ();
	}
}

/* intercept + sum of coefficient * term; @terms and @contributions may be NULL */
static gdouble
rs_linear_predictor (const RsModel *m, const GArray *values, gdouble *terms, gdouble *contributions)
{
	g_autofree gdouble *own = terms == NULL ? g_new0 (gdouble, m->features->len) : NULL;
	gdouble lp = m->link == RS_LINK_LOGISTIC ? m->intercept : 0;

	if (terms == NULL)
		terms = own;
	for (guint i = 0; i < m->features->len; i++) {
		const RsFeature *f = g_ptr_array_index (m->features, i);
		gdouble c;

		terms[i] = rs_term_value (m, f, values, terms);
		c = f->coefficient * terms[i] + 0.0; /* + 0.0: no "-0" in an answer */
		if (contributions != NULL)
			contributions[i] = c;
		lp += c;
	}
	return lp;
}

static gboolean
rs_reference_of (const RsInput *in, RsValue *out)
{
	memset (out, 0, sizeof (*out));
	if (in->type != RS_INPUT_NUMBER)
		return TRUE; /* false, or the first level */
	if (in->has_reference) {
		out->number = in->reference;
		return TRUE;
	}
	if (isfinite (in->lo)) { /* the low end of the valid range */
		out->number = in->lo;
		return TRUE;
	}
	return FALSE;
}

/* the linear predictor with input @input moved (@moved): only the features it reaches (its own,
 * and interactions of those) are evaluated again, the others' contributions reused, summed in
 * the same order as rs_linear_predictor, so the sum is the one a full evaluation gives, bit for
 * bit.  @terms, @hit: scratch, one per feature. */
static gdouble
rs_lp_moved (const RsModel *m,
	     const RsResult *r,
	     const GArray *moved,
	     guint input,
	     gdouble *terms,
	     guint8 *hit)
{
	gdouble lp = m->link == RS_LINK_LOGISTIC ? m->intercept : 0;

	memcpy (terms, r->term_values->data, sizeof (gdouble) * m->features->len);
	for (guint j = 0; j < m->features->len; j++) {
		const RsFeature *f = g_ptr_array_index (m->features, j);

		hit[j] = f->input >= 0 && (guint)f->input == input;
		for (guint k = 0; f->of != NULL && k < f->of->len; k++)
			hit[j] |= hit[g_array_index (f->of, guint, k)];
		if (!hit[j]) {
			lp += g_array_index (r->contributions, gdouble, j);
			continue;
		}
		terms[j] = rs_term_value (m, f, moved, terms);
		lp += f->coefficient * terms[j] + 0.0;
	}
	return lp;
}

/* the features fit here; a model with more takes the heap */
#define RS_FEATURES_ON_STACK 64

/* How much each input moves the linear predictor away from its reference value, the others
 * held: what the explanation names.  A single feature's contribution is no guide when a model
 * uses logarithms and interactions (the Pooled Cohort Equations' ln age terms are large and of
 * either sign). */
static void
rs_effects (const RsModel *m, RsResult *r)
{
	g_autoptr (GArray) moved = g_array_copy (r->values);
	guint n = m->features->len;
	gdouble terms_stack[RS_FEATURES_ON_STACK];
	guint8 hit_stack[RS_FEATURES_ON_STACK];
	g_autofree gdouble *terms_heap = n > RS_FEATURES_ON_STACK ? g_new (gdouble, n) : NULL;
	g_autofree guint8 *hit_heap = n > RS_FEATURES_ON_STACK ? g_new (guint8, n) : NULL;
	gdouble *terms = terms_heap != NULL ? terms_heap : terms_stack;
	guint8 *hit = hit_heap != NULL ? hit_heap : hit_stack;

	g_array_set_size (r->effects, m->inputs->len);
	for (guint i = 0; i < m->inputs->len; i++) {
		RsValue ref;
		RsValue saved = g_array_index (moved, RsValue, i);

		if (!rs_reference_of (g_ptr_array_index (m->inputs, i), &ref)) {
			g_array_index (r->effects, gdouble, i) = NAN;
			continue;
		}
		g_array_index (moved, RsValue, i) = ref;
		g_array_index (r->effects, gdouble, i)
			= r->linear_predictor - rs_lp_moved (m, r, moved, i, terms, hit);
		g_array_index (moved, RsValue, i) = saved;
	}
}

/* @effects: FALSE leaves r->effects empty (a summary answer names none: a third of the
 * arithmetic saved) */
static RsResult *
rs_score_values (const RsModel *m, const GArray *values, gboolean effects)
{
	RsResult *r = g_new0 (RsResult, 1);
	gdouble p;

	r->values = g_array_copy ((GArray *)values);
	r->defaulted = g_array_new (FALSE, TRUE, sizeof (gboolean));
	g_array_set_size (r->defaulted, m->inputs->len);
	r->term_values = g_array_new (FALSE, TRUE, sizeof (gdouble));
	r->contributions = g_array_new (FALSE, TRUE, sizeof (gdouble));
	r->effects = g_array_new (FALSE, TRUE, sizeof (gdouble));
	g_array_set_size (r->term_values, m->features->len);
	g_array_set_size (r->contributions, m->features->len);
	r->linear_predictor = rs_linear_predictor (m, r->values, (gdouble *)r->term_values->data,
						   (gdouble *)r->contributions->data);
	if (m->link == RS_LINK_LOGISTIC)
		p = 1.0 / (1.0 + exp (-r->linear_predictor));
	else
		p = 1.0
		    - pow (m->baseline_survival,
			   exp (r->linear_predictor - m->mean_linear_predictor));
	r->probability = CLAMP (p, 0.0, 1.0);
	r->category = -1;
	for (guint i = 0; i < m->categories->len; i++) {
		if (r->probability < ((RsCategory *)g_ptr_array_index (m->categories, i))->below) {
			r->category = (gint)i;
			break;
		}
	}
	if (effects)
		rs_effects (m, r);
	return r;
}

RsResult *
rs_model_score_values (const RsModel *m, const GArray *values)
{
	return rs_score_values (m, values, TRUE);
}

static RsResult *
rs_score (const RsModel *m, GVariant *inputs, GPtrArray *problems, gboolean effects)
{
	g_autoptr (GArray) values = g_array_new (FALSE, TRUE, sizeof (RsValue));
	g_autoptr (GArray) defaulted = g_array_new (FALSE, TRUE, sizeof (gboolean));
	RsResult *r;

	g_return_val_if_fail (g_variant_is_of_type (inputs, G_VARIANT_TYPE_VARDICT), NULL);
	if (!rs_read_inputs (m, inputs, values, defaulted, problems))
		return NULL;
	r = rs_score_values (m, values, effects);
	if (isnan (r->probability)) {
		g_ptr_array_add (problems, rs_problem_no_score ());
		rs_result_free (r);
		return NULL;
	}
	g_array_unref (r->defaulted);
	r->defaulted = g_steal_pointer (&defaulted);
	return r;
}

RsResult *
rs_model_score (const RsModel *m, GVariant *inputs, GPtrArray *problems)
{
	return rs_score (m, inputs, problems, TRUE);
}

RsResult *
rs_model_score_summary (const RsModel *m, GVariant *inputs, GPtrArray *problems)
{
	return rs_score (m, inputs, problems, FALSE);
}

static gint
rs_cmp_effect_desc (gconstpointer a, gconstpointer b, gpointer user_data)
{
	const gdouble *effects = user_data;
	gdouble ea = effects[*(const guint *)a];
	gdouble eb = effects[*(const guint *)b];

	return ea < eb ? 1 : ea > eb ? -1 : 0;
}

/* "Incident type 2 diabetes" reads "incident type 2 diabetes" inside a sentence; "ASCVD" stays */
static gchar *
rs_lower_first (const gchar *s)
{
	gchar *out = g_strdup (s);

	if (out[0] != '\0' && g_ascii_isupper (out[0]) && !g_ascii_isupper (out[1]))
		out[0] = g_ascii_tolower (out[0]);
	return out;
}

/* "新发2型糖尿病风险" reads as one phrase; an outcome ending in Latin text or a quote needs
 * "的" before 风险 ("结局“event = yes”的风险") */
static gboolean
rs_ends_in_han (const gchar *s)
{
	const gchar *end = s + strlen (s);
	const gchar *last = g_utf8_find_prev_char (s, end);

	return last != NULL
	       && g_unichar_get_script (g_utf8_get_char (last)) == G_UNICODE_SCRIPT_HAN;
}

static void
rs_append_risk (GString *s, const RsModel *m, const RsResult *r, RsLang lang)
{
	const gchar *outcome = m->outcome.en != NULL ? rs_text_get (&m->outcome, lang)
						     : rs_text_get (&m->title, lang);
	const RsCategory *cat
		= r->category >= 0 ? g_ptr_array_index (m->categories, r->category) : NULL;
	g_autofree gchar *lower = NULL;

	/* one printf a sentence: three were a tenth of a Score call */
	if (lang == RS_LANG_ZH) {
		const gchar *de = rs_ends_in_han (outcome) ? "" : "的";

		if (m->horizon_years > 0)
			g_string_append_printf (s, "%g 年%s%s风险估计为 %.1f%%", m->horizon_years,
						outcome, de, 100 * r->probability);
		else
			g_string_append_printf (s, "%s%s风险估计为 %.1f%%", outcome, de,
						100 * r->probability);
		if (cat != NULL) {
			g_string_append (s, "（");
			g_string_append (s, rs_text_get (&cat->label, lang));
			g_string_append (s, "）");
		}
		g_string_append (s, "。");
		return;
	}
	lower = rs_lower_first (outcome);
	if (m->horizon_years > 0)
		g_string_append_printf (s, "Estimated %g-year risk of %s: %.1f%%", m->horizon_years,
					lower, 100 * r->probability);
	else
		g_string_append_printf (s, "Estimated risk of %s: %.1f%%", lower,
					100 * r->probability);
	if (cat != NULL) {
		g_string_append (s, " (");
		g_string_append (s, rs_text_get (&cat->label, lang));
		g_string_append (s, ")");
	}
	g_string_append (s, ".");
}

gchar *
rs_result_explain (const RsModel *m, const RsResult *r, RsLang lang)
{
	g_autoptr (GString) s = g_string_new (NULL);
	g_autoptr (GArray) order = g_array_new (FALSE, FALSE, sizeof (guint));
	guint n;

	rs_append_risk (s, m, r, lang);
	for (guint i = 0; i < m->inputs->len; i++) {
		gdouble e = g_array_index (r->effects, gdouble, i);
		if (isfinite (e) && e > 1e-9)
			g_array_append_val (order, i);
	}
	g_array_sort_with_data (order, rs_cmp_effect_desc, r->effects->data);
	n = MIN (order->len, RS_EXPLAIN_MAX);
	if (n == 0) {
		g_string_append (s, lang == RS_LANG_ZH ? "没有哪项因素使风险高于其参考值。"
						       : " No input raises it above its reference "
							 "value.");
		return g_string_free (g_steal_pointer (&s), FALSE);
	}
	g_string_append (s, lang == RS_LANG_ZH ? "升高风险最多的因素：" : " Raised most by ");
	for (guint k = 0; k < n; k++) {
		const RsInput *in = g_ptr_array_index (m->inputs, g_array_index (order, guint, k));
		g_autofree gchar *label = lang == RS_LANG_ZH
						  ? g_strdup (rs_text_get (&in->label, lang))
						  : rs_lower_first (rs_text_get (&in->label, lang));

		if (k > 0)
			g_string_append (s, lang == RS_LANG_ZH ? "、"
					    : k + 1 == n       ? " and "
							       : ", ");
		g_string_append (s, label);
	}
	g_string_append (s, lang == RS_LANG_ZH ? "。" : ".");
	return g_string_free (g_steal_pointer (&s), FALSE);
}
