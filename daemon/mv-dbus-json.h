/*
 * JSON <-> GVariant for the D-Bus adapter: the one place where a JSON answer becomes a typed
 * D-Bus value and a D-Bus a{sv} becomes a JSON body.  Every D-Bus interface whose answers are
 * records (org.medverse.Health1.Admin, org.medverse.Health1.Patient) goes through it, so a
 * record has one D-Bus shape whichever interface returns it (docs/dbus.md, "Typed values").
 *
 * JSON -> D-Bus:  object a{sv}; array of objects (or empty) aa{sv}; array of strings as; any
 *   other array av; integer x; other number d; string s; boolean b; a null member is left out
 *   of its a{sv} (D-Bus has no null; the convention of D-Bus records), a null inside a mixed
 *   array is "".
 * D-Bus -> JSON:  s string; y n q i u x t integer (a t above G_MAXINT64 is refused); d number
 *   (finite); b boolean; v its content; a{s*} object; any other array an array.  Types with no
 *   JSON equivalent (o, g, h, tuples, dictionaries keyed by other than strings) are problems of
 *   the input ("wrong-type"), each named by its JSON Pointer.  D-Bus strings are valid UTF-8
 *   without NUL by the wire protocol, so no text check is needed here.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* @node as a D-Bus value (floating). */
GVariant *mv_dbus_json_to_variant (JsonNode *node);
/* @object as a{sv} (floating). */
GVariant *mv_dbus_json_object_to_vardict (JsonObject *object);
/* @array as aa{sv}, as or av (floating). */
GVariant *mv_dbus_json_array_to_variant (JsonArray *array);

/**
 * mv_dbus_vardict_to_json:
 * @vardict: an a{sv}
 * @error: where problems are added (mv_error_add_problem(): %MV_ERROR_INVALID_INPUT)
 *
 * Returns: (transfer full): the JSON object, or %NULL with every problem in @error
 */
JsonObject *mv_dbus_vardict_to_json (GVariant *vardict, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * mv_dbus_vardict_to_json_marked:
 * @vardict: an a{sv}
 * @problems: where the problems of members JSON cannot hold are added
 *
 * As mv_dbus_vardict_to_json(), but the object is answered even when a member (at any depth)
 * has a type JSON cannot hold: that member is a JSON null, a value no typed member of a route's
 * body accepts, and its problem is in @problems.  A D-Bus adapter runs the route with it, so
 * the route's own problems are listed with these (every problem at once), and a route always
 * refuses it: nothing is written.
 *
 * Returns: (transfer full): the JSON object (never %NULL)
 */
JsonObject *mv_dbus_vardict_to_json_marked (GVariant *vardict,
					    GError **problems) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
