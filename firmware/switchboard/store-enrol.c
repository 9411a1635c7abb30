/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "relais-store"

#include "store-private.h"
#include "auth.h"
#include "relais-config.h"

#include <string.h>

/* --- booth enrolment: tokens and issued certificates ------------------------------------- */

void sb_booth_cert_free(SbBoothCert *c)
{
	if (c == NULL)
		return;
	g_free(c->serial);
	g_free(c->booth_id);
	g_free(c);
}

/* hex digits only: what boothca.c writes (never SQL wildcards or text) */
static gboolean check_serial(const char *serial, GError **error)
{
	gsize len = serial ? strlen(serial) : 0;
	if (len == 0 || len > SB_STORE_MAX_SERIAL)
		return store_invalid(error, "a certificate serial is 1..%d hex digits", SB_STORE_MAX_SERIAL);
	for (const char *c = serial; *c; c++)
		if (!g_ascii_isxdigit(*c))
			return store_invalid(error, "a certificate serial is 1..%d hex digits", SB_STORE_MAX_SERIAL);
	return TRUE;
}

static gboolean booth_exists(SbStore *s, const char *booth_id, GError **error)
{
	g_autoptr(SbStmt) st = store_prep(s, "SELECT 1 FROM booths WHERE id = ?", error);
	if (st == NULL || !store_bound(s, store_bind_text(st, 1, booth_id), error))
		return FALSE;
	StoreStep rc = store_step(s, st, "looking up the booth", error);
	if (rc == STORE_DONE)
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND, "no booth '%s'", booth_id);
	return rc == STORE_ROW;
}

char *sb_store_enrol_token_create(SbStore *s, const char *booth_id, guint ttl_s, gint64 *expires, GError **error)
{
	if (!store_check_id("the booth id", booth_id, SB_STORE_MAX_ID, error) || !booth_exists(s, booth_id, error))
		return NULL;
	if (ttl_s == 0)
		ttl_s = CONFIG_RELAIS_SB_ENROL_TOKEN_TTL_S;
	/* 256 random bits (the issue asks for at least 128), base64url */
	g_autofree char *token = sb_auth_new_token(error);
	if (token == NULL)
		return NULL;
	g_autofree char *hash = sb_auth_token_hash(token);
	gint64 now = sb_store_now(s);
	if (!store_tx_begin(s, error))
		return NULL;
	g_autoptr(SbStmt) del = store_prep(s, "DELETE FROM enrol_tokens WHERE booth_id = ? AND used_at IS NULL", error);
	gboolean ok = del && store_bound(s, store_bind_text(del, 1, booth_id), error) &&
		      store_run(s, del, "deleting the booth's pending tokens", error);
	if (ok) {
		g_autoptr(SbStmt) ins = store_prep(s,
						   "INSERT INTO enrol_tokens (token_hash, booth_id, created, expires) "
						   "VALUES (?, ?, ?, ?)",
						   error);
		ok = ins &&
		     store_bound(s,
				 store_bind_text(ins, 1, hash) | store_bind_text(ins, 2, booth_id) |
					 store_bind_int64(ins, 3, now) | store_bind_int64(ins, 4, now + ttl_s),
				 error) &&
		     store_run(s, ins, "saving the enrolment token", error);
	}
	if (!ok || !store_tx_commit(s, error)) {
		store_tx_rollback(s);
		return NULL;
	}
	if (expires)
		*expires = now + ttl_s;
	return g_steal_pointer(&token);
}

gboolean sb_store_enrol_token_pending(SbStore *s, const char *booth_id, gint64 *expires, GError **error)
{
	*expires = 0;
	g_autoptr(SbStmt) st = store_prep(s,
					  "SELECT MAX(expires) FROM enrol_tokens "
					  "WHERE booth_id = ? AND used_at IS NULL AND expires > ?",
					  error);
	if (st == NULL ||
	    !store_bound(s, store_bind_text(st, 1, booth_id ? booth_id : "") | store_bind_int64(st, 2, sb_store_now(s)),
			 error))
		return FALSE;
	StoreStep rc = store_step(s, st, "looking up the booth's pending token", error);
	if (rc == STORE_ROW && !store_col_is_null(st, 0))
		*expires = store_col_int64(st, 0);
	return rc != STORE_FAILED;
}

