/* SPDX-License-Identifier: GPL-2.0-or-later */
/* admin-booths: /api/admin/booths: every booth with its site, status, last
 * contact, enrolment, the software it runs and its last update; add one not yet connected (with its one-time
 * enrolment token), change, delete, a new token, revoke. */
#define G_LOG_DOMAIN "relais-admin"

#include "admin-private.h"
#include "calendar.h"
#include "enrol.h"
#include "updates.h"

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

static void set_time_or_null(JsonObject *o, const char *name, gint64 t)
{
	if (t) {
		g_autofree char *iso = sb_calendar_iso_utc(t);
		json_object_set_string_member(o, name, iso);
	} else {
		json_object_set_null_member(o, name);
	}
}

/* {state, cert_expires, token_expires, revoked_at}: never the token, which
 * the store cannot give back anyway. Returns: (transfer full) */
static JsonObject *enrolment_json(SbAdmin *a, const char *booth_id, GError **error)
{
	g_autoptr(GPtrArray) certs = sb_store_cert_list(a->store, booth_id, error);
	gint64 token_expires = 0;
	if (certs == NULL || !sb_store_enrol_token_pending(a->store, booth_id, &token_expires, error))
		return NULL;
	SbEnrolStatus st;
	sb_enrol_status_of(certs, token_expires, sb_store_now(a->store), &st);
	JsonObject *o = json_object_new();
	json_object_set_string_member(o, "state", sb_enrol_state_name(st.state));
	set_time_or_null(o, "cert_expires", st.cert_expires);
	set_time_or_null(o, "token_expires", st.token_expires);
	set_time_or_null(o, "revoked_at", st.revoked_at);
	return o;
}

static void set_string_or_null(JsonObject *o, const char *name, const char *v)
{
	if (v)
		json_object_set_string_member(o, name, v);
	else
		json_object_set_null_member(o, name);
}

/* The booth's last update report (store-updates.h) as the page shows it, or
 * null. Returns: (transfer full) (nullable) with no error when it sent none. */
static JsonNode *last_update_json(SbAdmin *a, const char *booth_id, GError **error)
{
	g_autoptr(GError) local = NULL;
	g_autoptr(SbUpdateReport) r = sb_store_update_report_get(a->store, booth_id, &local);
	if (r == NULL) {
		if (!g_error_matches(local, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND)) {
			g_propagate_error(error, g_steal_pointer(&local));
			return NULL;
		}
		return json_node_new(JSON_NODE_NULL);
	}
	JsonObject *o = json_object_new();
	json_object_set_string_member(o, "result", r->result);
	json_object_set_string_member(o, "version", r->version);
	set_string_or_null(o, "from", r->from_version);
	json_object_set_string_member(o, "slot", r->slot);
	json_object_set_string_member(o, "at", r->at);
	set_string_or_null(o, "detail", r->detail);
	set_time_or_null(o, "received_at", r->received_at);
	JsonNode *n = json_node_new(JSON_NODE_OBJECT);
	json_node_take_object(n, o);
	return n;
}

/* An update job as the page and relaisctl show it. Returns: (transfer full) */
static JsonObject *job_json(const SbUpdateJob *j)
{
	JsonObject *o = json_object_new();
	json_object_set_string_member(o, "id", j->id);
	json_object_set_string_member(o, "booth_id", j->booth_id);
	json_object_set_string_member(o, "bundle", j->bundle_id);
	set_string_or_null(o, "version", j->version);
	json_object_set_string_member(o, "state", sb_update_state_name(j->state));
	json_object_set_boolean_member(o, "active", sb_update_state_active(j->state));
	json_object_set_int_member(o, "progress", j->progress);
	set_string_or_null(o, "message", j->message);
	set_time_or_null(o, "created", j->created);
	set_time_or_null(o, "updated", j->updated);
	return o;
}

/* The booth's last update job, or null. Returns: (transfer full) or NULL
 * with a store error. */
