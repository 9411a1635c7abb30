/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The bookings service (bookings.h) on a real store in a temp dir with an
 * injected clock: typed results for the slots offered, a booking made, a
 * check-in and its refusals, verify and use, the next opening; every
 * refusal's reason is one the protocol knows. */
#include "bookings.h"
#include "harness.h"
#include "storefx.h"
#include "pgfx.h"
#include "protocol.h"
#include "store.h"
#include "relais-config.h"

#include <sqlite3.h>
#include <string.h>

typedef RtStoreFx Fixture;
#define MON RT_MON

static void setup(Fixture *f, gconstpointer data)
{
	/* Monday 09:00-12:30, Tuesday morning */
	SbSlot week[] = {
		{.weekday = 0, .half = SB_HALF_AM, .start_min = 540, .end_min = 750, .capacity = 1},
		{.weekday = 1, .half = SB_HALF_AM, .start_min = 540, .end_min = 750, .capacity = 1},
	};
	rt_store_fx_setup_for(f, data, "bookings", week, G_N_ELEMENTS(week));
}

static void teardown(Fixture *f, gconstpointer data)
{
	rt_store_fx_teardown(f);
}

static void test_reasons(void)
{
	g_assert_cmpstr(sb_bookings_outcome_reason(SB_BOOKINGS_TAKEN), ==, "taken");
	g_assert_cmpstr(sb_bookings_outcome_reason(SB_BOOKINGS_TOO_EARLY), ==, "too_early");
	for (SbBookingsOutcome o = SB_BOOKINGS_NO_SITE; o <= SB_BOOKINGS_FAILED; o++)
		g_assert_true(g_strv_contains(relais_booking_reasons, sb_bookings_outcome_reason(o)));
	g_assert_cmpstr(sb_bookings_outcome_reason(SB_BOOKINGS_FAILED + 1), ==, "failed");
}

static void test_unknown_site(Fixture *f, gconstpointer data)
{
	g_autoptr(SbBookingsResult) s = sb_bookings_slots(f->store, "Gare", NULL, NULL);
	g_assert_cmpint(s->outcome, ==, SB_BOOKINGS_NO_SITE);
	g_assert_nonnull(s->message);
	g_assert_null(s->slots);
	g_autoptr(SbBookingsResult) b =
		sb_bookings_book(f->store, NULL, "2024-03-04T10:00:00+01:00", "2024-03-04T10:30:00+01:00", NULL, NULL);
	g_assert_cmpint(b->outcome, ==, SB_BOOKINGS_NO_SITE);
	g_autoptr(SbBookingsResult) c = sb_bookings_check_in(f->store, "Gare", "ABCDEF");
	g_assert_cmpint(c->outcome, ==, SB_BOOKINGS_NO_SITE);
	g_autofree char *why = NULL;
	g_assert_false(sb_bookings_verify(f->store, "Gare", "ABCDEF", &why));
	g_assert_cmpstr(why, ==, "this booth's site is not in the store");
	g_assert_null(sb_bookings_next_opening(f->store, "Gare"));
	g_assert_null(sb_bookings_next_opening(NULL, "Médiathèque"));
}

/* A booking while another process holds the write lock: refused as
 * "failed" with a delay to try again, no code, none of SQLite's words;
 * booked once the lock is gone. */
static void test_locked(Fixture *f, gconstpointer data)
{
	sqlite3 *other = NULL;
	gpointer node = NULL;
	if (f->uri) {
		node = rt_pg_lock(f->uri);
	} else {
		g_assert_cmpint(sqlite3_open(sb_store_path(f->store), &other), ==, SQLITE_OK);
		g_assert_cmpint(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), ==, SQLITE_OK);
	}
	sb_store_set_busy_ms(f->store, 20);
	g_test_expect_message("relais-bookings", G_LOG_LEVEL_WARNING,
			      f->uri ? "booking (book): *" RT_PG_LOCKED_WORDS : "booking (book): *database is locked");
	g_autoptr(SbBookingsResult) b = sb_bookings_book(f->store, "Médiathèque", "2024-03-04T11:00:00+01:00",
							 "2024-03-04T11:30:00+01:00", "fr", NULL);
	g_test_assert_expected_messages();
	g_assert_cmpint(b->outcome, ==, SB_BOOKINGS_FAILED);
	g_assert_cmpstr(sb_bookings_outcome_reason(b->outcome), ==, "failed");
	g_assert_null(b->code);
	g_assert_cmpuint(b->retry_s, ==, SB_BOOKINGS_RETRY_S);
	g_assert_cmpstr(b->message, ==, "the booking could not be saved now: nothing was booked, try again");
	sb_store_set_busy_ms(f->store, 0);
	if (node) {
		rt_pg_unlock(node);
	} else {
		g_assert_cmpint(sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL), ==, SQLITE_OK);
		sqlite3_close(other);
	}
	g_autoptr(SbBookingsResult) ok = sb_bookings_book(f->store, "Médiathèque", "2024-03-04T11:00:00+01:00",
							  "2024-03-04T11:30:00+01:00", "fr", NULL);
	g_assert_cmpint(ok->outcome, ==, SB_BOOKINGS_OK);
	g_assert_cmpuint(strlen(ok->code), ==, RELAIS_BOOKING_CODE_LEN);
}

