/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "relais-proto"

#include "protocol.h"
#include "relais-config.h"
#include "booking.h"
#include "updatestatus.h"
#include "fail.h"

#include <stdlib.h>
#include <string.h>

G_DEFINE_QUARK(relais - proto - error - quark, relais_proto_error)

static const char *const error_codes[] = {
	"json",		  "type",	 "unknown",    "field", "size",	 "direction",
	"state",	  "version",	 "gone",       "full",	"rate",	 "invite_unknown",
	"invite_expired", "invite_used", "call_ended", "loop",	"chain", "unavailable",
};

const char *relais_proto_error_code(RelaisProtoError code)
{
	if ((guint)code >= G_N_ELEMENTS(error_codes))
		return "field";
	return error_codes[code];
}

static const char *const role_names[] = {"booth", "adviser", "switchboard", "guest"};

const char *relais_role_name(RelaisRole role)
{
	return (guint)role < G_N_ELEMENTS(role_names) ? role_names[role] : "?";
}

/* --- schema ------------------------------------------------------------- */

typedef enum {
	K_ID,
	K_TEXT,
	K_SDP,
	K_LANG,
	K_INT,
	K_ANSWERS,
	K_ENUM,	   /* string, one of spec->values */
	K_STRINGS, /* array of short strings (ICE server URIs) */
	K_OBJECTS, /* array of objects (booth and queue snapshots) */
	K_IDS,	   /* array of ids (booths gone from the list) */
	K_TIME,	   /* ISO 8601 date-time with its offset */
	K_CODE,	   /* a booking code (booking.h) */
	K_REPORT,  /* an object of at most CONFIG_RELAIS_PROTO_MAX_REPORT bytes as JSON */
	K_BOOL,
	K_TARGET, /* a transfer's target: {adviser: login} or {topic: id} */
} FieldKind;

typedef struct {
	const char *name;
	FieldKind kind;
	gboolean required;
	gint64 min, max;	   /* K_INT range; K_TEXT minimum length in min */
	const char *const *values; /* K_ENUM */
} FieldSpec;

#define B (1u << RELAIS_ROLE_BOOTH)
#define A (1u << RELAIS_ROLE_ADVISER)
#define S (1u << RELAIS_ROLE_SWITCHBOARD)
#define G (1u << RELAIS_ROLE_GUEST)

typedef struct {
	const char *name;
	guint senders; /* bit mask of roles allowed to send it */
	FieldSpec fields[10];
} MsgSpec;

static const char *const roles_enum[] = {"booth", "adviser", NULL};
static const char *const hello_roles_enum[] = {"booth", "adviser", "guest", NULL};
/* sdp and ice: the other end of the media connection (THREEWAY.md
 * "Media"); absent: the booth-adviser one */
static const char *const peer_enum[] = {"booth", "adviser", "guest", NULL};
const char *const relais_guest_roles[] = {"interpreter", "relative", "adviser", "colleague", NULL};
/* a colleague comes by a transfer, not by an invitation */
static const char *const invite_roles_enum[] = {"interpreter", "relative", "adviser", NULL};
const char *const relais_guest_states[] = {"asking", "joining", "joined", "declined", "removed", "left", NULL};
const char *const relais_transfer_states[] = {"offered", "accepted",   "joining", "joined",    "declined", "gone",
					      "queued",	 "unanswered", "expired", "withdrawn", NULL};
static const char *const status_enum[] = {"idle", "out_of_order", NULL};
static const char *const sdp_enum[] = {"offer", "answer", NULL};
static const char *const share_enum[] = {"on", "off", NULL};
static const char *const device_enum[] = {"camera", "microphone", NULL};
static const char *const device_state_enum[] = {"ok", "lost", "failed", NULL};
static const char *const doc_kind_enum[] = {"pdf", "png", "jpeg", NULL};
static const char *const slot_enum[] = {"A", "B", NULL};
const char *const relais_update_states[] = {"busy", "downloading", "installing", "installed", "failed", NULL};

/* Pages of a shown PDF: the protocol's bound (Kconfig's cap is at most this). */
#define DOC_MAX_PAGES 1000
static const char *const booking_ref_enum[] = {"booking_slots", "book", "check_in", NULL};
const char *const relais_booking_reasons[] = {
	"taken", "closed",    "invalid", "no_site", "unknown", "wrong_site", "too_early",
	"used",	 "cancelled", "expired", "wait",    "offline", "failed",     NULL,
};

/* Indexed by RelaisMsgType. Sizes come from Kconfig; PROTOCOL.md is the
 * prose of this table. */
