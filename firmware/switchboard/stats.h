/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stats: call records, advisers' outcome notes and the partners' statistics
 * over HTTP, and the statistics themselves: rows aggregated from the store's
 * call records and bookings (sb_store_stats, which keeps its name from when
 * the store made them) and their CSV.
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
#include "reader.h"
#include "writeq.h"

G_BEGIN_DECLS

typedef struct _SbStats SbStats;

/* The outcome codes the console offers (and the only ones accepted). */
extern const char *const sb_outcome_codes[];

/* The write queue's operation labels (writeq.h) of call records and ratings. */
#define SB_STATS_OP_CALL   "call_record"
#define SB_STATS_OP_RATING "rating"

/* Registers the handlers above on `soup`, which owns the returned object
 * (freed with it). The statistics are read through `reader` (which must
 * outlive `soup`'s requests: sb_reader_free answers those waiting).
 * `writes` (not owned, outlives `soup`'s handlers): call records and
 * ratings go through it. `secure`: the pages are served over TLS (the
 * expected Origin is https://). Returns: (transfer none) */
SbStats *sb_stats_register(SoupServer *soup, SbStore *store, SbReader *reader, SbWriteQueue *writes, gboolean secure);
/* The object sb_stats_register() attached to `soup`, or NULL. */
SbStats *sb_stats_get(SoupServer *soup);

/* A call ended (or a visitor left the queue): writes its record, now or,
 * while the store cannot take it, later in order (writeq.h).
 * `adviser_signin`: the SHA-256 of the answering adviser's sign-in
 * token (nullable), the one sign-in allowed to add the outcome. */
void sb_stats_call_ended(SbStats *stats, const SbHubCallInfo *info, const char *adviser_signin);
/* The visitor's rating of a call: written after its call's record. */
void sb_stats_feedback(SbStats *stats, const char *call_id, gint score);

/* --- aggregation: HTTP-free, reads through the store's API ------------------- */

/* One row per (local day, site, topic): anonymous aggregates only. */
typedef struct {
	char *day; /* "YYYY-MM-DD" in the site's time zone */
	gint64 site_id;
	char *site;				    /* "" for calls of no known site */
	char *topic;				    /* "" for bookings without a topic */
	guint requests;				    /* visitors who asked for an adviser */
	guint signins;				    /* of them, answered */
	gdouble wait_mean_s, wait_median_s;	    /* queued → answered; -1 without sign-ins */
	gdouble duration_mean_s, duration_median_s; /* answered → ended; -1 without sign-ins */
	guint satisfaction[5];			    /* [0] counts score 1 ... [4] score 5 */
	guint follow_ups;
	guint transferred; /* sessions handed to another adviser (warm transfer) */
	guint bookings;	   /* starting that day, cancelled ones excluded */
	guint no_shows;	   /* of them, not checked in in time */
} SbStatRow;
void sb_stat_row_free(SbStatRow *row);

/* Calls queued and bookings starting in [from_s, to_s). Returns: (transfer
 * full) (element-type SbStatRow) by day, site name (code point order), topic;
 * NULL on error. */
GPtrArray *sb_store_stats(SbStore *store, gint64 from_s, gint64 to_s, GError **error);
/* RFC 4180 CSV of `rows` (element-type SbStatRow): a header line, CRLF line
 * ends, fields quoted when needed, text cells that a spreadsheet would take as
 * a formula (= + - @) prefixed with '. Returns: (transfer full) */
char *sb_stats_to_csv(GPtrArray *rows);

G_END_DECLS
