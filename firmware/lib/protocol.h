/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * protocol: the Relais signaling protocol (PROTOCOL.md beside this file),
 * implemented once for the booth, the switchboard and the test adviser.
 *
 * relais_msg_parse() is the only way a received text becomes a RelaisMsg, and
 * it validates everything PROTOCOL.md says before returning: JSON, type,
 * direction, every field's type, range and size cap. Whoever holds a RelaisMsg
 * may therefore read its fields without further checks.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define RELAIS_PROTO_VERSION 1
/* The highest media connection number of a call (sdp, ice, reconnect:
 * PROTOCOL.md "Reconnecting a call's media"). */
#define RELAIS_PROTO_MAX_MEDIA 1000

typedef enum {
	RELAIS_ROLE_BOOTH,
	RELAIS_ROLE_ADVISER,
	RELAIS_ROLE_SWITCHBOARD,
	/* a third party in a call, by invitation (THREEWAY.md): no account,
	 * its hello carries the invitation's token */
	RELAIS_ROLE_GUEST,
} RelaisRole;

typedef enum {
	RELAIS_MSG_HELLO,
	RELAIS_MSG_WELCOME,
	RELAIS_MSG_STATUS,
	RELAIS_MSG_REQUEST,
	RELAIS_MSG_QUEUED,
	RELAIS_MSG_CANCEL,
	RELAIS_MSG_ACCEPT,
	RELAIS_MSG_TAKEN,
	RELAIS_MSG_CALL,
	RELAIS_MSG_SDP,
	RELAIS_MSG_ICE,
	RELAIS_MSG_CHAT,
	RELAIS_MSG_END,
	RELAIS_MSG_BOOTHS,
	RELAIS_MSG_QUEUE,
	RELAIS_MSG_ERROR,
	RELAIS_MSG_PING,
	RELAIS_MSG_PONG,
	RELAIS_MSG_AVAILABILITY,
	RELAIS_MSG_FEEDBACK,
	RELAIS_MSG_ICE_SERVERS,
	RELAIS_MSG_SHARE,
	RELAIS_MSG_DOC_SHOW,
	RELAIS_MSG_DOC_PAGE,
	RELAIS_MSG_DOC_STOP,
	RELAIS_MSG_DOC_ERROR,
	/* bookings (PROTOCOL.md "Bookings") */
	RELAIS_MSG_BOOKING_SLOTS,
	RELAIS_MSG_BOOKING_OFFER,
	RELAIS_MSG_BOOK,
	RELAIS_MSG_BOOKED,
	RELAIS_MSG_CHECK_IN,
	RELAIS_MSG_CHECKED_IN,
	RELAIS_MSG_BOOKING_ERROR,
	/* remote diagnostics (PROTOCOL.md "Diagnostics") */
	RELAIS_MSG_DIAG_REQUEST,
	RELAIS_MSG_DIAG_REPORT,
	/* software and updates (PROTOCOL.md "Software and updates") */
	RELAIS_MSG_UPDATE_REPORT,
	RELAIS_MSG_UPDATE_OFFER,
	RELAIS_MSG_UPDATE_STATUS,
	/* a new media connection within a call (PROTOCOL.md "Reconnecting a
	 * call's media") */
	RELAIS_MSG_RECONNECT,
	/* a camera or microphone of the booth lost or back in a call
	 * (PROTOCOL.md "A device lost in a call") */
	RELAIS_MSG_DEVICE,
	/* the booth list's changes since the last one an adviser was sent
	 * (PROTOCOL.md "The booth list: a snapshot in parts, then changes") */
	RELAIS_MSG_BOOTHS_CHANGED,
	/* a third person in the call (PROTOCOL.md "A guest in the call") */
	RELAIS_MSG_INVITE,
	RELAIS_MSG_INVITED,
	RELAIS_MSG_INVITE_CANCEL,
	RELAIS_MSG_GUEST_ASK,
	RELAIS_MSG_GUEST_ANSWER,
	RELAIS_MSG_GUEST_STATE,
	RELAIS_MSG_GUEST_REMOVE,
	/* warm transfer (PROTOCOL.md "Warm transfer") */
	RELAIS_MSG_TRANSFER,
	RELAIS_MSG_TRANSFER_OFFER,
	RELAIS_MSG_TRANSFER_ACCEPT,
	RELAIS_MSG_TRANSFER_DECLINE,
	RELAIS_MSG_TRANSFER_STATE,
	RELAIS_MSG_TRANSFER_DONE,
	RELAIS_MSG_CALL_OWNER,
	RELAIS_MSG_TRANSFER_LIST,
	RELAIS_MSG_TRANSFER_OPTIONS,
	RELAIS_MSG_N_TYPES
} RelaisMsgType;

