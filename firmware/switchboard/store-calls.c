/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "relais-store"

#include "store-private.h"
#include "relais-config.h"
/* --- call records --------------------------------------------------------------------------- */

static gint64 insert_record(SbStore *s, const SbCallRecord *r, GError **error)
{
	g_autoptr(SbStmt) st = store_prep(
		s,
		"INSERT INTO call_records (call_id, site_id, booth_id, topic, language, "
		"queued_at, answered_at, ended_at, end_reason, transfers) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		error);
	if (!st)
		return 0;
	int rc = store_bind_text(st, 1, r->call_id) | store_bind_opt(st, 2, r->site_id) |
		 store_bind_text(st, 3, r->booth_id) | store_bind_text(st, 4, r->topic) |
		 store_bind_text(st, 5, r->language) | store_bind_int64(st, 6, r->queued_at) |
		 store_bind_opt(st, 7, r->answered_at) | store_bind_int64(st, 8, r->ended_at) |
		 store_bind_text(st, 9, r->end_reason ? r->end_reason : "") | store_bind_int(st, 10, (int)r->transfers);
	if (!store_bound(s, rc, error) || !store_run(s, st, "recording the call", error))
		return 0;
	return store_last_id(s);
}

static gboolean drop_live(SbStore *s, const char *call_id, GError **error)
{
	g_autoptr(SbStmt) st = store_prep(s, "DELETE FROM live_calls WHERE call_id = ?", error);
	return st && store_bound(s, store_bind_text(st, 1, call_id), error) &&
	       store_run(s, st, "removing the call in progress", error);
}

gint64 sb_store_call_insert(SbStore *s, const SbCallRecord *r, GError **error)
{
	g_return_val_if_fail(r != NULL, 0);
	if (!store_check_id("the call id", r->call_id, SB_STORE_MAX_ID, error) ||
	    (r->booth_id && !store_check_id("the booth id", r->booth_id, SB_STORE_MAX_ID, error)) ||
	    !store_check_id("the topic", r->topic, SB_STORE_MAX_ID, error))
		return 0;
	if (!relais_proto_valid_lang(r->language)) {
		store_invalid(error, "the language is not a language tag (2..8 of a-z -)");
		return 0;
	}
	if (r->end_reason && r->end_reason[0] && !store_is_word(r->end_reason, 32)) {
		store_invalid(error, "an end reason is a code of 1..32 characters of a-z 0-9 _ -, not free text");
		return 0;
	}
	if (r->transfers > RELAIS_PROTO_MAX_TRANSFERS) {
		store_invalid(error, "a call is transferred at most 5 times");
		return 0;
	}
	if (r->queued_at <= 0 || r->ended_at < r->queued_at ||
	    (r->answered_at != 0 && (r->answered_at < r->queued_at || r->answered_at > r->ended_at))) {
		store_invalid(error, "the call's times are not in order (queued <= answered <= ended)");
		return 0;
	}
	if (r->site_id != 0 && !store_site_exists(s, r->site_id, error))
		return 0;
	if (!store_tx_begin(s, error))
		return 0;
	g_autoptr(GError) local = NULL;
	gint64 id = insert_record(s, r, &local);
	if (id == 0 && !g_error_matches(local, SB_STORE_ERROR, SB_STORE_ERROR_EXISTS)) {
		store_tx_rollback(s);
		g_propagate_error(error, g_steal_pointer(&local));
		return 0;
	}
	if (!drop_live(s, r->call_id, error) || !store_tx_commit(s, error)) {
		store_tx_rollback(s);
		return 0;
	}
	if (local)
		g_propagate_error(error, g_steal_pointer(&local));
	return id;
}

static gboolean call_exists(SbStore *s, const char *call_id, GError **error)
{
	g_autoptr(SbStmt) st = store_prep(s, "SELECT 1 FROM call_records WHERE call_id = ?", error);
	if (!st || !store_bound(s, store_bind_text(st, 1, call_id), error))
		return FALSE;
	int rc = store_step(s, st, "looking up the call", error);
	if (rc == STORE_DONE)
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND, "no call '%s'", call_id);
	return rc == STORE_ROW;
}

gboolean sb_store_call_set_satisfaction(SbStore *s, const char *call_id, gint score, GError **error)
{
	if (score < 1 || score > 5)
		return store_invalid(error, "a rating is 1..5");
	if (!store_check_id("the call id", call_id, SB_STORE_MAX_ID, error) || !call_exists(s, call_id, error))
		return FALSE;
	g_autoptr(SbStmt) st = store_prep(
		s, "UPDATE call_records SET satisfaction = ? WHERE call_id = ? AND satisfaction IS NULL", error);
	if (!st || !store_bound(s, store_bind_int(st, 1, score) | store_bind_text(st, 2, call_id), error) ||
	    !store_run(s, st, "recording the rating", error))
		return FALSE;
	if (store_changes(s) == 0) {
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_EXISTS, "the call '%s' is rated already", call_id);
		return FALSE;
	}
	return TRUE;
}

gboolean sb_store_call_set_outcome(SbStore *s, const char *call_id, const char *outcome, const char *note,
				   gboolean follow_up, GError **error)
{
	if (!store_check_id("the call id", call_id, SB_STORE_MAX_ID, error))
		return FALSE;
	if (!store_is_word(outcome, 32))
		return store_invalid(error, "an outcome is a code of 1..32 characters of a-z 0-9 _ -");
	if (note && note[0] && CONFIG_RELAIS_SB_OUTCOME_NOTE_MAX == 0)
		return store_invalid(error, "outcome notes are disabled");
	if (!store_check_text("the note", note, 0, CONFIG_RELAIS_SB_OUTCOME_NOTE_MAX, TRUE, error) ||
	    !call_exists(s, call_id, error))
		return FALSE;
	g_autoptr(SbStmt) st = store_prep(
		s, "UPDATE call_records SET outcome = ?, outcome_note = ?, follow_up = ? WHERE call_id = ?", error);
	return st &&
	       store_bound(s,
			   store_bind_text(st, 1, outcome) | store_bind_text(st, 2, note && note[0] ? note : NULL) |
				   store_bind_int(st, 3, follow_up ? 1 : 0) | store_bind_text(st, 4, call_id),
			   error) &&
	       store_run(s, st, "recording the outcome", error);
}

