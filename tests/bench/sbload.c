// SPDX-License-Identifier: GPL-2.0-or-later
/* relais-sbload: a load generator for relais-switchboard (issue 14, item 4).
 *
 * Speaks the booth and adviser sides of the signaling protocol
 * (firmware/lib/PROTOCOL.md) on loopback, on epoll and OpenSSL directly: one
 * thread, a few KiB per connection, so that the generator is not the first to
 * give out. tests/bench/README-load.md says why and what it measures.
 *
 *   relais-sbload enrol --pool DIR --count N ...   enrolled booth identities
 *   relais-sbload run --pool DIR --booths N ...     hold N, run exchanges
 *
 * `run` prints one JSON object on stdout (its figures); the driver
 * (tests/bench/load.mjs) starts the switchboard and raises N. */

#define _GNU_SOURCE /* memmem */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <json-glib/json-glib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "pki.h"

#define PREHELLO_PER_SOURCE 8 /* CONFIG_RELAIS_SB_PREHELLO_MAX_PER_ADDRESS */
#define ICE_PER_SIDE	    6
#define EXCHANGE_TIMEOUT_US (10 * G_USEC_PER_SEC)

static gint64 now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (gint64)ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

/* --- options -------------------------------------------------------------- */

static char *opt_pool = NULL;
static char *opt_host = NULL;
static int opt_port = 0;	/* the advisers' port (plain HTTP) */
static int opt_booth_port = 0;	/* the booth listener (TLS, client certificates) */
static char *opt_ca = NULL;	/* the booth listener's certificate */
static char *opt_cookie = NULL; /* relais_session=... of an admin account */
static int opt_count = 0;
static int opt_booths = 0;
static int opt_exchanges = 10;
static int opt_period_ms = 500;
static int opt_seconds = 20;
static int opt_sources = 15;
static int opt_sb_pid = 0;
static int opt_connect_timeout_s = 300;

static GOptionEntry entries[] = {
	{"pool", 0, 0, G_OPTION_ARG_FILENAME, &opt_pool, "Folder of the enrolled booth identities", "DIR"},
	{"host", 0, 0, G_OPTION_ARG_STRING, &opt_host, "The switchboard's address (127.0.0.1)", "ADDR"},
	{"port", 0, 0, G_OPTION_ARG_INT, &opt_port, "The advisers' port (plain HTTP)", "PORT"},
	{"booth-port", 0, 0, G_OPTION_ARG_INT, &opt_booth_port, "The booth listener's port", "PORT"},
	{"ca", 0, 0, G_OPTION_ARG_FILENAME, &opt_ca, "The booth listener's certificate", "FILE"},
	{"count", 0, 0, G_OPTION_ARG_INT, &opt_count, "enrol: identities wanted in the pool", "N"},
	{"booths", 0, 0, G_OPTION_ARG_INT, &opt_booths, "run: booth connections to hold", "N"},
	{"exchanges", 0, 0, G_OPTION_ARG_INT, &opt_exchanges, "run: concurrent exchanges (one adviser each)", "M"},
	{"period-ms", 0, 0, G_OPTION_ARG_INT, &opt_period_ms, "run: shortest time between two exchanges of a lane",
	 "MS"},
	{"seconds", 0, 0, G_OPTION_ARG_INT, &opt_seconds, "run: how long the exchanges go on", "S"},
	{"sources", 0, 0, G_OPTION_ARG_INT, &opt_sources, "run: source addresses 127.0.0.2.. used", "K"},
	{"sb-pid", 0, 0, G_OPTION_ARG_INT, &opt_sb_pid, "run: the switchboard's pid (its memory and CPU)", "PID"},
	{"connect-timeout", 0, 0, G_OPTION_ARG_INT, &opt_connect_timeout_s, "run: most seconds to connect the booths",
	 "S"},
	{NULL}};

/* --- /proc ---------------------------------------------------------------- */

static void proc_mem_kb(int pid, gint64 *rss, gint64 *pss)
{
	*rss = *pss = -1;
	g_autofree char *path = g_strdup_printf("/proc/%d/smaps_rollup", pid);
	g_autofree char *text = NULL;
	if (!g_file_get_contents(path, &text, NULL, NULL))
		return;
	char *p = strstr(text, "\nRss:");
	if (p)
		*rss = g_ascii_strtoll(p + 5, NULL, 10);
	p = strstr(text, "\nPss:");
	if (p)
		*pss = g_ascii_strtoll(p + 5, NULL, 10);
}

static double proc_cpu_s(int pid)
{
	g_autofree char *path = g_strdup_printf("/proc/%d/stat", pid);
	g_autofree char *text = NULL;
	if (!g_file_get_contents(path, &text, NULL, NULL))
		return -1;
	char *p = strrchr(text, ')');
	if (p == NULL)
		return -1;
	g_auto(GStrv) f = g_strsplit(p + 2, " ", 0);
	if (g_strv_length(f) < 13)
		return -1;
	return (double)(g_ascii_strtoll(f[11], NULL, 10) + g_ascii_strtoll(f[12], NULL, 10)) / sysconf(_SC_CLK_TCK);
}

static guint64 proc_nofile(int pid, gboolean hard)
{
	g_autofree char *path = g_strdup_printf("/proc/%d/limits", pid);
	g_autofree char *text = NULL;
	if (!g_file_get_contents(path, &text, NULL, NULL))
		return 0;
	char *p = strstr(text, "Max open files");
	if (p == NULL)
		return 0;
	p += strlen("Max open files");
	char *end;
	guint64 soft = g_ascii_strtoull(p, &end, 10);
	guint64 h = g_ascii_strtoull(end, NULL, 10);
	return hard ? h : soft;
}

/* --- blocking HTTP, for enrolment ---------------------------------------- */

