/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "tlstext.h"

char *relais_tls_flags_text(GTlsCertificateFlags flags)
{
	static const struct {
		GTlsCertificateFlags flag;
		const char *text;
	} names[] = {
		{G_TLS_CERTIFICATE_UNKNOWN_CA, "not signed by a trusted CA (see --ca-file)"},
		{G_TLS_CERTIFICATE_BAD_IDENTITY, "not made for this host name"},
		{G_TLS_CERTIFICATE_NOT_ACTIVATED, "not valid yet"},
		{G_TLS_CERTIFICATE_EXPIRED, "expired"},
		{G_TLS_CERTIFICATE_REVOKED, "revoked"},
		{G_TLS_CERTIFICATE_INSECURE, "insecure algorithm"},
		{G_TLS_CERTIFICATE_GENERIC_ERROR, "invalid"},
	};
	g_autoptr(GString) s = g_string_new(NULL);
	for (guint i = 0; i < G_N_ELEMENTS(names); i++)
		if (flags & names[i].flag)
			g_string_append_printf(s, "%s%s", s->len ? ", " : "", names[i].text);
	if (s->len == 0)
		g_string_append(s, "refused");
	return g_string_free(g_steal_pointer(&s), FALSE);
}
