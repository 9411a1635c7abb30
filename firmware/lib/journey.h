/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * journey: what the visitor sees, before, during and after a session, as an
 * explicit state machine. One state is one screen of the touch UI.
 *
 *  attract -start-> language -pick-> question[0..n-1] -answer/skip-> consent
 *     |  \__________pick (a language button on attract)___^
 *     ^              (skipped with     (back: previous screen)         |accept
 *     |               one language)                                   v
 *     |                          not_now (wipe)  <------------- self_check
 *     |                                                             |ready
 *     |      nobody on duty (known or told by the switchboard)      v
 *     |   no_adviser <--------------------------------------------- waiting
 *     |       |                                                  |      |cancel
 *     |       |                                 session connecting      v
 *     |       |                                                  v    thanks
 *     |       |                         connecting --session in_call--> in_call
 *     |       |                              | session ended      end | ^ keep talking
 *     |       |                              v                        v | / timeout
 *     |       |                            thanks              confirm_end
 *     |       |                                                       | confirm / session ended
 *     |       |                                                       v
 *     |       +-----ok / timeout---> wiped <--- thanks <--- satisfaction (score / timeout)
 *     +----------- wiped (owner erased everything) ---+
 *
 *   language..self_check --timeout--> still_there (countdown) --stay--> back
 *                                          |timeout
 *                                          v
 *                                        wiped
 *   any --session out_of_order--> out_of_order --session repaired--> attract
 *
 * Bookings (PROTOCOL.md "Bookings"):
 *
 *   no_adviser --book--> book_slots --slot i--> book_confirm --book-confirm-->
 *      (ACT_SLOTS: ask)   ^   | back      back |   (ACT_BOOK, pending)
 *                         |   v                v
 *                         | no_adviser     --booked (code)--> book_code --done/timeout--> wiped
 *                         +--booking-failed (reason; ACT_SLOTS again)--+
 *
 *   attract --have-booking--> check_in --code-char / code-delete / language--> check_in
 *                               |  --check-in (6 characters; ACT_CHECK_IN, pending)
 *                               |  --booking-failed (reason)--> check_in (the reason shown)
 *                               |  --back--> attract
 *                               +--checked-in (language)--> consent (booked: no way back)
 *                                     --> self_check --ready--> waiting (always: an adviser
 *                                         may sign in; the request carries the code)
 *
 *   book_slots, book_confirm, check_in --timeout--> still_there, like the
 *   questions. The booking code is shown on book_code only and wiped with
 *   the rest.
 *
 * Layering: the session state machine (session.h) is the booth's contract
 * with the switchboard; the journey sits above it and is fed its transitions
 * as events (RELAIS_JOURNEY_EV_SESSION_*). The journey never talks to the
 * network: a transition may return an action (request an adviser, cancel,
 * end, wipe, ...) that the owner carries out, and whose outcome comes back as
 * a session event.
 *
 * Pure logic, like session.c: no timers, no UI. The owner arms one timer
 * per state with relais_journey_timeout_s() and feeds EV_TIMEOUT. An event
 * that is not allowed in the current state is refused with an error naming
 * both, and nothing changes.
 *
 * Privacy: the journey holds what the visitor told (language, answers,
 * score); relais_journey_wipe() erases it, and the WIPE action tells the
 * owner to erase everything else (session ids, chat, media).
 */
#pragma once

#include <glib.h>
#include "questions.h"

G_BEGIN_DECLS

typedef enum {
	RELAIS_JOURNEY_ATTRACT,
	RELAIS_JOURNEY_LANGUAGE,
	RELAIS_JOURNEY_QUESTION,
	RELAIS_JOURNEY_CONSENT,
	RELAIS_JOURNEY_SELF_CHECK,
	RELAIS_JOURNEY_WAITING,
	RELAIS_JOURNEY_NO_ADVISER,
	RELAIS_JOURNEY_CONNECTING,
	RELAIS_JOURNEY_IN_CALL,
	RELAIS_JOURNEY_CONFIRM_END,
	RELAIS_JOURNEY_SATISFACTION,
	RELAIS_JOURNEY_THANKS,
	RELAIS_JOURNEY_WIPED,
	RELAIS_JOURNEY_STILL_THERE,
	RELAIS_JOURNEY_OUT_OF_ORDER,
	RELAIS_JOURNEY_BOOK_SLOTS,   /* the next free slots of the site */
	RELAIS_JOURNEY_BOOK_CONFIRM, /* one slot chosen: book it? */
	RELAIS_JOURNEY_BOOK_CODE,    /* the code, large, with a QR code */
	RELAIS_JOURNEY_CHECK_IN,     /* typing a booking code */
	RELAIS_JOURNEY_N_STATES
} RelaisJourneyState;

