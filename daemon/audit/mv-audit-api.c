#define G_LOG_DOMAIN "medverse-audit"

#include "mv-error-table.h"
#include "mv-audit-api.h"

#include <medverse/mv-error.h>
#include <sodium.h>
#include <string.h>

#include "mv-audit-log.h"
#include "mv-http-api.h"

#define DEFAULT_PAGE 100
#define MAX_PAGE 1000

static gchar *
to_hex (const guint8 *data, gsize len)
{
	gchar *hex = g_malloc (len * 2 + 1);
	sodium_bin2hex (hex, len * 2 + 1, data, len);
	return hex;
}

static void
add_hex (JsonBuilder *b, const gchar *name, const guint8 *data, gsize len)
{
	g_autofree gchar *hex = to_hex (data, len);
	json_builder_set_member_name (b, name);
	json_builder_add_string_value (b, hex);
}

static void
add_string (JsonBuilder *b, const gchar *name, const gchar *value)
{
	json_builder_set_member_name (b, name);
	json_builder_add_string_value (b, value);
}

static void
add_int (JsonBuilder *b, const gchar *name, gint64 value)
{
	json_builder_set_member_name (b, name);
	json_builder_add_int_value (b, value);
}

static void
add_proof (JsonBuilder *b, const gchar *name, GBytes *proof)
{
	gsize len;
	const guint8 *data = g_bytes_get_data (proof, &len);

	json_builder_set_member_name (b, name);
	json_builder_begin_array (b);
	for (gsize off = 0; off + MV_MERKLE_HASH_SIZE <= len; off += MV_MERKLE_HASH_SIZE) {
		g_autofree gchar *hex = to_hex (data + off, MV_MERKLE_HASH_SIZE);
		json_builder_add_string_value (b, hex);
	}
	json_builder_end_array (b);
}

/* the signed tree head in the shape tests/tools/verify_audit.py reads ("sths") */
static void
add_head (JsonBuilder *b, const MvTreeHead *head)
{
	json_builder_begin_object (b);
	add_string (b, "log_id", head->log_id);
	add_string (b, "tree_id", head->tree_id);
	add_int (b, "tree_size", (gint64)head->tree_size);
	add_hex (b, "root_hash", head->root_hash, sizeof head->root_hash);
	add_int (b, "timestamp_us", head->timestamp_us);
	add_hex (b, "signature", head->signature, sizeof head->signature);
	json_builder_end_object (b);
}

static void
add_entry (JsonBuilder *b, const MvAuditEntry *e, const guint8 *leaf_hash)
{
	json_builder_begin_object (b);
	add_string (b, "clinic_id", e->clinic_id);
	add_int (b, "seq", (gint64)e->seq);
	add_int (b, "timestamp_us", e->timestamp_us);
	add_string (b, "actor", e->actor);
	add_string (b, "action", e->action);
	add_string (b, "resource_type", e->resource_type);
	add_string (b, "resource_id", e->resource_id);
	add_string (b, "request_id", e->request_id);
	add_hex (b, "leaf_hash", leaf_hash, MV_MERKLE_HASH_SIZE);
	json_builder_end_object (b);
}

static void
add_public_key (JsonBuilder *b, MvServices *services)
{
	g_autofree gchar *hex = mv_audit_signer_get_public_key_hex (services->signer);
	add_string (b, "public_key", hex);
}

/* The tree the caller may read: an operator any, a clinic admin only its own (another clinic's
 * tree is "not found", never "forbidden", so its existence does not leak). */
static const gchar *
scoped_tree (MvHttpRequest *request, GError **error)
{
	const MvAuthContext *auth = mv_http_request_get_auth (request);
	const gchar *clinic = mv_http_request_get_param (request, "clinic");

	if (auth != NULL && auth->role == MV_ROLE_OPERATOR)
		return clinic;
	if (auth != NULL && auth->role == MV_ROLE_CLINIC_ADMIN && auth->clinic_id != NULL
	    && g_strcmp0 (auth->clinic_id, clinic) == 0)
		return auth->clinic_id;
	mv_set_error_bilingual_printf (error, MV_ERROR_NOT_FOUND, "no audit tree %s",
				       "没有审计树 %s", clinic);
	return NULL;
}

