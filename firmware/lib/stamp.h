/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * stamp: glass-to-glass latency probes, for benchmarks only.
 *
 * The writer paints the wall-clock time (CLOCK_REALTIME) into each raw video
 * frame before it is encoded; the reader finds it again in each decoded frame
 * and records now - stamp. Both ends of a call run on one machine in the
 * benchmark, so their wall clocks agree, and the adviser's browser reads and
 * writes the same pattern (tests/e2e/bench-latency.mjs).
 *
 * The pattern is a strip across the top of the picture, height/15 rows high
 * (32 at 480), split into RELAIS_STAMP_CELLS equal cells (16 px at 640: one
 * VP8 macroblock each, so each cell is a flat block the codec keeps exactly).
 * A cell is black (0) or white (1): the 32-bit stamp, most significant bit
 * first, then an 8-bit check. The geometry is relative to the frame so that a
 * stamp survives the sender scaling the picture down (browsers do under load).
 * The strip's chroma is neutral so that an RGB reader sees grey.
 *
 * Stamp unit: 100 us of wall-clock time, modulo 2^32 (wraps every ~5 days;
 * ages are taken modulo 2^32 too).
 *
 * The engine enables it only when RELAIS_MEDIA_STAMP=1 (see media.c): it
 * overwrites the top of the visitor's picture.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RELAIS_STAMP_DATA_BITS	  32
#define RELAIS_STAMP_CHECK_BITS	  8
#define RELAIS_STAMP_CELLS	  (RELAIS_STAMP_DATA_BITS + RELAIS_STAMP_CHECK_BITS)
#define RELAIS_STAMP_TICKS_PER_MS 10
/* samples kept for the percentiles (~34 s at 30 fps) */
#define RELAIS_STAMP_WINDOW 1024
/* most recent samples handed out with the summary, so that a poller can
 * collect every sample of an interval of its choosing */
#define RELAIS_STAMP_RECENT 64

/* Forward declarations: this header stays free of GStreamer includes so
 * that media.h can embed a summary. */
struct _GstPad;
struct _GstVideoFrame;

typedef struct {
	guint64 samples;    /* frames whose stamp was read, since the start */
	guint64 unreadable; /* decoded frames without a valid stamp */
	/* over the last RELAIS_STAMP_WINDOW samples; 0 when samples == 0 */
	double p50_ms, p90_ms, max_ms;
	/* the last n_recent samples, oldest first */
	guint n_recent;
	double recent_ms[RELAIS_STAMP_RECENT];
} RelaisStampSummary;

/* Thread-safe sample store, reference counted (a pad probe holds one). */
typedef struct _RelaisStampStats RelaisStampStats;

RelaisStampStats *relais_stamp_stats_new(void);
RelaisStampStats *relais_stamp_stats_ref(RelaisStampStats *stats);
void relais_stamp_stats_unref(RelaisStampStats *stats);
void relais_stamp_stats_add(RelaisStampStats *stats, double ms);
void relais_stamp_stats_add_unreadable(RelaisStampStats *stats);
void relais_stamp_stats_get(RelaisStampStats *stats, RelaisStampSummary *out);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RelaisStampStats, relais_stamp_stats_unref)

/* TRUE when the environment asks for stamping (RELAIS_MEDIA_STAMP=1). */
gboolean relais_stamp_enabled_from_env(void);

/* Wall-clock time (g_get_real_time()) as a stamp. */
guint32 relais_stamp_from_real_time(gint64 real_time_us);
/* now - stamp in ms, modulo 2^32 ticks, as a signed value. */
double relais_stamp_age_ms(guint32 stamp, guint32 now);

/* Paints stamp into a mapped, writable 8-bit YUV frame (planar, semi-planar
 * or packed; strides and plane offsets from the frame's GstVideoInfo/meta).
 * FALSE when the format or size cannot hold a stamp. */
gboolean relais_stamp_write_frame(struct _GstVideoFrame *frame, guint32 stamp);
/* Reads a stamp from a mapped frame; FALSE when none is found (no strip,
 * an undecided cell, or a failed check). */
gboolean relais_stamp_read_frame(const struct _GstVideoFrame *frame, guint32 *stamp);

/* Pad probe on raw video on its way to the encoder: stamps every frame with
 * its capture time (the buffer's timestamp on the pipeline clock, taken back
 * to wall-clock time; the time of passing when there is none). Returns the
 * probe id. */
gulong relais_stamp_writer_attach(struct _GstPad *raw_video_pad);
/* The writer (as relais_stamp_writer_attach, instead of it) with the
 * sender's own part of glass-to-glass: from each stamped frame's capture
 * time (the stamp written) to its encoded frame (the same PTS) on
 * encoded_video_pad, the encoder's output, recorded in sent (a reference
 * kept). Frames the encoder drops are forgotten (RELAIS_STAMP_PENDING
 * kept). */
#define RELAIS_STAMP_PENDING 128
void relais_stamp_send_timer_attach(struct _GstPad *raw_video_pad, struct _GstPad *encoded_video_pad,
				    RelaisStampStats *sent);
/* Pad probe on decoded remote video: records now - stamp of every frame in
 * stats (which the probe keeps a reference on). Returns the probe id. */
gulong relais_stamp_reader_attach(struct _GstPad *decoded_video_pad, RelaisStampStats *stats);

G_END_DECLS
