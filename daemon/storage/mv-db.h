/*
 * Medverse storage — a small thread-safe pool of libpq connections.
 *
 * Worker threads borrow a connection with mv_db_acquire(), use it alone, and give it back
 * with mv_db_release().  Connections are opened lazily, so a pool can be made while the
 * server is down; a connection that broke (server restarted, network) is dropped and the
 * next acquire opens a fresh one, so the pool recovers by itself when the server returns.
 *
 * SQL is only ever sent with parameters (mv_db_exec_params()): values never become SQL text.
 */
#pragma once

#include <glib.h>
#include <libpq-fe.h>

#include "mv-bytea.h"

G_BEGIN_DECLS

typedef struct _MvDb MvDb;

/* The message of every %MV_ERROR_UNAVAILABLE for an unreachable server or a lost connection:
 * libpq's own text names hosts and socket paths, so it is logged (once an outage), not handed
 * to callers, who may show it to clients. */
#define MV_DB_UNAVAILABLE_MESSAGE "the database is unavailable; retry later"

/* The message of every %MV_ERROR_INSUFFICIENT_RESOURCES (SQLSTATE class 53: disk full, out of
 * memory, too many connections, a configured limit).  PostgreSQL's own text names files and
 * settings: it is logged (at most once per %MV_LOG_LIMIT_INTERVAL_S), not handed to callers. */
#define MV_DB_NO_RESOURCES_MESSAGE                                                                 \
	"the database is out of disk space or another resource and stored nothing; retry later"

/**
 * mv_db_new:
 * @conninfo: a libpq connection string or URI; may hold a password (it is never logged)
 * @max_connections: the most connections open at once, at least 1
 * @error: return location for a #GError
 *
 * Makes a pool.  Does not connect: a server that is down is not an error here.
 * `connect_timeout=2` and `application_name=medversed` are used unless @conninfo says
 * otherwise.
 *
 * Errors: %MV_ERROR_INVALID_INPUT if @conninfo cannot be parsed (the message gives libpq's
 * reason, never the string itself) or @max_connections is 0.
 *
 * Returns: (transfer full): the pool, free with mv_db_free(), or %NULL
 */
MvDb *mv_db_new (const gchar *conninfo, guint max_connections, GError **error);

/**
 * mv_db_free:
 * @self: (nullable): a pool
 *
 * Closes the idle connections and frees the pool.  Every acquired connection must have been
 * released first.
 */
void mv_db_free (MvDb *self);

/**
 * mv_db_set_acquire_timeout:
 * @self: a pool
 * @timeout_ms: how long mv_db_transaction() and mv_db_check_ready() wait for a free
 *   connection (default 5000)
 */
void mv_db_set_acquire_timeout (MvDb *self, gint64 timeout_ms);

/**
 * mv_db_acquire:
 * @self: a pool
 * @timeout_ms: how long to wait for a free connection when all are in use; 0 means don't
 *   wait, a negative value waits forever
 * @error: return location for a #GError
 *
 * Borrows a connection for the calling thread's exclusive use.  An idle connection is checked
 * without a round trip (the server closing it shows as end-of-file on its socket); a dead one
 * is dropped and replaced by a new connection.
 *
 * Errors: %MV_ERROR_UNAVAILABLE if the server cannot be reached (quickly: a refused or absent
 * socket fails at once, an unresponsive host after connect_timeout), with
 * %MV_DB_UNAVAILABLE_MESSAGE (libpq's reason is logged once an outage), or if every connection
 * stayed busy for @timeout_ms ("the database is busy…").
 *
 * Thread safety: safe from any thread.
 *
 * Returns: (transfer full): an open connection, not in a transaction, to give back with
 *   mv_db_release(); %NULL on error
 */
G_GNUC_WARN_UNUSED_RESULT PGconn *mv_db_acquire (MvDb *self, gint64 timeout_ms, GError **error);

/**
 * mv_db_wait_reachable:
 * @self: a pool
 * @timeout_ms: how long to keep trying
 * @error: return location for a #GError
 *
 * For start-up against an external server that may still be booting: tries to connect every
 * 250 ms until it succeeds or @timeout_ms passed.  The connection opened stays in the pool.
 *
 * Errors: %MV_ERROR_UNAVAILABLE (%MV_DB_UNAVAILABLE_MESSAGE; the reason is logged).
 *
 * Thread safety: safe from any thread.
 *
 * Returns: %TRUE once the server accepted a connection
 */
gboolean mv_db_wait_reachable (MvDb *self, gint64 timeout_ms, GError **error);

/**
 * mv_db_release:
 * @self: a pool
 * @conn: (transfer full) (nullable): a connection from mv_db_acquire()
 *
 * Gives @conn back.  A connection that is broken, or still inside a transaction (the caller
 * failed half-way), is closed rather than reused, so no state leaks to the next borrower.
 *
 * Thread safety: safe from any thread.
 */
