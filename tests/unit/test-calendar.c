/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The pure calendar (firmware/switchboard/calendar.c) with fixed instants:
 * zones and the UTC fallback, local days and times on Europe/Paris's
 * daylight-saving days, closures, the next opening across a weekend, across
 * noon and across midnight, the capacity of an interval, the free slots. */
#include "calendar.h"

/* Expectations are written in UTC: Paris is UTC+1 in winter, UTC+2 in summer
 * (from 2024-03-31 01:00 UTC to 2024-10-27 01:00 UTC). */
static gint64 utc(int y, int mo, int d, int h, int mi)
{
	g_autoptr(GDateTime) dt = g_date_time_new_utc(y, mo, d, h, mi, 0);
	g_assert_nonnull(dt);
	return g_date_time_to_unix(dt);
}

static GDate day(int y, int mo, int d)
{
	GDate out;
	g_date_clear(&out, 1);
	g_date_set_dmy(&out, (GDateDay)d, (GDateMonth)mo, (GDateYear)y);
	return out;
}

static void assert_day(GTimeZone *tz, gint64 t, const char *expected)
{
	GDate d;
	sb_calendar_local_day(tz, t, &d);
	char text[11];
	sb_calendar_format_date(&d, text);
	g_assert_cmpstr(text, ==, expected);
}

/* Monday to Friday 09:00-12:30 (2 advisers) and 13:30-17:00 (1); Saturday
 * 10:00-12:00 (1). */
static SbCalendar *office(const char *zone)
{
	SbSlot week[11];
	guint n = 0;
	for (guint d = 0; d < 5; d++) {
		week[n++] = (SbSlot){.weekday = d, .half = SB_HALF_AM, .start_min = 540, .end_min = 750, .capacity = 2};
		week[n++] =
			(SbSlot){.weekday = d, .half = SB_HALF_PM, .start_min = 810, .end_min = 1020, .capacity = 1};
	}
	week[n++] = (SbSlot){.weekday = 5, .half = SB_HALF_AM, .start_min = 600, .end_min = 720, .capacity = 1};
	return sb_calendar_new(zone, week, n);
}

static void test_zone(void)
{
	g_assert_true(sb_calendar_zone_known("Europe/Paris"));
	g_assert_false(sb_calendar_zone_known("Mars/Olympus_Mons"));
	g_assert_false(sb_calendar_zone_known(NULL));

	g_autoptr(GTimeZone) paris = sb_calendar_zone("Europe/Paris");
	g_autoptr(GTimeZone) bad = sb_calendar_zone("Mars/Olympus_Mons");
	g_autoptr(GTimeZone) none = sb_calendar_zone(NULL);
	/* an unknown zone (or none) is UTC, never a failure */
	gint64 t = utc(2024, 3, 4, 23, 30);
	assert_day(paris, t, "2024-03-05");
	assert_day(bad, t, "2024-03-04");
	assert_day(none, t, "2024-03-04");
	g_autofree char *iso = sb_calendar_format(paris, t, "%Y-%m-%dT%H:%M:%S%:z");
	g_assert_cmpstr(iso, ==, "2024-03-05T00:30:00+01:00");
	g_autofree char *iso_bad = sb_calendar_format(bad, t, "%H:%M%:z");
	g_assert_cmpstr(iso_bad, ==, "23:30+00:00");

	/* a calendar in an unknown zone answers in UTC */
	g_autoptr(SbCalendar) cal = office("Not/A_Zone");
	guint capacity = 0;
	g_assert_true(sb_calendar_open_at(cal, utc(2024, 3, 4, 9, 0), &capacity));
	g_assert_cmpuint(capacity, ==, 2);
	g_assert_false(sb_calendar_open_at(cal, utc(2024, 3, 4, 8, 59), NULL));
}

static void test_dates(void)
{
	GDate d;
	g_assert_true(sb_calendar_parse_date("2024-02-29", &d));
	g_assert_cmpuint(g_date_get_day(&d), ==, 29);
	char text[11];
	sb_calendar_format_date(&d, text);
	g_assert_cmpstr(text, ==, "2024-02-29");
	g_assert_false(sb_calendar_parse_date("2023-02-29", &d));
	g_assert_false(sb_calendar_parse_date("1969-12-31", &d));
	g_assert_false(sb_calendar_parse_date("2024-3-04", &d));
	g_assert_false(sb_calendar_parse_date("2024-03-04T", &d));
	g_assert_false(sb_calendar_parse_date("2024/03/04", &d));
	g_assert_false(sb_calendar_parse_date(NULL, &d));
}

