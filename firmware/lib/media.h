/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * media: one WebRTC call's media on webrtcbin.
 *
 * The capture, encoder, echo-cancellation and playback parts come from a
 * board's pipelines/<board>/media.conf (see mediaconf.h), never from code.
 * The booth is the offerer; the C test adviser uses the answerer role.
 *
 * Threading: callbacks are invoked on the GMainContext that was the
 * thread-default when relais_media_new() was called, never on a streaming
 * thread, in the order the events happened (an SDP before the candidates it
 * causes). relais_media_free() may be called from inside a callback; no
 * callback runs after it. All functions are for the owner's thread.
 */
#pragma once

#include <glib.h>
#include "mediaconf.h"
#include "stamp.h"

G_BEGIN_DECLS

typedef struct _RelaisMedia RelaisMedia;

/* Errors of this module; a missing element or camera comes as
 * RELAIS_MEDIACONF_ERROR from relais_media_new(). */
#define RELAIS_MEDIA_ERROR (relais_media_error_quark())
GQuark relais_media_error_quark(void);

typedef enum {
	RELAIS_MEDIA_ERROR_PIPELINE,   /* cannot build or run the pipeline (element error) */
	RELAIS_MEDIA_ERROR_SDP,	       /* malformed, unexpected or rejected description */
	RELAIS_MEDIA_ERROR_STATE,      /* call made in the wrong role or state */
	RELAIS_MEDIA_ERROR_CONNECTION, /* ICE or DTLS failed */
	RELAIS_MEDIA_ERROR_ICE_SERVER, /* unusable STUN/TURN URI */
} RelaisMediaError;

typedef enum {
	RELAIS_MEDIA_OFFERER,
	RELAIS_MEDIA_ANSWERER,
} RelaisMediaRole;

typedef enum {
	RELAIS_MEDIA_STATE_NEW,
	RELAIS_MEDIA_STATE_PREPARING,  /* pipeline running, offer being made */
	RELAIS_MEDIA_STATE_CONNECTING, /* ICE/DTLS in progress */
	RELAIS_MEDIA_STATE_CONNECTED,  /* ICE connected, DTLS done */
	RELAIS_MEDIA_STATE_FAILED,
	RELAIS_MEDIA_STATE_STOPPED,
} RelaisMediaState;

typedef struct {
	/* type is "offer" or "answer" */
	void (*on_sdp)(RelaisMedia *media, const char *type, const char *sdp, gpointer user_data);
	/* candidate "" means end of candidates for that mline */
	void (*on_ice)(RelaisMedia *media, guint mline, const char *candidate, gpointer user_data);
	void (*on_state)(RelaisMedia *media, RelaisMediaState state, gpointer user_data);
	/* a runtime failure (element error, negotiation failure); the call is lost */
	void (*on_error)(RelaisMedia *media, const GError *error, gpointer user_data);
} RelaisMediaCallbacks;

typedef struct {
	guint64 video_frames_sent; /* encoded frames handed to webrtcbin */
	guint64 audio_buffers_sent;
	guint64 video_frames_received;	/* decoded frames at the video sink */
	guint64 audio_buffers_received; /* decoded audio buffers at the audio sink */
	gint64 first_video_sent_us;	/* g_get_monotonic_time() of the first of each, 0 if none */
	gint64 first_video_received_us;
	gint64 first_audio_received_us;
	guint video_width, video_height; /* of the received video, 0 if none */
	/* Glass-to-glass latency of the received video, from stamps the far
	 * end painted into its frames; all zero unless RELAIS_MEDIA_STAMP=1
	 * when the engine was made (benchmarks only: see stamp.h). */
	RelaisStampSummary stamp;
} RelaisMediaStats;

/* Generates (once per process) the DTLS certificate every later call reuses:
 * 230-450 ms that must not be spent inside a call. Call at start-up. */
void relais_media_warm_up(void);

/* Returns: (transfer full) a new engine, or NULL with error set when the
 * configuration cannot be turned into a pipeline (missing element...).
 * Runs relais_media_conf_check() and builds the whole pipeline (nothing is
 * opened yet); conf is not used after this returns. */
RelaisMedia *relais_media_new(const RelaisMediaConf *conf, RelaisMediaRole role, const RelaisMediaCallbacks *callbacks,
			      gpointer user_data, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Builds and starts the pipeline with the given STUN/TURN URIs
 * (stun://host:port, turn://user:pass@host:port), NULL-terminated or NULL.
 * The offerer then creates its offer at once (on_sdp) and starts gathering.
 * Only the first STUN server is used (webrtcbin takes one); every TURN server
 * is added. Time-limited TURN user names ("timestamp:user") must have their
 * ':' percent-encoded. "stun:host:port" is accepted for "stun://host:port". */
gboolean relais_media_start(RelaisMedia *media, const char *const *ice_servers,
			    GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Remote description; type "offer" (answerer) or "answer" (offerer). The
 * answerer replies through on_sdp. Errors: malformed SDP, wrong role, or
 * wrong moment (before start(), before our offer went out through on_sdp,
 * twice). A description webrtcbin rejects later arrives through on_error. */
gboolean relais_media_set_remote(RelaisMedia *media, const char *type, const char *sdp,
				 GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* A remote ICE candidate ("candidate:..." line); "" is end-of-candidates.
 * Malformed lines and mDNS (.local) host candidates, which libnice cannot
 * resolve, are skipped silently: peer-reflexive candidates connect anyway. */
void relais_media_add_ice(RelaisMedia *media, guint mline, const char *candidate);

RelaisMediaState relais_media_get_state(RelaisMedia *media);
void relais_media_get_stats(RelaisMedia *media, RelaisMediaStats *stats);

/* Latest decoded remote video frame, for the touch UI (next issue): an I420
 * GstSample or NULL. Each frame is handed out once (NULL until the next one
 * is decoded); older frames are dropped, never queued.
 * Returns: (transfer full) (nullable) */
struct _GstSample *relais_media_pull_remote_video(RelaisMedia *media);

/* Returns: (transfer full) (nullable) the local description as it is now,
 * including every candidate gathered so far (a=candidate lines), or NULL
 * before it is set. Lets the booth send one complete offer on `call` when
 * gathering finished while the visitor waited, instead of the offer and a
 * trickle of stored candidates. */
char *relais_media_dup_local_sdp(RelaisMedia *media);

/* Stops the pipeline (sources released, nothing left buffered) and frees. */
void relais_media_free(RelaisMedia *media);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RelaisMedia, relais_media_free)

G_END_DECLS
