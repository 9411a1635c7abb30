/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "relais-slots"

#include "slots.h"
#include "relais-config.h"

/* Most pieces looked at in one call: a week of full slots is far fewer. */
#define MAX_LOOKED 2000

/* Room left in [t, t + len): the opening slot's capacity against the live
 * bookings overlapping it (a booking lasts at most 4 hours). */
static gboolean slot_free(SbStore *store, gint64 site_id, gint64 t, gint64 len, gboolean *free_, GError **error)
{
	gboolean open = FALSE;
	guint capacity = 0;
	*free_ = FALSE;
	if (!sb_store_site_open_at(store, site_id, t, &open, &capacity, error))
		return FALSE;
	if (!open)
		return TRUE;
	g_autoptr(GPtrArray) list = sb_store_booking_list(store, site_id, t - 4 * 3600, t + len, error);
	if (list == NULL)
		return FALSE;
	guint taken = 0;
	for (guint i = 0; i < list->len; i++) {
		SbBooking *b = g_ptr_array_index(list, i);
		if ((b->state == SB_BOOKING_BOOKED || b->state == SB_BOOKING_CHECKED_IN) && b->start_s < t + len &&
		    b->end_s > t)
			taken++;
	}
	*free_ = taken < capacity;
	return TRUE;
}

GArray *sb_slots_free(SbStore *store, gint64 site_id, gint64 now, guint len_s, guint max, GError **error)
{
	g_return_val_if_fail(len_s > 0, NULL);
	g_autoptr(GArray) out = g_array_new(FALSE, FALSE, sizeof(gint64));
	gint64 len = len_s, horizon = now + (gint64)CONFIG_RELAIS_SB_BOOKING_HORIZON_DAYS * 86400;
	gint64 after = now;
	guint looked = 0;
	while (out->len < max && after < horizon && looked < MAX_LOOKED) {
		gint64 start = 0, end = 0;
		if (!sb_store_site_next_opening(store, site_id, after, &start, &end, error))
			return NULL;
		if (start == 0)
			break;
		/* the first piece on the clock's multiples not begun yet */
		gint64 t = (MAX(start, now) + len - 1) / len * len;
		for (; t + len <= end && t < horizon && out->len < max && looked < MAX_LOOKED; t += len) {
			gboolean free_ = FALSE;
			looked++;
			if (!slot_free(store, site_id, t, len, &free_, error))
				return NULL;
			if (free_)
				g_array_append_val(out, t);
		}
		after = MAX(end, after + 60);
	}
	return g_steal_pointer(&out);
}
