/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "relais-media"

#include "media-events.h"
#include "media-pipeline.h"
#include "media-private.h"

typedef enum {
	EVENT_SDP,
	EVENT_ICE,
	EVENT_STATE,
	EVENT_ERROR,
	EVENT_DEVICE,
} EventKind;

typedef struct {
	EventKind kind;
	char *type;
	char *text;
	guint mline;
	RelaisMediaState state;
	GError *error;
	RelaisMediaDevice device;
	RelaisMediaDeviceState device_state;
} Event;

static void event_free(Event *ev)
{
	g_free(ev->type);
	g_free(ev->text);
	g_clear_error(&ev->error);
	g_free(ev);
}

static gboolean dispatch_events(gpointer data)
{
	RelaisMedia *m = data;
	GQueue q = G_QUEUE_INIT;

	g_mutex_lock(&m->lock);
	q = m->events;
	g_queue_init(&m->events);
	g_clear_pointer(&m->event_source, g_source_unref);
	g_mutex_unlock(&m->lock);

	Event *ev;
	while ((ev = g_queue_pop_head(&q)) != NULL) {
		/* The owner may free the engine from inside any callback. */
		g_mutex_lock(&m->lock);
		gboolean closed = m->closed;
		g_mutex_unlock(&m->lock);
		if (!closed) {
			switch (ev->kind) {
			case EVENT_SDP:
				if (m->cb.on_sdp)
					m->cb.on_sdp(m, ev->type, ev->text, m->user_data);
				break;
			case EVENT_ICE:
				if (m->cb.on_ice)
					m->cb.on_ice(m, ev->mline, ev->text, m->user_data);
				break;
			case EVENT_STATE:
				if (m->cb.on_state)
					m->cb.on_state(m, ev->state, m->user_data);
				break;
			case EVENT_ERROR:
				if (m->cb.on_error)
					m->cb.on_error(m, ev->error, m->user_data);
				break;
			case EVENT_DEVICE:
				if (m->cb.on_device)
					m->cb.on_device(m, ev->device, ev->device_state, ev->text, m->user_data);
				break;
			}
		}
		event_free(ev);
	}
	return G_SOURCE_REMOVE;
}

/* Called with m->lock held. Takes ownership of ev. */
static void push_event_locked(RelaisMedia *m, Event *ev)
{
	if (m->closed) {
		event_free(ev);
		return;
	}
	g_queue_push_tail(&m->events, ev);
	if (m->event_source == NULL) {
		m->event_source = g_idle_source_new();
		g_source_set_priority(m->event_source, G_PRIORITY_DEFAULT);
		g_source_set_name(m->event_source, "relais-media events");
		g_source_set_callback(m->event_source, dispatch_events, relais_media_ref(m), relais_media_unref);
		g_source_attach(m->event_source, m->context);
	}
}

void relais_media_emit_sdp_locked(RelaisMedia *m, const char *type, char *sdp)
{
	Event *ev = g_new0(Event, 1);
	ev->kind = EVENT_SDP;
	ev->type = g_strdup(type);
	ev->text = sdp;
	push_event_locked(m, ev);
}

void relais_media_emit_ice_locked(RelaisMedia *m, guint mline, const char *candidate)
{
	Event *ev = g_new0(Event, 1);
	ev->kind = EVENT_ICE;
	ev->mline = mline;
	ev->text = g_strdup(candidate);
	push_event_locked(m, ev);
}

void relais_media_emit_ice(RelaisMedia *m, guint mline, const char *candidate)
{
	g_mutex_lock(&m->lock);
	relais_media_emit_ice_locked(m, mline, candidate);
	g_mutex_unlock(&m->lock);
}

void relais_media_emit_device_locked(RelaisMedia *m, RelaisMediaDevice device, RelaisMediaDeviceState state,
				     const char *detail)
{
	Event *ev = g_new0(Event, 1);
	ev->kind = EVENT_DEVICE;
	ev->device = device;
	ev->device_state = state;
	ev->text = g_strdup(detail);
	push_event_locked(m, ev);
}

void relais_media_set_state(RelaisMedia *m, RelaisMediaState state)
{
	g_mutex_lock(&m->lock);
	/* FAILED is final: the call is lost, the owner starts again. */
	if (!m->closed && m->state != state && m->state != RELAIS_MEDIA_STATE_FAILED) {
		GST_INFO("%s: state %d -> %d", m->board, m->state, state);
		m->state = state;
		if (state == RELAIS_MEDIA_STATE_CONNECTED)
			m->connected_us = g_get_monotonic_time();
		Event *ev = g_new0(Event, 1);
		ev->kind = EVENT_STATE;
		ev->state = state;
		push_event_locked(m, ev);
	}
	g_mutex_unlock(&m->lock);
}

static void dump_graph(RelaisMedia *m, const char *why)
{
	g_mutex_lock(&m->lock);
	GstElement *p = m->pipeline ? gst_object_ref(m->pipeline) : NULL;
	g_mutex_unlock(&m->lock);
	if (p == NULL)
		return;
	relais_media_pipeline_dump(p, "relais-media", why);
	gst_object_unref(p);
}

void relais_media_fail(RelaisMedia *m, GError *error)
{
	dump_graph(m, "error");
	g_mutex_lock(&m->lock);
	if (m->closed || m->state == RELAIS_MEDIA_STATE_FAILED) {
		g_mutex_unlock(&m->lock);
		g_debug("after failure: %s", error->message);
		g_error_free(error);
		return;
	}
	GST_WARNING("%s: call lost: %s", m->board, error->message);
	m->state = RELAIS_MEDIA_STATE_FAILED;
	Event *ev = g_new0(Event, 1);
	ev->kind = EVENT_STATE;
	ev->state = RELAIS_MEDIA_STATE_FAILED;
	push_event_locked(m, ev);
	ev = g_new0(Event, 1);
	ev->kind = EVENT_ERROR;
	ev->error = error;
	push_event_locked(m, ev);
	g_mutex_unlock(&m->lock);
}

void relais_media_fail_literal(RelaisMedia *m, RelaisMediaError code, const char *what, const GError *cause)
{
	if (cause != NULL)
		relais_media_fail(m, g_error_new(RELAIS_MEDIA_ERROR, code, "%s: %s", what, cause->message));
	else
		relais_media_fail(m, g_error_new_literal(RELAIS_MEDIA_ERROR, code, what));
}

void relais_media_events_discard(RelaisMedia *m)
{
	g_mutex_lock(&m->lock);
	GSource *source = g_steal_pointer(&m->event_source);
	GQueue pending = m->events;
	g_queue_init(&m->events);
	g_mutex_unlock(&m->lock);

	g_queue_clear_full(&pending, (GDestroyNotify)event_free);
	if (source != NULL) {
		g_source_destroy(source);
		g_source_unref(source);
	}
}