static const MsgSpec specs[RELAIS_MSG_N_TYPES] = {
	[RELAIS_MSG_HELLO] = {"hello",
			      B | A | G,
			      {{"version", K_INT, TRUE, 0, G_MAXINT32},
			       {"role", K_ENUM, TRUE, 0, 0, hello_roles_enum},
			       {"booth_id", K_ID, FALSE},
			       {"site", K_TEXT, FALSE},
			       {"board", K_ID, FALSE},
			       {"name", K_TEXT, FALSE},
			       {"call", K_ID, FALSE},
			       /* booth: the software it runs and its A/B slot */
			       {"software", K_ID, FALSE},
			       {"slot", K_ENUM, FALSE, 0, 0, slot_enum},
			       /* guest: the invitation's token (base64url) */
			       {"token", K_ID, FALSE}}},
	[RELAIS_MSG_WELCOME] = {"welcome",
				S,
				{{"version", K_INT, TRUE, 1, G_MAXINT32},
				 {"session", K_ID, TRUE},
				 {"ice_servers", K_STRINGS, FALSE},
				 /* how long a call waits for an end whose link is lost */
				 {"resume_s", K_INT, FALSE, 1, 3600}}},
	[RELAIS_MSG_STATUS] = {"status", B, {{"state", K_ENUM, TRUE, 0, 0, status_enum}, {"reason", K_TEXT, FALSE}}},
	[RELAIS_MSG_REQUEST] = {"request",
				B,
				{{"language", K_LANG, TRUE},
				 {"topic", K_ID, TRUE},
				 {"answers", K_ANSWERS, FALSE},
				 /* a checked-in booking code: verified by the switchboard */
				 {"booking", K_CODE, FALSE}}},
	[RELAIS_MSG_QUEUED] = {"queued",
			       S,
			       {{"ticket", K_ID, TRUE},
				{"position", K_INT, TRUE, 1, G_MAXINT32},
				{"wait_s", K_INT, FALSE, 0, G_MAXINT32}}},
	[RELAIS_MSG_CANCEL] = {"cancel", B, {{"ticket", K_ID, TRUE}}},
	[RELAIS_MSG_ACCEPT] = {"accept", A, {{"ticket", K_ID, TRUE}}},
	[RELAIS_MSG_TAKEN] = {"taken", S, {{"ticket", K_ID, TRUE}}},
	[RELAIS_MSG_CALL] = {"call",
			     S,
			     {{"call", K_ID, TRUE},
			      {"ticket", K_ID, TRUE},
			      {"peer", K_TEXT, FALSE},
			      {"ice_servers", K_STRINGS, FALSE},
			      {"language", K_LANG, FALSE},
			      {"topic", K_ID, FALSE},
			      {"answers", K_ANSWERS, FALSE}}},
	[RELAIS_MSG_SDP] = {"sdp",
			    B | A | G | S,
			    {{"call", K_ID, TRUE},
			     {"sdp_type", K_ENUM, TRUE, 0, 0, sdp_enum},
			     {"sdp", K_SDP, TRUE},
			     {"media", K_INT, FALSE, 0, RELAIS_PROTO_MAX_MEDIA},
			     {"peer", K_ENUM, FALSE, 0, 0, peer_enum}}},
	[RELAIS_MSG_ICE] = {"ice",
			    B | A | G | S,
			    {{"call", K_ID, TRUE},
			     {"candidate", K_TEXT, TRUE},
			     {"mline", K_INT, TRUE, 0, 15},
			     {"media", K_INT, FALSE, 0, RELAIS_PROTO_MAX_MEDIA},
			     {"peer", K_ENUM, FALSE, 0, 0, peer_enum}}},
	[RELAIS_MSG_CHAT] = {"chat",
			     B | A | G | S,
			     {{"call", K_ID, TRUE}, {"text", K_TEXT, TRUE, 1}, {"from", K_TEXT, FALSE}}},
	/* from a guest: it leaves, the call goes on */
	[RELAIS_MSG_END] = {"end", B | A | G | S, {{"call", K_ID, TRUE}, {"reason", K_TEXT, FALSE}}},
	/* the booth list after welcome (or a resync), in parts within the
	 * message cap; then only its changes, booths_changed */
	[RELAIS_MSG_BOOTHS] = {"booths",
			       S,
			       {{"booths", K_OBJECTS, TRUE},
				{"snapshot", K_INT, TRUE, 1, G_MAXINT32},
				{"part", K_INT, TRUE, 1, G_MAXINT32},
				{"parts", K_INT, TRUE, 1, G_MAXINT32}}},
	/* the queue as one adviser sees it, in parts within the message cap */
	[RELAIS_MSG_QUEUE] = {"queue",
			      S,
			      {{"queue", K_OBJECTS, TRUE},
			       {"snapshot", K_INT, TRUE, 1, G_MAXINT32},
			       {"part", K_INT, TRUE, 1, G_MAXINT32},
			       {"parts", K_INT, TRUE, 1, G_MAXINT32}}},
	[RELAIS_MSG_ERROR] = {"error", S, {{"code", K_ID, TRUE}, {"message", K_TEXT, TRUE}, {"ref", K_TEXT, FALSE}}},
	[RELAIS_MSG_PING] = {"ping", B | A | G | S, {{NULL}}},
	[RELAIS_MSG_PONG] = {"pong", B | A | G | S, {{NULL}}},
	[RELAIS_MSG_AVAILABILITY] = {"availability",
				     S,
				     {{"advisers", K_INT, TRUE, 0, G_MAXINT32}, {"next_opening", K_TEXT, FALSE, 1}}},
	/* B→S after the call (the booth is idle again by then), relayed S→A */
	[RELAIS_MSG_FEEDBACK] = {"feedback", B | S, {{"call", K_ID, TRUE}, {"score", K_INT, TRUE, 1, 5}}},
	/* S→B: fresh TURN credentials before the previous ones expire */
	[RELAIS_MSG_ICE_SERVERS] = {"ice_servers", S, {{"ice_servers", K_STRINGS, TRUE}}},
	/* A→S→B in a call: the adviser's screen is (no longer) on the
	 * offer's screen m-line (see RELAIS_MEDIA_SCREEN_MLINE in media.h) */
	[RELAIS_MSG_SHARE] = {"share", A | S, {{"call", K_ID, TRUE}, {"state", K_ENUM, TRUE, 0, 0, share_enum}}},
	/* documents shown in a call (PROTOCOL.md "Showing a document"): the
	 * switchboard announces an accepted upload to both ends (the token,
	 * to fetch it once over HTTP, to the booth only) */
	[RELAIS_MSG_DOC_SHOW] = {"doc_show",
				 S,
				 {{"call", K_ID, TRUE},
				  {"doc", K_ID, TRUE},
				  {"kind", K_ENUM, TRUE, 0, 0, doc_kind_enum},
				  {"size", K_INT, TRUE, 1, G_MAXINT32},
				  {"pages", K_INT, TRUE, 1, DOC_MAX_PAGES},
				  {"page", K_INT, TRUE, 1, DOC_MAX_PAGES},
				  {"token", K_ID, FALSE}}},
	/* either end turns the page; the switchboard tells both ends */
	[RELAIS_MSG_DOC_PAGE] = {"doc_page",
				 B | A | S,
				 {{"call", K_ID, TRUE}, {"doc", K_ID, TRUE}, {"page", K_INT, TRUE, 1, DOC_MAX_PAGES}}},
	/* either end stops showing it; relayed with `by` (booth|adviser) */
	[RELAIS_MSG_DOC_STOP] = {"doc_stop",
				 B | A | S,
				 {{"call", K_ID, TRUE}, {"doc", K_ID, TRUE}, {"by", K_ENUM, FALSE, 0, 0, roles_enum}}},
	/* the booth could not fetch or draw it: relayed to the adviser */
	[RELAIS_MSG_DOC_ERROR] = {"doc_error",
				  B | S,
				  {{"call", K_ID, TRUE}, {"doc", K_ID, TRUE}, {"message", K_TEXT, TRUE, 1}}},
	/* bookings: B asks, S answers with the matching reply or booking_error */
	[RELAIS_MSG_BOOKING_SLOTS] = {"booking_slots", B, {{"language", K_LANG, FALSE}, {"topic", K_ID, FALSE}}},
	[RELAIS_MSG_BOOKING_OFFER] = {"booking_offer", S, {{"slots", K_OBJECTS, TRUE}}},
	[RELAIS_MSG_BOOK] =
		{"book",
		 B,
		 {{"start", K_TIME, TRUE}, {"end", K_TIME, TRUE}, {"language", K_LANG, FALSE}, {"topic", K_ID, FALSE}}},
	[RELAIS_MSG_BOOKED] = {"booked",
			       S,
			       {{"code", K_CODE, TRUE},
				{"start", K_TIME, TRUE},
				{"end", K_TIME, TRUE},
				{"site", K_TEXT, FALSE},
				{"address", K_TEXT, FALSE}}},
	[RELAIS_MSG_CHECK_IN] = {"check_in", B, {{"code", K_CODE, TRUE}}},
	[RELAIS_MSG_CHECKED_IN] = {"checked_in",
				   S,
				   {{"code", K_CODE, TRUE},
				    {"start", K_TIME, TRUE},
				    {"end", K_TIME, TRUE},
				    {"language", K_LANG, FALSE},
				    {"topic", K_ID, FALSE}}},
	[RELAIS_MSG_BOOKING_ERROR] = {"booking_error",
				      S,
				      {{"ref", K_ENUM, TRUE, 0, 0, booking_ref_enum},
				       {"reason", K_ENUM, TRUE, 0, 0, relais_booking_reasons},
				       {"retry_at", K_TIME, FALSE},
				       {"retry_s", K_INT, FALSE, 0, 86400},
				       {"message", K_TEXT, FALSE}}},
	/* remote diagnostics (PROTOCOL.md "Diagnostics"): S asks, the booth
	 * answers with the same request id and its report */
	[RELAIS_MSG_DIAG_REQUEST] = {"diag_request", S, {{"request", K_ID, TRUE}}},
	[RELAIS_MSG_DIAG_REPORT] = {"diag_report", B, {{"request", K_ID, TRUE}, {"report", K_REPORT, TRUE}}},
	/* what became of the booth's last update (updatestatus.h), after every
	 * welcome and when asked to read its status file again */
	[RELAIS_MSG_UPDATE_REPORT] = {"update_report",
				      B,
				      {{"result", K_ENUM, TRUE, 0, 0, relais_update_results},
				       {"version", K_ID, TRUE},
				       {"from", K_ID, FALSE},
				       {"slot", K_ENUM, TRUE, 0, 0, slot_enum},
				       {"at", K_TIME, TRUE},
				       {"detail", K_TEXT, FALSE}}},
	/* updates sent from afar: S offers a bundle (fetched over HTTPS from
	 * the booth listener), the booth says how it goes */
	[RELAIS_MSG_UPDATE_OFFER] = {"update_offer",
				     S,
				     {{"update", K_ID, TRUE},
				      {"size", K_INT, TRUE, 1, G_MAXINT64},
				      {"sha256", K_ID, TRUE},
				      {"version", K_ID, FALSE}}},
	[RELAIS_MSG_UPDATE_STATUS] = {"update_status",
				      B,
				      {{"update", K_ID, TRUE},
				       {"state", K_ENUM, TRUE, 0, 0, relais_update_states},
				       {"progress", K_INT, FALSE, 0, 100},
				       {"message", K_TEXT, FALSE}}},
	[RELAIS_MSG_RECONNECT] = {"reconnect",
				  A | S,
				  {{"call", K_ID, TRUE}, {"media", K_INT, TRUE, 0, RELAIS_PROTO_MAX_MEDIA}}},
	/* B→S→A in a call: the booth's camera or microphone stopped, or is
	 * back (media-device.h) */
	[RELAIS_MSG_DEVICE] = {"device",
			       B | S,
			       {{"call", K_ID, TRUE},
				{"device", K_ENUM, TRUE, 0, 0, device_enum},
				{"state", K_ENUM, TRUE, 0, 0, device_state_enum}}},
	[RELAIS_MSG_BOOTHS_CHANGED] = {"booths_changed", S, {{"booths", K_OBJECTS, TRUE}, {"gone", K_IDS, TRUE}}},
	/* a guest in the call (PROTOCOL.md "A guest in the call") */
	[RELAIS_MSG_INVITE] = {"invite", A, {{"call", K_ID, TRUE}, {"role", K_ENUM, TRUE, 0, 0, invite_roles_enum}}},
	[RELAIS_MSG_INVITED] = {"invited",
				S,
				{{"call", K_ID, TRUE},
				 {"invite", K_ID, TRUE},
				 {"url", K_TEXT, TRUE, 1},
				 {"expires_at", K_TIME, TRUE}}},
	[RELAIS_MSG_INVITE_CANCEL] = {"invite_cancel", A, {{"call", K_ID, TRUE}, {"invite", K_ID, TRUE}}},
	[RELAIS_MSG_GUEST_ASK] = {"guest_ask",
				  S,
				  {{"call", K_ID, TRUE},
				   {"guest", K_ID, TRUE},
				   {"name", K_TEXT, TRUE, 1},
				   {"role", K_ENUM, TRUE, 0, 0, relais_guest_roles}}},
	[RELAIS_MSG_GUEST_ANSWER] = {"guest_answer",
				     B,
				     {{"call", K_ID, TRUE}, {"guest", K_ID, TRUE}, {"accept", K_BOOL, TRUE}}},
	[RELAIS_MSG_GUEST_STATE] = {"guest_state",
				    S,
				    {{"call", K_ID, TRUE},
				     {"guest", K_ID, TRUE},
				     {"name", K_TEXT, FALSE, 1},
				     {"role", K_ENUM, FALSE, 0, 0, relais_guest_roles},
				     {"state", K_ENUM, TRUE, 0, 0, relais_guest_states}}},
	[RELAIS_MSG_GUEST_REMOVE] = {"guest_remove", A, {{"call", K_ID, TRUE}, {"guest", K_ID, TRUE}}},
	/* warm transfer (PROTOCOL.md "Warm transfer"): A asks, colleague B is
	 * offered the call and answers, joins as a guest, A hands over */
	[RELAIS_MSG_TRANSFER] = {"transfer",
				 A,
				 {{"call", K_ID, TRUE},
				  {"to", K_TARGET, TRUE},
				  {"note", K_TEXT, FALSE, 0, RELAIS_PROTO_MAX_NOTE}}},
	[RELAIS_MSG_TRANSFER_OFFER] = {"transfer_offer",
				       S,
				       {{"call", K_ID, TRUE},
					{"from", K_TEXT, TRUE, 1},
					{"language", K_LANG, TRUE},
					{"topic", K_ID, TRUE},
					{"answers", K_ANSWERS, FALSE},
					{"note", K_TEXT, FALSE, 0, RELAIS_PROTO_MAX_NOTE},
					{"expires_s", K_INT, TRUE, 1, 3600},
					{"queued", K_BOOL, FALSE}}},
	[RELAIS_MSG_TRANSFER_ACCEPT] = {"transfer_accept", A, {{"call", K_ID, TRUE}}},
	[RELAIS_MSG_TRANSFER_DECLINE] = {"transfer_decline", A, {{"call", K_ID, TRUE}}},
	[RELAIS_MSG_TRANSFER_STATE] = {"transfer_state",
				       S,
				       {{"call", K_ID, TRUE},
					{"state", K_ENUM, TRUE, 0, 0, relais_transfer_states},
					{"adviser", K_TEXT, FALSE, 1},
					{"topic", K_ID, FALSE}}},
	[RELAIS_MSG_TRANSFER_DONE] = {"transfer_done", A, {{"call", K_ID, TRUE}}},
	/* S→B,A: the call's adviser is now `adviser` (its display name) */
	[RELAIS_MSG_CALL_OWNER] = {"call_owner", S, {{"call", K_ID, TRUE}, {"adviser", K_TEXT, TRUE, 1}}},
	/* A asks who could take its call; S answers with the colleagues free
	 * now and the topics' queues */
	[RELAIS_MSG_TRANSFER_LIST] = {"transfer_list", A, {{"call", K_ID, TRUE}}},
	[RELAIS_MSG_TRANSFER_OPTIONS] = {"transfer_options",
					 S,
					 {{"call", K_ID, TRUE},
					  {"advisers", K_OBJECTS, TRUE},
					  {"topics", K_OBJECTS, TRUE}}},
};

