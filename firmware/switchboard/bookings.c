/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "relais-bookings"

#include "bookings.h"
#include "calendar.h"
#include "slots.h"
#include "store.h"
#include "relais-config.h"

const char *sb_bookings_outcome_reason(SbBookingsOutcome outcome)
{
	static const char *const reasons[] = {
		[SB_BOOKINGS_OK] = "ok",
		[SB_BOOKINGS_NO_SITE] = "no_site",
		[SB_BOOKINGS_TAKEN] = "taken",
		[SB_BOOKINGS_CLOSED] = "closed",
		[SB_BOOKINGS_INVALID] = "invalid",
		[SB_BOOKINGS_UNKNOWN] = "unknown",
		[SB_BOOKINGS_WRONG_SITE] = "wrong_site",
		[SB_BOOKINGS_TOO_EARLY] = "too_early",
		[SB_BOOKINGS_USED] = "used",
		[SB_BOOKINGS_EXPIRED] = "expired",
		[SB_BOOKINGS_CANCELLED] = "cancelled",
		[SB_BOOKINGS_FAILED] = "failed",
	};
	return (guint)outcome < G_N_ELEMENTS(reasons) ? reasons[outcome] : "failed";
}

static void slot_clear(gpointer p)
{
	SbBookingsSlot *s = p;
	g_free(s->start);
	g_free(s->end);
}

SbBookingsResult *sb_bookings_result_new(SbBookingsOutcome outcome, const char *message)
{
	SbBookingsResult *r = g_new0(SbBookingsResult, 1);
	r->outcome = outcome;
	r->message = g_strdup(message);
	return r;
}

void sb_bookings_result_add_slot(SbBookingsResult *r, const char *start, const char *end)
{
	if (r->slots == NULL) {
		r->slots = g_array_new(FALSE, FALSE, sizeof(SbBookingsSlot));
		g_array_set_clear_func(r->slots, slot_clear);
	}
	SbBookingsSlot s = {g_strdup(start), g_strdup(end)};
	g_array_append_val(r->slots, s);
}

void sb_bookings_result_free(SbBookingsResult *r)
{
	if (r == NULL)
		return;
	g_free(r->message);
	if (r->slots)
		g_array_unref(r->slots);
	g_free(r->code);
	slot_clear(&r->time);
	g_free(r->site);
	g_free(r->address);
	g_free(r->language);
	g_free(r->topic);
	g_free(r->retry_at);
	g_free(r);
}

/* t in the site's time zone (calendar.c), ISO 8601 with its offset. */
static char *site_iso(const SbSite *site, gint64 t)
{
	g_autoptr(GTimeZone) tz = sb_calendar_zone(site->timezone);
	return sb_calendar_format(tz, t, "%Y-%m-%dT%H:%M:%S%:z");
}

/* The booth's site (its hello's name, matched to a store site by name, as
 * site.c does) and its next opening from now, in the site's zone. */
char *sb_bookings_next_opening(SbStore *store, const char *site_name)
{
	if (store == NULL)
		return NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(SbSite) site = sb_store_site_get_by_name(store, site_name, &error);
	if (site == NULL)
		return NULL; /* a site the store does not know: nothing to say */
	gint64 start = 0, end = 0;
	if (!sb_store_site_next_opening(store, site->id, sb_store_now(store), &start, &end, &error)) {
		g_warning("next opening of site '%s': %s", site_name, error->message);
		return NULL;
	}
	if (start == 0)
		return NULL;
	return site_iso(site, start);
}

