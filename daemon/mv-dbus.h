/* The D-Bus adapter: org.medverse.Health1 over the engine.  No engine logic lives here. */
#pragma once

#include "mv-config.h"
#include "mv-engine.h"

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
/* Connects to @bus, exports the objects and owns the name; returns when the name is owned
 * (or failed to be). */
gboolean mv_dbus_start (MvDbus *self, MvBusKind bus, GError **error);
/* Adds interface @name (declared in the D-Bus schema XML) on the fixed object, served by
 * @vtable with @user_data; call before mv_dbus_start().  Used by org.medverse.Health1.Admin. */
void mv_dbus_add_interface (MvDbus *self,
			    const gchar *name,
			    const GDBusInterfaceVTable *vtable,
			    gpointer user_data);
void mv_dbus_free (MvDbus *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MvDbus, mv_dbus_free)

G_END_DECLS