/* Offered, booked, too early, checked in, verified, used: the whole life. */
static void test_life(Fixture *f, gconstpointer data)
{
	/* 09:10 + the lead: 09:30 is the first slot, in the site's zone */
	g_autoptr(SbBookingsResult) s = sb_bookings_slots(f->store, "Médiathèque", "fr", NULL);
	g_assert_cmpint(s->outcome, ==, SB_BOOKINGS_OK);
	g_assert_cmpuint(s->slots->len, ==, CONFIG_RELAIS_SB_BOOKING_SLOTS_OFFERED);
	SbBookingsSlot *first = &g_array_index(s->slots, SbBookingsSlot, 0);
	g_assert_cmpstr(first->start, ==, "2024-03-04T09:30:00+01:00");
	g_assert_cmpstr(first->end, ==, "2024-03-04T10:00:00+01:00");

	/* not an offered slot's length */
	g_autoptr(SbBookingsResult) bad = sb_bookings_book(f->store, "Médiathèque", "2024-03-04T11:00:00+01:00",
							   "2024-03-04T12:00:00+01:00", NULL, NULL);
	g_assert_cmpint(bad->outcome, ==, SB_BOOKINGS_INVALID);

	/* the site's address goes with the booking (booked's `address`) */
	g_autoptr(GError) error = NULL;
	g_autoptr(SbSite) site = sb_store_site_get_by_name(f->store, "Médiathèque", &error);
	g_assert_no_error(error);
	g_assert_cmpint(
		sb_store_site_save(f->store, site->id, site->name, site->timezone, "2 quai Perrache, Lyon", &error), ==,
		site->id);
	g_autoptr(SbBookingsResult) b = sb_bookings_book(f->store, "Médiathèque", "2024-03-04T11:00:00+01:00",
							 "2024-03-04T11:30:00+01:00", "fr", "training");
	g_assert_cmpint(b->outcome, ==, SB_BOOKINGS_OK);
	g_assert_cmpuint(strlen(b->code), ==, RELAIS_BOOKING_CODE_LEN);
	g_assert_cmpstr(b->site, ==, "Médiathèque");
	g_assert_cmpstr(b->address, ==, "2 quai Perrache, Lyon");
	g_assert_cmpstr(b->time.start, ==, "2024-03-04T11:00:00+01:00");
	g_assert_cmpstr(b->time.end, ==, "2024-03-04T11:30:00+01:00");
	/* capacity 1: the same slot again is taken */
	g_autoptr(SbBookingsResult) again = sb_bookings_book(f->store, "Médiathèque", "2024-03-04T11:00:00+01:00",
							     "2024-03-04T11:30:00+01:00", NULL, NULL);
	g_assert_cmpint(again->outcome, ==, SB_BOOKINGS_TAKEN);

	/* 09:10 is before the check-in window: when to come back */
	g_autoptr(SbBookingsResult) early = sb_bookings_check_in(f->store, "Médiathèque", b->code);
	g_assert_cmpint(early->outcome, ==, SB_BOOKINGS_TOO_EARLY);
	g_autofree char *retry = g_strdup_printf("2024-03-04T%02d:%02d:00+01:00",
						 (11 * 60 - CONFIG_RELAIS_SB_BOOKING_CHECKIN_EARLY_MIN) / 60,
						 (11 * 60 - CONFIG_RELAIS_SB_BOOKING_CHECKIN_EARLY_MIN) % 60);
	g_assert_cmpstr(early->retry_at, ==, retry);
	g_autofree char *why = NULL;
	g_assert_false(sb_bookings_verify(f->store, "Médiathèque", b->code, &why));
	g_assert_cmpstr(why, ==, "the booking is booked, not checked in");

	g_autoptr(SbBookingsResult) unknown = sb_bookings_check_in(f->store, "Médiathèque", "ZZZZZZ");
	g_assert_cmpint(unknown->outcome, ==, SB_BOOKINGS_UNKNOWN);

	f->now = MON(10, 55);
	g_autoptr(SbBookingsResult) in = sb_bookings_check_in(f->store, "Médiathèque", b->code);
	g_assert_cmpint(in->outcome, ==, SB_BOOKINGS_OK);
	g_assert_cmpstr(in->code, ==, b->code);
	g_assert_cmpstr(in->language, ==, "fr");
	g_assert_cmpstr(in->topic, ==, "training");
	g_assert_cmpstr(in->time.start, ==, "2024-03-04T11:00:00+01:00");
	g_assert_true(sb_bookings_verify(f->store, "Médiathèque", b->code, &why));

	g_autofree char *why_use = NULL;
	g_assert_true(sb_bookings_use(f->store, "Médiathèque", b->code, "call-1", &why_use));
	g_autofree char *why_again = NULL;
	g_assert_false(sb_bookings_verify(f->store, "Médiathèque", b->code, &why_again));
	g_assert_cmpstr(why_again, ==, "this booking was already used for a call");
	g_autofree char *why_twice = NULL;
	g_assert_false(sb_bookings_use(f->store, "Médiathèque", b->code, "call-2", &why_twice));
	g_assert_nonnull(why_twice);
}

