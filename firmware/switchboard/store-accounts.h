/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * store-accounts: accounts (advisers, admins, site staff), their sign-in
 * sign-ins and the failed sign-in attempts that rate-limit them
 * (store-accounts.c; STORE.md "Accounts and sign-in"). Included by store.h.
 */
#pragma once

#include "store.h"

G_BEGIN_DECLS

/* --- users ----------------------------------------------------------------- */

typedef enum {
	SB_ROLE_ADVISER, /* answers calls */
	SB_ROLE_ADMIN,	 /* manages sites, booths, accounts, hours */
	SB_ROLE_STAFF,	 /* a site's staff: bookings and booths of their site */
} SbRole;

/* "adviser", "admin", "staff". Returns: (transfer none) */
const char *sb_role_to_string(SbRole role);
/* FALSE for anything else (an unknown role is refused, never defaulted). */
gboolean sb_role_from_string(const char *text, SbRole *role);

typedef struct {
	gint64 id;
	char *login;
	char *display_name;
	SbRole role;
	gint64 site_id;	     /* staff: their site; 0 for advisers and admins */
	char **languages;    /* lang tags ("fr", "pt-br"), never NULL once read */
	char **topics;	     /* topic ids of the question set, never NULL once read */
	char *password_hash; /* from sb_auth_hash_password(); only sb_store_user_get*() fill it */
	gint64 created;
	gboolean disabled;
} SbUser;
void sb_user_free(SbUser *user);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SbUser, sb_user_free)

/* Adds an account from `user` (id, created and disabled are ignored; the login
 * is lower-cased). The password hash is required: there is no account without
 * a password chosen or generated for it. Returns the new id, or 0: INVALID
 * (bad field, unknown role, a staff account without a site or another role
 * with one, something that is not a password hash), EXISTS (login taken),
 * NOT_FOUND (site). */
G_GNUC_WARN_UNUSED_RESULT
gint64 sb_store_user_add(SbStore *store, const SbUser *user, GError **error);
/* Rewrites display_name, role, site_id, languages and topics of the account
 * with user->login (the rest is ignored). */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_user_update(SbStore *store, const SbUser *user, GError **error);
/* Sets a new password hash and ends all the account's sign-ins (a password
 * reset signs out everywhere; the caller may then open a new sign-in). */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_user_set_password(SbStore *store, const char *login, const char *password_hash, GError **error);
/* Disabling also ends the account's sign-ins. */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_user_set_disabled(SbStore *store, const char *login, gboolean disabled, GError **error);
/* Deletes the account and its sign-ins. Call records are anonymous and stay. */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_user_del(SbStore *store, const char *login, GError **error);
/* Returns: (transfer full) with password_hash, or NULL: NOT_FOUND, or INVALID
 * for what cannot be a login (sign-in: treat both as "no such account"). The
 * login is matched case-insensitively. */
SbUser *sb_store_user_get(SbStore *store, const char *login, GError **error);
SbUser *sb_store_user_get_by_id(SbStore *store, gint64 id, GError **error);
/* All accounts by login, without password hashes.
 * Returns: (transfer full) (element-type SbUser) or NULL on error. */
GPtrArray *sb_store_user_list(SbStore *store, GError **error);

/* --- sign-ins --------------------------------------------------------- */

/* Opens a sign-in for an enabled account, expiring ttl_s from now (0:
 * CONFIG_RELAIS_SB_SESSION_TTL_S). `remote_addr`: the client's address, kept
 * with the sign-in only. Returns: (transfer full) the raw token for the
 * cookie: the only time it exists; the store keeps its SHA-256. NULL on error
 * (NOT_FOUND, DISABLED). */
G_GNUC_WARN_UNUSED_RESULT
char *sb_store_signin_create(SbStore *store, gint64 user_id, const char *remote_addr, guint ttl_s, GError **error);
/* The account behind a raw token (without password hash). NULL: NOT_FOUND
 * (unknown token), EXPIRED (and the sign-in is deleted), DISABLED. */
SbUser *sb_store_signin_lookup(SbStore *store, const char *token, GError **error);
/* The same from the token's SHA-256 (sb_auth_token_hash()): what the server
 * keeps for its open consoles, to close them when their sign-in ends. */
SbUser *sb_store_signin_lookup_key(SbStore *store, const char *token_hash, GError **error);
/* Records use (last_used = now); does not extend the expiry. */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_signin_touch(SbStore *store, const char *token, GError **error);
/* Signs out: NOT_FOUND if there was no such sign-in. */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_signin_delete(SbStore *store, const char *token, GError **error);
/* Ends every sign-in of an account (n_removed: nullable). */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_signin_delete_user(SbStore *store, gint64 user_id, guint *n_removed, GError **error);
/* The stored forms (SHA-256 hex, sb_auth_token_hash) of an account's live
 * sign-ins, so that a server can close their open consoles before ending
 * them. Returns: (transfer full) a NULL-terminated list (empty when none), or
 * NULL on error. */
char **sb_store_signin_hashes(SbStore *store, gint64 user_id, GError **error);
/* Deletes expired sign-ins. */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_signin_purge(SbStore *store, guint *n_removed, GError **error);

/* --- sign-in attempts (rate limiting) ----------------------------------------- */

/* Only hashes of the login (lower-cased) and of the address are stored, so that
 * a password typed into the login field never lands on disk in clear. */
typedef struct {
	guint failures;	 /* failed sign-ins in the window */
	gint64 oldest_s; /* time of the oldest of them; 0 when none */
} SbAttempts;

/* Records one sign-in attempt now, as a failure until it is known to be
 * one: before its password is checked, so that attempts whose hashes are
 * still running count against the limits. *id_out (nullable): the record,
 * for sb_store_attempt_succeeded(). Refused attempts (rate-limited) must not
 * be recorded. */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_attempt_record(SbStore *store, const char *login, const char *address, gint64 *id_out,
				 GError **error);
/* Failures in (now - window_s, now] for the login from that address (the
 * pair), for the address and for the login from anywhere; feed them to
 * sb_auth_rate_limit() and sb_auth_slowdown(). Each out is nullable.
 * window_s 0: CONFIG_RELAIS_SB_SIGNIN_WINDOW_S. */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_attempts_count(SbStore *store, const char *login, const char *address, guint window_s,
				 SbAttempts *per_pair, SbAttempts *per_address, SbAttempts *per_login, GError **error);
/* Attempt `id` had the right password: it is deleted, and the pair's
 * earlier failures are forgotten for the pair and the login (they still
 * count for the address). Failures from other addresses still count for
 * the login's slow-down and for their own pairs. */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_attempt_succeeded(SbStore *store, gint64 id, const char *login, const char *address, GError **error);
/* Deletes attempts older than window_s (0: the Kconfig window). */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_attempts_prune(SbStore *store, guint window_s, guint *n_removed, GError **error);

G_END_DECLS
