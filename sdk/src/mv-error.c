#include <medverse/mv-error.h>

#include <string.h>

/* An extended error domain (GLib 2.68): every MV_ERROR carries a Chinese message and a list of
 * problems, kept through g_error_copy() and g_propagate_error(), so a validator deep in the
 * core can hand the HTTP adapter everything it found without a side channel. */
typedef struct {
	gchar *message_zh;
	GPtrArray *problems; /* of MvErrorProblem, strings owned */
} MvErrorPrivate;

/* The problems shown in error->message; the rest are only counted there (all are in the list). */
#define MESSAGE_PROBLEMS_MAX 20

static void
problem_free (gpointer data)
{
	MvErrorProblem *problem = data;

	g_free ((gchar *)problem->field);
	g_free ((gchar *)problem->code);
	g_free ((gchar *)problem->message);
	g_free ((gchar *)problem->message_zh);
	g_free (problem);
}

static MvErrorProblem *
problem_new (const gchar *field, const gchar *code, const gchar *message, const gchar *message_zh)
{
	MvErrorProblem *problem = g_new0 (MvErrorProblem, 1);

	problem->field = g_strdup (field != NULL ? field : "");
	problem->code = g_strdup (code != NULL ? code : "invalid");
	problem->message = g_strdup (message != NULL ? message : "");
	problem->message_zh = g_strdup (message_zh != NULL ? message_zh : problem->message);
	return problem;
}

static void
mv_error_private_init (MvErrorPrivate *priv)
{
	priv->message_zh = NULL;
	priv->problems = NULL;
}

static void
mv_error_private_copy (const MvErrorPrivate *src, MvErrorPrivate *dest)
{
	dest->message_zh = g_strdup (src->message_zh);
	dest->problems = NULL;
	if (src->problems == NULL)
		return;
	dest->problems = g_ptr_array_new_with_free_func (problem_free);
	for (guint i = 0; i < src->problems->len; i++) {
		const MvErrorProblem *p = g_ptr_array_index (src->problems, i);
		g_ptr_array_add (dest->problems,
				 problem_new (p->field, p->code, p->message, p->message_zh));
	}
}

static void
mv_error_private_clear (MvErrorPrivate *priv)
{
	g_clear_pointer (&priv->message_zh, g_free);
	g_clear_pointer (&priv->problems, g_ptr_array_unref);
}

/* G_DEFINE_EXTENDED_ERROR, written out: the macro would name the domain "MvError", and the
 * D-Bus adapter and existing clients know it as "mv-error-quark". */
static MvErrorPrivate *
mv_error_get_private (const GError *error)
{
	const gsize sa = 2 * sizeof (gsize);
	const gsize as = (sizeof (MvErrorPrivate) + (sa - 1)) & -sa;

	return (MvErrorPrivate *)(((guint8 *)error) - as);
}

static void
private_init (GError *error)
{
	mv_error_private_init (mv_error_get_private (error));
}

static void
private_copy (const GError *src, GError *dest)
{
	mv_error_private_copy (mv_error_get_private (src), mv_error_get_private (dest));
}

static void
private_clear (GError *error)
{
	mv_error_private_clear (mv_error_get_private (error));
}

GQuark
mv_error_quark (void)
{
	static GQuark quark;
	static gsize initialized = 0;

	if (g_once_init_enter (&initialized)) {
		quark = g_error_domain_register_static ("mv-error-quark", sizeof (MvErrorPrivate),
							private_init, private_copy, private_clear);
		g_once_init_leave (&initialized, 1);
	}
	return quark;
}

static MvErrorPrivate *
private_of (const GError *error)
{
	if (error == NULL || error->domain != MV_ERROR)
		return NULL;
	return mv_error_get_private (error);
}

/* "field: message; field: message…" of @problems, in English or Chinese */
static gchar *
join_problems (GPtrArray *problems, gboolean zh)
{
	GString *out = g_string_new (NULL);
	guint shown = MIN (problems->len, MESSAGE_PROBLEMS_MAX);

	for (guint i = 0; i < shown; i++) {
		const MvErrorProblem *p = g_ptr_array_index (problems, i);

		if (i > 0)
			g_string_append (out, zh ? "；" : "; ");
		if (p->field[0] != '\0')
			g_string_append_printf (out, "%s: ", p->field);
		g_string_append (out, zh ? p->message_zh : p->message);
	}
	if (problems->len > shown) {
		guint more = problems->len - shown;
		if (zh)
			g_string_append_printf (out, "；另有 %u 个问题", more);
		else
			g_string_append_printf (out, "; and %u more", more);
	}
	return g_string_free (out, FALSE);
}

