/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "relais-server"

#include "server.h"
#include <netinet/in.h>
#include <netinet/tcp.h>
#include "admin.h"
#include "api-json.h"
#include "auth.h"
#include "bookings.h"
#include "client.h"
#include "docshare.h"
#include "enrol-http.h"
#include "health.h"
#include "http.h"
#include "reader.h"
#include "relais-build.h"
#include "site.h"
#include "stats.h"
#include "updates.h"
#include "writeq.h"
#include "relais-config.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

/* Sign-in bodies are two short fields: anything bigger is not a sign-in. */
#define API_MAX_BODY 4096
/* Store housekeeping (expired sign-ins, old attempts, no-shows), in ticks. */
#define MAINTAIN_EVERY_S 60
/* how long the housekeeping waits for another process's lock (ms) */
#define HOUSEKEEPING_BUSY_MS 100
/* how often open consoles are checked against their sign-in */
#define SESSION_SWEEP_EVERY_S 5
/* sign-ins hashing at once; more get 503 + Retry-After */
#define MAX_KDF_JOBS 4
/* slowed-down sign-ins waiting for their delay (each holds a paused request) */
#define MAX_DELAYED_SIGNINS 64
/* the write queue's labels of the writes made here (stats.h has the others) */
#define SB_SERVER_OP_UPDATE_REPORT "update_report"
#define SB_SERVER_OP_BOOKING_USE   "booking_use"
#define SB_SERVER_OP_UPDATE_STATUS "update_status"
#define SB_SERVER_OP_LIVE_CALL	   "live_call"

struct _SbServer {
	SoupServer *soup;
	/* booths only (ENROL.md): TLS, client certificates, /ws/booth + EST */
	SoupServer *booth_soup;
	SbEnrol *enrol;
	SbHub *hub;
	char *assets_dir;
	guint port, booth_port;
	/* SoupWebsocketConnection* -> SbBoothCert* (serial, booth id) of its
	 * booth's certificate: checked again every RELAIS_SB_BOOTH_RECHECK_S
	 * against the store (a revocation by another process, an expiry) */
	GHashTable *booth_certs;
	SbStore *store;
	SbReader *reader; /* the statistics and slot searches, read off the main loop */
	gboolean secure_cookies;
	SbTrustedProxies *trusted_proxies; /* whose forwarding headers are believed */
	GHashTable *conns;		   /* SoupWebsocketConnection* -> SbPeer* */
	/* SoupWebsocketConnection* -> SHA-256 of the sign-in token (advisers):
	 * signing out closes the sign-in's connections */
	GHashTable *conn_signins;
	/* SoupWebsocketConnection* -> its client's address: the caps on
	 * connections waiting for their hello */
	GHashTable *conn_addresses;
	guint tick_id;	    /* the hub's timers (held calls), store housekeeping */
	guint kdf_jobs;	    /* sign-ins hashing in worker threads */
	GPtrArray *delayed; /* SignIn* slowed down, before their KDF */
	gboolean closing;   /* sb_server_free() waits for them */
	guint ticks;
	SbHealth *health;
	/* the writes the switchboard makes on its own (call records, ratings,
	 * update reports and progress, bookings used), retried while the
	 * store cannot take them (writeq.h) */
	SbWriteQueue *writes;
	gboolean housekeeping_faulted; /* warned of a fault of the moment, not over yet */
};

static void close_consoles(SbServer *server, gboolean (*doomed)(SbServer *, const char *, gpointer), gpointer data,
			   const char *reason);
static gboolean signin_is_over(SbServer *server, const char *hash, gpointer data);
/* The no-show sweep: bookings not checked in RELAIS_SB_BOOKING_NO_SHOW_MIN
 * after their start are marked no-shows (their codes are refused as
 * expired, their places free again). At start-up and every minute. */
static void sweep_no_shows(SbServer *server)
{
	g_autoptr(GError) error = NULL;
	guint n = 0;
	if (!sb_store_bookings_expire(server->store, &n, &error))
		g_warning("no-show sweep: %s", error->message);
	else if (n > 0)
		g_message("no-show sweep: %u booking(s) marked no-show", n);
}

/* Every minute: the no-show sweep and the store's housekeeping. Tried
 * again the next minute, so a locked database waits HOUSEKEEPING_BUSY_MS,
 * not the store's busy timeout (the main loop relays calls), and a fault
 * of the moment (a full disk, a lock) is one warning until it is over. */
static void housekeeping(SbServer *server)
{
	g_autoptr(GError) error = NULL;
	guint n = 0;
	sb_store_set_busy_ms(server->store, HOUSEKEEPING_BUSY_MS);
	gboolean ok = sb_store_bookings_expire(server->store, &n, &error) && sb_store_maintain(server->store, &error);
	sb_store_set_busy_ms(server->store, 0);
	if (ok) {
		if (n > 0)
			g_message("no-show sweep: %u booking(s) marked no-show", n);
		if (server->housekeeping_faulted)
			g_message("store housekeeping done again");
		server->housekeeping_faulted = FALSE;
		return;
	}
	if (!sb_store_error_is_transient(error))
		g_warning("store housekeeping: %s", error->message);
	else if (!server->housekeeping_faulted)
		g_warning("store housekeeping cannot write now, tried again every minute: %s", error->message);
	else
		g_debug("store housekeeping: %s", error->message);
	server->housekeeping_faulted = server->housekeeping_faulted || sb_store_error_is_transient(error);
}

/* Connected booths whose certificate is no longer good (revoked by `booth
 * revoke` in another process, expired while connected, its booth deleted)
 * lose their link: 4003, as a revocation on the administration page does at
 * once. The chain, the purpose and the name were checked at the handshake
 * and cannot change for the same certificate; what can is in the store,
 * read here in one query: one look-up per booth (a PEM export, a chain
 * verification and a query each) held the main loop for seconds every
 * RECHECK_S with ten thousand booths connected (tests/bench/README-load.md). */
static void recheck_booths(SbServer *server)
{
	if (g_hash_table_size(server->booth_certs) == 0)
		return;
	g_autoptr(GError) error = NULL;
	g_autoptr(GHashTable) good = sb_store_certs_good(server->store, sb_store_now(server->store), &error);
	if (good == NULL) {
		/* the store failed, not the booths: tried again at the next tick */
		g_warning("re-checking the booths' certificates: %s", error->message);
		return;
	}
	g_autoptr(GPtrArray) doomed = g_ptr_array_new_with_free_func(g_object_unref);
	GHashTableIter it;
	gpointer ws, value;
	g_hash_table_iter_init(&it, server->booth_certs);
	while (g_hash_table_iter_next(&it, &ws, &value)) {
		const SbBoothCert *who = value;
		if (g_strcmp0(g_hash_table_lookup(good, who->serial), who->booth_id) != 0) {
			g_message("closing booth %s's link: its certificate %s is revoked, expired or unknown",
				  who->booth_id, who->serial);
			g_ptr_array_add(doomed, g_object_ref(ws));
		}
	}
	for (guint i = 0; i < doomed->len; i++)
		if (soup_websocket_connection_get_state(doomed->pdata[i]) == SOUP_WEBSOCKET_STATE_OPEN)
			soup_websocket_connection_close(doomed->pdata[i], 4003, "certificate revoked or expired");
}

