/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "relais-store"

#include "store-private.h"
#include "calendar.h"

#include <string.h>

/* --- sites and booths ------------------------------------------------------------------------ */

gboolean store_site_exists(SbStore *s, gint64 site_id, GError **error)
{
	g_autoptr(SbStmt) st = store_prep(s, "SELECT 1 FROM sites WHERE id = ?", error);
	if (st == NULL || !store_bound(s, store_bind_int64(st, 1, site_id), error))
		return FALSE;
	int rc = store_step(s, st, "looking up a site", error);
	if (rc == STORE_DONE)
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND, "no site %" G_GINT64_FORMAT, site_id);
	return rc == STORE_ROW;
}

void sb_site_free(SbSite *site)
{
	if (site == NULL)
		return;
	g_free(site->name);
	g_free(site->timezone);
	g_free(site->address);
	g_free(site);
}

static gboolean check_timezone(const char *tz, GError **error)
{
	if (tz == NULL || tz[0] == '\0' || strlen(tz) > 64)
		return store_invalid(error, "the time zone is missing or too long");
	if (!sb_calendar_zone_known(tz))
		return store_invalid(error, "unknown time zone '%s' (an IANA name such as Europe/Paris)", tz);
	return TRUE;
}

gint64 sb_store_site_upsert(SbStore *s, gint64 id, const char *name, const char *timezone, GError **error)
{
	return sb_store_site_save(s, id, name, timezone, NULL, error);
}

gint64 sb_store_site_save(SbStore *s, gint64 id, const char *name, const char *timezone, const char *address,
			  GError **error)
{
	if (!store_check_text("the site name", name, 1, SB_STORE_MAX_NAME, FALSE, error) ||
	    !check_timezone(timezone, error) ||
	    !store_check_text("the postal address", address, 0, SB_STORE_MAX_POSTAL, FALSE, error))
		return 0;
	const char *sql = id ? "UPDATE sites SET name = ?, timezone = ?, address = coalesce(?, address) WHERE id = ?"
			     : "INSERT INTO sites (name, timezone, address) VALUES (?, ?, coalesce(?, ''))";
	g_autoptr(SbStmt) st = store_prep(s, sql, error);
	if (!st)
		return 0;
	int rc = store_bind_text(st, 1, name) | store_bind_text(st, 2, timezone) | store_bind_text(st, 3, address);
	if (id)
		rc |= store_bind_int64(st, 4, id);
	g_autoptr(GError) local = NULL;
	if (!store_bound(s, rc, error))
		return 0;
	if (!store_run(s, st, "saving the site", &local)) {
		if (g_error_matches(local, SB_STORE_ERROR, SB_STORE_ERROR_EXISTS))
			g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_EXISTS, "a site is already named '%s'", name);
		else
			g_propagate_error(error, g_steal_pointer(&local));
		return 0;
	}
	if (id) {
		if (store_changes(s) == 0) {
			g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND, "no site %" G_GINT64_FORMAT, id);
			return 0;
		}
		return id;
	}
	return store_last_id(s);
}

static SbSite *site_from_row(SbStmt *st)
{
	SbSite *site = g_new0(SbSite, 1);
	site->id = store_col_int64(st, 0);
	site->name = store_col_str(st, 1);
	site->timezone = store_col_str(st, 2);
	site->address = store_col_str(st, 3);
	if (site->address == NULL)
		site->address = g_strdup("");
	return site;
}

SbSite *sb_store_site_get(SbStore *s, gint64 id, GError **error)
{
	g_autoptr(SbStmt) st = store_prep(s, "SELECT id, name, timezone, address FROM sites WHERE id = ?", error);
	if (!st || !store_bound(s, store_bind_int64(st, 1, id), error))
		return NULL;
	int rc = store_step(s, st, "reading the site", error);
	if (rc == STORE_DONE)
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND, "no site %" G_GINT64_FORMAT, id);
	return rc == STORE_ROW ? site_from_row(st) : NULL;
}

SbSite *sb_store_site_get_by_name(SbStore *s, const char *name, GError **error)
{
	g_autoptr(SbStmt) st = store_prep(s, "SELECT id, name, timezone, address FROM sites WHERE name = ?", error);
	if (!st || !store_bound(s, store_bind_text(st, 1, name ? name : ""), error))
		return NULL;
	int rc = store_step(s, st, "reading the site", error);
	if (rc == STORE_DONE)
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND, "no site named '%s'", name);
	return rc == STORE_ROW ? site_from_row(st) : NULL;
}

GPtrArray *sb_store_site_list(SbStore *s, GError **error)
{
	g_autoptr(SbStmt) st = store_prep(s, "SELECT id, name, timezone, address FROM sites ORDER BY name, id", error);
	if (!st)
		return NULL;
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func((GDestroyNotify)sb_site_free);
	int rc;
	while ((rc = store_step(s, st, "listing sites", error)) == STORE_ROW)
		g_ptr_array_add(out, site_from_row(st));
	return rc == STORE_DONE ? g_steal_pointer(&out) : NULL;
}