static JsonNode *update_json(SbAdmin *a, const char *booth_id, GError **error)
{
	g_autoptr(GError) local = NULL;
	g_autoptr(SbUpdateJob) j = sb_store_update_job_of(a->store, booth_id, FALSE, &local);
	if (j == NULL) {
		if (!g_error_matches(local, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND)) {
			g_propagate_error(error, g_steal_pointer(&local));
			return NULL;
		}
		return json_node_new(JSON_NODE_NULL);
	}
	JsonNode *n = json_node_new(JSON_NODE_OBJECT);
	json_node_take_object(n, job_json(j));
	return n;
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
	/* the software each runs, as the store keeps it (the last hello) */
	g_autoptr(GPtrArray) rows = sb_store_booth_list(a->store, 0, &error);
	if (rows == NULL) {
		sb_api_reply_store_error(msg, error, NULL);
		return;
	}
	g_autoptr(GHashTable) by_id = g_hash_table_new(g_str_hash, g_str_equal);
	for (guint i = 0; i < rows->len; i++)
		g_hash_table_insert(by_id, ((SbBooth *)rows->pdata[i])->id, rows->pdata[i]);
	/* the site each connected booth reports (its --site), beside the one it
	 * is listed under */
	JsonArray *booths = json_object_get_array_member(json_node_get_object(root), "booths");
	for (guint i = 0; i < json_array_get_length(booths); i++) {
		JsonObject *b = json_array_get_object_element(booths, i);
		const SbBooth *row = g_hash_table_lookup(by_id, json_object_get_string_member(b, "id"));
		set_string_or_null(b, "software", row ? row->software : NULL);
		set_string_or_null(b, "slot", row ? row->slot : NULL);
		JsonNode *last = last_update_json(a, json_object_get_string_member(b, "id"), &error);
		if (last == NULL) {
			sb_api_reply_store_error(msg, error, NULL);
			return;
		}
		json_object_set_member(b, "last_update", last);
		JsonNode *job = update_json(a, json_object_get_string_member(b, "id"), &error);
		if (job == NULL) {
			sb_api_reply_store_error(msg, error, NULL);
			return;
		}
		json_object_set_member(b, "update", job);
		JsonObject *live = snapshot_find(snapshot, json_object_get_string_member(b, "id"));
		if (live)
			json_object_set_string_member(b, "reported_site",
						      json_object_get_string_member_with_default(live, "site", ""));
		else
			json_object_set_null_member(b, "reported_site");
		JsonObject *enrolment = enrolment_json(a, json_object_get_string_member(b, "id"), &error);
		if (enrolment == NULL) {
			sb_api_reply_store_error(msg, error, NULL);
			return;
		}
		json_object_set_object_member(b, "enrolment", enrolment);
	}
	sb_http_set_json_node(msg, SOUP_STATUS_OK, root);
}

static SbBooth *booth_find(SbAdmin *a, const char *id, GError **error)
{
	/* one row: adding a booth to a fleet of thousands read them all */
	return sb_store_booth_get(a->store, id, error);
}

/* Members token and token_expires (ISO 8601 UTC). */
static void add_token(JsonBuilder *b, const char *token, gint64 expires)
{
	g_autofree char *until = sb_calendar_iso_utc(expires);
	sb_api_add_string(b, "token", token);
	sb_api_add_string(b, "token_expires", until);
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
	/* a new booth's enrolment token, in this reply only */
	g_autofree char *token = NULL;
	gint64 token_expires = 0;
	if (old == NULL && !(token = sb_store_enrol_token_create(a->store, id, 0, &token_expires, &error))) {
		sb_api_reply_store_error(msg, error, NULL);
		return;
	}
	g_autoptr(JsonBuilder) b = json_builder_new();
	json_builder_begin_object(b);
	sb_api_add_string(b, "id", now->id);
	sb_api_add_string(b, "name", now->name);
	sb_api_add_id_or_null(b, "site_id", now->site_id);
	if (token)
		add_token(b, token, token_expires);
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

void sb_admin_booth_token(SbAdmin *a, SoupServerMessage *msg, const char *id)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(SbBooth) booth = booth_find(a, id, &error);
	if (booth == NULL) {
		sb_api_reply_store_error(msg, error, NULL);
		return;
	}
	gint64 expires = 0;
	g_autofree char *token = sb_store_enrol_token_create(a->store, id, 0, &expires, &error);
	if (token == NULL) {
		sb_api_reply_store_error(msg, error, NULL);
		return;
	}
	g_message("booth '%s': a new enrolment token issued", id);
	g_autoptr(JsonBuilder) b = json_builder_new();
	json_builder_begin_object(b);
	sb_api_add_string(b, "id", booth->id);
	add_token(b, token, expires);
	json_builder_end_object(b);
	sb_http_set_json(msg, SOUP_STATUS_CREATED, b);
}

void sb_admin_booth_revoke(SbAdmin *a, SoupServerMessage *msg, const char *id)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(SbBooth) booth = booth_find(a, id, &error);
	guint revoked = 0;
	if (booth == NULL || !sb_store_booth_revoke(a->store, id, &revoked, &error)) {
		sb_api_reply_store_error(msg, error, NULL);
		return;
	}
	/* the store first, then the link: the reconnect that follows meets the
	 * revocation (at the handshake, once booths use mutual TLS) */
	gboolean closed = sb_hub_close_booth(a->hub, id, 4003, "revoked");
	g_message("booth '%s' revoked (%u certificate%s)%s", id, revoked, revoked == 1 ? "" : "s",
		  closed ? ", its connection closed" : "");
	g_autoptr(JsonBuilder) b = json_builder_new();
	json_builder_begin_object(b);
	sb_api_add_string(b, "id", booth->id);
	sb_api_add_int(b, "revoked", revoked);
	sb_api_add_bool(b, "closed", closed);
	json_builder_end_object(b);
	sb_http_set_json(msg, SOUP_STATUS_OK, b);
}

