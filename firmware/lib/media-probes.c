/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "relais-media"

#include "media-probes.h"
#include "media-ratectl.h"
#include "media-pipeline.h"
#include "media-private.h"

#include <gst/video/video.h>

typedef struct {
	RelaisMedia *media;
	RelaisMediaCounter counter;
} ProbeData;

static void probe_data_free(gpointer data)
{
	ProbeData *pd = data;
	relais_media_unref(pd->media);
	g_free(pd);
}

/* Adds n to *counter, noting the time of the first in *first_us. */
static void count(guint64 *counter, gint64 *first_us, guint n, gint64 now)
{
	if (first_us != NULL && *counter == 0)
		*first_us = now;
	*counter += n;
}

static GstPadProbeReturn count_probe(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	ProbeData *pd = data;
	RelaisMedia *m = pd->media;
	RelaisMediaStats *s = &m->stats;

	if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
		GstCaps *caps = relais_media_probe_caps(info);
		gboolean screen = pd->counter == RELAIS_MEDIA_COUNT_SCREEN_RECEIVED;
		if (caps != NULL && pd->counter == RELAIS_MEDIA_COUNT_VIDEO_SENT) {
			/* the encoder's caps: what is sent, whatever the camera gives */
			const GstStructure *st = gst_caps_get_structure(caps, 0);
			gint w = 0, h = 0, num = 0, den = 1;
			gst_structure_get_int(st, "width", &w);
			gst_structure_get_int(st, "height", &h);
			gst_structure_get_fraction(st, "framerate", &num, &den);
			g_mutex_lock(&m->lock);
			s->video_sent_width = (guint)MAX(w, 0);
			s->video_sent_height = (guint)MAX(h, 0);
			s->video_sent_caps_fps = den > 0 ? (double)num / den : 0;
			g_mutex_unlock(&m->lock);
		} else if (caps != NULL && (pd->counter == RELAIS_MEDIA_COUNT_VIDEO_RECEIVED || screen)) {
			GstVideoInfo vi;
			if (gst_video_info_from_caps(&vi, caps)) {
				g_mutex_lock(&m->lock);
				*(screen ? &s->screen_width : &s->video_width) = GST_VIDEO_INFO_WIDTH(&vi);
				*(screen ? &s->screen_height : &s->video_height) = GST_VIDEO_INFO_HEIGHT(&vi);
				g_mutex_unlock(&m->lock);
			}
		}
		return GST_PAD_PROBE_OK;
	}

	guint n = 1;
	gsize bytes = 0;
	if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
		GstBufferList *list = GST_PAD_PROBE_INFO_BUFFER_LIST(info);
		n = gst_buffer_list_length(list);
		bytes = gst_buffer_list_calculate_size(list);
	} else if (GST_PAD_PROBE_INFO_BUFFER(info) != NULL) {
		bytes = gst_buffer_get_size(GST_PAD_PROBE_INFO_BUFFER(info));
	}
	gint64 now = g_get_monotonic_time();
	g_mutex_lock(&m->lock);
	switch (pd->counter) {
	case RELAIS_MEDIA_COUNT_VIDEO_SENT:
		count(&s->video_frames_sent, &s->first_video_sent_us, n, now);
		s->video_bytes_sent += bytes;
		break;
	case RELAIS_MEDIA_COUNT_AUDIO_SENT:
		count(&s->audio_buffers_sent, NULL, n, now);
		break;
	case RELAIS_MEDIA_COUNT_VIDEO_RECEIVED:
		count(&s->video_frames_received, &s->first_video_received_us, n, now);
		m->last_video_received_us = now;
		break;
	case RELAIS_MEDIA_COUNT_AUDIO_RECEIVED:
		count(&s->audio_buffers_received, &s->first_audio_received_us, n, now);
		m->last_audio_received_us = now;
		break;
	case RELAIS_MEDIA_COUNT_SCREEN_RECEIVED:
		count(&s->screen_frames_received, &s->first_screen_received_us, n, now);
		/* media from the far end for the quality bars too (an adviser
		 * without camera or microphone who shares a screen) */
		m->last_video_received_us = now;
		break;
	}
	g_mutex_unlock(&m->lock);
	return GST_PAD_PROBE_OK;
}

void relais_media_add_count_probe(RelaisMedia *m, GstPad *pad, RelaisMediaCounter counter)
{
	ProbeData *pd = g_new0(ProbeData, 1);
	pd->media = relais_media_ref(m);
	pd->counter = counter;
	GstPadProbeType mask = GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST;
	if (counter == RELAIS_MEDIA_COUNT_VIDEO_RECEIVED || counter == RELAIS_MEDIA_COUNT_SCREEN_RECEIVED ||
	    counter == RELAIS_MEDIA_COUNT_VIDEO_SENT)
		mask |= GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM;
	gst_pad_add_probe(pad, mask, count_probe, pd, probe_data_free);
}

