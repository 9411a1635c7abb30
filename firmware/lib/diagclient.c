/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "relais-diagclient"

#include "diagclient.h"
#include "fail.h"
#include "protocol.h"

#include <libsoup/soup.h>
#include <string.h>

G_DEFINE_QUARK(relais - diag - client - error - quark, relais_diag_client_error)

/* The switchboard's answers are small (a report is at most 32 KiB). */
#define MAX_REPLY (1024 * 1024)
/* The switchboard waits for the booth (RELAIS_SB_DIAG_TIMEOUT_MS, 10 s): more. */
#define TIMEOUT_S 60

/* http(s)://HOST[:PORT] of `url`. Returns: (transfer full) or NULL. */
static char *base_url(const char *url, GError **error)
{
	g_autoptr(GUri) uri = url ? g_uri_parse(url, G_URI_FLAGS_NONE, NULL) : NULL;
	const char *scheme = uri ? g_uri_get_scheme(uri) : NULL;
	const char *http = g_strcmp0(scheme, "http") == 0 || g_strcmp0(scheme, "ws") == 0     ? "http"
			   : g_strcmp0(scheme, "https") == 0 || g_strcmp0(scheme, "wss") == 0 ? "https"
											      : NULL;
	if (http == NULL || g_uri_get_host(uri) == NULL || *g_uri_get_host(uri) == '\0') {
		relais_fail(error, RELAIS_DIAG_CLIENT_ERROR, RELAIS_DIAG_CLIENT_ERROR_USAGE,
			    "--switchboard must be http(s)://HOST:PORT, not '%s'", url ? url : "");
		return NULL;
	}
	return g_uri_join(G_URI_FLAGS_NONE, http, NULL, g_uri_get_host(uri), g_uri_get_port(uri), "", NULL, NULL);
}

/* The reply's body as a JSON object, or NULL. */
static JsonObject *body_object(GBytes *body)
{
	gsize len = 0;
	const char *data = body ? g_bytes_get_data(body, &len) : NULL;
	if (data == NULL || len == 0 || len > MAX_REPLY || memchr(data, '\0', len))
		return NULL;
	g_autoptr(JsonParser) parser = json_parser_new();
	if (!json_parser_load_from_data(parser, data, (gssize)len, NULL))
		return NULL;
	JsonNode *root = json_parser_get_root(parser);
	return root && JSON_NODE_HOLDS_OBJECT(root) ? json_object_ref(json_node_get_object(root)) : NULL;
}

/* The switchboard's {error} text, cleaned of control characters. */
static char *error_text(JsonObject *o, guint status)
{
	const char *e = o ? json_object_get_string_member_with_default(o, "error", NULL) : NULL;
	if (e == NULL || *e == '\0')
		return g_strdup_printf("HTTP %u", status);
	g_autofree char *valid = g_utf8_make_valid(e, MIN(strlen(e), 300));
	for (char *p = valid; *p; p++)
		if ((guchar)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return g_steal_pointer(&valid);
}

/* Sends `msg`; its status and body object (nullable) out. FALSE: the
 * switchboard could not be reached. */
static gboolean exchange(SoupSession *session, SoupMessage *msg, guint *status, JsonObject **out, GError **error)
{
	g_autoptr(GError) local = NULL;
	g_autoptr(GBytes) body = soup_session_send_and_read(session, msg, NULL, &local);
	if (body == NULL)
		return relais_fail(error, RELAIS_DIAG_CLIENT_ERROR, RELAIS_DIAG_CLIENT_ERROR_CONNECT,
				   "cannot reach the switchboard: %s", local->message);
	*status = soup_message_get_status(msg);
	*out = body_object(body);
	return TRUE;
}

static SoupMessage *json_post(const char *url, const char *json)
{
	SoupMessage *msg = soup_message_new("POST", url);
	g_autoptr(GBytes) body = g_bytes_new(json, strlen(json));
	soup_message_set_request_body_from_bytes(msg, "application/json", body);
	return msg;
}

static gboolean sign_in(SoupSession *session, const char *base, const char *login, const char *password, GError **error)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "login");
	json_builder_add_string_value(b, login);
	json_builder_set_member_name(b, "password");
	json_builder_add_string_value(b, password);
	json_builder_end_object(b);
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autoptr(JsonNode) root = json_builder_get_root(b);
	json_generator_set_root(gen, root);
	g_autofree char *json = json_generator_to_data(gen, NULL);
	g_autofree char *url = g_strconcat(base, "/api/login", NULL);
	g_autoptr(SoupMessage) msg = json_post(url, json);
	memset(json, 0, strlen(json)); /* it holds the password */
	guint status = 0;
	g_autoptr(JsonObject) reply = NULL;
	if (!exchange(session, msg, &status, &reply, error))
		return FALSE;
	if (status == SOUP_STATUS_OK)
		return TRUE;
	g_autofree char *why = error_text(reply, status);
	if (status == SOUP_STATUS_UNAUTHORIZED || status == 429)
		return relais_fail(error, RELAIS_DIAG_CLIENT_ERROR, RELAIS_DIAG_CLIENT_ERROR_SIGNIN,
				   "sign-in as '%s' refused: %s", login, why);
	return relais_fail(error, RELAIS_DIAG_CLIENT_ERROR, RELAIS_DIAG_CLIENT_ERROR_FAILED, "sign-in failed: %s", why);
}

