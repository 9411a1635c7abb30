/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hub: the switchboard's brain, without sockets.
 *
 * Holds the registry of booths and advisers, the visitor queue and the calls,
 * and applies the protocol (PROTOCOL.md) to every received text. The
 * transport (server.c: libsoup WebSockets; tests: plain callbacks) hands texts
 * in and gets texts out through SbHubTransport, so the rules are testable
 * without a network and a misbehaving client can only ever reach its own
 * connection. What the hub needs to know from the store (bookings, opening
 * hours) and tells it (call records, ratings) goes through SbHubServices:
 * typed values, the protocol's messages are the hub's own.
 *
 * State is plain records keyed by ids (booth_id, ticket, call) so that a
 * SQLite store can hold it in a later step without changing the rules.
 */
#pragma once

#include <glib.h>
#include "bookings.h"
#include "docfile.h"
#include "protocol.h"

G_BEGIN_DECLS

/* "full": the switchboard serves its maximum of booths or advisers; try
 * again later. Not RFC 6455's 1013: libsoup 3.2 sends the codes 1012-1014
 * as 1002 (PROTOCOL.md, "Handshake"). */
#define SB_CLOSE_FULL 4013

typedef struct _SbHub SbHub;
typedef struct _SbPeer SbPeer;

/* What the switchboard keeps of a call once it ends (call records,
 * statistics): ids, a site, a topic, times. No names, no answers, no chat. */
typedef struct {
	const char *call_id;  /* the protocol's call id; a visitor who left the queue: the ticket id */
	const char *booth_id; /* the booth's id */
	const char *site;     /* the site named in the booth's hello; nullable */
	const char *topic;
	const char *language;
	gint64 queued_at;   /* unix seconds (the hub's wall clock) */
	gint64 answered_at; /* 0: the visitor left before anyone answered */
	gint64 ended_at;
	const char *end_reason; /* a code ([a-z0-9_-]): "booth-hangup", "adviser-hangup", "peer-lost",
				 * "cancelled" (left the queue), "booth-lost" (link lost while queued) */
	gpointer adviser_conn;	/* the answering adviser's connection (NULL if not answered); after a
				 * warm transfer, the adviser who finished the call */
	guint transfers;	/* warm transfers the call went through (PROTOCOL.md "Warm transfer") */
} SbHubCallInfo;

/* A call in progress as the store keeps it (STORE.md "Calls in
 * progress"): what the call's record needs, and who may resume it. */
typedef struct {
	const char *call_id;
	const char *booth_id; /* only this booth (its certificate) may resume it */
	const char *adviser;  /* the login of the adviser who answered: only their sign-in may resume it */
	const char *ticket;
	const char *site; /* nullable */
	const char *topic;
	const char *language;
	gint64 queued_at;   /* unix seconds */
	gint64 answered_at; /* unix seconds */
} SbHubLiveCall;

/* What a booth said of its last system update (update_report, checked by
 * the protocol: PROTOCOL.md "Software and updates"). */
typedef struct {
	const char *result;  /* "kept", "rolled-back", "install-failed" */
	const char *version; /* the version tried */
	const char *from;    /* nullable: the version running before */
	const char *slot;    /* "A" or "B": the slot tried */
	const char *at;	     /* ISO 8601 with its offset */
	const char *detail;  /* nullable */
} SbHubUpdateReport;

/* How an update sent from afar goes, as the booth says it (update_status,
 * checked by the protocol). */
typedef struct {
	const char *update;  /* the update (job) id of the offer */
	const char *state;   /* busy, downloading, installing, installed, failed */
	gint progress;	     /* 0..100, or -1 when not said */
	const char *message; /* nullable: the booth's words */
} SbHubUpdateStatus;

/* The connections: how the hub's texts reach the peers. */
typedef struct {
	/* deliver one text frame to the connection `conn` */
	void (*send)(gpointer conn, const char *text, gpointer user_data);
	/* close `conn`; the transport later calls sb_hub_disconnect() */
	void (*close)(gpointer conn, gushort code, const char *reason, gpointer user_data);
} SbHubTransport;

