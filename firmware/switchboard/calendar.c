/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "relais-calendar"

#include "calendar.h"

#include <stdlib.h>
#include <string.h>

/* Most pieces looked at by one free-slot search: a week of full slots is
 * far fewer. */
#define MAX_LOOKED 2000

/* --- zones and local days ------------------------------------------------- */

GTimeZone *sb_calendar_zone(const char *identifier)
{
	GTimeZone *tz = identifier ? g_time_zone_new_identifier(identifier) : NULL;
	return tz ? tz : g_time_zone_new_utc();
}

gboolean sb_calendar_zone_known(const char *identifier)
{
	g_autoptr(GTimeZone) tz = identifier ? g_time_zone_new_identifier(identifier) : NULL;
	return tz != NULL;
}

void sb_calendar_local_day(GTimeZone *tz, gint64 t, GDate *out)
{
	g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc(t);
	g_autoptr(GDateTime) local = utc ? g_date_time_to_timezone(utc, tz) : NULL;
	g_date_clear(out, 1);
	if (local == NULL) {
		g_date_set_dmy(out, 1, 1, 1970);
		return;
	}
	g_date_set_dmy(out, (GDateDay)g_date_time_get_day_of_month(local), (GDateMonth)g_date_time_get_month(local),
		       (GDateYear)g_date_time_get_year(local));
}

gint64 sb_calendar_local_time(GTimeZone *tz, const GDate *day, guint minute)
{
	GDate d = *day;
	if (minute >= 1440) {
		g_date_add_days(&d, 1);
		minute -= 1440;
	}
	g_autoptr(GDateTime) dt =
		g_date_time_new(tz, (gint)g_date_get_year(&d), (gint)g_date_get_month(&d), (gint)g_date_get_day(&d),
				(gint)(minute / 60), (gint)(minute % 60), 0);
	return dt ? g_date_time_to_unix(dt) : 0;
}

gboolean sb_calendar_day_range(GTimeZone *tz, const GDate *day, gint64 *from_s, gint64 *to_s)
{
	g_autoptr(GDateTime) from = g_date_time_new(tz, (gint)g_date_get_year(day), (gint)g_date_get_month(day),
						    (gint)g_date_get_day(day), 0, 0, 0);
	g_autoptr(GDateTime) to = from ? g_date_time_add_days(from, 1) : NULL;
	if (to == NULL)
		return FALSE;
	*from_s = g_date_time_to_unix(from);
	*to_s = g_date_time_to_unix(to);
	return TRUE;
}

char *sb_calendar_format(GTimeZone *tz, gint64 t, const char *format)
{
	g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc(t);
	g_autoptr(GDateTime) local = utc ? g_date_time_to_timezone(utc, tz) : NULL;
	return local ? g_date_time_format(local, format) : NULL;
}

char *sb_calendar_iso_utc(gint64 t)
{
	g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc(t);
	return utc ? g_date_time_format(utc, "%Y-%m-%dT%H:%M:%SZ") : NULL;
}

gboolean sb_calendar_parse_date(const char *v, GDate *out)
{
	if (v == NULL || strlen(v) != 10 || v[4] != '-' || v[7] != '-')
		return FALSE;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !g_ascii_isdigit(v[i]))
			return FALSE;
	int y = atoi(v), m = atoi(v + 5), d = atoi(v + 8);
	if (!g_date_valid_dmy((GDateDay)d, (GDateMonth)m, (GDateYear)y) || y < 1970)
		return FALSE;
	g_date_clear(out, 1);
	g_date_set_dmy(out, (GDateDay)d, (GDateMonth)m, (GDateYear)y);
	return TRUE;
}

void sb_calendar_format_date(const GDate *d, char out[11])
{
	g_snprintf(out, 11, "%04u-%02u-%02u", g_date_get_year(d), g_date_get_month(d), g_date_get_day(d));
}

/* --- a site's week and closures ------------------------------------------- */

typedef struct {
	char from[11], to[11]; /* "YYYY-MM-DD", inclusive */
} Closure;

struct _SbCalendar {
	GTimeZone *tz;
	GArray *slots;	  /* SbSlot */
	GArray *closures; /* Closure */
};

SbCalendar *sb_calendar_new(const char *timezone, const SbSlot *slots, guint n_slots)
{
	g_return_val_if_fail(n_slots == 0 || slots != NULL, NULL);
	SbCalendar *cal = g_new0(SbCalendar, 1);
	cal->tz = sb_calendar_zone(timezone);
	cal->slots = g_array_sized_new(FALSE, TRUE, sizeof(SbSlot), n_slots);
	if (n_slots)
		g_array_append_vals(cal->slots, slots, n_slots);
	cal->closures = g_array_new(FALSE, TRUE, sizeof(Closure));
	return cal;
}

void sb_calendar_free(SbCalendar *cal)
{
	if (cal == NULL)
		return;
	g_time_zone_unref(cal->tz);
	g_array_unref(cal->slots);
	g_array_unref(cal->closures);
	g_free(cal);
}

void sb_calendar_add_closure(SbCalendar *cal, const char *date_from, const char *date_to)
{
	Closure c = {{0}};
	g_strlcpy(c.from, date_from ? date_from : "", sizeof c.from);
	g_strlcpy(c.to, date_to ? date_to : "", sizeof c.to);
	g_array_append_val(cal->closures, c);
}

