/* SPDX-License-Identifier: GPL-2.0-or-later */
/* client: who the client is behind trusted reverse proxies
 * (firmware/switchboard/client.c). The trusted list (addresses, CIDR
 * ranges, both families, bad entries), Forwarded with several elements and
 * quoted IPv6 with ports, X-Forwarded-For chains walked from the right past
 * trusted hops, the scheme taken from the hop that named the client, and
 * the hostile inputs: headers from an untrusted peer, garbage, an oversized
 * header, too many hops; each falls back to the peer. */
#include "client.h"

#include <string.h>

static SbTrustedProxies *proxies(const char *list)
{
	SbTrustedProxies *tp = sb_trusted_proxies_new();
	g_autoptr(GError) error = NULL;
	g_assert_true(sb_trusted_proxies_add(tp, list, &error));
	g_assert_no_error(error);
	return tp;
}

static GInetAddress *addr(const char *text)
{
	GInetAddress *a = g_inet_address_new_from_string(text);
	g_assert_nonnull(a);
	return a;
}

/* resolve from `peer` with the three headers; the result's address text */
static SbClient *resolve(const SbTrustedProxies *tp, const char *peer, const char *fwd, const char *xff,
			 const char *xfp)
{
	g_autoptr(GInetAddress) p = addr(peer);
	return sb_client_resolve(tp, p, fwd, xff, xfp);
}

static void assert_client(const SbTrustedProxies *tp, const char *peer, const char *fwd, const char *xff,
			  const char *xfp, const char *want, SbClientScheme scheme)
{
	g_autoptr(SbClient) c = resolve(tp, peer, fwd, xff, xfp);
	g_assert_cmpstr(c->text, ==, want);
	g_assert_cmpint(c->scheme, ==, scheme);
	g_assert_nonnull(c->address);
	g_autofree char *back = g_inet_address_to_string(c->address);
	g_assert_cmpstr(back, ==, want);
}

/* a malformed header from a trusted peer: the peer, no scheme, a reason */
static void assert_malformed(const SbTrustedProxies *tp, const char *peer, const char *fwd, const char *xff,
			     const char *xfp)
{
	g_autoptr(SbClient) c = resolve(tp, peer, fwd, xff, xfp);
	if (c->malformed == NULL || c->proxy != NULL)
		g_error("not refused: Forwarded '%s' X-Forwarded-For '%s' X-Forwarded-Proto '%s'", fwd, xff, xfp);
	g_assert_cmpstr(c->text, ==, peer);
	g_assert_cmpint(c->scheme, ==, SB_CLIENT_SCHEME_UNSTATED);
}

static void test_trusted_list(void)
{
	g_autoptr(SbTrustedProxies) tp = proxies("127.0.0.1/32, ::1 10.0.0.0/8,,2001:db8::/32");
	g_assert_cmpuint(sb_trusted_proxies_count(tp), ==, 4);
	const char *in[] = {"127.0.0.1",      "::1", "10.1.2.3", "10.255.255.255", "2001:db8::7", "::ffff:127.0.0.1",
			    "::ffff:10.9.8.7"};
	const char *out[] = {"127.0.0.2",	 "::2",	       "11.0.0.0", "9.255.255.255", "2001:db9::1",
			     "::ffff:127.0.0.2", "192.168.1.1"};
	for (guint i = 0; i < G_N_ELEMENTS(in); i++) {
		g_autoptr(GInetAddress) a = addr(in[i]);
		g_assert_true(sb_trusted_proxies_contains(tp, a));
	}
	for (guint i = 0; i < G_N_ELEMENTS(out); i++) {
		g_autoptr(GInetAddress) a = addr(out[i]);
		g_assert_false(sb_trusted_proxies_contains(tp, a));
	}
	g_autofree char *text = sb_trusted_proxies_to_string(tp);
	g_assert_cmpstr(text, ==, "127.0.0.1, ::1, 10.0.0.0/8, 2001:db8::/32");

	/* nobody: an empty list, a NULL one */
	g_autoptr(SbTrustedProxies) none = proxies("");
	g_autoptr(GInetAddress) lo = addr("127.0.0.1");
	g_assert_false(sb_trusted_proxies_contains(none, lo));
	g_assert_false(sb_trusted_proxies_contains(NULL, lo));

	/* a bad entry: a clear error naming it, and nothing of its list added */
	const char *bad[] = {"127.0.0.1,localhost", "10.0.0.1/8", "10.0.0.0/33", "::1/129", "1.2.3", "127.0.0.1/x"};
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(SbTrustedProxies) t = sb_trusted_proxies_new();
		g_autoptr(GError) error = NULL;
		g_assert_false(sb_trusted_proxies_add(t, bad[i], &error));
		g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
		g_assert_nonnull(strstr(error->message, "trusted proxy '"));
		g_assert_cmpuint(sb_trusted_proxies_count(t), ==, 0);
	}
}

