/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * media-latency's echo probe guard: webrtcechoprobe (gst-plugins-bad 1.22)
 * keeps a latency query for every LATENCY event it receives, and a call
 * recalculates the pipeline's latency about 18 times. With the guard,
 * recalculations that change nothing leave no query behind, and one that
 * changes the latency still reaches the probe. The live queries are
 * counted by GStreamer's own leaks tracer, the real element in a real
 * playing pipeline.
 */
#define G_LOG_DOMAIN "test-media-echolatency"

#include <gst/gst.h>

#include "media-latency.h"

#define RECALCULATIONS 20

static GstTracer *leaks_tracer(void)
{
	GstTracer *found = NULL;
	GList *tracers = gst_tracing_get_active_tracers();
	for (GList *l = tracers; l != NULL; l = l->next)
		if (found == NULL && g_str_equal(G_OBJECT_TYPE_NAME(l->data), "GstLeaksTracer"))
			found = gst_object_ref(l->data);
	g_list_free_full(tracers, gst_object_unref);
	return found;
}

/* GstQuery objects made less those freed since the last checkpoint (or
 * since tracking started), as the leaks tracer (filtered to them) saw. */
static gint query_growth(GstTracer *tracer)
{
	GstStructure *cp = NULL;
	g_signal_emit_by_name(tracer, "activity-get-checkpoint", &cp);
	g_assert_nonnull(cp);
	const GValue *made = gst_structure_get_value(cp, "objects-created-list");
	const GValue *freed = gst_structure_get_value(cp, "objects-removed-list");
	gint n = (gint)gst_value_list_get_size(made) - (gint)gst_value_list_get_size(freed);
	gst_structure_free(cp);
	return n;
}

static GstPadProbeReturn count_latency(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	if (GST_EVENT_TYPE(GST_PAD_PROBE_INFO_EVENT(info)) == GST_EVENT_LATENCY)
		g_atomic_int_inc((gint *)data);
	return GST_PAD_PROBE_OK;
}

typedef struct {
	gint same;    /* LATENCY events the probe received in RECALCULATIONS unchanged recalculations */
	gint changed; /* ... and in one with a new latency */
	gint leaked;  /* queries left alive by all of them, streaming stopped */
} Run;

static void run(GstTracer *tracer, gboolean guard, Run *r)
{
	g_autoptr(GError) error = NULL;
	GstElement *pipeline = gst_parse_launch("audiotestsrc is-live=true ! audioconvert ! audioresample "
						"! audio/x-raw,rate=16000,channels=1 ! webrtcechoprobe name=probe "
						"! audioconvert ! fakesink sync=true",
						&error);
	g_assert_no_error(error);
	g_autoptr(GstElement) probe = gst_bin_get_by_name(GST_BIN(pipeline), "probe");
	g_autoptr(GstPad) src = gst_element_get_static_pad(probe, "src");
	if (guard)
		relais_media_latency_guard_echo_probe(probe);
	/* after the guard: what gets past it to the element */
	gint seen = 0;
	gst_pad_add_probe(src, GST_PAD_PROBE_TYPE_EVENT_UPSTREAM, count_latency, &seen, NULL);

	g_assert_cmpint(gst_element_set_state(pipeline, GST_STATE_PLAYING), !=, GST_STATE_CHANGE_FAILURE);
	g_assert_cmpint(gst_element_get_state(pipeline, NULL, NULL, 10 * GST_SECOND), ==, GST_STATE_CHANGE_SUCCESS);
	/* PLAYING has configured the latency once */
	g_assert_cmpint(g_atomic_int_get(&seen), >=, 1);

	query_growth(tracer); /* from here */
	gint seen0 = g_atomic_int_get(&seen);
	for (guint i = 0; i < RECALCULATIONS; i++)
		g_assert_true(gst_bin_recalculate_latency(GST_BIN(pipeline)));
	r->same = g_atomic_int_get(&seen) - seen0;

	seen0 = g_atomic_int_get(&seen);
	gst_pipeline_set_latency(GST_PIPELINE(pipeline), 300 * GST_MSECOND);
	g_assert_true(gst_bin_recalculate_latency(GST_BIN(pipeline)));
	r->changed = g_atomic_int_get(&seen) - seen0;

	/* no streaming thread left with a query of its own in flight */
	gst_element_set_state(pipeline, GST_STATE_NULL);
	r->leaked = query_growth(tracer);
	g_clear_object(&src);
	g_clear_object(&probe);
	gst_object_unref(pipeline);
}

static void test_guard(void)
{
	g_autoptr(GstTracer) tracer = leaks_tracer();
	g_assert_nonnull(tracer);
	g_signal_emit_by_name(tracer, "activity-start-tracking");

	/* The control: the element as it is. */
	Run bare = {0};
	run(tracer, FALSE, &bare);
	g_test_message("without the guard: %d + %d latency events, %d queries left alive", bare.same, bare.changed,
		       bare.leaked);
	g_assert_cmpint(bare.same, ==, RECALCULATIONS);
	if (bare.leaked == 0)
		g_test_message("webrtcechoprobe no longer leaks its latency query: the guard may go");

	Run guarded = {0};
	run(tracer, TRUE, &guarded);
	g_test_message("with the guard: %d + %d latency events, %d queries left alive", guarded.same, guarded.changed,
		       guarded.leaked);
	g_assert_cmpint(guarded.same, ==, 0);
	/* a new latency still reaches the probe (its delay follows) */
	g_assert_cmpint(guarded.changed, ==, 1);
	/* the change is the element's to lose, nothing else */
	g_assert_cmpint(guarded.leaked, <=, 1);
	g_signal_emit_by_name(tracer, "activity-stop-tracking");
}

int main(int argc, char **argv)
{
	/* before gst_init: only GstQuery objects are tracked */
	g_setenv("GST_TRACERS", "leaks(filters=GstQuery,stack-traces-flags=none)", TRUE);
	g_test_init(&argc, &argv, NULL);
	gst_init(&argc, &argv);
	g_test_add_func("/media-echolatency/guard", test_guard);
	return g_test_run();
}
