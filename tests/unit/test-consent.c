/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "relais-consent-test"
/* consent: the visitor's answer to a guest who asks to join: accepted,
 * declined, timed out, replaced by another guest's ask, dropped with the
 * call; one answer owed per ended ask, and nothing of the guest kept. */
#include "consent.h"

#define S (G_USEC_PER_SEC)

static void assert_idle(RelaisConsent *c)
{
	g_assert_cmpint(relais_consent_get_state(c), ==, RELAIS_CONSENT_IDLE);
	g_assert_null(relais_consent_get_name(c));
	g_assert_null(relais_consent_get_role(c));
	g_assert_null(relais_consent_get_guest(c));
	g_assert_null(relais_consent_get_call(c));
	g_assert_cmpint(relais_consent_deadline_us(c), ==, 0);
}

static void test_accepted(void)
{
	g_autoptr(RelaisConsent) c = relais_consent_new(60000);
	assert_idle(c);
	g_assert_false(relais_consent_ask(c, "call1", "g1", "Claire", "interpreter", 10 * S));
	g_assert_cmpint(relais_consent_get_state(c), ==, RELAIS_CONSENT_ASKING);
	g_assert_cmpstr(relais_consent_get_name(c), ==, "Claire");
	g_assert_cmpstr(relais_consent_get_role(c), ==, "interpreter");
	g_assert_cmpint(relais_consent_ms_left(c, 10 * S), ==, 60000);
	g_assert_cmpint(relais_consent_ms_left(c, 10 * S + 1), ==, 60000); /* rounded up */
	g_assert_cmpint(relais_consent_deadline_us(c), ==, 70 * S);
	/* nothing owed while asking */
	g_assert_cmpint(relais_consent_take(c, NULL, NULL), ==, RELAIS_CONSENT_NONE);
	/* another guest's answer is not this one's */
	g_assert_false(relais_consent_answer(c, "g2", TRUE));
	g_assert_true(relais_consent_answer(c, "g1", TRUE));
	assert_idle(c);
	g_autofree char *call = NULL, *guest = NULL;
	g_assert_cmpint(relais_consent_take(c, &call, &guest), ==, RELAIS_CONSENT_ACCEPTED);
	g_assert_cmpstr(call, ==, "call1");
	g_assert_cmpstr(guest, ==, "g1");
	/* owed once */
	g_assert_cmpint(relais_consent_take(c, NULL, NULL), ==, RELAIS_CONSENT_NONE);
	/* a late timeout or a second answer: nothing */
	g_assert_false(relais_consent_tick(c, 100 * S));
	g_assert_false(relais_consent_answer(c, NULL, FALSE));
	g_assert_cmpint(relais_consent_take(c, NULL, NULL), ==, RELAIS_CONSENT_NONE);
}

static void test_declined(void)
{
	g_autoptr(RelaisConsent) c = relais_consent_new(60000);
	relais_consent_ask(c, "call1", "g1", "Paul", "relative", 0);
	g_assert_true(relais_consent_answer(c, NULL, FALSE));
	assert_idle(c);
	g_autofree char *guest = NULL;
	g_assert_cmpint(relais_consent_take(c, NULL, &guest), ==, RELAIS_CONSENT_DECLINED);
	g_assert_cmpstr(guest, ==, "g1");
}

static void test_timed_out(void)
{
	g_autoptr(RelaisConsent) c = relais_consent_new(60000);
	relais_consent_ask(c, "call1", "g1", "Claire", "interpreter", 5 * S);
	g_assert_false(relais_consent_tick(c, 64 * S));
	g_assert_cmpint(relais_consent_ms_left(c, 64 * S), ==, 1000);
	g_assert_cmpint(relais_consent_get_state(c), ==, RELAIS_CONSENT_ASKING);
	g_assert_true(relais_consent_tick(c, 65 * S));
	assert_idle(c);
	g_assert_cmpint(relais_consent_ms_left(c, 65 * S), ==, 0);
	g_assert_cmpint(relais_consent_take(c, NULL, NULL), ==, RELAIS_CONSENT_TIMED_OUT);
	/* the visitor's tap after the timeout changes nothing */
	g_assert_false(relais_consent_answer(c, NULL, TRUE));
	g_assert_cmpint(relais_consent_take(c, NULL, NULL), ==, RELAIS_CONSENT_NONE);
}

