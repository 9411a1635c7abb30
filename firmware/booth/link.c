/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "relais-link"

#include "link.h"
#include "tlstext.h"
#include "backoff.h"
#include "relais-config.h"

#include <libsoup/soup.h>

struct _BoothLink {
	char *url, *booth_id, *site, *board, *software, *slot;
	guint ping_interval_s;
	BoothLinkCallbacks cb;
	gpointer user_data;
	BoothLinkState state;
	RelaisBackoff backoff;
	RelaisBackoff slow; /* once the certificate was refused */
	gboolean refused;   /* ... and not let in since */
	gboolean needs_certificate, started;
	GTlsCertificate *client_cert;
	SoupMessage *msg;	 /* the handshake in flight */
	gboolean handshaked;	 /* ... its TLS handshake completed */
	guint dropped_after_tls; /* attempts in a row cut right after the TLS handshake */
	SoupSession *session;
	GCancellable *cancellable;
	SoupWebsocketConnection *ws;
	guint retry_id;
	guint ping_id;
	guint reconnects;
	guint renewals;
	gint64 last_rx_us;
	gint64 probe_us;		 /* the first probe not answered yet (booth_link_probe); 0: none */
	char *resume_call;		 /* named in hello: the call to go back to */
	GTlsCertificateFlags tls_errors; /* of the last attempt's certificate */
};

static const char *const state_names[] = {"down", "connecting", "greeting", "up"};

const char *booth_link_state_name(BoothLinkState state)
{
	return (guint)state < G_N_ELEMENTS(state_names) ? state_names[state] : "?";
}

BoothLink *booth_link_new(const BoothLinkConfig *config, const BoothLinkCallbacks *callbacks, gpointer user_data)
{
	BoothLink *link = g_new0(BoothLink, 1);
	link->url = g_strdup(config->url);
	link->booth_id = g_strdup(config->booth_id);
	link->site = g_strdup(config->site);
	link->board = g_strdup(config->board);
	link->software = g_strdup(config->software);
	link->slot = g_strdup(config->slot);
	link->ping_interval_s = config->ping_interval_s ? config->ping_interval_s : 15;
	link->cb = *callbacks;
	link->user_data = user_data;
	relais_backoff_init(&link->backoff, config->reconnect_min_ms, config->reconnect_max_ms);
	/* a refused certificate stays refused until someone acts: a booth
	 * must not hammer the switchboard meanwhile */
	relais_backoff_init(&link->slow, CONFIG_RELAIS_BOOTH_REFUSED_RETRY_MIN_S * 1000,
			    CONFIG_RELAIS_BOOTH_REFUSED_RETRY_MAX_S * 1000);
	link->needs_certificate = config->needs_certificate;
	link->session = soup_session_new_with_options("user-agent", "relais-booth", "timeout", 10, NULL);
	if (config->tls_database)
		soup_session_set_tls_database(link->session, config->tls_database);
	return link;
}

static void connect_now(BoothLink *link);

/* the handshake's message: its signals stop reaching the link now */
static void clear_msg(BoothLink *link)
{
	if (link->msg)
		g_signal_handlers_disconnect_by_data(link->msg, link);
	g_clear_object(&link->msg);
}

