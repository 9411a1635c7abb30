/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * media-frames: video frames on their way to the UI, for the call engine
 * and the preview alike.
 *
 * A frame slot holds one RelaisMediaFrameFunc (media.h) under its own lock,
 * held while the function runs: setting or clearing it waits for a call in
 * progress, and after relais_frame_slot_close() nothing is called again.
 * Reference counted, so that the appsink callbacks and pad probes that feed
 * it can outlive their owner's free() safely (a test may still hold the
 * pipeline).
 *
 * Also here: the settings every UI appsink shares, and the camera-off swap
 * of the call engine (each captured frame replaced by a shared black one).
 */
#pragma once

#include <glib.h>
#include "media.h"

G_BEGIN_DECLS

struct _GstElement;
struct _GstPad;
struct _GstSample;

typedef struct _RelaisFrameSlot RelaisFrameSlot;

/* Returns: (transfer full) an empty, open slot. */
RelaisFrameSlot *relais_frame_slot_new(void);
RelaisFrameSlot *relais_frame_slot_ref(RelaisFrameSlot *slot);
void relais_frame_slot_unref(RelaisFrameSlot *slot);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RelaisFrameSlot, relais_frame_slot_unref)

/* Sets (or with NULL clears) the function; a no-op clear once closed.
 * Waits for a call in progress. Any thread. */
void relais_frame_slot_set(RelaisFrameSlot *slot, RelaisMediaFrameFunc func, gpointer user_data);
/* Clears the function for good (waits for a call in progress). */
void relais_frame_slot_close(RelaisFrameSlot *slot);
/* Whether a function is set; lock-free, for streaming threads. */
gboolean relais_frame_slot_wanted(RelaisFrameSlot *slot);
/* Calls the function, if any, with sample (transfer none). */
void relais_frame_slot_deliver(RelaisFrameSlot *slot, struct _GstSample *sample);

/* An appsink the UI reads: one buffer deep, dropping, never paced on the
 * clock, never holding the pipeline in PAUSED, keeping no last sample
 * (privacy). caps: its caps as a string, or NULL for any. */
void relais_frames_setup_appsink(struct _GstElement *appsink, const char *caps);
/* Each sample of appsink is pulled at once (the appsink keeps no picture
 * of the visitor) and handed to slot. */
void relais_frame_slot_feed_from_appsink(RelaisFrameSlot *slot, struct _GstElement *appsink);
/* Each buffer through pad (an appsink's input) goes to slot as a sample
 * with the pad's caps, while a function is set; the buffer flows on. */
void relais_frame_slot_add_probe(RelaisFrameSlot *slot, struct _GstPad *pad);
/* Buffers through pad are dropped while slot has no function: nothing
 * downstream wakes for frames nobody looks at. */
void relais_frame_slot_add_gate(RelaisFrameSlot *slot, struct _GstPad *pad);

/* Camera off (relais_media_set_camera_off): on the raw camera pad, every
 * frame is replaced by a black one while media's camera_off is set. */
void relais_media_camera_off_attach(RelaisMedia *media, struct _GstPad *pad);

G_END_DECLS
