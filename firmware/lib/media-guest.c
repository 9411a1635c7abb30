/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "relais-media"

#include "media-guest.h"
#include "media-events.h"
#include "media-frames.h"
#include "media-ice.h"
#include "media-pipeline.h"
#include "media-private.h"
#include "media-ratectl.h"

#include <gst/rtp/gstrtcpbuffer.h>
#include <gst/sdp/sdp.h>
#include <gst/video/video.h>

/*
 * The guest's branch, added to the engine's playing pipeline:
 *
 *   video-tee ─ queue(leaky) ─┐                ┌─ video decoder ! I420 ─[frame func]─ appsink (guest-video)
 *   audio-tee ─ queue(leaky) ─┴─ webrtcbin ─────┤
 *                                              └─ audio decoder ! audioconvert ! audioresample ─ audio-mixer
 *
 * all in one bin ("guest-N"), so that a bus error from any of it is told
 * from the adviser's (relais_media_guest_handle_error) and so that taking
 * it out is one unlink per tee and one state change.
 */

typedef enum {
	EVENT_SDP,
	EVENT_ICE,
	EVENT_STATE,
	EVENT_ERROR,
} EventKind;

typedef struct {
	EventKind kind;
	char *type, *text;
	guint mline;
	RelaisMediaState state;
	GError *error;
} Event;

struct _RelaisMediaGuest {
	gatomicrefcount ref;
	GMutex lock;
	gboolean closed; /* (lock) */
	gint failed;	 /* atomic: the tees' branches drop what they carry */
	gint connected;	 /* atomic: counts what is sent from then on */

	RelaisMedia *m; /* (owned reference) */
	GMainContext *context;
	RelaisMediaCallbacks cb;
	gpointer user_data;

	GstElement *pipeline, *bin, *webrtc, *video_decoder, *audio_decoder, *video_sink;
	GstPad *video_tee_pad, *audio_tee_pad; /* tee request pads */
	GstPad *mixer_pad;		       /* audio mixer request pad */
	GstPad *video_in, *audio_in;	       /* webrtcbin request pads */

	gboolean offer_requested, sdp_emitted, remote_set, video_linked, audio_linked; /* (lock) */
	guint n_mlines;								       /* (lock) */
	RelaisMediaState state;							       /* (lock) */
	RelaisMediaGuestStats stats;						       /* (lock) */

	GQueue events; /* (lock) */
	GSource *event_source;

	/* The guest's own sending-rate controller (media-rate.h), fed from
	 * its webrtcbin's RTCP every RATE_POLL_MS: its target caps the one
	 * encoder's (relais_media_ratectl_set_cap). (lock) */
	gboolean rate_on;
	RelaisRate rate;
	GSource *rate_source;
	/* the guest's report blocks since the last poll (on_guest_rtcp):
	 * how many, the worst fraction lost; the RTP sessions whose RTCP is
	 * read (owned references) */
	guint rr_blocks;
	double rr_worst;
	GPtrArray *rtcp_sessions;
};

#define RATE_POLL_MS 2000

static RelaisMediaGuest *guest_ref(RelaisMediaGuest *g)
{
	g_atomic_ref_count_inc(&g->ref);
	return g;
}

static void guest_unref(gpointer data)
{
	RelaisMediaGuest *g = data;
	if (!g_atomic_ref_count_dec(&g->ref))
		return;
	g_assert(g->closed);
	g_clear_object(&g->video_in);
	g_clear_object(&g->audio_in);
	g_clear_object(&g->video_tee_pad);
	g_clear_object(&g->audio_tee_pad);
	g_clear_object(&g->mixer_pad);
	g_clear_object(&g->video_sink);
	g_clear_object(&g->video_decoder);
	g_clear_object(&g->audio_decoder);
	g_clear_object(&g->webrtc);
	g_clear_object(&g->bin);
	g_clear_pointer(&g->rtcp_sessions, g_ptr_array_unref);
	g_clear_object(&g->pipeline);
	relais_media_unref(g->m);
	g_main_context_unref(g->context);
	g_mutex_clear(&g->lock);
	g_free(g);
}

static void guest_unref_closure(gpointer data, GClosure *closure)
{
	guest_unref(data);
}

static void guest_connect(RelaisMediaGuest *g, gpointer instance, const char *signal, GCallback cb)
{
	g_signal_connect_data(instance, signal, cb, guest_ref(g), guest_unref_closure, 0);
}

static gboolean guest_is_closed(RelaisMediaGuest *g)
{
	g_mutex_lock(&g->lock);
	gboolean closed = g->closed;
	g_mutex_unlock(&g->lock);
	return closed;
}

/* --- events to the owner, in order, on its context ---------------------- */

static void event_free(Event *ev)
{
	g_free(ev->type);
	g_free(ev->text);
	g_clear_error(&ev->error);
	g_free(ev);
}

static gboolean dispatch_events(gpointer data)
{
	RelaisMediaGuest *g = data;
	g_mutex_lock(&g->lock);
	GQueue q = g->events;
	g_queue_init(&g->events);
	g_clear_pointer(&g->event_source, g_source_unref);
	g_mutex_unlock(&g->lock);

	Event *ev;
	while ((ev = g_queue_pop_head(&q)) != NULL) {
		/* the owner may free the guest from inside any callback */
		if (!guest_is_closed(g)) {
			switch (ev->kind) {
			case EVENT_SDP:
				if (g->cb.on_sdp)
					g->cb.on_sdp(g->m, ev->type, ev->text, g->user_data);
				break;
			case EVENT_ICE:
				if (g->cb.on_ice)
					g->cb.on_ice(g->m, ev->mline, ev->text, g->user_data);
				break;
			case EVENT_STATE:
				if (g->cb.on_state)
					g->cb.on_state(g->m, ev->state, g->user_data);
				break;
			case EVENT_ERROR:
				if (g->cb.on_error)
					g->cb.on_error(g->m, ev->error, g->user_data);
				break;
			}
		}
		event_free(ev);
	}
	return G_SOURCE_REMOVE;
}

