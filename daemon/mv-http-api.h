/*
 * Resource routes of the HTTP adapter (patients, admin, audit…), declared as tables.
 *
 * A module declares its routes with a pattern ("/v1/patients/{id}"), a method, the roles it
 * accepts and a handler.  The adapter does the rest, the same way for every route: 404/405,
 * content type and JSON parsing for bodies, bearer-token authentication and role check (401/403),
 * running the handler in a worker thread (it may block on the database), and turning its
 * result or GError into the response.  Handlers never see the HTTP library.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "mv-auth-context.h"

G_BEGIN_DECLS

typedef struct _MvHttpRequest MvHttpRequest;

/* Runs in a worker thread.  Returns the response body (transfer full; NULL with no error means
 * an empty body, e.g. 204), or NULL with @error set (MV_ERROR codes map to statuses). */
typedef JsonNode *(*MvHttpApiFunc) (MvHttpRequest *request, GError **error);

typedef struct {
	const gchar *method;  /* "GET", "POST", "PATCH", "DELETE", … */
	const gchar *pattern; /* literal segments and {name} placeholders */
	guint roles;	      /* MvRole mask accepted; MV_ROLE_NONE = no authentication */
	MvHttpApiFunc func;
	const gchar *summary; /* one line for the API document */
	/* a route that calls a plugin method: the plugin and method it calls, or "{plugin}" and
	 * "{method}" when the path names them; the API document then describes the body and the
	 * answer from the method's declared arguments */
	const gchar *plugin;
	const gchar *plugin_method;
	/* POST/PUT: an absent or empty body (no Content-Type, or application/json) is taken as
	 * {} instead of being refused; the API document marks the body optional */
	gboolean body_optional;
	/* a route whose answer is not JSON (mv_http_request_set_text()): its media type, for the
	 * API document ("text/calendar"); NULL: JSON */
	const gchar *answer_type;
} MvHttpRoute;

/* Resolves a bearer token into a caller (in a worker thread); may set response headers
 * (Retry-After) on @request and fails with MV_ERROR_UNAUTHORIZED or MV_ERROR_RATE_LIMITED. */
typedef MvAuthContext *(*MvHttpAuthFunc) (MvHttpRequest *request,
					  const gchar *token,
					  gpointer user_data,
					  GError **error);

const gchar *mv_http_request_get_id (MvHttpRequest *request);
const gchar *mv_http_request_get_method (MvHttpRequest *request);
/* A {name} segment of the pattern (already percent-decoded), or NULL. */
const gchar *mv_http_request_get_param (MvHttpRequest *request, const gchar *name);
/* A query-string parameter, or NULL. */
const gchar *mv_http_request_get_query (MvHttpRequest *request, const gchar *name);
const gchar *mv_http_request_get_header (MvHttpRequest *request, const gchar *name);
/* The client's IP address as text ("127.0.0.1", "::1"): the TCP peer, which is the proxy's
 * address behind a proxy; NULL when unknown. */
const gchar *mv_http_request_get_client_address (MvHttpRequest *request);
/* The parsed JSON object body of POST/PUT/PATCH, or NULL for other methods. */
JsonObject *mv_http_request_get_body (MvHttpRequest *request);
/* The caller's preferred language from Accept-Language (the tag of highest weight), "en" when
 * it names none. */
const gchar *mv_http_request_get_locale (MvHttpRequest *request);
/* The authenticated caller; NULL on routes without authentication. */
const MvAuthContext *mv_http_request_get_auth (MvHttpRequest *request);
/* The user_data given with the route table. */
gpointer mv_http_request_get_user_data (MvHttpRequest *request);
/* For a handler whose answer comes later from another thread (a plugin call that runs in the
 * plugin's own worker): call this, return NULL without an error, and hand the answer to
 * mv_http_request_finish() exactly once.  The handler's worker thread is free meanwhile; the
 * connection waits without polling. */
void mv_http_request_defer (MvHttpRequest *request);
/* The deferred answer, from any thread: @result (transfer full; NULL: empty body) or @error
 * (transfer full).  @request is freed: the last touch of it. */
void mv_http_request_finish (MvHttpRequest *request, JsonNode *result, GError *error);
/* Defaults to 200 (204 when the handler returns no body). */
void mv_http_request_set_status (MvHttpRequest *request, guint status);
void mv_http_request_set_header (MvHttpRequest *request, const gchar *name, const gchar *value);
/* An answer that is not JSON (a calendar, text/calendar): @text (transfer full) is sent as it
 * is with @content_type; the handler then returns NULL without an error. */
void mv_http_request_set_text (MvHttpRequest *request, const gchar *content_type, gchar *text);

/* Conditional requests, one rule for every versioned resource: the ETag of a version is the
 * strong tag "N".  mv_http_request_set_etag() sets it; mv_http_request_get_if_match() reads
 * If-Match, which must be exactly one such tag (weak tags, lists and * are MV_ERROR_MALFORMED:
 * a change must name the version it was computed from).  Without the header: when @required,
 * MV_ERROR_PRECONDITION_REQUIRED (428), else TRUE with *@version 0. */
void mv_http_request_set_etag (MvHttpRequest *request, guint64 version);
gboolean mv_http_request_get_if_match (MvHttpRequest *request,
				       gboolean required,
				       guint64 *version,
				       GError **error);

/* The route of @routes with @method and @pattern exactly, or NULL. */
const MvHttpRoute *mv_http_routes_find (const MvHttpRoute *routes,
					guint n_routes,
					const gchar *method,
					const gchar *pattern);

/* One call of a route's handler for a caller of another adapter (the D-Bus patient interface,
 * mv-dbus-patient.c): what a request would carry, already read from that adapter's message. */
typedef struct {
	const gchar *request_id;
	const gchar *token;	     /* the key the caller presented; NULL or "": UNAUTHORIZED */
	const gchar *client_address; /* who asks, for the per-address limit ("dbus:uid=1000") */
	const gchar *locale;	     /* a BCP 47 tag; NULL: "en" */
	GHashTable *query;	     /* (nullable): name -> value, as a query string's */
	JsonObject *body;	     /* (nullable): a POST/PUT/PATCH body, as parsed */
	MvHttpAuthFunc auth_func;    /* the HTTP adapter's authenticator */
	gpointer auth_data;
} MvHttpLocalCall;

/* Runs @route's handler in the calling thread the way the router would: the key through
 * @call's authenticator, the route's role check, then the handler with @user_data (the user
 * data the route was added with).  Nothing is re-implemented: the validation, authorisation
 * and audit of the route are its handler's.  For routes without {name} placeholders (they
 * read as absent), whose handler answers before it returns: mv_http_request_defer() on a
 * local request is a programming error (a critical).  @status: what the route would answer (201 for
 * a creation, 200, 204 for no body); response headers are dropped (an ETag's version is in the
 * record). Returns: (transfer full): the answer, or NULL with @error (MV_ERROR codes). */
JsonNode *mv_http_route_run_local (const MvHttpRoute *route,
				   gpointer user_data,
				   const MvHttpLocalCall *call,
				   guint *status,
				   GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