/* The store's refusal as an outcome. `ref` names the request in the log. */
static SbBookingsResult *store_refusal(const char *ref, const GError *error)
{
	static const struct {
		SbStoreError code;
		SbBookingsOutcome outcome;
	} map[] = {
		{SB_STORE_ERROR_FULL, SB_BOOKINGS_TAKEN},
		{SB_STORE_ERROR_CLOSED, SB_BOOKINGS_CLOSED},
		{SB_STORE_ERROR_INVALID, SB_BOOKINGS_INVALID},
		{SB_STORE_ERROR_NOT_FOUND, SB_BOOKINGS_NO_SITE},
		{SB_STORE_ERROR_CODE_UNKNOWN, SB_BOOKINGS_UNKNOWN},
		{SB_STORE_ERROR_CODE_WRONG_SITE, SB_BOOKINGS_WRONG_SITE},
		{SB_STORE_ERROR_CODE_TOO_EARLY, SB_BOOKINGS_TOO_EARLY},
		{SB_STORE_ERROR_CODE_USED, SB_BOOKINGS_USED},
		{SB_STORE_ERROR_CODE_EXPIRED, SB_BOOKINGS_EXPIRED},
		{SB_STORE_ERROR_CODE_CANCELLED, SB_BOOKINGS_CANCELLED},
	};
	SbBookingsOutcome outcome = SB_BOOKINGS_FAILED;
	for (guint i = 0; error->domain == SB_STORE_ERROR && i < G_N_ELEMENTS(map); i++)
		if (error->code == (int)map[i].code)
			outcome = map[i].outcome;
	if (outcome != SB_BOOKINGS_FAILED)
		return sb_bookings_result_new(outcome, error->message);
	/* the store's own words (SQLite's, a path) go to the log, never to
	 * the booth; nothing was committed, so no code is given */
	g_warning("booking (%s): %s", ref, error->message);
	if (sb_store_error_is_transient(error)) {
		SbBookingsResult *r = sb_bookings_result_new(
			SB_BOOKINGS_FAILED, "the booking could not be saved now: nothing was booked, try again");
		r->retry_s = SB_BOOKINGS_RETRY_S;
		return r;
	}
	return sb_bookings_result_new(SB_BOOKINGS_FAILED, "the switchboard's store failed: nothing was booked");
}

static SbSite *booking_site(SbStore *store, const char *site_name)
{
	g_autoptr(GError) error = NULL;
	return site_name ? sb_store_site_get_by_name(store, site_name, &error) : NULL;
}

static SbBookingsResult *no_site(void)
{
	return sb_bookings_result_new(SB_BOOKINGS_NO_SITE, "the store knows no site of this name");
}

SbBookingsResult *sb_bookings_slots(SbStore *store, const char *site_name, const char *language, const char *topic)
{
	g_autoptr(SbSite) site = booking_site(store, site_name);
	if (site == NULL)
		return no_site();
	gint64 len = (gint64)CONFIG_RELAIS_SB_BOOKING_SLOT_MIN * 60;
	g_autoptr(GError) error = NULL;
	/* not a slot that starts while the visitor reads the list */
	gint64 soonest = sb_store_now(store) + (gint64)CONFIG_RELAIS_SB_BOOKING_LEAD_MIN * 60;
	g_autoptr(GArray) starts =
		sb_slots_free(store, site->id, soonest, (guint)len, CONFIG_RELAIS_SB_BOOKING_SLOTS_OFFERED, &error);
	if (starts == NULL)
		return store_refusal("booking_slots", error);
	SbBookingsResult *r = sb_bookings_result_new(SB_BOOKINGS_OK, NULL);
	r->slots = g_array_new(FALSE, FALSE, sizeof(SbBookingsSlot));
	g_array_set_clear_func(r->slots, slot_clear);
	for (guint i = 0; i < starts->len; i++) {
		gint64 t = g_array_index(starts, gint64, i);
		g_autofree char *a = site_iso(site, t);
		g_autofree char *b = site_iso(site, t + len);
		sb_bookings_result_add_slot(r, a, b);
	}
	return r;
}

/* A booking made or checked in: its code and times in the site's zone. */
static SbBookingsResult *booking_result(const SbSite *site, const SbBooking *bk)
{
	SbBookingsResult *r = sb_bookings_result_new(SB_BOOKINGS_OK, NULL);
	r->code = g_strdup(bk->code);
	r->time.start = site_iso(site, bk->start_s);
	r->time.end = site_iso(site, bk->end_s);
	return r;
}

static gboolean parse_unix(const char *iso, gint64 *out)
{
	g_autoptr(GDateTime) t = iso ? g_date_time_new_from_iso8601(iso, NULL) : NULL;
	if (t == NULL)
		return FALSE;
	*out = g_date_time_to_unix(t);
	return TRUE;
}