gboolean sb_store_call_scan(SbStore *s, gint64 from_s, gint64 to_s, SbCallFactsFunc func, gpointer user_data,
			    GError **error)
{
	g_autoptr(SbStmt) st =
		store_prep(s,
			   "SELECT coalesce(site_id, 0), topic, queued_at, answered_at, ended_at, "
			   "satisfaction, follow_up, transfers FROM call_records WHERE queued_at >= ? AND "
			   "queued_at < ?",
			   error);
	if (!st || !store_bound(s, store_bind_int64(st, 1, from_s) | store_bind_int64(st, 2, to_s), error))
		return FALSE;
	StoreStep rc;
	while ((rc = store_step(s, st, "reading call records", error)) == STORE_ROW) {
		SbCallFacts f = {
			.site_id = store_col_int64(st, 0),
			.topic = store_col_text(st, 1),
			.queued_at = store_col_int64(st, 2),
			.answered = !store_col_is_null(st, 3),
			.answered_at = store_col_int64(st, 3),
			.ended_at = store_col_int64(st, 4),
			.satisfaction = store_col_int(st, 5),
			.follow_up = store_col_int(st, 6) != 0,
			.transfers = (guint)store_col_int(st, 7),
		};
		func(&f, user_data);
	}
	return rc == STORE_DONE;
}

/* --- calls in progress ------------------------------------------------------------------------ */

gboolean sb_store_live_call_insert(SbStore *s, const SbLiveCall *c, GError **error)
{
	g_return_val_if_fail(c != NULL, FALSE);
	if (!store_check_id("the call id", c->call_id, SB_STORE_MAX_ID, error) ||
	    !store_check_id("the booth id", c->booth_id, SB_STORE_MAX_ID, error) ||
	    !store_check_id("the ticket", c->ticket, SB_STORE_MAX_ID, error) ||
	    !store_check_id("the topic", c->topic, SB_STORE_MAX_ID, error) ||
	    !store_check_text("the adviser", c->adviser, 1, SB_STORE_MAX_LOGIN, FALSE, error) ||
	    (c->site && !store_check_text("the site", c->site, 1, 100, FALSE, error)))
		return FALSE;
	if (!relais_proto_valid_lang(c->language))
		return store_invalid(error, "the language is not a language tag (2..8 of a-z -)");
	if (c->queued_at <= 0 || c->answered_at < c->queued_at)
		return store_invalid(error, "the call's times are not in order (queued <= answered)");
	g_autoptr(SbStmt) st = store_prep(s,
					  "INSERT INTO live_calls (call_id, booth_id, adviser, ticket, site, topic, "
					  "language, queued_at, answered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
					  error);
	if (!st)
		return FALSE;
	int rc = store_bind_text(st, 1, c->call_id) | store_bind_text(st, 2, c->booth_id) |
		 store_bind_text(st, 3, c->adviser) | store_bind_text(st, 4, c->ticket) |
		 store_bind_text(st, 5, c->site && *c->site ? c->site : NULL) | store_bind_text(st, 6, c->topic) |
		 store_bind_text(st, 7, c->language) | store_bind_int64(st, 8, c->queued_at) |
		 store_bind_int64(st, 9, c->answered_at);
	return store_bound(s, rc, error) && store_run(s, st, "recording the call in progress", error);
}

gboolean sb_store_live_call_set_adviser(SbStore *s, const char *call_id, const char *adviser, GError **error)
{
	if (!store_check_id("the call id", call_id, SB_STORE_MAX_ID, error) ||
	    !store_check_text("the adviser", adviser, 1, SB_STORE_MAX_LOGIN, FALSE, error))
		return FALSE;
	g_autoptr(SbStmt) st = store_prep(s, "UPDATE live_calls SET adviser = ? WHERE call_id = ?", error);
	return st && store_bound(s, store_bind_text(st, 1, adviser) | store_bind_text(st, 2, call_id), error) &&
	       store_run(s, st, "handing the call in progress to another adviser", error) &&
	       store_changed_one(s, "call in progress", call_id, error);
}

gboolean sb_store_live_call_scan(SbStore *s, SbLiveCallFunc func, gpointer user_data, GError **error)
{
	g_autoptr(SbStmt) st = store_prep(s,
					  "SELECT call_id, booth_id, adviser, ticket, site, topic, language, "
					  "queued_at, answered_at FROM live_calls ORDER BY answered_at, call_id",
					  error);
	if (!st)
		return FALSE;
	StoreStep rc;
	while ((rc = store_step(s, st, "reading the calls in progress", error)) == STORE_ROW) {
		SbLiveCall c = {
			.call_id = store_col_text(st, 0),
			.booth_id = store_col_text(st, 1),
			.adviser = store_col_text(st, 2),
			.ticket = store_col_text(st, 3),
			.site = store_col_is_null(st, 4) ? NULL : store_col_text(st, 4),
			.topic = store_col_text(st, 5),
			.language = store_col_text(st, 6),
			.queued_at = store_col_int64(st, 7),
			.answered_at = store_col_int64(st, 8),
		};
		func(&c, user_data);
	}
	return rc == STORE_DONE;
}