void
mv_error_add_problem (GError **error,
		      const gchar *field,
		      const gchar *code,
		      const gchar *message,
		      const gchar *message_zh)
{
	MvErrorPrivate *priv;

	if (error == NULL)
		return;
	if (*error == NULL)
		*error = g_error_new_literal (MV_ERROR, MV_ERROR_INVALID_INPUT, "invalid input");
	priv = private_of (*error);
	if (priv == NULL)
		return;
	if (priv->problems == NULL)
		priv->problems = g_ptr_array_new_with_free_func (problem_free);
	g_ptr_array_add (priv->problems, problem_new (field, code, message, message_zh));
	g_free ((*error)->message);
	(*error)->message = join_problems (priv->problems, FALSE);
	g_free (priv->message_zh);
	priv->message_zh = join_problems (priv->problems, TRUE);
}

guint
mv_error_get_n_problems (const GError *error)
{
	MvErrorPrivate *priv = private_of (error);

	return priv != NULL && priv->problems != NULL ? priv->problems->len : 0;
}

const MvErrorProblem *
mv_error_get_problem (const GError *error, guint index)
{
	MvErrorPrivate *priv = private_of (error);

	if (priv == NULL || priv->problems == NULL || index >= priv->problems->len)
		return NULL;
	return g_ptr_array_index (priv->problems, index);
}

void
mv_error_set_message_zh (GError *error, const gchar *message_zh)
{
	MvErrorPrivate *priv = private_of (error);

	if (priv == NULL)
		return;
	g_free (priv->message_zh);
	priv->message_zh = g_strdup (message_zh);
}

const gchar *
mv_error_get_message_zh (const GError *error)
{
	MvErrorPrivate *priv = private_of (error);

	return priv != NULL ? priv->message_zh : NULL;
}

void
mv_set_error_bilingual (GError **error, MvError code, const gchar *message, const gchar *message_zh)
{
	GError *made;

	if (error == NULL)
		return;
	made = g_error_new_literal (MV_ERROR, code, message);
	mv_error_set_message_zh (made, message_zh);
	g_propagate_error (error, made);
}

static const gchar *const error_names[MV_ERROR_LAST] = {
	[MV_ERROR_FAILED] = "failed",
	[MV_ERROR_MALFORMED] = "malformed",
	[MV_ERROR_INVALID_INPUT] = "invalid-input",
	[MV_ERROR_NOT_FOUND] = "not-found",
	[MV_ERROR_NOT_ALLOWED] = "not-allowed",
	[MV_ERROR_TOO_LARGE] = "too-large",
	[MV_ERROR_UNSUPPORTED_MEDIA] = "unsupported-media-type",
	[MV_ERROR_TIMED_OUT] = "timed-out",
	[MV_ERROR_UNAVAILABLE] = "unavailable",
	[MV_ERROR_UNAUTHORIZED] = "unauthorized",
	[MV_ERROR_FORBIDDEN] = "forbidden",
	[MV_ERROR_CONFLICT] = "conflict",
	[MV_ERROR_RATE_LIMITED] = "rate-limited",
	[MV_ERROR_INTEGRITY] = "integrity",
	[MV_ERROR_PRECONDITION_FAILED] = "precondition-failed",
	[MV_ERROR_PRECONDITION_REQUIRED] = "precondition-required",
	[MV_ERROR_LENGTH_REQUIRED] = "length-required",
	[MV_ERROR_RESPONSE_TOO_LARGE] = "response-too-large",
	[MV_ERROR_REQUEST_TIMEOUT] = "request-timeout",
	[MV_ERROR_HEADERS_TOO_LARGE] = "headers-too-large",
	[MV_ERROR_INSUFFICIENT_RESOURCES] = "insufficient-resources",
	[MV_ERROR_PLUGIN_CRASHED] = "plugin-crashed",
	[MV_ERROR_PLUGIN_DISABLED] = "plugin-disabled",
};

const gchar *
mv_error_to_string (MvError code)
{
	if ((guint)code >= MV_ERROR_LAST)
		return "failed";
	return error_names[code];
}
