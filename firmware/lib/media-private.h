/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * media-private: the call engine's state, shared by media.c and the
 * media-*.c modules that work on one engine (events, probes, ICE, screen,
 * frames). Not for programs: they use media.h.
 *
 * Locking: `lock` guards the fields marked (lock) and `closed`; a module
 * that reads the engine from a streaming thread takes it, or uses the
 * atomic fields. Lifetime: every callback GStreamer can make (signal,
 * probe, promise, source) holds a reference (relais_media_ref) and checks
 * `closed` first; see media.c.
 */
#pragma once

/* webrtcbin's headers are marked unstable although the API has been kept
 * since 1.14; acknowledging it keeps -Werror builds quiet. */
#ifndef GST_USE_UNSTABLE_API
#define GST_USE_UNSTABLE_API
#endif

#include "media.h"
#include "media-frames.h"
#include "media-level.h"
#include "media-pulse.h"
#include "media-quality.h"
#include "media-rate.h"

#include <gst/gst.h>
#include <gst/webrtc/webrtc.h>

G_BEGIN_DECLS

/* GST_DEBUG=relais-media:6 (defined in media-pipeline.c). */
GST_DEBUG_CATEGORY_EXTERN(relais_media_debug);
#define GST_CAT_DEFAULT relais_media_debug

/* A capture device's slot (media-device.c). */
typedef struct {
	RelaisMediaDevice which;
	GstPad *sink;	     /* (owned) the chain's ghost sink pad: stays */
	GstElement *current; /* (owned) the source bin linked to sink now (engine's context) */
	gboolean placeholder;
	char *desc, *device_path;
	RelaisMediaDeviceState state; /* (lock) */
	guint tries;		      /* (lock) failed tries since lost */
	GSource *retry;		      /* (lock) */
	guint serial;		      /* of current; messages from older ones are stale */
	gint fault;		      /* atomic: the simulated unplug */
	gint swapped;		      /* atomic: current is not the first source */
	gint confirm;		      /* atomic: the next buffer confirms a try */
	gboolean offset_set;	      /* streaming thread, reset while no source plays */
	GstClockTimeDiff offset;
	GstCaps *caps; /* (lock) the source's last caps, for the placeholder */
} RelaisMediaDeviceSlot;

struct _RelaisMedia {
	gatomicrefcount ref;
	GMutex lock;
	gboolean closed; /* (lock) */

	GMainContext *context;
	RelaisMediaCallbacks cb;
	gpointer user_data;
	RelaisMediaRole role;
	RelaisMediaState state; /* (lock) */
	char *board;
	guint video_kbps; /* advertised to the far end as its start bitrate */

	GstElement *pipeline;
	GstElement *webrtc;
	GstElement *video_sink;			   /* appsink */
	GstElement *video_decoder, *audio_decoder; /* bins waiting for the remote streams */
	/* Screen sharing (offerer only, else NULL): the receive-only
	 * transceiver of m-line RELAIS_MEDIA_SCREEN_MLINE, its decoder and sink. */
	GstWebRTCRTPTransceiver *screen_trans;
	GstElement *screen_decoder, *screen_sink;
	gboolean screen_linked;
	gint64 screen_last_us; /* last decoded screen frame let through (streaming thread) */
	GstElement *playback;
	GstPad *video_in, *audio_in; /* webrtcbin request pads */
	GstPad *video_pay_sink;	     /* where keyframe requests are sent from */
	GSource *bus_source;

	/* The owner's events (media-events.c). (lock) */
	GQueue events;
	GSource *event_source;

	gboolean started;
	gboolean caps_video, caps_audio;
	gboolean offer_requested;
	gboolean sdp_emitted; /* our offer/answer went to the owner */
	gboolean remote_set;
	GstWebRTCSessionDescription *pending_offer; /* answerer, until caps are known */
	gboolean video_linked, audio_linked;
	guint n_mlines;

	RelaisMediaStats stats;	      /* (lock) */
	RelaisStampStats *stamp;      /* benchmarks only (RELAIS_MEDIA_STAMP=1), see stamp.h */
	RelaisStampStats *stamp_sent; /* the same, the booth's own sending part */

	/* Frame functions, one slot per RelaisMediaVideo (media-frames.h):
	 * no engine lock is held while the owner's code runs on a streaming
	 * thread. */
	RelaisFrameSlot *frames[RELAIS_MEDIA_VIDEO_GUEST + 1];

	/* Three-way calls (media-guest.c): the encoded streams pass through a
	 * tee each, the remote audio streams meet in a mixer; the guest's
	 * connection while there is one (lock); what it needs to build its
	 * own webrtcbin and decoders, kept from new() and start(). */
	GstElement *video_tee, *audio_tee, *audio_mixer;
	struct _RelaisMediaGuest *guest;
	char *vdec_desc, *adec_desc;
	char **ice_servers, **local_addresses;
	gboolean relay_only;

