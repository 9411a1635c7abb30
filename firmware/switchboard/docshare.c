/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "relais-docshare"

#include "docshare.h"
#include "auth.h"
#include "http.h"

#include <string.h>

#define UPLOAD_KEY   "relais-doc-upload"
#define UPLOAD_PATH  "/api/call/document"
#define FETCH_PREFIX "/api/booth/document/"

typedef struct {
	SbDocshareConfig config;
} Docshare;

/* One upload's body, filled chunk by chunk: exactly Content-Length bytes. */
typedef struct {
	guint8 *data;
	gsize len, got;
	RelaisDocKind kind;
} Upload;

static void upload_free(Upload *u)
{
	if (u->data) {
		memset(u->data, 0, u->len);
		g_free(u->data);
	}
	g_free(u);
}

typedef struct {
	guint8 *data;
	gsize len;
} Zeroed;

static void zeroed_free(gpointer p)
{
	Zeroed *z = p;
	memset(z->data, 0, z->len);
	g_free(z->data);
	g_free(z);
}

static const char *const doc_error_codes[] = {"empty",	   "too-large", "type",	 "not-kind",
					      "truncated", "encrypted", "pages", "pixels"};

static void set_doc_error(SoupServerMessage *msg, guint status, const char *code, const char *text)
{
	g_autoptr(JsonNode) root = json_node_init_object(json_node_alloc(), json_object_new());
	JsonObject *o = json_node_get_object(root);
	json_object_set_string_member(o, "error", text);
	json_object_set_string_member(o, "code", code);
	sb_http_set_json_node(msg, status, root);
}

static char *max_mb_text(gsize max_bytes)
{
	g_autofree char *max = relais_doc_size_text(max_bytes);
	return g_strdup_printf("Too large: max %s.", max);
}

/* The adviser's connection in a call, from the request's session; replies
 * 401/403/409 and returns NULL otherwise. */
static SbPeer *adviser_in_call(Docshare *ds, SoupServerMessage *msg)
{
	g_autofree char *token = NULL;
	g_autoptr(SbUser) user = sb_http_require_role(
		ds->config.store, msg, SB_HTTP_ROLE(SB_ROLE_ADVISER) | SB_HTTP_ROLE(SB_ROLE_ADMIN), &token);
	if (user == NULL)
		return NULL;
	g_autofree char *hash = sb_auth_token_hash(token);
	SbPeer *peer = ds->config.find_adviser(hash, ds->config.find_data);
	if (peer == NULL)
		set_doc_error(msg, SOUP_STATUS_CONFLICT, "no-call",
			      "You are not in a call: documents are shown in a call.");
	return peer;
}

static void on_chunk(SoupServerMessage *msg, GBytes *chunk, gpointer data)
{
	Upload *u = data;
	gsize n = 0;
	const guint8 *p = g_bytes_get_data(chunk, &n);
	/* libsoup reads no more than Content-Length; never trust it blindly */
	n = MIN(n, u->len - u->got);
	if (n > 0) {
		memcpy(u->data + u->got, p, n);
		u->got += n;
	}
}

/* After the headers, before the body: everything that can be refused
 * without reading the file is refused here. */
