/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * media-ratectl: the engine's side of the sending-rate controller
 * (media-rate.c): finds the video encoder and the picture's capsfilter in
 * the sending bin, feeds the controller each statistics report, and sets
 * the encoder's target bitrate and the capsfilter's size and frame rate
 * live. Audio is never touched. See RATE.md.
 */
#pragma once

#include "media-private.h"
#include "media-rate.h"
#include "mediaconf.h"

G_BEGIN_DECLS

/* At build time, with the video sending bin. A pipeline without a known
 * encoder (vp8enc, vp9enc, x264enc) or without the capsfilter runs at its
 * fixed bitrate, with a warning: never an error. RELAIS_MEDIA_RATE=0 in
 * the environment turns the controller off (tests: the fixed rate). */
void relais_media_ratectl_setup(RelaisMedia *m, GstElement *video_bin, GstElement *audio_bin, guint video_kbps);

/* The far end's numbers of a statistics report at now_us (webrtcbin's
 * thread); what was sent is taken from the engine's own counters. */
void relais_media_ratectl_report(RelaisMedia *m, const RelaisRateReport *far_end, gint64 now_us);

/* Counts what webrtcbin's RTP sender (rtprtxsend: every stream of the
 * bundle, retransmissions included) sends, for the controller's measure
 * of what was sent. Without it the engine's own counters of encoded
 * media are used. */
void relais_media_ratectl_watch_sender(RelaisMedia *m, GstElement *rtxsend);
/* Puts each request to resend a packet that reaches rtxsend through the
 * retransmission gate (media-rate.h, RelaisRtxGate). */
void relais_media_ratectl_gate_rtx(RelaisMedia *m, GstElement *rtxsend);

/* Caps the encoder's target at cap_kbps (0: no cap): a guest's
 * connection's own controller (media-guest.c), so that the one encoder
 * follows the lower of the two peers' estimates. The picture's size
 * follows the adviser's controller alone. Any thread. */
void relais_media_ratectl_set_cap(RelaisMedia *m, guint cap_kbps);

/* Drops the elements' references (from free(), with m->lock held). */
void relais_media_ratectl_clear(RelaisMedia *m);

G_END_DECLS
