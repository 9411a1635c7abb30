/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * auth: the switchboard's cryptography for accounts, without a database or a
 * socket: password hashes (scrypt through OpenSSL 3's EVP_KDF), sign-in
 * tokens and their stored form, the sign-in rate limit decision, and random
 * codes (trial passwords, booking codes).
 *
 * A password hash is one printable string, parameters included, so that the
 * cost can be raised later without locking anyone out:
 *
 *     scrypt$<N>$<r>$<p>$<salt, base64>$<hash, base64>
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SB_AUTH_ERROR (sb_auth_error_quark())
GQuark sb_auth_error_quark(void);

typedef enum {
	SB_AUTH_ERROR_POLICY, /* a password the policy refuses (empty, too short, too long, not UTF-8) */
	SB_AUTH_ERROR_CRYPTO, /* OpenSSL failed (no SCRYPT provider, no randomness) */
	SB_AUTH_ERROR_PARAMS, /* scrypt parameters out of the accepted range */
} SbAuthError;

/* Longest password accepted, in bytes: the KDF takes any length, but a
 * megabyte "password" is an attack on the server, not a secret. */
#define SB_AUTH_PASSWORD_MAX_BYTES 1024
#define SB_AUTH_SALT_BYTES	   16
#define SB_AUTH_HASH_BYTES	   32
/* Characters of sb_auth_new_token(): 32 random bytes, base64url, no padding */
#define SB_AUTH_TOKEN_CHARS 43

typedef struct {
	guint64 n; /* a power of two, 2^1 .. 2^20 */
	guint32 r; /* 1..32 */
	guint32 p; /* 1..16 */
} SbScryptParams;

/* The Kconfig parameters (CONFIG_RELAIS_SB_SCRYPT_*). */
void sb_auth_scrypt_defaults(SbScryptParams *params);

/* Refuses a password that is empty, shorter than min_chars characters
 * (0: CONFIG_RELAIS_SB_PASSWORD_MIN_LEN), longer than
 * SB_AUTH_PASSWORD_MAX_BYTES, not valid UTF-8, or equal to `login`
 * (nullable; compared case-insensitively). */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_auth_check_password_policy(const char *password, const char *login, guint min_chars, GError **error);

/* Hashes `password` with a fresh random salt and the Kconfig parameters, after
 * sb_auth_check_password_policy(password, NULL, 0). Returns: (transfer full)
 * the string to store, or NULL. */
G_GNUC_WARN_UNUSED_RESULT
char *sb_auth_hash_password(const char *password, GError **error);
/* The same with explicit parameters (tests use a small N) and no minimum
 * length (the policy is the caller's; empty is still refused). */
G_GNUC_WARN_UNUSED_RESULT
char *sb_auth_hash_password_with(const char *password, const SbScryptParams *params, GError **error);

/* TRUE if `password` matches `stored`. Compares in constant time; a malformed
 * `stored` (or parameters beyond the accepted range) is simply FALSE. With
 * `stored` NULL (no such account) it still spends the time of one hash with
 * the default parameters and returns FALSE, so that the reply time does not
 * say which logins exist. */
gboolean sb_auth_verify_password(const char *password, const char *stored);

/* TRUE if `stored` was made with other parameters than the Kconfig ones, or is
 * malformed: rehash at the next successful sign-in. */
gboolean sb_auth_needs_rehash(const char *stored);

/* A new sign-in token: 32 random bytes, base64url without padding
 * (SB_AUTH_TOKEN_CHARS characters, cookie-safe). Returns: (transfer full). */
G_GNUC_WARN_UNUSED_RESULT
char *sb_auth_new_token(GError **error);
/* The same with `bytes` random bytes (16..64): 16 for a link a person
 * passes on (a guest's invitation), 22 characters. */
G_GNUC_WARN_UNUSED_RESULT
char *sb_auth_new_token_of(gsize bytes, GError **error);

/* What is stored in place of a token: lower-case hex SHA-256 (64 chars). A
 * token is 256 random bits, so a plain hash suffices: a stolen database does
 * not yield usable cookies. Returns: (transfer full). */
char *sb_auth_token_hash(const char *token);

/* `len` characters drawn uniformly (rejection sampling on RAND_bytes) from
 * `alphabet` (2..256 distinct bytes). Returns: (transfer full) or NULL. */
G_GNUC_WARN_UNUSED_RESULT
char *sb_auth_random_code(const char *alphabet, guint len, GError **error);

/* Lower-case letters and digits a reader cannot confuse: no 0/o, 1/l/i. */
#define SB_AUTH_TRIAL_ALPHABET "abcdefghjkmnpqrstuvwxyz23456789"

/* A one-time password for a trial or demo account, printed once: four groups
 * of four characters of SB_AUTH_TRIAL_ALPHABET joined by '-' (about 79 bits),
 * e.g. "k7pm-x3va-9q2t-hw4e". Returns: (transfer full) or NULL. */
G_GNUC_WARN_UNUSED_RESULT
char *sb_auth_trial_password(GError **error);

/* Sign-in rate limits; 0 in a field: the Kconfig default
 * (CONFIG_RELAIS_SB_SIGNIN_*). */
typedef struct {
	guint window_s;
	guint max_per_login; /* per account AND address (SIGNIN_MAX_PER_LOGIN) */
	guint max_per_address;
	guint slowdown_after; /* failures on the account, from anywhere ... */
	guint slowdown_max_s; /* ... before its sign-ins are delayed, up to this */
} SbAuthLimits;

/* The decision before verifying a password. Inputs: the failed sign-ins in
 * the window (now - window_s, now] for the login from this remote address
 * (the pair) and for the remote address, and the time of the oldest of each
 * (ignored when its count is 0). Returns 0 when the attempt may go ahead,
 * else the seconds to wait (>= 1): until the oldest failure of a key at its
 * limit leaves the window. The login alone is never a key here: failures
 * from one address must not lock its owner out from another
 * (sb_auth_slowdown instead). A refused attempt must not be recorded (it
 * would extend the wait); an allowed one is recorded before its password is
 * checked, so that attempts whose hashes are still running count. */
guint sb_auth_rate_limit(const SbAuthLimits *limits, guint pair_failures, gint64 pair_oldest_s, guint address_failures,
			 gint64 address_oldest_s, gint64 now_s);
/* Seconds to hold an allowed sign-in before its password is checked, from
 * the account's failures in the window from any address: 0 below
 * slowdown_after, then 1, 2, 4 ... up to slowdown_max_s. */
guint sb_auth_slowdown(const SbAuthLimits *limits, guint account_failures);

G_END_DECLS
