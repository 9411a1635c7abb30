/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "relais-docshare"

#include "docshare.h"
#include "auth.h"
#include "enrol-http.h"
#include "http.h"

#include <string.h>

#define UPLOAD_KEY   "relais-doc-upload"
#define UPLOAD_PATH  "/api/call/document"
#define FETCH_PREFIX "/api/booth/document/"

/* Uploads being received at once may hold at most this many times the cap
 * (a few advisers sending together); more waits for a 503. */
#define INFLIGHT_UPLOADS 4

typedef struct {
	SbDocshareConfig config;
	SbEnrol *enrol; /* checks the booths' certificates (downloads) */
	gsize inflight; /* bytes of the upload buffers allocated now */
} Docshare;

/* One upload's body, filled chunk by chunk: exactly Content-Length bytes. */
typedef struct {
	Docshare *ds;
	guint8 *data;
	gsize len, got;
	RelaisDocKind kind;
} Upload;

static void upload_free(Upload *u)
{
	u->ds->inflight -= u->len;
	g_rc_box_release(u->ds);
	if (u->data) {
		memset(u->data, 0, u->len);
		g_free(u->data);
	}
	g_free(u);
}

static const char *const doc_error_codes[] = {"empty",	   "too-large", "type",	 "not-kind",
					      "truncated", "encrypted", "pages", "pixels"};

