/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "media-rate.h"

#include <math.h>

/* Loss bands of libwebrtc's loss-based controller. */
#define LOSS_LOW  0.02
#define LOSS_HIGH 0.10
/* Above this, no burst explains the loss: a link passing a fraction of
 * what it is given, and what arrived is what it carries (tc tbf at 500
 * kbit/s under 1200 read 55-78 %). */
#define LOSS_HEAVY 0.30
/* Growth a second, far from and near the rate of the last congestion. */
#define GROWTH_FAR  1.08
#define GROWTH_NEAR 1.04
#define NEAR_BAND   1.10
/* Below the last congestion, "near" reaches down this far: a delay
 * decrease lands at 0.85 of what arrived, and must climb back carefully
 * (at 8 %, then 16 % a second it overshot a standing 300 kbit/s cap). */
#define NEAR_BELOW 0.70
/* The video encoder sends less than half its budget (a still or simple
 * picture): the path never carried the estimate, and what was sent says
 * nothing of what it can carry. A loss decrease then starts from half
 * the estimate, not from what was sent: a false alarm must not throw a
 * good estimate away (5 % random loss, judged above 10 % now and then,
 * sank the sim board's 45 kbit/s test pattern to the floor and half the
 * frame rate). */
#define APP_LIMITED 0.5
/* After this many clean reports in a row (6 s), far from congestion. */
#define GROWTH_FAST    1.16
#define CLEAN_FOR_FAST 3
#define FAST_ABOVE     1.5
/* ... or once the path has been clean this many reports in a row (12 s):
 * at a standing cap the careful climb meets the cap again sooner. */
#define CLEAN_FOR_FREE 6
/* The delay signal's decrease: a share of what arrived (GCC's beta). */
#define DELAY_BETA 0.85
/* Video packets are ~1200 bytes: overhead as a share of the video rate. */
#define VIDEO_OVERHEAD (1.0 + RELAIS_RATE_PACKET_OVERHEAD / 1200.0)
/* A round trip this far above the call's floor is a queue: rising, or
 * twice as far whatever its direction (a standing queue). */
#define RTT_MARGIN_S	0.05
#define JITTER_MARGIN_S 0.03
/* The floors drift up this much a second, so that a path that got
 * longer for good (a relay after an ICE restart) stops reading as a
 * queue within a minute or two. */
#define FLOOR_DRIFT_S 0.001
/* A loss above the band acts again only this long after a decrease. */
#define LOSS_HOLDOFF_US (3 * G_USEC_PER_SEC)
/* A change of the video target smaller than this share is not made. */
#define SMALL_CHANGE 0.06
/* A retransmitted video packet on the wire, overhead included. */
#define RTX_PACKET_BYTES 1200
/* The retransmissions' budget, as a share of the video target, per unit
 * of loss. Retransmissions share the path with the video: with half the
 * target for them whatever the loss, the booth sent 450 kbit/s behind a
 * 300 kbit/s cap (a target of 258) and the loss went on; at the onset of
 * a cap, 800 kbit/s of them. */
#define RTX_PER_LOSS 1.5
/* A report interval longer than this (a stalled poll) counts as this. */
#define MAX_DT_S 3.0
/* The picture steps back up after the budget held this margin above the
 * next rung's floor for this long (each step costs a keyframe). */
#define RUNG_UP_MARGIN 1.25
#define RUNG_UP_US     (6 * G_USEC_PER_SEC)

static double audio_wire_kbps(const RelaisRateConfig *cfg)
{
	return cfg->audio_kbps + cfg->audio_pps * RELAIS_RATE_PACKET_OVERHEAD * 8 / 1000.0;
}

static double estimate_for_video(const RelaisRateConfig *cfg, double video_kbps)
{
	return audio_wire_kbps(cfg) + video_kbps * VIDEO_OVERHEAD;
}

/* The video target for an estimate, with room for retransmissions of a
 * share of it. */
