/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "relais-media"

#include "media-pipeline.h"
#include "media.h"
#include "mediaconf.h"

#include <string.h>
#include <gst/base/gstbasesink.h>

GST_DEBUG_CATEGORY(relais_media_debug);
#define GST_CAT_DEFAULT relais_media_debug

void relais_media_debug_init(void)
{
	static gsize done = 0;
	if (g_once_init_enter(&done)) {
		GST_DEBUG_CATEGORY_INIT(relais_media_debug, "relais-media", 0, "Relais call engine and preview");
		g_once_init_leave(&done, 1);
	}
}

GstElement *relais_media_parse_fragment(const char *name, const char *desc, GError **error)
{
	g_autoptr(GError) local = NULL;
	GstParseContext *ctx = gst_parse_context_new();
	GstElement *bin = gst_parse_bin_from_description_full(desc, TRUE, ctx, GST_PARSE_FLAG_FATAL_ERRORS, &local);
	g_auto(GStrv) missing = gst_parse_context_get_missing_elements(ctx);
	gst_parse_context_free(ctx);
	if (bin == NULL) {
		const char *pkg = (missing && missing[0]) ? relais_media_conf_package_for(missing[0]) : NULL;
		if (pkg != NULL)
			g_set_error(error, RELAIS_MEDIACONF_ERROR, RELAIS_MEDIACONF_ERROR_MISSING_ELEMENT,
				    "%s: missing GStreamer element %s (Debian package %s)", name, missing[0], pkg);
		else if (missing && missing[0])
			g_set_error(error, RELAIS_MEDIACONF_ERROR, RELAIS_MEDIACONF_ERROR_MISSING_ELEMENT,
				    "%s: missing GStreamer element %s (no known Debian package: check the name)", name,
				    missing[0]);
		else
			g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_PIPELINE, "%s: %s", name,
				    local ? local->message : "cannot build");
		return NULL;
	}
	gst_object_set_name(GST_OBJECT(bin), name);
	return bin;
}

GstElement *relais_media_pipeline_new(const char *name)
{
	GstElement *pipeline = gst_object_ref_sink(gst_pipeline_new(name));
	GstClock *clock = gst_system_clock_obtain();
	gst_pipeline_use_clock(GST_PIPELINE(pipeline), clock);
	gst_object_unref(clock);
	return pipeline;
}

GstElement *relais_media_make_element(const char *factory, const char *name, GError **error)
{
	GstElement *el = gst_element_factory_make(factory, name);
	if (el == NULL) {
		const char *pkg = relais_media_conf_package_for(factory);
		g_set_error(error, RELAIS_MEDIACONF_ERROR, RELAIS_MEDIACONF_ERROR_MISSING_ELEMENT,
			    "missing GStreamer element %s (Debian package %s)", factory, pkg ? pkg : "unknown");
		return NULL;
	}
	return gst_object_ref_sink(el);
}

GstElement *relais_media_find_element(GstBin *bin, const char *factory_name, const char *klass_word)
{
	GstElement *found = NULL;
	GstIterator *it = gst_bin_iterate_recurse(bin);
	GValue item = G_VALUE_INIT;
	while (found == NULL && gst_iterator_next(it, &item) == GST_ITERATOR_OK) {
		GstElement *el = g_value_get_object(&item);
		GstElementFactory *f = gst_element_get_factory(el);
		if (f != NULL) {
			const char *klass = gst_element_factory_get_metadata(f, GST_ELEMENT_METADATA_KLASS);
			if ((factory_name && g_str_equal(GST_OBJECT_NAME(f), factory_name)) ||
			    (klass_word && klass && strstr(klass, klass_word)))
				found = gst_object_ref(el);
		}
		g_value_reset(&item);
	}
	g_value_unset(&item);
	gst_iterator_free(it);
	return found;
}

