/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "relais-media"

#include "media-device.h"
#include "media-events.h"
#include "media-pipeline.h"
#include "relais-config.h"

#define MESSAGE_NAME   "relais-device"
#define FIRST_RETRY_MS 1000

const char *relais_media_device_name(RelaisMediaDevice device)
{
	return device == RELAIS_MEDIA_CAMERA ? "camera" : "microphone";
}

const char *relais_media_device_state_name(RelaisMediaDeviceState state)
{
	switch (state) {
	case RELAIS_MEDIA_DEVICE_OK:
		return "ok";
	case RELAIS_MEDIA_DEVICE_LOST:
		return "lost";
	case RELAIS_MEDIA_DEVICE_FAILED:
		return "failed";
	}
	return "?";
}

/* What a probe needs: the engine (a reference) and which device. */
typedef struct {
	RelaisMedia *m;
	RelaisMediaDevice which;
} ProbeData;

static ProbeData *probe_data_new(RelaisMedia *m, RelaisMediaDevice which)
{
	ProbeData *d = g_new0(ProbeData, 1);
	d->m = relais_media_ref(m);
	d->which = which;
	return d;
}

static void probe_data_free(gpointer data)
{
	ProbeData *d = data;
	relais_media_unref(d->m);
	g_free(d);
}

/* From a streaming thread to the engine's context, in order with the
 * errors: an application message on the pipeline's bus. */
static void post(RelaisMedia *m, RelaisMediaDevice which, const char *event, guint serial)
{
	GstStructure *st = gst_structure_new(MESSAGE_NAME, "which", G_TYPE_INT, (int)which, "event", G_TYPE_STRING,
					     event, "serial", G_TYPE_UINT, serial, NULL);
	gst_element_post_message(m->pipeline, gst_message_new_application(GST_OBJECT(m->pipeline), st));
}

/* The simulated unplug, on the source bin's src pad: the buffer is refused
 * with an error, which the source element reports itself (basesrc posts
 * "Internal data stream error" and pushes EOS), as a USB camera's source
 * does when its device goes away. */
static GstPadProbeReturn fault_probe(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	ProbeData *d = data;
	if (!g_atomic_int_get(&d->m->devices[d->which].fault))
		return GST_PAD_PROBE_OK;
	GST_PAD_PROBE_INFO_FLOW_RETURN(info) = GST_FLOW_ERROR;
	if (info->type & GST_PAD_PROBE_TYPE_BUFFER)
		gst_buffer_unref(GST_PAD_PROBE_INFO_BUFFER(info));
	else if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST)
		gst_buffer_list_unref(GST_PAD_PROBE_INFO_BUFFER_LIST(info));
	GST_PAD_PROBE_INFO_DATA(info) = NULL;
	return GST_PAD_PROBE_HANDLED;
}

