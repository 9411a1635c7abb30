/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "relais-media"

#include "media-negotiate.h"
#include "media-events.h"
#include "media-private.h"

#include <string.h>
#include <gst/sdp/sdp.h>

static void on_negotiation_needed(GstElement *webrtc, gpointer data)
{
	/* The offer is driven by caps arrival instead (see negotiate()):
	 * webrtcbin can ask before the encoders have fixed their caps and
	 * then fails with "Peer caps not specific enough". */
	g_debug("negotiation needed");
}

static gboolean promise_failed(GstPromise *promise, const char *what, RelaisMedia *m)
{
	GstPromiseResult r = gst_promise_wait(promise);
	if (r != GST_PROMISE_RESULT_REPLIED) {
		if (!relais_media_is_closed(m))
			relais_media_fail(
				m, g_error_new(RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_SDP, "%s: interrupted", what));
		return TRUE;
	}
	const GstStructure *reply = gst_promise_get_reply(promise);
	GError *err = NULL;
	if (reply != NULL && gst_structure_has_field(reply, "error")) {
		gst_structure_get(reply, "error", G_TYPE_ERROR, &err, NULL);
		relais_media_fail_literal(m, RELAIS_MEDIA_ERROR_SDP, what, err);
		g_clear_error(&err);
		return TRUE;
	}
	return FALSE;
}

static void on_local_set(GstPromise *promise, gpointer data)
{
	(void)promise_failed(promise, "setting the local description", data);
}

/* Opus's fmtp says useinbandfec=1: the booth's decoder (opusdec
 * use-inband-fec=true) takes the in-band FEC, and Chromium's encoder puts it
 * in its packets only when the description it receives says so. webrtcbin
 * writes no such parameter of its own. */
static void sdp_opus_fec(GstSDPMedia *media)
{
	for (guint f = 0; f < gst_sdp_media_formats_len(media); f++) {
		const char *pt = gst_sdp_media_get_format(media, f);
		g_autofree char *prefix = g_strdup_printf("%s ", pt);
		g_autofree char *opus = g_strdup_printf("%sOPUS/", prefix);
		gboolean is_opus = FALSE;
		for (guint a = 0; a < gst_sdp_media_attributes_len(media) && !is_opus; a++) {
			const GstSDPAttribute *attr = gst_sdp_media_get_attribute(media, a);
			is_opus = g_strcmp0(attr->key, "rtpmap") == 0 && attr->value &&
				  g_ascii_strncasecmp(attr->value, opus, strlen(opus)) == 0;
		}
		if (!is_opus)
			continue;
		gboolean done = FALSE;
		for (guint a = 0; a < gst_sdp_media_attributes_len(media) && !done; a++) {
			const GstSDPAttribute *attr = gst_sdp_media_get_attribute(media, a);
			if (g_strcmp0(attr->key, "fmtp") == 0 && attr->value && g_str_has_prefix(attr->value, prefix)) {
				if (strstr(attr->value, "useinbandfec=") == NULL) {
					g_autofree char *value = g_strdup_printf("%s;useinbandfec=1", attr->value);
					GstSDPAttribute repl;
					gst_sdp_attribute_set(&repl, "fmtp", value);
					gst_sdp_media_replace_attribute(media, a, &repl);
				}
				done = TRUE;
			}
		}
		if (!done) {
			g_autofree char *value = g_strdup_printf("%suseinbandfec=1", prefix);
			gst_sdp_media_add_attribute(media, "fmtp", value);
		}
	}
}

/* The SDP text for the far end. Chromium starts sending at ~300 kbit/s and
 * paces its first keyframe at that rate (packets 10-15 ms apart, ~25 ms for
 * a small keyframe) unless the description it receives says otherwise;
 * x-google-start-bitrate in the video fmtp is the knob it reads. Opus:
 * useinbandfec=1 (sdp_opus_fec()). Only the
 * text changes: webrtcbin keeps the description it made. */
