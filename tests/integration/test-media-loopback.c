/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Two media engines in one process, offerer (the booth) and answerer (the
 * adviser), their signaling wired directly, real webrtcbin, ICE, DTLS and
 * codecs on the sim board. Follows the booth's order of events: the booth
 * starts and makes its offer while the visitor waits, the offer leaves when
 * an adviser accepts.
 */
#define G_LOG_DOMAIN "test-media-loopback"

#include <math.h>
#include <string.h>
#include <glib/gstdio.h>
#include <gst/gst.h>
#include <gst/video/video.h>

#include "harness.h"
#include "media.h"

#define TIMEOUT_S  20
#define MIN_FRAMES 60
/* How long the visitor waits between asking and an adviser accepting: long
 * enough for the offer and ICE gathering to be done, as in the booth. */
#define ACCEPT_DELAY_MS 300

typedef struct _Fixture Fixture;

typedef struct {
	Fixture *fx;
	const char *name;
	RelaisMedia *media;
	gboolean connected;
	gint64 t_connected;
	GError *error;
	guint n_candidates;
	gboolean end_of_candidates;
} Peer;

struct _Fixture {
	char *pipelines_dir;
	RelaisMediaConf *conf;
	GMainLoop *loop;
	Peer offerer, answerer;
	char *offer;
	GPtrArray *held; /* offerer candidates before "accept" */
	gboolean accepted;
	gboolean freed;
	gboolean timed_out;
	gint64 t_start, t_offer, t_accept, t_answer_applied;
	guint timeout_id, poll_id;
};

/* What a frame function saw, written on streaming threads. */
typedef struct {
	gint frames;	/* atomic */
	gint freed;	/* atomic: set once cleared or freed */
	GMutex lock;	/* for the figures below */
	double mean_y;	/* of the last frame */
	double mean_uv; /* of the last frame */
	guint width, height;
	char *format;
} FrameSeen;

static void frame_seen_clear(FrameSeen *f)
{
	g_free(f->format);
	f->format = NULL;
}

static double plane_mean(GstVideoFrame *vf, guint plane)
{
	const guint8 *data = GST_VIDEO_FRAME_PLANE_DATA(vf, plane);
	guint stride = GST_VIDEO_FRAME_PLANE_STRIDE(vf, plane);
	guint w = GST_VIDEO_FRAME_COMP_WIDTH(vf, plane), h = GST_VIDEO_FRAME_COMP_HEIGHT(vf, plane);
	guint64 sum = 0;
	for (guint y = 0; y < h; y++)
		for (guint x = 0; x < w; x++)
			sum += data[(gsize)y * stride + x];
	return w && h ? (double)sum / ((double)w * h) : 0.0;
}

static void on_frame(GstSample *sample, gpointer user_data)
{
	FrameSeen *f = user_data;
	/* No frame function may run after relais_media_free(). */
	g_assert_false(g_atomic_int_get(&f->freed));
	GstVideoInfo vi;
	g_assert_true(gst_video_info_from_caps(&vi, gst_sample_get_caps(sample)));
	GstVideoFrame vf;
	g_assert_true(gst_video_frame_map(&vf, &vi, gst_sample_get_buffer(sample), GST_MAP_READ));
	double y = plane_mean(&vf, 0);
	double uv = (plane_mean(&vf, 1) + plane_mean(&vf, 2)) / 2;
	gst_video_frame_unmap(&vf);
	g_mutex_lock(&f->lock);
	f->mean_y = y;
	f->mean_uv = uv;
	f->width = GST_VIDEO_INFO_WIDTH(&vi);
	f->height = GST_VIDEO_INFO_HEIGHT(&vi);
	if (f->format == NULL)
		f->format = g_strdup(gst_video_format_to_string(GST_VIDEO_INFO_FORMAT(&vi)));
	g_mutex_unlock(&f->lock);
	g_atomic_int_inc(&f->frames);
}

typedef struct {
	guint mline;
	char *candidate;
} HeldCandidate;

static void held_free(gpointer p)
{
	HeldCandidate *h = p;
	g_free(h->candidate);
	g_free(h);
}

static void fixture_set_up(Fixture *fx, gconstpointer data)
{
	rt_tolerate_known_upstream_criticals();
	fx->pipelines_dir = rt_pipelines_dir();
	g_assert_nonnull(fx->pipelines_dir);
	g_autoptr(GError) error = NULL;
	fx->conf = relais_media_conf_load_board(fx->pipelines_dir, "sim", &error);
	g_assert_no_error(error);
	fx->loop = g_main_loop_new(NULL, FALSE);
	fx->held = g_ptr_array_new_with_free_func(held_free);
	fx->offerer.fx = fx->answerer.fx = fx;
	fx->offerer.name = "booth";
	fx->answerer.name = "adviser";
}

static void fixture_tear_down(Fixture *fx, gconstpointer data)
{
	g_clear_pointer(&fx->offerer.media, relais_media_free);
	g_clear_pointer(&fx->answerer.media, relais_media_free);
	g_clear_error(&fx->offerer.error);
	g_clear_error(&fx->answerer.error);
	if (fx->timeout_id)
		g_source_remove(fx->timeout_id);
	if (fx->poll_id)
		g_source_remove(fx->poll_id);
	g_clear_pointer(&fx->held, g_ptr_array_unref);
	g_clear_pointer(&fx->loop, g_main_loop_unref);
	g_clear_pointer(&fx->conf, relais_media_conf_free);
	g_free(fx->offer);
	g_free(fx->pipelines_dir);
}

static Peer *peer_of(Fixture *fx, RelaisMedia *media)
{
	g_assert_false(fx->freed); /* no callback may come after relais_media_free() */
	if (media == fx->offerer.media)
		return &fx->offerer;
	g_assert_true(media == fx->answerer.media);
	return &fx->answerer;
}