static gboolean on_tick(gpointer data)
{
	SbServer *server = data;
	sb_hub_tick(server->hub);
	if (server->ticks % SESSION_SWEEP_EVERY_S == 0)
		close_consoles(server, signin_is_over, NULL, "session ended: sign in again");
	if (server->ticks % CONFIG_RELAIS_SB_BOOTH_RECHECK_S == 0)
		recheck_booths(server);
	if (++server->ticks % MAINTAIN_EVERY_S == 0)
		housekeeping(server);
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

/* Call records: the store keeps an anonymous record; the stats module
 * remembers which sign-in answered, for the outcome note. */
static void services_call_ended(const SbHubCallInfo *info, gpointer user_data)
{
	SbServer *server = user_data;
	SbStats *stats = sb_stats_get(server->soup);
	if (stats == NULL)
		return;
	const char *signin = info->adviser_conn ? g_hash_table_lookup(server->conn_signins, info->adviser_conn) : NULL;
	sb_stats_call_ended(stats, info, signin);
}

static void services_feedback(const char *call_id, gint score, gpointer user_data)
{
	SbServer *server = user_data;
	SbStats *stats = sb_stats_get(server->soup);
	if (stats)
		sb_stats_feedback(stats, call_id, score);
}

/* --- the hub's services: bookings and opening hours (bookings.c) ----------- */

static char *services_next_opening(const char *site, gpointer user_data)
{
	SbServer *server = user_data;
	return sb_bookings_next_opening(server->store, site);
}

/* A booth's slot search, on the reading thread (reader.h). */
typedef struct {
	char *site, *language, *topic;
	SbHubSlotsReply reply;
	gpointer reply_data;
} SlotSearch;

static void slot_search_free(SlotSearch *q)
{
	g_free(q->site);
	g_free(q->language);
	g_free(q->topic);
	g_free(q);
}

static gpointer slot_search_read(SbStore *store, gpointer data, GError **error)
{
	SlotSearch *q = data;
	return sb_bookings_slots(store, q->site, q->language, q->topic);
}

static void on_slot_search_read(GObject *source, GAsyncResult *result, gpointer user_data)
{
	SlotSearch *q = user_data;
	g_autoptr(GError) error = NULL;
	SbBookingsResult *r = sb_reader_finish(result, &error);
	if (r == NULL) {
		g_warning("slot search at %s: %s", q->site, error->message);
		r = sb_bookings_result_new(SB_BOOKINGS_FAILED, "the free slots could not be read now: try again");
	}
	q->reply(r, q->reply_data);
	slot_search_free(q);
}

static void services_booking_slots_async(const char *site, const char *language, const char *topic,
					 SbHubSlotsReply reply, gpointer reply_data, gpointer user_data)
{
	SbServer *server = user_data;
	SlotSearch *q = g_new0(SlotSearch, 1);
	*q = (SlotSearch){g_strdup(site), g_strdup(language), g_strdup(topic), reply, reply_data};
	g_autoptr(GError) error = NULL;
	if (!sb_reader_run(server->reader, slot_search_read, q, NULL, (GDestroyNotify)sb_bookings_result_free,
			   on_slot_search_read, q, &error)) {
		g_message("slot search at %s refused: %s", site, error->message);
		reply(sb_bookings_result_new(SB_BOOKINGS_FAILED, "too many searches at once: try again in a moment"),
		      reply_data);
		slot_search_free(q);
	}
}

static SbBookingsResult *services_booking_book(const char *site, const char *start, const char *end,
					       const char *language, const char *topic, gpointer user_data)
{
	SbServer *server = user_data;
	return sb_bookings_book(server->store, site, start, end, language, topic);
}

static SbBookingsResult *services_booking_check_in(const char *site, const char *code, gpointer user_data)
{
	SbServer *server = user_data;
	return sb_bookings_check_in(server->store, site, code);
}

static gboolean services_booking_verify(const char *site, const char *code, char **why, gpointer user_data)
{
	SbServer *server = user_data;
	return sb_bookings_verify(server->store, site, code, why);
}

typedef struct {
	char *code, *call_id;
} BookingUse;

static void booking_use_free(BookingUse *u)
{
	g_free(u->code);
	g_free(u->call_id);
	g_free(u);
}

static gboolean write_booking_use(SbStore *store, gpointer data, GError **error)
{
	BookingUse *u = data;
	if (!sb_store_booking_mark_used(store, u->code, u->call_id, error))
		return FALSE;
	g_message("booking used by call %s", u->call_id);
	return TRUE;
}

/* The call is made whatever the disk says: the mark waits with the other
 * writes while the store cannot take it (the hub's own list of waiting
 * tickets keeps the code from a second request meanwhile only until the
 * call is answered, so a full disk leaves that window open until the
 * write goes through: STORE.md "When a write fails"). */
static gboolean services_booking_use(const char *site, const char *code, const char *call_id, char **why,
				     gpointer user_data)
{
	SbServer *server = user_data;
	BookingUse *u = g_new0(BookingUse, 1);
	u->code = g_strdup(code);
	u->call_id = g_strdup(call_id);
	SbWriteResult r = sb_write_queue_submit(
		server->writes, SB_SERVER_OP_BOOKING_USE,
		g_strdup_printf("booking used by call %s at site '%s'", call_id, site ? site : "?"), write_booking_use,
		u, (GDestroyNotify)booking_use_free);
	if (r == SB_WRITE_WAITING)
		return TRUE;
	*why = g_strdup("too many writes wait for the store");
	return FALSE;
}

/* --- the booths' update reports (updates.c) ---------------------------------- */

/* An update report of our own (the hub's lives for the callback only). */
typedef struct {
	char *booth_id;
	SbHubUpdateReport r;
	char *result, *version, *from, *slot, *at, *detail;
} OwnedReport;

static void owned_report_free(OwnedReport *o)
{
	g_free(o->booth_id);
	g_free(o->result);
	g_free(o->version);
	g_free(o->from);
	g_free(o->slot);
	g_free(o->at);
	g_free(o->detail);
	g_free(o);
}

static gboolean write_update_report(SbStore *store, gpointer data, GError **error)
{
	OwnedReport *o = data;
	return sb_updates_record(store, o->booth_id, &o->r, error);
}

static void services_update_report(const char *booth_id, const SbHubUpdateReport *report, gpointer user_data)
{
	SbServer *server = user_data;
	OwnedReport *o = g_new0(OwnedReport, 1);
	o->booth_id = g_strdup(booth_id);
	o->r = (SbHubUpdateReport){
		.result = o->result = g_strdup(report->result),
		.version = o->version = g_strdup(report->version),
		.from = o->from = g_strdup(report->from),
		.slot = o->slot = g_strdup(report->slot),
		.at = o->at = g_strdup(report->at),
		.detail = o->detail = g_strdup(report->detail),
	};
	(void)sb_write_queue_submit(server->writes, SB_SERVER_OP_UPDATE_REPORT,
				    g_strdup_printf("update report of booth %s: %s %s (from %s, slot %s, at %s)",
						    booth_id, report->result, report->version,
						    report->from ? report->from : "-", report->slot, report->at),
				    write_update_report, o, (GDestroyNotify)owned_report_free);
}

static void services_booth_greeted(const char *booth_id, gpointer user_data)
{
	SbServer *server = user_data;
	sb_updates_booth_greeted(server->store, server->hub, booth_id);
}

/* An update_status of our own (the hub's lives for the callback only). */
typedef struct {
	char *booth_id;
	SbHubUpdateStatus st;
	char *update, *state, *message;
} OwnedStatus;

static void owned_status_free(OwnedStatus *o)
{
	g_free(o->booth_id);
	g_free(o->update);
	g_free(o->state);
	g_free(o->message);
	g_free(o);
}

static gboolean write_update_status(SbStore *store, gpointer data, GError **error)
{
	OwnedStatus *o = data;
	return sb_updates_status_write(store, o->booth_id, &o->st, error);
}

/* In order with the booth's report (both through the write queue): a
 * progress that waited for the disk does not land after the final word. */
static void services_update_status(const char *booth_id, const SbHubUpdateStatus *status, gpointer user_data)
{
	SbServer *server = user_data;
	OwnedStatus *o = g_new0(OwnedStatus, 1);
	o->booth_id = g_strdup(booth_id);
	o->st = (SbHubUpdateStatus){
		.update = o->update = g_strdup(status->update),
		.state = o->state = g_strdup(status->state),
		.progress = status->progress,
		.message = o->message = g_strdup(status->message),
	};
	(void)sb_write_queue_submit(server->writes, SB_SERVER_OP_UPDATE_STATUS,
				    g_strdup_printf("update_status of booth %s: update %s %s, progress %d", booth_id,
						    status->update, status->state, status->progress),
				    write_update_status, o, (GDestroyNotify)owned_status_free);
}

/* A call answered: kept in the store while it lasts (STORE.md "Calls in
 * progress"), through the write queue, so before its record, which removes
 * it. */
typedef struct {
	SbLiveCall c;
	char *call_id, *booth_id, *adviser, *ticket, *site, *topic, *language;
} OwnedLive;

static void owned_live_free(OwnedLive *o)
{
	g_free(o->call_id);
	g_free(o->booth_id);
	g_free(o->adviser);
	g_free(o->ticket);
	g_free(o->site);
	g_free(o->topic);
	g_free(o->language);
	g_free(o);
}

static gboolean write_live_call(SbStore *store, gpointer data, GError **error)
{
	return sb_store_live_call_insert(store, &((OwnedLive *)data)->c, error);
}

static void services_call_answered(const SbHubLiveCall *call, gpointer user_data)
{
	SbServer *server = user_data;
	OwnedLive *o = g_new0(OwnedLive, 1);
	o->c = (SbLiveCall){
		.call_id = o->call_id = g_strdup(call->call_id),
		.booth_id = o->booth_id = g_strdup(call->booth_id),
		.adviser = o->adviser = g_strdup(call->adviser),
		.ticket = o->ticket = g_strdup(call->ticket),
		.site = o->site = g_strdup(call->site),
		.topic = o->topic = g_strdup(call->topic),
		.language = o->language = g_strdup(call->language),
		.queued_at = call->queued_at,
		.answered_at = call->answered_at,
	};
	(void)sb_write_queue_submit(server->writes, SB_SERVER_OP_LIVE_CALL,
				    g_strdup_printf("call %s in progress at booth %s", call->call_id, call->booth_id),
				    write_live_call, o, (GDestroyNotify)owned_live_free);
}

typedef struct {
	char *call_id, *adviser;
} Owner;

static void owner_free(Owner *o)
{
	g_free(o->call_id);
	g_free(o->adviser);
	g_free(o);
}

static gboolean write_owner(SbStore *store, gpointer data, GError **error)
{
	Owner *o = data;
	return sb_store_live_call_set_adviser(store, o->call_id, o->adviser, error);
}

/* A warm transfer: the call in progress is the colleague's to resume now. */
static void services_call_owner(const char *call_id, const char *adviser, gpointer user_data)
{
	SbServer *server = user_data;
	Owner *o = g_new0(Owner, 1);
	o->call_id = g_strdup(call_id);
	o->adviser = g_strdup(adviser);
	(void)sb_write_queue_submit(server->writes, SB_SERVER_OP_LIVE_CALL,
				    g_strdup_printf("call %s handed over to %s", call_id, adviser), write_owner, o,
				    (GDestroyNotify)owner_free);
}

static void reload_one(const SbLiveCall *c, gpointer user_data)
{
	SbServer *server = user_data;
	SbHubLiveCall h = {
		.call_id = c->call_id,
		.booth_id = c->booth_id,
		.adviser = c->adviser,
		.ticket = c->ticket,
		.site = c->site,
		.topic = c->topic,
		.language = c->language,
		.queued_at = c->queued_at,
		.answered_at = c->answered_at,
	};
	g_autoptr(GError) error = NULL;
	if (!sb_hub_reload_call(server->hub, &h, &error))
		g_warning("a call in progress in the store is not taken back: %s", error->message);
}

/* The calls a switchboard before this one left in progress (stopped,
 * updated, crashed): taken back, each waiting the resume grace for its two
 * ends; those that do not come back end then with one record (peer-lost). */
static void reload_calls(SbServer *server)
{
	g_autoptr(GError) error = NULL;
	if (!sb_store_live_call_scan(server->store, reload_one, server, &error))
		g_warning("the calls in progress could not be read from the store: %s", error->message);
}

static const SbHubTransport transport = {transport_send, transport_close};

static const SbHubServices services = {
	.call_ended = services_call_ended,
	.call_answered = services_call_answered,
	.call_owner = services_call_owner,
	.feedback = services_feedback,
	.next_opening = services_next_opening,
	.booking_slots_async = services_booking_slots_async,
	.booking_book = services_booking_book,
	.booking_check_in = services_booking_check_in,
	.booking_verify = services_booking_verify,
	.booking_use = services_booking_use,
	.update_report = services_update_report,
	.booth_greeted = services_booth_greeted,
	.update_status = services_update_status,
};

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
		g_hash_table_remove(server->conn_signins, ws);
		g_hash_table_remove(server->booth_certs, ws);
		g_hash_table_remove(server->conn_addresses, ws);
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

#define BOOTH_KEEPIDLE_S  20
#define BOOTH_KEEPINTVL_S 5
#define BOOTH_KEEPCNT	  4

static void booth_keepalive(GSocket *sock)
{
	g_autoptr(GError) error = NULL;
	g_socket_set_keepalive(sock, TRUE);
	if (!g_socket_set_option(sock, IPPROTO_TCP, TCP_KEEPIDLE, BOOTH_KEEPIDLE_S, &error) ||
	    !g_socket_set_option(sock, IPPROTO_TCP, TCP_KEEPINTVL, BOOTH_KEEPINTVL_S, &error) ||
	    !g_socket_set_option(sock, IPPROTO_TCP, TCP_KEEPCNT, BOOTH_KEEPCNT, &error))
		g_debug("TCP keepalive: %s", error->message);
}

static void on_websocket(SoupServer *soup, SoupServerMessage *msg, const char *path, SoupWebsocketConnection *ws,
			 gpointer user_data)
{
	Endpoint *ep = user_data;
	SbServer *server = ep->server;
	/* libsoup's hard cap (no close frame) sits well above ours, which
	 * on_ws_message enforces with a proper 1009 */
	soup_websocket_connection_set_max_incoming_payload_size(ws, 16 * CONFIG_RELAIS_PROTO_MAX_MESSAGE);
	GSocket *sock = soup_server_message_get_socket(msg);
	/* Half-open connections (a booth or a console gone behind NAT) must
	 * be found so that the hub ends their calls. An adviser's console gets
	 * WebSocket pings (it may sit behind a proxy that times out idle
	 * tunnels). A booth gets the kernel's TCP keepalive instead: libsoup's
	 * keepalive is a timer source per connection in the main context,
	 * which GLib walks at every iteration (thousands of booths: most of
	 * the main loop's time, tests/bench/README-load.md item 9); the kernel
	 * probes a silent booth's socket after BOOTH_KEEPIDLE_S and closes it
	 * BOOTH_KEEPINTVL_S * BOOTH_KEEPCNT later (a ping to a dead peer only
	 * failed after TCP's retransmissions, minutes). A live booth pings
	 * every 15 s itself (booth/link.c), which keeps NAT mappings. */
	if (ep->role == RELAIS_ROLE_BOOTH && sock)
		booth_keepalive(sock);
	else
		soup_websocket_connection_set_keepalive_interval(ws, 20);
	/* a relayed offer or candidate goes out at once: with Nagle's
	 * algorithm a small frame written while the previous one is not yet
	 * acknowledged waits for that ACK, which the peer may delay by tens
	 * of milliseconds (tests/bench/README-load.md) */
	g_autoptr(GError) nodelay_error = NULL;
	if (sock && !g_socket_set_option(sock, IPPROTO_TCP, TCP_NODELAY, 1, &nodelay_error))
		g_debug("TCP_NODELAY: %s", nodelay_error->message);
	SbPeer *peer = sb_hub_connect(server->hub, ep->role, ws);
	/* set by ws_gate(): the adviser is who signed in, not what the hello says */
	SbUser *user = g_object_get_data(G_OBJECT(msg), "relais-user");
	/* set by ws_gate() too: the booth is who its certificate names */
	SbBoothCert *who = g_object_get_data(G_OBJECT(msg), "relais-booth");
	if (ep->role == RELAIS_ROLE_BOOTH && who != NULL) {
		sb_hub_set_booth_identity(peer, who->booth_id, g_object_get_data(G_OBJECT(msg), "relais-booth-site"));
		SbBoothCert *link = g_new0(SbBoothCert, 1);
		link->serial = g_strdup(who->serial);
		link->booth_id = g_strdup(who->booth_id);
		link->not_after = who->not_after;
		g_hash_table_insert(server->booth_certs, ws, link);
	}
	if (ep->role == RELAIS_ROLE_ADVISER && user != NULL) {
		sb_hub_set_adviser_identity(peer, *user->display_name ? user->display_name : user->login);
		sb_hub_set_adviser_account(peer, user->login);
		sb_hub_set_adviser_skills(peer, (const char *const *)user->languages,
					  (const char *const *)user->topics);
		g_hash_table_insert(server->conn_signins, ws,
				    g_strdup(g_object_get_data(G_OBJECT(msg), "relais-session")));
	}
	g_hash_table_insert(server->conns, g_object_ref(ws), peer);
	g_hash_table_insert(server->conn_addresses, ws, g_strdup(sb_client_address(msg)));
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
	SbServer *server = user_data;
	if (!sb_http_allow(msg, "GET, HEAD"))
		return;
	g_autoptr(GString) reasons = g_string_new("unhealthy\n");
	gsize head = reasons->len;
	if (sb_health_check(server->health, reasons)) {
		set_text(msg, SOUP_STATUS_OK, "text/plain", "ok\n");
		return;
	}
	g_assert(reasons->len > head);
	soup_message_headers_replace(soup_server_message_get_response_headers(msg), "Cache-Control", "no-store");
	set_text(msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "text/plain; charset=utf-8", reasons->str);
}

static void on_metrics(SoupServer *soup, SoupServerMessage *msg, const char *path, GHashTable *query,
		       gpointer user_data)
{
	SbServer *server = user_data;
	/* counters only, nothing about people; still, off this machine a
	 * scraper must sign in as an admin (a local Prometheus need not).
	 * Behind a proxy on this machine, "this machine" is the client the
	 * proxy names, never the proxy itself (client.h). */
	GInetAddress *client = sb_client_get(msg)->address;
	gboolean local = client != NULL && g_inet_address_get_is_loopback(client);
	if (!local) {
		g_autoptr(SbUser) admin = sb_http_require_role(server->store, msg, SB_HTTP_ROLE(SB_ROLE_ADMIN), NULL);
		if (admin == NULL)
			return;
	}
	g_autoptr(GString) out = g_string_new(NULL);
	sb_hub_metrics(server->hub, out);
	sb_reader_metrics(server->reader, out);
	sb_write_queue_metrics(server->writes, out);
	g_string_append_printf(out,
			       "# HELP relais_document_uploads_bytes Bytes of document upload buffers allocated now.\n"
			       "# TYPE relais_document_uploads_bytes gauge\n"
			       "relais_document_uploads_bytes %" G_GSIZE_FORMAT "\n",
			       sb_docshare_uploads_bytes(server->soup));
	sb_health_metrics(server->health, RELAIS_SOFTWARE, out);
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
	/* A guest's link is /guest#<token> (PROTOCOL.md "A guest in the call"):
	 * its page is guest.html. */
	if (g_strcmp0(path, "/guest") == 0)
		path = "/guest.html";
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

/* --- requests: origin, cookies, bodies ------------------------------------- */

static void set_json_user(SoupServerMessage *msg, const SbUser *user)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "login");
	json_builder_add_string_value(b, user->login);
	json_builder_set_member_name(b, "name");
	json_builder_add_string_value(b, *user->display_name ? user->display_name : user->login);
	json_builder_set_member_name(b, "role");
	json_builder_add_string_value(b, sb_role_to_string(user->role));
	json_builder_end_object(b);
	sb_http_set_json(msg, SOUP_STATUS_OK, b);
}

