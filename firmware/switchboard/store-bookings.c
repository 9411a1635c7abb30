/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "relais-store"

#include "store-private.h"
#include "auth.h"
#include "relais-config.h"

#include <string.h>

/* --- bookings ------------------------------------------------------------------------------ */

static const char *const booking_states[] = {"booked", "checked_in", "no_show", "cancelled"};

const char *sb_booking_state_to_string(SbBookingState state)
{
	return (guint)state < G_N_ELEMENTS(booking_states) ? booking_states[state] : "unknown";
}

static SbBookingState booking_state_from(const char *text)
{
	for (guint i = 0; text && i < G_N_ELEMENTS(booking_states); i++)
		if (strcmp(text, booking_states[i]) == 0)
			return (SbBookingState)i;
	return SB_BOOKING_CANCELLED; /* unreachable: the schema checks it */
}

void sb_booking_free(SbBooking *b)
{
	if (b == NULL)
		return;
	g_free(b->code);
	g_free(b->language);
	g_free(b->topic);
	g_free(b->used_call_id);
	g_free(b);
}

#define BOOKING_COLS                                                                                                   \
	"id, code, site_id, start_at, end_at, language, topic, state, created, checked_in_at, used_at, used_call_id"

static SbBooking *booking_from_row(SbStmt *st)
{
	SbBooking *b = g_new0(SbBooking, 1);
	b->id = store_col_int64(st, 0);
	b->code = store_col_str(st, 1);
	b->site_id = store_col_int64(st, 2);
	b->start_s = store_col_int64(st, 3);
	b->end_s = store_col_int64(st, 4);
	b->language = store_col_str(st, 5);
	b->topic = store_col_str(st, 6);
	b->state = booking_state_from(store_col_text(st, 7));
	b->created = store_col_int64(st, 8);
	b->checked_in_at = store_col_int64(st, 9);
	b->used_at = store_col_int64(st, 10);
	b->used_call_id = store_col_is_null(st, 11) ? NULL : store_col_str(st, 11);
	return b;
}

/* The code as the visitor typed it, upper-cased, without spaces and dashes;
 * NULL (CODE_UNKNOWN) when it cannot be a code. */
static char *norm_code(const char *typed, GError **error)
{
	GString *c = g_string_new(NULL);
	for (const char *p = typed ? typed : ""; *p && c->len <= RELAIS_BOOKING_CODE_LEN; p++) {
		if (*p == ' ' || *p == '-')
			continue;
		char u = g_ascii_toupper(*p);
		if (u == '\0' || strchr(RELAIS_BOOKING_ALPHABET, u) == NULL) {
			g_string_truncate(c, 0);
			break;
		}
		g_string_append_c(c, u);
	}
	if (c->len != RELAIS_BOOKING_CODE_LEN) {
		g_string_free(c, TRUE);
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_CODE_UNKNOWN, "this is not a booking code");
		return NULL;
	}
	return g_string_free(c, FALSE);
}

static SbBooking *booking_by_code(SbStore *s, const char *code, GError **error)
{
	g_autoptr(SbStmt) st = store_prep(s, "SELECT " BOOKING_COLS " FROM bookings WHERE code = ?", error);
	if (!st || !store_bound(s, store_bind_text(st, 1, code), error))
		return NULL;
	int rc = store_step(s, st, "reading the booking", error);
	if (rc == STORE_DONE)
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_CODE_UNKNOWN, "no booking has the code %s", code);
	return rc == STORE_ROW ? booking_from_row(st) : NULL;
}