/* --- webrtcbin statistics, for the quality bars ------------------------ */

static gboolean stat_number(const GstStructure *s, const char *field, double *out)
{
	const GValue *v = gst_structure_get_value(s, field);
	if (v == NULL)
		return FALSE;
	GValue d = G_VALUE_INIT;
	g_value_init(&d, G_TYPE_DOUBLE);
	gboolean ok = g_value_transform(v, &d);
	if (ok)
		*out = g_value_get_double(&d);
	g_value_unset(&d);
	return ok;
}

/* One pass over a statistics reply: the quality's numbers and the sending
 * rate's (media-rate.h). */
typedef struct {
	RelaisMedia *m; /* its lock held */
	RelaisQualityReport q;
	RelaisRateReport r;
	/* the new reports' loss: weighted by the packets each stream sent
	 * since its report before (known), or the worst (unknown weights) */
	double lost, sent, worst;
} StatScan;

static guint64 ssrc_sent(RelaisMedia *m, guint ssrc)
{
	for (guint i = 0; i < G_N_ELEMENTS(m->rate_ssrc); i++)
		if (m->rate_ssrc[i].ssrc == ssrc && m->rate_ssrc[i].packets > 0)
			return m->rate_ssrc[i].packets;
	return 0;
}

/* Whether this remote-inbound report is new since the last reply (a
 * repeated one has the same round trip and cumulative loss); *packets:
 * what its stream sent since its report before (0: unknown). */
static gboolean fresh_report(RelaisMedia *m, const GstStructure *s, double rtt, guint64 *packets)
{
	guint ssrc = 0;
	gint64 lost = 0;
	double v;
	*packets = 0;
	if (!gst_structure_get_uint(s, "ssrc", &ssrc))
		return TRUE;
	if (stat_number(s, "packets-lost", &v))
		lost = (gint64)v;
	guint64 sent = ssrc_sent(m, ssrc);
	for (guint i = 0; i < G_N_ELEMENTS(m->rate_rr); i++) {
		if (m->rate_rr[i].ssrc == ssrc && ssrc != 0) {
			gboolean fresh = m->rate_rr[i].rtt != rtt || m->rate_rr[i].lost != lost;
			if (!fresh)
				return FALSE;
			m->rate_rr[i].rtt = rtt;
			m->rate_rr[i].lost = lost;
			if (sent > m->rate_rr[i].sent && m->rate_rr[i].sent > 0)
				*packets = sent - m->rate_rr[i].sent;
			m->rate_rr[i].sent = sent;
			return TRUE;
		}
	}
	guint i = m->rate_rr_next++ % G_N_ELEMENTS(m->rate_rr);
	m->rate_rr[i].ssrc = ssrc;
	m->rate_rr[i].rtt = rtt;
	m->rate_rr[i].lost = lost;
	m->rate_rr[i].sent = sent;
	return TRUE;
}

static gboolean scan_stat(GQuark field, const GValue *value, gpointer data)
{
	StatScan *all = data;
	RelaisQualityReport *scan = &all->q;
	if (!GST_VALUE_HOLDS_STRUCTURE(value))
		return TRUE;
	const GstStructure *s = gst_value_get_structure(value);
	GstWebRTCStatsType type = 0;
	if (!gst_structure_get(s, "type", GST_TYPE_WEBRTC_STATS_TYPE, &type, NULL))
		return TRUE;
	double v;
	switch (type) {
	case GST_WEBRTC_STATS_INBOUND_RTP:
		if (stat_number(s, "packets-received", &v) && v > 0)
			scan->packets_received += (guint64)v;
		if (stat_number(s, "packets-lost", &v) && v > 0) /* < 0 with duplicates */
			scan->packets_lost += (guint64)v;
		break;
	case GST_WEBRTC_STATS_REMOTE_INBOUND_RTP:
		if (stat_number(s, "fraction-lost", &v) && v >= 0)
			scan->fraction_lost = MAX(scan->fraction_lost, v);
		/* 0 until an RTCP report carries a round trip (LSR/DLSR). */
		if (stat_number(s, "round-trip-time", &v) && v > 0)
			scan->rtt_s = MAX(scan->rtt_s, v);
		else
			v = 0;
		/* The rate controller sees each report once. */
		guint64 packets = 0;
		if (fresh_report(all->m, s, v, &packets)) {
			all->r.rtt_s = MAX(all->r.rtt_s, v);
			if (stat_number(s, "fraction-lost", &v) && v >= 0) {
				all->worst = MAX(all->worst, v);
				all->lost += v * (double)packets;
				all->sent += (double)packets;
			}
			/* the far end's interarrival jitter, in seconds */
			if (stat_number(s, "jitter", &v) && v >= 0)
				all->r.jitter_s = MAX(all->r.jitter_s, v);
		}
		break;
	default:
		break;
	}
	return TRUE;
}

