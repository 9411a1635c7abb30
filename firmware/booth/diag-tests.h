/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * diag-tests: the technician's two active checks, whose outcome the
 * diagnostics report (diag.h) shows as "speaker" and "turn":
 *
 * - speaker: a 1 s 880 Hz tone through the board's own playback fragment
 *   (pipelines/<board>/media.conf [audio] playback): "ok" when it has all
 *   gone through the sink, "error" with GStreamer's reason otherwise.
 * - turn: a libnice agent gathers candidates with the TURN servers the
 *   switchboard gave in its welcome: "reachable" when a relayed candidate
 *   appears within the time allowed, "unreachable" otherwise,
 *   "not_configured" when the switchboard gave no TURN server.
 *
 * Each runs on the default main context, records "testing" at once and
 * its outcome when done (BoothFacts.checks); a second start while one runs
 * does nothing. Neither touches the camera, nor anything of a visitor.
 */
#pragma once

#include "booth.h"

G_BEGIN_DECLS

void booth_diag_test_speaker(Booth *booth);
/* timeout_ms 0: 5000 */
void booth_diag_test_turn(Booth *booth, guint timeout_ms);

G_END_DECLS
