/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "relais-media"

#include "media-capture.h"
#include "media-pipeline.h"
#include "media.h"

/* Returns: (transfer full) the bin parsed from desc, owned (not floating). */
static GstElement *parse_owned(const char *name, const char *desc, GError **error)
{
	GstElement *bin = relais_media_parse_fragment(name, desc, error);
	return bin ? gst_object_ref_sink(bin) : NULL;
}

/* The camera's and the microphone's source fragments (or their
 * fallbacks); RELAIS_MEDIACONF_ERROR_MISSING_DEVICE when one is absent. */
static gboolean dup_sources(const RelaisMediaConf *conf, char **video, char **audio, GError **error)
{
	*video = relais_media_conf_dup_source(conf, "video", error);
	if (*video == NULL)
		return FALSE;
	*audio = relais_media_conf_dup_source(conf, "audio", error);
	return *audio != NULL;
}

/* The camera's frames go to the UI as they come: one frame deep, dropped
 * rather than queued, and not paced on the clock (a live source already
 * is). */
static gboolean self_view(GstElement *video, RelaisFrameSlot *slot, GError **error)
{
	g_autoptr(GstElement) sink = gst_bin_get_by_name(GST_BIN(video), "local-video");
	if (sink == NULL) {
		g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_PIPELINE, "[video] no self-view appsink");
		return FALSE;
	}
	relais_frames_setup_appsink(sink, "video/x-raw,format=I420");
	relais_frame_slot_feed_from_appsink(slot, sink);
	return TRUE;
}

/* The level meter on the input of the element named `at` in bin. */
static gboolean meter(GstElement *bin, const char *at, RelaisLevel *level, GError **error)
{
	g_autoptr(GstElement) el = gst_bin_get_by_name(GST_BIN(bin), at);
	g_autoptr(GstPad) pad = el ? gst_element_get_static_pad(el, "sink") : NULL;
	if (pad == NULL) {
		g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_PIPELINE, "[audio] cannot find %s", at);
		return FALSE;
	}
	relais_level_attach(level, pad);
	return TRUE;
}

char *relais_capture_source_desc(const char *fragment)
{
	/* A fragment may end with caps, which the parser takes only between
	 * two elements: an empty capsfilter (passthrough) closes it. */
	return g_strdup_printf("%s ! capsfilter name=relais-source-end", fragment);
}

