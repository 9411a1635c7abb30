/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A guest's media connection (media-guest.h) with real webrtcbins on the
 * sim board: the booth (offerer) in a call with an adviser (answerer), a
 * guest (a second answerer) joins through the booth's second webrtcbin,
 * fed by the tees after the booth's payloaders. Frames and audio flow both
 * ways with the guest while the adviser's keep flowing; the guest goes and
 * a second one comes in the same call; bad input to the guest's connection
 * is an error, never the call's.
 */
#define G_LOG_DOMAIN "test-media-guest"

#include <string.h>
#include <gst/gst.h>
#include <gst/video/video.h>

#include "harness.h"
#include "media.h"
#include "media-guest.h"

#define TIMEOUT_S  30
#define MIN_FRAMES 30

typedef struct {
	char *pipelines_dir;
	RelaisMediaConf *conf;
	RelaisMedia *booth, *adviser, *guest_peer;
	RelaisMediaGuest *guest;
	GError *error;
	guint guest_offers;
} Fixture;

static void fixture_set_up(Fixture *fx, gconstpointer data)
{
	rt_tolerate_known_upstream_criticals();
	fx->pipelines_dir = rt_pipelines_dir();
	g_autoptr(GError) error = NULL;
	fx->conf = relais_media_conf_load_board(fx->pipelines_dir, "sim", &error);
	g_assert_no_error(error);
}

static void fixture_tear_down(Fixture *fx, gconstpointer data)
{
	g_clear_pointer(&fx->guest, relais_media_guest_free);
	g_clear_pointer(&fx->guest_peer, relais_media_free);
	g_clear_pointer(&fx->booth, relais_media_free);
	g_clear_pointer(&fx->adviser, relais_media_free);
	g_clear_error(&fx->error);
	g_clear_pointer(&fx->conf, relais_media_conf_free);
	g_free(fx->pipelines_dir);
}

static void keep_error(Fixture *fx, const char *who, const GError *error)
{
	g_test_message("%s: %s", who, error->message);
	if (fx->error == NULL)
		fx->error = g_error_copy(error);
}

/* booth <-> adviser, as test-media-loopback.c does without the wait */
static void on_sdp(RelaisMedia *media, const char *type, const char *sdp, gpointer user_data)
{
	Fixture *fx = user_data;
	g_autoptr(GError) error = NULL;
	if (media == fx->booth)
		g_assert_true(relais_media_set_remote(fx->adviser, "offer", sdp, &error));
	else if (media == fx->adviser)
		g_assert_true(relais_media_set_remote(fx->booth, "answer", sdp, &error));
	else /* the guest's answer, to the booth's guest connection */
		g_assert_true(relais_media_guest_set_remote(fx->guest, "answer", sdp, &error));
	g_assert_no_error(error);
}

static void on_ice(RelaisMedia *media, guint mline, const char *candidate, gpointer user_data)
{
	Fixture *fx = user_data;
	if (media == fx->booth)
		relais_media_add_ice(fx->adviser, mline, candidate);
	else if (media == fx->adviser)
		relais_media_add_ice(fx->booth, mline, candidate);
	else if (fx->guest != NULL)
		relais_media_guest_add_ice(fx->guest, mline, candidate);
}

static void on_error(RelaisMedia *media, const GError *error, gpointer user_data)
{
	keep_error(user_data, media == ((Fixture *)user_data)->booth ? "booth" : "a peer", error);
}

static const RelaisMediaCallbacks callbacks = {.on_sdp = on_sdp, .on_ice = on_ice, .on_error = on_error};

/* The booth's guest connection: its offer to the guest's engine. */
static void on_guest_sdp(RelaisMedia *media, const char *type, const char *sdp, gpointer user_data)
{
	Fixture *fx = user_data;
	g_assert_true(media == fx->booth);
	g_assert_cmpstr(type, ==, "offer");
	if (strstr(sdp, "msid:relais-video") == NULL)
		g_test_message("the guest offer: %s", sdp);
	g_assert_nonnull(strstr(sdp, "msid:relais-video"));
	fx->guest_offers++;
	g_autoptr(GError) error = NULL;
	g_assert_true(relais_media_set_remote(fx->guest_peer, "offer", sdp, &error));
	g_assert_no_error(error);
}

