/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "relais-server"

#include "server.h"
#include "relais-config.h"

#include <libsoup/soup.h>
#include <string.h>

struct _SbServer {
	SoupServer *soup;
	SbHub *hub;
	char *assets_dir;
	guint port;
	GHashTable *conns; /* SoupWebsocketConnection* -> SbPeer* */
	guint tick_id;	   /* the hub's timers (held calls) */
};

static gboolean on_tick(gpointer data)
{
	SbServer *server = data;
	sb_hub_tick(server->hub);
	return G_SOURCE_CONTINUE;
}

typedef struct {
	SbServer *server;
	RelaisRole role;
} Endpoint;

/* --- hub transport ------------------------------------------------------------- */

static void transport_send(gpointer conn, const char *text, gpointer user_data)
{
	SoupWebsocketConnection *ws = conn;
	if (soup_websocket_connection_get_state(ws) == SOUP_WEBSOCKET_STATE_OPEN)
		soup_websocket_connection_send_text(ws, text);
}

static void transport_close(gpointer conn, gushort code, const char *reason, gpointer user_data)
{
	SoupWebsocketConnection *ws = conn;
	if (soup_websocket_connection_get_state(ws) == SOUP_WEBSOCKET_STATE_OPEN)
		soup_websocket_connection_close(ws, code, reason);
}

static const SbHubTransport transport = {transport_send, transport_close};

/* --- WebSocket endpoints ------------------------------------------------------ */

static void on_ws_message(SoupWebsocketConnection *ws, gint type, GBytes *message, gpointer user_data)
{
	SbServer *server = user_data;
	SbPeer *peer = g_hash_table_lookup(server->conns, ws);
	if (peer == NULL)
		return;
	if (type != SOUP_WEBSOCKET_DATA_TEXT) {
		/* our protocol is text only; a binary frame means a confused client */
		soup_websocket_connection_close(ws, SOUP_WEBSOCKET_CLOSE_UNSUPPORTED_DATA, "text frames only");
		return;
	}
	gsize len;
	const char *data = g_bytes_get_data(message, &len);
	if (len > CONFIG_RELAIS_PROTO_MAX_MESSAGE) {
		/* checked here rather than by libsoup, whose own limit drops the
		 * TCP connection without a close frame: the client deserves 1009 */
		soup_websocket_connection_close(ws, SOUP_WEBSOCKET_CLOSE_TOO_BIG, "message too big");
		return;
	}
	sb_hub_receive(server->hub, peer, data ? data : "", len);
}

static void on_ws_closed(SoupWebsocketConnection *ws, gpointer user_data)
{
	SbServer *server = user_data;
	SbPeer *peer = NULL;
	if (g_hash_table_steal_extended(server->conns, ws, NULL, (gpointer *)&peer)) {
		g_debug("connection closed (code %u)", soup_websocket_connection_get_close_code(ws));
		sb_hub_disconnect(server->hub, peer);
		g_signal_handlers_disconnect_by_data(ws, server);
		g_object_unref(ws);
	}
}

static void on_ws_error(SoupWebsocketConnection *ws, GError *error, gpointer user_data)
{
	g_debug("websocket error: %s", error->message);
}

static void on_websocket(SoupServer *soup, SoupServerMessage *msg, const char *path, SoupWebsocketConnection *ws,
			 gpointer user_data)
{
	Endpoint *ep = user_data;
	SbServer *server = ep->server;
	/* libsoup's hard cap (no close frame) sits well above ours, which
	 * on_ws_message enforces with a proper 1009 */
	soup_websocket_connection_set_max_incoming_payload_size(ws, 16 * CONFIG_RELAIS_PROTO_MAX_MESSAGE);
	/* pings find half-open connections behind NAT; the hub ends their calls */
	soup_websocket_connection_set_keepalive_interval(ws, 20);
	SbPeer *peer = sb_hub_connect(server->hub, ep->role, ws);
	g_hash_table_insert(server->conns, g_object_ref(ws), peer);
	g_signal_connect(ws, "message", G_CALLBACK(on_ws_message), server);
	g_signal_connect(ws, "closed", G_CALLBACK(on_ws_closed), server);
	g_signal_connect(ws, "error", G_CALLBACK(on_ws_error), server);
}

/* --- plain HTTP ------------------------------------------------------------ */

static void set_text(SoupServerMessage *msg, guint status, const char *content_type, const char *body)
{
	soup_server_message_set_status(msg, status, NULL);
	soup_server_message_set_response(msg, content_type, SOUP_MEMORY_COPY, body, strlen(body));
}

static void on_healthz(SoupServer *soup, SoupServerMessage *msg, const char *path, GHashTable *query,
		       gpointer user_data)
{
	set_text(msg, SOUP_STATUS_OK, "text/plain", "ok\n");
}

static void on_metrics(SoupServer *soup, SoupServerMessage *msg, const char *path, GHashTable *query,
		       gpointer user_data)
{
	SbServer *server = user_data;
	g_autoptr(GString) out = g_string_new(NULL);
	sb_hub_metrics(server->hub, out);
	set_text(msg, SOUP_STATUS_OK, "text/plain; version=0.0.4; charset=utf-8", out->str);
}

static const char *content_type_for(const char *path)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
		{".html", "text/html; charset=utf-8"},
		{".js", "text/javascript; charset=utf-8"},
		{".mjs", "text/javascript; charset=utf-8"},
		{".css", "text/css; charset=utf-8"},
		{".json", "application/json"},
		{".svg", "image/svg+xml"},
		{".png", "image/png"},
		{".ico", "image/x-icon"},
		{".wav", "audio/wav"},
		{".ogg", "audio/ogg"},
	};
	for (guint i = 0; i < G_N_ELEMENTS(types); i++)
		if (g_str_has_suffix(path, types[i].ext))
			return types[i].type;
	return "application/octet-stream";
}

