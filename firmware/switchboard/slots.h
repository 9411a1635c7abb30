/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slots: the free booking slots a booth offers (PROTOCOL.md "Bookings"),
 * computed from the store's opening hours, closures and bookings: the store
 * is read once, then calendar.c (pure) finds the pieces.
 *
 * Pieces of `len_s` on the clock's multiples of that length (9:00, 9:30,
 * ...), within one opening (adjacent half-days merged), not begun at `now`,
 * with fewer live bookings (booked, checked in) overlapping them than the
 * opening slot's capacity, soonest first, up to `max`, within
 * RELAIS_SB_BOOKING_HORIZON_DAYS.
 *
 * Limitation: where a morning ends exactly when the afternoon starts and
 * that instant is not a multiple of the length, the piece across it is
 * offered but refused by the store (one booking, one opening slot): the
 * booth says "closed" and offers the list again.
 */
#pragma once

#include "store.h"

G_BEGIN_DECLS

/* Slots starting at `now` or later. Returns: (transfer full) (element-type
 * gint64) the slots' starts (unix seconds), or NULL with the store's error. */
GArray *sb_slots_free(SbStore *store, gint64 site_id, gint64 now, guint len_s, guint max, GError **error);

G_END_DECLS
