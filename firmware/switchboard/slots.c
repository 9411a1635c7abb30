/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "relais-slots"

#include "slots.h"
#include "relais-config.h"

GArray *sb_slots_free(SbStore *store, gint64 site_id, gint64 now, guint len_s, guint max, GError **error)
{
	g_return_val_if_fail(len_s > 0, NULL);
	gint64 horizon = now + (gint64)CONFIG_RELAIS_SB_BOOKING_HORIZON_DAYS * 86400;
	g_autoptr(SbCalendar) cal = sb_store_site_calendar(store, site_id, error);
	if (cal == NULL)
		return NULL;
	/* every live booking that can overlap a piece offered: one lasts at
	 * most 4 hours, the last piece starts before the horizon */
	g_autoptr(GPtrArray) list = sb_store_booking_list(store, site_id, now - 4 * 3600, horizon + len_s, error);
	if (list == NULL)
		return NULL;
	g_autoptr(GArray) busy = g_array_sized_new(FALSE, FALSE, sizeof(SbBusy), list->len);
	for (guint i = 0; i < list->len; i++) {
		SbBooking *b = g_ptr_array_index(list, i);
		if (b->state == SB_BOOKING_BOOKED || b->state == SB_BOOKING_CHECKED_IN) {
			SbBusy one = {b->start_s, b->end_s};
			g_array_append_val(busy, one);
		}
	}
	return sb_calendar_free_slots(cal, (const SbBusy *)(gpointer)busy->data, busy->len, now, len_s, max, horizon);
}
