/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * techgate: who may open the booth's technician screen, as pure logic with
 * the clock passed in (unit-tested without a screen).
 *
 * The gesture: a press held at least hold_ms on the top-left corner, then,
 * starting within window_ms of its release, a press held as long on the
 * top-right corner. Any other press in between starts again. No visitor
 * does that by chance, and no button shows that a technician screen exists.
 *
 * The PIN: max_attempts wrong PINs in a row lock the pad for lock_s
 * seconds; while locked no PIN is even checked (a right one is refused
 * too). A right PIN, or the end of a lock, gives the attempts back. State
 * in memory only.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
	RELAIS_TECH_ELSEWHERE = -1,
	RELAIS_TECH_TOP_LEFT = 0,
	RELAIS_TECH_TOP_RIGHT = 1,
} RelaisTechCorner;

typedef struct {
	guint hold_ms;	    /* each corner's press, at least (0: 2000) */
	guint window_ms;    /* from the first release to the second press (0: 5000) */
	guint max_attempts; /* wrong PINs before the lock (0: 3) */
	guint lock_s;	    /* (0: 300) */
} RelaisTechGateConfig;

typedef enum {
	RELAIS_TECH_PIN_OK,
	RELAIS_TECH_PIN_WRONG,	/* attempts remain */
	RELAIS_TECH_PIN_LOCKED, /* locked now (this attempt locked it, or it was) */
} RelaisTechPinResult;

typedef struct _RelaisTechGate RelaisTechGate;

RelaisTechGate *relais_tech_gate_new(const RelaisTechGateConfig *config);
void relais_tech_gate_free(RelaisTechGate *gate);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RelaisTechGate, relais_tech_gate_free)

/* A press on `corner` held `held_ms`, released at `now_us` (monotonic).
 * TRUE when it completes the gesture (the gesture then starts again). */
gboolean relais_tech_gate_press(RelaisTechGate *gate, RelaisTechCorner corner, guint held_ms, gint64 now_us);

/* TRUE when PINs are refused at `now_us`; *left_s (nullable) gets the
 * seconds left, rounded up. */
gboolean relais_tech_gate_locked(RelaisTechGate *gate, gint64 now_us, guint *left_s);
/* Whether a PIN needs checking at all: FALSE while locked. */
gboolean relais_tech_gate_may_try(RelaisTechGate *gate, gint64 now_us);
/* The outcome of an attempt whose PIN the caller checked (`correct`). A
 * try while locked is LOCKED whatever `correct` says. */
RelaisTechPinResult relais_tech_gate_attempt(RelaisTechGate *gate, gboolean correct, gint64 now_us);
/* Wrong PINs still allowed before the lock. */
guint relais_tech_gate_attempts_left(RelaisTechGate *gate, gint64 now_us);

G_END_DECLS
