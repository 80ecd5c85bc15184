/*
 * Medverse plugin SDK — the value model: JSON <-> GVariant by declared arguments.
 *
 * The same conversion the daemon's HTTP adapter uses, exported so that a plugin's tests and
 * tools see exactly what an HTTP client would.  Conversion is strict: a JSON string is never
 * taken for a number, an integer out of range is refused, and every error names the field by its
 * path (e.g. `findings[2].code`) and the type that was expected.
 *
 * Mapping: b <-> true/false; y n q i u x t <-> integer (range-checked: a value outside the
 * type is refused, never wrapped; t takes 0..2^63 - 1); d <-> number; s o g <-> string (valid
 * UTF-8); v <-> any JSON value (typed by its JSON kind); arrays <-> arrays; a{s*} <-> objects;
 * tuples <-> arrays of fixed length; m* <-> value or null.
 *
 * JSON text given to the daemon or to mv_test_host_call_json() is checked against RFC 8259
 * before it is parsed, strictly: one value, no comments or single quotes, no duplicate keys, no
 * \u0000, integers within a signed 64-bit integer (see sdk/README.md).
 */
#pragma once

#include <json-glib/json-glib.h>

#include "mv-plugin.h"

G_BEGIN_DECLS

/**
 * mv_value_from_json_args:
 * @args: (nullable): argument declarations terminated by a %NULL name
 * @object: (nullable): the JSON object; %NULL is treated as `{}`
 * @error: return location for an error (%MV_ERROR_INVALID_INPUT)
 *
 * Builds the argument tuple from a JSON object with one member per argument.  Unknown members
 * and missing required members are errors.
 *
 * Returns: (transfer full): a tuple, or %NULL with @error set.
 */
GVariant *mv_value_from_json_args (const MvArg *args, JsonObject *object, GError **error);

/**
 * mv_value_to_json_args:
 * @args: (nullable): argument declarations terminated by a %NULL name
 * @tuple: a tuple of the declared types
 * @error: return location for an error
 *
 * Returns: (transfer full): a JSON object node with one member per argument, or %NULL with
 *   @error set when @tuple does not match @args.
 */
JsonNode *mv_value_to_json_args (const MvArg *args, GVariant *tuple, GError **error);

/**
 * mv_value_from_json:
 * @type: the expected type
 * @node: the JSON value
 * @path: the field path to name in errors, e.g. "text"
 * @error: return location for an error
 *
 * Returns: (transfer full): a value of @type, or %NULL with @error set.
 */
GVariant *
mv_value_from_json (const GVariantType *type, JsonNode *node, const gchar *path, GError **error);

/**
 * mv_value_to_json:
 * @value: any value
 *
 * Returns: (transfer full): its JSON form.  Byte strings (ay) become arrays of integers.
 */
JsonNode *mv_value_to_json (GVariant *value);

/**
 * mv_value_new_empty:
 * @type: a definite type
 *
 * Returns: (transfer full): the empty value of @type: 0, FALSE, "", an empty container, a tuple
 *   of empty values, or a variant holding "".
 */
GVariant *mv_value_new_empty (const GVariantType *type);

G_END_DECLS