static void set_signin_cookie(SbServer *server, SoupServerMessage *msg, const char *token, gboolean expire)
{
	g_autofree char *cookie =
		g_strdup_printf(SB_SESSION_COOKIE "=%s; Path=/; Max-Age=%d; HttpOnly; SameSite=Strict%s",
				expire ? "" : token, expire ? 0 : CONFIG_RELAIS_SB_SESSION_TTL_S,
				sb_client_is_https(msg, server->secure_cookies) ? "; Secure" : "");
	soup_message_headers_append(soup_server_message_get_response_headers(msg), "Set-Cookie", cookie);
}

/* login and password from a JSON object or a urlencoded form. FALSE: the body
 * is too large (*status 413), not one of those or lacks a field (400). */
static gboolean read_credentials(SoupServerMessage *msg, char **login, char **password, const char **why, guint *status)
{
	SoupMessageBody *body = soup_server_message_get_request_body(msg);
	*status = SOUP_STATUS_BAD_REQUEST;
	if (body->length > API_MAX_BODY) {
		*why = "request body too large";
		*status = SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE;
		return FALSE;
	}
	g_autoptr(GBytes) bytes = soup_message_body_flatten(body);
	gsize len;
	const char *data = g_bytes_get_data(bytes, &len);
	const char *type = soup_message_headers_get_content_type(soup_server_message_get_request_headers(msg), NULL);
	return sb_http_parse_credentials(type, data, len, login, password, why);
}

