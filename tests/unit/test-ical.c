/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The calendar QR's text (ical.c): an RFC 5545 VCALENDAR with one VEVENT
 * and two alarms; escaping, folding at 75 octets, CRLF; times in UTC from a
 * site in Europe/Paris, across a daylight saving change; hostile site names
 * and addresses.
 */
#include "ical.h"

#include <gio/gio.h>
#include <string.h>

static GDateTime *stamp(void)
{
	return g_date_time_new_from_iso8601("2026-11-23T14:05:09Z", NULL);
}

static char *make(const char *start, const char *end, const char *site, const char *address)
{
	g_autoptr(GDateTime) now = stamp();
	RelaisIcalEvent ev = {.code = "7KQ2MZ",
			      .start = start,
			      .end = end,
			      .site = site,
			      .address = address,
			      .summary = "Appointment with an adviser \u2014 Relais",
			      .description =
				      "Your code: 7KQ 2MZ. At the booth, touch \"I have a booking\" and type it.",
			      .stamp = now};
	g_autoptr(GError) error = NULL;
	char *text = relais_ical_event(&ev, &error);
	g_assert_no_error(error);
	g_assert_nonnull(text);
	return text;
}

/* Every physical line ends in CRLF, holds at most 75 octets of whole UTF-8
 * characters; returns the logical lines (continuations joined). */
static GStrv unfold(const char *text)
{
	g_assert_true(g_str_has_suffix(text, "\r\n"));
	g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);
	const char *p = text;
	while (*p) {
		const char *eol = strstr(p, "\r\n");
		g_assert_nonnull(eol);
		gsize n = (gsize)(eol - p);
		g_assert_cmpuint(n, <=, 75);
		g_assert_null(memchr(p, '\n', n));
		g_assert_null(memchr(p, '\r', n));
		g_assert_true(g_utf8_validate(p, (gssize)n, NULL));
		if (*p == ' ') {
			g_assert_cmpuint(lines->len, >, 0);
			g_autofree char *prev = lines->pdata[lines->len - 1];
			g_autofree char *tail = g_strndup(p + 1, n - 1);
			lines->pdata[lines->len - 1] = g_strconcat(prev, tail, NULL);
		} else {
			g_ptr_array_add(lines, g_strndup(p, n));
		}
		p = eol + 2;
	}
	g_ptr_array_add(lines, NULL);
	return (GStrv)g_ptr_array_free(g_steal_pointer(&lines), FALSE);
}

/* The value of the first line named `name` after `from` (exact name, no
 * parameters); NULL if none. */
static const char *value_of(GStrv lines, const char *name)
{
	gsize n = strlen(name);
	for (char **l = lines; *l; l++)
		if (strncmp(*l, name, n) == 0 && (*l)[n] == ':')
			return *l + n + 1;
	return NULL;
}

static guint count(GStrv lines, const char *line)
{
	guint c = 0;
	for (char **l = lines; *l; l++)
		c += g_str_equal(*l, line);
	return c;
}

