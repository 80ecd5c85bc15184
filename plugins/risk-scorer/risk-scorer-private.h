/*
 * risk-scorer plugin — what its two files share (risk-scorer.c: the plugin, ListModels,
 * Describe, Score, ScoreBatch; risk-scorer-columns.c: ScoreColumns).
 */
#pragma once

#include <medverse/medverse-plugin.h>

#include "rs-model.h"
#include "rs-score.h"

G_BEGIN_DECLS

/* what of Score's answer a model gives once (risk-scorer.c) */
typedef struct _RsAnswer RsAnswer;

typedef struct {
	GPtrArray *models;  /* of RsModel, in load order: shipped first, then the clinic's */
	GPtrArray *answers; /* of RsAnswer, one a model, at its index */
} RsPlugin;

/* the loaded model @id, or NULL with MV_ERROR_NOT_FOUND naming it in both languages */
const RsModel *rs_lookup (MvCall *call, const gchar *id, GError **error);
/* @language if given, else the caller's Accept-Language */
RsLang rs_call_lang (MvCall *call, const gchar *language);

GVariant *rs_plugin_score_columns (MvCall *call, GVariant *input, GError **error);
extern const MvArg rs_columns_in[];
extern const MvArg rs_columns_out[];

G_END_DECLS
