/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Two media engines in one process, offerer (the booth) and answerer (the
 * adviser), their signaling wired directly, real webrtcbin, ICE, DTLS and
 * codecs on the sim board. Follows the booth's order of events: the booth
 * starts and makes its offer while the visitor waits, the offer leaves when
 * an adviser accepts.
 */
#define G_LOG_DOMAIN "test-media-loopback"

#include <string.h>
#include <glib/gstdio.h>
#include <gst/gst.h>

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

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	gst_init(&argc, &argv);
	g_test_add("/media/loopback", Fixture, NULL, fixture_set_up, test_loopback, fixture_tear_down);
	g_test_add("/media/missing-element", Fixture, NULL, fixture_set_up, test_missing_element, fixture_tear_down);
	g_test_add("/media/start-fails", Fixture, NULL, fixture_set_up, test_start_fails, fixture_tear_down);
	g_test_add("/media/bad-ice-server", Fixture, NULL, fixture_set_up, test_bad_ice_server, fixture_tear_down);
	return g_test_run();
}
