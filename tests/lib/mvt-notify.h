/*
 * A notify socket the test owns (NOTIFY_SOCKET for the daemon, as systemd's): the sd_notify
 * datagrams the daemon sends (READY=1, STOPPING=1, WATCHDOG=1…) with their sender's pid.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _MvtNotify MvtNotify;

/* binds a datagram socket at @path (mode 0777, as systemd's, with SO_PASSCRED so every
 * datagram comes with its sender's pid); asserts it worked */
MvtNotify *mvt_notify_new (const gchar *path);
void mvt_notify_free (MvtNotify *notify);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MvtNotify, mvt_notify_free)

/* waits up to @timeout_ms for one datagram: its text (transfer full) and its sender's pid in
 * @pid (-1 if unknown); NULL when none came */
gchar *mvt_notify_receive (MvtNotify *notify, guint timeout_ms, gint *pid);

/* reads every datagram for @ms (the whole time) and counts those from @pid that have the line
 * @state (e.g. "WATCHDOG=1") */
guint mvt_notify_count (MvtNotify *notify, gint pid, const gchar *state, guint ms);

/* drops every datagram already queued */
void mvt_notify_drain (MvtNotify *notify);

G_END_DECLS