static gboolean
parse_u64 (MvHttpRequest *request,
	   const gchar *name,
	   gboolean required,
	   guint64 fallback,
	   guint64 min,
	   guint64 max,
	   guint64 *out,
	   GError **error)
{
	/* a path segment wins: ?seq= must not redirect /entries/{seq}/proof to another entry */
	const gchar *text = mv_http_request_get_param (request, name);
	if (text == NULL)
		text = mv_http_request_get_query (request, name);
	if (text == NULL) {
		if (required) {
			mv_set_error_bilingual_printf (error, MV_ERROR_INVALID_INPUT,
						       "query parameter %s is required",
						       "缺少必填的查询参数 %s", name);
			return FALSE;
		}
		*out = fallback;
		return TRUE;
	}
	if (!g_ascii_string_to_unsigned (text, 10, min, max, out, NULL)) {
		mv_set_error_bilingual_printf (
			error, MV_ERROR_INVALID_INPUT,
			"%s must be an integer from %" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT,
			"%s 必须是从 %" G_GUINT64_FORMAT " 到 %" G_GUINT64_FORMAT " 的整数", name,
			min, max);
		return FALSE;
	}
	return TRUE;
}

/* ---- database work, each inside one (read-only) transaction ------------------------------- */

typedef struct {
	MvServices *services;
	const gchar *tree;
	guint64 a, b; /* per handler: sizes, seq, paging */
	gboolean has_b;
	JsonBuilder *out;
} Job;

static MvTreeHead *
load_head (PGconn *conn, const gchar *log_id, const gchar *tree, guint64 size, GError **error)
{
	g_autofree gchar *size_text = g_strdup_printf ("%" G_GUINT64_FORMAT, size);
	const gchar *values[] = { tree, size_text };
	g_autoptr (PGresult) res = NULL;
	g_autoptr (GBytes) root = NULL, sig = NULL;
	MvTreeHead *head;

	/* size 0 stands for "the latest" */
	res = mv_db_exec_params (
		conn,
		"SELECT size, root, (extract(epoch from signed_at) * 1000000)::bigint, "
		"signature FROM audit_tree_heads WHERE clinic_id = $1 "
		"AND ($2::bigint = 0 OR size = $2::bigint) ORDER BY size DESC LIMIT 1",
		2, values, error);
	if (res == NULL)
		return NULL;
	if (PQntuples (res) == 0) {
		if (size == 0)
			mv_set_error_bilingual_printf (error, MV_ERROR_NOT_FOUND,
						       "audit tree %s has no signed tree head yet",
						       "审计树 %s 尚无签名树头", tree);
		else
			mv_set_error_bilingual_printf (
				error, MV_ERROR_NOT_FOUND,
				"audit tree %s has no signed tree head of size %" G_GUINT64_FORMAT,
				"审计树 %s 没有大小为 %" G_GUINT64_FORMAT " 的签名树头", tree,
				size);
		return NULL;
	}
	root = mv_db_bytea_from_text (PQgetvalue (res, 0, 1));
	sig = mv_db_bytea_from_text (PQgetvalue (res, 0, 3));
	if (root == NULL || g_bytes_get_size (root) != MV_MERKLE_HASH_SIZE || sig == NULL
	    || g_bytes_get_size (sig) != MV_AUDIT_SIGNATURE_SIZE) {
		g_set_error (error, MV_ERROR, MV_ERROR_INTEGRITY,
			     "audit tree %s: stored tree head is malformed", tree);
		return NULL;
	}
	head = mv_tree_head_new (log_id, tree, g_ascii_strtoull (PQgetvalue (res, 0, 0), NULL, 10),
				 g_bytes_get_data (root, NULL),
				 g_ascii_strtoll (PQgetvalue (res, 0, 2), NULL, 10));
	memcpy (head->signature, g_bytes_get_data (sig, NULL), MV_AUDIT_SIGNATURE_SIZE);
	return head;
}

