/* SPDX-License-Identifier: GPL-2.0-or-later */
/* admin-diag: GET /api/admin/booths/ID/diag: a connected booth's diagnostic
 * report, asked over its link (hub-diag.c, PROTOCOL.md "Diagnostics"). The
 * HTTP request is paused until the hub ends the request; a client that
 * goes away first cancels it, and nothing is written to its message. */
#define G_LOG_DOMAIN "relais-admin"

#include "admin-private.h"
#include "calendar.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

/* libsoup 3.2 has no name for it */
#define STATUS_TOO_MANY_REQUESTS 429

typedef struct {
	SbHub *hub;
	SoupServerMessage *msg; /* a reference, held while paused */
	char *booth_id;
	guint handle;
	gulong disconnected_id, finished_id;
	GSource *watch; /* the client's socket, while paused */
} DiagAsk;

static void ask_free(gpointer data)
{
	DiagAsk *ask = data;
	g_object_unref(ask->msg);
	g_free(ask->booth_id);
	g_free(ask);
}

static void ask_unhook(DiagAsk *ask)
{
	g_clear_signal_handler(&ask->disconnected_id, ask->msg);
	g_clear_signal_handler(&ask->finished_id, ask->msg);
	if (ask->watch) {
		g_source_destroy(ask->watch);
		g_clear_pointer(&ask->watch, g_source_unref);
	}
}

static gboolean let_go(gpointer data)
{
	return G_SOURCE_REMOVE; /* ask_free, the source's destroy notify, does the work */
}

/* libsoup ended the message itself (its connection closed) before the
 * booth answered: forget the request. The message is let go from the main
 * loop, not from inside its own signal. */
static void on_message_gone(SoupServerMessage *msg, gpointer data)
{
	DiagAsk *ask = data;
	ask_unhook(ask);
	sb_hub_diag_cancel(ask->hub, ask->handle);
	g_message("booth %s: the administrator went away before the report came", ask->booth_id);
	g_idle_add_full(G_PRIORITY_DEFAULT, let_go, ask, ask_free);
}

/* A paused message's socket is not read by libsoup, so a client that hangs
 * up (the page closed, relaisctl killed) is seen here: readable with
 * nothing to read is the end of its stream. Then the request is forgotten
 * (its place per booth freed) and the message let go, so that libsoup
 * closes the connection. Anything else readable (a TLS alert, a pipelined
 * request) is left alone: the timeout ends the request as usual. */
static gboolean on_socket(GSocket *socket, GIOCondition condition, gpointer data)
{
	DiagAsk *ask = data;
	char byte;
	gssize n = recv(g_socket_get_fd(socket), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) &&
	    !(condition & (G_IO_HUP | G_IO_ERR)))
		return G_SOURCE_CONTINUE;
	g_clear_pointer(&ask->watch, g_source_unref); /* removed by returning */
	if (n > 0)
		return G_SOURCE_REMOVE;
	ask_unhook(ask);
	sb_hub_diag_cancel(ask->hub, ask->handle);
	g_message("booth %s: the administrator went away before the report came", ask->booth_id);
	sb_api_reply_error(ask->msg, SOUP_STATUS_SERVICE_UNAVAILABLE, NULL, "the request was abandoned");
	soup_server_message_unpause(ask->msg);
	ask_free(ask);
	return G_SOURCE_REMOVE;
}

static void on_done(SbHubDiagResult result, JsonObject *report, gpointer data)
{
	DiagAsk *ask = data;
	ask_unhook(ask);
	SoupServerMessage *msg = ask->msg;
	switch (result) {
	case SB_HUB_DIAG_OK: {
		g_autofree char *now = sb_calendar_iso_utc(g_get_real_time() / G_USEC_PER_SEC);
		g_autoptr(JsonBuilder) b = json_builder_new();
		json_builder_begin_object(b);
		sb_api_add_string(b, "booth_id", ask->booth_id);
		sb_api_add_string(b, "fetched_at", now);
		json_builder_set_member_name(b, "report");
		JsonNode *n = json_node_new(JSON_NODE_OBJECT);
		json_node_set_object(n, report);
		json_builder_add_value(b, n);
		json_builder_end_object(b);
		sb_http_set_json(msg, SOUP_STATUS_OK, b);
		g_message("booth %s: diagnostic report handed to an administrator", ask->booth_id);
		break;
	}
	case SB_HUB_DIAG_TIMEOUT:
		sb_api_reply_error(msg, SOUP_STATUS_GATEWAY_TIMEOUT, NULL, "the booth did not answer in time");
		break;
	case SB_HUB_DIAG_GONE:
		sb_api_reply_error(msg, SOUP_STATUS_BAD_GATEWAY, NULL, "the booth disconnected before it answered");
		break;
	default:
		sb_api_reply_error(msg, SOUP_STATUS_SERVICE_UNAVAILABLE, NULL, "the switchboard is stopping");
		break;
	}
	soup_server_message_unpause(msg);
	ask_free(ask);
}

/* Not connected: 409 for a booth the store knows, 404 otherwise. */
static void reply_offline(SbAdmin *a, SoupServerMessage *msg, const char *id)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) list = sb_store_booth_list(a->store, 0, &error);
	if (list == NULL) {
		sb_api_reply_store_error(msg, error, NULL);
		return;
	}
	for (guint i = 0; i < list->len; i++) {
		if (strcmp(((SbBooth *)list->pdata[i])->id, id) == 0) {
			sb_api_reply_error(msg, SOUP_STATUS_CONFLICT, NULL, "the booth is not connected");
			return;
		}
	}
	sb_api_reply_error(msg, SOUP_STATUS_NOT_FOUND, NULL, "no booth '%s'", id);
}

void sb_admin_booth_diag(SbAdmin *a, SoupServerMessage *msg, const char *id)
{
	if (!relais_proto_valid_id(id)) {
		sb_api_reply_error(msg, SOUP_STATUS_NOT_FOUND, NULL, "no such booth");
		return;
	}
	DiagAsk *ask = g_new0(DiagAsk, 1);
	ask->hub = a->hub;
	ask->msg = g_object_ref(msg);
	ask->booth_id = g_strdup(id);
	SbHubDiagResult refused = SB_HUB_DIAG_OK;
	ask->handle = sb_hub_diag_request(a->hub, id, on_done, ask, &refused);
	if (ask->handle == 0) {
		ask_free(ask);
		if (refused == SB_HUB_DIAG_BUSY)
			sb_api_reply_error(msg, STATUS_TOO_MANY_REQUESTS, NULL,
					   "the booth is already being asked for its report: try again shortly");
		else
			reply_offline(a, msg, id);
		return;
	}
	/* the hub never calls on_done from inside the request: pausing here
	 * is in time */
	soup_server_message_pause(msg);
	ask->disconnected_id = g_signal_connect(msg, "disconnected", G_CALLBACK(on_message_gone), ask);
	ask->finished_id = g_signal_connect(msg, "finished", G_CALLBACK(on_message_gone), ask);
	GSocket *socket = soup_server_message_get_socket(msg);
	if (socket) {
		ask->watch = g_socket_create_source(socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
		g_source_set_callback(ask->watch, G_SOURCE_FUNC(on_socket), ask, NULL);
		g_source_attach(ask->watch, NULL);
	}
}
