/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * store-sites: sites (a name, a time zone, an address) and the booths assigned to
 * them, with what the booths last reported (store-sites.c). Included by
 * store.h.
 */
#pragma once

#include "store.h"

G_BEGIN_DECLS

/* --- sites and booths ------------------------------------------------------------ */

typedef struct {
	gint64 id;
	char *name;
	char *timezone; /* IANA identifier, e.g. "Europe/Paris" */
	char *address;	/* one line, "" until an administrator sets it */
} SbSite;
void sb_site_free(SbSite *site);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SbSite, sb_site_free)

/* id 0: adds a site (EXISTS if the name is taken); else renames / re-zones
 * site `id` (NOT_FOUND). The time zone must be one GLib knows. Returns the
 * site's id or 0. */
G_GNUC_WARN_UNUSED_RESULT
gint64 sb_store_site_upsert(SbStore *store, gint64 id, const char *name, const char *timezone, GError **error);
/* The same with the site's postal address (one line, ..SB_STORE_MAX_POSTAL
 * characters; NULL: "" for a new site, unchanged for an existing one). */
G_GNUC_WARN_UNUSED_RESULT
gint64 sb_store_site_save(SbStore *store, gint64 id, const char *name, const char *timezone, const char *address,
			  GError **error);
SbSite *sb_store_site_get(SbStore *store, gint64 id, GError **error);
/* The id of site `name`, made first if there is none (*created, nullable,
 * says so), in the switchboard's own time zone (UTC if GLib does not know
 * it) until an administrator sets it. 0 on error. */
G_GNUC_WARN_UNUSED_RESULT
gint64 sb_store_site_ensure(SbStore *store, const char *name, gboolean *created, GError **error);
SbSite *sb_store_site_get_by_name(SbStore *store, const char *name, GError **error);
/* Returns: (transfer full) (element-type SbSite), by name. */
GPtrArray *sb_store_site_list(SbStore *store, GError **error);
/* IN_USE while booths, staff, bookings or call records refer to it; its
 * opening hours and closures go with it. */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_site_del(SbStore *store, gint64 id, GError **error);

/* What refers to a site (what keeps sb_store_site_del from deleting it). */
typedef struct {
	guint booths, staff, bookings, call_records;
} SbSiteUsage;
/* Counts them for site `id` (NOT_FOUND for an unknown site). */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_site_usage(SbStore *store, gint64 id, SbSiteUsage *usage, GError **error);

typedef struct {
	char *id;	  /* the protocol's booth_id */
	gint64 site_id;	  /* 0: not assigned yet */
	char *name;	  /* "" unless an admin named it */
	gint64 last_seen; /* 0: never */
	char *state;	  /* "offline", "idle", "out_of_order", ... */
	char *reason;	  /* NULL or why it is out of order */
	char *software;	  /* NULL or the software it last said it runs (its hello) */
	char *slot;	  /* NULL, "A" or "B": the slot it last ran from */
} SbBooth;
void sb_booth_free(SbBooth *booth);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SbBooth, sb_booth_free)

/* Adds booth `booth_id` or updates its site and name (site_id 0: none). */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_booth_upsert(SbStore *store, const char *booth_id, gint64 site_id, const char *name, GError **error);
/* Records that the booth was seen now in `state` ([a-z0-9_-], 1..32) with an
 * optional reason (UTF-8 text without control characters; cut to
 * SB_STORE_MAX_REASON characters: the protocol allows longer). NOT_FOUND for a
 * booth not added. */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_booth_seen(SbStore *store, const char *booth_id, const char *state, const char *reason,
			     GError **error);
/* Records the software booth `booth_id` runs (a protocol id, 1..64) and its
 * slot ("A", "B"), each nullable (not said), as its hello told them; kept
 * while it is offline. NOT_FOUND for a booth not added. */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_booth_software(SbStore *store, const char *booth_id, const char *software, const char *slot,
				 GError **error);
/* The name of the site booth `booth_id` is registered at: NULL with no
 * error for a booth without a site, NOT_FOUND for an unknown booth.
 * Returns: (transfer full) */
char *sb_store_booth_site_name(SbStore *store, const char *booth_id, GError **error);
/* site_id 0: all booths. Returns: (transfer full) (element-type SbBooth), by id. */
GPtrArray *sb_store_booth_list(SbStore *store, gint64 site_id, GError **error);
/* Booth `booth_id`'s row: NOT_FOUND for an unknown booth.
 * Returns: (transfer full) */
SbBooth *sb_store_booth_get(SbStore *store, const char *booth_id, GError **error);
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_booth_del(SbStore *store, const char *booth_id, GError **error);

G_END_DECLS
