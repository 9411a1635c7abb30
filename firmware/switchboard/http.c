/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "relais-http"

#include "http.h"
#include "auth.h"
#include "client.h"

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
	/* the node takes the object: json_node_init_object() would add a
	 * reference of its own and leave json_object_new()'s one behind */
	g_autoptr(JsonNode) root = json_node_new(JSON_NODE_OBJECT);
	json_node_take_object(root, json_object_new());
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
	return sb_http_cookie_token(
		soup_message_headers_get_list(soup_server_message_get_request_headers(msg), "Cookie"));
}

char *sb_http_cookie_token(const char *cookies)
{
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

gboolean sb_http_parse_credentials(const char *content_type, const char *data, gsize len, char **login, char **password,
				   const char **why)
{
	*login = *password = NULL;
	if (data == NULL || len == 0 || memchr(data, '\0', len) != NULL || !g_utf8_validate(data, len, NULL)) {
		*why = "empty or malformed body";
		return FALSE;
	}
	g_autofree char *text = g_strndup(data, len);
	if (g_strcmp0(content_type, "application/json") == 0) {
		g_autoptr(JsonParser) parser = json_parser_new();
		/* blank text parses, without a root */
		if (!json_parser_load_from_data(parser, text, len, NULL) || json_parser_get_root(parser) == NULL ||
		    !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser))) {
			*why = "the body is not a JSON object";
			return FALSE;
		}
		JsonObject *o = json_node_get_object(json_parser_get_root(parser));
		JsonNode *l = json_object_get_member(o, "login"), *p = json_object_get_member(o, "password");
		if (l == NULL || p == NULL || json_node_get_value_type(l) != G_TYPE_STRING ||
		    json_node_get_value_type(p) != G_TYPE_STRING) {
			*why = "login and password (strings) are required";
			return FALSE;
		}
		*login = g_strdup(json_node_get_string(l));
		*password = g_strdup(json_node_get_string(p));
	} else if (g_strcmp0(content_type, "application/x-www-form-urlencoded") == 0) {
		g_autoptr(GHashTable) form = soup_form_decode(text);
		const char *l = g_hash_table_lookup(form, "login"), *p = g_hash_table_lookup(form, "password");
		if (l == NULL || p == NULL || !g_utf8_validate(l, -1, NULL) || !g_utf8_validate(p, -1, NULL)) {
			*why = "login and password are required";
			return FALSE;
		}
		*login = g_strdup(l);
		*password = g_strdup(p);
	} else {
		*why = "send application/json or application/x-www-form-urlencoded";
		return FALSE;
	}
	if (**login == '\0' || **password == '\0') {
		g_clear_pointer(login, g_free);
		g_clear_pointer(password, g_free);
		*why = "login and password must not be empty";
		return FALSE;
	}
	return TRUE;
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
	/* behind a trusted proxy, the scheme is the one the browser used */
	g_autofree char *ours = g_strconcat(sb_client_is_https(msg, secure) ? "https://" : "http://", host, NULL);
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

/* --- refusing before the body ----------------------------------------------------
 * libsoup 3 reads (and by default keeps) a request's whole body even when an
 * early handler has already set the answer. A refused upload therefore takes
 * the connection over: the answer is written at once, what the client still
 * sends is read and dropped for a moment (so that it sees the answer rather
 * than a reset), and the connection is closed. */

/* A client that sends as fast as it can has pushed what the socket buffers
 * hold (several MiB each way, autotuned) by the time the answer reaches it,
 * and a busy client may push tens of MiB more before it reads it (Node on
 * loopback: up to 69 MiB seen); closing on unread data resets the
 * connection, and the reset costs the client the answer it has not read
 * yet. So what still comes is read and dropped, into one 16 KiB buffer, for
 * 2 s (nginx's lingering close, shorter), or until the client goes: no
 * memory held, the time bounds the work. (A 64 MiB bound as well reset
 * fast clients before they read the 413: hostile.test.mjs failed on it.) */
