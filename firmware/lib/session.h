/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * session: the visitor session on a booth, as an explicit state machine.
 *
 *   idle --request--> queued --call--> connecting --media-up--> in_call
 *     ^                 |                  |                       |
 *     |              cancel            end/failed               end
 *     |                 v                  v                       v
 *     +------wiped---- ended <-------------+-----------------------+
 *
 *   any --fault--> out_of_order --repaired--> idle
 *
 * Pure logic: no media, no sockets, no UI. The booth feeds it events and acts
 * on the transitions it returns; an event that is not allowed in the current
 * state is refused with an error naming both, and the state does not change.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
	RELAIS_SESSION_IDLE,
	RELAIS_SESSION_QUEUED,
	RELAIS_SESSION_CONNECTING,
	RELAIS_SESSION_IN_CALL,
	RELAIS_SESSION_ENDED,
	RELAIS_SESSION_OUT_OF_ORDER,
	RELAIS_SESSION_N_STATES
} RelaisSessionState;

typedef enum {
	RELAIS_SESSION_EV_REQUEST,  /* visitor asks for an adviser */
	RELAIS_SESSION_EV_CALL,	    /* an adviser accepted */
	RELAIS_SESSION_EV_MEDIA_UP, /* first media both ways / ICE+DTLS connected */
	RELAIS_SESSION_EV_END,	    /* either side ended, or the call failed */
	RELAIS_SESSION_EV_CANCEL,   /* visitor left the queue */
	RELAIS_SESSION_EV_WIPED,    /* session data erased */
	RELAIS_SESSION_EV_FAULT,    /* camera gone, plugin missing, ... */
	RELAIS_SESSION_EV_REPAIRED, /* self-test passes again */
	RELAIS_SESSION_N_EVENTS
} RelaisSessionEvent;

#define RELAIS_SESSION_ERROR (relais_session_error_quark())
GQuark relais_session_error_quark(void);
typedef enum { RELAIS_SESSION_ERROR_NOT_ALLOWED } RelaisSessionError;

const char *relais_session_state_name(RelaisSessionState state);
const char *relais_session_event_name(RelaisSessionEvent event);

/* The one transition function. Returns TRUE and sets *next, or FALSE with
 * RELAIS_SESSION_ERROR_NOT_ALLOWED (and *next untouched). */
gboolean relais_session_transition(RelaisSessionState state, RelaisSessionEvent event, RelaisSessionState *next,
				   GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
