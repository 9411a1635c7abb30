/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * media-pipeline: the engine's and the preview's pipelines run on the
 * system clock whatever their elements provide. A microphone (alsasrc,
 * pulsesrc) provides a clock, and unplugging it took the call's clock with
 * it; here an element of the test's own provides one, and a plain pipeline
 * (the control) does pick it.
 */
#define G_LOG_DOMAIN "test-media-pipeline"

#include <gst/gst.h>

#include "media-pipeline.h"

/* A bin that provides a clock of its own, as an audio source does. */
typedef struct {
	GstBin parent;
	GstClock *clock;
} ClockSrc;
typedef struct {
	GstBinClass parent_class;
} ClockSrcClass;

G_DEFINE_TYPE(ClockSrc, clock_src, GST_TYPE_BIN)

static GstClock *clock_src_provide_clock(GstElement *element)
{
	return gst_object_ref(((ClockSrc *)element)->clock);
}

static void clock_src_finalize(GObject *object)
{
	gst_object_unref(((ClockSrc *)object)->clock);
	G_OBJECT_CLASS(clock_src_parent_class)->finalize(object);
}

static void clock_src_class_init(ClockSrcClass *klass)
{
	GST_ELEMENT_CLASS(klass)->provide_clock = clock_src_provide_clock;
	G_OBJECT_CLASS(klass)->finalize = clock_src_finalize;
}

static void clock_src_init(ClockSrc *self)
{
	self->clock = g_object_new(GST_TYPE_SYSTEM_CLOCK, "name", "device-clock", NULL);
	gst_object_ref_sink(self->clock);
	GST_OBJECT_FLAG_SET(self, GST_ELEMENT_FLAG_PROVIDE_CLOCK);
}

/* The clock pipeline runs on once PLAYING with a clock-providing element;
 * *lost: whether taking that element out (unplugged) posted CLOCK_LOST. */
static GstClock *playing_clock(GstElement *pipeline, gboolean *lost)
{
	GstElement *src = g_object_new(clock_src_get_type(), "name", "mic", NULL);
	gst_bin_add(GST_BIN(pipeline), src);
	g_assert_cmpint(gst_element_set_state(pipeline, GST_STATE_PLAYING), !=, GST_STATE_CHANGE_FAILURE);
	GstClock *clock = gst_element_get_clock(pipeline);
	g_autoptr(GstBus) bus = gst_element_get_bus(pipeline);
	gst_object_ref(src);
	gst_bin_remove(GST_BIN(pipeline), src);
	gst_element_set_state(src, GST_STATE_NULL);
	gst_object_unref(src);
	g_autoptr(GstMessage) msg = gst_bus_pop_filtered(bus, GST_MESSAGE_CLOCK_LOST);
	*lost = msg != NULL;
	gst_element_set_state(pipeline, GST_STATE_NULL);
	return clock;
}

static void test_system_clock(void)
{
	g_autoptr(GstClock) system = gst_system_clock_obtain();
	gboolean lost = FALSE;

	/* the control: a plain pipeline takes the device's clock, and loses
	 * it with the device */
	g_autoptr(GstElement) plain = gst_object_ref_sink(gst_pipeline_new("plain"));
	g_autoptr(GstClock) picked = playing_clock(plain, &lost);
	g_assert_nonnull(picked);
	g_assert_cmpstr(GST_OBJECT_NAME(picked), ==, "device-clock");
	g_assert_true(lost);

	/* ours keeps the system's, and loses nothing */
	g_autoptr(GstElement) ours = relais_media_pipeline_new("ours");
	g_assert_false(g_object_is_floating(ours));
	g_autoptr(GstClock) used = playing_clock(ours, &lost);
	g_assert_true(used == system);
	g_assert_false(lost);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	gst_init(&argc, &argv);
	g_test_add_func("/media-pipeline/system-clock", test_system_clock);
	return g_test_run();
}
