/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stats: call records, advisers' outcome notes and the partners' statistics
 * over HTTP.
 *
 *   POST /api/outcome    {call, topic?, outcome, follow_up, note}: the adviser
 *                        who had the call, within OUTCOME_WINDOW_S of its end
 *   GET  /api/stats      ?from=YYYY-MM-DD&to=YYYY-MM-DD (inclusive): JSON rows
 *   GET  /api/stats.csv  the same rows as RFC 4180 CSV (attachment)
 *
 * Statistics are for admins only; outcomes for advisers and admins. The hub
 * reports ended calls and ratings through the server's transport, which hands
 * them here (sb_stats_call_ended, sb_stats_feedback) to be written to the
 * store: anonymous records, no names, no chat.
 */
#pragma once

#include <libsoup/soup.h>
#include "hub.h"
#include "store.h"

G_BEGIN_DECLS

typedef struct _SbStats SbStats;

/* The outcome codes the console offers (and the only ones accepted). */
extern const char *const sb_outcome_codes[];

/* Registers the handlers above on `soup`, which owns the returned object
 * (freed with it). `secure`: the pages are served over TLS (the expected
 * Origin is https://). Returns: (transfer none) */
SbStats *sb_stats_register(SoupServer *soup, SbStore *store, gboolean secure);
/* The object sb_stats_register() attached to `soup`, or NULL. */
SbStats *sb_stats_get(SoupServer *soup);

/* A call ended (or a visitor left the queue): writes its record.
 * `adviser_session`: the SHA-256 of the answering adviser's sign-in session
 * token (nullable), the one session allowed to add the outcome. */
void sb_stats_call_ended(SbStats *stats, const SbHubCallInfo *info, const char *adviser_session);
/* The visitor's rating of a call. */
void sb_stats_feedback(SbStats *stats, const char *call_id, gint score);

G_END_DECLS