void relais_media_tame_sinks(GstBin *bin)
{
	GstIterator *it = gst_bin_iterate_sinks(bin);
	GValue item = G_VALUE_INIT;
	while (gst_iterator_next(it, &item) == GST_ITERATOR_OK) {
		GstElement *sink = g_value_get_object(&item);
		if (GST_IS_BASE_SINK(sink))
			g_object_set(sink, "async", FALSE, "enable-last-sample", FALSE, NULL);
		g_value_reset(&item);
	}
	g_value_unset(&item);
	gst_iterator_free(it);
}

GError *relais_media_pop_bus_error(GstElement *pipeline)
{
	GstBus *bus = gst_element_get_bus(pipeline);
	GstMessage *msg = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR);
	gst_object_unref(bus);
	if (msg == NULL)
		return NULL;
	GError *err = NULL;
	gst_message_parse_error(msg, &err, NULL);
	GError *out = g_error_new(RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_PIPELINE, "%s: %s", GST_MESSAGE_SRC_NAME(msg),
				  err->message);
	g_error_free(err);
	gst_message_unref(msg);
	return out;
}

GstCaps *relais_media_probe_caps(GstPadProbeInfo *info)
{
	if (!(info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM))
		return NULL;
	GstEvent *ev = GST_PAD_PROBE_INFO_EVENT(info);
	if (GST_EVENT_TYPE(ev) != GST_EVENT_CAPS)
		return NULL;
	GstCaps *caps = NULL;
	gst_event_parse_caps(ev, &caps);
	return caps;
}

GSource *relais_media_watch_bus(GstElement *pipeline, GMainContext *context, GstBusFunc func, gpointer data,
				GDestroyNotify notify)
{
	GstBus *bus = gst_element_get_bus(pipeline);
	GSource *source = gst_bus_create_watch(bus);
	gst_object_unref(bus);
	g_source_set_callback(source, (GSourceFunc)(void (*)(void))func, data, notify);
	g_source_attach(source, context);
	return source;
}

gboolean relais_media_pipeline_play(GstElement *pipeline, const char *what, const char *board, GError **error)
{
	if (gst_element_set_state(pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE)
		return TRUE;
	g_autofree char *prefix = g_strdup_printf("relais-%s", what);
	relais_media_pipeline_dump(pipeline, prefix, "start");
	GError *err = relais_media_pop_bus_error(pipeline);
	gst_element_set_state(pipeline, GST_STATE_NULL);
	if (err == NULL)
		err = g_error_new_literal(RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_PIPELINE,
					  "the pipeline refused to start");
	GST_ERROR_OBJECT(pipeline, "%s (board %s) cannot start: %s", what, board, err->message);
	g_propagate_prefixed_error(error, err, "%s (board %s): ", what, board);
	return FALSE;
}

GError *relais_media_error_from_message(GstMessage *msg)
{
	g_autoptr(GError) err = NULL;
	g_autofree char *debug = NULL;
	gst_message_parse_error(msg, &err, &debug);
	g_autofree char *path = gst_object_get_path_string(GST_MESSAGE_SRC(msg));
	g_debug("error from %s: %s (%s)", path, err->message, debug ? debug : "");
	GST_ERROR_OBJECT(GST_MESSAGE_SRC(msg), "%s (%s)", err->message, debug ? debug : "");
	return g_error_new(RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_PIPELINE, "%s: %s", GST_MESSAGE_SRC_NAME(msg),
			   err->message);
}

void relais_media_log_warning(GstMessage *msg)
{
	g_autoptr(GError) err = NULL;
	g_autofree char *debug = NULL;
	gst_message_parse_warning(msg, &err, &debug);
	g_info("warning from %s: %s", GST_MESSAGE_SRC_NAME(msg), err->message);
	GST_WARNING_OBJECT(GST_MESSAGE_SRC(msg), "%s (%s)", err->message, debug ? debug : "");
}

void relais_media_pipeline_dump(GstElement *pipeline, const char *prefix, const char *why)
{
	/* Written only when GST_DEBUG_DUMP_DOT_DIR is set. */
	g_autofree char *name = g_strdup_printf("%s-%s", prefix, why);
	GST_DEBUG_BIN_TO_DOT_FILE_WITH_TS(GST_BIN(pipeline), GST_DEBUG_GRAPH_SHOW_ALL, name);
}
