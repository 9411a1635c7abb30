/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * server: the switchboard's HTTP and WebSocket front (libsoup-3).
 *
 *   /ws/booth, /ws/adviser   WebSocket endpoints, handed to the hub
 *   /healthz                 "ok" while the main loop runs
 *   /metrics                 Prometheus text format
 *   /                        the adviser console (assets/web/)
 */
#pragma once

#include <glib.h>
#include "hub.h"

G_BEGIN_DECLS

typedef struct _SbServer SbServer;

typedef struct {
	const char *bind; /* address to listen on */
	guint port;	  /* 0: any free port */
	const char *assets_dir;
	SbHubConfig hub;
} SbServerConfig;

SbServer *sb_server_new(const SbServerConfig *config, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* The port actually listened on. */
guint sb_server_get_port(SbServer *server);
void sb_server_free(SbServer *server);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SbServer, sb_server_free)

G_END_DECLS