#define RELAIS_PROTO_ERROR (relais_proto_error_quark())
GQuark relais_proto_error_quark(void);

/* The error codes of PROTOCOL.md, in order. */
typedef enum {
	RELAIS_PROTO_ERROR_JSON,
	RELAIS_PROTO_ERROR_TYPE,
	RELAIS_PROTO_ERROR_UNKNOWN,
	RELAIS_PROTO_ERROR_FIELD,
	RELAIS_PROTO_ERROR_SIZE,
	RELAIS_PROTO_ERROR_DIRECTION,
	RELAIS_PROTO_ERROR_STATE,
	RELAIS_PROTO_ERROR_VERSION,
	RELAIS_PROTO_ERROR_GONE,
	RELAIS_PROTO_ERROR_FULL,
	RELAIS_PROTO_ERROR_RATE,
	/* a guest's hello refused (PROTOCOL.md "A guest in the call"), each
	 * also a close code (RELAIS_CLOSE_*) */
	RELAIS_PROTO_ERROR_INVITE_UNKNOWN,
	RELAIS_PROTO_ERROR_INVITE_EXPIRED,
	RELAIS_PROTO_ERROR_INVITE_USED,
	RELAIS_PROTO_ERROR_CALL_ENDED,
	/* a transfer refused (PROTOCOL.md "Warm transfer") */
	RELAIS_PROTO_ERROR_LOOP,	/* back to an adviser already in the chain, or to oneself */
	RELAIS_PROTO_ERROR_CHAIN,	/* the call was transferred RELAIS_PROTO_MAX_TRANSFERS times */
	RELAIS_PROTO_ERROR_UNAVAILABLE, /* the colleague or topic cannot take the call now */
} RelaisProtoError;

/* Transfers of one call, at most (PROTOCOL.md "Warm transfer"). */
#define RELAIS_PROTO_MAX_TRANSFERS 5
/* A transfer's note from the first adviser: at most this many bytes. */
#define RELAIS_PROTO_MAX_NOTE 500
/* The states of transfer_state, in order; NULL-terminated. */
extern const char *const relais_transfer_states[];

/* Close codes of a guest's connection (PROTOCOL.md "A guest in the
 * call"): the page shows the sentence for each in the guest's language. */
#define RELAIS_CLOSE_INVITE_UNKNOWN 4020 /* forged or mistyped link */
#define RELAIS_CLOSE_INVITE_EXPIRED 4021 /* past its 15 minutes, or withdrawn */
#define RELAIS_CLOSE_INVITE_USED    4022 /* someone already came in with it */
#define RELAIS_CLOSE_CALL_ENDED	    4023 /* the call is over */
#define RELAIS_CLOSE_DECLINED	    4024 /* the visitor preferred not to */
#define RELAIS_CLOSE_REMOVED	    4025 /* the adviser removed the guest */

/* A guest's display name: 1..RELAIS_PROTO_MAX_GUEST_NAME characters. */
#define RELAIS_PROTO_MAX_GUEST_NAME 40
/* The kinds of guest (THREEWAY.md "Who is who"); NULL-terminated. */
extern const char *const relais_guest_roles[];
/* The states of guest_state, in order; NULL-terminated. */
extern const char *const relais_guest_states[];

const char *relais_proto_error_code(RelaisProtoError code);
const char *relais_msg_type_name(RelaisMsgType type);
const char *relais_role_name(RelaisRole role);

typedef struct _RelaisMsg RelaisMsg;

/* Parses and validates text sent by `sender`. `greeted` says whether the
 * sender's hello was already accepted: before it only hello is allowed, after
 * it hello is not.
 * Returns: (transfer full) the message, or NULL with a RELAIS_PROTO_ERROR
 * whose message names the problem. When the type could be read, *type_out
 * (may be NULL) receives its name for the error reply's `ref`. */
RelaisMsg *relais_msg_parse(const char *data, gsize len, RelaisRole sender, gboolean greeted, char **type_out,
			    GError **error) G_GNUC_WARN_UNUSED_RESULT;

RelaisMsgType relais_msg_get_type(const RelaisMsg *msg);
/* Field accessors. Returns NULL / default when the (optional) field is absent.
 * (transfer none): valid as long as the message. */
const char *relais_msg_get_string(const RelaisMsg *msg, const char *field);
gint64 relais_msg_get_int(const RelaisMsg *msg, const char *field, gint64 def);
JsonObject *relais_msg_get_object(const RelaisMsg *msg, const char *field);
JsonArray *relais_msg_get_array(const RelaisMsg *msg, const char *field);
JsonObject *relais_msg_get_root(const RelaisMsg *msg);

