/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hub-private: the hub's records (peers, tickets, calls, documents) and the
 * helpers its parts share (hub.c: registry and dispatch; hub-calls.c:
 * calls; hub-queue.c: matching and wait estimates; hub-bookings.c: booking
 * requests; hub-docs.c: documents in a call). Only those files include it:
 * everyone else sees hub.h.
 */
#pragma once

#include "hub.h"
#include "hub-state.h"
#include "randomid.h"

G_BEGIN_DECLS

/* Adviser chat lines kept for a booth whose link is away. */
#define SB_HELD_MAX 16

typedef struct _SbTicket SbTicket;
typedef struct _SbCall SbCall;

/* A guest's place in its call (hub-guests.c). */
typedef enum {
	SB_GUEST_INVITED, /* the link is out, nobody came in with it */
	SB_GUEST_ASKING,  /* the guest is in, the visitor is asked */
	SB_GUEST_JOINING, /* the visitor said yes: media being set up */
	SB_GUEST_JOINED,  /* the guest answered the booth's offer */
	SB_GUEST_OVER,	  /* withdrawn, declined, removed, left, or its call ended */
} SbGuestState;

/* Invitations one call may make, in all (a bound on the hub's memory). */
#define HUB_MAX_INVITES 16

/* An invitation and then the guest who came in with it (THREEWAY.md
 * "Invitation"). Its token is never kept: only its SHA-256. */
typedef struct {
	char *id;   /* the invitation's id, then the guest's (guest_state.guest) */
	char *hash; /* hex SHA-256 of the token: its key in hub->invites */
	char *call_id;
	SbCall *call; /* NULL: the call ended */
	char *role;   /* interpreter, relative, adviser */
	gint64 made_us, expires_us;
	gboolean used; /* a guest's hello presented it (single use) */
	SbGuestState state;
	SbPeer *peer; /* the guest's connection while in the call */
	gint64 asked_us;
	char *name; /* a colleague's name as guest_ask and guest_state carry it (a guest's: peer->name) */
} SbInvite;

/* A warm transfer under way (hub-transfer.c, PROTOCOL.md "Warm
 * transfer"): one per call at a time. */
typedef enum {
	SB_TRANSFER_OFFERED, /* colleague `to` is offered the call */
	SB_TRANSFER_QUEUED,  /* the call's ticket waits at the front of a topic's queue */
	SB_TRANSFER_JOINING, /* `to` accepted: it joins as a guest of role colleague */
} SbTransferState;

/* How a transfer ended (relais_transfers_total). */
typedef enum {
	HUB_TRANSFER_DONE,
	HUB_TRANSFER_DECLINED,
	HUB_TRANSFER_GONE,
	HUB_TRANSFER_UNANSWERED,
	HUB_TRANSFER_WITHDRAWN,
	HUB_TRANSFER_OUTCOMES,
} HubTransferOutcome;

typedef struct {
	SbTransferState state;
	SbPeer *from;	  /* the adviser who asked (the call's adviser) */
	SbPeer *to;	  /* the colleague offered or joining; NULL while queued */
	char *topic;	  /* to a queue: its topic */
	char *note;	  /* the first adviser's note (nullable) */
	gint64 since_us;  /* offered or queued at (hub clock) */
	SbTicket *ticket; /* queued: its ticket in hub->queue */
} SbTransfer;

/* A document the adviser shows in a call (PROTOCOL.md "Showing a
 * document"): in memory only, zeroed when dropped (zero_free). */
typedef struct {
	char *id;
	char *token; /* the booth fetches it once with this */
	RelaisDocKind kind;
	GBytes *bytes;
	guint pages, page;
	gboolean fetched;
} SbDoc;

/* The lists every adviser is kept up to date with. */
typedef enum {
	HUB_LIST_BOOTHS, /* booths: the same for every adviser */
	HUB_LIST_QUEUE,	 /* queue: filtered per adviser; the booths' positions follow */
	HUB_LIST_KINDS,
} HubListKind;