typedef enum {
	/* from the visitor (touch UI) */
	RELAIS_JOURNEY_EV_START,    /* touched the attract screen */
	RELAIS_JOURNEY_EV_LANGUAGE, /* str: language code */
	RELAIS_JOURNEY_EV_ANSWER,   /* str: choice id of the current question */
	RELAIS_JOURNEY_EV_SKIP,
	RELAIS_JOURNEY_EV_BACK,
	RELAIS_JOURNEY_EV_ACCEPT, /* consent */
	RELAIS_JOURNEY_EV_READY,  /* "I'm ready" */
	RELAIS_JOURNEY_EV_NOT_NOW,
	RELAIS_JOURNEY_EV_CANCEL, /* leave the queue */
	RELAIS_JOURNEY_EV_END,	  /* asks for confirmation */
	RELAIS_JOURNEY_EV_CONFIRM_END,
	RELAIS_JOURNEY_EV_KEEP_TALKING,
	RELAIS_JOURNEY_EV_MUTE,	  /* toggles */
	RELAIS_JOURNEY_EV_CAMERA, /* toggles */
	RELAIS_JOURNEY_EV_VOLUME, /* num: 0..100 */
	RELAIS_JOURNEY_EV_SCORE,  /* num: 1..5 */
	RELAIS_JOURNEY_EV_DONE,	  /* "OK"/"Finish" on no_adviser and thanks */
	RELAIS_JOURNEY_EV_STAY,	  /* "I'm still here" */
	RELAIS_JOURNEY_EV_CHAT,	  /* str: the visitor's message (in_call) */
	/* from the owner */
	RELAIS_JOURNEY_EV_TIMEOUT,	/* relais_journey_timeout_s() elapsed */
	RELAIS_JOURNEY_EV_WIPED,	/* everything erased */
	RELAIS_JOURNEY_EV_AVAILABILITY, /* num: advisers on duty (-1 unknown), str: next opening or NULL */
	RELAIS_JOURNEY_EV_LINK_LOST,
	RELAIS_JOURNEY_EV_LINK_UP,
	/* the session state machine entered ... */
	RELAIS_JOURNEY_EV_SESSION_QUEUED,
	RELAIS_JOURNEY_EV_SESSION_NO_ADVISER, /* str: next opening or NULL */
	RELAIS_JOURNEY_EV_SESSION_CONNECTING,
	RELAIS_JOURNEY_EV_SESSION_IN_CALL,
	RELAIS_JOURNEY_EV_SESSION_ENDED,
	RELAIS_JOURNEY_EV_SESSION_OUT_OF_ORDER, /* str: reason or NULL */
	RELAIS_JOURNEY_EV_SESSION_REPAIRED,
	/* bookings: from the visitor */
	RELAIS_JOURNEY_EV_BOOK,		/* "Book a time" on no_adviser */
	RELAIS_JOURNEY_EV_SLOT,		/* num: index of the offered slot */
	RELAIS_JOURNEY_EV_BOOK_CONFIRM, /* "Book this time" */
	RELAIS_JOURNEY_EV_HAVE_BOOKING, /* "I have a booking" on attract */
	RELAIS_JOURNEY_EV_CODE_CHAR,	/* str: one character of the booking alphabet */
	RELAIS_JOURNEY_EV_CODE_DELETE,
	RELAIS_JOURNEY_EV_CHECK_IN,
	/* bookings: from the owner (the switchboard's answers) */
	RELAIS_JOURNEY_EV_SLOTS,	  /* num: how many slots are offered (0: none) */
	RELAIS_JOURNEY_EV_BOOKED,	  /* str: the booking code */
	RELAIS_JOURNEY_EV_CHECKED_IN,	  /* str: the booking's language or NULL */
	RELAIS_JOURNEY_EV_BOOKING_FAILED, /* str: a booking_error reason (PROTOCOL.md) */
	RELAIS_JOURNEY_N_EVENTS
} RelaisJourneyEventType;

