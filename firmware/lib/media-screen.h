/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * media-screen: the adviser's shared screen, received on the offerer's
 * third m-line (RELAIS_MEDIA_SCREEN_MLINE, see media.h): its receive-only
 * transceiver, and its decoder, rate limit and scaler down to the Kconfig
 * box, ending in an appsink whose frames go to the SCREEN frame function.
 */
#pragma once

#include "media.h"

G_BEGIN_DECLS

/* Adds the transceiver to media's webrtcbin (after the two send pads, so
 * that it gets m-line 2) and the branch to its pipeline, ready for
 * webrtcbin's pad. vdec_desc: the board's video decoder fragment, NULL for
 * decodebin. Offerer only. */
gboolean relais_media_screen_build(RelaisMedia *media, const RelaisMediaConf *conf, const char *vdec_desc,
				   GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