/* --- /api ----------------------------------------------------------------------- */

#define WRONG_CREDENTIALS "wrong login or password"
/* what an unauthenticated client is told when the store fails: never the
 * store's own words (a path, a SQLite message), which go to the log */
#define STORE_FAILED "the switchboard cannot check sign-ins now: try again later"

/* A sign-in the store could not serve: 503 with Retry-After for a fault
 * of the moment (a full disk, a lock), 500 otherwise; the same words. */
static void signin_store_failed(SoupServerMessage *msg, const GError *error)
{
	g_warning("sign-in: %s", error->message);
	if (!sb_store_error_is_transient(error)) {
		sb_http_set_json_error(msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, STORE_FAILED);
		return;
	}
	g_autofree char *after = g_strdup_printf("%d", SB_API_STORE_RETRY_S);
	soup_message_headers_replace(soup_server_message_get_response_headers(msg), "Retry-After", after);
	sb_http_set_json_error(msg, SOUP_STATUS_SERVICE_UNAVAILABLE, STORE_FAILED);
}

/* POST /api/login: the order of STORE.md. The counting and recording run
 * on the main loop; the KDF (scrypt takes ~0.1 s and tens of MB: on the main
 * loop it would stall every call's signaling) in a worker thread, which
 * only hashes. Each attempt is recorded before its hash starts, as a failure
 * until it proves right: attempts whose hashes are still running count, so
 * no burst of parallel guesses passes the limit together. */
