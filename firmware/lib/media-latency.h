/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * media-latency: the elements webrtcbin creates inside itself, tuned as
 * they appear for the first frame's sake: no clock pacing of outgoing RTP
 * (clocksync), a jitter buffer that lets its first packet through at once,
 * no SSRC probation (SRTP already authenticates every packet).
 */
#pragma once

#include "media.h"

G_BEGIN_DECLS

/* Watches media's pipeline for those elements (before anything is added
 * to webrtcbin). */
void relais_media_latency_watch(RelaisMedia *media);

G_END_DECLS
