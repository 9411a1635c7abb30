/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "logring.h"

#include <string.h>

typedef struct {
	gint64 time_us;
	GLogLevelFlags level;
	char *domain;
	char *message;
} Entry;

struct _RelaisLogRing {
	GMutex lock;
	Entry *entries;
	guint capacity;
	guint start; /* the oldest */
	guint count;
};

RelaisLogRing *relais_log_ring_new(guint capacity)
{
	g_return_val_if_fail(capacity >= 1, NULL);
	RelaisLogRing *ring = g_new0(RelaisLogRing, 1);
	g_mutex_init(&ring->lock);
	ring->entries = g_new0(Entry, capacity);
	ring->capacity = capacity;
	return ring;
}

static void entry_clear(Entry *e)
{
	g_clear_pointer(&e->domain, g_free);
	g_clear_pointer(&e->message, g_free);
}

void relais_log_ring_free(RelaisLogRing *ring)
{
	if (ring == NULL)
		return;
	for (guint i = 0; i < ring->capacity; i++)
		entry_clear(&ring->entries[i]);
	g_free(ring->entries);
	g_mutex_clear(&ring->lock);
	g_free(ring);
}

/* Cut to the cap on a character boundary; invalid UTF-8 made valid, since
 * the report is JSON. */
static char *cut(const char *message)
{
	g_autofree char *valid = g_utf8_make_valid(message ? message : "", -1);
	if (strlen(valid) <= RELAIS_LOGRING_MAX_MESSAGE)
		return g_steal_pointer(&valid);
	const char *end = g_utf8_find_prev_char(valid, valid + RELAIS_LOGRING_MAX_MESSAGE + 1);
	return g_strndup(valid, end ? (gsize)(end - valid) : 0);
}

void relais_log_ring_add(RelaisLogRing *ring, gint64 time_us, GLogLevelFlags level, const char *domain,
			 const char *message)
{
	char *m = cut(message);
	char *d = g_strdup(domain);
	g_mutex_lock(&ring->lock);
	Entry *e;
	if (ring->count < ring->capacity) {
		e = &ring->entries[(ring->start + ring->count) % ring->capacity];
		ring->count++;
	} else {
		e = &ring->entries[ring->start];
		ring->start = (ring->start + 1) % ring->capacity;
	}
	entry_clear(e);
	*e = (Entry){time_us, level & G_LOG_LEVEL_MASK, d, m};
	g_mutex_unlock(&ring->lock);
}

guint relais_log_ring_count(RelaisLogRing *ring)
{
	g_mutex_lock(&ring->lock);
	guint n = ring->count;
	g_mutex_unlock(&ring->lock);
	return n;
}

void relais_log_ring_foreach(RelaisLogRing *ring, RelaisLogRingFunc func, gpointer user_data)
{
	g_mutex_lock(&ring->lock);
	for (guint i = 0; i < ring->count; i++) {
		const Entry *e = &ring->entries[(ring->start + i) % ring->capacity];
		RelaisLogEntry le = {e->time_us, e->level, e->domain, e->message};
		func(&le, user_data);
	}
	g_mutex_unlock(&ring->lock);
}

GLogWriterOutput relais_log_ring_writer(GLogLevelFlags level, const GLogField *fields, gsize n_fields,
					gpointer user_data)
{
	RelaisLogRing *ring = user_data;
	/* G_LOG_LEVEL_ERROR < CRITICAL < WARNING: the lower bits are worse */
	if (ring && (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))) {
		const char *domain = NULL, *message = NULL;
		for (gsize i = 0; i < n_fields; i++) {
			if (g_str_equal(fields[i].key, "GLIB_DOMAIN") && fields[i].length < 0)
				domain = fields[i].value;
			else if (g_str_equal(fields[i].key, "MESSAGE") && fields[i].length < 0)
				message = fields[i].value;
		}
		relais_log_ring_add(ring, g_get_real_time(), level, domain, message);
	}
	return g_log_writer_default(level, fields, n_fields, NULL);
}

void relais_log_ring_install(RelaisLogRing *ring)
{
	g_log_set_writer_func(relais_log_ring_writer, ring, NULL);
}
