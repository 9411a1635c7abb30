/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a client behind a reverse proxy, or any client, sends in the
 * forwarding headers (firmware/switchboard/client.c, sb_client_resolve):
 * Forwarded (RFC 7239), X-Forwarded-For and X-Forwarded-Proto, and the
 * trusted-proxy list an operator writes (sb_trusted_proxies_add).
 *
 * Input: one selector byte, then the bytes. Selector bit 0: the peer is
 * 127.0.0.1 (else ::1); bit 1: the peer is untrusted (127.0.0.9 or ::9);
 * bits 2, 3, 4: Forwarded, X-Forwarded-For, X-Forwarded-Proto are sent,
 * their values being the bytes split at '\n', in that order; bit 5: the
 * bytes are a trusted-proxy list instead. Trusted: 127.0.0.1/32, ::1,
 * 10.0.0.0/8, 2001:db8::/32.
 *
 * Beyond "no crash, no leak": an untrusted peer's headers change nothing
 * and are not even read; a malformed header leaves the peer as the client
 * with no scheme; a named client is an address whose text is its own; a
 * refused list adds nothing, an accepted one adds at least one entry per
 * non-empty item it had.
 */
#include "fuzz.h"
#include "client.h"

#include <string.h>

static SbTrustedProxies *trusted;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	relais_fuzz_init();
	trusted = sb_trusted_proxies_new();
	g_autoptr(GError) error = NULL;
	if (!sb_trusted_proxies_add(trusted, "127.0.0.1/32, ::1, 10.0.0.0/8, 2001:db8::/32", &error))
		g_error("%s", error->message);
	return 0;
}

static void fuzz_list(const char *text)
{
	g_autoptr(SbTrustedProxies) tp = sb_trusted_proxies_new();
	g_autoptr(GError) error = NULL;
	if (sb_trusted_proxies_add(tp, text, &error)) {
		g_assert_no_error(error);
		g_autofree char *back = sb_trusted_proxies_to_string(tp);
		/* what it prints reads back to the same list */
		g_autoptr(SbTrustedProxies) again = sb_trusted_proxies_new();
		g_assert_true(sb_trusted_proxies_add(again, back, NULL));
		g_assert_cmpuint(sb_trusted_proxies_count(again), ==, sb_trusted_proxies_count(tp));
	} else {
		g_assert_nonnull(error);
		g_assert_cmpuint(sb_trusted_proxies_count(tp), ==, 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || data[0] > 63)
		return 0;
	guint8 sel = data[0];
	g_autofree char *text = relais_fuzz_strndup(data + 1, size - 1);
	if (sel & 32) {
		fuzz_list(text);
		return 0;
	}
	gboolean v4 = sel & 1, untrusted = sel & 2;
	const char *peer_text = untrusted ? (v4 ? "127.0.0.9" : "::9") : (v4 ? "127.0.0.1" : "::1");
	g_autoptr(GInetAddress) peer = g_inet_address_new_from_string(peer_text);
	const char *headers[3] = {NULL, NULL, NULL};
	g_auto(GStrv) parts = g_strsplit(text, "\n", 3);
	guint next = 0;
	for (guint i = 0; i < 3; i++)
		if (sel & (4 << i))
			headers[i] = parts[next] ? parts[next++] : "";
	g_autoptr(SbClient) c = sb_client_resolve(trusted, peer, headers[0], headers[1], headers[2]);
	g_assert_nonnull(c->text);
	if (untrusted || c->malformed) {
		g_assert_cmpstr(c->text, ==, peer_text);
		g_assert_cmpint(c->scheme, ==, SB_CLIENT_SCHEME_UNSTATED);
		g_assert_null(c->proxy);
		if (untrusted)
			g_assert_null(c->malformed);
		return 0;
	}
	g_assert_nonnull(c->address);
	g_autofree char *back = g_inet_address_to_string(c->address);
	g_assert_cmpstr(back, ==, c->text);
	/* a named client came through the peer */
	if (c->proxy)
		g_assert_cmpstr(c->proxy, ==, peer_text);
	else
		g_assert_cmpstr(c->text, ==, peer_text);
	/* the client is untrusted, or the walk ended on a trusted hop
	 * (all hops trusted, or an unknown one) */
	g_assert_cmpint(c->scheme, <=, SB_CLIENT_SCHEME_HTTPS);
	return 0;
}