static void on_upload_early(SoupServer *soup, SoupServerMessage *msg, const char *path, GHashTable *query,
			    gpointer user_data)
{
	Docshare *ds = user_data;
	if (g_strcmp0(path, UPLOAD_PATH) != 0) {
		sb_http_set_json_error(msg, SOUP_STATUS_NOT_FOUND, "no such endpoint");
		return;
	}
	if (!sb_http_allow(msg, "GET, POST"))
		return;
	if (g_strcmp0(soup_server_message_get_method(msg), "POST") != 0)
		return; /* GET: the caps, in the normal handler */
	if (!sb_http_origin_is_ours(msg, ds->config.secure, FALSE)) {
		sb_http_set_json_error(msg, SOUP_STATUS_FORBIDDEN, "cross-origin request refused");
		return;
	}
	if (adviser_in_call(ds, msg) == NULL)
		return;
	SoupMessageHeaders *h = soup_server_message_get_request_headers(msg);
	RelaisDocKind kind;
	if (!relais_doc_kind_from_mime(soup_message_headers_get_content_type(h, NULL), &kind)) {
		set_doc_error(msg, SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE, "type",
			      "Only PDF, PNG and JPEG files can be shown (Content-Type application/pdf, image/png "
			      "or image/jpeg).");
		return;
	}
	if (soup_message_headers_get_encoding(h) != SOUP_ENCODING_CONTENT_LENGTH) {
		set_doc_error(msg, SOUP_STATUS_LENGTH_REQUIRED, "length", "Send the file with a Content-Length.");
		return;
	}
	goffset len = soup_message_headers_get_content_length(h);
	if (len <= 0) {
		set_doc_error(msg, SOUP_STATUS_BAD_REQUEST, "empty", "The file is empty.");
		return;
	}
	if ((guint64)len > ds->config.limits.max_bytes) {
		g_autofree char *why = max_mb_text(ds->config.limits.max_bytes);
		set_doc_error(msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "too-large", why);
		return;
	}
	Upload *u = g_new0(Upload, 1);
	u->data = g_try_malloc((gsize)len);
	if (u->data == NULL) {
		g_free(u);
		set_doc_error(msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "memory", "The switchboard is short of memory.");
		return;
	}
	u->len = (gsize)len;
	u->kind = kind;
	g_object_set_data_full(G_OBJECT(msg), UPLOAD_KEY, u, (GDestroyNotify)upload_free);
	soup_message_body_set_accumulate(soup_server_message_get_request_body(msg), FALSE);
	g_signal_connect(msg, "got-chunk", G_CALLBACK(on_chunk), u);
}

static void reply_limits(Docshare *ds, SoupServerMessage *msg)
{
	g_autofree char *token = NULL;
	g_autoptr(SbUser) user = sb_http_require_role(
		ds->config.store, msg, SB_HTTP_ROLE(SB_ROLE_ADVISER) | SB_HTTP_ROLE(SB_ROLE_ADMIN), &token);
	if (user == NULL)
		return;
	g_autoptr(JsonBuilder) b = json_builder_new();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "max_bytes");
	json_builder_add_int_value(b, (gint64)ds->config.limits.max_bytes);
	json_builder_set_member_name(b, "max_pages");
	json_builder_add_int_value(b, ds->config.limits.max_pages);
	json_builder_set_member_name(b, "max_pixels");
	json_builder_add_int_value(b, (gint64)ds->config.limits.max_pixels);
	json_builder_set_member_name(b, "types");
	json_builder_begin_array(b);
	for (guint i = 0; i < RELAIS_DOC_N_KINDS; i++)
		json_builder_add_string_value(b, relais_doc_kind_mime(i));
	json_builder_end_array(b);
	json_builder_end_object(b);
	sb_http_set_json(msg, SOUP_STATUS_OK, b);
}

