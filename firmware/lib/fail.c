/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fail.h"

gboolean relais_fail(GError **error, GQuark domain, gint code, const char *format, ...)
{
	if (error == NULL)
		return FALSE;
	va_list ap;
	va_start(ap, format);
	g_autofree char *msg = g_strdup_vprintf(format, ap);
	va_end(ap);
	g_set_error_literal(error, domain, code, msg);
	return FALSE;
}
