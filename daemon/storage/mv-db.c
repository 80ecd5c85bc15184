/*
 * A small thread-safe pool of libpq connections.
 *
 * One mutex guards the idle queue and the count of open connections; connecting and
 * checking happen outside it, so a slow connect never blocks releases or other acquires.
 */
#include "mv-db.h"

#include <errno.h>
#include <poll.h>
#include <string.h>

#include <medverse/mv-error.h>

#include "mv-log-limit.h"
#include "mv-migrate.h"

#define MV_DB_DEFAULT_ACQUIRE_TIMEOUT_MS 5000
#define MV_DB_CHECK_READY_TIMEOUT_MS 1000
/* a deadlock or serialization failure is retried this many times, after 10-20 ms, 20-40 ms,
 * 40-80 ms: enough for the competing transaction to finish, short next to a request */
#define MV_DB_TRANSACTION_RETRIES 3
#define MV_DB_RETRY_BASE_MS 10
/* after a class-53 failure, /readyz writes at most one probe this often and answers with the
 * last probe's outcome in between: a storm of probes must not add load to a full database */
#define MV_DB_PROBE_INTERVAL_US (5 * G_TIME_SPAN_SECOND)

struct _MvDb {
	gchar *conninfo; /* may hold a password: never logged */
	guint max_connections;
	gint64 acquire_timeout_ms;
	GMutex mutex;
	GCond cond;
	GQueue idle; /* of PGconn* */
	guint n_open;
	gboolean outage_logged; /* the reason of the current outage is in the log */
	/* a statement failed for lack of a resource (SQLSTATE class 53); cleared by the first
	 * write probe that succeeds (mv_db_check_ready) */
	gboolean exhausted;
	gint64 last_probe_us;
	gchar *last_probe_failure; /* the SQLSTATE-bearing reason of the last failed probe */
};

static gboolean take_thread_exhausted (void);

MvDb *
mv_db_new (const gchar *conninfo, guint max_connections, GError **error)
{
	PQconninfoOption *opts;
	gchar *errmsg = NULL;
	MvDb *self;

	g_return_val_if_fail (conninfo != NULL, NULL);
	g_return_val_if_fail (error == NULL || *error == NULL, NULL);

	if (max_connections == 0) {
		g_set_error_literal (error, MV_ERROR, MV_ERROR_INVALID_INPUT,
				     "database pool size must be at least 1");
		return NULL;
	}
	opts = PQconninfoParse (conninfo, &errmsg);
	if (opts == NULL) {
		/* libpq's message names the bad keyword, not the value */
		g_set_error (error, MV_ERROR, MV_ERROR_INVALID_INPUT,
			     "invalid database connection string: %s",
			     errmsg != NULL ? g_strstrip (errmsg) : "out of memory");
		PQfreemem (errmsg);
		return NULL;
	}
	PQconninfoFree (opts);

	self = g_new0 (MvDb, 1);
	self->conninfo = g_strdup (conninfo);
	self->max_connections = max_connections;
	self->acquire_timeout_ms = MV_DB_DEFAULT_ACQUIRE_TIMEOUT_MS;
	g_mutex_init (&self->mutex);
	g_cond_init (&self->cond);
	g_queue_init (&self->idle);
	return self;
}

void
mv_db_free (MvDb *self)
{
	PGconn *conn;

	if (self == NULL)
		return;
	if (self->n_open != self->idle.length)
		g_critical ("database pool freed with %u connection(s) still acquired",
			    self->n_open - self->idle.length);
	while ((conn = g_queue_pop_head (&self->idle)) != NULL)
		PQfinish (conn);
	g_mutex_clear (&self->mutex);
	g_cond_clear (&self->cond);
	g_free (self->conninfo);
	g_free (self->last_probe_failure);
	g_free (self);
}

void
mv_db_set_acquire_timeout (MvDb *self, gint64 timeout_ms)
{
	g_return_if_fail (self != NULL);
	g_mutex_lock (&self->mutex);
	self->acquire_timeout_ms = timeout_ms;
	g_mutex_unlock (&self->mutex);
}

