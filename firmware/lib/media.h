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
 * callback runs after it. All functions are for the owner's thread, except
 * that frame functions (relais_media_set_frame_func) run on a streaming
 * thread.
 *
 * Privacy: nothing of the camera or the microphone runs unless a RelaisMedia
 * (from relais_media_start() to relais_media_free()) or a RelaisPreview
 * (preview.h, from relais_preview_start() to relais_preview_free()) exists.
 * These two objects are the only ones in the firmware that hold capture
 * elements, and both get them from one builder (media-capture.c, the only
 * caller of relais_media_conf_dup_source()); free() returns with the devices
 * closed. Only RelaisMedia has a network element.
 */
#pragma once

#include <glib.h>
#include "mediaconf.h"
#include "stamp.h"
/* RelaisLevel: internal to the media tier, used by tests that meter sound. */
#include "media-level.h"

G_BEGIN_DECLS

typedef struct _RelaisMedia RelaisMedia;

/* Forward declarations: the UI includes this header without GStreamer's. */
struct _GstSample;
struct _GstElement;
struct _GstPad;

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

/* The booth's capture devices (media-device.c). */
typedef enum {
	RELAIS_MEDIA_CAMERA,
	RELAIS_MEDIA_MICROPHONE,
} RelaisMediaDevice;
#define RELAIS_MEDIA_N_DEVICES 2

typedef enum {
	RELAIS_MEDIA_DEVICE_OK,	    /* the device's source feeds the encoder */
	RELAIS_MEDIA_DEVICE_LOST,   /* it stopped (error, end of stream): a placeholder
				     * (black frames, silence) feeds the encoder, and the
				     * device is tried again on a back-off */
	RELAIS_MEDIA_DEVICE_FAILED, /* lost, and every try since failed
				     * (CONFIG_RELAIS_MEDIA_DEVICE_TRIES): still tried, at
				     * the longest interval, until the call ends */
} RelaisMediaDeviceState;

/* "camera" / "microphone"; "ok", "lost", "failed". */
const char *relais_media_device_name(RelaisMediaDevice device);
const char *relais_media_device_state_name(RelaisMediaDeviceState state);

typedef struct {
	/* type is "offer" or "answer" */
	void (*on_sdp)(RelaisMedia *media, const char *type, const char *sdp, gpointer user_data);
	/* candidate "" means end of candidates for that mline */
	void (*on_ice)(RelaisMedia *media, guint mline, const char *candidate, gpointer user_data);
	void (*on_state)(RelaisMedia *media, RelaisMediaState state, gpointer user_data);
	/* a runtime failure (element error, negotiation failure); the call is lost */
	void (*on_error)(RelaisMedia *media, const GError *error, gpointer user_data);
	/* a capture device changed state (lost, back, failed); the call goes
	 * on with the other medium. detail: what the source said, or NULL. */
	void (*on_device)(RelaisMedia *media, RelaisMediaDevice device, RelaisMediaDeviceState state,
			  const char *detail, gpointer user_data);
} RelaisMediaCallbacks;