/* A slot offered by the switchboard: ISO 8601 start and end. */
typedef struct {
	const char *start, *end;
} RelaisJourneySlot;

/* What the switchboard answered about bookings, beside an event's str and
 * num: the journey keeps a copy (wiped with the rest). Every member may be
 * NULL (-1 for retry_s). */
typedef struct {
	const RelaisJourneySlot *slots; /* EV_SLOTS: `num` of them */
	const char *start, *end;	/* EV_BOOKED: the booked slot, */
	const char *site, *address;	/* its site and the site's address, */
	const char *made;		/* and when the booth was told (ISO) */
	const char *topic;		/* EV_CHECKED_IN: the booking's topic */
	const char *retry_at;		/* EV_BOOKING_FAILED: come back from then, */
	int retry_s;			/* or in so many seconds */
} RelaisJourneyBooking;

typedef struct {
	RelaisJourneyEventType type;
	const char *str;
	int num;
	const RelaisJourneyBooking *booking; /* nullable: the switchboard's answers only */
} RelaisJourneyEvent;

/* What the owner must do after a transition. */
typedef enum {
	RELAIS_JOURNEY_ACT_NONE,
	RELAIS_JOURNEY_ACT_PREVIEW_START, /* self-check: local camera + mic only */
	RELAIS_JOURNEY_ACT_PREVIEW_STOP,
	RELAIS_JOURNEY_ACT_REQUEST, /* ask for an adviser with language + answers */
	RELAIS_JOURNEY_ACT_CANCEL,  /* leave the queue */
	RELAIS_JOURNEY_ACT_END,	    /* hang up */
	RELAIS_JOURNEY_ACT_MUTE,    /* apply relais_journey_get_muted() */
	RELAIS_JOURNEY_ACT_CAMERA,  /* apply relais_journey_get_camera_off() */
	RELAIS_JOURNEY_ACT_VOLUME,  /* apply relais_journey_get_volume() */
	RELAIS_JOURNEY_ACT_SCORE,   /* send relais_journey_get_score() */
	RELAIS_JOURNEY_ACT_WIPE,    /* erase everything, then feed EV_WIPED */
	/* send the event's str to the adviser; the journey does not keep it
	 * (chat is the owner's, and wiped with the session) */
	RELAIS_JOURNEY_ACT_CHAT,
	RELAIS_JOURNEY_ACT_SLOTS,    /* ask the switchboard for the free slots */
	RELAIS_JOURNEY_ACT_BOOK,     /* book slot relais_journey_get_slot() */
	RELAIS_JOURNEY_ACT_CHECK_IN, /* check in relais_journey_get_code() */
	RELAIS_JOURNEY_N_ACTIONS
} RelaisJourneyAction;

#define RELAIS_JOURNEY_ERROR (relais_journey_error_quark())
GQuark relais_journey_error_quark(void);
typedef enum { RELAIS_JOURNEY_ERROR_NOT_ALLOWED, RELAIS_JOURNEY_ERROR_INVALID } RelaisJourneyError;

typedef struct {
	guint idle_s, countdown_s, confirm_end_s, satisfaction_s, no_adviser_s, thanks_s;
	guint booking_code_s; /* 0: CONFIG_RELAIS_UI_BOOKING_CODE_TIMEOUT_S */
} RelaisJourneyTimeouts;

typedef struct _RelaisJourney RelaisJourney;

/* `questions` is referenced, not copied: it must outlive the journey.
 * `languages`: the offered codes, the first one the default (at least one).
 * `timeouts` NULL: the Kconfig values. */
RelaisJourney *relais_journey_new(const RelaisQuestions *questions, const char *const *languages,
				  const RelaisJourneyTimeouts *timeouts);
void relais_journey_free(RelaisJourney *j);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RelaisJourney, relais_journey_free)

