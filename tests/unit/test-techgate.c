/* SPDX-License-Identifier: GPL-2.0-or-later */
/* techgate: the technician screen's gesture (two held corners in turn,
 * nothing else) and its PIN lock-out (three wrong, locked for minutes, a
 * right PIN refused while locked, attempts back after the lock), with the
 * clock passed in. */
#include "techgate.h"

#define S  G_USEC_PER_SEC
#define MS 1000

static RelaisTechGate *gate(void)
{
	RelaisTechGateConfig c = {.hold_ms = 2000, .window_ms = 5000, .max_attempts = 3, .lock_s = 300};
	return relais_tech_gate_new(&c);
}

static void test_gesture(void)
{
	g_autoptr(RelaisTechGate) g = gate();
	gint64 t = 100 * S;
	/* the gesture: top-left held 2 s, then top-right held 2 s */
	g_assert_false(relais_tech_gate_press(g, RELAIS_TECH_TOP_LEFT, 2000, t));
	g_assert_true(relais_tech_gate_press(g, RELAIS_TECH_TOP_RIGHT, 2100, t + 3 * S));
	/* it starts again once done */
	g_assert_false(relais_tech_gate_press(g, RELAIS_TECH_TOP_RIGHT, 2100, t + 6 * S));
}

static void test_not_by_chance(void)
{
	g_autoptr(RelaisTechGate) g = gate();
	gint64 t = 100 * S;
	/* one corner alone, even held long, twice */
	g_assert_false(relais_tech_gate_press(g, RELAIS_TECH_TOP_RIGHT, 5000, t));
	g_assert_false(relais_tech_gate_press(g, RELAIS_TECH_TOP_LEFT, 5000, t + 6 * S));
	g_assert_false(relais_tech_gate_press(g, RELAIS_TECH_TOP_LEFT, 5000, t + 12 * S));
	/* short presses */
	g_assert_false(relais_tech_gate_press(g, RELAIS_TECH_TOP_LEFT, 300, t + 20 * S));
	g_assert_false(relais_tech_gate_press(g, RELAIS_TECH_TOP_RIGHT, 300, t + 21 * S));
	/* held left, then a short right */
	g_assert_false(relais_tech_gate_press(g, RELAIS_TECH_TOP_LEFT, 2000, t + 30 * S));
	g_assert_false(relais_tech_gate_press(g, RELAIS_TECH_TOP_RIGHT, 1999, t + 33 * S));
	/* in the wrong order */
	g_assert_false(relais_tech_gate_press(g, RELAIS_TECH_TOP_RIGHT, 2000, t + 40 * S));
	g_assert_false(relais_tech_gate_press(g, RELAIS_TECH_TOP_LEFT, 2000, t + 43 * S));
	/* too late: the second press starts 5.5 s after the first release */
	g_assert_false(relais_tech_gate_press(g, RELAIS_TECH_TOP_LEFT, 2000, t + 50 * S));
	g_assert_false(relais_tech_gate_press(g, RELAIS_TECH_TOP_RIGHT, 2000, t + 57500 * MS));
	/* a touch elsewhere in between */
	g_assert_false(relais_tech_gate_press(g, RELAIS_TECH_TOP_LEFT, 2000, t + 70 * S));
	g_assert_false(relais_tech_gate_press(g, RELAIS_TECH_ELSEWHERE, 100, t + 71 * S));
	g_assert_false(relais_tech_gate_press(g, RELAIS_TECH_TOP_RIGHT, 2000, t + 74 * S));
	/* and it still works after all that */
	g_assert_false(relais_tech_gate_press(g, RELAIS_TECH_TOP_LEFT, 2000, t + 80 * S));
	g_assert_true(relais_tech_gate_press(g, RELAIS_TECH_TOP_RIGHT, 2000, t + 84 * S));
}

static void test_lockout(void)
{
	g_autoptr(RelaisTechGate) g = gate();
	gint64 t = 1000 * S;
	guint left = 99;
	g_assert_cmpuint(relais_tech_gate_attempts_left(g, t), ==, 3);
	g_assert_cmpint(relais_tech_gate_attempt(g, FALSE, t), ==, RELAIS_TECH_PIN_WRONG);
	g_assert_cmpint(relais_tech_gate_attempt(g, FALSE, t + S), ==, RELAIS_TECH_PIN_WRONG);
	g_assert_cmpuint(relais_tech_gate_attempts_left(g, t + S), ==, 1);
	g_assert_true(relais_tech_gate_may_try(g, t + S));
	g_assert_cmpint(relais_tech_gate_attempt(g, FALSE, t + 2 * S), ==, RELAIS_TECH_PIN_LOCKED);
	g_assert_true(relais_tech_gate_locked(g, t + 2 * S, &left));
	g_assert_cmpuint(left, ==, 300);
	/* a right PIN while locked is refused, and counts nothing */
	g_assert_false(relais_tech_gate_may_try(g, t + 60 * S));
	g_assert_cmpint(relais_tech_gate_attempt(g, TRUE, t + 60 * S), ==, RELAIS_TECH_PIN_LOCKED);
	g_assert_true(relais_tech_gate_locked(g, t + 60 * S + 1, &left));
	g_assert_cmpuint(left, ==, 242);
	g_assert_cmpuint(relais_tech_gate_attempts_left(g, t + 60 * S), ==, 0);
	/* the lock ends: three attempts again, a right PIN opens */
	g_assert_false(relais_tech_gate_locked(g, t + 302 * S, &left));
	g_assert_cmpuint(left, ==, 0);
	g_assert_cmpuint(relais_tech_gate_attempts_left(g, t + 302 * S), ==, 3);
	g_assert_cmpint(relais_tech_gate_attempt(g, FALSE, t + 303 * S), ==, RELAIS_TECH_PIN_WRONG);
	g_assert_cmpint(relais_tech_gate_attempt(g, TRUE, t + 304 * S), ==, RELAIS_TECH_PIN_OK);
	/* a right PIN gives the attempts back */
	g_assert_cmpuint(relais_tech_gate_attempts_left(g, t + 304 * S), ==, 3);
}

static void test_defaults(void)
{
	g_autoptr(RelaisTechGate) g = relais_tech_gate_new(NULL);
	g_assert_false(relais_tech_gate_press(g, RELAIS_TECH_TOP_LEFT, 2000, 10 * S));
	g_assert_true(relais_tech_gate_press(g, RELAIS_TECH_TOP_RIGHT, 2000, 14 * S));
	for (int i = 0; i < 2; i++)
		g_assert_cmpint(relais_tech_gate_attempt(g, FALSE, 20 * S), ==, RELAIS_TECH_PIN_WRONG);
	g_assert_cmpint(relais_tech_gate_attempt(g, FALSE, 20 * S), ==, RELAIS_TECH_PIN_LOCKED);
	guint left = 0;
	g_assert_true(relais_tech_gate_locked(g, 20 * S, &left));
	g_assert_cmpuint(left, ==, 300);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/techgate/gesture", test_gesture);
	g_test_add_func("/techgate/not-by-chance", test_not_by_chance);
	g_test_add_func("/techgate/lockout", test_lockout);
	g_test_add_func("/techgate/defaults", test_defaults);
	return g_test_run();
}