static gboolean accept_call(gpointer data)
{
	Fixture *fx = data;
	fx->accepted = TRUE;
	fx->t_accept = g_get_monotonic_time();
	g_debug("accept at %" G_GINT64_FORMAT " ms", fx->t_accept / 1000);

	/* The stored local description carries what was gathered meanwhile. */
	g_autofree char *full = relais_media_dup_local_sdp(fx->offerer.media);
	g_assert_nonnull(full);
	g_assert_nonnull(strstr(full, "a=candidate:"));

	g_autoptr(GError) error = NULL;
	g_assert_true(relais_media_set_remote(fx->answerer.media, "offer", fx->offer, &error));
	g_assert_no_error(error);
	for (guint i = 0; i < fx->held->len; i++) {
		HeldCandidate *h = g_ptr_array_index(fx->held, i);
		relais_media_add_ice(fx->answerer.media, h->mline, h->candidate);
	}
	g_ptr_array_set_size(fx->held, 0);
	return G_SOURCE_REMOVE;
}

static void on_sdp(RelaisMedia *media, const char *type, const char *sdp, gpointer user_data)
{
	Fixture *fx = user_data;
	Peer *p = peer_of(fx, media);
	g_autoptr(GError) error = NULL;
	if (p == &fx->offerer) {
		g_assert_cmpstr(type, ==, "offer");
		fx->t_offer = g_get_monotonic_time();
		/* What a Chromium answerer needs to see. */
		g_assert_nonnull(strstr(sdp, "a=group:BUNDLE"));
		g_assert_nonnull(strstr(sdp, "a=rtcp-mux"));
		g_assert_nonnull(strstr(sdp, "VP8/90000"));
		g_assert_nonnull(strstr(sdp, "OPUS/48000") ? (void *)1 : strstr(sdp, "opus/48000"));
		g_assert_nonnull(strstr(sdp, "msid:relais-video"));
		g_assert_nonnull(strstr(sdp, "msid:relais-audio"));
		fx->offer = g_strdup(sdp);
		g_timeout_add(ACCEPT_DELAY_MS, accept_call, fx);
	} else {
		g_assert_cmpstr(type, ==, "answer");
		g_assert_true(relais_media_set_remote(fx->offerer.media, "answer", sdp, &error));
		g_assert_no_error(error);
		fx->t_answer_applied = g_get_monotonic_time();
		g_debug("answer applied at %" G_GINT64_FORMAT " ms", fx->t_answer_applied / 1000);
	}
}

static void on_ice(RelaisMedia *media, guint mline, const char *candidate, gpointer user_data)
{
	Fixture *fx = user_data;
	Peer *p = peer_of(fx, media);
	if (*candidate == '\0')
		p->end_of_candidates = TRUE;
	else
		p->n_candidates++;
	if (p == &fx->offerer && !fx->accepted) {
		HeldCandidate *h = g_new0(HeldCandidate, 1);
		h->mline = mline;
		h->candidate = g_strdup(candidate);
		g_ptr_array_add(fx->held, h);
		return;
	}
	Peer *other = p == &fx->offerer ? &fx->answerer : &fx->offerer;
	relais_media_add_ice(other->media, mline, candidate);
}

static void on_state(RelaisMedia *media, RelaisMediaState state, gpointer user_data)
{
	Fixture *fx = user_data;
	Peer *p = peer_of(fx, media);
	if (state == RELAIS_MEDIA_STATE_CONNECTED && !p->connected) {
		p->connected = TRUE;
		p->t_connected = g_get_monotonic_time();
	}
}

static void on_error(RelaisMedia *media, const GError *error, gpointer user_data)
{
	Fixture *fx = user_data;
	Peer *p = peer_of(fx, media);
	g_test_message("%s: media error: %s", p->name, error->message);
	if (p->error == NULL)
		p->error = g_error_copy(error);
	g_main_loop_quit(fx->loop);
}

static const RelaisMediaCallbacks callbacks = {
	.on_sdp = on_sdp,
	.on_ice = on_ice,
	.on_state = on_state,
	.on_error = on_error,
};

static gboolean enough(Peer *p)
{
	RelaisMediaStats s;
	relais_media_get_stats(p->media, &s);
	return p->connected && s.video_frames_received >= MIN_FRAMES && s.audio_buffers_received > 0;
}

static gboolean poll_done(gpointer data)
{
	Fixture *fx = data;
	if (enough(&fx->offerer) && enough(&fx->answerer)) {
		fx->poll_id = 0;
		g_main_loop_quit(fx->loop);
		return G_SOURCE_REMOVE;
	}
	return G_SOURCE_CONTINUE;
}

static gboolean on_timeout(gpointer data)
{
	Fixture *fx = data;
	fx->timed_out = TRUE;
	fx->timeout_id = 0;
	g_main_loop_quit(fx->loop);
	return G_SOURCE_REMOVE;
}

