/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "relais-auth"

#include "auth.h"
#include "sslerr.h"
#include "relais-config.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <string.h>

G_DEFINE_QUARK(sb - auth - error - quark, sb_auth_error)

G_DEFINE_AUTOPTR_CLEANUP_FUNC(EVP_KDF, EVP_KDF_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(EVP_KDF_CTX, EVP_KDF_CTX_free)

/* A hostile or damaged stored hash must not make one verification cost
 * gigabytes: 128 x N x r bytes at most (2^20 x 8). */
#define SCRYPT_MAX_MEM	 (G_GUINT64_CONSTANT(1) << 30)
#define SCRYPT_MAX_LOG2N 20
#define SALT_MAX_BYTES	 64
#define HASH_MIN_BYTES	 16
#define HASH_MAX_BYTES	 64

void sb_auth_scrypt_defaults(SbScryptParams *params)
{
	params->n = G_GUINT64_CONSTANT(1) << CONFIG_RELAIS_SB_SCRYPT_LOG2_N;
	params->r = CONFIG_RELAIS_SB_SCRYPT_R;
	params->p = CONFIG_RELAIS_SB_SCRYPT_P;
}

static gboolean params_ok(const SbScryptParams *p)
{
	if (p->n < 2 || p->n > (G_GUINT64_CONSTANT(1) << SCRYPT_MAX_LOG2N) || (p->n & (p->n - 1)) != 0)
		return FALSE;
	if (p->r < 1 || p->r > 32 || p->p < 1 || p->p > 16)
		return FALSE;
	return 128 * p->n * p->r <= SCRYPT_MAX_MEM;
}

gboolean sb_auth_check_password_policy(const char *password, const char *login, guint min_chars, GError **error)
{
	if (min_chars == 0)
		min_chars = CONFIG_RELAIS_SB_PASSWORD_MIN_LEN;
	if (password == NULL || password[0] == '\0') {
		g_set_error(error, SB_AUTH_ERROR, SB_AUTH_ERROR_POLICY, "the password is empty");
		return FALSE;
	}
	gsize bytes = strlen(password);
	if (bytes > SB_AUTH_PASSWORD_MAX_BYTES) {
		g_set_error(error, SB_AUTH_ERROR, SB_AUTH_ERROR_POLICY, "the password is longer than %d bytes",
			    SB_AUTH_PASSWORD_MAX_BYTES);
		return FALSE;
	}
	if (!g_utf8_validate(password, (gssize)bytes, NULL)) {
		g_set_error(error, SB_AUTH_ERROR, SB_AUTH_ERROR_POLICY, "the password is not valid UTF-8 text");
		return FALSE;
	}
	glong chars = g_utf8_strlen(password, (gssize)bytes);
	if (chars < (glong)min_chars) {
		g_set_error(error, SB_AUTH_ERROR, SB_AUTH_ERROR_POLICY,
			    "the password has %ld characters: at least %u are needed", chars, min_chars);
		return FALSE;
	}
	if (login != NULL && g_ascii_strcasecmp(password, login) == 0) {
		g_set_error(error, SB_AUTH_ERROR, SB_AUTH_ERROR_POLICY, "the password may not be the login");
		return FALSE;
	}
	return TRUE;
}

static gboolean scrypt_derive(const char *password, const guint8 *salt, gsize salt_len, const SbScryptParams *p,
			      guint8 *out, gsize out_len, GError **error)
{
	g_autoptr(EVP_KDF) kdf = EVP_KDF_fetch(NULL, "SCRYPT", NULL);
	if (kdf == NULL) {
		relais_ssl_fail(error, SB_AUTH_ERROR, SB_AUTH_ERROR_CRYPTO, "OpenSSL has no SCRYPT KDF");
		return FALSE;
	}
	g_autoptr(EVP_KDF_CTX) ctx = EVP_KDF_CTX_new(kdf);
	if (ctx == NULL) {
		relais_ssl_fail(error, SB_AUTH_ERROR, SB_AUTH_ERROR_CRYPTO, "EVP_KDF_CTX_new");
		return FALSE;
	}
	uint64_t n = p->n;
	uint32_t r = p->r, par = p->p;
	/* V (128 r N) + B (128 r p) + XY, with room: our own bound is checked
	 * before, this one only keeps OpenSSL from refusing legal values */
	uint64_t maxmem = 128 * (uint64_t)r * (n + par + 2) + 65536;
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, (void *)password, strlen(password)),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, salt_len),
		OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n),
		OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r),
		OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &par),
		OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &maxmem),
		OSSL_PARAM_construct_end(),
	};
	if (EVP_KDF_derive(ctx, out, out_len, params) != 1) {
		relais_ssl_fail(error, SB_AUTH_ERROR, SB_AUTH_ERROR_CRYPTO, "scrypt");
		return FALSE;
	}
	return TRUE;
}