/* the leaf hashes of entries [0, size), which must all be there in order */
static guint8 *
load_leaves (PGconn *conn, const gchar *tree, guint64 size, GError **error)
{
	g_autofree gchar *size_text = g_strdup_printf ("%" G_GUINT64_FORMAT, size);
	const gchar *values[] = { tree, size_text };
	g_autoptr (PGresult) res = NULL;
	g_autofree guint8 *leaves = NULL;

	res = mv_db_exec_params (conn,
				 "SELECT seq, leaf_hash FROM audit_entries WHERE clinic_id = $1 "
				 "AND seq < $2::bigint ORDER BY seq",
				 2, values, error);
	if (res == NULL)
		return NULL;
	leaves = g_malloc0 (MAX (size, 1) * MV_MERKLE_HASH_SIZE);
	for (guint64 i = 0; i < size; i++) {
		g_autoptr (GBytes) leaf = NULL;
		if (i >= (guint64)PQntuples (res)
		    || g_ascii_strtoull (PQgetvalue (res, i, 0), NULL, 10) != i
		    || (leaf = mv_db_bytea_from_text (PQgetvalue (res, i, 1))) == NULL
		    || g_bytes_get_size (leaf) != MV_MERKLE_HASH_SIZE) {
			g_set_error (error, MV_ERROR, MV_ERROR_INTEGRITY,
				     "audit tree %s: entry %" G_GUINT64_FORMAT
				     " is missing or malformed; run medversectl audit verify",
				     tree, i);
			return NULL;
		}
		memcpy (leaves + i * MV_MERKLE_HASH_SIZE, g_bytes_get_data (leaf, NULL),
			MV_MERKLE_HASH_SIZE);
	}
	return g_steal_pointer (&leaves);
}

static gboolean
head_job (PGconn *conn, gpointer user_data, GError **error)
{
	Job *job = user_data;
	g_autofree gchar *log_id = mv_audit_log_get_installation_id (conn, error);
	g_autoptr (MvTreeHead) head = NULL;

	if (log_id == NULL)
		return FALSE;
	head = load_head (conn, log_id, job->tree, 0, error);
	if (head == NULL)
		return FALSE;
	json_builder_begin_object (job->out);
	json_builder_set_member_name (job->out, "sth");
	add_head (job->out, head);
	add_public_key (job->out, job->services);
	json_builder_end_object (job->out);
	return TRUE;
}

static gboolean
entries_job (PGconn *conn, gpointer user_data, GError **error)
{
	Job *job = user_data;
	g_autoptr (MvAuditTree) tree = NULL;

	tree = mv_audit_log_read_page (conn, job->tree, (gint64)job->a, (gint64)job->b, error);
	if (tree == NULL)
		return FALSE;
	json_builder_begin_object (job->out);
	add_int (job->out, "tree_size", (gint64)tree->stored_size);
	json_builder_set_member_name (job->out, "entries");
	json_builder_begin_array (job->out);
	for (gsize i = 0; i < tree->n_entries; i++)
		add_entry (job->out, &tree->entries[i],
			   tree->leaf_hashes + i * MV_MERKLE_HASH_SIZE);
	json_builder_end_array (job->out);
	json_builder_set_member_name (job->out, "next");
	if (job->a + job->b < tree->stored_size)
		json_builder_add_int_value (job->out, (gint64)(job->a + job->b));
	else
		json_builder_add_null_value (job->out);
	json_builder_end_object (job->out);
	return TRUE;
}