static void test_dst(void)
{
	g_autoptr(GTimeZone) tz = sb_calendar_zone("Europe/Paris");
	gint64 from = 0, to = 0;

	/* spring forward, Sunday 2024-03-31: 02:00 becomes 03:00, a 23-hour day */
	GDate spring = day(2024, 3, 31);
	g_assert_cmpint(sb_calendar_local_time(tz, &spring, 0), ==, utc(2024, 3, 30, 23, 0));
	g_assert_cmpint(sb_calendar_local_time(tz, &spring, 9 * 60), ==, utc(2024, 3, 31, 7, 0));
	g_assert_cmpint(sb_calendar_local_time(tz, &spring, 1440), ==, utc(2024, 3, 31, 22, 0));
	g_assert_true(sb_calendar_day_range(tz, &spring, &from, &to));
	g_assert_cmpint(from, ==, utc(2024, 3, 30, 23, 0));
	g_assert_cmpint(to - from, ==, 23 * 3600);
	/* the last winter instant and the first summer one are the same day */
	assert_day(tz, utc(2024, 3, 31, 0, 59), "2024-03-31");
	assert_day(tz, utc(2024, 3, 31, 1, 0), "2024-03-31");
	assert_day(tz, utc(2024, 3, 31, 21, 59), "2024-03-31");
	assert_day(tz, utc(2024, 3, 31, 22, 0), "2024-04-01");

	/* fall back, Sunday 2024-10-27: 03:00 becomes 02:00, a 25-hour day */
	GDate autumn = day(2024, 10, 27);
	g_assert_cmpint(sb_calendar_local_time(tz, &autumn, 0), ==, utc(2024, 10, 26, 22, 0));
	g_assert_cmpint(sb_calendar_local_time(tz, &autumn, 9 * 60), ==, utc(2024, 10, 27, 8, 0));
	g_assert_true(sb_calendar_day_range(tz, &autumn, &from, &to));
	g_assert_cmpint(to - from, ==, 25 * 3600);

	/* opening periods follow the local clock across the change: Monday
	 * 09:00 is 08:00 UTC before it and 07:00 UTC after it */
	g_autoptr(SbCalendar) cal = office("Europe/Paris");
	SbPeriod p[2];
	GDate before = day(2024, 3, 25), after = day(2024, 4, 1);
	g_assert_cmpuint(sb_calendar_day_periods(cal, &before, p), ==, 2);
	g_assert_cmpint(p[0].start_s, ==, utc(2024, 3, 25, 8, 0));
	g_assert_cmpint(p[1].end_s, ==, utc(2024, 3, 25, 16, 0));
	g_assert_cmpuint(sb_calendar_day_periods(cal, &after, p), ==, 2);
	g_assert_cmpint(p[0].start_s, ==, utc(2024, 4, 1, 7, 0));
	g_assert_cmpuint(p[0].capacity, ==, 2);
	g_assert_cmpint(p[1].start_s, ==, utc(2024, 4, 1, 11, 30));
	g_assert_cmpuint(p[1].capacity, ==, 1);

	/* a night slot on the spring-forward day lasts an hour less */
	SbSlot night = {.weekday = 6, .half = SB_HALF_AM, .start_min = 0, .end_min = 240, .capacity = 1};
	g_autoptr(SbCalendar) sunday = sb_calendar_new("Europe/Paris", &night, 1);
	g_assert_cmpuint(sb_calendar_day_periods(sunday, &spring, p), ==, 1);
	g_assert_cmpint(p[0].end_s - p[0].start_s, ==, 3 * 3600);
	g_assert_cmpuint(sb_calendar_day_periods(sunday, &autumn, p), ==, 1);
	g_assert_cmpint(p[0].end_s - p[0].start_s, ==, 5 * 3600);
}