static void check_peer(Fixture *fx, Peer *p)
{
	RelaisMediaStats s;
	relais_media_get_stats(p->media, &s);
	g_test_message("%s: sent %" G_GUINT64_FORMAT " video frames, %" G_GUINT64_FORMAT
		       " audio buffers; received %" G_GUINT64_FORMAT " video frames (%ux%u), %" G_GUINT64_FORMAT
		       " audio buffers",
		       p->name, s.video_frames_sent, s.audio_buffers_sent, s.video_frames_received, s.video_width,
		       s.video_height, s.audio_buffers_received);
	g_assert_no_error(p->error);
	g_assert_cmpint(relais_media_get_state(p->media), ==, RELAIS_MEDIA_STATE_CONNECTED);
	g_assert_cmpuint(s.video_frames_sent, >=, MIN_FRAMES);
	g_assert_cmpuint(s.audio_buffers_sent, >, 0);
	g_assert_cmpuint(s.video_frames_received, >=, MIN_FRAMES);
	g_assert_cmpuint(s.audio_buffers_received, >, 0);
	g_assert_cmpuint(s.video_width, ==, 640);
	g_assert_cmpuint(s.video_height, ==, 480);
	g_assert_cmpint(s.first_video_sent_us, >, 0);
	g_assert_cmpint(s.first_video_received_us, >=, fx->t_accept);
	g_assert_cmpint(s.first_audio_received_us, >=, fx->t_accept);
	g_assert_cmpuint(p->n_candidates, >, 0);

	GstSample *sample = relais_media_pull_remote_video(p->media);
	g_assert_nonnull(sample);
	GstStructure *st = gst_caps_get_structure(gst_sample_get_caps(sample), 0);
	g_assert_cmpstr(gst_structure_get_string(st, "format"), ==, "I420");
	gst_sample_unref(sample);
}

static void test_loopback(Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;

	gint64 t0 = g_get_monotonic_time();
	relais_media_warm_up();
	gint64 t_warm = g_get_monotonic_time();

	/* The adviser's browser page is open before anyone calls. */
	fx->answerer.media = relais_media_new(fx->conf, RELAIS_MEDIA_ANSWERER, &callbacks, fx, &error);
	g_assert_no_error(error);
	g_assert_true(relais_media_start(fx->answerer.media, NULL, &error));
	g_assert_no_error(error);

	/* The visitor asks for an adviser. */
	fx->t_start = g_get_monotonic_time();
	fx->offerer.media = relais_media_new(fx->conf, RELAIS_MEDIA_OFFERER, &callbacks, fx, &error);
	g_assert_no_error(error);
	g_assert_cmpint(relais_media_get_state(fx->offerer.media), ==, RELAIS_MEDIA_STATE_NEW);
	g_assert_true(relais_media_start(fx->offerer.media, NULL, &error));
	g_assert_no_error(error);

	/* RELAIS_TEST_TIMEOUT_S: for valgrind, where everything is 20x slower. */
	const char *t = g_getenv("RELAIS_TEST_TIMEOUT_S");
	guint timeout_s = t ? (guint)g_ascii_strtoull(t, NULL, 10) : 0;
	fx->timeout_id = g_timeout_add_seconds(timeout_s ? timeout_s : TIMEOUT_S, on_timeout, fx);
	fx->poll_id = g_timeout_add(10, poll_done, fx);
	g_main_loop_run(fx->loop);

	g_assert_false(fx->timed_out);
	g_assert_true(fx->offerer.end_of_candidates);
	check_peer(fx, &fx->offerer);
	check_peer(fx, &fx->answerer);

	RelaisMediaStats so, sa;
	relais_media_get_stats(fx->offerer.media, &so);
	relais_media_get_stats(fx->answerer.media, &sa);
	double ms = 1000.0;
	g_test_message("timings (ms): warm-up %.1f; start->offer %.1f; accept->answer applied %.1f; "
		       "answer applied->connected booth %.1f adviser %.1f; "
		       "answer applied->first video frame at booth %.1f, at adviser %.1f; "
		       "accept->first video frame at booth %.1f, at adviser %.1f; "
		       "answer applied->first audio at booth %.1f, at adviser %.1f",
		       (t_warm - t0) / ms, (fx->t_offer - fx->t_start) / ms, (fx->t_answer_applied - fx->t_accept) / ms,
		       (fx->offerer.t_connected - fx->t_answer_applied) / ms,
		       (fx->answerer.t_connected - fx->t_answer_applied) / ms,
		       (so.first_video_received_us - fx->t_answer_applied) / ms,
		       (sa.first_video_received_us - fx->t_answer_applied) / ms,
		       (so.first_video_received_us - fx->t_accept) / ms,
		       (sa.first_video_received_us - fx->t_accept) / ms,
		       (so.first_audio_received_us - fx->t_answer_applied) / ms,
		       (sa.first_audio_received_us - fx->t_answer_applied) / ms);

	/* Wrong role, wrong moment, garbage: errors, not aborts. */
	g_assert_false(relais_media_set_remote(fx->offerer.media, "offer", fx->offer, &error));
	g_assert_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_STATE);
	g_clear_error(&error);
	g_assert_false(relais_media_set_remote(fx->offerer.media, "pranswer", "v=0", &error));
	g_assert_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_SDP);
	g_clear_error(&error);
	relais_media_add_ice(fx->offerer.media, 0, "candidate:1 1 UDP 2122252543 3f1c1b2a-0d1e.local 50000 typ host");
	relais_media_add_ice(fx->offerer.media, 0, "garbage");

	/* Free while media flows, then make sure nothing calls back. */
	fx->freed = TRUE;
	g_clear_pointer(&fx->offerer.media, relais_media_free);
	g_clear_pointer(&fx->answerer.media, relais_media_free);
	gint64 until = g_get_monotonic_time() + 200 * G_TIME_SPAN_MILLISECOND;
	while (g_get_monotonic_time() < until)
		g_main_context_iteration(NULL, FALSE);
}

/* Runs the call until both ends decode MIN_FRAMES and audio. */
static void run_until_flowing(Fixture *fx)
{
	const char *t = g_getenv("RELAIS_TEST_TIMEOUT_S");
	guint timeout_s = t ? (guint)g_ascii_strtoull(t, NULL, 10) : 0;
	fx->timeout_id = g_timeout_add_seconds(timeout_s ? timeout_s : TIMEOUT_S, on_timeout, fx);
	fx->poll_id = g_timeout_add(10, poll_done, fx);
	g_main_loop_run(fx->loop);
	g_assert_false(fx->timed_out);
	g_assert_no_error(fx->offerer.error);
	g_assert_no_error(fx->answerer.error);
	g_source_remove(fx->timeout_id);
	fx->timeout_id = 0;
}

