/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * store-hours: a site's weekly opening hours and its closures, and the
 * questions answered from them (open at, next opening) through calendar.h
 * (store-hours.c; STORE.md "Opening hours and bookings"). Included by
 * store.h.
 */
#pragma once

#include "store.h"
#include "calendar.h"

G_BEGIN_DECLS

/* --- opening hours and closures ---------------------------------------------------- */

/* SbHalfDay and SbSlot (a weekly half-day slot): calendar.h. */

/* Replaces site `site_id`'s whole week by `slots` (n 0: never open), in one
 * transaction. INVALID: out of range, two slots for the same half-day, a
 * morning ending after the afternoon starts. */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_slots_set(SbStore *store, gint64 site_id, const SbSlot *slots, guint n, GError **error);
/* Returns: (transfer full) (element-type SbSlot), by weekday then half. */
GArray *sb_store_slots_list(SbStore *store, gint64 site_id, GError **error);

typedef struct {
	gint64 id;
	gint64 site_id;
	char *date_from; /* "YYYY-MM-DD", local, inclusive */
	char *date_to;	 /* inclusive */
	char *reason;	 /* shown to visitors ("inventaire"), never personal */
} SbClosure;
void sb_closure_free(SbClosure *closure);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SbClosure, sb_closure_free)

/* Returns the closure's id or 0. */
G_GNUC_WARN_UNUSED_RESULT
gint64 sb_store_closure_add(SbStore *store, gint64 site_id, const char *date_from, const char *date_to,
			    const char *reason, GError **error);
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_closure_del(SbStore *store, gint64 closure_id, GError **error);
/* Returns: (transfer full) (element-type SbClosure), by date. */
GPtrArray *sb_store_closure_list(SbStore *store, gint64 site_id, GError **error);

/* Whether site `site_id` is open at t_s (a slot covers it, no closure that
 * day), and the slot's capacity (nullable; 0 when closed). */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_site_open_at(SbStore *store, gint64 site_id, gint64 t_s, gboolean *open, guint *capacity,
			       GError **error);
/* The earliest instant >= after_s at which the site is open (after_s itself
 * when open then) and the end of that opening (adjacent slots merged).
 * *start_s = *end_s = 0 when it does not open within a year. */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_site_next_opening(SbStore *store, gint64 site_id, gint64 after_s, gint64 *start_s, gint64 *end_s,
				    GError **error);

/* Site `site_id`'s zone, week and closures as a pure calendar (calendar.h),
 * read once for several questions. Returns: (transfer full) or NULL:
 * NOT_FOUND, FAILED. */
SbCalendar *sb_store_site_calendar(SbStore *store, gint64 site_id, GError **error);

G_END_DECLS
