/*
 * Health that tells the truth (issue 9): the real daemon when its disk fills up, when a plugin's
 * workers all hang, and what PostgreSQL's own log keeps.
 *
 *   - disk full: the embedded cluster's data dir on a small tmpfs (in a mount namespace of the
 *     test's own, so the mount goes away with the test whatever happens), the rest of it filled
 *     with a file: a write is 503 with Retry-After and /readyz is 503; once the file is gone
 *     the daemon is ready again by itself, writes succeed, and every write acknowledged before
 *     is still there.  Skipped (exit 77) where the test may not mount (not root).
 *   - wedged pool: both workers of a plugin hang past their time limit, ignoring cancellation:
 *     /readyz is 503 naming it, and the systemd watchdog, fed while the daemon idles, stops
 *     being fed.
 *   - pg.log: duplicate-MRN creates and updates leave no blind index (and no unique violation
 *     at all) in PostgreSQL's log.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "mvt.h"

#define JSON "application/json"
/* big enough for initdb, the migrations and a WAL segment or two */
#define TMPFS_SIZE "96m"

int
main (int argc, char **argv)
{
	static const gchar *const none[] = { NULL };
	MvtOptions options = { .good_plugins = none, .bad_plugins = none };
	return mvt_main (argc, argv, &options);
}

/* the daemon of the running test and its tmpfs; cleaned up by fini() whether the test passed
 * or not, since a failed assertion leaves the test function without running its cleanups */
static MvtEnv *current_env;
static gboolean mounted;

static void
fini (void)
{
	if (current_env != NULL && current_env->daemon_pid > 0 && !current_env->daemon_exited) {
		g_autoptr (GError) error = NULL;
		if (!mvt_daemon_stop (current_env, &error))
			g_printerr ("test-health: stopping the daemon: %s\n", error->message);
	}
	/* lazily: whatever still holds a file there, the mount point is free for rm -rf */
	if (mounted && umount2 (current_env->data_dir, MNT_DETACH) != 0)
		g_printerr ("test-health: umount %s: %s\n", current_env->data_dir,
			    g_strerror (errno));
	mounted = FALSE;
	g_clear_pointer (&current_env, mvt_env_free);
}

static MvtEnv *
spawn_daemon (MvtEnv *env)
{
	g_autoptr (GError) error = NULL;

	cr_assert (mvt_bus_start (env, &error), "%s", error != NULL ? error->message : "");
	cr_assert (mvt_daemon_spawn (env, &error), "%s", error != NULL ? error->message : "");
	cr_assert (mvt_daemon_wait_ready (env, 90000, &error), "%s\n%s",
		   error != NULL ? error->message : "", mvt_read_log (env));
	return env;
}

typedef struct {
	const gchar *url;
	const gchar *path;
	guint status;
} ReadyWait;

static gboolean
readyz_is (gpointer data)
{
	ReadyWait *w = data;
	g_autoptr (MvtResponse) resp = mvt_http_try (w->url, "GET", w->path, NULL, NULL, 0, NULL);
	return resp != NULL && resp->status == w->status;
}

/* ---- disk full ---------------------------------------------------------------------------- */

/* A mount namespace of this test process's own (the daemon and its PostgreSQL, forked from it,
 * share it): the tmpfs disappears with the last of them, even if the test is killed.  FALSE
 * when this process may not do that (not root). */
