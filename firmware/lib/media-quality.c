/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "relais-media"

#include "media-quality.h"

#define QUALITY_NO_MEDIA_US	 (2 * G_USEC_PER_SEC)
#define QUALITY_STATS_MAX_AGE_US (3 * RELAIS_QUALITY_PERIOD_S * G_USEC_PER_SEC)
#define QUALITY_GOOD_LOSS	 0.02
#define QUALITY_GOOD_RTT_S	 0.300
#define QUALITY_FAIR_LOSS	 0.08
#define QUALITY_FAIR_RTT_S	 0.600

int relais_quality_bars_for(double loss, double rtt_s)
{
	if (loss < QUALITY_GOOD_LOSS && rtt_s < QUALITY_GOOD_RTT_S)
		return 3;
	if (loss < QUALITY_FAIR_LOSS && rtt_s < QUALITY_FAIR_RTT_S)
		return 2;
	return 1;
}

double relais_quality_add_report(RelaisQuality *q, const RelaisQualityReport *r, gint64 now_us)
{
	g_return_val_if_fail(q != NULL && r != NULL, -1.0);
	double loss = r->fraction_lost;
	/* Counters going backwards (a stream gone) give no interval. */
	if (r->packets_received >= q->prev_packets_received && r->packets_lost >= q->prev_packets_lost) {
		guint64 rx = r->packets_received - q->prev_packets_received;
		guint64 lost = r->packets_lost - q->prev_packets_lost;
		if (rx + lost > 0)
			loss = MAX(loss, (double)lost / (double)(rx + lost));
	}
	q->prev_packets_received = r->packets_received;
	q->prev_packets_lost = r->packets_lost;
	if (loss >= 0 || r->rtt_s >= 0) {
		q->report_bars = relais_quality_bars_for(MAX(loss, 0.0), MAX(r->rtt_s, 0.0));
		q->report_us = now_us;
	}
	return loss;
}

int relais_quality_bars(const RelaisQuality *q, gboolean connected, gint64 last_media_us, gint64 now_us)
{
	g_return_val_if_fail(q != NULL, 0);
	if (!connected)
		return 0;
	/* Video or audio: an adviser who turned the camera off still talks,
	 * and a browser may stop sending frames for it. */
	if (now_us - last_media_us > QUALITY_NO_MEDIA_US)
		return 1;
	if (q->report_bars > 0 && now_us - q->report_us < QUALITY_STATS_MAX_AGE_US)
		return q->report_bars;
	return 3;
}

int relais_fec_loss_update(RelaisFecLoss *f, double fraction_lost)
{
	static const int levels[] = {20, 10, 5, 1};
	g_return_val_if_fail(f != NULL, 0);
	if (!(fraction_lost >= 0)) /* none, or NaN */
		return f->pct;
	f->smoothed += 0.3 * (MIN(fraction_lost, 1.0) - f->smoothed);
	double pct = f->smoothed * 100.0;
	int level = 0;
	for (guint i = 0; i < G_N_ELEMENTS(levels) && level == 0; i++) {
		if (pct >= (f->pct >= levels[i] ? 0.3 : 0.6) * levels[i])
			level = levels[i];
	}
	f->pct = level;
	return level;
}

guint relais_recv_delay_update(RelaisRecvDelay *d, guint64 received, guint64 lost, double rtt_s, gint64 now_us)
{
	g_return_val_if_fail(d != NULL, 0);
	/* the first report only sets the counters: the connection's first
	 * seconds (streams starting, Chromium's probing) are not the network's
	 * loss; counters that go backwards (a new stream, a new connection)
	 * start a new interval */
	if (!d->started) {
		d->started = TRUE;
		d->prev_received = received;
		d->prev_lost = lost;
		return d->latency_ms;
	}
	guint64 got = received >= d->prev_received ? received - d->prev_received : 0;
	guint64 gone = lost >= d->prev_lost ? lost - d->prev_lost : 0;
	d->prev_received = received;
	d->prev_lost = lost;
	double share = got + gone > 0 ? (double)gone / (double)(got + gone) : 0;
	if (gone >= 2 && share >= 0.005) {
		d->last_loss_us = now_us;
		d->last_loss = share;
		double rtt_ms = rtt_s > 0 ? rtt_s * 1000.0 : 0;
		guint lossy = (guint)MIN(RELAIS_RECV_DELAY_LOSSY_MS + 1.5 * rtt_ms, (double)RELAIS_RECV_DELAY_MAX_MS);
		/* raised, never lowered while the loss goes on */
		d->latency_ms = MAX(d->latency_ms, MAX(d->base_ms, lossy));
	} else if (d->last_loss_us != 0 && now_us - d->last_loss_us >= RELAIS_RECV_DELAY_HOLD_S * G_USEC_PER_SEC) {
		d->latency_ms = d->base_ms;
		d->last_loss_us = 0;
	}
	return d->latency_ms;
}
