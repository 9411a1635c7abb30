/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "relais-media"

#include "media-latency.h"
#include "media-private.h"
#include "media-ratectl.h"

/* Gives a jitter buffer its latency back once its first packet is out. */
static GstPadProbeReturn restore_latency(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	GstElement *jitterbuffer = gst_pad_get_parent_element(pad);
	if (jitterbuffer != NULL) {
		g_object_set(jitterbuffer, "latency", GPOINTER_TO_UINT(data), NULL);
		gst_object_unref(jitterbuffer);
	}
	return GST_PAD_PROBE_REMOVE;
}

/* On the first packet into a jitter buffer (rtpbin has configured it by
 * then): no latency until that packet has left. */
static GstPadProbeReturn drop_first_latency(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	GstElement *jitterbuffer = gst_pad_get_parent_element(pad);
	if (jitterbuffer == NULL)
		return GST_PAD_PROBE_REMOVE;
	guint latency = 0;
	g_object_get(jitterbuffer, "latency", &latency, NULL);
	if (latency > 0) {
		GstPad *src = gst_element_get_static_pad(jitterbuffer, "src");
		gst_pad_add_probe(src, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST, restore_latency,
				  GUINT_TO_POINTER(latency), NULL);
		gst_object_unref(src);
		g_object_set(jitterbuffer, "latency", 0, NULL);
	}
	gst_object_unref(jitterbuffer);
	return GST_PAD_PROBE_REMOVE;
}

static void on_deep_element_added(GstBin *bin, GstBin *sub_bin, GstElement *element, gpointer data)
{
	RelaisMedia *m = data;
	GstElementFactory *f = gst_element_get_factory(element);
	if (f == NULL || m->webrtc == NULL)
		return;
	const char *name = GST_OBJECT_NAME(f);
	if (g_str_equal(name, "clocksync") && gst_object_has_as_ancestor(GST_OBJECT(element), GST_OBJECT(m->webrtc))) {
		/* webrtcbin paces outgoing RTP on the clock; with a live
		 * source that holds every frame one frame interval (~30 ms). */
		g_object_set(element, "sync", FALSE, NULL);
		g_debug("%s: sync=false", GST_ELEMENT_NAME(element));
	} else if (g_str_equal(name, "rtprtxsend") &&
		   gst_object_has_as_ancestor(GST_OBJECT(element), GST_OBJECT(m->webrtc))) {
		/* What leaves for the network, retransmissions included;
		 * and no more retransmissions than the path can take. */
		relais_media_ratectl_watch_sender(m, element);
		relais_media_ratectl_gate_rtx(m, element);
	} else if (g_str_equal(name, "rtpjitterbuffer")) {
		/* A new jitter buffer holds its first packet for the whole
		 * latency in case an earlier one is still on its way. Start as
		 * soon as packets arrive in sequence instead: a reordered first
		 * packet costs one keyframe request, waiting costs the latency on
		 * every call. In 1.22 fast start only looks at the head of the
		 * queue, where the stream's first events wait until the buffer's
		 * own thread has run, and a keyframe's packets all arrive before
		 * that: the first video frame still waited the whole latency
		 * (20-28 ms with latency=20, Chromium sending). So the first
		 * packet also goes through with no latency (its deadline is its
		 * arrival), and the configured latency applies from then on. */
		g_object_set(element, "faststart-min-packets", 1, NULL);
		GstPad *sink = gst_element_get_static_pad(element, "sink");
		gst_pad_add_probe(sink, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST, drop_first_latency,
				  NULL, NULL);
		gst_object_unref(sink);
	} else if (g_str_equal(name, "rtpsession")) {
		/* A new SSRC is held "on probation" until a second packet in
		 * sequence arrives. SRTP already authenticates every packet, and
		 * the first video packet is often a lone keyframe followed by
		 * nothing for a frame interval or more. */
		g_object_set(element, "probation", 0, NULL);
	}
}

void relais_media_foreach_element(RelaisMedia *m, const char *factory, void (*func)(GstElement *element, gpointer data),
				  gpointer data)
{
	GstElement *webrtc = relais_media_ref_webrtc(m);
	if (webrtc == NULL)
		return;
	GstIterator *it = gst_bin_iterate_recurse(GST_BIN(webrtc));
	GValue item = G_VALUE_INIT;
	gboolean done = FALSE;
	while (!done) {
		switch (gst_iterator_next(it, &item)) {
		case GST_ITERATOR_OK: {
			GstElement *e = g_value_get_object(&item);
			GstElementFactory *f = gst_element_get_factory(e);
			if (f != NULL && g_str_equal(GST_OBJECT_NAME(f), factory))
				func(e, data);
			g_value_reset(&item);
			break;
		}
		case GST_ITERATOR_RESYNC:
			gst_iterator_resync(it);
			break;
		default:
			done = TRUE;
			break;
		}
	}
	g_value_unset(&item);
	gst_iterator_free(it);
	gst_object_unref(webrtc);
}