const char *relais_msg_type_name(RelaisMsgType type)
{
	return (guint)type < RELAIS_MSG_N_TYPES ? specs[type].name : "?";
}

static gboolean lookup_type(const char *name, RelaisMsgType *out)
{
	for (guint i = 0; i < RELAIS_MSG_N_TYPES; i++) {
		if (g_strcmp0(specs[i].name, name) == 0) {
			*out = i;
			return TRUE;
		}
	}
	return FALSE;
}

/* --- value checks --------------------------------------------------------- */

static gboolean id_char(char c)
{
	return g_ascii_isalnum(c) || c == '.' || c == '_' || c == ':' || c == '-';
}

gboolean relais_proto_valid_id(const char *s)
{
	if (s == NULL || *s == '\0' || strlen(s) > CONFIG_RELAIS_PROTO_MAX_ID)
		return FALSE;
	for (const char *p = s; *p; p++)
		if (!id_char(*p))
			return FALSE;
	return TRUE;
}

gboolean relais_proto_valid_lang(const char *s)
{
	gsize n = s ? strlen(s) : 0;
	if (n < 2 || n > 8)
		return FALSE;
	for (const char *p = s; *p; p++)
		if (!(g_ascii_islower(*p) || *p == '-'))
			return FALSE;
	return TRUE;
}

gboolean relais_proto_valid_sha256(const char *s)
{
	if (s == NULL || strlen(s) != 64)
		return FALSE;
	for (const char *p = s; *p; p++)
		if (!g_ascii_isdigit(*p) && !(*p >= 'a' && *p <= 'f'))
			return FALSE;
	return TRUE;
}

