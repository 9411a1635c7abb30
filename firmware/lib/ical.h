/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ical: a booked appointment as an iCalendar object (RFC 5545) for the
 * booth's second QR code, which a visitor's phone camera adds to their own
 * calendar. One VEVENT with two display alarms (the day before, an hour
 * before). Nothing about the visitor: the slot, the site, the booking code.
 * Times in UTC ("Z"): the instants are exact whatever zone the site is in,
 * and phone scanners that ignore VTIMEZONE still read them right (README.md
 * "The calendar QR"). Pure: no I/O, no clock unless asked.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The longest text value kept, in octets before escaping: a longer one is
 * cut at the last whole UTF-8 character that fits (a QR code on a screen
 * holds well under 1 kB). */
#define RELAIS_ICAL_MAX_TEXT 160

typedef struct {
	const char *code;	 /* the booking code: the UID is a hash of it, the start and the site */
	const char *start, *end; /* ISO 8601 with an offset or Z ("2026-11-24T09:00:00+01:00") */
	const char *site;	 /* nullable: the site's name */
	const char *address;	 /* nullable: its postal address */
	const char *summary;	 /* the event's title, in the visitor's language */
	const char *description; /* the code and how to check in, in the visitor's language */
	GDateTime *stamp;	 /* DTSTAMP: when it is made; NULL: now */
} RelaisIcalEvent;

/* The whole VCALENDAR, CRLF line ends, lines folded at 75 octets.
 * Returns: (transfer full) or NULL with a G_IO_ERROR_INVALID_ARGUMENT
 * (a time without an offset, an end not after the start, a code that is
 * not a booking code, a text that is not UTF-8, a missing summary). */
char *relais_ical_event(const RelaisIcalEvent *ev, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Escapes `text` as an RFC 5545 TEXT value (\\ \; \, and \n for a line
 * break, other control characters dropped) after cutting it to `max`
 * octets on a character boundary. NULL for text that is not UTF-8.
 * Returns: (transfer full) */
char *relais_ical_escape(const char *text, gsize max);

/* Appends `line` to `out` folded at 75 octets (a CRLF and a space before
 * each continuation, never inside a UTF-8 character), then a CRLF. */
void relais_ical_append_line(GString *out, const char *line);

G_END_DECLS