/* Takes ev. */
static void emit_locked(RelaisMediaGuest *g, Event *ev)
{
	if (g->closed) {
		event_free(ev);
		return;
	}
	g_queue_push_tail(&g->events, ev);
	if (g->event_source == NULL) {
		g->event_source = g_idle_source_new();
		g_source_set_priority(g->event_source, G_PRIORITY_DEFAULT);
		g_source_set_callback(g->event_source, dispatch_events, guest_ref(g), guest_unref);
		g_source_attach(g->event_source, g->context);
	}
}

static void set_state_locked(RelaisMediaGuest *g, RelaisMediaState state)
{
	if (g->state == state || g->state == RELAIS_MEDIA_STATE_FAILED)
		return;
	g->state = state;
	Event *ev = g_new0(Event, 1);
	ev->kind = EVENT_STATE;
	ev->state = state;
	emit_locked(g, ev);
}

static void set_state(RelaisMediaGuest *g, RelaisMediaState state)
{
	g_mutex_lock(&g->lock);
	set_state_locked(g, state);
	g_mutex_unlock(&g->lock);
}

/* The guest's connection is lost (the call is not). Takes error. */
static void guest_fail(RelaisMediaGuest *g, GError *error)
{
	g_atomic_int_set(&g->failed, 1);
	g_mutex_lock(&g->lock);
	if (g->closed || g->state == RELAIS_MEDIA_STATE_FAILED) {
		g_mutex_unlock(&g->lock);
		g_debug("guest: after its failure: %s", error->message);
		g_error_free(error);
		return;
	}
	g_warning("guest: its connection failed: %s", error->message);
	g->state = RELAIS_MEDIA_STATE_FAILED;
	Event *ev = g_new0(Event, 1);
	ev->kind = EVENT_STATE;
	ev->state = RELAIS_MEDIA_STATE_FAILED;
	emit_locked(g, ev);
	ev = g_new0(Event, 1);
	ev->kind = EVENT_ERROR;
	ev->error = error;
	emit_locked(g, ev);
	g_mutex_unlock(&g->lock);
	if (g->pipeline != NULL)
		relais_media_pipeline_dump(g->pipeline, "relais-guest", "failed");
}

gboolean relais_media_guest_handle_error(RelaisMedia *m, GstMessage *msg)
{
	g_mutex_lock(&m->lock);
	RelaisMediaGuest *g = m->guest != NULL ? guest_ref(m->guest) : NULL;
	g_mutex_unlock(&m->lock);
	if (g == NULL)
		return FALSE;
	gboolean ours = GST_MESSAGE_SRC(msg) != NULL && GST_IS_OBJECT(GST_MESSAGE_SRC(msg)) &&
			(GST_MESSAGE_SRC(msg) == GST_OBJECT(g->bin) ||
			 gst_object_has_as_ancestor(GST_MESSAGE_SRC(msg), GST_OBJECT(g->bin)));
	if (ours)
		guest_fail(g, relais_media_error_from_message(msg));
	guest_unref(g);
	return ours;
}

/* --- negotiation ---------------------------------------------------------- */

/* TRUE (the guest failed) when the promise brought no reply or an error. */
static gboolean promise_failed(GstPromise *promise, const char *what, RelaisMediaGuest *g)
{
	if (gst_promise_wait(promise) != GST_PROMISE_RESULT_REPLIED) {
		if (!guest_is_closed(g))
			guest_fail(g, g_error_new(RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_SDP, "%s: interrupted", what));
		return TRUE;
	}
	const GstStructure *reply = gst_promise_get_reply(promise);
	if (reply != NULL && gst_structure_has_field(reply, "error")) {
		GError *err = NULL;
		gst_structure_get(reply, "error", G_TYPE_ERROR, &err, NULL);
		guest_fail(g, g_error_new(RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_SDP, "%s: %s", what,
					  err ? err->message : "failed"));
		g_clear_error(&err);
		return TRUE;
	}
	return FALSE;
}

static void on_local_set(GstPromise *promise, gpointer data)
{
	(void)promise_failed(promise, "setting the guest's local description", data);
}

/* The offer goes to the owner before it is applied, so that the owner
 * has it before any of the candidates it causes. */
