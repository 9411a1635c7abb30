/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "pinhash.h"
#include "fail.h"
#include "sslerr.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <string.h>

#define PREFIX "pbkdf2-sha256$"

G_DEFINE_QUARK(relais - pinhash - error - quark, relais_pinhash_error)

gboolean relais_pin_check_policy(const char *pin, GError **error)
{
	gsize n = pin ? strlen(pin) : 0;
	if (n < RELAIS_PIN_MIN_DIGITS || n > RELAIS_PIN_MAX_DIGITS)
		return relais_fail(error, RELAIS_PINHASH_ERROR, RELAIS_PINHASH_ERROR_POLICY,
				   "the technician PIN must have %d to %d digits", RELAIS_PIN_MIN_DIGITS,
				   RELAIS_PIN_MAX_DIGITS);
	for (const char *p = pin; *p; p++)
		if (!g_ascii_isdigit(*p))
			return relais_fail(error, RELAIS_PINHASH_ERROR, RELAIS_PINHASH_ERROR_POLICY,
					   "the technician PIN must be digits only (0-9)");
	return TRUE;
}

static gboolean derive(const char *pin, const guint8 *salt, gsize salt_len, guint iterations, guint8 *out,
		       GError **error)
{
	if (PKCS5_PBKDF2_HMAC(pin, (int)strlen(pin), salt, (int)salt_len, (int)iterations, EVP_sha256(),
			      RELAIS_PINHASH_HASH_BYTES, out) != 1)
		return relais_ssl_fail(error, RELAIS_PINHASH_ERROR, RELAIS_PINHASH_ERROR_CRYPTO, "PBKDF2");
	return TRUE;
}

char *relais_pinhash_new(const char *pin, guint iterations, GError **error)
{
	if (iterations == 0)
		iterations = RELAIS_PINHASH_DEFAULT_ITERATIONS;
	if (iterations < RELAIS_PINHASH_MIN_ITERATIONS || iterations > RELAIS_PINHASH_MAX_ITERATIONS) {
		relais_fail(error, RELAIS_PINHASH_ERROR, RELAIS_PINHASH_ERROR_PARAMS,
			    "%u PBKDF2 iterations: the accepted range is %d to %d", iterations,
			    RELAIS_PINHASH_MIN_ITERATIONS, RELAIS_PINHASH_MAX_ITERATIONS);
		return NULL;
	}
	if (!relais_pin_check_policy(pin, error))
		return NULL;
	guint8 salt[RELAIS_PINHASH_SALT_BYTES];
	guint8 hash[RELAIS_PINHASH_HASH_BYTES];
	if (RAND_bytes(salt, sizeof salt) != 1) {
		relais_ssl_fail(error, RELAIS_PINHASH_ERROR, RELAIS_PINHASH_ERROR_CRYPTO, "RAND_bytes");
		return NULL;
	}
	if (!derive(pin, salt, sizeof salt, iterations, hash, error))
		return NULL;
	g_autofree char *salt64 = g_base64_encode(salt, sizeof salt);
	g_autofree char *hash64 = g_base64_encode(hash, sizeof hash);
	OPENSSL_cleanse(hash, sizeof hash);
	return g_strdup_printf(PREFIX "%u$%s$%s", iterations, salt64, hash64);
}

/* Standard base64 of exactly `want` bytes (0: 1 to 64 bytes), or NULL. */
static guint8 *decode64(const char *s, gsize want, gsize *len)
{
	gsize n = strlen(s);
	if (n == 0 || n > 88 || strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") != n)
		return NULL;
	guint8 *out = g_base64_decode(s, len);
	if (*len == 0 || (want && *len != want)) {
		g_free(out);
		return NULL;
	}
	return out;
}

typedef struct {
	guint iterations;
	guint8 *salt;
	gsize salt_len;
	guint8 *hash;
} Parsed;

static void parsed_clear(Parsed *p)
{
	g_free(p->salt);
	g_free(p->hash);
}

static gboolean parse(const char *stored, Parsed *p, GError **error)
{
	if (stored == NULL || !g_str_has_prefix(stored, PREFIX))
		return relais_fail(error, RELAIS_PINHASH_ERROR, RELAIS_PINHASH_ERROR_PARAMS,
				   "a PIN hash starts with '" PREFIX "'");
	g_auto(GStrv) part = g_strsplit(stored + strlen(PREFIX), "$", 4);
	if (g_strv_length(part) != 3)
		return relais_fail(error, RELAIS_PINHASH_ERROR, RELAIS_PINHASH_ERROR_PARAMS,
				   "a PIN hash is " PREFIX "ITERATIONS$SALT$HASH");
	guint64 it = 0;
	if (!g_ascii_string_to_unsigned(part[0], 10, RELAIS_PINHASH_MIN_ITERATIONS, RELAIS_PINHASH_MAX_ITERATIONS, &it,
					NULL))
		return relais_fail(error, RELAIS_PINHASH_ERROR, RELAIS_PINHASH_ERROR_PARAMS,
				   "PIN hash iterations '%s': the accepted range is %d to %d", part[0],
				   RELAIS_PINHASH_MIN_ITERATIONS, RELAIS_PINHASH_MAX_ITERATIONS);
	gsize hash_len = 0;
	p->iterations = (guint)it;
	p->salt = decode64(part[1], 0, &p->salt_len);
	p->hash = decode64(part[2], RELAIS_PINHASH_HASH_BYTES, &hash_len);
	if (p->salt == NULL || p->hash == NULL)
		return relais_fail(error, RELAIS_PINHASH_ERROR, RELAIS_PINHASH_ERROR_PARAMS,
				   "the PIN hash's salt or hash is not base64 of the right size");
	return TRUE;
}

gboolean relais_pinhash_valid(const char *stored, GError **error)
{
	Parsed p = {0};
	gboolean ok = parse(stored, &p, error);
	parsed_clear(&p);
	return ok;
}

gboolean relais_pinhash_check(const char *pin, const char *stored)
{
	if (!relais_pin_check_policy(pin, NULL))
		return FALSE;
	Parsed p = {0};
	guint8 hash[RELAIS_PINHASH_HASH_BYTES];
	gboolean ok = parse(stored, &p, NULL) && derive(pin, p.salt, p.salt_len, p.iterations, hash, NULL) &&
		      CRYPTO_memcmp(hash, p.hash, sizeof hash) == 0;
	OPENSSL_cleanse(hash, sizeof hash);
	parsed_clear(&p);
	return ok;
}
