/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "relais-media"

#include "media-screen.h"
#include "media-frames.h"
#include "media-pipeline.h"
#include "media-private.h"
#include "media-probes.h"
#include "relais-config.h"

#include <gst/app/gstappsink.h>
#include <gst/video/video.h>

/* The screen's frames reach the UI through a frame probe on the
 * appsink's input (media-frames.h); the appsink keeps none of them. */
static GstFlowReturn on_screen_sample(GstAppSink *sink, gpointer data)
{
	GstSample *sample = gst_app_sink_try_pull_sample(sink, 0);
	if (sample != NULL)
		gst_sample_unref(sample);
	return GST_FLOW_OK;
}

/* The size the screen is kept at: its own up to the Kconfig box, else
 * scaled down keeping its aspect, even in both directions (I420 chroma and
 * the UI's textures), set on the branch's capsfilter before the decoder's
 * caps reach it. videoscale left to fixate a range may pick an odd size. */
static void screen_fit(RelaisMedia *m, GstCaps *caps)
{
	GstVideoInfo vi;
	if (caps == NULL || !gst_video_info_from_caps(&vi, caps) || vi.width <= 0 || vi.height <= 0)
		return;
	double w = vi.width * (vi.par_d > 0 ? (double)vi.par_n / vi.par_d : 1.0), h = vi.height;
	double s = MIN(1.0, MIN(CONFIG_RELAIS_MEDIA_SCREEN_MAX_WIDTH / w, CONFIG_RELAIS_MEDIA_SCREEN_MAX_HEIGHT / h));
	int tw = MAX(16, ((int)(w * s)) & ~1), th = MAX(16, ((int)(h * s)) & ~1);
	g_autoptr(GstElement) filter = gst_bin_get_by_name(GST_BIN(m->screen_decoder), "relais-screen-size");
	if (filter == NULL)
		return;
	g_autoptr(GstCaps) want =
		gst_caps_new_simple("video/x-raw", "format", G_TYPE_STRING, "I420", "width", G_TYPE_INT, tw, "height",
				    G_TYPE_INT, th, "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1, NULL);
	g_object_set(filter, "caps", want, NULL);
	g_debug("%s: shared screen %dx%d kept at %dx%d", m->board, vi.width, vi.height, tw, th);
}

/* Decoded screen frames closer than 1/CONFIG_RELAIS_MEDIA_SCREEN_FPS to
 * the last one kept go no further than the decoder: no conversion, no
 * scaling, no UI upload. (videorate is not used: 1.22 aborts on buffers
 * without a duration, which a decoder may well produce.) */
static GstPadProbeReturn screen_rate_probe(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	RelaisMedia *m = data;
	if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
		GstCaps *caps = relais_media_probe_caps(info);
		if (caps != NULL)
			screen_fit(m, caps);
		return GST_PAD_PROBE_OK;
	}
	gint64 now = g_get_monotonic_time();
	/* a little slack so that a source at exactly the cap is not halved */
	if (m->screen_last_us != 0 &&
	    now - m->screen_last_us < G_USEC_PER_SEC * 9 / (10 * CONFIG_RELAIS_MEDIA_SCREEN_FPS))
		return GST_PAD_PROBE_DROP;
	m->screen_last_us = now;
	return GST_PAD_PROBE_OK;
}

/* RTP payload type of the screen's m-line: free on every board (video 96
 * and its RTX, Opus 111), distinct from the camera's so that a stream
 * webrtcbin cannot map by SSRC still lands on the right m-line. */
#define SCREEN_PT 100

/* The screen's receive-only transceiver (m-line RELAIS_MEDIA_SCREEN_MLINE:
 * made after the two send pads), its decoder, scaler and appsink. The
 * codec is the board's: the one it decodes for the camera. */
gboolean relais_media_screen_build(RelaisMedia *m, const RelaisMediaConf *conf, const char *vdec_desc, GError **error)
{
	const char *codec = relais_media_conf_video_codec(conf);
	g_autoptr(GstCaps) caps = gst_caps_new_simple("application/x-rtp", "media", G_TYPE_STRING, "video",
						      "encoding-name", G_TYPE_STRING, codec, "payload", G_TYPE_INT,
						      SCREEN_PT, "clock-rate", G_TYPE_INT, 90000, NULL);
	if (g_ascii_strcasecmp(codec, "H264") == 0)
		gst_caps_set_simple(caps, "packetization-mode", G_TYPE_STRING, "1", "profile-level-id", G_TYPE_STRING,
				    "42e01f", "level-asymmetry-allowed", G_TYPE_STRING, "1", NULL);
	g_signal_emit_by_name(m->webrtc, "add-transceiver", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY, caps,
			      &m->screen_trans);
	if (m->screen_trans == NULL) {
		g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_PIPELINE,
			    "webrtcbin refused the screen's receive-only transceiver");
		return FALSE;
	}
	g_object_set(m->screen_trans, "do-nack", TRUE, NULL);

	g_autofree char *desc = g_strdup_printf(
		"%s ! identity name=relais-screen-rate silent=true ! videoconvert ! videoscale ! capsfilter "
		"name=relais-screen-size "
		"caps=video/x-raw,format=I420,width=(int)[16,%d],height=(int)[16,%d],pixel-aspect-ratio=(fraction)1/1",
		vdec_desc ? vdec_desc : "decodebin", CONFIG_RELAIS_MEDIA_SCREEN_MAX_WIDTH,
		CONFIG_RELAIS_MEDIA_SCREEN_MAX_HEIGHT);
	m->screen_decoder = relais_media_parse_fragment("screen-receive", desc, error);
	if (m->screen_decoder == NULL)
		return FALSE;
	g_autoptr(GstElement) rate = gst_bin_get_by_name(GST_BIN(m->screen_decoder), "relais-screen-rate");
	g_autoptr(GstPad) rate_in = rate ? gst_element_get_static_pad(rate, "sink") : NULL;
	if (rate_in == NULL) {
		g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_PIPELINE, "[video] no screen rate limiter");
		return FALSE;
	}
	gst_pad_add_probe(rate_in, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, screen_rate_probe,
			  relais_media_ref(m), relais_media_unref);
	gst_bin_add(GST_BIN(m->pipeline), gst_object_ref(m->screen_decoder));
	m->screen_sink = relais_media_make_element("appsink", "screen-video", error);
	if (m->screen_sink == NULL)
		return FALSE;
	/* Never pulled (the frame function takes each frame): keep none. */
	relais_frames_setup_appsink(m->screen_sink, NULL);
	gst_bin_add(GST_BIN(m->pipeline), m->screen_sink);
	if (!gst_element_link(m->screen_decoder, m->screen_sink)) {
		g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_PIPELINE,
			    "[video] decoder cannot feed the shared screen's sink");
		return FALSE;
	}
	g_autoptr(GstPad) pad = gst_element_get_static_pad(m->screen_sink, "sink");
	relais_media_add_count_probe(m, pad, RELAIS_MEDIA_COUNT_SCREEN_RECEIVED);
	relais_frame_slot_add_probe(m->frames[RELAIS_MEDIA_VIDEO_SCREEN], pad);
	GstAppSinkCallbacks cb = {.new_sample = on_screen_sample};
	gst_app_sink_set_callbacks(GST_APP_SINK(m->screen_sink), &cb, NULL, NULL);
	return TRUE;
}