static void on_offer_created(GstPromise *promise, gpointer data)
{
	RelaisMediaGuest *g = data;
	if (promise_failed(promise, "creating the guest's offer", g))
		return;
	GstWebRTCSessionDescription *desc = NULL;
	gst_structure_get(gst_promise_get_reply(promise), "offer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &desc, NULL);
	if (desc == NULL) {
		guest_fail(g, g_error_new(RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_SDP, "webrtcbin made no offer"));
		return;
	}
	g_mutex_lock(&g->lock);
	g->n_mlines = gst_sdp_message_medias_len(desc->sdp);
	g->sdp_emitted = TRUE;
	Event *ev = g_new0(Event, 1);
	ev->kind = EVENT_SDP;
	ev->type = g_strdup("offer");
	ev->text = gst_sdp_message_as_text(desc->sdp);
	emit_locked(g, ev);
	g_mutex_unlock(&g->lock);
	GstPromise *p = gst_promise_new_with_change_func(on_local_set, guest_ref(g), guest_unref);
	g_signal_emit_by_name(g->webrtc, "set-local-description", desc, p);
	gst_promise_unref(p);
	gst_webrtc_session_description_free(desc);
}

/* Both inputs have caps, as webrtcbin's pads hold them (notify::caps,
 * once webrtcbin took them: a probe would see the event before webrtcbin
 * does, and an offer made then leaves out the m-line still without caps).
 * Asked earlier, webrtcbin fails with "Peer caps not specific enough", as
 * media-negotiate.c says. */
static void on_input_caps(GstPad *pad, GParamSpec *pspec, gpointer data)
{
	RelaisMediaGuest *g = data;
	g_mutex_lock(&g->lock);
	gboolean go = !g->closed && !g->offer_requested && g->video_in != NULL && g->audio_in != NULL &&
		      gst_pad_has_current_caps(g->video_in) && gst_pad_has_current_caps(g->audio_in);
	if (go)
		g->offer_requested = TRUE;
	g_mutex_unlock(&g->lock);
	if (go) {
		GstPromise *p = gst_promise_new_with_change_func(on_offer_created, guest_ref(g), guest_unref);
		g_signal_emit_by_name(g->webrtc, "create-offer", NULL, p);
		gst_promise_unref(p);
	}
}

static void on_remote_set(GstPromise *promise, gpointer data)
{
	RelaisMediaGuest *g = data;
	if (promise_failed(promise, "setting the guest's answer", g))
		return;
	g_mutex_lock(&g->lock);
	g->remote_set = TRUE;
	g_mutex_unlock(&g->lock);
}

gboolean relais_media_guest_set_remote(RelaisMediaGuest *g, const char *type, const char *sdp, GError **error)
{
	g_return_val_if_fail(g != NULL, FALSE);
	if (g_strcmp0(type, "answer") != 0) {
		g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_STATE,
			    "the booth offers to a guest: it takes an answer, not \"%s\"", type ? type : "");
		return FALSE;
	}
	g_mutex_lock(&g->lock);
	gboolean ready = g->sdp_emitted && !g->remote_set && !g->closed;
	g_mutex_unlock(&g->lock);
	if (!ready) {
		g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_STATE,
			    "a guest's answer before the booth's offer, or twice");
		return FALSE;
	}
	GstSDPMessage *msg = NULL;
	if (sdp == NULL || gst_sdp_message_new_from_text(sdp, &msg) != GST_SDP_OK ||
	    gst_sdp_message_medias_len(msg) == 0) {
		if (msg != NULL)
			gst_sdp_message_free(msg);
		g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_SDP, "the guest's answer is not SDP");
		return FALSE;
	}
	GstWebRTCSessionDescription *desc = gst_webrtc_session_description_new(GST_WEBRTC_SDP_TYPE_ANSWER, msg);
	GstPromise *p = gst_promise_new_with_change_func(on_remote_set, guest_ref(g), guest_unref);
	g_signal_emit_by_name(g->webrtc, "set-remote-description", desc, p);
	gst_promise_unref(p);
	gst_webrtc_session_description_free(desc);
	return TRUE;
}

void relais_media_guest_add_ice(RelaisMediaGuest *g, guint mline, const char *candidate)
{
	g_return_if_fail(g != NULL);
	if (!guest_is_closed(g))
		relais_media_ice_add_remote(g->webrtc, mline, candidate);
}

/* --- webrtcbin's signals -------------------------------------------------- */

static void on_ice_candidate(GstElement *webrtc, guint mline, const char *candidate, gpointer data)
{
	RelaisMediaGuest *g = data;
	g_mutex_lock(&g->lock);
	Event *ev = g_new0(Event, 1);
	ev->kind = EVENT_ICE;
	ev->mline = mline;
	ev->text = g_strdup(candidate);
	emit_locked(g, ev);
	g_mutex_unlock(&g->lock);
}

static void on_gathering_state(GstElement *webrtc, GParamSpec *pspec, gpointer data)
{
	RelaisMediaGuest *g = data;
	GstWebRTCICEGatheringState s;
	g_object_get(webrtc, "ice-gathering-state", &s, NULL);
	if (s != GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE)
		return;
	g_mutex_lock(&g->lock);
	for (guint i = 0; i < g->n_mlines; i++) {
		Event *ev = g_new0(Event, 1);
		ev->kind = EVENT_ICE;
		ev->mline = i;
		ev->text = g_strdup("");
		emit_locked(g, ev);
	}
	g_mutex_unlock(&g->lock);
}

