/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * media-device: a camera or microphone that is lost mid-call and comes
 * back, without the call ending (issue 13, scenario 7).
 *
 * Each capture source plays in a bin of its own, linked to its chain's
 * ghost sink pad (media-capture.h). An error posted by an element of that
 * bin, or an end of stream out of it, is the device lost: the bin is
 * stopped and taken out, a placeholder (black frames at the caps the
 * camera had; silence) is linked in its place so that the encoder and the
 * far end's decoder go on, and the device is tried again after 1 s, then
 * twice as long after each failed try up to
 * CONFIG_RELAIS_MEDIA_DEVICE_RETRY_MAX_MS. A try builds the source afresh
 * from the board's fragment (a device path configured in media.conf must
 * exist first); its first buffer through the chain's pad makes the device
 * OK again. The owner hears each change through on_device.
 *
 * Sources swapped in mid-call start their own timestamps and segments at
 * zero: on the chain's pad their STREAM_START and SEGMENT are dropped (the
 * chain keeps the first ones) and their buffers are moved to the
 * pipeline's running time, so that the encoder and RTP see one stream.
 * EOS never passes that pad: a live call does not end because a device
 * did.
 *
 * Threading: setup, the bus handlers and the retries run on the engine's
 * context (the bus watch); the pad probes on the streaming threads.
 */
#pragma once

#include "media-private.h"

G_BEGIN_DECLS

/* Puts `source` (transfer full: a sunk bin with one src pad, made from
 * fragment `desc`) into the pipeline and links it to `sink`. device_path:
 * media.conf's `device` for this source when the source is the device's
 * own (NULL: nothing to wait for before a try). */
gboolean relais_media_device_setup(RelaisMedia *media, RelaisMediaDevice which, GstPad *sink, GstElement *source,
				   const char *desc, const char *device_path, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* An ERROR message on the engine's bus: TRUE when it was a capture
 * source's (handled: the device is lost, or the error came from a source
 * already taken out), FALSE when the call must fail. */
gboolean relais_media_device_handle_error(RelaisMedia *media, GstMessage *msg);
/* An APPLICATION message on the bus: TRUE when it was one of this module's. */
gboolean relais_media_device_handle_message(RelaisMedia *media, GstMessage *msg);

/* Stops the retries (free()). */
void relais_media_device_close(RelaisMedia *media);
/* Frees what setup made (the last reference). */
void relais_media_device_clear(RelaisMediaDeviceSlot *slot);

G_END_DECLS