static void test_replaced(void)
{
	g_autoptr(RelaisConsent) c = relais_consent_new(60000);
	relais_consent_ask(c, "call1", "g1", "Claire", "interpreter", 0);
	/* the same guest sent again (after a link drop): same deadline */
	g_assert_false(relais_consent_ask(c, "call1", "g1", "Claire", "interpreter", 30 * S));
	g_assert_cmpint(relais_consent_deadline_us(c), ==, 60 * S);
	/* another guest: replaces it, with its own full minute, and the
	 * first one is owed no answer */
	g_assert_true(relais_consent_ask(c, "call1", "g2", "Marc", "colleague", 40 * S));
	g_assert_cmpstr(relais_consent_get_name(c), ==, "Marc");
	g_assert_cmpstr(relais_consent_get_role(c), ==, "colleague");
	g_assert_cmpint(relais_consent_deadline_us(c), ==, 100 * S);
	g_assert_cmpint(relais_consent_take(c, NULL, NULL), ==, RELAIS_CONSENT_NONE);
	g_assert_false(relais_consent_answer(c, "g1", TRUE));
	g_assert_false(relais_consent_tick(c, 60 * S));
	g_assert_true(relais_consent_answer(c, "g2", TRUE));
	g_autofree char *guest = NULL;
	g_assert_cmpint(relais_consent_take(c, NULL, &guest), ==, RELAIS_CONSENT_ACCEPTED);
	g_assert_cmpstr(guest, ==, "g2");
}

static void test_call_ended(void)
{
	g_autoptr(RelaisConsent) c = relais_consent_new(60000);
	relais_consent_ask(c, "call1", "g1", "Claire", "adviser", 0);
	relais_consent_cancel(c);
	assert_idle(c);
	g_assert_false(relais_consent_tick(c, 120 * S));
	g_assert_false(relais_consent_answer(c, NULL, TRUE));
	g_assert_cmpint(relais_consent_take(c, NULL, NULL), ==, RELAIS_CONSENT_NONE);
	/* an answer given but not sent yet when the call ends is dropped too */
	relais_consent_ask(c, "call2", "g2", "Claire", "adviser", 0);
	relais_consent_answer(c, NULL, TRUE);
	relais_consent_cancel(c);
	g_assert_cmpint(relais_consent_take(c, NULL, NULL), ==, RELAIS_CONSENT_NONE);
	/* and a new ask after all that works as the first */
	relais_consent_ask(c, "call3", "g3", "Ana", "relative", 0);
	g_assert_cmpint(relais_consent_get_state(c), ==, RELAIS_CONSENT_ASKING);
}

static void test_outcome_names(void)
{
	g_assert_cmpstr(relais_consent_outcome_name(RELAIS_CONSENT_NONE), ==, "none");
	g_assert_cmpstr(relais_consent_outcome_name(RELAIS_CONSENT_ACCEPTED), ==, "accepted");
	g_assert_cmpstr(relais_consent_outcome_name(RELAIS_CONSENT_DECLINED), ==, "declined");
	g_assert_cmpstr(relais_consent_outcome_name(RELAIS_CONSENT_TIMED_OUT), ==, "timed-out");
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/consent/accepted", test_accepted);
	g_test_add_func("/consent/declined", test_declined);
	g_test_add_func("/consent/timed-out", test_timed_out);
	g_test_add_func("/consent/replaced", test_replaced);
	g_test_add_func("/consent/call-ended", test_call_ended);
	g_test_add_func("/consent/outcome-names", test_outcome_names);
	return g_test_run();
}