static void on_connection_state(GstElement *webrtc, GParamSpec *pspec, gpointer data)
{
	RelaisMediaGuest *g = data;
	GstWebRTCPeerConnectionState s;
	g_object_get(webrtc, "connection-state", &s, NULL);
	switch (s) {
	case GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTING:
	case GST_WEBRTC_PEER_CONNECTION_STATE_DISCONNECTED:
		set_state(g, RELAIS_MEDIA_STATE_CONNECTING);
		break;
	case GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED:
		g_atomic_int_set(&g->connected, 1);
		g_mutex_lock(&g->lock);
		if (g->stats.connected_us == 0)
			g->stats.connected_us = g_get_monotonic_time();
		g_mutex_unlock(&g->lock);
		/* what the encoder made before DTLS was up went nowhere: a
		 * key frame now, from the one encoder (the adviser gets one
		 * too, a small price once per guest) */
		relais_media_request_keyframe(g->m);
		set_state(g, RELAIS_MEDIA_STATE_CONNECTED);
		break;
	case GST_WEBRTC_PEER_CONNECTION_STATE_FAILED:
		guest_fail(g, g_error_new(RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_CONNECTION,
					  "the guest's ICE/DTLS connection failed"));
		break;
	default:
		break;
	}
}

/* The guest's camera and microphone, into their decoders. */
static void on_pad_added(GstElement *webrtc, GstPad *pad, gpointer data)
{
	RelaisMediaGuest *g = data;
	if (GST_PAD_DIRECTION(pad) != GST_PAD_SRC || guest_is_closed(g))
		return;
	g_autofree char *media = relais_media_pad_kind(pad);

	GstElement *decoder = NULL;
	g_mutex_lock(&g->lock);
	if (g_strcmp0(media, "video") == 0 && !g->video_linked) {
		g->video_linked = TRUE;
		decoder = gst_object_ref(g->video_decoder);
	} else if (g_strcmp0(media, "audio") == 0 && !g->audio_linked) {
		g->audio_linked = TRUE;
		decoder = gst_object_ref(g->audio_decoder);
	}
	g_mutex_unlock(&g->lock);
	g_debug("guest: remote %s stream", media ? media : "?");
	if (decoder == NULL) {
		decoder = gst_element_factory_make("fakesink", NULL);
		g_object_set(decoder, "async", FALSE, "sync", FALSE, NULL);
		gst_bin_add(GST_BIN(g->bin), gst_object_ref(decoder));
		gst_element_sync_state_with_parent(decoder);
	}
	GstPad *sink = gst_element_get_static_pad(decoder, "sink");
	GstPadLinkReturn r = gst_pad_link(pad, sink);
	gst_object_unref(sink);
	if (r != GST_PAD_LINK_OK)
		guest_fail(g, g_error_new(RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_PIPELINE,
					  "cannot link the guest's %s stream: %s", media ? media : "?",
					  gst_pad_link_get_name(r)));
	gst_object_unref(decoder);
}

/* --- counters ------------------------------------------------------------- */