static void drop_socket(BoothLink *link)
{
	g_clear_handle_id(&link->ping_id, g_source_remove);
	if (link->ws) {
		g_signal_handlers_disconnect_by_data(link->ws, link);
		if (soup_websocket_connection_get_state(link->ws) == SOUP_WEBSOCKET_STATE_OPEN)
			soup_websocket_connection_close(link->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
		g_clear_object(&link->ws);
	}
}

static gboolean on_retry(gpointer data)
{
	BoothLink *link = data;
	link->retry_id = 0;
	connect_now(link);
	return G_SOURCE_REMOVE;
}

static void schedule_retry(BoothLink *link)
{
	gboolean was_up = link->state == BOOTH_LINK_UP;
	drop_socket(link);
	link->state = BOOTH_LINK_DOWN;
	if (link->retry_id == 0) {
		guint delay = relais_backoff_next(link->refused ? &link->slow : &link->backoff, NULL);
		g_message("switchboard link down; retrying in %u ms", delay);
		link->retry_id = g_timeout_add(delay, on_retry, link);
	}
	if (was_up && link->cb.on_down)
		link->cb.on_down(link, link->user_data);
}

static void send_raw(BoothLink *link, JsonObject *obj)
{
	g_autofree char *text = relais_msg_to_string(obj);
	if (link->ws && soup_websocket_connection_get_state(link->ws) == SOUP_WEBSOCKET_STATE_OPEN)
		soup_websocket_connection_send_text(link->ws, text);
}

gboolean booth_link_send(BoothLink *link, JsonObject *obj)
{
	if (link->state != BOOTH_LINK_UP) {
		json_object_unref(obj);
		return FALSE;
	}
	send_raw(link, obj);
	return TRUE;
}

gint64 booth_link_get_last_rx_us(BoothLink *link)
{
	return link->last_rx_us;
}

/* Probes unanswered this long: the connection is dead (the network is
 * down, or the kernel keeps retransmitting into a void with growing
 * back-off): a new one is dialled, which gets through as soon as the
 * network does. */
#define PROBE_DEAD_US (5 * G_USEC_PER_SEC)

void booth_link_probe(BoothLink *link)
{
	if (link->state != BOOTH_LINK_UP)
		return;
	gint64 now = g_get_monotonic_time();
	if (link->probe_us == 0 || link->last_rx_us > link->probe_us) {
		link->probe_us = now; /* the first of a new round */
	} else if (now - link->probe_us > PROBE_DEAD_US) {
		g_warning("no answer from the switchboard to %d s of probes: dialling again",
			  (int)(PROBE_DEAD_US / G_USEC_PER_SEC));
		link->probe_us = 0;
		schedule_retry(link);
		return;
	}
	send_raw(link, relais_msg_new(RELAIS_MSG_PING));
}

static gboolean on_ping(gpointer data)
{
	BoothLink *link = data;
	/* Three silent intervals: the TCP connection is dead even if the
	 * kernel has not noticed (NAT timeout, pulled cable upstream). */
	if (g_get_monotonic_time() - link->last_rx_us > 3 * (gint64)link->ping_interval_s * G_USEC_PER_SEC) {
		g_warning("no answer from the switchboard for %u s", 3 * link->ping_interval_s);
		link->ping_id = 0;
		schedule_retry(link);
		return G_SOURCE_REMOVE;
	}
	send_raw(link, relais_msg_new(RELAIS_MSG_PING));
	return G_SOURCE_CONTINUE;
}

static void on_message(SoupWebsocketConnection *ws, gint type, GBytes *message, gpointer data)
{
	BoothLink *link = data;
	link->last_rx_us = g_get_monotonic_time();
	gsize len;
	const char *text = g_bytes_get_data(message, &len);
	if (type != SOUP_WEBSOCKET_DATA_TEXT) {
		g_warning("ignoring a binary frame from the switchboard");
		return;
	}
	g_autoptr(GError) error = NULL;
	g_autoptr(RelaisMsg) msg = relais_msg_parse(text ? text : "", len, RELAIS_ROLE_SWITCHBOARD, TRUE, NULL, &error);
	if (msg == NULL) {
		g_warning("ignoring an invalid message from the switchboard: %s", error->message);
		return;
	}
	switch (relais_msg_get_type(msg)) {
	case RELAIS_MSG_WELCOME:
		if (link->state != BOOTH_LINK_GREETING) {
			g_warning("ignoring an unexpected welcome");
			return;
		}
		link->state = BOOTH_LINK_UP;
		relais_backoff_reset(&link->backoff);
		relais_backoff_reset(&link->slow);
		link->refused = FALSE;
		g_message("switchboard link up (connection %s)", relais_msg_get_string(msg, "session"));
		link->ping_id = g_timeout_add_seconds(link->ping_interval_s, on_ping, link);
		if (link->cb.on_up)
			link->cb.on_up(link, msg, link->user_data);
		return;
	case RELAIS_MSG_PING:
		send_raw(link, relais_msg_new(RELAIS_MSG_PONG));
		return;
	case RELAIS_MSG_PONG:
		return;
	case RELAIS_MSG_ERROR:
		if (link->state == BOOTH_LINK_GREETING)
			g_warning("switchboard refused hello: %s", relais_msg_get_string(msg, "message"));
		break;
	default:
		break;
	}
	if (link->state == BOOTH_LINK_UP && link->cb.on_message)
		link->cb.on_message(link, msg, link->user_data);
}

static void refused(BoothLink *link, const char *why)
{
	g_warning("the switchboard refused this booth's certificate (%s): retrying slowly", why);
	link->refused = TRUE;
	if (link->cb.on_refused)
		link->cb.on_refused(link, BOOTH_LINK_REFUSED_REASON, link->user_data);
}

static void on_closed(SoupWebsocketConnection *ws, gpointer data)
{
	BoothLink *link = data;
	gushort code = soup_websocket_connection_get_close_code(ws);
	const char *why = soup_websocket_connection_get_close_data(ws);
	g_message("switchboard closed the link (code %u %s)", code, why ? why : "");
	if (code == BOOTH_LINK_CLOSE_REVOKED)
		link->refused = TRUE;
	schedule_retry(link);
	/* after on_down: the owner learns the cause last */
	if (code == BOOTH_LINK_CLOSE_REVOKED)
		refused(link, why && *why ? why : "revoked");
}

/* "unknown-ca, bad-identity" */
/* Never accepts a certificate the trust store refused (returns FALSE); only
 * remembers why, for a log line that says it. */
static gboolean on_accept_certificate(SoupMessage *msg, GTlsCertificate *cert, GTlsCertificateFlags errors,
				      gpointer data)
{
	BoothLink *link = data;
	link->tls_errors = errors;
	return FALSE;
}

static void on_connected(GObject *source, GAsyncResult *res, gpointer data)
{
	g_autoptr(GError) error = NULL;
	SoupWebsocketConnection *ws = soup_session_websocket_connect_finish(SOUP_SESSION(source), res, &error);
	if (ws == NULL) {
		if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			return;
		BoothLink *link = data;
		g_clear_object(&link->cancellable);
		guint status = link->msg ? soup_message_get_status(link->msg) : 0;
		clear_msg(link);
		/* TLS 1.3: the client's handshake is over before the server
		 * checks the client's certificate; a refusal reads as the
		 * connection cut before any answer. Twice in a row, not a
		 * switchboard that happened to restart. */
		gboolean cut =
			status == 0 &&
			(error->domain == G_TLS_ERROR || /* TLS 1.2: an alert in the handshake */
			 (link->handshaked && (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED) ||
					       g_error_matches(error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE))));
		link->dropped_after_tls = cut ? link->dropped_after_tls + 1 : 0;
		if (link->client_cert && link->tls_errors == 0 &&
		    (link->dropped_after_tls >= 2 || status == SOUP_STATUS_FORBIDDEN)) {
			/* the switchboard is the provisioned one (its certificate
			 * passed) and it turned ours down */
			g_autofree char *why = status ? g_strdup_printf("%u", status) : g_strdup(error->message);
			link->refused = TRUE;
			schedule_retry(link);
			refused(link, why);
			return;
		}
		if (link->tls_errors || error->domain == G_TLS_ERROR) {
			/* a wrong certificate does not fix itself: say so (the
			 * booth still retries, an administrator may replace it) */
			g_autofree char *why = relais_tls_flags_text(link->tls_errors);
			g_warning("switchboard certificate error at %s: %s (%s)", link->url, why, error->message);
		} else {
			g_debug("connecting to %s: %s", link->url, error->message);
		}
		schedule_retry(link);
		return;
	}
	BoothLink *link = data;
	g_clear_object(&link->cancellable);
	clear_msg(link);
	link->dropped_after_tls = 0;
	link->ws = ws;
	link->state = BOOTH_LINK_GREETING;
	link->last_rx_us = g_get_monotonic_time();
	soup_websocket_connection_set_max_incoming_payload_size(ws, CONFIG_RELAIS_PROTO_MAX_MESSAGE);
	g_signal_connect(ws, "message", G_CALLBACK(on_message), link);
	g_signal_connect(ws, "closed", G_CALLBACK(on_closed), link);

	JsonObject *hello = relais_msg_new(RELAIS_MSG_HELLO);
	json_object_set_int_member(hello, "version", RELAIS_PROTO_VERSION);
	json_object_set_string_member(hello, "role", "booth");
	json_object_set_string_member(hello, "booth_id", link->booth_id);
	if (link->site)
		json_object_set_string_member(hello, "site", link->site);
	if (link->board)
		json_object_set_string_member(hello, "board", link->board);
	if (link->resume_call)
		json_object_set_string_member(hello, "call", link->resume_call);
	if (link->software)
		json_object_set_string_member(hello, "software", link->software);
	if (link->slot)
		json_object_set_string_member(hello, "slot", link->slot);
	send_raw(link, hello);
}

