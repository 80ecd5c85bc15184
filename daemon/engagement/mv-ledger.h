/*
 * Medverse engagement — the points ledger, levels, badges and challenge standing, computed.
 *
 * The ledger is append-only: an entry is never changed or removed, and each has a source that
 * is awarded at most once (a check-in, a task on a day, a streak milestone, a challenge in a
 * week).  mv_ledger_award() takes every check-in of the patient and every entry already
 * written and returns only the entries to append, so calling it again — after a retried
 * request, on another daemon instance, with the check-ins in another order — appends
 * nothing more: the storage writes the result with the source as a unique key.
 *
 * Badges, the streak and the challenge standing are derived from the check-ins each time
 * (mv_progress_compute()), not stored: they cannot disagree with the record.
 *
 * Pure: no database, no clock (today, the patient's local date, is an argument).
 */
#pragma once

#include "mv-checkin.h"
#include "mv-engagement-rules.h"
#include "mv-streak.h"

G_BEGIN_DECLS

typedef struct {
	/* the first 32 hex digits of SHA-256 of the source: the same entry gets the same id on
	 * every daemon instance, so two instances awarding at once collide instead of paying
	 * twice */
	gchar *id;
	/* what was awarded, once: "checkin:<check-in id>", "task:<task id>:<YYYY-MM-DD>",
	 * "streak:<days>", "challenge:<challenge id>:<Monday YYYY-MM-DD>" */
	gchar *source;
	gint points;
	/* why, as a code the app words: "checkin:<metric>" (a task: "checkin:task"),
	 * "streak-milestone", "challenge" */
	gchar *reason;
	GDate date; /* the local day it was earned on */
} MvLedgerEntry;

void mv_ledger_entry_free (MvLedgerEntry *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MvLedgerEntry, mv_ledger_entry_free)

/* An entry (its id derived from @source), as the storage reloads one or the award makes. */
MvLedgerEntry *
mv_ledger_entry_new (const gchar *source, gint points, const gchar *reason, const GDate *date);

/**
 * mv_ledger_award:
 * @rules: the rules
 * @checkins: (element-type MvCheckin): every check-in of the patient, any order, repeats of an
 *   id allowed (the first by time counts)
 * @ledger: (element-type MvLedgerEntry) (nullable): the entries already written
 * @today: the patient's local date (streaks and challenges are counted up to it)
 *
 * Check-ins earn their metric's points, up to the metric's daily cap of the local day (the
 * cap counts what the ledger already holds); a check-in naming a plan task (task_id: a `task`
 * check-in, or a measurement the task asked for) earns the task points once per task and
 * day, within the task cap, besides its metric's; a streak
 * milestone once ever, dated the day it was reached; a challenge once per ISO week, dated the
 * day its target was reached.  Entries of 0 points are not made.
 *
 * Returns: (transfer full) (element-type MvLedgerEntry): the entries to append, in date order
 */
GPtrArray *mv_ledger_award (const MvEngagementRules *rules,
			    GPtrArray *checkins,
			    GPtrArray *ledger,
			    const GDate *today);

typedef struct {
	const MvChallenge *challenge;
	gdouble progress; /* this week's sum or days so far */
	gboolean won;
} MvChallengeStanding;

typedef struct {
	gint64 points; /* the ledger's total */
	guint level;   /* 1-based */
	const MvLevel *level_def;
	const MvLevel *next_level; /* NULL at the top */
	MvStreak streak;
	GPtrArray *badges;    /* (element-type MvBadge) earned, in the rules' order (not owned) */
	GArray *challenges;   /* MvChallengeStanding of today's ISO week, in the rules' order */
	guint challenges_won; /* weeks won, all challenges, up to today */
} MvProgress;

void mv_progress_free (MvProgress *progress);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MvProgress, mv_progress_free)

/**
 * mv_progress_compute:
 * @ledger: (element-type MvLedgerEntry): every entry (written and just awarded)
 *
 * Returns: (transfer full): the patient's points, level, streak, badges and this week's
 *   challenges (what GET /v1/me/progress shows)
 */
MvProgress *mv_progress_compute (const MvEngagementRules *rules,
				 GPtrArray *checkins,
				 GPtrArray *ledger,
				 const GDate *today);

G_END_DECLS
