/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The switchboard's hub (firmware/switchboard/hub*.c) acting on what booths
 * and advisers send: parsed and validated messages dispatched against the
 * queue, the calls and their state machines, with two booths and two
 * advisers on a fake transport (the hub has no sockets) and a fake clock.
 *
 * Input: lines, each one step. The first byte chooses:
 *   0-3  the rest is a message from booth 0, booth 1, adviser 0, adviser 1;
 *        "$T" in it becomes the last ticket id the hub sent, "$C" the last
 *        call id, "$G" the last guest id (random ids a fuzzer could never
 *        guess otherwise);
 *   4    the clock moves by the next byte in seconds, then a tick;
 *   5    connection (next byte % 4) drops and comes back.
 * Beyond "no crash, no leak": everything the hub sends is a message the
 * receiving end's parser accepts (relais_msg_to_string's own check turns a
 * broken one into a critical too), and a closed connection hears nothing.
 */
#include "fuzz.h"
#include "hub.h"
#include "protocol.h"

#include <stdio.h>
#include <string.h>

typedef struct {
	SbPeer *peer;
	RelaisRole role;
	gboolean closed; /* by the hub: the server would drop it */
} Conn;

typedef struct {
	SbHub *hub;
	Conn conns[4];
	gint64 now_us;
	char ticket[80], call[80], guest[80];
} Ctx;

static gboolean trace;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	relais_fuzz_init();
	trace = g_strcmp0(g_getenv("RELAIS_FUZZ_TRACE"), "1") == 0;
	return 0;
}

static gint64 fake_clock(gpointer user_data)
{
	return ((Ctx *)user_data)->now_us;
}

static void t_send(gpointer conn, const char *text, gpointer user_data)
{
	Ctx *ctx = user_data;
	Conn *c = conn;
	if (trace) /* RELAIS_FUZZ_TRACE=1: what the hub says, to write seeds */
		fprintf(stderr, "-> %ld %s\n", (long)(c - ctx->conns), text);
	if (c->closed)
		g_error("sent to a connection the hub closed: %s", text);
	g_autoptr(GError) error = NULL;
	g_autoptr(RelaisMsg) msg = relais_msg_parse(text, strlen(text), RELAIS_ROLE_SWITCHBOARD, TRUE, NULL, &error);
	if (msg == NULL)
		g_error("the hub sent what its receiver refuses (%s): %s", error->message, text);
	const char *ticket = relais_msg_get_string(msg, "ticket");
	const char *call = relais_msg_get_string(msg, "call");
	JsonArray *queue = relais_msg_get_array(msg, "queue");
	if (ticket == NULL && queue && json_array_get_length(queue) > 0) {
		JsonObject *first = json_array_get_object_element(queue, 0);
		ticket = json_object_get_string_member_with_default(first, "ticket", NULL);
	}
	if (ticket)
		g_strlcpy(ctx->ticket, ticket, sizeof ctx->ticket);
	if (call)
		g_strlcpy(ctx->call, call, sizeof ctx->call);
	const char *guest = relais_msg_get_string(msg, "guest");
	if (guest)
		g_strlcpy(ctx->guest, guest, sizeof ctx->guest);
}

static void t_close(gpointer conn, gushort code, const char *reason, gpointer user_data)
{
	((Conn *)conn)->closed = TRUE;
}

static const SbHubTransport transport = {t_send, t_close};

static void open_conn(Ctx *ctx, guint i)
{
	static const char *const langs[] = {"fr", "en", NULL};
	static const char *const topics[] = {"job-search", "training", NULL};
	Conn *c = &ctx->conns[i];
	c->closed = FALSE;
	c->peer = sb_hub_connect(ctx->hub, c->role, c);
	if (c->role == RELAIS_ROLE_ADVISER) {
		sb_hub_set_adviser_identity(c->peer, i == 2 ? "Alice" : "Bob");
		/* signed in: transfers name advisers by login, resumes check it */
		sb_hub_set_adviser_account(c->peer, i == 2 ? "alice" : "bob");
		sb_hub_set_adviser_skills(c->peer, langs, i == 2 ? topics : NULL);
	}
}

static void close_conn(Ctx *ctx, guint i)
{
	Conn *c = &ctx->conns[i];
	if (c->peer)
		sb_hub_disconnect(ctx->hub, c->peer);
	c->peer = NULL;
}

static char *substitute(Ctx *ctx, const char *line, gsize len)
{
	GString *out = g_string_sized_new(len + 64);
	for (gsize i = 0; i < len; i++) {
		if (line[i] == '$' && i + 1 < len && (line[i + 1] == 'T' || line[i + 1] == 'C' || line[i + 1] == 'G')) {
			g_string_append(out, line[i + 1] == 'T'	  ? ctx->ticket
					     : line[i + 1] == 'C' ? ctx->call
								  : ctx->guest);
			i++;
		} else {
			g_string_append_c(out, line[i]);
		}
	}
	return g_string_free(out, FALSE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *ice[] = {"stun:127.0.0.1:3478", NULL};
	SbHubConfig cfg = {.max_booths = 4, .max_advisers = 4, .max_queue = 4, .max_errors = 8, .ice_servers = ice};
	Ctx ctx = {.now_us = 1000 * G_USEC_PER_SEC};
	ctx.hub = sb_hub_new(&cfg, &transport, &ctx);
	sb_hub_set_clock(ctx.hub, fake_clock, &ctx);
	sb_hub_set_wall_clock(ctx.hub, fake_clock, &ctx);
	for (guint i = 0; i < G_N_ELEMENTS(ctx.conns); i++) {
		ctx.conns[i].role = i < 2 ? RELAIS_ROLE_BOOTH : RELAIS_ROLE_ADVISER;
		open_conn(&ctx, i);
	}
	const char *p = (const char *)data, *end = p + size;
	while (p < end) {
		const char *nl = memchr(p, '\n', end - p);
		gsize len = (nl ? nl : end) - p;
		if (len > 0) {
			guint op = (guint8)p[0];
			if (op < 4 && ctx.conns[op].peer && !ctx.conns[op].closed) {
				g_autofree char *text = substitute(&ctx, p + 1, len - 1);
				sb_hub_receive(ctx.hub, ctx.conns[op].peer, text, strlen(text));
			} else if (op == 4) {
				ctx.now_us += (gint64)(len > 1 ? (guint8)p[1] : 1) * G_USEC_PER_SEC;
				sb_hub_tick(ctx.hub);
			} else if (op == 5) {
				guint i = (len > 1 ? (guint8)p[1] : 0) % 4;
				close_conn(&ctx, i);
				open_conn(&ctx, i);
			}
		}
		/* what the hub closed, the server drops */
		for (guint i = 0; i < G_N_ELEMENTS(ctx.conns); i++)
			if (ctx.conns[i].closed && ctx.conns[i].peer)
				close_conn(&ctx, i);
		p += len + 1;
	}
	for (guint i = 0; i < G_N_ELEMENTS(ctx.conns); i++)
		close_conn(&ctx, i);
	sb_hub_free(ctx.hub);
	return 0;
}
