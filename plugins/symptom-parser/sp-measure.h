/*
 * symptom-parser — measurements, scores and medication attributes.
 *
 * Vital signs and lab values with their numbers and units ("BP 140/90", "体温38.5℃",
 * "T 38.5 P 102 R 22", "weight 150 lb", "HbA1c 7.2%"), pain scores ("pain 7/10", "VAS 3",
 * 疼痛评分7分), weight lost or gained ("lost 5 kg", 掉了5斤), and the dose, frequency and route
 * written after a medication ("metformin 500 mg PO BID", 二甲双胍0.5g 每日三次).  Part of the
 * parser core; the tables, units, plausibility limits and reference ranges are documented in
 * the plugin README ("Measurements, scores and medications").
 */
#pragma once

#include "sp-ctx.h"

G_BEGIN_DECLS

/**
 * sp_measure_find:
 * @ctx: a parse whose terms, durations and scores have been matched, before its items are
 *   sorted
 *
 * Turns each measurement name followed by a plausible value into an %SP_ITEM_MEASURE item (a
 * blood pressure into two: systolic and diastolic), adds the measurements a unit alone names
 * ("39.2℃", "140/90 mmHg", "102 bpm"), the single-letter vital signs of a vitals run ("T 38.5
 * P 102 R 22"), a pain score for each "n/10", and a Weight loss (or gain) concept for "lost 5 kg".
 * A name with no plausible value is left alone: it gives no finding.  Linear in the text.
 */
void sp_measure_find (SpCtx *ctx);

/**
 * sp_measure_fill:
 * @ctx: the parse, its items sorted and indexed
 * @k: the index of a concept or measure item
 * @f: its finding, with context and attributes already set
 *
 * Sets a measurement's or score's kind, value, unit and interpretation (and clears what a
 * measured value cannot have: polarity is present, no severity, side, site or duration), and a
 * medication's dose, frequency and route when the text states them.
 *
 * Returns: %FALSE when @f is not a finding.
 */
gboolean sp_measure_fill (SpCtx *ctx, guint k, SpFinding *f);

/* what sp_measure_times() says of a reading (SpCtx.measure_time, per measure) */
enum {
	SP_MEASURE_TIME_ASIS = 0, /* as its clause's history cues say */
	SP_MEASURE_TIME_PAST,	  /* an earlier reading than another of its measurement */
	SP_MEASURE_TIME_NOW,	  /* the current one of several */
};

/**
 * sp_measure_times:
 * @ctx: the parse, its items sorted and indexed
 *
 * Of two or more readings of one measurement in the text, marks the one told as earlier ("on
 * admission", "baseline", "was", 入院时, 原来, 最高) historical and the later one ("now",
 * "on discharge", "->", 复查, 现在) current, in @ctx->measure_time (sp-measure-time.c).  A lone
 * reading is left as its clause says.  Linear in the number of items.
 */
void sp_measure_times (SpCtx *ctx);

G_END_DECLS