#define DRAIN_MAX_BYTES ((gsize)1 << 30)
#define DRAIN_MAX_MS	2000

typedef struct {
	GIOStream *io;
	GBytes *answer;
	GCancellable *cancel;
	guint timeout_id;
	gsize drained;
	guint8 buf[16384];
} Refusal;

static void refusal_free(Refusal *r)
{
	g_clear_handle_id(&r->timeout_id, g_source_remove);
	g_io_stream_close_async(r->io, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
	g_object_unref(r->io);
	g_bytes_unref(r->answer);
	g_object_unref(r->cancel);
	g_free(r);
}

static gboolean on_drain_timeout(gpointer data)
{
	Refusal *r = data;
	r->timeout_id = 0;
	g_cancellable_cancel(r->cancel);
	return G_SOURCE_REMOVE;
}

static void on_drained(GObject *source, GAsyncResult *res, gpointer data)
{
	Refusal *r = data;
	gssize n = g_input_stream_read_finish(G_INPUT_STREAM(source), res, NULL);
	if (n <= 0 || (r->drained += (gsize)n) >= DRAIN_MAX_BYTES) {
		refusal_free(r);
		return;
	}
	g_input_stream_read_async(g_io_stream_get_input_stream(r->io), r->buf, sizeof r->buf, G_PRIORITY_LOW, r->cancel,
				  on_drained, r);
}

static void on_refusal_written(GObject *source, GAsyncResult *res, gpointer data)
{
	Refusal *r = data;
	if (!g_output_stream_write_all_finish(G_OUTPUT_STREAM(source), res, NULL, NULL)) {
		refusal_free(r);
		return;
	}
	r->timeout_id = g_timeout_add(DRAIN_MAX_MS, on_drain_timeout, r);
	g_input_stream_read_async(g_io_stream_get_input_stream(r->io), r->buf, sizeof r->buf, G_PRIORITY_LOW, r->cancel,
				  on_drained, r);
}

void sb_http_refuse_before_body(SoupServerMessage *msg)
{
	SoupMessageHeaders *h = soup_server_message_get_request_headers(msg);
	if (soup_message_headers_get_encoding(h) == SOUP_ENCODING_CONTENT_LENGTH &&
	    soup_message_headers_get_content_length(h) == 0)
		return; /* nothing to read: libsoup answers as usual */
	guint status = soup_server_message_get_status(msg);
	SoupMessageHeaders *rh = soup_server_message_get_response_headers(msg);
	g_autoptr(GBytes) body = soup_message_body_flatten(soup_server_message_get_response_body(msg));
	const char *type = soup_message_headers_get_content_type(rh, NULL);
	const char *allow = soup_message_headers_get_one(rh, "Allow");
	g_autoptr(GString) a = g_string_new(NULL);
	g_string_append_printf(a, "HTTP/1.1 %u %s\r\n", status, soup_status_get_phrase(status));
	g_string_append_printf(a, "Content-Type: %s\r\n", type ? type : "application/json");
	g_string_append_printf(a, "Content-Length: %" G_GSIZE_FORMAT "\r\n", g_bytes_get_size(body));
	if (allow)
		g_string_append_printf(a, "Allow: %s\r\n", allow);
	const char *retry = soup_message_headers_get_one(rh, "Retry-After");
	if (retry)
		g_string_append_printf(a, "Retry-After: %s\r\n", retry);
	g_string_append(a, "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n");
	g_string_append_len(a, g_bytes_get_data(body, NULL), (gssize)g_bytes_get_size(body));
	GIOStream *io = soup_server_message_steal_connection(msg);
	if (io == NULL)
		return; /* libsoup keeps it: it reads the body, then answers */
	Refusal *r = g_new0(Refusal, 1);
	r->io = io;
	r->cancel = g_cancellable_new();
	r->answer = g_string_free_to_bytes(g_steal_pointer(&a));
	g_output_stream_write_all_async(g_io_stream_get_output_stream(io), g_bytes_get_data(r->answer, NULL),
					g_bytes_get_size(r->answer), G_PRIORITY_DEFAULT, NULL, on_refusal_written, r);
}

/* --- every body capped before it is kept -----------------------------------------
 * libsoup 3 keeps a request's whole body in memory before any handler runs.
 * Every request of a capped server is looked at once its headers are in
 * (after the early handlers, which refuse or stream their own uploads): a
 * declared Content-Length over the route's cap is refused before a byte of
 * the body is read; a chunked body is counted as libsoup keeps it, chunk by
 * chunk, and refused as soon as it passes the cap. Either way the answer is 413 and the
 * connection is taken over and closed (sb_http_refuse_before_body). */

typedef struct {
	SbHttpBodyCap cap;
	gpointer user_data;
} Capper;

static void set_too_large(SoupServerMessage *msg, gsize cap)
{
	g_autofree char *text = g_strdup_printf("request body too large (at most %" G_GSIZE_FORMAT " bytes)", cap);
	sb_http_set_json_error(msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, text);
}

/* After libsoup has kept the chunk: what is kept is at most the cap and one
 * read block. */
static void on_capped_chunk(SoupServerMessage *msg, GBytes *chunk, gpointer data)
{
	gsize cap = GPOINTER_TO_SIZE(data);
	if (soup_server_message_get_status(msg) != 0)
		return;
	if ((gsize)soup_server_message_get_request_body(msg)->length > cap) {
		g_message("refusing a chunked body over %" G_GSIZE_FORMAT " bytes from %s", cap,
			  sb_client_address(msg));
		set_too_large(msg, cap);
		/* from inside libsoup's read loop: it checks, after each chunk,
		 * whether the message still has its connection, and stops */
		sb_http_refuse_before_body(msg);
	}
}

static void on_capped_headers(SoupServerMessage *msg, gpointer data)
{
	Capper *capper = data;
	if (soup_server_message_get_status(msg) != 0)
		return; /* an early handler answered (and refused the body) */
	SoupMessageBody *body = soup_server_message_get_request_body(msg);
	if (!soup_message_body_get_accumulate(body))
		return; /* an early handler streams this upload itself, with its own cap */
	gsize cap = capper->cap(g_uri_get_path(soup_server_message_get_uri(msg)), capper->user_data);
	SoupMessageHeaders *h = soup_server_message_get_request_headers(msg);
	switch (soup_message_headers_get_encoding(h)) {
	case SOUP_ENCODING_CONTENT_LENGTH:
		if (soup_message_headers_get_content_length(h) > (goffset)cap) {
			g_message("refusing a body of %" G_GOFFSET_FORMAT " bytes (at most %" G_GSIZE_FORMAT
				  ") from %s",
				  soup_message_headers_get_content_length(h), cap, sb_client_address(msg));
			set_too_large(msg, cap);
			sb_http_refuse_before_body(msg);
		}
		return;
	case SOUP_ENCODING_NONE:
		return;
	default: /* chunked: its size is known only as it comes */
		g_signal_connect(msg, "got-chunk", G_CALLBACK(on_capped_chunk), GSIZE_TO_POINTER(cap));
		return;
	}
}

static void free_closure_data(gpointer data, GClosure *closure)
{
	g_free(data);
}

static void on_request_started(SoupServer *soup, SoupServerMessage *msg, gpointer data)
{
	/* connected after the server's own got-headers handler, which runs
	 * the early handlers: ours sees what they decided */
	g_signal_connect(msg, "got-headers", G_CALLBACK(on_capped_headers), data);
}

void sb_http_cap_bodies(SoupServer *soup, SbHttpBodyCap cap, gpointer user_data)
{
	Capper *capper = g_new0(Capper, 1);
	capper->cap = cap;
	capper->user_data = user_data;
	g_signal_connect_data(soup, "request-started", G_CALLBACK(on_request_started), capper, free_closure_data, 0);
}
