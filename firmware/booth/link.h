/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * link: the booth's signaling connection to the switchboard.
 *
 *   down --connect--> connecting --open--> greeting --welcome--> up
 *     ^                   |                    |                  |
 *     +----- backoff -----+--------------------+------------------+ (error/close)
 *
 * Reconnects forever with capped exponential backoff and jitter; a booth in a
 * library must come back by itself after a switchboard restart or a network
 * cut, with nobody there to press a button. Every received message is
 * validated (relais_msg_parse) before it reaches the owner.
 */
#pragma once

#include <gio/gio.h>
#include "protocol.h"

G_BEGIN_DECLS

typedef struct _BoothLink BoothLink;

typedef enum {
	BOOTH_LINK_DOWN,
	BOOTH_LINK_CONNECTING,
	BOOTH_LINK_GREETING,
	BOOTH_LINK_UP,
} BoothLinkState;

typedef struct {
	/* welcome received: the link is usable */
	void (*on_up)(BoothLink *link, RelaisMsg *welcome, gpointer user_data);
	/* the link was up and is now lost (not called for failed attempts) */
	void (*on_down)(BoothLink *link, gpointer user_data);
	/* a validated message other than welcome/ping/pong */
	void (*on_message)(BoothLink *link, RelaisMsg *msg, gpointer user_data);
	/* the switchboard refused this booth's certificate (close 4003
	 * "revoked", or the handshake or the endpoint refused it): the link
	 * keeps trying, slowly, until a new certificate is set or it is let in */
	void (*on_refused)(BoothLink *link, const char *reason, gpointer user_data);
} BoothLinkCallbacks;

typedef struct {
	const char *url; /* ws://host:port/ws/booth (loopback) or wss://host:port/ws/booth */
	const char *booth_id;
	const char *site;
	const char *board;
	guint reconnect_min_ms, reconnect_max_ms;
	guint ping_interval_s;
	/* trust anchors for wss:// (a CA, or the switchboard's self-signed
	 * certificate); NULL: the system's trust store. Referenced. */
	GTlsDatabase *tls_database;
	/* enrolment in use: no dialling before booth_link_set_client_certificate() */
	gboolean needs_certificate;
	/* nullable: told in every hello (a protocol id; "A" or "B") */
	const char *software;
	const char *slot;
} BoothLinkConfig;

/* What the booth's screen says when the switchboard refuses its certificate. */
#define BOOTH_LINK_REFUSED_REASON "this booth's certificate was refused (revoked?): call a technician"
/* The close code the switchboard sends to a revoked booth. */
#define BOOTH_LINK_CLOSE_REVOKED 4003

BoothLink *booth_link_new(const BoothLinkConfig *config, const BoothLinkCallbacks *callbacks, gpointer user_data);
void booth_link_start(BoothLink *link);
BoothLinkState booth_link_get_state(BoothLink *link);
const char *booth_link_state_name(BoothLinkState state);
/* Sends when up; returns FALSE (and drops the message) otherwise. Takes obj. */
gboolean booth_link_send(BoothLink *link, JsonObject *obj);
guint booth_link_get_reconnects(BoothLink *link);
/* Closes the connection normally and opens a new one at once, without
 * on_down: the WebSocket's receive buffer keeps the bytes of past frames
 * (chat text, descriptions) until they are overwritten, and only a new
 * connection lets them go. Called when a visitor's session is wiped. */
void booth_link_renew(BoothLink *link);
guint booth_link_get_renewals(BoothLink *link);
/* The certificate (with its key) every handshake presents from now on,
 * each on a new connection (TLS 1.3 cannot add one to a kept-alive
 * connection made without it). Setting one reconnects at once (a call is
 * resumed as after a blip), and lets a link that waits for it dial. */
void booth_link_set_client_certificate(BoothLink *link, GTlsCertificate *cert);
/* The call the booth is in (NULL: none): named in the next hello, so that
 * the switchboard puts a call whose link dropped back together. */
void booth_link_set_resume(BoothLink *link, const char *call);
/* Drops the connection as a network fault would, then reconnects as usual
 * (tests, and a technician checking the booth's recovery). */
void booth_link_drop(BoothLink *link);
/* The monotonic time (us) of the last message from the switchboard; 0: none. */
gint64 booth_link_get_last_rx_us(BoothLink *link);
/* Sends a ping now if the link is up: its pong (or anything) moves
 * booth_link_get_last_rx_us, telling that the network path works. Probes
 * left unanswered for 5 s drop the connection and dial a new one (the old
 * one's TCP would take its retransmission back-off, many seconds, to
 * notice the network's return). */
void booth_link_probe(BoothLink *link);
/* Fetches a document shown in the call (PROTOCOL.md "Showing a document")
 * from the switchboard over HTTP(S): the same host as the link, with the
 * same TLS trust, `path` (e.g. "/api/booth/document/TOKEN"), presenting the
 * booth's certificate (the switchboard knows the booth by it). Refused (without reading the body) when the answer is
 * not 200, has no Content-Length or a longer one than `max_bytes`. */
void booth_link_fetch_async(BoothLink *link, const char *path, gsize max_bytes, GCancellable *cancellable,
			    GAsyncReadyCallback callback, gpointer user_data);
/* Returns: (transfer full) the body and its Content-Type in *content_type,
 * or NULL with an error in plain words. `link` is not used (nullable): the
 * owner may be gone when a cancelled fetch finishes. */
GBytes *booth_link_fetch_finish(BoothLink *link, GAsyncResult *result, char **content_type, GError **error);
/* Opens a large download (an update bundle) the same way, for reading as
 * a stream: refused (nothing read) when the answer is not 200 or has no
 * Content-Length. */
void booth_link_open_async(BoothLink *link, const char *path, GCancellable *cancellable, GAsyncReadyCallback callback,
			   gpointer user_data);
/* Returns: (transfer full) the body's stream and its length in *length, or
 * NULL with an error in plain words. `link` is not used (nullable). */
GInputStream *booth_link_open_finish(BoothLink *link, GAsyncResult *result, goffset *length, GError **error);
void booth_link_free(BoothLink *link);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(BoothLink, booth_link_free)

G_END_DECLS