typedef struct {
	SbServer *server;
	SoupServerMessage *msg; /* paused until the KDF is done */
	char *login, *password, *address;
	gint64 attempt; /* its record in sign_in_attempts */
	SbUser *user;	/* NULL: unknown login (one KDF all the same) */
	guint delay_id; /* the account's slow-down, before the KDF */
	gboolean ok;	/* set by the worker */
	char *rehash;	/* set by the worker when the stored parameters are old */
} SignIn;

static void sign_in_free(SignIn *in)
{
	if (in->password)
		explicit_bzero(in->password, strlen(in->password));
	g_clear_handle_id(&in->delay_id, g_source_remove);
	g_free(in->password);
	g_free(in->login);
	g_free(in->address);
	g_clear_pointer(&in->user, sb_user_free);
	g_free(in->rehash);
	g_object_unref(in->msg);
	g_free(in);
}

static void sign_in_kdf(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
	SignIn *in = data;
	in->ok = sb_auth_verify_password(in->password, in->user ? in->user->password_hash : NULL);
	if (in->ok && sb_auth_needs_rehash(in->user->password_hash))
		in->rehash = sb_auth_hash_password(in->password, NULL);
	g_task_return_boolean(task, TRUE);
}

static void sign_in_finish(SignIn *in)
{
	SbServer *server = in->server;
	SoupServerMessage *msg = in->msg;
	SbUser *user = in->user;
	g_autoptr(GError) error = NULL;
	if (!in->ok) {
		/* recorded before the hash: it stays a failure */
		g_message("sign-in refused from %s", in->address);
		sb_http_set_json_error(msg, SOUP_STATUS_UNAUTHORIZED, WRONG_CREDENTIALS);
		return;
	}
	if (!sb_store_attempt_succeeded(server->store, in->attempt, user->login, in->address, &error)) {
		g_warning("sign-in: %s", error->message);
		g_clear_error(&error);
	}
	if (user->disabled) {
		sb_http_set_json_error(msg, SOUP_STATUS_FORBIDDEN, "this account is disabled");
		return;
	}
	if (in->rehash != NULL) {
		/* before the sign-in: set_password ends the account's sign-ins */
		if (!sb_store_user_set_password(server->store, user->login, in->rehash, &error)) {
			g_warning("sign-in: rehashing %s: %s", user->login, error->message);
			g_clear_error(&error);
		}
	}
	g_autofree char *token = sb_store_signin_create(server->store, user->id, in->address, 0, &error);
	if (token == NULL) {
		signin_store_failed(msg, error);
		return;
	}
	g_message("%s '%s' signed in from %s", sb_role_to_string(user->role), user->login, in->address);
	set_json_user(msg, user);
	set_signin_cookie(server, msg, token, FALSE);
}

static void sign_in_done(GObject *source, GAsyncResult *result, gpointer data)
{
	SignIn *in = g_task_get_task_data(G_TASK(result));
	in->server->kdf_jobs--;
	/* the server may be going away: its tasks then finish without it */
	if (!in->server->closing)
		sign_in_finish(in);
	soup_server_message_unpause(in->msg);
}

static void sign_in_start_kdf(SignIn *in)
{
	in->server->kdf_jobs++;
	g_autoptr(GTask) task = g_task_new(NULL, NULL, sign_in_done, NULL);
	g_task_set_task_data(task, in, (GDestroyNotify)sign_in_free);
	g_task_run_in_thread(task, sign_in_kdf);
}

static gboolean on_sign_in_delayed(gpointer data)
{
	SignIn *in = data;
	in->delay_id = 0;
	g_ptr_array_remove_fast(in->server->delayed, in);
	sign_in_start_kdf(in);
	return G_SOURCE_REMOVE;
}

static void refuse_for_now(SoupServerMessage *msg, guint status, const char *text, guint wait)
{
	g_autofree char *retry = g_strdup_printf("%u", wait);
	g_autoptr(JsonBuilder) b = json_builder_new();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "error");
	json_builder_add_string_value(b, text);
	json_builder_set_member_name(b, "retry_after");
	json_builder_add_int_value(b, wait);
	json_builder_end_object(b);
	sb_http_set_json(msg, status, b);
	soup_message_headers_replace(soup_server_message_get_response_headers(msg), "Retry-After", retry);
}

static void api_login(SbServer *server, SoupServerMessage *msg)
{
	g_autofree char *login = NULL, *password = NULL;
	const char *why = NULL;
	guint status;
	if (!read_credentials(msg, &login, &password, &why, &status)) {
		sb_http_set_json_error(msg, status, why);
		return;
	}
	/* behind a trusted proxy, the client it names (client.h) */
	const char *address = sb_client_address(msg);
	g_autoptr(GError) error = NULL;
	SbAttempts per_pair, per_address, per_login;
	if (!sb_store_attempts_count(server->store, login, address, 0, &per_pair, &per_address, &per_login, &error)) {
		signin_store_failed(msg, error);
		return;
	}
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;
	/* this login from this address, and this address: never the login
	 * alone, which would let anyone lock its owner out */
	guint wait = sb_auth_rate_limit(NULL, per_pair.failures, per_pair.oldest_s, per_address.failures,
					per_address.oldest_s, now);
	if (wait > 0) {
		refuse_for_now(msg, 429 /* Too Many Requests */, "too many attempts", wait);
		return;
	}
	/* each KDF holds tens of MB: a burst of sign-ins waits its turn */
	if (server->kdf_jobs >= MAX_KDF_JOBS || server->delayed->len >= MAX_DELAYED_SIGNINS) {
		refuse_for_now(msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "busy: try again in a second", 1);
		return;
	}
	SignIn *in = g_new0(SignIn, 1);
	if (!sb_store_attempt_record(server->store, login, address, &in->attempt, &error)) {
		g_free(in);
		signin_store_failed(msg, error);
		return;
	}
	in->server = server;
	in->msg = g_object_ref(msg);
	in->login = g_steal_pointer(&login);
	in->password = g_steal_pointer(&password);
	in->address = g_strdup(address);
	in->user = sb_store_user_get(server->store, in->login, NULL);
	soup_server_message_pause(msg);
	/* failures on this account from anywhere slow every sign-in to it
	 * down, the right one too: a delay, never a refusal */
	guint delay = sb_auth_slowdown(NULL, per_login.failures);
	if (delay > 0) {
		g_message("sign-in from %s: the account has %u recent failures, answering in %u s", in->address,
			  per_login.failures, delay);
		g_ptr_array_add(server->delayed, in);
		in->delay_id = g_timeout_add_seconds(delay, on_sign_in_delayed, in);
		return;
	}
	sign_in_start_kdf(in);
}