static void sign_out(SoupSession *session, const char *base)
{
	g_autofree char *url = g_strconcat(base, "/api/logout", NULL);
	g_autoptr(SoupMessage) msg = json_post(url, "{}");
	g_autoptr(GBytes) body = soup_session_send_and_read(session, msg, NULL, NULL);
}

static RelaisDiagClientError code_of(guint status)
{
	switch (status) {
	case SOUP_STATUS_UNAUTHORIZED:
		return RELAIS_DIAG_CLIENT_ERROR_SIGNIN;
	case SOUP_STATUS_FORBIDDEN:
		return RELAIS_DIAG_CLIENT_ERROR_FORBIDDEN;
	case SOUP_STATUS_NOT_FOUND:
		return RELAIS_DIAG_CLIENT_ERROR_NO_BOOTH;
	case SOUP_STATUS_CONFLICT:
		return RELAIS_DIAG_CLIENT_ERROR_OFFLINE;
	case SOUP_STATUS_GATEWAY_TIMEOUT:
	case SOUP_STATUS_BAD_GATEWAY:
		return RELAIS_DIAG_CLIENT_ERROR_NO_ANSWER;
	case 429:
		return RELAIS_DIAG_CLIENT_ERROR_BUSY;
	default:
		return RELAIS_DIAG_CLIENT_ERROR_FAILED;
	}
}

/* A session for `switchboard`, the sign-in cookie kept for it only, its
 * trust; *base out. */
static SoupSession *admin_session(const char *switchboard, const char *ca_file, char **base, GError **error)
{
	*base = base_url(switchboard, error);
	if (*base == NULL)
		return NULL;
	g_autoptr(SoupSession) session = soup_session_new_with_options("timeout", TIMEOUT_S, NULL);
	soup_session_add_feature_by_type(session, SOUP_TYPE_COOKIE_JAR);
	if (ca_file) {
		g_autoptr(GError) local = NULL;
		g_autoptr(GTlsDatabase) db = g_tls_file_database_new(ca_file, &local);
		if (db == NULL) {
			relais_fail(error, RELAIS_DIAG_CLIENT_ERROR, RELAIS_DIAG_CLIENT_ERROR_USAGE, "--ca-file: %s",
				    local->message);
			return NULL;
		}
		soup_session_set_tls_database(session, db);
	}
	return g_steal_pointer(&session);
}

JsonObject *relais_diag_fetch(const char *switchboard, const char *ca_file, const char *login, const char *password,
			      const char *booth_id, GError **error)
{
	if (!relais_proto_valid_id(booth_id)) {
		relais_fail(error, RELAIS_DIAG_CLIENT_ERROR, RELAIS_DIAG_CLIENT_ERROR_USAGE,
			    "'%s' is not a booth id (letters, digits, . _ : -)", booth_id ? booth_id : "");
		return NULL;
	}
	g_autofree char *base = NULL;
	g_autoptr(SoupSession) session = admin_session(switchboard, ca_file, &base, error);
	if (session == NULL || !sign_in(session, base, login, password, error))
		return NULL;
	g_autofree char *url = g_strdup_printf("%s/api/admin/booths/%s/diag", base, booth_id);
	g_autoptr(SoupMessage) msg = soup_message_new("GET", url);
	guint status = 0;
	g_autoptr(JsonObject) reply = NULL;
	gboolean reached = exchange(session, msg, &status, &reply, error);
	sign_out(session, base);
	if (!reached)
		return NULL;
	if (status != SOUP_STATUS_OK) {
		g_autofree char *why = error_text(reply, status);
		relais_fail(error, RELAIS_DIAG_CLIENT_ERROR, code_of(status), "booth %s: %s", booth_id, why);
		return NULL;
	}
	if (reply == NULL || !json_object_has_member(reply, "report")) {
		relais_fail(error, RELAIS_DIAG_CLIENT_ERROR, RELAIS_DIAG_CLIENT_ERROR_FAILED,
			    "the switchboard's answer is not a diagnostic report");
		return NULL;
	}
	return g_steal_pointer(&reply);
}

