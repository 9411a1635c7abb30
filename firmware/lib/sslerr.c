/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sslerr.h"

#include <openssl/err.h>

char *relais_ssl_reason(void)
{
	/* the last error is the most specific one (the first is often a
	 * generic "decoder routines" entry) */
	unsigned long e = ERR_peek_last_error();
	char buf[256] = "unknown error";
	if (e != 0)
		ERR_error_string_n(e, buf, sizeof buf);
	ERR_clear_error();
	return g_strdup(buf);
}

gboolean relais_ssl_fail(GError **error, GQuark domain, gint code, const char *what)
{
	g_autofree char *why = relais_ssl_reason();
	g_set_error(error, domain, code, "%s: %s", what, why);
	return FALSE;
}
