/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "relais-media"

#include "media.h"
#include "media-capture.h"
#include "media-device.h"
#include "media-events.h"
#include "media-frames.h"
#include "media-ice.h"
#include "media-latency.h"
#include "media-negotiate.h"
#include "media-pipeline.h"
#include "media-private.h"
#include "media-probes.h"
#include "media-ratectl.h"
#include "media-screen.h"
#include "relais-config.h"

#include <gst/app/gstappsink.h>
#include <gst/audio/streamvolume.h>
#include <gst/video/video.h>

G_DEFINE_QUARK(relais - media - error - quark, relais_media_error)

/*
 * Pipeline, built once in relais_media_new() and played by start():
 *
 *   video source ─[camera off]─ tee ! queue(leaky, 1 frame) ! video encoder ! video-tee ─┐
 *                                └─[gate]─ queue(leaky, 1) ! videoconvert                 │
 *                                          ! appsink (local-video)                        │
 *   audio source ! queue(leaky, 50 ms) ! processing(webrtcdsp)                            │
 *                ─[mic level]─ volume(relais-mute) ! audio encoder ! audio-tee ───────────┤ webrtcbin ─┐
 *                                                                                                     │
 *   ┌─────────────────────────────────────────────────────────────────────────────────────────────────┘
 *   ├─ video decoder ! videoconvert ! I420 ─[frame func]─ appsink (remote-video)
 *   ├─ video decoder ─[rate]─ identity ! videoconvert ! videoscale ! I420 ≤ cap
 *   │                                       ─[frame func]─ appsink (screen-video)
 *   └─ audio decoder ! audioconvert ! audioresample ─ audio-mixer ! audioconvert ! volume(relais-volume)
 *                                                       ─ playback (webrtcechoprobe ! ... ! sink)
 *
 * The tees (after the payloaders) and the mixer are where a guest's
 * connection joins a three-way call (media-guest.c): a second branch of
 * each tee into its own webrtcbin, its decoded sound into the mixer.
 *
 * The screen branch exists on the offerer only, fed by the third m-line's
 * receive-only transceiver (see RELAIS_MEDIA_SCREEN_MLINE in media.h).
 *
 * [...] are pad probes: camera off swaps each frame for a shared black one
 * before the tee; the gate drops self-view frames before their queue while
 * no LOCAL frame function is set (no thread wakes for them); the mic level
 * is measured before the mute so that it moves while muted.
 *
 * Where each part lives: the two capture bins, media-capture.c; camera
 * off, the gate and the frame functions, media-frames.c; the mic level,
 * media-level.c; the screen branch, media-screen.c; the counters and the
 * quality poll, media-probes.c (scored by media-quality.c); ICE,
 * media-ice.c; webrtcbin's inner elements, media-latency.c; offer and
 * answer, media-negotiate.c; the owner's events, media-events.c. This file
 * assembles them, links the remote streams and holds the controls.
 *
 * Everything exists and plays from start(); the remote streams are only
 * linked to their decoders when webrtcbin exposes them. Nothing is created
 * or started on the way to the first frame, the UI may poll the appsink at
 * any time, and webrtcdsp finds its echo probe before it goes to PAUSED.
 *
 * Lifetime: every callback GStreamer can make (signals, probes, promises,
 * sources) holds a reference on the engine and checks `closed` first, so
 * that nothing touches freed memory and nothing reaches the owner after
 * relais_media_free(). Owner callbacks go through one FIFO drained by an
 * idle source on the owner's context, which keeps their order (the offer
 * before its candidates, CONNECTED before an error).
 */

RelaisMedia *relais_media_ref(RelaisMedia *m)
{
	g_atomic_ref_count_inc(&m->ref);
	return m;
}

void relais_media_unref(gpointer data)
{
	RelaisMedia *m = data;
	if (!g_atomic_ref_count_dec(&m->ref))
		return;
	/* Last reference: free() has already torn the pipeline down. */
	g_assert(m->pipeline == NULL);
	g_clear_pointer(&m->stamp, relais_stamp_stats_unref);
	g_clear_pointer(&m->stamp_sent, relais_stamp_stats_unref);
	g_clear_pointer(&m->mic_level, relais_level_unref);
	g_clear_pointer(&m->pulse, relais_pulse_unref);
	for (guint i = 0; i < G_N_ELEMENTS(m->frames); i++)
		g_clear_pointer(&m->frames[i], relais_frame_slot_unref);
	gst_clear_buffer(&m->black);
	gst_clear_caps(&m->black_caps);
	g_free(m->rtx_gate);
	g_free(m->vdec_desc);
	g_free(m->adec_desc);
	g_strfreev(m->ice_servers);
	g_strfreev(m->local_addresses);
	g_mutex_clear(&m->lock);
	g_main_context_unref(m->context);
	g_free(m->board);
	g_free(m);
}

static void media_unref_closure(gpointer data, GClosure *closure)
{
	relais_media_unref(data);
}

void relais_media_connect(RelaisMedia *m, gpointer instance, const char *signal, GCallback cb)
{
	g_signal_connect_data(instance, signal, cb, relais_media_ref(m), media_unref_closure, 0);
}

gboolean relais_media_is_closed(RelaisMedia *m)
{
	g_mutex_lock(&m->lock);
	gboolean closed = m->closed;
	g_mutex_unlock(&m->lock);
	return closed;
}

