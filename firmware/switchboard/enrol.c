/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "relais-enrol"

#include "enrol.h"
#include "fail.h"
#include "relais-config.h"

#include <string.h>

G_DEFINE_QUARK(sb - enrol - error - quark, sb_enrol_error)

struct _SbEnrol {
	SbStore *store;
	SbBoothCa *ca;
	guint lifetime_s;
};

SbEnrol *sb_enrol_new(SbStore *store, SbBoothCa *ca)
{
	SbEnrol *e = g_new0(SbEnrol, 1);
	e->store = store;
	e->ca = ca;
	sb_enrol_set_cert_lifetime(e, 0);
	return e;
}

void sb_enrol_free(SbEnrol *e)
{
	g_free(e);
}

void sb_enrol_set_cert_lifetime(SbEnrol *e, guint seconds)
{
	e->lifetime_s = seconds ? seconds : (guint)CONFIG_RELAIS_SB_BOOTH_CERT_DAYS * 24 * 3600;
}

guint sb_enrol_get_cert_lifetime(SbEnrol *e)
{
	return e->lifetime_s;
}

/* The store's or the CA's refusal as this service's, same message. */
static void set_from(GError **error, GError *cause, SbEnrolError code)
{
	/* a full disk or a lock is not the switchboard broken: try again */
	if (code == SB_ENROL_ERROR_INTERNAL && sb_store_error_is_transient(cause))
		code = SB_ENROL_ERROR_UNAVAILABLE;
	g_set_error_literal(error, SB_ENROL_ERROR, code, cause->message);
}

static void token_error(GError **error, GError *cause)
{
	SbEnrolError code = SB_ENROL_ERROR_INTERNAL;
	if (g_error_matches(cause, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND))
		code = SB_ENROL_ERROR_TOKEN_UNKNOWN;
	else if (g_error_matches(cause, SB_STORE_ERROR, SB_STORE_ERROR_TOKEN_USED))
		code = SB_ENROL_ERROR_TOKEN_USED;
	else if (g_error_matches(cause, SB_STORE_ERROR, SB_STORE_ERROR_EXPIRED))
		code = SB_ENROL_ERROR_TOKEN_EXPIRED;
	set_from(error, cause, code);
}

static void sign_error(GError **error, GError *cause)
{
	SbEnrolError code = SB_ENROL_ERROR_INTERNAL;
	if (cause->domain == SB_BOOTH_CA_ERROR)
		switch ((SbBoothCaError)cause->code) {
		case SB_BOOTH_CA_ERROR_PARSE:
		case SB_BOOTH_CA_ERROR_BAD_SIGNATURE:
			code = SB_ENROL_ERROR_BAD_CSR;
			break;
		case SB_BOOTH_CA_ERROR_KEY_TYPE:
			code = SB_ENROL_ERROR_KEY_TYPE;
			break;
		case SB_BOOTH_CA_ERROR_WRONG_BOOTH:
			code = SB_ENROL_ERROR_WRONG_BOOTH;
			break;
		default:
			break;
		}
	set_from(error, cause, code);
}

static char *sign(SbEnrol *e, const char *csr_pem, const char *booth_id, SbBoothCert **issued, GError **error)
{
	g_autoptr(GError) local = NULL;
	char *pem = sb_booth_ca_sign(e->ca, csr_pem, booth_id, sb_store_now(e->store), e->lifetime_s, issued, &local);
	if (pem == NULL)
		sign_error(error, local);
	return pem;
}

char *sb_enrol_simpleenroll(SbEnrol *e, const char *token, const char *csr_pem, SbBoothCert **issued, GError **error)
{
	g_autoptr(GError) local = NULL;
	g_autofree char *booth = sb_store_enrol_token_booth(e->store, token, &local);
	if (booth == NULL) {
		token_error(error, local);
		return NULL;
	}
	g_autoptr(SbBoothCert) cert = NULL;
	g_autofree char *pem = sign(e, csr_pem, booth, &cert, error);
	if (pem == NULL)
		return NULL;
	/* the token is checked again and burnt with the record: of two
	 * requests racing with one token, one certificate is recorded; the
	 * other was signed but is never valid (not in the store) */
	if (!sb_store_enrol_complete(e->store, token, cert, &local)) {
		token_error(error, local);
		return NULL;
	}
	if (issued)
		*issued = g_steal_pointer(&cert);
	return g_steal_pointer(&pem);
}

char *sb_enrol_simplereenroll(SbEnrol *e, const char *client_cert_pem, const char *csr_pem, SbBoothCert **issued,
			      GError **error)
{
	g_autoptr(GError) local = NULL;
	g_autoptr(SbBoothCert) who = sb_booth_ca_check_client(e->ca, e->store, client_cert_pem, &local);
	if (who == NULL) {
		SbEnrolError code =
			g_error_matches(local, SB_BOOTH_CA_ERROR, SB_BOOTH_CA_ERROR_REVOKED) ? SB_ENROL_ERROR_REVOKED
			: g_error_matches(local, SB_BOOTH_CA_ERROR, SB_BOOTH_CA_ERROR_IO)    ? SB_ENROL_ERROR_INTERNAL
											  : SB_ENROL_ERROR_CERT_REFUSED;
		set_from(error, local, code);
		return NULL;
	}
	g_autoptr(SbBoothCert) cert = NULL;
	g_autofree char *pem = sign(e, csr_pem, who->booth_id, &cert, error);
	if (pem == NULL)
		return NULL;
	if (!sb_store_cert_record(e->store, cert, &local)) {
		/* the booth was deleted between the check and now */
		set_from(error, local,
			 g_error_matches(local, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND) ? SB_ENROL_ERROR_CERT_REFUSED
											  : SB_ENROL_ERROR_INTERNAL);
		return NULL;
	}
	if (issued)
		*issued = g_steal_pointer(&cert);
	return g_steal_pointer(&pem);
}

