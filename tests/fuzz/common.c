/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static GLogWriterOutput writer(GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer data)
{
	if (!(level & (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR)))
		return G_LOG_WRITER_HANDLED;
	/* what made it fatal, then abort(): GLib's own abort of a fatal
	 * message is a SIGTRAP (G_BREAKPOINT), which libFuzzer does not catch,
	 * so the input would be lost */
	g_log_writer_standard_streams(level, fields, n_fields, data);
	abort();
}

void relais_fuzz_init(void)
{
	g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR);
	g_log_set_writer_func(writer, NULL, NULL);
}

char *relais_fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = g_malloc(size + 1);
	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}
