/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * server: the switchboard's HTTP and WebSocket front (libsoup-3).
 *
 *   /ws/booth, /ws/adviser   WebSocket endpoints, handed to the hub
 *                            (/ws/adviser: signed-in adviser or admin, same
 *                            Origin; /ws/booth: no Origin, i.e. no browser)
 *   /api/login, /api/logout  sign-ins (cookie relais_session)
 *   /api/me                  the signed-in account
 *   /api/call/document       documents shown in a call (docshare.h)
 *   /api/booth/document/     the booth's download of one
 *   /api/admin/bundles       update bundles (bundles.h); the booth's download
 *   /api/booth/bundle/       of one, on the booth listener
 *   /healthz                 "ok", or 503 and why (health.h: the store, disk
 *                            space, the main loop's lateness)
 *   /metrics                 Prometheus text format
 *   /                        the adviser console (assets/web/)
 */
#pragma once

#include <gio/gio.h>
#include "bundles.h"
#include "client.h"
#include "docfile.h"
#include "enrol.h"
#include "hub.h"
#include "store.h"

G_BEGIN_DECLS

typedef struct _SbServer SbServer;

typedef struct {
	const char *bind; /* address to listen on */
	guint port;	  /* 0: any free port */
	const char *assets_dir;
	SbStore *store; /* accounts and sign-ins; not owned, outlives the server */
	/* HTTPS and WSS with this certificate and key (nullable: plain HTTP,
	 * loopback addresses only); not owned */
	GTlsCertificate *tls_certificate;
	/* served over TLS: cookies get Secure, Origins are https (a trusted
	 * proxy's proto says instead for its requests) */
	gboolean secure_cookies;
	/* reverse proxies whose Forwarded / X-Forwarded-* are believed on the
	 * advisers' listener (client.h); nullable: none. A reference is taken. */
	SbTrustedProxies *trusted_proxies;
	SbHubConfig hub;
	RelaisDocLimits doc_limits; /* documents shown in a call; 0s: Kconfig */
	/* The booth listener (ENROL.md): /ws/booth and the EST endpoints on
	 * their own port, always TLS with this certificate, asking for client
	 * certificates that `enrol` checks. Both not owned, required. */
	SbEnrol *enrol;
	guint booth_port; /* 0: any free port */
	GTlsCertificate *booth_tls_certificate;
	/* updates sent from afar (bundles.h); dir NULL: none */
	SbBundlesConfig bundles;
	/* /healthz: free space the data folder needs (0: Kconfig) */
	guint health_min_free_mb;
} SbServerConfig;

SbServer *sb_server_new(const SbServerConfig *config, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* The port actually listened on. */
guint sb_server_get_port(SbServer *server);
/* The booth listener's port. */
guint sb_server_get_booth_port(SbServer *server);
void sb_server_free(SbServer *server);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SbServer, sb_server_free)

G_END_DECLS
