/*
 * Medverse audit — the witness: every signed tree head the daemon commits, also written where
 * the database cannot reach it (docs/security.md, "The witness file").
 *
 * A witness file is append-only text, one line per signed tree head, fields separated by a tab:
 *
 *     mv-sth-v1  installation id  clinic id  tree size  root (64 hex)  timestamp µs  signature (128
 * hex)
 *
 * exactly the fields the Ed25519 signature covers (mv-audit.h), so a line is checked with the
 * log's public key alone.  The daemon writes <data-dir>/audit-witness.log and, when configured,
 * a second file ([audit] external-witness-file); `medversectl audit verify` compares the
 * database with the heads the files hold, so a tail rolled back or a tree deleted in the
 * database is reported even when the database is consistent with itself.
 *
 * A line is written only after the transaction holding its head committed
 * (mv_db_on_commit()): the file never claims a head the database did not have.
 */
#pragma once

#include <glib.h>

#include "mv-audit.h"

G_BEGIN_DECLS

/* the witness file in the daemon's data (state) directory */
#define MV_AUDIT_WITNESS_FILE_NAME "audit-witness.log"
/* the first field of every line; a new format gets a new tag */
#define MV_AUDIT_WITNESS_TAG "mv-sth-v1"

/**
 * mv_audit_witness_format_line:
 * @head: a signed tree head
 * @error: %MV_ERROR_INVALID_INPUT when an id holds a tab, a newline or another control
 *   character (an append refuses those already: this is the line format's own guard)
 *
 * Returns: (transfer full): the line, with its terminating newline, or %NULL
 */
gchar *mv_audit_witness_format_line (const MvTreeHead *head,
				     GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * mv_audit_witness_parse_line:
 * @line: one line, without its newline
 * @error: %MV_ERROR_INVALID_INPUT naming the field that is wrong
 *
 * The inverse of mv_audit_witness_format_line(); the signature is not checked here.
 *
 * Returns: (transfer full): the head, or %NULL
 */
MvTreeHead *mv_audit_witness_parse_line (const gchar *line,
					 GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* ---- writing (the daemon) ------------------------------------------------------------------ */

typedef struct _MvAuditWitness MvAuditWitness;

/**
 * mv_audit_witness_open:
 * @paths: (array zero-terminated=1): the files to write, at least one
 * @error: %MV_ERROR_FAILED naming the file that cannot be opened
 *
 * Opens (creating with mode 0600, and syncing the directory so the new name survives a crash)
 * every file for appending (O_APPEND).  A file found with group or other permissions is set to
 * 0600.  A file whose last line was torn by a crash is ended with a newline first, so the next
 * head starts a line of its own (verify reports the torn line and ignores it).
 *
 * Returns: (transfer full): the witness, or %NULL
 */
MvAuditWitness *mv_audit_witness_open (const gchar *const *paths,
				       GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * mv_audit_witness_append:
 * @witness: a witness
 * @head: a signed tree head whose transaction has committed
 * @error: %MV_ERROR_FAILED naming the file and the system error
 *
 * Writes @head's line to every file with one write() and makes it durable with fdatasync()
 * before returning (docs/security.md has the measured cost).  Every file is tried even when
 * one fails.  A file that starts failing is logged once as a warning, and once more when it
 * works again, so a full disk does not flood the journal.
 *
 * Thread safety: any number of threads may append at once; lines never interleave.
 *
 * Returns: %TRUE when every file holds the line durably
 */
gboolean mv_audit_witness_append (MvAuditWitness *witness, const MvTreeHead *head, GError **error);

void mv_audit_witness_free (MvAuditWitness *witness);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MvAuditWitness, mv_audit_witness_free)

/* ---- reading (audit verify) ---------------------------------------------------------------- */

/**
 * MvAuditWitnessFile:
 * @path: the file read
 * @heads: (element-type MvTreeHead): the well-formed lines, in file order
 * @lines: (element-type guint): the line number of each of @heads
 * @notes: (element-type utf8): lines ignored and why ("line 7: …"): a torn last line (a crash
 *   while writing), or a malformed one
 *
 * Signatures are not checked when reading: verify checks each head with the public key.
 */
typedef struct {
	gchar *path;
	GPtrArray *heads;
	GArray *lines;
	GPtrArray *notes;
} MvAuditWitnessFile;

/**
 * mv_audit_witness_file_read:
 * @path: a witness file
 * @error: %MV_ERROR_NOT_FOUND when it does not exist, %MV_ERROR_FAILED when it cannot be read
 *
 * Reads the whole file, line by line.  A malformed line is not an error: it is listed in
 * @notes and skipped, so a crash in the middle of a write never makes the file unusable.
 *
 * Returns: (transfer full): the file's heads, or %NULL
 */
MvAuditWitnessFile *mv_audit_witness_file_read (const gchar *path,
						GError **error) G_GNUC_WARN_UNUSED_RESULT;

void mv_audit_witness_file_free (MvAuditWitnessFile *file);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MvAuditWitnessFile, mv_audit_witness_file_free)

G_END_DECLS
