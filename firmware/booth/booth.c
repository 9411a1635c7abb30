/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "relais-booth"

#include "booth.h"
#include "booking.h"
#include "calldoc.h"
#include "consent.h"
#include "diag.h"
#include "link.h"
#include "media.h"
#include "media-guest.h"
#include "mediaconf.h"
#include "preview.h"
#include "protocol.h"
#include "relais-config.h"
#include "updater.h"
#include "updatestatus.h"

#include <gst/gst.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

typedef struct {
	guint mline;
	char *candidate;
} PendingIce;

struct _Booth {
	char *booth_id;
	char *board;
	char *pipelines_dir;
	gboolean relay_only;
	char **ice_addresses;
	RelaisSessionState state;
	char *fault;	   /* why out of order */
	char *setup_fault; /* not set up (BoothConfig.setup_fault): out of order for good */
	char *hold;	   /* out of order until lifted (booth_set_hold: enrolment) */
	char *link_hold;   /* the switchboard refused the certificate: until let in */
	GTlsCertificate *client_cert;
	gboolean cert_pending; /* a new certificate waits for the session's end */
	guint cert_idle_id;
	BoothRefusedFunc refused_func;
	gpointer refused_data;
	guint selftest_id; /* retries the self-test while out of order */
	BoothLink *link;
	BoothCallDoc *doc; /* the document shown in the call */
	RelaisMediaConf *conf;
	RelaisPreview *preview; /* the self-check, before a session */
	char **ice_servers;	/* from welcome */
	BoothObserver observer;
	gpointer observer_data;
	/* the call just ended, kept for the visitor's score until forgotten */
	char *feedback_call;
	gboolean renew_link; /* the link carried a session: renew it on forget */
	guint resume_id;     /* the call waits for the link to come back */

	/* for the diagnostics report (booth_get_facts) */
	char *site, *switchboard_url, *state_dir;
	RelaisLogRing *log_ring;
	JsonObject *checks;
	gint64 started_us;
	char *software, *slot, *update_status_path;

	/* the start-up check of the camera and the microphone (booth.h) */
	RelaisPreview *probe;
	guint probe_id;	     /* polls it until its time is up */
	guint probe_idle_id; /* runs it again once idle */
	gint probe_frames;   /* camera frames seen (atomic: a streaming thread counts) */
	gint64 probe_started_us;
	gboolean probe_again; /* stopped before it knew: again once idle */
	BoothCheck camera_check, mic_check;
	char *camera_detail, *mic_detail;

	/* requests the visitor ended before their ticket came (the switchboard
	 * had queued them, its `queued` on its way): each is cancelled as its
	 * ticket comes, the last one so cancelled remembered so that its
	 * position updates are not taken for a new request's. Not session
	 * data: they outlive the wipe; a lost link forgets them (the
	 * switchboard drops a gone booth's ticket). */
	guint unticketed_ends;
	char *cancelled_ticket;

	/* what the screen asked of the call's media, given again to a new
	 * media connection (PROTOCOL.md "Reconnecting a call's media") */
	struct {
		RelaisMediaFrameFunc func;
		gpointer data;
	} frame_funcs[4]; /* by RelaisMediaVideo */
	gboolean muted, camera_off;
	int volume; /* -1: never set */
	/* the sim board's simulated unplug (booth_sim_device), given to every
	 * media engine made while it holds */
	gboolean sim_lost[RELAIS_MEDIA_N_DEVICES];

	/* updates sent from afar (updater.h) */
	BoothUpdater *updater;
	BoothIdleFunc idle_func;
	gpointer idle_data;

	/* the visitor's yes or no to a guest (consent.h); its content is
	 * session data, wiped with the rest */
	RelaisConsent *consent;
	guint consent_id; /* the answer's deadline */

	/* --- session data: everything below is wiped at the end --- */
	/* the guest of the call once let in or gone (last guest_state) */
	char *guest_id, *guest_name, *guest_role, *guest_state;
	/* the guest's media connection (media-guest.h): made on guest_ask,
	 * its offer and candidates held until the switchboard says the guest
	 * is joining, thrown away when it is not let in or goes */
	RelaisMediaGuest *guest_media;
	char *guest_offer;
	GPtrArray *guest_ice; /* PendingIce*, until the offer is sent */
	gboolean guest_offer_sent;
	char *topic, *language;
	JsonObject *answers;
	char *booking; /* the checked-in booking code of the request */
	char *ticket;
	guint position;
	char *call;
	char *peer;
	RelaisMedia *media;
	char *offer;		/* made while the visitor waits, sent on `call` */
	GPtrArray *pending_ice; /* PendingIce*, gathered before `call` */
	GPtrArray *chat;	/* JsonObject* {from, text} */
	gint64 request_us, call_us, media_up_us;
	gint64 call_wall_us; /* g_get_real_time() of call_us, for benchmarks */
	char *end_reason;
	gboolean sharing; /* the adviser's last `share` said "on" */
	/* the call's media connection (PROTOCOL.md "Reconnecting a call's
	 * media"): its number, whether anything arrives over it */
	guint media_gen;
	guint media_watch_id;  /* checks the adviser's media while in a call */
	guint64 media_rx;      /* frames and buffers received, as last seen */
	gint64 media_rx_us;    /* when they last moved */
	gboolean reconnecting; /* nothing arrived for MEDIA_QUIET_MS */
	/* the camera and microphone as the engine last said (media-device.h) */
	RelaisMediaDeviceState device_state[RELAIS_MEDIA_N_DEVICES];
	gint64 probe_sent_us;	 /* the last ping sent to check the network */
	gint64 media_restart_us; /* the last new connection offered */
	guint media_restarts;	 /* new connections made in this call */
	/* figures of the last call, kept (no personal data) for status/benchmarks */
	JsonObject *last_call;
};

static void pending_ice_free(PendingIce *p)
{
	g_free(p->candidate);
	g_free(p);
}

/* --- state machine --------------------------------------------------------- */

static void report_status(Booth *booth);
static gboolean session_running(Booth *booth);
static void media_set_reconnecting(Booth *booth, gboolean on, const char *why);
static void send_device(Booth *booth, RelaisMediaDevice which);
static void media_watch_start(Booth *booth);
static void media_restart(Booth *booth, const char *why);
static void apply_controls(Booth *booth);
static gboolean on_cert_pending(gpointer data);
static void probe_stop(Booth *booth);
static void probe_schedule(Booth *booth);
static JsonObject *guest_stats_json(Booth *booth);

static void send_end(Booth *booth, const char *reason)
{
	JsonObject *end = relais_msg_new(RELAIS_MSG_END);
	json_object_set_string_member(end, "call", booth->call);
	json_object_set_string_member(end, "reason", reason);
	booth_link_send(booth->link, end);
}

static gboolean fire(Booth *booth, RelaisSessionEvent ev)
{
	RelaisSessionState next;
	g_autoptr(GError) error = NULL;
	if (!relais_session_transition(booth->state, ev, &next, &error)) {
		g_debug("%s", error->message);
		return FALSE;
	}
	if (next != booth->state)
		g_message("session: %s -> %s (%s)", relais_session_state_name(booth->state),
			  relais_session_state_name(next), relais_session_event_name(ev));
	RelaisSessionState from = booth->state;
	booth->state = next;
	if (next == RELAIS_SESSION_IDLE && booth->probe_again)
		probe_schedule(booth);
	if (next == RELAIS_SESSION_IDLE && next != from && booth->updater)
		booth_updater_idle(booth->updater);
	/* not from inside the link's own handlers: from the main loop */
	if (booth->cert_pending && !session_running(booth) && booth->cert_idle_id == 0)
		booth->cert_idle_id = g_idle_add(on_cert_pending, booth);
	if (booth->observer.session && next != from) {
		const char *detail = next == RELAIS_SESSION_ENDED	   ? booth->end_reason
				     : next == RELAIS_SESSION_OUT_OF_ORDER ? booth->fault
									   : NULL;
		booth->observer.session(booth, from, next, detail, booth->observer_data);
	}
	return TRUE;
}

static JsonObject *stats_json(RelaisMedia *media, Booth *booth)
{
	JsonObject *o = json_object_new();
	RelaisMediaStats st = {0};
	if (media)
		relais_media_get_stats(media, &st);
	json_object_set_int_member(o, "video_frames_sent", (gint64)st.video_frames_sent);
	json_object_set_int_member(o, "audio_buffers_sent", (gint64)st.audio_buffers_sent);
	json_object_set_int_member(o, "video_frames_received", (gint64)st.video_frames_received);
	json_object_set_int_member(o, "audio_buffers_received", (gint64)st.audio_buffers_received);
	json_object_set_int_member(o, "video_width", st.video_width);
	if (media) {
		/* what the visitor set on the screen, as the engine applies it */
		json_object_set_boolean_member(o, "muted", relais_media_get_muted(media));
		json_object_set_boolean_member(o, "camera_off", relais_media_get_camera_off(media));
		json_object_set_int_member(o, "volume", relais_media_get_volume(media));
	}
	json_object_set_int_member(o, "video_height", st.video_height);
	/* the adviser's shared screen (m-line RELAIS_MEDIA_SCREEN_MLINE) */
	json_object_set_int_member(o, "screen_frames_received", (gint64)st.screen_frames_received);
	json_object_set_int_member(o, "screen_width", st.screen_width);
	json_object_set_int_member(o, "screen_height", st.screen_height);
	/* accept -> first decoded frame at the booth: the figure the brief sets
	 * at <= 150 ms on loopback */
	if (booth->call_us && st.first_video_received_us) {
		json_object_set_double_member(o, "call_to_first_video_ms",
					      (st.first_video_received_us - booth->call_us) / 1000.0);
		/* the same moment on the wall clock: a benchmark running the
		 * adviser's browser on this machine takes accept -> first frame
		 * from the click itself (the page sees `call` after the booth) */
		json_object_set_double_member(o, "first_video_unix_ms",
					      (booth->call_wall_us + st.first_video_received_us - booth->call_us) /
						      1000.0);
	}
	/* the set-up's steps at the booth, from the call: where its first
	 * frame waits (tests/bench/README.md, "Set-up, step by step") */
	if (booth->call_us) {
		const struct {
			const char *name;
			gint64 at;
		} steps[] = {
			{"call_to_answer_ms", st.answer_set_us},
			{"call_to_dtls_ms", st.connected_us},
			{"call_to_first_rtp_ms", st.first_video_rtp_us},
		};
		for (guint i = 0; i < G_N_ELEMENTS(steps); i++)
			if (steps[i].at)
				json_object_set_double_member(o, steps[i].name,
							      (steps[i].at - booth->call_us) / 1000.0);
	}
	if (booth->call_us && st.first_audio_received_us)
		json_object_set_double_member(o, "call_to_first_audio_ms",
					      (st.first_audio_received_us - booth->call_us) / 1000.0);
	/* what the booth sends now: the encoder's size and frame rate, and the
	 * rate measured over about the last second */
	json_object_set_int_member(o, "video_sent_width", st.video_sent_width);
	json_object_set_int_member(o, "video_sent_height", st.video_sent_height);
	json_object_set_double_member(o, "video_sent_fps", st.video_sent_fps);
	json_object_set_int_member(o, "video_sent_kbps", st.video_sent_kbps);
	json_object_set_int_member(o, "receive_latency_ms", st.receive_latency_ms);
	json_object_set_int_member(o, "video_target_kbps", media ? relais_media_get_video_kbps(media) : 0);
	/* the sending rate controller (firmware/lib/RATE.md) */
	if (media != NULL) {
		RelaisMediaRate rate;
		relais_media_get_rate(media, &rate);
		json_object_set_string_member(o, "rate_state", rate.state);
		json_object_set_string_member(o, "rate_picture", rate.picture);
		json_object_set_int_member(o, "rate_estimate_kbps", rate.estimate_kbps);
		if (rate.on)
			json_object_set_string_member(o, "rate_reason", rate.reason);
	}
	/* the guest's connection (media-guest.h): frames from it, RTP to it */
	json_object_set_object_member(o, "guest_media", guest_stats_json(booth));
	/* the call's media connection (PROTOCOL.md "Reconnecting a call's media") */
	json_object_set_int_member(o, "media_connection", booth->media_gen);
	json_object_set_int_member(o, "media_restarts", booth->media_restarts);
	json_object_set_boolean_member(o, "reconnecting", booth->reconnecting);
	if (booth->call_us && booth->media_up_us)
		json_object_set_double_member(o, "call_to_connected_ms",
					      (booth->media_up_us - booth->call_us) / 1000.0);
	/* glass-to-glass latency of the received video (RELAIS_MEDIA_STAMP=1
	 * only); the recent samples let a benchmark take exactly its window */
	if (st.stamp.samples > 0 || st.stamp.unreadable > 0) {
		json_object_set_int_member(o, "stamp_samples", (gint64)st.stamp.samples);
		json_object_set_int_member(o, "stamp_unreadable", (gint64)st.stamp.unreadable);
		json_object_set_double_member(o, "stamp_p50_ms", st.stamp.p50_ms);
		json_object_set_double_member(o, "stamp_p90_ms", st.stamp.p90_ms);
		json_object_set_double_member(o, "stamp_max_ms", st.stamp.max_ms);
		JsonArray *recent = json_array_sized_new(st.stamp.n_recent);
		for (guint i = 0; i < st.stamp.n_recent; i++)
			json_array_add_double_element(recent, st.stamp.recent_ms[i]);
		json_object_set_array_member(o, "stamp_recent_ms", recent);
	}
	/* the booth's own part of booth -> adviser: capture to encoded */
	if (st.stamp_sent.samples > 0) {
		json_object_set_int_member(o, "stamp_sent_samples", (gint64)st.stamp_sent.samples);
		json_object_set_double_member(o, "stamp_sent_p50_ms", st.stamp_sent.p50_ms);
		json_object_set_double_member(o, "stamp_sent_p90_ms", st.stamp_sent.p90_ms);
		json_object_set_double_member(o, "stamp_sent_max_ms", st.stamp_sent.max_ms);
	}
	return o;
}

