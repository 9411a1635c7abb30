/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "relais-preview"

#include "preview.h"

#include <gst/gst.h>
#include <gst/app/gstappsink.h>

/*
 * Lifetime as in media.c: the bus watch, the appsink callbacks and the
 * level probe each hold a reference, and the bus watch checks `closed`
 * first, so that nothing touches freed memory and nothing reaches the owner
 * after relais_preview_free(). Errors arrive through the bus watch, which
 * runs on the owner's context already: a failure is delivered from there,
 * once, after the pipeline has been stopped.
 */

struct _RelaisPreview {
	gatomicrefcount ref;
	GMutex lock;
	gboolean closed, started, running, failed;

	GMainContext *context;
	char *board;
	RelaisPreviewErrorFunc error_func;
	gpointer error_data;

	/* Held while the frame function runs, as in media.c. */
	GMutex frame_lock;
	RelaisMediaFrameFunc frame_func;
	gpointer frame_data;

	GstElement *pipeline;
	GSource *bus_source;
	RelaisLevel *level;
};

static RelaisPreview *preview_ref(RelaisPreview *p)
{
	g_atomic_ref_count_inc(&p->ref);
	return p;
}

static void preview_unref(gpointer data)
{
	RelaisPreview *p = data;
	if (!g_atomic_ref_count_dec(&p->ref))
		return;
	g_assert(p->pipeline == NULL);
	g_clear_pointer(&p->level, relais_level_unref);
	g_mutex_clear(&p->frame_lock);
	g_mutex_clear(&p->lock);
	g_main_context_unref(p->context);
	g_free(p->board);
	g_free(p);
}

static gboolean is_closed(RelaisPreview *p)
{
	g_mutex_lock(&p->lock);
	gboolean closed = p->closed;
	g_mutex_unlock(&p->lock);
	return closed;
}

static void dump_graph(RelaisPreview *p, const char *why)
{
	if (p->pipeline == NULL)
		return;
	/* Written only when GST_DEBUG_DUMP_DOT_DIR is set. */
	g_autofree char *name = g_strdup_printf("relais-preview-%s", why);
	GST_DEBUG_BIN_TO_DOT_FILE_WITH_TS(GST_BIN(p->pipeline), GST_DEBUG_GRAPH_SHOW_ALL, name);
}

static GstFlowReturn on_new_sample(GstAppSink *sink, gpointer data)
{
	RelaisPreview *p = data;
	/* Pulled at once: the appsink keeps no picture of the visitor. */
	GstSample *sample = gst_app_sink_try_pull_sample(sink, 0);
	if (sample == NULL)
		return GST_FLOW_OK;
	g_mutex_lock(&p->frame_lock);
	if (p->frame_func != NULL)
		p->frame_func(sample, p->frame_data);
	g_mutex_unlock(&p->frame_lock);
	gst_sample_unref(sample);
	return GST_FLOW_OK;
}

/* Owner's context (the bus watch). */
static gboolean on_bus_message(GstBus *bus, GstMessage *msg, gpointer data)
{
	RelaisPreview *p = data;
	if (is_closed(p))
		return G_SOURCE_REMOVE;
	if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_WARNING) {
		g_autoptr(GError) err = NULL;
		gst_message_parse_warning(msg, &err, NULL);
		g_info("warning from %s: %s", GST_MESSAGE_SRC_NAME(msg), err->message);
		return G_SOURCE_CONTINUE;
	}
	if (GST_MESSAGE_TYPE(msg) != GST_MESSAGE_ERROR)
		return G_SOURCE_CONTINUE;

	g_autoptr(GError) err = NULL;
	g_autofree char *debug = NULL;
	gst_message_parse_error(msg, &err, &debug);
	g_debug("error from %s: %s (%s)", GST_MESSAGE_SRC_NAME(msg), err->message, debug ? debug : "");
	g_mutex_lock(&p->lock);
	gboolean first = !p->failed;
	p->failed = TRUE;
	p->running = FALSE;
	RelaisPreviewErrorFunc func = p->error_func;
	gpointer user_data = p->error_data;
	g_mutex_unlock(&p->lock);
	if (!first)
		return G_SOURCE_CONTINUE;

	dump_graph(p, "error");
	/* Release the devices before anyone hears of it. */
	gst_element_set_state(p->pipeline, GST_STATE_NULL);
	if (func != NULL) {
		g_autoptr(GError) out =
			g_error_new(RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_PIPELINE, "preview (board %s): %s: %s",
				    p->board, GST_MESSAGE_SRC_NAME(msg), err->message);
		/* May free the preview: this source's reference keeps it valid. */
		func(p, out, user_data);
	}
	return is_closed(p) ? G_SOURCE_REMOVE : G_SOURCE_CONTINUE;
}

