/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * media-latency: the elements webrtcbin creates inside itself, tuned as
 * they appear for the first frame's sake: no clock pacing of outgoing RTP
 * (clocksync), a jitter buffer that lets its first packet through at once,
 * no SSRC probation (SRTP already authenticates every packet).
 */
#pragma once

#include "media.h"

#include <gst/gst.h>

G_BEGIN_DECLS

/* Watches media's pipeline for those elements (before anything is added
 * to webrtcbin). */
void relais_media_latency_watch(RelaisMedia *media);

/* Lets a LATENCY event reach the echo canceller's probe (webrtcechoprobe,
 * gst-plugins-bad 1.22) only when it would change what the probe keeps:
 * the pipeline's latency or the latency upstream of the probe. The probe
 * answers every LATENCY event with a latency query it never unrefs (about
 * 430 bytes), and a call's set-up recalculates the pipeline's latency about
 * 18 times, nearly all with the same figures: 7.7 KB lost per call, most of
 * the booth's memory growth over a soak (tests/bench/README-load.md).
 * Duplicates are dropped before the probe; everything upstream has had the
 * same figures already. */
void relais_media_latency_guard_echo_probe(GstElement *echo_probe);

G_END_DECLS