static void on_guest_ice(RelaisMedia *media, guint mline, const char *candidate, gpointer user_data)
{
	Fixture *fx = user_data;
	if (fx->guest_peer != NULL)
		relais_media_add_ice(fx->guest_peer, mline, candidate);
}

static void on_guest_error(RelaisMedia *media, const GError *error, gpointer user_data)
{
	keep_error(user_data, "the booth's guest connection", error);
}

static const RelaisMediaCallbacks guest_callbacks = {
	.on_sdp = on_guest_sdp,
	.on_ice = on_guest_ice,
	.on_error = on_guest_error,
};

typedef gboolean (*Cond)(Fixture *fx);

static gboolean wait_for(Fixture *fx, Cond cond, const char *what)
{
	gint64 until = g_get_monotonic_time() + TIMEOUT_S * G_TIME_SPAN_SECOND;
	while (!cond(fx) && fx->error == NULL && g_get_monotonic_time() < until)
		if (!g_main_context_iteration(NULL, FALSE))
			g_usleep(5000);
	if (!cond(fx))
		g_test_message("waited in vain for %s", what);
	return cond(fx);
}

static guint64 frames_of(RelaisMedia *m)
{
	RelaisMediaStats s;
	relais_media_get_stats(m, &s);
	return s.video_frames_received;
}

static gboolean call_flowing(Fixture *fx)
{
	RelaisMediaStats b, a;
	relais_media_get_stats(fx->booth, &b);
	relais_media_get_stats(fx->adviser, &a);
	return b.video_frames_received >= MIN_FRAMES && b.audio_buffers_received > 0 &&
	       a.video_frames_received >= MIN_FRAMES && a.audio_buffers_received > 0;
}

static gboolean guest_flowing(Fixture *fx)
{
	RelaisMediaGuestStats g;
	relais_media_guest_get_stats(fx->guest, &g);
	RelaisMediaStats p;
	relais_media_get_stats(fx->guest_peer, &p);
	return g_strcmp0(g.state, "connected") == 0 && g.video_frames_received >= MIN_FRAMES &&
	       g.audio_buffers_received > 0 && g.rtp_packets_sent > 0 && p.video_frames_received >= MIN_FRAMES &&
	       p.audio_buffers_received > 0;
}

static guint64 adviser_mark;
static gboolean adviser_moves(Fixture *fx)
{
	return frames_of(fx->adviser) > adviser_mark + 15 && frames_of(fx->booth) > 15;
}

/* The adviser's call still carries frames both ways. */
static void assert_call_goes_on(Fixture *fx)
{
	adviser_mark = frames_of(fx->adviser);
	g_assert_true(wait_for(fx, adviser_moves, "the adviser's frames"));
	g_assert_cmpint(relais_media_get_state(fx->booth), ==, RELAIS_MEDIA_STATE_CONNECTED);
}

/* A guest joins: the booth's connection, its offer, the guest's engine. */
static void guest_joins(Fixture *fx)
{
	g_autoptr(GError) error = NULL;
	fx->guest_peer = relais_media_new(fx->conf, RELAIS_MEDIA_ANSWERER, &callbacks, fx, &error);
	g_assert_no_error(error);
	g_assert_true(relais_media_start(fx->guest_peer, NULL, &error));
	g_assert_no_error(error);
	guint offers = fx->guest_offers;
	fx->guest = relais_media_guest_new(fx->booth, &guest_callbacks, fx, &error);
	g_assert_no_error(error);
	g_assert_nonnull(fx->guest);
	g_assert_true(wait_for(fx, guest_flowing, "media with the guest"));
	g_assert_no_error(fx->error);
	g_assert_cmpuint(fx->guest_offers, ==, offers + 1);
	RelaisMediaGuestStats g;
	relais_media_guest_get_stats(fx->guest, &g);
	g_assert_cmpuint(g.video_width, ==, 640);
	g_assert_cmpuint(g.video_height, ==, 480);
	g_test_message("guest: %" G_GUINT64_FORMAT " frames and %" G_GUINT64_FORMAT
		       " audio buffers from it, %" G_GUINT64_FORMAT " RTP packets (%" G_GUINT64_FORMAT " bytes) to it",
		       g.video_frames_received, g.audio_buffers_received, g.rtp_packets_sent, g.rtp_bytes_sent);
}