/* On the chain's sink pad, every source's data. */
static GstPadProbeReturn chain_probe(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	ProbeData *d = data;
	RelaisMedia *m = d->m;
	RelaisMediaDeviceSlot *s = &m->devices[d->which];

	if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
		GstEvent *ev = GST_PAD_PROBE_INFO_EVENT(info);
		switch (GST_EVENT_TYPE(ev)) {
		case GST_EVENT_EOS:
			/* A device's end is a loss, never the call's end. */
			post(m, d->which, "eos", g_atomic_int_get((gint *)&s->serial));
			return GST_PAD_PROBE_DROP;
		case GST_EVENT_STREAM_START:
		case GST_EVENT_SEGMENT:
			/* The chain keeps its first stream and segment (both start
			 * at 0, as every live source's): a later source's buffers
			 * are moved onto the running time below. */
			if (g_atomic_int_get(&s->swapped)) {
				GstEvent *have = gst_pad_get_sticky_event(pad, GST_EVENT_TYPE(ev), 0);
				if (have != NULL) {
					gst_event_unref(have);
					return GST_PAD_PROBE_DROP;
				}
			}
			return GST_PAD_PROBE_OK;
		case GST_EVENT_CAPS: {
			GstCaps *caps = NULL;
			gst_event_parse_caps(ev, &caps);
			g_mutex_lock(&m->lock);
			gst_caps_replace(&s->caps, caps);
			g_mutex_unlock(&m->lock);
			return GST_PAD_PROBE_OK;
		}
		default:
			return GST_PAD_PROBE_OK;
		}
	}

	if (!(info->type & GST_PAD_PROBE_TYPE_BUFFER))
		return GST_PAD_PROBE_OK;
	if (g_atomic_int_compare_and_exchange(&s->confirm, 1, 0))
		post(m, d->which, "ok", g_atomic_int_get((gint *)&s->serial));
	if (!g_atomic_int_get(&s->swapped))
		return GST_PAD_PROBE_OK;

	GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER(info);
	GstClockTime pts = GST_BUFFER_PTS(buf);
	if (!GST_CLOCK_TIME_IS_VALID(pts))
		return GST_PAD_PROBE_OK;
	if (!s->offset_set) {
		GstClock *clock = gst_element_get_clock(m->pipeline);
		if (clock == NULL)
			return GST_PAD_PROBE_OK;
		GstClockTime now = gst_clock_get_time(clock);
		gst_object_unref(clock);
		GstClockTime base = gst_element_get_base_time(m->pipeline);
		GstClockTime running = now > base ? now - base : 0;
		s->offset = GST_CLOCK_DIFF(pts, running);
		s->offset_set = TRUE;
		GST_INFO_OBJECT(pad, "%s: source's first pts %" GST_TIME_FORMAT " at running time %" GST_TIME_FORMAT,
				relais_media_device_name(d->which), GST_TIME_ARGS(pts), GST_TIME_ARGS(running));
	}
	buf = gst_buffer_make_writable(buf);
	GstClockTimeDiff t = (GstClockTimeDiff)pts + s->offset;
	GST_BUFFER_PTS(buf) = t > 0 ? (GstClockTime)t : 0;
	GST_BUFFER_DTS(buf) = GST_CLOCK_TIME_NONE;
	GST_PAD_PROBE_INFO_DATA(info) = buf;
	return GST_PAD_PROBE_OK;
}

static void set_state(RelaisMedia *m, RelaisMediaDeviceSlot *s, RelaisMediaDeviceState state, const char *detail)
{
	g_mutex_lock(&m->lock);
	gboolean changed = s->state != state;
	s->state = state;
	guint tries = s->tries;
	if (changed)
		relais_media_emit_device_locked(m, s->which, state, detail);
	g_mutex_unlock(&m->lock);
	if (changed)
		g_message("%s: %s %s (%u failed tries)%s%s", m->board, relais_media_device_name(s->which),
			  relais_media_device_state_name(state), tries, detail ? ": " : "", detail ? detail : "");
}

/* Stops the current source (its thread joined) and takes it out. */
static void retire(RelaisMedia *m, RelaisMediaDeviceSlot *s)
{
	GstElement *old = g_steal_pointer(&s->current);
	if (old == NULL)
		return;
	gst_element_set_locked_state(old, TRUE);
	gst_element_set_state(old, GST_STATE_NULL);
	GstPad *peer = gst_pad_get_peer(s->sink);
	if (peer != NULL) {
		gst_pad_unlink(peer, s->sink);
		gst_object_unref(peer);
	}
	gst_bin_remove(GST_BIN(m->pipeline), old);
	gst_object_unref(old);
}

/* Links bin (transfer full) in; FALSE with error when it cannot start. */
static gboolean install(RelaisMedia *m, RelaisMediaDeviceSlot *s, GstElement *bin, gboolean placeholder, GError **error)
{
	GstPad *src = gst_element_get_static_pad(bin, "src");
	if (src == NULL) {
		g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_PIPELINE, "%s source has no free output",
			    relais_media_device_name(s->which));
		gst_object_unref(bin);
		return FALSE;
	}
	if (!placeholder)
		gst_pad_add_probe(src, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST, fault_probe,
				  probe_data_new(m, s->which), probe_data_free);
	s->current = bin;
	s->placeholder = placeholder;
	s->offset_set = FALSE;
	g_atomic_int_set((gint *)&s->serial, (gint)(s->serial + 1));
	gst_bin_add(GST_BIN(m->pipeline), bin);
	GstPadLinkReturn r = gst_pad_link(src, s->sink);
	gst_object_unref(src);
	if (r != GST_PAD_LINK_OK) {
		g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_PIPELINE, "cannot link the %s source: %s",
			    relais_media_device_name(s->which), gst_pad_link_get_name(r));
		return FALSE;
	}
	if (!gst_element_sync_state_with_parent(bin)) {
		g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_PIPELINE, "the %s source cannot start",
			    relais_media_device_name(s->which));
		return FALSE;
	}
	return TRUE;
}

