/* The exchange's fields, for the two files of the front that build and send it (mv-http.c,
 * mv-http-exchange.c); route code sees only the functions of mv-http-private.h. */
#pragma once

#include <microhttpd.h>

#include "mv-http-private.h"

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
	GByteArray *body;   /* nullable: no body */
	GPtrArray *scratch; /* strings handed out that live as long as the exchange */
	GError *refusal;    /* nullable: the answer once the (dropped) body is in */

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

G_END_DECLS
