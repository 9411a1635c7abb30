/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "relais-http"

#include "http.h"
#include "auth.h"

#include <string.h>

void sb_http_set_json_node(SoupServerMessage *msg, guint status, JsonNode *root)
{
	g_autofree char *text = json_to_string(root, FALSE);
	SoupMessageHeaders *h = soup_server_message_get_response_headers(msg);
	soup_message_headers_replace(h, "Cache-Control", "no-store");
	soup_message_headers_replace(h, "X-Content-Type-Options", "nosniff");
	soup_server_message_set_status(msg, status, NULL);
	soup_server_message_set_response(msg, "application/json", SOUP_MEMORY_COPY, text, strlen(text));
}

void sb_http_set_json(SoupServerMessage *msg, guint status, JsonBuilder *b)
{
	g_autoptr(JsonNode) root = json_builder_get_root(b);
	sb_http_set_json_node(msg, status, root);
}

void sb_http_set_json_field_error(SoupServerMessage *msg, guint status, const char *field, const char *text)
{
	g_autoptr(JsonNode) root = json_node_init_object(json_node_alloc(), json_object_new());
	json_object_set_string_member(json_node_get_object(root), "error", text);
	if (field)
		json_object_set_string_member(json_node_get_object(root), "field", field);
	sb_http_set_json_node(msg, status, root);
}

void sb_http_set_json_error(SoupServerMessage *msg, guint status, const char *text)
{
	sb_http_set_json_field_error(msg, status, NULL, text);
}

void sb_http_method_not_allowed(SoupServerMessage *msg, const char *allow)
{
	soup_message_headers_replace(soup_server_message_get_response_headers(msg), "Allow", allow);
	sb_http_set_json_error(msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "method not allowed");
}

gboolean sb_http_allow(SoupServerMessage *msg, const char *allow)
{
	const char *method = soup_server_message_get_method(msg);
	g_auto(GStrv) allowed = g_strsplit(allow, ",", -1);
	for (char **a = allowed; *a; a++)
		if (g_strcmp0(g_strstrip(*a), method) == 0)
			return TRUE;
	sb_http_method_not_allowed(msg, allow);
	return FALSE;
}

SbUser *sb_http_require_role(SbStore *store, SoupServerMessage *msg, guint roles, char **token_out)
{
	SbUser *user = sb_http_signin_user(store, msg, token_out);
	if (user == NULL) {
		sb_http_set_json_error(msg, SOUP_STATUS_UNAUTHORIZED, "not signed in");
		return NULL;
	}
	if (!(roles & SB_HTTP_ROLE(user->role))) {
		sb_user_free(user);
		if (token_out)
			g_clear_pointer(token_out, g_free);
		sb_http_set_json_error(msg, SOUP_STATUS_FORBIDDEN, "this account may not do this");
		return NULL;
	}
	return user;
}

char *sb_http_signin_token(SoupServerMessage *msg)
{
	const char *cookies = soup_message_headers_get_list(soup_server_message_get_request_headers(msg), "Cookie");
	if (cookies == NULL)
		return NULL;
	g_auto(GStrv) parts = g_strsplit_set(cookies, ";,", -1);
	for (char **p = parts; *p; p++) {
		const char *c = g_strstrip(*p);
		if (g_str_has_prefix(c, SB_SESSION_COOKIE "=")) {
			const char *v = c + strlen(SB_SESSION_COOKIE "=");
			if (*v && strlen(v) <= 2 * SB_AUTH_TOKEN_CHARS)
				return g_strdup(v);
		}
	}
	return NULL;
}

SbUser *sb_http_signin_user(SbStore *store, SoupServerMessage *msg, char **token_out)
{
	g_autofree char *token = sb_http_signin_token(msg);
	if (token == NULL)
		return NULL;
	g_autoptr(GError) error = NULL;
	SbUser *user = sb_store_signin_lookup(store, token, &error);
	if (user == NULL) {
		if (error && !g_error_matches(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND) &&
		    !g_error_matches(error, SB_STORE_ERROR, SB_STORE_ERROR_EXPIRED) &&
		    !g_error_matches(error, SB_STORE_ERROR, SB_STORE_ERROR_DISABLED))
			g_warning("session lookup: %s", error->message);
		return NULL;
	}
	if (token_out)
		*token_out = g_steal_pointer(&token);
	return user;
}

gboolean sb_http_origin_is_ours(SoupServerMessage *msg, gboolean secure, gboolean required)
{
	SoupMessageHeaders *h = soup_server_message_get_request_headers(msg);
	const char *origin = soup_message_headers_get_one(h, "Origin");
	if (origin == NULL)
		return !required;
	const char *host = soup_message_headers_get_one(h, "Host");
	if (host == NULL || *host == '\0')
		return FALSE;
	g_autofree char *ours = g_strconcat(secure ? "https://" : "http://", host, NULL);
	return g_ascii_strcasecmp(origin, ours) == 0;
}

gint64 sb_http_parse_id(const char *text)
{
	if (text == NULL || *text == '\0' || strlen(text) > 18)
		return 0;
	for (const char *p = text; *p; p++)
		if (!g_ascii_isdigit(*p))
			return 0;
	return g_ascii_strtoll(text, NULL, 10);
}