/* --- documents shown in the call (calldoc.h) ---------------------------------- */

static void on_document_changed(gpointer data)
{
	Booth *booth = data;
	if (booth->observer.document)
		booth->observer.document(booth, booth->observer_data);
}

const BoothDocument *booth_get_document(Booth *booth)
{
	return booth_call_doc_get(booth->doc);
}

gboolean booth_document_turn(Booth *booth, guint page, GError **error)
{
	return booth_call_doc_turn(booth->doc, page, error);
}

gboolean booth_document_close(Booth *booth, GError **error)
{
	return booth_call_doc_close(booth->doc, error);
}

void booth_document_failed(Booth *booth, const char *why)
{
	booth_call_doc_failed(booth->doc, why);
}

static void wipe_string(char **s)
{
	if (*s) {
		memset(*s, 0, strlen(*s));
		g_clear_pointer(s, g_free);
	}
}

/* --- the guest's media connection (THREEWAY.md "Booth media") ------------ */

static void guest_media_drop(Booth *booth, const char *why, gboolean notify)
{
	if (booth->guest_media == NULL)
		return;
	g_message("guest: media connection closed (%s)", why);
	g_clear_pointer(&booth->guest_media, relais_media_guest_free);
	if (booth->guest_offer) {
		memset(booth->guest_offer, 0, strlen(booth->guest_offer));
		g_clear_pointer(&booth->guest_offer, g_free);
	}
	g_ptr_array_set_size(booth->guest_ice, 0);
	booth->guest_offer_sent = FALSE;
	if (notify && booth->observer.guest)
		booth->observer.guest(booth, booth->observer_data);
}

static void guest_media_close(Booth *booth, const char *why)
{
	guest_media_drop(booth, why, TRUE);
}

static void guest_send_ice(Booth *booth, guint mline, const char *candidate)
{
	JsonObject *o = relais_msg_new(RELAIS_MSG_ICE);
	json_object_set_string_member(o, "call", booth->call);
	json_object_set_string_member(o, "candidate", candidate);
	json_object_set_int_member(o, "mline", mline);
	json_object_set_string_member(o, "peer", "guest");
	booth_link_send(booth->link, o);
}

/* The offer goes once the guest may hear it: the switchboard answers
 * `state` to media for a guest not let in yet. */
static void guest_send_offer(Booth *booth)
{
	if (booth->guest_offer_sent || booth->guest_offer == NULL || booth->call == NULL ||
	    (g_strcmp0(booth->guest_state, "joining") != 0 && g_strcmp0(booth->guest_state, "joined") != 0))
		return;
	booth->guest_offer_sent = TRUE;
	JsonObject *o = relais_msg_new(RELAIS_MSG_SDP);
	json_object_set_string_member(o, "call", booth->call);
	json_object_set_string_member(o, "sdp_type", "offer");
	json_object_set_string_member(o, "sdp", booth->guest_offer);
	json_object_set_string_member(o, "peer", "guest");
	booth_link_send(booth->link, o);
	for (guint i = 0; i < booth->guest_ice->len; i++) {
		PendingIce *p = g_ptr_array_index(booth->guest_ice, i);
		guest_send_ice(booth, p->mline, p->candidate);
	}
	g_ptr_array_set_size(booth->guest_ice, 0);
	g_message("guest: offer sent");
}

static void on_guest_sdp(RelaisMedia *media, const char *type, const char *sdp, gpointer data)
{
	Booth *booth = data;
	if (booth->guest_media == NULL || g_strcmp0(type, "offer") != 0)
		return;
	g_free(booth->guest_offer);
	booth->guest_offer = g_strdup(sdp);
	guest_send_offer(booth);
}

static void on_guest_ice(RelaisMedia *media, guint mline, const char *candidate, gpointer data)
{
	Booth *booth = data;
	if (booth->guest_media == NULL)
		return;
	if (booth->guest_offer_sent) {
		guest_send_ice(booth, mline, candidate);
	} else {
		PendingIce *p = g_new0(PendingIce, 1);
		p->mline = mline;
		p->candidate = g_strdup(candidate);
		g_ptr_array_add(booth->guest_ice, p);
	}
}

static void on_guest_state(RelaisMedia *media, RelaisMediaState state, gpointer data)
{
	Booth *booth = data;
	g_message("guest: media %s", state == RELAIS_MEDIA_STATE_CONNECTED    ? "connected"
				     : state == RELAIS_MEDIA_STATE_CONNECTING ? "connecting"
				     : state == RELAIS_MEDIA_STATE_FAILED     ? "failed"
									      : "preparing");
	if (booth->observer.guest)
		booth->observer.guest(booth, booth->observer_data);
}

/* The guest's connection failed: it is closed, the call goes on (a new
 * invitation brings the guest back). */
static void on_guest_error(RelaisMedia *media, const GError *error, gpointer data)
{
	Booth *booth = data;
	g_warning("guest: media error: %s", error->message);
	guest_media_close(booth, "its connection failed");
}

static const RelaisMediaCallbacks guest_callbacks = {
	.on_sdp = on_guest_sdp,
	.on_ice = on_guest_ice,
	.on_state = on_guest_state,
	.on_error = on_guest_error,
};

/* Built while the visitor is asked, so that "Let them in" costs only the
 * network. A failure here loses the guest's media, never the call. */
static void guest_media_open(Booth *booth)
{
	guest_media_close(booth, "a new guest");
	if (booth->media == NULL)
		return;
	g_autoptr(GError) error = NULL;
	booth->guest_media = relais_media_guest_new(booth->media, &guest_callbacks, booth, &error);
	if (booth->guest_media == NULL)
		g_warning("guest: no media connection: %s", error->message);
}

static JsonObject *guest_stats_json(Booth *booth)
{
	JsonObject *o = json_object_new();
	if (booth->guest_media == NULL) {
		json_object_set_string_member(o, "state", "none");
		return o;
	}
	RelaisMediaGuestStats st;
	relais_media_guest_get_stats(booth->guest_media, &st);
	json_object_set_string_member(o, "state", st.state);
	json_object_set_boolean_member(o, "offer_sent", booth->guest_offer_sent);
	json_object_set_int_member(o, "video_frames_received", (gint64)st.video_frames_received);
	json_object_set_int_member(o, "audio_buffers_received", (gint64)st.audio_buffers_received);
	json_object_set_int_member(o, "video_width", st.video_width);
	json_object_set_int_member(o, "video_height", st.video_height);
	json_object_set_int_member(o, "rtp_packets_sent", (gint64)st.rtp_packets_sent);
	json_object_set_int_member(o, "rtp_bytes_sent", (gint64)st.rtp_bytes_sent);
	json_object_set_int_member(o, "rate_kbps", st.rate_kbps);
	json_object_set_int_member(o, "reports_received", (gint64)st.reports_received);
	return o;
}

/* The guest's name and role are the visitor's session data. */
static void guest_wipe(Booth *booth, const char *why)
{
	guest_media_drop(booth, why, FALSE);
	/* an ask still shown ends with the call, with no answer: the
	 * switchboard ends the guest with the call (the screen learns of it
	 * from the session's end, as of everything else wiped here) */
	relais_consent_cancel(booth->consent);
	g_clear_handle_id(&booth->consent_id, g_source_remove);
	wipe_string(&booth->guest_id);
	wipe_string(&booth->guest_name);
	wipe_string(&booth->guest_role);
	wipe_string(&booth->guest_state);
}

/* Erase everything about the visitor: answers, chat, ids, media. */
static void booth_wipe(Booth *booth)
{
	/* the guest's branch lives in the engine's pipeline: out first */
	if (booth->media && booth->call_us) {
		if (booth->last_call)
			json_object_unref(booth->last_call);
		booth->last_call = stats_json(booth->media, booth);
	}
	guest_media_drop(booth, "the session ends", FALSE);
	if (booth->media) {
		g_clear_pointer(&booth->media, relais_media_free);
#ifdef __GLIBC__
		/* What the call's streaming threads freed stays resident unless
		 * handed back (measured: RSS +17 MB per call, 102 MB after five
		 * calls instead of 57; see also M_ARENA_MAX in booth_new()). */
		malloc_trim(0);
#endif
	}
	g_clear_pointer(&booth->topic, g_free);
	g_clear_pointer(&booth->language, g_free);
	g_clear_pointer(&booth->answers, json_object_unref);
	g_clear_pointer(&booth->booking, g_free);
	g_clear_pointer(&booth->ticket, g_free);
	g_clear_pointer(&booth->call, g_free);
	g_clear_pointer(&booth->peer, g_free);
	booth_link_set_resume(booth->link, NULL);
	g_clear_handle_id(&booth->resume_id, g_source_remove);
	if (booth->offer) {
		memset(booth->offer, 0, strlen(booth->offer));
		g_clear_pointer(&booth->offer, g_free);
	}
	g_ptr_array_set_size(booth->pending_ice, 0);
	g_ptr_array_set_size(booth->chat, 0);
	guest_wipe(booth, "the session ends");
	booth_call_doc_drop(booth->doc, FALSE);
	g_clear_pointer(&booth->end_reason, g_free);
	booth->sharing = FALSE;
	g_clear_handle_id(&booth->media_watch_id, g_source_remove);
	booth->media_gen = booth->media_restarts = 0;
	booth->media_rx = 0;
	booth->media_rx_us = booth->probe_sent_us = booth->media_restart_us = 0;
	booth->reconnecting = FALSE;
	for (guint i = 0; i < RELAIS_MEDIA_N_DEVICES; i++)
		booth->device_state[i] = RELAIS_MEDIA_DEVICE_OK;
	/* the next visitor's controls are their own */
	booth->muted = booth->camera_off = FALSE;
	booth->volume = -1;
	booth->position = 0;
	booth->request_us = booth->call_us = booth->media_up_us = 0;
	booth->call_wall_us = 0;
}

static void finish_session(Booth *booth, const char *reason)
{
	g_free(booth->end_reason);
	booth->end_reason = g_strdup(reason);
	if (!fire(booth, RELAIS_SESSION_EV_END))
		return;
	/* the visitor may still rate this call once the session is wiped */
	g_free(booth->feedback_call);
	booth->feedback_call = g_strdup(booth->call);
	g_message("session ended (%s)", reason ? reason : "");
	booth_wipe(booth);
	if (fire(booth, RELAIS_SESSION_EV_WIPED))
		report_status(booth);
}

static gboolean self_test(Booth *booth, GError **error)
{
	if (booth->setup_fault) {
		g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED, booth->setup_fault);
		return FALSE;
	}
	if (booth->hold || booth->link_hold) {
		g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
				    booth->hold ? booth->hold : booth->link_hold);
		return FALSE;
	}
	g_clear_pointer(&booth->conf, relais_media_conf_free);
	g_autoptr(RelaisMediaConf) conf = relais_media_conf_load_board(booth->pipelines_dir, booth->board, error);
	if (conf == NULL || !relais_media_conf_check(conf, error))
		return FALSE;
	if (CONFIG_RELAIS_BOOTH_VIDEO_BITRATE > 0)
		relais_media_conf_set_bitrate(conf, CONFIG_RELAIS_BOOTH_VIDEO_BITRATE);
	booth->conf = g_steal_pointer(&conf);
	return TRUE;
}