/* The booth list's messages to advisers (PROTOCOL.md "The booth list"). */
typedef enum {
	HUB_BOOTHS_SNAPSHOT, /* a part of a snapshot: after welcome, or a resync */
	HUB_BOOTHS_CHANGES,  /* booths_changed */
} HubBoothMsgKind;

struct _SbPeer {
	RelaisRole role;
	gpointer conn;
	char *conn_id;
	gboolean greeted;
	gboolean closing; /* close requested: ignore further input */
	guint errors;
	/* booth */
	char *cert_booth_id; /* what its certificate says (NULL: not checked by the transport) */
	char *cert_site;     /* the site it is registered at (NULL: none, the hello's is taken) */
	char *booth_id;
	char *site;
	char *board;
	char *software;	    /* as its hello says (nullable) */
	char *slot;	    /* "A", "B" or NULL */
	SbBoothState state; /* hub-state.h; queued: ticket set, in_call: call set */
	char *reason;
	/* adviser; guest: its display name from its hello */
	char *name;
	SbInvite *invite; /* guest: its invitation (NULL: out of the call); an adviser
			   * joining a call by a transfer: its colleague invitation */
	SbCall *offer;	  /* adviser: the call a transfer offers them, or joining */
	char *account;	  /* the login it signed in with (NULL: none known) */
	/* what the adviser handles, from their account; NULL or empty: any */
	char **languages;
	char **topics;
	/* both */
	gint64 ice_sent_us; /* when it last got TURN credentials */
	SbTicket *ticket;   /* booth: its place in the queue */
	SbCall *call;
	guint diag_pending;  /* booth: its open diag_requests (hub-diag.c) */
	gint64 connected_us; /* hub clock: when the transport handed it over */
	/* its message rate limit, a token bucket: millionths of a message,
	 * topped up from tokens_us at msg_rate a second up to msg_burst */
	gint64 tokens, tokens_us;
	/* adviser: the lists it was last sent (hub.c "broadcasts"), so that an
	 * unchanged one is not sent again (the queue's; the booths' are
	 * hub->booths_sent, the same for every adviser) */
	char *last_list[HUB_LIST_KINDS];
	/* booth: its entry in the booth list as last built, and the state and
	 * reason it was built from (rebuilt only when they change) */
	char *list_entry;
	SbBoothState list_entry_state;
	char *list_entry_reason;
};

struct _SbTicket {
	char *id;
	SbPeer *booth;
	char *language;
	char *topic;
	JsonObject *answers;
	gboolean booked;  /* came with a booking: served before walk-ins */
	SbCall *transfer; /* a call transferred to this topic's queue (booth in it, not queued) */
	char *booking;	  /* its verified, checked-in code (booked) */
	gint64 created_us;
	gint64 queued_wall_s; /* the same instant on the wall clock (call records) */
	/* what the booth was last told (queued), so that only changes are sent */
	guint told_position; /* 0: nothing yet */
	gint64 told_wait_s;
};

struct _SbCall {
	char *id;
	SbCallState state; /* hub-state.h; booth_away: booth is NULL */
	char *ticket;
	char *booth_id;
	SbPeer *booth;	       /* NULL while the booth's link is away (see sb_hub_tick) */
	SbPeer *adviser;       /* NULL while the adviser's link is away */
	char *adviser_account; /* who answered (their login); NULL: no sign-in, not resumable */
	gint64 started_us;
	/* for the call record: copied from the ticket and the booth */
	char *site, *topic, *language;
	gint64 queued_wall_s, answered_wall_s;
	gint64 booth_away_us;	 /* hub clock: since when the booth is away; 0: here */
	gint64 adviser_away_us;	 /* the same for the adviser */
	GPtrArray *held;	 /* texts for the booth, kept while it is away */
	GPtrArray *held_adviser; /* texts for the adviser (the visitor's chat), the same */
	SbDoc *doc;		 /* the document shown now (one at a time), or NULL */
	SbInvite *invite;	 /* its invitation out, or its guest (hub->invites owns it), or NULL */
	guint invites_made;
	JsonObject *answers;  /* the visitor's answers, for a transfer's offer */
	SbTransfer *transfer; /* a transfer under way, or NULL */
	GPtrArray *owners;    /* the logins of the advisers who had the call, in order */
	guint transfers;      /* transfers done (the call's record counts them) */
};