gboolean sb_store_site_del(SbStore *s, gint64 id, GError **error)
{
	g_autoptr(SbStmt) st = store_prep(s, "DELETE FROM sites WHERE id = ?", error);
	if (!st || !store_bound(s, store_bind_int64(st, 1, id), error))
		return FALSE;
	g_autoptr(GError) local = NULL;
	if (!store_run(s, st, "deleting the site", &local)) {
		if (g_error_matches(local, SB_STORE_ERROR, SB_STORE_ERROR_IN_USE))
			g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_IN_USE,
				    "site %" G_GINT64_FORMAT " still has booths, staff, bookings or call records: "
				    "rename it instead",
				    id);
		else
			g_propagate_error(error, g_steal_pointer(&local));
		return FALSE;
	}
	g_autofree char *key = g_strdup_printf("%" G_GINT64_FORMAT, id);
	return store_changed_one(s, "site", key, error);
}

gboolean sb_store_site_usage(SbStore *s, gint64 id, SbSiteUsage *usage, GError **error)
{
	*usage = (SbSiteUsage){0};
	if (!store_site_exists(s, id, error))
		return FALSE;
	g_autoptr(SbStmt) st = store_prep(s,
					  "SELECT (SELECT count(*) FROM booths WHERE site_id = ?1), "
					  "(SELECT count(*) FROM users WHERE site_id = ?1), "
					  "(SELECT count(*) FROM bookings WHERE site_id = ?1), "
					  "(SELECT count(*) FROM call_records WHERE site_id = ?1)",
					  error);
	if (!st || !store_bound(s, store_bind_int64(st, 1, id), error))
		return FALSE;
	if (store_step(s, st, "counting what refers to the site", error) != STORE_ROW)
		return FALSE;
	usage->booths = (guint)store_col_int64(st, 0);
	usage->staff = (guint)store_col_int64(st, 1);
	usage->bookings = (guint)store_col_int64(st, 2);
	usage->call_records = (guint)store_col_int64(st, 3);
	return TRUE;
}

void sb_booth_free(SbBooth *b)
{
	if (b == NULL)
		return;
	g_free(b->id);
	g_free(b->name);
	g_free(b->state);
	g_free(b->reason);
	g_free(b->software);
	g_free(b->slot);
	g_free(b);
}

gboolean sb_store_booth_upsert(SbStore *s, const char *booth_id, gint64 site_id, const char *name, GError **error)
{
	if (!store_check_id("the booth id", booth_id, SB_STORE_MAX_ID, error) ||
	    !store_check_text("the booth name", name, 0, SB_STORE_MAX_NAME, FALSE, error))
		return FALSE;
	if (site_id != 0 && !store_site_exists(s, site_id, error))
		return FALSE;
	g_autoptr(SbStmt) st =
		store_prep(s,
			   "INSERT INTO booths (id, site_id, name) VALUES (?, ?, ?) "
			   "ON CONFLICT (id) DO UPDATE SET site_id = excluded.site_id, name = excluded.name",
			   error);
	return st &&
	       store_bound(s,
			   store_bind_text(st, 1, booth_id) | store_bind_opt(st, 2, site_id) |
				   store_bind_text(st, 3, name ? name : ""),
			   error) &&
	       store_run(s, st, "saving the booth", error);
}

gboolean sb_store_booth_seen(SbStore *s, const char *booth_id, const char *state, const char *reason, GError **error)
{
	if (!store_check_id("the booth id", booth_id, SB_STORE_MAX_ID, error))
		return FALSE;
	if (!store_is_word(state, 32))
		return store_invalid(error, "a booth state is 1..32 characters of a-z 0-9 _ -");
	/* the protocol allows longer reasons than are kept: a booth's
	 * diagnostics are cut, not refused, so that its state is recorded */
	g_autofree char *cut = NULL;
	if (reason && g_utf8_validate(reason, -1, NULL) && g_utf8_strlen(reason, -1) > SB_STORE_MAX_REASON)
		reason = cut = g_utf8_substring(reason, 0, SB_STORE_MAX_REASON);
	if (!store_check_text("the reason", reason, 0, SB_STORE_MAX_REASON, FALSE, error))
		return FALSE;
	g_autoptr(SbStmt) st =
		store_prep(s, "UPDATE booths SET last_seen = ?, state = ?, reason = ? WHERE id = ?", error);
	return st &&
	       store_bound(s,
			   store_bind_int64(st, 1, sb_store_now(s)) | store_bind_text(st, 2, state) |
				   store_bind_text(st, 3, reason && reason[0] ? reason : NULL) |
				   store_bind_text(st, 4, booth_id),
			   error) &&
	       store_run(s, st, "recording the booth's state", error) && store_changed_one(s, "booth", booth_id, error);
}