void
mv_db_get_stats (MvDb *self, guint *n_open, guint *n_idle)
{
	g_return_if_fail (self != NULL);
	g_mutex_lock (&self->mutex);
	if (n_open != NULL)
		*n_open = self->n_open;
	if (n_idle != NULL)
		*n_idle = self->idle.length;
	g_mutex_unlock (&self->mutex);
}

/* An idle connection has nothing to read: we LISTEN to nothing, so anything the server sends
 * unasked is the FATAL message and end-of-file of a shutdown, a terminated backend or an idle
 * timeout.  A readable socket therefore means "drop it"; no round trip to the server. */
static gboolean
conn_alive (PGconn *conn)
{
	struct pollfd pfd = { .fd = PQsocket (conn), .events = POLLIN };
	gint r;

	if (PQstatus (conn) != CONNECTION_OK || pfd.fd < 0
	    || PQtransactionStatus (conn) != PQTRANS_IDLE)
		return FALSE;
	do
		r = poll (&pfd, 1, 0);
	while (r < 0 && errno == EINTR);
	return r == 0;
}

/* libpq prints notices on stderr by default; the daemon's output is its log */
static void
notice_to_debug (void *arg, const char *message)
{
	g_autofree gchar *msg = g_strdup (message);
	g_debug ("PostgreSQL: %s", g_strstrip (msg));
}

/* The reason libpq gives names the host or socket path: it goes to the log, once an outage,
 * never to a caller (an HTTP client gets the error message). */
static void
note_reachable (MvDb *self, gboolean reachable, const gchar *reason)
{
	gboolean log;

	g_mutex_lock (&self->mutex);
	log = self->outage_logged == reachable;
	self->outage_logged = !reachable;
	g_mutex_unlock (&self->mutex);
	if (log && reachable)
		g_message ("the database is reachable again");
	else if (log)
		g_warning ("the database is unreachable: %s", reason);
}

static PGconn *
conn_open (MvDb *self, GError **error)
{
	/* keywords are processed in order and the expanded conninfo comes last, so the
	 * caller's string overrides these defaults.  Keepalives and the TCP user timeout make
	 * a vanished server (network partition) an error within about a minute instead of a
	 * query blocked forever; they do not limit slow queries.  Unix sockets ignore them. */
	const gchar *const keys[] = { "connect_timeout",  "fallback_application_name",
				      "keepalives_idle",  "keepalives_interval",
				      "keepalives_count", "tcp_user_timeout",
				      "dbname",		  NULL };
	const gchar *const values[]
		= { "2", "medversed", "30", "10", "3", "30000", self->conninfo, NULL };
	PGconn *conn = PQconnectdbParams (keys, values, 1);
	g_autofree gchar *msg = NULL;

	if (conn != NULL && PQstatus (conn) == CONNECTION_OK) {
		PQsetNoticeProcessor (conn, notice_to_debug, NULL);
		note_reachable (self, TRUE, NULL);
		return conn;
	}
	/* libpq's message names the host or socket and the reason, never the password */
	msg = g_strdup (conn != NULL ? PQerrorMessage (conn) : "out of memory");
	PQfinish (conn);
	note_reachable (self, FALSE, g_strstrip (msg));
	g_set_error_literal (error, MV_ERROR, MV_ERROR_UNAVAILABLE, MV_DB_UNAVAILABLE_MESSAGE);
	return NULL;
}