/* What the hub asks of the rest of the switchboard (the store, statistics),
 * set with sb_hub_set_services(). Every member is nullable. */
/* The answer to a booking_slots_async (transfer full, nullable). */
typedef void (*SbHubSlotsReply)(SbBookingsResult *result, gpointer reply_data);

typedef struct {
	/* a call ended, or a queued visitor left without one (once per call
	 * or ticket) */
	void (*call_ended)(const SbHubCallInfo *info, gpointer user_data);
	/* an adviser signed in (sb_hub_set_adviser_account) answered a call:
	 * kept until its call_ended, so that a switchboard started again takes
	 * it back (sb_hub_reload_call) */
	void (*call_answered)(const SbHubLiveCall *call, gpointer user_data);
	/* a warm transfer handed call `call_id` to the adviser signed in as
	 * `adviser` (a login): only their sign-in may resume it from now on */
	void (*call_owner)(const char *call_id, const char *adviser, gpointer user_data);
	/* the visitor's rating of call `call_id` arrived (accepted: the call
	 * was the booth's, within the window, not rated before) */
	void (*feedback)(const char *call_id, gint score, gpointer user_data);
	/* when site `site` (as a booth's hello names it) next opens, asked for
	 * a booth's availability while no adviser is on duty.
	 * Returns: (transfer full) an ISO 8601 local time with its offset
	 * ("2026-11-24T09:00:00+01:00"), or NULL: unknown site, no hours. */
	char *(*next_opening)(const char *site, gpointer user_data);
	/* bookings (PROTOCOL.md "Bookings") at site `site` as the booth's
	 * hello names it (a booth naming none is answered "no_site" without
	 * asking): bookings.h. Each returns (transfer full) a typed result,
	 * which the hub turns into booking_offer, booked, checked_in or a
	 * booking_error. The hub checks the state and rate-limits check-ins
	 * before asking; NULL: no bookings ("failed"). */
	SbBookingsResult *(*booking_slots)(const char *site, const char *language, const char *topic,
					   gpointer user_data);
	/* the same search, answered later (the store reads off the main loop,
	 * reader.h): when set, the hub uses it instead of booking_slots. The
	 * service calls `reply` exactly once, on the main loop, with (transfer
	 * full) its result (NULL: "failed"); the hub then answers the booth if
	 * the same connection of it is still there. */
	void (*booking_slots_async)(const char *site, const char *language, const char *topic, SbHubSlotsReply reply,
				    gpointer reply_data, gpointer user_data);
	SbBookingsResult *(*booking_book)(const char *site, const char *start, const char *end, const char *language,
					  const char *topic, gpointer user_data);
	SbBookingsResult *(*booking_check_in)(const char *site, const char *code, gpointer user_data);
	/* whether booking `code` is checked in at `site`, today (the site's
	 * day); FALSE with *why (transfer full), which names the reason.
	 * NULL: no request with a booking is accepted. */
	gboolean (*booking_verify)(const char *site, const char *code, char **why, gpointer user_data);
	/* booking `code` (verified) was made into call `call_id`: mark it used
	 * for good (the store is the authority across restarts:
	 * booking_verify then refuses it). FALSE with *why (transfer full) if
	 * it could not be marked; the call goes on (its visitor was verified). */
	gboolean (*booking_use)(const char *site, const char *code, const char *call_id, char **why,
				gpointer user_data);
	/* greeted booth `booth_id` reported what became of its last update;
	 * it repeats the same report after every welcome (the service keeps
	 * one record of it) */
	void (*update_report)(const char *booth_id, const SbHubUpdateReport *report, gpointer user_data);
	/* booth `booth_id` was just greeted (a new connection): what waits
	 * for it may be offered now (sb_hub_offer_update) */
	void (*booth_greeted)(const char *booth_id, gpointer user_data);
	/* greeted booth `booth_id` says how an update it was offered goes */
	void (*update_status)(const char *booth_id, const SbHubUpdateStatus *status, gpointer user_data);
} SbHubServices;

