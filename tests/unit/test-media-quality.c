/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * media-quality: the bars the booth shows for the call's connection, from
 * statistics reports and arrival times given with a fixed clock: the
 * thresholds, the loss of an interval from cumulative counters (and counters
 * that go backwards), the far end's fraction lost, stale reports, no media,
 * not connected; and the Opus FEC level taken from the far end's reports.
 */
#define G_LOG_DOMAIN "test-media-quality"

#include <math.h>
#include <glib.h>

#include "media-quality.h"

#define S (G_USEC_PER_SEC)
/* An arbitrary monotonic "now" far from zero. */
#define T0 ((gint64)1000 * S)

static RelaisQualityReport report(guint64 received, guint64 lost, double fraction_lost, double rtt_s)
{
	return (RelaisQualityReport){
		.packets_received = received, .packets_lost = lost, .fraction_lost = fraction_lost, .rtt_s = rtt_s};
}

static void test_thresholds(void)
{
	g_assert_cmpint(relais_quality_bars_for(0.0, 0.0), ==, 3);
	g_assert_cmpint(relais_quality_bars_for(0.019, 0.299), ==, 3);
	g_assert_cmpint(relais_quality_bars_for(0.02, 0.0), ==, 2);
	g_assert_cmpint(relais_quality_bars_for(0.0, 0.300), ==, 2);
	g_assert_cmpint(relais_quality_bars_for(0.079, 0.599), ==, 2);
	g_assert_cmpint(relais_quality_bars_for(0.08, 0.0), ==, 1);
	g_assert_cmpint(relais_quality_bars_for(0.0, 0.600), ==, 1);
	g_assert_cmpint(relais_quality_bars_for(1.0, 5.0), ==, 1);
}

static void test_not_connected(void)
{
	RelaisQuality q = {0};
	RelaisQualityReport r = report(100, 0, 0.0, 0.010);
	relais_quality_add_report(&q, &r, T0);
	g_assert_cmpint(relais_quality_bars(&q, FALSE, T0, T0), ==, 0);
}

static void test_before_any_report(void)
{
	RelaisQuality q = {0};
	/* Media arrives: full bars until statistics say otherwise. */
	g_assert_cmpint(relais_quality_bars(&q, TRUE, T0, T0 + S), ==, 3);
	/* Nothing for more than 2 s: one bar. */
	g_assert_cmpint(relais_quality_bars(&q, TRUE, T0, T0 + 2 * S), ==, 3);
	g_assert_cmpint(relais_quality_bars(&q, TRUE, T0, T0 + 2 * S + 1), ==, 1);
}

static void test_interval_loss(void)
{
	RelaisQuality q = {0};
	/* First report: 1000 received, 10 lost since the start: 1 %. */
	RelaisQualityReport r = report(1000, 10, -1.0, -1.0);
	g_assert_cmpfloat_with_epsilon(relais_quality_add_report(&q, &r, T0), 10.0 / 1010.0, 1e-9);
	g_assert_cmpint(relais_quality_bars(&q, TRUE, T0, T0), ==, 3);
	/* Next interval: 100 received, 5 lost: ~4.8 %, whatever came before. */
	r = report(1100, 15, -1.0, -1.0);
	g_assert_cmpfloat_with_epsilon(relais_quality_add_report(&q, &r, T0 + 2 * S), 5.0 / 105.0, 1e-9);
	g_assert_cmpint(relais_quality_bars(&q, TRUE, T0 + 2 * S, T0 + 2 * S), ==, 2);
	/* Then 100 received, 10 lost: ~9 %. */
	r = report(1200, 25, -1.0, -1.0);
	relais_quality_add_report(&q, &r, T0 + 4 * S);
	g_assert_cmpint(relais_quality_bars(&q, TRUE, T0 + 4 * S, T0 + 4 * S), ==, 1);
	/* A clean interval brings the bars back. */
	r = report(1300, 25, -1.0, -1.0);
	g_assert_cmpfloat_with_epsilon(relais_quality_add_report(&q, &r, T0 + 6 * S), 0.0, 1e-9);
	g_assert_cmpint(relais_quality_bars(&q, TRUE, T0 + 6 * S, T0 + 6 * S), ==, 3);
}