static int tcp_connect(const char *host, int port, const char *source, gboolean nonblock)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0), 0);
	if (fd < 0)
		return -1;
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((guint16)port)};
	if (source) {
		struct sockaddr_in src = {.sin_family = AF_INET};
		inet_pton(AF_INET, source, &src.sin_addr);
		if (bind(fd, (struct sockaddr *)&src, sizeof src) < 0) {
			close(fd);
			return -1;
		}
	}
	inet_pton(AF_INET, host, &sa.sin_addr);
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0 && errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	return fd;
}

/* One request on its own connection (ssl_ctx: over TLS); returns the
 * status and the body. */
static int http_once(SSL_CTX *ssl_ctx, int port, const char *head, const char *body, char **reply_body)
{
	*reply_body = NULL;
	int fd = tcp_connect(opt_host, port, NULL, FALSE);
	if (fd < 0)
		return -1;
	SSL *ssl = NULL;
	if (ssl_ctx) {
		ssl = SSL_new(ssl_ctx);
		SSL_set_fd(ssl, fd);
		if (SSL_connect(ssl) != 1) {
			SSL_free(ssl);
			close(fd);
			return -1;
		}
	}
	g_autofree char *req = g_strdup_printf("%sContent-Length: %zu\r\nConnection: close\r\n\r\n%s", head,
					       body ? strlen(body) : 0, body ? body : "");
	gsize len = strlen(req);
	int n = ssl ? SSL_write(ssl, req, (int)len) : (int)write(fd, req, len);
	GString *in = g_string_new(NULL);
	if (n == (int)len) {
		char buf[8192];
		for (;;) {
			int r = ssl ? SSL_read(ssl, buf, sizeof buf) : (int)read(fd, buf, sizeof buf);
			if (r <= 0)
				break;
			g_string_append_len(in, buf, r);
		}
	}
	if (ssl) {
		SSL_shutdown(ssl);
		SSL_free(ssl);
	}
	close(fd);
	int status = -1;
	if (in->len > 12 && g_str_has_prefix(in->str, "HTTP/1.1 "))
		status = atoi(in->str + 9);
	char *sep = strstr(in->str, "\r\n\r\n");
	*reply_body = g_strdup(sep ? sep + 4 : "");
	g_string_free(in, TRUE);
	return status;
}

static char *pool_file(int i)
{
	g_autofree char *name = g_strdup_printf("load-%05d.pem", i);
	return g_build_filename(opt_pool, name, NULL);
}

/* Booths load-00000.. as an administrator adds them (POST /api/admin/booths:
 * a one-time token), each with its own P-256 key and request through the
 * EST endpoint, as a booth enrols (firmware/switchboard/ENROL.md). Those in
 * the pool already are kept. */
static int cmd_enrol(void)
{
	if (!opt_pool || !opt_cookie || !opt_port || !opt_booth_port || opt_count <= 0) {
		fprintf(stderr, "relais-sbload enrol: --pool, --port, --booth-port, --count and SBLOAD_COOKIE\n");
		return 2;
	}
	g_mkdir_with_parents(opt_pool, 0700);
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	if (opt_ca && SSL_CTX_load_verify_locations(ctx, opt_ca, NULL) == 1)
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	gint64 t0 = now_us();
	int made = 0;
	for (int i = 0; i < opt_count; i++) {
		g_autofree char *file = pool_file(i);
		if (g_file_test(file, G_FILE_TEST_EXISTS))
			continue;
		g_autofree char *id = g_strdup_printf("load-%05d", i);
		g_autofree char *head =
			g_strdup_printf("POST /api/admin/booths HTTP/1.1\r\nHost: %s:%d\r\nOrigin: "
					"http://%s:%d\r\nCookie: %s\r\nContent-Type: application/json\r\n",
					opt_host, opt_port, opt_host, opt_port, opt_cookie);
		g_autofree char *body = g_strdup_printf("{\"id\":\"%s\"}", id);
		g_autofree char *reply = NULL;
		int st = http_once(NULL, opt_port, head, body, &reply);
		if (st == 409) {
			/* added by an earlier run that did not finish: a new token */
			g_free(head);
			g_free(reply);
			head = g_strdup_printf("POST /api/admin/booths/%s/token HTTP/1.1\r\nHost: %s:%d\r\nOrigin: "
					       "http://%s:%d\r\nCookie: %s\r\nContent-Type: application/json\r\n",
					       id, opt_host, opt_port, opt_host, opt_port, opt_cookie);
			st = http_once(NULL, opt_port, head, "{}", &reply);
		}
		g_autoptr(JsonParser) p = json_parser_new();
		const char *token = NULL;
		if ((st == 200 || st == 201) && json_parser_load_from_data(p, reply, -1, NULL) &&
		    JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p)))
			token = json_object_get_string_member_with_default(
				json_node_get_object(json_parser_get_root(p)), "token", NULL);
		if (token == NULL) {
			fprintf(stderr, "relais-sbload: adding booth %s: HTTP %d %s\n", id, st, reply ? reply : "");
			return 1;
		}
		g_autoptr(GError) error = NULL;
		g_autoptr(EVP_PKEY) key = relais_pki_ec_key_new(&error);
		g_autoptr(X509_REQ) csr = key ? relais_pki_csr_new(key, id, &error) : NULL;
		g_autofree char *csr_pem = csr ? relais_pki_csr_to_pem(csr, &error) : NULL;
		gsize key_len = 0;
		char *key_pem = key ? relais_pki_key_to_pem(key, &key_len, &error) : NULL;
		if (csr_pem == NULL || key_pem == NULL) {
			fprintf(stderr, "relais-sbload: %s's key: %s\n", id, error->message);
			return 1;
		}
		g_autofree char *est_head = g_strdup_printf(
			"POST /.well-known/est/simpleenroll HTTP/1.1\r\nHost: %s:%d\r\nAuthorization: Bearer "
			"%s\r\nContent-Type: application/pkcs10\r\n",
			opt_host, opt_booth_port, token);
		g_autofree char *cert = NULL;
		st = http_once(ctx, opt_booth_port, est_head, csr_pem, &cert);
		if (st != 200 || !g_str_has_prefix(cert, "-----BEGIN CERTIFICATE")) {
			fprintf(stderr, "relais-sbload: enrolling %s: HTTP %d %s\n", id, st, cert ? cert : "");
			relais_pki_secret_free(key_pem);
			return 1;
		}
		g_autofree char *both = g_strconcat(cert, key_pem, NULL);
		relais_pki_secret_free(key_pem);
		if (!relais_pki_replace_file(file, both, strlen(both), 0600, &error)) {
			fprintf(stderr, "relais-sbload: %s\n", error->message);
			return 1;
		}
		made++;
	}
	double s = (double)(now_us() - t0) / G_USEC_PER_SEC;
	printf("{\"enrolled\":%d,\"pool\":%d,\"seconds\":%.1f}\n", made, opt_count, s);
	return 0;
}

