/*
 * The idempotency suite's requests: a POST with an Idempotency-Key, and many such POSTs let go
 * at the same moment from threads of their own (to one daemon or several).  Wrappers of
 * tests/lib (mvt-http.h); safe in any thread, no assertions.
 */
#pragma once

#include "mvt.h"

G_BEGIN_DECLS

/* a POST of JSON @body to @base + @path with an Idempotency-Key (@key NULL: none) as @token
 * (NULL: no Authorization at all); NULL when no answer came */
static inline MvtResponse *
idem_post (const gchar *base,
	   const gchar *path,
	   const gchar *token,
	   const gchar *key,
	   const gchar *body)
{
	const gchar *headers[] = { "Idempotency-Key", key, NULL };
	MvtRequest req = {
		.base_url = base,
		.method = "POST",
		.path = path,
		.content_type = "application/json",
		.body = body,
		.len = -1,
		.token = token,
		.anonymous = token == NULL,
		.headers = key != NULL ? headers : NULL,
		.timeout_s = 60,
	};
	return mvt_request_send (&req, NULL);
}

typedef struct {
	const gchar *url;
	const gchar *path;
	const gchar *token;
	const gchar *key;
	const gchar *body;
	GMutex *lock;
	GCond *cond;
	gboolean *go;
	MvtResponse *response;
} IdemShot;

static inline gpointer
idem_shoot (gpointer data)
{
	IdemShot *shot = data;

	g_mutex_lock (shot->lock);
	while (!*shot->go)
		g_cond_wait (shot->cond, shot->lock);
	g_mutex_unlock (shot->lock);
	shot->response = idem_post (shot->url, shot->path, shot->token, shot->key, shot->body);
	return NULL;
}

/* @n identical POSTs, the i-th to @urls[i % @n_urls], all let go at once; @responses (n of
 * them, transfer full) get their answers, NULL where none came */
static inline void
idem_post_at_once (const gchar *const *urls,
		   guint n_urls,
		   guint n,
		   const gchar *path,
		   const gchar *token,
		   const gchar *key,
		   const gchar *body,
		   MvtResponse **responses)
{
	g_autofree IdemShot *shots = g_new0 (IdemShot, n);
	g_autofree GThread **threads = g_new0 (GThread *, n);
	GMutex lock;
	GCond cond;
	gboolean go = FALSE;

	g_mutex_init (&lock);
	g_cond_init (&cond);
	for (guint i = 0; i < n; i++) {
		shots[i] = (IdemShot){
			urls[i % n_urls], path, token, key, body, &lock, &cond, &go, NULL
		};
		threads[i] = g_thread_new ("idem-shot", idem_shoot, &shots[i]);
	}
	g_mutex_lock (&lock);
	go = TRUE;
	g_cond_broadcast (&cond);
	g_mutex_unlock (&lock);
	for (guint i = 0; i < n; i++) {
		g_thread_join (threads[i]);
		responses[i] = shots[i].response;
	}
	g_mutex_clear (&lock);
	g_cond_clear (&cond);
}

G_END_DECLS
