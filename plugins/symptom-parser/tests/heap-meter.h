/*
 * A peak-heap meter for tests: counts the bytes the process has allocated with malloc and
 * friends (usable sizes, so allocator rounding is included) and the highest count since the
 * last heap_meter_start().  It works by replacing glibc's malloc in the test executable, which
 * glibc supports; under AddressSanitizer, which replaces malloc itself, it counts through the
 * sanitizer's allocation hooks instead (requested sizes: ASan does not round).  Only under
 * another sanitizer (MemorySanitizer) is it not compiled in, and heap_meter_available() FALSE.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* TRUE when the meter counts; FALSE under MemorySanitizer. */
gboolean heap_meter_available (void);

/* Starts a measurement: the current count becomes the baseline and the peak. */
void heap_meter_start (void);

/* The highest count since heap_meter_start(), minus the baseline, in bytes. */
gsize heap_meter_peak (void);

/* The current count minus the baseline (negative when older blocks were freed). */
gssize heap_meter_current (void);

G_END_DECLS
