/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct {
	const char *domain, *prefix;
} allowed_criticals[4];
static guint n_allowed;

static gboolean allowed(const GLogField *fields, gsize n_fields)
{
	const char *domain = NULL, *message = NULL;
	for (gsize i = 0; i < n_fields; i++) {
		if (g_str_equal(fields[i].key, "GLIB_DOMAIN"))
			domain = fields[i].value;
		else if (g_str_equal(fields[i].key, "MESSAGE"))
			message = fields[i].value;
	}
	for (guint i = 0; message && i < n_allowed; i++)
		if (g_strcmp0(domain, allowed_criticals[i].domain) == 0 &&
		    g_str_has_prefix(message, allowed_criticals[i].prefix))
			return TRUE;
	return FALSE;
}

static GLogWriterOutput writer(GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer data)
{
	if (!(level & (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR)))
		return G_LOG_WRITER_HANDLED;
	if (!(level & G_LOG_LEVEL_ERROR) && allowed(fields, n_fields))
		return G_LOG_WRITER_HANDLED;
	/* what made it fatal, then abort(): GLib's own abort of a fatal
	 * message is a SIGTRAP (G_BREAKPOINT), which libFuzzer does not catch,
	 * so the input would be lost */
	g_log_writer_standard_streams(level, fields, n_fields, data);
	abort();
}

void relais_fuzz_init(void)
{
	/* the writer aborts on criticals itself (not g_log_set_always_fatal,
	 * which would also abort on the ones allowed below) */
	g_log_set_writer_func(writer, NULL, NULL);
}

void relais_fuzz_allow_critical(const char *domain, const char *message_prefix)
{
	g_assert_cmpuint(n_allowed, <, G_N_ELEMENTS(allowed_criticals));
	allowed_criticals[n_allowed].domain = domain;
	allowed_criticals[n_allowed].prefix = message_prefix;
	n_allowed++;
}

char *relais_fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = g_malloc(size + 1);
	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}