/* A self-test that failed for want of a usable board (its pipelines, a
 * GStreamer element) fails the device check too; a hold (enrolment, not
 * set up) leaves it unknown: the devices were not tried. */
static void selftest_failed(Booth *booth, const GError *error)
{
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED))
		return;
	booth->camera_check = booth->mic_check = BOOTH_CHECK_FAILED;
	g_free(booth->camera_detail);
	booth->camera_detail = g_strdup(error->message);
	g_free(booth->mic_detail);
	booth->mic_detail = g_strdup(error->message);
}

/* Out of order is not forever: a technician may install the missing
 * package or plug the camera back in; the booth notices by itself. */
static gboolean on_selftest_retry(gpointer data)
{
	Booth *booth = data;
	g_autoptr(GError) error = NULL;
	if (booth->state != RELAIS_SESSION_OUT_OF_ORDER) {
		booth->selftest_id = 0;
		return G_SOURCE_REMOVE;
	}
	if (!self_test(booth, &error)) {
		selftest_failed(booth, error);
		if (g_strcmp0(error->message, booth->fault) != 0) {
			g_free(booth->fault);
			booth->fault = g_strdup(error->message);
			/* another reason: the screen says the new one */
			if (booth->observer.session)
				booth->observer.session(booth, booth->state, booth->state, booth->fault,
							booth->observer_data);
			report_status(booth);
		}
		return G_SOURCE_CONTINUE;
	}
	booth->selftest_id = 0;
	g_clear_pointer(&booth->fault, g_free);
	relais_media_warm_up();
	if (fire(booth, RELAIS_SESSION_EV_REPAIRED)) {
		g_message("self-test passes again: back in service");
		report_status(booth);
	}
	/* the devices may have changed while it was out of order */
	booth->probe_again = TRUE;
	probe_schedule(booth);
	return G_SOURCE_REMOVE;
}

static void go_out_of_order(Booth *booth, const char *reason)
{
	g_warning("out of order: %s", reason);
	booth_preview_stop(booth);
	probe_stop(booth);
	if (booth->call) {
		send_end(booth, "booth-fault");
	}
	booth_wipe(booth);
	g_free(booth->fault);
	booth->fault = g_strdup(reason);
	if (fire(booth, RELAIS_SESSION_EV_FAULT))
		report_status(booth);
	if (booth->selftest_id == 0)
		booth->selftest_id =
			g_timeout_add_seconds(CONFIG_RELAIS_BOOTH_SELFTEST_INTERVAL_S, on_selftest_retry, booth);
}

/* A hold was set or lifted: out of order with its reason now, or the
 * self-test again at once (back in service if nothing else is wrong). */
static void apply_holds(Booth *booth)
{
	const char *why = booth->hold ? booth->hold : booth->link_hold;
	if (why && booth->state != RELAIS_SESSION_OUT_OF_ORDER) {
		go_out_of_order(booth, why);
		return;
	}
	if (booth->state != RELAIS_SESSION_OUT_OF_ORDER)
		return;
	g_clear_handle_id(&booth->selftest_id, g_source_remove);
	if (on_selftest_retry(booth) == G_SOURCE_CONTINUE)
		booth->selftest_id =
			g_timeout_add_seconds(CONFIG_RELAIS_BOOTH_SELFTEST_INTERVAL_S, on_selftest_retry, booth);
}

void booth_set_hold(Booth *booth, const char *reason)
{
	if (g_strcmp0(reason, booth->hold) == 0)
		return;
	g_free(booth->hold);
	booth->hold = g_strdup(reason);
	apply_holds(booth);
}

static gboolean session_running(Booth *booth)
{
	return booth->state != RELAIS_SESSION_IDLE && booth->state != RELAIS_SESSION_OUT_OF_ORDER;
}

static gboolean on_cert_pending(gpointer data)
{
	Booth *booth = data;
	booth->cert_idle_id = 0;
	if (booth->cert_pending && !session_running(booth)) {
		booth->cert_pending = FALSE;
		booth_link_set_client_certificate(booth->link, booth->client_cert);
	}
	return G_SOURCE_REMOVE;
}

void booth_set_client_certificate(Booth *booth, GTlsCertificate *cert)
{
	g_set_object(&booth->client_cert, cert);
	g_clear_pointer(&booth->hold, g_free);
	g_clear_pointer(&booth->link_hold, g_free);
	apply_holds(booth);
	if (session_running(booth) && booth_link_get_state(booth->link) == BOOTH_LINK_UP) {
		/* a renewal: the current certificate lasts a third of its
		 * lifetime yet, and a call needs no signaling blip */
		g_message("the new certificate is presented once the session is over");
		booth->cert_pending = TRUE;
		return;
	}
	booth->cert_pending = FALSE;
	booth_link_set_client_certificate(booth->link, cert);
}

static void report_status(Booth *booth)
{
	if (booth->state != RELAIS_SESSION_IDLE && booth->state != RELAIS_SESSION_OUT_OF_ORDER)
		return;
	JsonObject *o = relais_msg_new(RELAIS_MSG_STATUS);
	gboolean ooo = booth->state == RELAIS_SESSION_OUT_OF_ORDER;
	json_object_set_string_member(o, "state", ooo ? "out_of_order" : "idle");
	if (ooo && booth->fault) {
		/* keep within the protocol's text cap */
		g_autofree char *r = g_utf8_make_valid(booth->fault, MIN(strlen(booth->fault), 1000));
		json_object_set_string_member(o, "reason", r);
	}
	booth_link_send(booth->link, o);
}

/* --- media engine callbacks ---------------------------------------------------- */

static void send_ice(Booth *booth, guint mline, const char *candidate)
{
	JsonObject *o = relais_msg_new(RELAIS_MSG_ICE);
	json_object_set_string_member(o, "call", booth->call);
	json_object_set_string_member(o, "candidate", candidate);
	json_object_set_int_member(o, "mline", mline);
	if (booth->media_gen > 0)
		json_object_set_int_member(o, "media", booth->media_gen);
	booth_link_send(booth->link, o);
}

static void send_offer(Booth *booth)
{
	/* Gathering ends within milliseconds and the visitor waits for seconds:
	 * the description as it is now carries the candidates. The browser
	 * then has them when it applies the offer and checks as soon as it has
	 * answered; sent one by one, each waits for the answer to be done and
	 * then for its own addIceCandidate() (measured: the browser's first
	 * check ~25 ms later). */
	g_autofree char *full = relais_media_dup_local_sdp(booth->media);
	if (full != NULL && strstr(full, "a=candidate:") == NULL)
		g_clear_pointer(&full, g_free);
	JsonObject *o = relais_msg_new(RELAIS_MSG_SDP);
	json_object_set_string_member(o, "call", booth->call);
	json_object_set_string_member(o, "sdp_type", "offer");
	json_object_set_string_member(o, "sdp", full ? full : booth->offer);
	if (booth->media_gen > 0)
		json_object_set_int_member(o, "media", booth->media_gen);
	booth_link_send(booth->link, o);
	for (guint i = 0; i < booth->pending_ice->len; i++) {
		PendingIce *p = g_ptr_array_index(booth->pending_ice, i);
		/* end-of-candidates markers still go, as does anything the
		 * description does not have yet */
		if (full != NULL && *p->candidate != '\0' && strstr(full, p->candidate) != NULL)
			continue;
		send_ice(booth, p->mline, p->candidate);
	}
	g_ptr_array_set_size(booth->pending_ice, 0);
}

static void on_media_sdp(RelaisMedia *media, const char *type, const char *sdp, gpointer data)
{
	Booth *booth = data;
	if (media != booth->media || g_strcmp0(type, "offer") != 0)
		return;
	g_free(booth->offer);
	booth->offer = g_strdup(sdp);
	g_debug("offer ready %.1f ms after the request", (g_get_monotonic_time() - booth->request_us) / 1000.0);
	if (booth->call)
		send_offer(booth);
}

static void on_media_ice(RelaisMedia *media, guint mline, const char *candidate, gpointer data)
{
	Booth *booth = data;
	if (media != booth->media)
		return;
	if (booth->call && booth->offer) {
		send_ice(booth, mline, candidate);
	} else {
		PendingIce *p = g_new0(PendingIce, 1);
		p->mline = mline;
		p->candidate = g_strdup(candidate);
		g_ptr_array_add(booth->pending_ice, p);
	}
}

static void on_media_state(RelaisMedia *media, RelaisMediaState state, gpointer data)
{
	Booth *booth = data;
	if (media != booth->media)
		return;
	if (state == RELAIS_MEDIA_STATE_CONNECTED && booth->state == RELAIS_SESSION_CONNECTING) {
		booth->media_up_us = g_get_monotonic_time();
		(void)fire(booth, RELAIS_SESSION_EV_MEDIA_UP);
		media_watch_start(booth);
	} else if (state == RELAIS_MEDIA_STATE_FAILED && booth->call && booth->state == RELAIS_SESSION_IN_CALL) {
		/* a connection of a running call: another one is made (the
		 * media watch, once the network is known to work) */
		g_message("call %s: media connection %u failed", booth->call, booth->media_gen);
		media_set_reconnecting(booth, TRUE, "its connection failed");
	} else if (state == RELAIS_MEDIA_STATE_FAILED && booth->call) {
		send_end(booth, "media-failed");
		finish_session(booth, "media failed");
	}
}

static void on_media_error(RelaisMedia *media, const GError *error, gpointer data)
{
	Booth *booth = data;
	if (media != booth->media)
		return;
	g_warning("media error: %s", error->message);
	if (booth->call) {
		send_end(booth, "media-error");
	} else if (booth->ticket) {
		JsonObject *cancel = relais_msg_new(RELAIS_MSG_CANCEL);
		json_object_set_string_member(cancel, "ticket", booth->ticket);
		booth_link_send(booth->link, cancel);
	}
	/* a camera that vanished mid-session is a fault of the booth, not of
	 * the call: the next visitor must not find it "idle" */
	g_autofree char *reason = g_strdup_printf("media: %s", error->message);
	go_out_of_order(booth, reason);
}

static void send_device(Booth *booth, RelaisMediaDevice which)
{
	JsonObject *o = relais_msg_new(RELAIS_MSG_DEVICE);
	json_object_set_string_member(o, "call", booth->call);
	json_object_set_string_member(o, "device", relais_media_device_name(which));
	json_object_set_string_member(o, "state", relais_media_device_state_name(booth->device_state[which]));
	booth_link_send(booth->link, o);
}

/* A camera or microphone lost or back: the call goes on with the other
 * medium (the engine feeds a placeholder), the visitor's screen says so
 * (booth_get_device_state) and the adviser is told (`device`). */
static void on_media_device(RelaisMedia *media, RelaisMediaDevice which, RelaisMediaDeviceState state,
			    const char *detail, gpointer data)
{
	Booth *booth = data;
	if (media != booth->media || (guint)which >= RELAIS_MEDIA_N_DEVICES)
		return;
	RelaisMediaDeviceState was = booth->device_state[which];
	booth->device_state[which] = state;
	g_message("%s %s%s%s", relais_media_device_name(which), relais_media_device_state_name(state),
		  detail ? ": " : "", detail ? detail : "");
	/* the adviser hears of it from the call on (a loss while the visitor
	 * waits is told with the call, handle_call) */
	if (booth->call && was != state)
		send_device(booth, which);
}

static const RelaisMediaCallbacks media_callbacks = {
	.on_sdp = on_media_sdp,
	.on_ice = on_media_ice,
	.on_state = on_media_state,
	.on_error = on_media_error,
	.on_device = on_media_device,
};

/* --- the call's media connection (PROTOCOL.md "Reconnecting a call's media") --- */

#define MEDIA_WATCH_MS 250
#define MEDIA_PROBE_MS 500

static void media_set_reconnecting(Booth *booth, gboolean on, const char *why)
{
	if (booth->reconnecting == on)
		return;
	booth->reconnecting = on;
	gint64 now = g_get_monotonic_time();
	if (on)
		g_message("call %s: reconnecting: %s", booth->call, why);
	else
		g_message("call %s: media back on connection %u after %.1f s", booth->call, booth->media_gen,
			  (now - booth->media_rx_us) / 1e6);
}

/* The engine's settings for a call's media: the ICE servers and addresses
 * it may use, the screen's frame functions and controls. FALSE: the
 * engine did not start (error set). */
