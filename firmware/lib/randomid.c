/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "randomid.h"
#include "sslerr.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <string.h>

G_DEFINE_QUARK(relais - random - error - quark, relais_random_error)

char *relais_random_id(const char *prefix, GError **error)
{
	guint8 raw[RELAIS_RANDOM_ID_BYTES];
	if (RAND_bytes(raw, sizeof raw) != 1) {
		relais_ssl_fail(error, RELAIS_RANDOM_ERROR, RELAIS_RANDOM_ERROR_FAILED, "no random bytes for an id");
		return NULL;
	}
	static const char hex[] = "0123456789abcdef";
	gsize plen = prefix ? strlen(prefix) : 0;
	char *out = g_malloc(plen + RELAIS_RANDOM_ID_CHARS + 1);
	if (plen)
		memcpy(out, prefix, plen);
	for (guint i = 0; i < sizeof raw; i++) {
		out[plen + 2 * i] = hex[raw[i] >> 4];
		out[plen + 2 * i + 1] = hex[raw[i] & 0xf];
	}
	out[plen + RELAIS_RANDOM_ID_CHARS] = '\0';
	OPENSSL_cleanse(raw, sizeof raw);
	return out;
}