/* --- non-blocking WebSocket clients --------------------------------------- */

typedef enum { ROLE_BOOTH, ROLE_ADVISER } Role;
typedef enum { C_CONNECTING, C_TLS, C_UPGRADE, C_HELLO, C_READY, C_CLOSED } CState;

typedef struct Lane Lane;

typedef struct {
	Role role;
	CState state;
	int fd;
	int index;
	int source;
	SSL *ssl;
	GByteArray *in;
	GByteArray *out;
	gboolean want_write;
	Lane *lane; /* the exchange this booth is in, if any */
	int close_code;
} Conn;

typedef enum { L_IDLE, L_REQUESTED, L_ACCEPTED, L_OFFERED, L_ICE, L_ENDING } LState;

struct Lane {
	Conn *adviser;
	Conn *booth;
	LState state;
	gint64 started;
	gint64 next_at;
	char *call;
	int ice_from_booth;
};

static int ep;
static SSL_CTX *client_ctx;
static GPtrArray *booths; /* Conn* */
static GPtrArray *advisers;
static Lane *lanes;
static GArray *sent_at;	    /* gint64 per relay sequence number */
static GArray *latencies;   /* booth -> adviser, microseconds */
static GArray *latencies_a; /* adviser -> booth */
static GArray *exch_us;
static guint64 msgs_sent, msgs_received;
static gboolean counting;
static int exchanges_done, exchanges_failed;
static GHashTable *errors; /* "code: message" -> count */
static GHashTable *closes; /* "role code" -> count */
static int prehello[256];
static int connect_failures, refused_503, upgrade_refused;
static int next_booth_rr;

static void count_str(GHashTable *t, const char *key)
{
	gpointer v = g_hash_table_lookup(t, key);
	g_hash_table_replace(t, g_strdup(key), GINT_TO_POINTER(GPOINTER_TO_INT(v) + 1));
}

static void conn_update_events(Conn *c)
{
	struct epoll_event ev = {.events = EPOLLIN | (c->want_write || c->out->len ? EPOLLOUT : 0), .data.ptr = c};
	epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
}

static void conn_close(Conn *c, int code)
{
	if (c->state == C_CLOSED)
		return;
	if (c->state < C_READY)
		prehello[c->source]--;
	if (c->state == C_READY || c->state == C_HELLO) {
		g_autofree char *k = g_strdup_printf("%s %d", c->role == ROLE_BOOTH ? "booth" : "adviser", code);
		count_str(closes, k);
	}
	c->state = C_CLOSED;
	c->close_code = code;
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	if (c->ssl)
		SSL_free(c->ssl);
	c->ssl = NULL;
	close(c->fd);
	c->fd = -1;
	g_byte_array_set_size(c->in, 0);
	g_byte_array_set_size(c->out, 0);
}

/* -1: would block, 0: closed or failed, else bytes */
static int conn_read(Conn *c, guint8 *buf, int len)
{
	if (c->ssl) {
		int r = SSL_read(c->ssl, buf, len);
		if (r > 0)
			return r;
		int e = SSL_get_error(c->ssl, r);
		if (e == SSL_ERROR_WANT_READ)
			return -1;
		if (e == SSL_ERROR_WANT_WRITE) {
			c->want_write = TRUE;
			return -1;
		}
		return 0;
	}
	ssize_t r = read(c->fd, buf, len);
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return -1;
	return r < 0 ? 0 : (int)r;
}

static int conn_write_raw(Conn *c, const guint8 *buf, int len)
{
	if (c->ssl) {
		int r = SSL_write(c->ssl, buf, len);
		if (r > 0)
			return r;
		int e = SSL_get_error(c->ssl, r);
		if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ)
			return -1;
		return 0;
	}
	ssize_t r = write(c->fd, buf, len);
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return -1;
	return r < 0 ? 0 : (int)r;
}

static void conn_flush(Conn *c)
{
	while (c->out->len) {
		int w = conn_write_raw(c, c->out->data, (int)MIN(c->out->len, 65536));
		if (w < 0)
			break;
		if (w == 0) {
			conn_close(c, -2);
			return;
		}
		g_byte_array_remove_range(c->out, 0, w);
	}
	c->want_write = FALSE;
	conn_update_events(c);
}

