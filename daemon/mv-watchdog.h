/*
 * The systemd watchdog (WatchdogSec= in the unit): WATCHDOG=1 keep-alives while the daemon
 * makes progress, so systemd restarts a daemon that is wedged rather than one that is idle.
 *
 * Fed from a main-loop timer every half interval, so a blocked main loop stops the feeding by
 * itself.  The engine's plugin calls decide the rest: the watchdog is not fed when calls have
 * been pending (running in a worker or waiting for one) for a whole interval without any call
 * finishing, and at least one of them is overdue (past its time limit: its caller had 504 and
 * it was cancelled, yet it runs on).  An idle daemon, and one whose calls are slow but within
 * their limit, keeps feeding.  docs/operations.md, "The systemd watchdog".
 */
#pragma once

#include <glib.h>

#include "mv-engine.h"

G_BEGIN_DECLS

typedef struct _MvWatchdog MvWatchdog;

/**
 * mv_watchdog_start:
 * @engine: (transfer none): must outlive the watchdog
 *
 * Starts feeding when the service manager asked for it (`WATCHDOG_USEC`, and `WATCHDOG_PID`
 * naming this process if set: sd_watchdog_enabled()).
 *
 * Returns: (transfer full) (nullable): the watchdog, or %NULL when none was asked for or the
 *   daemon was built without libsystemd
 */
MvWatchdog *mv_watchdog_start (MvEngine *engine);
void mv_watchdog_free (MvWatchdog *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MvWatchdog, mv_watchdog_free)

/* The decision, apart from the timer and the socket (for tests). */
typedef struct {
	guint last_completed;
	gint64 progress_us; /* monotonic: when a call last finished or nothing was pending */
} MvWatchdogState;

/* Starts @state at @now_us as if a call had just finished. */
void
mv_watchdog_state_init (MvWatchdogState *state, const MvEngineProgress *progress, gint64 now_us);

/* Whether to send WATCHDOG=1 now, given the engine's @progress at @now_us and the watchdog
 * interval; updates @state. */
gboolean mv_watchdog_should_feed (MvWatchdogState *state,
				  const MvEngineProgress *progress,
				  gint64 now_us,
				  gint64 interval_us);

G_END_DECLS
