/*
 * Idempotency keys: a POST sent again with the same Idempotency-Key gets the first answer
 * instead of running again, across every daemon sharing the database (docs/api.md, "Retrying
 * safely (Idempotency-Key)").  Transport-free: the HTTP adapter hands in the key, the caller,
 * the request and, afterwards, the answer it sent; this module decides and stores.
 *
 * One row per (scope, key) in `idempotency_keys` (schemas/sql/0008_idempotency.sql):
 *
 *   begin:    INSERT … ON CONFLICT claims the key atomically (a pending row with a lease).  A
 *             request that finds the key claimed by the same request waits for its answer (at
 *             most wait_ms, then MV_ERROR_CONFLICT "still being processed"); one that finds it
 *             done gets the answer to replay; one that finds it used for another request gets
 *             MV_ERROR_INVALID_INPUT.  An expired row, a pending row whose lease ran out (its
 *             daemon died) and an answer that no longer opens are taken over.
 *   complete: the answer is sealed and kept (2xx and most 4xx), or the key is released (5xx,
 *             408, 409, 425, 429: a retry runs again).
 *
 * Scope: the API key id (keys of one clinic do not share answers); on a route without
 * authentication, "anonymous" with a key of at least 32 characters, so only a client that has
 * both the key and the body (which for invite redemption holds the one-time code) can replay.
 * Nothing of a key, a request or an answer is stored in clear (keyed hashes, AEAD); the keys
 * are derived from the vault's master key.  Thread-safe.
 */
#pragma once

#include <gio/gio.h>

#include "mv-auth-context.h"
#include "mv-config.h"
#include "mv-db.h"
#include "mv-vault.h"

G_BEGIN_DECLS

/* Longest Idempotency-Key accepted, and the shortest one on a route without authentication. */
#define MV_IDEMPOTENCY_KEY_MAX 255
#define MV_IDEMPOTENCY_ANONYMOUS_KEY_MIN 32

typedef struct {
	guint64 keep_s;	  /* how long an answer is replayed ([http] idempotency-hours) */
	guint64 wait_ms;  /* how long a request waits for another that holds its key */
	guint64 lease_ms; /* how long a claim holds before another request may take it over */
} MvIdempotencyLimits;

/* What a request is, as the adapter saw it. */
typedef struct {
	const gchar *key;	   /* the Idempotency-Key */
	const MvAuthContext *auth; /* NULL: a route without authentication */
	const gchar *method;
	const gchar *target; /* the path and query as sent */
	const gchar *body;   /* nullable */
	gsize body_len;
} MvIdempotencyRequest;

/* An answer as sent: kept, and replayed. */
typedef struct {
	guint status;
	GPtrArray *headers; /* name, value, name, value…: those worth replaying (Location, ETag…) */
	gchar *body;	    /* nullable: an empty body */
} MvIdempotencyAnswer;

typedef struct _MvIdempotency MvIdempotency;
typedef struct _MvIdempotencyClaim MvIdempotencyClaim;

/* The vault in use now (it changes on a master-key rotation): mv_services_get_vault(). */
typedef MvVault *(*MvIdempotencyVaultFunc) (gpointer user_data);

/**
 * mv_idempotency_limits_from_config:
 *
 * The limits of @config: keep_s from `[http] idempotency-hours`, wait_ms from
 * `[http] idempotency-wait-ms`, and a lease of the plugin call time limit plus 60 s (no handler
 * runs longer than that; a lease shorter than a handler would let a second daemon run it too).
 */
void mv_idempotency_limits_from_config (const MvConfig *config, MvIdempotencyLimits *limits);

/**
 * mv_idempotency_new:
 * @db: the pool (borrowed; must outlive the store)
 * @vault_func: returns the current vault, whose master key the hash and sealing keys are
 *   derived from
 * @limits: copied
 *
 * Returns: (transfer full): the store
 */
