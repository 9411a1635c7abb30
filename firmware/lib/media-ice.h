/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * media-ice: the call engine's ICE settings and candidates: the libnice
 * agent tuned for a fast first check, STUN/TURN servers from URIs, local
 * addresses and relay-only (relais_media_set_local_addresses,
 * relais_media_set_relay_only in media.h), local candidates to the owner
 * and remote ones to webrtcbin (relais_media_add_ice, skipping what libnice
 * cannot use).
 */
#pragma once

#include <gst/gst.h>
#include "media.h"

G_BEGIN_DECLS

/* Fewer candidate pairs, checked sooner (no ICE-TCP, no UPnP, 5 ms pacing). */
void relais_media_ice_tune(GstElement *webrtc);

/* Gives webrtcbin the STUN/TURN URIs (see relais_media_start() in media.h);
 * RELAIS_MEDIA_ERROR_ICE_SERVER for an unusable one. */
gboolean relais_media_ice_set_servers(GstElement *webrtc, const char *const *servers,
				      GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Restricts webrtcbin's libnice agent to these local addresses
 * (relais_media_set_local_addresses in media.h). */
gboolean relais_media_ice_set_local_addresses(GstElement *webrtc, const char *const *addresses,
					      GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* A remote candidate line ("" is end-of-candidates) to webrtcbin, skipping
 * malformed lines and mDNS host candidates (relais_media_add_ice). */
void relais_media_ice_add_remote(GstElement *webrtc, guint mline, const char *candidate);

/* Connects webrtcbin's ICE signals: each local candidate, then an
 * end-of-candidates per m-line, goes to the owner (media-events.h). */
void relais_media_ice_watch(RelaisMedia *media);

G_END_DECLS
