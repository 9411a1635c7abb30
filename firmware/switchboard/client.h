/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * client: who the client of a request is, and whether it came over https,
 * behind trusted reverse proxies (issue 12, item 6; README.md "Behind a
 * reverse proxy").
 *
 * The TCP peer is the client unless it is in the configured list of trusted
 * proxies (addresses and CIDR ranges, IPv4 and IPv6). Only then are its
 * RFC 7239 Forwarded header (for=, proto=) or, without one, its
 * X-Forwarded-For / X-Forwarded-Proto believed: the list of hops is walked
 * from the right, trusted proxies skipped, and the first untrusted address
 * is the client. A header from anyone else is ignored entirely; a malformed
 * or oversized one is ignored too (the peer is the client, logged at debug).
 * Everything that uses a client's address (sign-in limits, the pre-hello
 * caps, the /metrics rule, logs) or its scheme (the cookie's Secure, the
 * Origin check) asks here.
 */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

/* Longest Forwarded / X-Forwarded-For / X-Forwarded-Proto believed, in
 * bytes, and the most hops in one: a longer chain is not a real one. */
#define SB_CLIENT_MAX_HEADER 4096
#define SB_CLIENT_MAX_HOPS   32

/* The trusted proxies: a list of address masks (reference counted: each
 * request being answered holds one). */
typedef struct _SbTrustedProxies SbTrustedProxies;

/* An empty list (nobody's headers are believed). Returns: (transfer full) */
SbTrustedProxies *sb_trusted_proxies_new(void);
/* Adds the addresses and CIDR ranges of `list`, separated by commas or
 * spaces ("127.0.0.1/32, ::1, 10.0.0.0/8"). FALSE: one is not an address
 * or a range (error says which); nothing of `list` is added then. */
gboolean sb_trusted_proxies_add(SbTrustedProxies *tp, const char *list, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* Whether `addr` is one of them (an IPv4-mapped IPv6 address counts as its
 * IPv4 address). `tp` nullable: nobody is. */
gboolean sb_trusted_proxies_contains(const SbTrustedProxies *tp, GInetAddress *addr);
/* How many addresses and ranges there are. */
guint sb_trusted_proxies_count(const SbTrustedProxies *tp);
/* The list as text ("127.0.0.1/32, ::1/128"), for the log. Returns: (transfer full) */
char *sb_trusted_proxies_to_string(const SbTrustedProxies *tp);
SbTrustedProxies *sb_trusted_proxies_ref(SbTrustedProxies *tp);
void sb_trusted_proxies_unref(SbTrustedProxies *tp);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SbTrustedProxies, sb_trusted_proxies_unref)

typedef enum {
	SB_CLIENT_SCHEME_UNSTATED, /* no trusted proxy said: the listener's own */
	SB_CLIENT_SCHEME_HTTP,
	SB_CLIENT_SCHEME_HTTPS,
} SbClientScheme;

typedef struct {
	GInetAddress *address; /* nullable: the peer was not an IP socket */
	char *text;	       /* the address as text, "" without one */
	SbClientScheme scheme;
	/* the trusted peer whose header named the client, as text; NULL when
	 * the peer is the client */
	char *proxy;
	/* why the headers of a trusted peer were not believed (static text),
	 * or NULL */
	const char *malformed;
} SbClient;

/* Who the client is: pure (fuzzed: tests/fuzz/fuzz-forwarded.c). `peer`:
 * the TCP peer (nullable); `forwarded`, `x_forwarded_for`,
 * `x_forwarded_proto`: the request's headers (nullable; repeated headers
 * joined by ", "), read only when `peer` is in `tp`. Returns: (transfer full) */
SbClient *sb_client_resolve(const SbTrustedProxies *tp, GInetAddress *peer, const char *forwarded,
			    const char *x_forwarded_for, const char *x_forwarded_proto);
void sb_client_free(SbClient *client);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SbClient, sb_client_free)

/* Every request of `soup` is resolved against `tp` (a reference is taken).
 * A server without it: the peer is every request's client. */
void sb_client_attach(SoupServer *soup, SbTrustedProxies *tp);
/* The client of `msg`, resolved on first use and kept with the message. */
const SbClient *sb_client_get(SoupServerMessage *msg);
/* Its address as text, never NULL ("" when there is none). */
const char *sb_client_address(SoupServerMessage *msg);
/* Whether the client's request came over https: what a trusted proxy said,
 * else `listener_tls` (the listener's own scheme). */
gboolean sb_client_is_https(SoupServerMessage *msg, gboolean listener_tls);

G_END_DECLS
