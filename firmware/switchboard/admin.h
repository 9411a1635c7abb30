/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * admin: the administrator's API (assets/web/admin.html) and the day's
 * bookings for advisers and staff.
 *
 *   GET    /api/admin/sites                  sites with what refers to each
 *   POST   /api/admin/sites                  {name, timezone}
 *   PUT    /api/admin/sites/ID               {name?, timezone?}
 *   DELETE /api/admin/sites/ID               409 while in use, saying by what
 *   GET|PUT /api/admin/sites/ID/hours        {slots: [{day, half, start, end, capacity}]}
 *   GET|POST /api/admin/sites/ID/closures    {from, to, reason}
 *   DELETE /api/admin/closures/ID
 *   GET    /api/admin/booths                 every booth, its site, status, last seen, enrolment
 *                                            {state, cert_expires, token_expires, revoked_at},
 *                                            software, slot (its last hello) and last_update
 *                                            {result, version, from, slot, at, detail, received_at} or null,
 *                                            update: its last update job {id, bundle, version, state,
 *                                            active, progress, message, created, updated} or null
 *   POST   /api/admin/booths                 {id, name?, site_id?}: a booth not yet connected;
 *                                            the reply has its enrolment token, once
 *   PUT    /api/admin/booths/ID              {name?, site_id?}
 *   DELETE /api/admin/booths/ID              409 while it is connected
 *   POST   /api/admin/booths/ID/token        a new enrolment token (the pending one stops working)
 *   POST   /api/admin/booths/ID/revoke       certificates revoked, token deleted, link closed (4003)
 *   POST   /api/admin/booths/ID/update       {bundle}: install an uploaded bundle (bundles.h);
 *                                            409 while another update is under way
 *   POST   /api/admin/sites/ID/update        {bundle}: on every booth of the site {updates, skipped}
 *   POST   /api/admin/updates/ID/cancel      an update that will not end by itself
 *   GET    /api/admin/booths/ID/diag         {booth_id, fetched_at, report}: its diagnostic report, asked
 *                                            over its link (PROTOCOL.md "Diagnostics"); 409 not connected,
 *                                            504 no answer in time, 502 it left first, 429 too many asks
 *   GET    /api/admin/users                  accounts, never a password hash
 *   POST   /api/admin/users                  {login, name?, role, site_id?, languages?, topics?,
 *                                             password? | generate: true}
 *   PUT    /api/admin/users/LOGIN            {name?, role?, site_id?, languages?, topics?}
 *   POST   /api/admin/users/LOGIN/password   {password? | generate: true}
 *   DELETE /api/admin/users/LOGIN
 *   GET    /api/bookings?day=YYYY-MM-DD      advisers and admins: every site; staff: theirs
 *
 * Every /api/admin request needs an administrator's sign-in (401 without a
 * sign-in, 403 for another role, before anything else); a request that
 * changes something needs the page's own Origin (403) and a JSON object body
 * of at most SB_ADMIN_MAX_BODY bytes (413 beyond). Errors are {error, field?}: 400
 * (malformed or invalid, `field` names the culprit), 404 (no such id), 405
 * (with Allow), 409 (a login or a name taken, a site in use, a connected
 * booth, an administrator removing or demoting themselves or the last
 * administrator).
 *
 * Passwords follow the command line's rules (sb_auth_check_password_policy);
 * a generated one is in the reply once and nowhere else. Deleting an account
 * or resetting its password ends its sign-ins and closes its open consoles
 * (through the server's callback), and so does making an account staff. A
 * change between adviser and admin, of name or of skills applies from the
 * account's next connection: closing a console would cut a visitor's call.
 *
 * A booth's site is the one its hello names when the store knows that name;
 * a booth naming no known site keeps the site an administrator gave it
 * (site.c), so a booth is assigned here for good only when its own --site
 * says nothing the store knows. The booth list shows the site each
 * connected booth reports.
 *
 * Enrolment (ENROL.md): a token is in the one reply that issues it
 * ({token, token_expires}) and nowhere else: the store keeps its SHA-256, the
 * log says that one was issued, never what it is. The list says per booth
 * whether it is enrolled (until when), has a token pending (until when) or
 * was revoked; revoking closes the booth's open connection at once
 * (sb_hub_close_booth) so that it cannot go on as if nothing happened.
 *
 * Bookings carry no visitor: time, site, language, topic and state; the code
 * only for admins and staff (who check visitors in), never for advisers. A
 * day is each site's local day; without ?day, each site's today.
 *
 * Files: admin.c routes every /api/admin request to one file per resource
 * (admin-sites.c, admin-hours.c, admin-closures.c, admin-booths.c,
 * admin-accounts.c; admin-private.h between them); admin-bookings.c is the
 * day's bookings; api-json.h checks the bodies' fields and words the errors.
 */
#pragma once

#include <libsoup/soup.h>
#include "hub.h"
#include "site.h"
#include "store.h"

G_BEGIN_DECLS

/* A request body bigger than this is refused (a week of hours is ~1 KB). */
#define SB_ADMIN_MAX_BODY 8192

/* Closes the open consoles of these sign-ins (SHA-256 hex of their tokens,
 * NULL-terminated): the account is gone or its password was reset. */
typedef void (*SbAdminCloseConsoles)(const char *const *signin_hashes, gpointer user_data);

typedef struct _SbAdmin SbAdmin;

/* Registers the handlers above on `soup`, which owns the returned object.
 * `secure`: the pages are served over TLS (Origin https://). `booths`: the
 * staff page's sync (sb_site_register), for the booth list. `hub`, `booths`
 * and the callback's data must outlive `soup`. Returns: (transfer none) */
SbAdmin *sb_admin_register(SoupServer *soup, SbStore *store, gboolean secure, SbHub *hub, SbSiteBooths *booths,
			   SbAdminCloseConsoles close_consoles, gpointer user_data);

/* admin-bookings.c. One booking of a day, with its site's name and its local times. */
typedef struct {
	SbBooking *booking;
	char *site;
	char date[11];	  /* YYYY-MM-DD, the site's local day */
	char time[6];	  /* HH:MM local start */
	char end_time[6]; /* HH:MM local end */
} SbDayBooking;

/* The bookings (any state) starting on `day` in each site's own time zone
 * (NULL: each site's today at now_s), of site `site_id` (0: every site), by
 * start then site name. Returns: (transfer full) (element-type SbDayBooking)
 * or NULL on a store error. */
GPtrArray *sb_admin_day_bookings(SbStore *store, gint64 site_id, const GDate *day, gint64 now_s, GError **error);

/* admin-hours.c. "HH:MM" (00:00..24:00) as minutes since midnight; FALSE otherwise. */
gboolean sb_admin_parse_time(const char *text, guint *minutes);

G_END_DECLS
