/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The hub's state machines (hub-state.h): a booth as the switchboard sees
 * it, and a call. Pure logic: every pair of state and event is checked
 * against the diagram in the header. */
#include "hub-state.h"

#include <string.h>

static SbBoothState booth(SbBoothState s, SbBoothEvent e)
{
	SbBoothState next = SB_BOOTH_N_STATES;
	g_autoptr(GError) error = NULL;
	if (!sb_booth_transition(s, e, &next, &error))
		g_error("%s", error->message);
	return next;
}

static SbCallState call(SbCallState s, SbCallEvent e)
{
	SbCallState next = SB_CALL_N_STATES;
	g_autoptr(GError) error = NULL;
	if (!sb_call_transition(s, e, &next, &error))
		g_error("%s", error->message);
	return next;
}

static void test_booth_paths(void)
{
	/* a visitor queues, is answered, the call ends */
	SbBoothState s = SB_BOOTH_IDLE;
	s = booth(s, SB_BOOTH_EV_REQUEST);
	g_assert_cmpint(s, ==, SB_BOOTH_QUEUED);
	s = booth(s, SB_BOOTH_EV_ACCEPTED);
	g_assert_cmpint(s, ==, SB_BOOTH_IN_CALL);
	s = booth(s, SB_BOOTH_EV_CALL_ENDED);
	g_assert_cmpint(s, ==, SB_BOOTH_IDLE);
	/* the rating comes after the call; bookings while idle: no change */
	g_assert_cmpint(booth(s, SB_BOOTH_EV_FEEDBACK), ==, SB_BOOTH_IDLE);
	g_assert_cmpint(booth(s, SB_BOOTH_EV_BOOKING), ==, SB_BOOTH_IDLE);
	/* a visitor leaves the queue */
	g_assert_cmpint(booth(SB_BOOTH_QUEUED, SB_BOOTH_EV_CANCEL), ==, SB_BOOTH_IDLE);
	/* a booth back after a lost link, in its call */
	g_assert_cmpint(booth(SB_BOOTH_IDLE, SB_BOOTH_EV_RESUMED), ==, SB_BOOTH_IN_CALL);
	/* out of order and back; saying so twice is harmless; a late rating */
	s = booth(SB_BOOTH_IDLE, SB_BOOTH_EV_STATUS_OUT_OF_ORDER);
	g_assert_cmpint(s, ==, SB_BOOTH_OUT_OF_ORDER);
	g_assert_cmpint(booth(s, SB_BOOTH_EV_STATUS_OUT_OF_ORDER), ==, SB_BOOTH_OUT_OF_ORDER);
	g_assert_cmpint(booth(s, SB_BOOTH_EV_FEEDBACK), ==, SB_BOOTH_OUT_OF_ORDER);
	g_assert_cmpint(booth(s, SB_BOOTH_EV_STATUS_IDLE), ==, SB_BOOTH_IDLE);
	g_assert_cmpint(booth(SB_BOOTH_IDLE, SB_BOOTH_EV_STATUS_IDLE), ==, SB_BOOTH_IDLE);
}

/* Every pair not in the diagram is refused, naming both, and *next is left
 * alone. */