gboolean relais_proto_valid_time(const char *s)
{
	if (s == NULL || strlen(s) > RELAIS_PROTO_MAX_TIME || strchr(s, 'T') == NULL)
		return FALSE;
	/* no default zone: a time without its offset is refused */
	g_autoptr(GDateTime) t = g_date_time_new_from_iso8601(s, NULL);
	return t != NULL;
}

static gboolean node_is_string(JsonNode *n)
{
	return JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING;
}

static gboolean node_is_int(JsonNode *n)
{
	return JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_INT64;
}

static gboolean check_text(const char *field, const char *s, gsize min, gsize cap, GError **error)
{
	gsize n = strlen(s);
	if (n > cap)
		return relais_fail(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_SIZE,
				   "field '%s' is %" G_GSIZE_FORMAT " bytes, the cap is %" G_GSIZE_FORMAT, field, n,
				   cap);
	if (n < min)
		return relais_fail(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_FIELD, "field '%s' must not be empty",
				   field);
	if (!g_utf8_validate(s, -1, NULL))
		return relais_fail(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_FIELD, "field '%s' is not valid UTF-8",
				   field);
	return TRUE;
}

static gboolean check_id(const char *field, const char *s, GError **error)
{
	if (strlen(s) > CONFIG_RELAIS_PROTO_MAX_ID)
		return relais_fail(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_SIZE,
				   "field '%s' is longer than %d bytes", field, CONFIG_RELAIS_PROTO_MAX_ID);
	if (!relais_proto_valid_id(s))
		return relais_fail(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_FIELD,
				   "field '%s' must be 1-%d characters of A-Z a-z 0-9 . _ : -", field,
				   CONFIG_RELAIS_PROTO_MAX_ID);
	return TRUE;
}

static gboolean check_answers(const char *field, JsonObject *o, GError **error)
{
	if (json_object_get_size(o) > CONFIG_RELAIS_PROTO_MAX_ANSWERS)
		return relais_fail(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_SIZE,
				   "field '%s' has %u answers, the cap is %d", field, json_object_get_size(o),
				   CONFIG_RELAIS_PROTO_MAX_ANSWERS);
	g_autoptr(GList) members = json_object_get_members(o);
	for (GList *l = members; l; l = l->next) {
		const char *key = l->data;
		g_autofree char *where = g_strdup_printf("%s.%.*s", field, 64, key);
		if (!check_id(where, key, error))
			return FALSE;
		JsonNode *v = json_object_get_member(o, key);
		if (!node_is_string(v))
			return relais_fail(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_FIELD,
					   "field '%s' must be a string", where);
		if (!check_text(where, json_node_get_string(v), 0, CONFIG_RELAIS_PROTO_MAX_TEXT, error))
			return FALSE;
	}
	return TRUE;
}

JsonObject *relais_proto_copy_answers(JsonObject *answers, GError **error)
{
	if (!check_answers("answers", answers, error))
		return NULL;
	JsonObject *copy = json_object_new();
	g_autoptr(GList) members = json_object_get_members(answers);
	for (GList *l = members; l; l = l->next)
		json_object_set_string_member(copy, l->data, json_object_get_string_member(answers, l->data));
	return copy;
}

/* A booth's diagnostic report: its shape belongs to the booth (diag.c) and
 * its readers take every member as optional; the protocol bounds its size,
 * as serialised, so that one report cannot fill the switchboard's memory. */
static gboolean check_report_size(const char *name, JsonNode *n, GError **error)
{
	g_autofree char *text = json_to_string(n, FALSE);
	gsize len = strlen(text);
	if (len > CONFIG_RELAIS_PROTO_MAX_REPORT)
		return relais_fail(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_SIZE,
				   "field '%s' is %" G_GSIZE_FORMAT " bytes as JSON, the cap is %d", name, len,
				   CONFIG_RELAIS_PROTO_MAX_REPORT);
	return TRUE;
}

/* A transfer's `to`: exactly one of {adviser: a login (1..64 bytes of
 * text)} and {topic: an id}, nothing else. */
static gboolean check_target(const char *field, JsonNode *n, GError **error)
{
	if (!JSON_NODE_HOLDS_OBJECT(n))
		return relais_fail(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_FIELD,
				   "field '%s' must be an object: {\"adviser\": login} or {\"topic\": id}", field);
	JsonObject *o = json_node_get_object(n);
	JsonNode *adviser = json_object_get_member(o, "adviser");
	JsonNode *topic = json_object_get_member(o, "topic");
	if (json_object_get_size(o) != 1 || (adviser == NULL && topic == NULL))
		return relais_fail(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_FIELD,
				   "field '%s' must name one adviser or one topic, and nothing else", field);
	if (adviser) {
		if (!node_is_string(adviser))
			return relais_fail(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_FIELD,
					   "field '%s.adviser' must be a string", field);
		return check_text("to.adviser", json_node_get_string(adviser), 1, 64, error);
	}
	if (!node_is_string(topic))
		return relais_fail(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_FIELD,
				   "field '%s.topic' must be a string", field);
	return check_id("to.topic", json_node_get_string(topic), error);
}

