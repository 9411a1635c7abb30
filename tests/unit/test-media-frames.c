/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * media-frames: a frame slot calls its function with each frame while one
 * is set, never after it is cleared or closed (clearing waits for a call in
 * progress on another thread), and its gate and probe let frames through
 * only while someone looks, on a real pipeline.
 */
#define G_LOG_DOMAIN "test-media-frames"

#include <gst/gst.h>

#include "media-frames.h"

typedef struct {
	gint calls; /* atomic */
	gint sleep_ms;
	gint in_call; /* atomic */
} Counter;

static void count_frame(GstSample *sample, gpointer data)
{
	Counter *c = data;
	g_assert_nonnull(sample);
	g_atomic_int_set(&c->in_call, 1);
	if (c->sleep_ms > 0)
		g_usleep(c->sleep_ms * 1000);
	g_atomic_int_inc(&c->calls);
	g_atomic_int_set(&c->in_call, 0);
}

static GstSample *some_sample(void)
{
	g_autoptr(GstBuffer) buf = gst_buffer_new_allocate(NULL, 16, NULL);
	return gst_sample_new(buf, NULL, NULL, NULL);
}

static void test_set_clear_close(void)
{
	g_autoptr(RelaisFrameSlot) slot = relais_frame_slot_new();
	g_autoptr(GstSample) sample = some_sample();
	Counter c = {0};

	g_assert_false(relais_frame_slot_wanted(slot));
	relais_frame_slot_deliver(slot, sample); /* nobody: nothing happens */
	relais_frame_slot_set(slot, count_frame, &c);
	g_assert_true(relais_frame_slot_wanted(slot));
	relais_frame_slot_deliver(slot, sample);
	relais_frame_slot_deliver(slot, sample);
	g_assert_cmpint(c.calls, ==, 2);
	relais_frame_slot_set(slot, NULL, &c);
	g_assert_false(relais_frame_slot_wanted(slot));
	relais_frame_slot_deliver(slot, sample);
	g_assert_cmpint(c.calls, ==, 2);

	relais_frame_slot_set(slot, count_frame, &c);
	relais_frame_slot_close(slot);
	g_assert_false(relais_frame_slot_wanted(slot));
	relais_frame_slot_deliver(slot, sample);
	/* Closed for good: a late set is a clear. */
	relais_frame_slot_set(slot, count_frame, &c);
	g_assert_false(relais_frame_slot_wanted(slot));
	relais_frame_slot_deliver(slot, sample);
	g_assert_cmpint(c.calls, ==, 2);
}

typedef struct {
	RelaisFrameSlot *slot;
	GstSample *sample;
} Deliver;

static gpointer deliver_thread(gpointer data)
{
	Deliver *d = data;
	relais_frame_slot_deliver(d->slot, d->sample);
	return NULL;
}

static void test_clear_waits(void)
{
	g_autoptr(RelaisFrameSlot) slot = relais_frame_slot_new();
	g_autoptr(GstSample) sample = some_sample();
	Counter c = {.sleep_ms = 200};
	relais_frame_slot_set(slot, count_frame, &c);
	Deliver d = {slot, sample};
	GThread *t = g_thread_new("deliver", deliver_thread, &d);
	while (!g_atomic_int_get(&c.in_call))
		g_usleep(1000);
	/* Returns only once the call in progress has finished. */
	relais_frame_slot_set(slot, NULL, NULL);
	g_assert_cmpint(g_atomic_int_get(&c.calls), ==, 1);
	g_assert_cmpint(g_atomic_int_get(&c.in_call), ==, 0);
	g_thread_join(t);
}

/* videotestsrc ! identity(gate on its input) ! fakesink(probe on its
 * input): frames go to the slot only while a function is set, and the
 * gate drops them before the identity when none is. */
static guint run_pipeline(RelaisFrameSlot *slot, guint *through_gate)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GstElement) pipeline =
		gst_parse_launch("videotestsrc num-buffers=5 ! video/x-raw,width=64,height=48 ! identity name=gate "
				 "! fakesink name=sink sync=false",
				 &error);
	g_assert_no_error(error);
	g_autoptr(GstElement) gate = gst_bin_get_by_name(GST_BIN(pipeline), "gate");
	g_autoptr(GstElement) sink = gst_bin_get_by_name(GST_BIN(pipeline), "sink");
	g_autoptr(GstPad) gate_pad = gst_element_get_static_pad(gate, "sink");
	g_autoptr(GstPad) sink_pad = gst_element_get_static_pad(sink, "sink");
	relais_frame_slot_add_gate(slot, gate_pad);
	relais_frame_slot_add_probe(slot, sink_pad);
	g_object_set(sink, "signal-handoffs", TRUE, NULL);
	*through_gate = 0;
	g_signal_connect_swapped(sink, "handoff", G_CALLBACK(g_atomic_int_inc), through_gate);
	gst_element_set_state(pipeline, GST_STATE_PLAYING);
	g_autoptr(GstBus) bus = gst_element_get_bus(pipeline);
	g_autoptr(GstMessage) msg =
		gst_bus_timed_pop_filtered(bus, 10 * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
	g_assert_nonnull(msg);
	g_assert_cmpint(GST_MESSAGE_TYPE(msg), ==, GST_MESSAGE_EOS);
	gst_element_set_state(pipeline, GST_STATE_NULL);
	return *through_gate;
}

static void test_gate_and_probe(void)
{
	g_autoptr(RelaisFrameSlot) slot = relais_frame_slot_new();
	Counter c = {0};
	guint through = 0;
	g_assert_cmpuint(run_pipeline(slot, &through), ==, 0);
	g_assert_cmpint(c.calls, ==, 0);
	relais_frame_slot_set(slot, count_frame, &c);
	g_assert_cmpuint(run_pipeline(slot, &through), ==, 5);
	g_assert_cmpint(c.calls, ==, 5);
}

int main(int argc, char **argv)
{
	gst_init(&argc, &argv);
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/media-frames/set-clear-close", test_set_clear_close);
	g_test_add_func("/media-frames/clear-waits", test_clear_waits);
	g_test_add_func("/media-frames/gate-and-probe", test_gate_and_probe);
	return g_test_run();
}
