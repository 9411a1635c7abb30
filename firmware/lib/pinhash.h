/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pinhash: the technician PIN of a booth, stored as a salted slow hash in the
 * booth's settings file (boothconf) and checked on the technician screen.
 *
 * One printable string, parameters included, so that the cost can be raised
 * later without re-provisioning every booth:
 *
 *     pbkdf2-sha256$<iterations>$<salt, base64>$<hash, base64>
 *
 * PBKDF2-HMAC-SHA256 (OpenSSL) rather than scrypt: a booth checks it on a
 * Raspberry Pi, where scrypt's memory cost buys little against a PIN of a
 * few digits. The settings file sits on a FAT partition anyone holding the
 * card can read, so the hash only slows an offline guess down; what protects
 * a PIN on site is the technician screen's lock-out after wrong attempts.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RELAIS_PINHASH_ERROR (relais_pinhash_error_quark())
GQuark relais_pinhash_error_quark(void);

typedef enum {
	RELAIS_PINHASH_ERROR_POLICY, /* not 4-16 ASCII digits */
	RELAIS_PINHASH_ERROR_PARAMS, /* iterations out of the accepted range */
	RELAIS_PINHASH_ERROR_CRYPTO, /* OpenSSL failed (no randomness) */
} RelaisPinhashError;

#define RELAIS_PIN_MIN_DIGITS 4
#define RELAIS_PIN_MAX_DIGITS 16
/* OWASP's 2023 figure for PBKDF2-HMAC-SHA256; about 0.5 s on a Pi 4. */
#define RELAIS_PINHASH_DEFAULT_ITERATIONS 600000
/* The range a stored hash may ask for: below, it is too weak to trust;
 * above, checking one PIN would stall the booth (a forged file). Tests use
 * the minimum. */
#define RELAIS_PINHASH_MIN_ITERATIONS 1000
#define RELAIS_PINHASH_MAX_ITERATIONS 10000000
#define RELAIS_PINHASH_SALT_BYTES     16
#define RELAIS_PINHASH_HASH_BYTES     32

/* Refuses a PIN that is not RELAIS_PIN_MIN_DIGITS..RELAIS_PIN_MAX_DIGITS
 * ASCII digits (the technician screen has a digit pad). */
G_GNUC_WARN_UNUSED_RESULT
gboolean relais_pin_check_policy(const char *pin, GError **error);

/* Hashes `pin` (after relais_pin_check_policy()) with a fresh random salt;
 * iterations 0 means RELAIS_PINHASH_DEFAULT_ITERATIONS. Returns: (transfer
 * full) the string to store, or NULL. */
G_GNUC_WARN_UNUSED_RESULT
char *relais_pinhash_new(const char *pin, guint iterations, GError **error);

/* TRUE if `stored` is a well-formed hash within the accepted parameters
 * (boothconf validates the settings file with it). */
gboolean relais_pinhash_valid(const char *stored, GError **error);

/* TRUE if `pin` matches `stored`, compared in constant time. A malformed
 * `stored` or a PIN outside the policy is simply FALSE. */
gboolean relais_pinhash_check(const char *pin, const char *stored);

G_END_DECLS
