/* SPDX-License-Identifier: GPL-2.0-or-later */
/* admin-bookings: the day's bookings of each site in its own local day
 * (sb_admin_day_bookings) and GET /api/bookings for advisers, admins and
 * staff. */
#define G_LOG_DOMAIN "relais-admin"

#include "admin-private.h"
#include "calendar.h"

static void local_format(GTimeZone *tz, gint64 t, const char *format, char *out, gsize size)
{
	g_autofree char *text = sb_calendar_format(tz, t, format);
	g_strlcpy(out, text ? text : "", size);
}

static void day_booking_free(SbDayBooking *d)
{
	sb_booking_free(d->booking);
	g_free(d->site);
	g_free(d);
}

static gint cmp_day_booking(gconstpointer pa, gconstpointer pb)
{
	const SbDayBooking *x = *(SbDayBooking *const *)pa, *y = *(SbDayBooking *const *)pb;
	if (x->booking->start_s != y->booking->start_s)
		return x->booking->start_s < y->booking->start_s ? -1 : 1;
	return g_utf8_collate(x->site, y->site);
}

GPtrArray *sb_admin_day_bookings(SbStore *store, gint64 site_id, const GDate *day, gint64 now_s, GError **error)
{
	g_autoptr(GPtrArray) sites = sb_store_site_list(store, error);
	if (sites == NULL)
		return NULL;
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func((GDestroyNotify)day_booking_free);
	for (guint i = 0; i < sites->len; i++) {
		SbSite *site = sites->pdata[i];
		if (site_id != 0 && site->id != site_id)
			continue;
		g_autoptr(GTimeZone) tz = sb_calendar_zone(site->timezone);
		GDate d;
		if (day)
			d = *day;
		else
			sb_calendar_local_day(tz, now_s, &d);
		gint64 from, to;
		if (!sb_calendar_day_range(tz, &d, &from, &to))
			continue;
		g_autoptr(GPtrArray) list = sb_store_booking_list(store, site->id, from, to, error);
		if (list == NULL)
			return NULL;
		for (guint j = 0; j < list->len; j++) {
			SbDayBooking *row = g_new0(SbDayBooking, 1);
			row->booking = g_steal_pointer(&list->pdata[j]);
			row->site = g_strdup(site->name);
			local_format(tz, row->booking->start_s, "%Y-%m-%d", row->date, sizeof row->date);
			local_format(tz, row->booking->start_s, "%H:%M", row->time, sizeof row->time);
			local_format(tz, row->booking->end_s, "%H:%M", row->end_time, sizeof row->end_time);
			g_ptr_array_add(out, row);
		}
	}
	g_ptr_array_sort(out, cmp_day_booking);
	return g_steal_pointer(&out);
}

/* GET /api/bookings?day=YYYY-MM-DD */
void sb_admin_on_bookings(SoupServer *soup, SoupServerMessage *msg, const char *path, GHashTable *query,
			  gpointer user_data)
{
	SbAdmin *a = user_data;
	if (g_strcmp0(path, "/api/bookings") != 0) {
		sb_api_reply_error(msg, SOUP_STATUS_NOT_FOUND, NULL, "no such endpoint");
		return;
	}
	if (!sb_http_allow(msg, "GET, HEAD"))
		return;
	g_autoptr(SbUser) me = sb_http_require_role(
		a->store, msg,
		SB_HTTP_ROLE(SB_ROLE_ADVISER) | SB_HTTP_ROLE(SB_ROLE_ADMIN) | SB_HTTP_ROLE(SB_ROLE_STAFF), NULL);
	if (me == NULL)
		return;
	const char *day_q = query ? g_hash_table_lookup(query, "day") : NULL;
	gboolean today = day_q == NULL || *day_q == '\0';
	GDate day;
	if (!today && !sb_store_parse_date(day_q, &day)) {
		sb_api_reply_error(msg, SOUP_STATUS_BAD_REQUEST, "day", "day is a date YYYY-MM-DD");
		return;
	}
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;
	g_autoptr(GError) error = NULL;
	/* staff: their own site only */
	g_autoptr(GPtrArray) rows = sb_admin_day_bookings(a->store, me->role == SB_ROLE_STAFF ? me->site_id : 0,
							  today ? NULL : &day, now, &error);
	if (rows == NULL) {
		sb_api_reply_store_error(msg, error, NULL);
		return;
	}
	/* advisers do not check visitors in: no codes for them */
	gboolean codes = me->role != SB_ROLE_ADVISER;
	g_autoptr(JsonBuilder) b = json_builder_new();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "day");
	if (today)
		json_builder_add_null_value(b);
	else
		json_builder_add_string_value(b, day_q);
	g_autofree char *updated = sb_calendar_iso_utc(now);
	sb_api_add_string(b, "updated", updated);
	json_builder_set_member_name(b, "codes");
	json_builder_add_boolean_value(b, codes);
	json_builder_set_member_name(b, "bookings");
	json_builder_begin_array(b);
	for (guint i = 0; i < rows->len; i++) {
		const SbDayBooking *r = rows->pdata[i];
		json_builder_begin_object(b);
		sb_api_add_int(b, "site_id", r->booking->site_id);
		sb_api_add_string(b, "site", r->site);
		sb_api_add_string(b, "date", r->date);
		sb_api_add_string(b, "time", r->time);
		sb_api_add_string(b, "end_time", r->end_time);
		g_autofree char *start = sb_calendar_iso_utc(r->booking->start_s);
		g_autofree char *end = sb_calendar_iso_utc(r->booking->end_s);
		sb_api_add_string(b, "start", start);
		sb_api_add_string(b, "end", end);
		sb_api_add_string(b, "language", r->booking->language);
		sb_api_add_string(b, "topic", r->booking->topic);
		sb_api_add_string(b, "state", sb_booking_state_to_string(r->booking->state));
		/* checked in and then seen by an adviser (made into a call) */
		json_builder_set_member_name(b, "used");
		json_builder_add_boolean_value(b, r->booking->used_at != 0);
		if (codes)
			sb_api_add_string(b, "code", r->booking->code);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	sb_http_set_json(msg, SOUP_STATUS_OK, b);
}