typedef struct {
	guint64 video_frames_sent; /* encoded frames handed to webrtcbin */
	guint64 audio_buffers_sent;
	guint64 video_frames_received;	/* decoded frames at the video sink */
	guint64 audio_buffers_received; /* decoded audio buffers at the audio sink */
	gint64 first_video_sent_us;	/* g_get_monotonic_time() of the first of each, 0 if none */
	gint64 first_video_received_us;
	gint64 first_audio_received_us;
	/* The set-up's steps at this end (g_get_monotonic_time(), 0 until
	 * then), to tell where a call's first frame waits: the remote answer
	 * handed to webrtcbin, the connection up (ICE connected and DTLS
	 * done: webrtcbin's connection state), and the first RTP packet of
	 * the remote camera out of webrtcbin (jitter buffer passed, before the
	 * depayloader and the decoder). */
	gint64 answer_set_us;
	gint64 connected_us;
	gint64 first_video_rtp_us;
	guint video_width, video_height; /* of the received video, 0 if none */
	/* What the booth sends (the encoder's output, before RTP): its bytes,
	 * the size and frame rate its caps say, and the rate over about the
	 * last second (0 until a second has passed) */
	guint64 video_bytes_sent;
	guint video_sent_width, video_sent_height;
	double video_sent_caps_fps;
	guint video_sent_kbps;
	double video_sent_fps;
	/* The adviser's shared screen (m-line RELAIS_MEDIA_SCREEN_MLINE):
	 * decoded frames at its appsink, first one's time, size as decoded. */
	guint64 screen_frames_received;
	gint64 first_screen_received_us;
	guint screen_width, screen_height;
	/* Glass-to-glass latency of the received video, from stamps the far
	 * end painted into its frames; all zero unless RELAIS_MEDIA_STAMP=1
	 * when the engine was made (benchmarks only: see stamp.h). */
	RelaisStampSummary stamp;
	/* and the booth's own part of the other direction: from each of its
	 * stamped frames' capture to the encoded frame at the payloader */
	RelaisStampSummary stamp_sent;
	/* The receiving jitter buffers' latency now (ms): the configured one,
	 * raised while packets get lost (media-quality.h, RelaisRecvDelay). */
	guint receive_latency_ms;
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
/* The video bitrate the encoder is asked for now (kbit/s): the sending
 * rate controller's target (media-rate.h), or the board's media.conf
 * bitrate when the controller is off. */
guint relais_media_get_video_kbps(RelaisMedia *media);

/* The sending rate controller's state, for status reports. */
typedef struct {
	gboolean on;	     /* FALSE: fixed bitrate */
	guint video_kbps;    /* the encoder's target */
	guint estimate_kbps; /* what the path is thought to carry, audio included */
	const char *state;   /* "increase", "hold", "decrease" or "fixed" (static) */
	const char *picture; /* "full", "3/4 size", ... (static) */
	char reason[64];     /* why the last change */
} RelaisMediaRate;
void relais_media_get_rate(RelaisMedia *media, RelaisMediaRate *rate);
void relais_media_get_stats(RelaisMedia *media, RelaisMediaStats *stats);

/* Latest decoded remote video frame, for the touch UI (next issue): an I420
 * GstSample or NULL. Each frame is handed out once (NULL until the next one
 * is decoded); older frames are dropped, never queued.
 * Returns: (transfer full) (nullable) */
struct _GstSample *relais_media_pull_remote_video(RelaisMedia *media);

typedef enum {
	RELAIS_MEDIA_VIDEO_LOCAL,  /* the booth's own camera (self-view) */
	RELAIS_MEDIA_VIDEO_REMOTE, /* the far end's decoded video */
	RELAIS_MEDIA_VIDEO_SCREEN, /* the far end's shared screen (offerer only) */
	RELAIS_MEDIA_VIDEO_GUEST,  /* a third party's decoded video (media-guest.h) */
} RelaisMediaVideo;

/* Screen sharing. The offerer's description has a third m-line (index
 * RELAIS_MEDIA_SCREEN_MLINE, after video and audio), video, a=recvonly and
 * a=content:slides (RFC 4796): the adviser's page puts a display track on
 * that transceiver's sender with replaceTrack() when sharing starts and
 * replaceTrack(null) when it stops, so no renegotiation is ever needed. The
 * booth sends nothing on it. The incoming stream is told from the camera by
 * its transceiver's m-line, never by arrival order, and decoded to its own
 * appsink at its own size up to CONFIG_RELAIS_MEDIA_SCREEN_MAX_WIDTH x
 * _MAX_HEIGHT (scaled down keeping its aspect), at most
 * CONFIG_RELAIS_MEDIA_SCREEN_FPS frames a second. An answerer (the C test
 * adviser) adds no such transceiver: the offer's extra m-line is answered
 * inactive. */
#define RELAIS_MEDIA_SCREEN_MLINE 2

/* A new I420 frame (640x480 on every board as configured; read the size from
 * the sample's caps). Called on a streaming thread: do as little as possible
 * (post the sample to a mailbox: gst_sample_ref() it and swap a pointer under
 * a mutex) and never call a relais_media_* or relais_preview_* function from
 * it. The sample is (transfer none): ref it to keep it. Buffers may be
 * shared with the encoder or the decoder: read-only. */
typedef void (*RelaisMediaFrameFunc)(struct _GstSample *sample, gpointer user_data);

/* Sets (or with NULL clears) the function that receives each new frame of
 * `which`. Any time, from any thread, before or after start(). When it
 * returns, the previous function is no longer running and will not be
 * called again; nothing is called after relais_media_free(). Without a LOCAL
 * function the self-view branch drops frames before its queue (it costs a
 * buffer ref a frame). A REMOTE function sees every decoded frame;
 * relais_media_pull_remote_video() keeps working beside it. */
void relais_media_set_frame_func(RelaisMedia *media, RelaisMediaVideo which, RelaisMediaFrameFunc func,
				 gpointer user_data);

/* Controls. Each may be called at any time after new(), before start()
 * too, and holds until changed or free(). */

/* Muted: the audio sent is digital silence (a `volume` element after echo
 * cancellation and before the encoder zeroes the samples); packets still
 * flow, so the far end's decoder stays in step. The mic level
 * (relais_media_get_mic_level) is measured before it and keeps moving while
 * muted, so that the UI can say "you are muted, but we hear you". */
/* Relay only: candidates through TURN alone, no host or server-reflexive
 * ones (the booth's addresses never reach the far end; for sites whose
 * firewall allows nothing else). Before relais_media_start(). */
void relais_media_set_relay_only(RelaisMedia *media, gboolean relay_only);
/* ICE uses these local addresses only (NULL or empty: every interface but
 * loopback, libnice's choice): a booth with several networks, or a test
 * that must stay on 127.0.0.1. Before relais_media_start(). Returns FALSE
 * with an error for an address that is not an IP literal. */
gboolean relais_media_set_local_addresses(RelaisMedia *media, const char *const *addresses,
					  GError **error) G_GNUC_WARN_UNUSED_RESULT;
void relais_media_set_muted(RelaisMedia *media, gboolean muted);
gboolean relais_media_get_muted(RelaisMedia *media);

/* Camera off: every captured frame is replaced before the encoder, and
 * before the self-view, by a black one (Y 16, U/V 128): the far end receives
 * black frames and the LOCAL frame function receives the same black frames,
 * so the self-view shows exactly what the adviser sees (the UI may draw a
 * "camera off" sign over it). The device stays open (turning the camera back
 * on is instant); a keyframe is requested at each change so that the switch
 * is clean at once. */
void relais_media_set_camera_off(RelaisMedia *media, gboolean off);
gboolean relais_media_get_camera_off(RelaisMedia *media);

/* Loudness of the adviser, 0..100 (clamped), on a cubic scale as desktop
 * volume sliders (50 is 0.125 of the amplitude, 100 leaves the sound
 * untouched and costs nothing). Applied by a `volume` element between the
 * remote audio decoder and the playback fragment, so that the echo
 * canceller's probe sees what is really played. Default 100. */
void relais_media_set_volume(RelaisMedia *media, int percent);
int relais_media_get_volume(RelaisMedia *media);

/* Peak level, 0..1 of full scale (linear), of the last ~100 ms of the
 * microphone after echo cancellation, noise suppression and gain control:
 * what the far end would hear if not muted. 0 before the first sound.
 * Any thread; lock-free. */
double relais_media_get_mic_level(RelaisMedia *media);

/* Connection quality in bars, 0..3, cheap to call from the UI each frame.
 * 0 unless CONNECTED. Otherwise from webrtcbin's statistics, fetched every
 * 2 s without blocking the main loop: the worst packet loss of the last
 * interval (inbound RTP: lost / expected; remote-inbound RTP: the far end's
 * fraction lost from its RTCP reports) and the round-trip time (remote-
 * inbound RTP):
 *   3: loss < 2 % and RTT < 300 ms
 *   2: loss < 8 % and RTT < 600 ms
 *   1: worse, or no video frame (camera or shared screen) nor audio buffer received for more than 2 s
 * While no statistics are available yet: 3 when media arrives. */
int relais_media_get_quality(RelaisMedia *media);

/* Returns: (transfer full) (nullable) the local description as it is now,
 * including every candidate gathered so far (a=candidate lines), or NULL
 * before it is set. Lets the booth send one complete offer on `call` when
 * gathering finished while the visitor waited, instead of the offer and a
 * trickle of stored candidates. */
char *relais_media_dup_local_sdp(RelaisMedia *media);

/* The booth's watchdog: microseconds since the camera's streaming thread
 * last delivered a frame (since start() before the first), a few tens of
 * milliseconds while it runs; -1 when the pipeline does not play (before
 * start(), after a failure, once freed). Any thread. */
gint64 relais_media_get_video_silence_us(RelaisMedia *media);
/* Test hook (RELAIS_BOOTH_TEST_HOOKS=1 in the booth, control.h): the
 * camera's streaming thread waits `ms` at its next frame, as a thread stuck
 * in a driver would; relais_media_free() releases it. FALSE when the
 * pipeline does not play. */
gboolean relais_media_stall_video(RelaisMedia *media, guint ms);

/* A capture device's state (OK before start()). */
RelaisMediaDeviceState relais_media_get_device_state(RelaisMedia *media, RelaisMediaDevice device);
/* Consecutive failed tries since the device was lost (0 while OK). */
guint relais_media_get_device_tries(RelaisMedia *media, RelaisMediaDevice device);

/* The simulated unplug (the sim board only: the booth offers it there
 * alone). While `lost`, the device's source element fails its next buffer
 * with GST_FLOW_ERROR, so that the element itself posts the error a USB
 * camera's unplug posts and stops (basesrc's "Internal data stream error",
 * then EOS), and each new try fails the same way on its first buffer.
 * Cleared, the next try succeeds. Any time after new(). */
void relais_media_set_device_fault(RelaisMedia *media, RelaisMediaDevice device, gboolean lost);

/* Returns: (transfer full) (nullable) the pipeline, for tests and
 * diagnostics only (walking its elements, adding a probe): never change its
 * state or structure. NULL once freed. */
struct _GstElement *relais_media_dup_pipeline(RelaisMedia *media);

/* Stops the pipeline (sources released, nothing left buffered) and frees. */
void relais_media_free(RelaisMedia *media);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RelaisMedia, relais_media_free)

G_END_DECLS