typedef double (*LevelFunc)(gpointer data);

static double mic_level_of(gpointer data)
{
	return relais_media_get_mic_level(data);
}

static double level_of(gpointer data)
{
	return relais_level_get(data);
}

/* The highest level seen in `ms` while the call runs. The sim microphone
 * ticks once a second (~25 ms of 440 Hz), so look at more than a second. */
static double max_level(LevelFunc get, gpointer data, guint ms)
{
	double max = 0.0;
	gint64 end = g_get_monotonic_time() + ms * G_TIME_SPAN_MILLISECOND;
	while (g_get_monotonic_time() < end) {
		while (g_main_context_iteration(NULL, FALSE))
			;
		max = MAX(max, get(data));
		g_usleep(10000);
	}
	return max;
}

static void spin(guint ms)
{
	gint64 end = g_get_monotonic_time() + ms * G_TIME_SPAN_MILLISECOND;
	while (g_get_monotonic_time() < end) {
		while (g_main_context_iteration(NULL, FALSE))
			;
		g_usleep(10000);
	}
}

static double frame_mean_y(FrameSeen *f)
{
	g_mutex_lock(&f->lock);
	double y = f->mean_y;
	g_mutex_unlock(&f->lock);
	return y;
}

/* Spins until the last frame's mean luma is within [lo, hi] (TRUE) or ms pass. */
static gboolean wait_mean_y(FrameSeen *f, double lo, double hi, guint ms)
{
	gint64 end = g_get_monotonic_time() + ms * G_TIME_SPAN_MILLISECOND;
	gint start = g_atomic_int_get(&f->frames);
	for (;;) {
		while (g_main_context_iteration(NULL, FALSE))
			;
		double y = frame_mean_y(f);
		if (g_atomic_int_get(&f->frames) > start && y >= lo && y <= hi)
			return TRUE;
		if (g_get_monotonic_time() >= end)
			return FALSE;
		g_usleep(10000);
	}
}

static GstElement *element_in(RelaisMedia *media, const char *name)
{
	g_autoptr(GstElement) pipeline = relais_media_dup_pipeline(media);
	g_assert_nonnull(pipeline);
	GstElement *el = gst_bin_get_by_name(GST_BIN(pipeline), name);
	g_assert_nonnull(el);
	return el;
}

/* The statistics are read from the RTP session, not with webrtcbin's
 * get-stats, whose reply names an entry after each SSRC as a structure
 * field: GLib interns every field name as a quark and never frees it, a
 * few KB more each call for the life of the booth (media-probes.c). None
 * of those names may exist after a call with its statistics polled. */
static void assert_no_stats_quarks(RelaisMedia *m)
{
	g_autofree char *sdp = relais_media_dup_local_sdp(m);
	g_assert_nonnull(sdp);
	guint seen = 0;
	for (const char *p = strstr(sdp, "a=ssrc:"); p != NULL; p = strstr(p + 1, "a=ssrc:")) {
		guint ssrc = (guint)g_ascii_strtoull(p + strlen("a=ssrc:"), NULL, 10);
		g_autofree char *out = g_strdup_printf("rtp-outbound-stream-stats_%u", ssrc);
		g_autofree char *rin = g_strdup_printf("rtp-remote-inbound-stream-stats_%u", ssrc);
		g_assert_cmpuint(g_quark_try_string(out), ==, 0);
		g_assert_cmpuint(g_quark_try_string(rin), ==, 0);
		seen++;
	}
	g_assert_cmpuint(seen, >, 0);
}

