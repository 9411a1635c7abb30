/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * calendar: a site's time zone, local days and opening periods, its next
 * opening and the free booking slots, as pure functions of a week of
 * half-day slots, a list of closed days and a clock value passed in (no
 * store, no clock of its own: unit-tested with fixed instants).
 *
 * Times are unix seconds (UTC); minutes count from local midnight; days are
 * the site's local calendar days, written "YYYY-MM-DD".
 *
 * The one place where a site's zone is turned into local days and instants:
 * the store, the free slots, the booking list and the booths' next opening
 * all go through it.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* --- zones and local days ------------------------------------------------- */

/* The zone named `identifier` (IANA, e.g. "Europe/Paris"), or UTC when it is
 * NULL or unknown here (a zone was valid when saved; a system without tzdata
 * must still answer). Returns: (transfer full) */
GTimeZone *sb_calendar_zone(const char *identifier);
/* Whether GLib knows the zone `identifier`. */
gboolean sb_calendar_zone_known(const char *identifier);

/* The local calendar day of instant `t` in `tz` (1970-01-01 when GLib cannot
 * represent it). */
void sb_calendar_local_day(GTimeZone *tz, gint64 t, GDate *out);
/* The instant `minute` past local midnight of `day` (1440: the next
 * midnight), 0 when GLib cannot represent it. In a daylight-saving gap GLib
 * moves the time forward (02:30 on a spring-forward day is 03:30). */
gint64 sb_calendar_local_time(GTimeZone *tz, const GDate *day, guint minute);
/* [*from_s, *to_s): local midnight of `day` to the same local time a day
 * later. FALSE when GLib cannot represent them. */
gboolean sb_calendar_day_range(GTimeZone *tz, const GDate *day, gint64 *from_s, gint64 *to_s);
/* Instant `t` in `tz` formatted with g_date_time_format() (e.g. "%H:%M",
 * "%Y-%m-%dT%H:%M:%S%:z"). Returns: (transfer full) or NULL. */
char *sb_calendar_format(GTimeZone *tz, gint64 t, const char *format);

/* Instant `t` as "YYYY-MM-DDTHH:MM:SSZ" (the API's times). Returns:
 * (transfer full) or NULL. */
char *sb_calendar_iso_utc(gint64 t);

/* "YYYY-MM-DD", a real date from 1970 on; FALSE otherwise. */
gboolean sb_calendar_parse_date(const char *text, GDate *out);
/* `day` as "YYYY-MM-DD". */
void sb_calendar_format_date(const GDate *day, char out[11]);

/* --- a site's week and closures ------------------------------------------- */

typedef enum {
	SB_HALF_AM, /* within 00:00..14:00 local */
	SB_HALF_PM, /* within 12:00..24:00 local, after the morning's end */
} SbHalfDay;

/* One weekly half-day slot; times are minutes since local midnight. */
typedef struct {
	guint weekday; /* 0 Monday .. 6 Sunday */
	SbHalfDay half;
	guint start_min, end_min; /* start < end; end 1440 = midnight */
	guint capacity;		  /* advisers on duty, 1..1000 */
} SbSlot;

/* One opening of one day, as instants. */
typedef struct {
	gint64 start_s, end_s;
	guint capacity;
} SbPeriod;

/* A booking holding a place during [start_s, end_s). */
typedef struct {
	gint64 start_s, end_s;
} SbBusy;

typedef struct _SbCalendar SbCalendar;

/* A site's calendar in zone `timezone` (sb_calendar_zone()) with the week
 * `slots` (copied; n 0: never open), as validated by the store.
 * Returns: (transfer full) */
SbCalendar *sb_calendar_new(const char *timezone, const SbSlot *slots, guint n_slots);
void sb_calendar_free(SbCalendar *cal);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SbCalendar, sb_calendar_free)

/* Closes the local days date_from..date_to ("YYYY-MM-DD", inclusive). */
void sb_calendar_add_closure(SbCalendar *cal, const char *date_from, const char *date_to);
/* Returns: (transfer none) */
GTimeZone *sb_calendar_get_zone(const SbCalendar *cal);

/* The opening periods of local day `day`, morning then afternoon: 0 when
 * closed (a closure, or no slot that weekday). */
guint sb_calendar_day_periods(const SbCalendar *cal, const GDate *day, SbPeriod out[2]);
/* Whether the site is open at `t`, and the period's capacity (nullable; 0
 * when closed). */
gboolean sb_calendar_open_at(const SbCalendar *cal, gint64 t, guint *capacity);
/* The capacity of the period of start_s's local day that holds all of
 * [start_s, end_s), or 0 when none does (a booking lies within one slot). */
guint sb_calendar_capacity(const SbCalendar *cal, gint64 start_s, gint64 end_s);
/* The earliest instant >= after_s at which the site is open (after_s itself
 * when open then) and the end of that opening, periods touching within a day
 * or across midnight merged. *start_s = *end_s = 0 when it does not open
 * within a year. */
void sb_calendar_next_opening(const SbCalendar *cal, gint64 after_s, gint64 *start_s, gint64 *end_s);

/* The free slots (PROTOCOL.md "Bookings"; slots.h has the rules): pieces of
 * `len_s` on the clock's multiples of that length, within one opening, not
 * begun at `now`, starting before `until_s`, with fewer of `busy` overlapping
 * them than the capacity of the period holding their start, soonest first, up
 * to `max`. Returns: (transfer full) (element-type gint64) their starts. */
GArray *sb_calendar_free_slots(const SbCalendar *cal, const SbBusy *busy, guint n_busy, gint64 now, guint len_s,
			       guint max, gint64 until_s);

G_END_DECLS
