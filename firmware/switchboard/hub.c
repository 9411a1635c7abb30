/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "relais-hub"

/* The hub's registry of booths and advisers: connections, hello, status,
 * request and cancel, the message dispatch, the tick, metrics. Beside it:
 * hub-state.c (the booth's and the call's state machines), hub-queue.c
 * (matching, order, wait estimates), hub-calls.c (accept, relay, held
 * calls, end, ratings), hub-bookings.c (a booth's booking requests),
 * hub-docs.c (documents in a call). */
#include "hub-private.h"
#include "turn.h"
#include "relais-config.h"

#include <string.h>

static gint64 default_clock(gpointer user_data)
{
	return g_get_monotonic_time();
}

gint64 hub_now_us(SbHub *hub)
{
	return hub->clock(hub->clock_data);
}

static gint64 default_wall_clock(gpointer user_data)
{
	return g_get_real_time();
}

gint64 hub_wall_s(SbHub *hub)
{
	return hub->wall_clock(hub->wall_clock_data) / G_USEC_PER_SEC;
}

SbHub *sb_hub_new(const SbHubConfig *config, const SbHubTransport *transport, gpointer user_data)
{
	SbHub *hub = g_new0(SbHub, 1);
	hub->config = *config;
	hub->config.ice_servers = g_strdupv(config->ice_servers);
	hub->config.turn_urls = g_strdupv(config->turn_urls);
	hub->config.turn_secret = g_strdup(config->turn_secret);
	hub->config.public_url = g_strdup(config->public_url);
	if (hub->config.turn_ttl_s == 0)
		hub->config.turn_ttl_s = CONFIG_RELAIS_SB_TURN_TTL_S;
	if (hub->config.wait_history == 0)
		hub->config.wait_history = CONFIG_RELAIS_SB_WAIT_HISTORY;
	if (hub->config.default_call_s == 0)
		hub->config.default_call_s = CONFIG_RELAIS_SB_DEFAULT_CALL_S;
	if (hub->config.feedback_window_s == 0)
		hub->config.feedback_window_s = CONFIG_RELAIS_SB_FEEDBACK_WINDOW_S;
	if (hub->config.recent_calls == 0)
		hub->config.recent_calls = CONFIG_RELAIS_SB_RECENT_CALLS;
	if (hub->config.resume_grace_s == 0)
		hub->config.resume_grace_s = CONFIG_RELAIS_SB_RESUME_GRACE_S;
	if (hub->config.checkin_max_failures == 0)
		hub->config.checkin_max_failures = CONFIG_RELAIS_SB_CHECKIN_MAX_FAILURES;
	if (hub->config.checkin_window_s == 0)
		hub->config.checkin_window_s = CONFIG_RELAIS_SB_CHECKIN_WINDOW_S;
	if (hub->config.hello_timeout_ms == 0)
		hub->config.hello_timeout_ms = CONFIG_RELAIS_SB_HELLO_TIMEOUT_S * 1000u;
	if (hub->config.msg_burst == 0)
		hub->config.msg_burst = CONFIG_RELAIS_SB_MSG_BURST;
	if (hub->config.msg_rate == 0)
		hub->config.msg_rate = CONFIG_RELAIS_SB_MSG_RATE;
	if (hub->config.broadcast_interval_ms == 0)
		hub->config.broadcast_interval_ms = CONFIG_RELAIS_SB_BROADCAST_INTERVAL_MS;
	if (hub->config.transfer_answer_s == 0)
		hub->config.transfer_answer_s = CONFIG_RELAIS_SB_TRANSFER_ANSWER_S;
	if (hub->config.transfer_queue_s == 0)
		hub->config.transfer_queue_s = CONFIG_RELAIS_SB_TRANSFER_QUEUE_S;
	hub->pending = g_ptr_array_new();
	hub->slot_asks = g_ptr_array_new();
	hub->durations = g_new0(gint64, hub->config.wait_history);
	hub->clock = default_clock;
	hub->wall_clock = default_wall_clock;
	hub->transport = *transport;
	hub->user_data = user_data;
	hub->booths = g_hash_table_new(g_str_hash, g_str_equal);
	hub->booths_sent = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	hub->advisers = g_ptr_array_new();
	g_queue_init(&hub->queue);
	hub->calls = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify)hub_call_free);
	hub->recent = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)hub_ended_queue_free);
	hub->checkin_failures = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_array_unref);
	hub_diag_init(hub);
	hub_guests_init(hub);
	return hub;
}

void sb_hub_set_clock(SbHub *hub, SbHubClock clock, gpointer user_data)
{
	hub->clock = clock ? clock : default_clock;
	hub->clock_data = user_data;
}

void sb_hub_set_wall_clock(SbHub *hub, SbHubClock clock, gpointer user_data)
{
	hub->wall_clock = clock ? clock : default_wall_clock;
	hub->wall_clock_data = user_data;
}

void sb_hub_set_services(SbHub *hub, const SbHubServices *services, gpointer user_data)
{
	if (services)
		hub->services = *services;
	else
		memset(&hub->services, 0, sizeof hub->services);
	hub->services_data = user_data;
}

void sb_hub_free(SbHub *hub)
{
	if (hub == NULL)
		return;
	/* peers belong to the transport, which disconnects them before this */
	hub_diag_shutdown(hub);
	hub_bookings_shutdown(hub);
	g_ptr_array_unref(hub->slot_asks);
	if (hub->flush_source)
		g_source_remove(hub->flush_source);
	g_queue_clear_full(&hub->queue, (GDestroyNotify)hub_ticket_free);
	g_hash_table_unref(hub->calls);
	g_hash_table_unref(hub->recent);
	g_hash_table_unref(hub->checkin_failures);
	g_free(hub->durations);
	g_hash_table_unref(hub->booths);
	g_hash_table_unref(hub->booths_sent);
	g_ptr_array_unref(hub->advisers);
	g_ptr_array_unref(hub->pending);
	hub_guests_shutdown(hub);
	g_free(hub->config.public_url);
	g_strfreev(hub->config.ice_servers);
	g_strfreev(hub->config.turn_urls);
	if (hub->config.turn_secret) {
		memset(hub->config.turn_secret, 0, strlen(hub->config.turn_secret));
		g_free(hub->config.turn_secret);
	}
	g_free(hub);
}

/* --- output ---------------------------------------------------------------- */

void hub_send_text(SbHub *hub, SbPeer *peer, const char *text)
{
	if (peer->closing)
		return;
	hub->transport.send(peer->conn, text, hub->user_data);
}

void hub_send_obj(SbHub *hub, SbPeer *peer, JsonObject *obj)
{
	g_autofree char *text = relais_msg_to_string(obj);
	hub_send_text(hub, peer, text);
}

static void close_peer(SbHub *hub, SbPeer *peer, gushort code, const char *reason)
{
	if (peer->closing)
		return;
	peer->closing = TRUE;
	hub->transport.close(peer->conn, code, reason, hub->user_data);
}

void hub_close_peer(SbHub *hub, SbPeer *peer, gushort code, const char *reason)
{
	close_peer(hub, peer, code, reason);
}

char *hub_random_id(SbHub *hub, SbPeer *peer, const char *prefix)
{
	g_autoptr(GError) error = NULL;
	char *id = relais_random_id(prefix, &error);
	if (id == NULL) {
		/* OpenSSL has no entropy: nothing predictable is handed out instead */
		g_warning("%s connection: %s", relais_role_name(peer->role), error->message);
		close_peer(hub, peer, 1011, "the switchboard has no random bytes: try again later");
	}
	return id;
}