SbBookingsResult *sb_bookings_book(SbStore *store, const char *site_name, const char *start, const char *end,
				   const char *language, const char *topic)
{
	g_autoptr(SbSite) site = booking_site(store, site_name);
	if (site == NULL)
		return no_site();
	gint64 a = 0, b = 0;
	if (!parse_unix(start, &a) || !parse_unix(end, &b) || b - a != (gint64)CONFIG_RELAIS_SB_BOOKING_SLOT_MIN * 60)
		return sb_bookings_result_new(SB_BOOKINGS_INVALID, "a booking made at a booth is one offered slot");
	g_autoptr(GError) error = NULL;
	g_autoptr(SbBooking) bk = sb_store_booking_create(store, site->id, a, b, language, topic, &error);
	if (bk == NULL)
		return store_refusal("book", error);
	g_message("booking made at site '%s' for %s", site->name, start);
	SbBookingsResult *r = booking_result(site, bk);
	r->site = g_strdup(site->name);
	r->address = site->address && site->address[0] ? g_strdup(site->address) : NULL;
	return r;
}

SbBookingsResult *sb_bookings_check_in(SbStore *store, const char *site_name, const char *code)
{
	g_autoptr(SbSite) site = booking_site(store, site_name);
	if (site == NULL)
		return no_site();
	g_autoptr(GError) error = NULL;
	g_autoptr(SbBooking) bk = sb_store_booking_check_in(store, site->id, code, &error);
	if (bk == NULL) {
		SbBookingsResult *r = store_refusal("check_in", error);
		if (r->outcome == SB_BOOKINGS_TOO_EARLY) {
			/* when to come back */
			g_autoptr(SbBooking) early = sb_store_booking_get(store, code, NULL);
			guint early_min = 0;
			sb_store_get_booking_window(store, &early_min, NULL);
			r->retry_at = early ? site_iso(site, early->start_s - (gint64)early_min * 60) : NULL;
		}
		return r;
	}
	g_message("booking checked in at site '%s'", site->name);
	SbBookingsResult *r = booking_result(site, bk);
	r->language = g_strdup(bk->language);
	r->topic = g_strdup(bk->topic);
	return r;
}

/* Whether instants a and b fall on the same local day at the site. */
static gboolean same_site_day(const SbSite *site, gint64 a, gint64 b)
{
	g_autoptr(GTimeZone) tz = sb_calendar_zone(site->timezone);
	GDate da, db;
	sb_calendar_local_day(tz, a, &da);
	sb_calendar_local_day(tz, b, &db);
	return g_date_compare(&da, &db) == 0;
}

gboolean sb_bookings_verify(SbStore *store, const char *site_name, const char *code, char **why)
{
	g_autoptr(SbSite) site = booking_site(store, site_name);
	if (site == NULL) {
		*why = g_strdup("this booth's site is not in the store");
		return FALSE;
	}
	g_autoptr(GError) error = NULL;
	g_autoptr(SbBooking) bk = sb_store_booking_get(store, code, &error);
	if (bk == NULL) {
		*why = g_strdup("no booking has this code");
		return FALSE;
	}
	if (bk->site_id != site->id) {
		*why = g_strdup("the booking is for another site");
		return FALSE;
	}
	if (bk->state != SB_BOOKING_CHECKED_IN) {
		*why = g_strdup_printf("the booking is %s, not checked in", sb_booking_state_to_string(bk->state));
		return FALSE;
	}
	if (bk->used_at != 0) {
		*why = g_strdup("this booking was already used for a call");
		return FALSE;
	}
	if (!same_site_day(site, bk->checked_in_at, sb_store_now(store))) {
		*why = g_strdup("the booking was checked in on another day");
		return FALSE;
	}
	return TRUE;
}

/* A booking makes one call: the store keeps it used across restarts. */
gboolean sb_bookings_use(SbStore *store, const char *site_name, const char *code, const char *call_id, char **why)
{
	g_autoptr(GError) error = NULL;
	if (!sb_store_booking_mark_used(store, code, call_id, &error)) {
		*why = g_strdup(error->message);
		return FALSE;
	}
	g_message("booking used by call %s at site '%s'", call_id, site_name ? site_name : "?");
	return TRUE;
}
