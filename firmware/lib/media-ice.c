/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "relais-media"

#include "media-ice.h"
#include "media-events.h"
#include "media-private.h"

#include <string.h>
#include <nice/agent.h>

void relais_media_ice_tune(GstElement *webrtc)
{
	GObject *ice = NULL;
	g_object_get(webrtc, "ice-agent", &ice, NULL);
	if (ice == NULL)
		return;
	/* Fewer candidate pairs, checked sooner: connectivity checks are
	 * paced one per stun-pacing-timer, so every useless pair delays the
	 * first frame. ICE-TCP host candidates double the pairs and a network
	 * that blocks UDP is served by TURN over TCP/TLS instead; UPnP port
	 * mapping on a library's router is neither wanted nor reliable. */
	if (g_object_class_find_property(G_OBJECT_GET_CLASS(ice), "ice-tcp") != NULL)
		g_object_set(ice, "ice-tcp", FALSE, NULL);
	GObject *agent = NULL;
	if (g_object_class_find_property(G_OBJECT_GET_CLASS(ice), "agent") != NULL)
		g_object_get(ice, "agent", &agent, NULL);
	if (agent != NULL) {
		if (g_object_class_find_property(G_OBJECT_GET_CLASS(agent), "upnp") != NULL)
			g_object_set(agent, "upnp", FALSE, NULL);
		/* libnice sends one check per tick (20 ms by default), triggered
		 * checks and the nomination included: 5 ms, the floor RFC 8445
		 * allows, takes ICE from ~60 ms to ~20 ms on a LAN. */
		if (g_object_class_find_property(G_OBJECT_GET_CLASS(agent), "stun-pacing-timer") != NULL)
			g_object_set(agent, "stun-pacing-timer", 5, NULL);
		g_object_unref(agent);
	}
	g_object_unref(ice);
}

/* "stun:host:port" (RFC 7064) is accepted for "stun://host:port". */
static char *normalise_ice_uri(const char *uri)
{
	static const char *const schemes[] = {"stun", "turn", "turns"};
	for (gsize i = 0; i < G_N_ELEMENTS(schemes); i++) {
		gsize n = strlen(schemes[i]);
		if (g_ascii_strncasecmp(uri, schemes[i], n) == 0 && uri[n] == ':') {
			const char *rest = uri + n + 1;
			if (g_str_has_prefix(rest, "//"))
				rest += 2;
			return g_strdup_printf("%s://%s", schemes[i], rest);
		}
	}
	return NULL;
}

gboolean relais_media_ice_set_servers(GstElement *webrtc, const char *const *servers, GError **error)
{
	gboolean have_stun = FALSE;
	for (guint i = 0; servers != NULL && servers[i] != NULL; i++) {
		g_autofree char *uri = normalise_ice_uri(servers[i]);
		g_autoptr(GUri) parsed = uri ? g_uri_parse(uri, G_URI_FLAGS_HAS_PASSWORD, NULL) : NULL;
		if (parsed == NULL || g_uri_get_host(parsed) == NULL || *g_uri_get_host(parsed) == '\0') {
			g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_ICE_SERVER,
				    "unusable ICE server \"%s\" (want stun://host:port or turn://user:pass@host:port)",
				    servers[i]);
			return FALSE;
		}
		if (g_str_has_prefix(uri, "stun://")) {
			if (have_stun) {
				/* webrtcbin takes one; the first is the nearest by contract. */
				g_debug("ignoring extra STUN server %s", uri);
				continue;
			}
			g_object_set(webrtc, "stun-server", uri, NULL);
			have_stun = TRUE;
		} else {
			if (g_uri_get_user(parsed) == NULL || g_uri_get_password(parsed) == NULL) {
				g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_ICE_SERVER,
					    "TURN server \"%s\" has no credentials", servers[i]);
				return FALSE;
			}
			gboolean ok = FALSE;
			g_signal_emit_by_name(webrtc, "add-turn-server", uri, &ok);
			if (!ok) {
				g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_ICE_SERVER,
					    "webrtcbin rejected TURN server \"%s\"", servers[i]);
				return FALSE;
			}
		}
	}
	return TRUE;
}

gboolean relais_media_set_local_addresses(RelaisMedia *m, const char *const *addresses, GError **error)
{
	g_return_val_if_fail(m != NULL, FALSE);
	if (addresses == NULL || addresses[0] == NULL)
		return TRUE;
	if (!relais_media_ice_set_local_addresses(m->webrtc, addresses, error))
		return FALSE;
	g_strfreev(m->local_addresses);
	m->local_addresses = g_strdupv((char **)addresses);
	return TRUE;
}