static gboolean check_field(const FieldSpec *f, JsonNode *n, GError **error)
{
	switch (f->kind) {
	case K_ID:
	case K_TEXT:
	case K_SDP:
	case K_LANG:
	case K_TIME:
	case K_CODE:
	case K_ENUM: {
		if (!node_is_string(n))
			return relais_fail(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_FIELD,
					   "field '%s' must be a string", f->name);
		const char *s = json_node_get_string(n);
		if (f->kind == K_ID)
			return check_id(f->name, s, error);
		if (f->kind == K_TEXT)
			return check_text(f->name, s, (gsize)f->min,
					  f->max > 0 ? MIN(f->max, CONFIG_RELAIS_PROTO_MAX_TEXT)
						     : CONFIG_RELAIS_PROTO_MAX_TEXT,
					  error);
		if (f->kind == K_SDP)
			return check_text(f->name, s, 1, CONFIG_RELAIS_PROTO_MAX_SDP, error);
		if (f->kind == K_TIME) {
			if (strlen(s) > RELAIS_PROTO_MAX_TIME)
				return relais_fail(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_SIZE,
						   "field '%s' is longer than %d bytes", f->name,
						   RELAIS_PROTO_MAX_TIME);
			if (!relais_proto_valid_time(s))
				return relais_fail(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_FIELD,
						   "field '%s' must be an ISO 8601 time with its offset, such as "
						   "2026-11-24T09:00:00+01:00",
						   f->name);
			return TRUE;
		}
		if (f->kind == K_CODE) {
			if (strlen(s) > CONFIG_RELAIS_PROTO_MAX_ID)
				return relais_fail(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_SIZE,
						   "field '%s' is longer than %d bytes", f->name,
						   CONFIG_RELAIS_PROTO_MAX_ID);
			if (!relais_booking_code_valid(s))
				return relais_fail(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_FIELD,
						   "field '%s' must be a booking code: %d of %s", f->name,
						   RELAIS_BOOKING_CODE_LEN, RELAIS_BOOKING_ALPHABET);
			return TRUE;
		}
		if (f->kind == K_LANG) {
			if (!relais_proto_valid_lang(s))
				return relais_fail(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_FIELD,
						   "field '%s' must be a language tag such as 'fr' or 'en'", f->name);
			return TRUE;
		}
		for (const char *const *v = f->values; *v; v++)
			if (g_strcmp0(*v, s) == 0)
				return TRUE;
		g_autofree char *allowed = g_strjoinv("|", (char **)f->values);
		return relais_fail(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_FIELD, "field '%s' must be one of %s",
				   f->name, allowed);
	}
	case K_INT: {
		if (!node_is_int(n))
			return relais_fail(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_FIELD,
					   "field '%s' must be an integer", f->name);
		gint64 v = json_node_get_int(n);
		if (v < f->min || v > f->max)
			return relais_fail(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_FIELD,
					   "field '%s' is %" G_GINT64_FORMAT ", allowed %" G_GINT64_FORMAT
					   "..%" G_GINT64_FORMAT,
					   f->name, v, f->min, f->max);
		return TRUE;
	}
	case K_BOOL:
		if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_BOOLEAN)
			return relais_fail(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_FIELD,
					   "field '%s' must be true or false", f->name);
		return TRUE;
	case K_REPORT:
		if (!JSON_NODE_HOLDS_OBJECT(n))
			return relais_fail(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_FIELD,
					   "field '%s' must be an object", f->name);
		return check_report_size(f->name, n, error);
	case K_TARGET:
		return check_target(f->name, n, error);
	case K_ANSWERS:
		if (!JSON_NODE_HOLDS_OBJECT(n))
			return relais_fail(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_FIELD,
					   "field '%s' must be an object", f->name);
		return check_answers(f->name, json_node_get_object(n), error);
	case K_STRINGS:
	case K_IDS:
	case K_OBJECTS: {
		if (!JSON_NODE_HOLDS_ARRAY(n))
			return relais_fail(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_FIELD,
					   "field '%s' must be an array", f->name);
		JsonArray *a = json_node_get_array(n);
		guint len = json_array_get_length(a);
		guint cap = f->kind == K_STRINGS ? 16 : 100000;
		if (len > cap)
			return relais_fail(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_SIZE,
					   "field '%s' has %u items, the cap is %u", f->name, len, cap);
		for (guint i = 0; i < len; i++) {
			JsonNode *e = json_array_get_element(a, i);
			if (f->kind == K_STRINGS) {
				if (!node_is_string(e))
					return relais_fail(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_FIELD,
							   "field '%s[%u]' must be a string", f->name, i);
				if (!check_text(f->name, json_node_get_string(e), 1, 512, error))
					return FALSE;
			} else if (f->kind == K_IDS) {
				g_autofree char *where = g_strdup_printf("%s[%u]", f->name, i);
				if (!node_is_string(e))
					return relais_fail(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_FIELD,
							   "field '%s' must be a string", where);
				if (!check_id(where, json_node_get_string(e), error))
					return FALSE;
			} else if (!JSON_NODE_HOLDS_OBJECT(e)) {
				return relais_fail(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_FIELD,
						   "field '%s[%u]' must be an object", f->name, i);
			}
		}
		return TRUE;
	}
	}
	return relais_fail(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_FIELD, "field '%s': unknown kind", f->name);
}

/* --- messages --------------------------------------------------------------- */

/* json-glib's parser recurses once per nesting level: 64 KiB of '[' would be
 * 65536 stack frames. No message of ours nests deeper than 4. Its scanner
 * also takes what JSON does not have, comments and single-quoted strings,
 * inside which brackets and quotes would escape this count ("['\"',[[[..."
 * nests as deep as the cap allows): outside a string, a '/' or a '\'' is
 * refused here too, so what passes is counted as json-glib reads it.
 * Returns NULL, or what is wrong. */
#define MAX_DEPTH 16

static const char *shape_problem(const char *data, gsize len)
{
	int depth = 0;
	gboolean in_string = FALSE;
	for (gsize i = 0; i < len; i++) {
		char c = data[i];
		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = FALSE;
		} else if (c == '"') {
			in_string = TRUE;
		} else if (c == '/' || c == '\'') {
			return "a comment or a single-quoted string is not JSON";
		} else if (c == '[' || c == '{') {
			if (++depth > MAX_DEPTH)
				return "message nests deeper than " G_STRINGIFY(MAX_DEPTH) " levels";
		} else if (c == ']' || c == '}') {
			depth--;
		}
	}
	return NULL;
}

/* json-glib decodes an unpaired \uD800-\uDFFF escape into bytes that are
 * not UTF-8, in any string, member names and members no rule reads
 * included: a message carrying one, relayed or serialised again, would be
 * refused by its receiver (and by relais_msg_check). Every string and name
 * is checked (found by tests/fuzz/fuzz-protocol.c). The depth is bounded
 * by shape_problem(). */
static gboolean node_utf8_ok(JsonNode *n)
{
	if (JSON_NODE_HOLDS_OBJECT(n)) {
		JsonObjectIter it;
		const char *name;
		JsonNode *member;
		json_object_iter_init(&it, json_node_get_object(n));
		while (json_object_iter_next(&it, &name, &member))
			if (!g_utf8_validate(name, -1, NULL) || !node_utf8_ok(member))
				return FALSE;
	} else if (JSON_NODE_HOLDS_ARRAY(n)) {
		JsonArray *a = json_node_get_array(n);
		for (guint i = 0; i < json_array_get_length(a); i++)
			if (!node_utf8_ok(json_array_get_element(a, i)))
				return FALSE;
	} else if (JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING) {
		return g_utf8_validate(json_node_get_string(n), -1, NULL);
	}
	return TRUE;
}

/* start < end, both valid times. */
static gboolean check_interval(const char *start, const char *end, GError **error)
{
	g_autoptr(GDateTime) a = g_date_time_new_from_iso8601(start, NULL);
	g_autoptr(GDateTime) b = g_date_time_new_from_iso8601(end, NULL);
	if (a == NULL || b == NULL || g_date_time_compare(a, b) >= 0)
		return relais_fail(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_FIELD,
				   "field 'end' must come after 'start'");
	return TRUE;
}

/* booking_offer: at most MAX_SLOTS of {start, end} */
static gboolean check_slots(JsonArray *a, GError **error)
{
	guint n = json_array_get_length(a);
	if (n > CONFIG_RELAIS_PROTO_MAX_SLOTS)
		return relais_fail(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_SIZE,
				   "field 'slots' has %u items, the cap is %d", n, CONFIG_RELAIS_PROTO_MAX_SLOTS);
	static const FieldSpec start = {"slots[].start", K_TIME, TRUE}, end = {"slots[].end", K_TIME, TRUE};
	for (guint i = 0; i < n; i++) {
		JsonObject *o = json_array_get_object_element(a, i);
		JsonNode *s = json_object_get_member(o, "start"), *e = json_object_get_member(o, "end");
		if (s == NULL || e == NULL)
			return relais_fail(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_FIELD,
					   "field 'slots[%u]' needs 'start' and 'end'", i);
		if (!check_field(&start, s, error) || !check_field(&end, e, error) ||
		    !check_interval(json_node_get_string(s), json_node_get_string(e), error))
			return FALSE;
	}
	return TRUE;
}

/* booths, booths_changed: each entry {booth_id, site, board, state, reason} */
static gboolean check_booth_entries(JsonArray *a, GError **error)
{
	static const FieldSpec entry[] = {{"booth_id", K_ID, TRUE},
					  {"state", K_TEXT, TRUE, 1},
					  {"site", K_TEXT, FALSE},
					  {"board", K_TEXT, FALSE},
					  {"reason", K_TEXT, FALSE}};
	guint n = json_array_get_length(a);
	for (guint i = 0; i < n; i++) {
		JsonObject *o = json_array_get_object_element(a, i);
		for (guint k = 0; k < G_N_ELEMENTS(entry); k++) {
			JsonNode *v = json_object_get_member(o, entry[k].name);
			if (v == NULL || JSON_NODE_HOLDS_NULL(v)) {
				if (entry[k].required)
					return relais_fail(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_FIELD,
							   "field 'booths[%u]' needs '%s'", i, entry[k].name);
				continue;
			}
			if (!check_field(&entry[k], v, error)) {
				g_prefix_error(error, "booths[%u]: ", i);
				return FALSE;
			}
		}
	}
	return TRUE;
}