/* The token's row, checked: the booth id, or NULL with the reason. */
static char *token_booth(SbStore *s, const char *token, GError **error)
{
	/* anything but our token's form cannot match a row: no hashing of
	 * megabytes sent by a stranger */
	if (token == NULL || strlen(token) != SB_AUTH_TOKEN_CHARS) {
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND, "no such enrolment token");
		return NULL;
	}
	g_autofree char *hash = sb_auth_token_hash(token);
	g_autoptr(SbStmt) st =
		store_prep(s, "SELECT booth_id, expires, used_at FROM enrol_tokens WHERE token_hash = ?", error);
	if (st == NULL || !store_bound(s, store_bind_text(st, 1, hash), error))
		return NULL;
	StoreStep rc = store_step(s, st, "looking up the enrolment token", error);
	if (rc == STORE_FAILED)
		return NULL;
	if (rc == STORE_DONE) {
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND, "no such enrolment token");
		return NULL;
	}
	if (!store_col_is_null(st, 2)) {
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_TOKEN_USED,
			    "this enrolment token was already used (ask for a new one)");
		return NULL;
	}
	if (store_col_int64(st, 1) <= sb_store_now(s)) {
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_EXPIRED,
			    "this enrolment token has expired (ask for a new one)");
		return NULL;
	}
	return store_col_str(st, 0);
}

char *sb_store_enrol_token_booth(SbStore *s, const char *token, GError **error)
{
	return token_booth(s, token, error);
}

static gboolean insert_cert(SbStore *s, const SbBoothCert *c, GError **error)
{
	if (!check_serial(c->serial, error) || !store_check_id("the booth id", c->booth_id, SB_STORE_MAX_ID, error))
		return FALSE;
	if (c->not_after <= c->not_before)
		return store_invalid(error, "a certificate must end after it starts");
	g_autoptr(SbStmt) st = store_prep(s,
					  "INSERT INTO booth_certs (serial, booth_id, not_before, not_after, issued) "
					  "VALUES (?, ?, ?, ?, ?)",
					  error);
	return st &&
	       store_bound(s,
			   store_bind_text(st, 1, c->serial) | store_bind_text(st, 2, c->booth_id) |
				   store_bind_int64(st, 3, c->not_before) | store_bind_int64(st, 4, c->not_after) |
				   store_bind_int64(st, 5, sb_store_now(s)),
			   error) &&
	       store_run(s, st, "recording the certificate", error);
}

gboolean sb_store_enrol_complete(SbStore *s, const char *token, const SbBoothCert *cert, GError **error)
{
	if (!store_tx_begin(s, error))
		return FALSE;
	/* checked again inside the transaction: two requests with one token
	 * cannot both get a certificate */
	g_autofree char *booth = token_booth(s, token, error);
	gboolean ok = booth != NULL;
	if (ok && g_strcmp0(booth, cert->booth_id) != 0)
		ok = store_invalid(error, "this enrolment token is for another booth");
	if (ok) {
		g_autofree char *hash = sb_auth_token_hash(token);
		g_autoptr(SbStmt) st = store_prep(
			s,
			"UPDATE enrol_tokens SET used_at = ?, used_serial = ? WHERE token_hash = ? AND used_at IS NULL",
			error);
		ok = st &&
		     store_bound(s,
				 store_bind_int64(st, 1, sb_store_now(s)) | store_bind_text(st, 2, cert->serial) |
					 store_bind_text(st, 3, hash),
				 error) &&
		     store_run(s, st, "burning the enrolment token", error) &&
		     store_changed_one(s, "pending enrolment token for", cert->booth_id, error);
	}
	ok = ok && insert_cert(s, cert, error) && store_tx_commit(s, error);
	if (!ok)
		store_tx_rollback(s);
	return ok;
}

gboolean sb_store_cert_record(SbStore *s, const SbBoothCert *cert, GError **error)
{
	if (!booth_exists(s, cert->booth_id, error))
		return FALSE;
	return insert_cert(s, cert, error);
}