static void test_counters_backwards(void)
{
	RelaisQuality q = {0};
	RelaisQualityReport r = report(1000, 100, -1.0, -1.0);
	relais_quality_add_report(&q, &r, T0);
	g_assert_cmpint(relais_quality_bars(&q, TRUE, T0, T0), ==, 1);
	/* A stream went away: no interval to compare, and no other number:
	 * the last bars stand. */
	r = report(10, 0, -1.0, -1.0);
	g_assert_cmpfloat(relais_quality_add_report(&q, &r, T0 + 2 * S), <, 0.0);
	g_assert_cmpint(relais_quality_bars(&q, TRUE, T0 + 2 * S, T0 + 2 * S), ==, 1);
	/* The next interval counts from the new values. */
	r = report(110, 0, -1.0, -1.0);
	relais_quality_add_report(&q, &r, T0 + 4 * S);
	g_assert_cmpint(relais_quality_bars(&q, TRUE, T0 + 4 * S, T0 + 4 * S), ==, 3);
}

static void test_remote_and_rtt(void)
{
	RelaisQuality q = {0};
	/* The far end reports 5 % lost: worse than our clean inbound. */
	RelaisQualityReport r = report(1000, 0, 0.05, 0.050);
	g_assert_cmpfloat_with_epsilon(relais_quality_add_report(&q, &r, T0), 0.05, 1e-9);
	g_assert_cmpint(relais_quality_bars(&q, TRUE, T0, T0), ==, 2);
	/* Round trip alone decides. */
	r = report(1100, 0, 0.0, 0.700);
	relais_quality_add_report(&q, &r, T0 + 2 * S);
	g_assert_cmpint(relais_quality_bars(&q, TRUE, T0 + 2 * S, T0 + 2 * S), ==, 1);
	r = report(1200, 0, -1.0, 0.350);
	relais_quality_add_report(&q, &r, T0 + 4 * S);
	g_assert_cmpint(relais_quality_bars(&q, TRUE, T0 + 4 * S, T0 + 4 * S), ==, 2);
}

static void test_stale_report(void)
{
	RelaisQuality q = {0};
	RelaisQualityReport r = report(0, 0, 0.5, 0.0);
	relais_quality_add_report(&q, &r, T0);
	g_assert_cmpint(relais_quality_bars(&q, TRUE, T0 + 5 * S, T0 + 5 * S), ==, 1);
	/* Three periods (6 s) without a report: media arrives, full bars. */
	g_assert_cmpint(relais_quality_bars(&q, TRUE, T0 + 6 * S, T0 + 6 * S), ==, 3);
	/* No media beats any report. */
	g_assert_cmpint(relais_quality_bars(&q, TRUE, T0, T0 + 3 * S), ==, 1);
}

/* Opus FEC's packet-loss-percentage: up with sustained loss, held through
 * the noisy reports of 5 % random loss, down when the loss ends. */
static void test_fec_loss(void)
{
	RelaisFecLoss f = {0};
	g_assert_cmpint(relais_fec_loss_update(&f, -1.0), ==, 0);
	g_assert_cmpint(relais_fec_loss_update(&f, 0.0), ==, 0);
	/* 1 % reported: 1 once the smoothed loss is 0.6 % (the third report) */
	g_assert_cmpint(relais_fec_loss_update(&f, 0.01), ==, 0);
	g_assert_cmpint(relais_fec_loss_update(&f, 0.01), ==, 0);
	g_assert_cmpint(relais_fec_loss_update(&f, 0.01), ==, 1);
	/* the reports measured under 5 % random loss (webrtcbin, one stream at
	 * a time, smoothed 1.8..3.9 %): 1 at once, 5 from the fifth (10 s),
	 * and held there */
	const double at5[] = {0.059, 0.023, 0.0, 0.062, 0.035, 0.031, 0.0, 0.043, 0.051, 0.020,
			      0.059, 0.023, 0.0, 0.062, 0.035, 0.031, 0.0, 0.043, 0.051, 0.020};
	f = (RelaisFecLoss){0};
	for (guint i = 0; i < G_N_ELEMENTS(at5); i++) {
		int pct = relais_fec_loss_update(&f, at5[i]);
		g_assert_cmpint(pct, ==, i < 4 ? 1 : 5);
	}
	/* none while there are no reports, nor for a NaN */
	g_assert_cmpint(relais_fec_loss_update(&f, -1.0), ==, 5);
	g_assert_cmpint(relais_fec_loss_update(&f, NAN), ==, 5);
	/* heavy loss: 10 then 20 */
	g_assert_cmpint(relais_fec_loss_update(&f, 0.3), ==, 10);
	g_assert_cmpint(relais_fec_loss_update(&f, 0.3), ==, 20);
	/* a report above 1 (hostile or broken) counts as 1 */
	f = (RelaisFecLoss){0};
	g_assert_cmpint(relais_fec_loss_update(&f, 7.0), ==, 20);
	g_assert_cmpfloat(f.smoothed, <=, 0.3);
	/* the loss ends: back to 0 within a few reports */
	int pct = 20;
	guint n = 0;
	while (pct > 0 && n < 30) {
		pct = relais_fec_loss_update(&f, 0.0);
		n++;
	}
	g_assert_cmpint(pct, ==, 0);
	g_assert_cmpuint(n, <=, 20);
}

