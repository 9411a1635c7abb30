/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "hub-state.h"

G_DEFINE_QUARK(sb - hub - state - error - quark, sb_hub_state_error)

static const char *const booth_state_names[] = {"idle", "queued", "in_call", "out_of_order"};
G_STATIC_ASSERT(G_N_ELEMENTS(booth_state_names) == SB_BOOTH_N_STATES);
static const char *const booth_event_names[] = {"status idle", "status out_of_order", "request", "cancel",  "accepted",
						"resumed",     "call ended",	      "booking", "feedback"};
G_STATIC_ASSERT(G_N_ELEMENTS(booth_event_names) == SB_BOOTH_N_EVENTS);
static const char *const call_state_names[] = {"active", "booth_away", "adviser_away", "both_away", "ended"};
G_STATIC_ASSERT(G_N_ELEMENTS(call_state_names) == SB_CALL_N_STATES);
static const char *const call_event_names[] = {"booth lost", "booth back", "end",	   "grace over",
					       "relay",	     "show doc",   "adviser lost", "adviser back"};
G_STATIC_ASSERT(G_N_ELEMENTS(call_event_names) == SB_CALL_N_EVENTS);

const char *sb_booth_state_name(SbBoothState state)
{
	return (guint)state < SB_BOOTH_N_STATES ? booth_state_names[state] : "?";
}

const char *sb_booth_event_name(SbBoothEvent event)
{
	return (guint)event < SB_BOOTH_N_EVENTS ? booth_event_names[event] : "?";
}

const char *sb_call_state_name(SbCallState state)
{
	return (guint)state < SB_CALL_N_STATES ? call_state_names[state] : "?";
}

const char *sb_call_event_name(SbCallEvent event)
{
	return (guint)event < SB_CALL_N_EVENTS ? call_event_names[event] : "?";
}

/* table[state][event] = next state + 1; 0 (left out) means not allowed */
#define TO(s) ((s) + 1)
static const guint8 booth_table[SB_BOOTH_N_STATES][SB_BOOTH_N_EVENTS] = {
	[SB_BOOTH_IDLE] =
		{
			[SB_BOOTH_EV_STATUS_IDLE] = TO(SB_BOOTH_IDLE),
			[SB_BOOTH_EV_STATUS_OUT_OF_ORDER] = TO(SB_BOOTH_OUT_OF_ORDER),
			[SB_BOOTH_EV_REQUEST] = TO(SB_BOOTH_QUEUED),
			[SB_BOOTH_EV_RESUMED] = TO(SB_BOOTH_IN_CALL),
			[SB_BOOTH_EV_BOOKING] = TO(SB_BOOTH_IDLE),
			[SB_BOOTH_EV_FEEDBACK] = TO(SB_BOOTH_IDLE),
		},
	[SB_BOOTH_QUEUED] =
		{
			[SB_BOOTH_EV_CANCEL] = TO(SB_BOOTH_IDLE),
			[SB_BOOTH_EV_ACCEPTED] = TO(SB_BOOTH_IN_CALL),
		},
	[SB_BOOTH_IN_CALL] =
		{
			[SB_BOOTH_EV_CALL_ENDED] = TO(SB_BOOTH_IDLE),
		},
	[SB_BOOTH_OUT_OF_ORDER] =
		{
			[SB_BOOTH_EV_STATUS_IDLE] = TO(SB_BOOTH_IDLE),
			[SB_BOOTH_EV_STATUS_OUT_OF_ORDER] = TO(SB_BOOTH_OUT_OF_ORDER),
			[SB_BOOTH_EV_FEEDBACK] = TO(SB_BOOTH_OUT_OF_ORDER),
		},
};

static const guint8 call_table[SB_CALL_N_STATES][SB_CALL_N_EVENTS] = {
	[SB_CALL_ACTIVE] =
		{
			[SB_CALL_EV_BOOTH_LOST] = TO(SB_CALL_BOOTH_AWAY),
			[SB_CALL_EV_ADVISER_LOST] = TO(SB_CALL_ADVISER_AWAY),
			[SB_CALL_EV_END] = TO(SB_CALL_ENDED),
			[SB_CALL_EV_RELAY] = TO(SB_CALL_ACTIVE),
			[SB_CALL_EV_SHOW_DOC] = TO(SB_CALL_ACTIVE),
		},
	[SB_CALL_BOOTH_AWAY] =
		{
			[SB_CALL_EV_BOOTH_BACK] = TO(SB_CALL_ACTIVE),
			[SB_CALL_EV_ADVISER_LOST] = TO(SB_CALL_BOTH_AWAY),
			[SB_CALL_EV_END] = TO(SB_CALL_ENDED),
			[SB_CALL_EV_GRACE_OVER] = TO(SB_CALL_ENDED),
			[SB_CALL_EV_RELAY] = TO(SB_CALL_BOOTH_AWAY),
		},
	[SB_CALL_ADVISER_AWAY] =
		{
			[SB_CALL_EV_ADVISER_BACK] = TO(SB_CALL_ACTIVE),
			[SB_CALL_EV_BOOTH_LOST] = TO(SB_CALL_BOTH_AWAY),
			[SB_CALL_EV_END] = TO(SB_CALL_ENDED),
			[SB_CALL_EV_GRACE_OVER] = TO(SB_CALL_ENDED),
			[SB_CALL_EV_RELAY] = TO(SB_CALL_ADVISER_AWAY),
		},
	[SB_CALL_BOTH_AWAY] =
		{
			[SB_CALL_EV_BOOTH_BACK] = TO(SB_CALL_ADVISER_AWAY),
			[SB_CALL_EV_ADVISER_BACK] = TO(SB_CALL_BOOTH_AWAY),
			[SB_CALL_EV_GRACE_OVER] = TO(SB_CALL_ENDED),
		},
	/* ended: nothing more */
};

gboolean sb_booth_transition(SbBoothState state, SbBoothEvent event, SbBoothState *next, GError **error)
{
	g_return_val_if_fail(next != NULL, FALSE);
	if ((guint)state >= SB_BOOTH_N_STATES || (guint)event >= SB_BOOTH_N_EVENTS || booth_table[state][event] == 0) {
		g_set_error(error, SB_HUB_STATE_ERROR, SB_HUB_STATE_ERROR_NOT_ALLOWED,
			    "booth: '%s' is not allowed while %s", sb_booth_event_name(event),
			    sb_booth_state_name(state));
		return FALSE;
	}
	*next = (SbBoothState)(booth_table[state][event] - 1);
	return TRUE;
}

gboolean sb_call_transition(SbCallState state, SbCallEvent event, SbCallState *next, GError **error)
{
	g_return_val_if_fail(next != NULL, FALSE);
	if ((guint)state >= SB_CALL_N_STATES || (guint)event >= SB_CALL_N_EVENTS || call_table[state][event] == 0) {
		g_set_error(error, SB_HUB_STATE_ERROR, SB_HUB_STATE_ERROR_NOT_ALLOWED,
			    "call: '%s' is not allowed while %s", sb_call_event_name(event), sb_call_state_name(state));
		return FALSE;
	}
	*next = (SbCallState)(call_table[state][event] - 1);
	return TRUE;
}