const char *relais_journey_state_name(RelaisJourneyState state);
const char *relais_journey_event_name(RelaisJourneyEventType type);
const char *relais_journey_action_name(RelaisJourneyAction action);

/* The one transition function. Returns TRUE, moves to the next state and
 * sets *action (may be NULL), or FALSE with RELAIS_JOURNEY_ERROR_NOT_ALLOWED
 * (event not allowed here) or _INVALID (bad argument), changing nothing. */
gboolean relais_journey_feed(RelaisJourney *j, const RelaisJourneyEvent *ev, RelaisJourneyAction *action,
			     GError **error) G_GNUC_WARN_UNUSED_RESULT;

RelaisJourneyState relais_journey_get_state(const RelaisJourney *j);
/* Seconds of inactivity before EV_TIMEOUT in the current state, 0 for none
 * (attract, waiting, the call itself, out of order). */
guint relais_journey_timeout_s(const RelaisJourney *j);
/* In still_there: the screen the visitor left. */
RelaisJourneyState relais_journey_get_resume_state(const RelaisJourney *j);

/* Session data (wiped): */
const char *relais_journey_get_language(const RelaisJourney *j);
guint relais_journey_get_question_index(const RelaisJourney *j);
/* Returns: (transfer none) (nullable) the answer to question i, NULL if skipped. */
const char *relais_journey_get_answer(const RelaisJourney *j, guint i);
int relais_journey_get_score(const RelaisJourney *j); /* 0: none */
gboolean relais_journey_get_muted(const RelaisJourney *j);
/* The call ended because the connection was lost (session_ended's reason),
 * not because someone ended it: the satisfaction screen says so. */
gboolean relais_journey_get_call_lost(const RelaisJourney *j);
gboolean relais_journey_get_camera_off(const RelaisJourney *j);
int relais_journey_get_volume(const RelaisJourney *j);
/* Bookings (wiped): the code typed (check_in) or booked (book_code), ""
 * if none; the slots offered (-1: not known yet) and the one chosen; the
 * last refusal's reason (NULL: none); whether an answer is awaited; whether
 * the visitor checked in with a booking. */
const char *relais_journey_get_code(const RelaisJourney *j);
int relais_journey_get_n_slots(const RelaisJourney *j);
int relais_journey_get_slot(const RelaisJourney *j);
const char *relais_journey_get_booking_error(const RelaisJourney *j);
gboolean relais_journey_get_booking_pending(const RelaisJourney *j);
gboolean relais_journey_get_booked(const RelaisJourney *j);
/* Returns: (transfer none) (nullable) offered slot i's ISO start or end
 * (NULL: outside 0..n_slots-1, or not told). */
const char *relais_journey_get_slot_start(const RelaisJourney *j, int i);
const char *relais_journey_get_slot_end(const RelaisJourney *j, int i);
/* Returns: (transfer none) (nullable) the booking made (book_code): its ISO
 * start and end, its site, the site's address and when it was made; the checked-in booking's topic; the last refusal's
 * retry time (ISO) or delay in seconds (-1: none). */
const char *relais_journey_get_booked_start(const RelaisJourney *j);
const char *relais_journey_get_booked_end(const RelaisJourney *j);
const char *relais_journey_get_booked_site(const RelaisJourney *j);
const char *relais_journey_get_booked_address(const RelaisJourney *j);
const char *relais_journey_get_booked_made(const RelaisJourney *j);
const char *relais_journey_get_booked_topic(const RelaisJourney *j);
const char *relais_journey_get_retry_at(const RelaisJourney *j);
int relais_journey_get_retry_s(const RelaisJourney *j);
/* Device/link state (not wiped): */
gboolean relais_journey_get_link_down(const RelaisJourney *j);
int relais_journey_get_advisers_on_duty(const RelaisJourney *j);
const char *relais_journey_get_next_opening(const RelaisJourney *j);
const char *relais_journey_get_fault(const RelaisJourney *j);

/* Erases language (back to the default), answers, score and call settings.
 * Called by the journey itself on entering wiped; exposed for the owner's
 * crash and watchdog paths. */
void relais_journey_wipe(RelaisJourney *j);

G_END_DECLS
