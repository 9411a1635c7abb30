/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * media-probes: what the call engine measures. Pad probes count the frames
 * and buffers sent and received and note the received video's size (the
 * numbers of relais_media_get_stats()); webrtcbin's statistics, polled every
 * RELAIS_QUALITY_PERIOD_S without blocking the main loop, feed the quality
 * bars (media-quality.h).
 */
#pragma once

#include "media.h"

G_BEGIN_DECLS

struct _GstPad;

typedef enum {
	RELAIS_MEDIA_COUNT_VIDEO_SENT,	   /* encoded frames into the payloader */
	RELAIS_MEDIA_COUNT_AUDIO_SENT,	   /* encoded audio into the payloader */
	RELAIS_MEDIA_COUNT_VIDEO_RECEIVED, /* decoded frames (and their size) at the remote sink */
	RELAIS_MEDIA_COUNT_AUDIO_RECEIVED, /* decoded audio into the playback */
	RELAIS_MEDIA_COUNT_SCREEN_RECEIVED /* decoded screen frames (and their size) */
} RelaisMediaCounter;

/* Counts what flows through pad into media's statistics. */
void relais_media_add_count_probe(RelaisMedia *media, struct _GstPad *pad, RelaisMediaCounter counter);

/* Returns: (transfer full) the statistics poll, attached to media's
 * context; it stops by itself once media is closed. */
GSource *relais_media_quality_poll_new(RelaisMedia *media);

G_END_DECLS