static void test_event(void)
{
	g_autofree char *text = make("2026-11-24T09:00:00+01:00", "2026-11-24T09:30:00+01:00", "M\u00e9diath\u00e8que",
				     "2 rue de la Poste 69000 Lyon");
	g_auto(GStrv) l = unfold(text);
	g_assert_cmpstr(l[0], ==, "BEGIN:VCALENDAR");
	g_assert_cmpstr(value_of(l, "VERSION"), ==, "2.0");
	g_assert_nonnull(value_of(l, "PRODID"));
	g_assert_cmpuint(count(l, "BEGIN:VEVENT"), ==, 1);
	g_assert_cmpuint(count(l, "END:VEVENT"), ==, 1);
	g_assert_cmpstr(l[g_strv_length(l) - 1], ==, "END:VCALENDAR");
	/* Paris in November is UTC+1 */
	g_assert_cmpstr(value_of(l, "DTSTART"), ==, "20261124T080000Z");
	g_assert_cmpstr(value_of(l, "DTEND"), ==, "20261124T083000Z");
	g_assert_cmpstr(value_of(l, "DTSTAMP"), ==, "20261123T140509Z");
	g_assert_cmpstr(value_of(l, "SUMMARY"), ==, "Appointment with an adviser \u2014 Relais");
	g_assert_cmpstr(value_of(l, "LOCATION"), ==, "M\u00e9diath\u00e8que\\, 2 rue de la Poste 69000 Lyon");
	g_assert_cmpstr(value_of(l, "DESCRIPTION"), ==,
			"Your code: 7KQ 2MZ. At the booth\\, touch \"I have a booking\" and type it.");
	/* the UID: stable, and nothing in it to read */
	const char *uid = value_of(l, "UID");
	g_assert_nonnull(uid);
	g_assert_true(g_str_has_suffix(uid, "@relais"));
	g_assert_null(strstr(uid, "7KQ2MZ"));
	g_autofree char *again = make("2026-11-24T09:00:00+01:00", "2026-11-24T09:30:00+01:00", "M\u00e9diath\u00e8que",
				      "2 rue de la Poste 69000 Lyon");
	g_assert_cmpstr(again, ==, text);
	g_autofree char *other =
		make("2026-11-24T10:00:00+01:00", "2026-11-24T10:30:00+01:00", "M\u00e9diath\u00e8que", NULL);
	g_auto(GStrv) lo = unfold(other);
	g_assert_cmpstr(value_of(lo, "UID"), !=, uid);
	g_assert_cmpstr(value_of(lo, "LOCATION"), ==, "M\u00e9diath\u00e8que");
	/* two display alarms, the day before and an hour before, each with
	 * the description DISPLAY requires, inside the event */
	g_assert_cmpuint(count(l, "BEGIN:VALARM"), ==, 2);
	g_assert_cmpuint(count(l, "END:VALARM"), ==, 2);
	g_assert_cmpuint(count(l, "ACTION:DISPLAY"), ==, 2);
	g_assert_cmpuint(count(l, "TRIGGER:-P1D"), ==, 1);
	g_assert_cmpuint(count(l, "TRIGGER:-PT1H"), ==, 1);
	guint in_event = 0, in_alarm = 0, alarm_descriptions = 0;
	for (char **p = l; *p; p++) {
		if (g_str_equal(*p, "BEGIN:VEVENT"))
			in_event = 1;
		else if (g_str_equal(*p, "END:VEVENT"))
			in_event = 0;
		else if (g_str_equal(*p, "BEGIN:VALARM")) {
			g_assert_true(in_event);
			in_alarm = 1;
		} else if (g_str_equal(*p, "END:VALARM"))
			in_alarm = 0;
		else if (in_alarm && g_str_has_prefix(*p, "DESCRIPTION:"))
			alarm_descriptions++;
	}
	g_assert_cmpuint(alarm_descriptions, ==, 2);
	/* small enough for a QR code read off a screen */
	g_test_message("event: %zu octets", strlen(text));
	g_assert_cmpuint(strlen(text), <, 700);
}

/* Slots as the switchboard gives them: wall-clock times in the site's
 * zone with the offset of that day. */
static char *paris(int y, int mo, int d, int h, int mi)
{
	g_autoptr(GTimeZone) tz = g_time_zone_new_identifier("Europe/Paris");
	if (tz == NULL)
		return NULL;
	g_autoptr(GDateTime) t = g_date_time_new(tz, y, mo, d, h, mi, 0);
	return g_date_time_format_iso8601(t);
}

static void test_time_zone(void)
{
	g_autofree char *probe = paris(2026, 1, 1, 0, 0);
	if (probe == NULL) {
		g_test_skip("no tzdata for Europe/Paris");
		return;
	}
	/* summer: UTC+2 */
	g_autofree char *s1 = paris(2026, 7, 1, 14, 0), *e1 = paris(2026, 7, 1, 14, 45);
	g_assert_true(g_str_has_suffix(s1, "+02"));
	g_autofree char *summer = make(s1, e1, "Site", NULL);
	g_auto(GStrv) ls = unfold(summer);
	g_assert_cmpstr(value_of(ls, "DTSTART"), ==, "20260701T120000Z");
	g_assert_cmpstr(value_of(ls, "DTEND"), ==, "20260701T124500Z");
	/* the night clocks go forward (2027-03-28, 02:00 -> 03:00): a slot
	 * from 01:30 to 03:30 local lasts one hour */
	g_autofree char *s2 = paris(2027, 3, 28, 1, 30), *e2 = paris(2027, 3, 28, 3, 30);
	g_autofree char *spring = make(s2, e2, "Site", NULL);
	g_auto(GStrv) lf = unfold(spring);
	g_assert_cmpstr(value_of(lf, "DTSTART"), ==, "20270328T003000Z");
	g_assert_cmpstr(value_of(lf, "DTEND"), ==, "20270328T013000Z");
	/* and back (2026-10-25, 03:00 -> 02:00): 01:30 to 03:30 lasts three */
	g_autofree char *s3 = paris(2026, 10, 25, 1, 30), *e3 = paris(2026, 10, 25, 3, 30);
	g_autofree char *autumn = make(s3, e3, "Site", NULL);
	g_auto(GStrv) la = unfold(autumn);
	g_assert_cmpstr(value_of(la, "DTSTART"), ==, "20261024T233000Z");
	g_assert_cmpstr(value_of(la, "DTEND"), ==, "20261025T023000Z");
	/* the protocol's form with minutes in the offset, and Z */
	g_autofree char *z = make("2026-11-24T09:00:00+01:00", "2026-11-24T08:30:00Z", "Site", NULL);
	g_auto(GStrv) lz = unfold(z);
	g_assert_cmpstr(value_of(lz, "DTEND"), ==, "20261124T083000Z");
}