static void set_latency(GstElement *jitterbuffer, gpointer data)
{
	guint latency = GPOINTER_TO_UINT(data), now = 0;
	g_object_get(jitterbuffer, "latency", &now, NULL);
	/* 0: its first packet is still on its way (drop_first_latency) */
	if (now != 0 && now != latency) {
		/* it posts a latency message: the pipeline's latency follows
		 * (bus_cb), audio and video alike */
		g_object_set(jitterbuffer, "latency", latency, NULL);
		g_debug("%s: latency %u -> %u ms", GST_ELEMENT_NAME(jitterbuffer), now, latency);
	}
}

void relais_media_apply_receive_latency(RelaisMedia *m)
{
	g_mutex_lock(&m->lock);
	guint latency = m->recv_delay.latency_ms;
	g_mutex_unlock(&m->lock);
	relais_media_foreach_element(m, "rtpjitterbuffer", set_latency, GUINT_TO_POINTER(latency));
}

static void add_counts(GstElement *jitterbuffer, gpointer data)
{
	guint64 *counts = data;
	GstStructure *stats = NULL;
	g_object_get(jitterbuffer, "stats", &stats, NULL);
	if (stats == NULL)
		return;
	guint64 pushed = 0, lost = 0, resent = 0;
	gst_structure_get_uint64(stats, "num-pushed", &pushed);
	gst_structure_get_uint64(stats, "num-lost", &lost);
	/* not rtx-count: the buffer also asks for a packet merely late
	 * (rtx-next-seqnum), which happens on a clean network */
	gst_structure_get_uint64(stats, "rtx-success-count", &resent);
	counts[0] += pushed;
	counts[1] += lost + resent;
	gst_structure_free(stats);
}

void relais_media_jitter_counts(RelaisMedia *m, guint64 *pushed, guint64 *missed)
{
	guint64 counts[2] = {0, 0};
	relais_media_foreach_element(m, "rtpjitterbuffer", add_counts, counts);
	*pushed = counts[0];
	*missed = counts[1];
}

/* The figures the echo probe last received (media-latency.h). */
typedef struct {
	GMutex lock;
	gboolean seen;
	GstClockTime latency;
	GstClockTime upstream;
} EchoLatency;

static void echo_latency_free(gpointer data)
{
	EchoLatency *e = data;
	g_mutex_clear(&e->lock);
	g_free(e);
}

static GstPadProbeReturn echo_latency_changed(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	EchoLatency *e = data;
	GstEvent *event = GST_PAD_PROBE_INFO_EVENT(info);
	if (GST_EVENT_TYPE(event) != GST_EVENT_LATENCY)
		return GST_PAD_PROBE_OK;
	GstClockTime latency = 0, upstream = 0;
	gst_event_parse_latency(event, &latency);
	/* the question the probe asks on its own source pad when it gets the
	 * event: its delay is the answer's minimum */
	GstQuery *query = gst_query_new_latency();
	if (gst_pad_query(pad, query))
		gst_query_parse_latency(query, NULL, &upstream, NULL);
	gst_query_unref(query);
	if (!GST_CLOCK_TIME_IS_VALID(upstream))
		upstream = 0;
	g_mutex_lock(&e->lock);
	gboolean same = e->seen && e->latency == latency && e->upstream == upstream;
	e->seen = TRUE;
	e->latency = latency;
	e->upstream = upstream;
	g_mutex_unlock(&e->lock);
	return same ? GST_PAD_PROBE_DROP : GST_PAD_PROBE_OK;
}

void relais_media_latency_guard_echo_probe(GstElement *echo_probe)
{
	g_autoptr(GstPad) src = gst_element_get_static_pad(echo_probe, "src");
	g_return_if_fail(src != NULL);
	EchoLatency *e = g_new0(EchoLatency, 1);
	g_mutex_init(&e->lock);
	gst_pad_add_probe(src, GST_PAD_PROBE_TYPE_EVENT_UPSTREAM, echo_latency_changed, e, echo_latency_free);
}

void relais_media_latency_watch(RelaisMedia *m)
{
	relais_media_connect(m, m->pipeline, "deep-element-added", G_CALLBACK(on_deep_element_added));
}