char *sb_auth_hash_password_with(const char *password, const SbScryptParams *params, GError **error)
{
	g_return_val_if_fail(params != NULL, NULL);
	/* the length policy is the caller's; empty, oversized and non-UTF-8
	 * are refused here whatever the caller decided */
	if (!sb_auth_check_password_policy(password, NULL, 1, error))
		return NULL;
	if (!params_ok(params)) {
		g_set_error(error, SB_AUTH_ERROR, SB_AUTH_ERROR_PARAMS,
			    "scrypt parameters N=%" G_GUINT64_FORMAT " r=%u p=%u are out of range", params->n,
			    params->r, params->p);
		return NULL;
	}
	guint8 salt[SB_AUTH_SALT_BYTES];
	guint8 hash[SB_AUTH_HASH_BYTES];
	if (RAND_bytes(salt, sizeof salt) != 1) {
		relais_ssl_fail(error, SB_AUTH_ERROR, SB_AUTH_ERROR_CRYPTO, "no random bytes for the salt");
		return NULL;
	}
	if (!scrypt_derive(password, salt, sizeof salt, params, hash, sizeof hash, error))
		return NULL;
	g_autofree char *salt64 = g_base64_encode(salt, sizeof salt);
	g_autofree char *hash64 = g_base64_encode(hash, sizeof hash);
	OPENSSL_cleanse(hash, sizeof hash);
	return g_strdup_printf("scrypt$%" G_GUINT64_FORMAT "$%u$%u$%s$%s", params->n, params->r, params->p, salt64,
			       hash64);
}

char *sb_auth_hash_password(const char *password, GError **error)
{
	if (!sb_auth_check_password_policy(password, NULL, 0, error))
		return NULL;
	SbScryptParams p;
	sb_auth_scrypt_defaults(&p);
	return sb_auth_hash_password_with(password, &p, error);
}

static gboolean parse_uint(const char *s, guint64 max, guint64 *out)
{
	/* digits only, no sign, no leading zero, no overflow */
	if (s[0] == '\0' || (s[0] == '0' && s[1] != '\0') || strlen(s) > 20)
		return FALSE;
	for (const char *c = s; *c; c++)
		if (!g_ascii_isdigit(*c))
			return FALSE;
	guint64 v = g_ascii_strtoull(s, NULL, 10);
	if (v > max)
		return FALSE;
	*out = v;
	return TRUE;
}

static guint8 *decode_b64(const char *s, gsize min, gsize max, gsize *len)
{
	gsize n = strlen(s);
	if (n == 0 || n % 4 != 0 || n > 4 * ((max + 2) / 3))
		return NULL;
	for (gsize i = 0; i < n; i++) {
		char c = s[i];
		gboolean pad = c == '=' && i >= n - 2 && (i == n - 1 || s[n - 1] == '=');
		if (!g_ascii_isalnum(c) && c != '+' && c != '/' && !pad)
			return NULL;
	}
	guint8 *out = g_base64_decode(s, len);
	if (*len < min || *len > max) {
		g_free(out);
		return NULL;
	}
	return out;
}

