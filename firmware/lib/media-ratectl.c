/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "relais-media"

#include "media-ratectl.h"
#include "media-pipeline.h"
#include "relais-config.h"

#include <gst/video/video.h>

/* Off in Kconfig: the symbols inside its `if` are not generated. */
#ifndef CONFIG_RELAIS_MEDIA_RATE
#define CONFIG_RELAIS_MEDIA_RATE	    0
#define CONFIG_RELAIS_MEDIA_RATE_MIN_KBPS   80
#define CONFIG_RELAIS_MEDIA_RATE_START_KBPS 0
#endif

/* The encoders whose bitrate is known to be mutable in PLAYING, and the
 * unit of their property. */
static const struct {
	const char *factory, *property;
	guint per_kbit; /* property units per kbit/s */
} encoders[] = {
	{"vp8enc", "target-bitrate", 1000},
	{"vp9enc", "target-bitrate", 1000},
	{"x264enc", "bitrate", 1},
};

static GstElement *find_encoder(GstElement *bin, guint *which)
{
	for (guint i = 0; i < G_N_ELEMENTS(encoders); i++) {
		GstElement *e = relais_media_find_element(GST_BIN(bin), encoders[i].factory, NULL);
		if (e != NULL) {
			*which = i;
			return e;
		}
	}
	return NULL;
}

/* At most one keyframe request a second reaches the encoder. Without
 * retransmission a browser asks for a keyframe at each loss, and on a
 * congested link each keyframe (several times a delta frame) overflows
 * the queue again: measured in the lab at 500 kbit/s, the encoder sent
 * 1.9 Mbit/s of keyframes for a 1.2 Mbit/s target. */
#define KEYFRAME_MIN_INTERVAL_US G_USEC_PER_SEC

static GstPadProbeReturn keyframe_gate(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	(void)pad;
	RelaisMedia *m = data;
	GstEvent *event = GST_PAD_PROBE_INFO_EVENT(info);
	if (event == NULL || !gst_video_event_is_force_key_unit(event))
		return GST_PAD_PROBE_OK;
	gint64 now = g_get_monotonic_time();
	g_mutex_lock(&m->lock);
	gboolean pass = m->rate_keyframe_us == 0 || now - m->rate_keyframe_us >= KEYFRAME_MIN_INTERVAL_US;
	if (pass)
		m->rate_keyframe_us = now;
	else
		m->rate_keyframes_dropped++;
	g_mutex_unlock(&m->lock);
	if (!pass)
		GST_DEBUG("keyframe request dropped: the last one was %" G_GINT64_FORMAT " ms ago",
			  (now - m->rate_keyframe_us) / 1000);
	return pass ? GST_PAD_PROBE_OK : GST_PAD_PROBE_DROP;
}

void relais_media_ratectl_setup(RelaisMedia *m, GstElement *video_bin, GstElement *audio_bin, guint video_kbps)
{
	const char *env = g_getenv("RELAIS_MEDIA_RATE");
	if (!CONFIG_RELAIS_MEDIA_RATE || (env != NULL && g_strcmp0(env, "0") == 0)) {
		g_info("sending rate: fixed at %u kbit/s (rate control off)", video_kbps);
		return;
	}
	guint which = 0;
	g_autoptr(GstElement) enc = find_encoder(video_bin, &which);
	g_autoptr(GstElement) size = gst_bin_get_by_name(GST_BIN(video_bin), "relais-video-size");
	g_autoptr(GstElement) scale = gst_bin_get_by_name(GST_BIN(video_bin), "relais-video-scale");
	if (enc == NULL || size == NULL || scale == NULL) {
		g_warning("sending rate: fixed at %u kbit/s (no vp8enc, vp9enc or x264enc in [video] encoder)",
			  video_kbps);
		return;
	}
	/* Audio's budget: opusenc's bitrate and packets a second. */
	guint audio_kbps = 32, audio_pps = 50;
	g_autoptr(GstElement) opus = relais_media_find_element(GST_BIN(audio_bin), "opusenc", NULL);
	if (opus != NULL) {
		gint bps = 0, frame = 0;
		g_object_get(opus, "bitrate", &bps, "frame-size", &frame, NULL);
		if (bps > 0)
			audio_kbps = (guint)(bps + 999) / 1000;
		if (frame >= 10) /* the enum's values are milliseconds from 10 up */
			audio_pps = 1000 / (guint)frame;
	}
	guint start = CONFIG_RELAIS_MEDIA_RATE_START_KBPS ? CONFIG_RELAIS_MEDIA_RATE_START_KBPS : video_kbps;
	RelaisRateConfig cfg = {
		.min_kbps = MIN((guint)CONFIG_RELAIS_MEDIA_RATE_MIN_KBPS, video_kbps),
		.max_kbps = video_kbps,
		.start_kbps = start,
		.audio_kbps = audio_kbps,
		.audio_pps = audio_pps,
	};
	relais_rate_init(&m->rate, &cfg);
	m->rate_encoder = g_steal_pointer(&enc);
	m->rate_encoder_kind = which;
	m->rate_size = g_steal_pointer(&size);
	m->rate_scale = g_steal_pointer(&scale);
	m->rate_on = TRUE;
	g_autoptr(GstPad) enc_src = gst_element_get_static_pad(m->rate_encoder, "src");
	if (enc_src != NULL)
		gst_pad_add_probe(enc_src, GST_PAD_PROBE_TYPE_EVENT_UPSTREAM, keyframe_gate, relais_media_ref(m),
				  relais_media_unref);
	m->rate_applied_rung = RELAIS_RATE_RUNG_FULL;
	m->rate_applied_kbps = m->rate.video_kbps;
	if (m->rate.video_kbps != video_kbps)
		g_object_set(m->rate_encoder, encoders[which].property, m->rate.video_kbps * encoders[which].per_kbit,
			     NULL);
	g_info("sending rate: video %u kbit/s at the start, between %u and %u; audio %u kbit/s kept",
	       m->rate.video_kbps, cfg.min_kbps, cfg.max_kbps, audio_kbps);
}