/* Closes the consoles whose sign-in hash `doomed` picks, with `reason` (1008).
 * Collected first: closing may drop a connection from the table. */
static void close_consoles(SbServer *server, gboolean (*doomed)(SbServer *, const char *, gpointer), gpointer data,
			   const char *reason)
{
	g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func(g_object_unref);
	GHashTableIter it;
	gpointer ws, h;
	g_hash_table_iter_init(&it, server->conn_signins);
	while (g_hash_table_iter_next(&it, &ws, &h))
		if (doomed(server, h, data))
			g_ptr_array_add(list, g_object_ref(ws));
	for (guint i = 0; i < list->len; i++) {
		/* closed on purpose: its call ends now, nobody can resume it */
		sb_hub_end_adviser_call(server->hub, g_hash_table_lookup(server->conns, list->pdata[i]));
		if (soup_websocket_connection_get_state(list->pdata[i]) == SOUP_WEBSOCKET_STATE_OPEN)
			soup_websocket_connection_close(list->pdata[i], SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, reason);
	}
}

static gboolean signin_is(SbServer *server, const char *hash, gpointer data)
{
	return g_strcmp0(hash, data) == 0;
}

/* The sign-in expired, was ended (sign-out elsewhere, password reset, account
 * deleted or disabled), or the account may no longer answer calls. A store
 * failure keeps the console open: the next sweep decides. */
static gboolean signin_is_over(SbServer *server, const char *hash, gpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(SbUser) user = sb_store_signin_lookup_key(server->store, hash, &error);
	if (user == NULL)
		return g_error_matches(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND) ||
		       g_error_matches(error, SB_STORE_ERROR, SB_STORE_ERROR_EXPIRED) ||
		       g_error_matches(error, SB_STORE_ERROR, SB_STORE_ERROR_DISABLED);
	return user->role != SB_ROLE_ADVISER && user->role != SB_ROLE_ADMIN;
}

static gboolean signin_in(SbServer *server, const char *hash, gpointer data)
{
	return g_strv_contains(data, hash);
}

/* Closes the consoles of these sign-ins (SHA-256 of their tokens): the
 * account deleted, its password reset or its role changed by an
 * administrator (admin.c). */
static void close_signins_consoles(const char *const *signin_hashes, gpointer user_data)
{
	close_consoles(user_data, signin_in, (gpointer)signin_hashes, "session ended: sign in again");
}

static void api_logout(SbServer *server, SoupServerMessage *msg)
{
	g_autofree char *token = sb_http_signin_token(msg);
	if (token) {
		g_autoptr(GError) error = NULL;
		if (!sb_store_signin_delete(server->store, token, &error) &&
		    !g_error_matches(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND))
			g_warning("sign-out: %s", error->message);
		/* the sign-in's consoles go with it */
		g_autofree char *hash = sb_auth_token_hash(token);
		close_consoles(server, signin_is, hash, "signed out");
	}
	/* 200 with a body rather than 204: libsoup drops a kept-alive
	 * connection after a 204, which clients reusing it see as a hang-up */
	set_text(msg, SOUP_STATUS_OK, "application/json", "{}");
	soup_message_headers_replace(soup_server_message_get_response_headers(msg), "Cache-Control", "no-store");
	set_signin_cookie(server, msg, NULL, TRUE);
}

static void on_api(SoupServer *soup, SoupServerMessage *msg, const char *path, GHashTable *query, gpointer user_data)
{
	SbServer *server = user_data;
	const char *method = soup_server_message_get_method(msg);
	gboolean is_post = g_strcmp0(method, "POST") == 0;
	gboolean is_get = g_strcmp0(method, "GET") == 0 || g_strcmp0(method, "HEAD") == 0;
	if (g_strcmp0(path, "/api/login") == 0 || g_strcmp0(path, "/api/logout") == 0) {
		if (!is_post) {
			soup_message_headers_replace(soup_server_message_get_response_headers(msg), "Allow", "POST");
			sb_http_set_json_error(msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "use POST");
			return;
		}
		/* a form on another site must not sign anyone in or out */
		if (!sb_http_origin_is_ours(msg, server->secure_cookies, FALSE)) {
			sb_http_set_json_error(msg, SOUP_STATUS_FORBIDDEN, "cross-origin request refused");
			return;
		}
		if (g_strcmp0(path, "/api/login") == 0)
			api_login(server, msg);
		else
			api_logout(server, msg);
	} else if (g_strcmp0(path, "/api/me") == 0) {
		if (!is_get) {
			soup_message_headers_replace(soup_server_message_get_response_headers(msg), "Allow",
						     "GET, HEAD");
			sb_http_set_json_error(msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "use GET");
			return;
		}
		g_autoptr(SbUser) user = sb_http_signin_user(server->store, msg, NULL);
		if (user == NULL)
			sb_http_set_json_error(msg, SOUP_STATUS_UNAUTHORIZED, "not signed in");
		else
			set_json_user(msg, user);
	} else {
		sb_http_set_json_error(msg, SOUP_STATUS_NOT_FOUND, "no such endpoint");
	}
}

/* Whether another connection may wait for its hello: at most
 * RELAIS_SB_PREHELLO_MAX_PER_ADDRESS from one address and
 * RELAIS_SB_PREHELLO_MAX in all (the hub closes the silent ones after the
 * hello timeout). Counted over the open connections: a few hundred at most. */
static gboolean may_wait_for_hello(SbServer *server, const char *address)
{
	guint from_address = 0, total = 0;
	GHashTableIter it;
	gpointer ws, peer;
	g_hash_table_iter_init(&it, server->conns);
	while (g_hash_table_iter_next(&it, &ws, &peer)) {
		if (sb_hub_peer_greeted(peer))
			continue;
		total++;
		if (g_strcmp0(g_hash_table_lookup(server->conn_addresses, ws), address) == 0)
			from_address++;
	}
	if (from_address < CONFIG_RELAIS_SB_PREHELLO_MAX_PER_ADDRESS && total < CONFIG_RELAIS_SB_PREHELLO_MAX)
		return TRUE;
	g_message("refusing a WebSocket from %s: %u of its connections and %u in all are waiting for their hello",
		  address, from_address, total);
	return FALSE;
}

/* Runs before the WebSocket handshake of the same path: a status set here
 * refuses the upgrade (libsoup then never makes a connection). */
