/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The calendar event of the booking screen's second QR code
 * (firmware/lib/ical.c) from what the switchboard sends (the slot, the
 * site's name and its address, set by an administrator) and the catalogs.
 *
 * Input: the fields code, start, end, site, address, summary, description,
 * separated by 0x1f (missing ones are NULL). An event is refused with
 * G_IO_ERROR_INVALID_ARGUMENT or made, and then: valid UTF-8, CRLF line
 * ends, no line over 75 octets, a continuation begins with a space, and
 * whatever the text says, exactly one VEVENT with two VALARMs (no line
 * injected). relais_ical_escape() of the whole input, cut at a length the
 * first byte chooses: NULL exactly for text that is not UTF-8, else UTF-8
 * without control characters and at most twice the cut.
 */
#include "fuzz.h"
#include "ical.h"

#include <gio/gio.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	relais_fuzz_init();
	return 0;
}

static void check_escape(const char *s, gsize max)
{
	g_autofree char *e = relais_ical_escape(s, max);
	g_assert_cmpint(e == NULL, ==, !g_utf8_validate(s, -1, NULL));
	if (e == NULL)
		return;
	g_assert_true(g_utf8_validate(e, -1, NULL));
	g_assert_cmpuint(strlen(e), <=, 2 * max);
	for (const char *p = e; *p; p++)
		g_assert_true((guchar)*p >= 0x20 && *p != 0x7f);
}

static void check_event(const char *text)
{
	g_assert_true(g_utf8_validate(text, -1, NULL));
	g_assert_true(g_str_has_suffix(text, "\r\n"));
	guint events = 0, alarms = 0, ends = 0;
	GString *logical = g_string_new(NULL);
	for (const char *p = text; *p;) {
		const char *eol = strstr(p, "\r\n");
		g_assert_nonnull(eol);
		gsize n = (gsize)(eol - p);
		g_assert_cmpuint(n, <=, 75);
		g_assert_null(memchr(p, '\r', n));
		g_assert_null(memchr(p, '\n', n));
		if (*p == ' ') {
			g_string_append_len(logical, p + 1, (gssize)n - 1);
		} else {
			g_assert_cmpuint(n, >, 0);
			g_string_assign(logical, "");
			g_string_append_len(logical, p, (gssize)n);
		}
		/* a logical line is complete when the next does not continue it */
		const char *next = eol + 2;
		if (*next != ' ') {
			events += g_str_equal(logical->str, "BEGIN:VEVENT");
			ends += g_str_equal(logical->str, "END:VEVENT");
			alarms += g_str_equal(logical->str, "BEGIN:VALARM");
		}
		p = next;
	}
	g_string_free(logical, TRUE);
	g_assert_cmpuint(events, ==, 1);
	g_assert_cmpuint(ends, ==, 1);
	g_assert_cmpuint(alarms, ==, 2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autofree char *s = relais_fuzz_strndup(data, size);
	check_escape(s, size ? data[0] : 0);
	g_auto(GStrv) f = g_strsplit(s, "\x1f", 7);
	guint n = g_strv_length(f);
	static GDateTime *stamp;
	if (stamp == NULL)
		stamp = g_date_time_new_from_iso8601("2026-11-23T14:05:09Z", NULL);
	RelaisIcalEvent ev = {.code = n > 0 ? f[0] : NULL,
			      .start = n > 1 ? f[1] : NULL,
			      .end = n > 2 ? f[2] : NULL,
			      .site = n > 3 ? f[3] : NULL,
			      .address = n > 4 ? f[4] : NULL,
			      .summary = n > 5 ? f[5] : NULL,
			      .description = n > 6 ? f[6] : NULL,
			      .stamp = stamp};
	g_autoptr(GError) error = NULL;
	g_autofree char *text = relais_ical_event(&ev, &error);
	if (text == NULL) {
		g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
		return 0;
	}
	g_assert_no_error(error);
	check_event(text);
	return 0;
}
