/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "relais-session"

#include "session.h"

G_DEFINE_QUARK(relais - session - error - quark, relais_session_error)

static const char *const state_names[] = {
	"idle", "queued", "connecting", "in_call", "ended", "out_of_order",
};
G_STATIC_ASSERT(G_N_ELEMENTS(state_names) == RELAIS_SESSION_N_STATES);

static const char *const event_names[] = {
	"request", "call", "media-up", "end", "cancel", "wiped", "fault", "repaired",
};
G_STATIC_ASSERT(G_N_ELEMENTS(event_names) == RELAIS_SESSION_N_EVENTS);

const char *relais_session_state_name(RelaisSessionState state)
{
	return (guint)state < RELAIS_SESSION_N_STATES ? state_names[state] : "?";
}

const char *relais_session_event_name(RelaisSessionEvent event)
{
	return (guint)event < RELAIS_SESSION_N_EVENTS ? event_names[event] : "?";
}

/* table[state][event] = next state + 1; 0 (left out) means not allowed */
#define TO(s) ((s) + 1)
static const guint8 table[RELAIS_SESSION_N_STATES][RELAIS_SESSION_N_EVENTS] = {
	[RELAIS_SESSION_IDLE] =
		{
			[RELAIS_SESSION_EV_REQUEST] = TO(RELAIS_SESSION_QUEUED),
			[RELAIS_SESSION_EV_FAULT] = TO(RELAIS_SESSION_OUT_OF_ORDER),
		},
	[RELAIS_SESSION_QUEUED] =
		{
			[RELAIS_SESSION_EV_CALL] = TO(RELAIS_SESSION_CONNECTING),
			[RELAIS_SESSION_EV_END] = TO(RELAIS_SESSION_ENDED),
			[RELAIS_SESSION_EV_CANCEL] = TO(RELAIS_SESSION_ENDED),
			[RELAIS_SESSION_EV_FAULT] = TO(RELAIS_SESSION_OUT_OF_ORDER),
		},
	[RELAIS_SESSION_CONNECTING] =
		{
			[RELAIS_SESSION_EV_MEDIA_UP] = TO(RELAIS_SESSION_IN_CALL),
			[RELAIS_SESSION_EV_END] = TO(RELAIS_SESSION_ENDED),
			[RELAIS_SESSION_EV_FAULT] = TO(RELAIS_SESSION_OUT_OF_ORDER),
		},
	[RELAIS_SESSION_IN_CALL] =
		{
			[RELAIS_SESSION_EV_END] = TO(RELAIS_SESSION_ENDED),
			[RELAIS_SESSION_EV_FAULT] = TO(RELAIS_SESSION_OUT_OF_ORDER),
		},
	[RELAIS_SESSION_ENDED] =
		{
			[RELAIS_SESSION_EV_WIPED] = TO(RELAIS_SESSION_IDLE),
			[RELAIS_SESSION_EV_FAULT] = TO(RELAIS_SESSION_OUT_OF_ORDER),
		},
	[RELAIS_SESSION_OUT_OF_ORDER] =
		{
			[RELAIS_SESSION_EV_FAULT] = TO(RELAIS_SESSION_OUT_OF_ORDER),
			[RELAIS_SESSION_EV_REPAIRED] = TO(RELAIS_SESSION_IDLE),
		},
};

gboolean relais_session_transition(RelaisSessionState state, RelaisSessionEvent event, RelaisSessionState *next,
				   GError **error)
{
	g_return_val_if_fail(next != NULL, FALSE);
	if ((guint)state >= RELAIS_SESSION_N_STATES || (guint)event >= RELAIS_SESSION_N_EVENTS ||
	    table[state][event] == 0) {
		g_set_error(error, RELAIS_SESSION_ERROR, RELAIS_SESSION_ERROR_NOT_ALLOWED,
			    "event '%s' is not allowed in state '%s'", relais_session_event_name(event),
			    relais_session_state_name(state));
		return FALSE;
	}
	*next = (RelaisSessionState)(table[state][event] - 1);
	return TRUE;
}
