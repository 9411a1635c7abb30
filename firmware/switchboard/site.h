/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * site: the host-site staff page's data. Which booths a site has, whether
 * each is online, in use, out of order (with the reason the booth gave) or
 * offline, and when it was last seen. Nothing about visitors.
 *
 *   GET /api/site/booths   staff: their site's booths; admins: every booth
 *                          (?site=ID: one site's); advisers 403, no sign-in 401
 *
 * The hub knows the connected booths (sb_hub_booths_snapshot); the store's
 * `booths` table keeps them across disconnections and restarts. This module
 * writes the snapshot into the store every SB_SITE_SYNC_S seconds and before
 * answering, mapping the site a booth names in its hello to a store site by
 * name (a name the store does not know: no site, visible to admins only,
 * unless an administrator assigned the booth to a site: it stays there).
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include "hub.h"
#include "store.h"

G_BEGIN_DECLS

/* How often the connected booths are written to the store. */
#define SB_SITE_SYNC_S 5
/* An unchanged online booth's last_seen is rewritten this often (a write
 * per booth and sync would be an fsync each). */
#define SB_SITE_HEARTBEAT_S 60

typedef struct _SbSiteBooths SbSiteBooths;

/* The page's status word for a booth in hub state `state` (NULL: not
 * connected): "online" (idle), "in_use" (queued or in a call: a visitor is at
 * it), "out_of_order", "offline". An unknown state of a connected booth is
 * "online". Returns: (transfer none) */
const char *sb_site_status_word(const char *state);

/* The store site of booth `booth_id` whose hello names `site_name`: that
 * site when the store knows the name, else the site an administrator gave
 * the booth; 0 for none. */
gint64 sb_site_booth_site(SbStore *store, const char *site_name, const char *booth_id);

/* A writer of snapshots into `store` (not owned, outlives it), without
 * sockets or timers: sb_site_register() makes one; tests use it alone. */
SbSiteBooths *sb_site_booths_new(SbStore *store);
void sb_site_booths_free(SbSiteBooths *sb);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SbSiteBooths, sb_site_booths_free)

/* Writes `snapshot` (sb_hub_booths_snapshot's form) into the store: new
 * booths are added under the site their hello names, a changed site, state or
 * reason is written at once, an unchanged booth every SB_SITE_HEARTBEAT_S,
 * and a booth written before but absent now is recorded `offline` (its
 * last_seen: this sync). `now_us`: monotonic time. FALSE if any write failed
 * (the others are still done). */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_site_booths_sync(SbSiteBooths *sb, JsonArray *snapshot, gint64 now_us, GError **error);

/* The reply of GET /api/site/booths for site `site_id` (0: every booth):
 * {site: {id, name} | null, updated, booths: [{id, name, site_id, site,
 * status, reason (out_of_order only), last_seen (ISO 8601 UTC | null)}]},
 * booths by id. `snapshot`: the connected booths (their status); a booth not
 * in it is offline. `now_s`: unix seconds for `updated`.
 * Returns: (transfer full) or NULL on a store error. */
JsonNode *sb_site_booths_json(SbStore *store, JsonArray *snapshot, gint64 site_id, gint64 now_s, GError **error);

/* Registers GET /api/site/booths on `soup` and starts the periodic sync;
 * `soup` owns the returned object (freed with it, which stops the timer).
 * `hub` must outlive `soup`. Returns: (transfer none) */
SbSiteBooths *sb_site_register(SoupServer *soup, SbStore *store, SbHub *hub);

G_END_DECLS
