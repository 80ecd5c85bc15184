/*
 * Medverse engagement — the leaderboard's pseudonyms and rows.
 *
 * The opt-in leaderboard of a clinic shows a handle and points, nothing else.  A handle is an
 * adjective, an animal and a number ("Calm Otter 417", "安静的水獭417"), chosen by a keyed hash
 * (HMAC-SHA-256) of the patient's id under a random salt of the clinic: it holds no id, name or
 * health value, the same patient keeps the same handle (in both languages: the same words'
 * indexes), and nobody without the salt can tell which patient a handle belongs to — not even
 * by hashing every patient id, because the salt is needed for that.  The salt is 32 random
 * bytes per clinic, kept by the storage as a secret (sealed like a data key); a new salt gives
 * everyone a new handle.  docs/engagement.md has the collision figures.
 *
 * mv_leaderboard_rank() builds the rows a patient sees from the opted-in patients' points.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The salt's length; shorter salts are refused. */
#define MV_PSEUDONYM_SALT_LEN 32

/* Words per list and the number range: 64 × 64 × 900 = 3,686,400 handles. */
#define MV_PSEUDONYM_N_ADJECTIVES 64
#define MV_PSEUDONYM_N_ANIMALS 64

/**
 * mv_pseudonym_handle:
 * @salt: (array length=salt_len): the clinic's salt, at least %MV_PSEUDONYM_SALT_LEN bytes
 * @patient_id: the patient's id in the clinic
 * @language: "en" or "zh"
 *
 * Returns: (transfer full) (nullable): the handle, or %NULL (and a critical) for a short salt
 */
gchar *mv_pseudonym_handle (const guint8 *salt,
			    gsize salt_len,
			    const gchar *patient_id,
			    const gchar *language);

/* A patient on the leaderboard (opted in), as the storage reads it. */
typedef struct {
	const gchar *patient_id;
	gint64 points;
} MvLeaderboardInput;

/* A row shown: the handle, the points, the rank (1, 2, 2, 4: ties share a rank), and whether
 * it is the caller's own row.  Nothing else: no id, no name, no health value. */
typedef struct {
	gchar *handle;
	gint64 points;
	guint rank;
	gboolean is_caller;
} MvLeaderboardRow;

/**
 * mv_leaderboard_rank:
 * @players: (array length=n_players): the clinic's opted-in patients
 * @caller_id: (nullable): the patient asking (their row is marked, and added after the top
 *   @limit when it is not among them)
 * @limit: how many rows from the top
 *
 * Ties are ordered by handle, never by patient id or opt-in time, which would leak them.
 *
 * Returns: (transfer full) (element-type MvLeaderboardRow): the rows (clearing frees the
 *   handles)
 */
GArray *mv_leaderboard_rank (const guint8 *salt,
			     gsize salt_len,
			     const MvLeaderboardInput *players,
			     guint n_players,
			     const gchar *caller_id,
			     const gchar *language,
			     guint limit);

G_END_DECLS