static void test_no_proxy(void)
{
	g_autoptr(SbTrustedProxies) tp = proxies("127.0.0.1");
	/* no header from the proxy: the proxy is the client (its health checks) */
	g_autoptr(SbClient) c = resolve(tp, "127.0.0.1", NULL, NULL, NULL);
	g_assert_cmpstr(c->text, ==, "127.0.0.1");
	g_assert_cmpint(c->scheme, ==, SB_CLIENT_SCHEME_UNSTATED);
	g_assert_null(c->malformed);
	/* no peer at all (not an IP socket) */
	g_autoptr(SbClient) none = sb_client_resolve(tp, NULL, "for=1.2.3.4", NULL, NULL);
	g_assert_null(none->address);
	g_assert_cmpstr(none->text, ==, "");
}

/* The hostile input: a direct client that is not a trusted proxy sends
 * headers naming someone else; none of them is even read. */
static void test_spoofed_from_untrusted(void)
{
	g_autoptr(SbTrustedProxies) tp = proxies("127.0.0.1/32,::1");
	const char *fwd[] = {"for=203.0.113.9;proto=https", NULL, "garbage;;;\"", NULL};
	const char *xff[] = {NULL, "203.0.113.9", NULL, "203.0.113.9, 127.0.0.1"};
	const char *xfp[] = {NULL, "https", "https", "https"};
	for (guint i = 0; i < G_N_ELEMENTS(fwd); i++) {
		g_autoptr(SbClient) c = resolve(tp, "127.0.0.3", fwd[i], xff[i], xfp[i]);
		g_assert_cmpstr(c->text, ==, "127.0.0.3");
		g_assert_cmpint(c->scheme, ==, SB_CLIENT_SCHEME_UNSTATED);
		g_assert_null(c->proxy);
		g_assert_null(c->malformed); /* not parsed at all */
	}
	/* and with no list at all */
	g_autoptr(SbClient) c = resolve(NULL, "127.0.0.1", "for=203.0.113.9", NULL, "https");
	g_assert_cmpstr(c->text, ==, "127.0.0.1");
	g_assert_cmpint(c->scheme, ==, SB_CLIENT_SCHEME_UNSTATED);
}

