/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The self-check preview on the sim board: the camera's frames reach the
 * frame function, the microphone moves the meter, the pipeline has nothing
 * that could send anything anywhere, free() closes the devices at once, and
 * broken configurations give errors, not crashes.
 */
#define G_LOG_DOMAIN "test-preview"

#include <string.h>
#include <glib/gstdio.h>
#include <gst/gst.h>
#include <gst/video/video.h>

#include "harness.h"
#include "preview.h"

#define MIN_FRAMES 10

typedef struct {
	char *pipelines_dir;
	RelaisMediaConf *conf;
	char *tmpdir, *tmpconf;
} Fixture;

typedef struct {
	gint frames; /* atomic */
	gint freed;  /* atomic: set once cleared or freed */
	GMutex lock;
	char *format;
	guint width, height;
} FrameSeen;

static void fixture_set_up(Fixture *fx, gconstpointer data)
{
	fx->pipelines_dir = rt_pipelines_dir();
	g_assert_nonnull(fx->pipelines_dir);
	g_autoptr(GError) error = NULL;
	fx->conf = relais_media_conf_load_board(fx->pipelines_dir, "sim", &error);
	g_assert_no_error(error);
}

static void fixture_tear_down(Fixture *fx, gconstpointer data)
{
	if (fx->tmpconf != NULL)
		g_unlink(fx->tmpconf);
	if (fx->tmpdir != NULL)
		g_rmdir(fx->tmpdir);
	g_free(fx->tmpconf);
	g_free(fx->tmpdir);
	g_clear_pointer(&fx->conf, relais_media_conf_free);
	g_free(fx->pipelines_dir);
}

/* The sim board's file with edits (pairs of from, to; NULL-terminated). */
static RelaisMediaConf *sim_conf_with(Fixture *fx, ...)
{
	g_autofree char *sim = g_build_filename(fx->pipelines_dir, "sim", "media.conf", NULL);
	g_autofree char *text = NULL;
	g_assert_true(g_file_get_contents(sim, &text, NULL, NULL));
	g_autoptr(GString) s = g_string_new(text);
	va_list ap;
	va_start(ap, fx);
	const char *from;
	while ((from = va_arg(ap, const char *)) != NULL) {
		const char *to = va_arg(ap, const char *);
		g_assert_nonnull(strstr(s->str, from));
		g_string_replace(s, from, to, 1);
	}
	va_end(ap);
	g_autoptr(GError) error = NULL;
	if (fx->tmpdir == NULL)
		fx->tmpdir = g_dir_make_tmp("relais-preview-XXXXXX", &error);
	g_assert_no_error(error);
	g_free(fx->tmpconf);
	fx->tmpconf = g_build_filename(fx->tmpdir, "media.conf", NULL);
	g_assert_true(g_file_set_contents(fx->tmpconf, s->str, -1, &error));
	RelaisMediaConf *conf = relais_media_conf_load(fx->tmpconf, &error);
	g_assert_no_error(error); /* the syntax is fine: the system is not */
	return conf;
}

static void on_frame(GstSample *sample, gpointer user_data)
{
	FrameSeen *f = user_data;
	g_assert_false(g_atomic_int_get(&f->freed)); /* never after free() */
	GstVideoInfo vi;
	g_assert_true(gst_video_info_from_caps(&vi, gst_sample_get_caps(sample)));
	g_mutex_lock(&f->lock);
	if (f->format == NULL)
		f->format = g_strdup(gst_video_format_to_string(GST_VIDEO_INFO_FORMAT(&vi)));
	f->width = GST_VIDEO_INFO_WIDTH(&vi);
	f->height = GST_VIDEO_INFO_HEIGHT(&vi);
	g_mutex_unlock(&f->lock);
	g_atomic_int_inc(&f->frames);
}

static gboolean enough_frames(gpointer data)
{
	FrameSeen *f = data;
	return g_atomic_int_get(&f->frames) >= MIN_FRAMES;
}

/* Nothing in the preview may reach a network or encode anything: every
 * element is checked by factory name and class, every sink is a local one. */