/* A call that ended recently, kept so that the booth can send the visitor's
 * rating afterwards. No personal data: ids and a time. */
typedef struct {
	char *call;
	char *adviser; /* the adviser's connection id, to pass the rating on */
	gint64 ended_us;
} SbEnded;

/* relais_relay_seconds' bounds (hub.c), +Inf included */
#define HUB_RELAY_BUCKETS 12

struct _SbHub {
	SbHubConfig config;
	SbHubTransport transport;
	gpointer user_data;
	SbHubServices services;
	gpointer services_data;
	GHashTable *booths;  /* booth_id -> SbPeer (greeted booths) */
	GPtrArray *advisers; /* greeted advisers */
	GQueue queue;	     /* SbTicket*, FIFO */
	GHashTable *calls;   /* id -> SbCall */
	GHashTable *recent;  /* booth_id -> GQueue of SbEnded, oldest first */
	gint64 *durations;   /* ring of the last config.wait_history call lengths */
	guint n_durations, next_duration;
	SbHubClock clock;
	gpointer clock_data;
	SbHubClock wall_clock;
	gpointer wall_clock_data;
	guint64 calls_total;
	guint64 protocol_errors;
	/* relay latency: from a message's arrival (sb_hub_receive) to its
	 * re-encoded copy handed to the other end's transport */
	gint64 received_us;
	guint64 relay_buckets[HUB_RELAY_BUCKETS]; /* per bound, not cumulative */
	guint64 relay_count;
	gint64 relay_sum_us;
	guint64 satisfaction[5];
	/* booth_id -> GArray of gint64 (hub clock, us): its refused check-ins
	 * within the window (codes are 30 bits: guessing must be slow) */
	GHashTable *checkin_failures;
	guint64 booking_outcomes[4]; /* by BookingOutcome */
	GHashTable *diag;	     /* request id -> open diagnostic request (hub-diag.c) */
	guint diag_next_handle;
	guint64 diag_results[6];   /* by SbHubDiagResult */
	guint64 update_reports[3]; /* by result: kept, rolled-back, install-failed */
	GPtrArray *pending;	   /* SbPeer* connected, no hello yet (the hello timeout) */
	guint64 hello_timeouts;	   /* connections closed for saying no hello */
	guint64 rate_limited;	   /* connections closed for flooding */
	/* queue and booth lists to advisers, gathered (hub.c "broadcasts"):
	 * the changes of one event are sent at its end if the last lists
	 * went out at least config.broadcast_interval_ms ago (hub clock),
	 * else when that time has passed (flush_source) */
	GPtrArray *slot_asks; /* HubSlotAsk*: booths' slot searches not answered yet (hub-bookings.c) */
	gboolean list_dirty[HUB_LIST_KINDS];
	gint64 lists_sent_us; /* hub clock of the last sending; 0: never */
	guint flush_source;
	guint64 lists_sent;	 /* lists handed to advisers' transports */
	guint64 lists_gathered;	 /* changes that joined a list already waiting */
	guint64 lists_unchanged; /* lists not sent: the adviser had that one */
	/* the booth list every greeted adviser has (hub.c "broadcasts"):
	 * booth_id -> its entry as JSON text (both owned) */
	GHashTable *booths_sent;
	gint64 snapshot_seq; /* the last booth list snapshot's id */
	/* booth list messages and their bytes, by HubBoothMsgKind */
	guint64 booth_msgs[2], booth_bytes[2];
	gboolean stopping;				  /* sb_hub_stop: lost links leave stored calls alone */
	GHashTable *invites;				  /* token hash -> SbInvite (hub-guests.c) */
	guint64 transfer_outcomes[HUB_TRANSFER_OUTCOMES]; /* hub-transfer.c */
};