static guint video_budget(const RelaisRateConfig *cfg, double estimate_kbps, double rtx_share)
{
	double v = (estimate_kbps - audio_wire_kbps(cfg)) / (VIDEO_OVERHEAD + rtx_share);
	/* +0.5: a budget made from estimate_for_video(x) reads back as x */
	v = CLAMP(v + 0.5, (double)cfg->min_kbps, (double)cfg->max_kbps);
	return (guint)v;
}

guint relais_rate_video_budget(const RelaisRateConfig *cfg, double estimate_kbps)
{
	return video_budget(cfg, estimate_kbps, 0);
}

double relais_rate_rtx_kbps(const RelaisRate *r)
{
	return r->rtx_share * r->video_kbps;
}

guint relais_rate_rung_floor(RelaisRateRung rung, guint width, guint height)
{
	/* kbit/s for 640x480, which VP8 at 30 fps still makes decent. */
	static const guint base[RELAIS_RATE_N_RUNGS] = {300, 180, 100, 0};
	if (rung >= RELAIS_RATE_N_RUNGS)
		return 0;
	double pixels = (width && height) ? (double)width * height : 640.0 * 480.0;
	double scale = CLAMP(pixels / (640.0 * 480.0), 0.25, 8.0);
	return (guint)(base[rung] * scale);
}

void relais_rate_rung_size(RelaisRateRung rung, guint width, guint height, guint fps, guint *out_width,
			   guint *out_height, guint *out_fps)
{
	guint num = 1, den = 1, fdiv = 1;
	switch (rung) {
	case RELAIS_RATE_RUNG_THREE_QUARTERS:
		num = 3, den = 4;
		break;
	case RELAIS_RATE_RUNG_HALF:
		num = 1, den = 2;
		break;
	case RELAIS_RATE_RUNG_HALF_SLOW:
		num = 1, den = 2, fdiv = 2;
		break;
	default:
		break;
	}
	*out_width = MAX(2u, (guint)((guint64)width * num / den) & ~1u);
	*out_height = MAX(2u, (guint)((guint64)height * num / den) & ~1u);
	*out_fps = MAX(1u, fps / fdiv);
}

const char *relais_rate_state_name(RelaisRateState state)
{
	switch (state) {
	case RELAIS_RATE_INCREASE:
		return "increase";
	case RELAIS_RATE_HOLD:
		return "hold";
	case RELAIS_RATE_DECREASE:
		return "decrease";
	}
	return "?";
}

const char *relais_rate_rung_name(RelaisRateRung rung)
{
	static const char *const names[RELAIS_RATE_N_RUNGS] = {"full", "3/4 size", "1/2 size", "1/2 size, 1/2 fps"};
	return rung < RELAIS_RATE_N_RUNGS ? names[rung] : "?";
}

void relais_rate_init(RelaisRate *r, const RelaisRateConfig *cfg)
{
	g_return_if_fail(r != NULL && cfg != NULL);
	*r = (RelaisRate){.cfg = *cfg};
	r->cfg.min_kbps = MAX(1u, cfg->min_kbps);
	r->cfg.max_kbps = MAX(r->cfg.min_kbps, cfg->max_kbps);
	r->cfg.start_kbps = CLAMP(cfg->start_kbps, r->cfg.min_kbps, r->cfg.max_kbps);
	r->estimate_kbps = estimate_for_video(&r->cfg, r->cfg.start_kbps);
	r->video_kbps = r->cfg.start_kbps;
	r->state = RELAIS_RATE_HOLD;
	r->sent_kbps = -1;
	r->rtt_min_s = r->rtt_prev_s = r->jitter_min_s = r->jitter_prev_s = -1;
	r->rtt_cut_s = r->jitter_cut_s = -1;
	g_strlcpy(r->reason, "start", sizeof r->reason);
	/* The first picture is the one the budget affords. */
	while (r->rung < RELAIS_RATE_RUNG_HALF_SLOW &&
	       r->video_kbps < relais_rate_rung_floor(r->rung, r->cfg.width, r->cfg.height))
		r->rung++;
}