static void test_booth_refused(void)
{
	static const struct {
		SbBoothState s;
		SbBoothEvent e;
	} allowed[] = {
		{SB_BOOTH_IDLE, SB_BOOTH_EV_STATUS_IDLE},
		{SB_BOOTH_IDLE, SB_BOOTH_EV_STATUS_OUT_OF_ORDER},
		{SB_BOOTH_IDLE, SB_BOOTH_EV_REQUEST},
		{SB_BOOTH_IDLE, SB_BOOTH_EV_RESUMED},
		{SB_BOOTH_IDLE, SB_BOOTH_EV_BOOKING},
		{SB_BOOTH_IDLE, SB_BOOTH_EV_FEEDBACK},
		{SB_BOOTH_QUEUED, SB_BOOTH_EV_CANCEL},
		{SB_BOOTH_QUEUED, SB_BOOTH_EV_ACCEPTED},
		{SB_BOOTH_IN_CALL, SB_BOOTH_EV_CALL_ENDED},
		{SB_BOOTH_OUT_OF_ORDER, SB_BOOTH_EV_STATUS_IDLE},
		{SB_BOOTH_OUT_OF_ORDER, SB_BOOTH_EV_STATUS_OUT_OF_ORDER},
		{SB_BOOTH_OUT_OF_ORDER, SB_BOOTH_EV_FEEDBACK},
	};
	guint refused = 0;
	for (SbBoothState s = 0; s < SB_BOOTH_N_STATES; s++) {
		for (SbBoothEvent e = 0; e < SB_BOOTH_N_EVENTS; e++) {
			gboolean listed = FALSE;
			for (guint i = 0; i < G_N_ELEMENTS(allowed); i++)
				listed |= allowed[i].s == s && allowed[i].e == e;
			SbBoothState next = SB_BOOTH_N_STATES;
			g_autoptr(GError) error = NULL;
			gboolean ok = sb_booth_transition(s, e, &next, &error);
			g_assert_cmpint(ok, ==, listed);
			if (ok)
				continue;
			refused++;
			g_assert_error(error, SB_HUB_STATE_ERROR, SB_HUB_STATE_ERROR_NOT_ALLOWED);
			g_assert_nonnull(strstr(error->message, sb_booth_state_name(s)));
			g_assert_nonnull(strstr(error->message, sb_booth_event_name(e)));
			g_assert_cmpint(next, ==, SB_BOOTH_N_STATES);
		}
	}
	g_assert_cmpuint(refused, ==, SB_BOOTH_N_STATES * SB_BOOTH_N_EVENTS - G_N_ELEMENTS(allowed));
	/* the error is optional, out-of-range values are refused */
	SbBoothState next = SB_BOOTH_IDLE;
	g_assert_false(sb_booth_transition(SB_BOOTH_IN_CALL, SB_BOOTH_EV_REQUEST, &next, NULL));
	g_assert_false(sb_booth_transition(SB_BOOTH_N_STATES, SB_BOOTH_EV_REQUEST, &next, NULL));
	g_assert_false(sb_booth_transition(SB_BOOTH_IDLE, SB_BOOTH_N_EVENTS, &next, NULL));
	g_assert_cmpint(next, ==, SB_BOOTH_IDLE);
}

/* The names are the protocol's (booths, booths_snapshot: the staff page). */
static void test_booth_names(void)
{
	g_assert_cmpstr(sb_booth_state_name(SB_BOOTH_IDLE), ==, "idle");
	g_assert_cmpstr(sb_booth_state_name(SB_BOOTH_QUEUED), ==, "queued");
	g_assert_cmpstr(sb_booth_state_name(SB_BOOTH_IN_CALL), ==, "in_call");
	g_assert_cmpstr(sb_booth_state_name(SB_BOOTH_OUT_OF_ORDER), ==, "out_of_order");
	g_assert_cmpstr(sb_booth_state_name(SB_BOOTH_N_STATES), ==, "?");
	g_assert_cmpstr(sb_call_state_name(SB_CALL_N_STATES), ==, "?");
	g_assert_cmpstr(sb_booth_event_name(SB_BOOTH_N_EVENTS), ==, "?");
	g_assert_cmpstr(sb_call_event_name(SB_CALL_N_EVENTS), ==, "?");
}