/* The picture before the capsfilter: the camera's size and frame rate. */
static gboolean full_picture(GstElement *scale, guint *w, guint *h, guint *fps)
{
	g_autoptr(GstPad) pad = gst_element_get_static_pad(scale, "sink");
	g_autoptr(GstCaps) caps = pad ? gst_pad_get_current_caps(pad) : NULL;
	GstVideoInfo vi;
	if (caps == NULL || !gst_video_info_from_caps(&vi, caps) || vi.width <= 0 || vi.height <= 0)
		return FALSE;
	*w = (guint)vi.width;
	*h = (guint)vi.height;
	*fps = vi.fps_d > 0 && vi.fps_n > 0 ? (guint)MAX(1, vi.fps_n / vi.fps_d) : 30;
	return TRUE;
}

void relais_media_ratectl_report(RelaisMedia *m, const RelaisRateReport *far_end, gint64 now_us)
{
	RelaisRateReport report_copy = *far_end;
	RelaisRateReport *report = &report_copy;
	/* free() may clear the elements meanwhile: work on references. */
	g_mutex_lock(&m->lock);
	gboolean on = m->rate_on && !m->closed;
	g_autoptr(GstElement) enc = on ? gst_object_ref(m->rate_encoder) : NULL;
	g_autoptr(GstElement) size = on ? gst_object_ref(m->rate_size) : NULL;
	g_autoptr(GstElement) scale = on ? gst_object_ref(m->rate_scale) : NULL;
	g_mutex_unlock(&m->lock);
	if (!on)
		return;
	guint w = 0, h = 0, fps = 0;
	gboolean known = full_picture(scale, &w, &h, &fps);

	g_mutex_lock(&m->lock);
	/* What was sent, from the engine's own counters at the payloaders'
	 * inputs: webrtcbin's outbound-rtp byte counts were seen to jump by
	 * tens of megabytes between two replies in a lossy call. One RTP
	 * packet per audio buffer; a video frame is cut into 1200-byte
	 * packets (the boards' mtu). */
	if (m->rate_rtp_counted) {
		/* RTP packets as they leave, retransmissions included: under
		 * congestion the browser asks for every lost packet again, and
		 * the retransmissions share the queue (RATE.md). The RTP
		 * header is in these bytes already. */
		report->bytes_sent = m->rate_rtp_bytes;
		report->packets_sent = m->rate_rtp_packets;
	} else {
		guint audio_bytes = m->rate.cfg.audio_kbps * 1000 / 8 / MAX(1u, m->rate.cfg.audio_pps);
		report->bytes_sent = m->stats.video_bytes_sent + m->stats.audio_buffers_sent * audio_bytes;
		report->packets_sent =
			m->stats.video_bytes_sent / 1150 + m->stats.video_frames_sent / 2 + m->stats.audio_buffers_sent;
	}
	report->rtx_packets = m->rtx_gate ? m->rtx_gate->allowed : 0;
	if (known) {
		m->rate.cfg.width = w;
		m->rate.cfg.height = h;
	}
	guint before = m->rate_applied_kbps;
	relais_rate_update(&m->rate, report, now_us);
	RelaisRate r = m->rate;
	/* a guest's estimate may be the lower one */
	guint target = m->rate_cap_kbps ? MIN(r.video_kbps, m->rate_cap_kbps) : r.video_kbps;
	m->rate_applied_kbps = target;
	gboolean new_rung = known && r.rung != m->rate_applied_rung;
	RelaisRateRung was = m->rate_applied_rung;
	if (new_rung)
		m->rate_applied_rung = r.rung;
	g_mutex_unlock(&m->lock);

	if (target != before) {
		g_object_set(enc, encoders[m->rate_encoder_kind].property,
			     target * encoders[m->rate_encoder_kind].per_kbit, NULL);
		g_info("sending rate: video %u -> %u kbit/s (estimate %.0f, sent %.0f kbit/s, %.0f of it resent): %s%s",
		       before, target, r.estimate_kbps, r.sent_kbps, r.rtx_kbps, r.reason,
		       target < r.video_kbps ? " (capped by the guest's estimate)" : "");
	}
	if (new_rung) {
		guint sw, sh, sfps;
		relais_rate_rung_size(r.rung, w, h, fps, &sw, &sh, &sfps);
		/* The full picture is asked for by its size too: videoscale and
		 * videorate then pass frames through untouched. */
		g_autoptr(GstCaps) caps =
			gst_caps_new_simple("video/x-raw", "width", G_TYPE_INT, (int)sw, "height", G_TYPE_INT, (int)sh,
					    "framerate", GST_TYPE_FRACTION, (int)sfps, 1, NULL);
		g_object_set(size, "caps", caps, NULL);
		g_info("sending picture: %s -> %s, %ux%u at %u fps (video %u kbit/s): %s", relais_rate_rung_name(was),
		       relais_rate_rung_name(r.rung), sw, sh, sfps, r.video_kbps, r.reason);
	}
}