/* Nothing of a guest left in the booth's pipeline: no guest bin, one
 * branch on each tee, one input on the mixer. */
static void assert_no_guest_left(Fixture *fx)
{
	g_autoptr(GstElement) pipeline = relais_media_dup_pipeline(fx->booth);
	g_assert_nonnull(pipeline);
	for (GList *l = GST_BIN_CHILDREN(GST_BIN(pipeline)); l; l = l->next)
		g_assert_false(g_str_has_prefix(GST_OBJECT_NAME(l->data), "guest-"));
	const char *names[] = {"video-tee", "audio-tee", "audio-mixer"};
	for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
		g_autoptr(GstElement) e = gst_bin_get_by_name(GST_BIN(pipeline), names[i]);
		g_assert_nonnull(e);
		g_assert_cmpuint(i < 2 ? e->numsrcpads : e->numsinkpads, ==, 1);
	}
}

static GstPadProbeReturn count_key_requests(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	/* ours only, by its count: the adviser's and the guest's own requests
	 * pass here too */
	GstEvent *ev = GST_PAD_PROBE_INFO_EVENT(info);
	guint n = 0;
	if (gst_video_event_is_force_key_unit(ev) &&
	    gst_video_event_parse_upstream_force_key_unit(ev, NULL, NULL, &n) && n == 4242)
		g_atomic_int_inc((gint *)data);
	return GST_PAD_PROBE_OK;
}

static gint key_requests;
static gint key_mark;
static gboolean key_request_seen(Fixture *fx)
{
	return g_atomic_int_get(&key_requests) > key_mark;
}

/* A key-frame request from the guest's side (upstream from its branch's
 * queue, where its webrtcbin sends a PLI's) goes through the tee to the
 * one video payloader and encoder. */
static void assert_guest_key_request_reaches_encoder(Fixture *fx)
{
	g_autoptr(GstElement) pipeline = relais_media_dup_pipeline(fx->booth);
	g_autoptr(GstElement) tee = gst_bin_get_by_name(GST_BIN(pipeline), "video-tee");
	g_assert_nonnull(tee);
	/* pushed upstream out of the tee's input: on its way to the payloader */
	g_autoptr(GstPad) tee_sink = gst_element_get_static_pad(tee, "sink");
	gulong probe =
		gst_pad_add_probe(tee_sink, GST_PAD_PROBE_TYPE_EVENT_UPSTREAM, count_key_requests, &key_requests, NULL);
	g_autoptr(GstElement) queue = NULL;
	for (GList *l = GST_BIN_CHILDREN(GST_BIN(pipeline)); l && queue == NULL; l = l->next)
		if (g_str_has_prefix(GST_OBJECT_NAME(l->data), "guest-"))
			queue = gst_bin_get_by_name(GST_BIN(l->data), "guest-video-queue");
	g_assert_nonnull(queue);
	g_autoptr(GstPad) qsrc = gst_element_get_static_pad(queue, "src");
	key_mark = g_atomic_int_get(&key_requests);
	g_assert_true(
		gst_pad_send_event(qsrc, gst_video_event_new_upstream_force_key_unit(GST_CLOCK_TIME_NONE, TRUE, 4242)));
	g_assert_true(wait_for(fx, key_request_seen, "the guest's key-frame request out of the tee"));
	gst_pad_remove_probe(tee_sink, probe);
}

static gboolean guest_rate_read(Fixture *fx)
{
	RelaisMediaGuestStats g;
	relais_media_guest_get_stats(fx->guest, &g);
	return g.rate_kbps > 0 && g_get_monotonic_time() - g.connected_us > 3 * G_USEC_PER_SEC;
}

/* The guest's controller has a target and the one encoder's is at most
 * that (the lower of the two peers' estimates). */
