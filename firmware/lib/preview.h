/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * preview: the visitor's self-check before "I'm ready": their own camera
 * picture and a live microphone level, and nothing else.
 *
 *   video source (the board's camera, or its fallback) ! videoconvert ! appsink (I420)
 *   audio source ! audioconvert ! S16 ! [level probe] fakesink
 *
 * The same capture fragments as the call (relais_media_conf_dup_source()),
 * so that the visitor checks the camera and microphone the call will use.
 * There is no webrtcbin, no network element, no encoder: nothing leaves the
 * process. The videoconvert and audioconvert only negotiate: they are
 * passthrough (no work) when the source is I420 / S16, as on every board.
 *
 * Privacy: nothing of the camera or the microphone runs unless a RelaisPreview
 * (from relais_preview_start() to relais_preview_free()) or a RelaisMedia
 * (media.h) exists; these two objects are the only ones in the firmware
 * that hold capture elements, built for both by media-capture.c. relais_preview_free() returns with the
 * devices closed, so the media engine can open them right after.
 *
 * Threading: as media.h. The error function runs on the GMainContext that
 * was the thread-default when relais_preview_new() was called, never after
 * relais_preview_free() (which it may call); the frame function runs on a
 * streaming thread.
 */
#pragma once

#include <glib.h>
#include "media.h"
#include "mediaconf.h"

G_BEGIN_DECLS

typedef struct _RelaisPreview RelaisPreview;

/* A runtime failure (camera unplugged, device busy, element error): the
 * preview has stopped (relais_preview_is_running() is FALSE). */
typedef void (*RelaisPreviewErrorFunc)(RelaisPreview *preview, const GError *error, gpointer user_data);

/* Returns: (transfer full) a preview built from conf (nothing is opened
 * yet), or NULL with error: RELAIS_MEDIACONF_ERROR_MISSING_DEVICE for a
 * camera or microphone that is absent with no fallback,
 * RELAIS_MEDIACONF_ERROR_MISSING_ELEMENT (naming the Debian package) for an
 * element that is not installed, RELAIS_MEDIA_ERROR_PIPELINE otherwise.
 * conf is not used after this returns. */
RelaisPreview *relais_preview_new(const RelaisMediaConf *conf, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Opens the camera and the microphone. FALSE with
 * RELAIS_MEDIA_ERROR_PIPELINE (naming the element) when a device cannot be
 * opened; RELAIS_MEDIA_ERROR_STATE when already started. Later failures
 * come through the error function. */
gboolean relais_preview_start(RelaisPreview *preview, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* As relais_media_set_frame_func() for the camera: each new I420 frame, on
 * a streaming thread; NULL clears; when it returns the previous function is
 * no longer running. */
void relais_preview_set_frame_func(RelaisPreview *preview, RelaisMediaFrameFunc func, gpointer user_data);

/* Called once, on the owner's context, for the first runtime failure. */
void relais_preview_set_error_func(RelaisPreview *preview, RelaisPreviewErrorFunc func, gpointer user_data);

/* Peak of the last ~100 ms of the raw microphone, 0..1 of full scale
 * (linear; before echo cancellation, which needs a call). Lock-free. */
double relais_preview_get_mic_level(RelaisPreview *preview);

/* ~100 ms windows of microphone sound seen so far (0: none yet). */
guint relais_preview_get_audio_windows(RelaisPreview *preview);

/* TRUE from a successful start() until a runtime failure or free(). */
gboolean relais_preview_is_running(RelaisPreview *preview);

/* As relais_media_get_video_silence_us(): microseconds since the camera's
 * streaming thread last delivered a frame; -1 unless running. */
gint64 relais_preview_get_video_silence_us(RelaisPreview *preview);
/* As relais_media_stall_video() (test hook). */
gboolean relais_preview_stall_video(RelaisPreview *preview, guint ms);

/* Returns: (transfer full) (nullable) the pipeline, for tests and
 * diagnostics only; never change its state or structure. */
struct _GstElement *relais_preview_dup_pipeline(RelaisPreview *preview);

/* Stops synchronously (state NULL: camera and microphone closed when it
 * returns, no frame function running or to come) and frees. */
void relais_preview_free(RelaisPreview *preview);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RelaisPreview, relais_preview_free)

G_END_DECLS