static void assert_no_network(GstElement *pipeline)
{
	static const char *const forbidden[] = {"webrtcbin", "nice", "udp",  "tcp", "dtls", "srtp", "rtp",
						"sctp",	     "http", "rtsp", "srt", "rist", "soup", "enc"};
	guint n = 0, sinks = 0;
	GstIterator *it = gst_bin_iterate_recurse(GST_BIN(pipeline));
	GValue item = G_VALUE_INIT;
	while (gst_iterator_next(it, &item) == GST_ITERATOR_OK) {
		GstElement *el = g_value_get_object(&item);
		GstElementFactory *f = gst_element_get_factory(el);
		n++;
		if (f != NULL) {
			const char *name = GST_OBJECT_NAME(f);
			const char *klass = gst_element_factory_get_metadata(f, GST_ELEMENT_METADATA_KLASS);
			for (gsize i = 0; i < G_N_ELEMENTS(forbidden); i++)
				if (strstr(name, forbidden[i]) != NULL)
					g_error("preview element %s (%s) looks like it could send",
						GST_ELEMENT_NAME(el), name);
			g_assert_null(strstr(klass, "Network"));
			g_assert_null(strstr(klass, "Encoder"));
			g_assert_null(strstr(klass, "Payloader"));
			if (GST_OBJECT_FLAG_IS_SET(el, GST_ELEMENT_FLAG_SINK) && !GST_IS_BIN(el)) {
				sinks++;
				if (!g_str_equal(name, "appsink") && !g_str_equal(name, "fakesink"))
					g_error("preview sink %s is a %s", GST_ELEMENT_NAME(el), name);
			}
		}
		g_value_reset(&item);
	}
	g_value_unset(&item);
	gst_iterator_free(it);
	g_test_message("preview: %u elements, %u sinks, all local", n, sinks);
	g_assert_cmpuint(sinks, ==, 2);
}

static double max_level(RelaisPreview *p, guint ms)
{
	double max = 0.0;
	gint64 end = g_get_monotonic_time() + ms * G_TIME_SPAN_MILLISECOND;
	while (g_get_monotonic_time() < end) {
		while (g_main_context_iteration(NULL, FALSE))
			;
		max = MAX(max, relais_preview_get_mic_level(p));
		g_usleep(10000);
	}
	return max;
}

static void test_preview(Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	FrameSeen seen = {0};
	g_mutex_init(&seen.lock);

	gint64 t0 = g_get_monotonic_time();
	RelaisPreview *p = relais_preview_new(fx->conf, &error);
	g_assert_no_error(error);
	g_assert_nonnull(p);
	g_assert_false(relais_preview_is_running(p));
	relais_preview_set_frame_func(p, on_frame, &seen);
	g_assert_true(relais_preview_start(p, &error));
	g_assert_no_error(error);
	g_assert_true(relais_preview_is_running(p));
	g_assert_false(relais_preview_start(p, &error));
	g_assert_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_STATE);
	g_clear_error(&error);

	g_assert_true(rt_wait(enough_frames, &seen, 5000));
	g_test_message("%d frames %.0f ms after new()", g_atomic_int_get(&seen.frames),
		       (g_get_monotonic_time() - t0) / 1000.0);
	g_mutex_lock(&seen.lock);
	g_assert_cmpstr(seen.format, ==, "I420");
	g_assert_cmpuint(seen.width, ==, 640);
	g_assert_cmpuint(seen.height, ==, 480);
	g_mutex_unlock(&seen.lock);

	/* The sim microphone ticks once a second. */
	double level = max_level(p, 1500);
	g_test_message("mic peak %.3f", level);
	g_assert_cmpfloat(level, >, 0.01);
	g_assert_cmpfloat(level, <=, 1.0);

	g_autoptr(GstElement) pipeline = relais_preview_dup_pipeline(p);
	g_assert_nonnull(pipeline);
	assert_no_network(pipeline);

	/* A cleared function is not called again. */
	relais_preview_set_frame_func(p, NULL, NULL);
	g_atomic_int_set(&seen.freed, 1);
	rt_sleep(100);
	g_atomic_int_set(&seen.freed, 0);
	relais_preview_set_frame_func(p, on_frame, &seen);
	gint before = g_atomic_int_get(&seen.frames);
	rt_sleep(200);
	g_assert_cmpint(g_atomic_int_get(&seen.frames), >, before);

	/* free() with the function set: the sources are stopped when it
	 * returns and nothing is called afterwards. */
	relais_preview_free(p);
	g_atomic_int_set(&seen.freed, 1);
	GstState state = GST_STATE_VOID_PENDING, pending = GST_STATE_VOID_PENDING;
	g_assert_cmpint(gst_element_get_state(pipeline, &state, &pending, 0), ==, GST_STATE_CHANGE_SUCCESS);
	g_assert_cmpint(state, ==, GST_STATE_NULL);
	g_assert_cmpint(pending, ==, GST_STATE_VOID_PENDING);
	rt_sleep(200);

	g_free(seen.format);
	g_mutex_clear(&seen.lock);
}