static void assert_rate_capped(Fixture *fx)
{
	g_assert_true(wait_for(fx, guest_rate_read, "the guest's rate"));
	RelaisMediaGuestStats g;
	relais_media_guest_get_stats(fx->guest, &g);
	guint kbps = relais_media_get_video_kbps(fx->booth);
	g_test_message("encoder %u kbit/s, the guest's controller %u kbit/s", kbps, g.rate_kbps);
	g_assert_cmpuint(kbps, <=, g.rate_kbps);
}

static gboolean guest_reported(Fixture *fx)
{
	RelaisMediaGuestStats g;
	relais_media_guest_get_stats(fx->guest, &g);
	return g.reports_received >= 2 && g.report_loss >= 0;
}

/* The guest's receiver reports are read as they come, every block of
 * them (one per stream of ours), each once: on this clean path they say
 * little is lost. Not nothing: the guest's branch is a leaky queue, which
 * drops when the machine is slow (6.6 % seen under the sanitizers on a
 * loaded CI machine); a misread block says 100 % or garbage. */
static void assert_guest_reports_read(Fixture *fx)
{
	g_assert_true(wait_for(fx, guest_reported, "the guest's receiver reports"));
	RelaisMediaGuestStats g;
	relais_media_guest_get_stats(fx->guest, &g);
	g_test_message("the guest's reports: %" G_GUINT64_FORMAT " blocks, loss %.3f", g.reports_received,
		       g.report_loss);
	g_assert_cmpfloat(g.report_loss, >=, 0.0);
	g_assert_cmpfloat(g.report_loss, <, 0.25);
}

static void guest_goes(Fixture *fx)
{
	g_clear_pointer(&fx->guest, relais_media_guest_free);
	g_clear_pointer(&fx->guest_peer, relais_media_free);
	assert_no_guest_left(fx);
}

static void test_guest(Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	relais_media_warm_up();
	fx->adviser = relais_media_new(fx->conf, RELAIS_MEDIA_ANSWERER, &callbacks, fx, &error);
	g_assert_no_error(error);
	g_assert_true(relais_media_start(fx->adviser, NULL, &error));
	fx->booth = relais_media_new(fx->conf, RELAIS_MEDIA_OFFERER, &callbacks, fx, &error);
	g_assert_no_error(error);

	/* no guest before the call's media runs */
	g_assert_null(relais_media_guest_new(fx->booth, &guest_callbacks, fx, &error));
	g_assert_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_STATE);
	g_clear_error(&error);

	g_assert_true(relais_media_start(fx->booth, NULL, &error));
	g_assert_no_error(error);
	g_assert_true(wait_for(fx, call_flowing, "the call's media"));
	assert_no_guest_left(fx);

	guest_joins(fx);
	assert_call_goes_on(fx);
	assert_guest_key_request_reaches_encoder(fx);
	assert_rate_capped(fx);
	assert_guest_reports_read(fx);

	/* one guest at a time; bad input is the guest's error, not the call's */
	g_assert_null(relais_media_guest_new(fx->booth, &guest_callbacks, fx, &error));
	g_assert_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_STATE);
	g_clear_error(&error);
	g_assert_false(relais_media_guest_set_remote(fx->guest, "offer", "v=0", &error));
	g_assert_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_STATE);
	g_clear_error(&error);
	g_assert_false(relais_media_guest_set_remote(fx->guest, "answer", "garbage", &error));
	g_assert_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_STATE); /* answered already */
	g_clear_error(&error);
	relais_media_guest_add_ice(fx->guest, 0, "garbage");
	relais_media_guest_add_ice(fx->guest, 0, "candidate:1 1 UDP 2122252543 3f1c1b2a-0d1e.local 50000 typ host");

	/* the guest goes, the call goes on; a second comes, and goes */
	guest_goes(fx);
	assert_call_goes_on(fx);
	guest_joins(fx);
	assert_call_goes_on(fx);
	guest_goes(fx);
	assert_call_goes_on(fx);

	/* a guest left in place when the call ends: freed first, as the
	 * booth does, then the engine */
	guest_joins(fx);
	g_clear_pointer(&fx->guest, relais_media_guest_free);
	g_clear_pointer(&fx->booth, relais_media_free);
	g_assert_no_error(fx->error);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	gst_init(&argc, &argv);
	g_test_add("/media/guest", Fixture, NULL, fixture_set_up, test_guest, fixture_tear_down);
	return g_test_run();
}
