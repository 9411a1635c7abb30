/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * media-pipeline: what the call engine (media.c) and the preview
 * (preview.c) both do with a pipeline: parse the boards' gst-launch
 * fragments into bins, find elements in them, watch the bus on the owner's
 * context, start it or say clearly why not, turn a bus error into a GError,
 * and dump the graph on a failure. Also the media tier's GStreamer debug
 * category: GST_DEBUG=relais-media:6.
 */
#pragma once

#include <glib.h>
#include <gst/gst.h>

G_BEGIN_DECLS

/* Registers the "relais-media" debug category; any thread, idempotent. */
void relais_media_debug_init(void);

/* Returns: (transfer full) a bin parsed from a gst-launch fragment, named
 * `name`, with ghost pads for its free ends; NULL with
 * RELAIS_MEDIACONF_ERROR_MISSING_ELEMENT naming the Debian package when an
 * element is not installed, or RELAIS_MEDIA_ERROR_PIPELINE. */
GstElement *relais_media_parse_fragment(const char *name, const char *desc, GError **error);

/* Returns: (transfer full) a new pipeline (not floating) that runs on the
 * system's monotonic clock, never on a device's: a microphone (alsasrc,
 * pulsesrc on the real boards) provides a clock and the pipeline would
 * pick it; unplugging the microphone then took the whole call's clock with
 * it (CLOCK_LOST: the pipeline stands still until it goes to PAUSED and
 * back). Audio sources slave their timestamps to it (audiobasesrc's
 * slave-method, skew by default). */
GstElement *relais_media_pipeline_new(const char *name);

/* Returns: (transfer full) a new element (not floating), or NULL with
 * RELAIS_MEDIACONF_ERROR_MISSING_ELEMENT naming its Debian package. */
GstElement *relais_media_make_element(const char *factory, const char *name, GError **error);

/* Returns: (transfer full) (nullable) the first element in bin made by a
 * factory whose name is factory_name, or whose klass contains klass_word. */
GstElement *relais_media_find_element(GstBin *bin, const char *factory_name, const char *klass_word);

/* Sinks of the remote tails get data only once a peer sends; they must not
 * hold the pipeline in PAUSED waiting for a preroll buffer, nor keep the
 * last frame or sound of a session around (privacy). */
void relais_media_tame_sinks(GstBin *bin);

/* Returns: (transfer none) (nullable) the caps of a pad probe's
 * downstream CAPS event; NULL for anything else. */
GstCaps *relais_media_probe_caps(GstPadProbeInfo *info);

/* Returns: (transfer full) a watch on pipeline's bus, attached to context,
 * calling func(bus, message, data); notify is called on data when the
 * source is destroyed. */
GSource *relais_media_watch_bus(GstElement *pipeline, GMainContext *context, GstBusFunc func, gpointer data,
				GDestroyNotify notify);

/* Sets pipeline PLAYING. On failure: dumps the graph ("relais-<what>-start"),
 * sets it back to NULL (devices released) and fails with the first error on
 * the bus, prefixed "<what> (board <board>): ". */
gboolean relais_media_pipeline_play(GstElement *pipeline, const char *what, const char *board,
				    GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Returns: (transfer full) (nullable) the first error on the pipeline's bus,
 * as RELAIS_MEDIA_ERROR_PIPELINE naming the element; NULL if none. */
GError *relais_media_pop_bus_error(GstElement *pipeline);

/* Returns: (transfer full) the error of a GST_MESSAGE_ERROR as
 * RELAIS_MEDIA_ERROR_PIPELINE "element: message"; logs its debug text. */
GError *relais_media_error_from_message(GstMessage *message);
/* Logs a GST_MESSAGE_WARNING (g_info). */
void relais_media_log_warning(GstMessage *message);

/* Writes the graph as <prefix>-<why>.dot with a timestamp, when
 * GST_DEBUG_DUMP_DOT_DIR is set (nothing otherwise). */
void relais_media_pipeline_dump(GstElement *pipeline, const char *prefix, const char *why);

G_END_DECLS
