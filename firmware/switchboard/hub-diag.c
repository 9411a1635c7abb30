/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Remote diagnostics in the hub: an administrator's request becomes a
 * diag_request on the booth's live connection, with a fresh unguessable
 * request id; the booth's diag_report with that id, from that same
 * connection, ends it. Every request ends exactly once: the report, its
 * timeout (the tick), the booth's link going away, or the hub's end; unless
 * its asker cancelled it first. */
#define G_LOG_DOMAIN "relais-hub"

#include "hub-private.h"
#include "auth.h"
#include "relais-config.h"

#include <string.h>

typedef struct {
	char *id; /* the protocol's request id: 256 random bits, base64url */
	guint handle;
	SbPeer *booth; /* the connection asked: only it may answer */
	gint64 deadline_us;
	SbHubDiagDone done;
	gpointer user_data;
} SbDiag;

static void diag_free(SbDiag *d)
{
	g_free(d->id);
	g_free(d);
}

static const char *const result_names[] = {"ok", "offline", "busy", "timeout", "gone", "shutdown"};
G_STATIC_ASSERT(G_N_ELEMENTS(result_names) == SB_HUB_DIAG_SHUTDOWN + 1);

const char *sb_hub_diag_result_name(SbHubDiagResult result)
{
	return (guint)result < G_N_ELEMENTS(result_names) ? result_names[result] : "?";
}

void hub_diag_init(SbHub *hub)
{
	hub->diag = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify)diag_free);
	if (hub->config.diag_timeout_ms == 0)
		hub->config.diag_timeout_ms = CONFIG_RELAIS_SB_DIAG_TIMEOUT_MS;
	if (hub->config.diag_max_pending == 0)
		hub->config.diag_max_pending = CONFIG_RELAIS_SB_DIAG_MAX_PENDING;
}

/* Takes `d` out of the table before its callback runs, so that the callback
 * may start or cancel requests freely, then frees it. */
static void finish(SbHub *hub, SbDiag *d, SbHubDiagResult result, JsonObject *report)
{
	g_hash_table_steal(hub->diag, d->id);
	hub->diag_results[result]++;
	if (d->booth && d->booth->diag_pending > 0)
		d->booth->diag_pending--;
	g_debug("diagnostic request %u for booth %s: %s", d->handle,
		d->booth && d->booth->booth_id ? d->booth->booth_id : "?", sb_hub_diag_result_name(result));
	d->done(result, report, d->user_data);
	diag_free(d);
}

typedef gboolean (*DiagMatch)(SbDiag *d, gconstpointer data);

/* Ends every request `match` picks. The ids are collected first and looked
 * up again one by one: a callback may have ended or cancelled another. */
static void finish_matching(SbHub *hub, DiagMatch match, gconstpointer data, SbHubDiagResult result)
{
	if (hub->diag == NULL || g_hash_table_size(hub->diag) == 0)
		return;
	g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func(g_free);
	GHashTableIter it;
	gpointer value;
	g_hash_table_iter_init(&it, hub->diag);
	while (g_hash_table_iter_next(&it, NULL, &value))
		if (match(value, data))
			g_ptr_array_add(ids, g_strdup(((SbDiag *)value)->id));
	for (guint i = 0; i < ids->len; i++) {
		SbDiag *d = g_hash_table_lookup(hub->diag, g_ptr_array_index(ids, i));
		if (d && match(d, data))
			finish(hub, d, result, NULL);
	}
}

static gboolean match_any(SbDiag *d, gconstpointer data)
{
	return TRUE;
}

static gboolean match_peer(SbDiag *d, gconstpointer peer)
{
	return d->booth == peer;
}

static gboolean match_expired(SbDiag *d, gconstpointer now)
{
	return *(const gint64 *)now >= d->deadline_us;
}

void hub_diag_shutdown(SbHub *hub)
{
	if (hub->diag == NULL)
		return;
	finish_matching(hub, match_any, NULL, SB_HUB_DIAG_SHUTDOWN);
	g_clear_pointer(&hub->diag, g_hash_table_unref);
}

void hub_diag_peer_gone(SbHub *hub, SbPeer *peer)
{
	finish_matching(hub, match_peer, peer, SB_HUB_DIAG_GONE);
}

