/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * backoff: reconnect delays, exponential with jitter, capped.
 * Jitter spreads a site's booths so that they do not all hit a restarted
 * switchboard in the same millisecond.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
	guint min_ms;
	guint max_ms;
	guint attempt; /* failures since the last success */
} RelaisBackoff;

void relais_backoff_init(RelaisBackoff *b, guint min_ms, guint max_ms);
/* Delay before the next attempt, in [d/2, d] where d = min(max, min * 2^attempt);
 * counts one more attempt. `rand` may be NULL (uses g_random). */
guint relais_backoff_next(RelaisBackoff *b, GRand *rand);
void relais_backoff_reset(RelaisBackoff *b);

G_END_DECLS
