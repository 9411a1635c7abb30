/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * media-quality: the call's connection quality in bars (0..3), from the
 * numbers webrtcbin reports and the time media last arrived. Pure: no
 * GStreamer type, no clock of its own (every time is passed in, in
 * g_get_monotonic_time() microseconds), so that the rule is unit-tested.
 *
 *   3: loss < 2 % and RTT < 300 ms
 *   2: loss < 8 % and RTT < 600 ms
 *   1: worse, or nothing received (video, screen or audio) for more than 2 s
 *   0: not connected
 * While no report is available yet, or the last is older than three
 * periods: 3 when media arrives.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* How often the engine asks webrtcbin for its statistics. */
#define RELAIS_QUALITY_PERIOD_S 2

/* One statistics report, summed or worst over the call's streams. */
typedef struct {
	guint64 packets_received, packets_lost; /* inbound RTP, cumulative */
	double fraction_lost;			/* remote-inbound, worst stream; < 0 if none */
	double rtt_s;				/* remote-inbound, worst stream; < 0 if none */
} RelaisQualityReport;

/* The scorer's memory between reports; zero-initialise. */
typedef struct {
	guint64 prev_packets_received, prev_packets_lost;
	int report_bars; /* 0: none yet */
	gint64 report_us;
} RelaisQuality;

/* Bars for a loss fraction (0..1) and a round-trip time in seconds. */
int relais_quality_bars_for(double loss, double rtt_s);

/* Takes a report received at now_us: the loss of the interval since the
 * previous one (lost / expected from the cumulative inbound counters,
 * unless they went backwards) or the far end's fraction lost, the worse of
 * the two. Returns the loss used (< 0 if the report had none), for logs. */
double relais_quality_add_report(RelaisQuality *quality, const RelaisQualityReport *report, gint64 now_us);

/* The bars at now_us. last_media_us: the latest of the moment the call
 * connected and the last video, screen or audio received. */
int relais_quality_bars(const RelaisQuality *quality, gboolean connected, gint64 last_media_us, gint64 now_us);

/* The packet-loss-percentage for Opus's in-band FEC, from the far end's
 * reports of fraction lost (0..1). The reports are noisy: webrtcbin shows one
 * stream's at a time, video's is low once retransmissions made up for the
 * loss, and an interval without a loss reads 0 (measured at 5 % random
 * loss: 0, 2, 3.5, 4.3, 6.2 %...). So they are smoothed (each report counts
 * 0.3) and the result is one of 0, 1, 5, 10, 20 %: a level is reached when
 * the smoothed loss is 0.6 of it, and left when it falls below 0.3 of it.
 * Zero-initialise. */
typedef struct {
	double smoothed; /* fraction lost */
	int pct;	 /* the level in use */
} RelaisFecLoss;

/* Takes one report (< 0 or NaN: none, nothing changes); returns the level. */
int relais_fec_loss_update(RelaisFecLoss *fec, double fraction_lost);

/* The receiving jitter buffers' latency, raised while packets get lost.
 * With NACK a lost video packet is asked for again, but the booth notices
 * a packet lost at the end of a frame only when the next frame begins (33
 * ms later at 30 fps): with the configured 20 ms the retransmission came
 * too late, the frame was dropped and so was every frame up to the next
 * keyframe (measured at 5 % random loss: 15.5-18.6 fps decoded; 100 ms:
 * 25.7 fps). As libwebrtc's jitter buffer grows its delay when NACK is in
 * use, the latency goes to RELAIS_RECV_DELAY_LOSSY_MS plus one and a half
 * round trips (at most RELAIS_RECV_DELAY_MAX_MS) when an interval loses at
 * least 2 packets and 0.5 % of them, and back to the configured value after
 * RELAIS_RECV_DELAY_HOLD_S without loss: a clean network keeps its short
 * delay. The whole pipeline's latency follows (lip sync kept). */
#define RELAIS_RECV_DELAY_LOSSY_MS 150
#define RELAIS_RECV_DELAY_MAX_MS   300
#define RELAIS_RECV_DELAY_HOLD_S   10

/* Set base_ms (the configured latency) and latency_ms = base_ms; the rest
 * zero. */
typedef struct {
	guint base_ms, latency_ms;
	guint64 prev_received, prev_lost;
	gint64 last_loss_us; /* 0: none */
	double last_loss;    /* the share lost in the last interval that raised it */
	gboolean started;    /* a first report was taken */
} RelaisRecvDelay;

/* Takes the cumulative counts of packets received and of packets found
 * missing (media-latency.c: received only as a retransmission, or never) and the round trip (s; < 0: none) at now_us;
 * returns the latency to use (ms). The first report is only a starting point. */
guint relais_recv_delay_update(RelaisRecvDelay *delay, guint64 packets_received, guint64 packets_lost, double rtt_s,
			       gint64 now_us);

G_END_DECLS