static void on_static(SoupServer *soup, SoupServerMessage *msg, const char *path, GHashTable *query, gpointer user_data)
{
	SbServer *server = user_data;
	const char *method = soup_server_message_get_method(msg);
	if (g_strcmp0(method, "GET") != 0 && g_strcmp0(method, "HEAD") != 0) {
		set_text(msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "text/plain", "method not allowed\n");
		return;
	}
	/* Only plain names below the assets folder: no "..", no hidden files, no
	 * symlink games (the folder is ours, but the path is the client's). */
	g_auto(GStrv) parts = g_strsplit(path, "/", -1);
	for (char **p = parts; *p; p++) {
		if ((*p)[0] == '.' || strchr(*p, '\\') != NULL) {
			set_text(msg, SOUP_STATUS_NOT_FOUND, "text/plain", "not found\n");
			return;
		}
	}
	g_autofree char *rel = g_strjoinv("/", parts);
	g_autofree char *file = g_build_filename(server->assets_dir, rel, NULL);
	if (g_file_test(file, G_FILE_TEST_IS_DIR)) {
		g_autofree char *index = g_build_filename(file, "index.html", NULL);
		g_free(g_steal_pointer(&file));
		file = g_steal_pointer(&index);
	}
	char *contents = NULL;
	gsize len = 0;
	if (!g_file_test(file, G_FILE_TEST_IS_REGULAR) || !g_file_get_contents(file, &contents, &len, NULL)) {
		set_text(msg, SOUP_STATUS_NOT_FOUND, "text/plain", "not found\n");
		return;
	}
	SoupMessageHeaders *h = soup_server_message_get_response_headers(msg);
	soup_message_headers_replace(h, "Cache-Control", "no-cache");
	soup_message_headers_replace(h, "X-Content-Type-Options", "nosniff");
	soup_message_headers_replace(h, "Referrer-Policy", "no-referrer");
	soup_message_headers_replace(h, "Content-Security-Policy",
				     "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data: blob:; "
				     "media-src 'self' blob: mediastream:; style-src 'self'; frame-ancestors 'none'");
	soup_server_message_set_status(msg, SOUP_STATUS_OK, NULL);
	soup_server_message_set_response(msg, content_type_for(file), SOUP_MEMORY_TAKE, contents, len);
}

/* --- life cycle -------------------------------------------------------------- */

SbServer *sb_server_new(const SbServerConfig *config, GError **error)
{
	g_autoptr(SbServer) server = g_new0(SbServer, 1);
	server->assets_dir = g_strdup(config->assets_dir);
	server->conns = g_hash_table_new(g_direct_hash, g_direct_equal);
	server->hub = sb_hub_new(&config->hub, &transport, server);
	server->tick_id = g_timeout_add_seconds(1, on_tick, server);
	server->soup = soup_server_new("server-header", "relais-switchboard", NULL);

	Endpoint *booth = g_new0(Endpoint, 1), *adviser = g_new0(Endpoint, 1);
	booth->server = adviser->server = server;
	booth->role = RELAIS_ROLE_BOOTH;
	adviser->role = RELAIS_ROLE_ADVISER;
	soup_server_add_websocket_handler(server->soup, "/ws/booth", NULL, NULL, on_websocket, booth, g_free);
	soup_server_add_websocket_handler(server->soup, "/ws/adviser", NULL, NULL, on_websocket, adviser, g_free);
	soup_server_add_handler(server->soup, "/healthz", on_healthz, server, NULL);
	soup_server_add_handler(server->soup, "/metrics", on_metrics, server, NULL);
	soup_server_add_handler(server->soup, NULL, on_static, server, NULL);

	g_autoptr(GInetAddress) addr = g_inet_address_new_from_string(config->bind);
	if (addr == NULL) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "'%s' is not an IP address", config->bind);
		return NULL;
	}
	g_autoptr(GSocketAddress) sa = g_inet_socket_address_new(addr, config->port);
	if (!soup_server_listen(server->soup, sa, 0, error)) {
		g_prefix_error(error, "listening on %s:%u: ", config->bind, config->port);
		return NULL;
	}
	GSList *uris = soup_server_get_uris(server->soup);
	if (uris)
		server->port = g_uri_get_port(uris->data);
	g_slist_free_full(uris, (GDestroyNotify)g_uri_unref);
	return g_steal_pointer(&server);
}

guint sb_server_get_port(SbServer *server)
{
	return server->port;
}

void sb_server_free(SbServer *server)
{
	if (server == NULL)
		return;
	g_clear_handle_id(&server->tick_id, g_source_remove);
	if (server->conns) {
		GHashTableIter it;
		gpointer ws, peer;
		g_hash_table_iter_init(&it, server->conns);
		while (g_hash_table_iter_next(&it, &ws, &peer)) {
			g_signal_handlers_disconnect_by_data(ws, server);
			if (soup_websocket_connection_get_state(ws) == SOUP_WEBSOCKET_STATE_OPEN)
				soup_websocket_connection_close(ws, SOUP_WEBSOCKET_CLOSE_GOING_AWAY,
								"switchboard stopping");
			sb_hub_disconnect(server->hub, peer);
			g_object_unref(ws);
			g_hash_table_iter_remove(&it);
		}
		g_hash_table_unref(server->conns);
	}
	if (server->soup) {
		soup_server_disconnect(server->soup);
		g_object_unref(server->soup);
	}
	sb_hub_free(server->hub);
	g_free(server->assets_dir);
	g_free(server);
}