/* Black frames at the caps the camera had, or silence: a live source, so
 * that the encoder and the far end's decoder go on at the same pace. */
static GstElement *make_placeholder(RelaisMedia *m, RelaisMediaDeviceSlot *s, GError **error)
{
	g_mutex_lock(&m->lock);
	GstCaps *caps = s->caps ? gst_caps_ref(s->caps) : NULL;
	g_mutex_unlock(&m->lock);
	gboolean video = s->which == RELAIS_MEDIA_CAMERA;
	g_autofree char *name = g_strdup_printf("%s-placeholder", relais_media_device_name(s->which));
	GstElement *bin = gst_object_ref_sink(gst_bin_new(name));
	GstElement *src = gst_element_factory_make(video ? "videotestsrc" : "audiotestsrc", NULL);
	GstElement *filter = gst_element_factory_make("capsfilter", NULL);
	if (src == NULL || filter == NULL) {
		g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_PIPELINE,
			    "missing %s or capsfilter for the %s placeholder", video ? "videotestsrc" : "audiotestsrc",
			    relais_media_device_name(s->which));
		g_clear_pointer(&src, gst_object_unref);
		g_clear_pointer(&filter, gst_object_unref);
		gst_caps_replace(&caps, NULL);
		gst_object_unref(bin);
		return NULL;
	}
	if (video) {
		g_object_set(src, "is-live", TRUE, "pattern", 2 /* black */, NULL);
	} else {
		int rate = 16000;
		if (caps != NULL && !gst_caps_is_empty(caps))
			gst_structure_get_int(gst_caps_get_structure(caps, 0), "rate", &rate);
		/* 20 ms a buffer, as the boards' microphones */
		g_object_set(src, "is-live", TRUE, "wave", 4 /* silence */, "samplesperbuffer", MAX(rate / 50, 1),
			     NULL);
	}
	if (caps != NULL)
		g_object_set(filter, "caps", caps, NULL);
	gst_caps_replace(&caps, NULL);
	gst_bin_add_many(GST_BIN(bin), src, filter, NULL);
	gst_element_link(src, filter);
	GstPad *fsrc = gst_element_get_static_pad(filter, "src");
	gst_element_add_pad(bin, gst_ghost_pad_new("src", fsrc));
	gst_object_unref(fsrc);
	return bin;
}

static void schedule_retry(RelaisMedia *m, RelaisMediaDeviceSlot *s);

/* The current source is gone (its error, its EOS, or a try that did not
 * start): the placeholder takes its place, and a try is scheduled. */
static void lost(RelaisMedia *m, RelaisMediaDeviceSlot *s, const char *detail)
{
	g_mutex_lock(&m->lock);
	gboolean was_ok = s->state == RELAIS_MEDIA_DEVICE_OK;
	if (!was_ok)
		s->tries++;
	guint tries = s->tries;
	g_mutex_unlock(&m->lock);
	g_atomic_int_set(&s->confirm, 0);
	retire(m, s);
	g_autoptr(GError) error = NULL;
	GstElement *ph = make_placeholder(m, s, &error);
	g_atomic_int_set(&s->swapped, 1);
	if (ph == NULL || !install(m, s, ph, TRUE, &error)) {
		relais_media_fail_literal(m, RELAIS_MEDIA_ERROR_PIPELINE, "lost device, no placeholder", error);
		return;
	}
	set_state(m, s,
		  tries >= CONFIG_RELAIS_MEDIA_DEVICE_TRIES ? RELAIS_MEDIA_DEVICE_FAILED : RELAIS_MEDIA_DEVICE_LOST,
		  detail);
	schedule_retry(m, s);
}

