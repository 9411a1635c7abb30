/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * http: the request helpers the switchboard's HTTP handlers share (server,
 * site, stats): JSON replies, the sign-in cookie, the Origin check.
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include "store.h"

G_BEGIN_DECLS

/* The sign-in cookie's name. */
#define SB_SESSION_COOKIE "relais_session"

/* Sets a JSON reply (not cached, no sniffing) of `root`. */
void sb_http_set_json_node(SoupServerMessage *msg, guint status, JsonNode *root);
/* The same with the root of `b`. */
void sb_http_set_json(SoupServerMessage *msg, guint status, JsonBuilder *b);
/* Sets the reply {"error": text}. */
void sb_http_set_json_error(SoupServerMessage *msg, guint status, const char *text);
/* Sets the reply {"error": text, "field": field} (`field` NULL: none), the
 * field naming the request's culprit member. */
void sb_http_set_json_field_error(SoupServerMessage *msg, guint status, const char *field, const char *text);

/* Sets a 405 reply naming the methods `allow`ed. */
void sb_http_method_not_allowed(SoupServerMessage *msg, const char *allow);

/* The raw token of the sign-in cookie (at most twice SB_AUTH_TOKEN_CHARS),
 * or NULL. Returns: (transfer full) */
char *sb_http_signin_token(SoupServerMessage *msg);
/* The same from the Cookie header's value (nullable; several Cookie
 * headers joined by ", "). Pure (fuzzed: tests/fuzz/). Returns: (transfer full) */
char *sb_http_cookie_token(const char *cookies);

/* login and password of a sign-in body: a JSON object {login, password}
 * (application/json) or a urlencoded form (application/x-www-form-urlencoded),
 * `len` bytes of UTF-8 without NUL, both non-empty strings. FALSE: *why
 * says what is wrong (static text, for the 400 reply). *login, *password:
 * (transfer full) on success, NULL otherwise. Pure (fuzzed: tests/fuzz/). */
gboolean sb_http_parse_credentials(const char *content_type, const char *data, gsize len, char **login, char **password,
				   const char **why);

/* The account behind the request's sign-in cookie in `store`, or NULL (no
 * cookie, unknown, expired or disabled; any other store error is logged).
 * *token_out: the raw token (nullable). Returns: (transfer full) */
SbUser *sb_http_signin_user(SbStore *store, SoupServerMessage *msg, char **token_out);

/* One bit per role: SB_HTTP_ROLE(SB_ROLE_ADMIN) | ... */
#define SB_HTTP_ROLE(r) (1u << (r))
/* The signed-in user if their role is one of `roles`; else replies 401 (no
 * sign-in) or 403 (another role) and returns NULL. token_out: as above. */
SbUser *sb_http_require_role(SbStore *store, SoupServerMessage *msg, guint roles, char **token_out);
/* TRUE if the request's method is in `allow` ("GET, HEAD"); else replies
 * 405 with that Allow header and returns FALSE. */
gboolean sb_http_allow(SoupServerMessage *msg, const char *allow);

/* Whether the request's Origin is the page's own, scheme://Host (`secure`:
 * the listener is https; a trusted proxy's X-Forwarded-Proto or Forwarded
 * proto= says instead, client.h). A browser sends one with every WebSocket upgrade and with
 * cross-site POSTs; a request without one passes unless `required`. */
gboolean sb_http_origin_is_ours(SoupServerMessage *msg, gboolean secure, gboolean required);

/* From an early handler (soup_server_add_early_handler) that has set its
 * answer (status, JSON, Allow, Retry-After): libsoup 3 would read the whole
 * body first, so when a body follows the connection is taken over, the
 * answer written at once, what the client still sends drained for a moment
 * (so that it sees the answer rather than a reset) and the connection
 * closed. An upload is refused on its headers alone this way. */
void sb_http_refuse_before_body(SoupServerMessage *msg);

/* The largest request body, in bytes, that route `path` reads into memory. */
typedef gsize (*SbHttpBodyCap)(const char *path, gpointer user_data);
/* Caps every request body of `soup` before it is kept: a Content-Length
 * over cap(path) is refused with 413 before the body is read, a chunked
 * body as soon as its streamed size passes the cap (the connection then
 * closed: sb_http_refuse_before_body). Uploads that an early handler
 * streams itself (accumulate off: documents, bundles) keep their own caps. */
void sb_http_cap_bodies(SoupServer *soup, SbHttpBodyCap cap, gpointer user_data);

/* A positive decimal id (a query parameter, a path segment), or 0. */
gint64 sb_http_parse_id(const char *text);

G_END_DECLS