gboolean sb_store_booth_software(SbStore *s, const char *booth_id, const char *software, const char *slot,
				 GError **error)
{
	if (!store_check_id("the booth id", booth_id, SB_STORE_MAX_ID, error) ||
	    (software && !store_check_id("the software", software, SB_STORE_MAX_ID, error)))
		return FALSE;
	if (slot && g_strcmp0(slot, "A") != 0 && g_strcmp0(slot, "B") != 0)
		return store_invalid(error, "a slot is A or B");
	g_autoptr(SbStmt) st = store_prep(s, "UPDATE booths SET software = ?, slot = ? WHERE id = ?", error);
	return st &&
	       store_bound(s,
			   store_bind_text(st, 1, software) | store_bind_text(st, 2, slot) |
				   store_bind_text(st, 3, booth_id),
			   error) &&
	       store_run(s, st, "recording the booth's software", error) &&
	       store_changed_one(s, "booth", booth_id, error);
}

static SbBooth *booth_of_row(SbStmt *st)
{
	SbBooth *b = g_new0(SbBooth, 1);
	b->id = store_col_str(st, 0);
	b->site_id = store_col_int64(st, 1);
	b->name = store_col_str(st, 2);
	b->last_seen = store_col_int64(st, 3);
	b->state = store_col_str(st, 4);
	b->reason = store_col_str(st, 5);
	b->software = store_col_str(st, 6);
	b->slot = store_col_str(st, 7);
	return b;
}

GPtrArray *sb_store_booth_list(SbStore *s, gint64 site_id, GError **error)
{
	g_autoptr(SbStmt) st =
		store_prep(s,
			   "SELECT id, site_id, name, last_seen, state, reason, software, slot FROM booths "
			   "WHERE ?1 = 0 OR site_id = ?1 ORDER BY id",
			   error);
	if (!st || !store_bound(s, store_bind_int64(st, 1, site_id), error))
		return NULL;
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func((GDestroyNotify)sb_booth_free);
	int rc;
	while ((rc = store_step(s, st, "listing booths", error)) == STORE_ROW)
		g_ptr_array_add(out, booth_of_row(st));
	return rc == STORE_DONE ? g_steal_pointer(&out) : NULL;
}

SbBooth *sb_store_booth_get(SbStore *s, const char *booth_id, GError **error)
{
	g_autoptr(SbStmt) st = store_prep(
		s, "SELECT id, site_id, name, last_seen, state, reason, software, slot FROM booths WHERE id = ?",
		error);
	if (!st || !store_bound(s, store_bind_text(st, 1, booth_id ? booth_id : ""), error))
		return NULL;
	int rc = store_step(s, st, "reading the booth", error);
	if (rc == STORE_ROW)
		return booth_of_row(st);
	if (rc == STORE_DONE)
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND, "no booth '%s'", booth_id);
	return NULL;
}

char *sb_store_booth_site_name(SbStore *s, const char *booth_id, GError **error)
{
	g_autoptr(SbStmt) st = store_prep(
		s, "SELECT sites.name FROM booths LEFT JOIN sites ON sites.id = booths.site_id WHERE booths.id = ?",
		error);
	if (!st || !store_bound(s, store_bind_text(st, 1, booth_id ? booth_id : ""), error))
		return NULL;
	int rc = store_step(s, st, "reading the booth's site", error);
	if (rc == STORE_ROW)
		return store_col_str(st, 0);
	if (rc == STORE_DONE)
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND, "no booth '%s'", booth_id);
	return NULL;
}

gboolean sb_store_booth_del(SbStore *s, const char *booth_id, GError **error)
{
	g_autoptr(SbStmt) st = store_prep(s, "DELETE FROM booths WHERE id = ?", error);
	return st && store_bound(s, store_bind_text(st, 1, booth_id ? booth_id : ""), error) &&
	       store_run(s, st, "deleting the booth", error) && store_changed_one(s, "booth", booth_id, error);
}

gint64 sb_store_site_ensure(SbStore *store, const char *name, gboolean *created, GError **error)
{
	if (created)
		*created = FALSE;
	g_autoptr(GError) local = NULL;
	g_autoptr(SbSite) site = sb_store_site_get_by_name(store, name, &local);
	if (site)
		return site->id;
	if (!g_error_matches(local, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND)) {
		g_propagate_error(error, g_steal_pointer(&local));
		return 0;
	}
	g_autoptr(GTimeZone) tz = g_time_zone_new_local();
	g_autoptr(GError) zone_error = NULL;
	gint64 id = sb_store_site_upsert(store, 0, name, g_time_zone_get_identifier(tz), &zone_error);
	if (id == 0)
		id = sb_store_site_upsert(store, 0, name, "UTC", error);
	if (created)
		*created = id != 0;
	return id;
}
