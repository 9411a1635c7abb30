/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the harness itself promises: rt_tolerate_known_upstream_criticals()
 * lets through the one known GStreamer critical (GLib's foreach check, on the
 * thread rtpsession names "rtpsession-rtcp") and nothing else: the same
 * message on another thread, or another critical on that thread, still ends
 * the test. Each case runs in a subprocess (g_test_trap_subprocess). */
#include "harness.h"

/* The walk GStreamer's RTCP thread gets wrong: an entry added inside
 * g_hash_table_foreach. */
static void add_entry(gpointer key, gpointer value, gpointer table)
{
	if (!g_hash_table_contains(table, GUINT_TO_POINTER(100)))
		g_hash_table_add(table, GUINT_TO_POINTER(100));
}

static gpointer walk_and_add(gpointer data)
{
	g_autoptr(GHashTable) table = g_hash_table_new(NULL, NULL);

	for (guint i = 1; i < 5; i++)
		g_hash_table_add(table, GUINT_TO_POINTER(i));
	g_hash_table_foreach(table, add_entry, table);
	return NULL;
}

static gpointer other_critical(gpointer data)
{
	g_hash_table_foreach(NULL, add_entry, NULL);
	return NULL;
}

static void run_on(const char *thread_name, GThreadFunc func)
{
	rt_tolerate_known_upstream_criticals();
	g_thread_join(g_thread_new(thread_name, func, NULL));
}

static void test_known(void)
{
	if (g_test_subprocess()) {
		run_on("rtpsession-rtcp", walk_and_add);
		g_assert_cmpuint(rt_known_upstream_criticals(), ==, 1);
		return;
	}
	g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
	g_test_trap_assert_passed();
}

static void test_other_thread(void)
{
	if (g_test_subprocess()) {
		run_on("relais-worker", walk_and_add);
		return;
	}
	g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
	g_test_trap_assert_failed();
	g_test_trap_assert_stderr("*version == hash_table->version*");
}

static void test_other_critical(void)
{
	if (g_test_subprocess()) {
		run_on("rtpsession-rtcp", other_critical);
		return;
	}
	g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
	g_test_trap_assert_failed();
	g_test_trap_assert_stderr("*hash_table != NULL*");
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/harness/upstream-critical/known", test_known);
	g_test_add_func("/harness/upstream-critical/other-thread", test_other_thread);
	g_test_add_func("/harness/upstream-critical/other-critical", test_other_critical);
	return g_test_run();
}
