/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * store-bookings: bookings made for a site's opening hours, their codes,
 * check-in, cancellation, no-shows and their use by a call
 * (store-bookings.c; STORE.md "Opening hours and bookings"). Included by
 * store.h.
 */
#pragma once

#include "store.h"
#include "booking.h"

G_BEGIN_DECLS

/* --- bookings ---------------------------------------------------------------------- */

/* Codes are RELAIS_BOOKING_CODE_LEN characters of RELAIS_BOOKING_ALPHABET
 * (firmware/lib/booking.h, shared with the booth). */

typedef enum {
	SB_BOOKING_BOOKED,
	SB_BOOKING_CHECKED_IN,
	SB_BOOKING_NO_SHOW,
	SB_BOOKING_CANCELLED,
} SbBookingState;
/* "booked", "checked_in", "no_show", "cancelled". Returns: (transfer none) */
const char *sb_booking_state_to_string(SbBookingState state);

/* No visitor name, contact or note: the code is all that ties a visitor to it. */
typedef struct {
	gint64 id;
	char *code;
	gint64 site_id;
	gint64 start_s, end_s;
	char *language; /* "" or a lang tag */
	char *topic;	/* "" or a topic id */
	SbBookingState state;
	gint64 created;
	gint64 checked_in_at; /* 0 unless checked in */
	gint64 used_at;	      /* 0 unless made into a call (sb_store_booking_mark_used) */
	char *used_call_id;   /* the call that used it, or NULL */
} SbBooking;
void sb_booking_free(SbBooking *booking);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SbBooking, sb_booking_free)

/* Books [start_s, end_s) at a site with a fresh unique code. The interval must
 * lie within one opening slot of its day (no closure), start in the future,
 * within CONFIG_RELAIS_SB_BOOKING_HORIZON_DAYS, last at most 4 hours, and
 * fewer than the slot's capacity of live bookings may overlap it.
 * `language`, `topic`: nullable. Returns: (transfer full) or NULL: INVALID,
 * NOT_FOUND (site), CLOSED, FULL. */
G_GNUC_WARN_UNUSED_RESULT
SbBooking *sb_store_booking_create(SbStore *store, gint64 site_id, gint64 start_s, gint64 end_s, const char *language,
				   const char *topic, GError **error);
/* By code (case, spaces and dashes ignored). NULL: CODE_UNKNOWN. */
SbBooking *sb_store_booking_get(SbStore *store, const char *code, GError **error);
/* Checks a visitor in at site `site_id` (0: any) with the code they typed.
 * Returns: (transfer full) the booking, now checked in, or NULL:
 * CODE_UNKNOWN, CODE_WRONG_SITE, CODE_TOO_EARLY, CODE_USED, CODE_CANCELLED,
 * CODE_EXPIRED (past the no-show delay: the booking is marked a no-show). */
G_GNUC_WARN_UNUSED_RESULT
SbBooking *sb_store_booking_check_in(SbStore *store, gint64 site_id, const char *code, GError **error);
/* Cancels a booking not yet checked in (same errors as checking in, without
 * TOO_EARLY). */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_booking_cancel(SbStore *store, const char *code, GError **error);
/* Marks a checked-in booking used by call `call_id` (a booking makes one
 * call), atomically: of two callers, one wins. FALSE: CODE_UNKNOWN,
 * CODE_USED (used already, by this or another call), INVALID (not checked
 * in, or a malformed call id). */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_booking_mark_used(SbStore *store, const char *code, const char *call_id, GError **error);
/* Bookings of a site (0: all) starting in [from_s, to_s), by start.
 * Returns: (transfer full) (element-type SbBooking) */
GPtrArray *sb_store_booking_list(SbStore *store, gint64 site_id, gint64 from_s, gint64 to_s, GError **error);
/* Marks bookings not checked in no_show_min after their start as no-shows. */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_bookings_expire(SbStore *store, guint *n_marked, GError **error);

G_END_DECLS
