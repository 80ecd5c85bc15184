/* Stands in for medversed on a test bus: owns org.medverse.Health1 (or says it may not) and
 * answers every method call with the error org.medverse.Test.Reached, so a caller can tell a call
 * the bus policy let through from one it refused (org.freedesktop.DBus.Error.AccessDenied).
 * The bus policy is the subject of check-dbus-policy.sh; the daemon's own checks are not. */
#include <gio/gio.h>

static GDBusMessage *
answer_everything (GDBusConnection *connection,
		   GDBusMessage *message,
		   gboolean incoming,
		   G_GNUC_UNUSED gpointer user_data)
{
	g_autoptr (GDBusMessage) reply = NULL;

	if (!incoming
	    || g_dbus_message_get_message_type (message) != G_DBUS_MESSAGE_TYPE_METHOD_CALL
	    || g_strcmp0 (g_dbus_message_get_sender (message), "org.freedesktop.DBus") == 0)
		return message;
	reply = g_dbus_message_new_method_error_literal (message, "org.medverse.Test.Reached",
							 "the call reached the name's owner");
	g_dbus_connection_send_message (connection, reply, G_DBUS_SEND_MESSAGE_FLAGS_NONE, NULL,
					NULL);
	g_object_unref (message);
	return NULL;
}

int
main (int argc, char **argv)
{
	/* --probe: exit once the name is ours, instead of serving */
	gboolean probe = argc > 1 && g_strcmp0 (argv[1], "--probe") == 0;
	g_autoptr (GError) error = NULL;
	g_autoptr (GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SYSTEM, NULL, &error);
	g_autoptr (GVariant) owned = NULL;
	g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
	guint32 result = 0;

	if (bus == NULL) {
		g_printerr ("dbus-policy-stub: %s\n", error->message);
		return 1;
	}
	g_dbus_connection_add_filter (bus, answer_everything, NULL, NULL);
	owned = g_dbus_connection_call_sync (
		bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
		"RequestName", g_variant_new ("(su)", "org.medverse.Health1", 4 /* DO_NOT_QUEUE */),
		G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
	if (owned == NULL) {
		/* the policy's refusal: AccessDenied */
		g_print ("refused: %s\n", error->message);
		return 3;
	}
	g_variant_get (owned, "(u)", &result);
	if (result != 1 /* PRIMARY_OWNER */) {
		g_print ("not the owner (%u)\n", result);
		return 4;
	}
	g_print ("owner\n");
	if (!probe)
		g_main_loop_run (loop);
	return 0;
}