static void reply_error(SbHub *hub, SbPeer *peer, const char *text)
{
	hub->protocol_errors++;
	hub_send_text(hub, peer, text);
	if (++peer->errors >= hub->config.max_errors) {
		g_message("closing %s connection after %u protocol errors", relais_role_name(peer->role), peer->errors);
		close_peer(hub, peer, 1008, "too many protocol errors");
	}
}

void hub_send_error(SbHub *hub, SbPeer *peer, RelaisProtoError code, const char *ref, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	g_autofree char *message = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_autofree char *text = relais_msg_error_string(code, message, ref);
	reply_error(hub, peer, text);
}

static JsonArray *strv_to_array(char **strv)
{
	JsonArray *a = json_array_new();
	for (char **s = strv; s && *s; s++)
		json_array_add_string_element(a, *s);
	return a;
}

/* The ICE servers for one end: the configured ones, and each TURN server
 * with credentials of its own, valid for turn_ttl_s (coturn's REST API
 * scheme: the TURN server checks them with the shared secret alone). The
 * user tag is the connection's id: opaque, never a person. */
JsonArray *hub_ice_servers_for(SbHub *hub, SbPeer *peer)
{
	JsonArray *a = strv_to_array(hub->config.ice_servers);
	if (hub->config.turn_secret == NULL || hub->config.turn_urls == NULL)
		return a;
	g_autofree char *user = NULL, *pass = NULL;
	g_autoptr(GError) error = NULL;
	if (!sb_turn_credentials(hub->config.turn_secret, peer->conn_id, g_get_real_time() / G_USEC_PER_SEC,
				 hub->config.turn_ttl_s, &user, &pass, &error)) {
		g_warning("TURN credentials: %s", error->message);
		return a;
	}
	/* user "expiry:tag" and a base64 password: escaped for the URI's
	 * userinfo (webrtcbin and the console unescape) */
	g_autofree char *u = g_uri_escape_string(user, NULL, FALSE);
	g_autofree char *p = g_uri_escape_string(pass, NULL, FALSE);
	for (char **t = hub->config.turn_urls; *t; t++) {
		/* the scheme kept for the console: turns: (TURN over TLS, e.g. on
		 * 443 where only TCP gets out) is not turn: with another port */
		gboolean tls = g_str_has_prefix(*t, "turns:");
		const char *rest = tls ? *t + 6 : g_str_has_prefix(*t, "turn:") ? *t + 5 : *t;
		while (*rest == '/')
			rest++;
		/* A booth gets a turns: server as TURN over plain TCP to the same
		 * host and port: libnice (0.1.21, webrtcbin's ICE) has no TLS
		 * client and gathers no relay candidate at all from a turns:
		 * server. coturn takes plain TCP on its TLS port too, so the
		 * booth still gets out where only TCP to 443 does; media stay
		 * DTLS-SRTP end to end, TURN messages carry MESSAGE-INTEGRITY
		 * (PROTOCOL.md, "TURN credentials"). */
		const char *scheme = tls && peer->role != RELAIS_ROLE_BOOTH ? "turns" : "turn";
		g_autofree char *uri = NULL;
		if (tls && peer->role == RELAIS_ROLE_BOOTH) {
			g_autofree char *hostport = g_strndup(rest, strcspn(rest, "?"));
			uri = g_strdup_printf("turn://%s:%s@%s?transport=tcp", u, p, hostport);
		} else {
			uri = g_strdup_printf("%s://%s:%s@%s", scheme, u, p, rest);
		}
		json_array_add_string_element(a, uri); /* copies it */
	}
	peer->ice_sent_us = hub_now_us(hub);
	return a;
}

const char *hub_booth_state(SbPeer *b)
{
	return sb_booth_state_name(b->state);
}

/* Moves booth `b` by `event`. FALSE, the state unchanged, when the event
 * is not allowed in its state: the caller replies the error. */
gboolean hub_booth_step(SbPeer *b, SbBoothEvent event)
{
	SbBoothState next;
	if (!sb_booth_transition(b->state, event, &next, NULL))
		return FALSE;
	b->state = next;
	return TRUE;
}

/* The same, for events the hub's own bookkeeping makes certain: a refusal
 * is a bug in the hub. */
void hub_booth_must_step(SbPeer *b, SbBoothEvent event)
{
	g_autoptr(GError) error = NULL;
	SbBoothState next;
	if (!sb_booth_transition(b->state, event, &next, &error)) {
		g_critical("booth %s: %s", b->booth_id, error->message);
		return;
	}
	b->state = next;
}

void hub_broadcast_advisers(SbHub *hub, JsonObject *obj)
{
	g_autofree char *text = relais_msg_to_string(obj);
	for (guint i = 0; i < hub->advisers->len; i++)
		hub_send_text(hub, g_ptr_array_index(hub->advisers, i), text);
}

/* `b`'s entry in the booth list, {booth_id, site, board, state, reason}
 * as JSON text, kept on the peer until its state or reason changes (its
 * site and board come with its hello). (transfer none) */
static const char *booth_entry(SbPeer *b)
{
	if (b->list_entry && b->list_entry_state == b->state && g_strcmp0(b->list_entry_reason, b->reason) == 0)
		return b->list_entry;
	JsonObject *e = json_object_new();
	json_object_set_string_member(e, "booth_id", b->booth_id);
	json_object_set_string_member(e, "site", b->site ? b->site : "");
	json_object_set_string_member(e, "board", b->board ? b->board : "");
	json_object_set_string_member(e, "state", hub_booth_state(b));
	json_object_set_string_member(e, "reason", b->reason ? b->reason : "");
	g_autoptr(JsonNode) node = json_node_new(JSON_NODE_OBJECT);
	json_node_take_object(node, e);
	g_free(b->list_entry);
	b->list_entry = json_to_string(node, FALSE);
	b->list_entry_state = b->state;
	g_free(b->list_entry_reason);
	b->list_entry_reason = g_strdup(b->reason);
	return b->list_entry;
}