PGconn *
mv_db_acquire (MvDb *self, gint64 timeout_ms, GError **error)
{
	gint64 deadline;

	g_return_val_if_fail (self != NULL, NULL);
	g_return_val_if_fail (error == NULL || *error == NULL, NULL);

	deadline = g_get_monotonic_time () + timeout_ms * G_TIME_SPAN_MILLISECOND;
	g_mutex_lock (&self->mutex);
	for (;;) {
		PGconn *conn = g_queue_pop_head (&self->idle);
		if (conn != NULL) {
			g_mutex_unlock (&self->mutex);
			if (conn_alive (conn))
				return conn;
			/* reuse its slot for a fresh connection */
			g_debug ("dropping a broken database connection from the pool");
			PQfinish (conn);
			break;
		}
		if (self->n_open < self->max_connections) {
			self->n_open++;
			g_mutex_unlock (&self->mutex);
			break;
		}
		if (timeout_ms < 0) {
			g_cond_wait (&self->cond, &self->mutex);
		} else if (!g_cond_wait_until (&self->cond, &self->mutex, deadline)) {
			guint max = self->max_connections;
			g_mutex_unlock (&self->mutex);
			g_set_error (error, MV_ERROR, MV_ERROR_UNAVAILABLE,
				     "the database is busy: all %u connections stayed busy for "
				     "%" G_GINT64_FORMAT " ms; retry later",
				     max, timeout_ms);
			return NULL;
		}
	}

	/* we own one slot of n_open: fill it or give it back */
	{
		PGconn *conn = conn_open (self, error);
		if (conn != NULL)
			return conn;
		g_mutex_lock (&self->mutex);
		self->n_open--;
		g_cond_signal (&self->cond);
		g_mutex_unlock (&self->mutex);
		return NULL;
	}
}

gboolean
mv_db_wait_reachable (MvDb *self, gint64 timeout_ms, GError **error)
{
	gint64 deadline;

	g_return_val_if_fail (self != NULL, FALSE);
	g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

	deadline = g_get_monotonic_time () + timeout_ms * G_TIME_SPAN_MILLISECOND;
	for (;;) {
		g_autoptr (GError) error_local = NULL;
		gint64 left_ms = (deadline - g_get_monotonic_time ()) / G_TIME_SPAN_MILLISECOND;
		PGconn *conn = mv_db_acquire (self, MAX (left_ms, 0), &error_local);
		if (conn != NULL) {
			mv_db_release (self, conn);
			return TRUE;
		}
		if (g_get_monotonic_time () + 250 * G_TIME_SPAN_MILLISECOND >= deadline) {
			g_propagate_error (error, g_steal_pointer (&error_local));
			return FALSE;
		}
		g_usleep (250 * G_TIME_SPAN_MILLISECOND);
	}
}

/* A statement on a connection of this pool failed for lack of a resource: /readyz stays red
 * until a write probe succeeds (mv_db_check_ready()). */
static void
note_exhausted (MvDb *self)
{
	gboolean news;

	g_mutex_lock (&self->mutex);
	news = !self->exhausted;
	self->exhausted = TRUE;
	g_mutex_unlock (&self->mutex);
	if (news)
		g_warning ("the database ran out of a resource; not ready until a write probe "
			   "succeeds again");
}

void
mv_db_release (MvDb *self, PGconn *conn)
{
	gboolean reuse;

	g_return_if_fail (self != NULL);
	/* the connection was this thread's alone since it was acquired, so a class-53 failure
	 * this thread saw since was on it */
	if (take_thread_exhausted ())
		note_exhausted (self);
	if (conn == NULL)
		return;
	reuse = PQstatus (conn) == CONNECTION_OK && PQtransactionStatus (conn) == PQTRANS_IDLE;
	if (!reuse)
		PQfinish (conn);
	g_mutex_lock (&self->mutex);
	if (reuse)
		g_queue_push_head (&self->idle, conn);
	else
		self->n_open--;
	g_cond_signal (&self->cond);
	g_mutex_unlock (&self->mutex);
}

/* The SQLSTATE of the last error mv_db_exec_params() set on this thread, with the GError it
 * went into: a GError has no room for it, and a connection is used by one thread at a time, so
 * the thread that gets the error is the one that asks (mv_db_error_get_sqlstate()). */