void hub_diag_expire(SbHub *hub, gint64 now)
{
	finish_matching(hub, match_expired, &now, SB_HUB_DIAG_TIMEOUT);
}

guint sb_hub_diag_request(SbHub *hub, const char *booth_id, SbHubDiagDone done, gpointer user_data,
			  SbHubDiagResult *refused)
{
	g_return_val_if_fail(done != NULL, 0);
	SbHubDiagResult dummy;
	if (refused == NULL)
		refused = &dummy;
	SbPeer *b = booth_id && hub->diag ? g_hash_table_lookup(hub->booths, booth_id) : NULL;
	if (b == NULL || b->closing) {
		*refused = SB_HUB_DIAG_OFFLINE;
		hub->diag_results[SB_HUB_DIAG_OFFLINE]++;
		return 0;
	}
	if (b->diag_pending >= hub->config.diag_max_pending) {
		g_message("booth %s: %u diagnostic requests open already, refusing another", b->booth_id,
			  b->diag_pending);
		*refused = SB_HUB_DIAG_BUSY;
		hub->diag_results[SB_HUB_DIAG_BUSY]++;
		return 0;
	}
	g_autoptr(GError) error = NULL;
	g_autofree char *id = sb_auth_new_token(&error);
	if (id == NULL) {
		/* no randomness: nothing sensible to send; as if unreachable */
		g_warning("diagnostic request id: %s", error->message);
		*refused = SB_HUB_DIAG_OFFLINE;
		return 0;
	}
	SbDiag *d = g_new0(SbDiag, 1);
	d->id = g_steal_pointer(&id);
	if (++hub->diag_next_handle == 0)
		hub->diag_next_handle = 1;
	d->handle = hub->diag_next_handle;
	d->booth = b;
	d->deadline_us = hub_now_us(hub) + (gint64)hub->config.diag_timeout_ms * 1000;
	d->done = done;
	d->user_data = user_data;
	g_hash_table_insert(hub->diag, d->id, d);
	b->diag_pending++;
	g_debug("diagnostic request %u sent to booth %s", d->handle, b->booth_id);

	JsonObject *o = relais_msg_new(RELAIS_MSG_DIAG_REQUEST);
	json_object_set_string_member(o, "request", d->id);
	hub_send_obj(hub, b, o);
	return d->handle;
}

void sb_hub_diag_cancel(SbHub *hub, guint handle)
{
	if (handle == 0 || hub->diag == NULL)
		return;
	GHashTableIter it;
	gpointer value;
	g_hash_table_iter_init(&it, hub->diag);
	while (g_hash_table_iter_next(&it, NULL, &value)) {
		SbDiag *d = value;
		if (d->handle != handle)
			continue;
		if (d->booth && d->booth->diag_pending > 0)
			d->booth->diag_pending--;
		g_debug("diagnostic request %u cancelled by its asker", handle);
		g_hash_table_iter_remove(&it);
		return;
	}
}

guint sb_hub_diag_pending(SbHub *hub)
{
	return hub->diag ? g_hash_table_size(hub->diag) : 0;
}

void hub_handle_diag_report(SbHub *hub, SbPeer *peer, RelaisMsg *msg)
{
	/* a report that arrives after its time is a timeout, whatever the tick */
	hub_diag_expire(hub, hub_now_us(hub));
	const char *id = relais_msg_get_string(msg, "request");
	SbDiag *d = hub->diag ? g_hash_table_lookup(hub->diag, id) : NULL;
	if (d == NULL || d->booth != peer) {
		/* late answers are normal after a timeout; forged ones get no
		 * hint either way (not even an error reply) */
		g_message("booth %s: dropping a diag_report that answers no open request of this connection",
			  peer->booth_id);
		return;
	}
	finish(hub, d, SB_HUB_DIAG_OK, relais_msg_get_object(msg, "report"));
}

void hub_diag_metrics(SbHub *hub, GString *out)
{
	g_string_append(out,
			"# HELP relais_diag_requests_total Administrators' diagnostic requests, by how they ended.\n"
			"# TYPE relais_diag_requests_total counter\n");
	for (guint i = 0; i < G_N_ELEMENTS(hub->diag_results); i++)
		g_string_append_printf(out, "relais_diag_requests_total{result=\"%s\"} %" G_GUINT64_FORMAT "\n",
				       result_names[i], hub->diag_results[i]);
}