void mv_db_release (MvDb *self, PGconn *conn);

/**
 * mv_db_exec_params:
 * @conn: a connection from mv_db_acquire()
 * @sql: one SQL statement using $1, $2… for values
 * @n_params: the number of @values
 * @values: (array length=n_params) (nullable): the values as text (%NULL for SQL NULL)
 * @error: return location for a #GError
 *
 * Runs @sql with its values sent apart from the statement (never spliced into it).
 *
 * Errors: %MV_ERROR_UNAVAILABLE when the connection is lost or the server is shutting down
 * (%MV_DB_UNAVAILABLE_MESSAGE; libpq's text is logged);
 * %MV_ERROR_INSUFFICIENT_RESOURCES for SQLSTATE class 53 (%MV_DB_NO_RESOURCES_MESSAGE;
 * PostgreSQL's text is logged), which also makes the pool the connection is released to not
 * ready (mv_db_check_ready()) until a write succeeds again;
 * %MV_ERROR_CONFLICT on a unique violation, serialization failure or deadlock;
 * %MV_ERROR_FAILED otherwise.  The message carries PostgreSQL's primary message and SQLSTATE
 * but not its DETAIL, which can quote the values (patient data); mv_db_error_get_sqlstate()
 * gives the SQLSTATE to code that must tell causes apart.
 *
 * Returns: (transfer full): the result (PGRES_COMMAND_OK or PGRES_TUPLES_OK), free with
 *   PQclear() (g_autoptr(PGresult) works); %NULL on error
 */
G_GNUC_WARN_UNUSED_RESULT PGresult *mv_db_exec_params (
	PGconn *conn, const gchar *sql, gint n_params, const gchar *const *values, GError **error);

/**
 * mv_db_exec:
 * @conn: a connection
 * @sql: one SQL statement without parameters
 * @error: return location for a #GError
 *
 * mv_db_exec_params() with no values, discarding the result.
 *
 * Returns: %TRUE on success
 */
gboolean mv_db_exec (PGconn *conn, const gchar *sql, GError **error);

/**
 * MV_DB_SQL_UTC:
 * @expr: SQL text of a `timestamptz` expression (a column name, not a value: values are
 *   parameters)
 *
 * SQL text that renders @expr as the one timestamp form of every response: RFC 3339 in UTC
 * with microseconds, `2026-12-05T10:32:47.297481Z`, whatever the session's TimeZone and
 * DateStyle (NULL stays NULL).  Use it in the SELECT list of every timestamp a caller sees.
 */
#define MV_DB_SQL_UTC(expr)                                                                        \
	"to_char((" expr ") AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

/* SQLSTATEs callers act on (PostgreSQL, Appendix A) */
#define MV_DB_SQLSTATE_UNIQUE_VIOLATION "23505"
#define MV_DB_SQLSTATE_SERIALIZATION_FAILURE "40001"
#define MV_DB_SQLSTATE_DEADLOCK_DETECTED "40P01"

/**
 * mv_db_error_get_sqlstate:
 * @error: (nullable): an error
 *
 * The SQLSTATE of a statement that failed in mv_db_exec_params() (or mv_db_exec()), read from
 * the server's result (`PG_DIAG_SQLSTATE`), never from the message.  It is known for the last
 * such error of the calling thread, so ask right after the call that failed (propagating or
 * prefixing the error in between is fine; copying it is not).
 *
 * Returns: (nullable): five characters, or %NULL when @error did not come from a failed
 *   statement of this thread (a lost connection has none either)
 */
const gchar *mv_db_error_get_sqlstate (const GError *error);

/**
 * mv_db_error_is_unique_violation:
 * @error: (nullable): an error
 *
 * Returns: %TRUE when @error is a unique violation (SQLSTATE 23505, see
 *   mv_db_error_get_sqlstate()), e.g. a duplicate key the caller can name to its user
 */
gboolean mv_db_error_is_unique_violation (const GError *error);

/**
 * mv_db_error_is_retryable:
 * @error: (nullable): an error
 *
 * Returns: %TRUE for a deadlock or serialization failure (see mv_db_error_get_sqlstate()): the
 *   transaction did nothing and may succeed when run again
 */
gboolean mv_db_error_is_retryable (const GError *error);

/**
 * MvDbTransactionFunc:
 * @conn: the connection, inside BEGIN
 * @user_data: the data given to mv_db_transaction()
 * @error: return location for a #GError
 *
 * Returns: %TRUE to commit, %FALSE with @error set to roll back
 */
typedef gboolean (*MvDbTransactionFunc) (PGconn *conn, gpointer user_data, GError **error);

