/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "relais-media"

#include "media-frames.h"
#include "media-private.h"

#include <string.h>
#include <gst/app/gstappsink.h>
#include <gst/video/video.h>

struct _RelaisFrameSlot {
	gatomicrefcount ref;
	/* Held while func runs. */
	GMutex lock;
	gboolean closed;
	RelaisMediaFrameFunc func;
	gpointer data;
	gint wanted; /* atomic copy of func != NULL */
};

RelaisFrameSlot *relais_frame_slot_new(void)
{
	RelaisFrameSlot *s = g_new0(RelaisFrameSlot, 1);
	g_atomic_ref_count_init(&s->ref);
	g_mutex_init(&s->lock);
	return s;
}

RelaisFrameSlot *relais_frame_slot_ref(RelaisFrameSlot *s)
{
	g_atomic_ref_count_inc(&s->ref);
	return s;
}

void relais_frame_slot_unref(RelaisFrameSlot *s)
{
	if (s == NULL || !g_atomic_ref_count_dec(&s->ref))
		return;
	g_mutex_clear(&s->lock);
	g_free(s);
}

void relais_frame_slot_set(RelaisFrameSlot *s, RelaisMediaFrameFunc func, gpointer user_data)
{
	g_return_if_fail(s != NULL);
	/* Waits for a call in progress: afterwards the old function is done. */
	g_mutex_lock(&s->lock);
	if (s->closed)
		func = NULL;
	s->func = func;
	s->data = func ? user_data : NULL;
	g_atomic_int_set(&s->wanted, func != NULL);
	g_mutex_unlock(&s->lock);
}

void relais_frame_slot_close(RelaisFrameSlot *s)
{
	g_return_if_fail(s != NULL);
	g_mutex_lock(&s->lock);
	s->closed = TRUE;
	s->func = NULL;
	s->data = NULL;
	g_atomic_int_set(&s->wanted, 0);
	g_mutex_unlock(&s->lock);
}

gboolean relais_frame_slot_wanted(RelaisFrameSlot *s)
{
	return g_atomic_int_get(&s->wanted) != 0;
}

void relais_frame_slot_deliver(RelaisFrameSlot *s, GstSample *sample)
{
	g_mutex_lock(&s->lock);
	if (s->func != NULL)
		s->func(sample, s->data);
	g_mutex_unlock(&s->lock);
}

void relais_frames_setup_appsink(GstElement *appsink, const char *caps)
{
	g_autoptr(GstCaps) c = caps ? gst_caps_from_string(caps) : NULL;
	if (c != NULL)
		g_object_set(appsink, "caps", c, NULL);
	g_object_set(appsink, "max-buffers", 1, "drop", TRUE, "sync", FALSE, "async", FALSE, "enable-last-sample",
		     FALSE, "qos", FALSE, NULL);
}

static GstFlowReturn on_new_sample(GstAppSink *sink, gpointer data)
{
	/* Pulled at once: the appsink keeps no picture of the visitor. */
	GstSample *sample = gst_app_sink_try_pull_sample(sink, 0);
	if (sample != NULL) {
		relais_frame_slot_deliver(data, sample);
		gst_sample_unref(sample);
	}
	return GST_FLOW_OK;
}

void relais_frame_slot_feed_from_appsink(RelaisFrameSlot *s, GstElement *appsink)
{
	GstAppSinkCallbacks cb = {.new_sample = on_new_sample};
	gst_app_sink_set_callbacks(GST_APP_SINK(appsink), &cb, relais_frame_slot_ref(s),
				   (GDestroyNotify)relais_frame_slot_unref);
}

/* On an appsink's input, so that relais_media_pull_remote_video() still
 * finds the frame in the appsink. */
static GstPadProbeReturn frame_probe(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	RelaisFrameSlot *s = data;
	if (!relais_frame_slot_wanted(s))
		return GST_PAD_PROBE_OK;
	GstCaps *caps = gst_pad_get_current_caps(pad);
	GstSample *sample = gst_sample_new(GST_PAD_PROBE_INFO_BUFFER(info), caps, NULL, NULL);
	relais_frame_slot_deliver(s, sample);
	gst_sample_unref(sample);
	if (caps != NULL)
		gst_caps_unref(caps);
	return GST_PAD_PROBE_OK;
}