static gboolean
mount_tmpfs (const gchar *dir, gchar **why)
{
	if (unshare (CLONE_NEWNS) != 0) {
		*why = g_strdup_printf ("unshare(CLONE_NEWNS): %s", g_strerror (errno));
		return FALSE;
	}
	if (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
		*why = g_strdup_printf ("making / private: %s", g_strerror (errno));
		return FALSE;
	}
	if (mount ("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV, "size=" TMPFS_SIZE ",mode=0711")
	    != 0) {
		*why = g_strdup_printf ("mount -t tmpfs %s: %s", dir, g_strerror (errno));
		return FALSE;
	}
	return TRUE;
}

/* fills what is left of the file system of @path's directory */
static void
fill (const gchar *path)
{
	static const gchar block[64 * 1024] = { 1 };
	struct statvfs st;
	int fd = open (path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);

	cr_assert_geq (fd, 0, "%s: %s", path, g_strerror (errno));
	cr_assert_eq (fstatvfs (fd, &st), 0);
	g_printerr ("disk: a tmpfs of %lu MB, %lu MB free before the filler\n",
		    (gulong)(st.f_blocks * st.f_frsize >> 20),
		    (gulong)(st.f_bavail * st.f_frsize >> 20));
	/* appended until the file system refuses */
	while (write (fd, block, sizeof block) > 0)
		;
	close (fd);
	cr_assert_eq (statvfs (path, &st), 0);
	cr_assert_eq (st.f_bavail, 0, "%lu blocks still free", (gulong)st.f_bavail);
}

/* a patient with @notes_len characters of notes: a sealed record of some kilobytes, so writes
 * soon need new pages */
static gchar *
patient_body (const gchar *mrn, gsize notes_len)
{
	g_autofree gchar *notes = g_strnfill (notes_len, 'n');
	return g_strdup_printf ("{\"mrn\":\"%s\",\"name\":{\"given\":\"disk\"},\"notes\":\"%s\"}",
				mrn, notes);
}

static MvtResponse *
create_patient (MvtEnv *env, const MvtClinic *clinic, const gchar *mrn)
{
	g_autofree gchar *body = patient_body (mrn, 12000);
	return mvt_http_with_token (env->url, "POST", "/v1/patients", JSON, body, -1,
				    clinic->clinician);
}

typedef struct {
	gchar *id;
	gchar *mrn;
} Acked;

static void
acked_free (gpointer data)
{
	Acked *a = data;
	g_free (a->id);
	g_free (a->mrn);
	g_free (a);
}

static void
ack (GPtrArray *acked, MvtResponse *resp, const gchar *mrn)
{
	Acked *a = g_new0 (Acked, 1);
	a->id = g_strdup (mvt_str (resp, "id"));
	a->mrn = g_strdup (mrn);
	cr_assert_not_null (a->id, "%s", resp->body);
	g_ptr_array_add (acked, a);
}

/* Fills the disk under a running daemon and checks what clients see until the space is back.
 * @wal_first: first a write that needs a new WAL segment (after pg_switch_wal()) which the disk
 * cannot hold: PostgreSQL PANICs, its crash recovery fails for the same reason and it shuts
 * down; the daemon's writes are then 503 unavailable, and it must start PostgreSQL again once
 * there is room.  Otherwise the first write that needs a new page fails with 53100 (503
 * insufficient-resources) and PostgreSQL carries on. */
static void
disk_full_scenario (gboolean wal_first)
{
	g_auto (MvtClinic) clinic = { 0 };
	g_autoptr (GPtrArray) acked = g_ptr_array_new_with_free_func (acked_free);
	g_autoptr (MvtResponse) refused = NULL;
	g_autoptr (MvtResponse) after = NULL;
	g_autofree gchar *why = NULL;
	g_autofree gchar *filler = NULL;
	g_autoptr (GError) error = NULL;
	ReadyWait red, green;
	guint n = 0;

	current_env = mvt_env_new ();
	cr_assert_eq (g_mkdir (current_env->data_dir, 0711), 0);
	if (!mount_tmpfs (current_env->data_dir, &why))
		cr_skip_test ("cannot mount a tmpfs for the data dir: %s", why);
	mounted = TRUE;
	{
		const gchar *const plugins[] = { NULL };
		MvtOptions options = { .good_plugins = plugins };
		mvt_env_prepare (current_env, &options);
	}
	spawn_daemon (current_env);
	mvt_clinic_make (current_env->url, current_env->data_dir, &clinic);

	/* acknowledged before the disk fills */
	for (guint i = 0; i < 5; i++) {
		g_autofree gchar *mrn = g_strdup_printf ("DISK-BEFORE-%u", i);
		g_autoptr (MvtResponse) resp = create_patient (current_env, &clinic, mrn);
		cr_assert_eq (resp->status, 201, "%s", resp->body);
		ack (acked, resp, mrn);
	}

	filler = g_build_filename (current_env->data_dir, "filler", NULL);
	fill (filler);
	if (wal_first) {
		/* a write that fits its page (the heap needs no space) but starts a WAL segment */
		g_autoptr (PGconn) conn = mvt_db_connect (current_env->data_dir);
		g_autofree gchar *lsn
			= mvt_db_value (conn, "SELECT pg_switch_wal()::text", 0, NULL);
		PGresult *res = PQexec (conn, "UPDATE installation SET created_at = created_at");

		g_printerr ("disk: switched WAL at %s; the next write: %s\n", lsn,
			    PQresultStatus (res) == PGRES_COMMAND_OK ? "committed"
								     : PQerrorMessage (conn));
		cr_assert_neq (PQresultStatus (res), PGRES_COMMAND_OK,
			       "a WAL segment was written on a full disk");
		PQclear (res);
	}

	/* writes go on until one needs space it cannot have: a new page (53100 "could not extend
	 * file"), or a new WAL segment, which PostgreSQL cannot survive (PANIC: the connection
	 * is lost, the server stops; 503 unavailable) */
	for (n = 0; n < 400 && refused == NULL; n++) {
		g_autofree gchar *mrn = g_strdup_printf ("DISK-FULL-%u", n);
		g_autoptr (MvtResponse) resp = create_patient (current_env, &clinic, mrn);
		if (resp->status == 201)
			ack (acked, resp, mrn);
		else
			refused = g_steal_pointer (&resp);
	}
	cr_assert_not_null (refused, "400 writes on a full disk, all acknowledged");
	g_printerr ("disk: refused after %u more write(s): %u %s\n", n - 1, refused->status,
		    mvt_error_code (refused));
	cr_assert_eq (refused->status, 503, "%s", refused->body);
	/* out of space for a page: insufficient-resources.  After the WAL PANIC, PostgreSQL is
	 * either still gone (unavailable) or already back from a crash recovery that fit in the
	 * space the failed segment left, and the next write, which needs new pages in several
	 * tables, runs out of room for them (insufficient-resources): which one comes first is a
	 * race with the daemon's restart of the cluster, and both are correct answers */
	if (wal_first)
		cr_assert (
			g_str_equal (mvt_error_code (refused), "unavailable")
				|| g_str_equal (mvt_error_code (refused), "insufficient-resources"),
			"%s", refused->body);
	else
		cr_assert_str_eq (mvt_error_code (refused), "insufficient-resources");
	cr_assert_not_null (refused->retry_after, "503 without Retry-After");
	cr_assert_gt (atoi (refused->retry_after), 0);
	/* nothing internal: no file name, no SQL */
	cr_assert_null (strstr (refused->body, "base/"), "%s", refused->body);
	cr_assert_null (strstr (refused->body, "pg_wal"), "%s", refused->body);
	cr_assert_null (strstr (refused->body, "INSERT"), "%s", refused->body);

	red = (ReadyWait){ current_env->url, "/readyz", 503 };
	cr_assert (mvt_wait_until (readyz_is, &red, 30000), "/readyz is not 503 on a full disk");
	/* still red a while later: no write has succeeded */
	g_usleep (6 * G_USEC_PER_SEC);
	cr_assert (readyz_is (&red), "/readyz turned green while the disk is still full");

	/* space returns: ready again by itself (a write probe succeeds, or the cluster is started
	 * again), then writes succeed */
	cr_assert_eq (g_unlink (filler), 0);
	green = (ReadyWait){ current_env->url, "/readyz", 200 };
	cr_assert (mvt_wait_until (readyz_is, &green, 120000),
		   "/readyz is not 200 once the space is back\n%s", mvt_read_log (current_env));
	after = create_patient (current_env, &clinic, "DISK-AFTER");
	cr_assert_eq (after->status, 201, "%s", after->body);
	ack (acked, after, "DISK-AFTER");

	/* every acknowledged write is there */
	for (guint i = 0; i < acked->len; i++) {
		const Acked *a = g_ptr_array_index (acked, i);
		g_autofree gchar *path = g_strdup_printf ("/v1/patients/%s", a->id);
		g_autoptr (MvtResponse) read = mvt_http_with_token (
			current_env->url, "GET", path, NULL, NULL, 0, clinic.clinician);
		JsonObject *profile;

		cr_assert_eq (read->status, 200, "acknowledged patient %s (%s): %u %s", a->id,
			      a->mrn, read->status, read->body);
		profile = json_object_get_object_member (json_node_get_object (read->json),
							 "profile");
		cr_assert_str_eq (json_object_get_string_member (profile, "mrn"), a->mrn);
	}
	g_printerr ("disk: %u acknowledged writes read back\n", acked->len);
	cr_assert (mvt_daemon_stop (current_env, &error), "%s",
		   error != NULL ? error->message : "");
}

Test (disk,
      a_full_disk_is_503_and_not_ready_until_space_returns_and_nothing_is_lost,
      .timeout = 400,
      .fini = fini)
{
	disk_full_scenario (FALSE);
}

Test (disk, a_full_disk_at_a_wal_segment_is_survived_too, .timeout = 400, .fini = fini)
{
	disk_full_scenario (TRUE);
}

/* ---- a wedged worker pool and the systemd watchdog ----------------------------------------- */

/* a probe.Hang far past the time limit, ignoring cancellation */
static MvtBackgroundPost *
hang (const gchar *url, const gchar *marker)
{
	g_autofree gchar *body = g_strdup_printf ("{\"ms\":40000,\"marker\":\"%s\"}", marker);
	return mvt_background_post (url, "/v1/plugins/probe/Hang", body);
}

Test (pool, a_wedged_pool_makes_readyz_red_and_starves_the_watchdog, .timeout = 180, .fini = fini)
{
	const gchar *const plugins[] = { "probe.so", NULL };
	MvtOptions options = {
		.good_plugins = plugins,
		.config = "[plugins]\nworker-threads=2\ncall-timeout-ms=500\n"
			  "[daemon]\nshutdown-timeout-ms=2000\n",
	};
	const gchar *const watchdog_env[] = { "WATCHDOG_USEC=2000000", NULL };
	g_autoptr (MvtNotify) notify = NULL;
	g_autoptr (MvtResponse) red = NULL;
	g_autoptr (MvtResponse) other = NULL;
	g_autofree gchar *marker_a = NULL;
	g_autofree gchar *marker_b = NULL;
	g_autofree gchar *line = NULL;
	g_autoptr (GError) error = NULL;
	MvtBackgroundPost *a, *b;
	ReadyWait wait_red;
	guint idle_feeds, wedged_feeds;

	if (g_strcmp0 (mvt_getenv ("MVT_HAVE_SYSTEMD"), "1") != 0)
		cr_skip_test ("medversed was built without libsystemd (-Dsystemd=disabled)");
	current_env = mvt_env_new ();
	mvt_env_prepare (current_env, &options);
	current_env->notify_socket = g_build_filename (current_env->root, "notify", NULL);
	current_env->daemon_env = g_strdupv ((gchar **)watchdog_env);
	notify = mvt_notify_new (current_env->notify_socket);
	spawn_daemon (current_env);

	/* idle: fed every half interval */
	idle_feeds = mvt_notify_count (notify, current_env->daemon_pid, "WATCHDOG=1", 3000);
	cr_assert_geq (idle_feeds, 2, "an idle daemon fed the watchdog %u time(s) in 3 s",
		       idle_feeds);

	/* both workers of probe hang, far past their 500 ms limit */
	marker_a = g_build_filename (current_env->root, "hang-a", NULL);
	marker_b = g_build_filename (current_env->root, "hang-b", NULL);
	a = hang (current_env->url, marker_a);
	b = hang (current_env->url, marker_b);
	cr_assert (mvt_wait_for_file (marker_a, 30000) && mvt_wait_for_file (marker_b, 30000),
		   "the hung calls did not start");

	/* wedged once both are a further time limit past their deadline: not ready */
	wait_red = (ReadyWait){ current_env->url, "/readyz", 503 };
	cr_assert (mvt_wait_until (readyz_is, &wait_red, 20000), "/readyz stayed green");
	red = mvt_http (current_env->url, "GET", "/readyz", NULL, NULL, 0);
	mvt_assert_error (red, 503, "unavailable");
	cr_assert_not_null (red->retry_after);
	/* the body names the plugin, and so does the log */
	cr_assert_not_null (strstr (red->body, "wedged plugin(s): probe (2 of 2"), "%s", red->body);
	line = mvt_log_wait_line (current_env->log_path, "wedged plugin(s): probe (2 of 2", 10000);
	cr_assert_not_null (line, "no log line naming the wedged plugin");
	/* the rest of the daemon still answers */
	other = mvt_http (current_env->url, "POST", "/v1/plugins/bmi/Compute", JSON,
			  "{\"weight_kg\":70,\"height_cm\":175}", -1);
	cr_assert_eq (other->status, 200, "%s", other->body);

	/* a whole interval without a finished call while calls are overdue: no more WATCHDOG=1,
	 * so systemd would restart the daemon */
	g_clear_pointer (&line, g_free);
	line = mvt_log_wait_line (current_env->log_path, "not feeding the systemd watchdog", 20000);
	cr_assert_not_null (line, "the daemon kept feeding the watchdog");
	mvt_notify_drain (notify);
	wedged_feeds = mvt_notify_count (notify, current_env->daemon_pid, "WATCHDOG=1", 3000);
	cr_assert_eq (wedged_feeds, 0, "WATCHDOG=1 sent %u time(s) while wedged", wedged_feeds);
	g_printerr ("pool: %u feeds in 3 s idle, %u in 3 s wedged; %s\n", idle_feeds, wedged_feeds,
		    line);

	cr_assert (mvt_daemon_stop (current_env, &error), "%s",
		   error != NULL ? error->message : "");
	/* their answers do not matter here: the daemon stops under them */
	mvt_response_free (mvt_background_post_finish (a));
	mvt_response_free (mvt_background_post_finish (b));
}

/* ---- PostgreSQL's log keeps no blind index ------------------------------------------------- */

static gchar *
patch_mrn (const MvtClinic *clinic, const gchar *id, const gchar *mrn)
{
	g_autofree gchar *path = g_strdup_printf ("/v1/patients/%s", id);
	g_autofree gchar *body = g_strdup_printf ("{\"mrn\":\"%s\"}", mrn);
	g_autofree gchar *auth = g_strdup_printf ("Bearer %s", clinic->clinician);
	const gchar *const headers[] = { "Authorization", auth, "If-Match", "\"1\"", NULL };
	g_autoptr (MvtResponse) resp
		= mvt_http_with_headers (mvt_shared_url (), "PATCH", path, JSON, body, -1, headers);
	return g_strdup_printf ("%u %s", resp->status, mvt_error_code (resp));
}

Test (pglog, duplicate_mrns_leave_no_blind_index_in_postgresqls_log, .timeout = 120)
{
	g_auto (MvtClinic) clinic = { 0 };
	g_autofree gchar *first = NULL;
	g_autofree gchar *second = NULL;
	g_autofree gchar *log_path = NULL;
	g_autofree gchar *log = NULL;
	g_autoptr (PGconn) conn = NULL;
	g_autofree gchar *index = NULL;
	const gchar *values[1];

	mvt_clinic_make (mvt_shared_url (), mvt_shared_data_dir (), &clinic);
	for (guint i = 0; i < 2; i++) {
		g_autofree gchar *body = g_strdup_printf (
			"{\"mrn\":\"PGLOG-%u\",\"name\":{\"given\":\"log\"}}", i);
		g_autoptr (MvtResponse) resp
			= mvt_http_with_token (mvt_shared_url (), "POST", "/v1/patients", JSON,
					       body, -1, clinic.clinician);
		cr_assert_eq (resp->status, 201, "%s", resp->body);
		if (i == 0)
			first = g_strdup (mvt_str (resp, "id"));
		else
			second = g_strdup (mvt_str (resp, "id"));
	}
	/* duplicates: three creates and two updates, each 409 */
	for (guint i = 0; i < 3; i++) {
		g_autoptr (MvtResponse) dup = mvt_http_with_token (
			mvt_shared_url (), "POST", "/v1/patients", JSON,
			"{\"mrn\":\"PGLOG-0\",\"name\":{\"given\":\"again\"}}", -1,
			clinic.clinician);
		mvt_assert_error (dup, 409, "conflict");
		cr_assert (strstr (mvt_error_message (dup), "mrn:") != NULL, "%s", dup->body);
	}
	for (guint i = 0; i < 2; i++) {
		g_autofree gchar *outcome = patch_mrn (&clinic, second, "PGLOG-0");
		cr_assert_str_eq (outcome, "409 conflict");
	}

	conn = mvt_db_connect (mvt_shared_data_dir ());
	values[0] = first;
	index = mvt_db_single (conn, "SELECT mrn_index FROM patients WHERE patient_id = $1", 1,
			       values);
	cr_assert_eq (strlen (index), 64);
	log_path = g_build_filename (mvt_shared_data_dir (), "pg.log", NULL);
	cr_assert (g_file_get_contents (log_path, &log, NULL, NULL), "no %s", log_path);
	cr_assert_null (strstr (log, index), "pg.log holds the blind index");
	cr_assert_null (strstr (log, "mrn_index"), "pg.log names mrn_index");
	cr_assert_null (strstr (log, "duplicate key"), "a unique violation was raised");
	cr_assert_null (strstr (log, "PGLOG-"), "pg.log holds an MRN");
}
