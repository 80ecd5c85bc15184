#include "mvt-load.h"

#include <criterion/criterion.h>

#include "mvt-http.h"

struct _MvtLoad {
	gchar *url;
	gint stop; /* atomic */
	guint sent;
	guint failed;
	GString *failures;
	GThread *thread;
};

static void
load_expect (MvtLoad *load, MvtResponse *resp, GError *error, const gchar *what)
{
	load->sent++;
	if (resp != NULL && resp->status == 200)
		return;
	load->failed++;
	g_string_append_printf (load->failures, "%s: %s\n", what,
				resp != NULL ? resp->body : error->message);
}

static gpointer
load_run (gpointer data)
{
	MvtLoad *load = data;

	while (!g_atomic_int_get (&load->stop)) {
		g_autoptr (GError) e1 = NULL;
		g_autoptr (GError) e2 = NULL;
		g_autoptr (MvtResponse) bmi = mvt_http_try (
			load->url, "POST", "/v1/plugins/bmi/Compute", "application/json",
			"{\"weight_kg\":70,\"height_cm\":175}", -1, &e1);
		g_autoptr (MvtResponse) health
			= mvt_http_try (load->url, "GET", "/healthz", NULL, NULL, 0, &e2);

		load_expect (load, bmi, e1, "bmi.Compute");
		load_expect (load, health, e2, "/healthz");
		g_usleep (5000);
	}
	return NULL;
}

MvtLoad *
mvt_load_start (const gchar *url)
{
	MvtLoad *load = g_new0 (MvtLoad, 1);

	load->url = g_strdup (url);
	load->failures = g_string_new (NULL);
	load->thread = g_thread_new ("load", load_run, load);
	return load;
}

void
mvt_load_finish (MvtLoad *load)
{
	g_atomic_int_set (&load->stop, 1);
	g_thread_join (load->thread);
	cr_assert_gt (load->sent, 4, "the load sent only %u requests", load->sent);
	cr_assert_eq (load->failed, 0, "%u of %u load requests failed:\n%s", load->failed,
		      load->sent, load->failures->str);
	g_string_free (load->failures, TRUE);
	g_free (load->url);
	g_free (load);
}