typedef struct {
	const GError *error;
	gint code;
	gchar sqlstate[6];
	/* a statement failed with SQLSTATE class 53 since the last mv_db_release() */
	gboolean exhausted;
} LastError;

static GPrivate last_error_key = G_PRIVATE_INIT (g_free);

static LastError *
last_error (void)
{
	LastError *last = g_private_get (&last_error_key);
	if (last == NULL) {
		last = g_new0 (LastError, 1);
		g_private_set (&last_error_key, last);
	}
	return last;
}

static void
last_error_set (GError **error, const gchar *sqlstate)
{
	LastError *last = last_error ();

	last->error = error != NULL ? *error : NULL;
	last->code = last->error != NULL ? last->error->code : 0;
	g_strlcpy (last->sqlstate, sqlstate != NULL ? sqlstate : "", sizeof last->sqlstate);
}

static gboolean
take_thread_exhausted (void)
{
	LastError *last = g_private_get (&last_error_key);
	gboolean exhausted = last != NULL && last->exhausted;

	if (exhausted)
		last->exhausted = FALSE;
	return exhausted;
}

const gchar *
mv_db_error_get_sqlstate (const GError *error)
{
	LastError *last = g_private_get (&last_error_key);

	if (error == NULL || last == NULL || last->error != error || last->code != error->code
	    || !g_error_matches (error, MV_ERROR, error->code) || last->sqlstate[0] == '\0')
		return NULL;
	return last->sqlstate;
}

static MvError
error_code_for (PGconn *conn, const PGresult *res)
{
	const gchar *state = res != NULL ? PQresultErrorField (res, PG_DIAG_SQLSTATE) : NULL;

	if (PQstatus (conn) != CONNECTION_OK || state == NULL)
		return MV_ERROR_UNAVAILABLE;
	/* class 08 connection exception, 57P01-03 shutdown / cannot connect now */
	if (g_str_has_prefix (state, "08") || g_str_has_prefix (state, "57P"))
		return MV_ERROR_UNAVAILABLE;
	/* class 53 insufficient resources: disk full, out of memory, too many connections, a
	 * configured limit.  Retrying later helps; the caller's request was not at fault. */
	if (g_str_has_prefix (state, "53"))
		return MV_ERROR_INSUFFICIENT_RESOURCES;
	if (g_str_equal (state, "23505") || g_str_equal (state, "40001")
	    || g_str_equal (state, "40P01"))
		return MV_ERROR_CONFLICT;
	return MV_ERROR_FAILED;
}

PGresult *
mv_db_exec_params (
	PGconn *conn, const gchar *sql, gint n_params, const gchar *const *values, GError **error)
{
	PGresult *res;
	ExecStatusType status;
	const gchar *primary;
	const gchar *state;
	MvError code;

	g_return_val_if_fail (conn != NULL, NULL);
	g_return_val_if_fail (sql != NULL, NULL);
	g_return_val_if_fail (n_params == 0 || values != NULL, NULL);
	g_return_val_if_fail (error == NULL || *error == NULL, NULL);

	res = PQexecParams (conn, sql, n_params, NULL, values, NULL, NULL, 0);
	status = PQresultStatus (res);
	if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)
		return res;

	primary = res != NULL ? PQresultErrorField (res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	state = res != NULL ? PQresultErrorField (res, PG_DIAG_SQLSTATE) : NULL;
	code = error_code_for (conn, res);
	if (code == MV_ERROR_UNAVAILABLE) {
		/* a lost connection or a server shutting down: libpq's text (host, socket) is
		 * for the log; each connection is lost once, but a pool loses all of them */
		static MvLogLimit lost_limit;
		g_autofree gchar *suffix = NULL;
		if (mv_log_limit_take (&lost_limit, &suffix)) {
			g_autofree gchar *msg
				= g_strdup (primary != NULL ? primary : PQerrorMessage (conn));
			g_warning ("database connection lost: %s (SQLSTATE %s)%s", g_strstrip (msg),
				   state != NULL ? state : "none", suffix);
		}
		g_set_error_literal (error, MV_ERROR, code, MV_DB_UNAVAILABLE_MESSAGE);
	} else if (code == MV_ERROR_INSUFFICIENT_RESOURCES) {
		/* PostgreSQL's text names files ("could not extend file base/…"): the log's, not
		 * the caller's; one line per interval however many requests meet it */
		static MvLogLimit exhausted_limit;
		g_autofree gchar *suffix = NULL;
		if (mv_log_limit_take (&exhausted_limit, &suffix))
			g_warning ("the database is out of a resource: %s (SQLSTATE %s)%s",
				   primary != NULL ? primary : "?", state, suffix);
		g_set_error_literal (error, MV_ERROR, code, MV_DB_NO_RESOURCES_MESSAGE);
		last_error ()->exhausted = TRUE;
	} else if (primary != NULL) {
		g_set_error (error, MV_ERROR, code, "database error: %s (SQLSTATE %s)", primary,
			     state != NULL ? state : "?");
	} else {
		g_autofree gchar *msg = g_strdup (PQerrorMessage (conn));
		g_set_error (error, MV_ERROR, code, "database error: %s",
			     *g_strstrip (msg) != '\0' ? msg : PQresStatus (status));
	}
	last_error_set (error, state);
	PQclear (res);
	return NULL;
}

