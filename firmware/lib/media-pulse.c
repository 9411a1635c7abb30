/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "relais-media"

#include "media-pulse.h"

struct _RelaisPulse {
	gatomicrefcount ref;
	GMutex lock;
	GCond cond;	  /* wakes a stalled thread when disarmed */
	gboolean armed;	  /* (lock) */
	gint64 last_us;	  /* (lock) the last frame, or the moment it was armed */
	guint stall_ms;	  /* (lock) a stall asked for, taken by the next frame */
	guint generation; /* (lock) bumped by each arming: ends a stall */
};

RelaisPulse *relais_pulse_new(void)
{
	RelaisPulse *p = g_new0(RelaisPulse, 1);
	g_atomic_ref_count_init(&p->ref);
	g_mutex_init(&p->lock);
	g_cond_init(&p->cond);
	return p;
}

RelaisPulse *relais_pulse_ref(RelaisPulse *p)
{
	g_atomic_ref_count_inc(&p->ref);
	return p;
}

void relais_pulse_unref(RelaisPulse *p)
{
	if (p == NULL || !g_atomic_ref_count_dec(&p->ref))
		return;
	g_cond_clear(&p->cond);
	g_mutex_clear(&p->lock);
	g_free(p);
}

static GstPadProbeReturn on_buffer(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	RelaisPulse *p = data;
	gint64 now = g_get_monotonic_time();
	g_mutex_lock(&p->lock);
	p->last_us = now;
	if (p->stall_ms > 0 && p->armed) {
		/* the test hook: hold this thread as a hung driver would, until
		 * the time is up or the pipeline is stopped */
		gint64 until = now + (gint64)p->stall_ms * 1000;
		guint generation = p->generation;
		p->stall_ms = 0;
		g_message("test hook: stalling the media streaming thread for %" G_GINT64_FORMAT " ms",
			  (until - now) / 1000);
		while (p->armed && p->generation == generation && g_get_monotonic_time() < until)
			g_cond_wait_until(&p->cond, &p->lock, until);
		p->last_us = g_get_monotonic_time();
	}
	g_mutex_unlock(&p->lock);
	return GST_PAD_PROBE_OK;
}

void relais_pulse_attach(RelaisPulse *p, GstPad *pad)
{
	g_return_if_fail(p != NULL && pad != NULL);
	gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST, on_buffer,
			  relais_pulse_ref(p), (GDestroyNotify)relais_pulse_unref);
}

void relais_pulse_arm(RelaisPulse *p, gboolean armed)
{
	g_return_if_fail(p != NULL);
	g_mutex_lock(&p->lock);
	p->armed = armed;
	p->last_us = g_get_monotonic_time();
	p->stall_ms = 0;
	p->generation++;
	g_cond_broadcast(&p->cond);
	g_mutex_unlock(&p->lock);
}

gint64 relais_pulse_silence_us(RelaisPulse *p)
{
	g_return_val_if_fail(p != NULL, -1);
	gint64 now = g_get_monotonic_time();
	g_mutex_lock(&p->lock);
	gint64 silence = p->armed ? MAX(0, now - p->last_us) : -1;
	g_mutex_unlock(&p->lock);
	return silence;
}

gboolean relais_pulse_stall(RelaisPulse *p, guint ms)
{
	g_return_val_if_fail(p != NULL, FALSE);
	g_mutex_lock(&p->lock);
	gboolean armed = p->armed;
	if (armed)
		p->stall_ms = MAX(ms, 1);
	g_mutex_unlock(&p->lock);
	return armed;
}