GTimeZone *sb_calendar_get_zone(const SbCalendar *cal)
{
	return cal->tz;
}

guint sb_calendar_day_periods(const SbCalendar *cal, const GDate *day, SbPeriod out[2])
{
	char text[11];
	sb_calendar_format_date(day, text);
	/* the dates compare as text: same width, most significant first */
	for (guint i = 0; i < cal->closures->len; i++) {
		const Closure *c = &g_array_index(cal->closures, Closure, i);
		if (strcmp(c->from, text) <= 0 && strcmp(text, c->to) <= 0)
			return 0;
	}
	guint weekday = (guint)g_date_get_weekday(day) - 1; /* G_DATE_MONDAY is 1 */
	guint n = 0;
	for (guint i = 0; i < cal->slots->len && n < 2; i++) {
		const SbSlot *sl = &g_array_index(cal->slots, SbSlot, i);
		if (sl->weekday != weekday)
			continue;
		out[n].start_s = sb_calendar_local_time(cal->tz, day, sl->start_min);
		out[n].end_s = sb_calendar_local_time(cal->tz, day, sl->end_min);
		out[n].capacity = sl->capacity;
		/* a slot made empty by a daylight-saving gap is no opening */
		if (out[n].end_s > out[n].start_s)
			n++;
	}
	return n;
}

gboolean sb_calendar_open_at(const SbCalendar *cal, gint64 t, guint *capacity)
{
	GDate day;
	sb_calendar_local_day(cal->tz, t, &day);
	SbPeriod p[2];
	guint n = sb_calendar_day_periods(cal, &day, p);
	gboolean open = FALSE;
	if (capacity)
		*capacity = 0;
	for (guint i = 0; i < n; i++) {
		if (p[i].start_s <= t && t < p[i].end_s) {
			open = TRUE;
			if (capacity)
				*capacity = p[i].capacity;
		}
	}
	return open;
}

guint sb_calendar_capacity(const SbCalendar *cal, gint64 start_s, gint64 end_s)
{
	GDate day;
	sb_calendar_local_day(cal->tz, start_s, &day);
	SbPeriod p[2];
	guint n = sb_calendar_day_periods(cal, &day, p), capacity = 0;
	for (guint i = 0; i < n; i++)
		if (p[i].start_s <= start_s && end_s <= p[i].end_s)
			capacity = p[i].capacity;
	return capacity;
}

void sb_calendar_next_opening(const SbCalendar *cal, gint64 after_s, gint64 *start_s, gint64 *end_s)
{
	*start_s = *end_s = 0;
	if (cal->slots->len == 0)
		return;
	GDate day;
	sb_calendar_local_day(cal->tz, after_s, &day);
	/* periods touching across days (pm until 24:00, am from 00:00) or
	 * within one (am until 12:30, pm from 12:30) form one opening */
	for (guint d = 0; d < 367 + 1; d++, g_date_add_days(&day, 1)) {
		SbPeriod p[2];
		guint n = sb_calendar_day_periods(cal, &day, p);
		for (guint i = 0; i < n; i++) {
			if (*start_s != 0) {
				if (p[i].start_s != *end_s)
					return;
				*end_s = p[i].end_s;
				continue;
			}
			if (p[i].end_s <= after_s)
				continue;
			*start_s = MAX(p[i].start_s, after_s);
			*end_s = p[i].end_s;
		}
		if (*start_s != 0 && n == 0)
			return;
	}
}

/* Room left in [t, t + len): the capacity of the period holding t against
 * the bookings overlapping the piece. */
static gboolean piece_free(const SbCalendar *cal, const SbBusy *busy, guint n_busy, gint64 t, gint64 len)
{
	guint capacity = 0;
	if (!sb_calendar_open_at(cal, t, &capacity))
		return FALSE;
	guint taken = 0;
	for (guint i = 0; i < n_busy; i++)
		if (busy[i].start_s < t + len && busy[i].end_s > t)
			taken++;
	return taken < capacity;
}

GArray *sb_calendar_free_slots(const SbCalendar *cal, const SbBusy *busy, guint n_busy, gint64 now, guint len_s,
			       guint max, gint64 until_s)
{
	g_return_val_if_fail(len_s > 0, NULL);
	g_return_val_if_fail(n_busy == 0 || busy != NULL, NULL);
	GArray *out = g_array_new(FALSE, FALSE, sizeof(gint64));
	gint64 len = len_s, after = now;
	guint looked = 0;
	while (out->len < max && after < until_s && looked < MAX_LOOKED) {
		gint64 start = 0, end = 0;
		sb_calendar_next_opening(cal, after, &start, &end);
		if (start == 0)
			break;
		/* the first piece on the clock's multiples not begun yet */
		gint64 t = (MAX(start, now) + len - 1) / len * len;
		for (; t + len <= end && t < until_s && out->len < max && looked < MAX_LOOKED; t += len) {
			looked++;
			if (piece_free(cal, busy, n_busy, t, len))
				g_array_append_val(out, t);
		}
		after = MAX(end, after + 60);
	}
	return out;
}