static gboolean camera_silent(gpointer data)
{
	return relais_preview_get_video_silence_us(data) > 500 * 1000;
}

/* The camera's streaming thread, as the booth's watchdog sees it: no
 * figure before start, a few frames' worth while it runs, growing while a
 * stall (the test hook) holds it, and free() does not wait for the stall. */
static void test_camera_thread_pulse(Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	FrameSeen seen = {0};
	g_mutex_init(&seen.lock);
	RelaisPreview *p = relais_preview_new(fx->conf, &error);
	g_assert_no_error(error);
	g_assert_cmpint(relais_preview_get_video_silence_us(p), ==, -1);
	g_assert_false(relais_preview_stall_video(p, 1000));
	relais_preview_set_frame_func(p, on_frame, &seen);
	g_assert_true(relais_preview_start(p, &error));
	g_assert_true(rt_wait(enough_frames, &seen, 5000));
	gint64 silence = relais_preview_get_video_silence_us(p);
	g_assert_cmpint(silence, >=, 0);
	g_assert_cmpint(silence, <, 500 * 1000); /* 30 frames a second */

	g_assert_true(relais_preview_stall_video(p, 30 * 1000));
	g_assert_true(rt_wait(camera_silent, p, 5000));
	gint frames = g_atomic_int_get(&seen.frames);
	rt_sleep(300);
	g_assert_cmpint(g_atomic_int_get(&seen.frames), ==, frames);
	g_assert_cmpint(relais_preview_get_video_silence_us(p), >, 800 * 1000);

	gint64 t0 = g_get_monotonic_time();
	relais_preview_free(p);
	g_assert_cmpint(g_get_monotonic_time() - t0, <, 5 * G_USEC_PER_SEC);
	g_free(seen.format);
	g_mutex_clear(&seen.lock);
}

/* A preview that is freed without being started opens nothing. */
static void test_never_started(Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RelaisPreview) p = relais_preview_new(fx->conf, &error);
	g_assert_no_error(error);
	g_autoptr(GstElement) pipeline = relais_preview_dup_pipeline(p);
	GstState state;
	gst_element_get_state(pipeline, &state, NULL, 0);
	g_assert_cmpint(state, ==, GST_STATE_NULL);
	g_assert_cmpfloat(relais_preview_get_mic_level(p), ==, 0.0);
}

static void test_missing_element(Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RelaisMediaConf) conf =
		sim_conf_with(fx, "fallback=videotestsrc ", "fallback=relaisnosuchsrc ! videotestsrc ", NULL);
	RelaisPreview *p = relais_preview_new(conf, &error);
	g_assert_null(p);
	g_assert_error(error, RELAIS_MEDIACONF_ERROR, RELAIS_MEDIACONF_ERROR_MISSING_ELEMENT);
	g_assert_nonnull(strstr(error->message, "relaisnosuchsrc"));
	g_test_message("%s", error->message);
}

static void test_missing_camera(Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RelaisMediaConf) conf = sim_conf_with(fx, "device=/dev/video0", "device=/dev/relais-no-such-camera",
							"\nfallback=", "\n#fallback=", NULL);
	RelaisPreview *p = relais_preview_new(conf, &error);
	g_assert_null(p);
	g_assert_error(error, RELAIS_MEDIACONF_ERROR, RELAIS_MEDIACONF_ERROR_MISSING_DEVICE);
	g_test_message("%s", error->message);
}