static void test_closure(void)
{
	g_autoptr(SbCalendar) cal = office("Europe/Paris");
	sb_calendar_add_closure(cal, "2024-03-05", "2024-03-06");
	SbPeriod p[2];
	GDate mon = day(2024, 3, 4), tue = day(2024, 3, 5), wed = day(2024, 3, 6), thu = day(2024, 3, 7);
	GDate sun = day(2024, 3, 10);
	g_assert_cmpuint(sb_calendar_day_periods(cal, &mon, p), ==, 2);
	g_assert_cmpuint(sb_calendar_day_periods(cal, &tue, p), ==, 0);
	g_assert_cmpuint(sb_calendar_day_periods(cal, &wed, p), ==, 0);
	g_assert_cmpuint(sb_calendar_day_periods(cal, &thu, p), ==, 2);
	g_assert_cmpuint(sb_calendar_day_periods(cal, &sun, p), ==, 0); /* no slot on Sundays */

	guint capacity = 7;
	g_assert_false(sb_calendar_open_at(cal, utc(2024, 3, 5, 9, 0), &capacity));
	g_assert_cmpuint(capacity, ==, 0);
	g_assert_true(sb_calendar_open_at(cal, utc(2024, 3, 4, 13, 0), &capacity));
	g_assert_cmpuint(capacity, ==, 1);

	/* the next opening skips the closed days */
	gint64 start = 0, end = 0;
	sb_calendar_next_opening(cal, utc(2024, 3, 4, 17, 0), &start, &end);
	g_assert_cmpint(start, ==, utc(2024, 3, 7, 8, 0));
	g_assert_cmpint(end, ==, utc(2024, 3, 7, 11, 30));
}

static void test_next_opening(void)
{
	g_autoptr(SbCalendar) cal = office("Europe/Paris");
	gint64 start = 0, end = 0;
	/* Friday evening: Saturday morning */
	sb_calendar_next_opening(cal, utc(2024, 3, 8, 17, 0), &start, &end);
	g_assert_cmpint(start, ==, utc(2024, 3, 9, 9, 0));
	g_assert_cmpint(end, ==, utc(2024, 3, 9, 11, 0));
	/* Saturday afternoon: across Sunday to Monday morning */
	sb_calendar_next_opening(cal, utc(2024, 3, 9, 12, 0), &start, &end);
	g_assert_cmpint(start, ==, utc(2024, 3, 11, 8, 0));
	g_assert_cmpint(end, ==, utc(2024, 3, 11, 11, 30));
	/* open now: from now to the end of the period */
	sb_calendar_next_opening(cal, utc(2024, 3, 11, 10, 0), &start, &end);
	g_assert_cmpint(start, ==, utc(2024, 3, 11, 10, 0));
	g_assert_cmpint(end, ==, utc(2024, 3, 11, 11, 30));
	/* the end of a period is not open */
	sb_calendar_next_opening(cal, utc(2024, 3, 11, 11, 30), &start, &end);
	g_assert_cmpint(start, ==, utc(2024, 3, 11, 12, 30));

	/* a morning until 12:30 and an afternoon from 12:30 are one opening;
	 * an evening until midnight and a morning from midnight too */
	SbSlot joined[] = {
		{.weekday = 0, .half = SB_HALF_AM, .start_min = 540, .end_min = 750, .capacity = 1},
		{.weekday = 0, .half = SB_HALF_PM, .start_min = 750, .end_min = 1440, .capacity = 2},
		{.weekday = 1, .half = SB_HALF_AM, .start_min = 0, .end_min = 120, .capacity = 1},
	};
	g_autoptr(SbCalendar) long_day = sb_calendar_new("Europe/Paris", joined, G_N_ELEMENTS(joined));
	sb_calendar_next_opening(long_day, utc(2024, 3, 4, 0, 0), &start, &end);
	g_assert_cmpint(start, ==, utc(2024, 3, 4, 8, 0));
	g_assert_cmpint(end, ==, utc(2024, 3, 5, 1, 0));

	/* never open: nothing, without looping */
	g_autoptr(SbCalendar) closed = sb_calendar_new("Europe/Paris", NULL, 0);
	sb_calendar_next_opening(closed, utc(2024, 3, 4, 0, 0), &start, &end);
	g_assert_cmpint(start, ==, 0);
	g_assert_cmpint(end, ==, 0);
	/* closed for more than a year: nothing either */
	sb_calendar_add_closure(cal, "2024-01-01", "2025-12-31");
	sb_calendar_next_opening(cal, utc(2024, 3, 4, 0, 0), &start, &end);
	g_assert_cmpint(start, ==, 0);
}

