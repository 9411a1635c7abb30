/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "relais-media"

#include "media-level.h"
#include "media-pipeline.h"

#include <gst/gst.h>
#include <gst/audio/audio.h>

struct _RelaisLevel {
	gatomicrefcount ref;
	gint bits;    /* the published peak, a float's bits (atomic) */
	gint windows; /* windows published (atomic) */
	/* Streaming thread only (one pad). */
	gboolean configured;
	GstAudioFormat format;
	guint rate, channels;
	float peak;
	guint frames;
};

RelaisLevel *relais_level_new(void)
{
	RelaisLevel *l = g_new0(RelaisLevel, 1);
	g_atomic_ref_count_init(&l->ref);
	return l;
}

static RelaisLevel *level_ref(RelaisLevel *l)
{
	g_atomic_ref_count_inc(&l->ref);
	return l;
}

void relais_level_unref(RelaisLevel *l)
{
	if (l != NULL && g_atomic_ref_count_dec(&l->ref))
		g_free(l);
}

static void level_publish(RelaisLevel *l, float peak)
{
	union {
		float f;
		gint i;
	} u = {.f = peak};
	g_atomic_int_set(&l->bits, u.i);
	g_atomic_int_inc(&l->windows);
}

guint relais_level_get_windows(RelaisLevel *l)
{
	g_return_val_if_fail(l != NULL, 0);
	return (guint)g_atomic_int_get(&l->windows);
}

double relais_level_get(RelaisLevel *l)
{
	g_return_val_if_fail(l != NULL, 0.0);
	union {
		float f;
		gint i;
	} u = {.i = g_atomic_int_get(&l->bits)};
	return CLAMP(u.f, 0.0f, 1.0f);
}

static float peak_s16(const gint16 *s, gsize n)
{
	int max = 0;
	for (gsize i = 0; i < n; i++) {
		int v = s[i] < 0 ? -(int)s[i] : s[i];
		if (v > max)
			max = v;
	}
	return max / 32768.0f;
}

static float peak_f32(const float *s, gsize n)
{
	float max = 0.0f;
	for (gsize i = 0; i < n; i++) {
		float v = s[i] < 0 ? -s[i] : s[i];
		if (v > max)
			max = v;
	}
	return max;
}

/* A peak, not RMS: it is what a level meter shows (PPM style), costs one
 * compare per sample, and 16 kHz mono is 16000 of them a second. */
static void level_set_caps(RelaisLevel *l, GstCaps *caps)
{
	GstAudioInfo ai;
	if (caps != NULL && gst_audio_info_from_caps(&ai, caps)) {
		l->format = GST_AUDIO_INFO_FORMAT(&ai);
		l->rate = GST_AUDIO_INFO_RATE(&ai);
		l->channels = GST_AUDIO_INFO_CHANNELS(&ai);
	} else {
		l->format = GST_AUDIO_FORMAT_UNKNOWN;
	}
	l->configured = TRUE;
	l->peak = 0.0f;
	l->frames = 0;
}

static GstPadProbeReturn level_probe(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	RelaisLevel *l = data;
	if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
		GstCaps *caps = relais_media_probe_caps(info);
		if (caps != NULL)
			level_set_caps(l, caps);
		return GST_PAD_PROBE_OK;
	}
	if (!l->configured) {
		/* Attached to a pad that already had its caps. */
		GstCaps *caps = gst_pad_get_current_caps(pad);
		level_set_caps(l, caps);
		if (caps != NULL)
			gst_caps_unref(caps);
	}
	if (l->format != GST_AUDIO_FORMAT_S16 && l->format != GST_AUDIO_FORMAT_F32)
		return GST_PAD_PROBE_OK;
	GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER(info);
	GstMapInfo map;
	if (buf == NULL || !gst_buffer_map(buf, &map, GST_MAP_READ))
		return GST_PAD_PROBE_OK;
	float peak;
	gsize samples;
	if (l->format == GST_AUDIO_FORMAT_S16) {
		samples = map.size / sizeof(gint16);
		peak = peak_s16((const gint16 *)map.data, samples);
	} else {
		samples = map.size / sizeof(float);
		peak = peak_f32((const float *)map.data, samples);
	}
	gst_buffer_unmap(buf, &map);
	/* A GAP buffer (muted upstream, or a silent source) is silence. */
	if (GST_BUFFER_FLAG_IS_SET(buf, GST_BUFFER_FLAG_GAP))
		peak = 0.0f;
	l->peak = MAX(l->peak, peak);
	l->frames += samples / MAX(l->channels, 1);
	if (l->frames >= MAX(l->rate / 10, 1)) {
		level_publish(l, l->peak);
		l->peak = 0.0f;
		l->frames = 0;
	}
	return GST_PAD_PROBE_OK;
}

void relais_level_attach(RelaisLevel *l, GstPad *pad)
{
	g_return_if_fail(l != NULL && GST_IS_PAD(pad));
	gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, level_probe,
			  level_ref(l), (GDestroyNotify)relais_level_unref);
}