static gboolean media_start(Booth *booth, GError **error)
{
	relais_media_set_relay_only(booth->media, booth->relay_only);
	/* a new engine's devices start afresh (the next call tries again); a
	 * new media connection within a call tells the adviser, who would
	 * otherwise keep seeing a device lost on the old one (a device still
	 * gone is lost again at the new engine's first frame) */
	for (guint i = 0; i < RELAIS_MEDIA_N_DEVICES; i++) {
		if (booth->device_state[i] != RELAIS_MEDIA_DEVICE_OK) {
			booth->device_state[i] = RELAIS_MEDIA_DEVICE_OK;
			if (booth->call)
				send_device(booth, (RelaisMediaDevice)i);
		}
		relais_media_set_device_fault(booth->media, (RelaisMediaDevice)i, booth->sim_lost[i]);
	}
	for (guint i = 0; i < G_N_ELEMENTS(booth->frame_funcs); i++)
		if (booth->frame_funcs[i].func)
			relais_media_set_frame_func(booth->media, (RelaisMediaVideo)i, booth->frame_funcs[i].func,
						    booth->frame_funcs[i].data);
	apply_controls(booth);
	return relais_media_set_local_addresses(booth->media, (const char *const *)booth->ice_addresses, error) &&
	       relais_media_start(booth->media, (const char *const *)booth->ice_servers, error);
}

/* The connection is dead: a new one, offered as the first was (its offer
 * goes from on_media_sdp, numbered). */
static void media_restart(Booth *booth, const char *why)
{
	if (booth->media_gen >= RELAIS_PROTO_MAX_MEDIA) {
		send_end(booth, "media-lost");
		finish_session(booth, "media lost");
		return;
	}
	g_message("call %s: media connection %u is done (%s): offering connection %u", booth->call, booth->media_gen,
		  why, booth->media_gen + 1);
	/* the guest's connection is a branch of this engine: it goes with it
	 * (not made again on the new one yet: THREEWAY.md) */
	guest_media_close(booth, "the call's media is made again");
	g_clear_pointer(&booth->media, relais_media_free);
	if (booth->offer) {
		memset(booth->offer, 0, strlen(booth->offer));
		g_clear_pointer(&booth->offer, g_free);
	}
	g_ptr_array_set_size(booth->pending_ice, 0);
	booth->media_gen++;
	booth->media_restarts++;
	booth->media_restart_us = g_get_monotonic_time();
	booth->media_rx = 0; /* the new engine counts from zero */
	g_autoptr(GError) error = NULL;
	booth->media = relais_media_new(booth->conf, RELAIS_MEDIA_OFFERER, &media_callbacks, booth, &error);
	if (booth->media == NULL || !media_start(booth, &error)) {
		g_warning("call %s: no new media connection: %s", booth->call, error->message);
		send_end(booth, "media-error");
		g_autofree char *reason = g_strdup_printf("media: %s", error->message);
		finish_session(booth, "media failed");
		go_out_of_order(booth, reason);
	}
}

/* Every MEDIA_WATCH_MS in a call: does anything arrive from the adviser?
 * Silent MEDIA_QUIET_MS: "reconnecting", and the network checked with a
 * ping every MEDIA_PROBE_MS. The switchboard answers (the network is back)
 * and MEDIA_RESTART_MS later still nothing: the old path is dead, a new
 * connection. Silent past the resume grace: the call ends. */
static gboolean on_media_watch(gpointer data)
{
	Booth *booth = data;
	if (booth->state != RELAIS_SESSION_IN_CALL || booth->media == NULL) {
		booth->media_watch_id = 0;
		return G_SOURCE_REMOVE;
	}
	gint64 now = g_get_monotonic_time();
	RelaisMediaStats st;
	relais_media_get_stats(booth->media, &st);
	guint64 rx = st.video_frames_received + st.audio_buffers_received + st.screen_frames_received;
	if (rx != booth->media_rx) {
		booth->media_rx = rx;
		media_set_reconnecting(booth, FALSE, NULL);
		booth->media_rx_us = now;
		return G_SOURCE_CONTINUE;
	}
	gint64 quiet = now - booth->media_rx_us;
	if (quiet < (gint64)CONFIG_RELAIS_BOOTH_MEDIA_QUIET_MS * 1000)
		return G_SOURCE_CONTINUE;
	media_set_reconnecting(booth, TRUE, "nothing from the adviser");
	if (quiet > (gint64)CONFIG_RELAIS_BOOTH_RESUME_GRACE_S * G_USEC_PER_SEC) {
		g_message("call %s: no media for %u s: ending it", booth->call, CONFIG_RELAIS_BOOTH_RESUME_GRACE_S);
		send_end(booth, "media-lost");
		finish_session(booth, "media lost");
		booth->media_watch_id = 0;
		return G_SOURCE_REMOVE;
	}
	if (booth_link_get_state(booth->link) != BOOTH_LINK_UP)
		return G_SOURCE_CONTINUE; /* on_link_up: the call is given back first */
	if (now - booth->probe_sent_us >= MEDIA_PROBE_MS * 1000) {
		booth_link_probe(booth->link);
		booth->probe_sent_us = now;
	}
	/* the network works since the switchboard's first word after the
	 * silence began (a ping's pong at the latest); the old path had
	 * MEDIA_RESTART_MS to come back by itself since then. A new
	 * connection that has carried nothing yet is judged from its offer:
	 * it had MEDIA_SETUP_MS to connect (its answer, ICE, DTLS) */
	gint64 heard = booth_link_get_last_rx_us(booth->link);
	gboolean fresh = booth->media_restart_us > booth->media_rx_us;
	gint64 since = fresh ? booth->media_restart_us
			     : booth->media_rx_us + (gint64)CONFIG_RELAIS_BOOTH_MEDIA_QUIET_MS * 1000;
	gint64 allowed =
		(gint64)(fresh ? CONFIG_RELAIS_BOOTH_MEDIA_SETUP_MS : CONFIG_RELAIS_BOOTH_MEDIA_RESTART_MS) * 1000;
	if (heard > since && now - since >= allowed && now - heard < 2 * MEDIA_PROBE_MS * 1000)
		media_restart(booth,
			      fresh ? "the new one brought nothing either" : "nothing since the network came back");
	return G_SOURCE_CONTINUE;
}

static void media_watch_start(Booth *booth)
{
	booth->media_rx_us = g_get_monotonic_time();
	if (booth->media_watch_id == 0)
		booth->media_watch_id = g_timeout_add(MEDIA_WATCH_MS, on_media_watch, booth);
}

/* --- switchboard messages ----------------------------------------------------- */

static void send_request(Booth *booth)
{
	JsonObject *o = relais_msg_new(RELAIS_MSG_REQUEST);
	json_object_set_string_member(o, "language", booth->language);
	json_object_set_string_member(o, "topic", booth->topic);
	JsonObject *answers = json_object_new();
	g_autoptr(GList) members = json_object_get_members(booth->answers);
	for (GList *l = members; l; l = l->next)
		json_object_set_string_member(answers, l->data, json_object_get_string_member(booth->answers, l->data));
	json_object_set_object_member(o, "answers", answers);
	if (booth->booking)
		json_object_set_string_member(o, "booking", booth->booking);
	booth_link_send(booth->link, o);
}

static void tell_booking(Booth *booth, const BoothBookingAnswer *answer)
{
	if (booth->observer.booking)
		booth->observer.booking(booth, answer, booth->observer_data);
}

/* The switchboard's answers about bookings, typed for the screen. */
static void handle_booking(Booth *booth, RelaisMsg *msg)
{
	g_autoptr(GArray) slots = g_array_new(FALSE, TRUE, sizeof(BoothSlot));
	BoothBookingAnswer a;
	if (booth_booking_answer_from_msg(msg, slots, &a))
		tell_booking(booth, &a);
}

/* STUN/TURN servers for the next session (TURN credentials expire: the
 * switchboard sends fresh ones in welcome and ice_servers messages). */
static void set_ice_servers(Booth *booth, RelaisMsg *msg)
{
	g_strfreev(booth->ice_servers);
	booth->ice_servers = NULL;
	JsonArray *a = relais_msg_get_array(msg, "ice_servers");
	if (a) {
		guint n = json_array_get_length(a);
		booth->ice_servers = g_new0(char *, n + 1);
		for (guint i = 0; i < n; i++)
			booth->ice_servers[i] = g_strdup(json_array_get_string_element(a, i));
	}
}

static void on_link_up(BoothLink *link, RelaisMsg *welcome, gpointer data)
{
	Booth *booth = data;
	/* back in time: the switchboard gives the call back, or ends it */
	g_clear_handle_id(&booth->resume_id, g_source_remove);
	if (booth->link_hold) {
		/* let in again: the certificate is good after all */
		g_clear_pointer(&booth->link_hold, g_free);
		apply_holds(booth);
	}
	if (booth->observer.link)
		booth->observer.link(booth, TRUE, booth->observer_data);
	set_ice_servers(booth, welcome);
	/* what became of the last update, after every welcome: the
	 * switchboard keeps one record of the same report */
	g_autoptr(GError) report_error = NULL;
	g_autoptr(JsonObject) report = booth_send_update_report(booth, NULL, &report_error);
	if (report == NULL &&
	    !g_error_matches(report_error, RELAIS_UPDATE_STATUS_ERROR, RELAIS_UPDATE_STATUS_ERROR_MISSING))
		g_warning("update status not reported: %s", report_error->message);
	if (booth->state == RELAIS_SESSION_QUEUED) {
		/* the switchboard forgot us with the old connection: ask again,
		 * the visitor is still there and the offer is still good */
		g_clear_pointer(&booth->ticket, g_free);
		send_request(booth);
		return;
	}
	report_status(booth);
}

JsonObject *booth_send_update_report(Booth *booth, gboolean *sent, GError **error)
{
	if (sent)
		*sent = FALSE;
	if (booth->update_status_path == NULL) {
		g_set_error_literal(error, RELAIS_UPDATE_STATUS_ERROR, RELAIS_UPDATE_STATUS_ERROR_MISSING,
				    "this booth has no update status file");
		return NULL;
	}
	g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(RelaisUpdateStatus) st = relais_update_status_load(booth->update_status_path, warnings, error);
	for (guint i = 0; i < warnings->len; i++)
		g_warning("%s: %s", booth->update_status_path, (const char *)g_ptr_array_index(warnings, i));
	if (st == NULL)
		return NULL;
	JsonObject *msg = relais_update_status_message(st);
	if (booth_link_get_state(booth->link) == BOOTH_LINK_UP) {
		g_message("reporting the last update: %s %s on slot %s at %s", relais_update_results[st->result],
			  st->version, st->slot, st->at);
		gboolean ok = booth_link_send(booth->link, json_object_ref(msg));
		if (sent)
			*sent = ok;
	}
	return msg;
}

static gboolean on_resume_timeout(gpointer data)
{
	Booth *booth = data;
	booth->resume_id = 0;
	finish_session(booth, "switchboard link lost");
	return G_SOURCE_REMOVE;
}

static void on_link_down(BoothLink *link, gpointer data)
{
	Booth *booth = data;
	/* the switchboard drops a gone booth's ticket itself */
	booth->unticketed_ends = 0;
	g_clear_pointer(&booth->cancelled_ticket, g_free);
	/* Media flows straight to the adviser: a call outlives a signaling
	 * blip. The switchboard holds it (RELAIS_SB_RESUME_GRACE_S) and the
	 * hello on reconnection names it; past our own grace the call is
	 * given up. A queued visitor keeps waiting: on_link_up asks again. */
	if ((booth->state == RELAIS_SESSION_CONNECTING || booth->state == RELAIS_SESSION_IN_CALL) &&
	    booth->resume_id == 0)
		booth->resume_id = g_timeout_add_seconds(CONFIG_RELAIS_BOOTH_RESUME_GRACE_S, on_resume_timeout, booth);
	if (booth->observer.link)
		booth->observer.link(booth, FALSE, booth->observer_data);
}

static void handle_call(Booth *booth, RelaisMsg *msg)
{
	if (booth->state != RELAIS_SESSION_QUEUED) {
		g_warning("ignoring 'call' in state %s", relais_session_state_name(booth->state));
		return;
	}
	booth->call_us = g_get_monotonic_time();
	booth->call_wall_us = g_get_real_time();
	booth->call = g_strdup(relais_msg_get_string(msg, "call"));
	booth->peer = g_strdup(relais_msg_get_string(msg, "peer"));
	booth_link_set_resume(booth->link, booth->call);
	(void)fire(booth, RELAIS_SESSION_EV_CALL);
	g_message("call %s with adviser '%s'", booth->call, booth->peer ? booth->peer : "");
	if (booth->offer)
		send_offer(booth);
	for (guint i = 0; i < RELAIS_MEDIA_N_DEVICES; i++)
		if (booth->device_state[i] != RELAIS_MEDIA_DEVICE_OK)
			send_device(booth, (RelaisMediaDevice)i);
}

