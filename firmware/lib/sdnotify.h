/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sdnotify: a program's messages to systemd (Type=notify units in
 * board/common/systemd/) through libsystemd's sd_notify(): READY=1 once it
 * serves, STATUS= lines, STOPPING=1, and WATCHDOG=1 fed from the program's
 * own GLib main loop at half of WATCHDOG_USEC. A loop that hangs stops the
 * pings, and systemd restarts the program after WatchdogSec=.
 *
 * A loop that runs is not enough for the booth: its media thread can hang
 * while the UI loop still turns. A program adds one heartbeat per such thread;
 * the thread calls relais_notify_beat() regularly, and the loop stops feeding
 * the watchdog as soon as one heartbeat has been silent for longer than its
 * limit (STATUS= says which), and feeds it again when it beats again. A
 * health check (relais_notify_set_health) does the same for a condition the
 * loop reads rather than a thread that beats.
 *
 * Without NOTIFY_SOCKET (run by hand, in tests, in the demo) everything is a
 * no-op: no timer, no socket.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RELAIS_NOTIFY_ERROR (relais_notify_error_quark())
GQuark relais_notify_error_quark(void);

typedef enum {
	RELAIS_NOTIFY_ERROR_SEND, /* sd_notify() failed (the socket is gone, not a datagram socket...) */
} RelaisNotifyError;

typedef struct _RelaisNotify RelaisNotify;
typedef struct _RelaisNotifyHeartbeat RelaisNotifyHeartbeat;

/* Reads NOTIFY_SOCKET and WATCHDOG_USEC (sd_watchdog_enabled(), which also
 * honours WATCHDOG_PID) and, when the watchdog is on, feeds it from a timer
 * on `context` (NULL: the default main context) every WATCHDOG_USEC / 2.
 * Returns: (transfer full). */
RelaisNotify *relais_notify_new(GMainContext *context);
/* Removes the timer and frees the heartbeats (no thread may beat any more). */
void relais_notify_free(RelaisNotify *n);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RelaisNotify, relais_notify_free)

/* TRUE when NOTIFY_SOCKET is set (the program runs under systemd). */
gboolean relais_notify_enabled(RelaisNotify *n);
/* The watchdog timeout systemd asked for, in microseconds; 0 when off. */
guint64 relais_notify_watchdog_usec(RelaisNotify *n);

/* READY=1 with a STATUS= line (`status` nullable). Once the program serves. */
G_GNUC_WARN_UNUSED_RESULT
gboolean relais_notify_ready(RelaisNotify *n, const char *status, GError **error);
/* STATUS=<status>: shown by `systemctl status`; also re-sent when a silent
 * heartbeat beats again. */
G_GNUC_WARN_UNUSED_RESULT
gboolean relais_notify_status(RelaisNotify *n, const char *status, GError **error);
/* STOPPING=1, when the program starts shutting down. */
G_GNUC_WARN_UNUSED_RESULT
gboolean relais_notify_stopping(RelaisNotify *n, GError **error);

/* A thread the watchdog also depends on: if it does not call
 * relais_notify_beat() for `max_silence_usec`, the pings stop. It counts as
 * having beaten when added. Returns: (transfer none) owned by `n`. */
RelaisNotifyHeartbeat *relais_notify_add_heartbeat(RelaisNotify *n, const char *name, guint64 max_silence_usec);
/* Called by that thread (thread-safe, cheap: one lock, no system call). */
void relais_notify_beat(RelaisNotifyHeartbeat *hb);
/* A heartbeat only counts while active (the default): a thread that has
 * nothing to do between calls (the booth's media streaming threads when no
 * call or preview runs) is made inactive, and counts as having beaten when
 * made active again. Thread-safe. */
void relais_notify_heartbeat_set_active(RelaisNotifyHeartbeat *hb, gboolean active);

/* A check the watchdog also depends on, for what no thread of ours can beat
 * for (the booth: has the camera's streaming thread delivered a frame
 * lately?). Called on the main loop before each WATCHDOG=1; returns why the
 * program is not healthy (transfer full), or NULL when it is. While it
 * says why, no ping is sent; the reason is logged once per episode
 * ("<why>; not feeding the watchdog") and sent as STATUS=. */
typedef char *(*RelaisNotifyHealthFunc)(gpointer user_data);
/* Sets (or with NULL clears) the health check; main loop only. */
void relais_notify_set_health(RelaisNotify *n, RelaisNotifyHealthFunc func, gpointer user_data);

/* WATCHDOG=1 pings sent since relais_notify_new() (diagnostics, tests). */
guint relais_notify_pings(RelaisNotify *n);

G_END_DECLS