typedef struct {
	guint max_booths;
	guint max_advisers;
	guint max_queue;
	guint max_errors;
	char **ice_servers; /* handed to both ends: stun://, turn:// URIs */
	/* TURN servers ("turn:host:port?transport=udp") for which each end gets
	 * time-limited credentials made from turn_secret (coturn's
	 * use-auth-secret); NULL: none */
	char **turn_urls;
	char *turn_secret;
	guint turn_ttl_s; /* 0: Kconfig */
	/* 0 in any of these: the Kconfig default (CONFIG_RELAIS_SB_...) */
	guint wait_history;	     /* ended calls averaged for wait_s */
	guint default_call_s;	     /* assumed call length before any call ended */
	guint feedback_window_s;     /* a rating is accepted this long after the call */
	guint recent_calls;	     /* ended calls remembered per booth for ratings */
	guint resume_grace_s;	     /* a call waits this long for its booth's link */
	guint checkin_max_failures;  /* refused check-ins per booth within ... */
	guint checkin_window_s;	     /* ... this window, before the booth must wait */
	guint diag_timeout_ms;	     /* a diag_request waits this long for its report */
	guint diag_max_pending;	     /* diag_requests open at once per booth */
	guint hello_timeout_ms;	     /* a connection without hello is closed after this */
	guint msg_burst;	     /* messages a connection may send at once ... */
	guint msg_rate;		     /* ... and per second, sustained (token bucket) */
	guint broadcast_interval_ms; /* queue and booth lists to advisers: at most one per this */
	guint transfer_answer_s;     /* a colleague answers a transfer's offer within this */
	guint transfer_queue_s;	     /* a call transferred to a queue waits this long there */
	/* the switchboard's public base URL ("https://relais.example.org"),
	 * for guests' links (PROTOCOL.md "A guest in the call"); NULL: the
	 * links are paths, resolved by the console against its own origin */
	char *public_url;
} SbHubConfig;

/* Monotonic time in microseconds (g_get_monotonic_time() unless a test sets
 * another clock). */
typedef gint64 (*SbHubClock)(gpointer user_data);

SbHub *sb_hub_new(const SbHubConfig *config, const SbHubTransport *transport, gpointer user_data);
void sb_hub_free(SbHub *hub);
/* Replaces the hub's clock (tests: calls that last an hour, ratings sent too
 * late). Set it before the first connection. */
void sb_hub_set_clock(SbHub *hub, SbHubClock clock, gpointer user_data);
/* Replaces the hub's wall clock (unix time in microseconds,
 * g_get_real_time() by default): the times of SbHubCallInfo. */
void sb_hub_set_wall_clock(SbHub *hub, SbHubClock clock, gpointer user_data);
/* The services the hub asks (copied; NULL: none, the default), with their
 * own user data. Set them before the first connection. */
void sb_hub_set_services(SbHub *hub, const SbHubServices *services, gpointer user_data);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SbHub, sb_hub_free)

/* A connection arrived on the endpoint of `role` (booth, adviser or guest). */
SbPeer *sb_hub_connect(SbHub *hub, RelaisRole role, gpointer conn);
/* The adviser's display name from their sign-in, set right after
 * sb_hub_connect(): the hub uses it instead of the name in the hello. */
void sb_hub_set_adviser_identity(SbPeer *peer, const char *name);
/* The account (login) the adviser signed in with, set right after
 * sb_hub_connect(): the key of the calls they answer. Only a connection of
 * the same account may resume such a call (a `call` member in its hello),
 * and a call whose adviser has one is held for the resume grace when that
 * adviser's link is lost, as for a booth. Without it (transports without
 * sign-in) the adviser's lost link ends the call at once. */
void sb_hub_set_adviser_account(SbPeer *peer, const char *login);
/* The booth id its certificate names (ENROL.md) and the site it is
 * registered at (nullable: none), set right after sb_hub_connect(): a
 * hello naming another booth is refused (field error, close 1008: no
 * welcome, no TURN credentials, no queue, no call); the registered site
 * is the booth's site whatever its hello says (its bookings, its queue
 * place, where the staff page lists it). */