/* The adviser's screen, on or off: only for this call, only while it is
 * connecting or running (the switchboard checks the call too). */
/* How long the visitor has to answer a guest: Kconfig, or
 * RELAIS_BOOTH_GUEST_ASK_MS for tests (a minute is too long to wait in
 * one). */
static guint guest_ask_ms(void)
{
	const char *env = g_getenv("RELAIS_BOOTH_GUEST_ASK_MS");
	if (env && *env) {
		guint64 ms = 0;
		if (g_ascii_string_to_unsigned(env, 10, 100, 600000, &ms, NULL))
			return (guint)ms;
		g_warning("RELAIS_BOOTH_GUEST_ASK_MS='%s' ignored (100..600000 ms)", env);
	}
	return CONFIG_RELAIS_BOOTH_GUEST_ASK_S * 1000u;
}

/* Sends the answer an ended ask owes the switchboard, if any. */
static void consent_send(Booth *booth)
{
	g_autofree char *call = NULL, *guest = NULL;
	RelaisConsentOutcome o = relais_consent_take(booth->consent, &call, &guest);
	if (o == RELAIS_CONSENT_NONE)
		return;
	/* no name or role in the log: session data */
	g_message("guest: the visitor's answer: %s", relais_consent_outcome_name(o));
	JsonObject *a = relais_msg_new(RELAIS_MSG_GUEST_ANSWER);
	json_object_set_string_member(a, "call", call);
	json_object_set_string_member(a, "guest", guest);
	json_object_set_boolean_member(a, "accept", o == RELAIS_CONSENT_ACCEPTED);
	booth_link_send(booth->link, a);
	if (o != RELAIS_CONSENT_ACCEPTED)
		guest_media_close(booth, "not let in");
	if (booth->observer.guest)
		booth->observer.guest(booth, booth->observer_data);
}

static gboolean on_consent_deadline(gpointer data)
{
	Booth *booth = data;
	booth->consent_id = 0;
	if (relais_consent_tick(booth->consent, g_get_monotonic_time()))
		consent_send(booth);
	else if (relais_consent_get_state(booth->consent) == RELAIS_CONSENT_ASKING) {
		/* woken a little early: wait for the rest */
		gint64 left = relais_consent_ms_left(booth->consent, g_get_monotonic_time());
		booth->consent_id = g_timeout_add((guint)MAX(left, 1), on_consent_deadline, booth);
	}
	return G_SOURCE_REMOVE;
}

static void handle_guest_ask(Booth *booth, RelaisMsg *msg)
{
	if (g_strcmp0(relais_msg_get_string(msg, "call"), booth->call) != 0 ||
	    (booth->state != RELAIS_SESSION_IN_CALL && booth->state != RELAIS_SESSION_CONNECTING)) {
		g_debug("a guest's ask for no call of ours: ignored");
		return;
	}
	gint64 now = g_get_monotonic_time();
	if (relais_consent_ask(booth->consent, booth->call, relais_msg_get_string(msg, "guest"),
			       relais_msg_get_string(msg, "name"), relais_msg_get_string(msg, "role"), now))
		g_message("guest: a newer ask replaces the one shown");
	else
		g_message("guest: a guest asks to join");
	guest_media_open(booth);
	g_clear_handle_id(&booth->consent_id, g_source_remove);
	booth->consent_id =
		g_timeout_add((guint)MAX(relais_consent_ms_left(booth->consent, now), 1), on_consent_deadline, booth);
	if (booth->observer.guest)
		booth->observer.guest(booth, booth->observer_data);
}

static void handle_guest_state(Booth *booth, RelaisMsg *msg)
{
	if (g_strcmp0(relais_msg_get_string(msg, "call"), booth->call) != 0)
		return;
	const char *guest = relais_msg_get_string(msg, "guest");
	const char *state = relais_msg_get_string(msg, "state");
	if (g_strcmp0(state, "asking") == 0)
		return; /* guest_ask says it to the booth */
	/* the ask is over on the switchboard (its own timeout, the guest
	 * left while asking): nothing to answer any more */
	if (g_strcmp0(relais_consent_get_guest(booth->consent), guest) == 0 && g_strcmp0(state, "joining") != 0) {
		relais_consent_cancel(booth->consent);
		g_clear_handle_id(&booth->consent_id, g_source_remove);
	}
	if (g_strcmp0(state, "joining") != 0 && g_strcmp0(state, "joined") != 0)
		guest_media_close(booth, state);
	/* the booth shows nothing for its own decline */
	if (g_strcmp0(state, "declined") == 0) {
		if (booth->observer.guest)
			booth->observer.guest(booth, booth->observer_data);
		return;
	}
	if (g_strcmp0(booth->guest_id, guest) != 0) {
		wipe_string(&booth->guest_id);
		booth->guest_id = g_strdup(guest);
	}
	const char *name = relais_msg_get_string(msg, "name");
	const char *role = relais_msg_get_string(msg, "role");
	if (name) {
		wipe_string(&booth->guest_name);
		booth->guest_name = g_strdup(name);
	}
	if (role) {
		wipe_string(&booth->guest_role);
		booth->guest_role = g_strdup(role);
	}
	wipe_string(&booth->guest_state);
	booth->guest_state = g_strdup(state);
	g_message("guest: %s", state);
	if (g_strcmp0(state, "joining") == 0) {
		/* made on the ask; again if the call's media was made anew since */
		if (booth->guest_media == NULL)
			guest_media_open(booth);
		guest_send_offer(booth);
	}
	if (booth->observer.guest)
		booth->observer.guest(booth, booth->observer_data);
}

/* call_owner: the warm transfer's hand-over (THREEWAY.md "The hand-over's
 * media"). The colleague was a guest; the call is theirs now. The guest's
 * connection goes at once and the call's main connection is made anew
 * toward the new owner, as a reconnection is (a higher `media` number):
 * the old one led to the adviser who has left. The visitor's screen stays
 * in the call: the session's state does not change. */
static void handle_call_owner(Booth *booth, RelaisMsg *msg)
{
	if (g_strcmp0(relais_msg_get_string(msg, "call"), booth->call) != 0 ||
	    (booth->state != RELAIS_SESSION_IN_CALL && booth->state != RELAIS_SESSION_CONNECTING)) {
		g_debug("a new owner for no call of ours: ignored");
		return;
	}
	g_free(booth->peer);
	booth->peer = g_strdup(relais_msg_get_string(msg, "adviser"));
	/* the colleague is no guest any more: two parties again */
	guest_wipe(booth, "the colleague owns the call now");
	g_message("call %s handed over to adviser '%s'", booth->call, booth->peer);
	if (booth->media)
		media_restart(booth, "the call was handed over");
	if (booth->observer.guest)
		booth->observer.guest(booth, booth->observer_data);
}

gboolean booth_guest_answer(Booth *booth, gboolean accept, GError **error)
{
	if (!relais_consent_answer(booth->consent, NULL, accept)) {
		g_set_error(error, RELAIS_SESSION_ERROR, RELAIS_SESSION_ERROR_NOT_ALLOWED,
			    "no guest is asking to join");
		return FALSE;
	}
	g_clear_handle_id(&booth->consent_id, g_source_remove);
	consent_send(booth);
	return TRUE;
}

BoothGuestAsk booth_get_guest_ask(Booth *booth)
{
	BoothGuestAsk a = {0};
	if (relais_consent_get_state(booth->consent) != RELAIS_CONSENT_ASKING)
		return a;
	a.asking = TRUE;
	a.name = relais_consent_get_name(booth->consent);
	a.role = relais_consent_get_role(booth->consent);
	a.ms_left = relais_consent_ms_left(booth->consent, g_get_monotonic_time());
	return a;
}

BoothGuest booth_get_guest(Booth *booth)
{
	BoothGuest g = {.name = booth->guest_name, .role = booth->guest_role, .state = booth->guest_state};
	return g;
}

const char *booth_get_adviser_name(Booth *booth)
{
	return booth->call ? booth->peer : NULL;
}

static JsonObject *guest_json(Booth *booth)
{
	JsonObject *o = json_object_new();
	BoothGuestAsk a = booth_get_guest_ask(booth);
	if (a.asking) {
		JsonObject *ask = json_object_new();
		json_object_set_string_member(ask, "name", a.name);
		json_object_set_string_member(ask, "role", a.role);
		json_object_set_int_member(ask, "seconds_left", (a.ms_left + 999) / 1000);
		json_object_set_int_member(ask, "ms_left", a.ms_left);
		json_object_set_object_member(o, "guest_ask", ask);
	}
	if (booth->guest_state) {
		JsonObject *g = json_object_new();
		if (booth->guest_name)
			json_object_set_string_member(g, "name", booth->guest_name);
		if (booth->guest_role)
			json_object_set_string_member(g, "role", booth->guest_role);
		json_object_set_string_member(g, "state", booth->guest_state);
		json_object_set_object_member(o, "guest", g);
	}
	return o;
}

static void handle_share(Booth *booth, RelaisMsg *msg)
{
	gboolean on = g_strcmp0(relais_msg_get_string(msg, "state"), "on") == 0;
	if (g_strcmp0(relais_msg_get_string(msg, "call"), booth->call) != 0 ||
	    (booth->state != RELAIS_SESSION_CONNECTING && booth->state != RELAIS_SESSION_IN_CALL)) {
		g_debug("ignoring 'share' outside its call");
		return;
	}
	if (on == booth->sharing)
		return;
	booth->sharing = on;
	g_message("adviser %s sharing their screen", on ? "started" : "stopped");
	if (booth->observer.share)
		booth->observer.share(booth, on, booth->observer_data);
}