static char *sdp_for_peer(RelaisMedia *m, const GstSDPMessage *sdp)
{
	GstSDPMessage *copy = NULL;
	gst_sdp_message_copy(sdp, &copy);
	for (guint i = 0; i < gst_sdp_message_medias_len(copy); i++) {
		GstSDPMedia *media = (GstSDPMedia *)gst_sdp_message_get_media(copy, i);
		/* The shared screen's m-line says what it is for (RFC 4796). */
		if (i == RELAIS_MEDIA_SCREEN_MLINE && m->role == RELAIS_MEDIA_OFFERER &&
		    gst_sdp_media_get_attribute_val(media, "content") == NULL)
			gst_sdp_media_add_attribute(media, "content", "slides");
		if (g_strcmp0(gst_sdp_media_get_media(media), "audio") == 0)
			sdp_opus_fec(media);
		if (g_strcmp0(gst_sdp_media_get_media(media), "video") != 0 || gst_sdp_media_formats_len(media) == 0 ||
		    gst_sdp_media_get_port(media) == 0)
			continue;
		/* The first format is the codec; the others are its RTX. */
		const char *pt = gst_sdp_media_get_format(media, 0);
		g_autofree char *prefix = g_strdup_printf("%s ", pt);
		gboolean done = FALSE;
		for (guint a = 0; a < gst_sdp_media_attributes_len(media) && !done; a++) {
			const GstSDPAttribute *attr = gst_sdp_media_get_attribute(media, a);
			if (g_strcmp0(attr->key, "fmtp") == 0 && attr->value && g_str_has_prefix(attr->value, prefix)) {
				if (strstr(attr->value, "x-google-start-bitrate") == NULL) {
					g_autofree char *value = g_strdup_printf("%s;x-google-start-bitrate=%u",
										 attr->value, m->video_kbps);
					GstSDPAttribute repl;
					gst_sdp_attribute_set(&repl, "fmtp", value);
					gst_sdp_media_replace_attribute(media, a, &repl);
				}
				done = TRUE;
			}
		}
		if (!done) {
			g_autofree char *value = g_strdup_printf("%sx-google-start-bitrate=%u", prefix, m->video_kbps);
			gst_sdp_media_add_attribute(media, "fmtp", value);
		}
	}
	char *text = gst_sdp_message_as_text(copy);
	gst_sdp_message_free(copy);
	return text;
}

/* Sends the description to the owner first, then applies it, so that the
 * owner sees the SDP before any of the candidates it causes. */
static void on_description_created(GstPromise *promise, gpointer data)
{
	RelaisMedia *m = data;
	const char *type = m->role == RELAIS_MEDIA_OFFERER ? "offer" : "answer";
	g_autofree char *what = g_strdup_printf("creating the %s", type);
	if (promise_failed(promise, what, m))
		return;
	GstWebRTCSessionDescription *desc = NULL;
	gst_structure_get(gst_promise_get_reply(promise), type, GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &desc, NULL);
	if (desc == NULL) {
		relais_media_fail(
			m, g_error_new(RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_SDP, "webrtcbin made no %s", type));
		return;
	}
	GstElement *webrtc = relais_media_ref_webrtc(m);
	if (webrtc != NULL) {
		char *text = sdp_for_peer(m, desc->sdp);
		g_mutex_lock(&m->lock);
		m->n_mlines = gst_sdp_message_medias_len(desc->sdp);
		m->sdp_emitted = TRUE;
		relais_media_emit_sdp_locked(m, type, text);
		g_mutex_unlock(&m->lock);
		GstPromise *p = gst_promise_new_with_change_func(on_local_set, relais_media_ref(m), relais_media_unref);
		g_signal_emit_by_name(webrtc, "set-local-description", desc, p);
		gst_promise_unref(p);
		gst_object_unref(webrtc);
	}
	gst_webrtc_session_description_free(desc);
}

static void on_remote_set(GstPromise *promise, gpointer data)
{
	RelaisMedia *m = data;
	if (promise_failed(promise, "setting the remote description", m))
		return;
	g_mutex_lock(&m->lock);
	m->remote_set = TRUE;
	g_mutex_unlock(&m->lock);
	if (m->role != RELAIS_MEDIA_ANSWERER)
		return;
	GstElement *webrtc = relais_media_ref_webrtc(m);
	if (webrtc == NULL)
		return;
	GstPromise *p =
		gst_promise_new_with_change_func(on_description_created, relais_media_ref(m), relais_media_unref);
	g_signal_emit_by_name(webrtc, "create-answer", NULL, p);
	gst_promise_unref(p);
	gst_object_unref(webrtc);
}

void relais_media_negotiate(RelaisMedia *m)
{
	gboolean make_offer = FALSE;
	GstWebRTCSessionDescription *offer = NULL;

	g_mutex_lock(&m->lock);
	if (!m->closed && m->started && m->caps_video && m->caps_audio) {
		if (m->role == RELAIS_MEDIA_OFFERER && !m->offer_requested) {
			m->offer_requested = TRUE;
			make_offer = TRUE;
		} else if (m->role == RELAIS_MEDIA_ANSWERER && m->pending_offer != NULL) {
			offer = g_steal_pointer(&m->pending_offer);
		}
	}
	g_mutex_unlock(&m->lock);
	if (!make_offer && offer == NULL)
		return;

	GstElement *webrtc = relais_media_ref_webrtc(m);
	if (webrtc == NULL) {
		g_clear_pointer(&offer, gst_webrtc_session_description_free);
		return;
	}
	if (make_offer) {
		GstPromise *p = gst_promise_new_with_change_func(on_description_created, relais_media_ref(m),
								 relais_media_unref);
		g_signal_emit_by_name(webrtc, "create-offer", NULL, p);
		gst_promise_unref(p);
	} else {
		g_mutex_lock(&m->lock);
		m->stats.answer_set_us = g_get_monotonic_time();
		g_mutex_unlock(&m->lock);
		GstPromise *p =
			gst_promise_new_with_change_func(on_remote_set, relais_media_ref(m), relais_media_unref);
		g_signal_emit_by_name(webrtc, "set-remote-description", offer, p);
		gst_promise_unref(p);
		gst_webrtc_session_description_free(offer);
	}
	gst_object_unref(webrtc);
}