gboolean
mv_db_exec (PGconn *conn, const gchar *sql, GError **error)
{
	PGresult *res = mv_db_exec_params (conn, sql, 0, NULL, error);
	if (res == NULL)
		return FALSE;
	PQclear (res);
	return TRUE;
}

typedef struct {
	MvDbCommitFunc fn;
	gpointer data;
	GDestroyNotify destroy;
} CommitHook;

static void
commit_hook_clear (gpointer p)
{
	CommitHook *hook = p;
	if (hook->destroy != NULL)
		hook->destroy (hook->data);
}

/* The transaction mv_db_transaction() runs on this thread: mv_db_on_commit() finds it here.
 * Saved and restored around the run, so a transaction started inside another's @fn (another
 * pool) keeps its own hooks. */
typedef struct {
	PGconn *conn;
	GArray *hooks; /* of CommitHook, created on the first registration */
} Running;

static GPrivate running_transaction;

gboolean
mv_db_on_commit (PGconn *conn, MvDbCommitFunc fn, gpointer user_data, GDestroyNotify destroy)
{
	Running *running = g_private_get (&running_transaction);
	CommitHook hook = { fn, user_data, destroy };

	g_return_val_if_fail (conn != NULL, FALSE);
	g_return_val_if_fail (fn != NULL, FALSE);

	if (running == NULL || running->conn != conn)
		return FALSE;
	if (running->hooks == NULL) {
		running->hooks = g_array_new (FALSE, FALSE, sizeof (CommitHook));
		g_array_set_clear_func (running->hooks, commit_hook_clear);
	}
	g_array_append_val (running->hooks, hook);
	return TRUE;
}

static gboolean
transaction_run (PGconn *conn, MvDbTransactionFunc fn, gpointer user_data, GError **error)
{
	g_autoptr (PGresult) res = NULL;

	last_error_set (NULL, NULL);
	if (!mv_db_exec (conn, "BEGIN", error))
		return FALSE;
	if (!fn (conn, user_data, error)) {
		if (error != NULL && *error == NULL)
			g_set_error_literal (error, MV_ERROR, MV_ERROR_FAILED,
					     "transaction failed without giving a reason");
		/* ROLLBACK's own failure matters not: the connection is then dropped */
		PQclear (PQexec (conn, "ROLLBACK"));
		return FALSE;
	}
	res = mv_db_exec_params (conn, "COMMIT", 0, NULL, error);
	if (res == NULL) {
		g_prefix_error (error, "commit (outcome unknown if the connection was lost): ");
		return FALSE;
	}
	/* a failed statement inside fn turns COMMIT into ROLLBACK */
	if (g_strcmp0 (PQcmdStatus (res), "COMMIT") != 0) {
		g_set_error_literal (error, MV_ERROR, MV_ERROR_FAILED,
				     "transaction was rolled back: a statement in it failed");
		return FALSE;
	}
	return TRUE;
}