void sb_hub_set_booth_identity(SbPeer *peer, const char *booth_id, const char *site);
/* The languages (tags) and topics (ids) the adviser handles, from their
 * account, set right after sb_hub_connect() (copied; NULL or empty: any).
 * Their `queue` lists only the tickets they can take, an `accept` of another
 * is refused (`state`), and wait_s counts the advisers able to take each
 * ticket. */
void sb_hub_set_adviser_skills(SbPeer *peer, const char *const *languages, const char *const *topics);
/* One text frame from `peer`. Never fails: bad input gets an error reply. */
void sb_hub_receive(SbHub *hub, SbPeer *peer, const char *data, gsize len);
/* The connection is gone (closed by either side). Frees `peer`. */
void sb_hub_disconnect(SbHub *hub, SbPeer *peer);
/* Closes greeted booth `booth_id`'s connection now with `code` and `reason`
 * (an administrator revoked it: 4003 "revoked") and takes it out of the
 * registry: its ticket leaves the queue and its call ends at once, with no
 * resume grace (a booth shut out does not come back to it). The transport
 * still calls sb_hub_disconnect() when the socket is gone.
 * Returns: FALSE when no booth of that id is connected. */
gboolean sb_hub_close_booth(SbHub *hub, const char *booth_id, gushort code, const char *reason);
/* The switchboard closes adviser `peer`'s console on purpose (its sign-in
 * is over: signed out elsewhere, expired, disabled): its call, if any,
 * ends now (`end{peer-lost}` to the booth, one record) rather than being
 * held for a resume that sign-in can no longer make. Call before closing
 * the connection. */
void sb_hub_end_adviser_call(SbHub *hub, SbPeer *peer);
/* Offers greeted booth `booth_id` update `update`: a bundle of `size` bytes
 * with SHA-256 `sha256` (64 lower-case hex digits) and `version` (nullable),
 * fetched from the booth listener (PROTOCOL.md "Updates sent from afar").
 * FALSE when no booth of that id is connected. */
gboolean sb_hub_offer_update(SbHub *hub, const char *booth_id, const char *update, gint64 size, const char *sha256,
			     const char *version);
/* Whether a booth of that id is connected (greeted) now. */
gboolean sb_hub_booth_connected(SbHub *hub, const char *booth_id);
/* Whether `peer`'s hello was accepted (FALSE until then, and after a hello
 * that was refused). */
gboolean sb_hub_peer_greeted(SbPeer *peer);
/* Sends the queue and booth lists gathered since the last ones now,
 * whatever the broadcast interval (tests; the hub's own timer does it
 * otherwise). */
void sb_hub_flush(SbHub *hub);

/* A call in progress that the store kept (a switchboard started again
 * after a stop or a crash): taken back with both ends away, each given the
 * resume grace from now. Call before the first connection. FALSE, nothing
 * changed, with a reason in *error: a field missing or a call of that id
 * known already. */
