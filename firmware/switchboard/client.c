/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "relais-client"

#include "client.h"

#include <string.h>

/* --- the trusted proxies ------------------------------------------------------ */

struct _SbTrustedProxies {
	GPtrArray *masks; /* GInetAddressMask* */
};

SbTrustedProxies *sb_trusted_proxies_new(void)
{
	SbTrustedProxies *tp = g_atomic_rc_box_new0(SbTrustedProxies);
	tp->masks = g_ptr_array_new_with_free_func(g_object_unref);
	return tp;
}

static void trusted_proxies_clear(gpointer data)
{
	SbTrustedProxies *tp = data;
	g_ptr_array_unref(tp->masks);
}

SbTrustedProxies *sb_trusted_proxies_ref(SbTrustedProxies *tp)
{
	return g_atomic_rc_box_acquire(tp);
}

void sb_trusted_proxies_unref(SbTrustedProxies *tp)
{
	if (tp)
		g_atomic_rc_box_release_full(tp, trusted_proxies_clear);
}

/* "ADDRESS" or "ADDRESS/LENGTH". Checked here before GLib sees it: its
 * property checks would only warn of a length out of range.
 * Returns: (transfer full) */
static GInetAddressMask *mask_from_string(const char *text, GError **error)
{
	g_auto(GStrv) parts = g_strsplit(text, "/", 2);
	g_autoptr(GInetAddress) addr = g_inet_address_new_from_string(parts[0]);
	guint64 length = 0;
	const char *why = NULL;
	if (addr == NULL) {
		why = "not an IPv4 or IPv6 address";
	} else {
		guint bits = g_inet_address_get_native_size(addr) * 8;
		length = bits;
		if (parts[1] != NULL &&
		    (!g_ascii_string_to_unsigned(parts[1], 10, 0, bits, &length, NULL) || !g_ascii_isdigit(*parts[1])))
			why = bits == 32 ? "the prefix length of an IPv4 range is 0..32"
					 : "the prefix length of an IPv6 range is 0..128";
	}
	g_autoptr(GError) e = NULL;
	GInetAddressMask *mask = why ? NULL : g_inet_address_mask_new(addr, (guint)length, &e);
	if (mask == NULL) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "trusted proxy '%s' is not an address or a CIDR range: %s", text, why ? why : e->message);
		return NULL;
	}
	return mask;
}

gboolean sb_trusted_proxies_add(SbTrustedProxies *tp, const char *list, GError **error)
{
	g_autoptr(GPtrArray) masks = g_ptr_array_new_with_free_func(g_object_unref);
	g_auto(GStrv) items = g_strsplit_set(list ? list : "", ", \t", -1);
	for (char **i = items; *i; i++) {
		if (**i == '\0')
			continue;
		GInetAddressMask *mask = mask_from_string(*i, error);
		if (mask == NULL)
			return FALSE;
		g_ptr_array_add(masks, mask);
	}
	for (guint i = 0; i < masks->len; i++)
		g_ptr_array_add(tp->masks, g_object_ref(masks->pdata[i]));
	return TRUE;
}

guint sb_trusted_proxies_count(const SbTrustedProxies *tp)
{
	return tp ? tp->masks->len : 0;
}

char *sb_trusted_proxies_to_string(const SbTrustedProxies *tp)
{
	g_autoptr(GString) s = g_string_new(NULL);
	for (guint i = 0; tp && i < tp->masks->len; i++) {
		g_autofree char *m = g_inet_address_mask_to_string(tp->masks->pdata[i]);
		g_string_append_printf(s, "%s%s", i ? ", " : "", m);
	}
	return g_string_free(g_steal_pointer(&s), FALSE);
}

/* An IPv4-mapped IPv6 address (::ffff:a.b.c.d, what a dual-stack socket
 * shows of an IPv4 peer) as its IPv4 address; any other as it is.
 * Returns: (transfer full) */
static GInetAddress *unmapped(GInetAddress *addr)
{
	if (g_inet_address_get_family(addr) == G_SOCKET_FAMILY_IPV6) {
		const guint8 *b = g_inet_address_to_bytes(addr);
		static const guint8 prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
		if (memcmp(b, prefix, sizeof prefix) == 0)
			return g_inet_address_new_from_bytes(b + 12, G_SOCKET_FAMILY_IPV4);
	}
	return g_object_ref(addr);
}