	/* Controls. */
	gint camera_off;    /* atomic */
	GstElement *mute;   /* volume before the audio encoder */
	GstElement *volume; /* volume before the playback */
	RelaisLevel *mic_level;
	/* Camera off: one black frame for the negotiated caps, shared by every
	 * replaced frame (source streaming thread only; freed with the engine). */
	GstBuffer *black;
	GstCaps *black_caps;

	RelaisMediaDeviceSlot devices[RELAIS_MEDIA_N_DEVICES];

	/* The camera's streaming thread, for the booth's watchdog: armed from
	 * a successful start() until a failure or free(). */
	RelaisPulse *pulse;

	/* Quality (lock). */
	GSource *quality_source;
	gint64 connected_us, last_video_received_us, last_audio_received_us;
	/* the sending rate's window (lock): bytes and frames sent at its start */
	gint64 rate_t0;
	guint64 rate_bytes0, rate_frames0;
	RelaisQuality quality;
	/* Opus in-band FEC: the audio encoder (NULL: not opusenc) and the
	 * packet-loss-percentage given to it (lock). */
	GstElement *opusenc;
	RelaisFecLoss opus_loss;
	/* the receiving jitter buffers' latency, raised under loss (lock) */
	RelaisRecvDelay recv_delay;

	/* The sending rate (media-ratectl.c): set at build, before any
	 * report; rate and rate_applied_rung (lock). */
	gboolean rate_on;
	GstElement *rate_encoder, *rate_size, *rate_scale;
	guint rate_encoder_kind;
	RelaisRate rate;
	RelaisRateRung rate_applied_rung;
	/* Three-way calls: the guest's controller's target caps the encoder's
	 * (0: no cap), so that the encoder follows the lower of the two
	 * peers' estimates; the target the encoder has now (lock). */
	guint rate_cap_kbps, rate_applied_kbps;
	/* The last receiver report read per stream (lock): webrtcbin repeats
	 * a stream's last report in every reply until the next one comes
	 * (Chromium: a second for video, five for audio), and the controller
	 * must see each once. */
	struct {
		guint ssrc;
		double rtt;
		gint64 lost;
		guint64 sent; /* the stream's packets sent (rate_ssrc) when read */
	} rate_rr[8];
	guint rate_rr_next;
	/* RTP packets sent per SSRC out of rtprtxsend (lock): the weight of
	 * each stream's loss (RelaisRateReport.loss_packets) */
	struct {
		guint32 ssrc;
		guint64 packets;
	} rate_ssrc[8];
	/* the last keyframe request let through to the encoder, and the
	 * ones dropped since the call started (lock) */
	gint64 rate_keyframe_us;
	guint rate_keyframes_dropped;
	/* RTP bytes and packets out of webrtcbin's rtprtxsend (lock), and
	 * whether there is one */
	guint64 rate_rtp_bytes, rate_rtp_packets;
	gboolean rate_rtp_counted;
	/* retransmissions let through or refused (media-rate.h, lock); the
	 * refusals last logged at rtx_logged_us */
	RelaisRtxGate *rtx_gate;
	guint64 rtx_logged_refused;
	gint64 rtx_logged_us;
};

/* Returns: m, with one more reference. */
RelaisMedia *relais_media_ref(RelaisMedia *m);
/* GDestroyNotify for a reference taken with relais_media_ref(). */
/* Calls func on every element made by factory inside webrtcbin (its jitter
 * buffers, its RTP sessions). media-latency.c */
void relais_media_foreach_element(RelaisMedia *m, const char *factory, void (*func)(GstElement *element, gpointer data),
				  gpointer data);
void relais_media_unref(gpointer m);
/* Asks the one encoder for a key frame (an upstream force-key-unit from
 * the video payloader's input). Any thread. */
void relais_media_request_keyframe(RelaisMedia *m);
/* media-guest.c: a bus error from inside the guest's bin fails the guest's
 * connection, never the call. TRUE when the message was the guest's. */
gboolean relais_media_guest_handle_error(RelaisMedia *m, GstMessage *msg);
/* Connects a handler that holds a reference on m until disconnected. */
void relais_media_connect(RelaisMedia *m, gpointer instance, const char *signal, GCallback callback);
gboolean relais_media_is_closed(RelaisMedia *m);
char *relais_media_pad_kind(GstPad *pad);
/* Returns: (transfer full) (nullable) webrtcbin, NULL once closed. */
GstElement *relais_media_ref_webrtc(RelaisMedia *m);
/* The far end's fraction lost (0..1, from its RTCP reports; < 0: none):
 * sets the Opus encoder's packet-loss-percentage, which is what makes it
 * put in-band FEC in its packets. Any thread. */
void relais_media_set_audio_loss(RelaisMedia *m, double fraction_lost);
/* Gives every jitter buffer of webrtcbin the latency (ms) that
 * m->recv_delay says (media-latency.c). Any thread. */
void relais_media_apply_receive_latency(RelaisMedia *m);
/* Summed over the jitter buffers: the packets they passed on, and those
 * that were missing (came only as a retransmission, or never). */
void relais_media_jitter_counts(RelaisMedia *m, guint64 *pushed, guint64 *missed);

G_END_DECLS