MvIdempotency *mv_idempotency_new (MvDb *db,
				   MvIdempotencyVaultFunc vault_func,
				   gpointer vault_data,
				   const MvIdempotencyLimits *limits) G_GNUC_WARN_UNUSED_RESULT;
void mv_idempotency_set_limits (MvIdempotency *self, const MvIdempotencyLimits *limits);
void mv_idempotency_free (MvIdempotency *self);

/**
 * mv_idempotency_check_key:
 * @key: the Idempotency-Key as sent
 * @anonymous: the route needs no authentication
 *
 * Returns: %TRUE when @key is 1 to %MV_IDEMPOTENCY_KEY_MAX visible ASCII characters
 *   (0x21–0x7e), and at least %MV_IDEMPOTENCY_ANONYMOUS_KEY_MIN on an anonymous route;
 *   otherwise %FALSE with %MV_ERROR_MALFORMED (400) in English and Chinese, never quoting it.
 */
gboolean mv_idempotency_check_key (const gchar *key, gboolean anonymous, GError **error);

/**
 * mv_idempotency_begin:
 * @request: the request (its key checked by mv_idempotency_check_key() first)
 * @claim_out: (out) (transfer full): set when the caller must run the request, then hand its
 *   answer to mv_idempotency_complete()
 * @replay_out: (out) (transfer full): set when the request was answered before: send this
 *   answer (with `Idempotency-Replayed: true`) and run nothing
 *
 * Blocks while another request holds the key (polling the database, at most wait_ms).
 *
 * Errors: %MV_ERROR_MALFORMED for a bad key; %MV_ERROR_INVALID_INPUT when the key was used for
 * another request (method, path, query or body) in the same scope; %MV_ERROR_CONFLICT when the
 * first request with the key is still running after wait_ms; the database's errors
 * (%MV_ERROR_UNAVAILABLE…).  Messages in English and Chinese (mv_error_get_message_zh()).
 *
 * Returns: %TRUE with exactly one of *@claim_out and *@replay_out set
 */
gboolean mv_idempotency_begin (MvIdempotency *self,
			       const MvIdempotencyRequest *request,
			       MvIdempotencyClaim **claim_out,
			       MvIdempotencyAnswer **replay_out,
			       GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * mv_idempotency_status_is_kept:
 *
 * Returns: whether an answer of @status is kept and replayed: 2xx and 4xx, except 408, 409,
 *   425 and 429, which say "try again later" (as do 5xx, never kept).
 */
gboolean mv_idempotency_status_is_kept (guint status);

/**
 * mv_idempotency_complete:
 * @claim: from mv_idempotency_begin(); still the caller's to free
 * @answer: what was sent
 *
 * Keeps @answer, sealed, for replays when mv_idempotency_status_is_kept(); otherwise releases
 * the key so that a retry runs again.  A claim whose lease ran out and was taken over by
 * another request changes nothing (logged).
 *
 * Returns: %TRUE when stored or released; %FALSE with the database's error (the pending row
 *   then lasts until its lease ends)
 */
gboolean mv_idempotency_complete (MvIdempotency *self,
				  MvIdempotencyClaim *claim,
				  const MvIdempotencyAnswer *answer,
				  GError **error);

/**
 * mv_idempotency_purge:
 * @n_purged: (out) (optional): rows deleted
 *
 * Deletes expired answers and pending rows whose lease and keep time both ended, up to 1000 a
 * call.  mv_idempotency_begin() calls it at most every 10 minutes per process.
 */
gboolean mv_idempotency_purge (MvIdempotency *self, guint *n_purged, GError **error);

void mv_idempotency_claim_free (MvIdempotencyClaim *claim);
void mv_idempotency_answer_free (MvIdempotencyAnswer *answer);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MvIdempotency, mv_idempotency_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MvIdempotencyClaim, mv_idempotency_claim_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MvIdempotencyAnswer, mv_idempotency_answer_free)

G_END_DECLS