static void test_controls(Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	FrameSeen local = {0}, remote = {0}, booth_remote = {0};
	g_mutex_init(&local.lock);
	g_mutex_init(&remote.lock);
	g_mutex_init(&booth_remote.lock);

	fx->answerer.media = relais_media_new(fx->conf, RELAIS_MEDIA_ANSWERER, &callbacks, fx, &error);
	g_assert_no_error(error);
	fx->offerer.media = relais_media_new(fx->conf, RELAIS_MEDIA_OFFERER, &callbacks, fx, &error);
	g_assert_no_error(error);
	RelaisMedia *booth = fx->offerer.media, *adviser = fx->answerer.media;

	/* Everything may be set before start(). */
	relais_media_set_frame_func(booth, RELAIS_MEDIA_VIDEO_LOCAL, on_frame, &local);
	relais_media_set_frame_func(booth, RELAIS_MEDIA_VIDEO_REMOTE, on_frame, &booth_remote);
	relais_media_set_frame_func(adviser, RELAIS_MEDIA_VIDEO_REMOTE, on_frame, &remote);
	relais_media_set_volume(booth, 0);
	relais_media_set_muted(booth, FALSE);
	relais_media_set_camera_off(booth, FALSE);
	g_assert_cmpint(relais_media_get_quality(booth), ==, 0);
	g_assert_cmpfloat(relais_media_get_mic_level(booth), ==, 0.0);

	g_assert_true(relais_media_start(adviser, NULL, &error));
	g_assert_no_error(error);
	g_assert_true(relais_media_start(booth, NULL, &error));
	g_assert_no_error(error);
	g_assert_cmpint(relais_media_get_quality(booth), ==, 0); /* not connected yet */
	run_until_flowing(fx);

	/* Frames reach the frame functions, I420 at the board's size, and the
	 * appsink still hands them out beside the function. */
	g_assert_cmpint(g_atomic_int_get(&local.frames), >, 0);
	g_assert_cmpint(g_atomic_int_get(&remote.frames), >, 0);
	g_assert_cmpint(g_atomic_int_get(&booth_remote.frames), >, 0);
	for (FrameSeen *f = &local; f != NULL; f = f == &local ? &remote : NULL) {
		g_mutex_lock(&f->lock);
		g_assert_cmpstr(f->format, ==, "I420");
		g_assert_cmpuint(f->width, ==, 640);
		g_assert_cmpuint(f->height, ==, 480);
		g_mutex_unlock(&f->lock);
	}
	GstSample *pulled = relais_media_pull_remote_video(adviser);
	g_assert_nonnull(pulled);
	gst_sample_unref(pulled);

	/* Connected, media flowing: at least one bar. */
	g_assert_cmpint(relais_media_get_quality(booth), >=, 1);
	g_assert_cmpint(relais_media_get_quality(adviser), >=, 1);

	/* The volume set before start() reached its element. */
	g_autoptr(GstElement) booth_volume = element_in(booth, "relais-volume");
	double v = -1;
	g_object_get(booth_volume, "volume", &v, NULL);
	g_assert_cmpfloat(v, ==, 0.0);
	g_assert_cmpint(relais_media_get_volume(booth), ==, 0);

	/* The microphone level, and what the adviser hears (measured where
	 * the adviser's playback starts). */
	g_autoptr(GstElement) playback = element_in(adviser, "audio-playback");
	g_autoptr(GstPad) heard_pad = gst_element_get_static_pad(playback, "sink");
	g_autoptr(RelaisLevel) heard = relais_level_new();
	relais_level_attach(heard, heard_pad);
	double mic = max_level(mic_level_of, booth, 1500);
	double loud = max_level(level_of, heard, 1500);
	g_test_message("unmuted: booth mic peak %.4f, adviser hears peak %.4f", mic, loud);
	g_assert_cmpfloat(mic, >, 0.01);
	g_assert_cmpfloat(loud, >, 0.01);

	/* Muted: the adviser hears digital silence, the booth's meter moves. */
	relais_media_set_muted(booth, TRUE);
	g_assert_true(relais_media_get_muted(booth));
	spin(400); /* what was in flight */
	double mic_muted = max_level(mic_level_of, booth, 1500);
	double silent = max_level(level_of, heard, 1500);
	g_test_message("muted: booth mic peak %.4f, adviser hears peak %.4f", mic_muted, silent);
	g_assert_cmpfloat(mic_muted, >, 0.01);
	g_assert_cmpfloat(silent, <, 0.002);
	relais_media_set_muted(booth, FALSE);
	spin(200);
	double back = max_level(level_of, heard, 1500);
	g_test_message("unmuted again: adviser hears peak %.4f", back);
	g_assert_cmpfloat(back, >, 0.01);

	/* Camera off: black frames at the far end (after the keyframe that
	 * the switch requests) and in the self-view; the picture comes back. */
	double on_y = frame_mean_y(&remote);
	relais_media_set_camera_off(booth, TRUE);
	g_assert_true(relais_media_get_camera_off(booth));
	gboolean black = wait_mean_y(&remote, 8, 24, 3000);
	g_test_message("camera on: adviser's frame mean Y %.1f; off: %.1f", on_y, frame_mean_y(&remote));
	g_assert_true(black);
	g_mutex_lock(&remote.lock);
	g_assert_cmpfloat(fabs(remote.mean_uv - 128), <, 8);
	g_mutex_unlock(&remote.lock);
	g_assert_true(wait_mean_y(&local, 16, 16, 1000));
	g_mutex_lock(&local.lock);
	g_assert_cmpfloat(local.mean_uv, ==, 128);
	g_mutex_unlock(&local.lock);
	relais_media_set_camera_off(booth, FALSE);
	g_assert_true(wait_mean_y(&remote, on_y - 8, on_y + 8, 3000));

	/* Volume: cubic scale, 0 silences what the adviser's loudspeaker gets
	 * (the playback, echo probe included, is after the volume). */
	relais_media_set_volume(adviser, 50);
	g_autoptr(GstElement) adviser_volume = element_in(adviser, "relais-volume");
	g_object_get(adviser_volume, "volume", &v, NULL);
	g_assert_cmpfloat(fabs(v - 0.125), <, 1e-9);
	g_assert_cmpint(relais_media_get_volume(adviser), ==, 50);
	relais_media_set_volume(adviser, 0);
	g_object_get(adviser_volume, "volume", &v, NULL);
	g_assert_cmpfloat(v, ==, 0.0);
	spin(200);
	double vol0 = max_level(level_of, heard, 1500);
	g_test_message("volume 0: adviser's playback peak %.4f", vol0);
	g_assert_cmpfloat(vol0, <, 0.002);
	relais_media_set_volume(adviser, 250); /* clamped */
	g_assert_cmpint(relais_media_get_volume(adviser), ==, 100);

	/* With the statistics in (every 2 s): still connected, loopback. */
	spin(2500);
	int qb = relais_media_get_quality(booth), qa = relais_media_get_quality(adviser);
	g_test_message("quality: booth %d, adviser %d", qb, qa);
	g_assert_cmpint(qb, >=, 1);
	g_assert_cmpint(qa, >=, 1);
	assert_no_stats_quarks(booth);

	/* A cleared function is not called again. */
	relais_media_set_frame_func(booth, RELAIS_MEDIA_VIDEO_LOCAL, NULL, NULL);
	g_atomic_int_set(&local.freed, 1);
	spin(200);

	/* Freed with functions set: none is called once free() has returned. */
	g_clear_object(&booth_volume);
	g_clear_object(&adviser_volume);
	g_clear_object(&playback);
	g_clear_object(&heard_pad);
	fx->freed = TRUE;
	g_clear_pointer(&fx->offerer.media, relais_media_free);
	g_clear_pointer(&fx->answerer.media, relais_media_free);
	g_atomic_int_set(&remote.freed, 1);
	g_atomic_int_set(&booth_remote.freed, 1);
	spin(200);
	frame_seen_clear(&local);
	frame_seen_clear(&remote);
	frame_seen_clear(&booth_remote);
	g_mutex_clear(&local.lock);
	g_mutex_clear(&remote.lock);
	g_mutex_clear(&booth_remote.lock);
}