GstElement *relais_media_ref_webrtc(RelaisMedia *m)
{
	g_mutex_lock(&m->lock);
	GstElement *w = (!m->closed && m->webrtc) ? gst_object_ref(m->webrtc) : NULL;
	g_mutex_unlock(&m->lock);
	return w;
}

/* --- warm-up ------------------------------------------------------------ */

void relais_media_warm_up(void)
{
	static gsize done = 0;
	if (!g_once_init_enter(&done))
		return;
	if (gst_is_initialized() || gst_init_check(NULL, NULL, NULL)) {
		/* dtlsdec generates the process-wide certificate on first use and
		 * caches it; every webrtcbin made later reuses it. */
		gint64 t0 = g_get_monotonic_time();
		GstElement *dec = gst_element_factory_make("dtlsdec", NULL);
		if (dec != NULL) {
			gst_object_ref_sink(dec);
			g_autofree char *pem = NULL;
			g_object_get(dec, "pem", &pem, NULL);
			gst_object_unref(dec);
			g_debug("DTLS certificate ready in %" G_GINT64_FORMAT " ms",
				(g_get_monotonic_time() - t0) / 1000);
		}
	}
	g_once_init_leave(&done, 1);
}

/* --- building ------------------------------------------------------------ */

void relais_media_request_keyframe(RelaisMedia *m)
{
	g_mutex_lock(&m->lock);
	GstPad *pad = (!m->closed && m->video_pay_sink) ? gst_object_ref(m->video_pay_sink) : NULL;
	g_mutex_unlock(&m->lock);
	if (pad == NULL)
		return;
	/* Frames encoded before DTLS completed went nowhere; without a fresh
	 * keyframe the far end shows nothing until its PLI round trip. */
	gst_pad_push_event(pad, gst_video_event_new_upstream_force_key_unit(GST_CLOCK_TIME_NONE, TRUE, 0));
	gst_object_unref(pad);
}

static void on_connection_state(GstElement *webrtc, GParamSpec *pspec, gpointer data)
{
	RelaisMedia *m = data;
	GstWebRTCPeerConnectionState s;
	g_object_get(webrtc, "connection-state", &s, NULL);
	g_debug("%s: connection state %d at %" G_GINT64_FORMAT " ms", m->board, s, g_get_monotonic_time() / 1000);
	GST_DEBUG_OBJECT(webrtc, "connection state %d", s);
	switch (s) {
	case GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTING:
		relais_media_set_state(m, RELAIS_MEDIA_STATE_CONNECTING);
		break;
	case GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED:
		g_mutex_lock(&m->lock);
		if (m->stats.connected_us == 0)
			m->stats.connected_us = g_get_monotonic_time();
		g_mutex_unlock(&m->lock);
		relais_media_request_keyframe(m);
		relais_media_set_state(m, RELAIS_MEDIA_STATE_CONNECTED);
		break;
	case GST_WEBRTC_PEER_CONNECTION_STATE_DISCONNECTED:
		/* ICE may still recover (or the owner restarts ICE). */
		relais_media_set_state(m, RELAIS_MEDIA_STATE_CONNECTING);
		break;
	case GST_WEBRTC_PEER_CONNECTION_STATE_FAILED:
		relais_media_fail_literal(m, RELAIS_MEDIA_ERROR_CONNECTION, "ICE/DTLS connection failed", NULL);
		break;
	default:
		break;
	}
}

/* The first RTP packet of the remote camera out of webrtcbin. */
static GstPadProbeReturn first_video_rtp(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	RelaisMedia *m = data;
	g_mutex_lock(&m->lock);
	if (m->stats.first_video_rtp_us == 0)
		m->stats.first_video_rtp_us = g_get_monotonic_time();
	g_mutex_unlock(&m->lock);
	return GST_PAD_PROBE_REMOVE;
}

/* What a webrtcbin's new source pad carries: "audio", "video" or NULL
 * (its RTP caps' media field, newly allocated). */
char *relais_media_pad_kind(GstPad *pad)
{
	GstCaps *caps = gst_pad_get_current_caps(pad);
	if (caps == NULL)
		caps = gst_pad_query_caps(pad, NULL);
	const GstStructure *st = gst_caps_is_empty(caps) ? NULL : gst_caps_get_structure(caps, 0);
	char *media = g_strdup(st ? gst_structure_get_string(st, "media") : NULL);
	gst_caps_unref(caps);
	return media;
}

/* Remote stream: into its decoder, built and playing since start so that
 * nothing is created or started on the way to the first frame. */