/* A guest's display name: 1..40 characters (not bytes) of K_TEXT, no
 * control character (it is drawn on the booth's screen). */
static gboolean check_guest_name(const char *name, GError **error)
{
	if (name == NULL || *name == '\0')
		return relais_fail(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_FIELD,
				   "field 'name' must not be empty");
	glong n = g_utf8_strlen(name, -1);
	if (n > RELAIS_PROTO_MAX_GUEST_NAME)
		return relais_fail(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_SIZE,
				   "field 'name' is %ld characters, the cap is %d", n, RELAIS_PROTO_MAX_GUEST_NAME);
	for (const char *p = name; *p; p = g_utf8_next_char(p))
		if (g_unichar_iscntrl(g_utf8_get_char(p)))
			return relais_fail(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_FIELD,
					   "field 'name' must not hold control characters");
	return TRUE;
}

/* A guest's hello carries its invitation's token and its name; nobody
 * else's carries a token. */
static gboolean check_guest_hello(JsonObject *obj, RelaisRole sender, GError **error)
{
	gboolean has_token = json_object_has_member(obj, "token");
	if (sender != RELAIS_ROLE_GUEST) {
		if (has_token)
			return relais_fail(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_FIELD,
					   "field 'token' is for a guest's 'hello'");
		return TRUE;
	}
	if (!has_token)
		return relais_fail(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_FIELD,
				   "a guest's 'hello' needs field 'token'");
	if (!json_object_has_member(obj, "name"))
		return relais_fail(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_FIELD,
				   "a guest's 'hello' needs field 'name'");
	if (json_object_has_member(obj, "booth_id") || json_object_has_member(obj, "call"))
		return relais_fail(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_FIELD,
				   "a guest's 'hello' has no 'booth_id' and no 'call'");
	return check_guest_name(json_object_get_string_member(obj, "name"), error);
}

/* sdp, ice: `peer` names the other end of the media connection; nobody
 * names itself, and a guest, with two connections, always names one. An
 * adviser may name "adviser": a colleague joining by a warm transfer
 * answers the first adviser's connection (the hub refuses it from an
 * adviser who has the call). */
static gboolean check_peer(JsonObject *obj, RelaisRole sender, GError **error)
{
	const char *peer = json_object_get_string_member_with_default(obj, "peer", NULL);
	if (sender == RELAIS_ROLE_SWITCHBOARD)
		return TRUE;
	if (peer == NULL) {
		if (sender == RELAIS_ROLE_GUEST)
			return relais_fail(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_FIELD,
					   "a guest's '%s' needs field 'peer' (booth or adviser)",
					   json_object_get_string_member(obj, "type"));
		return TRUE;
	}
	if (g_strcmp0(peer, relais_role_name(sender)) == 0 && sender != RELAIS_ROLE_ADVISER)
		return relais_fail(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_FIELD,
				   "field 'peer' names the sender itself");
	return TRUE;
}

struct _RelaisMsg {
	RelaisMsgType type;
	JsonNode *root;
	JsonObject *obj; /* borrowed from root */
};

RelaisMsg *relais_msg_parse(const char *data, gsize len, RelaisRole sender, gboolean greeted, char **type_out,
			    GError **error)
{
	g_return_val_if_fail(data != NULL || len == 0, NULL);

	if (type_out)
		*type_out = NULL;
	if (len > CONFIG_RELAIS_PROTO_MAX_MESSAGE) {
		relais_fail(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_SIZE,
			    "message is %" G_GSIZE_FORMAT " bytes, the cap is %d", len,
			    CONFIG_RELAIS_PROTO_MAX_MESSAGE);
		return NULL;
	}
	/* json-glib stops at an embedded NUL; refuse it rather than parse half */
	if (memchr(data, '\0', len) != NULL) {
		relais_fail(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_JSON, "message contains a NUL byte");
		return NULL;
	}

	const char *problem = shape_problem(data, len);
	if (problem != NULL) {
		relais_fail(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_JSON, "%s", problem);
		return NULL;
	}

	g_autoptr(JsonParser) parser = json_parser_new_immutable();
	g_autoptr(GError) local = NULL;
	if (!json_parser_load_from_data(parser, data, (gssize)len, &local)) {
		relais_fail(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_JSON, "not JSON: %s", local->message);
		return NULL;
	}
	JsonNode *root = json_parser_get_root(parser);
	if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root)) {
		relais_fail(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_JSON, "message must be a JSON object");
		return NULL;
	}
	if (!node_utf8_ok(root)) {
		relais_fail(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_JSON,
			    "a string is not valid UTF-8 (an unpaired \\uD800-\\uDFFF escape)");
		return NULL;
	}
	JsonObject *obj = json_node_get_object(root);
	JsonNode *tn = json_object_get_member(obj, "type");
	if (tn == NULL || !node_is_string(tn)) {
		relais_fail(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_TYPE,
			    "member 'type' is missing or not a string");
		return NULL;
	}
	const char *tname = json_node_get_string(tn);
	if (type_out)
		*type_out = g_strndup(tname, 32);
	RelaisMsgType type;
	if (!lookup_type(tname, &type)) {
		relais_fail(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_UNKNOWN, "unknown message type '%.32s'",
			    tname);
		return NULL;
	}
	const MsgSpec *spec = &specs[type];
	if (!(spec->senders & (1u << sender))) {
		relais_fail(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_DIRECTION, "%s %s may not send '%s'",
			    sender == RELAIS_ROLE_ADVISER ? "an" : "a", relais_role_name(sender), spec->name);
		return NULL;
	}
	if (sender != RELAIS_ROLE_SWITCHBOARD) {
		if (!greeted && type != RELAIS_MSG_HELLO) {
			relais_fail(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_STATE, "'%s' before 'hello'",
				    spec->name);
			return NULL;
		}
		if (greeted && type == RELAIS_MSG_HELLO) {
			relais_fail(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_STATE,
				    "'hello' was already accepted");
			return NULL;
		}
	}
	for (const FieldSpec *f = spec->fields; f < spec->fields + G_N_ELEMENTS(spec->fields) && f->name; f++) {
		JsonNode *n = json_object_get_member(obj, f->name);
		if (n == NULL || JSON_NODE_HOLDS_NULL(n)) {
			if (f->required) {
				relais_fail(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_FIELD,
					    "'%s' needs field '%s'", spec->name, f->name);
				return NULL;
			}
			continue;
		}
		if (!check_field(f, n, error))
			return NULL;
	}
	/* Rules that span fields */
	if (type == RELAIS_MSG_HELLO) {
		gint64 v = json_object_get_int_member(obj, "version");
		if (v != RELAIS_PROTO_VERSION) {
			relais_fail(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_VERSION,
				    "protocol version %" G_GINT64_FORMAT " is not supported (this is %d)", v,
				    RELAIS_PROTO_VERSION);
			return NULL;
		}
		const char *role = json_object_get_string_member(obj, "role");
		if (g_strcmp0(role, relais_role_name(sender)) != 0) {
			relais_fail(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_FIELD,
				    "role '%s' does not match this endpoint (%s)", role, relais_role_name(sender));
			return NULL;
		}
		if (sender == RELAIS_ROLE_BOOTH && !json_object_has_member(obj, "booth_id")) {
			relais_fail(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_FIELD,
				    "a booth's 'hello' needs field 'booth_id'");
			return NULL;
		}
		if (!check_guest_hello(obj, sender, error))
			return NULL;
	}
	if ((type == RELAIS_MSG_SDP || type == RELAIS_MSG_ICE) && !check_peer(obj, sender, error))
		return NULL;
	if ((type == RELAIS_MSG_GUEST_ASK || type == RELAIS_MSG_GUEST_STATE) && json_object_has_member(obj, "name") &&
	    !check_guest_name(json_object_get_string_member(obj, "name"), error))
		return NULL;

	if ((type == RELAIS_MSG_BOOTHS || type == RELAIS_MSG_BOOTHS_CHANGED) &&
	    !check_booth_entries(json_object_get_array_member(obj, "booths"), error))
		return NULL;
	if ((type == RELAIS_MSG_BOOTHS || type == RELAIS_MSG_QUEUE) &&
	    json_object_get_int_member(obj, "part") > json_object_get_int_member(obj, "parts")) {
		relais_fail(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_FIELD, "field 'part' is past 'parts'");
		return NULL;
	}
	if (type == RELAIS_MSG_BOOKING_OFFER && !check_slots(json_object_get_array_member(obj, "slots"), error))
		return NULL;
	if (type == RELAIS_MSG_UPDATE_OFFER &&
	    !relais_proto_valid_sha256(json_object_get_string_member(obj, "sha256"))) {
		relais_fail(error, RELAIS_PROTO_ERROR, RELAIS_PROTO_ERROR_FIELD,
			    "field 'sha256' must be 64 lower-case hex digits");
		return NULL;
	}
	if ((type == RELAIS_MSG_BOOK || type == RELAIS_MSG_BOOKED || type == RELAIS_MSG_CHECKED_IN) &&
	    !check_interval(json_object_get_string_member(obj, "start"), json_object_get_string_member(obj, "end"),
			    error))
		return NULL;

	RelaisMsg *msg = g_new0(RelaisMsg, 1);
	msg->type = type;
	msg->root = json_node_ref(root);
	msg->obj = obj;
	return msg;
}

