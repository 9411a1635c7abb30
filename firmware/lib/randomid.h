/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * randomid: the ids a remote party sees and must not be able to predict
 * (call, ticket, connection, document and update ids), drawn from OpenSSL's
 * CSPRNG (RAND_bytes), never from GLib's Mersenne Twister
 * (g_uuid_string_random, g_random_*), whose state a client can recover from
 * a few hundred outputs and then predict every id that follows.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Random bits in an id: 128, as many as a UUID's 122 and then some. */
#define RELAIS_RANDOM_ID_BYTES 16
/* Characters of an id after its prefix: two lower-case hex digits a byte. */
#define RELAIS_RANDOM_ID_CHARS (2 * RELAIS_RANDOM_ID_BYTES)

#define RELAIS_RANDOM_ERROR (relais_random_error_quark())
GQuark relais_random_error_quark(void);
typedef enum {
	RELAIS_RANDOM_ERROR_FAILED, /* the CSPRNG gave no bytes (not seeded) */
} RelaisRandomError;

/* `prefix` (nullable: none) followed by RELAIS_RANDOM_ID_CHARS lower-case
 * hex digits of fresh random bytes; NULL with *error set when OpenSSL has
 * no random bytes to give. Returns: (transfer full) */
char *relais_random_id(const char *prefix, GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