static gboolean build_pipeline(RelaisPreview *p, const RelaisMediaConf *conf, GError **error)
{
	g_autofree char *vsrc = relais_media_conf_dup_source(conf, "video", error);
	if (vsrc == NULL)
		return FALSE;
	g_autofree char *asrc = relais_media_conf_dup_source(conf, "audio", error);
	if (asrc == NULL)
		return FALSE;

	static guint serial = 0;
	g_autofree char *pname = g_strdup_printf("relais-%s-preview-%u", p->board, g_atomic_int_add(&serial, 1));
	p->pipeline = gst_object_ref_sink(gst_pipeline_new(pname));

	/* The camera's frames go to the UI as they come: one frame deep,
	 * dropped rather than queued, and not paced on the clock (a live
	 * source already is). */
	g_autofree char *vdesc = g_strdup_printf("%s ! videoconvert ! appsink name=local-video", vsrc);
	GstElement *video = relais_media_parse_fragment("preview-video", vdesc, error);
	if (video == NULL)
		return FALSE;
	gst_bin_add(GST_BIN(p->pipeline), video);
	g_autoptr(GstElement) sink = gst_bin_get_by_name(GST_BIN(video), "local-video");
	g_autoptr(GstCaps) i420 = gst_caps_from_string("video/x-raw,format=I420");
	g_object_set(sink, "caps", i420, "max-buffers", 1, "drop", TRUE, "sync", FALSE, "async", FALSE,
		     "enable-last-sample", FALSE, "qos", FALSE, NULL);
	GstAppSinkCallbacks cb = {.new_sample = on_new_sample};
	gst_app_sink_set_callbacks(GST_APP_SINK(sink), &cb, preview_ref(p), preview_unref);

	/* The microphone only feeds the meter. sync=false: the live source
	 * paces it; waiting on the clock would only add wake-ups. */
	g_autofree char *adesc = g_strdup_printf(
		"%s ! audioconvert ! audio/x-raw,format=S16LE ! fakesink name=mic sync=false async=false "
		"enable-last-sample=false",
		asrc);
	GstElement *audio = relais_media_parse_fragment("preview-audio", adesc, error);
	if (audio == NULL)
		return FALSE;
	gst_bin_add(GST_BIN(p->pipeline), audio);
	g_autoptr(GstElement) mic = gst_bin_get_by_name(GST_BIN(audio), "mic");
	g_autoptr(GstPad) mic_pad = gst_element_get_static_pad(mic, "sink");
	relais_level_attach(p->level, mic_pad);

	GstBus *bus = gst_element_get_bus(p->pipeline);
	p->bus_source = gst_bus_create_watch(bus);
	gst_object_unref(bus);
	g_source_set_callback(p->bus_source, (GSourceFunc)(void (*)(void))on_bus_message, preview_ref(p),
			      preview_unref);
	g_source_attach(p->bus_source, p->context);
	return TRUE;
}