/* A delay measure against its floor: TRUE when it reads as a queue, that
 * is high and confirmed, by the report before (also high) or by loss (a
 * queue that overflows). One high sample alone is a hiccup: a busy
 * machine delays an RTCP packet by a hundred milliseconds now and then
 * (seen in the lab with nothing capped). *floor and *prev are updated. */
static gboolean delay_signal(double v, double *floor, double *prev, double *cut, double margin, double dt_s,
			     gboolean lossy)
{
	if (v <= 0)
		return FALSE;
	gboolean was_high = *prev > 0 && *floor >= 0 && *prev > *floor + margin;
	if (*floor < 0 || v < *floor)
		*floor = v;
	else
		*floor = MIN(v, *floor + FLOOR_DRIFT_S * dt_s);
	gboolean rising = *prev > 0 && v > *prev + 0.005;
	/* webrtcbin's round trip is smoothed: after the queue has drained
	 * it comes down over many seconds (seen in the lab: 250 ms read for
	 * 15 s with tc's queue empty). Falling is a draining queue. */
	gboolean falling = *prev > 0 && v < *prev - 0.002;
	*prev = v;
	/* Down to the floor's margin: the queue has drained. Below where it
	 * stood at the last decrease: draining, however slowly the smoothed
	 * value says it (a few ms a report: read as standing, it cut the
	 * rate every report down to the floor at a 300 kbit/s cap). */
	if (v <= *floor + margin)
		*cut = -1;
	gboolean draining = *cut > 0 && v < *cut;
	gboolean high = (v > *floor + margin && rising) || (v > *floor + 2 * margin && !falling && !draining);
	return high && (was_high || lossy);
}

static void update_rung(RelaisRate *r, gint64 now_us, gboolean *changed)
{
	guint w = r->cfg.width, h = r->cfg.height;
	gboolean down = FALSE;
	while (r->rung < RELAIS_RATE_RUNG_HALF_SLOW && r->video_kbps < relais_rate_rung_floor(r->rung, w, h)) {
		r->rung++;
		down = TRUE;
	}
	if (down) {
		r->rung_ok_since_us = 0;
		*changed = TRUE;
		return;
	}
	if (r->rung == RELAIS_RATE_RUNG_FULL ||
	    r->video_kbps < RUNG_UP_MARGIN * relais_rate_rung_floor(r->rung - 1, w, h)) {
		r->rung_ok_since_us = 0;
		return;
	}
	if (r->rung_ok_since_us == 0) {
		r->rung_ok_since_us = now_us;
	} else if (now_us - r->rung_ok_since_us >= RUNG_UP_US) {
		r->rung--;
		r->rung_ok_since_us = 0;
		*changed = TRUE;
		g_strlcpy(r->reason, "budget allows a larger picture", sizeof r->reason);
	}
}