static void test_escape(void)
{
	struct {
		const char *in, *out;
	} cases[] = {
		{"plain", "plain"},
		{"a,b;c\\d", "a\\,b\\;c\\\\d"},
		{"one\ntwo\r\nthree\rfour", "one\\ntwo\\nthree\\nfour"},
		{"tab\there", "tab here"},
		{"bell\a, del\x7f, esc\x1b.", "bell\\, del\\, esc."},
		{"\\n is not a newline", "\\\\n is not a newline"},
		{"", ""},
	};
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *got = relais_ical_escape(cases[i].in, RELAIS_ICAL_MAX_TEXT);
		g_assert_cmpstr(got, ==, cases[i].out);
	}
	g_autofree char *none = relais_ical_escape(NULL, 10);
	g_assert_cmpstr(none, ==, "");
	g_assert_null(relais_ical_escape("caf\xc3", 10));
	g_assert_null(relais_ical_escape("\xff", 10));
}

/* Cut on a character: 80 "é" (2 octets each) fit 160; with an "a" in front
 * the 81st "é" would straddle octet 160 and goes whole. */
static void test_truncate(void)
{
	GString *s = g_string_new(NULL);
	for (int i = 0; i < 200; i++)
		g_string_append(s, "\u00e9");
	g_autofree char *even = relais_ical_escape(s->str, RELAIS_ICAL_MAX_TEXT);
	g_assert_cmpuint(strlen(even), ==, 160);
	g_assert_true(g_utf8_validate(even, -1, NULL));
	g_string_prepend_c(s, 'a');
	g_autofree char *odd = relais_ical_escape(s->str, RELAIS_ICAL_MAX_TEXT);
	g_assert_cmpuint(strlen(odd), ==, 159);
	g_assert_true(g_utf8_validate(odd, -1, NULL));
	/* a 4-octet character across the limit */
	g_autofree char *emoji = relais_ical_escape("ab\U0001F600", 4);
	g_assert_cmpstr(emoji, ==, "ab");
	/* the event with an address far too long: kept short, still valid */
	g_autofree char *text = make("2026-11-24T09:00:00+01:00", "2026-11-24T09:30:00+01:00", "Site", s->str);
	g_auto(GStrv) l = unfold(text);
	const char *loc = value_of(l, "LOCATION");
	g_assert_true(g_str_has_prefix(loc, "Site\\, a\u00e9"));
	g_assert_cmpuint(strlen(loc), ==, strlen("Site\\, ") + 159);
	g_string_free(s, TRUE);
}