static void test_start_fails(Fixture *fx, gconstpointer data)
{
	if (g_file_test("/dev/video0", G_FILE_TEST_EXISTS)) {
		g_test_skip("a real camera is present: the fallback is not used");
		return;
	}
	g_autoptr(GError) error = NULL;
	g_autoptr(RelaisMediaConf) conf =
		sim_conf_with(fx, "fallback=videotestsrc is-live=true pattern=bar horizontal-speed=4",
			      "fallback=v4l2src device=/dev/relais-no-such-camera ! videoconvert ! videoscale", NULL);
	g_autoptr(RelaisPreview) p = relais_preview_new(conf, &error);
	g_assert_no_error(error);
	g_assert_false(relais_preview_start(p, &error));
	g_assert_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_PIPELINE);
	g_test_message("%s", error->message);
	g_assert_false(relais_preview_is_running(p));
}

typedef struct {
	RelaisPreview *preview;
	GError *error;
	guint calls;
	GMainContext *context;
} ErrorSeen;

static void on_error(RelaisPreview *p, const GError *error, gpointer user_data)
{
	ErrorSeen *e = user_data;
	g_assert_true(p == e->preview);
	g_assert_true(g_main_context_is_owner(e->context)); /* the owner's context */
	g_assert_false(relais_preview_is_running(p));
	e->calls++;
	e->error = g_error_copy(error);
	/* The booth frees it from here. */
	g_clear_pointer(&e->preview, relais_preview_free);
}

static gboolean got_error(gpointer data)
{
	ErrorSeen *e = data;
	return e->calls > 0;
}

/* A failure after start: reported once on the owner's context, which may
 * free the preview from inside the callback. */
static void test_runtime_error(Fixture *fx, gconstpointer data)
{
	if (g_file_test("/dev/video0", G_FILE_TEST_EXISTS)) {
		g_test_skip("a real camera is present: the fallback is not used");
		return;
	}
	g_autoptr(GError) error = NULL;
	g_autoptr(RelaisMediaConf) conf =
		sim_conf_with(fx, "fallback=videotestsrc is-live=true pattern=bar horizontal-speed=4",
			      "fallback=videotestsrc is-live=true pattern=bar ! identity error-after=5", NULL);
	ErrorSeen e = {.context = g_main_context_default()};
	e.preview = relais_preview_new(conf, &error);
	g_assert_no_error(error);
	relais_preview_set_error_func(e.preview, on_error, &e);
	g_assert_true(relais_preview_start(e.preview, &error));
	g_assert_no_error(error);
	g_assert_true(rt_wait(got_error, &e, 5000));
	g_assert_null(e.preview);
	g_assert_error(e.error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_PIPELINE);
	g_test_message("%s", e.error->message);
	rt_sleep(200);
	g_assert_cmpuint(e.calls, ==, 1);
	g_clear_error(&e.error);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	gst_init(&argc, &argv);
	g_test_add("/preview/frames-level-local-only", Fixture, NULL, fixture_set_up, test_preview, fixture_tear_down);
	g_test_add("/preview/camera-thread-pulse", Fixture, NULL, fixture_set_up, test_camera_thread_pulse,
		   fixture_tear_down);
	g_test_add("/preview/never-started", Fixture, NULL, fixture_set_up, test_never_started, fixture_tear_down);
	g_test_add("/preview/missing-element", Fixture, NULL, fixture_set_up, test_missing_element, fixture_tear_down);
	g_test_add("/preview/missing-camera", Fixture, NULL, fixture_set_up, test_missing_camera, fixture_tear_down);
	g_test_add("/preview/start-fails", Fixture, NULL, fixture_set_up, test_start_fails, fixture_tear_down);
	g_test_add("/preview/runtime-error", Fixture, NULL, fixture_set_up, test_runtime_error, fixture_tear_down);
	return g_test_run();
}