typedef struct {
	SbScryptParams params;
	guint8 *salt;
	gsize salt_len;
	guint8 *hash;
	gsize hash_len;
} Parsed;

static void parsed_clear(Parsed *p)
{
	g_clear_pointer(&p->salt, g_free);
	g_clear_pointer(&p->hash, g_free);
}

static gboolean parse_stored(const char *stored, Parsed *out)
{
	memset(out, 0, sizeof *out);
	if (stored == NULL || strlen(stored) > 512)
		return FALSE;
	g_auto(GStrv) parts = g_strsplit(stored, "$", 0);
	if (g_strv_length(parts) != 6 || strcmp(parts[0], "scrypt") != 0)
		return FALSE;
	guint64 n, r, p;
	if (!parse_uint(parts[1], G_GUINT64_CONSTANT(1) << SCRYPT_MAX_LOG2N, &n) || !parse_uint(parts[2], 32, &r) ||
	    !parse_uint(parts[3], 16, &p))
		return FALSE;
	out->params = (SbScryptParams){.n = n, .r = (guint32)r, .p = (guint32)p};
	if (!params_ok(&out->params))
		return FALSE;
	out->salt = decode_b64(parts[4], 1, SALT_MAX_BYTES, &out->salt_len);
	out->hash = decode_b64(parts[5], HASH_MIN_BYTES, HASH_MAX_BYTES, &out->hash_len);
	if (out->salt == NULL || out->hash == NULL) {
		parsed_clear(out);
		return FALSE;
	}
	return TRUE;
}

gboolean sb_auth_verify_password(const char *password, const char *stored)
{
	if (password == NULL)
		return FALSE;
	gboolean have_password = password[0] != '\0' && strlen(password) <= SB_AUTH_PASSWORD_MAX_BYTES;
	Parsed p;
	if (stored == NULL) {
		/* no such account: burn the same time as a real check */
		static const guint8 salt[SB_AUTH_SALT_BYTES] = {0};
		guint8 hash[SB_AUTH_HASH_BYTES];
		SbScryptParams d;
		sb_auth_scrypt_defaults(&d);
		if (have_password && scrypt_derive(password, salt, sizeof salt, &d, hash, sizeof hash, NULL))
			OPENSSL_cleanse(hash, sizeof hash);
		ERR_clear_error();
		return FALSE;
	}
	if (!have_password || !parse_stored(stored, &p))
		return FALSE;
	guint8 derived[HASH_MAX_BYTES];
	gboolean ok = scrypt_derive(password, p.salt, p.salt_len, &p.params, derived, p.hash_len, NULL) &&
		      CRYPTO_memcmp(derived, p.hash, p.hash_len) == 0;
	ERR_clear_error();
	OPENSSL_cleanse(derived, sizeof derived);
	parsed_clear(&p);
	return ok;
}

gboolean sb_auth_needs_rehash(const char *stored)
{
	Parsed p;
	if (!parse_stored(stored, &p))
		return TRUE;
	SbScryptParams d;
	sb_auth_scrypt_defaults(&d);
	gboolean stale = p.params.n != d.n || p.params.r != d.r || p.params.p != d.p ||
			 p.salt_len < SB_AUTH_SALT_BYTES || p.hash_len < SB_AUTH_HASH_BYTES;
	parsed_clear(&p);
	return stale;
}

char *sb_auth_new_token(GError **error)
{
	return sb_auth_new_token_of(32, error);
}

char *sb_auth_new_token_of(gsize bytes, GError **error)
{
	g_return_val_if_fail(bytes >= 16 && bytes <= 64, NULL);
	guint8 raw[64];
	if (RAND_bytes(raw, (int)bytes) != 1) {
		relais_ssl_fail(error, SB_AUTH_ERROR, SB_AUTH_ERROR_CRYPTO, "no random bytes for a token");
		return NULL;
	}
	char *b64 = g_base64_encode(raw, bytes);
	OPENSSL_cleanse(raw, bytes);
	for (char *c = b64; *c; c++) {
		if (*c == '+')
			*c = '-';
		else if (*c == '/')
			*c = '_';
		else if (*c == '=')
			*c = '\0';
	}
	return b64;
}