static void test_forwarded(void)
{
	g_autoptr(SbTrustedProxies) tp = proxies("127.0.0.1/32,::1,10.0.0.0/8");
	/* RFC 7239 examples, one hop */
	assert_client(tp, "127.0.0.1", "for=192.0.2.43", NULL, NULL, "192.0.2.43", SB_CLIENT_SCHEME_UNSTATED);
	assert_client(tp, "127.0.0.1", "for=192.0.2.43;proto=https", NULL, NULL, "192.0.2.43", SB_CLIENT_SCHEME_HTTPS);
	assert_client(tp, "127.0.0.1", "For=\"[2001:db8:cafe::17]:4711\"", NULL, NULL, "2001:db8:cafe::17",
		      SB_CLIENT_SCHEME_UNSTATED);
	assert_client(tp, "::1", "for=\"[::1]:443\";proto=HTTPS", NULL, NULL, "::1", SB_CLIENT_SCHEME_HTTPS);
	assert_client(tp, "127.0.0.1", "for=\"192.0.2.60:8080\";proto=http;by=203.0.113.43", NULL, NULL, "192.0.2.60",
		      SB_CLIENT_SCHEME_HTTP);
	assert_client(tp, "127.0.0.1", "proto=https; for=\"_hidden\" ,for=192.0.2.61", NULL, NULL, "192.0.2.61",
		      SB_CLIENT_SCHEME_UNSTATED);
	/* several elements: from the right, trusted hops skipped, the first
	 * untrusted one is the client, with the proto of its own element */
	assert_client(tp, "127.0.0.1", "for=198.51.100.17;proto=https, for=10.1.1.1;proto=http", NULL, NULL,
		      "198.51.100.17", SB_CLIENT_SCHEME_HTTPS);
	/* the leftmost is the client's own claim: past the first untrusted
	 * address nothing is believed */
	assert_client(tp, "127.0.0.1", "for=127.0.0.1, for=203.0.113.9;proto=https, for=10.0.0.2", NULL, NULL,
		      "203.0.113.9", SB_CLIENT_SCHEME_HTTPS);
	/* every hop trusted: the farthest one */
	assert_client(tp, "127.0.0.1", "for=10.0.0.3, for=10.0.0.2", NULL, NULL, "10.0.0.3", SB_CLIENT_SCHEME_UNSTATED);
	/* several Forwarded headers, joined by libsoup with ", " */
	assert_client(tp, "127.0.0.1", "for=192.0.2.1;proto=https, for=\"[2001:db8::1]\"", NULL, NULL, "2001:db8::1",
		      SB_CLIENT_SCHEME_UNSTATED);
	/* an IPv4-mapped address is its IPv4 address */
	assert_client(tp, "127.0.0.1", "for=\"[::ffff:192.0.2.5]:80\"", NULL, NULL, "192.0.2.5",
		      SB_CLIENT_SCHEME_UNSTATED);
	/* quoted-pair and extensions are fine */
	assert_client(tp, "127.0.0.1", "for=\"192.0.2.\\7\";ext=\"a,b;c\";host=example.org", NULL, NULL, "192.0.2.7",
		      SB_CLIENT_SCHEME_UNSTATED);
	/* Forwarded wins over X-Forwarded-For when both come */
	assert_client(tp, "127.0.0.1", "for=192.0.2.8", "192.0.2.9", "https", "192.0.2.8", SB_CLIENT_SCHEME_UNSTATED);
	/* empty list elements are allowed (1#) */
	assert_client(tp, "127.0.0.1", ", for=192.0.2.10 ,, ", NULL, NULL, "192.0.2.10", SB_CLIENT_SCHEME_UNSTATED);
}

/* unknown and obfuscated identifiers: the walk stops at the last proxy
 * known, which is then the client */
static void test_forwarded_unknown(void)
{
	g_autoptr(SbTrustedProxies) tp = proxies("127.0.0.1/32,10.0.0.0/8");
	assert_client(tp, "127.0.0.1", "for=unknown;proto=https", NULL, NULL, "127.0.0.1", SB_CLIENT_SCHEME_HTTPS);
	assert_client(tp, "127.0.0.1", "for=_abc-1.x", NULL, NULL, "127.0.0.1", SB_CLIENT_SCHEME_UNSTATED);
	assert_client(tp, "127.0.0.1", "for=192.0.2.1, for=_hidden, for=10.0.0.7", NULL, NULL, "10.0.0.7",
		      SB_CLIENT_SCHEME_UNSTATED);
	/* an element without for= (a proxy stating only the scheme) */
	assert_client(tp, "127.0.0.1", "proto=https", NULL, NULL, "127.0.0.1", SB_CLIENT_SCHEME_HTTPS);
	g_autoptr(SbClient) c = resolve(tp, "127.0.0.1", "for=unknown", NULL, NULL);
	g_assert_cmpstr(c->proxy, ==, "127.0.0.1");
	g_assert_null(c->malformed);
}

