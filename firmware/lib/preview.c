/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "relais-preview"

#include "preview.h"
#include "media-capture.h"
#include "media-frames.h"
#include "media-pipeline.h"
#include "media-pulse.h"

#include <gst/gst.h>

/*
 * The bins come from media-capture.c, as the call's do; the pipeline's
 * care (bus watch, start, errors, graph dump) from media-pipeline.c.
 *
 * Lifetime as in media.c: the bus watch holds a reference on the preview,
 * the appsink callbacks one on the frame slot and the level probe one on
 * the level, and the bus watch checks `closed` first, so that nothing
 * touches freed memory and nothing reaches the owner after
 * relais_preview_free(). Errors arrive through the bus watch, which runs on
 * the owner's context already: a failure is delivered from there, once,
 * after the pipeline has been stopped.
 */

struct _RelaisPreview {
	gatomicrefcount ref;
	GMutex lock;
	gboolean closed, started, running, failed;

	GMainContext *context;
	char *board;
	RelaisPreviewErrorFunc error_func;
	gpointer error_data;

	/* The camera's frame function (media-frames.h). */
	RelaisFrameSlot *frames;

	GstElement *pipeline;
	GSource *bus_source;
	RelaisLevel *level;
	/* The camera's streaming thread, for the booth's watchdog: armed
	 * while running. */
	RelaisPulse *pulse;
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
	g_clear_pointer(&p->pulse, relais_pulse_unref);
	g_clear_pointer(&p->frames, relais_frame_slot_unref);
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

/* Owner's context (the bus watch). */
static gboolean on_bus_message(GstBus *bus, GstMessage *msg, gpointer data)
{
	RelaisPreview *p = data;
	if (is_closed(p))
		return G_SOURCE_REMOVE;
	if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_WARNING) {
		relais_media_log_warning(msg);
		return G_SOURCE_CONTINUE;
	}
	if (GST_MESSAGE_TYPE(msg) != GST_MESSAGE_ERROR)
		return G_SOURCE_CONTINUE;

	g_autoptr(GError) err = relais_media_error_from_message(msg);
	g_mutex_lock(&p->lock);
	gboolean first = !p->failed;
	p->failed = TRUE;
	p->running = FALSE;
	RelaisPreviewErrorFunc func = p->error_func;
	gpointer user_data = p->error_data;
	g_mutex_unlock(&p->lock);
	if (!first)
		return G_SOURCE_CONTINUE;

	relais_media_pipeline_dump(p->pipeline, "relais-preview", "error");
	relais_pulse_arm(p->pulse, FALSE);
	/* Release the devices before anyone hears of it. */
	gst_element_set_state(p->pipeline, GST_STATE_NULL);
	if (func != NULL) {
		g_prefix_error(&err, "preview (board %s): ", p->board);
		/* May free the preview: this source's reference keeps it valid. */
		func(p, err, user_data);
	}
	return is_closed(p) ? G_SOURCE_REMOVE : G_SOURCE_CONTINUE;
}

static gboolean build_pipeline(RelaisPreview *p, const RelaisMediaConf *conf, GError **error)
{
	g_auto(RelaisCapture) capture = {0};
	if (!relais_capture_build_preview(&capture, conf, p->frames, p->level, error))
		return FALSE;
	/* the self-view sink is on the camera's streaming thread (no queue) */
	g_autoptr(GstElement) sink = gst_bin_get_by_name(GST_BIN(capture.video), "local-video");
	g_autoptr(GstPad) pad = sink ? gst_element_get_static_pad(sink, "sink") : NULL;
	if (pad == NULL) {
		g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_PIPELINE, "[video] no self-view appsink");
		return FALSE;
	}
	relais_pulse_attach(p->pulse, pad);

	static guint serial = 0;
	g_autofree char *pname = g_strdup_printf("relais-%s-preview-%u", p->board, g_atomic_int_add(&serial, 1));
	p->pipeline = relais_media_pipeline_new(pname);
	/* capture owns its bins (sunk): the pipeline takes a reference of its
	 * own when it adds one; a gst_object_ref() here would be one too many
	 * (both bins, and through their probes the preview, kept forever) */
	gst_bin_add(GST_BIN(p->pipeline), capture.video);
	gst_bin_add(GST_BIN(p->pipeline), capture.audio);
	p->bus_source = relais_media_watch_bus(p->pipeline, p->context, on_bus_message, preview_ref(p), preview_unref);
	return TRUE;
}

RelaisPreview *relais_preview_new(const RelaisMediaConf *conf, GError **error)
{
	g_return_val_if_fail(conf != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	if (!gst_is_initialized() && !gst_init_check(NULL, NULL, error))
		return NULL;
	relais_media_debug_init();

	RelaisPreview *p = g_new0(RelaisPreview, 1);
	g_atomic_ref_count_init(&p->ref);
	g_mutex_init(&p->lock);
	p->frames = relais_frame_slot_new();
	p->context = g_main_context_ref_thread_default();
	p->board = g_strdup(relais_media_conf_get_board(conf));
	p->level = relais_level_new();
	p->pulse = relais_pulse_new();

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
	if (!relais_media_pipeline_play(p->pipeline, "preview", p->board, error)) {
		g_mutex_lock(&p->lock);
		p->failed = TRUE; /* what else is on the bus is a consequence */
		g_mutex_unlock(&p->lock);
		return FALSE;
	}
	g_mutex_lock(&p->lock);
	p->running = !p->failed;
	gboolean running = p->running;
	g_mutex_unlock(&p->lock);
	relais_pulse_arm(p->pulse, running);
	return TRUE;
}

void relais_preview_set_frame_func(RelaisPreview *p, RelaisMediaFrameFunc func, gpointer user_data)
{
	g_return_if_fail(p != NULL);
	relais_frame_slot_set(p->frames, func, user_data);
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

guint relais_preview_get_audio_windows(RelaisPreview *p)
{
	g_return_val_if_fail(p != NULL, 0);
	return relais_level_get_windows(p->level);
}

gboolean relais_preview_is_running(RelaisPreview *p)
{
	g_return_val_if_fail(p != NULL, FALSE);
	g_mutex_lock(&p->lock);
	gboolean running = p->running && !p->closed;
	g_mutex_unlock(&p->lock);
	return running;
}

gint64 relais_preview_get_video_silence_us(RelaisPreview *p)
{
	g_return_val_if_fail(p != NULL, -1);
	return relais_pulse_silence_us(p->pulse);
}

gboolean relais_preview_stall_video(RelaisPreview *p, guint ms)
{
	g_return_val_if_fail(p != NULL, FALSE);
	return relais_pulse_stall(p->pulse, ms);
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

	/* First, so that no frame function runs from here on (waits for one
	 * that is running). */
	relais_frame_slot_close(p->frames);
	g_mutex_lock(&p->lock);
	p->closed = TRUE;
	p->running = FALSE;
	p->error_func = NULL;
	g_mutex_unlock(&p->lock);

	/* a stalled camera thread (test hook) lets go before the join below */
	relais_pulse_arm(p->pulse, FALSE);
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
