/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The free booking slots a booth offers, from a real store in a temp dir
 * with an injected clock: the clock's multiples, not begun, within the
 * openings, with room left (capacity against live bookings), closures and
 * empty weeks, the cap. */
#include "slots.h"
#include "harness.h"
#include "storefx.h"
#include "pgfx.h"
#include "relais-config.h"

typedef RtStoreFx Fixture;
#define MON RT_MON

static void setup(Fixture *f, gconstpointer data)
{
	/* Monday 09:00-12:30 with 2 advisers, 13:30-17:00 with 1; Tuesday
	 * morning with 1 */
	SbSlot week[] = {
		{.weekday = 0, .half = SB_HALF_AM, .start_min = 540, .end_min = 750, .capacity = 2},
		{.weekday = 0, .half = SB_HALF_PM, .start_min = 810, .end_min = 1020, .capacity = 1},
		{.weekday = 1, .half = SB_HALF_AM, .start_min = 540, .end_min = 750, .capacity = 1},
	};
	rt_store_fx_setup_for(f, data, "slots", week, G_N_ELEMENTS(week));
}

static void teardown(Fixture *f, gconstpointer data)
{
	rt_store_fx_teardown(f);
}

static GArray *slots(Fixture *f, guint max)
{
	g_autoptr(GError) error = NULL;
	GArray *a = sb_slots_free(f->store, f->site, f->now, 30 * 60, max, &error);
	g_assert_no_error(error);
	return a;
}

static gint64 at(GArray *a, guint i)
{
	return g_array_index(a, gint64, i);
}

static void book(Fixture *f, gint64 start)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(SbBooking) b = sb_store_booking_create(f->store, f->site, start, start + 1800, "fr", NULL, &error);
	g_assert_no_error(error);
}

static void test_next(Fixture *f, gconstpointer data)
{
	/* 09:10: the 09:00 piece has begun; 09:30 is the first */
	g_autoptr(GArray) a = slots(f, 6);
	g_assert_cmpuint(a->len, ==, 6);
	for (guint i = 0; i < 6; i++)
		g_assert_cmpint(at(a, i), ==, MON(9, 30) + (gint64)i * 1800);
	/* the morning ends at 12:30: 12:00 is its last piece, then 13:30 */
	g_autoptr(GArray) more = slots(f, 8);
	g_assert_cmpint(at(more, 5), ==, MON(12, 0));
	g_assert_cmpint(at(more, 6), ==, MON(13, 30));
	/* on the dot, that piece is not begun */
	f->now = MON(9, 30);
	g_autoptr(GArray) dot = slots(f, 1);
	g_assert_cmpint(at(dot, 0), ==, MON(9, 30));
	/* before the opening: from its start */
	f->now = MON(7, 0);
	g_autoptr(GArray) early = slots(f, 1);
	g_assert_cmpint(at(early, 0), ==, MON(9, 0));
	/* nothing asked for, nothing offered */
	g_autoptr(GArray) none = slots(f, 0);
	g_assert_cmpuint(none->len, ==, 0);
}

static void test_capacity(Fixture *f, gconstpointer data)
{
	/* two advisers in the morning: one booking leaves room, two fill it */
	book(f, MON(9, 30));
	g_autoptr(GArray) a = slots(f, 1);
	g_assert_cmpint(at(a, 0), ==, MON(9, 30));
	book(f, MON(9, 30));
	g_autoptr(GArray) b = slots(f, 1);
	g_assert_cmpint(at(b, 0), ==, MON(10, 0));
	/* a cancelled one frees its place; a no-show too */
	g_autoptr(GPtrArray) list = sb_store_booking_list(f->store, f->site, MON(9, 30), MON(9, 31), NULL);
	g_assert_cmpuint(list->len, ==, 2);
	g_autoptr(GError) error = NULL;
	g_assert_true(sb_store_booking_cancel(f->store, ((SbBooking *)list->pdata[0])->code, &error));
	g_autoptr(GArray) c = slots(f, 1);
	g_assert_cmpint(at(c, 0), ==, MON(9, 30));
	/* the afternoon has one: a booking takes it */
	book(f, MON(13, 30));
	g_autoptr(GArray) d = slots(f, 9);
	for (guint i = 0; i < d->len; i++)
		g_assert_cmpint(at(d, i), !=, MON(13, 30));
	g_assert_cmpint(at(d, 6), ==, MON(14, 0));
}

static void test_closed(Fixture *f, gconstpointer data)
{
	/* Monday closed: Tuesday morning, then the next Monday */
	g_autoptr(GError) error = NULL;
	g_assert_cmpint(sb_store_closure_add(f->store, f->site, "2024-03-04", "2024-03-04", "inventaire", &error), >,
			0);
	g_autoptr(GArray) a = slots(f, 8);
	g_assert_cmpuint(a->len, ==, 8);
	g_assert_cmpint(at(a, 0), ==, MON(9, 0) + 86400);
	g_assert_cmpint(at(a, 6), ==, MON(12, 0) + 86400);
	g_assert_cmpint(at(a, 7), ==, MON(9, 0) + 7 * 86400);
	/* a site never open offers nothing */
	g_assert_true(sb_store_slots_set(f->store, f->site, NULL, 0, &error));
	g_autoptr(GArray) none = slots(f, 6);
	g_assert_cmpuint(none->len, ==, 0);
}

/* Every offered slot can be booked as offered. */
static void test_bookable(Fixture *f, gconstpointer data)
{
	g_autoptr(GArray) a = slots(f, 12);
	g_assert_cmpuint(a->len, ==, 12);
	for (guint i = 0; i < a->len; i++)
		book(f, at(a, i));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, setup, fn, teardown)
	ADD("/slots/next", test_next);
	ADD("/slots/capacity", test_capacity);
	ADD("/slots/closed", test_closed);
	ADD("/slots/bookable", test_bookable);
	/* the same on PostgreSQL */
	g_autofree char *why = NULL;
	if (rt_pg_available(&why)) {
#define ADD_PG(path, fn) g_test_add("/slots-pg/" path, Fixture, &rt_store_fx_on_pg, setup, fn, teardown)
		ADD_PG("next", test_next);
		ADD_PG("capacity", test_capacity);
		ADD_PG("closed", test_closed);
		ADD_PG("bookable", test_bookable);
	} else {
		g_test_add_data_func("/slots-pg/skipped", why, rt_pg_skip);
	}
	return g_test_run();
}