static GstPadProbeReturn count_sent(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	RelaisMediaGuest *g = data;
	if (!g_atomic_int_get(&g->connected))
		return GST_PAD_PROBE_OK;
	guint64 packets = 0, bytes = 0;
	if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
		packets = 1;
		bytes = gst_buffer_get_size(GST_PAD_PROBE_INFO_BUFFER(info));
	} else if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
		GstBufferList *list = GST_PAD_PROBE_INFO_BUFFER_LIST(info);
		packets = gst_buffer_list_length(list);
		bytes = gst_buffer_list_calculate_size(list);
	}
	g_mutex_lock(&g->lock);
	g->stats.rtp_packets_sent += packets;
	g->stats.rtp_bytes_sent += bytes;
	g_mutex_unlock(&g->lock);
	return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn count_video(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	RelaisMediaGuest *g = data;
	GstCaps *caps = gst_pad_get_current_caps(pad);
	GstVideoInfo vi;
	gboolean sized = caps != NULL && gst_video_info_from_caps(&vi, caps);
	g_mutex_lock(&g->lock);
	g->stats.video_frames_received++;
	if (g->stats.first_video_received_us == 0)
		g->stats.first_video_received_us = g_get_monotonic_time();
	if (sized) {
		g->stats.video_width = GST_VIDEO_INFO_WIDTH(&vi);
		g->stats.video_height = GST_VIDEO_INFO_HEIGHT(&vi);
	}
	g_mutex_unlock(&g->lock);
	gst_clear_caps(&caps);
	return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn count_audio(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	RelaisMediaGuest *g = data;
	g_mutex_lock(&g->lock);
	g->stats.audio_buffers_received++;
	g_mutex_unlock(&g->lock);
	return GST_PAD_PROBE_OK;
}

/* On the tees' branches: nothing reaches a failed or closing guest, so
 * its flow errors never climb back through the tee to the encoder. */
static GstPadProbeReturn drop_if_failed(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	RelaisMediaGuest *g = data;
	return g_atomic_int_get(&g->failed) ? GST_PAD_PROBE_DROP : GST_PAD_PROBE_OK;
}

/* --- the guest's sending rate ---------------------------------------------- */

/* Every report block of the guest's RTCP, as it arrives. Not from
 * rtpsession's "stats": there each of the guest's sources keeps one block,
 * the last of its last packet (a compound from a peer with one session for
 * audio and video carries a block per stream of ours, and only the last
 * stays: the other stream's loss is never seen), and its RTCP comes every
 * few seconds, so a poll every two reads the same block again and again.
 * The blocks in the guest's RTCP are about what it receives: our streams. */
static void on_guest_rtcp(GObject *session, GstBuffer *buffer, gpointer data)
{
	RelaisMediaGuest *g = data;
	GstRTCPBuffer rtcp = GST_RTCP_BUFFER_INIT;
	if (!gst_rtcp_buffer_map(buffer, GST_MAP_READ, &rtcp))
		return;
	guint blocks = 0;
	double worst = -1.0;
	GstRTCPPacket p;
	for (gboolean more = gst_rtcp_buffer_get_first_packet(&rtcp, &p); more;
	     more = gst_rtcp_packet_move_to_next(&p)) {
		GstRTCPType type = gst_rtcp_packet_get_type(&p);
		if (type != GST_RTCP_TYPE_SR && type != GST_RTCP_TYPE_RR)
			continue;
		for (guint i = 0; i < gst_rtcp_packet_get_rb_count(&p); i++) {
			guint32 ssrc, seq, jitter, lsr, dlsr;
			guint8 fraction;
			gint32 lost;
			gst_rtcp_packet_get_rb(&p, i, &ssrc, &fraction, &lost, &seq, &jitter, &lsr, &dlsr);
			worst = MAX(worst, fraction / 256.0);
			blocks++;
		}
	}
	gst_rtcp_buffer_unmap(&rtcp);
	if (blocks == 0)
		return;
	g_mutex_lock(&g->lock);
	g->rr_blocks += blocks;
	g->rr_worst = MAX(g->rr_worst, worst);
	g_mutex_unlock(&g->lock);
}

/* The guest's webrtcbin makes its RTP session once negotiated: its RTCP
 * read from then on (once per session). */
static void watch_session(RelaisMediaGuest *g, GstElement *element)
{
	GObject *session = NULL;
	g_object_get(element, "internal-session", &session, NULL);
	if (session == NULL)
		return;
	g_mutex_lock(&g->lock);
	gboolean known = g->closed || g_ptr_array_find(g->rtcp_sessions, session, NULL);
	if (!known)
		g_ptr_array_add(g->rtcp_sessions, g_object_ref(session));
	g_mutex_unlock(&g->lock);
	if (!known)
		guest_connect(g, session, "on-receiving-rtcp", G_CALLBACK(on_guest_rtcp));
	g_object_unref(session);
}

/* The round trip of the guest's last report (rtpsession's "stats": from
 * LSR/DLSR against our sender reports), the longest over its sources. */
static double session_rtt(GstElement *session)
{
	GstStructure *stats = NULL;
	g_object_get(session, "stats", &stats, NULL);
	if (stats == NULL)
		return -1.0;
	double rtt = -1.0;
	const GValue *v = gst_structure_get_value(stats, "source-stats");
	/* clang-format off */
	G_GNUC_BEGIN_IGNORE_DEPRECATIONS
	GValueArray *sources = v != NULL && G_VALUE_TYPE(v) == g_value_array_get_type() ? g_value_get_boxed(v) : NULL;
	for (guint i = 0; sources != NULL && i < sources->n_values; i++) {
		const GValue *sv = g_value_array_get_nth(sources, i);
		if (!GST_VALUE_HOLDS_STRUCTURE(sv))
			continue;
		const GstStructure *s = gst_value_get_structure(sv);
		gboolean internal = FALSE, have_rb = FALSE;
		guint rtt_q16 = 0;
		gst_structure_get_boolean(s, "internal", &internal);
		gst_structure_get_boolean(s, "have-rb", &have_rb);
		if (!internal && have_rb && gst_structure_get_uint(s, "rb-round-trip", &rtt_q16) && rtt_q16 > 0)
			rtt = MAX(rtt, rtt_q16 / 65536.0);
	}
	G_GNUC_END_IGNORE_DEPRECATIONS
	/* clang-format on */
	gst_structure_free(stats);
	return rtt;
}

/* The guest's receiver reports into its controller, its target to the
 * engine as a cap: the one encoder follows the lower of the two peers'
 * estimates. Each block counts once, in the poll after it came; a poll
 * with none tells the controller nothing new. A simpler reading than the
 * adviser's (media-probes.c): the worst block's fraction lost as it is, no
 * weighting by packets, no jitter. */
static gboolean on_rate_poll(gpointer data)
{
	RelaisMediaGuest *g = data;
	if (guest_is_closed(g))
		return G_SOURCE_REMOVE;
	if (!g_atomic_int_get(&g->connected) || g_atomic_int_get(&g->failed))
		return G_SOURCE_CONTINUE;
	double rtt = -1.0;
	GstIterator *it = gst_bin_iterate_recurse(GST_BIN(g->webrtc));
	GValue v = G_VALUE_INIT;
	while (gst_iterator_next(it, &v) == GST_ITERATOR_OK) {
		GstElement *e = g_value_get_object(&v);
		GstElementFactory *f = gst_element_get_factory(e);
		if (f != NULL && g_strcmp0(GST_OBJECT_NAME(f), "rtpsession") == 0) {
			watch_session(g, e);
			rtt = MAX(rtt, session_rtt(e));
		}
		g_value_reset(&v);
	}
	g_value_unset(&v);
	gst_iterator_free(it);
	g_mutex_lock(&g->lock);
	guint blocks = g->rr_blocks;
	RelaisRateReport r = {
		.fraction_lost = blocks ? g->rr_worst : -1.0,
		.rtt_s = blocks ? rtt : -1.0,
		.jitter_s = -1.0,
		.bytes_sent = g->stats.rtp_bytes_sent,
		.packets_sent = g->stats.rtp_packets_sent,
	};
	g->rr_blocks = 0;
	g->rr_worst = -1.0;
	g->stats.reports_received += blocks;
	if (blocks)
		g->stats.report_loss = r.fraction_lost;
	relais_rate_update(&g->rate, &r, g_get_monotonic_time());
	guint kbps = g->rate.video_kbps;
	g->stats.rate_kbps = kbps;
	g_debug("guest: sending rate: %u report blocks, worst loss %.3f, round trip %.3f s: %u kbit/s (%s)", blocks,
		r.fraction_lost, r.rtt_s, kbps, g->rate.reason);
	g_mutex_unlock(&g->lock);
	relais_media_ratectl_set_cap(g->m, kbps);
	return G_SOURCE_CONTINUE;
}

static void rate_start(RelaisMediaGuest *g)
{
	RelaisMedia *m = g->m;
	g_mutex_lock(&m->lock);
	gboolean on = m->rate_on;
	RelaisRateConfig cfg = m->rate.cfg;
	/* from where the encoder is: a guest's arrival changes nothing until
	 * its own reports say so */
	cfg.start_kbps = m->rate_applied_kbps;
	g_mutex_unlock(&m->lock);
	if (!on)
		return;
	g_mutex_lock(&g->lock);
	relais_rate_init(&g->rate, &cfg);
	g->rate_on = TRUE;
	g->stats.rate_kbps = g->rate.video_kbps;
	g->rate_source = g_timeout_source_new(RATE_POLL_MS);
	g_source_set_callback(g->rate_source, on_rate_poll, guest_ref(g), guest_unref);
	g_source_attach(g->rate_source, g->context);
	g_mutex_unlock(&g->lock);
}

/* --- building ------------------------------------------------------------- */

static GstPad *input_pad(RelaisMediaGuest *g, GstElement *queue, const char *msid, gboolean video, GError **error)
{
	GstPad *in = gst_element_request_pad_simple(g->webrtc, "sink_%u");
	if (in == NULL) {
		g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_PIPELINE,
			    "the guest's webrtcbin gave no pad");
		return NULL;
	}
	g_object_set(in, "msid", msid, NULL);
	if (video) {
		GstWebRTCRTPTransceiver *trans = NULL;
		g_object_get(in, "transceiver", &trans, NULL);
		if (trans != NULL) {
			g_object_set(trans, "do-nack", TRUE, NULL);
			gst_object_unref(trans);
		}
	}
	g_autoptr(GstPad) src = gst_element_get_static_pad(queue, "src");
	GstPadLinkReturn r = gst_pad_link(src, in);
	if (r != GST_PAD_LINK_OK) {
		g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_PIPELINE,
			    "cannot link the guest's %s queue: %s", video ? "video" : "audio",
			    gst_pad_link_get_name(r));
		gst_object_unref(in);
		return NULL;
	}
	gst_pad_add_probe(in, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST, count_sent, guest_ref(g),
			  guest_unref);
	return in;
}

