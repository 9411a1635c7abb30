/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * media-rate: the booth's sending-rate controller (congestion control for
 * the video it sends), from the RTCP receiver reports webrtcbin's statistics
 * carry. Pure: no GStreamer type, no clock of its own (every time is passed
 * in, in g_get_monotonic_time() microseconds), so that the rule is
 * unit-tested. The design and its sources are in RATE.md beside this file.
 *
 * One estimate of what the path carries (kbit/s on the wire, audio and
 * packet overhead included) moves with each report:
 *   - loss < 2 % and no delay signal: up, 8 % a second (4 % near the rate
 *     of the last congestion, 16 % after 6 s clean far from it);
 *   - loss 2..10 %: held (random loss is not congestion);
 *   - loss > 10 % (judged over 100 packets at least): times (1 - loss / 2)
 *     from what was sent (half the estimate at most), towards what
 *     arrived when the encoder used its budget;
 *   - delay signal (round trip or jitter rising above the call's floor, a
 *     queue filling, or standing and not draining): 85 % of what arrived
 *     at the far end;
 *   - a decrease is not repeated within 3 s (the reports lag it).
 * Audio first: the video encoder gets the estimate minus the audio
 * stream's configured bitrate and both streams' packet overhead, between
 * the configured floor and ceiling. Under thresholds on that budget the
 * picture steps down (3/4 size, 1/2 size, then 1/2 size at half the frame
 * rate), immediately; it steps back up only when the budget has stayed
 * above the threshold with a margin for a while.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Loss is judged over this many packets at least (reports add up until
 * then, at most RELAIS_RATE_LOSS_MAX_WAIT_S): 5 % random loss reads above
 * 10 % once in 16 judgements of 30 packets (binomial), once in 87 of 100.
 * libwebrtc's loss-based controller waits for 20. */
#define RELAIS_RATE_LOSS_MIN_PACKETS 100
#define RELAIS_RATE_LOSS_MAX_WAIT_S  6

/* Per-packet overhead on the wire: IPv4 20 + UDP 8 + RTP 12 + SRTP tag 10 +
 * header extensions ~8 bytes. */
#define RELAIS_RATE_PACKET_OVERHEAD 58

typedef struct {
	guint min_kbps, max_kbps, start_kbps; /* the video encoder's bounds and first target */
	guint audio_kbps;		      /* the audio encoder's bitrate: never cut */
	guint audio_pps;		      /* audio packets a second (50 for 20 ms frames) */
	guint width, height;		      /* the full picture, for the rungs' thresholds; 0: 640x480 */
} RelaisRateConfig;

/* One statistics report. The counters are cumulative over the call; the
 * far end's numbers come from receiver reports not seen before (all < 0:
 * none came since the last report, and the estimate holds). */
typedef struct {
	double fraction_lost; /* far end's (remote-inbound), 0..1; < 0 if none */
	/* The packets the reports' streams sent over the intervals the loss
	 * covers (fraction_lost is then their weighted mean); 0 unknown:
	 * fraction_lost is taken as it is, however few packets it covers. */
	double loss_packets;
	double rtt_s;	      /* from the reports' LSR/DLSR, worst stream; <= 0 if none */
	double jitter_s;      /* far end's interarrival jitter, video; < 0 if none */
	guint64 rtx_packets;  /* retransmissions let through (RelaisRtxGate), cumulative */
	guint64 bytes_sent;   /* RTP payload bytes sent, all streams */
	guint64 packets_sent; /* RTP packets sent, all streams */
} RelaisRateReport;

typedef enum {
	RELAIS_RATE_INCREASE,
	RELAIS_RATE_HOLD,
	RELAIS_RATE_DECREASE,
} RelaisRateState;

/* The picture's steps, from full size and frame rate down. */
typedef enum {
	RELAIS_RATE_RUNG_FULL,
	RELAIS_RATE_RUNG_THREE_QUARTERS,
	RELAIS_RATE_RUNG_HALF,
	RELAIS_RATE_RUNG_HALF_SLOW, /* half size, half the frame rate */
	RELAIS_RATE_N_RUNGS,
} RelaisRateRung;