/* --- shared by the hub's files (hub.c) --- */

/* The hub's monotonic clock, in microseconds. */
gint64 hub_now_us(SbHub *hub);
/* Sends to `peer` unless its connection is closing. */
void hub_send_text(SbHub *hub, SbPeer *peer, const char *text);
/* Sends `obj` (transfer full) to `peer`. */
void hub_send_obj(SbHub *hub, SbPeer *peer, JsonObject *obj);
/* An error reply; counts against the peer's error limit. */
void hub_send_error(SbHub *hub, SbPeer *peer, RelaisProtoError code, const char *ref, const char *fmt, ...)
	G_GNUC_PRINTF(5, 6);

/* A fresh unguessable id (randomid.h) with `prefix` (nullable); NULL when
 * OpenSSL has no random bytes: logged, and `peer`'s connection closed (1011). */
char *hub_random_id(SbHub *hub, SbPeer *peer, const char *prefix);

/* The hub's wall clock, unix seconds (call records). */
gint64 hub_wall_s(SbHub *hub);
/* The ICE servers for `peer`, with fresh TURN credentials. Returns: (transfer full) */
JsonArray *hub_ice_servers_for(SbHub *hub, SbPeer *peer);
/* Sends `obj` (transfer full) to every greeted adviser. */
void hub_broadcast_advisers(SbHub *hub, JsonObject *obj);
/* The booths' states changed: every adviser gets the booths list. */
void hub_booths_changed(SbHub *hub);
/* The queue changed: every adviser gets it filtered, the booths their places. */
void hub_queue_changed(SbHub *hub);
/* Moves booth `b` by an event the hub's own bookkeeping makes certain: a
 * refusal is a bug in the hub (logged as critical, state unchanged). */
void hub_booth_must_step(SbPeer *b, SbBoothEvent event);

/* The booth's state's protocol name ("idle", "queued", ...). */
const char *hub_booth_state(SbPeer *b);
/* Moves booth `b` by `event` (hub-state.h). FALSE, the state unchanged,
 * when the event is not allowed in its state: the caller replies the error. */
gboolean hub_booth_step(SbPeer *b, SbBoothEvent event);

/* --- a booth's booking requests (hub-bookings.c) --- */

/* booking_slots, book, check_in. */
void hub_handle_booking(SbHub *hub, SbPeer *peer, RelaisMsg *msg);
/* Whether a request's booking `code` may queue (replies the error itself). */
gboolean hub_booking_usable(SbHub *hub, SbPeer *peer, const char *code);
/* The relais_bookings_total counters, appended to `out`. */
void hub_bookings_metrics(SbHub *hub, GString *out);
/* The hub is going: slot searches still out are answered to nobody. */
void hub_bookings_shutdown(SbHub *hub);

/* --- calls (hub-calls.c) --- */

void hub_call_free(SbCall *c);
/* Frees a GQueue of SbEnded (hub->recent's values). */
void hub_ended_queue_free(GQueue *q);
/* Moves `call` by an event the hub makes certain (see hub_booth_must_step). */
void hub_call_must_step(SbCall *call, SbCallEvent event);
/* Ends `call`: `by` hung up (NULL: the switchboard, the booth did not come
 * back); the other end is told, the record goes to the services. Frees it. */