/* The packets of one buffer or list, by SSRC (RTP header bytes 8-11). */
typedef struct {
	guint64 bytes;
	guint n;
	struct {
		guint32 ssrc;
		guint packets;
	} by[4];
} SentCount;

static void count_packet(SentCount *c, GstBuffer *buf)
{
	guint8 head[12];
	c->bytes += gst_buffer_get_size(buf);
	if (gst_buffer_extract(buf, 0, head, sizeof head) != sizeof head)
		return;
	guint32 ssrc = GST_READ_UINT32_BE(head + 8);
	for (guint i = 0; i < c->n; i++) {
		if (c->by[i].ssrc == ssrc) {
			c->by[i].packets++;
			return;
		}
	}
	if (c->n < G_N_ELEMENTS(c->by))
		c->by[c->n++] = (typeof(c->by[0])){ssrc, 1};
}

static gboolean count_listed(GstBuffer **buf, guint idx, gpointer data)
{
	(void)idx;
	count_packet(data, *buf);
	return TRUE;
}

static GstPadProbeReturn count_sent(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	(void)pad;
	RelaisMedia *m = data;
	SentCount c = {0};
	guint64 packets = 0;
	if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
		GstBufferList *list = GST_PAD_PROBE_INFO_BUFFER_LIST(info);
		packets = gst_buffer_list_length(list);
		gst_buffer_list_foreach(list, count_listed, &c);
	} else if (GST_PAD_PROBE_INFO_BUFFER(info) != NULL) {
		packets = 1;
		count_packet(&c, GST_PAD_PROBE_INFO_BUFFER(info));
	}
	g_mutex_lock(&m->lock);
	m->rate_rtp_bytes += c.bytes;
	m->rate_rtp_packets += packets;
	for (guint i = 0; i < c.n; i++) {
		guint slot = G_N_ELEMENTS(m->rate_ssrc);
		for (guint j = 0; j < G_N_ELEMENTS(m->rate_ssrc) && slot == G_N_ELEMENTS(m->rate_ssrc); j++)
			if (m->rate_ssrc[j].ssrc == c.by[i].ssrc || m->rate_ssrc[j].packets == 0)
				slot = j;
		if (slot < G_N_ELEMENTS(m->rate_ssrc)) {
			m->rate_ssrc[slot].ssrc = c.by[i].ssrc;
			m->rate_ssrc[slot].packets += c.by[i].packets;
		}
	}
	g_mutex_unlock(&m->lock);
	return GST_PAD_PROBE_OK;
}