/* One attempt: the hooks it registered come back in @hooks only when it committed. */
static gboolean
transaction_attempt (
	PGconn *conn, MvDbTransactionFunc fn, gpointer user_data, GArray **hooks, GError **error)
{
	Running running = { conn, NULL };
	gpointer outer = g_private_get (&running_transaction);
	gboolean ok;

	g_private_set (&running_transaction, &running);
	ok = transaction_run (conn, fn, user_data, error);
	g_private_set (&running_transaction, outer);
	if (ok)
		*hooks = g_steal_pointer (&running.hooks);
	else
		g_clear_pointer (&running.hooks, g_array_unref);
	return ok;
}

static void
run_commit_hooks (GArray *hooks)
{
	for (guint i = 0; hooks != NULL && i < hooks->len; i++) {
		CommitHook *hook = &g_array_index (hooks, CommitHook, i);
		hook->fn (hook->data);
	}
	if (hooks != NULL)
		g_array_unref (hooks);
}

gboolean
mv_db_transaction (MvDb *self, MvDbTransactionFunc fn, gpointer user_data, GError **error)
{
	PGconn *conn;
	gboolean ok;
	gint64 timeout_ms;

	g_return_val_if_fail (self != NULL, FALSE);
	g_return_val_if_fail (fn != NULL, FALSE);
	g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

	g_mutex_lock (&self->mutex);
	timeout_ms = self->acquire_timeout_ms;
	g_mutex_unlock (&self->mutex);
	for (guint attempt = 0;; attempt++) {
		g_autoptr (GError) error_local = NULL;
		GArray *hooks = NULL;
		guint backoff_ms;

		conn = mv_db_acquire (self, timeout_ms, error);
		if (conn == NULL)
			return FALSE;
		ok = transaction_attempt (conn, fn, user_data, &hooks, &error_local);
		mv_db_release (self, conn);
		if (ok) {
			/* after the release: slow work there (an fsync) holds no connection */
			run_commit_hooks (hooks);
			return TRUE;
		}
		if (attempt == MV_DB_TRANSACTION_RETRIES
		    || !mv_db_error_is_retryable (error_local)) {
			g_propagate_error (error, g_steal_pointer (&error_local));
			return FALSE;
		}
		/* jittered, so two transactions that deadlocked do not meet again in step */
		backoff_ms = (MV_DB_RETRY_BASE_MS << attempt)
			     + g_random_int_range (0, (MV_DB_RETRY_BASE_MS << attempt) + 1);
		g_debug ("transaction retried in %u ms (attempt %u of %u): %s", backoff_ms,
			 attempt + 2, MV_DB_TRANSACTION_RETRIES + 1, error_local->message);
		g_usleep (backoff_ms * G_TIME_SPAN_MILLISECOND);
	}
}

gboolean
mv_db_error_is_unique_violation (const GError *error)
{
	return g_strcmp0 (mv_db_error_get_sqlstate (error), MV_DB_SQLSTATE_UNIQUE_VIOLATION) == 0;
}

gboolean
mv_db_error_is_retryable (const GError *error)
{
	const gchar *state = mv_db_error_get_sqlstate (error);

	return state != NULL
	       && (g_str_equal (state, MV_DB_SQLSTATE_SERIALIZATION_FAILURE)
		   || g_str_equal (state, MV_DB_SQLSTATE_DEADLOCK_DETECTED));
}

/* A real write that needs new space: a row with 8 KiB of random bytes (stored out of line,
 * uncompressed) in a table of its own, committed, then deleted again.  Committing flushes its
 * WAL, which is what a full disk refuses first. */