static char *sim_conf_with(Fixture *fx, const char *from, const char *to, char **tmpdir)
{
	g_autofree char *sim = g_build_filename(fx->pipelines_dir, "sim", "media.conf", NULL);
	g_autofree char *text = NULL;
	g_assert_true(g_file_get_contents(sim, &text, NULL, NULL));
	g_assert_nonnull(strstr(text, from));
	g_autoptr(GString) s = g_string_new(text);
	g_string_replace(s, from, to, 0);
	g_autoptr(GError) error = NULL;
	*tmpdir = g_dir_make_tmp("relais-media-XXXXXX", &error);
	g_assert_no_error(error);
	char *path = g_build_filename(*tmpdir, "media.conf", NULL);
	g_assert_true(g_file_set_contents(path, s->str, -1, &error));
	return path;
}

static void remove_tmp(const char *dir, const char *path)
{
	g_unlink(path);
	g_rmdir(dir);
}

static void test_missing_element(Fixture *fx, gconstpointer data)
{
	g_autofree char *dir = NULL;
	g_autofree char *path = sim_conf_with(fx, "encoder=vp8enc ", "encoder=relaisnosuchenc ! vp8enc ", &dir);
	g_autoptr(GError) error = NULL;
	g_autoptr(RelaisMediaConf) conf = relais_media_conf_load(path, &error);
	g_assert_no_error(error); /* syntax is fine: the element is just not installed */

	RelaisMedia *media = relais_media_new(conf, RELAIS_MEDIA_OFFERER, &callbacks, fx, &error);
	g_assert_null(media);
	g_assert_error(error, RELAIS_MEDIACONF_ERROR, RELAIS_MEDIACONF_ERROR_MISSING_ELEMENT);
	g_assert_nonnull(strstr(error->message, "relaisnosuchenc"));
	g_test_message("%s", error->message);
	remove_tmp(dir, path);

	/* A booth without its camera (no fallback): out of order, with why. */
	g_free(path);
	g_free(dir);
	path = sim_conf_with(fx, "device=/dev/video0", "device=/dev/relais-no-such-camera", &dir);
	g_autofree char *text = NULL;
	g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
	g_autoptr(GString) s = g_string_new(text);
	g_string_replace(s, "\nfallback=", "\n#fallback=", 1);
	g_assert_true(g_file_set_contents(path, s->str, -1, NULL));
	g_clear_pointer(&conf, relais_media_conf_free);
	g_clear_error(&error);
	conf = relais_media_conf_load(path, &error);
	g_assert_no_error(error);
	media = relais_media_new(conf, RELAIS_MEDIA_OFFERER, &callbacks, fx, &error);
	g_assert_null(media);
	g_assert_error(error, RELAIS_MEDIACONF_ERROR, RELAIS_MEDIACONF_ERROR_MISSING_DEVICE);
	g_test_message("%s", error->message);
	remove_tmp(dir, path);
}

static void test_start_fails(Fixture *fx, gconstpointer data)
{
	if (g_file_test("/dev/video0", G_FILE_TEST_EXISTS)) {
		g_test_skip("a real camera is present: the fallback is not used");
		return;
	}
	/* A camera that cannot be opened: start() reports it, nothing aborts. */
	g_autofree char *dir = NULL;
	g_autofree char *path =
		sim_conf_with(fx, "fallback=videotestsrc is-live=true pattern=bar horizontal-speed=4",
			      "fallback=v4l2src device=/dev/relais-no-such-camera ! videoconvert ! videoscale", &dir);
	g_autoptr(GError) error = NULL;
	g_autoptr(RelaisMediaConf) conf = relais_media_conf_load(path, &error);
	g_assert_no_error(error);
	fx->offerer.media = relais_media_new(conf, RELAIS_MEDIA_OFFERER, &callbacks, fx, &error);
	g_assert_no_error(error);
	g_assert_false(relais_media_start(fx->offerer.media, NULL, &error));
	g_assert_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_PIPELINE);
	g_test_message("%s", error->message);
	g_assert_cmpint(relais_media_get_state(fx->offerer.media), ==, RELAIS_MEDIA_STATE_FAILED);
	fx->freed = TRUE;
	g_clear_pointer(&fx->offerer.media, relais_media_free);
	remove_tmp(dir, path);
}

static void test_bad_ice_server(Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	fx->offerer.media = relais_media_new(fx->conf, RELAIS_MEDIA_OFFERER, &callbacks, fx, &error);
	g_assert_no_error(error);
	const char *servers[] = {"stun://127.0.0.1:3478", "http://example.org", NULL};
	g_assert_false(relais_media_start(fx->offerer.media, servers, &error));
	g_assert_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_ICE_SERVER);
	g_clear_error(&error);
	const char *no_cred[] = {"turn://127.0.0.1:3478", NULL};
	g_assert_false(relais_media_start(fx->offerer.media, no_cred, &error));
	g_assert_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_ICE_SERVER);
	g_clear_error(&error);
	const char *ok[] = {"stun:127.0.0.1:3478", "turn://u:p@127.0.0.1:3478", NULL};
	gboolean started = relais_media_start(fx->offerer.media, ok, &error);
	g_assert_no_error(error);
	g_assert_true(started);
	g_assert_false(relais_media_start(fx->offerer.media, ok, &error));
	g_assert_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_STATE);
	fx->freed = TRUE;
	g_clear_pointer(&fx->offerer.media, relais_media_free);
}

