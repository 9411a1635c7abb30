/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "relais-turn"

#include "turn.h"
#include "sslerr.h"
#include "relais-config.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <string.h>

G_DEFINE_QUARK(sb - turn - error - quark, sb_turn_error)

G_DEFINE_AUTOPTR_CLEANUP_FUNC(EVP_MAC, EVP_MAC_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(EVP_MAC_CTX, EVP_MAC_CTX_free)

static gboolean tag_ok(const char *tag)
{
	gsize n = strlen(tag);
	if (n == 0 || n > SB_TURN_MAX_TAG)
		return FALSE;
	for (const char *c = tag; *c; c++)
		if (!g_ascii_isalnum(*c) && *c != '.' && *c != '_' && *c != '-')
			return FALSE;
	return TRUE;
}

static gboolean hmac_sha1(const char *key, const char *data, guint8 *out, gsize *out_len, GError **error)
{
	g_autoptr(EVP_MAC) mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (mac == NULL)
		return relais_ssl_fail(error, SB_TURN_ERROR, SB_TURN_ERROR_CRYPTO, "OpenSSL has no HMAC");
	g_autoptr(EVP_MAC_CTX) ctx = EVP_MAC_CTX_new(mac);
	if (ctx == NULL)
		return relais_ssl_fail(error, SB_TURN_ERROR, SB_TURN_ERROR_CRYPTO, "EVP_MAC_CTX_new");
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA1", 0),
		OSSL_PARAM_construct_end(),
	};
	if (EVP_MAC_init(ctx, (const unsigned char *)key, strlen(key), params) != 1 ||
	    EVP_MAC_update(ctx, (const unsigned char *)data, strlen(data)) != 1 ||
	    EVP_MAC_final(ctx, out, out_len, EVP_MAX_MD_SIZE) != 1)
		return relais_ssl_fail(error, SB_TURN_ERROR, SB_TURN_ERROR_CRYPTO, "HMAC-SHA1");
	return TRUE;
}

gboolean sb_turn_credentials(const char *secret, const char *user_tag, gint64 now_s, guint ttl_s, char **username,
			     char **password, GError **error)
{
	g_return_val_if_fail(username != NULL && password != NULL, FALSE);
	*username = NULL;
	*password = NULL;
	if (secret == NULL || secret[0] == '\0') {
		g_set_error(error, SB_TURN_ERROR, SB_TURN_ERROR_INVALID, "the TURN shared secret is empty");
		return FALSE;
	}
	if (user_tag == NULL || !tag_ok(user_tag)) {
		g_set_error(error, SB_TURN_ERROR, SB_TURN_ERROR_INVALID,
			    "TURN user tag must be 1..%d characters of A-Z a-z 0-9 . _ -", SB_TURN_MAX_TAG);
		return FALSE;
	}
	if (ttl_s == 0)
		ttl_s = CONFIG_RELAIS_SB_TURN_TTL_S;
	/* coturn reads the expiry as a signed time; before 1970 or past year
	 * 9999 is a broken clock, not a credential to hand out */
	if (now_s < 0 || now_s > G_GINT64_CONSTANT(253402300799) - ttl_s) {
		g_set_error(error, SB_TURN_ERROR, SB_TURN_ERROR_INVALID, "clock out of range (%" G_GINT64_FORMAT ")",
			    now_s);
		return FALSE;
	}
	g_autofree char *user = g_strdup_printf("%" G_GINT64_FORMAT ":%s", now_s + (gint64)ttl_s, user_tag);
	guint8 mac[EVP_MAX_MD_SIZE];
	gsize mac_len = 0;
	if (!hmac_sha1(secret, user, mac, &mac_len, error))
		return FALSE;
	*password = g_base64_encode(mac, mac_len);
	OPENSSL_cleanse(mac, sizeof mac);
	*username = g_steal_pointer(&user);
	return TRUE;
}
