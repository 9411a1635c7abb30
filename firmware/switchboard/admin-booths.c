/* SPDX-License-Identifier: GPL-2.0-or-later */
/* admin-booths: /api/admin/booths: every booth with its site, status and
 * last contact; add one not yet connected, change, delete. */
#define G_LOG_DOMAIN "relais-admin"

#include "admin-private.h"

#include <string.h>

/* The connected booths, written to the store first (as the staff page does). */
static JsonArray *booths_snapshot(SbAdmin *a)
{
	JsonArray *snapshot = sb_hub_booths_snapshot(a->hub);
	g_autoptr(GError) error = NULL;
	if (a->booths && !sb_site_booths_sync(a->booths, snapshot, g_get_monotonic_time(), &error))
		g_debug("booth sync: %s", error->message);
	return snapshot;
}

static JsonObject *snapshot_find(JsonArray *snapshot, const char *booth_id)
{
	for (guint i = 0; snapshot && i < json_array_get_length(snapshot); i++) {
		JsonObject *o = json_array_get_object_element(snapshot, i);
		if (o && g_strcmp0(json_object_get_string_member_with_default(o, "booth_id", NULL), booth_id) == 0)
			return o;
	}
	return NULL;
}

void sb_admin_booths_list(SbAdmin *a, SoupServerMessage *msg)
{
	g_autoptr(JsonArray) snapshot = booths_snapshot(a);
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) root =
		sb_site_booths_json(a->store, snapshot, 0, g_get_real_time() / G_USEC_PER_SEC, &error);
	if (root == NULL) {
		sb_api_reply_store_error(msg, error, NULL);
		return;
	}
	/* the site each connected booth reports (its --site), beside the one it
	 * is listed under */
	JsonArray *booths = json_object_get_array_member(json_node_get_object(root), "booths");
	for (guint i = 0; i < json_array_get_length(booths); i++) {
		JsonObject *b = json_array_get_object_element(booths, i);
		JsonObject *live = snapshot_find(snapshot, json_object_get_string_member(b, "id"));
		if (live)
			json_object_set_string_member(b, "reported_site",
						      json_object_get_string_member_with_default(live, "site", ""));
		else
			json_object_set_null_member(b, "reported_site");
	}
	sb_http_set_json_node(msg, SOUP_STATUS_OK, root);
}

static SbBooth *booth_find(SbAdmin *a, const char *id, GError **error)
{
	g_autoptr(GPtrArray) list = sb_store_booth_list(a->store, 0, error);
	if (list == NULL)
		return NULL;
	for (guint i = 0; i < list->len; i++) {
		SbBooth *b = list->pdata[i];
		if (strcmp(b->id, id) == 0)
			return g_ptr_array_steal_index(list, i);
	}
	g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND, "no booth '%s'", id);
	return NULL;
}

void sb_admin_booth_save(SbAdmin *a, SoupServerMessage *msg, const char *path_id)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	JsonObject *o = sb_api_read_object(msg, parser, SB_ADMIN_MAX_BODY);
	const char *id = path_id, *name;
	gint64 site_id;
	gboolean has_site;
	if (o == NULL || (path_id == NULL && !sb_api_req_string(msg, o, "id", &id)) ||
	    !sb_api_opt_string(msg, o, "name", &name) || !sb_api_opt_id(msg, o, "site_id", &site_id, &has_site) ||
	    !sb_admin_site_known(a, msg, site_id))
		return;
	g_autoptr(GError) error = NULL;
	g_autoptr(SbBooth) old = booth_find(a, id, &error);
	if (old == NULL && !g_error_matches(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND)) {
		sb_api_reply_store_error(msg, error, NULL);
		return;
	}
	if (path_id == NULL && old) {
		sb_api_reply_error(msg, SOUP_STATUS_CONFLICT, "id", "a booth '%s' exists already", id);
		return;
	}
	if (path_id && old == NULL) {
		sb_api_reply_store_error(msg, error, NULL);
		return;
	}
	g_clear_error(&error);
	if (!sb_store_booth_upsert(a->store, id,
				   has_site ? site_id
				   : old    ? old->site_id
					    : 0,
				   name	 ? name
				   : old ? old->name
					 : "",
				   &error)) {
		sb_api_reply_store_error(msg, error, error && strstr(error->message, "name") ? "name" : "id");
		return;
	}
	g_message("booth '%s' %s", id, old ? "changed" : "added");
	g_autoptr(SbBooth) now = booth_find(a, id, &error);
	if (now == NULL) {
		sb_api_reply_store_error(msg, error, NULL);
		return;
	}
	g_autoptr(JsonBuilder) b = json_builder_new();
	json_builder_begin_object(b);
	sb_api_add_string(b, "id", now->id);
	sb_api_add_string(b, "name", now->name);
	sb_api_add_id_or_null(b, "site_id", now->site_id);
	json_builder_end_object(b);
	sb_http_set_json(msg, old ? SOUP_STATUS_OK : SOUP_STATUS_CREATED, b);
}

void sb_admin_booth_delete(SbAdmin *a, SoupServerMessage *msg, const char *id)
{
	g_autoptr(JsonArray) snapshot = booths_snapshot(a);
	g_autoptr(GError) error = NULL;
	g_autoptr(SbBooth) old = booth_find(a, id, &error);
	if (old == NULL) {
		sb_api_reply_store_error(msg, error, NULL);
		return;
	}
	if (snapshot_find(snapshot, id)) {
		sb_api_reply_error(msg, SOUP_STATUS_CONFLICT, NULL,
				   "booth '%s' is connected now and would be listed again: switch it off first", id);
		return;
	}
	if (!sb_store_booth_del(a->store, id, &error)) {
		sb_api_reply_store_error(msg, error, NULL);
		return;
	}
	g_message("booth '%s' deleted", id);
	sb_api_reply_ok(msg);
}