gboolean sb_hub_reload_call(SbHub *hub, const SbHubLiveCall *call, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* The switchboard is stopping (SIGTERM, an update) before its connections
 * go: from now on a lost link leaves the calls the store keeps (answered
 * by a signed-in adviser) as they are, without a record, for the next
 * switchboard to take back; a crash leaves them the same way. */
void sb_hub_stop(SbHub *hub);

/* Call about once a second: ends the calls whose booth did not come back
 * within the resume grace (booth or adviser), closes connections without a hello after
 * hello_timeout_ms. */
void sb_hub_tick(SbHub *hub);

/* Prometheus text exposition of the hub's figures, appended to `out`. */
void sb_hub_metrics(SbHub *hub, GString *out);

typedef struct {
	guint booths, advisers, queue, calls_active;
	guint64 calls_total, protocol_errors;
	guint64 satisfaction[5]; /* visitors' ratings: [0] counts score 1 ... [4] score 5 */
} SbHubCounts;
void sb_hub_counts(SbHub *hub, SbHubCounts *counts);

/* The connected booths, for the host-site staff page (site.c): one object
 * per greeted booth, {booth_id, site (as its hello named it, "" if none),
 * state: idle | queued | in_call | out_of_order, reason ("" unless out of
 * order), software and slot (as its hello said them; absent if not)}, in no
 * particular order. Nothing about visitors.
 * Returns: (transfer full) */
JsonArray *sb_hub_booths_snapshot(SbHub *hub);

/* --- remote diagnostics (PROTOCOL.md "Diagnostics") ---
 * An administrator's request (admin-diag.c) becomes a diag_request on the
 * booth's live connection with a fresh 256-bit request id; the booth's
 * diag_report with that id, from that connection, is handed back through
 * `done`. A report with an unknown, expired or another connection's id is
 * dropped with a log line. */

typedef enum {
	SB_HUB_DIAG_OK,	      /* the report arrived */
	SB_HUB_DIAG_OFFLINE,  /* no booth of that id is connected (refused at once) */
	SB_HUB_DIAG_BUSY,     /* that booth has diag_max_pending requests open (refused at once) */
	SB_HUB_DIAG_TIMEOUT,  /* no report within diag_timeout_ms */
	SB_HUB_DIAG_GONE,     /* its link closed, or a new connection replaced it, before it answered */
	SB_HUB_DIAG_SHUTDOWN, /* the hub was freed first */
} SbHubDiagResult;

/* "ok", "offline", "busy", "timeout", "gone", "shutdown" */
const char *sb_hub_diag_result_name(SbHubDiagResult result);

/* A request's end. `report`: (transfer none) (nullable) the booth's report,
 * checked by the protocol (an object of at most PROTO_MAX_REPORT bytes; its
 * members are the booth's word: take each as optional), set for
 * SB_HUB_DIAG_OK only and valid during the call. May start or cancel other
 * requests. */
typedef void (*SbHubDiagDone)(SbHubDiagResult result, JsonObject *report, gpointer user_data);

/* Asks greeted booth `booth_id` for its report. `done` is called exactly
 * once, later (never from inside this call), unless sb_hub_diag_cancel()
 * comes first: with the report, or on timeout (checked by sb_hub_tick), on
 * the booth's disconnection, or when the hub is freed.
 * Returns: the request's handle (> 0), or 0 when it was not sent: then
 * *refused (nullable) is SB_HUB_DIAG_OFFLINE or SB_HUB_DIAG_BUSY and `done`
 * is never called. */
guint sb_hub_diag_request(SbHub *hub, const char *booth_id, SbHubDiagDone done, gpointer user_data,
			  SbHubDiagResult *refused);
/* Forgets request `handle` (its asker went away): `done` is not called, a
 * report arriving later is dropped. An unknown or finished handle is
 * ignored. */
void sb_hub_diag_cancel(SbHub *hub, guint handle);
/* Requests open now (tests, metrics). */
guint sb_hub_diag_pending(SbHub *hub);

/* --- documents shown in a call (PROTOCOL.md "Showing a document") ---
 * The switchboard's HTTP side (docshare.c) validates an upload and hands it
 * to the adviser's call here; the hub tells both ends (doc_show), relays
 * doc_page / doc_stop / doc_error between them, and drops the document
 * when it is replaced, stopped, or the call ends. */

/* Whether `adviser` is in a call whose booth is connected now. */
gboolean sb_hub_adviser_in_call(SbPeer *adviser);
/* Shows `bytes` (validated; referenced) in `adviser`'s call, replacing the
 * document shown before. Returns: (transfer none) the new document's id, or
 * NULL when the adviser is not in a call with a connected booth. */
const char *sb_hub_show_document(SbHub *hub, SbPeer *adviser, RelaisDocKind kind, GBytes *bytes, guint pages);
/* The document whose one-time `token` is `token`, for booth `booth_id`, in a
 * call going on with that booth connected, not fetched before; it is marked
 * fetched. Returns: (transfer full) (nullable) */
GBytes *sb_hub_fetch_document(SbHub *hub, const char *token, const char *booth_id, RelaisDocKind *kind);
/* Bytes held for shown documents now (metrics, tests). */
gsize sb_hub_document_bytes(SbHub *hub);

G_END_DECLS