/* --- relaisctl update ----------------------------------------------------------- */

static void say_line(RelaisUpdateSay say, gpointer data, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static void say_line(RelaisUpdateSay say, gpointer data, const char *fmt, ...)
{
	if (say == NULL)
		return;
	va_list ap;
	va_start(ap, fmt);
	g_autofree char *line = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	say(line, data);
}

/* POST the file as the body, streamed. Returns: the bundle's id, or NULL. */
static char *upload_bundle(SoupSession *session, const char *base, const char *path, RelaisUpdateSay say, gpointer data,
			   GError **error)
{
	g_autoptr(GFile) file = g_file_new_for_path(path);
	g_autoptr(GError) local = NULL;
	g_autoptr(GFileInfo) info =
		g_file_query_info(file, G_FILE_ATTRIBUTE_STANDARD_SIZE "," G_FILE_ATTRIBUTE_STANDARD_TYPE,
				  G_FILE_QUERY_INFO_NONE, NULL, &local);
	g_autoptr(GFileInputStream) in = info ? g_file_read(file, NULL, &local) : NULL;
	if (in == NULL || g_file_info_get_file_type(info) != G_FILE_TYPE_REGULAR) {
		relais_fail(error, RELAIS_DIAG_CLIENT_ERROR, RELAIS_DIAG_CLIENT_ERROR_BUNDLE, "%s: %s", path,
			    local ? local->message : "not a file");
		return NULL;
	}
	goffset size = g_file_info_get_size(info);
	say_line(say, data, "uploading %s (%" G_GINT64_FORMAT " bytes)", path, (gint64)size);
	g_autofree char *url = g_strconcat(base, "/api/admin/bundles", NULL);
	g_autoptr(SoupMessage) msg = soup_message_new("POST", url);
	soup_message_set_request_body(msg, "application/octet-stream", G_INPUT_STREAM(in), size);
	guint status = 0;
	g_autoptr(JsonObject) reply = NULL;
	if (!exchange(session, msg, &status, &reply, error))
		return NULL;
	if (status != SOUP_STATUS_OK && status != SOUP_STATUS_CREATED) {
		g_autofree char *why = error_text(reply, status);
		RelaisDiagClientError code = status == SOUP_STATUS_FORBIDDEN	  ? RELAIS_DIAG_CLIENT_ERROR_FORBIDDEN
					     : status == SOUP_STATUS_UNAUTHORIZED ? RELAIS_DIAG_CLIENT_ERROR_SIGNIN
										  : RELAIS_DIAG_CLIENT_ERROR_BUNDLE;
		relais_fail(error, RELAIS_DIAG_CLIENT_ERROR, code, "the bundle was refused: %s", why);
		return NULL;
	}
	const char *id = reply ? json_object_get_string_member_with_default(reply, "id", NULL) : NULL;
	if (!relais_proto_valid_sha256(id)) {
		relais_fail(error, RELAIS_DIAG_CLIENT_ERROR, RELAIS_DIAG_CLIENT_ERROR_FAILED,
			    "the switchboard's answer names no bundle");
		return NULL;
	}
	const char *version = json_object_get_string_member_with_default(reply, "version", NULL);
	say_line(say, data, "bundle %.12s kept by the switchboard (version %s)", id, version ? version : "unknown");
	return g_strdup(id);
}

/* The booth's update job in GET /api/admin/booths, or NULL. */
static JsonObject *booth_update(SoupSession *session, const char *base, const char *booth_id, GError **error)
{
	g_autofree char *url = g_strconcat(base, "/api/admin/booths", NULL);
	g_autoptr(SoupMessage) msg = soup_message_new("GET", url);
	guint status = 0;
	g_autoptr(JsonObject) reply = NULL;
	if (!exchange(session, msg, &status, &reply, error))
		return NULL;
	JsonNode *list = status == SOUP_STATUS_OK && reply ? json_object_get_member(reply, "booths") : NULL;
	if (list == NULL || !JSON_NODE_HOLDS_ARRAY(list)) {
		g_autofree char *why = error_text(reply, status);
		relais_fail(error, RELAIS_DIAG_CLIENT_ERROR, code_of(status), "listing the booths: %s", why);
		return NULL;
	}
	JsonArray *a = json_node_get_array(list);
	for (guint i = 0; i < json_array_get_length(a); i++) {
		JsonNode *n = json_array_get_element(a, i);
		JsonObject *b = JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
		if (b && g_strcmp0(json_object_get_string_member_with_default(b, "id", NULL), booth_id) == 0) {
			JsonNode *u = json_object_get_member(b, "update");
			if (u && JSON_NODE_HOLDS_OBJECT(u))
				return json_object_ref(json_node_get_object(u));
		}
	}
	relais_fail(error, RELAIS_DIAG_CLIENT_ERROR, RELAIS_DIAG_CLIENT_ERROR_FAILED, "booth %s has no update",
		    booth_id);
	return NULL;
}

static const char *member(JsonObject *o, const char *name)
{
	return json_object_get_string_member_with_default(o, name, "");
}

JsonObject *relais_update_send(const char *switchboard, const char *ca_file, const char *login, const char *password,
			       const char *booth_id, const char *bundle, guint wait_s, RelaisUpdateSay say,
			       gpointer user_data, GError **error)
{
	if (!relais_proto_valid_id(booth_id)) {
		relais_fail(error, RELAIS_DIAG_CLIENT_ERROR, RELAIS_DIAG_CLIENT_ERROR_USAGE,
			    "'%s' is not a booth id (letters, digits, . _ : -)", booth_id ? booth_id : "");
		return NULL;
	}
	g_autofree char *base = NULL;
	g_autoptr(SoupSession) session = admin_session(switchboard, ca_file, &base, error);
	if (session == NULL || !sign_in(session, base, login, password, error))
		return NULL;
	g_autoptr(JsonObject) job = NULL;
	g_autofree char *id = upload_bundle(session, base, bundle, say, user_data, error);
	if (id) {
		g_autofree char *url = g_strdup_printf("%s/api/admin/booths/%s/update", base, booth_id);
		g_autofree char *json = g_strdup_printf("{\"bundle\":\"%s\"}", id);
		g_autoptr(SoupMessage) msg = json_post(url, json);
		guint status = 0;
		if (exchange(session, msg, &status, &job, error) && status != SOUP_STATUS_CREATED) {
			g_autofree char *why = error_text(job, status);
			relais_fail(error, RELAIS_DIAG_CLIENT_ERROR,
				    status == SOUP_STATUS_CONFLICT ? RELAIS_DIAG_CLIENT_ERROR_UPDATING
								   : code_of(status),
				    "booth %s: %s", booth_id, why);
			g_clear_pointer(&job, json_object_unref);
		}
	}
	if (job) {
		say_line(say, user_data, "update %s asked of booth %s (%s)", member(job, "id"), booth_id,
			 json_object_get_boolean_member_with_default(job, "offered", FALSE)
				 ? "offered now"
				 : "offered when it next connects");
	}
	/* follow it: the switchboard's view, every two seconds */
	g_autofree char *said = NULL;
	gint64 until = g_get_monotonic_time() + (gint64)wait_s * G_USEC_PER_SEC;
	while (job && wait_s > 0) {
		g_autofree char *now = g_strdup_printf("%s %" G_GINT64_FORMAT "%% %s", member(job, "state"),
						       json_object_get_int_member_with_default(job, "progress", 0),
						       member(job, "message"));
		if (g_strcmp0(now, said) != 0) {
			say_line(say, user_data, "%s", now);
			g_free(said);
			said = g_steal_pointer(&now);
		}
		if (!json_object_get_boolean_member_with_default(job, "active", TRUE))
			break;
		if (g_get_monotonic_time() >= until) {
			relais_fail(error, RELAIS_DIAG_CLIENT_ERROR, RELAIS_DIAG_CLIENT_ERROR_NO_ANSWER,
				    "update %s still %s after %u s", member(job, "id"), member(job, "state"), wait_s);
			g_clear_pointer(&job, json_object_unref);
			break;
		}
		g_usleep(2 * G_USEC_PER_SEC);
		g_autoptr(JsonObject) seen = booth_update(session, base, booth_id, error);
		if (seen == NULL || g_strcmp0(member(seen, "id"), member(job, "id")) != 0) {
			if (seen)
				relais_fail(error, RELAIS_DIAG_CLIENT_ERROR, RELAIS_DIAG_CLIENT_ERROR_FAILED,
					    "another update of booth %s came first", booth_id);
			g_clear_pointer(&job, json_object_unref);
			break;
		}
		json_object_unref(job);
		job = g_steal_pointer(&seen);
	}
	sign_out(session, base);
	if (job && wait_s > 0 && g_strcmp0(member(job, "state"), "kept") != 0) {
		relais_fail(error, RELAIS_DIAG_CLIENT_ERROR, RELAIS_DIAG_CLIENT_ERROR_UPDATE_FAILED,
			    "update %s of booth %s: %s%s%s", member(job, "id"), booth_id, member(job, "state"),
			    *member(job, "message") ? ": " : "", member(job, "message"));
		return NULL;
	}
	return g_steal_pointer(&job);
}
