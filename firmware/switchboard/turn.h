/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * turn: time-limited TURN credentials from a secret shared with the TURN
 * server, in coturn's REST API scheme (coturn's use-auth-secret /
 * static-auth-secret; draft-uberti-behave-turn-rest):
 *
 *     username = "<expiry, unix seconds>:<user tag>"
 *     password = base64(HMAC-SHA1(secret, username))
 *
 * The switchboard hands a fresh pair to each end of a call; the TURN server
 * checks the HMAC and refuses the pair after the expiry. No per-user state on
 * either server, and a leaked pair is useless after a few hours.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SB_TURN_ERROR (sb_turn_error_quark())
GQuark sb_turn_error_quark(void);

typedef enum {
	SB_TURN_ERROR_INVALID, /* empty secret, bad tag, expiry out of range */
	SB_TURN_ERROR_CRYPTO,  /* OpenSSL failed */
} SbTurnError;

/* Longest user tag: it ends up in TURN server logs, so it should be an opaque
 * id (a booth id, a console connection id), never a person's name. */
#define SB_TURN_MAX_TAG 64

/* Makes a username valid until now_s + ttl_s (ttl_s 0: CONFIG_RELAIS_SB_TURN_TTL_S)
 * and its password. `user_tag`: 1..SB_TURN_MAX_TAG bytes of [A-Za-z0-9._-]
 * (no ':', which separates the expiry). `secret`: non-empty, the value of
 * coturn's static-auth-secret. Sets *username and *password (transfer full)
 * and returns TRUE, or returns FALSE with `error` set and both left NULL. */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_turn_credentials(const char *secret, const char *user_tag, gint64 now_s, guint ttl_s, char **username,
			     char **password, GError **error);

G_END_DECLS