void relais_frame_slot_add_probe(RelaisFrameSlot *s, GstPad *pad)
{
	gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, frame_probe, relais_frame_slot_ref(s),
			  (GDestroyNotify)relais_frame_slot_unref);
}

/* Before the self-view queue: nothing to do while nobody looks. */
static GstPadProbeReturn gate_probe(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	return relais_frame_slot_wanted(data) ? GST_PAD_PROBE_OK : GST_PAD_PROBE_DROP;
}

void relais_frame_slot_add_gate(RelaisFrameSlot *s, GstPad *pad)
{
	gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST, gate_probe,
			  relais_frame_slot_ref(s), (GDestroyNotify)relais_frame_slot_unref);
}

/* --- camera off ---------------------------------------------------------- */

/* Returns: (transfer full) (nullable) a black frame for caps: Y 16, chroma
 * 128 for planar and semi-planar YUV (every board's source is I420), zero
 * bytes otherwise (black in RGB; in any case not the camera's picture). */
static GstBuffer *make_black_frame(GstCaps *caps)
{
	GstVideoInfo vi;
	if (caps == NULL || !gst_video_info_from_caps(&vi, caps))
		return NULL;
	GstBuffer *buf = gst_buffer_new_allocate(NULL, GST_VIDEO_INFO_SIZE(&vi), NULL);
	GstMapInfo map;
	if (buf == NULL || !gst_buffer_map(buf, &map, GST_MAP_WRITE)) {
		gst_clear_buffer(&buf);
		return NULL;
	}
	guint planes = GST_VIDEO_INFO_N_PLANES(&vi);
	gboolean yuv = GST_VIDEO_INFO_IS_YUV(&vi) && planes > 1;
	for (guint p = 0; p < planes; p++) {
		gsize start = GST_VIDEO_INFO_PLANE_OFFSET(&vi, p);
		gsize end = p + 1 < planes ? GST_VIDEO_INFO_PLANE_OFFSET(&vi, p + 1) : GST_VIDEO_INFO_SIZE(&vi);
		memset(map.data + start, !yuv ? 0 : p == 0 ? 16 : 128, end - start);
	}
	gst_buffer_unmap(buf, &map);
	return buf;
}

/* At the tee's input: the encoder and the self-view get the same black
 * frame. Each replacement shares the black frame's memory (no copy, no fill
 * per frame) and keeps the captured frame's timestamps. */
static GstPadProbeReturn camera_off_probe(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	RelaisMedia *m = data;
	if (!g_atomic_int_get(&m->camera_off))
		return GST_PAD_PROBE_OK;
	if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST)
		return GST_PAD_PROBE_DROP; /* no board's source sends lists; never the picture */
	GstCaps *caps = gst_pad_get_current_caps(pad);
	if (caps == NULL)
		return GST_PAD_PROBE_DROP; /* never the picture */
	if (m->black == NULL || m->black_caps == NULL || !gst_caps_is_equal(caps, m->black_caps)) {
		gst_clear_buffer(&m->black);
		gst_caps_replace(&m->black_caps, caps);
		m->black = make_black_frame(caps);
	}
	gst_caps_unref(caps);
	if (m->black == NULL)
		return GST_PAD_PROBE_DROP;
	GstBuffer *frame = GST_PAD_PROBE_INFO_BUFFER(info);
	GstBuffer *black = gst_buffer_new();
	gst_buffer_copy_into(black, m->black, GST_BUFFER_COPY_MEMORY, 0, -1);
	gst_buffer_copy_into(black, frame, GST_BUFFER_COPY_FLAGS | GST_BUFFER_COPY_TIMESTAMPS, 0, -1);
	gst_buffer_unref(frame);
	GST_PAD_PROBE_INFO_DATA(info) = black;
	return GST_PAD_PROBE_OK;
}

void relais_media_camera_off_attach(RelaisMedia *m, GstPad *pad)
{
	gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST, camera_off_probe,
			  relais_media_ref(m), relais_media_unref);
}