static void on_ws_gate(SoupServer *soup, SoupServerMessage *msg, const char *path, GHashTable *query,
		       gpointer user_data)
{
	Endpoint *ep = user_data;
	SbServer *server = ep->server;
	SoupMessageHeaders *h = soup_server_message_get_request_headers(msg);
	/* first, and cheap: no store lookup for a client that floods upgrades */
	if (!may_wait_for_hello(server, sb_client_address(msg))) {
		soup_message_headers_replace(soup_server_message_get_response_headers(msg), "Retry-After", "10");
		set_text(msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "text/plain",
			 "too many connections waiting for their hello: say hello on those, or try again later\n");
		return;
	}
	if (ep->role == RELAIS_ROLE_BOOTH) {
		/* booths are not browsers: an Origin means a web page posing as one */
		if (soup_message_headers_get_one(h, "Origin") != NULL) {
			set_text(msg, SOUP_STATUS_FORBIDDEN, "text/plain", "booths do not send an Origin\n");
			return;
		}
		/* only enrolled booths: a valid, unrevoked certificate from
		 * the booth CA (403 with the reason set otherwise) */
		SbBoothCert *who = sb_enrol_http_gate(server->enrol, msg);
		if (who == NULL)
			return;
		/* where it is registered: its site is that one, not its hello's */
		g_autoptr(GError) error = NULL;
		char *site = sb_store_booth_site_name(server->store, who->booth_id, &error);
		if (error) {
			g_warning("booth %s: its registered site: %s", who->booth_id, error->message);
			set_text(msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "text/plain", "the store failed: try again\n");
			sb_booth_cert_free(who);
			return;
		}
		g_object_set_data_full(G_OBJECT(msg), "relais-booth", who, (GDestroyNotify)sb_booth_cert_free);
		g_object_set_data_full(G_OBJECT(msg), "relais-booth-site", site, g_free);
		return;
	}
	if (!sb_http_origin_is_ours(msg, server->secure_cookies, TRUE)) {
		set_text(msg, SOUP_STATUS_FORBIDDEN, "text/plain", "cross-origin WebSocket refused\n");
		return;
	}
	/* a guest has no account: its invitation's token, in its hello, is
	 * what lets it in (hub-guests.c) */
	if (ep->role == RELAIS_ROLE_GUEST)
		return;
	g_autofree char *token = NULL;
	g_autoptr(SbUser) user = sb_http_signin_user(server->store, msg, &token);
	if (user == NULL) {
		set_text(msg, SOUP_STATUS_UNAUTHORIZED, "text/plain", "sign in first\n");
		return;
	}
	if (user->role != SB_ROLE_ADVISER && user->role != SB_ROLE_ADMIN) {
		set_text(msg, SOUP_STATUS_FORBIDDEN, "text/plain", "this account does not answer calls\n");
		return;
	}
	g_autoptr(GError) error = NULL;
	if (!sb_store_signin_touch(server->store, token, &error))
		g_debug("session touch: %s", error->message);
	g_object_set_data_full(G_OBJECT(msg), "relais-session", sb_auth_token_hash(token), g_free);
	g_object_set_data_full(G_OBJECT(msg), "relais-user", g_steal_pointer(&user), (GDestroyNotify)sb_user_free);
}

/* The adviser console of sign-in `signin_hash` that is in a call
 * now (documents: the call is found from the sign-in, never from the
 * client). */
static SbPeer *find_adviser_in_call(const char *signin_hash, gpointer user_data)
{
	SbServer *server = user_data;
	GHashTableIter it;
	gpointer ws, hash;
	g_hash_table_iter_init(&it, server->conn_signins);
	while (g_hash_table_iter_next(&it, &ws, &hash)) {
		if (g_strcmp0(hash, signin_hash) != 0)
			continue;
		SbPeer *peer = g_hash_table_lookup(server->conns, ws);
		if (sb_hub_adviser_in_call(peer))
			return peer;
	}
	return NULL;
}

/* The most a route keeps of a request body (sb_http_cap_bodies): a sign-in's
 * two fields, an enrolment's PEM request, the administration's JSON (the
 * largest of the rest); the routes check their exact caps again. Documents
 * and bundles stream their uploads with their own caps. */
static gsize body_cap(const char *path, gpointer user_data)
{
	if (g_strcmp0(path, "/api/login") == 0 || g_strcmp0(path, "/api/logout") == 0)
		return API_MAX_BODY;
	if (g_str_has_prefix(path, SB_ENROL_HTTP_PATH))
		return SB_ENROL_HTTP_MAX_BODY;
	return SB_ADMIN_MAX_BODY;
}

/* --- life cycle -------------------------------------------------------------- */

/* /ws/booth and the booths' routes on the advisers' port: not here. */
static void on_booth_elsewhere(SoupServer *soup, SoupServerMessage *msg, const char *path, GHashTable *query,
			       gpointer user_data)
{
	SbServer *server = user_data;
	g_autofree char *text = g_strdup_printf(
		"booths connect to the booth listener (TLS, port %u) with their certificate: see ENROL.md\n",
		server->booth_port);
	set_text(msg, SOUP_STATUS_FORBIDDEN, "text/plain", text);
}