static void test_call_paths(void)
{
	/* the booth's link drops and comes back; messages relayed meanwhile */
	SbCallState s = SB_CALL_ACTIVE;
	g_assert_cmpint(call(s, SB_CALL_EV_RELAY), ==, SB_CALL_ACTIVE);
	g_assert_cmpint(call(s, SB_CALL_EV_SHOW_DOC), ==, SB_CALL_ACTIVE);
	s = call(s, SB_CALL_EV_BOOTH_LOST);
	g_assert_cmpint(s, ==, SB_CALL_BOOTH_AWAY);
	g_assert_cmpint(call(s, SB_CALL_EV_RELAY), ==, SB_CALL_BOOTH_AWAY);
	s = call(s, SB_CALL_EV_BOOTH_BACK);
	g_assert_cmpint(s, ==, SB_CALL_ACTIVE);
	g_assert_cmpint(call(s, SB_CALL_EV_END), ==, SB_CALL_ENDED);
	/* away: the adviser hangs up, or the grace runs out */
	g_assert_cmpint(call(SB_CALL_BOOTH_AWAY, SB_CALL_EV_END), ==, SB_CALL_ENDED);
	g_assert_cmpint(call(SB_CALL_BOOTH_AWAY, SB_CALL_EV_GRACE_OVER), ==, SB_CALL_ENDED);
	/* the adviser's link, the same way; both away, each coming back */
	s = call(SB_CALL_ACTIVE, SB_CALL_EV_ADVISER_LOST);
	g_assert_cmpint(s, ==, SB_CALL_ADVISER_AWAY);
	g_assert_cmpint(call(s, SB_CALL_EV_RELAY), ==, SB_CALL_ADVISER_AWAY);
	g_assert_cmpint(call(s, SB_CALL_EV_END), ==, SB_CALL_ENDED);
	g_assert_cmpint(call(s, SB_CALL_EV_GRACE_OVER), ==, SB_CALL_ENDED);
	g_assert_cmpint(call(s, SB_CALL_EV_ADVISER_BACK), ==, SB_CALL_ACTIVE);
	s = call(s, SB_CALL_EV_BOOTH_LOST);
	g_assert_cmpint(s, ==, SB_CALL_BOTH_AWAY);
	g_assert_cmpint(call(SB_CALL_BOOTH_AWAY, SB_CALL_EV_ADVISER_LOST), ==, SB_CALL_BOTH_AWAY);
	/* a switchboard started again reloads its calls so */
	g_assert_cmpint(call(s, SB_CALL_EV_GRACE_OVER), ==, SB_CALL_ENDED);
	g_assert_cmpint(call(call(s, SB_CALL_EV_BOOTH_BACK), SB_CALL_EV_ADVISER_BACK), ==, SB_CALL_ACTIVE);
	g_assert_cmpint(call(call(s, SB_CALL_EV_ADVISER_BACK), SB_CALL_EV_BOOTH_BACK), ==, SB_CALL_ACTIVE);
}

static void test_call_refused(void)
{
	static const struct {
		SbCallState s;
		SbCallEvent e;
	} refused[] = {
		/* a document is shown or fetched only with the booth there */
		{SB_CALL_BOOTH_AWAY, SB_CALL_EV_SHOW_DOC},
		/* the grace is for a booth away; a booth back twice */
		{SB_CALL_ACTIVE, SB_CALL_EV_GRACE_OVER},
		{SB_CALL_ACTIVE, SB_CALL_EV_BOOTH_BACK},
		{SB_CALL_BOOTH_AWAY, SB_CALL_EV_BOOTH_LOST},
		{SB_CALL_ADVISER_AWAY, SB_CALL_EV_SHOW_DOC},
		{SB_CALL_ADVISER_AWAY, SB_CALL_EV_ADVISER_LOST},
		{SB_CALL_ACTIVE, SB_CALL_EV_ADVISER_BACK},
		/* nobody there to hang up, relay or show anything */
		{SB_CALL_BOTH_AWAY, SB_CALL_EV_END},
		{SB_CALL_BOTH_AWAY, SB_CALL_EV_RELAY},
		{SB_CALL_BOTH_AWAY, SB_CALL_EV_SHOW_DOC},
		{SB_CALL_BOTH_AWAY, SB_CALL_EV_BOOTH_LOST},
		{SB_CALL_BOTH_AWAY, SB_CALL_EV_ADVISER_LOST},
	};
	for (guint i = 0; i < G_N_ELEMENTS(refused); i++) {
		SbCallState next = SB_CALL_N_STATES;
		g_autoptr(GError) error = NULL;
		g_assert_false(sb_call_transition(refused[i].s, refused[i].e, &next, &error));
		g_assert_error(error, SB_HUB_STATE_ERROR, SB_HUB_STATE_ERROR_NOT_ALLOWED);
		g_assert_nonnull(strstr(error->message, sb_call_state_name(refused[i].s)));
		g_assert_nonnull(strstr(error->message, sb_call_event_name(refused[i].e)));
		g_assert_cmpint(next, ==, SB_CALL_N_STATES);
	}
	/* an ended call takes nothing more */
	for (SbCallEvent e = 0; e < SB_CALL_N_EVENTS; e++) {
		SbCallState next = SB_CALL_ENDED;
		g_assert_false(sb_call_transition(SB_CALL_ENDED, e, &next, NULL));
	}
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/hub-state/booth/paths", test_booth_paths);
	g_test_add_func("/hub-state/booth/refused", test_booth_refused);
	g_test_add_func("/hub-state/names", test_booth_names);
	g_test_add_func("/hub-state/call/paths", test_call_paths);
	g_test_add_func("/hub-state/call/refused", test_call_refused);
	return g_test_run();
}