char *sb_auth_token_hash(const char *token)
{
	g_return_val_if_fail(token != NULL, NULL);
	return g_compute_checksum_for_string(G_CHECKSUM_SHA256, token, -1);
}

char *sb_auth_random_code(const char *alphabet, guint len, GError **error)
{
	g_return_val_if_fail(alphabet != NULL, NULL);
	gsize n = strlen(alphabet);
	g_return_val_if_fail(n >= 2 && n <= 256, NULL);
	/* the largest multiple of n below 256: bytes at or above it are
	 * redrawn, so that every character is equally likely */
	guint limit = 256 - 256 % n;
	GString *out = g_string_sized_new(len + 1);
	guint8 buf[64];
	gsize used = sizeof buf;
	while (out->len < len) {
		if (used == sizeof buf) {
			if (RAND_bytes(buf, sizeof buf) != 1) {
				relais_ssl_fail(error, SB_AUTH_ERROR, SB_AUTH_ERROR_CRYPTO, "no random bytes");
				OPENSSL_cleanse(out->str, out->len);
				g_string_free(out, TRUE);
				return NULL;
			}
			used = 0;
		}
		guint8 b = buf[used++];
		if (b < limit)
			g_string_append_c(out, alphabet[b % n]);
	}
	OPENSSL_cleanse(buf, sizeof buf);
	return g_string_free(out, FALSE);
}

char *sb_auth_trial_password(GError **error)
{
	g_autofree char *raw = sb_auth_random_code(SB_AUTH_TRIAL_ALPHABET, 16, error);
	if (raw == NULL)
		return NULL;
	char *out = g_strdup_printf("%.4s-%.4s-%.4s-%.4s", raw, raw + 4, raw + 8, raw + 12);
	OPENSSL_cleanse(raw, 16);
	return out;
}

guint sb_auth_slowdown(const SbAuthLimits *limits, guint account_failures)
{
	guint after =
		limits && limits->slowdown_after ? limits->slowdown_after : CONFIG_RELAIS_SB_SIGNIN_SLOWDOWN_AFTER;
	guint max_s =
		limits && limits->slowdown_max_s ? limits->slowdown_max_s : CONFIG_RELAIS_SB_SIGNIN_SLOWDOWN_MAX_S;
	if (account_failures < after)
		return 0;
	guint doublings = account_failures - after;
	return doublings >= 31 ? max_s : MIN(1u << doublings, max_s);
}

guint sb_auth_rate_limit(const SbAuthLimits *limits, guint login_failures, gint64 login_oldest_s,
			 guint address_failures, gint64 address_oldest_s, gint64 now_s)
{
	guint window = limits && limits->window_s ? limits->window_s : CONFIG_RELAIS_SB_SIGNIN_WINDOW_S;
	guint max_login =
		limits && limits->max_per_login ? limits->max_per_login : CONFIG_RELAIS_SB_SIGNIN_MAX_PER_LOGIN;
	guint max_addr =
		limits && limits->max_per_address ? limits->max_per_address : CONFIG_RELAIS_SB_SIGNIN_MAX_PER_ADDRESS;
	gint64 wait = 0;
	if (login_failures >= max_login)
		wait = MAX(wait, login_oldest_s + window - now_s);
	if (address_failures >= max_addr)
		wait = MAX(wait, address_oldest_s + window - now_s);
	if (login_failures < max_login && address_failures < max_addr)
		return 0;
	/* at a limit: at least one second, at most one window (a clock that
	 * jumped must not lock anyone out for longer) */
	return (guint)CLAMP(wait, 1, (gint64)window);
}