static void test_x_forwarded_for(void)
{
	g_autoptr(SbTrustedProxies) tp = proxies("127.0.0.1/32,::1,10.0.0.0/8");
	assert_client(tp, "127.0.0.1", NULL, "192.0.2.1", NULL, "192.0.2.1", SB_CLIENT_SCHEME_UNSTATED);
	assert_client(tp, "127.0.0.1", NULL, "192.0.2.1", "https", "192.0.2.1", SB_CLIENT_SCHEME_HTTPS);
	assert_client(tp, "::1", NULL, "2001:db8::5", "http", "2001:db8::5", SB_CLIENT_SCHEME_HTTP);
	assert_client(tp, "::1", NULL, "[2001:db8::5]:1234", NULL, "2001:db8::5", SB_CLIENT_SCHEME_UNSTATED);
	assert_client(tp, "::1", NULL, "192.0.2.4:5555", NULL, "192.0.2.4", SB_CLIENT_SCHEME_UNSTATED);
	/* a chain with trusted hops (nginx's real_ip_recursive): the client's
	 * own spoofed entry on the left is not reached */
	assert_client(tp, "127.0.0.1", NULL, "203.0.113.66, 198.51.100.2, 10.0.0.9,10.0.0.8", "https", "198.51.100.2",
		      SB_CLIENT_SCHEME_HTTPS);
	/* one scheme per hop: the one of the hop that named the client */
	assert_client(tp, "127.0.0.1", NULL, "198.51.100.2, 10.0.0.9", "https, http", "198.51.100.2",
		      SB_CLIENT_SCHEME_HTTPS);
	/* a header repeated (HAProxy's option forwardfor adds its own line):
	 * libsoup joins them */
	assert_client(tp, "127.0.0.1", NULL, "203.0.113.9, 127.0.0.2", "https", "127.0.0.2", SB_CLIENT_SCHEME_HTTPS);
	assert_client(tp, "127.0.0.1", NULL, "unknown", NULL, "127.0.0.1", SB_CLIENT_SCHEME_UNSTATED);
	/* only X-Forwarded-Proto: the proxy is the client, the scheme believed */
	assert_client(tp, "127.0.0.1", NULL, NULL, "https", "127.0.0.1", SB_CLIENT_SCHEME_HTTPS);
}

/* Garbage from a trusted proxy (or what a client behind it slipped past it):
 * the peer is the client, nothing else is believed. */
static void test_garbage(void)
{
	g_autoptr(SbTrustedProxies) tp = proxies("127.0.0.1/32");
	const char *forwarded[] = {
		"",
		" ",
		"for",
		"for=",
		"=1.2.3.4",
		"for=1.2.3.4 x",
		"for=\"1.2.3.4",
		"for=\"1.2.3.4\\",
		"for=[::1]",			   /* IPv6 must be quoted */
		"for=::1",			   /* same */
		"for=1.2.3.4:80",		   /* ':' is not a token character */
		"for=\"::1\"",			   /* IPv6 without brackets */
		"for=\"[::1\"",			   /* unclosed bracket */
		"for=\"[::1]x\"",		   /* text after the bracket */
		"for=\"[::1]:99999\"",		   /* port out of range */
		"for=\"[::1]:\"",		   /* empty port */
		"for=\"[1.2.3.4]\"",		   /* IPv4 in brackets */
		"for=\"[fe80::1%eth0]\"",	   /* a zone */
		"for=\"1.2.3.4:80:80\"",	   /* two ports */
		"for=1.2.3.256",		   /* not an address */
		"for=1.2.3",			   /* nor that */
		"for=0x7f.1",			   /* nor that */
		"for=localhost",		   /* a name */
		"for=_",			   /* an empty obfuscated identifier */
		"for=\"_a b\"",			   /* a space in one */
		"for=1.2.3.4;for=5.6.7.8",	   /* twice in an element */
		"proto=https;PROTO=http",	   /* same */
		"for=1.2.3.4;proto=ftp",	   /* a scheme we do not speak */
		"for=1.2.3.4;proto=\"\"",	   /* an empty one */
		"for=\"1.2.3.4\x01\"",		   /* a control character */
		"for=\"a\x7f\"",		   /* DEL */
		"for=1.2.3.4, for=5.6.7.8;;x y=1", /* a bad element anywhere */
		"\xff\xfe=1",
	};
	for (guint i = 0; i < G_N_ELEMENTS(forwarded); i++)
		assert_malformed(tp, "127.0.0.1", forwarded[i], "192.0.2.1", "https");
	const char *xff[] = {"",
			     ",",
			     "1.2.3.4,",
			     ",1.2.3.4",
			     "1.2.3.4,,5.6.7.8",
			     "1.2.3.4 5.6.7.8",
			     "host.example",
			     "1.2.3.4:",
			     "1.2.3.4:70000",
			     "[::1",
			     "[::1]:x",
			     "::1]",
			     "1.2.3.4/8",
			     "_hidden"};
	for (guint i = 0; i < G_N_ELEMENTS(xff); i++)
		assert_malformed(tp, "127.0.0.1", NULL, xff[i], NULL);
	const char *xfp[] = {"", "ftp", "https,", "https, http, https", "ws"};
	for (guint i = 0; i < G_N_ELEMENTS(xfp); i++)
		assert_malformed(tp, "127.0.0.1", NULL, "192.0.2.1, 127.0.0.1", xfp[i]);
	/* X-Forwarded-Proto alone, but not one scheme */
	assert_malformed(tp, "127.0.0.1", NULL, NULL, "https, https");
	assert_malformed(tp, "127.0.0.1", NULL, NULL, "gopher");
}

