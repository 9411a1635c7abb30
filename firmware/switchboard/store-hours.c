/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "relais-store"

#include "store-private.h"

#include <string.h>

/* --- opening hours and closures ---------------------------------------------------------- */

gboolean sb_store_slots_set(SbStore *s, gint64 site_id, const SbSlot *slots, guint n, GError **error)
{
	g_return_val_if_fail(n == 0 || slots != NULL, FALSE);
	if (n > 14)
		return store_invalid(error, "a week has at most 14 half-days");
	const SbSlot *seen[7][2] = {{NULL}};
	for (guint i = 0; i < n; i++) {
		const SbSlot *sl = &slots[i];
		if (sl->weekday > 6)
			return store_invalid(error, "weekday %u: 0 is Monday, 6 Sunday", sl->weekday);
		if ((guint)sl->half > SB_HALF_PM)
			return store_invalid(error, "a half-day is am or pm");
		if (sl->start_min >= sl->end_min || sl->end_min > 1440)
			return store_invalid(error, "slot %u: it must start before it ends, by midnight", i);
		if (sl->half == SB_HALF_AM && sl->end_min > 840)
			return store_invalid(error, "slot %u: a morning ends by 14:00", i);
		if (sl->half == SB_HALF_PM && sl->start_min < 720)
			return store_invalid(error, "slot %u: an afternoon starts at 12:00 or later", i);
		if (sl->capacity < 1 || sl->capacity > 1000)
			return store_invalid(error, "slot %u: capacity is 1..1000 advisers", i);
		if (seen[sl->weekday][sl->half])
			return store_invalid(error, "two slots for the same half-day (weekday %u)", sl->weekday);
		seen[sl->weekday][sl->half] = sl;
	}
	for (guint d = 0; d < 7; d++)
		if (seen[d][0] && seen[d][1] && seen[d][0]->end_min > seen[d][1]->start_min)
			return store_invalid(error, "weekday %u: the morning ends after the afternoon starts", d);
	if (!store_site_exists(s, site_id, error) || !store_tx_begin(s, error))
		return FALSE;
	gboolean ok;
	{
		g_autoptr(SbStmt) del = store_prep(s, "DELETE FROM opening_slots WHERE site_id = ?", error);
		ok = del && store_bound(s, store_bind_int64(del, 1, site_id), error) &&
		     store_run(s, del, "replacing the hours", error);
	}
	for (guint i = 0; ok && i < n; i++) {
		g_autoptr(SbStmt) st =
			store_prep(s,
				   "INSERT INTO opening_slots (site_id, weekday, half, start_min, end_min, "
				   "capacity) VALUES (?, ?, ?, ?, ?, ?)",
				   error);
		ok = st &&
		     store_bound(s,
				 store_bind_int64(st, 1, site_id) | store_bind_int(st, 2, (int)slots[i].weekday) |
					 store_bind_text(st, 3, slots[i].half == SB_HALF_AM ? "am" : "pm") |
					 store_bind_int(st, 4, (int)slots[i].start_min) |
					 store_bind_int(st, 5, (int)slots[i].end_min) |
					 store_bind_int(st, 6, (int)slots[i].capacity),
				 error) &&
		     store_run(s, st, "saving the hours", error);
	}
	ok = ok && store_tx_commit(s, error);
	if (!ok)
		store_tx_rollback(s);
	return ok;
}

GArray *sb_store_slots_list(SbStore *s, gint64 site_id, GError **error)
{
	g_autoptr(SbStmt) st = store_prep(s,
					  "SELECT weekday, half, start_min, end_min, capacity FROM opening_slots "
					  "WHERE site_id = ? ORDER BY weekday, half",
					  error);
	if (!st || !store_bound(s, store_bind_int64(st, 1, site_id), error))
		return NULL;
	g_autoptr(GArray) out = g_array_new(FALSE, TRUE, sizeof(SbSlot));
	int rc;
	while ((rc = store_step(s, st, "reading the hours", error)) == STORE_ROW) {
		SbSlot sl = {
			.weekday = (guint)store_col_int(st, 0),
			.half = strcmp(store_col_text(st, 1), "am") == 0 ? SB_HALF_AM : SB_HALF_PM,
			.start_min = (guint)store_col_int(st, 2),
			.end_min = (guint)store_col_int(st, 3),
			.capacity = (guint)store_col_int(st, 4),
		};
		g_array_append_val(out, sl);
	}
	return rc == STORE_DONE ? g_steal_pointer(&out) : NULL;
}