static gboolean
proof_job (PGconn *conn, gpointer user_data, GError **error)
{
	Job *job = user_data;
	guint64 seq = job->a;
	g_autofree gchar *log_id = mv_audit_log_get_installation_id (conn, error);
	g_autoptr (MvTreeHead) head = NULL;
	g_autoptr (MvAuditTree) tree = NULL;
	g_autofree guint8 *leaves = NULL;
	g_autoptr (GBytes) proof = NULL;

	if (log_id == NULL)
		return FALSE;
	head = load_head (conn, log_id, job->tree, job->has_b ? job->b : 0, error);
	if (head == NULL)
		return FALSE;
	if (seq >= head->tree_size) {
		mv_set_error_bilingual_printf (
			error, MV_ERROR_INVALID_INPUT,
			"seq %" G_GUINT64_FORMAT " is not in the tree of size %" G_GUINT64_FORMAT,
			"seq %" G_GUINT64_FORMAT " 不在大小为 %" G_GUINT64_FORMAT " 的树中", seq,
			head->tree_size);
		return FALSE;
	}
	leaves = load_leaves (conn, job->tree, head->tree_size, error);
	if (leaves == NULL)
		return FALSE;
	proof = mv_merkle_inclusion_proof (leaves, head->tree_size, seq, error);
	if (proof == NULL)
		return FALSE;
	tree = mv_audit_log_read_tree (conn, job->tree, (gint64)seq + 1, error);
	if (tree == NULL)
		return FALSE;
	if (tree->n_entries != seq + 1 || tree->entries[seq].seq != seq) {
		g_set_error (error, MV_ERROR, MV_ERROR_INTEGRITY,
			     "audit tree %s: entry %" G_GUINT64_FORMAT " is missing", job->tree,
			     seq);
		return FALSE;
	}
	json_builder_begin_object (job->out);
	json_builder_set_member_name (job->out, "entry");
	add_entry (job->out, &tree->entries[seq], tree->leaf_hashes + seq * MV_MERKLE_HASH_SIZE);
	json_builder_set_member_name (job->out, "inclusion");
	json_builder_begin_object (job->out);
	add_int (job->out, "index", (gint64)seq);
	add_int (job->out, "tree_size", (gint64)head->tree_size);
	add_proof (job->out, "path", proof);
	add_hex (job->out, "leaf_hash", leaves + seq * MV_MERKLE_HASH_SIZE, MV_MERKLE_HASH_SIZE);
	add_hex (job->out, "root", head->root_hash, MV_MERKLE_HASH_SIZE);
	json_builder_end_object (job->out);
	json_builder_set_member_name (job->out, "sth");
	add_head (job->out, head);
	add_public_key (job->out, job->services);
	json_builder_end_object (job->out);
	return TRUE;
}

static gboolean
consistency_job (PGconn *conn, gpointer user_data, GError **error)
{
	Job *job = user_data;
	g_autofree gchar *log_id = mv_audit_log_get_installation_id (conn, error);
	g_autoptr (MvTreeHead) first = NULL, second = NULL;
	g_autofree guint8 *leaves = NULL;
	g_autoptr (GBytes) proof = NULL;

	if (log_id == NULL)
		return FALSE;
	second = load_head (conn, log_id, job->tree, job->has_b ? job->b : 0, error);
	if (second == NULL)
		return FALSE;
	if (job->a > second->tree_size) {
		mv_set_error_bilingual_printf (
			error, MV_ERROR_INVALID_INPUT,
			"from (%" G_GUINT64_FORMAT ") must not exceed to (%" G_GUINT64_FORMAT ")",
			"from（%" G_GUINT64_FORMAT "）不得大于 to（%" G_GUINT64_FORMAT "）", job->a,
			second->tree_size);
		return FALSE;
	}
	first = load_head (conn, log_id, job->tree, job->a, error);
	if (first == NULL)
		return FALSE;
	leaves = load_leaves (conn, job->tree, second->tree_size, error);
	if (leaves == NULL)
		return FALSE;
	proof = mv_merkle_consistency_proof (leaves, first->tree_size, second->tree_size, error);
	if (proof == NULL)
		return FALSE;
	json_builder_begin_object (job->out);
	json_builder_set_member_name (job->out, "consistency");
	json_builder_begin_object (job->out);
	add_int (job->out, "size1", (gint64)first->tree_size);
	add_int (job->out, "size2", (gint64)second->tree_size);
	add_proof (job->out, "path", proof);
	add_hex (job->out, "root1", first->root_hash, MV_MERKLE_HASH_SIZE);
	add_hex (job->out, "root2", second->root_hash, MV_MERKLE_HASH_SIZE);
	json_builder_end_object (job->out);
	json_builder_set_member_name (job->out, "sths");
	json_builder_begin_array (job->out);
	add_head (job->out, first);
	add_head (job->out, second);
	json_builder_end_array (job->out);
	add_public_key (job->out, job->services);
	json_builder_end_object (job->out);
	return TRUE;
}