static void on_network_event(SoupMessage *msg, GSocketClientEvent event, GIOStream *connection, gpointer data)
{
	if (event == G_SOCKET_CLIENT_TLS_HANDSHAKED)
		((BoothLink *)data)->handshaked = TRUE;
}

static void connect_now(BoothLink *link)
{
	if (link->needs_certificate && link->client_cert == NULL) {
		/* booth_link_set_client_certificate() dials */
		g_message("the switchboard link waits for this booth's certificate");
		link->state = BOOTH_LINK_DOWN;
		return;
	}
	g_autoptr(SoupMessage) msg = soup_message_new("GET", link->url);
	if (msg == NULL) {
		g_warning("invalid switchboard URL '%s'", link->url);
		schedule_retry(link);
		return;
	}
	if (link->reconnects++ > 0)
		g_debug("reconnecting to %s", link->url);
	link->state = BOOTH_LINK_CONNECTING;
	link->tls_errors = 0;
	link->handshaked = FALSE;
	g_signal_connect(msg, "accept-certificate", G_CALLBACK(on_accept_certificate), link);
	g_signal_connect(msg, "network-event", G_CALLBACK(on_network_event), link);
	if (link->client_cert) {
		soup_message_set_tls_client_certificate(msg, link->client_cert);
		soup_message_add_flags(msg, SOUP_MESSAGE_NEW_CONNECTION);
	}
	clear_msg(link);
	link->msg = g_object_ref(msg);
	link->cancellable = g_cancellable_new();
	soup_session_websocket_connect_async(link->session, msg, NULL, NULL, G_PRIORITY_DEFAULT, link->cancellable,
					     on_connected, link);
}

