/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bookings: what a booth's booking requests (PROTOCOL.md "Bookings") come to
 * in the store, as typed results: the free slots offered, a booking made, a
 * check-in, or a refusal with the protocol's reason. It knows the store and
 * the site's time zone (times are handed back in the site's local time with
 * its offset, through calendar.c), not the protocol's messages: the hub
 * builds those.
 *
 * Sites are named as a booth's hello names them, matched to a store site by
 * name (as site.c does).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _SbStore SbStore;

/* What a booth is told to wait when the store cannot write now (a full
 * disk, a locked database): booking_error{reason:"failed", retry_s}. */
#define SB_BOOKINGS_RETRY_S 5

/* How a request came out. Every value but OK is a refusal whose protocol
 * reason (booking_error) is sb_bookings_outcome_reason(). */
typedef enum {
	SB_BOOKINGS_OK,		/* slots offered, booking made, checked in */
	SB_BOOKINGS_NO_SITE,	/* the store knows no site of this name */
	SB_BOOKINGS_TAKEN,	/* the slot's capacity is taken */
	SB_BOOKINGS_CLOSED,	/* outside opening hours, or a closure */
	SB_BOOKINGS_INVALID,	/* not an offered slot, a malformed field */
	SB_BOOKINGS_UNKNOWN,	/* no booking has this code */
	SB_BOOKINGS_WRONG_SITE, /* the code is for another site */
	SB_BOOKINGS_TOO_EARLY,	/* checking in before the window opens */
	SB_BOOKINGS_USED,	/* checked in already */
	SB_BOOKINGS_EXPIRED,	/* a no-show, or long past */
	SB_BOOKINGS_CANCELLED,
	SB_BOOKINGS_FAILED, /* the store failed */
} SbBookingsOutcome;

/* The booking_error reason of a refusal ("taken", "no_site", ...). */
const char *sb_bookings_outcome_reason(SbBookingsOutcome outcome);

typedef struct {
	char *start, *end; /* ISO 8601 in the site's zone, with its offset */
} SbBookingsSlot;

typedef struct {
	SbBookingsOutcome outcome;
	char *message; /* a refusal in words (nullable) */
	/* slots offered (sb_bookings_slots): SbBookingsSlot, soonest first */
	GArray *slots;
	/* a booking made or checked in: its code and times */
	char *code;
	SbBookingsSlot time;
	char *site;		/* made: the site's name as the store has it, */
	char *address;		/* and its address (NULL: none set) */
	char *language, *topic; /* checked in: as booked; NULL or "": none */
	char *retry_at;		/* too early: when the window opens (nullable) */
	guint retry_s;		/* failed for a fault of the moment (a full disk): try again
				 * in this many seconds; 0: not said */
} SbBookingsResult;

/* Returns: (transfer full) a result of `outcome`, its other members empty. */
SbBookingsResult *sb_bookings_result_new(SbBookingsOutcome outcome, const char *message);
/* Appends an offered slot (copied) to result->slots. */
void sb_bookings_result_add_slot(SbBookingsResult *result, const char *start, const char *end);
void sb_bookings_result_free(SbBookingsResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SbBookingsResult, sb_bookings_result_free)

/* The next free slots at `site` from a little ahead of now (slots.c).
 * `language` and `topic` are accepted for later: the store's capacity is per
 * site. Returns: (transfer full) */
SbBookingsResult *sb_bookings_slots(SbStore *store, const char *site, const char *language, const char *topic);
/* Books the offered slot [start, end) (ISO 8601). Returns: (transfer full) */
SbBookingsResult *sb_bookings_book(SbStore *store, const char *site, const char *start, const char *end,
				   const char *language, const char *topic);
/* Checks the visitor with `code` in at `site`. Returns: (transfer full) */
SbBookingsResult *sb_bookings_check_in(SbStore *store, const char *site, const char *code);
/* Whether booking `code` is checked in at `site`, today (the site's day),
 * and not made into a call; FALSE with *why (transfer full) naming why. */
gboolean sb_bookings_verify(SbStore *store, const char *site, const char *code, char **why);
/* Marks booking `code` used by call `call_id` for good (a booking makes one
 * call); FALSE with *why (transfer full). */
gboolean sb_bookings_use(SbStore *store, const char *site, const char *code, const char *call_id, char **why);
/* When `site` next opens from now, ISO 8601 in its zone with the offset.
 * Returns: (transfer full) (nullable) NULL: unknown site, no hours. */
char *sb_bookings_next_opening(SbStore *store, const char *site);

G_END_DECLS