static void ws_send_frame(Conn *c, int opcode, const char *data, gsize len)
{
	guint8 head[14];
	gsize h = 0;
	head[h++] = (guint8)(0x80 | opcode);
	if (len < 126) {
		head[h++] = (guint8)(0x80 | len);
	} else if (len < 65536) {
		head[h++] = 0x80 | 126;
		head[h++] = (guint8)(len >> 8);
		head[h++] = (guint8)len;
	} else {
		head[h++] = 0x80 | 127;
		for (int i = 7; i >= 0; i--)
			head[h++] = (guint8)((guint64)len >> (8 * i));
	}
	guint8 mask[4];
	RAND_bytes(mask, 4);
	memcpy(head + h, mask, 4);
	h += 4;
	g_byte_array_append(c->out, head, (guint)h);
	guint start = c->out->len;
	g_byte_array_append(c->out, (const guint8 *)data, (guint)len);
	for (gsize i = 0; i < len; i++)
		c->out->data[start + i] ^= mask[i & 3];
}

static void send_msg(Conn *c, const char *json)
{
	if (c->state != C_READY && c->state != C_HELLO)
		return;
	ws_send_frame(c, 1, json, strlen(json));
	if (counting)
		msgs_sent++;
	conn_flush(c);
}

/* --- the exchanges -------------------------------------------------------- */

static guint new_seq(void)
{
	gint64 t = now_us();
	g_array_append_val(sent_at, t);
	return sent_at->len - 1;
}

static void record_latency(GArray *into, const char *from)
{
	if (from == NULL)
		return;
	guint seq = (guint)g_ascii_strtoull(from, NULL, 10);
	if (seq >= sent_at->len)
		return;
	gint64 d = now_us() - g_array_index(sent_at, gint64, seq);
	if (counting)
		g_array_append_val(into, d);
}

static void lane_reset(Lane *l, gboolean ok)
{
	gint64 t = now_us();
	if (l->state != L_IDLE) {
		if (ok) {
			gint64 d = t - l->started;
			if (counting) {
				exchanges_done++;
				g_array_append_val(exch_us, d);
			}
		} else if (counting) {
			exchanges_failed++;
		}
	}
	if (l->booth)
		l->booth->lane = NULL;
	l->booth = NULL;
	g_clear_pointer(&l->call, g_free);
	l->state = L_IDLE;
	l->next_at = MAX(t, l->started + (gint64)opt_period_ms * 1000);
}

static void lane_start(Lane *l)
{
	if (l->adviser->state != C_READY)
		return;
	for (guint tries = 0; tries < booths->len; tries++) {
		Conn *b = g_ptr_array_index(booths, next_booth_rr);
		next_booth_rr = (next_booth_rr + 1) % (int)booths->len;
		if (b->state == C_READY && b->lane == NULL) {
			l->booth = b;
			b->lane = l;
			l->state = L_REQUESTED;
			l->started = now_us();
			l->ice_from_booth = 0;
			send_msg(b, "{\"type\":\"request\",\"language\":\"fr\",\"topic\":\"job-search\",\"answers\":{"
				    "\"situation\":\"job-seeker\"}}");
			return;
		}
	}
}

static const char *SDP_FMT = "v=0\r\no=- %u 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\nm=audio 9 "
			     "UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=%s\r\na=rtpmap:111 "
			     "opus/48000/2\r\n";

static void send_sdp(Conn *c, const char *call, const char *type)
{
	g_autofree char *sdp = g_strdup_printf(SDP_FMT, new_seq(), type[0] == 'o' ? "sendrecv" : "sendrecv");
	g_autoptr(JsonBuilder) b = json_builder_new();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "type");
	json_builder_add_string_value(b, "sdp");
	json_builder_set_member_name(b, "call");
	json_builder_add_string_value(b, call);
	json_builder_set_member_name(b, "sdp_type");
	json_builder_add_string_value(b, type);
	json_builder_set_member_name(b, "sdp");
	json_builder_add_string_value(b, sdp);
	json_builder_end_object(b);
	g_autoptr(JsonNode) root = json_builder_get_root(b);
	g_autofree char *text = json_to_string(root, FALSE);
	send_msg(c, text);
}

static void send_ice(Conn *c, const char *call, gboolean last)
{
	g_autofree char *m = NULL;
	if (last)
		m = g_strdup_printf("{\"type\":\"ice\",\"call\":\"%s\",\"candidate\":\"\",\"mline\":0}", call);
	else
		m = g_strdup_printf("{\"type\":\"ice\",\"call\":\"%s\",\"candidate\":\"candidate:%u 1 udp 2122260223 "
				    "127.0.0.1 %d typ host\",\"mline\":0}",
				    call, new_seq(), 40000 + g_random_int_range(0, 20000));
	send_msg(c, m);
}

/* the sequence number a relayed sdp or ice carries: o=- SEQ, candidate:SEQ */
static const char *seq_of(JsonObject *o, const char *type)
{
	if (strcmp(type, "sdp") == 0) {
		const char *s = json_object_get_string_member_with_default(o, "sdp", "");
		const char *p = strstr(s, "o=- ");
		return p ? p + 4 : NULL;
	}
	const char *cand = json_object_get_string_member_with_default(o, "candidate", "");
	return g_str_has_prefix(cand, "candidate:") ? cand + 10 : NULL;
}