/* The booth's display name when it exists already ("" otherwise): adding a
 * token must not erase what an administrator named it. */
static char *existing_name(SbStore *store, const char *booth_id, GError **error)
{
	g_autoptr(GPtrArray) all = sb_store_booth_list(store, 0, error);
	if (all == NULL)
		return NULL;
	for (guint i = 0; i < all->len; i++) {
		SbBooth *b = all->pdata[i];
		if (g_strcmp0(b->id, booth_id) == 0)
			return g_strdup(b->name);
	}
	return g_strdup("");
}

char *sb_enrol_booth_add(SbEnrol *e, const char *booth_id, const char *site_name, guint ttl_s, gint64 *expires,
			 GError **error)
{
	g_autoptr(GError) local = NULL;
	g_autoptr(SbSite) site = sb_store_site_get_by_name(e->store, site_name, &local);
	if (site == NULL) {
		set_from(error, local,
			 g_error_matches(local, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND) ? SB_ENROL_ERROR_INVALID
											  : SB_ENROL_ERROR_INTERNAL);
		return NULL;
	}
	g_autofree char *name = existing_name(e->store, booth_id, &local);
	if (name == NULL || !sb_store_booth_upsert(e->store, booth_id, site->id, name, &local)) {
		set_from(error, local,
			 g_error_matches(local, SB_STORE_ERROR, SB_STORE_ERROR_INVALID) ? SB_ENROL_ERROR_INVALID
											: SB_ENROL_ERROR_INTERNAL);
		return NULL;
	}
	char *token = sb_store_enrol_token_create(e->store, booth_id, ttl_s, expires, &local);
	if (token == NULL)
		set_from(error, local, SB_ENROL_ERROR_INTERNAL);
	return token;
}

gboolean sb_enrol_booth_revoke(SbEnrol *e, const char *booth_id, guint *revoked, GError **error)
{
	g_autoptr(GError) local = NULL;
	if (sb_store_booth_revoke(e->store, booth_id, revoked, &local))
		return TRUE;
	gboolean mine = g_error_matches(local, SB_STORE_ERROR, SB_STORE_ERROR_NOT_FOUND) ||
			g_error_matches(local, SB_STORE_ERROR, SB_STORE_ERROR_INVALID);
	set_from(error, local, mine ? SB_ENROL_ERROR_INVALID : SB_ENROL_ERROR_INTERNAL);
	return FALSE;
}

void sb_enrol_status_of(GPtrArray *certs, gint64 token_expires, gint64 now, SbEnrolStatus *out)
{
	*out = (SbEnrolStatus){.token_expires = token_expires > now ? token_expires : 0};
	for (guint i = 0; certs && i < certs->len; i++) {
		const SbBoothCert *c = certs->pdata[i];
		if (c->revoked_at == 0 && c->not_before <= now && now < c->not_after)
			out->cert_expires = MAX(out->cert_expires, c->not_after);
	}
	const SbBoothCert *newest = certs && certs->len ? certs->pdata[0] : NULL;
	if (newest && newest->revoked_at)
		out->revoked_at = newest->revoked_at;
	if (out->cert_expires)
		out->state = SB_ENROL_STATE_ENROLLED;
	else if (out->token_expires)
		out->state = SB_ENROL_STATE_PENDING;
	else if (out->revoked_at)
		out->state = SB_ENROL_STATE_REVOKED;
	else if (newest)
		out->state = SB_ENROL_STATE_EXPIRED;
	else
		out->state = SB_ENROL_STATE_NONE;
}

const char *sb_enrol_state_name(SbEnrolState state)
{
	switch (state) {
	case SB_ENROL_STATE_PENDING:
		return "pending";
	case SB_ENROL_STATE_ENROLLED:
		return "enrolled";
	case SB_ENROL_STATE_EXPIRED:
		return "expired";
	case SB_ENROL_STATE_REVOKED:
		return "revoked";
	case SB_ENROL_STATE_NONE:
		break;
	}
	return "none";
}

SbBoothCert *sb_enrol_check_peer(SbEnrol *e, GTlsCertificate *peer, GError **error)
{
	return sb_booth_ca_check_tls(e->ca, e->store, peer, error);
}

const char *sb_enrol_bearer_token(const char *header)
{
	if (header == NULL || g_ascii_strncasecmp(header, "Bearer ", 7) != 0)
		return NULL;
	const char *token = header + 7;
	if (*token == '\0' || strchr(token, ' ') != NULL)
		return NULL;
	return token;
}

guint sb_enrol_http_status(const GError *error)
{
	if (error == NULL || error->domain != SB_ENROL_ERROR)
		return 500;
	switch ((SbEnrolError)error->code) {
	case SB_ENROL_ERROR_TOKEN_UNKNOWN:
	case SB_ENROL_ERROR_TOKEN_EXPIRED:
	case SB_ENROL_ERROR_TOKEN_USED:
		return 401;
	case SB_ENROL_ERROR_BAD_CSR:
	case SB_ENROL_ERROR_KEY_TYPE:
	case SB_ENROL_ERROR_INVALID:
		return 400;
	case SB_ENROL_ERROR_WRONG_BOOTH:
	case SB_ENROL_ERROR_CERT_REFUSED:
	case SB_ENROL_ERROR_REVOKED:
		return 403;
	case SB_ENROL_ERROR_UNAVAILABLE:
		return 503;
	case SB_ENROL_ERROR_INTERNAL:
		break;
	}
	return 500;
}
