/* What the VR route tests share (with the plan tests' requests, patients and keys). */
#pragma once

#include "plans-test.h"

G_BEGIN_DECLS

/* a session body of @minutes (a JSON number text) of @content, started an hour ago, with
 * @extra (nullable: ",\"member\":value…") */
gchar *vr_session_body (const gchar *client_id,
			const gchar *content,
			const gchar *minutes,
			const gchar *extra);

/* @member of @r's body, asserted to be a list */
JsonArray *vr_array (MvtResponse *r, const gchar *member);

/* whether @list (of {id, …}) holds @id; @reason (nullable): the code one of its reasons must
 * have */
gboolean vr_lists (JsonArray *list, const gchar *id, const gchar *reason);

/* @method @path as @token with the JSON @body (nullable) and further request headers (name,
 * value, …, NULL; nullable) */
MvtResponse *vr_call (const gchar *method,
		      const gchar *path,
		      const gchar *token,
		      const gchar *body,
		      const gchar *const *headers);

/* the session body of vr_session_body() with `completed` @completed and @extra */
gchar *vr_session_body_full (const gchar *client_id,
			     const gchar *content,
			     const gchar *minutes,
			     gboolean completed,
			     const gchar *extra);

/* the text of the file named by the environment variable @variable (asserted readable) */
gchar *vr_fixture (const gchar *variable);

G_END_DECLS
