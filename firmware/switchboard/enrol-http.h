/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * enrol-http: the enrolment service (enrol.c) on a SoupServer, as EST's
 * endpoints (ENROL.md):
 *
 *   POST /.well-known/est/simpleenroll    Authorization: Bearer <token>,
 *                                         body: the PEM PKCS#10 request
 *   POST /.well-known/est/simplereenroll  over mutual TLS (the booth's
 *                                         certificate), body as above
 *
 * 200 with the PEM certificate (application/pem-certificate-chain), or
 * sb_enrol_http_status()'s code with a one-line text reason. EST proper
 * carries base64 DER (application/pkcs10, application/pkcs7-mime); Relais
 * carries PEM both ways (ENROL.md says why).
 *
 * It also refuses, at the TLS handshake, a client certificate that is not
 * a valid, unrevoked booth certificate (the server message's
 * accept-certificate); a client without a certificate is let through to
 * simpleenroll, which needs a token instead.
 */
#pragma once

#include "enrol.h"

#include <libsoup/soup.h>

G_BEGIN_DECLS

#define SB_ENROL_HTTP_PATH     "/.well-known/est"
#define SB_ENROL_HTTP_ENROLL   SB_ENROL_HTTP_PATH "/simpleenroll"
#define SB_ENROL_HTTP_REENROLL SB_ENROL_HTTP_PATH "/simplereenroll"
/* A CSR is about 500 bytes; anything much bigger is not one. */
#define SB_ENROL_HTTP_MAX_BODY	   16384
#define SB_ENROL_HTTP_CONTENT_TYPE "application/pem-certificate-chain"

/* Adds the EST handler to `server` and checks every client certificate
 * presented to it at the handshake. `server` must request client
 * certificates (tls-auth-mode G_TLS_AUTHENTICATION_REQUESTED) and must not
 * have the booth CA as its tls-database (so that every presented
 * certificate reaches the check, which also asks the store). `enrol` must
 * outlive the server. */
void sb_enrol_http_attach(SoupServer *server, SbEnrol *enrol);

/* The gate of an endpoint for enrolled booths only (/ws/booth): the booth
 * that the message's TLS peer certificate names, checked again (the store
 * may have changed since the handshake: a revocation, an expiry). On a
 * refusal the message gets 403 with the reason and NULL is returned.
 * Returns: (transfer full) who it is (booth_id is what a hello must name). */
SbBoothCert *sb_enrol_http_gate(SbEnrol *enrol, SoupServerMessage *msg);

G_END_DECLS