/* Spins until the engine says `device` is in `state` (TRUE) or ms pass. */
static gboolean wait_device(RelaisMedia *media, RelaisMediaDevice device, RelaisMediaDeviceState state, guint ms)
{
	gint64 end = g_get_monotonic_time() + ms * G_TIME_SPAN_MILLISECOND;
	while (relais_media_get_device_state(media, device) != state) {
		if (g_get_monotonic_time() >= end)
			return FALSE;
		while (g_main_context_iteration(NULL, FALSE))
			;
		g_usleep(10000);
	}
	return TRUE;
}

/* The engine's side of a device lost mid-call, two engines in this
 * process: the source's own error loses the device and not the call, a
 * placeholder feeds the chain (the first black frames reach the far end),
 * tries fail while the device is away, and it is taken back when it
 * returns. What the far end receives after the swaps is checked end to end
 * with Chromium (tests/e2e/devlost.test.mjs): here, with both engines in
 * one process, the media of BOTH directions sometimes stops a few seconds
 * after a swap (packets still reach the booth's nicesink; ICE stays
 * connected; not the re-stamping, not the latency; about one run in five
 * under load, not seen with the real booth and Chromium): an open
 * question, written down in firmware/lib/README.md. */
static void test_device_lost(Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	FrameSeen remote = {0};
	g_mutex_init(&remote.lock);
	fx->answerer.media = relais_media_new(fx->conf, RELAIS_MEDIA_ANSWERER, &callbacks, fx, &error);
	g_assert_no_error(error);
	fx->offerer.media = relais_media_new(fx->conf, RELAIS_MEDIA_OFFERER, &callbacks, fx, &error);
	g_assert_no_error(error);
	RelaisMedia *booth = fx->offerer.media, *adviser = fx->answerer.media;
	relais_media_set_frame_func(adviser, RELAIS_MEDIA_VIDEO_REMOTE, on_frame, &remote);
	g_assert_true(relais_media_start(adviser, NULL, &error));
	g_assert_true(relais_media_start(booth, NULL, &error));
	g_assert_no_error(error);
	run_until_flowing(fx);
	g_assert_cmpint(relais_media_get_device_state(booth, RELAIS_MEDIA_CAMERA), ==, RELAIS_MEDIA_DEVICE_OK);
	g_assert_cmpint(relais_media_get_device_state(booth, RELAIS_MEDIA_MICROPHONE), ==, RELAIS_MEDIA_DEVICE_OK);

	/* The camera lost: the source's own error, the call goes on; the far
	 * end's first frames after it are the placeholder's black ones. */
	relais_media_set_device_fault(booth, RELAIS_MEDIA_CAMERA, TRUE);
	g_assert_true(wait_device(booth, RELAIS_MEDIA_CAMERA, RELAIS_MEDIA_DEVICE_LOST, 5000));
	g_assert_true(wait_mean_y(&remote, 8, 24, 5000));
	/* tries fail while the device is away */
	gint64 t0 = g_get_monotonic_time();
	while (relais_media_get_device_tries(booth, RELAIS_MEDIA_CAMERA) < 1 &&
	       g_get_monotonic_time() - t0 < 10 * G_USEC_PER_SEC)
		spin(50);
	g_assert_cmpuint(relais_media_get_device_tries(booth, RELAIS_MEDIA_CAMERA), >=, 1);
	g_assert_cmpint(relais_media_get_device_state(booth, RELAIS_MEDIA_MICROPHONE), ==, RELAIS_MEDIA_DEVICE_OK);

	/* Back: its first buffer through the chain makes it OK again. */
	relais_media_set_device_fault(booth, RELAIS_MEDIA_CAMERA, FALSE);
	g_assert_true(wait_device(booth, RELAIS_MEDIA_CAMERA, RELAIS_MEDIA_DEVICE_OK, 15000));
	g_assert_cmpuint(relais_media_get_device_tries(booth, RELAIS_MEDIA_CAMERA), ==, 0);

	/* The microphone, the same. */
	relais_media_set_device_fault(booth, RELAIS_MEDIA_MICROPHONE, TRUE);
	g_assert_true(wait_device(booth, RELAIS_MEDIA_MICROPHONE, RELAIS_MEDIA_DEVICE_LOST, 5000));
	g_assert_cmpint(relais_media_get_device_state(booth, RELAIS_MEDIA_CAMERA), ==, RELAIS_MEDIA_DEVICE_OK);
	relais_media_set_device_fault(booth, RELAIS_MEDIA_MICROPHONE, FALSE);
	g_assert_true(wait_device(booth, RELAIS_MEDIA_MICROPHONE, RELAIS_MEDIA_DEVICE_OK, 15000));

	/* Never a failure of the call. */
	spin(200);
	g_assert_no_error(fx->offerer.error);
	g_assert_cmpint(relais_media_get_state(booth), !=, RELAIS_MEDIA_STATE_FAILED);

	fx->freed = TRUE;
	g_clear_pointer(&fx->offerer.media, relais_media_free);
	g_clear_pointer(&fx->answerer.media, relais_media_free);
	g_atomic_int_set(&remote.freed, 1);
	frame_seen_clear(&remote);
	g_mutex_clear(&remote.lock);
}

/* Lost before the call starts: the call starts all the same on the
 * placeholder, and takes the device when it comes back. */