RelaisPreview *relais_preview_new(const RelaisMediaConf *conf, GError **error)
{
	g_return_val_if_fail(conf != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	if (!gst_is_initialized() && !gst_init_check(NULL, NULL, error))
		return NULL;

	RelaisPreview *p = g_new0(RelaisPreview, 1);
	g_atomic_ref_count_init(&p->ref);
	g_mutex_init(&p->lock);
	g_mutex_init(&p->frame_lock);
	p->context = g_main_context_ref_thread_default();
	p->board = g_strdup(relais_media_conf_get_board(conf));
	p->level = relais_level_new();

	g_autoptr(GError) local = NULL;
	if (!build_pipeline(p, conf, &local)) {
		g_propagate_prefixed_error(error, g_steal_pointer(&local), "preview: ");
		relais_preview_free(p);
		return NULL;
	}
	return p;
}

gboolean relais_preview_start(RelaisPreview *p, GError **error)
{
	g_return_val_if_fail(p != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	g_mutex_lock(&p->lock);
	gboolean already = p->started;
	p->started = TRUE;
	g_mutex_unlock(&p->lock);
	if (already) {
		g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_STATE, "preview already started");
		return FALSE;
	}
	if (gst_element_set_state(p->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
		dump_graph(p, "start");
		GError *err = relais_media_pop_bus_error(p->pipeline);
		g_mutex_lock(&p->lock);
		p->failed = TRUE; /* what else is on the bus is a consequence */
		g_mutex_unlock(&p->lock);
		gst_element_set_state(p->pipeline, GST_STATE_NULL);
		if (err == NULL)
			err = g_error_new_literal(RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_PIPELINE,
						  "the pipeline refused to start");
		g_propagate_prefixed_error(error, err, "preview (board %s): ", p->board);
		return FALSE;
	}
	g_mutex_lock(&p->lock);
	p->running = !p->failed;
	g_mutex_unlock(&p->lock);
	return TRUE;
}

void relais_preview_set_frame_func(RelaisPreview *p, RelaisMediaFrameFunc func, gpointer user_data)
{
	g_return_if_fail(p != NULL);
	g_mutex_lock(&p->frame_lock);
	if (is_closed(p))
		func = NULL;
	p->frame_func = func;
	p->frame_data = func ? user_data : NULL;
	g_mutex_unlock(&p->frame_lock);
}

void relais_preview_set_error_func(RelaisPreview *p, RelaisPreviewErrorFunc func, gpointer user_data)
{
	g_return_if_fail(p != NULL);
	g_mutex_lock(&p->lock);
	p->error_func = func;
	p->error_data = user_data;
	g_mutex_unlock(&p->lock);
}

double relais_preview_get_mic_level(RelaisPreview *p)
{
	g_return_val_if_fail(p != NULL, 0.0);
	return relais_level_get(p->level);
}

gboolean relais_preview_is_running(RelaisPreview *p)
{
	g_return_val_if_fail(p != NULL, FALSE);
	g_mutex_lock(&p->lock);
	gboolean running = p->running && !p->closed;
	g_mutex_unlock(&p->lock);
	return running;
}

GstElement *relais_preview_dup_pipeline(RelaisPreview *p)
{
	g_return_val_if_fail(p != NULL, NULL);
	g_mutex_lock(&p->lock);
	GstElement *pipeline = (!p->closed && p->pipeline) ? gst_object_ref(p->pipeline) : NULL;
	g_mutex_unlock(&p->lock);
	return pipeline;
}

void relais_preview_free(RelaisPreview *p)
{
	if (p == NULL)
		return;

	g_mutex_lock(&p->frame_lock);
	p->frame_func = NULL;
	p->frame_data = NULL;
	g_mutex_lock(&p->lock);
	p->closed = TRUE;
	p->running = FALSE;
	p->error_func = NULL;
	g_mutex_unlock(&p->lock);
	g_mutex_unlock(&p->frame_lock);

	if (p->bus_source != NULL) {
		g_source_destroy(p->bus_source);
		g_clear_pointer(&p->bus_source, g_source_unref);
	}
	GstElement *pipeline = NULL;
	if (p->pipeline != NULL) {
		/* Synchronous: joins the streaming threads, closes the devices. */
		gst_element_set_state(p->pipeline, GST_STATE_NULL);
	}
	g_mutex_lock(&p->lock);
	pipeline = g_steal_pointer(&p->pipeline);
	g_mutex_unlock(&p->lock);
	g_clear_object(&pipeline);
	preview_unref(p);
}