static void on_link_message(BoothLink *link, RelaisMsg *msg, gpointer data)
{
	Booth *booth = data;
	switch (relais_msg_get_type(msg)) {
	case RELAIS_MSG_QUEUED: {
		const char *ticket = relais_msg_get_string(msg, "ticket");
		if (g_strcmp0(ticket, booth->cancelled_ticket) == 0)
			break; /* cancelled already: a position update on its way */
		if (booth->unticketed_ends > 0 && g_strcmp0(ticket, booth->ticket) != 0) {
			/* the ticket of a request the visitor ended before it came */
			booth->unticketed_ends--;
			g_free(booth->cancelled_ticket);
			booth->cancelled_ticket = g_strdup(ticket);
			g_message("cancelling ticket %s: the visitor ended before it came", ticket);
			JsonObject *o = relais_msg_new(RELAIS_MSG_CANCEL);
			json_object_set_string_member(o, "ticket", ticket);
			booth_link_send(booth->link, o);
			break;
		}
		if (booth->state == RELAIS_SESSION_QUEUED) {
			g_free(booth->ticket);
			booth->ticket = g_strdup(relais_msg_get_string(msg, "ticket"));
			booth->position = (guint)relais_msg_get_int(msg, "position", 0);
			if (booth->observer.queue)
				booth->observer.queue(booth, booth->position,
						      (int)relais_msg_get_int(msg, "wait_s", -1), booth->observer_data);
		}
		break;
	}
	case RELAIS_MSG_ICE_SERVERS:
		set_ice_servers(booth, msg);
		break;
	case RELAIS_MSG_BOOKING_OFFER:
	case RELAIS_MSG_BOOKED:
	case RELAIS_MSG_CHECKED_IN:
	case RELAIS_MSG_BOOKING_ERROR:
		handle_booking(booth, msg);
		break;
	case RELAIS_MSG_AVAILABILITY:
		if (booth->observer.availability)
			booth->observer.availability(booth, (int)relais_msg_get_int(msg, "advisers", -1),
						     relais_msg_get_string(msg, "next_opening"), booth->observer_data);
		break;
	case RELAIS_MSG_CALL:
		handle_call(booth, msg);
		break;
	case RELAIS_MSG_DOC_SHOW:
	case RELAIS_MSG_DOC_PAGE:
	case RELAIS_MSG_DOC_STOP:
		booth_call_doc_handle(booth->doc, booth->call, msg);
		break;
	case RELAIS_MSG_SDP: {
		if (g_strcmp0(relais_msg_get_string(msg, "call"), booth->call) != 0 || booth->media == NULL)
			break;
		if (g_strcmp0(relais_msg_get_string(msg, "peer"), "guest") == 0) {
			/* the guest's answer: a bad one loses the guest, not the call */
			g_autoptr(GError) error = NULL;
			if (booth->guest_media == NULL) {
				g_debug("a guest's description with no guest connection: dropped");
			} else if (!relais_media_guest_set_remote(booth->guest_media,
								  relais_msg_get_string(msg, "sdp_type"),
								  relais_msg_get_string(msg, "sdp"), &error)) {
				g_warning("guest's description refused: %s", error->message);
				guest_media_close(booth, "its description was refused");
			}
			break;
		}
		if ((guint)relais_msg_get_int(msg, "media", 0) != booth->media_gen) {
			g_debug("dropping an answer for media connection %u (now %u)",
				(guint)relais_msg_get_int(msg, "media", 0), booth->media_gen);
			break;
		}
		g_autoptr(GError) error = NULL;
		if (!relais_media_set_remote(booth->media, relais_msg_get_string(msg, "sdp_type"),
					     relais_msg_get_string(msg, "sdp"), &error)) {
			g_warning("adviser's description refused: %s", error->message);
			send_end(booth, "bad-sdp");
			finish_session(booth, "bad sdp");
		}
		break;
	}
	case RELAIS_MSG_RECONNECT:
		/* the adviser's console finds connection `media` dead: a new
		 * one, unless it is an older one (a new one is made already) or
		 * ours is still being set up, offered less than
		 * MEDIA_RESTART_MS ago (PROTOCOL.md: no glare, one offerer) */
		if (g_strcmp0(relais_msg_get_string(msg, "call"), booth->call) == 0 && booth->media &&
		    booth->state == RELAIS_SESSION_IN_CALL &&
		    (guint)relais_msg_get_int(msg, "media", 0) == booth->media_gen &&
		    (relais_media_get_state(booth->media) == RELAIS_MEDIA_STATE_CONNECTED ||
		     relais_media_get_state(booth->media) == RELAIS_MEDIA_STATE_FAILED ||
		     g_get_monotonic_time() - booth->media_restart_us >=
			     (gint64)CONFIG_RELAIS_BOOTH_MEDIA_RESTART_MS * 1000))
			media_restart(booth, "the adviser's console asked");
		break;
	case RELAIS_MSG_ICE:
		if (g_strcmp0(relais_msg_get_string(msg, "peer"), "guest") == 0) {
			if (g_strcmp0(relais_msg_get_string(msg, "call"), booth->call) == 0 && booth->guest_media)
				relais_media_guest_add_ice(booth->guest_media,
							   (guint)relais_msg_get_int(msg, "mline", 0),
							   relais_msg_get_string(msg, "candidate"));
			break;
		}
		if ((guint)relais_msg_get_int(msg, "media", 0) != booth->media_gen)
			break; /* a stale connection's candidate */
		if (g_strcmp0(relais_msg_get_string(msg, "call"), booth->call) == 0 && booth->media)
			relais_media_add_ice(booth->media, (guint)relais_msg_get_int(msg, "mline", 0),
					     relais_msg_get_string(msg, "candidate"));
		break;
	case RELAIS_MSG_CHAT:
		if (g_strcmp0(relais_msg_get_string(msg, "call"), booth->call) == 0) {
			JsonObject *c = json_object_new();
			/* a line of the guest's shows with its name and role, as
			 * the switchboard labels it; the adviser's as before */
			g_autofree char *guest_from =
				booth->guest_name ? g_strdup_printf("%s (%s)", booth->guest_name, booth->guest_role)
						  : NULL;
			const char *from = relais_msg_get_string(msg, "from");
			json_object_set_string_member(
				c, "from", guest_from && g_strcmp0(from, guest_from) == 0 ? from : "adviser");
			json_object_set_string_member(c, "text", relais_msg_get_string(msg, "text"));
			g_ptr_array_add(booth->chat, c);
			if (guest_from && g_strcmp0(from, guest_from) == 0) {
				if (booth->observer.guest_chat)
					booth->observer.guest_chat(booth, booth->guest_name,
								   relais_msg_get_string(msg, "text"),
								   booth->observer_data);
			} else if (booth->observer.chat)
				booth->observer.chat(booth, TRUE, relais_msg_get_string(msg, "text"),
						     booth->observer_data);
		}
		break;
	case RELAIS_MSG_SHARE:
		handle_share(booth, msg);
		break;
	case RELAIS_MSG_GUEST_ASK:
		handle_guest_ask(booth, msg);
		break;
	case RELAIS_MSG_GUEST_STATE:
		handle_guest_state(booth, msg);
		break;
	case RELAIS_MSG_CALL_OWNER:
		handle_call_owner(booth, msg);
		break;
	case RELAIS_MSG_UPDATE_OFFER:
		if (booth->updater)
			booth_updater_offer(booth->updater, msg);
		else
			g_warning("an update was offered, but this booth has no folder for it (--update-dir)");
		break;
	case RELAIS_MSG_DIAG_REQUEST:
		/* an administrator's remote diagnosis (PROTOCOL.md "Diagnostics"):
		 * the same report as the technician screen's, nothing of visitors */
		g_message("diagnostics asked by the switchboard");
		booth_link_send(booth->link, relais_msg_diag_report(relais_msg_get_string(msg, "request"),
								    booth_diag_report(booth)));
		break;
	case RELAIS_MSG_END:
		if (g_strcmp0(relais_msg_get_string(msg, "call"), booth->call) == 0)
			finish_session(booth, relais_msg_get_string(msg, "reason"));
		break;
	case RELAIS_MSG_ERROR:
		g_warning("switchboard: %s (%s, about '%s')", relais_msg_get_string(msg, "message"),
			  relais_msg_get_string(msg, "code"),
			  relais_msg_get_string(msg, "ref") ? relais_msg_get_string(msg, "ref") : "");
		/* a refused request (queue full...) must not leave the visitor
		 * waiting for nothing */
		if (g_strcmp0(relais_msg_get_string(msg, "ref"), "request") == 0 &&
		    booth->state == RELAIS_SESSION_QUEUED && booth->ticket == NULL)
			finish_session(booth, "request refused");
		/* a booking request refused outright (state, field): the
		 * visitor must not wait for an answer either */
		const char *ref = relais_msg_get_string(msg, "ref");
		if (g_strcmp0(ref, "booking_slots") == 0 || g_strcmp0(ref, "book") == 0 ||
		    g_strcmp0(ref, "check_in") == 0) {
			BoothBookingAnswer a = {
				.kind = BOOTH_BOOKING_REFUSED, .reason = BOOTH_BOOKING_FAILED, .retry_s = -1};
			tell_booking(booth, &a);
		}
		break;
	default:
		g_debug("ignoring '%s'", relais_msg_type_name(relais_msg_get_type(msg)));
		break;
	}
}

static void on_link_refused(BoothLink *link, const char *reason, gpointer data)
{
	Booth *booth = data;
	if (g_strcmp0(reason, booth->link_hold) != 0) {
		g_free(booth->link_hold);
		booth->link_hold = g_strdup(reason);
		apply_holds(booth);
	}
	if (booth->refused_func)
		booth->refused_func(booth, booth->refused_data);
}

void booth_set_refused_func(Booth *booth, BoothRefusedFunc func, gpointer user_data)
{
	booth->refused_func = func;
	booth->refused_data = user_data;
}

static const BoothLinkCallbacks link_callbacks = {on_link_up, on_link_down, on_link_message, on_link_refused};

/* --- public ------------------------------------------------------------------ */

/* No visitor: no session (idle, or out of order: an update may be what
 * repairs it), no self-check open, and the screen's word. */
static gboolean booth_is_idle(gpointer data)
{
	Booth *booth = data;
	return (booth->state == RELAIS_SESSION_IDLE || booth->state == RELAIS_SESSION_OUT_OF_ORDER) &&
	       booth->preview == NULL && (booth->idle_func == NULL || booth->idle_func(booth->idle_data));
}

void booth_set_idle_func(Booth *booth, BoothIdleFunc func, gpointer user_data)
{
	booth->idle_func = func;
	booth->idle_data = user_data;
}

Booth *booth_new(const BoothConfig *config)
{
#ifdef __GLIBC__
	/* glibc gives threads up to 8 malloc arenas per core; a call's twenty
	 * streaming threads spread over them and each arena keeps pages pinned by
	 * a few live blocks, which malloc_trim() cannot return (measured, RSS
	 * after a dozen short calls: 63-68 MB idle, up to 70 MB in a call; with
	 * two arenas 37 MB idle, 55-60 MB in a call, and no CPU difference). */
	mallopt(M_ARENA_MAX, 2);
#endif
	Booth *booth = g_new0(Booth, 1);
	booth->booth_id = g_strdup(config->booth_id);
	booth->board = g_strdup(config->board);
	booth->pipelines_dir = g_strdup(config->pipelines_dir);
	booth->relay_only = config->relay_only;
	booth->ice_addresses = g_strdupv((char **)config->ice_addresses);
	booth->setup_fault = g_strdup(config->setup_fault);
	booth->site = g_strdup(config->site);
	booth->switchboard_url = g_strdup(config->switchboard_url);
	booth->state_dir = g_strdup(config->state_dir);
	booth->log_ring = config->log_ring;
	booth->software = g_strdup(config->software);
	booth->slot = g_strdup(config->slot);
	booth->update_status_path = g_strdup(config->update_status_path);
	booth->checks = json_object_new();
	booth->started_us = g_get_monotonic_time();
	booth->state = RELAIS_SESSION_IDLE;
	booth->pending_ice = g_ptr_array_new_with_free_func((GDestroyNotify)pending_ice_free);
	booth->guest_ice = g_ptr_array_new_with_free_func((GDestroyNotify)pending_ice_free);
	booth->volume = -1;
	booth->chat = g_ptr_array_new_with_free_func((GDestroyNotify)json_object_unref);
	booth->consent = relais_consent_new(guest_ask_ms());
	BoothLinkConfig lc = {
		.url = config->switchboard_url,
		.booth_id = config->booth_id,
		.site = config->site,
		.board = config->board,
		.reconnect_min_ms = CONFIG_RELAIS_BOOTH_RECONNECT_MIN_MS,
		.reconnect_max_ms = CONFIG_RELAIS_BOOTH_RECONNECT_MAX_MS,
		.ping_interval_s = CONFIG_RELAIS_BOOTH_PING_INTERVAL_S,
		.tls_database = config->tls_database,
		.needs_certificate = config->needs_certificate,
		.software = config->software,
		.slot = config->slot,
	};
	if (config->needs_certificate)
		booth->hold = g_strdup("waiting for this booth's certificate");
	booth->link = booth_link_new(&lc, &link_callbacks, booth);
	booth->doc = booth_call_doc_new(booth->link, on_document_changed, booth);
	g_autofree char *update_dir = config->update_dir  ? g_strdup(config->update_dir)
				      : config->state_dir ? g_build_filename(config->state_dir, "updates", NULL)
							  : NULL;
	if (update_dir) {
		BoothUpdaterConfig uc = {
			.dir = update_dir,
			.rauc = config->rauc,
			.reboot_cmd = config->reboot_cmd,
			.software = config->software,
			.slot = config->slot,
		};
		booth->updater = booth_updater_new(booth->link, &uc, booth_is_idle, booth);
	}
	return booth;
}

void booth_start(Booth *booth)
{
	g_autoptr(GError) error = NULL;
	if (!self_test(booth, &error)) {
		selftest_failed(booth, error);
		go_out_of_order(booth, error->message);
	} else {
		relais_media_warm_up();
		booth->probe_again = TRUE;
		probe_schedule(booth);
	}
	/* a booth that is not set up has nowhere to connect to */
	if (booth->setup_fault == NULL)
		booth_link_start(booth->link);
}

RelaisSessionState booth_get_state(Booth *booth)
{
	return booth->state;
}

gboolean booth_request(Booth *booth, const char *topic, const char *language, JsonObject *answers, GError **error)
{
	return booth_request_booked(booth, topic, language, answers, NULL, error);
}