static void test_device_lost_before(Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	fx->answerer.media = relais_media_new(fx->conf, RELAIS_MEDIA_ANSWERER, &callbacks, fx, &error);
	g_assert_no_error(error);
	fx->offerer.media = relais_media_new(fx->conf, RELAIS_MEDIA_OFFERER, &callbacks, fx, &error);
	g_assert_no_error(error);
	RelaisMedia *booth = fx->offerer.media, *adviser = fx->answerer.media;
	relais_media_set_device_fault(booth, RELAIS_MEDIA_CAMERA, TRUE);
	g_assert_true(relais_media_start(adviser, NULL, &error));
	g_assert_true(relais_media_start(booth, NULL, &error));
	g_assert_no_error(error);
	run_until_flowing(fx);
	g_assert_cmpint(relais_media_get_device_state(booth, RELAIS_MEDIA_CAMERA), !=, RELAIS_MEDIA_DEVICE_OK);
	relais_media_set_device_fault(booth, RELAIS_MEDIA_CAMERA, FALSE);
	g_assert_true(wait_device(booth, RELAIS_MEDIA_CAMERA, RELAIS_MEDIA_DEVICE_OK, 15000));
	g_assert_no_error(fx->offerer.error);
	fx->freed = TRUE;
	g_clear_pointer(&fx->offerer.media, relais_media_free);
	g_clear_pointer(&fx->answerer.media, relais_media_free);
}

static void on_encoded(GstElement *sink, GstBuffer *buf, GstPad *pad, gpointer data)
{
	*(guint64 *)data += gst_buffer_get_size(buf);
}

/* Every board's video encoder holds the rate it is given on a picture that
 * needs more (the scrolling SMPTE bars at 640x480 want over 1 Mbit/s): the
 * rate controller (RATE.md) lowers the target on a congested uplink, and an
 * encoder sending 3 times that fills the queue it means to drain. Five
 * seconds of video (150 frames, not live: media time, not wall-clock), the
 * RTP packets counted. */
static void test_encoder_holds_rate(void)
{
	const guint kbps = 300, frames = 150, fps = 30;
	g_autofree char *pipelines_dir = rt_pipelines_dir();
	g_autoptr(GError) error = NULL;
	g_autoptr(GDir) dir = g_dir_open(pipelines_dir, 0, &error);
	g_assert_no_error(error);
	guint boards = 0;
	for (const char *board; (board = g_dir_read_name(dir)) != NULL;) {
		g_autofree char *conf_path = g_build_filename(pipelines_dir, board, "media.conf", NULL);
		if (!g_file_test(conf_path, G_FILE_TEST_EXISTS))
			continue;
		g_autoptr(RelaisMediaConf) conf = relais_media_conf_load_board(pipelines_dir, board, &error);
		g_assert_no_error(error);
		relais_media_conf_set_bitrate(conf, kbps);
		g_autofree char *encoder = relais_media_conf_dup_fragment(conf, "video", "encoder");
		g_assert_nonnull(encoder);
		g_autofree char *desc =
			g_strdup_printf("videotestsrc pattern=smpte horizontal-speed=4 num-buffers=%u ! "
					"video/x-raw,format=I420,width=640,height=480,framerate=%u/1 ! %s ! "
					"fakesink name=out sync=false signal-handoffs=true",
					frames, fps, encoder);
		GstElement *pipeline = gst_parse_launch(desc, &error);
		if (g_error_matches(error, GST_PARSE_ERROR, GST_PARSE_ERROR_NO_SUCH_ELEMENT)) {
			/* a board's hardware encoder, not on this host */
			g_test_message("%s: %s, not tried here", board, error->message);
			g_clear_error(&error);
			g_clear_object(&pipeline);
			continue;
		}
		g_assert_no_error(error);
		guint64 bytes = 0;
		g_autoptr(GstElement) out = gst_bin_get_by_name(GST_BIN(pipeline), "out");
		g_signal_connect(out, "handoff", G_CALLBACK(on_encoded), &bytes);
		g_assert_cmpint(gst_element_set_state(pipeline, GST_STATE_PLAYING), !=, GST_STATE_CHANGE_FAILURE);
		g_autoptr(GstBus) bus = gst_element_get_bus(pipeline);
		g_autoptr(GstMessage) msg =
			gst_bus_timed_pop_filtered(bus, 120 * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
		g_assert_nonnull(msg);
		g_assert_cmpint(GST_MESSAGE_TYPE(msg), ==, GST_MESSAGE_EOS);
		gst_element_set_state(pipeline, GST_STATE_NULL);
		gst_object_unref(pipeline);
		double sent_kbps = (double)bytes * 8 / 1000 / ((double)frames / fps);
		g_test_message("%s: %.0f kbit/s sent for %u", board, sent_kbps, kbps);
		g_assert_cmpfloat(sent_kbps, >, 0);
		/* RTP headers included; libvpx's first frames spend the buffer's
		 * initial fill */
		g_assert_cmpfloat(sent_kbps, <=, kbps * 1.2);
		boards++;
	}
	g_assert_cmpuint(boards, >=, 1); /* the sim board's at least */
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	gst_init(&argc, &argv);
	g_test_add("/media/loopback", Fixture, NULL, fixture_set_up, test_loopback, fixture_tear_down);
	g_test_add("/media/controls", Fixture, NULL, fixture_set_up, test_controls, fixture_tear_down);
	g_test_add("/media/device-lost", Fixture, NULL, fixture_set_up, test_device_lost, fixture_tear_down);
	g_test_add("/media/device-lost-before", Fixture, NULL, fixture_set_up, test_device_lost_before,
		   fixture_tear_down);
	g_test_add("/media/missing-element", Fixture, NULL, fixture_set_up, test_missing_element, fixture_tear_down);
	g_test_add("/media/start-fails", Fixture, NULL, fixture_set_up, test_start_fails, fixture_tear_down);
	g_test_add("/media/bad-ice-server", Fixture, NULL, fixture_set_up, test_bad_ice_server, fixture_tear_down);
	g_test_add_func("/media/encoder-holds-rate", test_encoder_holds_rate);
	return g_test_run();
}