static void on_booth_msg(Conn *c, JsonObject *o, const char *type)
{
	Lane *l = c->lane;
	if (strcmp(type, "welcome") == 0 && c->state == C_HELLO) {
		c->state = C_READY;
		prehello[c->source]--;
		return;
	}
	if (l == NULL)
		return;
	if (strcmp(type, "queued") == 0 && l->state == L_REQUESTED) {
		g_autofree char *m = g_strdup_printf("{\"type\":\"accept\",\"ticket\":\"%s\"}",
						     json_object_get_string_member_with_default(o, "ticket", ""));
		l->state = L_ACCEPTED;
		send_msg(l->adviser, m);
	} else if (strcmp(type, "call") == 0 && l->state == L_ACCEPTED) {
		l->call = g_strdup(json_object_get_string_member_with_default(o, "call", ""));
		l->state = L_OFFERED;
		send_sdp(c, l->call, "offer");
	} else if (strcmp(type, "sdp") == 0 && l->state == L_OFFERED) {
		record_latency(latencies_a, seq_of(o, type));
		l->state = L_ICE;
		for (int i = 0; i < ICE_PER_SIDE; i++)
			send_ice(c, l->call, FALSE);
		send_ice(c, l->call, TRUE);
	} else if (strcmp(type, "ice") == 0) {
		record_latency(latencies_a, seq_of(o, type));
	} else if (strcmp(type, "end") == 0 && l->state == L_ENDING) {
		lane_reset(l, TRUE);
	}
}

static void on_adviser_msg(Conn *c, JsonObject *o, const char *type)
{
	Lane *l = c->lane;
	if (strcmp(type, "welcome") == 0 && c->state == C_HELLO) {
		c->state = C_READY;
		prehello[c->source]--;
		return;
	}
	if (l == NULL || l->call == NULL)
		return;
	if (g_strcmp0(json_object_get_string_member_with_default(o, "call", ""), l->call) != 0)
		return;
	if (strcmp(type, "sdp") == 0) {
		record_latency(latencies, seq_of(o, type));
		send_sdp(c, l->call, "answer");
		for (int i = 0; i < ICE_PER_SIDE; i++)
			send_ice(c, l->call, FALSE);
		send_ice(c, l->call, TRUE);
	} else if (strcmp(type, "ice") == 0) {
		const char *seq = seq_of(o, type);
		record_latency(latencies, seq);
		if (++l->ice_from_booth == ICE_PER_SIDE + 1 && l->state == L_ICE) {
			l->state = L_ENDING;
			g_autofree char *m =
				g_strdup_printf("{\"type\":\"end\",\"call\":\"%s\",\"reason\":\"done\"}", l->call);
			send_msg(c, m);
		}
	}
}

static void on_text(Conn *c, const char *text, gsize len)
{
	if (counting)
		msgs_received++;
	/* the lists an adviser gets on every change are long with many booths:
	 * counted, not read (the switchboard's JSON puts "type" first) */
	if (c->role == ROLE_ADVISER &&
	    (g_str_has_prefix(text, "{\"type\":\"booths\"") || g_str_has_prefix(text, "{\"type\":\"queue\"")))
		return;
	g_autoptr(JsonParser) p = json_parser_new();
	if (!json_parser_load_from_data(p, text, (gssize)len, NULL) || !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p)))
		return;
	JsonObject *o = json_node_get_object(json_parser_get_root(p));
	const char *type = json_object_get_string_member_with_default(o, "type", "");
	if (strcmp(type, "error") == 0) {
		g_autofree char *k = g_strdup_printf("%s %s: %s", c->role == ROLE_BOOTH ? "booth" : "adviser",
						     json_object_get_string_member_with_default(o, "code", "?"),
						     json_object_get_string_member_with_default(o, "message", ""));
		count_str(errors, k);
		if (c->lane)
			lane_reset(c->lane, FALSE);
		return;
	}
	if (c->role == ROLE_BOOTH)
		on_booth_msg(c, o, type);
	else
		on_adviser_msg(c, o, type);
}

/* Frames from the switchboard (never masked). */
static void ws_parse(Conn *c)
{
	for (;;) {
		guint8 *d = c->in->data;
		gsize n = c->in->len;
		if (n < 2)
			return;
		int op = d[0] & 0x0f;
		guint64 len = d[1] & 0x7f;
		gsize h = 2;
		if (len == 126) {
			if (n < 4)
				return;
			len = ((guint64)d[2] << 8) | d[3];
			h = 4;
		} else if (len == 127) {
			if (n < 10)
				return;
			len = 0;
			for (int i = 0; i < 8; i++)
				len = (len << 8) | d[2 + i];
			h = 10;
		}
		if (n < h + len)
			return;
		const char *payload = (const char *)d + h;
		if (op == 1) {
			/* json-glib wants it NUL-terminated only with len -1 */
			on_text(c, payload, len);
		} else if (op == 9) {
			ws_send_frame(c, 10, payload, len);
			conn_flush(c);
		} else if (op == 8) {
			int code = len >= 2 ? (((guint8)payload[0]) << 8 | (guint8)payload[1]) : 1005;
			if (c->role == ROLE_BOOTH && c->state == C_HELLO && len > 2)
				fprintf(stderr, "relais-sbload: booth %d closed before its welcome: %d %.*s\n",
					c->index, code, (int)len - 2, payload + 2);
			Lane *l = c->lane ? c->lane : NULL;
			conn_close(c, code);
			if (l)
				lane_reset(l, FALSE);
			return;
		}
		if (c->state == C_CLOSED)
			return;
		g_byte_array_remove_range(c->in, 0, (guint)(h + len));
	}
}

static void ws_upgrade_request(Conn *c)
{
	guint8 key[16];
	RAND_bytes(key, sizeof key);
	g_autofree char *k64 = g_base64_encode(key, sizeof key);
	g_autofree char *req = NULL;
	if (c->role == ROLE_BOOTH)
		req = g_strdup_printf("GET /ws/booth HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\nConnection: "
				      "Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n",
				      opt_host, opt_booth_port, k64);
	else
		req = g_strdup_printf("GET /ws/adviser HTTP/1.1\r\nHost: %s:%d\r\nOrigin: http://%s:%d\r\nCookie: "
				      "%s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
				      "%s\r\nSec-WebSocket-Version: 13\r\n\r\n",
				      opt_host, opt_port, opt_host, opt_port, opt_cookie, k64);
	g_byte_array_append(c->out, (const guint8 *)req, (guint)strlen(req));
	c->state = C_UPGRADE;
	conn_flush(c);
}

