/* SPDX-License-Identifier: GPL-2.0-or-later */
/* admin: the administrator's API router: the sign-in, Origin and path
 * checks of every /api/admin request, then one admin-<resource>.c each. */
#define G_LOG_DOMAIN "relais-admin"

#include "admin-private.h"

#include <string.h>

#define ADMIN_DATA_KEY "relais-admin"

static gboolean is_write(SoupServerMessage *msg)
{
	const char *m = soup_server_message_get_method(msg);
	return g_strcmp0(m, "GET") != 0 && g_strcmp0(m, "HEAD") != 0;
}

static gboolean method_is(SoupServerMessage *msg, const char *method)
{
	return g_strcmp0(soup_server_message_get_method(msg), method) == 0;
}

static void on_admin(SoupServer *soup, SoupServerMessage *msg, const char *path, GHashTable *query, gpointer user_data)
{
	SbAdmin *a = user_data;
	g_autoptr(SbUser) me = sb_http_require_role(a->store, msg, SB_HTTP_ROLE(SB_ROLE_ADMIN), NULL);
	if (me == NULL)
		return;
	if (is_write(msg) && !sb_http_origin_is_ours(msg, a->secure, FALSE)) {
		sb_api_reply_error(msg, SOUP_STATUS_FORBIDDEN, NULL, "cross-origin request refused");
		return;
	}
	/* /api/admin/<kind>[/<id>[/<sub>]] */
	g_auto(GStrv) parts = g_strsplit(path, "/", -1);
	guint n = g_strv_length(parts);
	if (n < 4 || n > 6 || strcmp(parts[1], "api") != 0 || strcmp(parts[2], "admin") != 0) {
		sb_api_reply_error(msg, SOUP_STATUS_NOT_FOUND, NULL, "no such endpoint");
		return;
	}
	const char *kind = parts[3];
	g_autofree char *id = n >= 5 ? g_uri_unescape_string(parts[4], NULL) : NULL;
	const char *sub = n == 6 ? parts[5] : NULL;
	if (n >= 5 && (id == NULL || *id == '\0')) {
		sb_api_reply_error(msg, SOUP_STATUS_NOT_FOUND, NULL, "no such endpoint");
		return;
	}

	if (strcmp(kind, "sites") == 0 && sub == NULL) {
		if (id == NULL) {
			if (sb_http_allow(msg, "GET, HEAD, POST"))
				method_is(msg, "POST") ? sb_admin_site_save(a, msg, 0) : sb_admin_sites_list(a, msg);
			return;
		}
		gint64 site_id = sb_http_parse_id(id);
		if (!sb_http_allow(msg, "GET, HEAD, PUT, DELETE"))
			return;
		if (site_id == 0)
			sb_api_reply_error(msg, SOUP_STATUS_NOT_FOUND, NULL, "no site '%s'", id);
		else if (method_is(msg, "PUT"))
			sb_admin_site_save(a, msg, site_id);
		else if (method_is(msg, "DELETE"))
			sb_admin_site_delete(a, msg, site_id);
		else
			sb_admin_site_reply(a, msg, SOUP_STATUS_OK, site_id);
		return;
	}
	if (strcmp(kind, "sites") == 0 && (strcmp(sub, "hours") == 0 || strcmp(sub, "closures") == 0)) {
		gboolean hours = strcmp(sub, "hours") == 0;
		if (!sb_http_allow(msg, hours ? "GET, HEAD, PUT" : "GET, HEAD, POST"))
			return;
		gint64 site_id = sb_http_parse_id(id);
		g_autoptr(GError) error = NULL;
		g_autoptr(SbSite) site = site_id ? sb_store_site_get(a->store, site_id, &error) : NULL;
		if (site == NULL) {
			if (site_id == 0)
				sb_api_reply_error(msg, SOUP_STATUS_NOT_FOUND, NULL, "no site '%s'", id);
			else
				sb_api_reply_store_error(msg, error, NULL);
			return;
		}
		if (hours)
			is_write(msg) ? sb_admin_hours_save(a, msg, site) : sb_admin_hours_reply(a, msg, site);
		else
			is_write(msg) ? sb_admin_closure_add(a, msg, site) : sb_admin_closures_list(a, msg, site);
		return;
	}
	if (strcmp(kind, "closures") == 0 && id && sub == NULL) {
		if (!sb_http_allow(msg, "DELETE"))
			return;
		sb_admin_closure_delete(a, msg, id);
		return;
	}
	if (strcmp(kind, "booths") == 0 && sub == NULL) {
		if (id == NULL) {
			if (sb_http_allow(msg, "GET, HEAD, POST"))
				method_is(msg, "POST") ? sb_admin_booth_save(a, msg, NULL)
						       : sb_admin_booths_list(a, msg);
		} else if (sb_http_allow(msg, "PUT, DELETE")) {
			method_is(msg, "PUT") ? sb_admin_booth_save(a, msg, id) : sb_admin_booth_delete(a, msg, id);
		}
		return;
	}
	if (strcmp(kind, "booths") == 0 && id && (strcmp(sub, "token") == 0 || strcmp(sub, "revoke") == 0)) {
		if (sb_http_allow(msg, "POST"))
			strcmp(sub, "token") == 0 ? sb_admin_booth_token(a, msg, id)
						  : sb_admin_booth_revoke(a, msg, id);
		return;
	}
	if (strcmp(kind, "booths") == 0 && id && strcmp(sub, "update") == 0) {
		if (sb_http_allow(msg, "POST"))
			sb_admin_booth_update(a, msg, id);
		return;
	}
	if (strcmp(kind, "sites") == 0 && id && strcmp(sub, "update") == 0) {
		gint64 site_id = sb_http_parse_id(id);
		if (!sb_http_allow(msg, "POST"))
			return;
		if (site_id == 0)
			sb_api_reply_error(msg, SOUP_STATUS_NOT_FOUND, NULL, "no site '%s'", id);
		else
			sb_admin_site_update(a, msg, site_id);
		return;
	}
	if (strcmp(kind, "updates") == 0 && id && strcmp(sub, "cancel") == 0) {
		if (sb_http_allow(msg, "POST"))
			sb_admin_update_cancel(a, msg, id);
		return;
	}
	if (strcmp(kind, "booths") == 0 && id && strcmp(sub, "diag") == 0) {
		if (sb_http_allow(msg, "GET"))
			sb_admin_booth_diag(a, msg, id);
		return;
	}
	if (strcmp(kind, "users") == 0 && sub == NULL) {
		if (id == NULL) {
			if (sb_http_allow(msg, "GET, HEAD, POST"))
				method_is(msg, "POST") ? sb_admin_user_add(a, msg) : sb_admin_users_list(a, msg);
		} else if (sb_http_allow(msg, "GET, HEAD, PUT, DELETE")) {
			if (method_is(msg, "PUT"))
				sb_admin_user_update(a, msg, me, id);
			else if (method_is(msg, "DELETE"))
				sb_admin_user_delete(a, msg, me, id);
			else
				sb_admin_user_reply(a, msg, SOUP_STATUS_OK, id, NULL);
		}
		return;
	}
	if (strcmp(kind, "users") == 0 && strcmp(sub, "password") == 0) {
		if (sb_http_allow(msg, "POST"))
			sb_admin_user_password(a, msg, id);
		return;
	}
	sb_api_reply_error(msg, SOUP_STATUS_NOT_FOUND, NULL, "no such endpoint");
}

SbAdmin *sb_admin_register(SoupServer *soup, SbStore *store, gboolean secure, SbHub *hub, SbSiteBooths *booths,
			   SbAdminCloseConsoles close_consoles, gpointer user_data)
{
	SbAdmin *a = g_new0(SbAdmin, 1);
	a->store = store;
	a->secure = secure;
	a->hub = hub;
	a->booths = booths;
	a->close_consoles = close_consoles;
	a->close_data = user_data;
	g_object_set_data_full(G_OBJECT(soup), ADMIN_DATA_KEY, a, g_free);
	soup_server_add_handler(soup, "/api/admin", on_admin, a, NULL);
	soup_server_add_handler(soup, "/api/bookings", sb_admin_on_bookings, a, NULL);
	return a;
}