gboolean relais_rate_update(RelaisRate *r, const RelaisRateReport *report, gint64 now_us)
{
	g_return_val_if_fail(r != NULL && report != NULL, FALSE);
	if (r->last_us == 0 || now_us <= r->last_us) {
		/* The first report (or a clock that did not move): a baseline. */
		r->last_us = now_us;
		r->prev_bytes = report->bytes_sent;
		r->prev_packets = report->packets_sent;
		r->prev_rtx = report->rtx_packets;
		return FALSE;
	}
	double dt = MIN((now_us - r->last_us) / (double)G_USEC_PER_SEC, MAX_DT_S);
	/* Counters that went backwards (a new stream, an ICE restart): no
	 * measure this time, a new baseline. */
	if (report->bytes_sent >= r->prev_bytes && report->packets_sent >= r->prev_packets && now_us > r->last_us) {
		double secs = (now_us - r->last_us) / (double)G_USEC_PER_SEC;
		double bytes = (double)(report->bytes_sent - r->prev_bytes) +
			       (double)(report->packets_sent - r->prev_packets) * RELAIS_RATE_PACKET_OVERHEAD;
		r->sent_kbps = bytes * 8 / secs / 1000;
	} else {
		r->sent_kbps = -1;
	}
	r->rtx_kbps = report->rtx_packets >= r->prev_rtx && now_us > r->last_us
			      ? (double)(report->rtx_packets - r->prev_rtx) * RTX_PACKET_BYTES * 8 /
					((now_us - r->last_us) / (double)G_USEC_PER_SEC) / 1000
			      : 0;
	r->prev_rtx = report->rtx_packets;
	r->last_us = now_us;
	r->prev_bytes = report->bytes_sent;
	r->prev_packets = report->packets_sent;

	/* The loss: judged over enough packets (RELAIS_RATE_LOSS_MIN_PACKETS,
	 * the reports add up until then); meanwhile what they say so far can
	 * hold the estimate, never lower it. */
	double loss = 0;
	gboolean judged = FALSE;
	if (report->fraction_lost >= 0 && report->loss_packets > 0) {
		if (r->loss_sent <= 0)
			r->loss_since_us = now_us;
		r->loss_lost += MIN(report->fraction_lost, 1.0) * report->loss_packets;
		r->loss_sent += report->loss_packets;
		loss = r->loss_lost / r->loss_sent;
		judged = r->loss_sent >= RELAIS_RATE_LOSS_MIN_PACKETS ||
			 now_us - r->loss_since_us >= RELAIS_RATE_LOSS_MAX_WAIT_S * G_USEC_PER_SEC;
	} else if (report->fraction_lost >= 0) {
		loss = MIN(report->fraction_lost, 1.0);
		judged = TRUE;
	} else if (r->loss_sent > 0) {
		loss = r->loss_lost / r->loss_sent;
	}
	double loss_packets = r->loss_sent;
	if (judged) {
		r->loss_lost = r->loss_sent = 0;
		/* resending what is lost, and a margin for what is lost again */
		r->rtx_share = MIN(RTX_PER_LOSS * loss, RELAIS_RTX_BUDGET_SHARE);
	}
	double rtt_floor_before = r->rtt_min_s;
	gboolean lossy = loss >= LOSS_LOW;
	gboolean rtt_up =
		delay_signal(report->rtt_s, &r->rtt_min_s, &r->rtt_prev_s, &r->rtt_cut_s, RTT_MARGIN_S, dt, lossy);
	gboolean jitter_up = delay_signal(report->jitter_s, &r->jitter_min_s, &r->jitter_prev_s, &r->jitter_cut_s,
					  JITTER_MARGIN_S, dt, lossy);
	double received = r->sent_kbps >= 0 ? r->sent_kbps * (1 - loss) : -1;
	double est = r->estimate_kbps;
	RelaisRateState state;
	char reason[sizeof r->reason];

	gboolean news = report->fraction_lost >= 0 || report->rtt_s > 0 || report->jitter_s >= 0;

	if (!news) {
		/* No receiver report since the last one: nothing to go on. */
		state = RELAIS_RATE_HOLD;
		g_strlcpy(reason, "no new receiver report", sizeof reason);
	} else if (loss > LOSS_HIGH && !judged && !rtt_up && !jitter_up) {
		state = RELAIS_RATE_HOLD;
		g_snprintf(reason, sizeof reason, "loss %.0f %% over %.0f packets, waiting for more", loss * 100,
			   loss_packets);
	} else if (loss > LOSS_HIGH || rtt_up || jitter_up) {
		/* A receiver report covers the second before it, and the
		 * encoder takes about that long to follow a new target: the
		 * loss read right after a decrease is still the old rate's.
		 * Acted on again only once the decrease can show. */
		gboolean recent = r->congested_us != 0 && now_us - r->congested_us < LOSS_HOLDOFF_US;
		gboolean acted = FALSE;
		double next = est;
		if (loss > LOSS_HIGH && judged && !recent) {
			/* From what is sent when the encoder is below its target,
			 * the estimate when above (it lags a change, keyframes),
			 * half the estimate at most (APP_LIMITED). Not clamped to
			 * what arrived: a burst (a keyframe through a short queue)
			 * inflates one report's loss, and one report must not
			 * collapse the rate. */
			double base = r->sent_kbps > 0 ? MAX(MIN(est, r->sent_kbps), APP_LIMITED * est) : est;
			next = base * (1 - 0.5 * loss);
			/* With the encoder using its budget, what arrived says
			 * more than libwebrtc's gentle rule (78 % lost at a 500
			 * kbit/s cap took it from 1260 to 730, and three more
			 * reports to get under the cap). Above LOSS_HEAVY, what
			 * arrived (half the gentle rule at least); below it,
			 * halfway between the two (geometric mean): a burst (a
			 * keyframe) inflates a report's loss by a few percent. */
			if (received > 0 && r->sent_kbps >= APP_LIMITED * est && received < next)
				next = loss > LOSS_HEAVY ? MAX(received, 0.5 * next) : sqrt(next * received);
			g_snprintf(reason, sizeof reason, "loss %.0f %%", loss * 100);
			acted = TRUE;
		}
		/* The same for a queue: it drains only once the encoder has
		 * followed (244 ms read 2 s after a decrease at a 500 kbit/s
		 * cap took the target on down to the floor). */
		if ((rtt_up || jitter_up) && !recent) {
			next = MIN(next, DELAY_BETA * (received > 0 ? MIN(received, est) : est));
			if (acted)
				; /* the loss says it already */
			else if (rtt_up)
				g_snprintf(reason, sizeof reason, "rtt rising (%.0f ms, floor %.0f)",
					   report->rtt_s * 1000, MAX(rtt_floor_before, 0) * 1000);
			else
				g_snprintf(reason, sizeof reason, "jitter rising (%.0f ms)", report->jitter_s * 1000);
			acted = TRUE;
		}
		if (acted) {
			state = RELAIS_RATE_DECREASE;
			est = next;
			/* Where congestion was met, for a careful way back up:
			 * what the path let through (a capacity), or the new
			 * estimate if that is higher (a report whose loss was
			 * inflated by a burst says too little arrived). */
			r->congested_kbps = MAX(next, received);
			r->congested_us = now_us;
			if (r->rtt_prev_s > 0)
				r->rtt_cut_s = r->rtt_prev_s;
			if (r->jitter_prev_s > 0)
				r->jitter_cut_s = r->jitter_prev_s;
		} else if (loss > LOSS_HIGH) {
			state = RELAIS_RATE_HOLD;
			g_snprintf(reason, sizeof reason, "loss %.0f %%, the last decrease not shown yet", loss * 100);
		} else {
			state = RELAIS_RATE_HOLD;
			g_snprintf(reason, sizeof reason, "%s %.0f ms, the last decrease not shown yet",
				   rtt_up ? "rtt" : "jitter", (rtt_up ? report->rtt_s : report->jitter_s) * 1000);
		}
	} else if (loss >= LOSS_LOW) {
		state = RELAIS_RATE_HOLD;
		g_snprintf(reason, sizeof reason, "loss %.0f %%, holding", loss * 100);
	} else if (r->state == RELAIS_RATE_DECREASE) {
		/* One quiet report first: the queue drains. */
		state = RELAIS_RATE_HOLD;
		g_strlcpy(reason, "settling after a decrease", sizeof reason);
	} else {
		state = RELAIS_RATE_INCREASE;
		gboolean near = r->congested_kbps > 0 && est < NEAR_BAND * r->congested_kbps &&
				est > NEAR_BELOW * r->congested_kbps;
		/* Well above the last congestion and clean for a while:
		 * faster, as libwebrtc's probes find a freed path (we send no
		 * padding). Just above it, a standing cap is likely still
		 * there: 16 % a second outran the reports at 300 kbit/s. */
		gboolean fast = r->clean_reports >= CLEAN_FOR_FREE ||
				(r->clean_reports >= CLEAN_FOR_FAST &&
				 (r->congested_kbps <= 0 || est > FAST_ABOVE * r->congested_kbps));
		double next = est * pow(near ? GROWTH_NEAR : fast ? GROWTH_FAST : GROWTH_FAR, dt);
		/* No further than the encoder follows: an estimate far above
		 * what is sent has never been tried on the path. */
		if (r->sent_kbps > 0)
			next = MIN(next, MAX(est, 1.5 * r->sent_kbps + 50));
		est = next;
		g_strlcpy(reason,
			  near	 ? "probe up, near the last congestion"
			  : fast ? "probe up, path clean"
				 : "probe up",
			  sizeof reason);
	}

	r->clean_reports = state == RELAIS_RATE_INCREASE ? r->clean_reports + 1 : 0;
	double lo = estimate_for_video(&r->cfg, r->cfg.min_kbps);
	double hi = estimate_for_video(&r->cfg, r->cfg.max_kbps);
	r->estimate_kbps = CLAMP(est, lo, hi);
	r->state = state;

	guint video = video_budget(&r->cfg, r->estimate_kbps, r->rtx_share);
	/* A few percent either way (the retransmissions' room following 5 %
	 * random loss report by report) is not worth a change and a line in
	 * the log; a decrease, the bounds and larger steps are. */
	gboolean small = state != RELAIS_RATE_DECREASE && video != r->cfg.min_kbps && video != r->cfg.max_kbps &&
			 fabs((double)video - r->video_kbps) < SMALL_CHANGE * r->video_kbps;
	gboolean changed = !small && video != r->video_kbps;
	if (!small)
		r->video_kbps = video;
	g_strlcpy(r->reason, reason, sizeof r->reason);
	update_rung(r, now_us, &changed);
	return changed;
}