static void set_doc_error(SoupServerMessage *msg, guint status, const char *code, const char *text)
{
	/* the node takes the object: json_node_init_object() would add a
	 * reference of its own and leave json_object_new()'s one behind */
	g_autoptr(JsonNode) root = json_node_new(JSON_NODE_OBJECT);
	json_node_take_object(root, json_object_new());
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

/* The adviser's connection in a call, from the request's sign-in; replies
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

static void check_upload_headers(Docshare *ds, SoupServerMessage *msg);

/* After the headers, before the body: everything that can be refused
 * without reading the file is refused here. */
static void on_upload_early(SoupServer *soup, SoupServerMessage *msg, const char *path, GHashTable *query,
			    gpointer user_data)
{
	Docshare *ds = user_data;
	check_upload_headers(ds, msg);
	if (soup_server_message_get_status(msg) != 0)
		sb_http_refuse_before_body(msg);
}

static void check_upload_headers(Docshare *ds, SoupServerMessage *msg)
{
	const char *path = g_uri_get_path(soup_server_message_get_uri(msg));
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
	if (ds->inflight + (gsize)len > INFLIGHT_UPLOADS * ds->config.limits.max_bytes) {
		soup_message_headers_replace(soup_server_message_get_response_headers(msg), "Retry-After", "5");
		set_doc_error(msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "busy",
			      "The switchboard is receiving other documents: try again in a few seconds.");
		return;
	}
	guint8 *data = g_try_malloc((gsize)len);
	if (data == NULL) {
		set_doc_error(msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "memory", "The switchboard is short of memory.");
		return;
	}
	Upload *u = g_new0(Upload, 1);
	u->ds = g_rc_box_acquire(ds); /* a message may outlive the server */
	u->data = data;
	u->len = (gsize)len;
	ds->inflight += u->len;
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

/* After the whole body: the bytes are checked on a worker thread (poppler
 * may take a while over a PDF; the main loop relays the calls meanwhile),
 * the message paused, then shown from the main loop. */
typedef struct {
	Docshare *ds;
	SoupServerMessage *msg;
	Upload *u;     /* the message's: alive while msg is */
	gboolean gone; /* the client left meanwhile */
	gulong finished_id, disconnected_id;
	RelaisDocInfo info;
	GError *error;
} Check;

static void on_check_gone(SoupServerMessage *msg, gpointer data)
{
	((Check *)data)->gone = TRUE;
}

static void check_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
	Check *c = data;
	(void)relais_doc_check(c->u->data, c->u->len, c->u->kind, &c->ds->config.limits, &c->info, &c->error);
	g_task_return_boolean(task, TRUE);
}

/* Main loop: the answer to a checked upload. */
static void show_checked(Check *c)
{
	SoupServerMessage *msg = c->msg;
	Upload *u = c->u;
	if (c->error) {
		GError *error = c->error;
		guint status = error->code == RELAIS_DOC_ERROR_TOO_LARGE ? SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE
			       : error->code == RELAIS_DOC_ERROR_TYPE	 ? SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE
									 : SOUP_STATUS_BAD_REQUEST;
		const char *code =
			(guint)error->code < G_N_ELEMENTS(doc_error_codes) ? doc_error_codes[error->code] : "invalid";
		g_message("document refused (%s): %s", relais_doc_kind_name(u->kind), error->message);
		set_doc_error(msg, status, code, error->message);
		return;
	}
	/* the call may have ended while the file came in */
	SbPeer *peer = adviser_in_call(c->ds, msg);
	if (peer == NULL)
		return;
	/* the buffer moves into bytes that zero themselves when dropped */
	gsize len = u->len;
	g_autoptr(GBytes) bytes = relais_doc_bytes_take_zeroing(g_steal_pointer(&u->data), len);
	const char *id = sb_hub_show_document(c->ds->config.hub, peer, u->kind, bytes, c->info.pages);
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
	json_builder_add_int_value(b, c->info.pages);
	json_builder_set_member_name(b, "size");
	json_builder_add_int_value(b, (gint64)len);
	json_builder_end_object(b);
	sb_http_set_json(msg, SOUP_STATUS_OK, b);
}

static void on_checked(GObject *source, GAsyncResult *res, gpointer data)
{
	Check *c = data;
	if (!c->gone) {
		show_checked(c);
		soup_server_message_unpause(c->msg);
	}
	g_signal_handler_disconnect(c->msg, c->finished_id);
	g_signal_handler_disconnect(c->msg, c->disconnected_id);
	g_clear_error(&c->error);
	g_object_unref(c->msg);
	g_rc_box_release(c->ds);
	g_free(c);
}

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
	Check *c = g_new0(Check, 1);
	c->ds = g_rc_box_acquire(ds);
	c->msg = g_object_ref(msg);
	c->u = u;
	c->finished_id = g_signal_connect(msg, "finished", G_CALLBACK(on_check_gone), c);
	c->disconnected_id = g_signal_connect(msg, "disconnected", G_CALLBACK(on_check_gone), c);
	soup_server_message_pause(msg);
	g_autoptr(GTask) task = g_task_new(NULL, NULL, on_checked, c);
	g_task_set_task_data(task, c, NULL);
	g_task_run_in_thread(task, check_thread);
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
	/* who is asking is what its certificate says (403 set otherwise) */
	g_autoptr(SbBoothCert) who = sb_enrol_http_gate(ds->enrol, msg);
	if (who == NULL)
		return;
	const char *token = g_str_has_prefix(path, FETCH_PREFIX) ? path + strlen(FETCH_PREFIX) : "";
	RelaisDocKind kind;
	g_autoptr(GBytes) bytes = sb_hub_fetch_document(ds->config.hub, token, who->booth_id, &kind);
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

void sb_docshare_register(SoupServer *soup, SoupServer *booth_soup, SbEnrol *enrol, const SbDocshareConfig *config)
{
	Docshare *ds = g_rc_box_new0(Docshare);
	ds->config = *config;
	ds->enrol = enrol;
	relais_doc_limits_resolve(&ds->config.limits);
	g_object_set_data_full(G_OBJECT(soup), "relais-docshare", ds, g_rc_box_release);
	soup_server_add_early_handler(soup, UPLOAD_PATH, on_upload_early, ds, NULL);
	soup_server_add_handler(soup, UPLOAD_PATH, on_upload, ds, NULL);
	soup_server_add_handler(booth_soup, FETCH_PREFIX, on_fetch, g_rc_box_acquire(ds), g_rc_box_release);
}

gsize sb_docshare_uploads_bytes(SoupServer *soup)
{
	Docshare *ds = g_object_get_data(G_OBJECT(soup), "relais-docshare");
	return ds ? ds->inflight : 0;
}