static void on_upgrade_reply(Conn *c)
{
	guint8 *end = memmem(c->in->data, c->in->len, "\r\n\r\n", 4);
	if (end == NULL)
		return;
	gsize hlen = (gsize)(end - c->in->data) + 4;
	if (c->in->len < 12 || memcmp(c->in->data, "HTTP/1.1 101", 12) != 0) {
		int status = c->in->len > 12 ? atoi((char *)c->in->data + 9) : -1;
		if (status == 503)
			refused_503++;
		else {
			upgrade_refused++;
			if (upgrade_refused <= 3)
				fprintf(stderr, "relais-sbload: %s upgrade refused: %.*s\n",
					c->role == ROLE_BOOTH ? "booth" : "adviser", (int)MIN(c->in->len, 300),
					c->in->data);
		}
		conn_close(c, status);
		return;
	}
	g_byte_array_remove_range(c->in, 0, (guint)hlen);
	c->state = C_HELLO;
	if (c->role == ROLE_BOOTH) {
		g_autofree char *m =
			g_strdup_printf("{\"type\":\"hello\",\"version\":1,\"role\":\"booth\",\"booth_id\":"
					"\"load-%05d\",\"site\":\"Load\",\"board\":\"sim\"}",
					c->index);
		send_msg(c, m);
	} else {
		send_msg(c, "{\"type\":\"hello\",\"version\":1,\"role\":\"adviser\",\"name\":\"Load\"}");
	}
	ws_parse(c);
}

static void on_event(Conn *c, guint32 events)
{
	if (c->state == C_CONNECTING) {
		int err = 0;
		socklen_t l = sizeof err;
		getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &l);
		if (err != 0) {
			connect_failures++;
			conn_close(c, -1);
			return;
		}
		if (c->ssl) {
			c->state = C_TLS;
		} else {
			ws_upgrade_request(c);
			return;
		}
	}
	if (c->state == C_TLS) {
		int r = SSL_connect(c->ssl);
		if (r == 1) {
			ws_upgrade_request(c);
		} else {
			int e = SSL_get_error(c->ssl, r);
			if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ) {
				c->want_write = e == SSL_ERROR_WANT_WRITE;
				conn_update_events(c);
			} else {
				connect_failures++;
				conn_close(c, -1);
			}
		}
		return;
	}
	if (events & EPOLLOUT)
		conn_flush(c);
	if (c->state == C_CLOSED)
		return;
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
		guint8 buf[65536];
		for (;;) {
			int r = conn_read(c, buf, sizeof buf);
			if (r < 0)
				break;
			if (r == 0) {
				Lane *l = c->lane;
				conn_close(c, -3);
				if (l)
					lane_reset(l, FALSE);
				return;
			}
			g_byte_array_append(c->in, buf, r);
		}
		if (c->state == C_UPGRADE)
			on_upgrade_reply(c);
		else
			ws_parse(c);
		if (c->state != C_CLOSED && c->want_write)
			conn_update_events(c);
	}
}

static Conn *conn_new(Role role, int index)
{
	Conn *c = g_new0(Conn, 1);
	c->role = role;
	c->index = index;
	c->fd = -1;
	c->state = C_CLOSED;
	c->in = g_byte_array_new();
	c->out = g_byte_array_new();
	return c;
}

static gboolean conn_start(Conn *c, int source, X509 *cert, EVP_PKEY *key)
{
	char src[32];
	g_snprintf(src, sizeof src, "127.0.0.%d", 2 + source);
	int port = c->role == ROLE_BOOTH ? opt_booth_port : opt_port;
	/* non-blocking from the start: a full listen queue must not stop the
	 * generator (a blocking connect waits for the SYN's retry, 1 s) */
	c->fd = tcp_connect(opt_host, port, g_str_has_prefix(opt_host, "127.") ? src : NULL, TRUE);
	if (c->fd < 0) {
		connect_failures++;
		return FALSE;
	}
	c->source = source;
	c->state = C_CONNECTING;
	c->close_code = 0;
	if (cert) {
		c->ssl = SSL_new(client_ctx);
		SSL_set_fd(c->ssl, c->fd);
		SSL_set_mode(c->ssl, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
		SSL_use_certificate(c->ssl, cert);
		SSL_use_PrivateKey(c->ssl, key);
		SSL_set_connect_state(c->ssl);
	}
	prehello[source]++;
	struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.ptr = c};
	epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
	return TRUE;
}

static void poll_once(int timeout_ms)
{
	struct epoll_event evs[256];
	int n = epoll_wait(ep, evs, G_N_ELEMENTS(evs), timeout_ms);
	for (int i = 0; i < n; i++)
		on_event(evs[i].data.ptr, evs[i].events);
}

/* Connects every one of `conns`, at most PREHELLO_PER_SOURCE waiting for
 * their welcome per source address (the switchboard's cap, issue 12); a
 * refusal by that cap (503) is tried again. */