void sb_closure_free(SbClosure *c)
{
	if (c == NULL)
		return;
	g_free(c->date_from);
	g_free(c->date_to);
	g_free(c->reason);
	g_free(c);
}

gint64 sb_store_closure_add(SbStore *s, gint64 site_id, const char *date_from, const char *date_to, const char *reason,
			    GError **error)
{
	GDate from, to;
	if (!sb_calendar_parse_date(date_from, &from) || !sb_calendar_parse_date(date_to, &to)) {
		store_invalid(error, "closure dates are YYYY-MM-DD");
		return 0;
	}
	if (g_date_compare(&from, &to) > 0) {
		store_invalid(error, "the closure ends before it starts");
		return 0;
	}
	if (!store_check_text("the closure reason", reason, 0, SB_STORE_MAX_REASON, FALSE, error) ||
	    !store_site_exists(s, site_id, error))
		return 0;
	g_autoptr(SbStmt) st =
		store_prep(s, "INSERT INTO closures (site_id, date_from, date_to, reason) VALUES (?, ?, ?, ?)", error);
	if (!st ||
	    !store_bound(s,
			 store_bind_int64(st, 1, site_id) | store_bind_text(st, 2, date_from) |
				 store_bind_text(st, 3, date_to) | store_bind_text(st, 4, reason ? reason : ""),
			 error) ||
	    !store_run(s, st, "adding the closure", error))
		return 0;
	return store_last_id(s);
}

gboolean sb_store_closure_del(SbStore *s, gint64 closure_id, GError **error)
{
	g_autoptr(SbStmt) st = store_prep(s, "DELETE FROM closures WHERE id = ?", error);
	g_autofree char *key = g_strdup_printf("%" G_GINT64_FORMAT, closure_id);
	return st && store_bound(s, store_bind_int64(st, 1, closure_id), error) &&
	       store_run(s, st, "deleting the closure", error) && store_changed_one(s, "closure", key, error);
}

GPtrArray *sb_store_closure_list(SbStore *s, gint64 site_id, GError **error)
{
	g_autoptr(SbStmt) st = store_prep(s,
					  "SELECT id, site_id, date_from, date_to, reason FROM closures "
					  "WHERE site_id = ? ORDER BY date_from, id",
					  error);
	if (!st || !store_bound(s, store_bind_int64(st, 1, site_id), error))
		return NULL;
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func((GDestroyNotify)sb_closure_free);
	int rc;
	while ((rc = store_step(s, st, "reading closures", error)) == STORE_ROW) {
		SbClosure *c = g_new0(SbClosure, 1);
		c->id = store_col_int64(st, 0);
		c->site_id = store_col_int64(st, 1);
		c->date_from = store_col_str(st, 2);
		c->date_to = store_col_str(st, 3);
		c->reason = store_col_str(st, 4);
		g_ptr_array_add(out, c);
	}
	return rc == STORE_DONE ? g_steal_pointer(&out) : NULL;
}

SbCalendar *sb_store_site_calendar(SbStore *s, gint64 site_id, GError **error)
{
	g_autoptr(SbSite) site = sb_store_site_get(s, site_id, error);
	if (site == NULL)
		return NULL;
	g_autoptr(GArray) slots = sb_store_slots_list(s, site_id, error);
	if (slots == NULL)
		return NULL;
	g_autoptr(GPtrArray) closures = sb_store_closure_list(s, site_id, error);
	if (closures == NULL)
		return NULL;
	SbCalendar *cal = sb_calendar_new(site->timezone, (const SbSlot *)(gpointer)slots->data, slots->len);
	for (guint i = 0; i < closures->len; i++) {
		SbClosure *c = g_ptr_array_index(closures, i);
		sb_calendar_add_closure(cal, c->date_from, c->date_to);
	}
	return cal;
}

gboolean sb_store_site_open_at(SbStore *s, gint64 site_id, gint64 t_s, gboolean *open, guint *capacity, GError **error)
{
	g_autoptr(SbCalendar) cal = sb_store_site_calendar(s, site_id, error);
	if (cal == NULL)
		return FALSE;
	*open = sb_calendar_open_at(cal, t_s, capacity);
	return TRUE;
}

gboolean sb_store_site_next_opening(SbStore *s, gint64 site_id, gint64 after_s, gint64 *start_s, gint64 *end_s,
				    GError **error)
{
	*start_s = *end_s = 0;
	g_autoptr(SbCalendar) cal = sb_store_site_calendar(s, site_id, error);
	if (cal == NULL)
		return FALSE;
	sb_calendar_next_opening(cal, after_s, start_s, end_s);
	return TRUE;
}