RelaisMsgType relais_msg_get_type(const RelaisMsg *msg)
{
	return msg->type;
}

JsonObject *relais_msg_get_root(const RelaisMsg *msg)
{
	return msg->obj;
}

const char *relais_msg_get_string(const RelaisMsg *msg, const char *field)
{
	JsonNode *n = json_object_get_member(msg->obj, field);
	return n && node_is_string(n) ? json_node_get_string(n) : NULL;
}

gint64 relais_msg_get_int(const RelaisMsg *msg, const char *field, gint64 def)
{
	JsonNode *n = json_object_get_member(msg->obj, field);
	return n && node_is_int(n) ? json_node_get_int(n) : def;
}

JsonObject *relais_msg_get_object(const RelaisMsg *msg, const char *field)
{
	JsonNode *n = json_object_get_member(msg->obj, field);
	return n && JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
}

JsonArray *relais_msg_get_array(const RelaisMsg *msg, const char *field)
{
	JsonNode *n = json_object_get_member(msg->obj, field);
	return n && JSON_NODE_HOLDS_ARRAY(n) ? json_node_get_array(n) : NULL;
}

void relais_msg_free(RelaisMsg *msg)
{
	if (msg == NULL)
		return;
	json_node_unref(msg->root);
	g_free(msg);
}

JsonObject *relais_msg_new(RelaisMsgType type)
{
	g_return_val_if_fail((guint)type < RELAIS_MSG_N_TYPES, NULL);
	JsonObject *o = json_object_new();
	json_object_set_string_member(o, "type", specs[type].name);
	return o;
}

/* The role whose relais_msg_parse() accepts what `obj` is: a hello's own
 * role, else the switchboard (it sends or relays every type that has S),
 * else the one role that may send it. FALSE: no such type. */
static gboolean outgoing_sender(JsonObject *obj, RelaisMsgType *type, RelaisRole *sender)
{
	const char *tname = json_object_get_string_member_with_default(obj, "type", NULL);
	if (tname == NULL || !lookup_type(tname, type))
		return FALSE;
	guint mask = specs[*type].senders;
	if (*type == RELAIS_MSG_HELLO) {
		const char *role = json_object_get_string_member_with_default(obj, "role", NULL);
		*sender = g_strcmp0(role, "adviser") == 0 ? RELAIS_ROLE_ADVISER
			  : g_strcmp0(role, "guest") == 0 ? RELAIS_ROLE_GUEST
							  : RELAIS_ROLE_BOOTH;
	} else if (mask & S)
		*sender = RELAIS_ROLE_SWITCHBOARD;
	else if (mask & B)
		*sender = RELAIS_ROLE_BOOTH;
	else if (mask & A)
		*sender = RELAIS_ROLE_ADVISER;
	else
		*sender = RELAIS_ROLE_GUEST;
	return TRUE;
}

static gboolean check_text_as_sent(JsonObject *obj, const char *text, GError **error)
{
	RelaisMsgType type;
	RelaisRole sender;
	if (!outgoing_sender(obj, &type, &sender)) {
		/* let the parser say what is wrong with the type */
		sender = RELAIS_ROLE_SWITCHBOARD;
		type = RELAIS_MSG_N_TYPES;
	}
	g_autoptr(RelaisMsg) msg = relais_msg_parse(text, strlen(text), sender, type != RELAIS_MSG_HELLO, NULL, error);
	return msg != NULL;
}

gboolean relais_msg_check(JsonObject *obj, GError **error)
{
	g_autoptr(JsonNode) node = json_node_new(JSON_NODE_OBJECT);
	json_node_set_object(node, obj);
	g_autofree char *text = json_to_string(node, FALSE);
	return check_text_as_sent(obj, text, error);
}

/* A message of ours that breaks the protocol is a bug (Kconfig
 * RELAIS_PROTO_CHECK_OUTGOING): said, and fatal under RELAIS_PROTO_STRICT=1. */
static void outgoing_broken(const char *type, const GError *error)
{
	g_critical("an outgoing '%s' breaks the protocol (PROTOCOL.md): %s", type, error->message);
	if (g_strcmp0(g_getenv("RELAIS_PROTO_STRICT"), "1") == 0)
		abort();
}

char *relais_msg_to_string(JsonObject *obj)
{
	g_autoptr(JsonNode) node = json_node_new(JSON_NODE_OBJECT);
	json_node_take_object(node, obj);
	char *text = json_to_string(node, FALSE);
#if CONFIG_RELAIS_PROTO_CHECK_OUTGOING
	g_autoptr(GError) error = NULL;
	if (!check_text_as_sent(obj, text, &error))
		outgoing_broken(json_object_get_string_member_with_default(obj, "type", "?"), error);
#endif
	return text;
}

/* --- lists longer than one message ----------------------------------------- */

