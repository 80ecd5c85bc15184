/* The D-Bus adapter: org.medverse.Health1 over the engine.  No engine logic lives here. */
#pragma once

#include "mv-config.h"
#include "mv-engine.h"
#include "mv-locale.h"

G_BEGIN_DECLS

typedef struct _MvDbus MvDbus;

/* Registers the MV_ERROR codes as org.medverse.Health1.Error.* names (idempotent). */
void mv_dbus_register_errors (void);

/* @max_input_bytes bounds a call's serialised input, as [http] max-body-bytes bounds a body;
 * @max_output_bytes its output, as [http] max-response-bytes bounds a response. */
MvDbus *mv_dbus_new (MvEngine *engine, guint64 max_input_bytes, guint64 max_output_bytes);
/* New bounds for the calls that arrive from now on (SIGHUP). */
void mv_dbus_set_limits (MvDbus *self, guint64 max_input_bytes, guint64 max_output_bytes);
/* Answers @invocation with @error as the error table says: its D-Bus name, and for an internal
 * error a summary naming @request_id (the full message is logged). */
void mv_dbus_return_error (GDBusMethodInvocation *invocation,
			   const gchar *request_id,
			   const GError *error);
/* The same in @language (a call that names its locale). */
void mv_dbus_return_error_in (GDBusMethodInvocation *invocation,
			      const gchar *request_id,
			      const GError *error,
			      MvLanguage language);
/* The uid of a call's sender (the bus's GetConnectionUnixUser), or @error (MV_ERROR_FORBIDDEN)
 * when the bus cannot tell; in the main context. */
typedef void (*MvDbusCallerFunc) (guint32 uid, const GError *error, gpointer user_data);
/* Asks the bus who sent @invocation and calls @func with the answer. */
void mv_dbus_lookup_caller (GDBusMethodInvocation *invocation,
			    MvDbusCallerFunc func,
			    gpointer user_data);

/* The group whose members may call the admin methods besides root and the daemon's own user
 * (the D-Bus system policy, packaging/org.medverse.Health1.conf, lets the same three in). */
#define MV_DBUS_ADMIN_GROUP "medverse-admin"

/* TRUE when @uid may call the admin methods: root, the daemon's own user, or a member of
 * MV_DBUS_ADMIN_GROUP (its primary group or a supplementary one). */
gboolean mv_dbus_uid_is_admin (guint32 uid);
/* The bounds in force (main context only: SIGHUP changes them there). */
guint64 mv_dbus_get_max_input_bytes (MvDbus *self);
guint64 mv_dbus_get_max_output_bytes (MvDbus *self);
/* Connects to @bus, exports the objects and owns the name; returns when the name is owned
 * (or failed to be). */
gboolean mv_dbus_start (MvDbus *self, MvBusKind bus, GError **error);
/* Adds interface @name on the fixed object, served by @vtable with @user_data; call before
 * mv_dbus_start().  @name is declared in org.medverse.Health1.xml or in a file of its own,
 * schemas/dbus/NAME.xml, in the same resource.  Used by org.medverse.Health1.Admin and
 * org.medverse.Health1.Patient. */
void mv_dbus_add_interface (MvDbus *self,
			    const gchar *name,
			    const GDBusInterfaceVTable *vtable,
			    gpointer user_data);
void mv_dbus_free (MvDbus *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MvDbus, mv_dbus_free)

G_END_DECLS
