/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * media-pulse: is the camera's streaming thread alive? A pad probe on the
 * capture path notes the monotonic time of each frame, so that the booth's
 * watchdog (sdnotify.h) can tell a pipeline that plays from one whose thread
 * is stuck in a driver or an element while the main loop still turns.
 *
 * The same probe holds the test hook that stalls that thread on purpose
 * (relais_pulse_stall): the booth offers it only with
 * RELAIS_BOOTH_TEST_HOOKS=1 (firmware/booth/control.h).
 *
 * Threading: the probe runs on the streaming thread; everything else from
 * any thread.
 */
#pragma once

#include <glib.h>
#include <gst/gst.h>

G_BEGIN_DECLS

typedef struct _RelaisPulse RelaisPulse;

/* Returns: (transfer full) a pulse that is not armed (silence -1). */
RelaisPulse *relais_pulse_new(void);
RelaisPulse *relais_pulse_ref(RelaisPulse *p);
void relais_pulse_unref(RelaisPulse *p);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RelaisPulse, relais_pulse_unref)

/* Notes each buffer through `pad` (the probe holds a reference). */
void relais_pulse_attach(RelaisPulse *p, GstPad *pad);

/* Armed (the pipeline plays): silence counts from now, or from the next
 * frame. Disarmed (stopped, failed, freed): silence is -1 and a stalled
 * thread is released at once, so that stopping the pipeline never waits for
 * a stall to end. */
void relais_pulse_arm(RelaisPulse *p, gboolean armed);

/* Microseconds since the last frame (or since armed, before the first);
 * -1 when not armed. */
gint64 relais_pulse_silence_us(RelaisPulse *p);

/* Test hook: the streaming thread waits `ms` in the probe at its next frame,
 * as a thread stuck in a driver would (nothing downstream of the pad moves).
 * FALSE when not armed. */
gboolean relais_pulse_stall(RelaisPulse *p, guint ms);

G_END_DECLS
