/* SPDX-License-Identifier: GPL-2.0-or-later */
/* admin-closures: /api/admin/sites/ID/closures and /api/admin/closures/ID:
 * the days a site is closed. */
#define G_LOG_DOMAIN "relais-admin"

#include "admin-private.h"

#include <string.h>

static void closure_json(JsonBuilder *b, const SbClosure *c)
{
	json_builder_begin_object(b);
	sb_api_add_int(b, "id", c->id);
	sb_api_add_string(b, "from", c->date_from);
	sb_api_add_string(b, "to", c->date_to);
	sb_api_add_string(b, "reason", c->reason);
	json_builder_end_object(b);
}

void sb_admin_closures_list(SbAdmin *a, SoupServerMessage *msg, const SbSite *site)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) list = sb_store_closure_list(a->store, site->id, &error);
	if (list == NULL) {
		sb_api_reply_store_error(msg, error, NULL);
		return;
	}
	g_autoptr(JsonBuilder) b = json_builder_new();
	json_builder_begin_object(b);
	sb_api_add_int(b, "site_id", site->id);
	json_builder_set_member_name(b, "closures");
	json_builder_begin_array(b);
	for (guint i = 0; i < list->len; i++)
		closure_json(b, list->pdata[i]);
	json_builder_end_array(b);
	json_builder_end_object(b);
	sb_http_set_json(msg, SOUP_STATUS_OK, b);
}

void sb_admin_closure_add(SbAdmin *a, SoupServerMessage *msg, const SbSite *site)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	JsonObject *o = sb_api_read_object(msg, parser, SB_ADMIN_MAX_BODY);
	const char *from, *to, *reason;
	if (o == NULL || !sb_api_req_string(msg, o, "from", &from) || !sb_api_req_string(msg, o, "to", &to) ||
	    !sb_api_opt_string(msg, o, "reason", &reason))
		return;
	g_autoptr(GError) error = NULL;
	gint64 id = sb_store_closure_add(a->store, site->id, from, to, reason, &error);
	if (id == 0) {
		const char *field = error && strstr(error->message, "reason")	     ? "reason"
				    : error && strstr(error->message, "ends before") ? "to"
										     : "from";
		sb_api_reply_store_error(msg, error, field);
		return;
	}
	g_message("site '%s' closed from %s to %s", site->name, from, to);
	SbClosure c = {.id = id,
		       .site_id = site->id,
		       .date_from = (char *)from,
		       .date_to = (char *)to,
		       .reason = (char *)(reason ? reason : "")};
	g_autoptr(JsonBuilder) b = json_builder_new();
	closure_json(b, &c);
	sb_http_set_json(msg, SOUP_STATUS_CREATED, b);
}

void sb_admin_closure_delete(SbAdmin *a, SoupServerMessage *msg, const char *id)
{
	gint64 closure_id = sb_http_parse_id(id);
	g_autoptr(GError) error = NULL;
	if (closure_id == 0)
		sb_api_reply_error(msg, SOUP_STATUS_NOT_FOUND, NULL, "no closure '%s'", id);
	else if (!sb_store_closure_del(a->store, closure_id, &error))
		sb_api_reply_store_error(msg, error, NULL);
	else {
		g_message("closure %" G_GINT64_FORMAT " deleted", closure_id);
		sb_api_reply_ok(msg);
	}
}
