/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * media-negotiate: the call's offer/answer on webrtcbin. The offer is made
 * when both encoders have fixed caps on webrtcbin's inputs (never on
 * webrtcbin's own "negotiation needed", which can come too early); the
 * answerer applies a remote offer only then too. Descriptions go to the
 * owner before they are applied (the SDP before its candidates), rewritten
 * for the far end: the screen's m-line marked as slides (RFC 4796) and
 * Chromium told the start bitrate. Public parts: relais_media_set_remote()
 * and relais_media_dup_local_sdp() (media.h).
 */
#pragma once

#include "media.h"

G_BEGIN_DECLS

/* Connects the caps watch on webrtcbin's two send pads (built first). */
void relais_media_negotiate_watch(RelaisMedia *media);

/* Makes the offer (offerer) or applies the pending offer (answerer) once
 * started with both caps known; otherwise nothing. Any thread. */
void relais_media_negotiate(RelaisMedia *media);

G_END_DECLS
