/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hub-state: the switchboard's view of a booth and of a call, as explicit
 * state machines (as the visitor session is on the booth: session.h). Pure
 * logic: the hub feeds each booth's messages and each call's events in, and
 * a refused event leaves the state as it was.
 *
 * A booth (once greeted):
 *
 *   idle --request--> queued --accepted--> in_call --call_ended--> idle
 *    ^  ^               |                    ^
 *    |  +----cancel-----+                    |
 *    |  +-------------resumed (hello naming its call)
 *    +--status:idle-- out_of_order <--status:out_of_order-- idle
 *
 *   booking (booking_slots, book, check_in): idle only; feedback: idle or
 *   out_of_order (after the call, not while queued or in one); both leave
 *   the state as it is.
 *
 * A call (each end's link may be lost and come back; the two ends
 * exchange media directly meanwhile):
 *
 *   active --booth_lost--> booth_away --booth_back--> active
 *   active --adviser_lost--> adviser_away --adviser_back--> active
 *   booth_away --adviser_lost--> both_away <--booth_lost-- adviser_away
 *   both_away --booth_back--> adviser_away;  both_away --adviser_back--> booth_away
 *   active, booth_away, adviser_away --end--> ended
 *   booth_away, adviser_away, both_away --grace_over--> ended
 *
 *   A switchboard started again takes its calls in progress back from the
 *   store in both_away. relay (sdp, ice, chat, share; documents'
 *   page/stop/error): in active, booth_away or adviser_away (the hub holds
 *   the chat the absent end needs when back); showing or fetching a
 *   document: active only.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
	SB_BOOTH_IDLE,
	SB_BOOTH_QUEUED,
	SB_BOOTH_IN_CALL,
	SB_BOOTH_OUT_OF_ORDER,
	SB_BOOTH_N_STATES
} SbBoothState;

typedef enum {
	SB_BOOTH_EV_STATUS_IDLE,	 /* status {state: idle} */
	SB_BOOTH_EV_STATUS_OUT_OF_ORDER, /* status {state: out_of_order} */
	SB_BOOTH_EV_REQUEST,		 /* the visitor queues */
	SB_BOOTH_EV_CANCEL,		 /* the visitor leaves the queue */
	SB_BOOTH_EV_ACCEPTED,		 /* an adviser took the ticket */
	SB_BOOTH_EV_RESUMED,		 /* back after a lost link, in its call */
	SB_BOOTH_EV_CALL_ENDED,		 /* either end, or the switchboard */
	SB_BOOTH_EV_BOOKING,		 /* booking_slots, book, check_in */
	SB_BOOTH_EV_FEEDBACK,		 /* the visitor's rating of a call */
	SB_BOOTH_N_EVENTS
} SbBoothEvent;

typedef enum {
	SB_CALL_ACTIVE,	      /* both ends connected */
	SB_CALL_BOOTH_AWAY,   /* the booth's link is lost: held for the resume grace */
	SB_CALL_ADVISER_AWAY, /* the adviser's link is lost: the same */
	SB_CALL_BOTH_AWAY,    /* both (a restarted switchboard reloads its calls so) */
	SB_CALL_ENDED,
	SB_CALL_N_STATES
} SbCallState;

typedef enum {
	SB_CALL_EV_BOOTH_LOST,	 /* the booth's link closed */
	SB_CALL_EV_BOOTH_BACK,	 /* the booth said hello naming the call */
	SB_CALL_EV_END,		 /* an end hung up or was lost */
	SB_CALL_EV_GRACE_OVER,	 /* an end did not come back in time */
	SB_CALL_EV_RELAY,	 /* a message between the ends */
	SB_CALL_EV_SHOW_DOC,	 /* the adviser shows a document / the booth fetches it */
	SB_CALL_EV_ADVISER_LOST, /* the adviser's link closed */
	SB_CALL_EV_ADVISER_BACK, /* the adviser (the same account) said hello naming the call */
	SB_CALL_N_EVENTS
} SbCallEvent;

#define SB_HUB_STATE_ERROR (sb_hub_state_error_quark())
GQuark sb_hub_state_error_quark(void);
typedef enum { SB_HUB_STATE_ERROR_NOT_ALLOWED } SbHubStateError;

/* The protocol's names ("idle", "queued", "in_call", "out_of_order"). */
const char *sb_booth_state_name(SbBoothState state);
const char *sb_booth_event_name(SbBoothEvent event);
const char *sb_call_state_name(SbCallState state);
const char *sb_call_event_name(SbCallEvent event);

/* The one transition function of each: TRUE with *next set, or FALSE with
 * SB_HUB_STATE_ERROR_NOT_ALLOWED (error nullable) and *next untouched. */
gboolean sb_booth_transition(SbBoothState state, SbBoothEvent event, SbBoothState *next,
			     GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean sb_call_transition(SbCallState state, SbCallEvent event, SbCallState *next,
			    GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
