/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The visitor session state machine and the reconnect backoff: pure logic. */
#include "backoff.h"
#include "session.h"

#include <string.h>

typedef RelaisSessionState St;
typedef RelaisSessionEvent Ev;

static St step(St s, Ev e)
{
	St next = RELAIS_SESSION_N_STATES;
	g_autoptr(GError) error = NULL;
	if (!relais_session_transition(s, e, &next, &error))
		g_error("%s", error->message);
	return next;
}

static void test_happy_path(void)
{
	St s = RELAIS_SESSION_IDLE;
	s = step(s, RELAIS_SESSION_EV_REQUEST);
	g_assert_cmpint(s, ==, RELAIS_SESSION_QUEUED);
	s = step(s, RELAIS_SESSION_EV_CALL);
	g_assert_cmpint(s, ==, RELAIS_SESSION_CONNECTING);
	s = step(s, RELAIS_SESSION_EV_MEDIA_UP);
	g_assert_cmpint(s, ==, RELAIS_SESSION_IN_CALL);
	s = step(s, RELAIS_SESSION_EV_END);
	g_assert_cmpint(s, ==, RELAIS_SESSION_ENDED);
	s = step(s, RELAIS_SESSION_EV_WIPED);
	g_assert_cmpint(s, ==, RELAIS_SESSION_IDLE);
}

static void test_branches(void)
{
	/* cancel while queued, end while connecting (call failed) */
	g_assert_cmpint(step(RELAIS_SESSION_QUEUED, RELAIS_SESSION_EV_CANCEL), ==, RELAIS_SESSION_ENDED);
	g_assert_cmpint(step(RELAIS_SESSION_CONNECTING, RELAIS_SESSION_EV_END), ==, RELAIS_SESSION_ENDED);
	/* faults from everywhere, repair back to idle */
	for (St s = 0; s < RELAIS_SESSION_N_STATES; s++)
		g_assert_cmpint(step(s, RELAIS_SESSION_EV_FAULT), ==, RELAIS_SESSION_OUT_OF_ORDER);
	g_assert_cmpint(step(RELAIS_SESSION_OUT_OF_ORDER, RELAIS_SESSION_EV_REPAIRED), ==, RELAIS_SESSION_IDLE);
}

static void test_refused(void)
{
	/* every pair not in the diagram is refused, with a message naming both */
	static const struct {
		St s;
		Ev e;
	} refused[] = {
		{RELAIS_SESSION_IDLE, RELAIS_SESSION_EV_CALL},
		{RELAIS_SESSION_IDLE, RELAIS_SESSION_EV_END},
		{RELAIS_SESSION_IDLE, RELAIS_SESSION_EV_MEDIA_UP},
		{RELAIS_SESSION_QUEUED, RELAIS_SESSION_EV_REQUEST},
		{RELAIS_SESSION_QUEUED, RELAIS_SESSION_EV_MEDIA_UP},
		{RELAIS_SESSION_IN_CALL, RELAIS_SESSION_EV_REQUEST},
		{RELAIS_SESSION_IN_CALL, RELAIS_SESSION_EV_CALL},
		{RELAIS_SESSION_IN_CALL, RELAIS_SESSION_EV_CANCEL},
		{RELAIS_SESSION_ENDED, RELAIS_SESSION_EV_REQUEST},
		{RELAIS_SESSION_OUT_OF_ORDER, RELAIS_SESSION_EV_REQUEST},
		{RELAIS_SESSION_OUT_OF_ORDER, RELAIS_SESSION_EV_CALL},
		{RELAIS_SESSION_IDLE, RELAIS_SESSION_EV_REPAIRED},
	};
	for (guint i = 0; i < G_N_ELEMENTS(refused); i++) {
		St next = 99;
		g_autoptr(GError) error = NULL;
		g_assert_false(relais_session_transition(refused[i].s, refused[i].e, &next, &error));
		g_assert_error(error, RELAIS_SESSION_ERROR, RELAIS_SESSION_ERROR_NOT_ALLOWED);
		g_assert_nonnull(strstr(error->message, relais_session_state_name(refused[i].s)));
		g_assert_nonnull(strstr(error->message, relais_session_event_name(refused[i].e)));
		g_assert_cmpint(next, ==, 99);
	}
	/* out-of-range input is refused, not an out-of-bounds read */
	St next;
	g_autoptr(GError) error = NULL;
	g_assert_false(relais_session_transition(42, RELAIS_SESSION_EV_END, &next, &error));
	g_clear_error(&error);
	g_assert_false(relais_session_transition(RELAIS_SESSION_IDLE, 42, &next, &error));
}

static void test_backoff(void)
{
	RelaisBackoff b;
	g_autoptr(GRand) r = g_rand_new_with_seed(42);
	relais_backoff_init(&b, 250, 10000);
	guint expected_max[] = {250, 500, 1000, 2000, 4000, 8000, 10000, 10000, 10000};
	for (guint i = 0; i < G_N_ELEMENTS(expected_max); i++) {
		guint d = relais_backoff_next(&b, r);
		g_assert_cmpuint(d, <=, expected_max[i]);
		g_assert_cmpuint(d, >=, expected_max[i] / 2);
	}
	relais_backoff_reset(&b);
	g_assert_cmpuint(relais_backoff_next(&b, r), <=, 250);
	/* jitter: the same attempt does not always give the same delay */
	GHashTable *seen = g_hash_table_new(g_direct_hash, g_direct_equal);
	for (int i = 0; i < 50; i++) {
		relais_backoff_reset(&b);
		b.attempt = 5;
		g_hash_table_add(seen, GUINT_TO_POINTER(relais_backoff_next(&b, r)));
	}
	g_assert_cmpuint(g_hash_table_size(seen), >, 10);
	g_hash_table_unref(seen);
	/* many failures do not overflow */
	b.attempt = G_MAXUINT - 1;
	g_assert_cmpuint(relais_backoff_next(&b, r), <=, 10000);
	g_assert_cmpuint(relais_backoff_next(&b, r), <=, 10000);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/session/happy-path", test_happy_path);
	g_test_add_func("/session/branches", test_branches);
	g_test_add_func("/session/refused", test_refused);
	g_test_add_func("/backoff/exponential-jitter-cap", test_backoff);
	return g_test_run();
}
