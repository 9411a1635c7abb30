/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * media-capture: the camera and microphone bins, built from a board's
 * media.conf (the sources, and for a call the encoders and audio processing
 * as pipelines/ fragments say). The only module that builds capture
 * elements (relais_media_conf_dup_source()): the call engine (media.c) and
 * the preview (preview.c) both get theirs here, so that the visitor checks
 * exactly the camera and microphone the call will use, and the privacy rule
 * has one place to read.
 *
 *   call:    [camera-source] ─(camera)─ tee ! queue(leaky, 1 frame) ! video encoder
 *                               └─[gate]─ queue(leaky, 1) ! videoconvert ! appsink (local-video)
 *            [microphone-source] ─ queue(leaky, 50 ms) ! processing ─[level]─ volume(relais-mute) ! audio encoder
 *
 *   In a call each source is a bin of its own, linked to its chain's ghost
 *   sink pad, so that a device that fails can be swapped for a placeholder
 *   and back (media-device.c) while the encoders go on.
 *   preview: camera ! videoconvert ! appsink (local-video)
 *            microphone ! audioconvert ! S16 ─[level]─ fakesink
 *
 * The self-view appsink hands every frame to a frame slot (media-frames.h);
 * the call's gate drops frames before their queue while nobody looks.
 * Nothing is opened until the bins play.
 */
#pragma once

#include <gst/gst.h>
#include "media-frames.h"
#include "media-level.h"
#include "mediaconf.h"

G_BEGIN_DECLS

typedef struct {
	GstElement *video; /* (owned) the camera's bin, not in a pipeline yet */
	GstElement *audio; /* (owned) the microphone's bin, not in a pipeline yet */
	GstPad *camera;	   /* (owned) call only: every raw frame passes here, before the tee */
	GstElement *mute;  /* (owned) call only: the volume before the audio encoder */
	/* call only: the sources' bins, each with one src pad to link to the
	 * ghost sink pad of video / audio, and the fragments they came from */
	GstElement *video_source, *audio_source; /* (owned) */
	char *video_desc, *audio_desc;
} RelaisCapture;

/* The call's bins, "video-send" and "audio-send", ending with the encoders'
 * payloaders (free src pads). Errors as relais_media_parse_fragment(), and
 * RELAIS_MEDIACONF_ERROR_MISSING_DEVICE from the sources. */
gboolean relais_capture_build_call(RelaisCapture *capture, const RelaisMediaConf *conf, RelaisFrameSlot *self_view,
				   RelaisLevel *level, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* The preview's bins, "preview-video" and "preview-audio": no encoder,
 * nothing that leaves the process. */
gboolean relais_capture_build_preview(RelaisCapture *capture, const RelaisMediaConf *conf, RelaisFrameSlot *self_view,
				      RelaisLevel *level, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Returns: (transfer full) a source fragment made into a whole bin
 * description (its own src pad), as the call's source bins are built. */
char *relais_capture_source_desc(const char *fragment);

/* Drops what capture still holds (the bins stay in the pipeline they were
 * added to). */
void relais_capture_clear(RelaisCapture *capture);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(RelaisCapture, relais_capture_clear)

G_END_DECLS
