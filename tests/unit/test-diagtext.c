/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A booth's diagnostic report as terminal text (diagtext.h): every section
 * of a full report, every member optional, wrong types read as absent, and
 * no control character of a hostile booth reaches the terminal. */
#include "diagtext.h"

#include <string.h>

static JsonObject *object(const char *json)
{
	g_autoptr(JsonParser) p = json_parser_new();
	g_autoptr(GError) error = NULL;
	g_assert_true(json_parser_load_from_data(p, json, -1, &error));
	g_assert_no_error(error);
	return json_object_ref(json_node_get_object(json_parser_get_root(p)));
}

static void expect(const char *text, const char *needle)
{
	if (strstr(text, needle) == NULL)
		g_error("'%s' not in:\n%s", needle, text);
}

static void test_full(void)
{
	g_autoptr(JsonObject) r = object(
		"{\"booth_id\":\"hall-1\",\"fetched_at\":\"2026-12-06T19:00:00Z\",\"report\":{"
		"\"software\":{\"version\":\"1.2\",\"build\":\"abc\"},\"board\":\"rpi5\",\"booth_id\":\"hall-1\","
		"\"site\":\"Médiathèque\",\"uptime_s\":93784,\"memory\":{\"rss_kib\":81920,\"pss_kib\":62464},"
		"\"addresses\":[\"10.0.0.2\",\"fe80::1\"],"
		"\"link\":{\"state\":\"up\",\"switchboard\":\"wss://sb/ws/booth\",\"certificate_state\":\"valid\","
		"\"certificate_expires\":\"2027-01-01T00:00:00Z\"},\"camera\":{\"state\":\"ok\",\"detail\":\"imx708\"},"
		"\"microphone\":{\"state\":\"ok\",\"level_db\":-40},\"speaker\":{\"state\":\"ok\"},"
		"\"turn\":{\"state\":\"ok\"},\"errors\":[{\"time\":\"2026-12-06T18:00:00Z\",\"message\":\"oops\"}]}}");
	g_autofree char *t = relais_diag_text(r);
	expect(t, "Booth hall-1 — report fetched 2026-12-06T19:00:00Z\n");
	expect(t, "Software               1.2 (build abc)\n");
	expect(t, "Site                   Médiathèque\n");
	expect(t, "Uptime                 1 d 2 h\n");
	expect(t, "Memory                 61.0 MiB PSS, 80.0 MiB resident\n");
	expect(t, "Addresses              10.0.0.2, fe80::1\n");
	expect(t, "Certificate expires    2027-01-01T00:00:00Z\n");
	expect(t, "Camera                 ok — imx708\n");
	expect(t, "Microphone             ok, level_db -40 dB\n");
	expect(t, "Last errors (1)\n  2026-12-06T18:00:00Z   oops\n");
}

static void test_empty_and_wrong_types(void)
{
	g_autoptr(JsonObject) empty = object("{}");
	g_autofree char *t = relais_diag_text(empty);
	expect(t, "Booth — — report fetched —\n");
	expect(t, "Board                  —\n");
	expect(t, "Last errors (0)\n  none recorded\n");

	g_autoptr(JsonObject) wrong = object("{\"report\":{\"board\":{\"x\":1},\"software\":\"1.0\",\"uptime_s\":"
					     "\"long\",\"memory\":{\"pss_kib\":\"9\",\"rss_kib\":1},"
					     "\"addresses\":\"10.0.0.1\",\"link\":[1],\"camera\":\"ok\","
					     "\"errors\":{\"message\":\"m\"}}}");
	g_autofree char *w = relais_diag_text(wrong);
	expect(w, "Board                  —\n");
	expect(w, "Software               —\n");
	expect(w, "Uptime                 —\n");
	g_assert_null(strstr(w, "Memory"));
	expect(w, "Addresses              —\n");
	expect(w, "Camera                 —\n");
	expect(w, "Last errors (0)\n");
}

static void test_hostile(void)
{
	g_autoptr(JsonObject) r = object("{\"booth_id\":\"b\\u001b[31m\",\"report\":{\"site\":\"\\u001b]0;x\\u0007\","
					 "\"errors\":[{\"time\":\"\\u009b2J\",\"message\":\"a\\nb\\rc\\u007f\"}]}}");
	g_autofree char *t = relais_diag_text(r);
	for (const char *p = t; *p; p++)
		g_assert_true(*p == '\n' || (guchar)*p >= 0x20);
	g_assert_null(strstr(t, "\xc2\x9b")); /* C1 CSI */
	g_assert_null(strstr(t, "\x7f"));
	expect(t, "Booth b?[31m");
	expect(t, "Site                   ?]0;x?\n");
	expect(t, "?2J                    a?b?c?\n");
	g_autofree char *c = relais_diag_clean("ok\xff");
	g_assert_true(g_utf8_validate(c, -1, NULL));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/diagtext/full", test_full);
	g_test_add_func("/diagtext/empty-and-wrong-types", test_empty_and_wrong_types);
	g_test_add_func("/diagtext/hostile", test_hostile);
	return g_test_run();
}