/**
 * mv_db_transaction:
 * @self: a pool
 * @fn: the work to do inside the transaction
 * @user_data: passed to @fn
 * @error: return location for a #GError
 *
 * Acquires a connection (waiting up to the acquire timeout), runs BEGIN, @fn, COMMIT, and
 * releases it.  If @fn fails, ROLLBACK: nothing it wrote remains.  If a statement failed
 * inside @fn but @fn still returned %TRUE, PostgreSQL turns the COMMIT into a ROLLBACK; that
 * is reported as an error, never as success.
 *
 * A deadlock or serialization failure (mv_db_error_is_retryable(), in @fn or at COMMIT) rolls
 * back and runs the whole transaction again, at most 3 more times after a short jittered
 * pause.  @fn may therefore run more than once: it must not act outside the transaction, and
 * it must reset whatever it hands out through @user_data before it sets it.
 *
 * Errors: those of mv_db_acquire() and mv_db_exec_params(), or @fn's (a deadlock or
 * serialization failure after the last retry is %MV_ERROR_CONFLICT).  A connection lost
 * during COMMIT gives %MV_ERROR_UNAVAILABLE: the outcome is then unknown.
 *
 * Thread safety: safe from any thread.
 *
 * Returns: %TRUE if committed
 */
gboolean mv_db_transaction (MvDb *self, MvDbTransactionFunc fn, gpointer user_data, GError **error);

/**
 * MvDbCommitFunc:
 * @user_data: the data given to mv_db_on_commit()
 *
 * Work that must happen only once a transaction is known to be committed.
 */
typedef void (*MvDbCommitFunc) (gpointer user_data);

/**
 * mv_db_on_commit:
 * @conn: the connection of the running transaction (the one handed to the #MvDbTransactionFunc)
 * @fn: called once the transaction has committed
 * @user_data: passed to @fn
 * @destroy: (nullable): frees @user_data, after @fn or when the transaction does not commit
 *
 * Defers @fn until COMMIT of the mv_db_transaction() running @conn on this thread has
 * succeeded; it is then called in that thread after the connection is back in the pool, before
 * mv_db_transaction() returns.  If the transaction rolls back (an error, or a failed statement,
 * or a deadlock that makes it run again: the new run registers afresh) or the outcome of COMMIT
 * is unknown (connection lost), @fn is never called.  Hooks run in the order registered.
 *
 * For work outside the database that must describe only committed state (the audit witness
 * file: docs/security.md).
 *
 * Returns: %TRUE when deferred; %FALSE when no mv_db_transaction() runs @conn on this thread
 *   (autocommit, or a transaction the caller opened itself): nothing was registered, @destroy
 *   is not called and the caller decides what to do
 */
G_GNUC_WARN_UNUSED_RESULT gboolean mv_db_on_commit (PGconn *conn,
						    MvDbCommitFunc fn,
						    gpointer user_data,
						    GDestroyNotify destroy);

/**
 * mv_db_check_ready:
 * @self: a pool
 * @sql_dir: the migrations directory
 * @error: return location for a #GError
 *
 * For `GET /readyz`: the server answers, every migration in @sql_dir is applied with the
 * same checksum (see mv_migrate_check()), and writes work.  Writes are only tried after a
 * statement on one of the pool's connections failed for lack of a resource (SQLSTATE class
 * 53, mv_db_exec_params()): from then on this writes a probe (a row of 8 KiB of random bytes
 * in `storage_probe`, committed and deleted), at most once per 5 s, and stays not ready until
 * one succeeds.  Between probes the last probe's outcome is the answer.
 *
 * Errors: %MV_ERROR_UNAVAILABLE naming what is missing (server, or the first migration not
 * applied); %MV_ERROR_INSUFFICIENT_RESOURCES while writes fail for lack of a resource (the
 * message gives the probe's SQLSTATE); %MV_ERROR_INTEGRITY if an applied migration file
 * changed; %MV_ERROR_FAILED if @sql_dir cannot be read.
 *
 * Thread safety: safe from any thread.
 *
 * Returns: %TRUE if ready
 */
gboolean mv_db_check_ready (MvDb *self, const gchar *sql_dir, GError **error);

/**
 * mv_db_get_exhausted:
 * @self: a pool
 *
 * Returns: %TRUE while a class-53 failure has not been cleared by a successful write probe
 *   (see mv_db_check_ready()).  Thread safety: safe from any thread.
 */
gboolean mv_db_get_exhausted (MvDb *self);

/**
 * mv_db_get_stats:
 * @self: a pool
 * @n_open: (out) (optional): connections open (idle and in use)
 * @n_idle: (out) (optional): connections idle in the pool
 *
 * For /metrics and tests.  Thread safety: safe from any thread.
 */
void mv_db_get_stats (MvDb *self, guint *n_open, guint *n_idle);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MvDb, mv_db_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGresult, PQclear)

G_END_DECLS