static GstElement *branch_queue(GstElement *bin, const char *name, const char *ghost)
{
	GstElement *q = gst_element_factory_make("queue", name);
	/* 200 ms of RTP: a key frame's packets fit; a guest that stalls
	 * loses its own packets, never the adviser's */
	g_object_set(q, "leaky", 2 /* downstream */, "max-size-buffers", 0, "max-size-bytes", 0, "max-size-time",
		     (guint64)200 * GST_MSECOND, NULL);
	gst_bin_add(GST_BIN(bin), q);
	g_autoptr(GstPad) sink = gst_element_get_static_pad(q, "sink");
	gst_element_add_pad(bin, gst_ghost_pad_new(ghost, sink));
	return q;
}

static gboolean build_bin(RelaisMediaGuest *g, GError **error)
{
	static guint serial = 0;
	RelaisMedia *m = g->m;
	g_autofree char *name = g_strdup_printf("guest-%u", g_atomic_int_add(&serial, 1));
	g->bin = gst_object_ref_sink(gst_bin_new(name));

	g->webrtc = relais_media_make_element("webrtcbin", "guest-webrtc", error);
	if (g->webrtc == NULL)
		return FALSE;
	guint latency = 0;
	g_object_get(m->webrtc, "latency", &latency, NULL);
	g_object_set(g->webrtc, "bundle-policy", GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE, "latency", latency,
		     "ice-transport-policy",
		     m->relay_only ? GST_WEBRTC_ICE_TRANSPORT_POLICY_RELAY : GST_WEBRTC_ICE_TRANSPORT_POLICY_ALL, NULL);
	relais_media_ice_tune(g->webrtc);
	gst_bin_add(GST_BIN(g->bin), gst_object_ref(g->webrtc));
	if (!relais_media_ice_set_servers(g->webrtc, (const char *const *)m->ice_servers, error))
		return FALSE;
	if (m->local_addresses != NULL &&
	    !relais_media_ice_set_local_addresses(g->webrtc, (const char *const *)m->local_addresses, error))
		return FALSE;

	/* Video first, as the adviser's: m-line 0 video, 1 audio. */
	GstElement *vq = branch_queue(g->bin, "guest-video-queue", "video_sink");
	GstElement *aq = branch_queue(g->bin, "guest-audio-queue", "audio_sink");
	g->video_in = input_pad(g, vq, "relais-video", TRUE, error);
	if (g->video_in == NULL)
		return FALSE;
	g->audio_in = input_pad(g, aq, "relais-audio", FALSE, error);
	if (g->audio_in == NULL)
		return FALSE;
	guest_connect(g, g->video_in, "notify::caps", G_CALLBACK(on_input_caps));
	guest_connect(g, g->audio_in, "notify::caps", G_CALLBACK(on_input_caps));

	g->video_sink = relais_media_make_element("appsink", "guest-video", error);
	if (g->video_sink == NULL)
		return FALSE;
	relais_frames_setup_appsink(g->video_sink, "video/x-raw,format=I420");
	gst_bin_add(GST_BIN(g->bin), gst_object_ref(g->video_sink));
	g_autoptr(GstPad) vsink_pad = gst_element_get_static_pad(g->video_sink, "sink");
	gst_pad_add_probe(vsink_pad, GST_PAD_PROBE_TYPE_BUFFER, count_video, guest_ref(g), guest_unref);
	relais_frame_slot_add_probe(m->frames[RELAIS_MEDIA_VIDEO_GUEST], vsink_pad);

	g_autofree char *vrecv = g_strdup_printf("%s ! videoconvert ! capsfilter caps=video/x-raw,format=I420",
						 m->vdec_desc ? m->vdec_desc : "decodebin");
	g->video_decoder = relais_media_parse_fragment("guest-video-receive", vrecv, error);
	if (g->video_decoder == NULL)
		return FALSE;
	gst_bin_add(GST_BIN(g->bin), gst_object_ref(g->video_decoder));
	if (!gst_element_link(g->video_decoder, g->video_sink)) {
		g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_PIPELINE,
			    "[video] decoder cannot feed the guest's video sink");
		return FALSE;
	}

	g_autofree char *arecv =
		g_strdup_printf("%s ! audioconvert ! audioresample", m->adec_desc ? m->adec_desc : "decodebin");
	g->audio_decoder = relais_media_parse_fragment("guest-audio-receive", arecv, error);
	if (g->audio_decoder == NULL)
		return FALSE;
	gst_bin_add(GST_BIN(g->bin), gst_object_ref(g->audio_decoder));
	g_autoptr(GstPad) adec_src = gst_element_get_static_pad(g->audio_decoder, "src");
	if (adec_src == NULL) {
		g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_PIPELINE, "[audio] decoder has no output");
		return FALSE;
	}
	gst_pad_add_probe(adec_src, GST_PAD_PROBE_TYPE_BUFFER, count_audio, guest_ref(g), guest_unref);
	gst_element_add_pad(g->bin, gst_ghost_pad_new("audio_src", adec_src));

	guest_connect(g, g->webrtc, "on-ice-candidate", G_CALLBACK(on_ice_candidate));
	guest_connect(g, g->webrtc, "notify::ice-gathering-state", G_CALLBACK(on_gathering_state));
	guest_connect(g, g->webrtc, "notify::connection-state", G_CALLBACK(on_connection_state));
	guest_connect(g, g->webrtc, "pad-added", G_CALLBACK(on_pad_added));
	return TRUE;
}