/* A code checked in yesterday does not make a call today. */
static void test_verify_other_day(Fixture *f, gconstpointer data)
{
	g_autoptr(SbBookingsResult) b = sb_bookings_book(f->store, "Médiathèque", "2024-03-04T12:00:00+01:00",
							 "2024-03-04T12:30:00+01:00", NULL, NULL);
	g_assert_cmpint(b->outcome, ==, SB_BOOKINGS_OK);
	f->now = MON(11, 50);
	g_autoptr(SbBookingsResult) in = sb_bookings_check_in(f->store, "Médiathèque", b->code);
	g_assert_cmpint(in->outcome, ==, SB_BOOKINGS_OK);
	g_assert_cmpstr(in->language ? in->language : "", ==, ""); /* none: NULL or "" */
	f->now = MON(11, 50) + 24 * 3600;
	g_autofree char *why = NULL;
	g_assert_false(sb_bookings_verify(f->store, "Médiathèque", b->code, &why));
	g_assert_cmpstr(why, ==, "the booking was checked in on another day");
}

static void test_next_opening(Fixture *f, gconstpointer data)
{
	/* open now: now; Monday evening: Tuesday 09:00, in the site's zone */
	f->now = MON(9, 0);
	g_autofree char *now = sb_bookings_next_opening(f->store, "Médiathèque");
	g_assert_cmpstr(now, ==, "2024-03-04T09:00:00+01:00");
	f->now = MON(18, 0);
	g_autofree char *next = sb_bookings_next_opening(f->store, "Médiathèque");
	g_assert_cmpstr(next, ==, "2024-03-05T09:00:00+01:00");
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/bookings/reasons", test_reasons);
	g_test_add("/bookings/unknown-site", Fixture, NULL, setup, test_unknown_site, teardown);
	g_test_add("/bookings/life", Fixture, NULL, setup, test_life, teardown);
	g_test_add("/bookings/locked", Fixture, NULL, setup, test_locked, teardown);
	g_test_add("/bookings/verify-other-day", Fixture, NULL, setup, test_verify_other_day, teardown);
	g_test_add("/bookings/next-opening", Fixture, NULL, setup, test_next_opening, teardown);
	/* the same on PostgreSQL (locked: by another connection holding the
	 * writers' lock and the tables, pgfx.h) */
	g_autofree char *why = NULL;
	if (rt_pg_available(&why)) {
		const void *pg = &rt_store_fx_on_pg;
		g_test_add("/bookings-pg/unknown-site", Fixture, pg, setup, test_unknown_site, teardown);
		g_test_add("/bookings-pg/life", Fixture, pg, setup, test_life, teardown);
		g_test_add("/bookings-pg/locked", Fixture, pg, setup, test_locked, teardown);
		g_test_add("/bookings-pg/verify-other-day", Fixture, pg, setup, test_verify_other_day, teardown);
		g_test_add("/bookings-pg/next-opening", Fixture, pg, setup, test_next_opening, teardown);
	} else {
		g_test_add_data_func("/bookings-pg/skipped", why, rt_pg_skip);
	}
	return g_test_run();
}