gboolean relais_rtx_gate_allow(RelaisRtxGate *g, guint32 ssrc, guint16 seq, double rtx_kbps, double rtt_s,
			       gint64 now_us)
{
	g_return_val_if_fail(g != NULL, FALSE);
	/* once per round trip: an earlier copy may still be on its way */
	gint64 min_us = MAX((gint64)RELAIS_RTX_MIN_INTERVAL_MS * 1000, rtt_s > 0 ? (gint64)(rtt_s * 1.2e6) : 0);
	guint slot = seq % RELAIS_RTX_SLOTS;
	if (g->sent[slot].at_us != 0 && g->sent[slot].ssrc == ssrc && g->sent[slot].seq == seq &&
	    now_us - g->sent[slot].at_us < min_us) {
		g->refused_repeat++;
		return FALSE;
	}
	/* the budget, in packets of ~1 100 bytes */
	double pps = MAX((double)RELAIS_RTX_MIN_PPS, rtx_kbps * 1000.0 / 8.0 / 1100.0);
	if (g->refill_us == 0) {
		g->tokens = pps;
	} else if (now_us > g->refill_us) {
		g->tokens = MIN(pps, g->tokens + pps * (now_us - g->refill_us) / 1e6);
	}
	g->refill_us = MAX(g->refill_us, now_us);
	if (g->tokens < 1.0) {
		g->refused_budget++;
		return FALSE;
	}
	g->tokens -= 1.0;
	g->sent[slot].ssrc = ssrc;
	g->sent[slot].seq = seq;
	g->sent[slot].at_us = now_us;
	g->allowed++;
	return TRUE;
}