static void on_sink_caps(GstPad *pad, GParamSpec *pspec, gpointer data)
{
	RelaisMedia *m = data;
	GstCaps *caps = gst_pad_get_current_caps(pad);
	if (caps == NULL)
		return;
	gst_caps_unref(caps);
	g_mutex_lock(&m->lock);
	if (pad == m->video_in)
		m->caps_video = TRUE;
	else if (pad == m->audio_in)
		m->caps_audio = TRUE;
	g_mutex_unlock(&m->lock);
	relais_media_negotiate(m);
}

gboolean relais_media_set_remote(RelaisMedia *m, const char *type, const char *sdp, GError **error)
{
	g_return_val_if_fail(m != NULL, FALSE);
	g_return_val_if_fail(type != NULL && sdp != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	gboolean is_offer = g_str_equal(type, "offer");
	if (!is_offer && !g_str_equal(type, "answer")) {
		g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_SDP, "unknown description type \"%s\"", type);
		return FALSE;
	}
	if (is_offer != (m->role == RELAIS_MEDIA_ANSWERER)) {
		g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_STATE, "the %s cannot take a remote %s",
			    m->role == RELAIS_MEDIA_OFFERER ? "offerer" : "answerer", type);
		return FALSE;
	}

	g_mutex_lock(&m->lock);
	gboolean ok_state = m->started && !m->remote_set && m->pending_offer == NULL &&
			    m->state != RELAIS_MEDIA_STATE_FAILED && (is_offer || m->sdp_emitted);
	g_mutex_unlock(&m->lock);
	if (!ok_state) {
		g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_STATE,
			    "remote %s not expected now (not started, no local offer yet, already set, or failed)",
			    type);
		return FALSE;
	}

	/* GstSDP parses almost anything; insist on the shape of a real one. */
	GstSDPMessage *msg = NULL;
	if (!g_str_has_prefix(sdp, "v=0") || gst_sdp_message_new_from_text(sdp, &msg) != GST_SDP_OK) {
		if (msg != NULL)
			gst_sdp_message_free(msg);
		g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_SDP, "malformed SDP %s", type);
		return FALSE;
	}
	if (gst_sdp_message_medias_len(msg) == 0 || gst_sdp_message_get_origin(msg)->sess_id == NULL) {
		gst_sdp_message_free(msg);
		g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_SDP, "SDP %s has no media or no origin",
			    type);
		return FALSE;
	}
	GstWebRTCSessionDescription *desc = gst_webrtc_session_description_new(
		is_offer ? GST_WEBRTC_SDP_TYPE_OFFER : GST_WEBRTC_SDP_TYPE_ANSWER, msg);

	if (is_offer) {
		/* Applied by negotiate() once our own caps are fixed, so that
		 * webrtcbin can match the offer's m-lines to our transceivers. */
		g_mutex_lock(&m->lock);
		m->pending_offer = desc;
		g_mutex_unlock(&m->lock);
		relais_media_negotiate(m);
	} else {
		g_mutex_lock(&m->lock);
		m->stats.answer_set_us = g_get_monotonic_time();
		g_mutex_unlock(&m->lock);
		GstPromise *p =
			gst_promise_new_with_change_func(on_remote_set, relais_media_ref(m), relais_media_unref);
		g_signal_emit_by_name(m->webrtc, "set-remote-description", desc, p);
		gst_promise_unref(p);
		gst_webrtc_session_description_free(desc);
	}
	relais_media_set_state(m, RELAIS_MEDIA_STATE_CONNECTING);
	return TRUE;
}

char *relais_media_dup_local_sdp(RelaisMedia *m)
{
	g_return_val_if_fail(m != NULL, NULL);
	GstElement *webrtc = relais_media_ref_webrtc(m);
	if (webrtc == NULL)
		return NULL;
	GstWebRTCSessionDescription *desc = NULL;
	g_object_get(webrtc, "local-description", &desc, NULL);
	gst_object_unref(webrtc);
	if (desc == NULL)
		return NULL;
	char *text = sdp_for_peer(m, desc->sdp);
	gst_webrtc_session_description_free(desc);
	return text;
}

void relais_media_negotiate_watch(RelaisMedia *m)
{
	relais_media_connect(m, m->video_in, "notify::caps", G_CALLBACK(on_sink_caps));
	relais_media_connect(m, m->audio_in, "notify::caps", G_CALLBACK(on_sink_caps));
	relais_media_connect(m, m->webrtc, "on-negotiation-needed", G_CALLBACK(on_negotiation_needed));
}