/* After the whole body: check the bytes and show them. */
static void on_upload(SoupServer *soup, SoupServerMessage *msg, const char *path, GHashTable *query, gpointer user_data)
{
	Docshare *ds = user_data;
	if (g_strcmp0(soup_server_message_get_method(msg), "GET") == 0) {
		reply_limits(ds, msg);
		return;
	}
	Upload *u = g_object_get_data(G_OBJECT(msg), UPLOAD_KEY);
	if (u == NULL) {
		sb_http_set_json_error(msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "upload lost");
		return;
	}
	if (u->got != u->len) {
		set_doc_error(msg, SOUP_STATUS_BAD_REQUEST, "truncated", "The upload is incomplete.");
		return;
	}
	/* the call may have ended while the file came in */
	SbPeer *peer = adviser_in_call(ds, msg);
	if (peer == NULL)
		return;
	g_autoptr(GError) error = NULL;
	RelaisDocInfo info;
	if (!relais_doc_check(u->data, u->len, u->kind, &ds->config.limits, &info, &error)) {
		guint status = error->code == RELAIS_DOC_ERROR_TOO_LARGE ? SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE
			       : error->code == RELAIS_DOC_ERROR_TYPE	 ? SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE
									 : SOUP_STATUS_BAD_REQUEST;
		const char *code =
			(guint)error->code < G_N_ELEMENTS(doc_error_codes) ? doc_error_codes[error->code] : "invalid";
		g_message("document refused (%s): %s", relais_doc_kind_name(u->kind), error->message);
		set_doc_error(msg, status, code, error->message);
		return;
	}
	/* the buffer moves into bytes that zero themselves when dropped */
	Zeroed *z = g_new0(Zeroed, 1);
	z->data = g_steal_pointer(&u->data);
	z->len = u->len;
	g_autoptr(GBytes) bytes = g_bytes_new_with_free_func(z->data, z->len, zeroed_free, z);
	const char *id = sb_hub_show_document(ds->config.hub, peer, u->kind, bytes, info.pages);
	if (id == NULL) {
		set_doc_error(msg, SOUP_STATUS_CONFLICT, "no-call",
			      "You are not in a call: documents are shown in a call.");
		return;
	}
	g_autoptr(JsonBuilder) b = json_builder_new();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "doc");
	json_builder_add_string_value(b, id);
	json_builder_set_member_name(b, "kind");
	json_builder_add_string_value(b, relais_doc_kind_name(u->kind));
	json_builder_set_member_name(b, "pages");
	json_builder_add_int_value(b, info.pages);
	json_builder_set_member_name(b, "size");
	json_builder_add_int_value(b, (gint64)z->len);
	json_builder_end_object(b);
	sb_http_set_json(msg, SOUP_STATUS_OK, b);
}

static void on_fetch(SoupServer *soup, SoupServerMessage *msg, const char *path, GHashTable *query, gpointer user_data)
{
	Docshare *ds = user_data;
	if (!sb_http_allow(msg, "GET"))
		return;
	SoupMessageHeaders *h = soup_server_message_get_request_headers(msg);
	/* booths are not browsers: a page must not fetch it in their name */
	if (soup_message_headers_get_one(h, "Origin") != NULL) {
		sb_http_set_json_error(msg, SOUP_STATUS_FORBIDDEN, "booths do not send an Origin");
		return;
	}
	const char *token = g_str_has_prefix(path, FETCH_PREFIX) ? path + strlen(FETCH_PREFIX) : "";
	RelaisDocKind kind;
	g_autoptr(GBytes) bytes =
		sb_hub_fetch_document(ds->config.hub, token, soup_message_headers_get_one(h, "X-Relais-Booth"), &kind);
	if (bytes == NULL) {
		sb_http_set_json_error(msg, SOUP_STATUS_NOT_FOUND, "no such document");
		return;
	}
	SoupMessageHeaders *rh = soup_server_message_get_response_headers(msg);
	soup_message_headers_replace(rh, "Cache-Control", "no-store");
	soup_message_headers_replace(rh, "X-Content-Type-Options", "nosniff");
	soup_message_headers_set_content_type(rh, relais_doc_kind_mime(kind), NULL);
	soup_server_message_set_status(msg, SOUP_STATUS_OK, NULL);
	soup_message_body_append_bytes(soup_server_message_get_response_body(msg), bytes);
}

void sb_docshare_register(SoupServer *soup, const SbDocshareConfig *config)
{
	Docshare *ds = g_new0(Docshare, 1);
	ds->config = *config;
	relais_doc_limits_resolve(&ds->config.limits);
	g_object_set_data_full(G_OBJECT(soup), "relais-docshare", ds, g_free);
	soup_server_add_early_handler(soup, UPLOAD_PATH, on_upload_early, ds, NULL);
	soup_server_add_handler(soup, UPLOAD_PATH, on_upload, ds, NULL);
	soup_server_add_handler(soup, FETCH_PREFIX, on_fetch, ds, NULL);
}
