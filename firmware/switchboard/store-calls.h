/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * store-calls: the anonymous record kept of each call, with the visitor's
 * rating and the adviser's outcome (store-calls.c; STORE.md "Call records
 * and statistics"). Included by store.h.
 */
#pragma once

#include "store.h"

G_BEGIN_DECLS

/* --- call records ------------------------------------------------------------------- */

/* What is kept of a call, written when it ends. Anonymous: no adviser, no
 * visitor, no answers, no chat. */
typedef struct {
	const char *call_id;  /* the protocol's call id: a later rating names it */
	gint64 site_id;	      /* 0: unknown */
	const char *booth_id; /* nullable */
	const char *topic;    /* topic id */
	const char *language; /* lang tag */
	gint64 queued_at;
	gint64 answered_at; /* 0: the visitor left before anyone answered */
	gint64 ended_at;
	const char *end_reason; /* nullable; an id such as "hangup", "peer-lost", "cancelled" */
	guint transfers;	/* warm transfers, 0..RELAIS_PROTO_MAX_TRANSFERS */
} SbCallRecord;

/* Returns the record's id or 0 (INVALID, EXISTS, NOT_FOUND for the site).
 * The call's row in live_calls, if any, goes in the same transaction; an
 * EXISTS (the record was written already, by another process) removes it
 * too: a call has one record, and is over once it has it. */
G_GNUC_WARN_UNUSED_RESULT
gint64 sb_store_call_insert(SbStore *store, const SbCallRecord *record, GError **error);
/* The visitor's rating, 1..5, once per call (EXISTS the second time). */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_call_set_satisfaction(SbStore *store, const char *call_id, gint score, GError **error);
/* The adviser's outcome: a code ([a-z0-9_-], 1..32), an optional note of at
 * most CONFIG_RELAIS_SB_OUTCOME_NOTE_MAX characters (longer is refused, never
 * cut), and whether a follow-up is planned. PRIVACY: the note is the only free
 * text kept after a call; the console must tell advisers never to write names,
 * contacts or identifying details in it. */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_call_set_outcome(SbStore *store, const char *call_id, const char *outcome, const char *note,
				   gboolean follow_up, GError **error);

/* --- calls in progress (STORE.md "Calls in progress") ------------------------------ */

/* A call an adviser answered and that has not ended yet: written at once,
 * removed with its record (sb_store_call_insert), read back by a
 * switchboard that starts again. No visitor data. */
typedef struct {
	const char *call_id;
	const char *booth_id;
	const char *adviser; /* the login of the adviser who answered: only they may resume it */
	const char *ticket;
	const char *site; /* nullable: the site as the hub knew it (a name) */
	const char *topic;
	const char *language;
	gint64 queued_at;
	gint64 answered_at;
} SbLiveCall;

/* INVALID (a field), EXISTS (that call id is live already). */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_live_call_insert(SbStore *store, const SbLiveCall *call, GError **error);
typedef void (*SbLiveCallFunc)(const SbLiveCall *call, gpointer user_data);
/* Calls `func` for each live call, oldest answered first; `call` lives for
 * the call only. */
/* A warm transfer handed call `call_id` to the adviser signed in as
 * `adviser`: only they may resume it now. A call not (or no longer) in
 * progress: NOT_FOUND. */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_live_call_set_adviser(SbStore *store, const char *call_id, const char *adviser, GError **error);
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_live_call_scan(SbStore *store, SbLiveCallFunc func, gpointer user_data, GError **error);

/* What statistics read of one call record (stats.c aggregates them). */
typedef struct {
	gint64 site_id;	   /* 0: unknown */
	const char *topic; /* topic id */
	gint64 queued_at;
	gboolean answered; /* an adviser answered at answered_at */
	gint64 answered_at;
	gint64 ended_at;
	gint satisfaction; /* 1..5, 0: not rated */
	gboolean follow_up;
	guint transfers; /* warm transfers the call went through */
} SbCallFacts;
typedef void (*SbCallFactsFunc)(const SbCallFacts *facts, gpointer user_data);
/* Calls `func` for each call queued in [from_s, to_s), in no set order;
 * `facts` lives for the call only. */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_call_scan(SbStore *store, gint64 from_s, gint64 to_s, SbCallFactsFunc func, gpointer user_data,
			    GError **error);

G_END_DECLS