static void on_pad_added(GstElement *webrtc, GstPad *pad, gpointer data)
{
	RelaisMedia *m = data;
	if (GST_PAD_DIRECTION(pad) != GST_PAD_SRC || relais_media_is_closed(m))
		return;

	g_autofree char *media = relais_media_pad_kind(pad);
	g_debug("%s: remote %s stream at %" G_GINT64_FORMAT " ms", m->board, media ? media : "?",
		g_get_monotonic_time() / 1000);

	/* The camera and the shared screen are both video: the transceiver
	 * (its m-line) says which is which, whatever arrives first. */
	GstWebRTCRTPTransceiver *trans = NULL;
	if (g_object_class_find_property(G_OBJECT_GET_CLASS(pad), "transceiver") != NULL)
		g_object_get(pad, "transceiver", &trans, NULL);
	guint mline = G_MAXUINT;
	if (trans != NULL) {
		g_object_get(trans, "mlineindex", &mline, NULL);
		gst_object_unref(trans);
	}
	gboolean screen = m->screen_trans != NULL && (trans == m->screen_trans || mline == RELAIS_MEDIA_SCREEN_MLINE);
	g_debug("%s: remote %s stream on m-line %d%s", m->board, media ? media : "?", (int)mline,
		screen ? " (shared screen)" : "");
	GST_DEBUG_OBJECT(pad, "%s: remote %s stream on m-line %d%s", m->board, media ? media : "?", (int)mline,
			 screen ? " (shared screen)" : "");

	GstElement *decoder = NULL;
	gboolean camera = FALSE;
	g_mutex_lock(&m->lock);
	if (screen && g_strcmp0(media, "video") == 0 && !m->screen_linked) {
		m->screen_linked = TRUE;
		decoder = gst_object_ref(m->screen_decoder);
	} else if (screen) {
		/* nothing but one video stream on the screen's m-line */
	} else if (g_strcmp0(media, "video") == 0 && !m->video_linked) {
		m->video_linked = TRUE;
		decoder = gst_object_ref(m->video_decoder);
		camera = TRUE;
	} else if (g_strcmp0(media, "audio") == 0 && !m->audio_linked) {
		m->audio_linked = TRUE;
		decoder = gst_object_ref(m->audio_decoder);
	}
	g_mutex_unlock(&m->lock);
	if (camera)
		gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST, first_video_rtp,
				  relais_media_ref(m), relais_media_unref);

	if (decoder == NULL) {
		/* Renegotiation is not supported: drain what we did not ask for
		 * so that it cannot stall the shared transport. */
		g_debug("dropping unexpected remote %s stream", media ? media : "?");
		decoder = gst_element_factory_make("fakesink", NULL);
		g_object_set(decoder, "async", FALSE, "sync", FALSE, NULL);
		gst_bin_add(GST_BIN(m->pipeline), gst_object_ref(decoder));
		gst_element_sync_state_with_parent(decoder);
	}
	GstPad *sink = gst_element_get_static_pad(decoder, "sink");
	GstPadLinkReturn r = gst_pad_link(pad, sink);
	gst_object_unref(sink);
	if (r != GST_PAD_LINK_OK)
		relais_media_fail(m, g_error_new(RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_PIPELINE,
						 "cannot link remote %s stream to %s: %s", media ? media : "?",
						 GST_ELEMENT_NAME(decoder), gst_pad_link_get_name(r)));
	gst_object_unref(decoder);
}

static gboolean on_bus_message(GstBus *bus, GstMessage *msg, gpointer data)
{
	RelaisMedia *m = data;
	if (relais_media_is_closed(m))
		return G_SOURCE_REMOVE;

	switch (GST_MESSAGE_TYPE(msg)) {
	case GST_MESSAGE_ERROR:
		/* A capture source's error loses that device, not the call
		 * (media-device.c); the guest's, the guest's connection
		 * (media-guest.c). Any other: relais_media_fail() dumps the
		 * graph. */
		if (!relais_media_device_handle_error(m, msg) && !relais_media_guest_handle_error(m, msg))
			relais_media_fail(m, relais_media_error_from_message(msg));
		break;
	case GST_MESSAGE_APPLICATION:
		relais_media_device_handle_message(m, msg);
		break;
	case GST_MESSAGE_WARNING:
		relais_media_log_warning(msg);
		break;
	case GST_MESSAGE_LATENCY:
		/* Remote streams join a playing pipeline: redistribute. */
		gst_bin_recalculate_latency(GST_BIN(m->pipeline));
		break;
	default:
		break;
	}
	return G_SOURCE_CONTINUE;
}

/* The encoder's output into a tee (a guest's connection takes a second
 * branch of it, media-guest.c), the tee into webrtcbin. */
static gboolean link_to_webrtc(RelaisMedia *m, GstElement *encoder, const char *msid, gboolean video, GError **error)
{
	GstElement *tee = relais_media_make_element("tee", video ? "video-tee" : "audio-tee", error);
	if (tee == NULL)
		return FALSE;
	/* a guest's branch that is not linked yet, or no longer, is no error
	 * for the adviser's */
	g_object_set(tee, "allow-not-linked", TRUE, NULL);
	gst_bin_add(GST_BIN(m->pipeline), tee); /* the bin takes its own reference: m keeps the one made */
	if (video)
		m->video_tee = tee;
	else
		m->audio_tee = tee;
	if (!gst_element_link(encoder, tee)) {
		g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_PIPELINE, "cannot link %s encoder to its tee",
			    video ? "video" : "audio");
		return FALSE;
	}

	GstPad *in = gst_element_request_pad_simple(m->webrtc, "sink_%u");
	if (in == NULL) {
		g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_PIPELINE, "webrtcbin gave no sink pad");
		return FALSE;
	}
	/* Separate stream ids: with a shared one the browser lip-syncs video to
	 * its (large, headless) audio buffer, ~93 ms instead of ~25 ms. */
	g_object_set(in, "msid", msid, NULL);
	if (video) {
		/* NACK/RTX on video only: Chromium rejects an offer with RTX on audio. */
		GstWebRTCRTPTransceiver *trans = NULL;
		g_object_get(in, "transceiver", &trans, NULL);
		if (trans != NULL) {
			g_object_set(trans, "do-nack", TRUE, NULL);
			gst_object_unref(trans);
		}
		m->video_in = in;
	} else {
		m->audio_in = in;
	}
	GstPad *src = gst_element_request_pad_simple(tee, "src_%u");
	GstPadLinkReturn r = gst_pad_link(src, in);
	gst_object_unref(src);
	if (r != GST_PAD_LINK_OK) {
		g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_PIPELINE,
			    "cannot link %s encoder to webrtcbin: %s", video ? "video" : "audio",
			    gst_pad_link_get_name(r));
		return FALSE;
	}
	return TRUE;
}