static gboolean try_again(gpointer data)
{
	ProbeData *d = data;
	RelaisMedia *m = d->m;
	RelaisMediaDeviceSlot *s = &m->devices[d->which];
	g_mutex_lock(&m->lock);
	gboolean closed = m->closed;
	g_clear_pointer(&s->retry, g_source_unref);
	g_mutex_unlock(&m->lock);
	if (closed || !s->placeholder)
		return G_SOURCE_REMOVE;

	g_autoptr(GError) error = NULL;
	if (s->device_path != NULL && !g_file_test(s->device_path, G_FILE_TEST_EXISTS)) {
		g_mutex_lock(&m->lock);
		s->tries++;
		guint tries = s->tries;
		g_mutex_unlock(&m->lock);
		g_debug("%s: %s still absent", relais_media_device_name(s->which), s->device_path);
		if (tries >= CONFIG_RELAIS_MEDIA_DEVICE_TRIES)
			set_state(m, s, RELAIS_MEDIA_DEVICE_FAILED, "the device is absent");
		schedule_retry(m, s);
		return G_SOURCE_REMOVE;
	}
	g_autofree char *name = g_strdup_printf("%s-source", relais_media_device_name(s->which));
	GstElement *bin = relais_media_parse_fragment(name, s->desc, &error);
	if (bin == NULL) {
		/* cannot happen with a conf that built the first time; kept out */
		g_warning("%s: %s", relais_media_device_name(s->which), error->message);
		g_mutex_lock(&m->lock);
		s->tries++;
		g_mutex_unlock(&m->lock);
		schedule_retry(m, s);
		return G_SOURCE_REMOVE;
	}
	gst_object_ref_sink(bin);
	g_debug("%s: trying the device again", relais_media_device_name(s->which));
	retire(m, s);
	g_atomic_int_set(&s->confirm, 1);
	if (!install(m, s, bin, FALSE, &error))
		lost(m, s, error->message);
	return G_SOURCE_REMOVE;
}

static void schedule_retry(RelaisMedia *m, RelaisMediaDeviceSlot *s)
{
	g_mutex_lock(&m->lock);
	if (m->closed || s->retry != NULL) {
		g_mutex_unlock(&m->lock);
		return;
	}
	guint ms = FIRST_RETRY_MS;
	for (guint i = 0; i < s->tries && ms < CONFIG_RELAIS_MEDIA_DEVICE_RETRY_MAX_MS; i++)
		ms *= 2;
	ms = MIN(ms, (guint)CONFIG_RELAIS_MEDIA_DEVICE_RETRY_MAX_MS);
	s->retry = g_timeout_source_new(ms);
	g_source_set_name(s->retry, "relais-media device retry");
	g_source_set_callback(s->retry, try_again, probe_data_new(m, s->which), probe_data_free);
	g_source_attach(s->retry, m->context);
	g_mutex_unlock(&m->lock);
}

gboolean relais_media_device_setup(RelaisMedia *m, RelaisMediaDevice which, GstPad *sink, GstElement *source,
				   const char *desc, const char *device_path, GError **error)
{
	RelaisMediaDeviceSlot *s = &m->devices[which];
	s->which = which;
	s->sink = gst_object_ref(sink);
	s->desc = g_strdup(desc);
	s->device_path = g_strdup(device_path);
	s->state = RELAIS_MEDIA_DEVICE_OK;
	gst_pad_add_probe(sink, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, chain_probe,
			  probe_data_new(m, which), probe_data_free);
	return install(m, s, source, FALSE, error);
}

static RelaisMediaDeviceSlot *slot_of(RelaisMedia *m, GstObject *src)
{
	for (guint i = 0; i < RELAIS_MEDIA_N_DEVICES; i++) {
		GstElement *cur = m->devices[i].current;
		if (cur != NULL && (src == GST_OBJECT(cur) || gst_object_has_as_ancestor(src, GST_OBJECT(cur))))
			return &m->devices[i];
	}
	return NULL;
}