static void test_fold(void)
{
	/* ASCII: 75, then 74 after each leading space */
	GString *out = g_string_new(NULL);
	g_autofree char *line = g_strnfill(200, 'x');
	relais_ical_append_line(out, line);
	g_auto(GStrv) phys = g_strsplit(out->str, "\r\n", -1);
	g_assert_cmpuint(strlen(phys[0]), ==, 75);
	g_assert_cmpuint(strlen(phys[1]), ==, 75);
	g_assert_cmpint(phys[1][0], ==, ' ');
	g_assert_cmpuint(strlen(phys[2]), ==, 1 + 200 - 75 - 74);
	g_assert_cmpstr(phys[3], ==, "");
	g_string_free(out, TRUE);
	/* exactly 75: no fold */
	out = g_string_new(NULL);
	g_autofree char *full = g_strnfill(75, 'y');
	relais_ical_append_line(out, full);
	g_assert_cmpuint(out->len, ==, 77);
	g_string_free(out, TRUE);
	/* multi-octet characters never split, whatever the phase */
	for (int lead = 0; lead < 4; lead++) {
		GString *t = g_string_new("LOCATION:");
		for (int i = 0; i < lead; i++)
			g_string_append_c(t, 'a');
		for (int i = 0; i < 60; i++)
			g_string_append(t, i % 3 ? "\u00e9" : "\u20ac");
		out = g_string_new(NULL);
		relais_ical_append_line(out, t->str);
		g_auto(GStrv) l = unfold(out->str);
		g_assert_cmpstr(l[0], ==, t->str);
		g_assert_null(l[1]);
		g_string_free(out, TRUE);
		g_string_free(t, TRUE);
	}
}

static void test_hostile(void)
{
	g_autofree char *text = make("2026-11-24T09:00:00+01:00", "2026-11-24T09:30:00+01:00",
				     "L'\u00c9toile, caf\u00e9; \"biblioth\u00e8que\"\r\nEND:VEVENT",
				     "BEGIN:VALARM\n1\\2 all\u00e9e\u2009des \u00e9rables");
	g_auto(GStrv) l = unfold(text);
	/* no line was injected: still one event, two alarms */
	g_assert_cmpuint(count(l, "END:VEVENT"), ==, 1);
	g_assert_cmpuint(count(l, "BEGIN:VALARM"), ==, 2);
	g_assert_cmpstr(value_of(l, "LOCATION"), ==,
			"L'\u00c9toile\\, caf\u00e9\\; \"biblioth\u00e8que\"\\nEND:VEVENT\\, "
			"BEGIN:VALARM\\n1\\\\2 all\u00e9e\u2009des \u00e9rables");
}

static void test_refused(void)
{
	g_autoptr(GDateTime) now = stamp();
	struct {
		const char *code, *start, *end, *summary, *site;
	} cases[] = {
		{"7KQ2MZ", "2026-11-24T09:00:00", "2026-11-24T09:30:00+01:00", "s", NULL},	 /* no offset */
		{"7KQ2MZ", "2026-11-24T09:00:00+01:00", "2026-11-24T09:00:00+01:00", "s", NULL}, /* empty */
		{"7KQ2MZ", "2026-11-24T09:00:00+01:00", "2026-11-24T08:30:00+01:00", "s", NULL}, /* backwards */
		{"7KQ2MZ", "tomorrow", "2026-11-24T09:30:00+01:00", "s", NULL},
		{"7KQ2MZ", NULL, "2026-11-24T09:30:00+01:00", "s", NULL},
		{"7KQ2M0", "2026-11-24T09:00:00+01:00", "2026-11-24T09:30:00+01:00", "s", NULL}, /* 0: not a code */
		{"7KQ2MZ\r\nX", "2026-11-24T09:00:00+01:00", "2026-11-24T09:30:00+01:00", "s", NULL},
		{NULL, "2026-11-24T09:00:00+01:00", "2026-11-24T09:30:00+01:00", "s", NULL},
		{"7KQ2MZ", "2026-11-24T09:00:00+01:00", "2026-11-24T09:30:00+01:00", "", NULL},
		{"7KQ2MZ", "2026-11-24T09:00:00+01:00", "2026-11-24T09:30:00+01:00", "s", "caf\xc3"},
	};
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		RelaisIcalEvent ev = {.code = cases[i].code,
				      .start = cases[i].start,
				      .end = cases[i].end,
				      .summary = cases[i].summary,
				      .site = cases[i].site,
				      .stamp = now};
		g_autoptr(GError) error = NULL;
		g_autofree char *text = relais_ical_event(&ev, &error);
		if (text != NULL)
			g_error("case %u was accepted:\n%s", i, text);
		g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
	}
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ical/event", test_event);
	g_test_add_func("/ical/time-zone", test_time_zone);
	g_test_add_func("/ical/escape", test_escape);
	g_test_add_func("/ical/truncate", test_truncate);
	g_test_add_func("/ical/fold", test_fold);
	g_test_add_func("/ical/hostile", test_hostile);
	g_test_add_func("/ical/refused", test_refused);
	return g_test_run();
}
