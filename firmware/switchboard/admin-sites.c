/* SPDX-License-Identifier: GPL-2.0-or-later */
/* admin-sites: /api/admin/sites: list (with what refers to each), add,
 * change, delete (refused while in use, saying by what). */
#define G_LOG_DOMAIN "relais-admin"

#include "admin-private.h"

#include <string.h>

static void site_json(JsonBuilder *b, const SbSite *site, const SbSiteUsage *u)
{
	json_builder_begin_object(b);
	sb_api_add_int(b, "id", site->id);
	sb_api_add_string(b, "name", site->name);
	sb_api_add_string(b, "timezone", site->timezone);
	sb_api_add_string(b, "address", site->address ? site->address : "");
	if (u) {
		json_builder_set_member_name(b, "usage");
		json_builder_begin_object(b);
		sb_api_add_int(b, "booths", u->booths);
		sb_api_add_int(b, "staff", u->staff);
		sb_api_add_int(b, "bookings", u->bookings);
		sb_api_add_int(b, "call_records", u->call_records);
		json_builder_end_object(b);
	}
	json_builder_end_object(b);
}

void sb_admin_sites_list(SbAdmin *a, SoupServerMessage *msg)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) sites = sb_store_site_list(a->store, &error);
	if (sites == NULL) {
		sb_api_reply_store_error(msg, error, NULL);
		return;
	}
	g_autoptr(JsonBuilder) b = json_builder_new();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "sites");
	json_builder_begin_array(b);
	for (guint i = 0; i < sites->len; i++) {
		SbSite *s = sites->pdata[i];
		SbSiteUsage u;
		if (!sb_store_site_usage(a->store, s->id, &u, &error)) {
			sb_api_reply_store_error(msg, error, NULL);
			return;
		}
		site_json(b, s, &u);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	sb_http_set_json(msg, SOUP_STATUS_OK, b);
}

/* Site `id` and what refers to it; NULL with the store's error replied. */
static SbSite *site_with_usage(SbAdmin *a, SoupServerMessage *msg, gint64 id, SbSiteUsage *u)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(SbSite) site = sb_store_site_get(a->store, id, &error);
	if (site == NULL || !sb_store_site_usage(a->store, id, u, &error)) {
		sb_api_reply_store_error(msg, error, NULL);
		return NULL;
	}
	return g_steal_pointer(&site);
}

void sb_admin_site_reply(SbAdmin *a, SoupServerMessage *msg, guint status, gint64 id)
{
	SbSiteUsage u;
	g_autoptr(SbSite) site = site_with_usage(a, msg, id, &u);
	if (site == NULL)
		return;
	g_autoptr(JsonBuilder) b = json_builder_new();
	site_json(b, site, &u);
	sb_http_set_json(msg, status, b);
}

/* The store's messages name the field; this says which one for the page. */
static const char *site_field(const GError *error)
{
	if (error && strstr(error->message, "time zone"))
		return "timezone";
	if (error && strstr(error->message, "address"))
		return "address";
	return "name";
}

void sb_admin_site_save(SbAdmin *a, SoupServerMessage *msg, gint64 id)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	JsonObject *o = sb_api_read_object(msg, parser, SB_ADMIN_MAX_BODY);
	const char *name, *timezone, *address;
	if (o == NULL || !sb_api_opt_string(msg, o, "name", &name) ||
	    !sb_api_opt_string(msg, o, "timezone", &timezone) || !sb_api_opt_string(msg, o, "address", &address))
		return;
	g_autoptr(GError) error = NULL;
	g_autoptr(SbSite) old = NULL;
	if (id) {
		old = sb_store_site_get(a->store, id, &error);
		if (old == NULL) {
			sb_api_reply_store_error(msg, error, NULL);
			return;
		}
	} else if (name == NULL || timezone == NULL) {
		sb_api_reply_error(msg, SOUP_STATUS_BAD_REQUEST, name == NULL ? "name" : "timezone",
				   "a new site needs a name and a time zone");
		return;
	}
	gint64 saved = sb_store_site_save(a->store, id, name ? name : old->name, timezone ? timezone : old->timezone,
					  address, &error);
	if (saved == 0) {
		sb_api_reply_store_error(msg, error, site_field(error));
		return;
	}
	g_message("site %" G_GINT64_FORMAT " '%s' %s", saved, name ? name : old->name, id ? "changed" : "added");
	sb_admin_site_reply(a, msg, id ? SOUP_STATUS_OK : SOUP_STATUS_CREATED, saved);
}

void sb_admin_site_delete(SbAdmin *a, SoupServerMessage *msg, gint64 id)
{
	SbSiteUsage u;
	g_autoptr(SbSite) site = site_with_usage(a, msg, id, &u);
	if (site == NULL)
		return;
	if (u.booths || u.staff || u.bookings || u.call_records) {
		g_autoptr(GString) why = g_string_new(NULL);
		const struct {
			guint n;
			const char *one, *many;
		} refs[] = {
			{u.booths, "booth", "booths"},
			{u.staff, "staff account", "staff accounts"},
			{u.bookings, "booking", "bookings"},
			{u.call_records, "call record", "call records"},
		};
		for (guint i = 0; i < G_N_ELEMENTS(refs); i++) {
			if (refs[i].n == 0)
				continue;
			g_string_append_printf(why, "%s%u %s", why->len ? ", " : "", refs[i].n,
					       refs[i].n == 1 ? refs[i].one : refs[i].many);
		}
		gboolean history = u.bookings || u.call_records;
		sb_api_reply_error(msg, SOUP_STATUS_CONFLICT, NULL, "“%s” is in use: %s. %s", site->name, why->str,
				   history ? "Its history is kept: rename the site instead."
					   : "Move or delete them first, or rename the site.");
		return;
	}
	g_autoptr(GError) error = NULL;
	if (!sb_store_site_del(a->store, id, &error)) {
		sb_api_reply_store_error(msg, error, NULL);
		return;
	}
	g_message("site %" G_GINT64_FORMAT " '%s' deleted", id, site->name);
	sb_api_reply_ok(msg);
}

/* A site id given for a booth or an account must name a site: 400 otherwise
 * (the id is in the body, not the path). */
gboolean sb_admin_site_known(SbAdmin *a, SoupServerMessage *msg, gint64 site_id)
{
	if (site_id == 0)
		return TRUE;
	g_autoptr(GError) error = NULL;
	g_autoptr(SbSite) site = sb_store_site_get(a->store, site_id, &error);
	if (site)
		return TRUE;
	if (g_error_matches(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND))
		sb_api_reply_error(msg, SOUP_STATUS_BAD_REQUEST, "site_id", "no site %" G_GINT64_FORMAT, site_id);
	else
		sb_api_reply_store_error(msg, error, NULL);
	return FALSE;
}