gboolean relais_media_ice_set_local_addresses(GstElement *webrtc, const char *const *addresses, GError **error)
{
	GObject *ice = NULL, *agent = NULL;
	g_object_get(webrtc, "ice-agent", &ice, NULL);
	if (ice && g_object_class_find_property(G_OBJECT_GET_CLASS(ice), "agent") != NULL)
		g_object_get(ice, "agent", &agent, NULL);
	g_clear_object(&ice);
	if (agent == NULL || !NICE_IS_AGENT(agent)) {
		g_clear_object(&agent);
		g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_STATE, "no libnice agent to restrict");
		return FALSE;
	}
	for (const char *const *a = addresses; *a; a++) {
		NiceAddress addr;
		nice_address_init(&addr);
		if (!nice_address_set_from_string(&addr, *a)) {
			g_object_unref(agent);
			g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_ICE_SERVER,
				    "ICE local address '%s' is not an IP address", *a);
			return FALSE;
		}
		nice_agent_add_local_address(NICE_AGENT(agent), &addr);
	}
	g_object_unref(agent);
	return TRUE;
}

void relais_media_set_relay_only(RelaisMedia *m, gboolean relay_only)
{
	g_return_if_fail(m != NULL);
	m->relay_only = relay_only;
	g_object_set(m->webrtc, "ice-transport-policy",
		     relay_only ? GST_WEBRTC_ICE_TRANSPORT_POLICY_RELAY : GST_WEBRTC_ICE_TRANSPORT_POLICY_ALL, NULL);
}

/* The connection address of an SDP candidate line, or NULL. */
static char *candidate_address(const char *candidate)
{
	g_auto(GStrv) fields = g_strsplit(candidate, " ", 7);
	if (g_strv_length(fields) < 6)
		return NULL;
	return g_strdup(fields[4]);
}

void relais_media_add_ice(RelaisMedia *m, guint mline, const char *candidate)
{
	g_return_if_fail(m != NULL);
	GstElement *webrtc = relais_media_ref_webrtc(m);
	if (webrtc == NULL)
		return;
	relais_media_ice_add_remote(webrtc, mline, candidate);
	gst_object_unref(webrtc);
}

void relais_media_ice_add_remote(GstElement *webrtc, guint mline, const char *candidate)
{
	if (candidate == NULL || *candidate == '\0') {
		g_signal_emit_by_name(webrtc, "add-ice-candidate", mline, NULL);
	} else {
		g_autofree char *addr = candidate_address(candidate);
		if (addr == NULL) {
			g_debug("ignoring malformed ICE candidate \"%s\"", candidate);
		} else if (g_str_has_suffix(addr, ".local")) {
			/* Chromium hides host addresses behind mDNS names that
			 * libnice cannot resolve; peer-reflexive candidates still
			 * connect the call. */
			g_debug("skipping mDNS candidate %s", addr);
		} else {
			g_signal_emit_by_name(webrtc, "add-ice-candidate", mline, candidate);
		}
	}
}

static void on_ice_candidate(GstElement *webrtc, guint mline, const char *candidate, gpointer data)
{
	RelaisMedia *m = data;
	relais_media_emit_ice(m, mline, candidate);
}

static void on_gathering_state(GstElement *webrtc, GParamSpec *pspec, gpointer data)
{
	RelaisMedia *m = data;
	GstWebRTCICEGatheringState s;
	g_object_get(webrtc, "ice-gathering-state", &s, NULL);
	if (s != GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE)
		return;
	g_mutex_lock(&m->lock);
	for (guint i = 0; i < m->n_mlines; i++) {
		relais_media_emit_ice_locked(m, i, "");
	}
	g_mutex_unlock(&m->lock);
}

static void on_ice_connection_state(GstElement *webrtc, GParamSpec *pspec, gpointer data)
{
	GstWebRTCICEConnectionState s;
	g_object_get(webrtc, "ice-connection-state", &s, NULL);
	g_debug("ICE connection state %d at %" G_GINT64_FORMAT " ms", s, g_get_monotonic_time() / 1000);
}

void relais_media_ice_watch(RelaisMedia *m)
{
	relais_media_connect(m, m->webrtc, "on-ice-candidate", G_CALLBACK(on_ice_candidate));
	relais_media_connect(m, m->webrtc, "notify::ice-gathering-state", G_CALLBACK(on_gathering_state));
	relais_media_connect(m, m->webrtc, "notify::ice-connection-state", G_CALLBACK(on_ice_connection_state));
}
