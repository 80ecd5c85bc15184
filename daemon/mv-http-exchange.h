/* The exchange's fields, for the two files of the front that build and send it (mv-http.c,
 * mv-http-exchange.c); route code sees only the functions of mv-http-private.h. */
#pragma once

#include <microhttpd.h>

#include "mv-http-private.h"
#include "mv-locale.h"

G_BEGIN_DECLS

struct _MvHttpExchange {
	struct MHD_Connection *conn;
	gchar *request_id; /* always the daemon's own */
	gchar *method;
	gchar *raw_path;  /* as sent: percent-encoded */
	gchar *raw_query; /* nullable */
	gchar *client_address;
	gint64 started_us;
	gboolean headers_done; /* the access handler has seen the headers */
	gboolean counted;      /* in MvHttp's count of requests in flight */
	gboolean suspended;
	GByteArray *body;    /* nullable: no body */
	GPtrArray *scratch;  /* strings handed out that live as long as the exchange */
	guint64 drained;     /* body bytes read so far */
	gboolean sent_now;   /* the answer went out by mv_http_exchange_send_now() */
	MvLanguage language; /* of error answers: from Accept-Language once the headers are in */

	/* the answer */
	gboolean answered;
	gboolean close; /* Connection: close after it */
	guint status;
	gchar *answer_text;	   /* nullable: empty body */
	GPtrArray *answer_headers; /* name, value, name, value… */
};

MvHttpExchange *mv_http_exchange_new (struct MHD_Connection *conn, const gchar *uri);
void mv_http_exchange_free (MvHttpExchange *ex);
/* Hands the answer to the connection; MHD_NO only if libmicrohttpd refused it. */
enum MHD_Result mv_http_exchange_queue (MvHttpExchange *ex);

/* {"error": {"code", "message", "request_id", "details"?}} from the error table, in @language;
 * "details" lists the error's problems (mv_error_get_n_problems()) as {"field", "code",
 * "message"}.  Every text is made valid UTF-8, so the body is always valid JSON (transfer
 * full). */
gchar *mv_http_error_json (const GError *error, const gchar *request_id, MvLanguage language);
/* "HTTP/1.1 408 Request Timeout…" with the JSON body, Date, X-Request-Id, Content-Language (of
 * @language) and Connection: close (transfer full). */
gchar *mv_http_raw_answer (guint status,
			   const gchar *request_id,
			   MvLanguage language,
			   const gchar *json_text);
/* Writes @ex's answer straight to its socket (the library's own sending is bypassed); the caller
 * then closes the connection.  FALSE if nothing of it could be written. */
gboolean mv_http_exchange_send_now (MvHttpExchange *ex);

G_END_DECLS