static void connect_all(GPtrArray *conns, GPtrArray *certs, GPtrArray *keys, int timeout_s, gboolean *fd_limit)
{
	gint64 deadline = now_us() + (gint64)timeout_s * G_USEC_PER_SEC;
	guint next = 0;
	int retries = 0;
	GQueue *retry = g_queue_new();
	for (;;) {
		for (int s = 0; s < opt_sources && !*fd_limit; s++) {
			while (prehello[s] < PREHELLO_PER_SOURCE) {
				Conn *c = NULL;
				if (!g_queue_is_empty(retry))
					c = g_queue_pop_head(retry);
				else if (next < conns->len)
					c = g_ptr_array_index(conns, next++);
				if (c == NULL)
					break;
				if (!conn_start(c, s, certs ? g_ptr_array_index(certs, c->index) : NULL,
						keys ? g_ptr_array_index(keys, c->index) : NULL)) {
					if (errno == EMFILE || errno == ENFILE)
						*fd_limit = TRUE;
					break;
				}
			}
		}
		poll_once(20);
		int waiting = 0;
		for (int s = 0; s < opt_sources; s++)
			waiting += prehello[s];
		for (guint i = 0; i < next; i++) {
			Conn *c = g_ptr_array_index(conns, i);
			if (c->state == C_CLOSED && c->close_code == 503 && retries < (int)conns->len) {
				c->close_code = 0;
				retries++;
				g_queue_push_tail(retry, c);
			}
		}
		if ((next == conns->len && waiting == 0 && g_queue_is_empty(retry)) || now_us() > deadline ||
		    (*fd_limit && waiting == 0))
			break;
	}
	g_queue_free(retry);
}

static int cmp_i64(gconstpointer a, gconstpointer b)
{
	gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;
	return x < y ? -1 : x > y;
}

static double pct_ms(GArray *a, double p)
{
	if (a->len == 0)
		return -1;
	g_array_sort(a, cmp_i64);
	guint i = (guint)(p * (a->len - 1) + 0.5);
	return (double)g_array_index(a, gint64, i) / 1000.0;
}

static int held_booths(void)
{
	int n = 0;
	for (guint i = 0; i < booths->len; i++)
		n += ((Conn *)g_ptr_array_index(booths, i))->state == C_READY;
	return n;
}

static void add_counts(JsonBuilder *b, const char *name, GHashTable *t)
{
	json_builder_set_member_name(b, name);
	json_builder_begin_object(b);
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, t);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		json_builder_set_member_name(b, k);
		json_builder_add_int_value(b, GPOINTER_TO_INT(v));
	}
	json_builder_end_object(b);
}

#define SET_INT(b, k, v)                                                                                               \
	do {                                                                                                           \
		json_builder_set_member_name(b, k);                                                                    \
		json_builder_add_int_value(b, v);                                                                      \
	} while (0)
#define SET_DBL(b, k, v)                                                                                               \
	do {                                                                                                           \
		json_builder_set_member_name(b, k);                                                                    \
		json_builder_add_double_value(b, v);                                                                   \
	} while (0)