SbBooking *sb_store_booking_create(SbStore *s, gint64 site_id, gint64 start_s, gint64 end_s, const char *language,
				   const char *topic, GError **error)
{
	gint64 now = sb_store_now(s);
	if (end_s <= start_s || end_s - start_s > 4 * 3600) {
		store_invalid(error, "a booking lasts from a minute to 4 hours");
		return NULL;
	}
	if (start_s < now) {
		store_invalid(error, "a booking cannot start in the past");
		return NULL;
	}
	if (start_s > now + (gint64)CONFIG_RELAIS_SB_BOOKING_HORIZON_DAYS * 86400) {
		store_invalid(error, "bookings are taken at most %d days ahead", CONFIG_RELAIS_SB_BOOKING_HORIZON_DAYS);
		return NULL;
	}
	if (language && language[0] && !relais_proto_valid_lang(language)) {
		store_invalid(error, "the language is not a language tag (2..8 of a-z -)");
		return NULL;
	}
	if (topic && topic[0] && !store_check_id("the topic", topic, SB_STORE_MAX_ID, error))
		return NULL;
	g_autoptr(SbCalendar) cal = sb_store_site_calendar(s, site_id, error);
	if (cal == NULL)
		return NULL;
	guint capacity = sb_calendar_capacity(cal, start_s, end_s);
	if (capacity == 0) {
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_CLOSED,
			    "the site is not open for the whole of this time");
		return NULL;
	}
	if (!store_tx_begin(s, error))
		return NULL;
	/* the count and the insert in one write transaction: two bookings made
	 * at once cannot both take the last place */
	gint64 overlapping = -1;
	{
		g_autoptr(SbStmt) st = store_prep(s,
						  "SELECT count(*) FROM bookings WHERE site_id = ? AND state IN "
						  "('booked', 'checked_in') AND start_at < ? AND end_at > ?",
						  error);
		if (st &&
		    store_bound(s,
				store_bind_int64(st, 1, site_id) | store_bind_int64(st, 2, end_s) |
					store_bind_int64(st, 3, start_s),
				error) &&
		    store_step(s, st, "counting bookings", error) == STORE_ROW)
			overlapping = store_col_int64(st, 0);
	}
	if (overlapping < 0) {
		store_tx_rollback(s);
		return NULL;
	}
	if (overlapping >= capacity) {
		store_tx_rollback(s);
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_FULL, "all %u places at this time are booked",
			    capacity);
		return NULL;
	}
	g_autofree char *code = NULL;
	for (guint attempt = 0; attempt < 16 && code == NULL; attempt++) {
		g_autofree char *candidate =
			sb_auth_random_code(RELAIS_BOOKING_ALPHABET, RELAIS_BOOKING_CODE_LEN, error);
		if (candidate == NULL)
			break;
		g_autoptr(SbStmt) st =
			store_prep(s,
				   "INSERT INTO bookings (code, site_id, start_at, end_at, language, topic, "
				   "created) VALUES (?, ?, ?, ?, ?, ?, ?)",
				   error);
		if (!st ||
		    !store_bound(s,
				 store_bind_text(st, 1, candidate) | store_bind_int64(st, 2, site_id) |
					 store_bind_int64(st, 3, start_s) | store_bind_int64(st, 4, end_s) |
					 store_bind_text(st, 5, language ? language : "") |
					 store_bind_text(st, 6, topic ? topic : "") | store_bind_int64(st, 7, now),
				 error))
			break;
		g_autoptr(GError) local = NULL;
		if (store_run(s, st, "saving the booking", &local))
			code = g_steal_pointer(&candidate);
		else if (!g_error_matches(local, SB_STORE_ERROR, SB_STORE_ERROR_EXISTS)) {
			g_propagate_error(error, g_steal_pointer(&local));
			break;
		}
		/* else: that code exists already (1 in 2^30 per booking); draw again */
	}
	if (code == NULL) {
		store_tx_rollback(s);
		if (error && *error == NULL)
			g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_FAILED, "no free booking code found");
		return NULL;
	}
	if (!store_tx_commit(s, error)) {
		store_tx_rollback(s);
		return NULL;
	}
	return booking_by_code(s, code, error);
}

SbBooking *sb_store_booking_get(SbStore *s, const char *typed, GError **error)
{
	g_autofree char *code = norm_code(typed, error);
	return code ? booking_by_code(s, code, error) : NULL;
}

static gboolean mark_no_show(SbStore *s, gint64 id, GError **error)
{
	g_autoptr(SbStmt) st =
		store_prep(s, "UPDATE bookings SET state = 'no_show' WHERE id = ? AND state = 'booked'", error);
	return st && store_bound(s, store_bind_int64(st, 1, id), error) && store_run(s, st, "marking a no-show", error);
}

/* The refusals common to checking in and cancelling. */
static gboolean booking_usable(SbStore *s, SbBooking *b, gint64 site_id, gint64 now, GError **error)
{
	guint no_show_min = 0;
	sb_store_get_booking_window(s, NULL, &no_show_min);
	if (site_id != 0 && b->site_id != site_id) {
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_CODE_WRONG_SITE, "the booking %s is for another site",
			    b->code);
		return FALSE;
	}
	switch (b->state) {
	case SB_BOOKING_CANCELLED:
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_CODE_CANCELLED, "the booking %s was cancelled",
			    b->code);
		return FALSE;
	case SB_BOOKING_CHECKED_IN:
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_CODE_USED, "the code %s has been used already",
			    b->code);
		return FALSE;
	case SB_BOOKING_NO_SHOW:
		break;
	case SB_BOOKING_BOOKED:
		if (now < b->start_s + (gint64)no_show_min * 60)
			return TRUE;
		if (!mark_no_show(s, b->id, error))
			return FALSE;
		break;
	}
	g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_CODE_EXPIRED,
		    "the booking %s has expired: it started more than %u minutes ago", b->code, no_show_min);
	return FALSE;
}

