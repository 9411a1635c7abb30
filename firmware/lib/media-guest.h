/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * media-guest: a third party's media connection in a call (THREEWAY.md
 * "Booth media"), beside the adviser's on the same engine.
 *
 * A second webrtcbin, in a bin of its own inside the engine's pipeline,
 * fed by a second branch of the tees that follow the payloaders: the same
 * encoded streams go to both peers, with one encoder (never a second). One
 * queue (leaky) on each of the guest's branches, so that a slow or stuck
 * guest never holds the adviser's. The guest's camera is decoded to its
 * own appsink (frames through RELAIS_MEDIA_VIDEO_GUEST), its microphone to
 * the engine's audio mixer, in front of the volume and the echo probe.
 *
 * The booth offers: the offer is made as soon as the branches carry caps
 * (on_sdp, then on_ice as candidates come), and the owner sends it when
 * it likes (the booth: once the visitor said yes). A key-frame request
 * from the guest goes up its branch, through the tee, to the one encoder.
 *
 * A failure inside the guest's bin (an element error, ICE or DTLS failed)
 * is the guest's: its state goes FAILED and on_error says why; the call
 * and the adviser's connection go on. relais_media_guest_free() takes the
 * branch out of the playing pipeline and frees it all; a guest may come
 * and go several times in one call. Free it before the engine.
 *
 * Threading: as media.h; callbacks on the engine's context, in order.
 */
#pragma once

#include <glib.h>
#include "media.h"

G_BEGIN_DECLS

typedef struct _RelaisMediaGuest RelaisMediaGuest;

typedef struct {
	const char *state;		/* "new", "connecting", "connected", "failed" (static) */
	guint64 video_frames_received;	/* decoded from the guest, at its appsink */
	guint64 audio_buffers_received; /* decoded from the guest, into the mixer */
	guint video_width, video_height;
	gint64 first_video_received_us;
	/* RTP handed to the guest's webrtcbin once connected: what goes out
	 * to the guest (the same packets the adviser gets) */
	guint64 rtp_packets_sent, rtp_bytes_sent;
	gint64 connected_us; /* ICE and DTLS up, 0 until then */
	/* the guest's own controller's target (kbit/s): the encoder's is the
	 * lower of it and the adviser's; 0: rate control off */
	guint rate_kbps;
	/* the guest's RTCP report blocks about our streams read so far, and
	 * the worst fraction lost (0..1) of the last poll that had some (-1:
	 * none yet) */
	guint64 reports_received;
	double report_loss;
} RelaisMediaGuestStats;

/* Returns: (transfer full) the guest's connection, its offer on its way
 * to callbacks->on_sdp; NULL with an error when the engine has not started
 * or already has a guest, or an element is missing. Uses the engine's ICE
 * servers, local addresses and relay-only setting. on_device is not
 * used. */
RelaisMediaGuest *relais_media_guest_new(RelaisMedia *media, const RelaisMediaCallbacks *callbacks, gpointer user_data,
					 GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* The guest's answer. Errors as relais_media_set_remote(). */
gboolean relais_media_guest_set_remote(RelaisMediaGuest *guest, const char *type, const char *sdp,
				       GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* A remote candidate, as relais_media_add_ice(). */
void relais_media_guest_add_ice(RelaisMediaGuest *guest, guint mline, const char *candidate);

RelaisMediaState relais_media_guest_get_state(RelaisMediaGuest *guest);
void relais_media_guest_get_stats(RelaisMediaGuest *guest, RelaisMediaGuestStats *stats);

/* Takes the branch out of the engine's pipeline and frees it; no
 * callback runs after this. NULL is accepted. */
void relais_media_guest_free(RelaisMediaGuest *guest);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RelaisMediaGuest, relais_media_guest_free)

G_END_DECLS