/* {bundle} of a request body: a bundle id (its SHA-256). NULL with the
 * reply set otherwise. */
static const char *bundle_of_body(SoupServerMessage *msg, JsonParser *parser)
{
	JsonObject *o = sb_api_read_object(msg, parser, SB_ADMIN_MAX_BODY);
	const char *bundle = NULL;
	if (o == NULL || !sb_api_req_string(msg, o, "bundle", &bundle))
		return NULL;
	if (!relais_proto_valid_sha256(bundle)) {
		sb_api_reply_error(msg, SOUP_STATUS_BAD_REQUEST, "bundle", "a bundle is named by its SHA-256");
		return NULL;
	}
	return bundle;
}

void sb_admin_booth_update(SbAdmin *a, SoupServerMessage *msg, const char *id)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	const char *bundle = bundle_of_body(msg, parser);
	if (bundle == NULL)
		return;
	g_autoptr(GError) error = NULL;
	g_autoptr(SbUpdateJob) job = sb_updates_start(a->store, a->hub, id, bundle, &error);
	if (job == NULL) {
		sb_api_reply_store_error(msg, error, "bundle");
		return;
	}
	JsonObject *o = job_json(job);
	json_object_set_boolean_member(o, "offered", sb_hub_booth_connected(a->hub, id));
	g_autoptr(JsonNode) root = json_node_new(JSON_NODE_OBJECT);
	json_node_take_object(root, o);
	sb_http_set_json_node(msg, SOUP_STATUS_CREATED, root);
}

void sb_admin_site_update(SbAdmin *a, SoupServerMessage *msg, gint64 site_id)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	const char *bundle = bundle_of_body(msg, parser);
	if (bundle == NULL)
		return;
	g_autoptr(GError) error = NULL;
	g_autoptr(SbSite) site = sb_store_site_get(a->store, site_id, &error);
	g_autoptr(GPtrArray) booths = site ? sb_store_booth_list(a->store, site_id, &error) : NULL;
	g_autoptr(SbBundle) b = booths ? sb_store_bundle_get(a->store, bundle, &error) : NULL;
	if (b == NULL) {
		sb_api_reply_store_error(msg, error, "bundle");
		return;
	}
	/* each booth of the site, but those being updated already */
	JsonArray *started = json_array_new(), *skipped = json_array_new();
	for (guint i = 0; i < booths->len; i++) {
		SbBooth *booth = booths->pdata[i];
		g_autoptr(GError) e = NULL;
		g_autoptr(SbUpdateJob) job = sb_updates_start(a->store, a->hub, booth->id, bundle, &e);
		if (job) {
			json_array_add_object_element(started, job_json(job));
			continue;
		}
		if (!g_error_matches(e, SB_STORE_ERROR, SB_STORE_ERROR_EXISTS)) {
			json_array_unref(started);
			json_array_unref(skipped);
			sb_api_reply_store_error(msg, e, NULL);
			return;
		}
		JsonObject *s = json_object_new();
		json_object_set_string_member(s, "booth_id", booth->id);
		json_object_set_string_member(s, "reason", e->message);
		json_array_add_object_element(skipped, s);
	}
	g_message("site '%s': update to bundle %.12s asked for %u booth(s), %u skipped", site->name, bundle,
		  json_array_get_length(started), json_array_get_length(skipped));
	JsonObject *o = json_object_new();
	json_object_set_array_member(o, "updates", started);
	json_object_set_array_member(o, "skipped", skipped);
	g_autoptr(JsonNode) root = json_node_new(JSON_NODE_OBJECT);
	json_node_take_object(root, o);
	sb_http_set_json_node(msg, SOUP_STATUS_CREATED, root);
}

void sb_admin_update_cancel(SbAdmin *a, SoupServerMessage *msg, const char *id)
{
	g_autoptr(GError) error = NULL;
	if (!sb_updates_cancel(a->store, id, &error)) {
		sb_api_reply_store_error(msg, error, NULL);
		return;
	}
	g_autoptr(SbUpdateJob) job = sb_store_update_job_get(a->store, id, &error);
	if (job == NULL) {
		sb_api_reply_store_error(msg, error, NULL);
		return;
	}
	g_autoptr(JsonNode) root = json_node_new(JSON_NODE_OBJECT);
	json_node_take_object(root, job_json(job));
	sb_http_set_json_node(msg, SOUP_STATUS_OK, root);
}