void relais_media_ratectl_watch_sender(RelaisMedia *m, GstElement *rtxsend)
{
	g_autoptr(GstPad) src = gst_element_get_static_pad(rtxsend, "src");
	if (src == NULL)
		return;
	g_mutex_lock(&m->lock);
	gboolean first = !m->rate_rtp_counted;
	m->rate_rtp_counted = TRUE;
	g_mutex_unlock(&m->lock);
	/* One sender per bundle; a second would count twice. */
	if (!first)
		return;
	gst_pad_add_probe(src, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST, count_sent,
			  relais_media_ref(m), relais_media_unref);
	GST_DEBUG("counting what %s sends", GST_ELEMENT_NAME(rtxsend));
}

/* Upstream, on rtprtxsend's source pad: each request to resend a packet,
 * through the gate (media-rate.h, RelaisRtxGate). */
static GstPadProbeReturn gate_rtx(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	(void)pad;
	RelaisMedia *m = data;
	GstEvent *ev = GST_PAD_PROBE_INFO_EVENT(info);
	if (ev == NULL || !gst_event_has_name(ev, "GstRTPRetransmissionRequest"))
		return GST_PAD_PROBE_OK;
	const GstStructure *s = gst_event_get_structure(ev);
	guint seq = 0, ssrc = 0;
	if (!gst_structure_get_uint(s, "seqnum", &seq) || !gst_structure_get_uint(s, "ssrc", &ssrc))
		return GST_PAD_PROBE_OK;
	gint64 now = g_get_monotonic_time();
	g_mutex_lock(&m->lock);
	if (m->rtx_gate == NULL)
		m->rtx_gate = g_new0(RelaisRtxGate, 1);
	double kbps = m->rate_on ? relais_rate_rtx_kbps(&m->rate) : RELAIS_RTX_BUDGET_SHARE * m->video_kbps;
	double rtt = m->rate_on ? m->rate.rtt_prev_s : -1;
	gboolean allow = relais_rtx_gate_allow(m->rtx_gate, ssrc, (guint16)seq, kbps, rtt, now);
	guint64 refused = m->rtx_gate->refused_repeat + m->rtx_gate->refused_budget;
	guint64 repeat = m->rtx_gate->refused_repeat, budget = m->rtx_gate->refused_budget;
	guint64 allowed = m->rtx_gate->allowed;
	gboolean log = refused != m->rtx_logged_refused && now - m->rtx_logged_us >= 5 * G_USEC_PER_SEC;
	if (log) {
		m->rtx_logged_refused = refused;
		m->rtx_logged_us = now;
	}
	g_mutex_unlock(&m->lock);
	if (log)
		g_info("retransmissions limited: %" G_GUINT64_FORMAT " resent, %" G_GUINT64_FORMAT
		       " refused as asked again within a round trip, %" G_GUINT64_FORMAT
		       " over the budget (%.0f kbit/s)",
		       allowed, repeat, budget, kbps);
	return allow ? GST_PAD_PROBE_OK : GST_PAD_PROBE_DROP;
}

void relais_media_ratectl_gate_rtx(RelaisMedia *m, GstElement *rtxsend)
{
	g_autoptr(GstPad) src = gst_element_get_static_pad(rtxsend, "src");
	if (src != NULL)
		gst_pad_add_probe(src, GST_PAD_PROBE_TYPE_EVENT_UPSTREAM, gate_rtx, relais_media_ref(m),
				  relais_media_unref);
}

void relais_media_ratectl_clear(RelaisMedia *m)
{
	m->rate_on = FALSE;
	gst_clear_object(&m->rate_encoder);
	gst_clear_object(&m->rate_size);
	gst_clear_object(&m->rate_scale);
}

void relais_media_ratectl_set_cap(RelaisMedia *m, guint cap_kbps)
{
	g_mutex_lock(&m->lock);
	gboolean on = m->rate_on && !m->closed;
	g_autoptr(GstElement) enc = on ? gst_object_ref(m->rate_encoder) : NULL;
	guint before = m->rate_applied_kbps, target = before;
	if (on) {
		m->rate_cap_kbps = cap_kbps;
		target = cap_kbps ? MIN(m->rate.video_kbps, cap_kbps) : m->rate.video_kbps;
		m->rate_applied_kbps = target;
	}
	g_mutex_unlock(&m->lock);
	if (!on || target == before)
		return;
	g_object_set(enc, encoders[m->rate_encoder_kind].property, target * encoders[m->rate_encoder_kind].per_kbit,
		     NULL);
	g_info("sending rate: video %u -> %u kbit/s (%s)", before, target,
	       cap_kbps ? "the guest's estimate" : "no guest any more");
}
