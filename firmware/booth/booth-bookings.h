/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * booth-bookings: the booth's side of PROTOCOL.md "Bookings" as data: the three
 * requests (booking_slots, book, check_in) as messages, and the
 * switchboard's answers (booking_offer, booked, checked_in, booking_error)
 * typed for the screen. Pure: no link, no state; booth.c sends and tells.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include "protocol.h"

G_BEGIN_DECLS

typedef enum {
	BOOTH_BOOKING_SLOTS,	  /* booking_offer: the free slots */
	BOOTH_BOOKING_BOOKED,	  /* booked: the code and its time */
	BOOTH_BOOKING_CHECKED_IN, /* checked_in: the booking's language and topic */
	BOOTH_BOOKING_REFUSED,	  /* booking_error, or an error about a booking request */
} BoothBookingKind;

/* Why a booking request was refused: PROTOCOL.md's booking_error reasons,
 * in the order of relais_booking_reasons. */
typedef enum {
	BOOTH_BOOKING_TAKEN,
	BOOTH_BOOKING_CLOSED,
	BOOTH_BOOKING_INVALID,
	BOOTH_BOOKING_NO_SITE,
	BOOTH_BOOKING_UNKNOWN,
	BOOTH_BOOKING_WRONG_SITE,
	BOOTH_BOOKING_TOO_EARLY,
	BOOTH_BOOKING_USED,
	BOOTH_BOOKING_CANCELLED,
	BOOTH_BOOKING_EXPIRED,
	BOOTH_BOOKING_WAIT,
	BOOTH_BOOKING_OFFLINE, /* the booth's own: no link */
	BOOTH_BOOKING_FAILED,
	BOOTH_BOOKING_N_REASONS
} BoothBookingReason;

typedef struct {
	const char *start, *end; /* ISO 8601 */
} BoothSlot;

/* One answer; only the members of its kind are set, strings may be NULL
 * where the protocol makes them optional. Valid during the call only. */
typedef struct {
	BoothBookingKind kind;
	const BoothSlot *slots; /* SLOTS */
	guint n_slots;
	const char *code, *start, *end; /* BOOKED */
	const char *site, *address;	/* BOOKED */
	const char *language, *topic;	/* CHECKED_IN */
	BoothBookingReason reason;	/* REFUSED */
	const char *retry_at;		/* REFUSED: come back from then (too_early), */
	int retry_s;			/* or in so many seconds (wait); -1: none */
} BoothBookingAnswer;

/* Returns: (transfer none) the protocol's name of `reason` ("taken"...). */
const char *booth_booking_reason_name(BoothBookingReason reason);
/* FALSE for a name that is not a booking_error reason. */
gboolean booth_booking_reason_from_name(const char *name, BoothBookingReason *reason);

/* The requests. Returns: (transfer full) the message; an optional language
 * or topic that is not valid is left out. book and check_in return NULL
 * with RELAIS_PROTO_ERROR_FIELD for times that are not ISO 8601 or a code
 * that is not a booking code. */
JsonObject *booth_booking_slots_msg(const char *language, const char *topic);
JsonObject *booth_book_msg(const char *start, const char *end, const char *language, const char *topic,
			   GError **error) G_GNUC_WARN_UNUSED_RESULT;
JsonObject *booth_check_in_msg(const char *code, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Fills *answer from a booking_offer, booked, checked_in or booking_error
 * (validated by the protocol); the offered slots go into `slots` (an
 * empty GArray of BoothSlot). The answer points into `msg` and `slots`.
 * FALSE for any other message. */
gboolean booth_booking_answer_from_msg(RelaisMsg *msg, GArray *slots, BoothBookingAnswer *answer);

G_END_DECLS