/* The bin into the playing pipeline: playing first, then fed, so that
 * the tees never push into a pad that is not ready. */
static gboolean attach(RelaisMediaGuest *g, GError **error)
{
	RelaisMedia *m = g->m;
	gst_bin_add(GST_BIN(g->pipeline), gst_object_ref(g->bin));
	if (!gst_element_sync_state_with_parent(g->bin)) {
		g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_PIPELINE, "the guest's branch cannot play");
		return FALSE;
	}
	g_autoptr(GstPad) asrc = gst_element_get_static_pad(g->bin, "audio_src");
	g->mixer_pad = gst_element_request_pad_simple(m->audio_mixer, "sink_%u");
	if (g->mixer_pad == NULL || gst_pad_link(asrc, g->mixer_pad) != GST_PAD_LINK_OK) {
		g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_PIPELINE,
			    "the guest's audio cannot join the mixer");
		return FALSE;
	}
	struct {
		GstElement *tee;
		const char *ghost;
		GstPad **pad;
	} branches[] = {{m->video_tee, "video_sink", &g->video_tee_pad},
			{m->audio_tee, "audio_sink", &g->audio_tee_pad}};
	for (guint i = 0; i < G_N_ELEMENTS(branches); i++) {
		g_autoptr(GstPad) sink = gst_element_get_static_pad(g->bin, branches[i].ghost);
		GstPad *src = gst_element_request_pad_simple(branches[i].tee, "src_%u");
		*branches[i].pad = src;
		if (src == NULL || gst_pad_link(src, sink) != GST_PAD_LINK_OK) {
			g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_PIPELINE,
				    "the guest's branch cannot join the %s tee", branches[i].ghost);
			return FALSE;
		}
		gst_pad_add_probe(src, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST, drop_if_failed,
				  guest_ref(g), guest_unref);
	}
	return TRUE;
}

RelaisMediaGuest *relais_media_guest_new(RelaisMedia *m, const RelaisMediaCallbacks *callbacks, gpointer user_data,
					 GError **error)
{
	g_return_val_if_fail(m != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	g_mutex_lock(&m->lock);
	gboolean ok = !m->closed && m->started && m->guest == NULL && m->role == RELAIS_MEDIA_OFFERER &&
		      m->video_tee != NULL && m->audio_tee != NULL && m->audio_mixer != NULL;
	GstElement *pipeline = ok ? gst_object_ref(m->pipeline) : NULL;
	g_mutex_unlock(&m->lock);
	if (!ok) {
		g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_STATE,
			    "a guest's connection needs a started offerer without one");
		return NULL;
	}

	RelaisMediaGuest *g = g_new0(RelaisMediaGuest, 1);
	g_atomic_ref_count_init(&g->ref);
	g_mutex_init(&g->lock);
	g_queue_init(&g->events);
	g->rtcp_sessions = g_ptr_array_new_with_free_func(g_object_unref);
	g->rr_worst = -1.0;
	g->stats.report_loss = -1.0;
	g->m = relais_media_ref(m);
	g->context = g_main_context_ref(m->context);
	if (callbacks != NULL)
		g->cb = *callbacks;
	g->user_data = user_data;
	g->state = RELAIS_MEDIA_STATE_PREPARING;
	g->pipeline = pipeline;

	g_autoptr(GError) local = NULL;
	if (!build_bin(g, &local) || !attach(g, &local)) {
		g_propagate_prefixed_error(error, g_steal_pointer(&local), "media: guest: ");
		relais_media_guest_free(g);
		return NULL;
	}
	g_mutex_lock(&m->lock);
	m->guest = g;
	g_mutex_unlock(&m->lock);
	rate_start(g);
	g_message("guest: a second connection is being prepared");
	return g;
}