static guint digits(guint64 v)
{
	guint n = 1;
	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

/* Packs the items into messages: `bounds` gets, per message, the index of
 * its first item in the members' concatenated order (and one past the last
 * at the end). `fixed`: the bytes of a message without items. */
static void pack(const RelaisListMember *members, guint n_members, gsize fixed, gsize cap, GArray *bounds, GArray *skip,
		 guint *dropped)
{
	gsize size = fixed;
	guint in_msg = 0, index = 0;
	guint in_member[8] = {0};
	g_array_set_size(bounds, 0);
	g_array_set_size(skip, 0);
	if (dropped)
		*dropped = 0;
	g_array_append_val(bounds, index);
	for (guint m = 0; m < n_members; m++) {
		for (guint i = 0; i < members[m].items->len; i++, index++) {
			gsize len = strlen(g_ptr_array_index(members[m].items, i));
			gboolean fits = fixed + len <= cap;
			if (!fits) {
				/* not even alone: left out */
				g_array_append_val(skip, index);
				if (dropped)
					(*dropped)++;
				continue;
			}
			gsize add = len + (in_member[m] ? 1 : 0);
			if (in_msg > 0 && size + add > cap) {
				g_array_append_val(bounds, index);
				size = fixed;
				in_msg = 0;
				memset(in_member, 0, sizeof in_member);
				add = len;
			}
			size += add;
			in_msg++;
			in_member[m]++;
		}
	}
	g_array_append_val(bounds, index);
}

GPtrArray *relais_msg_split(RelaisMsgType type, const RelaisListMember *members, guint n_members, gint64 snapshot,
			    gsize cap, guint *dropped)
{
	g_return_val_if_fail((guint)type < RELAIS_MSG_N_TYPES && n_members >= 1 && n_members <= 8, NULL);
	g_autoptr(GString) head = g_string_new(NULL);
	g_string_append_printf(head, "{\"type\":\"%s\"", specs[type].name);
	gsize fixed = head->len + 1; /* the closing brace */
	for (guint m = 0; m < n_members; m++)
		fixed += strlen(",\"\":[]") + strlen(members[m].name);
	g_autoptr(GArray) bounds = g_array_new(FALSE, FALSE, sizeof(guint));
	g_autoptr(GArray) skip = g_array_new(FALSE, FALSE, sizeof(guint));
	/* a snapshot's tail: ,"snapshot":S,"part":P,"parts":N with P and N as
	 * wide as N; the number of parts decides its width, so pack again until
	 * the width it was packed for holds */
	guint width = 1;
	for (;;) {
		gsize tail = snapshot > 0 ? strlen(",\"snapshot\":,\"part\":,\"parts\":") + digits((guint64)snapshot) +
						    2 * width
					  : 0;
		pack(members, n_members, fixed + tail, cap, bounds, skip, dropped);
		guint parts = bounds->len - 1;
		if (snapshot <= 0 || digits(parts) <= width)
			break;
		width = digits(parts);
	}
	guint parts = bounds->len - 1;
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	guint next_skip = 0;
	for (guint p = 0; p < parts; p++) {
		guint from = g_array_index(bounds, guint, p), to = g_array_index(bounds, guint, p + 1);
		GString *s = g_string_new(head->str);
		guint index = 0;
		for (guint m = 0; m < n_members; m++) {
			g_string_append_printf(s, ",\"%s\":[", members[m].name);
			gboolean first = TRUE;
			for (guint i = 0; i < members[m].items->len; i++, index++) {
				if (index < from || index >= to)
					continue;
				if (next_skip < skip->len && g_array_index(skip, guint, next_skip) == index) {
					next_skip++;
					continue;
				}
				if (!first)
					g_string_append_c(s, ',');
				g_string_append(s, g_ptr_array_index(members[m].items, i));
				first = FALSE;
			}
			g_string_append_c(s, ']');
		}
		if (snapshot > 0)
			g_string_append_printf(s, ",\"snapshot\":%" G_GINT64_FORMAT ",\"part\":%u,\"parts\":%u",
					       snapshot, p + 1, parts);
		g_string_append_c(s, '}');
#if CONFIG_RELAIS_PROTO_CHECK_OUTGOING
		g_autoptr(GError) error = NULL;
		g_autoptr(RelaisMsg) msg =
			relais_msg_parse(s->str, s->len, RELAIS_ROLE_SWITCHBOARD, TRUE, NULL, &error);
		if (msg == NULL)
			outgoing_broken(specs[type].name, error);
#endif
		g_ptr_array_add(out, g_string_free(s, FALSE));
	}
	return out;
}

JsonObject *relais_msg_booking_error(const char *ref, const char *reason, const char *message)
{
	JsonObject *o = relais_msg_new(RELAIS_MSG_BOOKING_ERROR);
	json_object_set_string_member(o, "ref", ref);
	json_object_set_string_member(o, "reason", reason);
	if (message) {
		g_autofree char *m = g_utf8_make_valid(message, MIN(strlen(message), 512));
		json_object_set_string_member(o, "message", m);
	}
	return o;
}

JsonObject *relais_msg_booking_offer(void)
{
	JsonObject *o = relais_msg_new(RELAIS_MSG_BOOKING_OFFER);
	json_object_set_array_member(o, "slots", json_array_new());
	return o;
}

void relais_msg_booking_offer_add(JsonObject *offer, const char *start, const char *end)
{
	JsonObject *slot = json_object_new();
	json_object_set_string_member(slot, "start", start);
	json_object_set_string_member(slot, "end", end);
	json_array_add_object_element(json_object_get_array_member(offer, "slots"), slot);
}

JsonObject *relais_msg_booked(const char *code, const char *start, const char *end, const char *site,
			      const char *address)
{
	JsonObject *o = relais_msg_new(RELAIS_MSG_BOOKED);
	json_object_set_string_member(o, "code", code);
	json_object_set_string_member(o, "start", start);
	json_object_set_string_member(o, "end", end);
	if (site)
		json_object_set_string_member(o, "site", site);
	if (address)
		json_object_set_string_member(o, "address", address);
	return o;
}

JsonObject *relais_msg_checked_in(const char *code, const char *start, const char *end, const char *language,
				  const char *topic)
{
	JsonObject *o = relais_msg_new(RELAIS_MSG_CHECKED_IN);
	json_object_set_string_member(o, "code", code);
	json_object_set_string_member(o, "start", start);
	json_object_set_string_member(o, "end", end);
	if (language && *language)
		json_object_set_string_member(o, "language", language);
	if (topic && *topic)
		json_object_set_string_member(o, "topic", topic);
	return o;
}

JsonObject *relais_msg_diag_report(const char *request, JsonObject *report)
{
	JsonObject *o = relais_msg_new(RELAIS_MSG_DIAG_REPORT);
	json_object_set_string_member(o, "request", request);
	json_object_set_object_member(o, "report", report);
	return o;
}

char *relais_msg_error_string(RelaisProtoError code, const char *message, const char *ref)
{
	JsonObject *o = relais_msg_new(RELAIS_MSG_ERROR);
	json_object_set_string_member(o, "code", relais_proto_error_code(code));
	/* keep the reply within our own caps even when quoting hostile input */
	g_autofree char *m = g_utf8_make_valid(message ? message : "", -1);
	if (strlen(m) > 512) {
		const char *end = g_utf8_find_prev_char(m, m + 512);
		m[end ? end - m : 0] = '\0';
	}
	json_object_set_string_member(o, "message", m);
	if (ref && *ref) {
		g_autofree char *r = g_utf8_make_valid(ref, MIN(strlen(ref), 32));
		json_object_set_string_member(o, "ref", r);
	}
	return relais_msg_to_string(o);
}

char *relais_msg_error_from_gerror(const GError *error, const char *ref)
{
	RelaisProtoError code =
		error->domain == RELAIS_PROTO_ERROR ? (RelaisProtoError)error->code : RELAIS_PROTO_ERROR_FIELD;
	return relais_msg_error_string(code, error->message, ref);
}
