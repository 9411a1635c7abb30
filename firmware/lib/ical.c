/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "relais-ical"

#include "ical.h"
#include "booking.h"

#include <gio/gio.h>
#include <string.h>

/* RFC 5545 3.1: lines of at most 75 octets, not counting the CRLF. */
#define FOLD_AT 75

char *relais_ical_escape(const char *text, gsize max)
{
	if (text == NULL)
		text = "";
	if (!g_utf8_validate(text, -1, NULL))
		return NULL;
	gsize n = strlen(text);
	if (n > max) {
		/* back to the first byte of the character that does not fit */
		n = max;
		while (n > 0 && ((guchar)text[n] & 0xc0) == 0x80)
			n--;
	}
	GString *s = g_string_sized_new(n + 8);
	for (gsize i = 0; i < n; i++) {
		char c = text[i];
		switch (c) {
		case '\\':
			g_string_append(s, "\\\\");
			break;
		case ';':
			g_string_append(s, "\\;");
			break;
		case ',':
			g_string_append(s, "\\,");
			break;
		case '\r':
			/* CRLF and a lone CR: one line break */
			if (i + 1 < n && text[i + 1] == '\n')
				i++;
			/* fall through */
		case '\n':
			g_string_append(s, "\\n");
			break;
		case '\t':
			g_string_append_c(s, ' ');
			break;
		default:
			/* other control characters are not TEXT (RFC 5545 3.3.11) */
			if ((guchar)c >= 0x20 && c != 0x7f)
				g_string_append_c(s, c);
			break;
		}
	}
	return g_string_free(s, FALSE);
}

void relais_ical_append_line(GString *out, const char *line)
{
	gsize n = strlen(line), room = FOLD_AT;
	while (n > room) {
		gsize cut = room;
		while (cut > 0 && ((guchar)line[cut] & 0xc0) == 0x80)
			cut--;
		g_string_append_len(out, line, (gssize)cut);
		g_string_append(out, "\r\n ");
		line += cut;
		n -= cut;
		room = FOLD_AT - 1; /* the leading space counts */
	}
	g_string_append(out, line);
	g_string_append(out, "\r\n");
}

static char *invalid(GError **error, const char *what)
{
	g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "calendar event: %s", what);
	return NULL;
}

/* An ISO 8601 time that says its offset: parsed against two different
 * default zones, a time without one comes out differently. */
static GDateTime *parse_time(const char *iso)
{
	if (iso == NULL)
		return NULL;
	g_autoptr(GTimeZone) a = g_time_zone_new_utc();
	g_autoptr(GTimeZone) b = g_time_zone_new_offset(5 * 3600);
	g_autoptr(GDateTime) ta = g_date_time_new_from_iso8601(iso, a);
	g_autoptr(GDateTime) tb = g_date_time_new_from_iso8601(iso, b);
	if (ta == NULL || tb == NULL || !g_date_time_equal(ta, tb))
		return NULL;
	return g_date_time_to_utc(ta);
}

static void add_time(GString *out, const char *name, GDateTime *utc)
{
	g_autofree char *v = g_date_time_format(utc, "%Y%m%dT%H%M%SZ");
	g_autofree char *line = g_strconcat(name, ":", v, NULL);
	relais_ical_append_line(out, line);
}

static void add_text(GString *out, const char *name, const char *escaped)
{
	g_autofree char *line = g_strconcat(name, ":", escaped, NULL);
	relais_ical_append_line(out, line);
}

char *relais_ical_event(const RelaisIcalEvent *ev, GError **error)
{
	g_return_val_if_fail(ev != NULL, NULL);
	if (!relais_booking_code_valid(ev->code))
		return invalid(error, "not a booking code");
	g_autoptr(GDateTime) start = parse_time(ev->start);
	g_autoptr(GDateTime) end = parse_time(ev->end);
	if (start == NULL || end == NULL)
		return invalid(error, "a time that is not ISO 8601 with an offset");
	if (g_date_time_compare(end, start) <= 0)
		return invalid(error, "the end is not after the start");
	if (ev->summary == NULL || ev->summary[0] == '\0')
		return invalid(error, "no summary");
	g_autofree char *summary = relais_ical_escape(ev->summary, RELAIS_ICAL_MAX_TEXT);
	g_autofree char *description = relais_ical_escape(ev->description, 2 * RELAIS_ICAL_MAX_TEXT);
	g_autofree char *site = relais_ical_escape(ev->site, RELAIS_ICAL_MAX_TEXT);
	g_autofree char *address = relais_ical_escape(ev->address, RELAIS_ICAL_MAX_TEXT);
	if (summary == NULL || description == NULL || site == NULL || address == NULL)
		return invalid(error, "a text that is not UTF-8");

	g_autoptr(GDateTime) now = ev->stamp ? g_date_time_ref(ev->stamp) : g_date_time_new_now_utc();
	g_autoptr(GDateTime) stamp = g_date_time_to_utc(now);
	/* Unique for one booking and stable (scanning twice updates the same
	 * event), yet says nothing: a hash of the code, the slot and the site. */
	g_autofree char *seed = g_strdup_printf("%s|%s|%s", ev->code, ev->start, ev->site ? ev->site : "");
	g_autofree char *hash = g_compute_checksum_for_string(G_CHECKSUM_SHA256, seed, -1);
	hash[24] = '\0';

	GString *out = g_string_sized_new(640);
	relais_ical_append_line(out, "BEGIN:VCALENDAR");
	relais_ical_append_line(out, "VERSION:2.0");
	relais_ical_append_line(out, "PRODID:-//Relais//Booth//EN");
	relais_ical_append_line(out, "BEGIN:VEVENT");
	g_autofree char *uid = g_strdup_printf("UID:%s@relais", hash);
	relais_ical_append_line(out, uid);
	add_time(out, "DTSTAMP", stamp);
	add_time(out, "DTSTART", start);
	add_time(out, "DTEND", end);
	add_text(out, "SUMMARY", summary);
	if (site[0] || address[0]) {
		/* "name, address": the comma escaped like any other */
		g_autofree char *where = g_strconcat(site, site[0] && address[0] ? "\\, " : "", address, NULL);
		add_text(out, "LOCATION", where);
	}
	/* before the alarms: some scanners take the first DESCRIPTION they see */
	if (description[0])
		add_text(out, "DESCRIPTION", description);
	static const char *const triggers[] = {"-P1D", "-PT1H"};
	for (guint i = 0; i < G_N_ELEMENTS(triggers); i++) {
		relais_ical_append_line(out, "BEGIN:VALARM");
		relais_ical_append_line(out, "ACTION:DISPLAY");
		g_autofree char *trigger = g_strconcat("TRIGGER:", triggers[i], NULL);
		relais_ical_append_line(out, trigger);
		add_text(out, "DESCRIPTION", summary); /* DISPLAY requires one */
		relais_ical_append_line(out, "END:VALARM");
	}
	relais_ical_append_line(out, "END:VEVENT");
	relais_ical_append_line(out, "END:VCALENDAR");
	return g_string_free(out, FALSE);
}
