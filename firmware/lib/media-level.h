/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * media-level: a peak meter on raw audio, for the "we hear you" bar of the
 * call (relais_media_get_mic_level) and of the preview. Internal to the
 * media tier (media.h includes it for the tests that meter what they hear).
 *
 * Reference counted: a pad probe holds one reference, the engine another.
 * The probe publishes the peak of each ~100 ms window with an atomic store;
 * reading is lock-free, from any thread.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Forward declaration: the UI includes media.h without GStreamer's. */
struct _GstPad;

/* Raw audio, S16 or F32 interleaved; other formats read as 0. */
typedef struct _RelaisLevel RelaisLevel;

/* Returns: (transfer full) a meter reading 0 until its first window. */
RelaisLevel *relais_level_new(void);
void relais_level_unref(RelaisLevel *level);
/* Adds the probe to pad (raw audio flows through it); once per level. */
void relais_level_attach(RelaisLevel *level, struct _GstPad *pad);
/* Peak of the last window, 0..1 of full scale (linear). */
double relais_level_get(RelaisLevel *level);
/* Windows published so far: sound has flowed once this is above 0, silent
 * or not (the booth's start-up check of its microphone). */
guint relais_level_get_windows(RelaisLevel *level);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RelaisLevel, relais_level_unref)

G_END_DECLS
