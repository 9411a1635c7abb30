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

/* --- RTP statistics, for the quality bars and the sending rate --------- */

/* Read from the RTP session itself (rtpsession's "stats": one structure per
 * SSRC under "source-stats", with fixed field names), not from webrtcbin's
 * "get-stats": that reply names each entry after its SSRC and candidate
 * ("rtp-remote-inbound-stream-stats_1234", ...) as a structure field, and
 * GLib interns every field name as a quark it never frees: new SSRCs and
 * candidates each call, about 3 KB a call for the life of the booth
 * (tests/bench/README-load.md, the soak). The figures are the ones
 * webrtcbin derives its own from. */

/* One pass over a session's sources: the quality's numbers and the sending
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

/* Whether this receiver report about our stream ssrc is new since the last
 * poll (a repeated one has the same round trip and cumulative loss);
 * *packets: what the stream sent since its report before (0: unknown). */
static gboolean fresh_report(RelaisMedia *m, guint ssrc, gint64 lost, double rtt, guint64 *packets)
{
	*packets = 0;
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

/* Our own streams (internal sources): SSRC and clock rate, for the far
 * end's reports about them. */
typedef struct {
	guint ssrc[8];
	gint clock_rate[8];
	guint n;
} OwnStreams;

static gint own_clock_rate(const OwnStreams *own, guint ssrc)
{
	for (guint i = 0; i < own->n; i++)
		if (own->ssrc[i] == ssrc)
			return own->clock_rate[i];
	return -1;
}

/* A source the far end sends: what arrived of it, and, when it carried a
 * receiver report about one of our streams, the far end's view of that. */
static void scan_remote_source(StatScan *all, const OwnStreams *own, const GstStructure *s)
{
	RelaisQualityReport *scan = &all->q;
	gboolean sender = FALSE, have_rb = FALSE;
	gst_structure_get_boolean(s, "is-sender", &sender);
	gst_structure_get_boolean(s, "have-rb", &have_rb);
	guint64 received = 0;
	gint lost = 0;
	if (sender && gst_structure_get_uint64(s, "packets-received", &received)) {
		scan->packets_received += received;
		if (gst_structure_get_int(s, "packets-lost", &lost) && lost > 0) /* < 0 with duplicates */
			scan->packets_lost += (guint64)lost;
	}
	guint ssrc = 0, fraction = 0, rtt_q16 = 0, jitter = 0;
	gint cumulative = 0;
	if (!have_rb || !gst_structure_get_uint(s, "rb-ssrc", &ssrc))
		return;
	gint clock_rate = own_clock_rate(own, ssrc);
	if (clock_rate < 0) /* a report about a stream not ours */
		return;
	gst_structure_get_uint(s, "rb-fractionlost", &fraction);
	gst_structure_get_int(s, "rb-packetslost", &cumulative);
	/* the round trip from the report's LSR/DLSR, 16.16 fixed point; 0
	 * until a report carries one */
	double rtt = gst_structure_get_uint(s, "rb-round-trip", &rtt_q16) ? rtt_q16 / 65536.0 : 0;
	double fraction_lost = fraction / 256.0;
	scan->fraction_lost = MAX(scan->fraction_lost, fraction_lost);
	if (rtt > 0)
		scan->rtt_s = MAX(scan->rtt_s, rtt);
	/* The rate controller sees each report once. */
	guint64 packets = 0;
	if (fresh_report(all->m, ssrc, cumulative, rtt, &packets)) {
		all->r.rtt_s = MAX(all->r.rtt_s, rtt);
		all->worst = MAX(all->worst, fraction_lost);
		all->lost += fraction_lost * (double)packets;
		all->sent += (double)packets;
		/* the far end's interarrival jitter, in seconds */
		if (clock_rate > 0 && gst_structure_get_uint(s, "rb-jitter", &jitter))
			all->r.jitter_s = MAX(all->r.jitter_s, (double)jitter / clock_rate);
	}
}

/* rtpsession's "source-stats": a GValueArray (deprecated in GLib, still
 * what it hands out) of structures. Returns how many, at most max. */
static guint source_structures(const GstStructure *stats, const GstStructure **out, guint max)
{
	const GValue *v = gst_structure_get_value(stats, "source-stats");
	guint n = 0;
	/* clang-format off */
	G_GNUC_BEGIN_IGNORE_DEPRECATIONS
	GValueArray *sources = v != NULL && G_VALUE_TYPE(v) == g_value_array_get_type() ? g_value_get_boxed(v) : NULL;
	for (guint i = 0; sources != NULL && i < sources->n_values && n < max; i++) {
		const GValue *sv = g_value_array_get_nth(sources, i);
		if (GST_VALUE_HOLDS_STRUCTURE(sv))
			out[n++] = gst_value_get_structure(sv);
	}
	G_GNUC_END_IGNORE_DEPRECATIONS
	/* clang-format on */
	return n;
}

static void scan_session(StatScan *all, const GstStructure *stats)
{
	const GstStructure *sources[32];
	guint n = source_structures(stats, sources, G_N_ELEMENTS(sources));
	OwnStreams own = {0};
	for (guint i = 0; i < n; i++) {
		gboolean internal = FALSE;
		if (gst_structure_get_boolean(sources[i], "internal", &internal) && internal &&
		    own.n < G_N_ELEMENTS(own.ssrc) && gst_structure_get_uint(sources[i], "ssrc", &own.ssrc[own.n])) {
			own.clock_rate[own.n] = 0;
			gst_structure_get_int(sources[i], "clock-rate", &own.clock_rate[own.n]);
			own.n++;
		}
	}
	for (guint i = 0; i < n; i++) {
		gboolean internal = FALSE;
		if (!(gst_structure_get_boolean(sources[i], "internal", &internal) && internal))
			scan_remote_source(all, &own, sources[i]);
	}
}

static void collect_session_stats(GstElement *session, gpointer data)
{
	GPtrArray *all = data;
	GstStructure *stats = NULL;
	g_object_get(session, "stats", &stats, NULL);
	if (stats != NULL)
		g_ptr_array_add(all, stats);
}

/* Takes the sessions' statistics and feeds the quality bars, the receive
 * delay and the sending rate. */
static void read_stats(RelaisMedia *m)
{
	g_autoptr(GPtrArray) sessions = g_ptr_array_new_with_free_func((GDestroyNotify)gst_structure_free);
	relais_media_foreach_element(m, "rtpsession", collect_session_stats, sessions);
	if (sessions->len == 0)
		return;
	StatScan all = {.m = m,
			.q = {.fraction_lost = -1.0, .rtt_s = -1.0},
			.r = {.fraction_lost = -1.0, .rtt_s = -1.0, .jitter_s = -1.0}};
	/* what the jitter buffers saw missing, before any retransmission made
	 * up for it: the sources' packets-lost leaves out what came back, and
	 * the delay must stay up while retransmissions are needed */
	guint64 pushed = 0, missed = 0;
	relais_media_jitter_counts(m, &pushed, &missed);
	gint64 now = g_get_monotonic_time();
	g_mutex_lock(&m->lock);
	all.worst = -1.0;
	for (guint i = 0; i < sessions->len; i++)
		scan_session(&all, g_ptr_array_index(sessions, i));
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
	if (connected)
		read_stats(m);
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