gboolean booth_request_booked(Booth *booth, const char *topic, const char *language, JsonObject *answers,
			      const char *booking, GError **error)
{
	if (booking && !relais_booking_code_valid(booking)) {
		g_set_error(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_FIELD, "'%s' is not a booking code", booking);
		return FALSE;
	}
	if (booth->state != RELAIS_SESSION_IDLE) {
		g_set_error(error, RELAIS_SESSION_ERROR, RELAIS_SESSION_ERROR_NOT_ALLOWED,
			    "cannot ask for an adviser while %s", relais_session_state_name(booth->state));
		return FALSE;
	}
	if (!relais_proto_valid_id(topic)) {
		g_set_error(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_FIELD, "topic '%s' is not a valid id", topic);
		return FALSE;
	}
	if (!relais_proto_valid_lang(language)) {
		g_set_error(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_FIELD, "language '%s' is not a language tag",
			    language);
		return FALSE;
	}
	g_autoptr(JsonObject) copy = answers ? relais_proto_copy_answers(answers, error) : json_object_new();
	if (copy == NULL)
		return FALSE;

	/* The visitor has started a session: from here the camera is the media
	 * engine's (one owner at a time). The pipeline and the offer are
	 * prepared while the visitor waits so that the adviser's accept is
	 * followed by media at once. */
	booth_preview_stop(booth);
	probe_stop(booth);
	g_autoptr(RelaisMedia) media =
		relais_media_new(booth->conf, RELAIS_MEDIA_OFFERER, &media_callbacks, booth, error);
	if (media == NULL)
		return FALSE;
	if (!fire(booth, RELAIS_SESSION_EV_REQUEST))
		g_return_val_if_reached(FALSE);
	booth->request_us = g_get_monotonic_time();
	booth->renew_link = TRUE;
	booth->topic = g_strdup(topic);
	booth->language = g_strdup(language);
	booth->answers = g_steal_pointer(&copy);
	booth->booking = g_strdup(booking);
	booth->media = g_steal_pointer(&media);
	g_autoptr(GError) local = NULL;
	if (!media_start(booth, &local)) {
		g_autofree char *reason = g_strdup_printf("starting media: %s", local->message);
		go_out_of_order(booth, reason);
		g_propagate_error(error, g_steal_pointer(&local));
		return FALSE;
	}
	/* sent now, or by on_link_up() when the link comes back */
	if (booth_link_get_state(booth->link) == BOOTH_LINK_UP)
		send_request(booth);
	return TRUE;
}

/* Bookings are asked while idle, with the link up: offline, the visitor is
 * told at once rather than left waiting. */
static gboolean booking_allowed(Booth *booth, GError **error)
{
	if (booth->state != RELAIS_SESSION_IDLE) {
		g_set_error(error, RELAIS_SESSION_ERROR, RELAIS_SESSION_ERROR_NOT_ALLOWED, "cannot book while %s",
			    relais_session_state_name(booth->state));
		return FALSE;
	}
	if (booth_link_get_state(booth->link) != BOOTH_LINK_UP) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED, "no link to the switchboard");
		return FALSE;
	}
	return TRUE;
}

gboolean booth_booking_slots(Booth *booth, const char *language, const char *topic, GError **error)
{
	if (!booking_allowed(booth, error))
		return FALSE;
	booth_link_send(booth->link, booth_booking_slots_msg(language, topic));
	return TRUE;
}

gboolean booth_book(Booth *booth, const char *start, const char *end, const char *language, const char *topic,
		    GError **error)
{
	g_autoptr(JsonObject) o = booth_book_msg(start, end, language, topic, error);
	if (o == NULL || !booking_allowed(booth, error))
		return FALSE;
	booth_link_send(booth->link, g_steal_pointer(&o));
	return TRUE;
}

gboolean booth_check_in(Booth *booth, const char *code, GError **error)
{
	g_autoptr(JsonObject) o = booth_check_in_msg(code, error);
	if (o == NULL || !booking_allowed(booth, error))
		return FALSE;
	booth_link_send(booth->link, g_steal_pointer(&o));
	return TRUE;
}

gboolean booth_end(Booth *booth, GError **error)
{
	switch (booth->state) {
	case RELAIS_SESSION_QUEUED:
		if (booth->ticket) {
			JsonObject *o = relais_msg_new(RELAIS_MSG_CANCEL);
			json_object_set_string_member(o, "ticket", booth->ticket);
			booth_link_send(booth->link, o);
		} else if (booth_link_get_state(booth->link) == BOOTH_LINK_UP) {
			/* asked, not answered yet: cancelled when its ticket
			 * comes, or the advisers would see a visitor who left */
			booth->unticketed_ends++;
		}
		if (!fire(booth, RELAIS_SESSION_EV_CANCEL))
			g_return_val_if_reached(FALSE);
		booth_wipe(booth);
		(void)fire(booth, RELAIS_SESSION_EV_WIPED);
		report_status(booth);
		return TRUE;
	case RELAIS_SESSION_CONNECTING:
	case RELAIS_SESSION_IN_CALL: {
		send_end(booth, "visitor");
		finish_session(booth, "visitor ended");
		return TRUE;
	}
	default:
		g_set_error(error, RELAIS_SESSION_ERROR, RELAIS_SESSION_ERROR_NOT_ALLOWED, "nothing to end while %s",
			    relais_session_state_name(booth->state));
		return FALSE;
	}
}

gboolean booth_chat(Booth *booth, const char *text, GError **error)
{
	if (booth->state != RELAIS_SESSION_IN_CALL && booth->state != RELAIS_SESSION_CONNECTING) {
		g_set_error(error, RELAIS_SESSION_ERROR, RELAIS_SESSION_ERROR_NOT_ALLOWED,
			    "chat needs a call (state %s)", relais_session_state_name(booth->state));
		return FALSE;
	}
	gsize n = text ? strlen(text) : 0;
	if (n == 0 || n > CONFIG_RELAIS_PROTO_MAX_TEXT || !g_utf8_validate(text, -1, NULL)) {
		g_set_error(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_SIZE, "chat text must be 1-%d bytes of UTF-8",
			    CONFIG_RELAIS_PROTO_MAX_TEXT);
		return FALSE;
	}
	JsonObject *o = relais_msg_new(RELAIS_MSG_CHAT);
	json_object_set_string_member(o, "call", booth->call);
	json_object_set_string_member(o, "text", text);
	booth_link_send(booth->link, o);
	JsonObject *c = json_object_new();
	json_object_set_string_member(c, "from", "visitor");
	json_object_set_string_member(c, "text", text);
	g_ptr_array_add(booth->chat, c);
	if (booth->observer.chat)
		booth->observer.chat(booth, FALSE, text, booth->observer_data);
	return TRUE;
}

void booth_set_observer(Booth *booth, const BoothObserver *observer, gpointer user_data)
{
	if (observer)
		booth->observer = *observer;
	else
		memset(&booth->observer, 0, sizeof booth->observer);
	booth->observer_data = user_data;
}

/* --- the camera and the microphone ------------------------------------------ */

static void on_preview_error(RelaisPreview *p, const GError *error, gpointer data)
{
	Booth *booth = data;
	g_autofree char *reason = g_strdup_printf("self-check: %s", error->message);
	booth_preview_stop(booth);
	go_out_of_order(booth, reason);
}

void booth_preview_start(Booth *booth, RelaisMediaFrameFunc func, gpointer user_data)
{
	g_autoptr(GError) error = NULL;
	if (booth->state == RELAIS_SESSION_OUT_OF_ORDER || booth->conf == NULL)
		return; /* out of order: the screen follows */
	booth_preview_stop(booth);
	/* one owner of the devices at a time: the visitor (or the
	 * technician) first */
	probe_stop(booth);
	g_autoptr(RelaisPreview) p = relais_preview_new(booth->conf, &error);
	if (p != NULL) {
		relais_preview_set_error_func(p, on_preview_error, booth);
		relais_preview_set_frame_func(p, func, user_data);
		if (relais_preview_start(p, &error))
			booth->preview = g_steal_pointer(&p);
	}
	if (booth->preview == NULL) {
		g_autofree char *reason = g_strdup_printf("self-check: %s", error->message);
		go_out_of_order(booth, reason);
	}
}

void booth_preview_stop(Booth *booth)
{
	if (booth->preview == NULL)
		return;
	relais_preview_set_frame_func(booth->preview, NULL, NULL);
	g_clear_pointer(&booth->preview, relais_preview_free);
	if (booth->probe_again)
		probe_schedule(booth);
}

/* --- the start-up check of the camera and the microphone (booth.h) ------------ */

const char *booth_check_name(BoothCheck check)
{
	static const char *const names[] = {"unknown", "ok", "failed"};
	return (guint)check < G_N_ELEMENTS(names) ? names[check] : "unknown";
}

gboolean booth_probe_running(Booth *booth)
{
	return booth->probe != NULL;
}

static void set_check(BoothCheck *check, char **detail, BoothCheck value, const char *text)
{
	*check = value;
	g_free(*detail);
	*detail = g_strdup(text);
}

/* A camera frame of the check: counted, never looked at. Streaming thread. */
static void on_probe_frame(GstSample *sample, gpointer data)
{
	g_atomic_int_inc(&((Booth *)data)->probe_frames);
}

/* The check is over: what it saw is recorded, the devices are closed. */
static void probe_finish(Booth *booth, const char *failure)
{
	gboolean seen = g_atomic_int_get(&booth->probe_frames) > 0;
	gboolean heard = booth->probe && relais_preview_get_audio_windows(booth->probe) > 0;
	gint64 ms = (g_get_monotonic_time() - booth->probe_started_us) / 1000;
	g_clear_handle_id(&booth->probe_id, g_source_remove);
	if (booth->probe) {
		relais_preview_set_frame_func(booth->probe, NULL, NULL);
		g_clear_pointer(&booth->probe, relais_preview_free);
	}
	booth->probe_again = FALSE;
	const char *device = NULL;
	g_autofree char *camera_device =
		booth->conf ? relais_media_conf_dup_fragment(booth->conf, "video", "device") : NULL;
	device = camera_device && *camera_device ? camera_device : "built-in camera";
	if (seen)
		set_check(&booth->camera_check, &booth->camera_detail, BOOTH_CHECK_OK, device);
	else
		set_check(&booth->camera_check, &booth->camera_detail, BOOTH_CHECK_FAILED, failure);
	if (heard)
		set_check(&booth->mic_check, &booth->mic_detail, BOOTH_CHECK_OK, NULL);
	else
		set_check(&booth->mic_check, &booth->mic_detail, BOOTH_CHECK_FAILED, failure);
	if (seen && heard)
		g_message("start-up check: camera and microphone open (%" G_GINT64_FORMAT " ms)", ms);
	else
		g_warning("start-up check: %s%s%s: %s", seen ? "" : "no picture from the camera",
			  !seen && !heard ? ", " : "", heard ? "" : "no sound from the microphone", failure);
}

static gboolean on_probe_poll(gpointer data)
{
	Booth *booth = data;
	if (g_atomic_int_get(&booth->probe_frames) > 0 && relais_preview_get_audio_windows(booth->probe) > 0) {
		booth->probe_id = 0;
		probe_finish(booth, NULL);
		return G_SOURCE_REMOVE;
	}
	if (g_get_monotonic_time() - booth->probe_started_us <
	    (gint64)CONFIG_RELAIS_BOOTH_PROBE_TIMEOUT_S * G_USEC_PER_SEC)
		return G_SOURCE_CONTINUE;
	booth->probe_id = 0;
	g_autofree char *why = g_strdup_printf("nothing within %d s", CONFIG_RELAIS_BOOTH_PROBE_TIMEOUT_S);
	probe_finish(booth, why);
	return G_SOURCE_REMOVE;
}

static void on_probe_error(RelaisPreview *p, const GError *error, gpointer data)
{
	probe_finish(data, error->message);
}

/* Opens the devices for the check now, if nothing else needs them. */
static void probe_start(Booth *booth)
{
	if (booth->probe || booth->preview || booth->media || booth->conf == NULL ||
	    booth->state != RELAIS_SESSION_IDLE)
		return; /* probe_again stays: when idle */
	g_autoptr(GError) error = NULL;
	booth->probe_started_us = g_get_monotonic_time();
	g_atomic_int_set(&booth->probe_frames, 0);
	g_autoptr(RelaisPreview) p = relais_preview_new(booth->conf, &error);
	if (p) {
		relais_preview_set_error_func(p, on_probe_error, booth);
		relais_preview_set_frame_func(p, on_probe_frame, booth);
		if (!relais_preview_start(p, &error))
			g_clear_pointer(&p, relais_preview_free);
	}
	if (p == NULL) {
		probe_finish(booth, error->message);
		return;
	}
	booth->probe = g_steal_pointer(&p);
	booth->probe_id = g_timeout_add(50, on_probe_poll, booth);
}

static gboolean on_probe_idle(gpointer data)
{
	Booth *booth = data;
	booth->probe_idle_id = 0;
	if (booth->probe_again)
		probe_start(booth);
	return G_SOURCE_REMOVE;
}

/* From the main loop, not from inside the caller (a transition, a preview
 * being closed for the media engine that opens next). */
static void probe_schedule(Booth *booth)
{
	if (booth->probe_idle_id == 0)
		booth->probe_idle_id = g_idle_add(on_probe_idle, booth);
}

/* Someone else needs the devices, or the booth is out of order: the check
 * closes them at once and runs again once the booth is idle. What it
 * already knew stays. */