void hub_end_call(SbHub *hub, SbCall *call, SbPeer *by, const char *reason);
/* A visitor left the queue before anyone answered: a record without a call. */
void hub_ticket_abandoned(SbHub *hub, SbTicket *t, const char *code);
/* A booth back after losing its link, naming the call it was in. */
void hub_resume_call(SbHub *hub, SbPeer *booth, const char *id);
/* The same for an adviser: only the account that answered the call. */
void hub_resume_adviser(SbHub *hub, SbPeer *adviser, const char *id);
/* `peer`'s link is lost in its call: the call is held for the resume grace
 * (or left alone: the switchboard is stopping). FALSE: it cannot be (no
 * grace, an adviser without account), the caller ends it. */
gboolean hub_hold_call(SbHub *hub, SbPeer *peer);
/* Closes `peer`'s connection (its transport later disconnects it). */
void hub_close_peer(SbHub *hub, SbPeer *peer, gushort code, const char *reason);
/* A booth back whose hello names no call has restarted (its session is
 * wiped): the calls held for it end now rather than after the grace. */
void hub_end_held_calls(SbHub *hub, const char *booth_id);
void hub_handle_accept(SbHub *hub, SbPeer *adviser, RelaisMsg *msg);
/* sdp, ice, chat, share, end */
/* One relayed message: its latency into the histogram (hub.c) */
void hub_observe_relay(SbHub *hub);
void hub_handle_in_call(SbHub *hub, SbPeer *peer, RelaisMsg *msg);
void hub_handle_feedback(SbHub *hub, SbPeer *peer, RelaisMsg *msg);
/* Ends the calls whose booth or adviser did not come back within the resume grace. */
void hub_calls_expire(SbHub *hub, gint64 now);

/* --- the queue: matching and wait estimates (hub-queue.c) --- */

void hub_ticket_free(SbTicket *t);
/* A copy of a visitor's answers (NULL: an empty object). Returns: (transfer full) */
JsonObject *hub_answers_copy(JsonObject *answers);
/* Whether adviser `a` handles the ticket's language, its topic, both. */
gboolean hub_adviser_language_ok(const SbPeer *a, const SbTicket *t);
gboolean hub_adviser_topic_ok(const SbPeer *a, const SbTicket *t);
gboolean hub_adviser_can_take(const SbPeer *a, const SbTicket *t);
/* Queues `t`: booked visitors before walk-ins, first come first served. */
void hub_queue_add(SbHub *hub, SbTicket *t);
/* Takes `t` out of the queue and frees it. */
void hub_queue_drop(SbHub *hub, SbTicket *t);
/* The waiting ticket `id`, or NULL. */
SbTicket *hub_queue_find(SbHub *hub, const char *id);
/* Ticket `t`'s entry in the queue list, as JSON text. Returns: (transfer full) */
char *hub_queue_entry(SbHub *hub, SbTicket *t);
/* Whether `t`'s entry fits in a queue message of its own. */
gboolean hub_queue_entry_fits(SbHub *hub, SbTicket *t);
/* The queue as `adviser` sees it (only the tickets they can take), its
 * entries as JSON texts, in order. Returns: (transfer full) */
GPtrArray *hub_queue_entries(SbHub *hub, SbPeer *adviser);
/* A call of `length_us` ended: the mean call length (wait_s) follows. */
void hub_queue_record_call(SbHub *hub, gint64 length_us);
/* Tells every waiting booth whose position or estimated wait changed;
 * `only_new`: only the tickets never told yet (their id and place). */
void hub_tell_positions(SbHub *hub, gboolean only_new);

/* --- remote diagnostics (hub-diag.c) --- */

void hub_diag_init(SbHub *hub);
/* Ends every open request with SB_HUB_DIAG_SHUTDOWN and frees the table. */
void hub_diag_shutdown(SbHub *hub);
/* A diag_report from `peer`: handed to its request, or dropped. */
void hub_handle_diag_report(SbHub *hub, SbPeer *peer, RelaisMsg *msg);
/* Booth `peer`'s link is gone (closed, replaced, shut out): its open
 * requests end with SB_HUB_DIAG_GONE. */
