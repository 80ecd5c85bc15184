/*
 * Medverse engagement — reading a rules file with every problem at its line (private to
 * mv-engagement-rules.c; a later rules file of the core may use it too).
 *
 * json-glib keeps no positions in its tree, so the reader listens to the parser's signals
 * while it parses and notes the line of every node (a scalar: the line its member or element
 * ends on; an object or array: the line of its opening bracket).  A problem is then recorded
 * as "NAME:LINE: /json/pointer: what is wrong", at the line of the node it is about, or of
 * the object that lacks a member; mv_rj_check() turns them into one error, a line each.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "mv-engagement-rules.h"

G_BEGIN_DECLS

typedef struct _MvRulesJson MvRulesJson;

/* A reader for the file @name (the name problems are reported under). */
MvRulesJson *mv_rj_new (const gchar *name);
void mv_rj_free (MvRulesJson *reader);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MvRulesJson, mv_rj_free)

/* Parses @data.  Returns: (transfer none) (nullable): the root (NULL for an empty file,
 * with a problem noted), or NULL with a syntax error ("NAME:LINE:COL: …") in @error. */
JsonNode *mv_rj_parse (MvRulesJson *reader, const gchar *data, GError **error);

/* Returns: %FALSE with every problem noted, one a line in the order of their lines, in @error
 * (%MV_ENGAGEMENT_ERROR_RULES). */
gboolean mv_rj_check (MvRulesJson *reader, GError **error);

/* The line of @node (0 when unknown). */
guint mv_rj_line (MvRulesJson *reader, JsonNode *node);

/* Notes a problem at @line about @pointer. */
G_GNUC_PRINTF (4, 5)
void mv_rj_problem (MvRulesJson *reader, guint line, const gchar *pointer, const gchar *fmt, ...);

/* The typed readers: each notes a problem and returns NULL, FALSE or 0 when the member is
 * missing or of the wrong type; @line is where the object holding the member starts. */
JsonNode *mv_rj_need (
	MvRulesJson *reader, JsonObject *o, guint line, const gchar *pointer, const gchar *name);
JsonObject *mv_rj_object (MvRulesJson *reader, JsonNode *node, const gchar *pointer);
JsonArray *mv_rj_array (MvRulesJson *reader, JsonNode *node, const gchar *pointer);
/* notes each member of @o not in @allowed */
void
mv_rj_only (MvRulesJson *reader, JsonObject *o, const gchar *pointer, const gchar *const *allowed);
gboolean mv_rj_number (MvRulesJson *reader,
		       JsonNode *node,
		       const gchar *pointer,
		       gdouble min,
		       gdouble max,
		       gboolean integer,
		       gdouble *out);
guint mv_rj_uint (MvRulesJson *reader,
		  JsonObject *o,
		  guint line,
		  const gchar *pointer,
		  const gchar *name,
		  guint min,
		  guint max);
const gchar *mv_rj_string (
	MvRulesJson *reader, JsonObject *o, guint line, const gchar *pointer, const gchar *name);
/* "id": 1-64 of [a-z0-9-] */
const gchar *mv_rj_id (MvRulesJson *reader, JsonObject *o, guint line, const gchar *pointer);
/* {"en", "zh"}, both non-empty; an absent optional one leaves @out empty and is fine */
gboolean mv_rj_text (MvRulesJson *reader,
		     JsonObject *o,
		     guint line,
		     const gchar *pointer,
		     const gchar *name,
		     gboolean required,
		     MvText *out);

/* Where a missing section of the root is reported: the root object's line. */
guint mv_rj_root_line (MvRulesJson *reader);

G_END_DECLS