void booth_link_renew(BoothLink *link)
{
	if (link->state != BOOTH_LINK_UP)
		return; /* a new connection is on its way anyway */
	g_message("renewing the switchboard link (nothing of the last session stays in its buffers)");
	drop_socket(link);
	link->state = BOOTH_LINK_DOWN;
	link->renewals++;
	link->reconnects--; /* not a failure: not counted as a reconnect */
	connect_now(link);
}

void booth_link_set_resume(BoothLink *link, const char *call)
{
	g_free(link->resume_call);
	link->resume_call = g_strdup(call);
}

void booth_link_drop(BoothLink *link)
{
	if (link->state != BOOTH_LINK_UP)
		return;
	g_message("dropping the switchboard link (asked for)");
	schedule_retry(link);
}

guint booth_link_get_renewals(BoothLink *link)
{
	return link->renewals;
}

void booth_link_set_client_certificate(BoothLink *link, GTlsCertificate *cert)
{
	g_set_object(&link->client_cert, cert);
	link->refused = FALSE;
	relais_backoff_reset(&link->slow);
	relais_backoff_reset(&link->backoff);
	if (!link->started)
		return;
	/* whatever is going on was made with the old one (or none) */
	if (link->cancellable) {
		g_cancellable_cancel(link->cancellable);
		g_clear_object(&link->cancellable);
	}
	clear_msg(link);
	g_clear_handle_id(&link->retry_id, g_source_remove);
	gboolean was_up = link->state == BOOTH_LINK_UP;
	if (link->ws)
		g_message("reconnecting to the switchboard with the new certificate");
	drop_socket(link);
	link->state = BOOTH_LINK_DOWN;
	if (was_up && link->cb.on_down)
		link->cb.on_down(link, link->user_data);
	connect_now(link);
}

void booth_link_start(BoothLink *link)
{
	link->started = TRUE;
	if (link->state == BOOTH_LINK_DOWN && link->retry_id == 0)
		connect_now(link);
}

BoothLinkState booth_link_get_state(BoothLink *link)
{
	return link->state;
}

guint booth_link_get_reconnects(BoothLink *link)
{
	return link->reconnects > 0 ? link->reconnects - 1 : 0;
}

/* --- document downloads ------------------------------------------------------ */

typedef struct {
	SoupMessage *msg;
	gsize max_bytes;
	GCancellable *cancellable; /* ours: cancelled by a refused header too */
	gulong outer_id;
	GCancellable *outer;
	char *refused; /* why the headers were refused */
} Fetch;