typedef struct {
	Job *job;
	MvDbTransactionFunc fn;
} Attempt;

/* mv_db_transaction() may run a job again (deadlock): each attempt builds its answer afresh */
static gboolean
attempt_job (PGconn *conn, gpointer user_data, GError **error)
{
	Attempt *attempt = user_data;
	json_builder_reset (attempt->job->out);
	return attempt->fn (conn, attempt->job, error);
}

static JsonNode *
run (Job *job, MvDbTransactionFunc fn, GError **error)
{
	g_autoptr (JsonBuilder) builder = json_builder_new ();
	Attempt attempt = { job, fn };

	job->out = builder;
	if (!mv_db_transaction (job->services->db, attempt_job, &attempt, error))
		return NULL;
	return json_builder_get_root (builder);
}

static JsonNode *
get_head (MvHttpRequest *request, GError **error)
{
	Job job = { .services = mv_http_request_get_user_data (request) };

	job.tree = scoped_tree (request, error);
	if (job.tree == NULL)
		return NULL;
	return run (&job, head_job, error);
}

static JsonNode *
get_entries (MvHttpRequest *request, GError **error)
{
	Job job = { .services = mv_http_request_get_user_data (request) };

	job.tree = scoped_tree (request, error);
	if (job.tree == NULL
	    || !parse_u64 (request, "from", FALSE, 0, 0, G_MAXINT64 / 2, &job.a, error)
	    || !parse_u64 (request, "limit", FALSE, DEFAULT_PAGE, 1, MAX_PAGE, &job.b, error))
		return NULL;
	return run (&job, entries_job, error);
}

static JsonNode *
get_proof (MvHttpRequest *request, GError **error)
{
	Job job = { .services = mv_http_request_get_user_data (request) };

	job.tree = scoped_tree (request, error);
	if (job.tree == NULL
	    || !parse_u64 (request, "seq", TRUE, 0, 0, G_MAXINT64 - 1, &job.a, error)
	    || !parse_u64 (request, "tree_size", FALSE, 0, 1, G_MAXINT64, &job.b, error))
		return NULL;
	job.has_b = mv_http_request_get_query (request, "tree_size") != NULL;
	return run (&job, proof_job, error);
}

static JsonNode *
get_consistency (MvHttpRequest *request, GError **error)
{
	Job job = { .services = mv_http_request_get_user_data (request) };

	job.tree = scoped_tree (request, error);
	if (job.tree == NULL || !parse_u64 (request, "from", TRUE, 0, 1, G_MAXINT64, &job.a, error)
	    || !parse_u64 (request, "to", FALSE, 0, 1, G_MAXINT64, &job.b, error))
		return NULL;
	job.has_b = mv_http_request_get_query (request, "to") != NULL;
	return run (&job, consistency_job, error);
}

#define AUDITORS (MV_ROLE_CLINIC_ADMIN | MV_ROLE_OPERATOR)

static const MvHttpRoute audit_routes[] = {
	{ "GET", "/v1/audit/{clinic}/head", AUDITORS, get_head,
	  "The latest signed tree head of a clinic's audit log, with the public key" },
	{ "GET", "/v1/audit/{clinic}/entries", AUDITORS, get_entries,
	  "Audit entries, paged by sequence number (?from=&limit=)" },
	{ "GET", "/v1/audit/{clinic}/entries/{seq}/proof", AUDITORS, get_proof,
	  "An entry with its inclusion proof in the tree of ?tree_size=" },
	{ "GET", "/v1/audit/{clinic}/consistency", AUDITORS, get_consistency,
	  "A consistency proof between two tree sizes (?from=&to=)" },
};

const MvHttpRoute *
mv_audit_http_routes (guint *n_routes)
{
	*n_routes = G_N_ELEMENTS (audit_routes);
	return audit_routes;
}
