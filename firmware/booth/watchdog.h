/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * watchdog: the booth's side of its Type=notify unit (sdnotify.h):
 * READY=1 once its first screen is up, STOPPING=1 at the end, and
 * WATCHDOG=1 fed from the main loop only while the camera's streaming
 * thread also runs: while a call's or the self-check preview's pipeline
 * plays and its camera has delivered no frame for the media limit, the pings
 * stop, the log says "media thread stuck: no video buffer for 12.0 s; not
 * feeding the watchdog", and systemd restarts the booth after WatchdogSec=.
 * No pipeline playing counts as healthy.
 *
 * The media limit is CONFIG_RELAIS_BOOTH_MEDIA_STALL_S, and at most half of
 * WATCHDOG_USEC, so that a stuck thread is always noticed before systemd's
 * own timeout would be the first to tell (board/common/README.md).
 */
#pragma once

#include "booth.h"

G_BEGIN_DECLS

typedef struct _BoothWatchdog BoothWatchdog;

/* Says READY=1 with `status`; feeds the watchdog from the default main
 * context while `booth` lives (booth is not owned; free this first).
 * Without NOTIFY_SOCKET it does nothing. Returns: (transfer full). */
BoothWatchdog *booth_watchdog_new(Booth *booth, const char *status);
/* Says STOPPING=1 (the main loop has ended). */
void booth_watchdog_stopping(BoothWatchdog *watchdog);
void booth_watchdog_free(BoothWatchdog *watchdog);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(BoothWatchdog, booth_watchdog_free)

G_END_DECLS
