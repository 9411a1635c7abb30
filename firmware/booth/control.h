/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * control: a local control socket for the headless booth (tests, the demo,
 * technicians over ssh). One JSON object per line in, one per line out:
 *
 *   {"cmd":"status"}
 *   {"cmd":"request","topic":"job-search","language":"fr","answers":{"situation":"job-seeker"}}
 *   {"cmd":"end"}            ends the call or leaves the queue
 *   {"cmd":"chat","text":"hello"}
 *   {"cmd":"drop-link"}      drops the switchboard link as a network fault would
 *   {"cmd":"health"}         {"ok":true,"healthy":bool,"service":"up","link":"up"|"down",
 *                            "camera","microphone":"ok"|"failed"|"unknown","reasons":[...]}
 *                            (diag.h booth_diag_health(): what the health service
 *                            polls before it keeps an update)
 *   {"cmd":"sim-device","device":"camera"|"microphone","state":"lost"|"back"}
 *                            the sim board only: unplugs (plugs back) its
 *                            simulated camera or microphone, as a USB
 *                            device's unplug would (media-device.h); held
 *                            for every call until plugged back. `status`
 *                            has "devices": {"camera": {"state": "ok"|"lost"|
 *                            "failed", "tries": N}, "microphone": {...}}
 *   {"cmd":"guest-answer","accept":true|false}
 *                            the visitor's answer to the guest asking to join
 *                            ("Let them in" / "Not now"); an error when none
 *                            asks. `status` has "guest_ask": {"name", "role",
 *                            "seconds_left", "ms_left"} while one asks, and
 *                            "guest": {"name", "role", "state"} once a guest
 *                            was let in ("joining", "joined", "removed",
 *                            "left"); the booth's own decline shows nothing
 *   {"cmd":"update-report"}  reads the update status file again and sends its
 *                            report: {"ok":true,"sent":bool,"report":{...}}; a
 *                            missing or invalid file is an error (nothing sent)
 *
 * With the touch UI (--ui), visitors start sessions on the screen, and
 * `request` is refused; instead, as a finger or a switch would:
 *
 *   {"cmd":"tap","target":"answer","str":"job-search"}   the on-screen target
 *                            that sends that journey event (journey.h names)
 *   {"cmd":"tap","target":"guest","str":"yes"|"no"}    "Let them in" / "Not now"
 *                            on the guest's ask, through SDL's event queue
 *   {"cmd":"key","key":"Tab"}                           a key press
 *   {"cmd":"screenshot","path":"/tmp/booth.png"}        the last frame, PNG
 *
 * and `status` carries a "visitor" object (screen, language, ...).
 *
 * Test hooks, only when the booth was started with RELAIS_BOOTH_TEST_HOOKS=1
 * (otherwise an unknown command, as in a field booth):
 *
 *   {"cmd":"debug-block","thread":"main","seconds":3}    blocks the main loop
 *                            (replies when it is over)
 *   {"cmd":"debug-block","thread":"media","seconds":6}   stalls the camera's
 *                            streaming thread of the call or the preview
 *   both reply {"ok":true,"thread":..,"from_us":..,"until_us":..}, the
 *   block's window on the monotonic clock (tests/integration/test-notify.c)
 *
 * Replies: {"ok":true,...} or {"ok":false,"error":"<what is wrong>"}.
 * The socket is a Unix socket with mode 0600: only the booth's own user
 * (and root) may drive it.
 */
#pragma once

#include "booth.h"
#include "technician.h"
#include "visitor.h"

G_BEGIN_DECLS

typedef struct _BoothControl BoothControl;

BoothControl *booth_control_new(Booth *booth, const char *path, GError **error) G_GNUC_WARN_UNUSED_RESULT;
void booth_control_free(BoothControl *control);
/* The touch UI, when there is one (transfer none; NULL: none). */
void booth_control_set_visitor(BoothControl *control, BoothVisitor *visitor);
/* The technician screen (technician.h): its state in `status`, and the
 * commands `touch` {"down": bool, "x", "y"} (a finger at a pixel, for the
 * gesture: down, hold, up) and `technician` {"button": "0".."9", "back",
 * "ok", "close", "speaker", "turn"}. */
void booth_control_set_technician(BoothControl *control, BoothTechnician *tech);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(BoothControl, booth_control_free)

/* Handles one command line; exposed for unit tests.
 * Returns: (transfer full) the reply line without newline. */
char *booth_control_handle(Booth *booth, BoothVisitor *visitor, const char *line);
char *booth_control_handle_full(Booth *booth, BoothVisitor *visitor, BoothTechnician *tech, const char *line);

G_END_DECLS