/* On webrtcbin's thread. */
static void on_stats(GstPromise *promise, gpointer data)
{
	RelaisMedia *m = data;
	if (gst_promise_wait(promise) != GST_PROMISE_RESULT_REPLIED)
		return;
	const GstStructure *reply = gst_promise_get_reply(promise);
	if (reply == NULL)
		return;
	StatScan all = {.m = m,
			.q = {.fraction_lost = -1.0, .rtt_s = -1.0},
			.r = {.fraction_lost = -1.0, .rtt_s = -1.0, .jitter_s = -1.0}};
	/* what the jitter buffers saw missing, before any retransmission made
	 * up for it: webrtcbin's inbound packets-lost leaves out what came
	 * back, and the delay must stay up while retransmissions are needed */
	guint64 pushed = 0, missed = 0;
	relais_media_jitter_counts(m, &pushed, &missed);
	gint64 now = g_get_monotonic_time();
	g_mutex_lock(&m->lock);
	all.worst = -1.0;
	gst_structure_foreach(reply, scan_stat, &all);
	/* A stream's loss counts for the packets it sent: Chromium's video
	 * report covers 30-130 packets a second, and one lost in 30 already
	 * reads 3 % (media-rate.h, RELAIS_RATE_LOSS_MIN_PACKETS). Without
	 * the counts (no rtprtxsend, a stream's first report), the worst. */
	if (all.sent > 0) {
		all.r.fraction_lost = all.lost / all.sent;
		all.r.loss_packets = all.sent;
		g_debug("sending rate: far end's loss %.3f over %.0f packets (worst stream %.3f)", all.r.fraction_lost,
			all.sent, all.worst);
	} else {
		all.r.fraction_lost = all.worst;
	}
	const RelaisQualityReport scan = all.q;
	double loss = relais_quality_add_report(&m->quality, &scan, now);
	guint was = m->recv_delay.latency_ms;
	guint latency = relais_recv_delay_update(&m->recv_delay, pushed, missed, scan.rtt_s, now);
	double lost_share = m->recv_delay.last_loss;
	g_mutex_unlock(&m->lock);
	relais_media_ratectl_report(m, &all.r, now);
	g_debug("quality: loss %.3f rtt %.3f s", loss, scan.rtt_s);
	relais_media_set_audio_loss(m, scan.fraction_lost);
	if (latency != was)
		g_info("receive delay: %u -> %u ms (%s)", was, latency,
		       latency > was ? (lost_share >= 0.1 ? "loss >= 10 %" : "packets lost") : "no loss for a while");
	/* each time: a jitter buffer made since (a new stream) starts with the
	 * configured latency */
	if (latency != m->recv_delay.base_ms || latency != was)
		relais_media_apply_receive_latency(m);
	GST_LOG("%s: %" G_GUINT64_FORMAT " packets received, %" G_GUINT64_FORMAT " lost", m->board,
		scan.packets_received, scan.packets_lost);
}

static gboolean poll_quality(gpointer data)
{
	RelaisMedia *m = data;
	g_mutex_lock(&m->lock);
	gboolean closed = m->closed;
	gboolean connected = m->state == RELAIS_MEDIA_STATE_CONNECTED;
	g_mutex_unlock(&m->lock);
	if (closed)
		return G_SOURCE_REMOVE;
	GstElement *webrtc = connected ? relais_media_ref_webrtc(m) : NULL;
	if (webrtc != NULL) {
		/* Answered on webrtcbin's thread: the main loop never waits. */
		GstPromise *p = gst_promise_new_with_change_func(on_stats, relais_media_ref(m), relais_media_unref);
		g_signal_emit_by_name(webrtc, "get-stats", NULL, p);
		gst_promise_unref(p);
		gst_object_unref(webrtc);
	}
	return G_SOURCE_CONTINUE;
}

GSource *relais_media_quality_poll_new(RelaisMedia *m)
{
	GSource *source = g_timeout_source_new_seconds(RELAIS_QUALITY_PERIOD_S);
	g_source_set_name(source, "relais-media quality");
	g_source_set_callback(source, poll_quality, relais_media_ref(m), relais_media_unref);
	g_source_attach(source, m->context);
	return source;
}