void hub_diag_peer_gone(SbHub *hub, SbPeer *peer);
/* Ends the requests whose time is up (SB_HUB_DIAG_TIMEOUT). */
void hub_diag_expire(SbHub *hub, gint64 now);
/* The relais_diag_requests_total counters, appended to `out`. */
void hub_diag_metrics(SbHub *hub, GString *out);

/* --- documents shown in a call (hub-docs.c) --- */

void hub_doc_free(SbDoc *d);
/* doc_page, doc_stop, doc_error from either end of a call. */
void hub_handle_doc(SbHub *hub, SbPeer *peer, RelaisMsg *msg);

/* --- a guest in the call (hub-guests.c) --- */

void hub_guests_init(SbHub *hub);
void hub_guests_shutdown(SbHub *hub);
/* invite, invite_cancel, guest_remove (adviser), guest_answer (booth). */
void hub_handle_guest_msg(SbHub *hub, SbPeer *peer, RelaisMsg *msg);
/* A guest's hello: its token checked (refused: said and closed, FALSE),
 * else the guest is in, asking; the caller then greets it. */
gboolean hub_guest_hello(SbHub *hub, SbPeer *peer, RelaisMsg *msg);
/* sdp, ice, chat, end from a guest. */
void hub_guest_in_call(SbHub *hub, SbPeer *peer, RelaisMsg *msg);
/* sdp or ice from the booth or the adviser (in its call): TRUE when it
 * names the guest (relayed to it, or refused). */
gboolean hub_guest_route_media(SbHub *hub, SbPeer *peer, RelaisMsg *msg);
/* A chat line of the call: a copy to its guest, if let in. */
void hub_guest_chat_copy(SbHub *hub, SbCall *call, RelaisMsg *msg, const char *from);
/* The guest's link is gone: it left. */
void hub_guest_gone(SbHub *hub, SbPeer *peer);
/* `call` is ending: its guest is told and closed, its links end. */
void hub_guests_call_ended(SbHub *hub, SbCall *call, const char *reason);
/* The visitor's 60 s to answer; old invitations forgotten. */
void hub_guests_expire(SbHub *hub, gint64 now);
const char *hub_guest_state_name(const SbInvite *inv);
/* A colleague's invitation (a transfer): `adviser` joins `call` through the
 * visitor's consent, as a guest does, over its adviser link. NULL: the
 * call has a guest already (said to nobody: the caller checked). */
SbInvite *hub_guest_colleague(SbHub *hub, SbCall *call, SbPeer *adviser);

/* --- warm transfer (hub-transfer.c) --- */

/* transfer, transfer_accept, transfer_decline, transfer_done, transfer_list. */
void hub_handle_transfer(SbHub *hub, SbPeer *peer, RelaisMsg *msg);
/* The colleague's guest state changed (joining, joined, declined, left,
 * removed): the first adviser is told, a transfer ended when it is out. */
void hub_transfer_guest_step(SbHub *hub, SbCall *call, const char *state);
/* An adviser's link is gone: its offers and its transfers end. */
void hub_transfer_adviser_gone(SbHub *hub, SbPeer *adviser);
/* The transfer of `call` is withdrawn (its call ends, its booth or its
 * adviser went): the colleague is told and out of the call; with
 * `tell_from`, the first adviser is told too. */
void hub_transfer_withdraw(SbHub *hub, SbCall *call, gboolean tell_from);
/* An adviser accepted ticket `t` of a call transferred to a queue. */
void hub_transfer_accept_ticket(SbHub *hub, SbPeer *adviser, SbTicket *t);
/* Offers unanswered and queued transfers past their time. */
void hub_transfer_expire(SbHub *hub, gint64 now);
void hub_transfer_free(SbTransfer *t);
/* Whether adviser `a` is signed in as one who had `call` (a transfer back is a loop). */
gboolean hub_transfer_had_call(SbCall *call, const SbPeer *a);
/* The relais_transfers_total counters, appended to `out`. */
void hub_transfer_metrics(SbHub *hub, GString *out);

G_END_DECLS