static void fetch_free(Fetch *f)
{
	if (f->outer && f->outer_id)
		g_cancellable_disconnect(f->outer, f->outer_id);
	g_clear_object(&f->outer);
	g_clear_object(&f->msg);
	g_clear_object(&f->cancellable);
	g_free(f->refused);
	g_free(f);
}

static void on_outer_cancelled(GCancellable *outer, gpointer data)
{
	g_cancellable_cancel(data);
}

static void on_fetch_headers(SoupMessage *msg, gpointer data)
{
	Fetch *f = data;
	SoupMessageHeaders *h = soup_message_get_response_headers(msg);
	guint status = soup_message_get_status(msg);
	if (status != SOUP_STATUS_OK)
		f->refused =
			g_strdup_printf("the switchboard answered %u %s", status,
					soup_message_get_reason_phrase(msg) ? soup_message_get_reason_phrase(msg) : "");
	else if (soup_message_headers_get_encoding(h) != SOUP_ENCODING_CONTENT_LENGTH)
		f->refused = g_strdup("the switchboard sent no Content-Length");
	else if ((guint64)soup_message_headers_get_content_length(h) > f->max_bytes)
		f->refused = g_strdup_printf("the document is larger than %" G_GSIZE_FORMAT " bytes", f->max_bytes);
	if (f->refused)
		g_cancellable_cancel(f->cancellable);
}

static void on_fetched(GObject *source, GAsyncResult *res, gpointer data)
{
	g_autoptr(GTask) task = data;
	Fetch *f = g_task_get_task_data(task);
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) body = soup_session_send_and_read_finish(SOUP_SESSION(source), res, &error);
	if (f->refused) {
		g_task_return_new_error(task, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", f->refused);
		return;
	}
	if (body == NULL) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	if (g_bytes_get_size(body) > f->max_bytes) {
		g_task_return_new_error(task, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE, "the document is too large");
		return;
	}
	g_task_return_pointer(task, g_steal_pointer(&body), (GDestroyNotify)g_bytes_unref);
}

void booth_link_fetch_async(BoothLink *link, const char *path, gsize max_bytes, GCancellable *cancellable,
			    GAsyncReadyCallback callback, gpointer user_data)
{
	GTask *task = g_task_new(NULL, cancellable, callback, user_data);
	g_task_set_source_tag(task, booth_link_fetch_async);
	g_autoptr(GError) error = NULL;
	g_autoptr(GUri) ws = g_uri_parse(link->url, G_URI_FLAGS_NONE, &error);
	if (ws == NULL) {
		g_task_return_error(task, g_steal_pointer(&error));
		g_object_unref(task);
		return;
	}
	gboolean secure = g_ascii_strcasecmp(g_uri_get_scheme(ws), "wss") == 0;
	g_autoptr(GUri) uri = g_uri_build(G_URI_FLAGS_NONE, secure ? "https" : "http", NULL, g_uri_get_host(ws),
					  g_uri_get_port(ws), path, NULL, NULL);
	Fetch *f = g_new0(Fetch, 1);
	f->max_bytes = max_bytes;
	f->cancellable = g_cancellable_new();
	if (cancellable) {
		f->outer = g_object_ref(cancellable);
		f->outer_id = g_cancellable_connect(cancellable, G_CALLBACK(on_outer_cancelled),
						    g_object_ref(f->cancellable), g_object_unref);
	}
	f->msg = soup_message_new_from_uri("GET", uri);
	g_task_set_task_data(task, f, (GDestroyNotify)fetch_free);
	/* the booth listener knows the booth by its certificate (docshare.h);
	 * a new connection, as for the WebSocket (TLS 1.3 adds no certificate
	 * to a kept-alive connection made without one) */
	if (link->client_cert) {
		soup_message_set_tls_client_certificate(f->msg, link->client_cert);
		soup_message_add_flags(f->msg, SOUP_MESSAGE_NEW_CONNECTION);
	}
	g_signal_connect(f->msg, "accept-certificate", G_CALLBACK(on_accept_certificate), link);
	g_signal_connect(f->msg, "got-headers", G_CALLBACK(on_fetch_headers), f);
	soup_session_send_and_read_async(link->session, f->msg, G_PRIORITY_DEFAULT, f->cancellable, on_fetched, task);
}