/* The receive delay: raised by an interval with loss (and by the round
 * trip), held while loss goes on, back to the configured value after the
 * hold without loss; a single lost packet or a counter reset does not. */
static void test_recv_delay(void)
{
	const gint64 s = G_USEC_PER_SEC;
	RelaisRecvDelay d = {.base_ms = 20, .latency_ms = 20};
	/* the first report is a starting point, whatever it says */
	g_assert_cmpuint(relais_recv_delay_update(&d, 500, 40, -1, 1 * s), ==, 20);
	g_assert_cmpuint(relais_recv_delay_update(&d, 1000, 40, -1, 2 * s), ==, 20);
	/* one packet lost in 1000: noise */
	g_assert_cmpuint(relais_recv_delay_update(&d, 2000, 1, -1, 4 * s), ==, 20);
	/* 2 of 1000: under 0.5 %, but 5 of 1000 is at it */
	g_assert_cmpuint(relais_recv_delay_update(&d, 2998, 3, 0.0, 6 * s), ==, 20);
	g_assert_cmpuint(relais_recv_delay_update(&d, 3993, 8, 0.0, 8 * s), ==, RELAIS_RECV_DELAY_LOSSY_MS);
	g_assert_cmpfloat_with_epsilon(d.last_loss, 0.005, 1e-9);
	/* a longer round trip raises it further; a shorter one does not lower it */
	g_assert_cmpuint(relais_recv_delay_update(&d, 4943, 58, 0.040, 10 * s), ==, RELAIS_RECV_DELAY_LOSSY_MS + 60);
	g_assert_cmpuint(relais_recv_delay_update(&d, 5893, 108, 0.0, 12 * s), ==, RELAIS_RECV_DELAY_LOSSY_MS + 60);
	/* capped */
	g_assert_cmpuint(relais_recv_delay_update(&d, 6843, 158, 2.0, 14 * s), ==, RELAIS_RECV_DELAY_MAX_MS);
	/* quiet: held for RELAIS_RECV_DELAY_HOLD_S after the last loss, then back */
	g_assert_cmpuint(relais_recv_delay_update(&d, 7843, 158, -1, 20 * s), ==, RELAIS_RECV_DELAY_MAX_MS);
	g_assert_cmpuint(relais_recv_delay_update(&d, 8843, 158, -1, 23 * s), ==, RELAIS_RECV_DELAY_MAX_MS);
	g_assert_cmpuint(relais_recv_delay_update(&d, 9843, 158, -1, 24 * s), ==, 20);
	/* counters that went backwards (a new connection): no interval */
	g_assert_cmpuint(relais_recv_delay_update(&d, 10, 5, -1, 26 * s), ==, 20);
	g_assert_cmpuint(relais_recv_delay_update(&d, 1010, 5, -1, 28 * s), ==, 20);
	/* a configured latency above the lossy one is never lowered */
	RelaisRecvDelay big = {.base_ms = 200, .latency_ms = 200};
	relais_recv_delay_update(&big, 0, 0, -1, 1 * s);
	relais_recv_delay_update(&big, 1000, 0, -1, 2 * s);
	g_assert_cmpuint(relais_recv_delay_update(&big, 1900, 100, 0, 4 * s), ==, 200);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/media-quality/thresholds", test_thresholds);
	g_test_add_func("/media-quality/not-connected", test_not_connected);
	g_test_add_func("/media-quality/before-any-report", test_before_any_report);
	g_test_add_func("/media-quality/interval-loss", test_interval_loss);
	g_test_add_func("/media-quality/counters-backwards", test_counters_backwards);
	g_test_add_func("/media-quality/remote-and-rtt", test_remote_and_rtt);
	g_test_add_func("/media-quality/stale-report", test_stale_report);
	g_test_add_func("/media-quality/fec-loss", test_fec_loss);
	g_test_add_func("/media-quality/recv-delay", test_recv_delay);
	return g_test_run();
}
