/*
 * symptom-parser tests — the prologue every test over the REAL data directory shares: the
 * parser built once per test from $SP_REAL_DATA_DIR (the build's data directory, set by
 * tests/meson.build), and a parse that fails the test on an error.
 *
 *   TestSuite (name, .init = sp_test_data_setup, .fini = sp_test_data_teardown);
 */
#pragma once

#include <glib.h>

#include "sp-parser.h"

G_BEGIN_DECLS

/* the parser of the current test: made by sp_test_data_setup(), freed by the teardown */
extern SpParser *sp_test_parser;

/* Criterion .init: loads the real data directory, failing the test when it does not load. */
void sp_test_data_setup (void);

/* Criterion .fini */
void sp_test_data_teardown (void);

/* The findings of @text (@lang NULL: detected), failing the test on a parse error. */
G_GNUC_WARN_UNUSED_RESULT GArray *sp_test_parse (const gchar *text, const gchar *lang);

G_END_DECLS