gboolean relais_media_device_handle_error(RelaisMedia *m, GstMessage *msg)
{
	GstObject *src = GST_MESSAGE_SRC(msg);
	RelaisMediaDeviceSlot *s = slot_of(m, src);
	if (s == NULL) {
		/* An element no longer in the pipeline: a source taken out
		 * (its error was queued before it left). */
		if (src != GST_OBJECT(m->pipeline) && !gst_object_has_as_ancestor(src, GST_OBJECT(m->pipeline))) {
			g_debug("error from %s, already out of the pipeline: ignored", GST_OBJECT_NAME(src));
			return TRUE;
		}
		return FALSE;
	}
	if (s->placeholder)
		return FALSE; /* a test pattern that fails: nothing left to fall back on */
	g_autoptr(GError) err = NULL;
	g_autofree char *debug = NULL;
	gst_message_parse_error(msg, &err, &debug);
	GST_WARNING_OBJECT(src, "%s lost: %s (%s)", relais_media_device_name(s->which), err->message,
			   debug ? debug : "");
	relais_media_pipeline_dump(m->pipeline, "relais-media", "device-lost");
	g_autofree char *detail = g_strdup_printf("%s: %s", GST_OBJECT_NAME(src), err->message);
	lost(m, s, detail);
	return TRUE;
}

gboolean relais_media_device_handle_message(RelaisMedia *m, GstMessage *msg)
{
	const GstStructure *st = gst_message_get_structure(msg);
	if (st == NULL || !gst_structure_has_name(st, MESSAGE_NAME))
		return FALSE;
	int which = 0;
	guint serial = 0;
	const char *event = gst_structure_get_string(st, "event");
	if (!gst_structure_get_int(st, "which", &which) || which < 0 || which >= RELAIS_MEDIA_N_DEVICES ||
	    !gst_structure_get_uint(st, "serial", &serial) || event == NULL)
		return TRUE;
	RelaisMediaDeviceSlot *s = &m->devices[which];
	if (serial != s->serial || s->current == NULL)
		return TRUE; /* about a source already replaced */
	if (g_str_equal(event, "ok") && !s->placeholder) {
		g_mutex_lock(&m->lock);
		s->tries = 0;
		g_mutex_unlock(&m->lock);
		set_state(m, s, RELAIS_MEDIA_DEVICE_OK, NULL);
	} else if (g_str_equal(event, "eos") && !s->placeholder) {
		lost(m, s, "end of stream");
	}
	return TRUE;
}

void relais_media_device_close(RelaisMedia *m)
{
	for (guint i = 0; i < RELAIS_MEDIA_N_DEVICES; i++) {
		g_mutex_lock(&m->lock);
		GSource *retry = g_steal_pointer(&m->devices[i].retry);
		g_mutex_unlock(&m->lock);
		if (retry != NULL) {
			g_source_destroy(retry);
			g_source_unref(retry);
		}
	}
}

void relais_media_device_clear(RelaisMediaDeviceSlot *s)
{
	g_clear_object(&s->sink);
	g_clear_object(&s->current);
	g_clear_pointer(&s->desc, g_free);
	g_clear_pointer(&s->device_path, g_free);
	gst_clear_caps(&s->caps);
}

RelaisMediaDeviceState relais_media_get_device_state(RelaisMedia *m, RelaisMediaDevice which)
{
	g_return_val_if_fail(m != NULL && (guint)which < RELAIS_MEDIA_N_DEVICES, RELAIS_MEDIA_DEVICE_OK);
	g_mutex_lock(&m->lock);
	RelaisMediaDeviceState st = m->devices[which].state;
	g_mutex_unlock(&m->lock);
	return st;
}

guint relais_media_get_device_tries(RelaisMedia *m, RelaisMediaDevice which)
{
	g_return_val_if_fail(m != NULL && (guint)which < RELAIS_MEDIA_N_DEVICES, 0);
	g_mutex_lock(&m->lock);
	guint t = m->devices[which].tries;
	g_mutex_unlock(&m->lock);
	return t;
}

void relais_media_set_device_fault(RelaisMedia *m, RelaisMediaDevice which, gboolean lost)
{
	g_return_if_fail(m != NULL && (guint)which < RELAIS_MEDIA_N_DEVICES);
	g_atomic_int_set(&m->devices[which].fault, lost ? 1 : 0);
}
