/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "techgate.h"

struct _RelaisTechGate {
	RelaisTechGateConfig c;
	gint64 armed_us; /* release of a held top-left press; 0: none */
	guint wrong;	 /* wrong PINs in a row */
	gint64 locked_until_us;
};

RelaisTechGate *relais_tech_gate_new(const RelaisTechGateConfig *config)
{
	RelaisTechGate *g = g_new0(RelaisTechGate, 1);
	if (config)
		g->c = *config;
	if (g->c.hold_ms == 0)
		g->c.hold_ms = 2000;
	if (g->c.window_ms == 0)
		g->c.window_ms = 5000;
	if (g->c.max_attempts == 0)
		g->c.max_attempts = 3;
	if (g->c.lock_s == 0)
		g->c.lock_s = 300;
	return g;
}

void relais_tech_gate_free(RelaisTechGate *gate)
{
	g_free(gate);
}

gboolean relais_tech_gate_press(RelaisTechGate *g, RelaisTechCorner corner, guint held_ms, gint64 now_us)
{
	gboolean held = held_ms >= g->c.hold_ms;
	gint64 started_us = now_us - (gint64)held_ms * 1000;
	if (corner == RELAIS_TECH_TOP_RIGHT && held && g->armed_us != 0 && started_us >= g->armed_us &&
	    started_us - g->armed_us <= (gint64)g->c.window_ms * 1000) {
		g->armed_us = 0;
		return TRUE;
	}
	/* anything else starts again; a held top-left press arms it */
	g->armed_us = corner == RELAIS_TECH_TOP_LEFT && held ? now_us : 0;
	return FALSE;
}

static void expire(RelaisTechGate *g, gint64 now_us)
{
	if (g->locked_until_us != 0 && now_us >= g->locked_until_us) {
		g->locked_until_us = 0;
		g->wrong = 0;
	}
}

gboolean relais_tech_gate_locked(RelaisTechGate *g, gint64 now_us, guint *left_s)
{
	expire(g, now_us);
	gboolean locked = g->locked_until_us != 0;
	if (left_s)
		*left_s = locked ? (guint)((g->locked_until_us - now_us + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC) : 0;
	return locked;
}

gboolean relais_tech_gate_may_try(RelaisTechGate *g, gint64 now_us)
{
	return !relais_tech_gate_locked(g, now_us, NULL);
}

RelaisTechPinResult relais_tech_gate_attempt(RelaisTechGate *g, gboolean correct, gint64 now_us)
{
	if (relais_tech_gate_locked(g, now_us, NULL))
		return RELAIS_TECH_PIN_LOCKED;
	if (correct) {
		g->wrong = 0;
		return RELAIS_TECH_PIN_OK;
	}
	if (++g->wrong >= g->c.max_attempts) {
		g->locked_until_us = now_us + (gint64)g->c.lock_s * G_USEC_PER_SEC;
		return RELAIS_TECH_PIN_LOCKED;
	}
	return RELAIS_TECH_PIN_WRONG;
}

guint relais_tech_gate_attempts_left(RelaisTechGate *g, gint64 now_us)
{
	if (relais_tech_gate_locked(g, now_us, NULL))
		return 0;
	return g->c.max_attempts - g->wrong;
}