SbBooking *sb_store_booking_check_in(SbStore *s, gint64 site_id, const char *typed, GError **error)
{
	g_autoptr(SbBooking) b = sb_store_booking_get(s, typed, error);
	gint64 now = sb_store_now(s);
	if (b == NULL || !booking_usable(s, b, site_id, now, error))
		return NULL;
	guint early_min = 0;
	sb_store_get_booking_window(s, &early_min, NULL);
	if (now < b->start_s - (gint64)early_min * 60) {
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_CODE_TOO_EARLY,
			    "the booking %s starts later: check in from %u minutes before", b->code, early_min);
		return NULL;
	}
	g_autoptr(SbStmt) st = store_prep(s,
					  "UPDATE bookings SET state = 'checked_in', checked_in_at = ? "
					  "WHERE id = ? AND state = 'booked'",
					  error);
	if (!st || !store_bound(s, store_bind_int64(st, 1, now) | store_bind_int64(st, 2, b->id), error) ||
	    !store_run(s, st, "checking in", error))
		return NULL;
	if (store_changes(s) == 0) {
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_CODE_USED, "the code %s has been used already",
			    b->code);
		return NULL;
	}
	b->state = SB_BOOKING_CHECKED_IN;
	b->checked_in_at = now;
	return g_steal_pointer(&b);
}

gboolean sb_store_booking_cancel(SbStore *s, const char *typed, GError **error)
{
	g_autoptr(SbBooking) b = sb_store_booking_get(s, typed, error);
	if (b == NULL || !booking_usable(s, b, 0, sb_store_now(s), error))
		return FALSE;
	g_autoptr(SbStmt) st =
		store_prep(s, "UPDATE bookings SET state = 'cancelled' WHERE id = ? AND state = 'booked'", error);
	return st && store_bound(s, store_bind_int64(st, 1, b->id), error) &&
	       store_run(s, st, "cancelling the booking", error) && store_changed_one(s, "booking", b->code, error);
}

gboolean sb_store_booking_mark_used(SbStore *s, const char *typed, const char *call_id, GError **error)
{
	g_autofree char *code = norm_code(typed, error);
	if (code == NULL || !store_check_id("the call id", call_id, SB_STORE_MAX_ID, error))
		return FALSE;
	/* one statement: of two callers, exactly one changes the row */
	g_autoptr(SbStmt) st = store_prep(s,
					  "UPDATE bookings SET used_at = ?, used_call_id = ? "
					  "WHERE code = ? AND state = 'checked_in' AND used_at IS NULL",
					  error);
	if (!st ||
	    !store_bound(s,
			 store_bind_int64(st, 1, sb_store_now(s)) | store_bind_text(st, 2, call_id) |
				 store_bind_text(st, 3, code),
			 error) ||
	    !store_run(s, st, "marking the booking used", error))
		return FALSE;
	if (store_changes(s) > 0)
		return TRUE;
	g_autoptr(SbBooking) b = booking_by_code(s, code, error);
	if (b == NULL)
		return FALSE;
	if (b->used_at != 0)
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_CODE_USED,
			    "the booking %s was already used for a call (%s)", b->code,
			    b->used_call_id ? b->used_call_id : "?");
	else
		store_invalid(error, "the booking %s is %s, not checked in: it cannot be used for a call", b->code,
			      sb_booking_state_to_string(b->state));
	return FALSE;
}

GPtrArray *sb_store_booking_list(SbStore *s, gint64 site_id, gint64 from_s, gint64 to_s, GError **error)
{
	g_autoptr(SbStmt) st = store_prep(s,
					  "SELECT " BOOKING_COLS " FROM bookings WHERE (?1 = 0 OR site_id = ?1) "
					  "AND start_at >= ?2 AND start_at < ?3 ORDER BY start_at, id",
					  error);
	if (!st || !store_bound(s,
				store_bind_int64(st, 1, site_id) | store_bind_int64(st, 2, from_s) |
					store_bind_int64(st, 3, to_s),
				error))
		return NULL;
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func((GDestroyNotify)sb_booking_free);
	int rc;
	while ((rc = store_step(s, st, "listing bookings", error)) == STORE_ROW)
		g_ptr_array_add(out, booking_from_row(st));
	return rc == STORE_DONE ? g_steal_pointer(&out) : NULL;
}

gboolean sb_store_bookings_expire(SbStore *s, guint *n_marked, GError **error)
{
	guint no_show_min = 0;
	sb_store_get_booking_window(s, NULL, &no_show_min);
	g_autoptr(SbStmt) st =
		store_prep(s, "UPDATE bookings SET state = 'no_show' WHERE state = 'booked' AND start_at <= ?", error);
	if (!st || !store_bound(s, store_bind_int64(st, 1, sb_store_now(s) - (gint64)no_show_min * 60), error) ||
	    !store_run(s, st, "marking no-shows", error))
		return FALSE;
	if (n_marked)
		*n_marked = (guint)store_changes(s);
	return TRUE;
}