static gint compare_strings(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Hands each of `texts` to every greeted adviser, counted as `kind`. */
static void send_booth_msgs(SbHub *hub, GPtrArray *texts, HubBoothMsgKind kind, SbPeer *only)
{
	for (guint t = 0; t < texts->len; t++) {
		const char *text = g_ptr_array_index(texts, t);
		gsize len = strlen(text);
		for (guint i = 0; i < hub->advisers->len; i++) {
			SbPeer *a = g_ptr_array_index(hub->advisers, i);
			if (only && a != only)
				continue;
			hub_send_text(hub, a, text);
			hub->booth_msgs[kind]++;
			hub->booth_bytes[kind] += len;
		}
	}
}

/* The booth list as every greeted adviser has it (hub->booths_sent), as a
 * new snapshot's parts, to `only` (NULL: every adviser). */
static void send_booth_snapshot(SbHub *hub, SbPeer *only)
{
	g_autoptr(GPtrArray) ids = g_ptr_array_new_full(g_hash_table_size(hub->booths_sent), NULL);
	GHashTableIter it;
	gpointer key;
	g_hash_table_iter_init(&it, hub->booths_sent);
	while (g_hash_table_iter_next(&it, &key, NULL))
		g_ptr_array_add(ids, key);
	g_ptr_array_sort(ids, compare_strings);
	g_autoptr(GPtrArray) entries = g_ptr_array_new_full(ids->len, NULL);
	for (guint i = 0; i < ids->len; i++)
		g_ptr_array_add(entries, g_hash_table_lookup(hub->booths_sent, g_ptr_array_index(ids, i)));
	hub->snapshot_seq = hub->snapshot_seq >= G_MAXINT32 ? 1 : hub->snapshot_seq + 1;
	RelaisListMember m = {"booths", entries};
	guint dropped = 0;
	g_autoptr(GPtrArray) texts = relais_msg_split(RELAIS_MSG_BOOTHS, &m, 1, hub->snapshot_seq,
						      CONFIG_RELAIS_PROTO_MAX_MESSAGE, &dropped);
	if (dropped)
		g_critical("%u booths left out of the booth list: an entry is longer than a message", dropped);
	send_booth_msgs(hub, texts, HUB_BOOTHS_SNAPSHOT, only);
}

/* The booths' changes since the list every adviser has: what changed or
 * is new, and the booths gone, sent to every adviser as booths_changed
 * (or, when they are more than the list itself, as a snapshot); then
 * hub->booths_sent is the list as it is now. Nothing changed: nothing is
 * sent. */
static void send_booth_changes(SbHub *hub)
{
	g_autoptr(GPtrArray) changed_ids = g_ptr_array_new();
	GHashTableIter it;
	gpointer key, value;
	g_hash_table_iter_init(&it, hub->booths);
	while (g_hash_table_iter_next(&it, &key, &value)) {
		const char *sent = g_hash_table_lookup(hub->booths_sent, key);
		if (sent == NULL || strcmp(sent, booth_entry(value)) != 0)
			g_ptr_array_add(changed_ids, key);
	}
	/* as JSON strings: ids need no escape ([A-Za-z0-9._:-]) */
	g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func(g_free);
	g_hash_table_iter_init(&it, hub->booths_sent);
	while (g_hash_table_iter_next(&it, &key, NULL))
		if (!g_hash_table_contains(hub->booths, key))
			g_ptr_array_add(gone, g_strdup_printf("\"%s\"", (const char *)key));
	if (changed_ids->len == 0 && gone->len == 0) {
		hub->lists_unchanged += hub->advisers->len;
		return;
	}
	g_ptr_array_sort(changed_ids, compare_strings);
	g_ptr_array_sort(gone, compare_strings);
	g_autoptr(GPtrArray) changed = g_ptr_array_new_full(changed_ids->len, NULL);
	for (guint i = 0; i < changed_ids->len; i++) {
		const char *id = g_ptr_array_index(changed_ids, i);
		const char *entry = booth_entry(g_hash_table_lookup(hub->booths, id));
		g_hash_table_replace(hub->booths_sent, g_strdup(id), g_strdup(entry));
		g_ptr_array_add(changed, (gpointer)entry);
	}
	for (guint i = 0; i < gone->len; i++) {
		const char *quoted = g_ptr_array_index(gone, i);
		g_autofree char *id = g_strndup(quoted + 1, strlen(quoted) - 2);
		g_hash_table_remove(hub->booths_sent, id);
	}
	hub->lists_sent += hub->advisers->len;
	if (hub->advisers->len == 0)
		return;
	/* a change as long as the list itself: the list instead */
	if (changed->len + gone->len > g_hash_table_size(hub->booths_sent)) {
		send_booth_snapshot(hub, NULL);
		return;
	}
	RelaisListMember m[2] = {{"booths", changed}, {"gone", gone}};
	guint dropped = 0;
	g_autoptr(GPtrArray) texts =
		relais_msg_split(RELAIS_MSG_BOOTHS_CHANGED, m, 2, 0, CONFIG_RELAIS_PROTO_MAX_MESSAGE, &dropped);
	if (dropped)
		g_critical("%u booths left out of a booth list change: an entry is longer than a message", dropped);
	send_booth_msgs(hub, texts, HUB_BOOTHS_CHANGES, NULL);
}

/* `booth`'s availability: with nobody on duty, the services may say when
 * the booth's site next opens (ISO 8601 local time with offset). */
static JsonObject *availability_message(SbHub *hub, SbPeer *booth)
{
	JsonObject *o = relais_msg_new(RELAIS_MSG_AVAILABILITY);
	/* every adviser with the console open counts as on duty */
	json_object_set_int_member(o, "advisers", hub->advisers->len);
	if (hub->advisers->len == 0 && hub->services.next_opening && booth->site && *booth->site) {
		g_autofree char *when = hub->services.next_opening(booth->site, hub->services_data);
		if (when && *when)
			json_object_set_string_member(o, "next_opening", when);
	}
	return o;
}

/* The number of advisers on duty changed: every booth is told, and the
 * estimated waits follow. */
static void advisers_changed(SbHub *hub)
{
	/* Stopping, every link is being closed: telling each booth still
	 * linked that an adviser went, for every adviser, was booths x
	 * advisers messages (2,000 booths and 20 advisers: 40,000 TLS writes
	 * and 5 s to stop; tests/bench/README-load.md) for links about to go. */
	if (hub->stopping)
		return;
	GHashTableIter it;
	gpointer value;
	g_hash_table_iter_init(&it, hub->booths);
	while (g_hash_table_iter_next(&it, NULL, &value))
		hub_send_obj(hub, value, availability_message(hub, value));
	hub_tell_positions(hub, FALSE);
}

/* --- broadcasts -------------------------------------------------------------
 *
 * The queue and the booths are lists every adviser is kept up to date with,
 * and any booth's request, cancel or status changes them. Sent on every
 * change, one booth sending as fast as its rate limit allows would make the
 * switchboard send (advisers x its rate) messages a second. So the changes
 * an event makes are sent at its end (each entry point calls lists_settle)
 * only when the last lists went out at least config.broadcast_interval_ms
 * ago; otherwise they are gathered and sent, once, when that time has
 * passed. The queue always goes before the booths, as the handlers change
 * them. An adviser is not sent a list identical to the one it has. What
 * must not wait is not a list: the `taken` that tells advisers a ticket is
 * gone, and a new ticket's first `queued`, which gives the booth its id. */

/* Sends the queue as `adviser` sees it, as the parts of one snapshot
 * (PROTOCOL.md "The queue list"), unless it has that list already. */
static void send_queue_to(SbHub *hub, SbPeer *adviser)
{
	g_autoptr(GPtrArray) items = hub_queue_entries(hub, adviser);
	g_ptr_array_add(items, NULL);
	g_autofree char *entries = g_strjoinv(",", (char **)items->pdata);
	g_ptr_array_set_size(items, items->len - 1);
	if (g_strcmp0(adviser->last_list[HUB_LIST_QUEUE], entries) == 0) {
		hub->lists_unchanged++;
		return;
	}
	hub->snapshot_seq = hub->snapshot_seq >= G_MAXINT32 ? 1 : hub->snapshot_seq + 1;
	RelaisListMember m = {"queue", items};
	guint dropped = 0;
	g_autoptr(GPtrArray) texts =
		relais_msg_split(RELAIS_MSG_QUEUE, &m, 1, hub->snapshot_seq, CONFIG_RELAIS_PROTO_MAX_MESSAGE, &dropped);
	if (dropped)
		g_critical("%u tickets left out of the queue list: an entry is longer than a message", dropped);
	for (guint i = 0; i < texts->len; i++)
		hub_send_text(hub, adviser, g_ptr_array_index(texts, i));
	hub->lists_sent++;
	g_free(adviser->last_list[HUB_LIST_QUEUE]);
	adviser->last_list[HUB_LIST_QUEUE] = g_steal_pointer(&entries);
}

static void send_lists(SbHub *hub)
{
	hub->lists_sent_us = hub_now_us(hub);
	if (hub->list_dirty[HUB_LIST_QUEUE]) {
		hub->list_dirty[HUB_LIST_QUEUE] = FALSE;
		for (guint i = 0; i < hub->advisers->len; i++) {
			send_queue_to(hub, g_ptr_array_index(hub->advisers, i));
		}
		hub_tell_positions(hub, FALSE);
	}
	if (hub->list_dirty[HUB_LIST_BOOTHS]) {
		hub->list_dirty[HUB_LIST_BOOTHS] = FALSE;
		send_booth_changes(hub);
	}
}

static gboolean lists_dirty(SbHub *hub)
{
	return hub->list_dirty[HUB_LIST_QUEUE] || hub->list_dirty[HUB_LIST_BOOTHS];
}

void sb_hub_flush(SbHub *hub)
{
	g_clear_handle_id(&hub->flush_source, g_source_remove);
	if (lists_dirty(hub))
		send_lists(hub);
}

static gboolean on_flush_due(gpointer user_data)
{
	SbHub *hub = user_data;
	hub->flush_source = 0;
	sb_hub_flush(hub);
	return G_SOURCE_REMOVE;
}

/* The end of an event: its changes go now, or when the interval has passed. */
static void lists_settle(SbHub *hub)
{
	if (!lists_dirty(hub) || hub->flush_source)
		return;
	gint64 interval_us = (gint64)hub->config.broadcast_interval_ms * 1000;
	gint64 since = hub_now_us(hub) - hub->lists_sent_us;
	if (hub->lists_sent_us == 0 || since >= interval_us || since < 0) {
		send_lists(hub);
		return;
	}
	guint ms = (guint)((interval_us - since + 999) / 1000);
	hub->flush_source = g_timeout_add(ms, on_flush_due, hub);
	g_source_set_name_by_id(hub->flush_source, "relais-hub-lists");
}

static void list_changed(SbHub *hub, HubListKind kind)
{
	if (hub->list_dirty[kind])
		hub->lists_gathered++;
	hub->list_dirty[kind] = TRUE;
}

void hub_booths_changed(SbHub *hub)
{
	list_changed(hub, HUB_LIST_BOOTHS);
}

/* Each adviser gets the queue filtered to what they can take; a new
 * ticket's booth is told its id and place now, the others with the list. */
void hub_queue_changed(SbHub *hub)
{
	hub_tell_positions(hub, TRUE);
	list_changed(hub, HUB_LIST_QUEUE);
}

/* --- handlers ------------------------------------------------------------- */

static void detach_peer(SbHub *hub, SbPeer *peer);

static void handle_hello(SbHub *hub, SbPeer *peer, RelaisMsg *msg)
{
	g_autofree char *conn_id = hub_random_id(hub, peer, NULL);
	if (conn_id == NULL)
		return;
	if (peer->role == RELAIS_ROLE_GUEST) {
		if (!hub_guest_hello(hub, peer, msg))
			return;
	} else if (peer->role == RELAIS_ROLE_BOOTH) {
		const char *id = relais_msg_get_string(msg, "booth_id");
		if (peer->cert_booth_id && g_strcmp0(id, peer->cert_booth_id) != 0) {
			/* a booth may only speak for itself */
			g_message("hello as booth '%s' refused: the connection's certificate is booth '%s'", id,
				  peer->cert_booth_id);
			hub_send_error(hub, peer, RELAIS_PROTO_ERROR_FIELD, "hello",
				       "this connection's certificate is not booth '%s'", id);
			close_peer(hub, peer, 1008, "not this booth");
			return;
		}
		SbPeer *old = g_hash_table_lookup(hub->booths, id);
		if (old == NULL && g_hash_table_size(hub->booths) >= hub->config.max_booths) {
			hub_send_error(hub, peer, RELAIS_PROTO_ERROR_FULL, "hello",
				       "the switchboard serves at most %u booths", hub->config.max_booths);
			close_peer(hub, peer, SB_CLOSE_FULL, "full");
			return;
		}
		if (old) {
			/* A rebooted booth comes back before TCP notices the old socket is
			 * dead: the newest connection wins. */
			g_message("booth %s reconnected: replacing its previous connection", id);
			close_peer(hub, old, 4000, "replaced");
			detach_peer(hub, old);
		}
		peer->booth_id = g_strdup(id);
		const char *said = relais_msg_get_string(msg, "site");
		if (peer->cert_site && g_strcmp0(said, peer->cert_site) != 0)
			g_message("booth %s says site '%s': it is registered at '%s', which counts", id,
				  said ? said : "", peer->cert_site);
		peer->site = g_strdup(peer->cert_site ? peer->cert_site : said);
		peer->board = g_strdup(relais_msg_get_string(msg, "board"));
		peer->software = g_strdup(relais_msg_get_string(msg, "software"));
		peer->slot = g_strdup(relais_msg_get_string(msg, "slot"));
		peer->state = SB_BOOTH_IDLE;
		g_hash_table_insert(hub->booths, peer->booth_id, peer);
	} else {
		if (hub->advisers->len >= hub->config.max_advisers) {
			hub_send_error(hub, peer, RELAIS_PROTO_ERROR_FULL, "hello",
				       "the switchboard serves at most %u advisers", hub->config.max_advisers);
			close_peer(hub, peer, SB_CLOSE_FULL, "full");
			return;
		}
		/* the adviser's sign-in names them; the hello's name is
		 * only a fallback for transports without sign-in (unit tests) */
		if (peer->name == NULL) {
			const char *name = relais_msg_get_string(msg, "name");
			peer->name = g_strdup(name && *name ? name : "Adviser");
		}
		/* the booths' changes still gathered go to the others first: the
		 * list every adviser has is then the booths as they are now, and
		 * that is the newcomer's snapshot (after its welcome) */
		if (hub->list_dirty[HUB_LIST_BOOTHS]) {
			hub->list_dirty[HUB_LIST_BOOTHS] = FALSE;
			send_booth_changes(hub);
		}
		g_ptr_array_add(hub->advisers, peer);
	}
	peer->greeted = TRUE;
	g_ptr_array_remove_fast(hub->pending, peer);
	peer->conn_id = g_steal_pointer(&conn_id);

	JsonObject *w = relais_msg_new(RELAIS_MSG_WELCOME);
	json_object_set_int_member(w, "version", RELAIS_PROTO_VERSION);
	json_object_set_string_member(w, "session",
				      peer->conn_id); /* the wire name of the connection id (PROTOCOL.md) */
	json_object_set_array_member(w, "ice_servers", hub_ice_servers_for(hub, peer));
	json_object_set_int_member(w, "resume_s", hub->config.resume_grace_s);
	hub_send_obj(hub, peer, w);

	if (peer->role == RELAIS_ROLE_GUEST) {
		/* its guest_state{asking} after its welcome */
		JsonObject *o = relais_msg_new(RELAIS_MSG_GUEST_STATE);
		json_object_set_string_member(o, "call", peer->invite->call_id);
		json_object_set_string_member(o, "guest", peer->invite->id);
		json_object_set_string_member(o, "name", peer->name);
		json_object_set_string_member(o, "role", peer->invite->role);
		json_object_set_string_member(o, "state", "asking");
		hub_send_obj(hub, peer, o);
	} else if (peer->role == RELAIS_ROLE_BOOTH) {
		g_message("booth %s online (site '%s', board '%s', software %s, slot %s)", peer->booth_id,
			  peer->site ? peer->site : "", peer->board ? peer->board : "",
			  peer->software ? peer->software : "unknown", peer->slot ? peer->slot : "unknown");
		/* before the visitor queues, the booth knows whether anyone is there */
		hub_send_obj(hub, peer, availability_message(hub, peer));
		const char *resume = relais_msg_get_string(msg, "call");
		if (resume)
			hub_resume_call(hub, peer, resume);
		else
			hub_end_held_calls(hub, peer->booth_id);
		hub_booths_changed(hub);
		if (hub->services.booth_greeted)
			hub->services.booth_greeted(peer->booth_id, hub->services_data);
	} else {
		g_message("adviser '%s' online", peer->name);
		/* a console back after losing its link, naming its call */
		const char *resume = relais_msg_get_string(msg, "call");
		if (resume)
			hub_resume_adviser(hub, peer, resume);
		send_booth_snapshot(hub, peer);
		hub->lists_sent++;
		send_queue_to(hub, peer);
		advisers_changed(hub);
	}
}

static void handle_status(SbHub *hub, SbPeer *peer, RelaisMsg *msg)
{
	gboolean out_of_order = g_strcmp0(relais_msg_get_string(msg, "state"), "out_of_order") == 0;
	if (!hub_booth_step(peer, out_of_order ? SB_BOOTH_EV_STATUS_OUT_OF_ORDER : SB_BOOTH_EV_STATUS_IDLE)) {
		hub_send_error(hub, peer, RELAIS_PROTO_ERROR_STATE, "status",
			       "status can only change while not queued or in a call");
		return;
	}
	g_free(peer->reason);
	peer->reason = g_strdup(relais_msg_get_string(msg, "reason"));
	if (out_of_order)
		g_warning("booth %s out of order: %s", peer->booth_id, peer->reason ? peer->reason : "(no reason)");
	hub_booths_changed(hub);
}

static void handle_request(SbHub *hub, SbPeer *peer, RelaisMsg *msg)
{
	SbBoothState queued;
	if (!sb_booth_transition(peer->state, SB_BOOTH_EV_REQUEST, &queued, NULL)) {
		hub_send_error(hub, peer, RELAIS_PROTO_ERROR_STATE, "request",
			       "a request needs an idle booth (this one is %s)", hub_booth_state(peer));
		return;
	}
	if (g_queue_get_length(&hub->queue) >= hub->config.max_queue) {
		hub_send_error(hub, peer, RELAIS_PROTO_ERROR_FULL, "request", "the queue is full (%u visitors)",
			       hub->config.max_queue);
		return;
	}
	const char *booking = relais_msg_get_string(msg, "booking");
	if (booking && !hub_booking_usable(hub, peer, booking))
		return;
	g_autofree char *ticket_id = hub_random_id(hub, peer, "t-");
	if (ticket_id == NULL)
		return;
	SbTicket *t = g_new0(SbTicket, 1);
	t->id = g_steal_pointer(&ticket_id);
	t->booth = peer;
	t->language = g_strdup(relais_msg_get_string(msg, "language"));
	t->topic = g_strdup(relais_msg_get_string(msg, "topic"));
	t->answers = hub_answers_copy(relais_msg_get_object(msg, "answers"));
	/* verified above: checked in at this site today, not used */
	t->booked = booking != NULL;
	t->booking = g_strdup(booking);
	t->created_us = hub_now_us(hub);
	t->queued_wall_s = hub_wall_s(hub);
	if (!hub_queue_entry_fits(hub, t)) {
		/* answers near the request's own cap, with the site: the queue
		 * list could not carry it (PROTOCOL.md "The queue list") */
		hub_ticket_free(t);
		hub_send_error(hub, peer, RELAIS_PROTO_ERROR_SIZE, "request",
			       "the answers are too long to be listed for the advisers");
		return;
	}
	peer->ticket = t;
	peer->state = queued;
	hub_queue_add(hub, t);
	g_message("booth %s queued as %s (%s, %s%s); queue length %u", peer->booth_id, t->id, t->topic, t->language,
		  t->booked ? ", booked" : "", g_queue_get_length(&hub->queue));
	hub_queue_changed(hub);
	hub_booths_changed(hub);
}

static void handle_cancel(SbHub *hub, SbPeer *peer, RelaisMsg *msg)
{
	const char *id = relais_msg_get_string(msg, "ticket");
	SbBoothState next;
	/* queued: the booth has a ticket */
	if (!sb_booth_transition(peer->state, SB_BOOTH_EV_CANCEL, &next, NULL) ||
	    g_strcmp0(peer->ticket->id, id) != 0) {
		hub_send_error(hub, peer, RELAIS_PROTO_ERROR_GONE, "cancel", "ticket '%s' is not this booth's", id);
		return;
	}
	peer->state = next;
	JsonObject *o = relais_msg_new(RELAIS_MSG_TAKEN);
	json_object_set_string_member(o, "ticket", peer->ticket->id);
	hub_ticket_abandoned(hub, peer->ticket, "cancelled");
	hub_queue_drop(hub, peer->ticket);
	/* tell advisers who may be about to click it */
	hub_broadcast_advisers(hub, o);
	hub_queue_changed(hub);
	hub_booths_changed(hub);
}

/* What became of the booth's last update: handed to the services (the
 * store), whatever the booth is doing. */
static void handle_update_report(SbHub *hub, SbPeer *peer, RelaisMsg *msg)
{
	SbHubUpdateReport r = {
		.result = relais_msg_get_string(msg, "result"),
		.version = relais_msg_get_string(msg, "version"),
		.from = relais_msg_get_string(msg, "from"),
		.slot = relais_msg_get_string(msg, "slot"),
		.at = relais_msg_get_string(msg, "at"),
		.detail = relais_msg_get_string(msg, "detail"),
	};
	static const char *const results[] = {"kept", "rolled-back", "install-failed"};
	for (guint i = 0; i < G_N_ELEMENTS(results); i++)
		if (g_strcmp0(r.result, results[i]) == 0)
			hub->update_reports[i]++;
	g_debug("booth %s: update report %s %s (slot %s, %s)", peer->booth_id, r.result, r.version, r.slot, r.at);
	if (hub->services.update_report)
		hub->services.update_report(peer->booth_id, &r, hub->services_data);
}

/* How an offered update goes: handed to the services (the store), which
 * know whether the update is this booth's. */
static void handle_update_status(SbHub *hub, SbPeer *peer, RelaisMsg *msg)
{
	SbHubUpdateStatus st = {
		.update = relais_msg_get_string(msg, "update"),
		.state = relais_msg_get_string(msg, "state"),
		.progress = (gint)relais_msg_get_int(msg, "progress", -1),
		.message = relais_msg_get_string(msg, "message"),
	};
	if (hub->services.update_status)
		hub->services.update_status(peer->booth_id, &st, hub->services_data);
}

gboolean sb_hub_booth_connected(SbHub *hub, const char *booth_id)
{
	return booth_id && g_hash_table_lookup(hub->booths, booth_id) != NULL;
}

gboolean sb_hub_offer_update(SbHub *hub, const char *booth_id, const char *update, gint64 size, const char *sha256,
			     const char *version)
{
	SbPeer *b = booth_id ? g_hash_table_lookup(hub->booths, booth_id) : NULL;
	if (b == NULL)
		return FALSE;
	JsonObject *o = relais_msg_new(RELAIS_MSG_UPDATE_OFFER);
	json_object_set_string_member(o, "update", update);
	json_object_set_int_member(o, "size", size);
	json_object_set_string_member(o, "sha256", sha256);
	if (version)
		json_object_set_string_member(o, "version", version);
	hub_send_obj(hub, b, o);
	return TRUE;
}

#define MICRO 1000000

/* One message's token from `peer`'s bucket; FALSE when it is empty. */
static gboolean take_token(SbHub *hub, SbPeer *peer)
{
	gint64 now = hub_now_us(hub);
	gint64 full = (gint64)hub->config.msg_burst * MICRO;
	/* microseconds times messages a second: millionths of a message */
	gint64 elapsed = MAX(now - peer->tokens_us, 0);
	peer->tokens_us = now;
	if (elapsed >= full / hub->config.msg_rate)
		peer->tokens = full; /* long quiet: full again (and no overflow) */
	else
		peer->tokens = MIN(full, peer->tokens + elapsed * hub->config.msg_rate);
	if (peer->tokens < MICRO)
		return FALSE;
	peer->tokens -= MICRO;
	return TRUE;
}

/* relais_relay_seconds' upper bounds in microseconds (the last: +Inf) */
static const gint64 relay_bounds_us[HUB_RELAY_BUCKETS - 1] = {100,   250,   500,   1000,   2500,  5000,
							      10000, 25000, 50000, 100000, 250000};

void hub_observe_relay(SbHub *hub)
{
	gint64 us = MAX(hub_now_us(hub) - hub->received_us, 0);
	guint i = 0;
	while (i < G_N_ELEMENTS(relay_bounds_us) && us > relay_bounds_us[i])
		i++;
	hub->relay_buckets[i]++;
	hub->relay_count++;
	hub->relay_sum_us += us;
}

static void receive(SbHub *hub, SbPeer *peer, const char *data, gsize len)
{
	if (peer->closing)
		return;
	hub->received_us = hub_now_us(hub);
	if (!take_token(hub, peer)) {
		/* a flood: said once, clearly, then the connection goes (its
		 * call, if any, is held or ended as for any lost link) */
		g_message("%s connection%s%s sent more than %u messages at once or %u a second: closing it",
			  relais_role_name(peer->role), peer->booth_id ? " of booth " : "",
			  peer->booth_id ? peer->booth_id : "", hub->config.msg_burst, hub->config.msg_rate);
		hub->rate_limited++;
		hub_send_error(hub, peer, RELAIS_PROTO_ERROR_RATE, NULL,
			       "too many messages: at most %u at once and %u a second; closing this connection",
			       hub->config.msg_burst, hub->config.msg_rate);
		close_peer(hub, peer, 1008, "message rate limit exceeded");
		return;
	}
	g_autoptr(GError) error = NULL;
	g_autofree char *type_name = NULL;
	g_autoptr(RelaisMsg) msg = relais_msg_parse(data, len, peer->role, peer->greeted, &type_name, &error);
	if (msg == NULL) {
		g_debug("%s: %s", relais_role_name(peer->role), error->message);
		g_autofree char *text = relais_msg_error_from_gerror(error, type_name);
		reply_error(hub, peer, text);
		if (g_error_matches(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_VERSION))
			close_peer(hub, peer, 1002, "unsupported protocol version");
		return;
	}
	switch (relais_msg_get_type(msg)) {
	case RELAIS_MSG_HELLO:
		handle_hello(hub, peer, msg);
		break;
	case RELAIS_MSG_STATUS:
		handle_status(hub, peer, msg);
		break;
	case RELAIS_MSG_REQUEST:
		handle_request(hub, peer, msg);
		break;
	case RELAIS_MSG_CANCEL:
		handle_cancel(hub, peer, msg);
		break;
	case RELAIS_MSG_ACCEPT:
		hub_handle_accept(hub, peer, msg);
		break;
	case RELAIS_MSG_SDP:
	case RELAIS_MSG_ICE:
	case RELAIS_MSG_CHAT:
	case RELAIS_MSG_END:
		/* a guest, or an adviser joining a call by a transfer */
		if (peer->role == RELAIS_ROLE_GUEST || (peer->role == RELAIS_ROLE_ADVISER && peer->invite))
			hub_guest_in_call(hub, peer, msg);
		else
			hub_handle_in_call(hub, peer, msg);
		break;
	case RELAIS_MSG_INVITE:
	case RELAIS_MSG_INVITE_CANCEL:
	case RELAIS_MSG_GUEST_REMOVE:
	case RELAIS_MSG_GUEST_ANSWER:
		hub_handle_guest_msg(hub, peer, msg);
		break;
	case RELAIS_MSG_TRANSFER:
	case RELAIS_MSG_TRANSFER_ACCEPT:
	case RELAIS_MSG_TRANSFER_DECLINE:
	case RELAIS_MSG_TRANSFER_DONE:
	case RELAIS_MSG_TRANSFER_LIST:
		hub_handle_transfer(hub, peer, msg);
		break;
	case RELAIS_MSG_SHARE:
	case RELAIS_MSG_RECONNECT:
	case RELAIS_MSG_DEVICE:
		hub_handle_in_call(hub, peer, msg);
		break;
	case RELAIS_MSG_FEEDBACK:
		hub_handle_feedback(hub, peer, msg);
		break;
	case RELAIS_MSG_DOC_PAGE:
	case RELAIS_MSG_DOC_STOP:
	case RELAIS_MSG_DOC_ERROR:
		hub_handle_doc(hub, peer, msg);
		break;
	case RELAIS_MSG_BOOKING_SLOTS:
	case RELAIS_MSG_BOOK:
	case RELAIS_MSG_CHECK_IN:
		hub_handle_booking(hub, peer, msg);
		break;
	case RELAIS_MSG_DIAG_REPORT:
		hub_handle_diag_report(hub, peer, msg);
		break;
	case RELAIS_MSG_UPDATE_REPORT:
		handle_update_report(hub, peer, msg);
		break;
	case RELAIS_MSG_UPDATE_STATUS:
		handle_update_status(hub, peer, msg);
		break;
	case RELAIS_MSG_PING: {
		hub_send_obj(hub, peer, relais_msg_new(RELAIS_MSG_PONG));
		break;
	}
	case RELAIS_MSG_PONG:
		break;
	default:
		/* parse() refuses switchboard-only types from clients */
		g_assert_not_reached();
	}
}

SbPeer *sb_hub_connect(SbHub *hub, RelaisRole role, gpointer conn)
{
	g_return_val_if_fail(role == RELAIS_ROLE_BOOTH || role == RELAIS_ROLE_ADVISER || role == RELAIS_ROLE_GUEST,
			     NULL);
	SbPeer *peer = g_new0(SbPeer, 1);
	peer->role = role;
	peer->conn = conn;
	peer->connected_us = peer->tokens_us = hub_now_us(hub);
	peer->tokens = (gint64)hub->config.msg_burst * MICRO;
	g_ptr_array_add(hub->pending, peer);
	return peer;
}

void sb_hub_set_adviser_identity(SbPeer *peer, const char *name)
{
	g_return_if_fail(peer->role == RELAIS_ROLE_ADVISER && !peer->greeted);
	g_free(peer->name);
	peer->name = g_strdup(name);
}

void sb_hub_set_adviser_account(SbPeer *peer, const char *login)
{
	g_return_if_fail(peer->role == RELAIS_ROLE_ADVISER && !peer->greeted);
	g_free(peer->account);
	peer->account = login && *login ? g_strdup(login) : NULL;
}

void sb_hub_set_booth_identity(SbPeer *peer, const char *booth_id, const char *site)
{
	g_return_if_fail(peer->role == RELAIS_ROLE_BOOTH && !peer->greeted);
	g_free(peer->cert_booth_id);
	g_free(peer->cert_site);
	peer->cert_booth_id = g_strdup(booth_id);
	peer->cert_site = site && *site ? g_strdup(site) : NULL;
}

void sb_hub_set_adviser_skills(SbPeer *peer, const char *const *languages, const char *const *topics)
{
	g_return_if_fail(peer->role == RELAIS_ROLE_ADVISER && !peer->greeted);
	g_strfreev(peer->languages);
	g_strfreev(peer->topics);
	peer->languages = g_strdupv((char **)languages);
	peer->topics = g_strdupv((char **)topics);
}

/* Takes `peer` out of every structure (call, queue, registry) but does not
 * free it: the transport still owns the connection until it closes. */
static void detach_peer(SbHub *hub, SbPeer *peer)
{
	if (peer->role == RELAIS_ROLE_GUEST) {
		hub_guest_gone(hub, peer);
		return;
	}
	if (peer->role == RELAIS_ROLE_BOOTH)
		hub_diag_peer_gone(hub, peer);
	if (peer->role == RELAIS_ROLE_ADVISER)
		hub_transfer_adviser_gone(hub, peer);
	else if (peer->call && peer->call->transfer)
		hub_transfer_withdraw(hub, peer->call, TRUE); /* the booth's link: no transfer without it */
	/* A link lost in a call: the call is held for a while, the end
	 * reconnects and names it in its hello (the two ends exchange media
	 * directly, a signaling blip need not end it). */
	if (peer->call && !hub_hold_call(hub, peer))
		hub_end_call(hub, peer->call, peer, "peer-lost");
	if (peer->ticket) {
		hub_ticket_abandoned(hub, peer->ticket, "booth-lost");
		hub_queue_drop(hub, peer->ticket);
		hub_queue_changed(hub);
	}
	if (peer->role == RELAIS_ROLE_BOOTH && peer->booth_id &&
	    g_hash_table_lookup(hub->booths, peer->booth_id) == peer) {
		g_hash_table_remove(hub->booths, peer->booth_id);
		g_message("booth %s offline", peer->booth_id);
		hub_booths_changed(hub);
	}
	if (peer->role == RELAIS_ROLE_ADVISER && g_ptr_array_remove(hub->advisers, peer)) {
		g_message("adviser '%s' offline", peer->name);
		advisers_changed(hub);
	}
}

void sb_hub_receive(SbHub *hub, SbPeer *peer, const char *data, gsize len)
{
	receive(hub, peer, data, len);
	lists_settle(hub);
}

void sb_hub_disconnect(SbHub *hub, SbPeer *peer)
{
	if (peer == NULL)
		return;
	detach_peer(hub, peer);
	lists_settle(hub);
	g_ptr_array_remove_fast(hub->pending, peer);
	for (guint k = 0; k < HUB_LIST_KINDS; k++)
		g_free(peer->last_list[k]);
	g_free(peer->list_entry);
	g_free(peer->list_entry_reason);
	g_free(peer->conn_id);
	g_free(peer->booth_id);
	g_free(peer->cert_booth_id);
	g_free(peer->cert_site);
	g_free(peer->site);
	g_free(peer->board);
	g_free(peer->software);
	g_free(peer->slot);
	g_free(peer->reason);
	g_free(peer->name);
	g_free(peer->account);
	g_strfreev(peer->languages);
	g_strfreev(peer->topics);
	g_free(peer);
}

gboolean sb_hub_close_booth(SbHub *hub, const char *booth_id, gushort code, const char *reason)
{
	SbPeer *b = booth_id ? g_hash_table_lookup(hub->booths, booth_id) : NULL;
	if (b == NULL)
		return FALSE;
	g_message("booth %s: closing its connection (%s)", booth_id, reason);
	close_peer(hub, b, code, reason);
	/* ended here rather than held by detach_peer for the resume grace */
	if (b->call)
		hub_end_call(hub, b->call, b, "peer-lost");
	detach_peer(hub, b);
	lists_settle(hub);
	return TRUE;
}

void sb_hub_end_adviser_call(SbHub *hub, SbPeer *peer)
{
	if (peer == NULL || peer->role != RELAIS_ROLE_ADVISER || peer->call == NULL)
		return;
	g_message("adviser '%s': console closed by the switchboard, ending call %s", peer->name, peer->call->id);
	hub_end_call(hub, peer->call, peer, "peer-lost");
	lists_settle(hub);
}

void sb_hub_stop(SbHub *hub)
{
	hub->stopping = TRUE;
	guint kept = 0;
	GHashTableIter it;
	gpointer value;
	g_hash_table_iter_init(&it, hub->calls);
	while (g_hash_table_iter_next(&it, NULL, &value))
		kept += ((SbCall *)value)->adviser_account != NULL;
	if (kept > 0)
		g_message("stopping: %u call(s) in progress left to the store, for the next start to take back", kept);
}

gboolean sb_hub_peer_greeted(SbPeer *peer)
{
	return peer != NULL && peer->greeted;
}

/* Connections that said no hello in time are closed: a silent socket
 * holds memory and a descriptor, and counts against its address's
 * pre-hello cap (server.c) until it goes. */
static void close_silent(SbHub *hub, gint64 now)
{
	gint64 limit = (gint64)hub->config.hello_timeout_ms * 1000;
	for (guint i = 0; i < hub->pending->len;) {
		SbPeer *p = g_ptr_array_index(hub->pending, i);
		if (now - p->connected_us < limit) {
			i++;
			continue;
		}
		g_ptr_array_remove_index_fast(hub->pending, i);
		if (p->closing)
			continue;
		hub->hello_timeouts++;
		guint ms = hub->config.hello_timeout_ms;
		g_autofree char *reason = ms % 1000 == 0 ? g_strdup_printf("no hello within %u s", ms / 1000)
							 : g_strdup_printf("no hello within %u ms", ms);
		g_message("closing a %s connection: %s", relais_role_name(p->role), reason);
		close_peer(hub, p, 1008, reason);
	}
}

void sb_hub_tick(SbHub *hub)
{
	gint64 now = hub_now_us(hub);
	close_silent(hub, now);
	hub_calls_expire(hub, now);
	hub_guests_expire(hub, now);
	hub_transfer_expire(hub, now);
	hub_diag_expire(hub, now);
	GHashTableIter it;
	gpointer value;
	/* A booth stays connected for days and gathers with the credentials
	 * it last got: renew them at half their life. */
	if (hub->config.turn_secret && hub->config.turn_urls) {
		gint64 half = (gint64)hub->config.turn_ttl_s * G_USEC_PER_SEC / 2;
		g_hash_table_iter_init(&it, hub->booths);
		while (g_hash_table_iter_next(&it, NULL, &value)) {
			SbPeer *b = value;
			if (now - b->ice_sent_us >= half) {
				JsonObject *o = relais_msg_new(RELAIS_MSG_ICE_SERVERS);
				json_object_set_array_member(o, "ice_servers", hub_ice_servers_for(hub, b));
				hub_send_obj(hub, b, o);
			}
		}
	}
	lists_settle(hub);
}

void sb_hub_counts(SbHub *hub, SbHubCounts *c)
{
	c->booths = g_hash_table_size(hub->booths);
	c->advisers = hub->advisers->len;
	c->queue = g_queue_get_length(&hub->queue);
	c->calls_active = g_hash_table_size(hub->calls);
	c->calls_total = hub->calls_total;
	c->protocol_errors = hub->protocol_errors;
	for (guint i = 0; i < G_N_ELEMENTS(c->satisfaction); i++)
		c->satisfaction[i] = hub->satisfaction[i];
}

void sb_hub_metrics(SbHub *hub, GString *out)
{
	SbHubCounts c;
	sb_hub_counts(hub, &c);
	g_string_append_printf(out,
			       "# HELP relais_booths_connected Booths with an open signaling connection.\n"
			       "# TYPE relais_booths_connected gauge\n"
			       "relais_booths_connected %u\n"
			       "# HELP relais_advisers_connected Advisers with an open console.\n"
			       "# TYPE relais_advisers_connected gauge\n"
			       "relais_advisers_connected %u\n"
			       "# HELP relais_queue_length Visitors waiting for an adviser.\n"
			       "# TYPE relais_queue_length gauge\n"
			       "relais_queue_length %u\n"
			       "# HELP relais_calls_active Calls in progress.\n"
			       "# TYPE relais_calls_active gauge\n"
			       "relais_calls_active %u\n"
			       "# HELP relais_calls_total Calls started since the switchboard started.\n"
			       "# TYPE relais_calls_total counter\n"
			       "relais_calls_total %" G_GUINT64_FORMAT "\n"
			       "# HELP relais_protocol_errors_total Messages refused with an error reply.\n"
			       "# TYPE relais_protocol_errors_total counter\n"
			       "relais_protocol_errors_total %" G_GUINT64_FORMAT "\n",
			       c.booths, c.advisers, c.queue, c.calls_active, c.calls_total, c.protocol_errors);
	g_string_append(out, "# HELP relais_satisfaction_total Visitors' ratings after a call (1 unhappy .. 5 happy).\n"
			     "# TYPE relais_satisfaction_total counter\n");
	for (guint i = 0; i < G_N_ELEMENTS(c.satisfaction); i++)
		g_string_append_printf(out, "relais_satisfaction_total{score=\"%u\"} %" G_GUINT64_FORMAT "\n", i + 1,
				       c.satisfaction[i]);
	g_string_append_printf(out,
			       "# HELP relais_documents_bytes Bytes of documents shown in calls, held in memory now.\n"
			       "# TYPE relais_documents_bytes gauge\n"
			       "relais_documents_bytes %" G_GSIZE_FORMAT "\n",
			       sb_hub_document_bytes(hub));
	hub_bookings_metrics(hub, out);
	hub_diag_metrics(hub, out);
	hub_transfer_metrics(hub, out);
	g_string_append_printf(out,
			       "# HELP relais_update_reports_total Booths' reports of their last update, by result "
			       "(repeated after every reconnection).\n"
			       "# TYPE relais_update_reports_total counter\n"
			       "relais_update_reports_total{result=\"kept\"} %" G_GUINT64_FORMAT "\n"
			       "relais_update_reports_total{result=\"rolled-back\"} %" G_GUINT64_FORMAT "\n"
			       "relais_update_reports_total{result=\"install-failed\"} %" G_GUINT64_FORMAT "\n",
			       hub->update_reports[0], hub->update_reports[1], hub->update_reports[2]);
	g_string_append_printf(
		out,
		"# HELP relais_connections_waiting_hello WebSocket connections that have not said hello yet.\n"
		"# TYPE relais_connections_waiting_hello gauge\n"
		"relais_connections_waiting_hello %u\n"
		"# HELP relais_hello_timeouts_total Connections closed for saying no hello in time.\n"
		"# TYPE relais_hello_timeouts_total counter\n"
		"relais_hello_timeouts_total %" G_GUINT64_FORMAT "\n"
		"# HELP relais_rate_limited_total Connections closed for sending messages too fast.\n"
		"# TYPE relais_rate_limited_total counter\n"
		"relais_rate_limited_total %" G_GUINT64_FORMAT "\n"
		"# HELP relais_adviser_lists_total Queue and booth lists to advisers: sent, gathered into one "
		"already waiting (a change within the broadcast interval), not sent (the adviser had it).\n"
		"# TYPE relais_adviser_lists_total counter\n"
		"relais_adviser_lists_total{outcome=\"sent\"} %" G_GUINT64_FORMAT "\n"
		"relais_adviser_lists_total{outcome=\"gathered\"} %" G_GUINT64_FORMAT "\n"
		"relais_adviser_lists_total{outcome=\"unchanged\"} %" G_GUINT64_FORMAT "\n"
		"# HELP relais_adviser_booth_messages_total Booth list messages handed to advisers: the parts of "
		"a snapshot (after welcome, or when a change is longer than the list) and changes (booths_changed).\n"
		"# TYPE relais_adviser_booth_messages_total counter\n"
		"relais_adviser_booth_messages_total{kind=\"snapshot\"} %" G_GUINT64_FORMAT "\n"
		"relais_adviser_booth_messages_total{kind=\"changes\"} %" G_GUINT64_FORMAT "\n"
		"# HELP relais_adviser_booth_bytes_total Bytes of those messages.\n"
		"# TYPE relais_adviser_booth_bytes_total counter\n"
		"relais_adviser_booth_bytes_total{kind=\"snapshot\"} %" G_GUINT64_FORMAT "\n"
		"relais_adviser_booth_bytes_total{kind=\"changes\"} %" G_GUINT64_FORMAT "\n",
		hub->pending->len, hub->hello_timeouts, hub->rate_limited, hub->lists_sent, hub->lists_gathered,
		hub->lists_unchanged, hub->booth_msgs[HUB_BOOTHS_SNAPSHOT], hub->booth_msgs[HUB_BOOTHS_CHANGES],
		hub->booth_bytes[HUB_BOOTHS_SNAPSHOT], hub->booth_bytes[HUB_BOOTHS_CHANGES]);
	g_string_append(out, "# HELP relais_relay_seconds Time from a signaling message's arrival to its copy "
			     "handed to the other end of the call.\n"
			     "# TYPE relais_relay_seconds histogram\n");
	guint64 cumulative = 0;
	for (guint i = 0; i < HUB_RELAY_BUCKETS; i++) {
		cumulative += hub->relay_buckets[i];
		char le[32];
		if (i < G_N_ELEMENTS(relay_bounds_us))
			g_ascii_formatd(le, sizeof le, "%g", relay_bounds_us[i] / 1e6);
		else
			g_strlcpy(le, "+Inf", sizeof le);
		g_string_append_printf(out, "relais_relay_seconds_bucket{le=\"%s\"} %" G_GUINT64_FORMAT "\n", le,
				       cumulative);
	}
	char sum[G_ASCII_DTOSTR_BUF_SIZE];
	g_ascii_dtostr(sum, sizeof sum, hub->relay_sum_us / 1e6);
	g_string_append_printf(out, "relais_relay_seconds_sum %s\nrelais_relay_seconds_count %" G_GUINT64_FORMAT "\n",
			       sum, hub->relay_count);
}

JsonArray *sb_hub_booths_snapshot(SbHub *hub)
{
	JsonArray *a = json_array_new();
	GHashTableIter it;
	gpointer value;
	g_hash_table_iter_init(&it, hub->booths);
	while (g_hash_table_iter_next(&it, NULL, &value)) {
		SbPeer *b = value;
		JsonObject *e = json_object_new();
		json_object_set_string_member(e, "booth_id", b->booth_id);
		json_object_set_string_member(e, "site", b->site ? b->site : "");
		json_object_set_string_member(e, "state", hub_booth_state(b));
		json_object_set_string_member(e, "reason",
					      b->state == SB_BOOTH_OUT_OF_ORDER && b->reason ? b->reason : "");
		if (b->software)
			json_object_set_string_member(e, "software", b->software);
		if (b->slot)
			json_object_set_string_member(e, "slot", b->slot);
		json_array_add_object_element(a, e);
	}
	return a;
}
