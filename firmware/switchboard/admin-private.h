/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * admin-private: what the administrator's API files share (admin.c, the
 * router, and one admin-<resource>.c per resource): the SbAdmin object and
 * each resource's handlers. Not for other modules: admin.h is the API.
 *
 * The router has checked the sign-in (an administrator), the Origin of a
 * request that changes something, the method (sb_http_allow) and the path;
 * a handler reads the body (sb_api_read_object), checks its fields
 * (api-json.h) and replies.
 */
#pragma once

#include "admin.h"
#include "api-json.h"
#include "http.h"

G_BEGIN_DECLS

struct _SbAdmin {
	SbStore *store;
	gboolean secure;
	SbHub *hub;
	SbSiteBooths *booths;
	SbAdminCloseConsoles close_consoles;
	gpointer close_data;
};

/* admin-sites.c: /api/admin/sites[/ID] */
void sb_admin_sites_list(SbAdmin *a, SoupServerMessage *msg);
/* `id` 0: a new site (201), else a change (200). */
void sb_admin_site_save(SbAdmin *a, SoupServerMessage *msg, gint64 id);
void sb_admin_site_delete(SbAdmin *a, SoupServerMessage *msg, gint64 id);
void sb_admin_site_reply(SbAdmin *a, SoupServerMessage *msg, guint status, gint64 id);
/* A site id given in a body (for a booth or an account) must name a site:
 * FALSE with 400 (field site_id) otherwise. 0 passes. */
gboolean sb_admin_site_known(SbAdmin *a, SoupServerMessage *msg, gint64 site_id);

/* admin-hours.c: /api/admin/sites/ID/hours */
void sb_admin_hours_reply(SbAdmin *a, SoupServerMessage *msg, const SbSite *site);
void sb_admin_hours_save(SbAdmin *a, SoupServerMessage *msg, const SbSite *site);
/* A week has 7 days of two halves. */
#define SB_ADMIN_MAX_HALF_DAYS 14
/* The body of sb_admin_hours_save: {slots: [{day, half, start, end,
 * capacity}]}, every slot and their order checked (a half-day given once,
 * mornings end by 14:00, afternoons start at 12:00). FALSE: an
 * SB_API_JSON_ERROR and *field (transfer full) the member to name in the
 * reply. Pure (fuzzed: tests/fuzz/). */
gboolean sb_admin_hours_from_json(JsonObject *o, SbSlot slots[SB_ADMIN_MAX_HALF_DAYS], guint *n_slots, char **field,
				  GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* admin-closures.c: /api/admin/sites/ID/closures, /api/admin/closures/ID */
void sb_admin_closures_list(SbAdmin *a, SoupServerMessage *msg, const SbSite *site);
void sb_admin_closure_add(SbAdmin *a, SoupServerMessage *msg, const SbSite *site);
/* `id`: the path's segment, unparsed. */
void sb_admin_closure_delete(SbAdmin *a, SoupServerMessage *msg, const char *id);

/* admin-booths.c: /api/admin/booths[/ID[/token|revoke]] (ENROL.md) */
void sb_admin_booths_list(SbAdmin *a, SoupServerMessage *msg);
/* `path_id` NULL: a new booth (the id in the body). */
void sb_admin_booth_save(SbAdmin *a, SoupServerMessage *msg, const char *path_id);
void sb_admin_booth_delete(SbAdmin *a, SoupServerMessage *msg, const char *id);
/* POST /api/admin/booths/ID/token: a new one-time enrolment token, shown
 * once (the booth's earlier pending token stops working). */
void sb_admin_booth_token(SbAdmin *a, SoupServerMessage *msg, const char *id);
/* POST /api/admin/booths/ID/revoke: its certificates revoked, its pending
 * token deleted, its open connection closed at once (4003 "revoked"). */
void sb_admin_booth_revoke(SbAdmin *a, SoupServerMessage *msg, const char *id);

/* POST /api/admin/booths/ID/update {bundle}: a job installing the bundle
 * on the booth (updates.h), offered at once when it is connected; 409 while
 * another is under way. POST /api/admin/sites/ID/update {bundle}: the same
 * for every booth of the site ({updates, skipped}). POST
 * /api/admin/updates/ID/cancel: a job that will never end by itself. */
void sb_admin_booth_update(SbAdmin *a, SoupServerMessage *msg, const char *id);
void sb_admin_site_update(SbAdmin *a, SoupServerMessage *msg, gint64 site_id);
void sb_admin_update_cancel(SbAdmin *a, SoupServerMessage *msg, const char *id);

/* admin-diag.c: GET /api/admin/booths/ID/diag: the connected booth's
 * diagnostic report, asked over its link; the request is paused until the
 * report, 504 (no answer in time), 502 (it disconnected first); not
 * connected: 409 for a known booth, 404 otherwise; 429 while it has
 * RELAIS_SB_DIAG_MAX_PENDING requests open. */
void sb_admin_booth_diag(SbAdmin *a, SoupServerMessage *msg, const char *id);

/* admin-accounts.c: /api/admin/users[/LOGIN[/password]]; `me`: the
 * administrator asking. */
void sb_admin_users_list(SbAdmin *a, SoupServerMessage *msg);
/* {user, password?}: `password` is a generated one, shown once. */
void sb_admin_user_reply(SbAdmin *a, SoupServerMessage *msg, guint status, const char *login, const char *password);
void sb_admin_user_add(SbAdmin *a, SoupServerMessage *msg);
void sb_admin_user_update(SbAdmin *a, SoupServerMessage *msg, const SbUser *me, const char *login);
void sb_admin_user_password(SbAdmin *a, SoupServerMessage *msg, const char *login);
void sb_admin_user_delete(SbAdmin *a, SoupServerMessage *msg, const SbUser *me, const char *login);

/* admin-bookings.c: GET /api/bookings (a soup handler; user_data: SbAdmin) */
void sb_admin_on_bookings(SoupServer *soup, SoupServerMessage *msg, const char *path, GHashTable *query,
			  gpointer user_data);

G_END_DECLS
