/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * media-events: the hand-off of the call engine's events (SDP, ICE
 * candidates, state changes, errors) from GStreamer's threads to the
 * owner's GMainContext.
 *
 * One FIFO per engine, drained by an idle source on the owner's context:
 * callbacks keep the order the events happened in (the offer before its
 * candidates, CONNECTED before an error), none runs after the engine is
 * closed, and the owner may free the engine from inside any of them.
 * Any thread; the _locked variants are for a caller that holds media->lock
 * (to publish an event atomically with the state it belongs to).
 */
#pragma once

#include "media.h"

G_BEGIN_DECLS

/* Takes ownership of sdp. */
void relais_media_emit_sdp_locked(RelaisMedia *media, const char *type, char *sdp);
/* candidate "" is end-of-candidates for mline. */
void relais_media_emit_ice(RelaisMedia *media, guint mline, const char *candidate);
/* A capture device's new state (media-device.c); detail is copied. */
void relais_media_emit_device_locked(RelaisMedia *media, RelaisMediaDevice device, RelaisMediaDeviceState state,
				     const char *detail);
void relais_media_emit_ice_locked(RelaisMedia *media, guint mline, const char *candidate);

/* Moves to state and tells the owner, unless it is the state already or
 * FAILED (final: the call is lost, the owner starts again). */
void relais_media_set_state(RelaisMedia *media, RelaisMediaState state);
/* The first failure loses the call (FAILED, then on_error with error);
 * later ones are consequences and only logged. Dumps the pipeline graph
 * (when GST_DEBUG_DUMP_DOT_DIR is set). Takes ownership of error. */
void relais_media_fail(RelaisMedia *media, GError *error);
/* As relais_media_fail() with a RELAIS_MEDIA_ERROR: "what: cause". */
void relais_media_fail_literal(RelaisMedia *media, RelaisMediaError code, const char *what, const GError *cause);

/* For free(), once closed: drops the events not yet delivered. */
void relais_media_events_discard(RelaisMedia *media);

G_END_DECLS