static void probe_stop(Booth *booth)
{
	if (booth->probe == NULL)
		return;
	g_clear_handle_id(&booth->probe_id, g_source_remove);
	relais_preview_set_frame_func(booth->probe, NULL, NULL);
	g_clear_pointer(&booth->probe, relais_preview_free);
	booth->probe_again = TRUE;
	g_message("start-up check stopped: the devices are needed (again once idle)");
}

gboolean booth_preview_running(Booth *booth)
{
	return booth->preview != NULL;
}

double booth_preview_get_mic_level(Booth *booth)
{
	return booth->preview ? relais_preview_get_mic_level(booth->preview) : 0.0;
}

gint64 booth_media_silence_us(Booth *booth)
{
	if (booth->media)
		return relais_media_get_video_silence_us(booth->media);
	if (booth->preview)
		return relais_preview_get_video_silence_us(booth->preview);
	return -1;
}

gboolean booth_stall_media(Booth *booth, guint ms, GError **error)
{
	gboolean stalled = booth->media	    ? relais_media_stall_video(booth->media, ms)
			   : booth->preview ? relais_preview_stall_video(booth->preview, ms)
					    : FALSE;
	if (!stalled)
		g_set_error(error, RELAIS_SESSION_ERROR, RELAIS_SESSION_ERROR_NOT_ALLOWED,
			    "no media pipeline is playing (state %s)", relais_session_state_name(booth->state));
	return stalled;
}

gboolean booth_has_media(Booth *booth)
{
	return booth->media != NULL;
}

void booth_set_frame_func(Booth *booth, RelaisMediaVideo which, RelaisMediaFrameFunc func, gpointer user_data)
{
	if ((guint)which < G_N_ELEMENTS(booth->frame_funcs)) {
		booth->frame_funcs[which].func = func;
		booth->frame_funcs[which].data = user_data;
	}
	if (booth->media)
		relais_media_set_frame_func(booth->media, which, func, user_data);
}

static void apply_controls(Booth *booth)
{
	if (booth->media == NULL || booth->volume < 0)
		return;
	relais_media_set_muted(booth->media, booth->muted);
	relais_media_set_camera_off(booth->media, booth->camera_off);
	relais_media_set_volume(booth->media, booth->volume);
}

void booth_set_controls(Booth *booth, gboolean muted, gboolean camera_off, int volume)
{
	booth->muted = muted;
	booth->camera_off = camera_off;
	booth->volume = volume;
	apply_controls(booth);
}

gboolean booth_restart_media(Booth *booth, GError **error)
{
	if (booth->state != RELAIS_SESSION_IN_CALL || booth->media == NULL) {
		g_set_error(error, RELAIS_SESSION_ERROR, RELAIS_SESSION_ERROR_NOT_ALLOWED,
			    "a new media connection needs a call (state %s)", relais_session_state_name(booth->state));
		return FALSE;
	}
	media_restart(booth, "asked on the control socket");
	return TRUE;
}

RelaisMediaDeviceState booth_get_device_state(Booth *booth, RelaisMediaDevice which)
{
	if ((guint)which >= RELAIS_MEDIA_N_DEVICES || booth->media == NULL)
		return RELAIS_MEDIA_DEVICE_OK;
	return booth->device_state[which];
}

gboolean booth_sim_device(Booth *booth, RelaisMediaDevice which, gboolean lost, GError **error)
{
	if (g_strcmp0(relais_media_conf_get_board(booth->conf), "sim") != 0) {
		g_set_error(error, RELAIS_SESSION_ERROR, RELAIS_SESSION_ERROR_NOT_ALLOWED,
			    "a simulated unplug is for the sim board only (this is %s)",
			    relais_media_conf_get_board(booth->conf));
		return FALSE;
	}
	g_return_val_if_fail((guint)which < RELAIS_MEDIA_N_DEVICES, FALSE);
	booth->sim_lost[which] = lost;
	g_message("sim board: %s %s", relais_media_device_name(which), lost ? "unplugged" : "plugged back");
	if (booth->media)
		relais_media_set_device_fault(booth->media, which, lost);
	return TRUE;
}

static JsonObject *devices_json(Booth *booth)
{
	JsonObject *o = json_object_new();
	for (guint i = 0; i < RELAIS_MEDIA_N_DEVICES; i++) {
		JsonObject *d = json_object_new();
		json_object_set_string_member(
			d, "state",
			relais_media_device_state_name(booth_get_device_state(booth, (RelaisMediaDevice)i)));
		json_object_set_int_member(
			d, "tries",
			booth->media ? relais_media_get_device_tries(booth->media, (RelaisMediaDevice)i) : 0);
		if (booth->sim_lost[i])
			json_object_set_boolean_member(d, "sim_unplugged", TRUE);
		json_object_set_object_member(o, relais_media_device_name((RelaisMediaDevice)i), d);
	}
	return o;
}

gboolean booth_get_reconnecting(Booth *booth)
{
	return booth->reconnecting;
}

guint booth_get_media_restarts(Booth *booth)
{
	return booth->media_restarts;
}

double booth_get_mic_level(Booth *booth)
{
	return booth->media ? relais_media_get_mic_level(booth->media) : 0.0;
}

int booth_get_quality(Booth *booth)
{
	return booth->media ? relais_media_get_quality(booth->media) : 0;
}

gboolean booth_get_media_stats(Booth *booth, RelaisMediaStats *stats)
{
	memset(stats, 0, sizeof *stats);
	if (booth->media == NULL)
		return FALSE;
	relais_media_get_stats(booth->media, stats);
	return TRUE;
}

void booth_drop_link(Booth *booth)
{
	booth_link_drop(booth->link);
}

gboolean booth_send_feedback(Booth *booth, int score, GError **error)
{
	if (score < 1 || score > 5) {
		g_set_error(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_FIELD, "score %d outside 1..5", score);
		return FALSE;
	}
	if (booth->feedback_call == NULL) {
		g_set_error(error, RELAIS_SESSION_ERROR, RELAIS_SESSION_ERROR_NOT_ALLOWED, "no ended call to rate");
		return FALSE;
	}
	JsonObject *o = relais_msg_new(RELAIS_MSG_FEEDBACK);
	json_object_set_string_member(o, "call", booth->feedback_call);
	json_object_set_int_member(o, "score", score);
	g_clear_pointer(&booth->feedback_call, g_free);
	if (!booth_link_send(booth->link, o)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED, "no connection to the switchboard");
		return FALSE;
	}
	return TRUE;
}

void booth_forget(Booth *booth)
{
	g_clear_pointer(&booth->feedback_call, g_free);
	if (booth->state == RELAIS_SESSION_IDLE && booth->renew_link) {
		booth->renew_link = FALSE;
		/* a new connection: the switchboard drops the old one's ticket */
		booth->unticketed_ends = 0;
		g_clear_pointer(&booth->cancelled_ticket, g_free);
		booth_link_renew(booth->link);
	}
}

gboolean booth_get_sharing(Booth *booth)
{
	return booth->sharing;
}

void booth_get_facts(Booth *booth, BoothFacts *f)
{
	*f = (BoothFacts){
		.booth_id = booth->booth_id,
		.site = booth->site,
		.board = booth->board,
		.switchboard_url = booth->switchboard_url,
		.state_dir = booth->state_dir,
		.link = booth_link_state_name(booth_link_get_state(booth->link)),
		.fault = booth->state == RELAIS_SESSION_OUT_OF_ORDER ? booth->fault : NULL,
		.ice_servers = (const char *const *)booth->ice_servers,
		.ice_addresses = (const char *const *)booth->ice_addresses,
		.media_conf = booth->conf,
		.log_ring = booth->log_ring,
		.checks = booth->checks,
		.started_us = booth->started_us,
		.software = booth->software,
		.slot = booth->slot,
		.update_status_path = booth->update_status_path,
		.camera_check = booth->camera_check,
		.mic_check = booth->mic_check,
		.camera_detail = booth->camera_detail,
		.mic_detail = booth->mic_detail,
	};
}

JsonObject *booth_status(Booth *booth)
{
	JsonObject *o = json_object_new();
	json_object_set_string_member(o, "booth_id", booth->booth_id);
	json_object_set_string_member(o, "state", relais_session_state_name(booth->state));
	json_object_set_string_member(o, "link", booth_link_state_name(booth_link_get_state(booth->link)));
	json_object_set_int_member(o, "reconnects", booth_link_get_reconnects(booth->link));
	json_object_set_int_member(o, "link_renewals", booth_link_get_renewals(booth->link));
	if (booth->fault && booth->state == RELAIS_SESSION_OUT_OF_ORDER)
		json_object_set_string_member(o, "reason", booth->fault);
	if (booth->client_cert) {
		g_autoptr(GDateTime) until = g_tls_certificate_get_not_valid_after(booth->client_cert);
		g_autofree char *iso = until ? g_date_time_format_iso8601(until) : NULL;
		if (iso)
			json_object_set_string_member(o, "certificate_expires", iso);
	}
	if (booth->ticket)
		json_object_set_string_member(o, "ticket", booth->ticket);
	if (booth->position)
		json_object_set_int_member(o, "position", booth->position);
	if (booth->call)
		json_object_set_string_member(o, "call", booth->call);
	if (booth->peer)
		json_object_set_string_member(o, "peer", booth->peer);
	/* the guest asking to join, or in the call (PROTOCOL.md "A guest in
	 * the call") */
	g_autoptr(JsonObject) guest = guest_json(booth);
	if (json_object_has_member(guest, "guest_ask"))
		json_object_set_member(o, "guest_ask", json_node_copy(json_object_get_member(guest, "guest_ask")));
	if (json_object_has_member(guest, "guest"))
		json_object_set_member(o, "guest", json_node_copy(json_object_get_member(guest, "guest")));
	/* the camera and microphone of the call (ok outside one) */
	json_object_set_object_member(o, "devices", devices_json(booth));
	if (booth->media) {
		json_object_set_object_member(o, "media", stats_json(booth->media, booth));
		json_object_set_string_member(o, "offer", booth->offer ? "ready" : "pending");
	}
	json_object_set_boolean_member(o, "screen_sharing", booth->sharing);
	json_object_set_boolean_member(o, "probe_running", booth->probe != NULL);
	if (booth->updater)
		json_object_set_object_member(o, "update", booth_updater_status(booth->updater));
	JsonArray *chat = json_array_new();
	for (guint i = 0; i < booth->chat->len; i++)
		json_array_add_object_element(chat, json_object_ref(g_ptr_array_index(booth->chat, i)));
	json_object_set_array_member(o, "chat", chat);
	json_object_set_object_member(o, "document", booth_call_doc_status(booth->doc));
	if (booth->last_call)
		json_object_set_object_member(o, "last_call", json_object_ref(booth->last_call));
	json_object_set_boolean_member(o, "feedback_pending", booth->feedback_call != NULL);
	return o;
}

void booth_free(Booth *booth)
{
	if (booth == NULL)
		return;
	booth_preview_stop(booth);
	probe_stop(booth);
	g_clear_handle_id(&booth->probe_idle_id, g_source_remove);
	booth_wipe(booth);
	g_clear_handle_id(&booth->selftest_id, g_source_remove);
	g_clear_handle_id(&booth->resume_id, g_source_remove);
	g_clear_handle_id(&booth->cert_idle_id, g_source_remove);
	booth_call_doc_free(booth->doc);
	booth_updater_free(booth->updater);
	booth_link_free(booth->link);
	g_free(booth->cancelled_ticket);
	g_clear_pointer(&booth->conf, relais_media_conf_free);
	g_ptr_array_unref(booth->pending_ice);
	g_ptr_array_unref(booth->guest_ice);
	g_ptr_array_unref(booth->chat);
	relais_consent_free(booth->consent);
	g_strfreev(booth->ice_servers);
	if (booth->last_call)
		json_object_unref(booth->last_call);
	g_free(booth->fault);
	g_free(booth->setup_fault);
	g_free(booth->hold);
	g_free(booth->link_hold);
	g_clear_object(&booth->client_cert);
	g_free(booth->site);
	g_free(booth->switchboard_url);
	g_free(booth->state_dir);
	g_free(booth->software);
	g_free(booth->slot);
	g_free(booth->update_status_path);
	g_free(booth->camera_detail);
	g_free(booth->mic_detail);
	json_object_unref(booth->checks);
	g_free(booth->feedback_call);
	g_free(booth->booth_id);
	g_free(booth->board);
	g_free(booth->pipelines_dir);
	g_strfreev(booth->ice_addresses);
	g_free(booth);
}
