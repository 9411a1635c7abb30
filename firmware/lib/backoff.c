/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "relais-backoff"

#include "backoff.h"

void relais_backoff_init(RelaisBackoff *b, guint min_ms, guint max_ms)
{
	b->min_ms = MAX(min_ms, 1);
	b->max_ms = MAX(max_ms, b->min_ms);
	b->attempt = 0;
}

guint relais_backoff_next(RelaisBackoff *b, GRand *rand)
{
	guint64 d = b->min_ms;
	for (guint i = 0; i < b->attempt && d < b->max_ms; i++)
		d *= 2;
	d = MIN(d, b->max_ms);
	if (b->attempt < G_MAXUINT)
		b->attempt++;
	guint half = (guint)(d / 2);
	gint32 span = (gint32)MIN(d - half, G_MAXINT32 - 1);
	guint jitter = rand ? (guint)g_rand_int_range(rand, 0, span + 1) : (guint)g_random_int_range(0, span + 1);
	return half + jitter;
}

void relais_backoff_reset(RelaisBackoff *b)
{
	b->attempt = 0;
}