/* A capture source into its slot (media-device.h), linked to the chain's
 * ghost sink pad. The device path is watched before a try only when the
 * source is the device's own (not the fallback used in its absence). */
static gboolean setup_device(RelaisMedia *m, const RelaisMediaConf *conf, RelaisMediaDevice which, GstElement *chain,
			     GstElement **source, const char *desc, GError **error)
{
	const char *group = which == RELAIS_MEDIA_CAMERA ? "video" : "audio";
	g_autofree char *device = relais_media_conf_dup_device(conf, group);
	if (device != NULL && !g_file_test(device, G_FILE_TEST_EXISTS))
		g_clear_pointer(&device, g_free);
	g_autoptr(GstPad) sink = gst_element_get_static_pad(chain, "sink");
	if (sink == NULL) {
		g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_PIPELINE, "[%s] the chain has no input",
			    group);
		return FALSE;
	}
	return relais_media_device_setup(m, which, sink, g_steal_pointer(source), desc, device, error);
}

static gboolean build_pipeline(RelaisMedia *m, const RelaisMediaConf *conf, GError **error)
{
	static guint serial = 0;
	g_autofree char *pname =
		g_strdup_printf("relais-%s-%s-%u", m->board, m->role == RELAIS_MEDIA_OFFERER ? "offerer" : "answerer",
				g_atomic_int_add(&serial, 1));
	m->pipeline = relais_media_pipeline_new(pname);
	relais_media_latency_watch(m);

	m->webrtc = relais_media_make_element("webrtcbin", "webrtc", error);
	if (m->webrtc == NULL)
		return FALSE;
	g_object_set(m->webrtc, "bundle-policy", GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE, "latency",
		     relais_media_conf_get_latency(conf), NULL);
	m->recv_delay.base_ms = m->recv_delay.latency_ms = relais_media_conf_get_latency(conf);
	relais_media_ice_tune(m->webrtc);
	gst_bin_add(GST_BIN(m->pipeline), m->webrtc);

	/* Capture side. */
	g_auto(RelaisCapture) capture = {0};
	if (!relais_capture_build_call(&capture, conf, m->frames[RELAIS_MEDIA_VIDEO_LOCAL], m->mic_level, error))
		return FALSE;
	g_autofree char *play_desc = relais_media_conf_dup_fragment(conf, "audio", "playback");
	GstElement *venc = capture.video, *aenc = capture.audio;
	/* capture owns its bins (sunk): the pipeline takes a reference of its
	 * own when it adds one, so no gst_object_ref() here (one more would
	 * keep both bins, and through their probes this engine, forever) */
	gst_bin_add(GST_BIN(m->pipeline), venc);
	gst_bin_add(GST_BIN(m->pipeline), aenc);
	if (!setup_device(m, conf, RELAIS_MEDIA_CAMERA, venc, &capture.video_source, capture.video_desc, error) ||
	    !setup_device(m, conf, RELAIS_MEDIA_MICROPHONE, aenc, &capture.audio_source, capture.audio_desc, error))
		return FALSE;
	relais_media_camera_off_attach(m, capture.camera);
	relais_pulse_attach(m->pulse, capture.camera);
	m->mute = gst_object_ref(capture.mute);
	m->opusenc = relais_media_find_element(GST_BIN(aenc), "opusenc", NULL);
	relais_media_ratectl_setup(m, venc, aenc, m->video_kbps);

	/* Video first: m-line 0 is video, 1 is audio. */
	if (!link_to_webrtc(m, venc, "relais-video", TRUE, error) ||
	    !link_to_webrtc(m, aenc, "relais-audio", FALSE, error))
		return FALSE;
	relais_media_negotiate_watch(m);

	g_autoptr(GstElement) vpay = relais_media_find_element(GST_BIN(venc), NULL, "Payloader");
	g_autoptr(GstElement) apay = relais_media_find_element(GST_BIN(aenc), NULL, "Payloader");
	if (vpay == NULL || apay == NULL) {
		g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_PIPELINE, "an encoder has no RTP payloader");
		return FALSE;
	}
	m->video_pay_sink = gst_element_get_static_pad(vpay, "sink");
	relais_media_add_count_probe(m, m->video_pay_sink, RELAIS_MEDIA_COUNT_VIDEO_SENT);
	/* As the source hands frames over: the wait for the encoder counts;
	 * and each frame's way to the payloader, the booth's own part */
	if (m->stamp != NULL)
		relais_stamp_send_timer_attach(capture.camera, m->video_pay_sink, m->stamp_sent);
	GstPad *apad = gst_element_get_static_pad(apay, "sink");
	relais_media_add_count_probe(m, apad, RELAIS_MEDIA_COUNT_AUDIO_SENT);
	gst_object_unref(apad);

	/* Remote video ends in an appsink that lives as long as the engine so
	 * that the UI can poll it at any time; the decoder chain joins it when
	 * the stream arrives. */
	m->video_sink = relais_media_make_element("appsink", "remote-video", error);
	if (m->video_sink == NULL)
		return FALSE;
	/* sync=false: the UI shows the newest frame as soon as it is decoded;
	 * the jitter buffer already smooths arrival. */
	relais_frames_setup_appsink(m->video_sink, "video/x-raw,format=I420");
	gst_bin_add(GST_BIN(m->pipeline), m->video_sink);
	GstPad *vsink_pad = gst_element_get_static_pad(m->video_sink, "sink");
	relais_media_add_count_probe(m, vsink_pad, RELAIS_MEDIA_COUNT_VIDEO_RECEIVED);
	relais_frame_slot_add_probe(m->frames[RELAIS_MEDIA_VIDEO_REMOTE], vsink_pad);
	if (m->stamp != NULL)
		relais_stamp_reader_attach(vsink_pad, m->stamp);
	gst_object_unref(vsink_pad);

	/* Decoders, ahead of the streams. The converters let a decoder
	 * fragment end with caps; decodebin (no decoder key) links when it
	 * has found its elements. */
	g_autofree char *vdec_desc = relais_media_conf_dup_fragment(conf, "video", "decoder");
	m->vdec_desc = g_strdup(vdec_desc);
	g_autofree char *vrecv = g_strdup_printf("%s ! videoconvert ! capsfilter caps=video/x-raw,format=I420",
						 vdec_desc ? vdec_desc : "decodebin");
	m->video_decoder = relais_media_parse_fragment("video-receive", vrecv, error);
	if (m->video_decoder == NULL)
		return FALSE;
	gst_bin_add(GST_BIN(m->pipeline), gst_object_ref(m->video_decoder));
	if (!gst_element_link(m->video_decoder, m->video_sink)) {
		g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_PIPELINE,
			    "[video] decoder cannot feed the remote video sink");
		return FALSE;
	}
	if (m->role == RELAIS_MEDIA_OFFERER && !relais_media_screen_build(m, conf, vdec_desc, error))
		return FALSE;

	/* Remote audio tail, with the echo canceller's far-end probe. */
	m->playback = relais_media_parse_fragment("audio-playback", play_desc, error);
	if (m->playback == NULL)
		return FALSE;
	gst_object_ref(m->playback);
	gst_bin_add(GST_BIN(m->pipeline), m->playback);
	relais_media_tame_sinks(GST_BIN(m->playback));
	GstPad *play_pad = gst_element_get_static_pad(m->playback, "sink");
	if (play_pad == NULL) {
		g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_PIPELINE,
			    "[audio] playback has no free input");
		return FALSE;
	}
	gst_object_unref(play_pad);

	/* The adviser's and a guest's audio meet in a mixer before the volume
	 * and the playback, so that the echo canceller's probe sees all that
	 * is played. Pads with no data yet (a guest not connected) do not
	 * hold the others back. */
	g_autofree char *adec_desc = relais_media_conf_dup_fragment(conf, "audio", "decoder");
	m->adec_desc = g_strdup(adec_desc);
	g_autofree char *arecv =
		g_strdup_printf("%s ! audioconvert ! audioresample", adec_desc ? adec_desc : "decodebin");
	m->audio_decoder = relais_media_parse_fragment("audio-receive", arecv, error);
	if (m->audio_decoder == NULL)
		return FALSE;
	gst_bin_add(GST_BIN(m->pipeline), gst_object_ref(m->audio_decoder));
	/* counted as decoded, before the mixer: the mixer's output goes on
	 * (silence) when the adviser's audio stops, and the booth's media
	 * watch must see it stop */
	g_autoptr(GstPad) adec_src = gst_element_get_static_pad(m->audio_decoder, "src");
	if (adec_src == NULL) {
		g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_PIPELINE, "[audio] decoder has no output");
		return FALSE;
	}
	relais_media_add_count_probe(m, adec_src, RELAIS_MEDIA_COUNT_AUDIO_RECEIVED);
	m->audio_mixer = relais_media_make_element("audiomixer", "audio-mixer", error);
	if (m->audio_mixer == NULL)
		return FALSE;
	if (g_object_class_find_property(G_OBJECT_GET_CLASS(m->audio_mixer), "ignore-inactive-pads") != NULL)
		g_object_set(m->audio_mixer, "ignore-inactive-pads", TRUE, NULL);
	g_object_set(m->audio_mixer, "start-time-selection", 1 /* first */, NULL);
	gst_bin_add(GST_BIN(m->pipeline), m->audio_mixer); /* its own reference, as for the tees */
	GstElement *aconv = relais_media_make_element("audioconvert", "audio-mixed-convert", error);
	if (aconv == NULL)
		return FALSE;
	gst_bin_add(GST_BIN(m->pipeline), aconv);
	gst_object_unref(aconv); /* the bin's reference keeps it */
	m->volume = relais_media_make_element("volume", "relais-volume", error);
	if (m->volume == NULL)
		return FALSE;
	gst_bin_add(GST_BIN(m->pipeline), m->volume); /* its own reference: m keeps the one made */
	if (!gst_element_link(m->audio_decoder, m->audio_mixer) ||
	    !gst_element_link_many(m->audio_mixer, aconv, m->volume, m->playback, NULL)) {
		g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_PIPELINE,
			    "[audio] decoder cannot feed the playback");
		return FALSE;
	}

	/* webrtcdsp finds its probe by name in a process-wide list: point each
	 * engine's canceller at its own probe (two engines run in the tests,
	 * and a default name would bind to the other's loudspeaker). */
	g_autoptr(GstElement) probe = relais_media_find_element(GST_BIN(m->playback), "webrtcechoprobe", NULL);
	g_autoptr(GstElement) dsp = relais_media_find_element(GST_BIN(aenc), "webrtcdsp", NULL);
	if (probe == NULL || dsp == NULL) {
		g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_PIPELINE,
			    "echo cancellation needs webrtcdsp in [audio] processing and webrtcechoprobe in playback");
		return FALSE;
	}
	g_object_set(dsp, "probe", GST_OBJECT_NAME(probe), NULL);
	relais_media_latency_guard_echo_probe(probe);

	relais_media_ice_watch(m);
	relais_media_connect(m, m->webrtc, "notify::connection-state", G_CALLBACK(on_connection_state));
	relais_media_connect(m, m->webrtc, "pad-added", G_CALLBACK(on_pad_added));

	m->bus_source = relais_media_watch_bus(m->pipeline, m->context, on_bus_message, relais_media_ref(m),
					       relais_media_unref);
	return TRUE;
}