static void test_capacity(void)
{
	g_autoptr(SbCalendar) cal = office("Europe/Paris");
	/* within the morning: its capacity; across the lunch break or past
	 * the end: none */
	g_assert_cmpuint(sb_calendar_capacity(cal, utc(2024, 3, 4, 8, 0), utc(2024, 3, 4, 11, 30)), ==, 2);
	g_assert_cmpuint(sb_calendar_capacity(cal, utc(2024, 3, 4, 12, 30), utc(2024, 3, 4, 13, 0)), ==, 1);
	g_assert_cmpuint(sb_calendar_capacity(cal, utc(2024, 3, 4, 11, 0), utc(2024, 3, 4, 12, 45)), ==, 0);
	g_assert_cmpuint(sb_calendar_capacity(cal, utc(2024, 3, 4, 15, 30), utc(2024, 3, 4, 16, 30)), ==, 0);
	g_assert_cmpuint(sb_calendar_capacity(cal, utc(2024, 3, 10, 10, 0), utc(2024, 3, 10, 10, 30)), ==, 0);
}

static void test_free_slots(void)
{
	g_autoptr(SbCalendar) cal = office("Europe/Paris");
	gint64 now = utc(2024, 3, 4, 8, 10); /* Monday 09:10 in Paris */
	gint64 until = now + 14 * 86400;
	/* the 09:00 piece has begun: 09:30 is the first */
	g_autoptr(GArray) a = sb_calendar_free_slots(cal, NULL, 0, now, 1800, 8, until);
	g_assert_cmpuint(a->len, ==, 8);
	g_assert_cmpint(g_array_index(a, gint64, 0), ==, utc(2024, 3, 4, 8, 30));
	g_assert_cmpint(g_array_index(a, gint64, 5), ==, utc(2024, 3, 4, 11, 0));
	g_assert_cmpint(g_array_index(a, gint64, 6), ==, utc(2024, 3, 4, 12, 30));

	/* two bookings fill the morning's 09:30 (two advisers), one the
	 * afternoon's 13:30 (one adviser) */
	SbBusy busy[] = {
		{utc(2024, 3, 4, 8, 30), utc(2024, 3, 4, 9, 0)},
		{utc(2024, 3, 4, 8, 30), utc(2024, 3, 4, 9, 0)},
		{utc(2024, 3, 4, 12, 30), utc(2024, 3, 4, 13, 0)},
	};
	g_autoptr(GArray) b = sb_calendar_free_slots(cal, busy, 1, now, 1800, 1, until);
	g_assert_cmpint(g_array_index(b, gint64, 0), ==, utc(2024, 3, 4, 8, 30));
	g_autoptr(GArray) c = sb_calendar_free_slots(cal, busy, G_N_ELEMENTS(busy), now, 1800, 7, until);
	g_assert_cmpuint(c->len, ==, 7);
	g_assert_cmpint(g_array_index(c, gint64, 0), ==, utc(2024, 3, 4, 9, 0));
	g_assert_cmpint(g_array_index(c, gint64, 4), ==, utc(2024, 3, 4, 11, 0));
	g_assert_cmpint(g_array_index(c, gint64, 5), ==, utc(2024, 3, 4, 13, 0));

	/* nothing past `until`, nothing asked for, nothing when never open */
	g_autoptr(GArray) d = sb_calendar_free_slots(cal, NULL, 0, now, 1800, 100, utc(2024, 3, 4, 9, 30));
	g_assert_cmpuint(d->len, ==, 2);
	g_autoptr(GArray) e = sb_calendar_free_slots(cal, NULL, 0, now, 1800, 0, until);
	g_assert_cmpuint(e->len, ==, 0);
	g_autoptr(SbCalendar) closed = sb_calendar_new("Europe/Paris", NULL, 0);
	g_autoptr(GArray) f = sb_calendar_free_slots(closed, NULL, 0, now, 1800, 5, until);
	g_assert_cmpuint(f->len, ==, 0);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/calendar/zone", test_zone);
	g_test_add_func("/calendar/dates", test_dates);
	g_test_add_func("/calendar/dst", test_dst);
	g_test_add_func("/calendar/closure", test_closure);
	g_test_add_func("/calendar/next-opening", test_next_opening);
	g_test_add_func("/calendar/capacity", test_capacity);
	g_test_add_func("/calendar/free-slots", test_free_slots);
	return g_test_run();
}