GBytes *booth_link_fetch_finish(BoothLink *link, GAsyncResult *result, char **content_type, GError **error)
{
	GTask *task = G_TASK(result);
	Fetch *f = g_task_get_task_data(task);
	if (content_type)
		*content_type = f && f->msg ? g_strdup(soup_message_headers_get_content_type(
						      soup_message_get_response_headers(f->msg), NULL))
					    : NULL;
	return g_task_propagate_pointer(task, error);
}

/* --- large downloads (update bundles) ------------------------------------------ */

typedef struct {
	SoupMessage *msg;
} Open;

static void open_free(Open *o)
{
	g_clear_object(&o->msg);
	g_free(o);
}

static void on_opened(GObject *source, GAsyncResult *res, gpointer data)
{
	g_autoptr(GTask) task = data;
	Open *o = g_task_get_task_data(task);
	g_autoptr(GError) error = NULL;
	g_autoptr(GInputStream) in = soup_session_send_finish(SOUP_SESSION(source), res, &error);
	if (in == NULL) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	guint status = soup_message_get_status(o->msg);
	SoupMessageHeaders *h = soup_message_get_response_headers(o->msg);
	if (status != SOUP_STATUS_OK) {
		g_task_return_new_error(task, G_IO_ERROR, G_IO_ERROR_FAILED, "the switchboard answered %u %s", status,
					soup_message_get_reason_phrase(o->msg) ? soup_message_get_reason_phrase(o->msg)
									       : "");
		return;
	}
	if (soup_message_headers_get_encoding(h) != SOUP_ENCODING_CONTENT_LENGTH) {
		g_task_return_new_error(task, G_IO_ERROR, G_IO_ERROR_FAILED, "the switchboard sent no Content-Length");
		return;
	}
	g_task_return_pointer(task, g_steal_pointer(&in), g_object_unref);
}

void booth_link_open_async(BoothLink *link, const char *path, GCancellable *cancellable, GAsyncReadyCallback callback,
			   gpointer user_data)
{
	GTask *task = g_task_new(NULL, cancellable, callback, user_data);
	g_task_set_source_tag(task, booth_link_open_async);
	g_autoptr(GError) error = NULL;
	g_autoptr(GUri) ws = g_uri_parse(link->url, G_URI_FLAGS_NONE, &error);
	if (ws == NULL) {
		g_task_return_error(task, g_steal_pointer(&error));
		g_object_unref(task);
		return;
	}
	gboolean secure = g_ascii_strcasecmp(g_uri_get_scheme(ws), "wss") == 0;
	g_autoptr(GUri) uri = g_uri_build(G_URI_FLAGS_NONE, secure ? "https" : "http", NULL, g_uri_get_host(ws),
					  g_uri_get_port(ws), path, NULL, NULL);
	Open *o = g_new0(Open, 1);
	o->msg = soup_message_new_from_uri("GET", uri);
	g_task_set_task_data(task, o, (GDestroyNotify)open_free);
	/* as a document's fetch: the booth listener knows the booth by its
	 * certificate, on a new connection */
	if (link->client_cert) {
		soup_message_set_tls_client_certificate(o->msg, link->client_cert);
		soup_message_add_flags(o->msg, SOUP_MESSAGE_NEW_CONNECTION);
	}
	g_signal_connect(o->msg, "accept-certificate", G_CALLBACK(on_accept_certificate), link);
	soup_session_send_async(link->session, o->msg, G_PRIORITY_LOW, cancellable, on_opened, task);
}

GInputStream *booth_link_open_finish(BoothLink *link, GAsyncResult *result, goffset *length, GError **error)
{
	GTask *task = G_TASK(result);
	Open *o = g_task_get_task_data(task);
	GInputStream *in = g_task_propagate_pointer(task, error);
	if (in && length)
		*length = soup_message_headers_get_content_length(soup_message_get_response_headers(o->msg));
	return in;
}

void booth_link_free(BoothLink *link)
{
	if (link == NULL)
		return;
	g_free(link->resume_call);
	if (link->cancellable) {
		g_cancellable_cancel(link->cancellable);
		g_clear_object(&link->cancellable);
	}
	g_clear_handle_id(&link->retry_id, g_source_remove);
	drop_socket(link);
	clear_msg(link);
	g_clear_object(&link->client_cert);
	g_clear_object(&link->session);
	g_free(link->url);
	g_free(link->booth_id);
	g_free(link->site);
	g_free(link->board);
	g_free(link->software);
	g_free(link->slot);
	g_free(link);
}