/* An oversized header and too many hops: a real chain is short. */
static void test_oversized(void)
{
	g_autoptr(SbTrustedProxies) tp = proxies("127.0.0.1/32");
	g_autoptr(GString) big = g_string_new("for=192.0.2.1;ext=\"");
	while (big->len <= SB_CLIENT_MAX_HEADER)
		g_string_append_c(big, 'a');
	g_string_append_c(big, '"');
	assert_malformed(tp, "127.0.0.1", big->str, NULL, NULL);
	/* a single value over 256 bytes, within the header's size */
	g_autoptr(GString) value = g_string_new("for=192.0.2.1;ext=");
	for (guint i = 0; i < 300; i++)
		g_string_append_c(value, 'a');
	assert_malformed(tp, "127.0.0.1", value->str, NULL, NULL);
	g_autoptr(GString) hops = g_string_new(NULL);
	g_autoptr(GString) xhops = g_string_new(NULL);
	for (guint i = 0; i <= SB_CLIENT_MAX_HOPS; i++) {
		g_string_append_printf(hops, "%sfor=127.0.0.1", i ? "," : "");
		g_string_append_printf(xhops, "%s127.0.0.1", i ? "," : "");
	}
	assert_malformed(tp, "127.0.0.1", hops->str, NULL, NULL);
	assert_malformed(tp, "127.0.0.1", NULL, xhops->str, NULL);
	g_autoptr(GString) bigx = g_string_new("192.0.2.1");
	while (bigx->len <= SB_CLIENT_MAX_HEADER)
		g_string_append(bigx, " ");
	assert_malformed(tp, "127.0.0.1", NULL, bigx->str, NULL);
	/* exactly the most hops is still a chain */
	g_string_truncate(hops, 0);
	for (guint i = 0; i < SB_CLIENT_MAX_HOPS; i++)
		g_string_append_printf(hops, "%sfor=127.0.0.1", i ? "," : "");
	assert_client(tp, "127.0.0.1", hops->str, NULL, NULL, "127.0.0.1", SB_CLIENT_SCHEME_UNSTATED);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/client/trusted-list", test_trusted_list);
	g_test_add_func("/client/no-proxy", test_no_proxy);
	g_test_add_func("/client/spoofed-from-untrusted-peer", test_spoofed_from_untrusted);
	g_test_add_func("/client/forwarded", test_forwarded);
	g_test_add_func("/client/forwarded-unknown", test_forwarded_unknown);
	g_test_add_func("/client/x-forwarded-for", test_x_forwarded_for);
	g_test_add_func("/client/garbage", test_garbage);
	g_test_add_func("/client/oversized", test_oversized);
	return g_test_run();
}