RelaisMedia *relais_media_new(const RelaisMediaConf *conf, RelaisMediaRole role, const RelaisMediaCallbacks *callbacks,
			      gpointer user_data, GError **error)
{
	g_return_val_if_fail(conf != NULL, NULL);
	g_return_val_if_fail(role == RELAIS_MEDIA_OFFERER || role == RELAIS_MEDIA_ANSWERER, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	if (!gst_is_initialized() && !gst_init_check(NULL, NULL, error))
		return NULL;
	relais_media_debug_init();
	g_autoptr(GError) local = NULL;
	if (!relais_media_conf_check(conf, &local)) {
		g_propagate_error(error, g_steal_pointer(&local));
		return NULL;
	}
	relais_media_warm_up();

	RelaisMedia *m = g_new0(RelaisMedia, 1);
	g_atomic_ref_count_init(&m->ref);
	g_mutex_init(&m->lock);
	g_queue_init(&m->events);
	m->context = g_main_context_ref_thread_default();
	if (callbacks != NULL)
		m->cb = *callbacks;
	m->user_data = user_data;
	m->role = role;
	m->state = RELAIS_MEDIA_STATE_NEW;
	m->board = g_strdup(relais_media_conf_get_board(conf));
	m->video_kbps = relais_media_conf_get_bitrate(conf);
	m->n_mlines = role == RELAIS_MEDIA_OFFERER ? 3 : 2;
	for (guint i = 0; i < G_N_ELEMENTS(m->frames); i++)
		m->frames[i] = relais_frame_slot_new();
	m->mic_level = relais_level_new();
	m->pulse = relais_pulse_new();
	if (relais_stamp_enabled_from_env()) {
		m->stamp = relais_stamp_stats_new();
		m->stamp_sent = relais_stamp_stats_new();
	}

	if (!build_pipeline(m, conf, &local)) {
		g_propagate_prefixed_error(error, g_steal_pointer(&local), "media: ");
		relais_media_free(m);
		return NULL;
	}
	return m;
}

/* --- public API ----------------------------------------------------------- */

gboolean relais_media_start(RelaisMedia *m, const char *const *ice_servers, GError **error)
{
	g_return_val_if_fail(m != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	g_mutex_lock(&m->lock);
	gboolean already = m->started;
	g_mutex_unlock(&m->lock);
	if (already) {
		g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_STATE, "media already started");
		return FALSE;
	}
	if (!relais_media_ice_set_servers(m->webrtc, ice_servers, error))
		return FALSE;
	g_strfreev(m->ice_servers);
	m->ice_servers = g_strdupv((char **)ice_servers);

	g_mutex_lock(&m->lock);
	m->started = TRUE;
	m->quality_source = relais_media_quality_poll_new(m);
	g_mutex_unlock(&m->lock);
	relais_media_set_state(m, RELAIS_MEDIA_STATE_PREPARING);

	if (!relais_media_pipeline_play(m->pipeline, "media", m->board, error)) {
		g_mutex_lock(&m->lock);
		m->state = RELAIS_MEDIA_STATE_FAILED;
		g_mutex_unlock(&m->lock);
		return FALSE;
	}
	relais_pulse_arm(m->pulse, TRUE);
	/* Caps may all have arrived during the state change. */
	relais_media_negotiate(m);
	return TRUE;
}

RelaisMediaState relais_media_get_state(RelaisMedia *m)
{
	g_return_val_if_fail(m != NULL, RELAIS_MEDIA_STATE_FAILED);
	g_mutex_lock(&m->lock);
	RelaisMediaState s = m->state;
	g_mutex_unlock(&m->lock);
	return s;
}

guint relais_media_get_video_kbps(RelaisMedia *m)
{
	g_return_val_if_fail(m != NULL, 0);
	g_mutex_lock(&m->lock);
	guint kbps = m->rate_on ? m->rate_applied_kbps : m->video_kbps;
	g_mutex_unlock(&m->lock);
	return kbps;
}

void relais_media_get_rate(RelaisMedia *m, RelaisMediaRate *rate)
{
	g_return_if_fail(m != NULL && rate != NULL);
	g_mutex_lock(&m->lock);
	*rate = (RelaisMediaRate){.on = m->rate_on, .video_kbps = m->rate_on ? m->rate_applied_kbps : m->video_kbps};
	if (m->rate_on) {
		rate->estimate_kbps = (guint)m->rate.estimate_kbps;
		rate->state = relais_rate_state_name(m->rate.state);
		rate->picture = relais_rate_rung_name(m->rate_applied_rung);
		g_strlcpy(rate->reason, m->rate.reason, sizeof rate->reason);
	} else {
		rate->state = "fixed";
		rate->picture = "full";
	}
	g_mutex_unlock(&m->lock);
}

void relais_media_get_stats(RelaisMedia *m, RelaisMediaStats *stats)
{
	g_return_if_fail(m != NULL && stats != NULL);
	g_mutex_lock(&m->lock);
	/* the sending rate over a window of at least a second, moved on when
	 * asked (status, the console's quality: every second or two) */
	gint64 now = g_get_monotonic_time();
	if (m->rate_t0 == 0) {
		m->rate_t0 = now;
		m->rate_bytes0 = m->stats.video_bytes_sent;
		m->rate_frames0 = m->stats.video_frames_sent;
	} else if (now - m->rate_t0 >= G_USEC_PER_SEC) {
		double secs = (now - m->rate_t0) / (double)G_USEC_PER_SEC;
		m->stats.video_sent_kbps = (guint)((m->stats.video_bytes_sent - m->rate_bytes0) * 8 / secs / 1000);
		m->stats.video_sent_fps = (m->stats.video_frames_sent - m->rate_frames0) / secs;
		m->rate_t0 = now;
		m->rate_bytes0 = m->stats.video_bytes_sent;
		m->rate_frames0 = m->stats.video_frames_sent;
	}
	*stats = m->stats;
	stats->receive_latency_ms = m->recv_delay.latency_ms;
	g_mutex_unlock(&m->lock);
	if (m->stamp != NULL) {
		relais_stamp_stats_get(m->stamp, &stats->stamp);
		relais_stamp_stats_get(m->stamp_sent, &stats->stamp_sent);
	}
}

GstSample *relais_media_pull_remote_video(RelaisMedia *m)
{
	g_return_val_if_fail(m != NULL, NULL);
	g_mutex_lock(&m->lock);
	GstElement *sink = (!m->closed && m->video_sink) ? gst_object_ref(m->video_sink) : NULL;
	g_mutex_unlock(&m->lock);
	if (sink == NULL)
		return NULL;
	GstSample *sample = gst_app_sink_try_pull_sample(GST_APP_SINK(sink), 0);
	gst_object_unref(sink);
	return sample;
}

void relais_media_set_frame_func(RelaisMedia *m, RelaisMediaVideo which, RelaisMediaFrameFunc func, gpointer user_data)
{
	g_return_if_fail(m != NULL);
	g_return_if_fail(which == RELAIS_MEDIA_VIDEO_LOCAL || which == RELAIS_MEDIA_VIDEO_REMOTE ||
			 which == RELAIS_MEDIA_VIDEO_SCREEN || which == RELAIS_MEDIA_VIDEO_GUEST);
	relais_frame_slot_set(m->frames[which], func, user_data);
}

void relais_media_set_muted(RelaisMedia *m, gboolean muted)
{
	g_return_if_fail(m != NULL);
	if (m->mute != NULL)
		g_object_set(m->mute, "mute", muted, NULL);
}

gboolean relais_media_get_muted(RelaisMedia *m)
{
	g_return_val_if_fail(m != NULL, FALSE);
	gboolean muted = FALSE;
	if (m->mute != NULL)
		g_object_get(m->mute, "mute", &muted, NULL);
	return muted;
}

void relais_media_set_camera_off(RelaisMedia *m, gboolean off)
{
	g_return_if_fail(m != NULL);
	if (g_atomic_int_exchange(&m->camera_off, off ? 1 : 0) != (off ? 1 : 0))
		relais_media_request_keyframe(m);
}

gboolean relais_media_get_camera_off(RelaisMedia *m)
{
	g_return_val_if_fail(m != NULL, FALSE);
	return g_atomic_int_get(&m->camera_off) != 0;
}

void relais_media_set_volume(RelaisMedia *m, int percent)
{
	g_return_if_fail(m != NULL);
	if (m->volume != NULL)
		gst_stream_volume_set_volume(GST_STREAM_VOLUME(m->volume), GST_STREAM_VOLUME_FORMAT_CUBIC,
					     CLAMP(percent, 0, 100) / 100.0);
}

int relais_media_get_volume(RelaisMedia *m)
{
	g_return_val_if_fail(m != NULL, 0);
	if (m->volume == NULL)
		return 0;
	double v = gst_stream_volume_get_volume(GST_STREAM_VOLUME(m->volume), GST_STREAM_VOLUME_FORMAT_CUBIC);
	return (int)(v * 100.0 + 0.5);
}

double relais_media_get_mic_level(RelaisMedia *m)
{
	g_return_val_if_fail(m != NULL, 0.0);
	return relais_level_get(m->mic_level);
}

/* opusenc puts in-band FEC (a low-rate copy of the previous frame) in its
 * packets only when told that packets get lost: 0 % gives none, whatever
 * inband-fec says. The far end's own report is the figure, as libwebrtc
 * does for the browser's Opus. */
void relais_media_set_audio_loss(RelaisMedia *m, double fraction_lost)
{
	if (!(fraction_lost >= 0))
		return;
	g_mutex_lock(&m->lock);
	GstElement *enc = m->closed || m->opusenc == NULL ? NULL : gst_object_ref(m->opusenc);
	int was = m->opus_loss.pct;
	int pct = enc != NULL ? relais_fec_loss_update(&m->opus_loss, fraction_lost) : was;
	double smoothed = m->opus_loss.smoothed;
	g_mutex_unlock(&m->lock);
	if (enc == NULL || pct == was) {
		g_clear_object(&enc);
		return;
	}
	g_object_set(enc, "packet-loss-percentage", pct, NULL);
	gst_object_unref(enc);
	g_info("opus: packet-loss-percentage %d -> %d (the far end reports %.1f %% lost, %.1f %% smoothed)", was, pct,
	       fraction_lost * 100.0, smoothed * 100.0);
}

int relais_media_get_quality(RelaisMedia *m)
{
	g_return_val_if_fail(m != NULL, 0);
	gint64 now = g_get_monotonic_time();
	g_mutex_lock(&m->lock);
	gint64 last = MAX(m->connected_us, MAX(m->last_video_received_us, m->last_audio_received_us));
	int q = relais_quality_bars(&m->quality, !m->closed && m->state == RELAIS_MEDIA_STATE_CONNECTED, last, now);
	g_mutex_unlock(&m->lock);
	return q;
}

gint64 relais_media_get_video_silence_us(RelaisMedia *m)
{
	g_return_val_if_fail(m != NULL, -1);
	if (relais_media_get_state(m) == RELAIS_MEDIA_STATE_FAILED)
		return -1;
	return relais_pulse_silence_us(m->pulse);
}

gboolean relais_media_stall_video(RelaisMedia *m, guint ms)
{
	g_return_val_if_fail(m != NULL, FALSE);
	return relais_pulse_stall(m->pulse, ms);
}

GstElement *relais_media_dup_pipeline(RelaisMedia *m)
{
	g_return_val_if_fail(m != NULL, NULL);
	g_mutex_lock(&m->lock);
	GstElement *p = (!m->closed && m->pipeline) ? gst_object_ref(m->pipeline) : NULL;
	g_mutex_unlock(&m->lock);
	return p;
}

void relais_media_free(RelaisMedia *m)
{
	if (m == NULL)
		return;

	/* First, so that no frame function runs from here on (waits for one
	 * that is running). */
	for (guint i = 0; i < G_N_ELEMENTS(m->frames); i++)
		relais_frame_slot_close(m->frames[i]);

	g_mutex_lock(&m->lock);
	m->closed = TRUE;
	m->state = RELAIS_MEDIA_STATE_STOPPED;
	GstWebRTCSessionDescription *offer = g_steal_pointer(&m->pending_offer);
	g_mutex_unlock(&m->lock);
	/* a stalled capture thread (test hook) lets go before the join below */
	relais_pulse_arm(m->pulse, FALSE);

	relais_media_events_discard(m);
	relais_media_device_close(m);
	g_clear_pointer(&offer, gst_webrtc_session_description_free);
	if (m->bus_source != NULL) {
		g_source_destroy(m->bus_source);
		g_clear_pointer(&m->bus_source, g_source_unref);
	}
	if (m->quality_source != NULL) {
		g_source_destroy(m->quality_source);
		g_clear_pointer(&m->quality_source, g_source_unref);
	}

	GstElement *pipeline = NULL;
	if (m->pipeline != NULL) {
		/* Joins every streaming thread: cameras and microphones are
		 * released and no buffer of the session survives. */
		gst_element_set_state(m->pipeline, GST_STATE_NULL);
		if (m->webrtc != NULL)
			g_signal_handlers_disconnect_by_data(m->webrtc, m);
		g_signal_handlers_disconnect_by_data(m->pipeline, m);
		if (m->video_in != NULL)
			g_signal_handlers_disconnect_by_data(m->video_in, m);
		if (m->audio_in != NULL)
			g_signal_handlers_disconnect_by_data(m->audio_in, m);
		if (m->webrtc != NULL && m->video_in != NULL)
			gst_element_release_request_pad(m->webrtc, m->video_in);
		if (m->webrtc != NULL && m->audio_in != NULL)
			gst_element_release_request_pad(m->webrtc, m->audio_in);
	}
	g_mutex_lock(&m->lock);
	g_clear_object(&m->video_in);
	g_clear_object(&m->audio_in);
	g_clear_object(&m->video_pay_sink);
	g_clear_object(&m->video_sink);
	g_clear_object(&m->video_decoder);
	g_clear_object(&m->audio_decoder);
	g_clear_object(&m->screen_decoder);
	g_clear_object(&m->screen_sink);
	g_clear_object(&m->screen_trans);
	g_clear_object(&m->playback);
	g_clear_object(&m->mute);
	g_clear_object(&m->opusenc);
	relais_media_ratectl_clear(m);
	g_clear_object(&m->volume);
	g_clear_object(&m->video_tee);
	g_clear_object(&m->audio_tee);
	g_clear_object(&m->audio_mixer);
	g_clear_object(&m->webrtc);
	for (guint i = 0; i < RELAIS_MEDIA_N_DEVICES; i++)
		relais_media_device_clear(&m->devices[i]);
	pipeline = g_steal_pointer(&m->pipeline);
	g_mutex_unlock(&m->lock);
	g_clear_object(&pipeline);
	relais_media_unref(m);
}