void relais_msg_free(RelaisMsg *msg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RelaisMsg, relais_msg_free)

/* Building: a fresh object with "type" set; fill it with json_object_set_*
 * and serialise with relais_msg_to_string(). */
JsonObject *relais_msg_new(RelaisMsgType type);
/* Returns: (transfer full). Takes the object (unrefs it). With
 * CONFIG_RELAIS_PROTO_CHECK_OUTGOING the text is first checked with
 * relais_msg_check() (see the Kconfig help for what a failure does). */
char *relais_msg_to_string(JsonObject *obj);
/* Checks a built message exactly as its receiver's relais_msg_parse() will:
 * the same table, caps and cross-field rules. The sender is the one the
 * table allows (the switchboard for what it sends or relays; a hello's own
 * role). Does not take obj. */
gboolean relais_msg_check(JsonObject *obj, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* One array member of a list message and its elements, each one JSON value
 * as text (see relais_msg_split). */
typedef struct {
	const char *name;
	GPtrArray *items; /* char* */
} RelaisListMember;

/* A list that may be longer than one message (PROTOCOL.md "The booth list:
 * a snapshot in parts, then changes"): messages of `type` carrying the
 * items of `members` in order, as many in each as fit within `cap` bytes
 * (CONFIG_RELAIS_PROTO_MAX_MESSAGE; smaller in tests). Every message has
 * every member (an empty array when none of its items is left). With
 * `snapshot` > 0 the messages are the parts of that snapshot: each also
 * has "snapshot", "part" (1..) and "parts". An item too long for a message
 * of its own is left out and counted in *dropped (nullable). Nothing to
 * carry is one message of empty arrays. Each text is checked as
 * relais_msg_to_string() checks.
 * Returns: (transfer full) (element-type utf8) the texts, at least one. */
GPtrArray *relais_msg_split(RelaisMsgType type, const RelaisListMember *members, guint n_members, gint64 snapshot,
			    gsize cap, guint *dropped);

/* A booking_error (ref: the request's type, reason: relais_booking_reasons,
 * message nullable). Returns: (transfer full) the object, to send. */
JsonObject *relais_msg_booking_error(const char *ref, const char *reason, const char *message);
/* A booking_offer with no slots yet; relais_msg_booking_offer_add() appends
 * one {start, end} (ISO 8601 with offset). Returns: (transfer full) */
JsonObject *relais_msg_booking_offer(void);
void relais_msg_booking_offer_add(JsonObject *offer, const char *start, const char *end);
/* A booked reply (site nullable). Returns: (transfer full) */
JsonObject *relais_msg_booked(const char *code, const char *start, const char *end, const char *site,
			      const char *address);
/* A checked_in reply; language and topic are left out when NULL or empty.
 * Returns: (transfer full) */
JsonObject *relais_msg_checked_in(const char *code, const char *start, const char *end, const char *language,
				  const char *topic);

/* The booth's answer to a diag_request: `request` its id, `report` (transfer
 * full) the report object (firmware/booth/diag.c makes it; PROTOCOL.md
 * "Diagnostics": at most PROTO_MAX_REPORT bytes as JSON, which
 * relais_msg_to_string() checks). Returns: (transfer full) */
JsonObject *relais_msg_diag_report(const char *request, JsonObject *report);

/* The states of update_status (PROTOCOL.md "Updates sent from afar"), in
 * order; NULL-terminated. */
extern const char *const relais_update_states[];
/* A SHA-256 as the protocol carries it: 64 lower-case hex digits. */
gboolean relais_proto_valid_sha256(const char *s);

/* Returns: (transfer full) a complete error message, e.g. for a reply. */
char *relais_msg_error_string(RelaisProtoError code, const char *message, const char *ref);
/* Same, from a GError in RELAIS_PROTO_ERROR (any other domain maps to "field"). */
char *relais_msg_error_from_gerror(const GError *error, const char *ref);

/* Validates a single value kind, for callers outside message parsing
 * (booth ids on the command line, booth control answers). */
gboolean relais_proto_valid_id(const char *s);
gboolean relais_proto_valid_lang(const char *s);
/* An ISO 8601 date and time with its offset ("2026-11-24T09:00:00+01:00"),
 * at most RELAIS_PROTO_MAX_TIME bytes. */
gboolean relais_proto_valid_time(const char *s);
#define RELAIS_PROTO_MAX_TIME 40

/* The reasons of booking_error, in PROTOCOL.md's order; NULL-terminated. */
extern const char *const relais_booking_reasons[];

/* Checks an answers object (keys ids, values texts, member cap) and returns a
 * deep copy. Returns: (transfer full) or NULL with error. */
JsonObject *relais_proto_copy_answers(JsonObject *answers, GError **error);

G_END_DECLS