gboolean relais_capture_build_call(RelaisCapture *c, const RelaisMediaConf *conf, RelaisFrameSlot *slot,
				   RelaisLevel *level, GError **error)
{
	g_return_val_if_fail(c != NULL && conf != NULL && slot != NULL && level != NULL, FALSE);
	g_autofree char *vsrc_desc = NULL, *asrc_desc = NULL;
	if (!dup_sources(conf, &vsrc_desc, &asrc_desc, error))
		return FALSE;
	g_autofree char *venc_desc = relais_media_conf_dup_fragment(conf, "video", "encoder");
	g_autofree char *aproc_desc = relais_media_conf_dup_fragment(conf, "audio", "processing");
	g_autofree char *aenc_desc = relais_media_conf_dup_fragment(conf, "audio", "encoder");

	/* One bin per direction and medium: fragments are pieces of a chain
	 * (a source may end with caps), which the parser accepts only between
	 * elements. The leaky one-buffer queue puts capture and encoding on two
	 * threads and makes the encoder take the freshest frame, never a
	 * backlog. videoscale, videorate and the capsfilter are the sending
	 * rate's picture steps (media-ratectl.c): they pass frames through
	 * untouched until the capsfilter asks for a smaller size or rate. The
	 * self-view branch is leaky too, so that a slow UI never holds capture
	 * back; its videoconvert only negotiates (passthrough, no work, when
	 * the source is I420 as on every board). */
	/* The sources are bins of their own ("camera-source",
	 * "microphone-source"), linked to the chains' ghost sink pads: a
	 * device that fails is taken out and replaced without touching the
	 * encoders (media-device.c). */
	c->video_desc = relais_capture_source_desc(vsrc_desc);
	c->audio_desc = relais_capture_source_desc(asrc_desc);
	c->video_source = parse_owned("camera-source", c->video_desc, error);
	if (c->video_source == NULL)
		return FALSE;
	c->audio_source = parse_owned("microphone-source", c->audio_desc, error);
	if (c->audio_source == NULL)
		return FALSE;

	g_autofree char *vchain = g_strdup_printf(
		"tee name=relais-video-tee ! queue name=relais-video-queue max-size-buffers=1 "
		"max-size-bytes=0 max-size-time=0 leaky=downstream ! videoscale name=relais-video-scale ! "
		"videorate name=relais-video-rate drop-only=true ! capsfilter name=relais-video-size ! %s "
		"relais-video-tee. ! queue name=relais-local-queue max-size-buffers=1 max-size-bytes=0 "
		"max-size-time=0 leaky=downstream ! videoconvert ! appsink name=local-video",
		venc_desc);
	c->video = parse_owned("video-send", vchain, error);
	if (c->video == NULL)
		return FALSE;
	g_autoptr(GstElement) tee = gst_bin_get_by_name(GST_BIN(c->video), "relais-video-tee");
	g_autoptr(GstElement) local_queue = gst_bin_get_by_name(GST_BIN(c->video), "relais-local-queue");
	g_autoptr(GstElement) local_sink = gst_bin_get_by_name(GST_BIN(c->video), "local-video");
	if (tee == NULL || local_queue == NULL || local_sink == NULL) {
		g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_PIPELINE,
			    "[video] cannot find the engine's tee, self-view queue and appsink");
		return FALSE;
	}
	c->camera = gst_element_get_static_pad(tee, "sink");
	g_autoptr(GstPad) gate = gst_element_get_static_pad(local_queue, "sink");
	relais_frame_slot_add_gate(slot, gate);
	if (!self_view(c->video, slot, error))
		return FALSE;

	/* Same for audio, but a few frames deep: webrtcbin blocks its inputs
	 * until DTLS is up, and a blocked live source catches up afterwards
	 * with a burst of stale sound that costs CPU at the worst moment and
	 * lands in the far end's jitter buffer as delay. */
	/* The mute is a volume element after the processing (webrtcdsp): the
	 * encoder gets digital silence, the canceller keeps adapting, and the
	 * level is measured on its input. Unmuted at 1.0 it is passthrough. */
	g_autofree char *achain = g_strdup_printf("queue name=relais-audio-queue max-size-buffers=0 "
						  "max-size-bytes=0 max-size-time=50000000 leaky=downstream ! %s ! "
						  "volume name=relais-mute ! %s",
						  aproc_desc, aenc_desc);
	c->audio = parse_owned("audio-send", achain, error);
	if (c->audio == NULL)
		return FALSE;
	c->mute = gst_bin_get_by_name(GST_BIN(c->audio), "relais-mute");
	if (c->mute == NULL) {
		g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_PIPELINE,
			    "[audio] cannot find the engine's mute");
		return FALSE;
	}
	return meter(c->audio, "relais-mute", level, error);
}

gboolean relais_capture_build_preview(RelaisCapture *c, const RelaisMediaConf *conf, RelaisFrameSlot *slot,
				      RelaisLevel *level, GError **error)
{
	g_return_val_if_fail(c != NULL && conf != NULL && slot != NULL && level != NULL, FALSE);
	g_autofree char *vsrc = NULL, *asrc = NULL;
	if (!dup_sources(conf, &vsrc, &asrc, error))
		return FALSE;

	g_autofree char *vdesc = g_strdup_printf("%s ! videoconvert ! appsink name=local-video", vsrc);
	c->video = parse_owned("preview-video", vdesc, error);
	if (c->video == NULL || !self_view(c->video, slot, error))
		return FALSE;

	/* The microphone only feeds the meter. sync=false: the live source
	 * paces it; waiting on the clock would only add wake-ups. */
	g_autofree char *adesc = g_strdup_printf(
		"%s ! audioconvert ! audio/x-raw,format=S16LE ! fakesink name=mic sync=false async=false "
		"enable-last-sample=false",
		asrc);
	c->audio = parse_owned("preview-audio", adesc, error);
	if (c->audio == NULL)
		return FALSE;
	return meter(c->audio, "mic", level, error);
}

void relais_capture_clear(RelaisCapture *c)
{
	g_clear_object(&c->video);
	g_clear_object(&c->audio);
	g_clear_object(&c->video_source);
	g_clear_object(&c->audio_source);
	g_clear_pointer(&c->video_desc, g_free);
	g_clear_pointer(&c->audio_desc, g_free);
	g_clear_object(&c->camera);
	g_clear_object(&c->mute);
}
