/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "relais-logring-test"
/* logring: the last warnings of a program for its diagnostics report: the
 * oldest go first, long or invalid messages are cut and made valid, and the
 * writer records warnings and criticals but not messages or debug, while
 * still handing everything on. */
#include "logring.h"

#include <string.h>

static void collect(const RelaisLogEntry *e, gpointer data)
{
	GPtrArray *a = data;
	g_ptr_array_add(a, g_strdup_printf("%s|%s", e->domain ? e->domain : "-", e->message));
}

static GPtrArray *entries(RelaisLogRing *ring)
{
	GPtrArray *a = g_ptr_array_new_with_free_func(g_free);
	relais_log_ring_foreach(ring, collect, a);
	return a;
}

static void test_wraps(void)
{
	g_autoptr(RelaisLogRing) ring = relais_log_ring_new(3);
	g_assert_cmpuint(relais_log_ring_count(ring), ==, 0);
	for (int i = 0; i < 5; i++) {
		g_autofree char *m = g_strdup_printf("m%d", i);
		relais_log_ring_add(ring, i, G_LOG_LEVEL_WARNING, "d", m);
	}
	g_assert_cmpuint(relais_log_ring_count(ring), ==, 3);
	g_autoptr(GPtrArray) a = entries(ring);
	g_assert_cmpuint(a->len, ==, 3);
	g_assert_cmpstr(a->pdata[0], ==, "d|m2");
	g_assert_cmpstr(a->pdata[1], ==, "d|m3");
	g_assert_cmpstr(a->pdata[2], ==, "d|m4");
}

static void test_cut_and_valid(void)
{
	g_autoptr(RelaisLogRing) ring = relais_log_ring_new(2);
	/* 300 two-byte characters: cut under the cap, on a boundary */
	GString *s = g_string_new(NULL);
	for (int i = 0; i < 300; i++)
		g_string_append(s, "\xc3\xa9");
	relais_log_ring_add(ring, 1, G_LOG_LEVEL_WARNING, NULL, s->str);
	g_string_free(s, TRUE);
	relais_log_ring_add(ring, 2, G_LOG_LEVEL_CRITICAL, NULL, "bad \xff\xfe bytes");
	g_autoptr(GPtrArray) a = entries(ring);
	const char *first = (const char *)a->pdata[0] + 2; /* after "-|" */
	g_assert_cmpuint(strlen(first), <=, RELAIS_LOGRING_MAX_MESSAGE);
	g_assert_cmpuint(strlen(first), >=, RELAIS_LOGRING_MAX_MESSAGE - 1);
	g_assert_true(g_utf8_validate(first, -1, NULL));
	g_assert_true(g_utf8_validate(a->pdata[1], -1, NULL));
	g_assert_true(g_str_has_prefix((const char *)a->pdata[1] + 2, "bad "));
	/* NULL message: an empty one, never a crash */
	relais_log_ring_add(ring, 3, G_LOG_LEVEL_WARNING, "x", NULL);
	g_autoptr(GPtrArray) b = entries(ring);
	g_assert_cmpstr(b->pdata[1], ==, "x|");
}

/* The writer itself, with the fields g_log_structured gives it. The default
 * writer it chains to prints to stderr: the test sets G_MESSAGES_DEBUG off
 * and only checks what was recorded. */
static void test_writer_levels(void)
{
	g_autoptr(RelaisLogRing) ring = relais_log_ring_new(8);
	const struct {
		GLogLevelFlags level;
		const char *msg;
	} in[] = {
		{G_LOG_LEVEL_DEBUG, "debug"},	  {G_LOG_LEVEL_INFO, "info"},	      {G_LOG_LEVEL_MESSAGE, "message"},
		{G_LOG_LEVEL_WARNING, "warning"}, {G_LOG_LEVEL_CRITICAL, "critical"},
	};
	for (guint i = 0; i < G_N_ELEMENTS(in); i++) {
		GLogField fields[] = {
			{"GLIB_DOMAIN", "relais-test", -1},
			{"MESSAGE", in[i].msg, -1},
			{"PRIORITY", "4", -1},
		};
		g_assert_cmpint(relais_log_ring_writer(in[i].level, fields, G_N_ELEMENTS(fields), ring), ==,
				G_LOG_WRITER_HANDLED);
	}
	g_autoptr(GPtrArray) a = entries(ring);
	g_assert_cmpuint(a->len, ==, 2);
	g_assert_cmpstr(a->pdata[0], ==, "relais-test|warning");
	g_assert_cmpstr(a->pdata[1], ==, "relais-test|critical");
}

/* Installed for the process: g_warning() lands in the ring, g_message()
 * does not. In a subprocess, since a writer is set once per process. */
static void test_installed(void)
{
	if (g_test_subprocess()) {
		g_log_set_always_fatal(G_LOG_FATAL_MASK);
		RelaisLogRing *ring = relais_log_ring_new(4);
		relais_log_ring_install(ring);
		g_message("just a message");
		g_warning("camera: %s", "gone");
		g_autoptr(GPtrArray) a = entries(ring);
		g_assert_cmpuint(a->len, ==, 1);
		g_assert_cmpstr(a->pdata[0], ==, "relais-logring-test|camera: gone");
		return;
	}
	g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
	g_test_trap_assert_passed();
	/* chained: the default writer still printed the warning */
	g_test_trap_assert_stderr("*camera: gone*");
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	/* these tests log warnings and criticals on purpose: not fatal here */
	g_log_set_always_fatal(G_LOG_FATAL_MASK);
	g_test_add_func("/logring/wraps", test_wraps);
	g_test_add_func("/logring/cut-and-valid", test_cut_and_valid);
	g_test_add_func("/logring/writer-levels", test_writer_levels);
	g_test_add_func("/logring/installed", test_installed);
	return g_test_run();
}