static gboolean
write_probe (PGconn *conn, GError **error)
{
	g_autofree gchar *probe_id = g_uuid_string_random ();
	const gchar *params[] = { probe_id };
	g_autoptr (PGresult) inserted = NULL;
	g_autoptr (PGresult) deleted = NULL;
	g_autoptr (GError) error_local = NULL;

	inserted
		= mv_db_exec_params (conn,
				     "INSERT INTO storage_probe (probe_id, payload) "
				     "SELECT $1::uuid, decode(string_agg(md5(random()::text), ''), "
				     "'hex') FROM generate_series(1, 512)",
				     1, params, error);
	if (inserted == NULL)
		return FALSE;
	/* rows of a daemon that died between the two statements go after an hour */
	deleted = mv_db_exec_params (conn,
				     "DELETE FROM storage_probe WHERE probe_id = $1::uuid "
				     "OR written_at < now() - interval '1 hour'",
				     1, params, &error_local);
	if (deleted == NULL)
		g_debug ("the write probe's row stays until the next probe: %s",
			 error_local->message);
	return TRUE;
}

/* Ready unless a statement failed for lack of a resource and no write probe has succeeded
 * since.  Probes at most every MV_DB_PROBE_INTERVAL_US; in between the last outcome stands. */
static gboolean
check_resources (MvDb *self, PGconn *conn, GError **error)
{
	gint64 now = g_get_monotonic_time ();
	g_autoptr (GError) probe_error = NULL;
	g_autofree gchar *failure = NULL;
	gboolean probe;

	g_mutex_lock (&self->mutex);
	probe = self->exhausted && now - self->last_probe_us >= MV_DB_PROBE_INTERVAL_US;
	if (probe)
		self->last_probe_us = now;
	else if (self->exhausted)
		failure = g_strdup (self->last_probe_failure != NULL ? self->last_probe_failure
								     : "not probed yet");
	g_mutex_unlock (&self->mutex);
	if (!probe && failure == NULL)
		return TRUE;
	if (probe && write_probe (conn, &probe_error)) {
		g_mutex_lock (&self->mutex);
		self->exhausted = FALSE;
		g_clear_pointer (&self->last_probe_failure, g_free);
		g_mutex_unlock (&self->mutex);
		g_message ("a write probe succeeded: the database has room again");
		return TRUE;
	}
	if (probe) {
		const gchar *state = mv_db_error_get_sqlstate (probe_error);
		failure = g_strdup_printf ("the write probe failed: %s%s%s%s", probe_error->message,
					   state != NULL ? " (SQLSTATE " : "",
					   state != NULL ? state : "", state != NULL ? ")" : "");
		g_mutex_lock (&self->mutex);
		g_free (self->last_probe_failure);
		self->last_probe_failure = g_strdup (failure);
		g_mutex_unlock (&self->mutex);
	}
	g_set_error (error, MV_ERROR, MV_ERROR_INSUFFICIENT_RESOURCES,
		     "the database ran out of a resource (SQLSTATE class 53) and no write has "
		     "succeeded since: %s",
		     failure);
	return FALSE;
}

gboolean
mv_db_get_exhausted (MvDb *self)
{
	gboolean exhausted;

	g_return_val_if_fail (self != NULL, FALSE);
	g_mutex_lock (&self->mutex);
	exhausted = self->exhausted;
	g_mutex_unlock (&self->mutex);
	return exhausted;
}

gboolean
mv_db_check_ready (MvDb *self, const gchar *sql_dir, GError **error)
{
	PGconn *conn;
	gboolean ok;

	g_return_val_if_fail (self != NULL, FALSE);
	g_return_val_if_fail (sql_dir != NULL, FALSE);
	g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

	conn = mv_db_acquire (self, MV_DB_CHECK_READY_TIMEOUT_MS, error);
	if (conn == NULL)
		return FALSE;
	ok = mv_migrate_check (conn, sql_dir, error) && check_resources (self, conn, error);
	mv_db_release (self, conn);
	return ok;
}