RelaisMediaState relais_media_guest_get_state(RelaisMediaGuest *g)
{
	g_return_val_if_fail(g != NULL, RELAIS_MEDIA_STATE_FAILED);
	g_mutex_lock(&g->lock);
	RelaisMediaState s = g->state;
	g_mutex_unlock(&g->lock);
	return s;
}

static const char *state_name(RelaisMediaState s)
{
	switch (s) {
	case RELAIS_MEDIA_STATE_NEW:
	case RELAIS_MEDIA_STATE_PREPARING:
		return "new";
	case RELAIS_MEDIA_STATE_CONNECTING:
		return "connecting";
	case RELAIS_MEDIA_STATE_CONNECTED:
		return "connected";
	case RELAIS_MEDIA_STATE_FAILED:
		return "failed";
	case RELAIS_MEDIA_STATE_STOPPED:
		return "closed";
	}
	return "?";
}

void relais_media_guest_get_stats(RelaisMediaGuest *g, RelaisMediaGuestStats *stats)
{
	g_return_if_fail(g != NULL && stats != NULL);
	g_mutex_lock(&g->lock);
	*stats = g->stats;
	stats->state = state_name(g->state);
	g_mutex_unlock(&g->lock);
}

void relais_media_guest_free(RelaisMediaGuest *g)
{
	if (g == NULL)
		return;
	RelaisMedia *m = g->m;
	g_atomic_int_set(&g->failed, 1);
	g_mutex_lock(&g->lock);
	g->closed = TRUE;
	g->state = RELAIS_MEDIA_STATE_STOPPED;
	GQueue q = g->events;
	g_queue_init(&g->events);
	GSource *source = g_steal_pointer(&g->event_source);
	GSource *rate_source = g_steal_pointer(&g->rate_source);
	gboolean rate_on = g->rate_on;
	g_mutex_unlock(&g->lock);
	if (rate_source != NULL) {
		g_source_destroy(rate_source);
		g_source_unref(rate_source);
	}
	/* closed: no session is added any more */
	for (guint i = 0; i < g->rtcp_sessions->len; i++)
		g_signal_handlers_disconnect_by_data(g_ptr_array_index(g->rtcp_sessions, i), g);
	/* the adviser's estimate alone again */
	if (rate_on)
		relais_media_ratectl_set_cap(m, 0);
	g_queue_clear_full(&q, (GDestroyNotify)event_free);
	if (source != NULL) {
		g_source_destroy(source);
		g_source_unref(source);
	}
	g_mutex_lock(&m->lock);
	if (m->guest == g)
		m->guest = NULL;
	g_mutex_unlock(&m->lock);

	/* Out of the tees and the mixer first (a push in progress ends; the
	 * next one finds no link, which the tees allow), then stopped. */
	struct {
		GstElement *owner;
		GstPad **pad;
		gboolean src;
	} links[] = {{m->video_tee, &g->video_tee_pad, TRUE},
		     {m->audio_tee, &g->audio_tee_pad, TRUE},
		     {m->audio_mixer, &g->mixer_pad, FALSE}};
	for (guint i = 0; i < G_N_ELEMENTS(links); i++) {
		GstPad *pad = *links[i].pad;
		if (pad == NULL)
			continue;
		GstPad *peer = gst_pad_get_peer(pad);
		if (peer != NULL) {
			if (links[i].src)
				gst_pad_unlink(pad, peer);
			else
				gst_pad_unlink(peer, pad);
			gst_object_unref(peer);
		}
		if (links[i].owner != NULL)
			gst_element_release_request_pad(links[i].owner, pad);
		g_clear_object(links[i].pad);
	}
	if (g->bin != NULL) {
		gst_element_set_state(g->bin, GST_STATE_NULL);
		if (g->webrtc != NULL) {
			g_signal_handlers_disconnect_by_data(g->webrtc, g);
			if (g->video_in != NULL)
				g_signal_handlers_disconnect_by_data(g->video_in, g);
			if (g->audio_in != NULL)
				g_signal_handlers_disconnect_by_data(g->audio_in, g);
			if (g->video_in != NULL)
				gst_element_release_request_pad(g->webrtc, g->video_in);
			if (g->audio_in != NULL)
				gst_element_release_request_pad(g->webrtc, g->audio_in);
		}
		if (g->pipeline != NULL && GST_OBJECT_PARENT(g->bin) == GST_OBJECT(g->pipeline))
			gst_bin_remove(GST_BIN(g->pipeline), g->bin);
	}
	g_message("guest: its connection is closed");
	guest_unref(g);
}
