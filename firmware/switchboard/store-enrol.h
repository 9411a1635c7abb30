/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * store-enrol: what booth enrolment keeps (store-enrol.c; STORE.md "Booth
 * enrolment"): one-time enrolment tokens, stored only as their SHA-256 and
 * burnt in the transaction that records the certificate issued for them,
 * and the booth certificates the booth CA issued, with their revocation.
 * The cryptography is boothca.c's; the rules of the EST exchange are
 * enrol.c's. Included by store.h.
 */
#pragma once

#include "store.h"

G_BEGIN_DECLS

/* Longest certificate serial kept, in hex digits (boothca.c draws 127 bits). */
#define SB_STORE_MAX_SERIAL 64

/* A certificate the booth CA issued. */
typedef struct {
	char *serial;	   /* upper-case hex, as boothca.c writes it */
	char *booth_id;	   /* the subject's CN */
	gint64 not_before; /* unix seconds */
	gint64 not_after;
	gint64 issued;	   /* when it was recorded */
	gint64 revoked_at; /* 0: not revoked */
} SbBoothCert;
void sb_booth_cert_free(SbBoothCert *cert);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SbBoothCert, sb_booth_cert_free)

/* A new enrolment token for booth `booth_id` (which must exist), valid
 * `ttl_s` seconds (0: CONFIG_RELAIS_SB_ENROL_TOKEN_TTL_S) from the store's
 * clock; *expires (nullable) gets its expiry. The booth's earlier pending
 * tokens are deleted: one pending token per booth. Only the token's SHA-256
 * is stored. Returns: (transfer full) the token text, to show once, or NULL. */
G_GNUC_WARN_UNUSED_RESULT
char *sb_store_enrol_token_create(SbStore *store, const char *booth_id, guint ttl_s, gint64 *expires, GError **error);

/* When booth `booth_id`'s pending token (not used, not expired at the
 * store's clock) expires: *expires, or 0 when it has none. FALSE only when
 * the store fails. The token itself cannot be read back: only its hash is kept. */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_enrol_token_pending(SbStore *store, const char *booth_id, gint64 *expires, GError **error);

/* The booth a token was issued for, when it may still be used. Errors:
 * NOT_FOUND (no such token: mistyped, forged, or deleted by a revocation),
 * TOKEN_USED, EXPIRED. Returns: (transfer full) the booth id, or NULL. */
G_GNUC_WARN_UNUSED_RESULT
char *sb_store_enrol_token_booth(SbStore *store, const char *token, GError **error);

/* In one transaction: burns `token` (it must still be usable, and be
 * `cert->booth_id`'s: errors as sb_store_enrol_token_booth, INVALID for
 * another booth's token) and records `cert` (its issued and revoked_at are
 * ignored). Either both happen or neither. */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_enrol_complete(SbStore *store, const char *token, const SbBoothCert *cert, GError **error);

/* Records a certificate issued without a token (a renewal over mutual TLS).
 * EXISTS for a serial already recorded. */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_cert_record(SbStore *store, const SbBoothCert *cert, GError **error);

/* TRUE when certificate `serial` was issued to `booth_id`, is not revoked
 * and `now` is within its validity. Errors: NOT_FOUND (unknown serial, or
 * issued to another booth), REVOKED, EXPIRED (also before not_before). */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_cert_valid(SbStore *store, const char *serial, const char *booth_id, gint64 now, GError **error);

/* Every certificate that is good at `now` (not revoked, within its
 * validity) in one read: the switchboard's periodic re-check of its
 * connected booths, one query rather than one per booth.
 * Returns: (transfer full) serial -> booth id (both strings), or NULL. */
GHashTable *sb_store_certs_good(SbStore *store, gint64 now, GError **error);

/* Returns: (transfer full) (element-type SbBoothCert) the booth's
 * certificates, newest first. */
GPtrArray *sb_store_cert_list(SbStore *store, const char *booth_id, GError **error);

/* Revokes booth `booth_id`: every certificate not yet revoked is marked
 * revoked now, and its pending tokens are deleted, so that it cannot enrol
 * again without a new token. NOT_FOUND for an unknown booth. *revoked
 * (nullable) gets the number of certificates revoked. */
G_GNUC_WARN_UNUSED_RESULT
gboolean sb_store_booth_revoke(SbStore *store, const char *booth_id, guint *revoked, GError **error);

G_END_DECLS