gboolean sb_store_cert_valid(SbStore *s, const char *serial, const char *booth_id, gint64 now, GError **error)
{
	if (!check_serial(serial, error))
		return FALSE;
	g_autoptr(SbStmt) st = store_prep(
		s, "SELECT booth_id, not_before, not_after, revoked_at FROM booth_certs WHERE serial = ?", error);
	if (st == NULL || !store_bound(s, store_bind_text(st, 1, serial), error))
		return FALSE;
	StoreStep rc = store_step(s, st, "looking up the certificate", error);
	if (rc == STORE_FAILED)
		return FALSE;
	/* a serial of another booth reads as unknown: a stolen certificate
	 * says nothing about which booth it belongs to */
	if (rc == STORE_DONE || g_strcmp0(store_col_text(st, 0), booth_id) != 0) {
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND, "no certificate %s for booth '%s'", serial,
			    booth_id ? booth_id : "");
		return FALSE;
	}
	if (!store_col_is_null(st, 3)) {
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_REVOKED, "certificate %s of booth '%s' is revoked",
			    serial, booth_id);
		return FALSE;
	}
	if (now < store_col_int64(st, 1) || now >= store_col_int64(st, 2)) {
		g_set_error(error, SB_STORE_ERROR, SB_STORE_ERROR_EXPIRED,
			    "certificate %s of booth '%s' is not valid at this time", serial, booth_id);
		return FALSE;
	}
	return TRUE;
}

GHashTable *sb_store_certs_good(SbStore *s, gint64 now, GError **error)
{
	g_autoptr(SbStmt) st = store_prep(s,
					  "SELECT serial, booth_id FROM booth_certs "
					  "WHERE revoked_at IS NULL AND not_before <= ? AND not_after > ?",
					  error);
	if (st == NULL || !store_bound(s, store_bind_int64(st, 1, now) | store_bind_int64(st, 2, now), error))
		return NULL;
	g_autoptr(GHashTable) out = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	StoreStep rc;
	while ((rc = store_step(s, st, "listing the good certificates", error)) == STORE_ROW)
		g_hash_table_insert(out, store_col_str(st, 0), store_col_str(st, 1));
	return rc == STORE_DONE ? g_steal_pointer(&out) : NULL;
}

GPtrArray *sb_store_cert_list(SbStore *s, const char *booth_id, GError **error)
{
	g_autoptr(SbStmt) st = store_prep(s,
					  "SELECT serial, booth_id, not_before, not_after, issued, revoked_at "
					  "FROM booth_certs WHERE booth_id = ? ORDER BY issued DESC, not_before DESC",
					  error);
	if (st == NULL || !store_bound(s, store_bind_text(st, 1, booth_id ? booth_id : ""), error))
		return NULL;
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func((GDestroyNotify)sb_booth_cert_free);
	StoreStep rc;
	while ((rc = store_step(s, st, "listing certificates", error)) == STORE_ROW) {
		SbBoothCert *c = g_new0(SbBoothCert, 1);
		c->serial = store_col_str(st, 0);
		c->booth_id = store_col_str(st, 1);
		c->not_before = store_col_int64(st, 2);
		c->not_after = store_col_int64(st, 3);
		c->issued = store_col_int64(st, 4);
		c->revoked_at = store_col_int64(st, 5);
		g_ptr_array_add(out, c);
	}
	return rc == STORE_DONE ? g_steal_pointer(&out) : NULL;
}

gboolean sb_store_booth_revoke(SbStore *s, const char *booth_id, guint *revoked, GError **error)
{
	if (!store_check_id("the booth id", booth_id, SB_STORE_MAX_ID, error) || !booth_exists(s, booth_id, error))
		return FALSE;
	if (!store_tx_begin(s, error))
		return FALSE;
	guint n = 0;
	g_autoptr(SbStmt) up =
		store_prep(s, "UPDATE booth_certs SET revoked_at = ? WHERE booth_id = ? AND revoked_at IS NULL", error);
	gboolean ok =
		up &&
		store_bound(s, store_bind_int64(up, 1, sb_store_now(s)) | store_bind_text(up, 2, booth_id), error) &&
		store_run(s, up, "revoking the booth's certificates", error);
	if (ok) {
		n = store_changes(s);
		g_autoptr(SbStmt) del =
			store_prep(s, "DELETE FROM enrol_tokens WHERE booth_id = ? AND used_at IS NULL", error);
		ok = del && store_bound(s, store_bind_text(del, 1, booth_id), error) &&
		     store_run(s, del, "deleting the booth's pending tokens", error);
	}
	if (!ok || !store_tx_commit(s, error)) {
		store_tx_rollback(s);
		return FALSE;
	}
	if (revoked)
		*revoked = n;
	return TRUE;
}