static int cmd_run(void)
{
	if (!opt_pool || !opt_cookie || !opt_port || !opt_booth_port || opt_booths <= 0 || opt_sources < 1 ||
	    opt_sources > 250) {
		fprintf(stderr, "relais-sbload run: --pool, --port, --booth-port, --booths and SBLOAD_COOKIE\n");
		return 2;
	}
	/* the generator's own limit first: its descriptors must not be what
	 * gives out (it says so when they are) */
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	getrlimit(RLIMIT_NOFILE, &rl);

	ep = epoll_create1(EPOLL_CLOEXEC);
	client_ctx = SSL_CTX_new(TLS_client_method());
	if (opt_ca && SSL_CTX_load_verify_locations(client_ctx, opt_ca, NULL) == 1)
		SSL_CTX_set_verify(client_ctx, SSL_VERIFY_PEER, NULL);
	SSL_CTX_set_session_cache_mode(client_ctx, SSL_SESS_CACHE_OFF);
	errors = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	closes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	sent_at = g_array_new(FALSE, FALSE, sizeof(gint64));
	latencies = g_array_new(FALSE, FALSE, sizeof(gint64));
	latencies_a = g_array_new(FALSE, FALSE, sizeof(gint64));
	exch_us = g_array_new(FALSE, FALSE, sizeof(gint64));

	/* identities: certificate and key per booth, in memory */
	GPtrArray *certs = g_ptr_array_new(), *keys = g_ptr_array_new();
	for (int i = 0; i < opt_booths; i++) {
		g_autofree char *file = pool_file(i);
		g_autoptr(GError) error = NULL;
		X509 *cert = relais_pki_read_cert(file, &error);
		EVP_PKEY *key = cert ? relais_pki_read_key(file, &error) : NULL;
		if (key == NULL) {
			fprintf(stderr, "relais-sbload: the pool has no booth %d: %s\n", i, error->message);
			return 1;
		}
		g_ptr_array_add(certs, cert);
		g_ptr_array_add(keys, key);
	}

	gint64 rss0 = -1, pss0 = -1, rss1 = -1, pss1 = -1, rss2 = -1, pss2 = -1;
	if (opt_sb_pid)
		proc_mem_kb(opt_sb_pid, &rss0, &pss0);

	/* advisers first (plain HTTP, the admin's sign-in): they see every
	 * booth arrive, as a console would */
	advisers = g_ptr_array_new();
	lanes = g_new0(Lane, MAX(opt_exchanges, 1));
	for (int i = 0; i < opt_exchanges; i++) {
		Conn *a = conn_new(ROLE_ADVISER, i);
		g_ptr_array_add(advisers, a);
		lanes[i].adviser = a;
		a->lane = &lanes[i];
	}
	gboolean fd_limit = FALSE;
	connect_all(advisers, NULL, NULL, 20, &fd_limit);
	booths = g_ptr_array_new();
	for (int i = 0; i < opt_booths; i++)
		g_ptr_array_add(booths, conn_new(ROLE_BOOTH, i));
	gint64 t_connect = now_us();
	connect_all(booths, certs, keys, opt_connect_timeout_s, &fd_limit);
	double connect_s = (double)(now_us() - t_connect) / G_USEC_PER_SEC;
	int held_after_connect = held_booths();
	/* let the switchboard settle (lists sent) before its memory is read */
	gint64 settle = now_us() + G_USEC_PER_SEC;
	while (now_us() < settle)
		poll_once(50);
	if (opt_sb_pid)
		proc_mem_kb(opt_sb_pid, &rss1, &pss1);

	/* the exchanges */
	double cpu0 = opt_sb_pid ? proc_cpu_s(opt_sb_pid) : -1;
	counting = TRUE;
	gint64 t_ex = now_us();
	gint64 stop = t_ex + (gint64)opt_seconds * G_USEC_PER_SEC;
	for (int i = 0; i < opt_exchanges; i++)
		lanes[i].next_at = t_ex + (gint64)i * opt_period_ms * 1000 / MAX(opt_exchanges, 1);
	while (now_us() < stop) {
		gint64 t = now_us();
		for (int i = 0; i < opt_exchanges; i++) {
			Lane *l = &lanes[i];
			if (l->state == L_IDLE && t >= l->next_at)
				lane_start(l);
			else if (l->state != L_IDLE && t - l->started > EXCHANGE_TIMEOUT_US) {
				count_str(errors, "generator: exchange timed out (10 s)");
				if (l->booth && l->call) {
					g_autofree char *m =
						g_strdup_printf("{\"type\":\"end\",\"call\":\"%s\"}", l->call);
					send_msg(l->booth, m);
				}
				lane_reset(l, FALSE);
			}
		}
		poll_once(2);
	}
	/* the exchanges under way finish (not counted) */
	counting = FALSE;
	double ex_s = (double)(now_us() - t_ex) / G_USEC_PER_SEC;
	double cpu1 = opt_sb_pid ? proc_cpu_s(opt_sb_pid) : -1;
	gint64 drain = now_us() + 2 * G_USEC_PER_SEC;
	while (now_us() < drain)
		poll_once(20);
	int held_end = held_booths();
	if (opt_sb_pid)
		proc_mem_kb(opt_sb_pid, &rss2, &pss2);

	g_autoptr(JsonBuilder) b = json_builder_new();
	json_builder_begin_object(b);
	SET_INT(b, "booths_asked", opt_booths);
	SET_INT(b, "booths_held_after_connect", held_after_connect);
	SET_INT(b, "booths_held_at_end", held_end);
	SET_DBL(b, "connect_s", connect_s);
	SET_INT(b, "advisers", opt_exchanges);
	SET_INT(b, "connect_failures", connect_failures);
	SET_INT(b, "refused_503", refused_503);
	SET_INT(b, "upgrade_refused", upgrade_refused);
	SET_INT(b, "fd_limit_hit", fd_limit);
	SET_INT(b, "generator_nofile", (gint64)rl.rlim_cur);
	SET_INT(b, "sb_nofile_soft", opt_sb_pid ? (gint64)proc_nofile(opt_sb_pid, FALSE) : -1);
	SET_INT(b, "sb_nofile_hard", opt_sb_pid ? (gint64)proc_nofile(opt_sb_pid, TRUE) : -1);
	SET_DBL(b, "exchange_s", ex_s);
	SET_INT(b, "exchanges_done", exchanges_done);
	SET_INT(b, "exchanges_failed", exchanges_failed);
	SET_DBL(b, "msgs_sent_per_s", msgs_sent / ex_s);
	SET_DBL(b, "msgs_received_per_s", msgs_received / ex_s);
	SET_INT(b, "relay_samples", latencies->len);
	SET_DBL(b, "relay_p50_ms", pct_ms(latencies, 0.5));
	SET_DBL(b, "relay_p99_ms", pct_ms(latencies, 0.99));
	SET_DBL(b, "relay_max_ms", pct_ms(latencies, 1.0));
	SET_DBL(b, "relay_back_p50_ms", pct_ms(latencies_a, 0.5));
	SET_DBL(b, "relay_back_p99_ms", pct_ms(latencies_a, 0.99));
	SET_DBL(b, "exchange_p50_ms", pct_ms(exch_us, 0.5));
	SET_DBL(b, "exchange_p99_ms", pct_ms(exch_us, 0.99));
	SET_DBL(b, "sb_cpu_share", cpu0 >= 0 && cpu1 >= 0 ? (cpu1 - cpu0) / ex_s : -1);
	SET_INT(b, "sb_rss_kb_before", rss0);
	SET_INT(b, "sb_pss_kb_before", pss0);
	SET_INT(b, "sb_rss_kb_held", rss1);
	SET_INT(b, "sb_pss_kb_held", pss1);
	SET_INT(b, "sb_rss_kb_end", rss2);
	SET_INT(b, "sb_pss_kb_end", pss2);
	add_counts(b, "errors", errors);
	add_counts(b, "closes", closes);
	json_builder_end_object(b);
	g_autoptr(JsonNode) root = json_builder_get_root(b);
	g_autofree char *out = json_to_string(root, FALSE);
	printf("%s\n", out);
	return 0;
}

int main(int argc, char **argv)
{
	g_autoptr(GOptionContext) ctx = g_option_context_new("enrol|run - load generator for relais-switchboard");
	g_option_context_add_main_entries(ctx, entries, NULL);
	g_autoptr(GError) error = NULL;
	if (!g_option_context_parse(ctx, &argc, &argv, &error) || argc != 2) {
		fprintf(stderr, "relais-sbload: %s\n", error ? error->message : "enrol or run?");
		return 2;
	}
	opt_cookie = (char *)g_getenv("SBLOAD_COOKIE");
	if (opt_host == NULL)
		opt_host = g_strdup("127.0.0.1");
	if (strcmp(argv[1], "enrol") == 0)
		return cmd_enrol();
	if (strcmp(argv[1], "run") == 0)
		return cmd_run();
	fprintf(stderr, "relais-sbload: enrol or run?\n");
	return 2;
}