static gboolean listen_on(SoupServer *soup, GInetAddress *addr, guint port, GTlsCertificate *tls, guint *bound,
			  GError **error)
{
	SoupServerListenOptions listen = 0;
	if (tls) {
		soup_server_set_tls_certificate(soup, tls);
		listen |= SOUP_SERVER_LISTEN_HTTPS;
	}
	g_autoptr(GSocketAddress) sa = g_inet_socket_address_new(addr, port);
	/* our own socket rather than soup_server_listen()'s: its listen queue
	 * is GLib's default of 10, and a fleet redialling after a restart (or
	 * a TLS handshake's worth of booths at once) overflows it; each SYN
	 * dropped costs its booth a retry a second or more later */
	g_autoptr(GSocket) sock =
		g_socket_new(g_inet_address_get_family(addr), G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
	if (sock)
		g_socket_set_listen_backlog(sock, CONFIG_RELAIS_SB_LISTEN_BACKLOG);
	if (sock == NULL || !g_socket_bind(sock, sa, TRUE, error) || !g_socket_listen(sock, error) ||
	    !soup_server_listen_socket(soup, sock, listen, error)) {
		g_autofree char *a = g_inet_address_to_string(addr);
		g_prefix_error(error, "listening on %s:%u: ", a, port);
		return FALSE;
	}
	GSList *uris = soup_server_get_uris(soup);
	if (uris)
		*bound = g_uri_get_port(uris->data);
	g_slist_free_full(uris, (GDestroyNotify)g_uri_unref);
	return TRUE;
}

SbServer *sb_server_new(const SbServerConfig *config, GError **error)
{
	g_return_val_if_fail(config->store != NULL, NULL);
	g_return_val_if_fail(config->enrol != NULL && config->booth_tls_certificate != NULL, NULL);
	g_autoptr(SbServer) server = g_new0(SbServer, 1);
	server->assets_dir = g_strdup(config->assets_dir);
	server->store = config->store;
	server->enrol = config->enrol;
	server->secure_cookies = config->secure_cookies;
	server->trusted_proxies =
		config->trusted_proxies ? sb_trusted_proxies_ref(config->trusted_proxies) : sb_trusted_proxies_new();
	server->conns = g_hash_table_new(g_direct_hash, g_direct_equal);
	server->conn_signins = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
	server->booth_certs =
		g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, (GDestroyNotify)sb_booth_cert_free);
	server->conn_addresses = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
	server->delayed = g_ptr_array_new();
	server->reader = sb_reader_new(config->store, 0, 0, error);
	if (server->reader == NULL)
		return NULL;
	static const char *const write_ops[] = {SB_STATS_OP_CALL,
						SB_STATS_OP_RATING,
						SB_SERVER_OP_UPDATE_REPORT,
						SB_SERVER_OP_UPDATE_STATUS,
						SB_SERVER_OP_BOOKING_USE,
						SB_SERVER_OP_LIVE_CALL,
						NULL};
	SbWriteQueueConfig writes = {.ops = write_ops};
	server->writes = sb_write_queue_new(config->store, &writes, error);
	if (server->writes == NULL)
		return NULL;
	server->hub = sb_hub_new(&config->hub, &transport, server);
	sb_hub_set_services(server->hub, &services, server);
	reload_calls(server);
	server->tick_id = g_timeout_add_seconds(1, on_tick, server);
	SbHealthConfig health = {.store = config->store, .min_free_mb = config->health_min_free_mb};
	server->health = sb_health_new(&health);
	sweep_no_shows(server);
	server->soup = soup_server_new("server-header", "relais-switchboard", NULL);
	/* the booth listener asks every client for a certificate and checks
	 * it itself (enrol-http.h): the booth CA is deliberately not its
	 * tls-database. A client without one reaches only simpleenroll. */
	server->booth_soup = soup_server_new("server-header", "relais-switchboard", "tls-auth-mode",
					     G_TLS_AUTHENTICATION_REQUESTED, NULL);

	/* the advisers' listener may sit behind reverse proxies; the booth
	 * listener never does (a proxy cannot pass on a booth's certificate) */
	sb_client_attach(server->soup, server->trusted_proxies);
	/* before any handler: every body is capped before it is kept */
	sb_http_cap_bodies(server->soup, body_cap, NULL);
	sb_http_cap_bodies(server->booth_soup, body_cap, NULL);

	Endpoint *booth = g_new0(Endpoint, 1), *adviser = g_new0(Endpoint, 1), *guest = g_new0(Endpoint, 1);
	booth->server = adviser->server = guest->server = server;
	booth->role = RELAIS_ROLE_BOOTH;
	adviser->role = RELAIS_ROLE_ADVISER;
	guest->role = RELAIS_ROLE_GUEST;
	soup_server_add_websocket_handler(server->booth_soup, "/ws/booth", NULL, NULL, on_websocket, booth, g_free);
	soup_server_add_handler(server->booth_soup, "/ws/booth", on_ws_gate, booth, NULL);
	sb_enrol_http_attach(server->booth_soup, server->enrol);
	soup_server_add_handler(server->soup, "/ws/booth", on_booth_elsewhere, server, NULL);
	soup_server_add_websocket_handler(server->soup, "/ws/adviser", NULL, NULL, on_websocket, adviser, g_free);
	soup_server_add_handler(server->soup, "/ws/adviser", on_ws_gate, adviser, NULL);
	/* a guest in a call (PROTOCOL.md "A guest in the call"): the same
	 * Origin rule, message cap and rate as advisers, no sign-in */
	soup_server_add_websocket_handler(server->soup, "/ws/guest", NULL, NULL, on_websocket, guest, g_free);
	soup_server_add_handler(server->soup, "/ws/guest", on_ws_gate, guest, NULL);
	soup_server_add_handler(server->soup, "/api", on_api, server, NULL);
	sb_stats_register(server->soup, server->store, server->reader, server->writes, server->secure_cookies);
	SbSiteBooths *booths = sb_site_register(server->soup, server->store, server->hub);
	sb_admin_register(server->soup, server->store, server->secure_cookies, server->hub, booths,
			  close_signins_consoles, server);
	SbDocshareConfig docs = {server->store,	     server->hub,	   server->secure_cookies,
				 config->doc_limits, find_adviser_in_call, server};
	sb_docshare_register(server->soup, server->booth_soup, server->enrol, &docs);
	if (config->bundles.dir &&
	    !sb_bundles_register(server->soup, server->booth_soup, server->enrol, &config->bundles, error))
		return NULL;
	soup_server_add_handler(server->soup, "/healthz", on_healthz, server, NULL);
	soup_server_add_handler(server->soup, "/metrics", on_metrics, server, NULL);
	soup_server_add_handler(server->soup, NULL, on_static, server, NULL);

	g_autoptr(GInetAddress) addr = g_inet_address_new_from_string(config->bind);
	if (addr == NULL) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "'%s' is not an IP address", config->bind);
		return NULL;
	}
	/* main.c says it with the options to give; this guards other callers */
	if (config->tls_certificate == NULL && !g_inet_address_get_is_loopback(addr)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
			    "%s: plain HTTP is only allowed on loopback", config->bind);
		return NULL;
	}
	if (!listen_on(server->booth_soup, addr, config->booth_port, config->booth_tls_certificate, &server->booth_port,
		       error) ||
	    !listen_on(server->soup, addr, config->port, config->tls_certificate, &server->port, error))
		return NULL;
	return g_steal_pointer(&server);
}

guint sb_server_get_port(SbServer *server)
{
	return server->port;
}

guint sb_server_get_booth_port(SbServer *server)
{
	return server->booth_port;
}

void sb_server_free(SbServer *server)
{
	if (server == NULL)
		return;
	g_clear_handle_id(&server->tick_id, g_source_remove);
	/* the reads still out are answered (closed) while the hub and the
	 * HTTP server they answer to are still here */
	g_clear_pointer(&server->reader, sb_reader_free);
	/* sign-ins still hashing hold a pointer to us: let them finish, unanswered */
	server->closing = TRUE;
	while (server->kdf_jobs > 0)
		g_main_context_iteration(NULL, TRUE);
	/* slowed-down ones never reach their KDF: unanswered too */
	if (server->delayed) {
		for (guint i = 0; i < server->delayed->len; i++) {
			SignIn *in = g_ptr_array_index(server->delayed, i);
			soup_server_message_unpause(in->msg);
			sign_in_free(in);
		}
		g_ptr_array_unref(server->delayed);
	}
	/* the calls in progress stay in the store for the next start: their
	 * two ends go on peer to peer meanwhile (a crash leaves them so too) */
	if (server->hub)
		sb_hub_stop(server->hub);
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
		g_hash_table_unref(server->conn_signins);
		g_hash_table_unref(server->booth_certs);
		g_hash_table_unref(server->conn_addresses);
	}
	if (server->soup) {
		soup_server_disconnect(server->soup);
		g_object_unref(server->soup);
	}
	if (server->booth_soup) {
		soup_server_disconnect(server->booth_soup);
		g_object_unref(server->booth_soup);
	}
	sb_hub_free(server->hub);
	/* after the hub: the calls it ended on its way out have their records;
	 * a last attempt, then what is still unwritten is logged */
	sb_write_queue_free(server->writes);
	sb_health_free(server->health);
	sb_trusted_proxies_unref(server->trusted_proxies);
	g_free(server->assets_dir);
	g_free(server);
}