/* The controller's memory; set up with relais_rate_init(). */
typedef struct {
	RelaisRateConfig cfg;
	double estimate_kbps; /* on the wire, everything */
	guint video_kbps;     /* the video encoder's target */
	RelaisRateRung rung;
	RelaisRateState state;
	char reason[64]; /* why the last change, for the log and the status */

	gint64 last_us; /* the previous report's time, 0 before the first */
	guint64 prev_bytes, prev_packets;
	double sent_kbps; /* measured over the last interval, on the wire; < 0 unknown */
	double rtx_kbps;  /* of which retransmissions (let through by the gate), for the log */
	guint64 prev_rtx;
	/* The retransmissions' share of the video target (RelaisRtxGate's
	 * budget), from the last judged loss: 1.5 times it, at most
	 * RELAIS_RTX_BUDGET_SHARE; the video target leaves it room. */
	double rtx_share;
	double rtt_min_s, rtt_prev_s, jitter_min_s, jitter_prev_s;
	/* the round trip and jitter read at the last decrease (< 0: none, or
	 * the queue has drained since): a standing queue acts again only
	 * while they have not come down from there */
	double rtt_cut_s, jitter_cut_s;
	double congested_kbps; /* the estimate when congestion was last seen; 0 none */
	gint64 congested_us;
	gint64 rung_ok_since_us; /* budget above the next rung up's threshold since; 0 not */
	guint clean_reports;	 /* in a row, increasing */
	/* Loss is judged over RELAIS_RATE_LOSS_MIN_PACKETS at least: the lost
	 * and sent packets of the reports read since the last judgement. */
	double loss_lost, loss_sent;
	gint64 loss_since_us;
} RelaisRate;

/* Resets r to cfg (min <= start <= max, clamped). */
void relais_rate_init(RelaisRate *r, const RelaisRateConfig *cfg);

/* Takes a report received at now_us. Returns TRUE when the video target
 * or the rung changed (r->reason says why). */
gboolean relais_rate_update(RelaisRate *r, const RelaisRateReport *report, gint64 now_us);

/* The video budget (kbit/s) for a wire estimate: audio and overhead off. */
guint relais_rate_video_budget(const RelaisRateConfig *cfg, double estimate_kbps);

/* The lowest video budget (kbit/s) at which rung keeps its size, for a
 * picture of width x height (thresholds scale with the pixel count). */
guint relais_rate_rung_floor(RelaisRateRung rung, guint width, guint height);

/* The size and frame rate of rung for a full picture of width x height at
 * fps (sizes even, at least 2; fps at least 1). */
void relais_rate_rung_size(RelaisRateRung rung, guint width, guint height, guint fps, guint *out_width,
			   guint *out_height, guint *out_fps);

const char *relais_rate_state_name(RelaisRateState state);
const char *relais_rate_rung_name(RelaisRateRung rung);

/* The retransmission gate. GStreamer 1.22's rtprtxsend resends a packet
 * each time it is asked, without limit; Chromium asks again for every
 * packet still missing about every 20 ms when its own round trip (measured
 * on its uncongested sending path) is short. Behind a full uplink queue
 * (tc tbf, 200 ms) that made the booth send 5 000-10 000 retransmissions a
 * second beside its ~140 video packets: the queue held retransmissions of
 * retransmissions, the far end reported 87-93 % lost, and the rate
 * controller sank. As libwebrtc's sender does, a packet is resent at most
 * once per round trip (RELAIS_RTX_MIN_INTERVAL_MS at least), and all
 * retransmissions together stay within a budget (a token bucket of one
 * second's worth, at least RELAIS_RTX_MIN_PPS packets a second): the
 * controller's rtx_share of the video target (1.5 times the loss, at most
 * RELAIS_RTX_BUDGET_SHARE), which the video target leaves room for; half
 * the target without the controller. Zero-initialise. */
#define RELAIS_RTX_MIN_INTERVAL_MS 20
#define RELAIS_RTX_BUDGET_SHARE	   0.5
#define RELAIS_RTX_MIN_PPS	   10
#define RELAIS_RTX_SLOTS	   1024

typedef struct {
	struct {
		guint32 ssrc;
		guint16 seq;
		gint64 at_us; /* 0: empty */
	} sent[RELAIS_RTX_SLOTS];
	double tokens; /* packets */
	gint64 refill_us;
	guint64 allowed, refused_repeat, refused_budget;
} RelaisRtxGate;

/* Whether to resend packet seq of ssrc asked at now_us, for a budget of
 * rtx_kbps and a round trip of rtt_s (<= 0: none known). */
gboolean relais_rtx_gate_allow(RelaisRtxGate *gate, guint32 ssrc, guint16 seq, double rtx_kbps, double rtt_s,
			       gint64 now_us);

/* The retransmissions' budget (kbit/s) for the video target now. */
double relais_rate_rtx_kbps(const RelaisRate *r);

G_END_DECLS