gboolean sb_trusted_proxies_contains(const SbTrustedProxies *tp, GInetAddress *addr)
{
	if (tp == NULL || addr == NULL || tp->masks->len == 0)
		return FALSE;
	g_autoptr(GInetAddress) a = unmapped(addr);
	for (guint i = 0; i < tp->masks->len; i++)
		if (g_inet_address_mask_matches(tp->masks->pdata[i], a))
			return TRUE;
	return FALSE;
}

/* --- the headers ---------------------------------------------------------------
 * A hop is what one proxy says of the connection it received: the address
 * it came from (NULL: "unknown" or an obfuscated identifier) and its scheme.
 * The parsers accept exactly the grammar (RFC 7239 section 4 for Forwarded,
 * a comma-separated list of addresses for X-Forwarded-For); anything else
 * makes the whole header malformed: a proxy we trust writes it right, so a
 * wrong one was not written by it. */

typedef struct {
	GInetAddress *addr;
	SbClientScheme proto;
} Hop;

static void hop_clear(gpointer data)
{
	Hop *h = data;
	g_clear_object(&h->addr);
}

/* RFC 7230 tchar */
static gboolean is_tchar(char c)
{
	return c != '\0' && (g_ascii_isalnum(c) || strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static gboolean is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* An obfuscated identifier (RFC 7239 6.3): "_" 1*(ALPHA / DIGIT / "." / "_" / "-") */
static gboolean is_obfuscated(const char *s)
{
	if (s[0] != '_' || s[1] == '\0')
		return FALSE;
	for (const char *p = s + 1; *p; p++)
		if (!g_ascii_isalnum(*p) && *p != '.' && *p != '_' && *p != '-')
			return FALSE;
	return TRUE;
}

static gboolean valid_port(const char *s)
{
	if (is_obfuscated(s))
		return TRUE;
	gsize n = strlen(s);
	if (n == 0 || n > 5)
		return FALSE;
	for (const char *p = s; *p; p++)
		if (!g_ascii_isdigit(*p))
			return FALSE;
	return g_ascii_strtoull(s, NULL, 10) <= 65535;
}

/* An address of `family`, exactly (no zone, no port). Returns: (transfer full) */
static GInetAddress *address_of(const char *text, GSocketFamily family)
{
	if (*text == '\0')
		return NULL;
	GInetAddress *a = g_inet_address_new_from_string(text);
	if (a == NULL || g_inet_address_get_family(a) != family) {
		g_clear_object(&a);
		return NULL;
	}
	GInetAddress *u = unmapped(a);
	g_object_unref(a);
	return u;
}

/* A node (RFC 7239 6): "unknown", an obfuscated identifier, an IPv4 address
 * or a bracketed IPv6 address, each with an optional ":port". `xff`: an
 * X-Forwarded-For entry, which may be a bare IPv6 address and is never
 * obfuscated. FALSE: not a node; *addr NULL for unknown and obfuscated ones. */
static gboolean parse_node(const char *v, gboolean xff, GInetAddress **addr)
{
	*addr = NULL;
	if (g_ascii_strcasecmp(v, "unknown") == 0 || (!xff && is_obfuscated(v)))
		return TRUE;
	if (v[0] == '[') {
		const char *close = strchr(v, ']');
		if (close == NULL)
			return FALSE;
		if (close[1] != '\0' && (close[1] != ':' || !valid_port(close + 2)))
			return FALSE;
		g_autofree char *inner = g_strndup(v + 1, close - v - 1);
		*addr = address_of(inner, G_SOCKET_FAMILY_IPV6);
		return *addr != NULL;
	}
	if (xff && strchr(v, ':') != strrchr(v, ':')) {
		*addr = address_of(v, G_SOCKET_FAMILY_IPV6);
		return *addr != NULL;
	}
	const char *colon = strchr(v, ':');
	if (colon && !valid_port(colon + 1))
		return FALSE;
	g_autofree char *host = colon ? g_strndup(v, colon - v) : g_strdup(v);
	*addr = address_of(host, G_SOCKET_FAMILY_IPV4);
	return *addr != NULL;
}

static gboolean parse_proto(const char *v, SbClientScheme *proto)
{
	if (g_ascii_strcasecmp(v, "https") == 0)
		*proto = SB_CLIENT_SCHEME_HTTPS;
	else if (g_ascii_strcasecmp(v, "http") == 0)
		*proto = SB_CLIENT_SCHEME_HTTP;
	else
		return FALSE;
	return TRUE;
}

/* The longest value of a Forwarded pair (an address with a port is ~50). */
#define MAX_VALUE 256

/* One value (token or quoted-string) at *p into `out`; FALSE: malformed. */
static gboolean forwarded_value(const char **p, GString *out, const char **why)
{
	const char *s = *p;
	if (*s == '"') {
		for (s++; *s != '"'; s++) {
			if (*s == '\0') {
				*why = "an unterminated quoted string in Forwarded";
				return FALSE;
			}
			if (*s == '\\')
				s++;
			/* qdtext and quoted-pair: HTAB, SP, visible and obs-text, no controls */
			if (*s != '\t' && ((guchar)*s < 0x20 || *s == 0x7f)) {
				*why = "a control character in Forwarded";
				return FALSE;
			}
			if (out->len >= MAX_VALUE) {
				*why = "an oversized value in Forwarded";
				return FALSE;
			}
			g_string_append_c(out, *s);
		}
		s++;
	} else {
		for (; is_tchar(*s); s++) {
			if (out->len >= MAX_VALUE) {
				*why = "an oversized value in Forwarded";
				return FALSE;
			}
			g_string_append_c(out, *s);
		}
		if (out->len == 0) {
			*why = "a Forwarded pair without a value";
			return FALSE;
		}
	}
	*p = s;
	return TRUE;
}

/* RFC 7239: Forwarded = 1#forwarded-element; forwarded-element =
 * [forwarded-pair] *(";" [forwarded-pair]); forwarded-pair = token "="
 * value. Each parameter at most once per element; for= and proto= are
 * read, by=, host= and extensions only checked. Empty list elements are
 * allowed (1#), an element without for= is a hop of unknown address. */
static gboolean parse_forwarded(const char *s, GArray *hops, const char **why)
{
	const char *p = s;
	for (;;) {
		Hop hop = {NULL, SB_CLIENT_SCHEME_UNSTATED};
		gboolean any = FALSE, seen_for = FALSE, seen_proto = FALSE, seen_by = FALSE, seen_host = FALSE;
		for (;;) {
			while (is_ows(*p))
				p++;
			if (*p == ';') {
				p++;
				continue;
			}
			if (*p == ',' || *p == '\0')
				break;
			const char *name = p;
			while (is_tchar(*p))
				p++;
			gsize name_len = (gsize)(p - name);
			if (name_len == 0 || *p != '=') {
				*why = "a Forwarded pair that is not name=value";
				goto bad;
			}
			p++;
			g_autoptr(GString) value = g_string_new(NULL);
			if (!forwarded_value(&p, value, why))
				goto bad;
			while (is_ows(*p))
				p++;
			if (*p != ';' && *p != ',' && *p != '\0') {
				*why = "text after a Forwarded value";
				goto bad;
			}
			any = TRUE;
			gboolean *seen = NULL;
			if (name_len == 3 && g_ascii_strncasecmp(name, "for", 3) == 0)
				seen = &seen_for;
			else if (name_len == 5 && g_ascii_strncasecmp(name, "proto", 5) == 0)
				seen = &seen_proto;
			else if (name_len == 2 && g_ascii_strncasecmp(name, "by", 2) == 0)
				seen = &seen_by;
			else if (name_len == 4 && g_ascii_strncasecmp(name, "host", 4) == 0)
				seen = &seen_host;
			if (seen) {
				if (*seen) {
					*why = "a parameter twice in one Forwarded element";
					goto bad;
				}
				*seen = TRUE;
			}
			if (seen == &seen_for && !parse_node(value->str, FALSE, &hop.addr)) {
				*why = "a Forwarded for= that is not a node (quoted [IPv6]:port, IPv4, unknown, "
				       "_hidden)";
				goto bad;
			}
			if (seen == &seen_proto && !parse_proto(value->str, &hop.proto)) {
				*why = "a Forwarded proto= other than http and https";
				goto bad;
			}
		}
		if (any) {
			if (hops->len >= SB_CLIENT_MAX_HOPS) {
				*why = "too many hops in Forwarded";
				goto bad;
			}
			g_array_append_val(hops, hop);
		}
		if (*p == '\0')
			break;
		p++; /* ',' */
		continue;
	bad:
		hop_clear(&hop);
		return FALSE;
	}
	if (hops->len == 0) {
		*why = "an empty Forwarded";
		return FALSE;
	}
	return TRUE;
}

/* A comma-separated list, each item stripped of spaces; empty items refused.
 * Returns: (transfer full) or NULL (*why set) */
static GStrv split_list(const char *s, const char *what, const char **why)
{
	g_auto(GStrv) items = g_strsplit(s, ",", SB_CLIENT_MAX_HOPS + 1);
	if (items[0] == NULL) { /* "" splits into nothing */
		*why = what;
		return NULL;
	}
	if (g_strv_length(items) > SB_CLIENT_MAX_HOPS) {
		*why = "too many hops in X-Forwarded-For or X-Forwarded-Proto";
		return NULL;
	}
	for (char **i = items; *i; i++) {
		g_strstrip(*i);
		if (**i == '\0') {
			*why = what;
			return NULL;
		}
	}
	return g_steal_pointer(&items);
}

/* X-Forwarded-For: a list of addresses (IPv4, IPv6 bare or bracketed,
 * optionally with a port, or "unknown"); X-Forwarded-Proto: http or https,
 * once (the edge proxy's) or once per X-Forwarded-For entry. */
static gboolean parse_x_forwarded(const char *xff, const char *xfp, GArray *hops, const char **why)
{
	g_auto(GStrv) fors = split_list(xff, "an empty entry in X-Forwarded-For", why);
	if (fors == NULL)
		return FALSE;
	g_auto(GStrv) protos = NULL;
	if (xfp) {
		protos = split_list(xfp, "an empty entry in X-Forwarded-Proto", why);
		if (protos == NULL)
			return FALSE;
	}
	guint n = g_strv_length(fors), np = protos ? g_strv_length(protos) : 0;
	if (np > 1 && np != n) {
		*why = "X-Forwarded-Proto and X-Forwarded-For do not have as many entries";
		return FALSE;
	}
	for (guint i = 0; i < n; i++) {
		Hop hop = {NULL, SB_CLIENT_SCHEME_UNSTATED};
		if (!parse_node(fors[i], TRUE, &hop.addr)) {
			*why = "an X-Forwarded-For entry that is not an address";
			return FALSE;
		}
		if (np > 0 && !parse_proto(protos[np == 1 ? 0 : i], &hop.proto)) {
			hop_clear(&hop);
			*why = "an X-Forwarded-Proto other than http and https";
			return FALSE;
		}
		g_array_append_val(hops, hop);
	}
	return TRUE;
}

/* --- who the client is ------------------------------------------------------------ */

void sb_client_free(SbClient *client)
{
	if (client == NULL)
		return;
	g_clear_object(&client->address);
	g_free(client->text);
	g_free(client->proxy);
	g_free(client);
}

static void set_address(SbClient *c, GInetAddress *addr)
{
	g_set_object(&c->address, addr);
	g_free(c->text);
	c->text = addr ? g_inet_address_to_string(addr) : g_strdup("");
}

SbClient *sb_client_resolve(const SbTrustedProxies *tp, GInetAddress *peer, const char *forwarded,
			    const char *x_forwarded_for, const char *x_forwarded_proto)
{
	SbClient *c = g_new0(SbClient, 1);
	set_address(c, peer);
	/* nobody else's headers are read at all */
	if (!sb_trusted_proxies_contains(tp, peer))
		return c;
	const char *why = NULL;
	if ((forwarded && strlen(forwarded) > SB_CLIENT_MAX_HEADER) ||
	    (x_forwarded_for && strlen(x_forwarded_for) > SB_CLIENT_MAX_HEADER) ||
	    (x_forwarded_proto && strlen(x_forwarded_proto) > SB_CLIENT_MAX_HEADER)) {
		c->malformed = "an oversized forwarding header";
		return c;
	}
	g_autoptr(GArray) hops = g_array_new(FALSE, TRUE, sizeof(Hop));
	g_array_set_clear_func(hops, hop_clear);
	if (forwarded) {
		if (!parse_forwarded(forwarded, hops, &why)) {
			c->malformed = why;
			return c;
		}
	} else if (x_forwarded_for) {
		if (!parse_x_forwarded(x_forwarded_for, x_forwarded_proto, hops, &why)) {
			c->malformed = why;
			return c;
		}
	} else if (x_forwarded_proto) {
		/* a proxy that says only the scheme: the peer is the client */
		g_auto(GStrv) protos = split_list(x_forwarded_proto, "an empty entry in X-Forwarded-Proto", &why);
		if (protos == NULL || g_strv_length(protos) != 1 || !parse_proto(protos[0], &c->scheme)) {
			c->malformed = why ? why : "an X-Forwarded-Proto other than one http or https";
			c->scheme = SB_CLIENT_SCHEME_UNSTATED;
		}
		return c;
	} else {
		return c; /* the proxy says nothing: it is the client (its own health checks) */
	}
	/* from the right: each hop was added by a proxy we trust (the peer
	 * first), so its address is believed; the first address that is not
	 * a trusted proxy is the client. An unknown one stops the walk at the
	 * last proxy known. */
	g_autoptr(GInetAddress) client = g_object_ref(peer);
	SbClientScheme scheme = SB_CLIENT_SCHEME_UNSTATED;
	for (guint i = hops->len; i-- > 0;) {
		Hop *hop = &g_array_index(hops, Hop, i);
		scheme = hop->proto;
		if (hop->addr == NULL)
			break;
		g_set_object(&client, hop->addr);
		if (!sb_trusted_proxies_contains(tp, hop->addr))
			break;
	}
	c->proxy = g_steal_pointer(&c->text);
	set_address(c, client);
	c->scheme = scheme;
	return c;
}

/* --- on a SoupServer ---------------------------------------------------------------- */

#define TRUSTED_KEY "relais-trusted-proxies"
#define CLIENT_KEY  "relais-client"

static void on_request_started(SoupServer *soup, SoupServerMessage *msg, gpointer data)
{
	/* before its headers: the client is resolved when first asked */
	g_object_set_data_full(G_OBJECT(msg), TRUSTED_KEY, sb_trusted_proxies_ref(data),
			       (GDestroyNotify)sb_trusted_proxies_unref);
}

static void unref_closure_data(gpointer data, GClosure *closure)
{
	sb_trusted_proxies_unref(data);
}

void sb_client_attach(SoupServer *soup, SbTrustedProxies *tp)
{
	g_signal_connect_data(soup, "request-started", G_CALLBACK(on_request_started), sb_trusted_proxies_ref(tp),
			      unref_closure_data, 0);
}

const SbClient *sb_client_get(SoupServerMessage *msg)
{
	SbClient *c = g_object_get_data(G_OBJECT(msg), CLIENT_KEY);
	if (c)
		return c;
	SbTrustedProxies *tp = g_object_get_data(G_OBJECT(msg), TRUSTED_KEY);
	GSocketAddress *sa = soup_server_message_get_remote_address(msg);
	GInetAddress *peer =
		G_IS_INET_SOCKET_ADDRESS(sa) ? g_inet_socket_address_get_address(G_INET_SOCKET_ADDRESS(sa)) : NULL;
	SoupMessageHeaders *h = soup_server_message_get_request_headers(msg);
	c = sb_client_resolve(tp, peer, soup_message_headers_get_list(h, "Forwarded"),
			      soup_message_headers_get_list(h, "X-Forwarded-For"),
			      soup_message_headers_get_list(h, "X-Forwarded-Proto"));
	/* once per request, at debug: a client behind the proxy can send
	 * garbage at will, the log is not its to fill */
	if (c->malformed)
		g_debug("the forwarding headers from trusted proxy %s are ignored: %s", c->text, c->malformed);
	g_object_set_data_full(G_OBJECT(msg), CLIENT_KEY, c, (GDestroyNotify)sb_client_free);
	return c;
}

const char *sb_client_address(SoupServerMessage *msg)
{
	return sb_client_get(msg)->text;
}

gboolean sb_client_is_https(SoupServerMessage *msg, gboolean listener_tls)
{
	switch (sb_client_get(msg)->scheme) {
	case SB_CLIENT_SCHEME_HTTPS:
		return TRUE;
	case SB_CLIENT_SCHEME_HTTP:
		return FALSE;
	default:
		return listener_tls;
	}
}
